"""The usage report from the rollup equals the exact report (every raw row) on random histories
written the way the centre writes them: leases start and end at the clock, denials and queue
grants happen at the clock, and the rollup folds the closed days now and then."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import transaction
from core.errors import InvalidInput
from core.models.accounts import User
from licensing import usage
from licensing.models import Denial, Feature, Lease, Pool, QueueEntry, UsageDay
from licensing.usage import UsageReport
from tests.licensing.conftest import Centre, make_centre

#: 15:00 UTC is midnight in Seoul: the rollup's day boundary.
START = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)
COURSES = (None, None, "AIS301", "EE201")


def assert_same(fast: UsageReport, exact: UsageReport) -> None:
    """Equal but for the last digit of float sums (the reference adds float hours computed
    from julianday; the rollup adds whole microseconds)."""
    assert (fast.start, fast.end) == (exact.start, exact.end)
    assert len(fast.features) == len(exact.features)
    for f, e in zip(fast.features, exact.features, strict=True):
        assert f.seat_hours == pytest.approx(e.seat_hours, rel=1e-7, abs=2e-3), f.feature
        assert f.utilisation == pytest.approx(e.utilisation, abs=2e-4), f.feature
        assert (f.feature, f.seats, f.leases, f.peak, f.denials, f.denials_by_reason,
                f.queue_waits, f.queue_wait_p50_minutes, f.queue_wait_p95_minutes,
                f.reserved_idle_hours) == (
            e.feature, e.seats, e.leases, e.peak, e.denials, e.denials_by_reason, e.queue_waits,
            e.queue_wait_p50_minutes, e.queue_wait_p95_minutes, e.reserved_idle_hours)
    for name in ("organisations", "users", "courses"):
        mine, theirs = getattr(fast, name), getattr(exact, name)
        assert [g.key for g in mine] == [g.key for g in theirs], name
        for g, e in zip(mine, theirs, strict=True):
            assert g.seat_hours == pytest.approx(e.seat_hours, rel=1e-7, abs=2e-3), g.key
            assert (g.leases, g.denials, g.denials_by_reason) == (
                e.leases, e.denials, e.denials_by_reason), g.key


def _step(rng: random.Random, clock: datetime) -> datetime:
    """The next moment: often the same instant, sometimes exactly a day boundary."""
    r = rng.random()
    if r < 0.15:
        return clock
    if r < 0.22:
        return START + timedelta(days=(clock - START).days + 1)
    if r < 0.3:
        return clock + timedelta(seconds=rng.randint(1, 59))
    return clock + timedelta(minutes=rng.randint(1, 240), microseconds=rng.randint(0, 999999))


def simulate(c: Centre, seed: int, steps: int) -> datetime:
    """A random history written at the clock; folds now and then. Returns the clock."""
    rng = random.Random(seed)
    with c.session() as session:
        vcs = session.scalar(select(Pool).join(Feature).where(Feature.name == "vcs"))
        assert vcs is not None
        session.add(Pool(feature_id=vcs.feature_id, seats=2, kind="local", version="2"))
        session.flush()  # a second pool of one feature
        users = [(u.id, u.org_id) for u in session.scalars(select(User).order_by(User.id))]
        pools = [(p.id, p.feature_id, p.feature.name)
                 for p in session.scalars(select(Pool).order_by(Pool.id))]
        # checked out and returned at the same instant, exactly at a day boundary
        at = START + timedelta(days=1)
        session.add(Lease(pool_id=pools[0][0], user_id=users[0][0], org_id=users[0][1],
                          seats=1, started_at=at, expires_at=at, ends_by=at, ended_at=at,
                          end_reason="returned"))
    clock = START - timedelta(days=3, hours=5)
    running: list[int] = []
    for _ in range(steps):
        clock = _step(rng, clock)
        with c.session() as session:
            action = rng.random()
            uid, oid = rng.choice(users)
            pool_id, feature_id, feature = rng.choice(pools)
            if action < 0.4 or not running:
                lease = Lease(pool_id=pool_id, user_id=uid, org_id=oid, seats=rng.randint(1, 3),
                              course=rng.choice(COURSES), started_at=clock,
                              expires_at=clock + timedelta(hours=1),
                              ends_by=clock + timedelta(hours=1))
                session.add(lease)
                session.flush()
                running.append(lease.id)
            elif action < 0.75:
                lease = session.get(Lease, running.pop(rng.randrange(len(running))))
                assert lease is not None
                lease.ended_at, lease.end_reason = clock, "returned"
            elif action < 0.88:
                session.add(Denial(at=clock, feature=feature, user_id=uid, org_id=oid,
                                   course=rng.choice(COURSES), seats=1,
                                   reason=rng.choice(("full", "quota", "ineligible"))))
            else:
                joined = clock - timedelta(minutes=rng.randint(0, 300), seconds=rng.random())
                session.add(QueueEntry(feature_id=feature_id, user_id=uid, org_id=oid, seats=1,
                                       status="claimed", joined_at=joined, granted_at=clock,
                                       finished_at=clock))
            if rng.random() < 0.08:
                usage.roll_up(session, clock)
    return clock


def _ranges(rng: random.Random, now: datetime) -> list[tuple[datetime, datetime]]:
    day = timedelta(days=1)
    out = [(START - 5 * day, now + day), (START, START + 7 * day), (START + day, now),
           (START + 2 * day + timedelta(hours=3), START + 2 * day + timedelta(hours=4)),
           (now - timedelta(hours=30), now)]
    span = int((now - START).total_seconds()) + 4 * 86400
    for _ in range(12):
        a = START - 4 * day + timedelta(seconds=rng.randint(0, span),
                                        microseconds=rng.choice((0, rng.randint(0, 999999))))
        b = a + timedelta(seconds=rng.randint(1, 9 * 86400))
        out.append((a, b))
    return out


@pytest.mark.parametrize("seed", [3, 17])
def test_rollup_report_equals_the_exact_report(db_url: str, tmp_path: Path, seed: int) -> None:
    c = make_centre(db_url, tmp_path / "home")
    try:
        now = simulate(c, seed, 260)
        with c.session() as session:
            usage.roll_up(session, now)
            assert session.scalar(select(func.count()).select_from(UsageDay)) > 0
        rng = random.Random(seed)
        with transaction(c.hub.sessions, write=False) as session:
            for start, end in _ranges(rng, now):
                assert_same(usage.usage_report(session, start, end, now),
                            usage.exact_usage_report(session, start, end, now))
        # A rebuilt rollup is the same rollup.
        with c.session() as session:
            usage.rebuild_rollup(session, now)
        with transaction(c.hub.sessions, write=False) as session:
            assert_same(usage.usage_report(session, START, now, now),
                        usage.exact_usage_report(session, START, now, now))
    finally:
        c.hub.engine.dispose()


def test_folding_is_idempotent_and_waits_for_a_closed_day(sqlite_centre: Centre) -> None:
    c = sqlite_centre
    simulate(c, 5, 40)
    now = START + timedelta(minutes=10)  # the day closed 10 minutes ago: not yet folded
    with c.session() as session:
        first = usage.roll_up(session, now)
        assert first.until_day is not None
        again = usage.roll_up(session, now)
        assert again.until_day is None and again.leases_read == 0
        assert not usage.roll_up_due(session, now)
        assert usage.roll_up_due(session, now + timedelta(days=1))
    assert usage.refresh_rollup(c.hub.sessions, now) is None
    assert usage.refresh_rollup(c.hub.sessions, now + timedelta(days=1)) is not None


def test_report_refuses_a_bad_range(sqlite_centre: Centre) -> None:
    with transaction(sqlite_centre.hub.sessions, write=False) as session:
        with pytest.raises(InvalidInput):
            usage.usage_report(session, START, START, START)
        with pytest.raises(InvalidInput):
            usage.usage_report(session, START.replace(tzinfo=None), START + timedelta(days=1),
                               START)


def test_the_worker_tick_folds_the_days_that_closed(sqlite_centre: Centre) -> None:
    from hub import worker

    c = sqlite_centre
    # The demo history is folded up to today; two days on, one more day has closed.
    now = datetime.now(UTC) + timedelta(days=2)
    with c.session() as session:
        assert usage.roll_up_due(session, now)
    worker.tick(c.hub, now)
    with c.session() as session:
        assert not usage.roll_up_due(session, now)
