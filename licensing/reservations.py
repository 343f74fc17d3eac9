"""Calendar reservations: one-off bookings and weekly lab sessions.

A booking is checked when it is made: the window must be in the future and inside the
organisation's eligibility, the seats must fit beside every other booking of the pool at every
instant, and the seat-hours must fit the quotas. It may need an admin's approval. At its start
the worker holds its seats (topping the hold up as leases end, if the pool was busy); whoever
may use it claims them with a checkout. Seats nobody claimed by the no-show deadline go back to
the pool; at the end, the hold is released.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    LimitExceeded,
    NotEligible,
    NotFound,
    QuotaExceeded,
)
from core.models.accounts import User
from core.timeutil import CENTRE_ZONE
from licensing import policy, queue, seats
from licensing.catalogue import get_feature, usable_pools
from licensing.models import Feature, Hold, Pool, Reservation
from licensing.notices import Notify
from licensing.people import Person

MAX_WINDOW = timedelta(days=7)
MAX_AHEAD = timedelta(days=366)
MAX_WEEKS = 26
PAST_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class ReservationInfo:
    id: int
    series: str | None
    feature: str
    pool_id: int
    user: str
    org: str
    course: str | None
    seats: int
    starts_at: datetime
    ends_at: datetime
    status: str
    note: str
    held: int  # seats held now and not claimed
    claimed: int  # seats claimed by leases so far


@dataclass(frozen=True)
class BookingPreview:
    """What a booking would do, before it is made (the desktop shows this to confirm)."""

    feature: str
    pool_id: int | None
    occurrences: tuple[tuple[datetime, datetime], ...]
    seats: int
    seat_hours: float
    needs_approval: bool
    conflicts: tuple[str, ...]  # one line per occurrence that does not fit
    quota_problem: str | None
    quotas: tuple[policy.QuotaUse, ...]

    @property
    def ok(self) -> bool:
        return not self.conflicts and self.quota_problem is None


def reservation_info(session: Session, r: Reservation) -> ReservationInfo:
    from core.models.accounts import Organisation

    feature = session.get(Feature, r.feature_id)
    user = session.get(User, r.user_id)
    org = session.get(Organisation, r.org_id)
    hold = session.scalar(select(Hold).where(Hold.reservation_id == r.id))
    return ReservationInfo(r.id, r.series, feature.name if feature else "?", r.pool_id,
                           user.login if user else "?", org.code if org else "?", r.course,
                           r.seats, r.starts_at, r.ends_at, r.status, r.note,
                           hold.seats if hold is not None and hold.released_at is None else 0,
                           hold.claimed if hold is not None else 0)


def _occurrences(starts: datetime, ends: datetime, weeks: int) -> list[tuple[datetime, datetime]]:
    """Weekly repeats keep the wall-clock time in the centre's zone."""
    s_local, e_local = starts.astimezone(CENTRE_ZONE), ends.astimezone(CENTRE_ZONE)
    out = []
    for k in range(weeks):
        s = (s_local.replace(tzinfo=None) + timedelta(weeks=k)).replace(tzinfo=CENTRE_ZONE)
        e = (e_local.replace(tzinfo=None) + timedelta(weeks=k)).replace(tzinfo=CENTRE_ZONE)
        out.append((s.astimezone(starts.tzinfo), e.astimezone(starts.tzinfo)))
    return out


def _validate(user: Person, starts: datetime, ends: datetime, n: int, weeks: int,
              now: datetime) -> None:
    if starts.tzinfo is None or ends.tzinfo is None:
        raise InvalidInput("give times with a time zone (e.g. 2026-11-24T14:00+09:00)")
    if n < 1:
        raise InvalidInput("book at least one seat", seats=n)
    if ends <= starts:
        raise InvalidInput("the booking ends before it starts")
    if ends - starts > MAX_WINDOW:
        raise LimitExceeded("a booking may last at most 7 days", reason="limit")
    if starts < now - PAST_TOLERANCE:
        raise InvalidInput(f"the booking starts in the past (the centre's time is "
                           f"{now.astimezone(CENTRE_ZONE):%Y-%m-%d %H:%M %Z})")
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput(f"a weekly series has 1 to {MAX_WEEKS} sessions")
    if starts + timedelta(weeks=weeks - 1) > now + MAX_AHEAD:
        raise LimitExceeded("bookings may be made at most a year ahead", reason="limit")
    if weeks > 1 and not user.roles & {"instructor", "admin"}:
        raise Forbidden("only instructors and admins book weekly lab sessions")


def _plan(session: Session, user: Person, feature_name: str, starts: datetime, ends: datetime,
          n: int, weeks: int, now: datetime, course: str | None,
          exclude: tuple[int, ...] = ()) -> tuple[Feature, Pool | None,
                                                  list[tuple[datetime, datetime]], list[str]]:
    _validate(user, starts, ends, n, weeks, now)
    feature = get_feature(session, feature_name)
    occurrences = _occurrences(starts, ends, weeks)
    last_day = policy.centre_day(occurrences[-1][1])
    pools = [p for p in usable_pools(session, feature, policy.centre_day(now))
             if p.expiry is None or p.expiry >= last_day]
    if not pools:
        raise NotFound(f"{feature_name} has no pool valid through {last_day}",
                       feature=feature_name)
    big = max(p.seats for p in pools)
    if n > big:
        raise LimitExceeded(f"{feature_name} has only {big} seats", reason="capacity")
    if not user.roles & {"instructor", "admin"}:
        most = max(p.max_seats_per_lease for p in pools)
        if n > most:
            raise LimitExceeded(f"at most {most} seats per booking of {feature_name} "
                                f"(lab sessions are booked by instructors)", reason="limit")
    best: tuple[Pool | None, list[str]] = (None, ["no pool"])
    # Lock the pool rows: bookings of one pool are made one at a time (PostgreSQL).
    seats.lock_pools(session, [p.id for p in pools])
    for pool in pools:
        conflicts = []
        for s, e in occurrences:
            booked = policy.peak_booked(session, pool.id, s, e,
                                        statuses=("pending", "approved", "active"),
                                        exclude=exclude)
            if booked + n > pool.seats:
                conflicts.append(f"{s.astimezone(CENTRE_ZONE):%Y-%m-%d %H:%M}: only "
                                 f"{max(0, pool.seats - booked)} of {pool.seats} seats free")
        if not conflicts:
            return feature, pool, occurrences, []
        if best[0] is None:
            best = (pool, conflicts)
    return feature, None, occurrences, best[1]


def preview(session: Session, user: Person, feature_name: str, starts: datetime, ends: datetime,
            n: int, now: datetime, *, weeks: int = 1, course: str | None = None) -> BookingPreview:
    feature, pool, occurrences, conflicts = _plan(session, user, feature_name, starts, ends, n,
                                                  weeks, now, course)
    charges = [(s, n * (e - s).total_seconds() / 3600) for s, e in occurrences]
    problem = None
    try:
        policy.check_window_eligible(user, occurrences[0][0], occurrences[-1][1])
        policy.check_quota(session, user.organisation, course, feature.id, n, 0.0, now,
                           concurrent=False, charge_at=charges)
    except (QuotaExceeded, NotEligible) as exc:
        problem = exc.message
    return BookingPreview(feature.name, pool.id if pool else None, tuple(occurrences), n,
                          sum(c for _w, c in charges),
                          bool(pool and pool.approval_required
                               and "admin" not in user.roles),
                          tuple(conflicts), problem,
                          tuple(policy.quota_uses(session, user.organisation, course,
                                                  feature.id, now)))


def book(session: Session, user: Person, feature_name: str, starts: datetime, ends: datetime,
         n: int, now: datetime, *, weeks: int = 1, course: str | None = None,
         note: str = "") -> list[ReservationInfo]:
    """Book ``n`` seats for the window (every week for ``weeks`` weeks); all or nothing."""
    if len(note) > 300 or (course is not None and len(course) > 64):
        raise InvalidInput("note or course too long")
    policy.check_eligible(session, user, now)
    feature, pool, occurrences, conflicts = _plan(session, user, feature_name, starts, ends, n,
                                                  weeks, now, course)
    if pool is None:
        raise Conflict(f"{feature_name} is fully booked: " + "; ".join(conflicts[:3]),
                       reason="capacity", conflicts=conflicts)
    policy.check_window_eligible(user, occurrences[0][0], occurrences[-1][1])
    charges = [(s, n * (e - s).total_seconds() / 3600) for s, e in occurrences]
    policy.check_quota(session, user.organisation, course, feature.id, n, 0.0, now,
                       concurrent=False, charge_at=charges)
    status = "pending" if pool.approval_required and "admin" not in user.roles else "approved"
    series = uuid.uuid4().hex if weeks > 1 else None
    rows = []
    for s, e in occurrences:
        row = Reservation(feature_id=feature.id, pool_id=pool.id, user_id=user.id,
                          org_id=user.org_id, course=course, series=series, seats=n,
                          starts_at=s, ends_at=e, status=status, note=note, created_at=now)
        session.add(row)
        rows.append(row)
    session.flush()
    return [reservation_info(session, r) for r in rows]


def get_reservation(session: Session, reservation_id: int) -> Reservation:
    pool_id = session.scalar(select(Reservation.pool_id).where(
        Reservation.id == reservation_id))
    if pool_id is not None:
        seats.lock_pools(session, [pool_id])
    row = session.scalar(seats.for_update(select(Reservation).where(
        Reservation.id == reservation_id)))
    if row is None:
        raise NotFound(f"no reservation {reservation_id}", reservation=reservation_id)
    return row


def cancel(session: Session, user: Person, reservation_id: int, now: datetime, notify: Notify, *,
           whole_series: bool = False, as_admin: bool = False) -> list[ReservationInfo]:
    first = get_reservation(session, reservation_id)
    if first.user_id != user.id and not as_admin:
        raise Forbidden(f"reservation {reservation_id} is not yours")
    rows = [first]
    if whole_series and first.series:
        rows = list(session.scalars(seats.for_update(select(Reservation).where(
            Reservation.series == first.series, Reservation.ends_at > now,
            Reservation.status.in_(("pending", "approved", "active"))))))
    if first.status not in ("pending", "approved", "active"):
        raise Conflict(f"reservation {reservation_id} is already {first.status}")
    for row in rows:
        _close(session, row, now, "cancelled", notify)
    return [reservation_info(session, r) for r in rows]


def decide(session: Session, reservation_id: int, approve: bool, now: datetime,
           notify: Notify) -> list[ReservationInfo]:
    """Approve or reject a pending booking (and the rest of its series)."""
    first = get_reservation(session, reservation_id)
    if first.status != "pending":
        raise Conflict(f"reservation {reservation_id} is {first.status}, not pending")
    rows = [first]
    if first.series:
        rows = list(session.scalars(seats.for_update(select(Reservation).where(
            Reservation.series == first.series, Reservation.status == "pending"))))
    feature = session.get(Feature, first.feature_id)
    for row in rows:
        row.status = "approved" if approve else "rejected"
    notify(first.user_id, "reservation.approved" if approve else "reservation.rejected",
           {"reservation": first.id, "feature": feature.name if feature else "?",
            "sessions": len(rows)})
    return [reservation_info(session, r) for r in rows]


def _close(session: Session, row: Reservation, now: datetime, status: str,
           notify: Notify) -> None:
    hold = session.scalar(seats.for_update(select(Hold).where(
        Hold.reservation_id == row.id, Hold.released_at.is_(None))))
    if hold is not None:
        queue.release_hold(session, hold, now, status)
        queue.grant_heads(session, row.feature_id, now, notify)
    row.status = status


def listing(session: Session, *, user_id: int | None, feature: str | None = None,
            since: datetime | None = None, include_done: bool = False,
            limit: int = 500) -> list[ReservationInfo]:
    query = select(Reservation).order_by(Reservation.starts_at, Reservation.id).limit(limit)
    if user_id is not None:
        query = query.where(Reservation.user_id == user_id)
    if feature is not None:
        query = query.where(Reservation.feature_id == get_feature(session, feature).id)
    if since is not None:
        query = query.where(Reservation.ends_at > since)
    if not include_done:
        query = query.where(Reservation.status.in_(("pending", "approved", "active")))
    return [reservation_info(session, r) for r in session.scalars(query)]


# -- the worker's part -------------------------------------------------------------------------

def start_due(session: Session, now: datetime, notify: Notify) -> list[ReservationInfo]:
    """Hold seats for bookings whose window has begun; close those that were missed."""
    seats.lock_all(session)
    started = []
    due = session.scalars(seats.for_update(select(Reservation).where(
        Reservation.status == "approved", Reservation.starts_at <= now)
        .order_by(Reservation.starts_at, Reservation.id))).all()
    for row in due:
        if row.ends_at <= now:
            row.status = "done"
            continue
        pool = session.get(Pool, row.pool_id)
        assert pool is not None
        got = _take_up_to(session, row.pool_id, row.seats)
        hold = Hold(pool_id=row.pool_id, user_id=row.user_id, kind="reservation", seats=got,
                    reserved_seats=row.seats, claimed=0, reservation_id=row.id,
                    created_at=now, expires_at=row.ends_at,
                    no_show_at=row.starts_at + timedelta(minutes=pool.no_show_minutes))
        session.add(hold)
        row.status = "active"
        feature = session.get(Feature, row.feature_id)
        notify(row.user_id, "reservation.started", {
            "reservation": row.id, "feature": feature.name if feature else "?",
            "seats": row.seats, "held": got, "ends_at": row.ends_at.isoformat()})
        started.append(row)
    session.flush()
    return [reservation_info(session, r) for r in started]


def _take_up_to(session: Session, pool_id: int, wanted: int) -> int:
    """Take as many of ``wanted`` seats as are free (one conditional UPDATE per try)."""
    free = max(0, min(wanted, _free(session, pool_id)))
    while free > 0:
        if seats.take(session, pool_id, free) is not None:
            return free
        free = min(free - 1, _free(session, pool_id))
    return 0


def _free(session: Session, pool_id: int) -> int:
    row = session.execute(select(Pool.seats, Pool.in_use).where(Pool.id == pool_id)).first()
    return 0 if row is None else int(row[0] - row[1])


def top_up(session: Session, now: datetime) -> int:
    """Active bookings that could not hold all their seats at the start take freed seats
    (until their no-show deadline). Returns seats taken."""
    seats.lock_all(session)
    taken = 0
    holds = session.scalars(seats.for_update(select(Hold).where(
        Hold.kind == "reservation", Hold.released_at.is_(None), Hold.no_show_at.is_not(None),
        Hold.expires_at > now))).all()
    for hold in holds:
        owed = hold.reserved_seats - hold.seats - hold.claimed
        if owed > 0:
            got = _take_up_to(session, hold.pool_id, owed)
            hold.seats += got
            taken += got
    return taken


def release_no_shows(session: Session, now: datetime, notify: Notify) -> int:
    """At the no-show deadline, seats nobody claimed go back to the pool (and the queue)."""
    seats.lock_all(session)
    released = 0
    holds = session.scalars(seats.for_update(select(Hold).where(
        Hold.kind == "reservation", Hold.released_at.is_(None), Hold.no_show_at <= now))).all()
    features: set[int] = set()
    for hold in holds:
        hold.no_show_at = None
        row = session.get(Reservation, hold.reservation_id)
        if hold.seats:
            seats.give_back(session, hold.pool_id, hold.seats)
            released += hold.seats
            if row is not None:
                features.add(row.feature_id)
                notify(row.user_id, "reservation.no_show", {
                    "reservation": row.id, "released": hold.seats})
            hold.seats = 0
        if hold.claimed == 0 and row is not None:
            row.status = "no_show"
            hold.released_at, hold.release_reason = now, "no_show"
    for fid in sorted(features):
        queue.grant_heads(session, fid, now, notify)
    return released


def end_due(session: Session, now: datetime, notify: Notify) -> list[ReservationInfo]:
    """Release the holds of bookings whose window is over."""
    seats.lock_all(session)
    ended = []
    holds = session.scalars(seats.for_update(select(Hold).where(
        Hold.kind == "reservation", Hold.released_at.is_(None), Hold.expires_at <= now))).all()
    features: set[int] = set()
    for hold in holds:
        queue.release_hold(session, hold, now, "ended")
        row = session.get(Reservation, hold.reservation_id)
        if row is not None and row.status == "active":
            row.status = "done"
            features.add(row.feature_id)
            notify(row.user_id, "reservation.ended", {"reservation": row.id})
            ended.append(row)
    # Bookings that ended as no-shows are done too.
    for row in session.scalars(seats.for_update(select(Reservation).where(
            Reservation.status == "active", Reservation.ends_at <= now))):
        row.status = "done"
    for fid in sorted(features):
        queue.grant_heads(session, fid, now, notify)
    return [reservation_info(session, r) for r in ended]
