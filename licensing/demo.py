"""Demo licence pools (``resources/demo/pools.yaml``) and a history of usage for them, so the
demo centre's availability, reports and charts have something to show.

The history is simulated per pool in time order, so it is consistent: nobody ever holds more
seats than a pool has; a request that finds the pool full becomes a denial, and some of those
people queue and get the next seat that frees (their wait is real). Past weekly lab sessions
hold seats for their whole window and are claimed only in part (booked-but-idle hours).
"""

from __future__ import annotations

import bisect
import heapq
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core import accounts
from core.errors import InvalidInput
from core.models.accounts import Organisation, User
from core.timeutil import CENTRE_ZONE
from licensing import catalogue, quotas, usage
from licensing.models import (
    Denial,
    Feature,
    Hold,
    Lease,
    LicenceServer,
    Pool,
    QueueEntry,
    Reservation,
    VendorDaemon,
)

CHUNK = 20_000


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: not a mapping")
    return data


def seed_demo(session: Session, resources: Path, now: datetime) -> None:
    """Pools, quotas, the lab session, a few seats in use now and 60 days of history.
    Does nothing if the demo pools are there already."""
    data = load(resources / "demo" / "pools.yaml")
    names = [f["name"] for srv in data.get("servers", []) for d in srv.get("daemons", [])
             for f in d.get("features", [])] + [loc["name"] for loc in data.get("local", [])]
    if session.scalar(select(Feature.id).where(Feature.name.in_(names)).limit(1)) is not None:
        return
    seed_pools(session, data)
    for spec in data.get("history_users", []):
        if session.scalar(select(User.id).where(User.login == spec["login"])) is None:
            accounts.add_user(session, spec["login"], org=spec["org"], roles=list(spec["roles"]),
                              name_en=spec.get("name_en", ""),
                              email=f"{spec['login']}@example.invalid")
    for q in data.get("quotas", []):
        quotas.set_quota(session, q["scope"], q["subject"], feature=q.get("feature"),
                         max_concurrent=q.get("max_concurrent"), seat_hours=q.get("seat_hours"),
                         period=q.get("period", "month"),
                         reserved_share=q.get("reserved_share", 0))
    hist = data.get("history", {})
    startups = frozenset(session.scalars(select(Organisation.id).where(
        Organisation.kind == "startup")))
    seed_history(session, now, days=int(hist.get("days", 60)),
                 per_day=int(hist.get("leases_per_day", 90)),
                 lab_sessions=data.get("lab_sessions", []), quiet_orgs=startups)
    seed_lab_sessions(session, data.get("lab_sessions", []), now)
    seed_current_use(session, now)


def seed_pools(session: Session, data: dict[str, Any]) -> None:
    for srv in data.get("servers", []):
        server = LicenceServer(name=srv["name"], kind="flexlm", hosts=srv.get("hosts", ""),
                               port=srv.get("port"))
        session.add(server)
        session.flush()
        for d in srv.get("daemons", []):
            daemon = VendorDaemon(server_id=server.id, name=d["name"], port=None,
                                  options_path=f"/opt/flexlm/{d['name']}.opt")
            session.add(daemon)
            session.flush()
            for f in d.get("features", []):
                feature = Feature(name=f["name"], label=f.get("label", f["name"]),
                                  daemon_id=daemon.id)
                session.add(feature)
                session.flush()
                expiry = f.get("expiry")
                session.add(Pool(
                    feature_id=feature.id, version=str(f.get("version", "")),
                    expiry=expiry if isinstance(expiry, date) else None, seats=int(f["seats"]),
                    in_use=0, kind="floating", vendor_string="", dup_group="", hostid="",
                    borrow_hours=int(f.get("borrow_hours", 0)),
                    max_seats_per_lease=int(f.get("max_seats_per_lease", 2)),
                    max_lease_hours=float(f.get("max_lease_hours", 12)), lease_ttl_minutes=15,
                    queue_grace_minutes=10, no_show_minutes=15, approval_required=False,
                    suspended=False, source="demo"))
    for loc in data.get("local", []):
        catalogue.add_local_pool(session, loc["name"], int(loc["seats"]),
                                 label=loc.get("label", ""),
                                 max_seats_per_lease=int(loc.get("max_seats_per_lease", 1)),
                                 max_lease_hours=float(loc.get("max_lease_hours", 12)))
    session.flush()


def _tuesdays(start: datetime, end: datetime, spec: dict[str, Any]) -> list[tuple[datetime,
                                                                                   datetime]]:
    h0, m0 = (int(x) for x in str(spec["start"]).split(":"))
    h1, m1 = (int(x) for x in str(spec["end"]).split(":"))
    day = start.astimezone(CENTRE_ZONE).date()
    out = []
    while True:
        if day.weekday() == int(spec.get("weekday", 1)):
            s = datetime.combine(day, time(h0, m0), CENTRE_ZONE)
            e = datetime.combine(day, time(h1, m1), CENTRE_ZONE)
            if s >= end:
                break
            if s >= start:
                out.append((s, e))
        day += timedelta(days=1)
        if datetime.combine(day, time(), CENTRE_ZONE) > end:
            break
    return out


@dataclass
class _Ask:
    start: datetime
    hours: float
    seats: int
    user_id: int
    org_id: int
    course: str | None
    hold: int | None = None  # index into the lab-session list


@dataclass(frozen=True)
class History:
    """Generated rows, each list in time order (leases by start, denials by time, queue
    entries by grant), to be written all at once or a day at a time."""

    leases: list[dict[str, Any]]
    denials: list[dict[str, Any]]
    queue: list[dict[str, Any]]
    times: dict[str, list[datetime]] = field(default_factory=dict)  # per list, made lazily

    def write(self, session: Session, since: datetime | None = None,
              until: datetime | None = None) -> int:
        """Insert the rows whose time falls in [since, until); returns how many."""
        written = 0
        for rows, model, key in ((self.leases, Lease, "started_at"), (self.denials, Denial, "at"),
                                 (self.queue, QueueEntry, "granted_at")):
            if key not in self.times:
                self.times[key] = [r[key] for r in rows]
            times = self.times[key]
            lo = 0 if since is None else bisect.bisect_left(times, since)
            hi = len(rows) if until is None else bisect.bisect_left(times, until)
            for k in range(lo, hi, CHUNK):
                session.execute(insert(model.__table__),  # type: ignore[arg-type]
                                rows[k:min(hi, k + CHUNK)])
            written += max(0, hi - lo)
        session.flush()
        return written


def seed_history(session: Session, now: datetime, *, days: int, per_day: int,
                 lab_sessions: Iterable[dict[str, Any]] = (), seed: int = 2026,
                 users: list[tuple[int, int]] | None = None,
                 quiet_orgs: frozenset[int] = frozenset()) -> int:
    """Insert ``days`` days of ended leases (about ``per_day`` requests a day) before ``now``;
    returns the number of leases. Organisations in ``quiet_orgs`` have no history in the
    current month (so their monthly quota is untouched). Bulk inserts: fast enough for a
    million rows. The history lands in days that have closed, so the usage rollup is rebuilt
    (:func:`make_history` and :meth:`History.write` write it a day at a time instead)."""
    history = make_history(session, now, days=days, per_day=per_day, lab_sessions=lab_sessions,
                           seed=seed, users=users, quiet_orgs=quiet_orgs)
    history.write(session)
    usage.rebuild_rollup(session, now)
    return len(history.leases)


def make_history(session: Session, now: datetime, *, days: int, per_day: int,
                 lab_sessions: Iterable[dict[str, Any]] = (), seed: int = 2026,
                 users: list[tuple[int, int]] | None = None,
                 quiet_orgs: frozenset[int] = frozenset()) -> History:
    """Simulate the history (see :func:`seed_history`); the past lab sessions' bookings and
    holds are written now, the leases, denials and queue entries are returned."""
    rng = random.Random(seed)
    pools = session.scalars(select(Pool).where(Pool.seats > 0).order_by(Pool.id)).all()
    if not pools:
        return History([], [], [])
    if users is None:
        users = [(u.id, u.org_id) for u in session.scalars(select(User).order_by(User.id))]
    students = {u.id for u in session.scalars(select(User)) if "student" in u.roles}
    weights = [p.seats for p in pools]
    begin = now - timedelta(days=days)
    month = now.astimezone(CENTRE_ZONE).replace(day=1, hour=0, minute=0, second=0,
                                                microsecond=0)
    asks: dict[int, list[_Ask]] = {p.id: [] for p in pools}
    for d in range(days):
        day = (begin + timedelta(days=d)).astimezone(CENTRE_ZONE).date()
        busy = 0.35 if day.weekday() >= 5 else 1.0
        for _ in range(int(per_day * busy)):
            pool = rng.choices(pools, weights)[0]
            hour = min(23.5, max(0.0, rng.gauss(14.0, 3.5)))
            start = datetime.combine(day, time(), CENTRE_ZONE) + timedelta(hours=hour)
            if start >= now:
                continue
            uid, oid = rng.choice(users)
            if oid in quiet_orgs and start >= month:
                continue
            hours = min(pool.max_lease_hours, max(0.1, rng.lognormvariate(0.3, 0.8)))
            seats = 1 if rng.random() < 0.8 else min(2, pool.max_seats_per_lease)
            asks[pool.id].append(_Ask(start, hours, seats, uid, oid,
                                      "AIS301" if uid in students and rng.random() < 0.6
                                      else None))
    labs: list[tuple[int, datetime, datetime, int, int, int, str | None, str]] = []
    for spec in lab_sessions:
        feature = session.scalar(select(Feature).where(Feature.name == spec["feature"]))
        booker = session.scalar(select(User).where(User.login == spec.get("by")))
        if feature is None or booker is None:
            continue
        lab_pool = next((p for p in pools if p.feature_id == feature.id), None)
        if lab_pool is None:
            continue
        for s, e in _tuesdays(begin, now - timedelta(hours=3), spec):
            labs.append((lab_pool.id, s, e, int(spec["seats"]), booker.id, booker.org_id,
                         spec.get("course"), spec.get("note", "")))
    hold_rows: list[tuple[int, int, int]] = []  # (reservation index, hold seats, claimed)
    for i, (pool_id, s, e, n, uid, oid, course, _note) in enumerate(labs):
        claimed = rng.randint(max(1, n - 2), n)
        hold_rows.append((i, n, claimed))
        for _ in range(claimed):
            asks[pool_id].append(_Ask(s + timedelta(minutes=rng.randint(0, 14)),
                                      (e - s).total_seconds() / 3600 - 0.3, 1, uid, oid, course,
                                      hold=i))
    reservation_ids = _insert_labs(session, labs, hold_rows)
    leases: list[dict[str, Any]] = []
    denials: list[dict[str, Any]] = []
    queue: list[dict[str, Any]] = []
    by_id = {p.id: p for p in pools}
    for pool_id, items in asks.items():
        pool = by_id[pool_id]
        items.sort(key=lambda a: a.start)
        windows = [(s, e, n) for lp, s, e, n, _u, _o, _c, _t in labs if lp == pool_id]
        ends: list[tuple[datetime, int]] = []
        used = 0  # seats of ordinary leases; lab sessions keep theirs aside
        for ask in items:
            while ends and ends[0][0] <= ask.start:
                used -= heapq.heappop(ends)[1]
            end = ask.start + timedelta(hours=ask.hours)
            if end >= now:
                continue
            if ask.hold is None:
                booked = max((n for s, e, n in windows if s < end and e > ask.start), default=0)
                if used + ask.seats + booked > pool.seats:
                    org_user = {"user_id": ask.user_id, "org_id": ask.org_id,
                                "course": ask.course}
                    denials.append({"at": ask.start, "feature": pool.feature.name,
                                    "seats": ask.seats, "reason": "full", **org_user})
                    if ends and rng.random() < 0.5:
                        granted = ends[0][0]
                        queue.append({"feature_id": pool.feature_id, "user_id": ask.user_id,
                                      "org_id": ask.org_id, "seats": ask.seats, "hours": 1.0,
                                      "priority": 0, "status": "claimed",
                                      "joined_at": ask.start, "granted_at": granted,
                                      "finished_at": granted})
                    continue
                used += ask.seats
                heapq.heappush(ends, (end, ask.seats))
            leases.append({
                "pool_id": pool_id, "user_id": ask.user_id, "org_id": ask.org_id,
                "course": ask.course, "seats": ask.seats, "kind": "lease", "host": "",
                "hold_id": reservation_ids.get(ask.hold) if ask.hold is not None else None,
                "started_at": ask.start, "expires_at": end, "ends_by": end, "ended_at": end,
                "end_reason": "returned" if rng.random() < 0.9 else "expired"})
    leases.sort(key=lambda r: r["started_at"])
    denials.sort(key=lambda r: r["at"])
    queue.sort(key=lambda r: r["granted_at"])
    return History(leases, denials, queue)


def _insert_labs(session: Session, labs: list[tuple[int, datetime, datetime, int, int, int,
                                                     str | None, str]],
                 hold_rows: list[tuple[int, int, int]]) -> dict[int, int]:
    """Past lab sessions: a done reservation and a released hold each; returns hold ids."""
    holds: dict[int, int] = {}
    for (i, n, claimed), (pool_id, s, e, _n, uid, oid, course, note) in zip(hold_rows, labs,
                                                                            strict=True):
        pool = session.get(Pool, pool_id)
        assert pool is not None
        r = Reservation(feature_id=pool.feature_id, pool_id=pool_id, user_id=uid, org_id=oid,
                        course=course, series="demo-history", seats=n, starts_at=s, ends_at=e,
                        status="done", note=note, created_at=s - timedelta(days=7))
        session.add(r)
        session.flush()
        h = Hold(pool_id=pool_id, user_id=uid, kind="reservation", seats=0, reserved_seats=n,
                 claimed=claimed, reservation_id=r.id, created_at=s, expires_at=e,
                 no_show_at=None, released_at=e, release_reason="ended")
        session.add(h)
        session.flush()
        holds[i] = h.id
    return holds


def seed_lab_sessions(session: Session, specs: Iterable[dict[str, Any]], now: datetime) -> None:
    """The coming weekly lab sessions (booked by their instructor)."""
    from licensing import reservations

    for spec in specs:
        booker = session.scalar(select(User).where(User.login == spec.get("by")))
        if booker is None:
            continue
        upcoming = _tuesdays(now + timedelta(minutes=10), now + timedelta(days=8), spec)
        if not upcoming:
            continue
        s, e = upcoming[0]
        reservations.book(session, booker, spec["feature"], s, e, int(spec["seats"]), now,
                          weeks=int(spec.get("weeks", 1)), course=spec.get("course"),
                          note=spec.get("note", ""))


def seed_current_use(session: Session, now: datetime) -> None:
    """A few seats in use right now (as if farm jobs were heart-beating them)."""
    from licensing import seats

    picks = [("VCSRuntime_Net", "jung.hayun", 2), ("VCSRuntime_Net", "lim.dohyun", 1),
             ("Xcelium_Single_Core", "choi.minseo", 2), ("scalesim-slot", "kang.seojun", 1),
             ("DC-Expert", "park.jiwoo", 1)]
    for feature_name, login, n in picks:
        feature = session.scalar(select(Feature).where(Feature.name == feature_name))
        user = session.scalar(select(User).where(User.login == login))
        if feature is None or user is None:
            continue
        pool = session.scalar(select(Pool).where(Pool.feature_id == feature.id))
        if pool is None or seats.take(session, pool.id, n) is None:
            continue
        started = now - timedelta(minutes=40)
        session.add(Lease(pool_id=pool.id, user_id=user.id, org_id=user.org_id, seats=n,
                          kind="lease", host="farm-node-01", started_at=started,
                          expires_at=now + timedelta(hours=3), ends_by=now + timedelta(hours=3)))
    session.flush()
