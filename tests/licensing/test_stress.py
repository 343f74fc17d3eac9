"""Never oversubscribe, with many processes: a 16-process, 10 000-operation storm through the
Hub on SQLite and PostgreSQL, with a worker and a monitor checking the invariant in consistent
snapshots throughout; then the same storm with a client and the worker killed by SIGKILL."""

from __future__ import annotations

import time

import pytest

from core.db import make_engine, session_factory, transaction
from hub import worker
from licensing import seats
from tests.licensing import storm


def settle(url: str) -> list[seats.SeatCount]:
    """After the storm: run the worker a centre-year past every TTL, then read the counters."""
    hub = storm.open_hub(url, time.time() - 365 * 86400 / storm.SPEED)
    worker.tick(hub)
    with transaction(session_factory(hub.engine)) as session:
        counts = seats.count(session)
    hub.engine.dispose()
    return counts


def check_counters(url: str) -> list[seats.SeatCount]:
    engine = make_engine(url, pool=False)
    with transaction(session_factory(engine)) as session:
        counts = seats.count(session)
    engine.dispose()
    return counts


@pytest.mark.timeout(3600)
def test_storm_never_oversubscribes(db_url: str) -> None:
    storm.prepare(db_url, users=16)
    result = storm.storm(db_url, processes=16, ops_each=625)
    assert result.reported == 16 and result.ops == 10_000
    assert result.violations == 0 and result.snapshots > 10
    assert result.errors <= result.ops // 100  # database timeouts are rare and harmless
    counts = check_counters(db_url)
    assert all(c.consistent for c in counts), counts
    # Everything comes back once leases expire and bookings end.
    assert all(c.consistent and c.leased == 0 for c in settle(db_url))


@pytest.mark.timeout(1800)
def test_sigkill_mid_storm_loses_no_seat(db_url: str) -> None:
    storm.prepare(db_url, users=16)
    result = storm.storm(db_url, processes=16, ops_each=100, kill_after=1.5)
    assert result.reported == 16 - result.killed  # every client but the killed one reported
    assert result.violations == 0
    counts = check_counters(db_url)
    assert all(c.consistent for c in counts), counts  # no phantom seat right after the kill
    final = settle(db_url)
    assert all(c.consistent and c.leased == 0 for c in final), final  # no lost seat
