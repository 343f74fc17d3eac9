"""A checkout storm: many processes calling the Hub at once, a worker, and a monitor that
checks the seat invariant in consistent snapshots while it runs. Used by the stress tests and
by ``bench/licensing.py``.

Every process runs a fast clock shared through the wall clock (one real second is one centre
minute), so leases with a one-minute TTL expire during the storm and the worker has work.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import signal
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from typing import Any

from sqlalchemy import text

from core.db import make_engine, transaction
from core.errors import ChipError

BASE = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
SPEED = 60.0
FEATURES = ("storm-a", "storm-b")


class FastClock:
    """Centre time = BASE + (wall time since ``t0``) * SPEED: the same in every process."""

    def __init__(self, t0: float) -> None:
        self.t0 = t0

    def __call__(self) -> datetime:
        return BASE + timedelta(seconds=(time.time() - self.t0) * SPEED)


def logins(n: int) -> list[str]:
    return [f"storm{i:02d}" for i in range(n)]


def prepare(url: str, users: int, seats: tuple[int, int] = (5, 3)) -> None:
    """Schema, organisations, ``users`` engineers and two small pools with a 1-minute TTL."""
    from core import accounts
    from hub.centre import open_engine
    from licensing import catalogue, quotas

    engine = open_engine(url)
    factory = __import__("core.db", fromlist=["session_factory"]).session_factory(engine)
    with transaction(factory) as session:
        accounts.add_org(session, "storm-u", "Storm University (fictional)", "university")
        accounts.add_org(session, "storm-s", "Storm Startup (fictional)", "startup")
        for i, login in enumerate(logins(users)):
            accounts.add_user(session, login, org="storm-s" if i % 3 == 0 else "storm-u",
                              roles=["engineer"])
        for name, n in zip(FEATURES, seats, strict=True):
            pool = catalogue.add_local_pool(session, name, n, max_seats_per_lease=3,
                                            max_lease_hours=2, lease_ttl_minutes=1)
            pool.queue_grace_minutes = 1
            pool.no_show_minutes = 2
        quotas.set_quota(session, "org_kind", "startup", max_concurrent=4)
    engine.dispose()


def open_hub(url: str, t0: float) -> Any:
    from hub.api import Hub

    return Hub(make_engine(url), clock=FastClock(t0), settings={"db_url": url})


@dataclass(frozen=True)
class Tally:
    ops: int
    refused: int
    errors: int


def client(url: str, login: str, ops: int, t0: float, seed: int, out: Connection) -> None:
    """Random operations as ``login``; sends (ops, refused, errors) on its own pipe ``out`` —
    always, so an unexpected crash shows as missing operations instead of a storm that waits
    forever. (A pipe per client, not one shared queue: a client killed while writing to a
    shared queue would leave the queue's lock taken, and every other report stuck behind it.)"""
    tally = Tally(0, 0, 0)
    try:
        tally = _client_ops(url, login, ops, t0, seed)
    finally:
        out.send(tally)
        out.close()


def _client_ops(url: str, login: str, ops: int, t0: float, seed: int) -> Tally:
    hub = open_hub(url, t0)
    rng = random.Random(seed)
    mine: list[int] = []
    done = refused = errors = 0
    for _ in range(ops):
        feature = rng.choice(FEATURES)
        roll = rng.random()
        try:
            if roll < 0.40 or not mine:
                lease = hub.call(login, "leases.checkout",
                                 {"feature": feature, "seats": rng.randint(1, 2),
                                  "hours": rng.choice([0.5, 1.0])},
                                 request_id=f"{login}-{seed}-{done}")
                mine.append(int(lease["id"]))
            elif roll < 0.65:
                hub.call(login, "leases.return", {"lease_id": mine.pop(rng.randrange(len(mine)))})
            elif roll < 0.78:
                hub.call(login, "leases.renew", {"lease_id": rng.choice(mine)})
            elif roll < 0.86:
                hub.call(login, "queue.join", {"feature": feature})
            elif roll < 0.91:
                hub.call(login, "queue.leave", {"feature": feature})
            elif roll < 0.95:
                hub.call(login, "licensing.pools", {})
            else:
                start = hub.clock() + timedelta(minutes=rng.randint(1, 30))
                rows = hub.call(login, "reservations.create", {
                    "feature": feature, "starts": start.isoformat(),
                    "ends": (start + timedelta(minutes=rng.randint(5, 20))).isoformat(),
                    "seats": 1})
                if rng.random() < 0.3:
                    hub.call(login, "reservations.cancel", {"reservation_id": rows[0]["id"]})
        except ChipError as exc:
            if exc.code == "database_unavailable":
                errors += 1
            else:
                refused += 1
            if exc.code in {"expired", "conflict", "not_found"} and mine and roll >= 0.40:
                mine = [m for m in mine if m != exc.data.get("lease")]
        done += 1
    hub.engine.dispose()
    return Tally(done, refused, errors)


def worker(url: str, t0: float, stop: Event) -> None:
    from hub import worker as hub_worker

    hub = open_hub(url, t0)
    hub_worker.run(hub, _ThreadingEvent(stop), interval=0.5)  # type: ignore[arg-type]
    hub.engine.dispose()


class _ThreadingEvent:
    """A multiprocessing Event seen through the threading.Event interface the worker uses."""

    def __init__(self, event: Event) -> None:
        self.event = event

    def is_set(self) -> bool:
        return self.event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self.event.wait(timeout)


def monitor(url: str, stop: Event, out: Any) -> None:
    """Read the counters and the lease/hold rows in one snapshot, again and again."""
    engine = make_engine(url)
    snapshots = violations = 0
    started, first = time.monotonic(), ""
    sql = text("""
        SELECT p.id, p.seats, p.in_use,
               COALESCE((SELECT SUM(l.seats) FROM leases l
                         WHERE l.pool_id = p.id AND l.ended_at IS NULL), 0),
               COALESCE((SELECT SUM(h.seats) FROM holds h
                         WHERE h.pool_id = p.id AND h.released_at IS NULL), 0)
        FROM pools p""")
    with engine.connect() as conn:  # one connection; one snapshot (transaction) per reading
        while not stop.is_set():
            for pid, seats, in_use, leased, held in conn.execute(sql):
                if not (0 <= in_use <= seats and in_use == leased + held):
                    violations += 1
                    if violations == 1:  # the first one, for the failure message
                        first = (f"{time.monotonic() - started:.2f}s: pool {pid} seats {seats} "
                                 f"counted {in_use} leased {leased} held {held}")
            conn.rollback()
            snapshots += 1
            time.sleep(0.02)
    engine.dispose()
    out.put((snapshots, violations, first))


@dataclass(frozen=True)
class StormResult:
    ops: int
    refused: int
    errors: int
    seconds: float
    snapshots: int
    violations: int
    reported: int = 0  # clients that sent their tally
    killed: int = 0
    first_violation: str = ""


def storm(url: str, processes: int, ops_each: int, *, kill_after: float | None = None,
          seed: int = 7) -> StormResult:
    """Run the storm; with ``kill_after``, SIGKILL one client and the worker that many seconds
    in and start a new worker (the killed client's leases must come back by expiry)."""
    ctx = multiprocessing.get_context("fork")
    t0 = time.time()
    stop = ctx.Event()
    mon_out = ctx.Queue()
    mon = ctx.Process(target=monitor, args=(url, stop, mon_out))
    mon.start()
    # Each worker waits on its own Event: a process SIGKILLed inside Event.wait leaves the
    # Event's shared condition counting a sleeper that never wakes, and the next set() (or
    # is_set() behind it) then waits forever — the storm's old hang. The killed worker's
    # Event is simply never used again.
    work_stop = ctx.Event()
    work = ctx.Process(target=worker, args=(url, t0, work_stop))
    work.start()
    names = logins(processes)
    pipes = [ctx.Pipe(duplex=False) for _ in range(processes)]
    clients = [ctx.Process(target=client, args=(url, names[i], ops_each, t0, seed * 1000 + i,
                                                pipes[i][1])) for i in range(processes)]
    started = time.monotonic()
    for p, (_, send) in zip(clients, pipes, strict=True):
        p.start()
        send.close()  # the client holds the only sending end: its death reads as EOF here
    killed = 0
    if kill_after is not None:
        time.sleep(kill_after)
        for victim in (clients[0], work):
            if victim.pid is not None and victim.is_alive():
                os.kill(victim.pid, signal.SIGKILL)
        clients[0].join()
        work.join()
        killed = 1
        work_stop = ctx.Event()
        work = ctx.Process(target=worker, args=(url, t0, work_stop))
        work.start()
    tallies = []
    for receive, _ in pipes:
        with contextlib.suppress(EOFError):  # EOF: killed before it could report
            tallies.append(receive.recv())
    for p in clients:
        p.join(timeout=60)
    seconds = time.monotonic() - started
    stop.set()
    work_stop.set()
    snapshots, violations, first = mon_out.get(timeout=60)
    mon.join(timeout=30)
    work.join(timeout=30)
    return StormResult(sum(t.ops for t in tallies), sum(t.refused for t in tallies),
                       sum(t.errors for t in tallies), seconds, snapshots, violations,
                       len(tallies), killed, first)
