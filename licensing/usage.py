"""Usage reports: seat-hours, peak concurrency, utilisation, denials, queue waits and
booked-but-idle hours, per feature, organisation, user and course, over a time range.

The heavy sums run in the database (one grouped pass over the leases, one windowed pass for
the peaks), so a report over a million leases stays within a couple of seconds on SQLite and
PostgreSQL. Lease time is clipped to the range; a lease still running counts up to ``now``.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Float, and_, cast, func, literal, select, union_all
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from core.models.accounts import Organisation, User
from licensing.models import Denial, Feature, Hold, Lease, Pool, QueueEntry

DENIAL_KINDS = ("full", "reserved", "queued", "quota", "ineligible", "limit")


@dataclass(frozen=True)
class GroupUsage:
    """One organisation, user or course."""

    key: str
    seat_hours: float
    leases: int
    denials: int
    denials_by_reason: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class FeatureReport:
    feature: str
    seats: int
    seat_hours: float
    leases: int
    peak: int  # most seats leased at once in the range
    utilisation: float  # seat-hours / (seats x hours in range)
    denials: int
    denials_by_reason: dict[str, int]
    queue_waits: int
    queue_wait_p50_minutes: float | None
    queue_wait_p95_minutes: float | None
    reserved_idle_hours: float


@dataclass(frozen=True)
class UsageReport:
    start: datetime
    end: datetime
    features: tuple[FeatureReport, ...]
    organisations: tuple[GroupUsage, ...]
    users: tuple[GroupUsage, ...]
    courses: tuple[GroupUsage, ...]


def _hours(session: Session, later: ColumnElement[Any], earlier: ColumnElement[Any]
           ) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 24.0
    return func.extract("epoch", later - earlier) / 3600.0


def _least(session: Session, a: Any, b: Any) -> ColumnElement[Any]:
    return func.min(a, b) if session.get_bind().dialect.name == "sqlite" else func.least(a, b)


def _greatest(session: Session, a: Any, b: Any) -> ColumnElement[Any]:
    return func.max(a, b) if session.get_bind().dialect.name == "sqlite" else func.greatest(a, b)


def _bind_time(session: Session, value: datetime) -> Any:
    """A datetime literal comparable with stored values on either backend."""
    if session.get_bind().dialect.name == "sqlite":
        return literal(value.replace(tzinfo=None).isoformat(sep=" "))
    return literal(value)


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def usage_report(session: Session, start: datetime, end: datetime, now: datetime) -> UsageReport:
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("give the report's range with a time zone")
    if end <= start:
        raise InvalidInput("the report's range ends before it starts")
    t0, t1 = _bind_time(session, start), _bind_time(session, end)

    features = {fid: name for fid, name in session.execute(select(Feature.id, Feature.name))}
    pool_feature = {pid: fid for pid, fid in session.execute(select(Pool.id, Pool.feature_id))}
    seats_of: dict[int, int] = defaultdict(int)
    for fid, seats in session.execute(select(Pool.feature_id, Pool.seats)):
        seats_of[fid] += seats
    logins = dict(session.execute(select(User.id, User.login)).all())
    orgs = dict(session.execute(select(Organisation.id, Organisation.code)).all())

    # One pass over the leases: fetched as numbers, summed and swept with numpy.
    sqlite = session.get_bind().dialect.name == "sqlite"
    arrays = (_lease_arrays(session, start, end, min(now, end)) if sqlite
              else _lease_sums(session, t0, t1, _bind_time(session, min(now, end))))
    by_feature: dict[int, list[float]] = defaultdict(lambda: [0.0, 0])
    by_org: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    by_user: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    by_course: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    peaks: dict[int, int] = defaultdict(int)
    if arrays is not None:
        pool, org, user, courses, seat_hours, peak_by_pool, rows_n = arrays
        for ids, table, names in ((pool, by_feature, pool_feature), (org, by_org, orgs),
                                  (user, by_user, logins)):
            sums = np.bincount(ids, weights=seat_hours)
            counts = np.bincount(ids, weights=rows_n)
            for i in np.flatnonzero(counts):
                key = names.get(int(i))
                if key is not None:
                    table[key][0] += float(sums[i])  # type: ignore[index]
                    table[key][1] += int(counts[i])  # type: ignore[index]
        for course_key, (course_sh, course_n) in courses.items():
            by_course[course_key] = [course_sh, course_n]
        for pool_id, peak in peak_by_pool.items():
            peak_fid = pool_feature.get(pool_id)
            if peak_fid is not None:
                peaks[peak_fid] += peak  # pools of one feature: an upper bound when several

    denials_f: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    denials_o: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    denials_u: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    denials_c: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    fid_by_name = {name: fid for fid, name in features.items()}
    for fname, org_id, user_id, course, reason, count in session.execute(
            select(Denial.feature, Denial.org_id, Denial.user_id, Denial.course, Denial.reason,
                   func.count()).where(Denial.at >= t0, Denial.at < t1)
            .group_by(Denial.feature, Denial.org_id, Denial.user_id, Denial.course,
                      Denial.reason)):
        denied_fid = fid_by_name.get(fname)
        if denied_fid is not None:
            denials_f[denied_fid][reason] += count
        if org_id in orgs:
            denials_o[orgs[org_id]][reason] += count
        if user_id in logins:
            denials_u[logins[user_id]][reason] += count
        if course:
            denials_c[course][reason] += count

    waits: dict[int, list[float]] = defaultdict(list)
    for fid, joined, granted in session.execute(
            select(QueueEntry.feature_id, QueueEntry.joined_at, QueueEntry.granted_at)
            .where(QueueEntry.granted_at.is_not(None), QueueEntry.granted_at >= t0,
                   QueueEntry.granted_at < t1)):
        if granted is not None:
            waits[fid].append((granted - joined).total_seconds() / 60.0)

    idle = _reserved_idle(session, start, end, now, pool_feature)

    range_hours = (end - start).total_seconds() / 3600.0
    feature_rows = []
    for fid, name in sorted(features.items(), key=lambda kv: kv[1]):
        sh, n_leases = by_feature.get(fid, [0.0, 0])
        seats = seats_of.get(fid, 0)
        reasons = dict(denials_f.get(fid, {}))
        feature_rows.append(FeatureReport(
            name, seats, round(sh, 3), int(n_leases), peaks.get(fid, 0),
            round(sh / (seats * range_hours), 4) if seats else 0.0, sum(reasons.values()),
            reasons, len(waits.get(fid, [])), _round(_percentile(waits.get(fid, []), 0.5)),
            _round(_percentile(waits.get(fid, []), 0.95)), round(idle.get(fid, 0.0), 3)))

    def groups(table: dict[str, list[float]], denials: dict[str, dict[str, int]]
               ) -> tuple[GroupUsage, ...]:
        keys = sorted(set(table) | set(denials))
        return tuple(GroupUsage(k, round(table.get(k, [0.0, 0])[0], 3),
                                int(table.get(k, [0.0, 0])[1]),
                                sum(denials.get(k, {}).values()), dict(denials.get(k, {})))
                     for k in keys)

    return UsageReport(start, end, tuple(feature_rows), groups(by_org, denials_o),
                       groups(by_user, denials_u), groups(by_course, denials_c))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


#: (pool ids, org ids, user ids, {course: (seat-hours, leases)}, seat-hours, {pool: peak},
#: leases per row)
LeaseArrays = tuple[Any, Any, Any, dict[str, tuple[float, int]], Any, dict[int, int], Any]


def _lease_sums(session: Session, t0: Any, t1: Any, tnow: Any) -> LeaseArrays | None:
    """The same as :func:`_lease_arrays`, summed and swept by the database (PostgreSQL is
    faster at this than moving a million rows into Python)."""
    stop = func.coalesce(Lease.ended_at, tnow)
    clipped = _hours(session, _least(session, stop, t1), _greatest(session, Lease.started_at, t0))
    rows = session.execute(
        select(Lease.pool_id, Lease.org_id, Lease.user_id, Lease.course,
               func.sum(cast(Lease.seats, Float) * clipped), func.count())
        .where(Lease.started_at < t1, stop > t0)
        .group_by(Lease.pool_id, Lease.org_id, Lease.user_id, Lease.course)).all()
    if not rows:
        return None
    pool = np.asarray([r[0] for r in rows], dtype=np.int64)
    org = np.asarray([r[1] for r in rows], dtype=np.int64)
    user = np.asarray([r[2] for r in rows], dtype=np.int64)
    seat_hours = np.asarray([max(0.0, float(r[4] or 0.0)) for r in rows], dtype=np.float64)
    counts = np.asarray([r[5] for r in rows], dtype=np.int64)
    courses: dict[str, tuple[float, int]] = {}
    for r, sh, n in zip(rows, seat_hours, counts, strict=True):
        if r[3] is not None:
            old_sh, old_n = courses.get(r[3], (0.0, 0))
            courses[r[3]] = (old_sh + float(sh), old_n + int(n))
    return pool, org, user, courses, seat_hours, _peaks(session, t0, t1, tnow), counts


def _lease_arrays(session: Session, start: datetime, end: datetime,
                  until: datetime) -> LeaseArrays | None:
    """Every lease overlapping [start, end), clipped to it (running leases end at ``until``):
    (pool ids, org ids, user ids, {course: (seat-hours, leases)}, seat-hours, {pool: peak})."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        fmt = "%Y-%m-%d %H:%M:%S.%f"
        params: dict[str, Any] = {k: v.astimezone(UTC).strftime(fmt) for k, v in
                                  (("t0", start), ("t1", end), ("now", until))}
        sql = ("SELECT pool_id, org_id, user_id, course, seats, "
               "(julianday(started_at) - 2440587.5) * 86400.0, "
               "(julianday(COALESCE(ended_at, :now)) - 2440587.5) * 86400.0 "
               "FROM leases WHERE started_at < :t1 AND COALESCE(ended_at, :now) > :t0")
    else:
        params = {"t0": start, "t1": end, "now": until}
        sql = ("SELECT pool_id, org_id, user_id, course, seats, "
               "EXTRACT(EPOCH FROM started_at)::float8, "
               "EXTRACT(EPOCH FROM COALESCE(ended_at, %(now)s))::float8 "
               "FROM leases WHERE started_at < %(t1)s AND COALESCE(ended_at, %(now)s) > %(t0)s")
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if not rows:
        return None
    cols = list(zip(*rows, strict=True))
    pool = np.asarray(cols[0], dtype=np.int64)
    org = np.asarray(cols[1], dtype=np.int64)
    user = np.asarray(cols[2], dtype=np.int64)
    seats = np.asarray(cols[4], dtype=np.float64)
    t0, t1 = start.timestamp(), end.timestamp()
    s = np.maximum(np.asarray(cols[5], dtype=np.float64), t0)
    e = np.minimum(np.asarray(cols[6], dtype=np.float64), t1)
    e = np.maximum(e, s)
    seat_hours = seats * (e - s) / 3600.0
    courses: dict[str, tuple[float, int]] = {}
    course_col = np.asarray(cols[3], dtype=object)
    mask = course_col != None  # noqa: E711  (element-wise)
    if mask.any():
        names, inverse = np.unique(course_col[mask].astype(str), return_inverse=True)
        sums = np.bincount(inverse, weights=seat_hours[mask])
        counts = np.bincount(inverse)
        courses = {str(n): (float(sums[i]), int(counts[i])) for i, n in enumerate(names)}
    return (pool, org, user, courses, seat_hours, _sweep_peaks(pool, seats, s, e),
            np.ones(len(pool), dtype=np.int64))


def _sweep_peaks(pool: Any, seats: Any, s: Any, e: Any) -> dict[int, int]:
    """Most seats leased at once per pool: sort the +seats/-seats events, running sum."""
    times = np.concatenate([s, e])
    deltas = np.concatenate([seats, -seats])
    pools = np.concatenate([pool, pool])
    order = np.lexsort((deltas, times, pools))
    p, d = pools[order], deltas[order]
    level = np.cumsum(d)
    starts = np.r_[0, np.flatnonzero(np.diff(p)) + 1]
    before = np.r_[0.0, level[starts[1:] - 1]]
    level = level - np.repeat(before, np.diff(np.r_[starts, len(p)]))
    peaks = np.maximum.reduceat(level, starts)
    return {int(p[i]): round(float(v)) for i, v in zip(starts, peaks, strict=True)}


def _peaks(session: Session, t0: Any, t1: Any, tnow: Any) -> dict[int, int]:
    """Most seats leased at once per pool within the range (a running sum in SQL)."""
    overlap = and_(Lease.started_at < t1, func.coalesce(Lease.ended_at, tnow) > t0)
    starts = select(Lease.pool_id.label("pool_id"),
                    _greatest(session, Lease.started_at, t0).label("t"),
                    Lease.seats.label("delta")).where(overlap)
    ends = select(Lease.pool_id.label("pool_id"),
                  _least(session, func.coalesce(Lease.ended_at, tnow), t1).label("t"),
                  (-Lease.seats).label("delta")).where(overlap)
    events = union_all(starts, ends).subquery()
    level = func.sum(events.c.delta).over(partition_by=events.c.pool_id,
                                          order_by=(events.c.t, events.c.delta))
    running = select(events.c.pool_id, level.label("level")).subquery()
    return {int(pool_id): int(peak or 0) for pool_id, peak in session.execute(
        select(running.c.pool_id, func.max(running.c.level)).group_by(running.c.pool_id))}


def _reserved_idle(session: Session, start: datetime, end: datetime, now: datetime,
                   pool_feature: dict[int, int]) -> dict[int, float]:
    """Seat-hours booked and held but not used by any lease claimed from the booking."""
    out: dict[int, float] = defaultdict(float)
    holds = session.execute(select(Hold.id, Hold.pool_id, Hold.reserved_seats, Hold.created_at,
                                   Hold.released_at, Hold.expires_at)
                            .where(Hold.kind == "reservation", Hold.created_at < end,
                                   func.coalesce(Hold.released_at, Hold.expires_at) > start)
                            ).all()
    if not holds:
        return out
    used: dict[int, float] = defaultdict(float)
    for hold_id, seats, s0, s1, ends_by in session.execute(
            select(Lease.hold_id, Lease.seats, Lease.started_at, Lease.ended_at, Lease.ends_by)
            .where(Lease.hold_id.in_([h[0] for h in holds]))):
        if hold_id is None:
            continue
        used[hold_id] += seats * max(0.0, ((s1 or min(now, ends_by)) - s0).total_seconds()
                                     / 3600.0)
    for hold_id, pool_id, seats, created, released, expires in holds:
        lo, hi = max(created, start), min(released or expires, end, now)
        booked = seats * max(0.0, (hi - lo).total_seconds() / 3600.0)
        fid = pool_feature.get(pool_id)
        if fid is not None:
            out[fid] += max(0.0, booked - used.get(hold_id, 0.0))
    return out


CSV_FIELDS = ("group", "key", "seats", "seat_hours", "leases", "peak", "utilisation",
              "denials", *(f"denied_{r}" for r in DENIAL_KINDS), "queue_waits",
              "queue_wait_p50_minutes", "queue_wait_p95_minutes", "reserved_idle_hours")


def to_csv(report: UsageReport) -> str:
    """One row per feature, organisation, user and course (``group`` says which)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for f in report.features:
        writer.writerow({"group": "feature", "key": f.feature, "seats": f.seats,
                         "seat_hours": f.seat_hours, "leases": f.leases, "peak": f.peak,
                         "utilisation": f.utilisation, "denials": f.denials,
                         **{f"denied_{r}": f.denials_by_reason.get(r, 0) for r in DENIAL_KINDS},
                         "queue_waits": f.queue_waits,
                         "queue_wait_p50_minutes": f.queue_wait_p50_minutes,
                         "queue_wait_p95_minutes": f.queue_wait_p95_minutes,
                         "reserved_idle_hours": f.reserved_idle_hours})
    for group, rows in (("organisation", report.organisations), ("user", report.users),
                        ("course", report.courses)):
        for g in rows:
            writer.writerow({"group": group, "key": g.key, "seat_hours": g.seat_hours,
                             "leases": g.leases, "denials": g.denials,
                             **{f"denied_{r}": g.denials_by_reason.get(r, 0)
                                for r in DENIAL_KINDS}})
    return buf.getvalue()
