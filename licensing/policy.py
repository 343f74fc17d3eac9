"""Who may take seats, and how many: eligibility, suspensions, quotas and seats kept for others.

Quotas apply to an organisation (``scope='org'``), to every organisation of a kind
(``scope='org_kind'``, e.g. the centre's rules for startups — each startup gets the limit) or to
a course (``scope='course'``, leases and bookings tagged with that course). A quota may name one
feature or all. Limits: concurrent seats, seat-hours per period (calendar month in the centre's
zone, a term given by dates, or in total) and a reserved share (seats of the feature's pools kept
for the subject; others cannot use them while the subject does not).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.errors import InvalidInput, NotEligible, QuotaExceeded
from core.models.accounts import Organisation
from core.timeutil import CENTRE_ZONE
from licensing.models import Hold, Lease, Pool, Quota, Reservation, Suspension
from licensing.people import Person

SCOPES = ("org", "org_kind", "course")
PERIODS = ("month", "term", "none")
BOOKED = ("pending", "approved", "active")


def centre_day(now: datetime) -> date:
    return now.astimezone(CENTRE_ZONE).date()


def check_eligible(session: Session, user: Person, now: datetime) -> None:
    """Raise :class:`NotEligible` unless ``user`` may use the pools now."""
    if user.disabled:
        raise NotEligible(f"the account {user.login!r} is disabled", reason="disabled")
    row = session.get(Suspension, user.id)
    if row is not None:
        why = f" ({row.reason})" if row.reason else ""
        raise NotEligible(f"{user.login} is suspended from the licence pools{why}",
                          reason="suspended")
    org: Organisation = user.organisation
    day = centre_day(now)
    if org.suspended:
        raise NotEligible(f"organisation {org.code} is suspended", reason="org_suspended")
    if not org.eligible_on(day):
        if org.eligible_from is not None and day < org.eligible_from:
            raise NotEligible(f"organisation {org.code} is eligible from {org.eligible_from}",
                              reason="not_yet", eligible_from=org.eligible_from.isoformat())
        until = org.eligible_until.isoformat() if org.eligible_until else ""
        raise NotEligible(f"organisation {org.code}'s eligibility ended on {until}",
                          reason="ended", eligible_until=until)


def check_window_eligible(user: Person, starts: datetime, ends: datetime) -> None:
    """A booking must lie inside the organisation's eligibility window."""
    org = user.organisation
    first, last = centre_day(starts), centre_day(ends - timedelta(seconds=1))
    if org.eligible_from is not None and first < org.eligible_from:
        raise NotEligible(f"organisation {org.code} is eligible only from {org.eligible_from}",
                          reason="not_yet")
    if org.eligible_until is not None and last > org.eligible_until:
        raise NotEligible(f"organisation {org.code}'s eligibility ends on {org.eligible_until}",
                          reason="ended")


# -- quotas ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuotaInfo:
    id: int
    scope: str
    subject: str
    feature: str | None
    max_concurrent: int | None
    seat_hours: float | None
    period: str
    term_start: date | None
    term_end: date | None
    reserved_share: int


@dataclass(frozen=True)
class QuotaUse:
    """One quota as it applies to one organisation or course now."""

    quota: QuotaInfo
    applies_to: str  # the org code or course the numbers are for
    concurrent: int
    seat_hours_used: float
    period_start: datetime | None
    period_end: datetime | None

    @property
    def seat_hours_left(self) -> float | None:
        if self.quota.seat_hours is None:
            return None
        return max(0.0, self.quota.seat_hours - self.seat_hours_used)


def quota_info(session: Session, q: Quota) -> QuotaInfo:
    from licensing.models import Feature

    fname = session.get(Feature, q.feature_id).name if q.feature_id else None  # type: ignore[union-attr]
    return QuotaInfo(q.id, q.scope, q.subject, fname, q.max_concurrent, q.seat_hours, q.period,
                     q.term_start, q.term_end, q.reserved_share)


def applicable(session: Session, org: Organisation, course: str | None,
               feature_id: int | None) -> list[Quota]:
    subjects = [(Quota.scope == "org") & (Quota.subject == org.code),
                (Quota.scope == "org_kind") & (Quota.subject == org.kind)]
    if course:
        subjects.append((Quota.scope == "course") & (Quota.subject == course))
    query = select(Quota).where(or_(*subjects))
    if feature_id is not None:
        query = query.where(or_(Quota.feature_id.is_(None), Quota.feature_id == feature_id))
    return list(session.scalars(query.order_by(Quota.id)))


def period_bounds(q: Quota, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The accounting period that contains ``now`` (UTC bounds), or (None, None) for 'none'."""
    if q.period == "month":
        local = now.astimezone(CENTRE_ZONE)
        start = datetime.combine(local.date().replace(day=1), time(), CENTRE_ZONE)
        nxt = (start + timedelta(days=32)).replace(day=1)
        return start, nxt
    if q.period == "term" and q.term_start and q.term_end:
        return (datetime.combine(q.term_start, time(), CENTRE_ZONE),
                datetime.combine(q.term_end + timedelta(days=1), time(), CENTRE_ZONE))
    return None, None


def _lease_filter(q: Quota, org: Organisation, course: str | None) -> list[object]:
    conds: list[object] = []
    if q.scope == "course":
        conds.append(Lease.course == course)
    else:
        conds.append(Lease.org_id == org.id)
    if q.feature_id is not None:
        conds.append(Lease.pool_id.in_(select(Pool.id).where(Pool.feature_id == q.feature_id)))
    return conds


def concurrent_seats(session: Session, q: Quota, org: Organisation, course: str | None) -> int:
    total = session.scalar(select(func.coalesce(func.sum(Lease.seats), 0)).where(
        Lease.ended_at.is_(None), *_lease_filter(q, org, course)))  # type: ignore[arg-type]
    return int(total or 0)


def _overlap_hours(a0: datetime, a1: datetime, b0: datetime | None,
                   b1: datetime | None) -> float:
    lo = max(a0, b0) if b0 else a0
    hi = min(a1, b1) if b1 else a1
    return max(0.0, (hi - lo).total_seconds() / 3600.0)


def seat_hours_used(session: Session, q: Quota, org: Organisation, course: str | None,
                    now: datetime) -> float:
    """Seat-hours charged in the period: ended leases as used, running leases to the end they
    asked for, bookings (not yet claimed) for their whole window."""
    p0, p1 = period_bounds(q, now)
    used = 0.0
    lq = select(Lease.seats, Lease.started_at, Lease.ended_at, Lease.ends_by).where(
        Lease.hold_id.is_(None), *_lease_filter(q, org, course))  # type: ignore[arg-type]
    if p0 is not None:
        lq = lq.where(Lease.started_at < p1, or_(Lease.ended_at.is_(None), Lease.ended_at > p0))
    for seats, started, ended, ends_by in session.execute(lq):
        used += seats * _overlap_hours(started, ended or ends_by, p0, p1)
    rq = select(Reservation.seats, Reservation.starts_at, Reservation.ends_at).where(
        Reservation.status.in_((*BOOKED, "done")))
    rq = rq.where(Reservation.course == course) if q.scope == "course" else rq.where(
        Reservation.org_id == org.id)
    if q.feature_id is not None:
        rq = rq.where(Reservation.feature_id == q.feature_id)
    if p0 is not None:
        rq = rq.where(Reservation.starts_at < p1, Reservation.ends_at > p0)
    for seats, s0, s1 in session.execute(rq):
        used += seats * _overlap_hours(s0, s1, p0, p1)
    return used


def quota_uses(session: Session, org: Organisation, course: str | None, feature_id: int | None,
               now: datetime) -> list[QuotaUse]:
    out = []
    for q in applicable(session, org, course, feature_id):
        p0, p1 = period_bounds(q, now)
        out.append(QuotaUse(quota_info(session, q),
                            course if q.scope == "course" and course else org.code,
                            concurrent_seats(session, q, org, course),
                            seat_hours_used(session, q, org, course, now)
                            if q.seat_hours is not None else 0.0, p0, p1))
    return out


def check_quota(session: Session, org: Organisation, course: str | None, feature_id: int,
                seats: int, hours: float, now: datetime, *, concurrent: bool = True,
                charge_at: Iterable[tuple[datetime, float]] = ()) -> None:
    """Raise :class:`QuotaExceeded` if ``seats`` more for ``hours`` break a quota.

    ``charge_at`` lists (when, seat-hours) for bookings, each charged to the period containing
    its start; without it the charge is ``seats * hours`` now.
    """
    charges = list(charge_at) or [(now, seats * hours)]
    for q in applicable(session, org, course, feature_id):
        who = course if q.scope == "course" else org.code
        if concurrent and q.max_concurrent is not None:
            current = concurrent_seats(session, q, org, course)
            if current + seats > q.max_concurrent:
                raise QuotaExceeded(
                    f"{who} may use {q.max_concurrent} seats at once and uses {current}",
                    limit="concurrent", max=q.max_concurrent, current=current)
        if q.seat_hours is not None:
            groups: dict[datetime | None, tuple[datetime, float]] = {}
            for when, amount in charges:
                key = period_bounds(q, when)[0]
                first, total = groups.get(key, (when, 0.0))
                groups[key] = (first, total + amount)
            for when, asked in groups.values():
                used = seat_hours_used(session, q, org, course, when)
                if used + asked > q.seat_hours + 1e-9:
                    left = max(0.0, q.seat_hours - used)
                    span = {"month": "this month", "term": "this term"}.get(q.period, "in total")
                    raise QuotaExceeded(
                        f"{who} has {left:.1f} of {q.seat_hours:g} seat-hours left {span}; "
                        f"this needs {asked:.1f}", limit="seat_hours", left=round(left, 2),
                        asked=round(asked, 2))


def validate_quota(scope: str, period: str, max_concurrent: int | None,
                   seat_hours: float | None, reserved_share: int, term_start: date | None,
                   term_end: date | None) -> None:
    if scope not in SCOPES:
        raise InvalidInput(f"quota scope must be one of {', '.join(SCOPES)}")
    if period not in PERIODS:
        raise InvalidInput(f"quota period must be one of {', '.join(PERIODS)}")
    if max_concurrent is not None and max_concurrent < 0:
        raise InvalidInput("a concurrent maximum cannot be negative")
    if seat_hours is not None and seat_hours < 0:
        raise InvalidInput("seat-hours cannot be negative")
    if reserved_share < 0:
        raise InvalidInput("a reserved share cannot be negative")
    if period == "term" and (term_start is None or term_end is None or term_end < term_start):
        raise InvalidInput("a term quota needs term_start <= term_end")


# -- seats others may not take -----------------------------------------------------------------

def peak_booked(session: Session, pool_id: int, start: datetime, end: datetime, *,
                statuses: tuple[str, ...] = ("approved",),
                exclude: Iterable[int] = ()) -> int:
    """The most seats booked at once in [start, end) by reservations in ``statuses``."""
    rows = session.execute(select(Reservation.starts_at, Reservation.ends_at, Reservation.seats)
                           .where(Reservation.pool_id == pool_id,
                                  Reservation.status.in_(statuses),
                                  Reservation.starts_at < end, Reservation.ends_at > start,
                                  Reservation.id.not_in(list(exclude)))).all()
    points: list[tuple[datetime, int]] = []
    for s0, s1, n in rows:
        points.append((max(s0, start), n))
        points.append((s1, -n))
    points.sort(key=lambda p: (p[0], p[1]))
    level = peak = 0
    for _, delta in points:
        level += delta
        peak = max(peak, level)
    return peak


def shares_kept_for_others(session: Session, pool: Pool, org: Organisation,
                           course: str | None) -> int:
    """Seats of ``pool`` kept by reserved shares of other subjects and not in use by them."""
    quotas = session.scalars(select(Quota).where(
        Quota.reserved_share > 0,
        or_(Quota.feature_id.is_(None), Quota.feature_id == pool.feature_id))).all()
    kept = 0
    for q in quotas:
        mine = ((q.scope == "org" and q.subject == org.code)
                or (q.scope == "org_kind" and q.subject == org.kind)
                or (q.scope == "course" and course is not None and q.subject == course))
        if mine:
            continue
        used_q = select(func.coalesce(func.sum(Lease.seats), 0)).where(
            Lease.ended_at.is_(None), Lease.pool_id == pool.id)
        if q.scope == "course":
            used_q = used_q.where(Lease.course == q.subject)
        elif q.scope == "org":
            used_q = used_q.where(Lease.org_id.in_(
                select(Organisation.id).where(Organisation.code == q.subject)))
        else:
            used_q = used_q.where(Lease.org_id.in_(
                select(Organisation.id).where(Organisation.kind == q.subject)))
        kept += max(0, q.reserved_share - int(session.scalar(used_q) or 0))
    return kept


def held_for(session: Session, pool_id: int) -> tuple[int, int]:
    """(seats held for reservations, seats held for queue grants) in ``pool_id``."""
    rows = dict(session.execute(select(Hold.kind, func.sum(Hold.seats)).where(
        Hold.pool_id == pool_id, Hold.released_at.is_(None)).group_by(Hold.kind)).all())
    return int(rows.get("reservation") or 0), int(rows.get("queue") or 0)


def owed_to_bookings(session: Session, pool_id: int) -> int:
    """Seats running bookings still wait for (they started on a busy pool and top up as
    seats free, until their no-show deadline)."""
    rows = session.execute(select(Hold.reserved_seats, Hold.seats, Hold.claimed).where(
        Hold.pool_id == pool_id, Hold.kind == "reservation", Hold.released_at.is_(None),
        Hold.no_show_at.is_not(None))).all()
    return sum(max(0, r - s - c) for r, s, c in rows)
