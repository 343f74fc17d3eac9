"""Usage reports: seat-hours, peak concurrency, utilisation, denials, queue waits and
booked-but-idle hours, per feature, organisation, user and course, over a time range.

Lease time is clipped to the range; a lease still running counts up to ``now``. A lease counts
once if it overlaps the range; peaks are per pool, summed per feature.

:func:`usage_report` reads a rollup for the days that have closed (lease time, leases started
and peaks per day, denials per day), kept by :func:`roll_up` (the report folds the closed days
first through :func:`refresh_rollup`), and the raw rows for the rest of the range, so its cost
follows the days in the range, not the events. :func:`exact_usage_report` reads only raw rows:
it is the reference the rollup is tested against. Queue waits (exact percentiles, from an index
on the grant time) and booked-but-idle hours (few bookings) are read raw by both.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    and_,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from core.errors import ChipError, InvalidInput
from core.models.accounts import Organisation, User
from core.timeutil import CENTRE_ZONE
from licensing.models import (
    Denial,
    DenialDay,
    Feature,
    Hold,
    Lease,
    Pool,
    QueueEntry,
    UsageDay,
    UsagePeak,
    UsageRollup,
)

log = logging.getLogger(__name__)

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


def _check_range(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("give the report's range with a time zone")
    if end <= start:
        raise InvalidInput("the report's range ends before it starts")


#: (feature name, org id, user id, course, reason, count)
DenialRow = tuple[str, int | None, int | None, str | None, str, int]


def exact_usage_report(session: Session, start: datetime, end: datetime,
                       now: datetime) -> UsageReport:
    """The report computed from every lease and denial in the range (no rollup): the reference
    :func:`usage_report` must agree with."""
    _check_range(start, end)
    t0, t1 = _bind_time(session, start), _bind_time(session, end)
    sqlite = session.get_bind().dialect.name == "sqlite"
    arrays = (_lease_arrays(session, start, end, min(now, end)) if sqlite
              else _lease_sums(session, t0, t1, _bind_time(session, min(now, end))))
    denial_rows: list[DenialRow] = [tuple(r) for r in session.execute(  # type: ignore[misc]
        select(Denial.feature, Denial.org_id, Denial.user_id, Denial.course, Denial.reason,
               func.count()).where(Denial.at >= t0, Denial.at < t1)
        .group_by(Denial.feature, Denial.org_id, Denial.user_id, Denial.course,
                  Denial.reason))]
    return _assemble(session, start, end, now, arrays, denial_rows)


def _assemble(session: Session, start: datetime, end: datetime, now: datetime,
              arrays: LeaseArrays | None, denial_rows: list[DenialRow]) -> UsageReport:
    """The report from the leases' sums per (pool, organisation, user, course), the denials'
    counts, and the queue waits and idle bookings (read here)."""
    t0, t1 = _bind_time(session, start), _bind_time(session, end)
    features = {fid: name for fid, name in session.execute(select(Feature.id, Feature.name))}
    pool_feature = {pid: fid for pid, fid in session.execute(select(Pool.id, Pool.feature_id))}
    seats_of: dict[int, int] = defaultdict(int)
    for fid, seats in session.execute(select(Pool.feature_id, Pool.seats)):
        seats_of[fid] += seats
    logins = dict(session.execute(select(User.id, User.login)).all())
    orgs = dict(session.execute(select(Organisation.id, Organisation.code)).all())

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
    for fname, org_id, user_id, course, reason, count in denial_rows:
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


# -- the rollup ----------------------------------------------------------------------------------
#
# Days are the centre's days: ``day = (epoch microseconds + offset) // DAY_US`` with the offset
# recorded in the state row at the first fold. A fold reads every lease that may touch the days
# being closed (those ended since the last fold, or still running) and writes, per day: the
# seat-microseconds and the leases started per (pool, organisation, user, course), the peak per
# pool, and the denials per (feature, who, reason). A report sums the closed days inside its
# range and reads the raw rows for the rest: the partial days at its ends and the open tail.
# A lease overlapping a raw piece [lo, hi) either started within ``longest`` (the longest lease
# ever folded) before ``lo``, or has not ended before the watermark, or is still running: both
# are index range scans, so a raw piece costs what falls in it, not the whole history.

DAY_US = 86_400 * 10**6
#: a day is closed this long after it ends (transactions stamped with an earlier clock commit)
ROLLUP_LAG = timedelta(minutes=15)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CHUNK = 5000


@dataclass(frozen=True)
class RollupResult:
    """What one fold did: the days it closed (``None`` = nothing to do) and the rows read."""

    from_day: int | None
    until_day: int | None
    leases_read: int
    day_rows: int
    peak_rows: int
    denial_rows: int


def _us(value: datetime) -> int:
    """Microseconds since the epoch, exactly."""
    return (value - _EPOCH) // timedelta(microseconds=1)


def _at(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _us_sql(sqlite: bool, column: str) -> str:
    """SQL for a stored time as whole microseconds since the epoch (exact on both backends:
    SQLite stores ``YYYY-MM-DD HH:MM:SS.ffffff``)."""
    if sqlite:
        return (f"(CAST(strftime('%s', {column}) AS INTEGER) * 1000000 + "
                f"CAST(substr({column} || '.000000', 21, 6) AS INTEGER))")
    return f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS BIGINT)"


def _fetch(session: Session, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Rows straight from the driver (``:name`` parameters; datetimes as the backend keeps
    them). A million rows through the ORM would cost seconds."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        bound = {k: (v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
                     if isinstance(v, datetime) else v) for k, v in params.items()}
    else:
        sql = re.sub(r":([a-z_]+)", r"%(\1)s", sql)
        bound = params
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, bound)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _state(session: Session) -> UsageRollup | None:
    return session.scalar(select(UsageRollup).where(UsageRollup.id == 1))


def _locked_state(session: Session, now: datetime) -> UsageRollup:
    """The state row, locked for this transaction (made on first use)."""
    offset = now.astimezone(CENTRE_ZONE).utcoffset() or timedelta(0)
    dialect = session.get_bind().dialect.name
    values = {"id": 1, "folded_until": None, "offset_seconds": int(offset.total_seconds()),
              "longest_lease_us": 0}
    if dialect == "postgresql":
        session.execute(pg_insert(UsageRollup).values(**values).on_conflict_do_nothing())
    else:
        session.execute(sqlite_insert(UsageRollup).values(**values).on_conflict_do_nothing())
    state = session.scalar(select(UsageRollup).where(UsageRollup.id == 1).with_for_update()
                           .execution_options(populate_existing=True))
    assert state is not None
    return state


def _target_day(state_offset_s: int, now: datetime) -> int:
    return (_us(now - ROLLUP_LAG) + state_offset_s * 10**6) // DAY_US


def roll_up_due(session: Session, now: datetime) -> bool:
    """Whether a day has closed since the last fold."""
    state = _state(session)
    if state is None or state.folded_until is None:
        return True
    return _target_day(state.offset_seconds, now) > state.folded_until


def refresh_rollup(sessions: sessionmaker[Session], now: datetime) -> RollupResult | None:
    """Fold the days closed since the last fold, in a transaction of its own, if any closed
    (the usage report calls this first; the worker may call :func:`roll_up` on its tick)."""
    with transaction(sessions, write=False) as session:
        if not roll_up_due(session, now):
            return None
    try:
        with transaction(sessions) as session:
            return roll_up(session, now)
    except ChipError as exc:  # the report is right without it, only slower
        log.warning("could not fold the usage rollup: %s", exc)
        return None


def rebuild_rollup(session: Session, now: datetime) -> RollupResult:
    """Forget the rollup and fold everything again (after rows were written into closed days,
    e.g. a generated history)."""
    for model in (UsageDay, UsagePeak, DenialDay, UsageRollup):
        session.execute(delete(model))
    return roll_up(session, now)


def roll_up(session: Session, now: datetime) -> RollupResult:
    """Close every day that ended at least :data:`ROLLUP_LAG` before ``now``: write its lease
    time, started leases, peaks and denials to the rollup tables. Idempotent; concurrent folds
    wait for each other on the state row."""
    state = _locked_state(session, now)
    off = state.offset_seconds * 10**6
    target = _target_day(state.offset_seconds, now)
    lo_day = state.folded_until
    if lo_day is not None and lo_day >= target:
        return RollupResult(None, None, 0, 0, 0, 0)
    sqlite = session.get_bind().dialect.name == "sqlite"
    hi_us = target * DAY_US - off
    lo_us = None if lo_day is None else lo_day * DAY_US - off
    params: dict[str, Any] = {"hi": _at(hi_us)}
    wheres = ["started_at < :hi"]
    if lo_us is not None:  # two index range scans: ended since the last fold, or running
        params["lo"] = _at(lo_us)
        plus = "+" if sqlite else ""  # SQLite: stay on the ended_at index
        wheres = [f"ended_at >= :lo AND {plus}started_at < :hi",
                  "ended_at IS NULL AND started_at < :hi"]
    rows = [r for where in wheres for r in _fetch(
        session, f"SELECT pool_id, org_id, user_id, course, seats, "
                 f"{_us_sql(sqlite, 'started_at')}, COALESCE({_us_sql(sqlite, 'ended_at')}, -1) "
                 f"FROM leases WHERE {where}", params)]
    day_rows, peak_rows, longest = _fold_leases(rows, lo_us, hi_us, off)
    for k in range(0, len(day_rows), _CHUNK):
        session.execute(insert(UsageDay), day_rows[k:k + _CHUNK])
    for k in range(0, len(peak_rows), _CHUNK):
        session.execute(insert(UsagePeak), peak_rows[k:k + _CHUNK])
    denial_filter = [Denial.at < _at(hi_us)]
    if lo_us is not None:
        denial_filter.append(Denial.at >= _at(lo_us))
    day = _day_expr(sqlite, Denial.at, state.offset_seconds)
    denials = select(day, Denial.feature, Denial.user_id, Denial.org_id, Denial.course,
                     Denial.reason, func.count()).where(*denial_filter).group_by(
        day, Denial.feature, Denial.user_id, Denial.org_id, Denial.course, Denial.reason)
    written = session.execute(insert(DenialDay).from_select(
        ["day", "feature", "user_id", "org_id", "course", "reason", "count"], denials))
    state.folded_until = target
    state.longest_lease_us = max(state.longest_lease_us, longest)
    state.updated_at = now
    session.flush()
    return RollupResult(lo_day, target, len(rows), len(day_rows), len(peak_rows),
                        max(0, written.rowcount))  # type: ignore[attr-defined]


def _day_expr(sqlite: bool, column: Any, offset_s: int) -> ColumnElement[int]:
    if sqlite:
        return (cast(func.strftime("%s", column), Integer) + offset_s) // 86400
    return cast(func.floor((func.extract("epoch", column) + offset_s) / 86400), Integer)


def _fold_leases(rows: list[tuple[Any, ...]], lo_us: int | None, hi_us: int, off: int
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """Split leases into their days within [lo_us, hi_us): rows for the day table (seat-µs and
    leases started per day and pool, organisation, user, course), for the peak table, and the
    longest lease that ended in the range."""
    if not rows:
        return [], [], 0
    cols = list(zip(*rows, strict=True))
    pool = np.asarray(cols[0], dtype=np.int64)
    org = np.asarray(cols[1], dtype=np.int64)
    user = np.asarray(cols[2], dtype=np.int64)
    course_code: dict[str | None, int] = {}
    course = np.asarray([course_code.setdefault(c, len(course_code)) for c in cols[3]],
                        dtype=np.int64)
    course_names = list(course_code)
    seats = np.asarray(cols[4], dtype=np.int64)
    s = np.asarray(cols[5], dtype=np.int64)
    e = np.asarray(cols[6], dtype=np.int64)
    running = e < 0
    ended = ~running & (e < hi_us)
    if lo_us is not None:
        ended &= e >= lo_us
    longest = int((e - s)[ended].max()) if ended.any() else 0
    cs = s if lo_us is None else np.maximum(s, lo_us)
    ce = np.where(running, hi_us, np.minimum(e, hi_us))
    spans = ce > cs
    d0 = (cs + off) // DAY_US
    n = np.where(spans, (ce - 1 + off) // DAY_US - d0 + 1, 0)
    idx = np.repeat(np.arange(len(s)), n)
    day = d0[idx] + (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n))
    ps = np.maximum(cs[idx], day * DAY_US - off)
    pe = np.minimum(ce[idx], (day + 1) * DAY_US - off)
    fresh = (s < hi_us) if lo_us is None else (s >= lo_us) & (s < hi_us)
    start_day = (s[fresh] + off) // DAY_US
    dims, dim_of = np.unique(np.stack([pool, org, user, course.reshape(-1)], axis=1), axis=0,
                             return_inverse=True)
    dim_of = dim_of.reshape(-1)
    all_days = np.concatenate([day, start_day])
    if not len(all_days):
        return [], [], longest
    first = int(all_days.min())
    span_days = int(all_days.max()) - first + 1
    keys = np.concatenate([dim_of[idx] * span_days + (day - first),
                           dim_of[fresh] * span_days + (start_day - first)])
    uniq, at = np.unique(keys, return_inverse=True)
    seat_us = np.bincount(at, weights=np.concatenate([seats[idx] * (pe - ps),
                                                      np.zeros(len(start_day))]).astype(np.float64))
    started = np.bincount(at, weights=np.concatenate([np.zeros(len(idx)),
                                                      np.ones(len(start_day))]))
    day_rows = []
    for key, su, st in zip(uniq.tolist(), np.rint(seat_us).astype(np.int64).tolist(),
                           np.rint(started).astype(np.int64).tolist(), strict=True):
        p, o, u, c = dims[key // span_days].tolist()
        day_rows.append({"day": first + key % span_days, "pool_id": p, "org_id": o,
                         "user_id": u, "course": course_names[c], "seat_us": su,
                         "started": st})
    peak_rows = []
    if len(idx):
        pool_ids, pool_of = np.unique(pool[idx], return_inverse=True)
        group = pool_of.reshape(-1) * span_days + (day - first)
        for key, peak in _sweep_peaks(group, seats[idx], ps, pe).items():
            if peak > 0:
                peak_rows.append({"day": first + key % span_days,
                                  "pool_id": int(pool_ids[key // span_days]), "peak": peak})
    return day_rows, peak_rows, longest


def course_users(session: Session, courses: list[str]) -> dict[str, set[int]]:
    """The users who have leased seats for each course: the rollup's closed days, and the
    leases that have not ended before its watermark (index scans, not the whole history)."""
    out: dict[str, set[int]] = {c: set() for c in courses}
    if not courses:
        return out
    state = _state(session)
    recent = select(Lease.course, Lease.user_id).where(Lease.course.in_(courses)).distinct()
    if state is not None and state.folded_until is not None:
        mark = _at(state.folded_until * DAY_US - state.offset_seconds * 10**6)
        recent = recent.where((Lease.ended_at.is_(None)) | (Lease.ended_at >= mark))
        for course, user_id in session.execute(
                select(UsageDay.course, UsageDay.user_id)
                .where(UsageDay.course.in_(courses)).distinct()):
            if course is not None:
                out[course].add(user_id)
    for course, user_id in session.execute(recent):
        if course is not None:
            out[course].add(user_id)
    return out


# -- the report from the rollup ------------------------------------------------------------------

def usage_report(session: Session, start: datetime, end: datetime, now: datetime) -> UsageReport:
    """Seat-hours, leases, peaks, utilisation, denials, queue waits and booked-but-idle hours
    in [start, end) per feature, organisation, user and course. The closed days inside the
    range come from the rollup, the rest from the raw rows; the result equals
    :func:`exact_usage_report`'s."""
    _check_range(start, end)
    state = _state(session)
    if state is None or state.folded_until is None:
        return exact_usage_report(session, start, end, now)
    off = state.offset_seconds * 10**6
    s_us, e_us, now_us = _us(start), _us(end), _us(now)
    raw = _RawLeases(session, min(now_us, e_us), state.folded_until * DAY_US - off,
                     state.longest_lease_us)
    a_day = -(-(s_us + off) // DAY_US)
    b_day = min((e_us + off) // DAY_US, (now_us + off) // DAY_US, state.folded_until)
    tally = _Tally()
    denials: dict[tuple[Any, ...], int] = defaultdict(int)
    if a_day >= b_day:  # no closed day inside: all raw
        tally.add(raw.overlapping(s_us, e_us), s_us, e_us, count_from=None)
        _raw_denials(session, start, end, denials)
    else:
        a_us, b_us = a_day * DAY_US - off, b_day * DAY_US - off
        tally.add(raw.overlapping(s_us, a_us), s_us, a_us, count_from=None)
        tally.add(raw.overlapping(b_us, e_us), b_us, e_us, count_from=b_us)
        tally.add_days(session, a_day, b_day)
        if a_us == s_us:  # leases of no length at the very start do not overlap the range
            tally.drop_empty_at(raw.empty_at(s_us))
        _raw_denials(session, start, _at(a_us), denials)
        _raw_denials(session, _at(b_us), end, denials)
        for *key, count in session.execute(
                select(DenialDay.feature, DenialDay.org_id, DenialDay.user_id, DenialDay.course,
                       DenialDay.reason, func.sum(DenialDay.count))
                .where(DenialDay.day >= a_day, DenialDay.day < b_day)
                .group_by(DenialDay.feature, DenialDay.org_id, DenialDay.user_id,
                          DenialDay.course, DenialDay.reason)):
            denials[tuple(key)] += int(count)
    denial_rows: list[DenialRow] = [(*k, n) for k, n in denials.items()]  # type: ignore[misc]
    return _assemble(session, start, end, now, tally.arrays(), denial_rows)


def _raw_denials(session: Session, lo: datetime, hi: datetime,
                 into: dict[tuple[Any, ...], int]) -> None:
    if hi <= lo:
        return
    t0, t1 = _bind_time(session, lo), _bind_time(session, hi)
    for *key, count in session.execute(
            select(Denial.feature, Denial.org_id, Denial.user_id, Denial.course, Denial.reason,
                   func.count()).where(Denial.at >= t0, Denial.at < t1)
            .group_by(Denial.feature, Denial.org_id, Denial.user_id, Denial.course,
                      Denial.reason)):
        into[tuple(key)] += int(count)


#: (pool, org, user, course, seats, start µs, stop µs) per lease
LeaseRow = tuple[int, int, int, str | None, int, int, int]


@dataclass(frozen=True)
class _RawLeases:
    """Reads the leases overlapping a piece of the range without scanning the history."""

    session: Session
    until_us: int  # running leases count up to here
    watermark_us: int  # leases that ended before this are in the rollup
    longest_us: int  # ... and none of them lasted longer

    def _select(self, where: str, params: dict[str, Any]) -> list[LeaseRow]:
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        stop = "COALESCE(ended_at, :until)"
        return [tuple(r) for r in _fetch(  # type: ignore[misc]
            self.session, f"SELECT pool_id, org_id, user_id, course, seats, "
                          f"{_us_sql(sqlite, 'started_at')}, {_us_sql(sqlite, stop)} "
                          f"FROM leases WHERE {where}", {"until": _at(self.until_us), **params})]

    def overlapping(self, lo_us: int, hi_us: int) -> list[LeaseRow]:
        """Leases with ``started_at < hi`` and a stop after ``lo`` (with ``hi == lo``: those
        running across ``lo``)."""
        reach = lo_us - self.longest_us
        p = {"lo": _at(lo_us), "hi": _at(hi_us), "reach": _at(reach),
             "mark": _at(self.watermark_us)}
        stop = "COALESCE(ended_at, :until)"
        # SQLite: "+" keeps the planner on the ended_at index (few rows) for the last part
        plus = "+" if self.session.get_bind().dialect.name == "sqlite" else ""
        return (self._select(f"started_at >= :reach AND started_at < :hi AND {stop} > :lo", p)
                + self._select("ended_at IS NULL AND started_at < :reach AND "
                               ":until > :lo", p)
                + self._select(f"ended_at >= :mark AND ended_at > :lo AND {plus}started_at "
                               "< :reach", p))

    def empty_at(self, at_us: int) -> list[LeaseRow]:
        """Leases that started at ``at`` and stopped there too."""
        return self._select("started_at = :at AND COALESCE(ended_at, :until) <= :at",
                            {"at": _at(at_us)})


class _Tally:
    """Seat-µs and leases per (pool, org, user, course), and peaks per pool."""

    def __init__(self) -> None:
        self.sums: dict[tuple[int, int, int, str | None], list[int]] = defaultdict(
            lambda: [0, 0])
        self.peaks: dict[int, int] = defaultdict(int)

    def add(self, rows: list[LeaseRow], lo_us: int, hi_us: int, *,
            count_from: int | None) -> None:
        """Lease time within [lo, hi); every lease counted, or only those started from
        ``count_from`` on (the others were counted by an earlier piece)."""
        if not rows:
            return
        cols = list(zip(*rows, strict=True))
        pool = np.asarray(cols[0], dtype=np.int64)
        seats = np.asarray(cols[4], dtype=np.int64)
        s = np.asarray(cols[5], dtype=np.int64)
        cs = np.maximum(s, lo_us)
        ce = np.maximum(np.minimum(np.asarray(cols[6], dtype=np.int64), hi_us), cs)
        seat_us = (seats * (ce - cs)).tolist()
        counted = (s >= count_from if count_from is not None
                   else np.ones(len(s), dtype=bool)).tolist()
        for p, o, u, c, su, n in zip(cols[0], cols[1], cols[2], cols[3], seat_us, counted,
                                     strict=True):
            cell = self.sums[(p, o, u, c)]
            cell[0] += su
            cell[1] += int(n)
        for pool_id, peak in _sweep_peaks(pool, seats, cs, ce).items():
            self.peaks[pool_id] = max(self.peaks[pool_id], peak)

    def add_days(self, session: Session, a_day: int, b_day: int) -> None:
        for p, o, u, c, su, n in session.execute(
                select(UsageDay.pool_id, UsageDay.org_id, UsageDay.user_id, UsageDay.course,
                       func.sum(UsageDay.seat_us), func.sum(UsageDay.started))
                .where(UsageDay.day >= a_day, UsageDay.day < b_day)
                .group_by(UsageDay.pool_id, UsageDay.org_id, UsageDay.user_id,
                          UsageDay.course)):
            cell = self.sums[(p, o, u, c)]
            cell[0] += int(su)
            cell[1] += int(n)
        for pool_id, peak in session.execute(
                select(UsagePeak.pool_id, func.max(UsagePeak.peak))
                .where(UsagePeak.day >= a_day, UsagePeak.day < b_day)
                .group_by(UsagePeak.pool_id)):
            self.peaks[pool_id] = max(self.peaks[pool_id], int(peak))

    def drop_empty_at(self, rows: list[LeaseRow]) -> None:
        for p, o, u, c, *_rest in rows:
            self.sums[(p, o, u, c)][1] -= 1

    def arrays(self) -> LeaseArrays | None:
        items = [(k, v) for k, v in self.sums.items() if v[1] or v[0]]
        if not items and not self.peaks:
            return None
        pool = np.asarray([k[0] for k, _v in items], dtype=np.int64)
        org = np.asarray([k[1] for k, _v in items], dtype=np.int64)
        user = np.asarray([k[2] for k, _v in items], dtype=np.int64)
        seat_hours = np.asarray([v[0] / 3.6e9 for _k, v in items], dtype=np.float64)
        counts = np.asarray([v[1] for _k, v in items], dtype=np.int64)
        courses: dict[str, tuple[float, int]] = {}
        for (_p, _o, _u, c), (su, n) in items:
            if c is not None:
                old_sh, old_n = courses.get(c, (0.0, 0))
                courses[c] = (old_sh + su / 3.6e9, old_n + n)
        return pool, org, user, courses, seat_hours, dict(self.peaks), counts


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
