"""Benchmark the licence pools: checkout+return pairs through RemoteHub (SSH) with many
concurrent clients, beside the floor measured in the same run (a bare conditional UPDATE +
commit loop in one process), and a usage report over a million events — on SQLite and on
PostgreSQL.

The pairs are measured twice in one run: with the centre's broker (``chipcommons-hub broker``:
the forced commands relay every connection to one process) and with one serve process per
connection. Each connection first makes a few untimed pairs (desktops keep their connection
open for hours; the figures are the steady state, not a process's first calls). On PostgreSQL
the database is then analysed (``ANALYZE``), as autovacuum keeps a running centre's statistics.

Run: .venv/bin/python bench/licensing.py [--clients 32] [--seconds 20] [--events 1000000]
     [--pg postgresql://…] [--skip-remote] [--skip-report]
Prints a table; not part of the test suite. PostgreSQL: --pg, $CHIPCOMMONS_TEST_PG, or a
private cluster started here.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from core.db import make_engine, session_factory, transaction  # noqa: E402
from hub.centre import init_centre, open_hub  # noqa: E402
from licensing import catalogue, usage  # noqa: E402
from licensing.demo import make_history  # noqa: E402
from tests.support import services  # noqa: E402

CLIENT_USERS = ("demo.instructor", "demo.student")
WARM_PAIRS = 3  # per connection, before the clock starts: desktops keep their connection open
FEATURE = "bench-seat"


# -- the floor -----------------------------------------------------------------------------------

def floor(url: str, seconds: float) -> float:
    """Pairs per second of: conditional UPDATE +1, commit, UPDATE -1, commit (one process)."""
    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        pool_id = conn.execute(text("SELECT p.id FROM pools p JOIN features f ON "
                                    "f.id = p.feature_id WHERE f.name = :f"),
                               {"f": FEATURE}).scalar_one()
    take = text("UPDATE pools SET in_use = in_use + 1 WHERE id = :id AND in_use + 1 <= seats")
    give = text("UPDATE pools SET in_use = in_use - 1 WHERE id = :id AND in_use >= 1")
    pairs = 0
    stop = time.monotonic() + seconds
    with engine.connect() as conn:
        if sqlite:
            conn = conn.execution_options(sqlite_begin="BEGIN IMMEDIATE")
        while time.monotonic() < stop:
            for stmt in (take, give):
                with conn.begin():
                    assert conn.execute(stmt, {"id": pool_id}).rowcount == 1
            pairs += 1
    engine.dispose()
    return pairs / seconds


# -- pairs through RemoteHub -----------------------------------------------------------------------

def _client_process(centre: dict[str, Any], threads: int, seconds: float, ready: Any,
                    go: Any, out: Any, warm: int = 0) -> None:
    from hub.clients.remote import RemoteHub, SshTarget

    latencies: list[float] = []
    calls: list[float] = []  # each checkout's and each return's own latency
    lock = threading.Lock()
    failures = [0]

    def run(login: str) -> None:
        hub = RemoteHub(SshTarget("127.0.0.1", centre["user"], centre["port"],
                                  Path(centre["keys"][login])),
                        known_hosts=Path(centre["known_hosts"]), timeout=60)
        hub.call("system.ping")
        for _ in range(warm):  # steady state: the connection's first calls are not timed
            lease = hub.call("leases.checkout", feature=FEATURE, seats=1, hours=1)
            hub.call("leases.return", lease_id=lease.id)
        mine: list[float] = []
        each: list[float] = []
        ready.put(1)
        go.wait()
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                lease = hub.call("leases.checkout", feature=FEATURE, seats=1, hours=1)
                t1 = time.perf_counter()
                hub.call("leases.return", lease_id=lease.id)
            except Exception:  # counted, not fatal: the bench reports them
                with lock:
                    failures[0] += 1
                continue
            t2 = time.perf_counter()
            mine.append(t2 - t0)
            each += (t1 - t0, t2 - t1)
        hub.close()
        with lock:
            latencies.extend(mine)
            calls.extend(each)

    workers = [threading.Thread(target=run, args=(CLIENT_USERS[i % len(CLIENT_USERS)],))
               for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put((latencies, calls, failures[0]))


def remote_pairs(centre: dict[str, Any], clients: int, seconds: float,
                 warm: int = WARM_PAIRS, url: str | None = None) -> dict[str, float]:
    """Checkout+return pairs from ``clients`` RemoteHub connections for ``seconds``. With
    ``url`` (PostgreSQL), the database's statistics are brought up to date once every client
    has warmed up, as autovacuum keeps a running centre's: the bench's database is minutes
    old, and plans made while its tables were empty would otherwise stay for the whole run."""
    ctx = multiprocessing.get_context("spawn")
    procs_n = min(clients, 4)
    per = [clients // procs_n + (1 if i < clients % procs_n else 0) for i in range(procs_n)]
    out, ready, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_client_process, args=(centre, n, seconds, ready, go, out, warm))
             for n in per]
    for p in procs:
        p.start()
    for _ in range(clients):  # every client connected before the clock starts
        ready.get(timeout=600)
    if url is not None and url.startswith("postgresql"):
        _analyze(url)
    go.set()
    latencies: list[float] = []
    calls: list[float] = []
    failures = 0
    for _ in procs:
        lat, each, fail = out.get(timeout=600)
        latencies.extend(lat)
        calls.extend(each)
        failures += fail
    for p in procs:
        p.join()
    return {"pairs_per_s": len(latencies) / seconds,
            "p50_ms": _percentile(latencies, 0.50), "p99_ms": _percentile(latencies, 0.99),
            "call_p50_ms": _percentile(calls, 0.50), "call_p99_ms": _percentile(calls, 0.99),
            "failures": failures}


def _analyze(url: str) -> None:
    engine = make_engine(url, pool=False)
    try:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    finally:
        engine.dispose()


def _percentile(seconds: list[float], q: float) -> float:
    """The q-quantile in milliseconds (nearest rank)."""
    if not seconds:
        return float("nan")
    ordered = sorted(seconds)
    return ordered[max(0, math.ceil(len(ordered) * q) - 1)] * 1000


def make_remote_centre(url: str, work: Path, sshd: services.Sshd) -> dict[str, Any]:
    from tests.conftest import make_ssh_centre

    work.mkdir(parents=True, exist_ok=True)
    centre = make_ssh_centre(url, sshd, work)
    hub = open_hub(url)
    with transaction(hub.sessions) as session:
        catalogue.add_local_pool(session, FEATURE, 1000, max_seats_per_lease=1)
    hub.engine.dispose()
    return {"user": sshd.user, "port": sshd.port, "known_hosts": str(centre.known_hosts),
            "keys": {k: str(v) for k, v in centre.keys.items()}}


# -- the usage report over a million events --------------------------------------------------------

def report_bench(url: str, events: int) -> dict[str, float]:
    """A year of history written as the centre writes it (rows at the clock, then the rollup
    folds each day once it has closed), then the usage report over the year: from the rollup,
    and the exact report from the raw rows (the reference) for comparison."""
    from hub.demo import load_demo, seed_accounts

    hub = init_centre(url)
    with transaction(hub.sessions) as session:
        seed_accounts(session, load_demo())
        for i in range(20):
            catalogue.add_local_pool(session, f"bench-pool-{i:02d}", 60, max_seats_per_lease=2,
                                     max_lease_hours=12)
    now = hub.clock()
    days = 365
    with transaction(hub.sessions) as session:
        history = make_history(session, now, days=days, per_day=int(events / days / 0.82),
                               seed=11)
    made = len(history.leases)
    fill = fold = 0.0
    first = now - timedelta(days=days + 1)
    written_until: datetime | None = None
    for d in range(days + 2):  # a day's rows, then the fold of the days that have closed
        until = first + timedelta(days=d) if d <= days else None
        t0 = time.perf_counter()
        with transaction(hub.sessions) as session:
            history.write(session, written_until, until)
        t1 = time.perf_counter()
        with transaction(hub.sessions) as session:
            usage.roll_up(session, until or now)
        fill, fold = fill + t1 - t0, fold + time.perf_counter() - t1
        written_until = until
    with transaction(hub.sessions, write=False) as session:
        counted = session.execute(text("SELECT (SELECT COUNT(*) FROM leases) + "
                                       "(SELECT COUNT(*) FROM licence_denials) + "
                                       "(SELECT COUNT(*) FROM queue_entries)")).scalar_one()
    if hub.engine.dialect.name == "postgresql":
        with hub.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    best = float("inf")
    for _ in range(3):
        with transaction(session_factory(hub.engine), write=False) as session:
            t1 = time.perf_counter()
            report = usage.usage_report(session, now - timedelta(days=days + 1), now, now)
            best = min(best, time.perf_counter() - t1)
    with transaction(session_factory(hub.engine), write=False) as session:
        t1 = time.perf_counter()
        exact = usage.exact_usage_report(session, now - timedelta(days=days + 1), now, now)
        exact_s = time.perf_counter() - t1
    same = all(a.leases == b.leases and a.peak == b.peak and a.denials == b.denials
               and abs(a.seat_hours - b.seat_hours) <= 1e-6 * max(1.0, b.seat_hours) + 0.01
               for a, b in zip(report.features, exact.features, strict=True))
    hub.engine.dispose()
    return {"events": float(counted), "leases": float(made), "fill_s": fill, "report_s": best,
            "exact_s": exact_s, "fold_s": fold, "fold_us_per_event": fold / counted * 1e6,
            "same": float(same), "features": float(len(report.features))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--pg", default=os.environ.get("CHIPCOMMONS_TEST_PG"))
    parser.add_argument("--skip-remote", action="store_true")
    parser.add_argument("--skip-report", action="store_true")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cc-bench-lic-"))
    os.environ.setdefault("CHIPCOMMONS_HOME", str(work / "home"))
    cluster = None
    pg_admin = args.pg
    if pg_admin is None and args.only != "sqlite":
        cluster = services.start_postgres(work / "pg")
        pg_admin = cluster.url
    sshd = None if args.skip_remote else services.start_sshd(work / "sshd")
    rows: list[tuple[str, str, str]] = []
    made: list[str] = []  # PostgreSQL databases made here, dropped at the end
    try:
        for backend in ("sqlite", "postgresql"):
            if args.only and backend != args.only:
                continue
            os.environ["CHIPCOMMONS_HOME"] = str(work / f"home-{backend}")

            def fresh(tag: str, backend: str = backend) -> str:
                if backend == "sqlite":
                    return f"sqlite:///{work / f'{tag}.sqlite3'}"
                assert pg_admin is not None
                name = f"bench_{tag}_{uuid.uuid4().hex[:8]}"
                made.append(name)
                return services.create_database(pg_admin, name)

            if sshd is not None:
                url = fresh("pairs")
                centre = make_remote_centre(url, work / f"centre-{backend}", sshd)
                f = floor(url, min(10.0, args.seconds))
                rows.append((backend, "floor: bare conditional UPDATE + commit, pairs/s",
                             f"{f:,.0f}"))
                broker = services.BrokerProcess(url)
                try:
                    rb = remote_pairs(centre, args.clients, args.seconds, url=url)
                finally:
                    broker.stop()
                r = remote_pairs(centre, args.clients, args.seconds, url=url)
                for label, got in (("with the centre's broker", rb),
                                   ("one serve process per connection", r)):
                    rows.append((backend, f"checkout+return via RemoteHub, {args.clients} "
                                 f"clients, {label}, pairs/s", f"{got['pairs_per_s']:,.1f}"))
                    rows.append((backend, "  latency per call (checkout or return) p50 / p99 (ms)",
                                 f"{got['call_p50_ms']:.1f} / {got['call_p99_ms']:.1f}"))
                    rows.append((backend, "  latency per pair p50 / p99 (ms)",
                                 f"{got['p50_ms']:.1f} / {got['p99_ms']:.1f}"))
                    rows.append((backend, "  ratio to the floor",
                                 f"{got['pairs_per_s'] / f:.3f}" if f else "-"))
                    rows.append((backend, "  failed pairs", f"{got['failures']}"))
            if not args.skip_report:
                rep = report_bench(fresh("report"), args.events)
                rows.append((backend, f"usage report over {rep['events']:,.0f} events "
                             f"({rep['leases']:,.0f} leases), rollup, s", f"{rep['report_s']:.2f}"))
                rows.append((backend, "  exact report from the raw rows (reference), s",
                             f"{rep['exact_s']:.2f}"))
                rows.append((backend, "  the two agree", "yes" if rep["same"] else "NO"))
                rows.append((backend, "  rollup: daily folds over the year, s",
                             f"{rep['fold_s']:.1f}"))
                rows.append((backend, "  rollup cost per event, us",
                             f"{rep['fold_us_per_event']:.1f}"))
                rows.append((backend, "  (writing the history a day at a time took, s)",
                             f"{rep['fill_s']:.1f}"))
    finally:
        if sshd is not None:
            sshd.stop()
        if cluster is not None:
            cluster.stop()
        elif pg_admin is not None:
            for name in made:
                services.drop_database(pg_admin, name)
    width = max(len(r[1]) for r in rows) if rows else 10
    print(f"{'backend':<11} {'measure':<{width}} value")
    for backend, what, value in rows:
        print(f"{backend:<11} {what:<{width}} {value}")
    print(f"(machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
