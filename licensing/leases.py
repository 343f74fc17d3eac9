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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NoReturn, cast

from sqlalchemy import (
    Connection,
    Select,
    Table,
    and_,
    bindparam,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from core import audit as core_audit
from core.errors import (
    Conflict,
    Expired,
    Forbidden,
    InvalidInput,
    LimitExceeded,
    NotFound,
    QuotaExceeded,
    SeatsUnavailable,
)
from core.models.accounts import Organisation, User
from core.rawsql import RawStatement, commit_without_flush_wait, connection_of
from core.timeutil import CENTRE_ZONE
from licensing import policy, queue, seats
from licensing.catalogue import get_feature, usable_pools
from licensing.models import (
    Denial,
    Feature,
    Hold,
    Lease,
    Pool,
    QueueEntry,
    Quota,
    Reservation,
    Suspension,
)
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
             borrow: bool = False, notify: Notify, quick: bool = True) -> LeaseInfo:
    """Check out ``n`` seats of ``feature_name`` for ``hours``; raise the reason if refused.
    ``quick=False`` skips the fast path (the caller tried :func:`quick_checkout` already)."""
    _check_request(n, hours)
    if len(host) > 200 or (course is not None and len(course) > 64):
        raise InvalidInput("host or course name too long")
    if quick and not borrow:
        info = quick_checkout(session, Who(user.id, user.login, user.org_id), feature_name, n,
                              hours, now, host=host, course=course)
        if info is not None:
            return info
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
                blocked = _first_booking(session, pool.id, now, end)
            continue
        lease = _new_lease(session, pool, user, n, hours, now, host, course, borrow, None)
        return lease_info(session, lease)
    _refuse(session, feature.id, feature_name, sum(p.seats for p in pools), blocked, now)


def _first_booking(session: Session, pool_id: int, now: datetime,
                   end: datetime) -> Reservation | None:
    return session.scalar(select(Reservation).where(
        Reservation.pool_id == pool_id, Reservation.status == "approved",
        Reservation.starts_at < end, Reservation.ends_at > now)
        .order_by(Reservation.starts_at).limit(1))


def _refuse(session: Session, feature_id: int, feature_name: str, total: int,
            blocked: Reservation | None, now: datetime) -> NoReturn:
    """No pool could lend the seats: say which booking keeps them, or that all are in use."""
    active = session.scalar(select(Reservation).where(
        Reservation.feature_id == feature_id, Reservation.status == "active",
        Reservation.ends_at > now).order_by(Reservation.ends_at.desc()).limit(1))
    booking = blocked or active
    if booking is not None:
        what = booking.note or (f"course {booking.course}" if booking.course else "a booking")
        raise SeatsUnavailable(
            f"{feature_name}: the free seats are reserved for {what} from "
            f"{_local(booking.starts_at)} until {_local(booking.ends_at)}; you can join the queue",
            reason="reserved", feature=feature_name, until=booking.ends_at.isoformat())
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
    """Leases, newest first, in one query (pool, feature, user and organisation joined)."""
    query = (select(_L.c.id, _F.c.name, _L.c.pool_id, _U.c.login, _O.c.code, _L.c.course,
                    _L.c.seats, _L.c.kind, _L.c.host, _L.c.hold_id, _L.c.started_at,
                    _L.c.expires_at, _L.c.ends_by, _L.c.ended_at, _L.c.end_reason)
             .select_from(_L.outerjoin(_P, _P.c.id == _L.c.pool_id)
                          .outerjoin(_F, _F.c.id == _P.c.feature_id)
                          .outerjoin(_U, _U.c.id == _L.c.user_id)
                          .outerjoin(_O, _O.c.id == _L.c.org_id))
             .order_by(_L.c.id.desc()).limit(limit))
    if user_id is not None:
        query = query.where(_L.c.user_id == user_id)
    if active_only:
        query = query.where(_L.c.ended_at.is_(None))
    return [LeaseInfo(lid, feature or "?", pool_id, login or "?", org or "?", course, n, kind,
                      host, hold_id is not None, started, expires, ends_by, ended, reason)
            for (lid, feature, pool_id, login, org, course, n, kind, host, hold_id, started,
                 expires, ends_by, ended, reason) in session.connection().execute(query)]


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
    """A refused checkout, for the usage report (its own small transaction). PostgreSQL does
    not wait for this commit's WAL flush: a denial lost in a crash is a statistic, not a
    seat."""
    commit_without_flush_wait(session)
    session.add(Denial(at=at, feature=feature[:128], user_id=user_id, org_id=org_id,
                       course=course, seats=max(1, min(n, 1_000_000)), reason=reason[:32]))


# -- the fast paths ----------------------------------------------------------------------------
#
# Checkout, return and heartbeat in a few Core statements for the common case: one probe that
# reads the pools and every condition that could make the general path decide differently
# (suspension, eligibility, quotas, reserved shares, bookings, holds, the queue), then the
# conditional UPDATE on the pool and the lease row. Whenever the probe sees anything but the
# plain case, the fast path answers None without having changed anything, and the general path
# (above) decides — with the same rules, messages and denials as before.

_P = cast(Table, Pool.__table__)
_F = cast(Table, Feature.__table__)
_L = cast(Table, Lease.__table__)
_H = cast(Table, Hold.__table__)
_Q = cast(Table, QueueEntry.__table__)
_R = cast(Table, Reservation.__table__)
_O = cast(Table, Organisation.__table__)
_U = cast(Table, User.__table__)
_QU = cast(Table, Quota.__table__)
_S = cast(Table, Suspension.__table__)


def _quota_subject() -> Any:
    """Quotas that apply to the organisation ``:org`` (joined as ``organisations``) or the
    course ``:course``."""
    return or_(and_(_QU.c.scope == "org", _QU.c.subject == _O.c.code),
               and_(_QU.c.scope == "org_kind", _QU.c.subject == _O.c.kind),
               and_(_QU.c.scope == "course", _QU.c.subject == bindparam("course")))


def _build_probe() -> Select[Any]:
    feature_id = _F.c.id
    for_feature = or_(_QU.c.feature_id.is_(None), _QU.c.feature_id == feature_id)
    pools_of = select(_P.c.id).where(_P.c.feature_id == feature_id).scalar_subquery()
    blocked = or_(
        exists(select(_U.c.id).where(_U.c.id == bindparam("user"), _U.c.disabled)),
        exists(select(_S.c.user_id).where(_S.c.user_id == bindparam("user"))),
        exists(select(_Q.c.id).where(_Q.c.feature_id == feature_id, _Q.c.status == "granted",
                                      _Q.c.user_id == bindparam("user"))),
        exists(select(_H.c.id).select_from(_H.join(_R, _R.c.id == _H.c.reservation_id))
                .where(_H.c.pool_id.in_(pools_of), _H.c.kind == "reservation",
                       _H.c.released_at.is_(None), _H.c.seats >= bindparam("n"),
                       or_(_H.c.user_id == bindparam("user"),
                           _R.c.course == bindparam("course")))),
        exists(select(_QU.c.id).where(for_feature, or_(
            and_(_quota_subject(), _QU.c.seat_hours.is_not(None)), _QU.c.reserved_share > 0))),
    )
    waiting = (select(func.count()).select_from(_Q)
               .where(_Q.c.feature_id == feature_id, _Q.c.status == "waiting").scalar_subquery())
    concurrent = exists(select(_QU.c.id).where(for_feature, _quota_subject(),
                                                _QU.c.max_concurrent.is_not(None)))
    booked = or_(
        exists(select(_R.c.id).where(_R.c.feature_id == feature_id,
                                      or_(_R.c.status == "approved", _R.c.status == "active"),
                                      _R.c.ends_at > bindparam("now"))),
        exists(select(_H.c.id).where(_H.c.pool_id.in_(pools_of), _H.c.kind == "reservation",
                                      _H.c.released_at.is_(None))))
    pool_join = _F.join(_P, and_(_P.c.feature_id == _F.c.id, _P.c.suspended.is_(False),
                                 _P.c.seats > 0), isouter=True)
    return (select(_F.c.id, _P.c.id, _P.c.expiry, _P.c.max_seats_per_lease,
                   _P.c.max_lease_hours, _P.c.lease_ttl_minutes, _P.c.seats, _O.c.suspended,
                   _O.c.eligible_from, _O.c.eligible_until, _O.c.code, blocked, waiting,
                   concurrent, booked)
            .select_from(pool_join).join(_O, _O.c.id == bindparam("org"))
            .where(_F.c.name == bindparam("feature")))


_PROBE = RawStatement(_build_probe())
_CONCURRENT_QUOTAS = (
    select(_QU.c.scope, _QU.c.max_concurrent, _QU.c.feature_id)
    .select_from(_QU.join(_O, _O.c.id == bindparam("org")))
    .where(or_(_QU.c.feature_id.is_(None), _QU.c.feature_id == bindparam("feature")),
           _quota_subject(), _QU.c.max_concurrent.is_not(None))
    .order_by(_QU.c.id))
_INSERT_LEASE = RawStatement(insert(_L).returning(_L.c.id))


# The fast paths of checkout, return and heartbeat commit without waiting for the WAL flush
# (rawsql.commit_without_flush_wait): the pool's counter row is locked from the conditional
# UPDATE to the commit, so a flush wait there (about a millisecond per commit on ordinary
# disks) would cap every pool at about a thousand changes a second, whatever the hub's speed.
# A crash of the database server itself can lose the last fraction of a second of lease
# changes; each is all or nothing, counter and lease row together, so seats are never
# oversubscribed: a lost checkout's client is told its lease is unknown at its next heartbeat,
# and a lost return leaves a lease that the worker expires at its TTL. FlexLM's own daemons
# keep checkouts only in memory.


@dataclass(frozen=True)
class Who:
    """The caller as the fast paths need it (the hub's authenticated actor)."""

    id: int
    login: str
    org_id: int


def _check_concurrent(conn: Connection, who: Who, org_code: str, course: str | None,
                      feature_id: int, n: int) -> None:
    """The concurrent maxima of the quotas that apply (in quota order, as
    :func:`licensing.policy.check_quota` checks them)."""
    for scope, most, quota_feature in conn.execute(
            _CONCURRENT_QUOTAS, {"org": who.org_id, "course": course, "feature": feature_id}):
        used = select(func.coalesce(func.sum(_L.c.seats), 0)).where(
            _L.c.ended_at.is_(None),
            _L.c.course == course if scope == "course" else _L.c.org_id == who.org_id)
        if quota_feature is not None:
            used = used.where(_L.c.pool_id.in_(select(_P.c.id).where(
                _P.c.feature_id == quota_feature)))
        current = int(conn.execute(used).scalar_one())
        if current + n > most:
            who_name = course if scope == "course" else org_code
            raise QuotaExceeded(f"{who_name} may use {most} seats at once and uses {current}",
                                limit="concurrent", max=most, current=current)


def quick_checkout(session: Session | Connection, who: Who, feature_name: str, n: int,
                   hours: float, now: datetime, *, host: str = "",
                   course: str | None = None) -> LeaseInfo | None:
    """Check out in the plain case (see above), or refuse when the queue or a concurrent
    maximum says no; None when the general path must decide. On a bare Connection (no ORM
    session) it decides only what needs none: quotas of concurrent use, bookings and the
    refusal of a full pool go to the general path."""
    if n < 1 or not (math.isfinite(hours) and hours > 0) or len(host) > 200 or (
            course is not None and len(course) > 64):
        return None
    end = now + timedelta(hours=hours)
    conn = connection_of(session)
    rows = _PROBE.execute(conn, {"feature": feature_name, "user": who.id, "org": who.org_id,
                                 "course": course, "now": now, "end": end, "n": n}).rows
    if not rows or rows[0][1] is None:
        return None
    (feature_id, _, _, _, _, _, _, org_suspended, eligible_from, eligible_until, org_code,
     blocked, waiting, concurrent, booked) = rows[0]
    day = policy.centre_day(now)
    if blocked or org_suspended or (eligible_from is not None and day < eligible_from) or (
            eligible_until is not None and day > eligible_until):
        return None
    alive = sorted((r for r in rows if r[2] is None or r[2] >= day),
                   key=lambda r: (r[2] is None, r[2] or date.max, r[1]))
    if not alive or n > max(r[3] for r in alive) or hours > max(r[4] for r in alive):
        return None
    if waiting:  # refused either way (a maximum first, as the general path): no lock needed
        if concurrent:
            _check_concurrent(conn, who, org_code, course, feature_id, n)
        raise SeatsUnavailable(
            f"{waiting} request(s) are queued for {feature_name}; join the queue",
            reason="queued", queue_length=waiting, feature=feature_name)
    if not isinstance(session, Session) and (concurrent or booked):
        return None
    if concurrent or booked:
        assert isinstance(session, Session)
        # As the general path: the feature's pools locked first, so two checkouts of one
        # organisation cannot both pass its maximum, nor a booking be made meanwhile
        # (PostgreSQL).
        seats.lock_pools(session, (r[1] for r in rows))
    if concurrent:
        _check_concurrent(conn, who, org_code, course, feature_id, n)
    first_booking: Reservation | None = None
    commit_without_flush_wait(session)
    for _, pool_id, _, per_lease, max_hours, ttl, pool_seats, *_ in alive:
        if n > per_lease or hours > max_hours:
            continue
        taken = seats.take(session, pool_id, n)
        if taken is None:
            continue
        if booked:  # seats booked in the lease's window, and owed to running bookings
            assert isinstance(session, Session)  # a bare connection stepped aside above
            ahead = (policy.peak_booked(session, pool_id, now, end)
                     + policy.owed_to_bookings(session, pool_id))
            if taken + ahead > pool_seats:
                seats.give_back(session, pool_id, n)
                if ahead and first_booking is None:
                    first_booking = _first_booking(session, pool_id, now, end)
                continue
        expires = min(end, now + timedelta(minutes=ttl))
        lease_id = _INSERT_LEASE.execute(conn, {
            "pool_id": pool_id, "user_id": who.id, "org_id": who.org_id, "course": course,
            "seats": n, "kind": "lease", "host": host, "hold_id": None, "started_at": now,
            "expires_at": expires, "ends_by": end, "ended_at": None, "end_reason": None,
        }).scalar()
        return LeaseInfo(lease_id, feature_name, pool_id, who.login, org_code, course, n,
                         "lease", host, False, now, expires, end, None, None)
    if not isinstance(session, Session):
        return None  # full: the general path refuses, with the reason and the next booking
    _refuse(session, feature_id, feature_name, sum(r[6] for r in alive), first_booking, now)


_RETURN_READ = RawStatement(
    select(_L.c.pool_id, _L.c.user_id, _L.c.seats, _L.c.hold_id, _L.c.ended_at, _L.c.course,
           _L.c.kind, _L.c.host, _L.c.started_at, _L.c.expires_at, _L.c.ends_by,
           _P.c.feature_id, _F.c.name, _O.c.code)
    .select_from(_L.join(_P, _P.c.id == _L.c.pool_id)
                 .join(_F, _F.c.id == _P.c.feature_id)
                 .join(_O, _O.c.id == _L.c.org_id))
    .where(_L.c.id == bindparam("lease")))
_END = RawStatement(
    update(_L).where(_L.c.id == bindparam("lease"), _L.c.ended_at.is_(None))
    .values(ended_at=bindparam("now"), end_reason="returned")
    .returning(exists(select(_Q.c.id).where(_Q.c.feature_id == bindparam("feature"),
                                            _Q.c.status == "waiting"))))


def quick_return(session: Session | Connection, who: Who, lease_id: int, now: datetime, *,
                 notify: Notify,
                 orm: Callable[[], Session] | None = None) -> LeaseInfo | None:
    """Return a lease of one's own that came from the pool's free seats; None when the general
    path must answer (someone else's, ended, unknown, or from a hold). On a bare Connection,
    ``orm`` gives the session joined to its transaction, for handing the seats to the queue."""
    conn = connection_of(session)
    row = _RETURN_READ.execute(conn, {"lease": lease_id}).first()
    if row is None:
        return None
    (pool_id, user_id, n, hold_id, ended_at, course, kind, host, started, expires, ends_by,
     feature_id, feature, org_code) = row
    if user_id != who.id or ended_at is not None or hold_id is not None:
        return None
    commit_without_flush_wait(session)
    # The pool's row first, then the lease's (the one lock order: see seats.lock_pools).
    seats.give_back(session, pool_id, n)
    ended = _END.execute(conn, {"lease": lease_id, "now": now, "feature": feature_id}).first()
    if ended is None:  # ended meanwhile (PostgreSQL): refuse; the rollback undoes the give-back
        reason, at = conn.execute(select(_L.c.end_reason, _L.c.ended_at)
                                  .where(_L.c.id == lease_id)).one()
        raise Conflict(f"lease {lease_id} already ended ({reason} at {_local(at)})",
                       lease=lease_id, reason=reason)
    if ended[0]:
        if isinstance(session, Session):
            queue.grant_heads(session, feature_id, now, notify)
        elif orm is not None:
            queue.grant_heads(orm(), feature_id, now, notify)
        else:
            raise TypeError("a return on a bare connection needs the session for the queue")
    return LeaseInfo(lease_id, feature, pool_id, who.login, org_code, course, n, kind, host,
                     False, started, expires, ends_by, now, "returned")


_RENEW_READ = RawStatement(
    select(_L.c.user_id, _L.c.ended_at, _L.c.kind, _L.c.expires_at, _L.c.ends_by,
           _L.c.pool_id, _L.c.course, _L.c.seats, _L.c.host, _L.c.hold_id, _L.c.started_at,
           _P.c.lease_ttl_minutes, _F.c.name, _O.c.code, _O.c.suspended, _O.c.eligible_from,
           _O.c.eligible_until, exists(select(_S.c.user_id).where(_S.c.user_id == _L.c.user_id)),
           _U.c.disabled)
    .select_from(_L.join(_P, _P.c.id == _L.c.pool_id)
                 .join(_F, _F.c.id == _P.c.feature_id)
                 .join(_O, _O.c.id == _L.c.org_id)
                 .join(_U, _U.c.id == _L.c.user_id))
    .where(_L.c.id == bindparam("lease")))
_HEARTBEAT = RawStatement(
    update(_L).where(_L.c.id == bindparam("lease"), _L.c.ended_at.is_(None),
                     _L.c.expires_at > bindparam("now"))
    .values(expires_at=bindparam("expires")))


def quick_renew(session: Session | Connection, who: Who, lease_id: int,
                now: datetime) -> LeaseInfo | None:
    """A heartbeat (no new end) on a running lease of one's own; None when the general path
    must answer."""
    conn = connection_of(session)
    row = _RENEW_READ.execute(conn, {"lease": lease_id}).first()
    if row is None:
        return None
    (user_id, ended_at, kind, expires_at, ends_by, pool_id, course, n, host, hold_id, started,
     ttl, feature, org_code, org_suspended, eligible_from, eligible_until, suspended,
     disabled) = row
    day = policy.centre_day(now)
    if (user_id != who.id or ended_at is not None or kind != "lease" or now >= expires_at
            or suspended or disabled or org_suspended
            or (eligible_from is not None and day < eligible_from)
            or (eligible_until is not None and day > eligible_until)):
        return None
    expires = min(ends_by, now + timedelta(minutes=ttl))
    commit_without_flush_wait(session)
    if _HEARTBEAT.execute(conn, {"lease": lease_id, "now": now,
                                 "expires": expires}).rowcount != 1:
        return None  # ended or expired meanwhile: the general path says which
    return LeaseInfo(lease_id, feature, pool_id, who.login, org_code, course, n, kind, host,
                     hold_id is not None, started, expires, ends_by, None, None)


def plain(info: LeaseInfo) -> dict[str, Any]:
    """The lease as the audit log keeps it (dates as ISO text, no token)."""
    return {k: (v.isoformat() if isinstance(v, date | datetime) else v)
            for k, v in info.__dict__.items() if k != "token"}


def audit(session: Session | Connection, actor: str, action: str, info: LeaseInfo,
          request_id: str | None) -> None:
    """The audit row of a lease change."""
    core_audit.record(session, actor, action, f"lease:{info.id}", after=plain(info),
                      request_id=request_id)
