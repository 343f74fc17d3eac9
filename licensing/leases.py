"""Leases: check out, return, renew (heartbeat), force-release, borrow, and expiry.

A lease asks for ``hours``; it lives for the pool's TTL and is renewed by heartbeat up to those
hours (``ends_by``). A borrowed lease (offline use) lives its whole term without heartbeats, up
to the pool's borrow limit. Seats come from, in order: the caller's queue grant, a reservation
hold the caller may use (their own booking, or their course's lab session), or the pool's free
seats — never from seats booked for someone else, kept by another's reserved share, or wanted
by people already in the queue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.errors import (
    Conflict,
    Expired,
    Forbidden,
    InvalidInput,
    LimitExceeded,
    NotFound,
    SeatsUnavailable,
)
from core.models.accounts import Organisation, User
from core.timeutil import CENTRE_ZONE
from licensing import policy, queue, seats
from licensing.catalogue import get_feature, usable_pools
from licensing.models import Denial, Feature, Hold, Lease, Pool, QueueEntry, Reservation
from licensing.notices import Notify
from licensing.people import Person

END_REASONS = ("returned", "expired", "forced", "suspended")


@dataclass(frozen=True)
class LeaseInfo:
    id: int
    feature: str
    pool_id: int
    user: str
    org: str
    course: str | None
    seats: int
    kind: str
    host: str
    from_booking: bool
    started_at: datetime
    expires_at: datetime
    ends_by: datetime
    ended_at: datetime | None
    end_reason: str | None
    token: str | None = None


def lease_info(session: Session, lease: Lease, token: str | None = None) -> LeaseInfo:
    pool = session.get(Pool, lease.pool_id)
    user = session.get(User, lease.user_id)
    org = session.get(Organisation, lease.org_id)
    return LeaseInfo(lease.id, pool.feature.name if pool else "?", lease.pool_id,
                     user.login if user else "?", org.code if org else "?", lease.course,
                     lease.seats, lease.kind, lease.host, lease.hold_id is not None,
                     lease.started_at, lease.expires_at, lease.ends_by, lease.ended_at,
                     lease.end_reason, token)


def _check_request(n: int, hours: float) -> None:
    if n < 1:
        raise InvalidInput("ask for at least one seat", seats=n)
    if not (math.isfinite(hours) and hours > 0):
        raise InvalidInput("the duration must be a positive number of hours", hours=hours)


def _local(t: datetime) -> str:
    return t.astimezone(CENTRE_ZONE).strftime("%Y-%m-%d %H:%M")


def checkout(session: Session, user: Person, feature_name: str, n: int, hours: float,
             now: datetime, *, host: str = "", course: str | None = None,
             borrow: bool = False, notify: Notify) -> LeaseInfo:
    """Check out ``n`` seats of ``feature_name`` for ``hours``; raise the reason if refused."""
    _check_request(n, hours)
    if len(host) > 200 or (course is not None and len(course) > 64):
        raise InvalidInput("host or course name too long")
    feature = get_feature(session, feature_name)
    policy.check_eligible(session, user, now)
    pools = usable_pools(session, feature, policy.centre_day(now))
    if not pools:
        raise SeatsUnavailable(f"{feature_name} has no usable pool (expired or suspended)",
                               reason="no_pool", feature=feature_name)
    if n > max(p.max_seats_per_lease for p in pools):
        raise LimitExceeded(f"at most {max(p.max_seats_per_lease for p in pools)} seats per "
                            f"lease of {feature_name}", reason="limit")
    if borrow:
        limit = max(p.borrow_hours for p in pools)
        if limit == 0:
            raise LimitExceeded(f"{feature_name} cannot be borrowed for offline use",
                                reason="limit")
        if hours > limit:
            raise LimitExceeded(f"{feature_name} can be borrowed for at most {limit} h",
                                reason="limit")
    elif hours > max(p.max_lease_hours for p in pools):
        raise LimitExceeded(f"at most {max(p.max_lease_hours for p in pools):g} h per lease of "
                            f"{feature_name}", reason="limit")
    seats.lock_feature(session, feature.id)
    claimed = _claim_hold(session, user, feature, pools, n, hours, now, host, course, borrow)
    if claimed is not None:
        return lease_info(session, claimed)
    policy.check_quota(session, user.organisation, course, feature.id, n, hours, now)
    waiting = queue.waiting_count(session, feature.id)
    if waiting:
        raise SeatsUnavailable(
            f"{waiting} request(s) are queued for {feature_name}; join the queue",
            reason="queued", queue_length=waiting, feature=feature_name)
    blocked: Reservation | None = None
    for pool in pools:
        if n > pool.max_seats_per_lease:
            continue
        if borrow and hours > pool.borrow_hours:
            continue
        if not borrow and hours > pool.max_lease_hours:
            continue
        after = seats.take(session, pool.id, n)
        if after is None:
            continue
        end = now + timedelta(hours=hours)
        ahead = (policy.peak_booked(session, pool.id, now, end)
                 + policy.owed_to_bookings(session, pool.id))
        kept = policy.shares_kept_for_others(session, pool, user.organisation, course)
        if after + ahead + kept > pool.seats:
            seats.give_back(session, pool.id, n)
            if ahead and blocked is None:
                blocked = session.scalar(select(Reservation).where(
                    Reservation.pool_id == pool.id, Reservation.status == "approved",
                    Reservation.starts_at < end, Reservation.ends_at > now)
                    .order_by(Reservation.starts_at).limit(1))
            continue
        lease = _new_lease(session, pool, user, n, hours, now, host, course, borrow, None)
        return lease_info(session, lease)
    active = session.scalar(select(Reservation).where(
        Reservation.feature_id == feature.id, Reservation.status == "active",
        Reservation.ends_at > now).order_by(Reservation.ends_at.desc()).limit(1))
    booking = blocked or active
    if booking is not None:
        what = booking.note or (f"course {booking.course}" if booking.course else "a booking")
        raise SeatsUnavailable(
            f"{feature_name}: the free seats are reserved for {what} from "
            f"{_local(booking.starts_at)} until {_local(booking.ends_at)}; you can join the queue",
            reason="reserved", feature=feature_name, until=booking.ends_at.isoformat())
    total = sum(p.seats for p in pools)
    raise SeatsUnavailable(f"all {total} seats of {feature_name} are in use; you can join the "
                           f"queue", reason="full", feature=feature_name, seats=total)


def _new_lease(session: Session, pool: Pool, user: Person, n: int, hours: float, now: datetime,
               host: str, course: str | None, borrow: bool, hold: Hold | None) -> Lease:
    ends_by = now + timedelta(hours=hours)
    expires = ends_by if borrow else min(ends_by, now + timedelta(minutes=pool.lease_ttl_minutes))
    lease = Lease(pool_id=pool.id, user_id=user.id, org_id=user.org_id, course=course, seats=n,
                  kind="borrow" if borrow else "lease", host=host,
                  hold_id=hold.id if hold else None, started_at=now, expires_at=expires,
                  ends_by=ends_by)
    session.add(lease)
    session.flush()
    return lease


def _claim_hold(session: Session, user: Person, feature: Feature, pools: list[Pool], n: int,
                hours: float, now: datetime, host: str, course: str | None,
                borrow: bool) -> Lease | None:
    """Turn held seats the caller may use into a lease (no change to the counter)."""
    pool_ids = [p.id for p in pools]
    by_id = {p.id: p for p in pools}
    grant = session.execute(seats.for_update(
        select(QueueEntry, Hold).join(Hold, Hold.id == QueueEntry.hold_id)
        .where(QueueEntry.feature_id == feature.id, QueueEntry.user_id == user.id,
               QueueEntry.status == "granted", Hold.released_at.is_(None)))).first()
    if grant is not None:
        entry, hold = grant
        if n <= hold.seats and hold.pool_id in by_id:
            lease = _take_from_hold(session, hold, by_id[hold.pool_id], user, n, hours, now,
                                    host, course, borrow)
            if hold.seats:
                queue.release_hold(session, hold, now, "claimed")  # the rest goes back
            else:
                hold.released_at, hold.release_reason = now, "claimed"
            entry.status, entry.finished_at = "claimed", now
            return lease
    conds = [Hold.user_id == user.id]
    if course:
        conds.append(Reservation.course == course)
    booked = session.scalar(seats.for_update(
        select(Hold).join(Reservation, Reservation.id == Hold.reservation_id)
        .where(Hold.kind == "reservation", Hold.released_at.is_(None),
               Hold.pool_id.in_(pool_ids), Hold.seats >= n, or_(*conds))
        .order_by(Hold.expires_at).limit(1)))
    if booked is None:
        return None
    reservation = session.get(Reservation, booked.reservation_id)
    return _take_from_hold(session, booked, by_id[booked.pool_id], user, n, hours, now, host,
                           course or (reservation.course if reservation else None), borrow)


def _take_from_hold(session: Session, hold: Hold, pool: Pool, user: Person, n: int, hours: float,
                    now: datetime, host: str, course: str | None, borrow: bool) -> Lease:
    hold.seats -= n
    hold.claimed += n
    return _new_lease(session, pool, user, n, hours, now, host, course, borrow, hold)


def get_lease(session: Session, lease_id: int) -> Lease:
    """The lease, locked (after its pool: see :func:`licensing.seats.lock_pools`)."""
    pool_id = session.scalar(select(Lease.pool_id).where(Lease.id == lease_id))
    if pool_id is not None:
        seats.lock_pools(session, [pool_id])
    lease = session.scalar(seats.for_update(select(Lease).where(Lease.id == lease_id)))
    if lease is None:
        raise NotFound(f"no lease {lease_id}", lease=lease_id)
    return lease


def end_lease(session: Session, lease: Lease, now: datetime, reason: str) -> None:
    """End an active lease; its seats go back to the booking it came from (while that booking
    still holds seats), or to the pool."""
    if reason not in END_REASONS:
        raise ValueError(reason)
    lease.ended_at = now
    lease.end_reason = reason
    hold = (session.scalar(seats.for_update(select(Hold).where(Hold.id == lease.hold_id)))
            if lease.hold_id else None)
    if hold is not None and hold.kind == "reservation" and hold.released_at is None:
        hold.seats += lease.seats
    else:
        seats.give_back(session, lease.pool_id, lease.seats)


def _feature_of(session: Session, lease: Lease) -> int:
    pool = session.get(Pool, lease.pool_id)
    return pool.feature_id if pool else 0


def return_lease(session: Session, user: Person, lease_id: int, now: datetime, *,
                 notify: Notify) -> LeaseInfo:
    lease = get_lease(session, lease_id)
    if lease.user_id != user.id:
        raise Forbidden(f"lease {lease_id} is not yours", lease=lease_id)
    if lease.ended_at is not None:
        raise Conflict(f"lease {lease_id} already ended ({lease.end_reason} at "
                       f"{_local(lease.ended_at)})", lease=lease_id, reason=lease.end_reason)
    end_lease(session, lease, now, "returned")
    queue.grant_heads(session, _feature_of(session, lease), now, notify)
    return lease_info(session, lease)


def force_release(session: Session, lease_id: int, now: datetime, *, reason: str = "forced",
                  notify: Notify) -> LeaseInfo:
    lease = get_lease(session, lease_id)
    if lease.ended_at is not None:
        raise Conflict(f"lease {lease_id} already ended", lease=lease_id)
    end_lease(session, lease, now, reason)
    pool = session.get(Pool, lease.pool_id)
    notify(lease.user_id, "lease.released", {"lease": lease.id, "reason": reason,
                                             "feature": pool.feature.name if pool else "?"})
    queue.grant_heads(session, _feature_of(session, lease), now, notify)
    return lease_info(session, lease)


def renew(session: Session, user: Person, lease_id: int, now: datetime, *,
          hours: float | None = None) -> LeaseInfo:
    """Heartbeat: push the expiry one TTL further (up to ``ends_by``). ``hours`` re-sets the
    end to ``now + hours`` (within the pool's limit, if no booking needs the seats)."""
    lease = get_lease(session, lease_id)
    if lease.user_id != user.id:
        raise Forbidden(f"lease {lease_id} is not yours", lease=lease_id)
    if lease.ended_at is not None:
        if lease.end_reason == "expired":
            raise Expired(f"lease {lease_id} expired at {_local(lease.ended_at)}; check out "
                          f"again", lease=lease_id)
        raise Conflict(f"lease {lease_id} already ended ({lease.end_reason})", lease=lease_id)
    if now >= lease.expires_at:
        raise Expired(f"lease {lease_id} expired at {_local(lease.expires_at)}; check out again",
                      lease=lease_id)
    if lease.kind == "borrow":
        raise Conflict("a borrowed lease runs its term without renewal", lease=lease_id)
    policy.check_eligible(session, user, now)
    pool = session.get(Pool, lease.pool_id)
    assert pool is not None
    if hours is not None:
        if not (math.isfinite(hours) and hours > 0):
            raise InvalidInput("the duration must be a positive number of hours", hours=hours)
        if hours > pool.max_lease_hours:
            raise LimitExceeded(f"at most {pool.max_lease_hours:g} h per lease", reason="limit")
        new_end = now + timedelta(hours=hours)
        if new_end > lease.ends_by:
            # Lock the pool row so a booking made at the same time is seen (PostgreSQL).
            session.execute(select(Pool.id).where(Pool.id == pool.id).with_for_update())
            current = seats.in_use_now(session, pool.id)
            ahead = policy.peak_booked(session, pool.id, lease.ends_by, new_end)
            if lease.hold_id is None and current + ahead > pool.seats:
                raise SeatsUnavailable("the seats are booked after your lease ends; it cannot "
                                       "be extended", reason="reserved")
            extra = lease.seats * (new_end - lease.ends_by).total_seconds() / 3600
            policy.check_quota(session, user.organisation, lease.course, pool.feature_id,
                               lease.seats, 0.0, now, concurrent=False,
                               charge_at=[(now, extra)])
        lease.ends_by = new_end
    lease.expires_at = min(lease.ends_by, now + timedelta(minutes=pool.lease_ttl_minutes))
    return lease_info(session, lease)


def list_leases(session: Session, *, user_id: int | None, active_only: bool = True,
                limit: int = 500) -> list[LeaseInfo]:
    query = select(Lease).order_by(Lease.id.desc()).limit(limit)
    if user_id is not None:
        query = query.where(Lease.user_id == user_id)
    if active_only:
        query = query.where(Lease.ended_at.is_(None))
    return [lease_info(session, lease) for lease in session.scalars(query)]


def expire_due(session: Session, now: datetime, notify: Notify) -> list[LeaseInfo]:
    """End every lease whose TTL ran out without a heartbeat; hand seats to the queue."""
    seats.lock_all(session)
    due = session.scalars(seats.for_update(
        select(Lease).where(Lease.ended_at.is_(None), Lease.expires_at <= now)
        .order_by(Lease.id))).all()
    features: set[int] = set()
    out = []
    for lease in due:
        end_lease(session, lease, now, "expired")
        info = lease_info(session, lease)
        notify(lease.user_id, "lease.expired", {"lease": lease.id, "feature": info.feature})
        features.add(_feature_of(session, lease))
        out.append(info)
    for fid in sorted(features):
        queue.grant_heads(session, fid, now, notify)
    return out


def end_user_leases(session: Session, user_id: int, now: datetime, notify: Notify) -> int:
    """End a suspended user's leases."""
    seats.lock_pools(session, session.scalars(select(Lease.pool_id).where(
        Lease.user_id == user_id, Lease.ended_at.is_(None))))
    leases = session.scalars(select(Lease).where(Lease.user_id == user_id,
                                                 Lease.ended_at.is_(None))).all()
    for lease in leases:
        force_release(session, lease.id, now, reason="suspended", notify=notify)
    return len(leases)


def record_denial(session: Session, at: datetime, feature: str, reason: str, *,
                  user_id: int | None, org_id: int | None, course: str | None = None,
                  n: int = 1) -> None:
    session.add(Denial(at=at, feature=feature[:128], user_id=user_id, org_id=org_id,
                       course=course, seats=max(1, min(n, 1_000_000)), reason=reason[:32]))
