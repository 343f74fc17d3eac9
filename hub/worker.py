"""The centre's background worker: expire leases, start and end reservations, release no-shows,
hand freed seats to queue heads, and store the notifications for all of it.

``chipcommons-hub worker`` runs it as a process; the embedded centre runs it as a thread
(:class:`WorkerThread`). Exactly one worker is active per centre: a PostgreSQL advisory lock
held on a dedicated connection, or an exclusive ``flock`` on a file beside the SQLite database.
A second worker waits for the first to go away (a killed worker's lock dies with it). At start
the worker repairs the seat counters from the lease and hold rows.

Each tick is one transaction, so a worker killed mid-tick changes nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from core import audit
from core.db import transaction
from hub import farm
from hub.hubcore import HubCore
from hub.models import Notification
from licensing import leases, queue, reservations, seats, usage
from licensing.models import QueueEntry

log = logging.getLogger(__name__)

ADVISORY_KEY = 727_002
DEFAULT_INTERVAL = 5.0
ACTOR = "worker"

#: Extra duties other parts add (e.g. dispatching queued farm jobs): ``duty(hub, now)``.
Duty = Callable[[HubCore, datetime], None]


@dataclass(frozen=True)
class TickReport:
    at: datetime
    expired: int = 0
    lapsed: int = 0
    started: int = 0
    ended: int = 0
    no_show_released: int = 0
    topped_up: int = 0
    granted: int = 0
    repaired: tuple[int, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return any((self.expired, self.lapsed, self.started, self.ended, self.no_show_released,
                    self.topped_up, self.granted, self.repaired))


def notifier(session: Session, now: datetime) -> Callable[[int, str, dict[str, Any]], None]:
    """A Notify that stores notification rows in ``session`` (delivered after commit)."""
    def notify(user_id: int, kind: str, payload: dict[str, Any]) -> None:
        session.add(Notification(user_id=user_id, kind=kind, payload=payload, created_at=now))

    return notify


def tick(hub: HubCore, now: datetime | None = None) -> TickReport:
    """One round of the worker's duties, in one transaction, at the server's clock."""
    now = now or hub.clock()
    with transaction(hub.sessions) as session:
        notify = notifier(session, now)
        expired = leases.expire_due(session, now, notify)
        lapsed = queue.lapse_grants(session, now, notify)
        ended = reservations.end_due(session, now, notify)
        started = reservations.start_due(session, now, notify)
        topped = reservations.top_up(session, now)
        released = reservations.release_no_shows(session, now, notify)
        granted = 0
        waiting = session.scalars(select(QueueEntry.feature_id).where(
            QueueEntry.status == "waiting").distinct()).all()
        for fid in sorted(waiting):
            granted += len(queue.grant_heads(session, fid, now, notify))
        report = TickReport(now, len(expired), len(lapsed), len(started), len(ended), released,
                            topped, granted)
        if report.changed:
            audit.record(session, ACTOR, "worker.tick", after={
                "expired": report.expired, "lapsed": report.lapsed, "started": report.started,
                "ended": report.ended, "no_show_released": report.no_show_released,
                "granted": report.granted})
    # Fold the days closed since the last fold (own transaction; a no-op check otherwise), so
    # the first usage report after midnight does not pay for it.
    usage.refresh_rollup(hub.sessions, now)
    farm.dispatch(hub, now)  # the farm's duty: seats to waiting jobs, poll, conclude (own txn)
    return report


def repair(hub: HubCore) -> tuple[int, ...]:
    """Recompute every pool's seat counter from its lease and hold rows; return fixed pools."""
    with transaction(hub.sessions) as session:
        fixed = seats.repair(session)
        if fixed:
            audit.record(session, ACTOR, "seats.repair", after={
                "pools": [{"pool": c.pool_id, "counted": c.counted, "truth": c.truth}
                          for c in fixed]})
    return tuple(c.pool_id for c in fixed)


# -- one active worker -------------------------------------------------------------------------

class WorkerLock:
    """Held while this process is the centre's active worker."""

    def __init__(self, hub: HubCore) -> None:
        self.hub = hub
        self._conn: Connection | None = None
        self._fd: int | None = None

    def lock_file(self) -> Path:
        url = str(self.hub.engine.url)
        db = self.hub.engine.url.database or ""
        if url.startswith("sqlite") and db and db != ":memory:":
            return Path(db).with_name(Path(db).name + ".worker.lock")
        home = self.hub.settings.get("home")
        return Path(home) / "worker.lock" if home else Path("/tmp/chipcommons-worker.lock")

    def try_acquire(self) -> bool:
        if self.hub.engine.dialect.name == "postgresql":
            conn = self.hub.engine.connect()
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                    {"k": ADVISORY_KEY}).scalar())
            conn.commit()
            if got:
                self._conn = conn
            else:
                conn.close()
            return got
        path = self.lock_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                self._conn.commit()
            self._conn.close()
            self._conn = None
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @contextlib.contextmanager
    def held(self, stop: threading.Event, poll: float = 1.0) -> Iterator[bool]:
        """Wait until this worker is the active one (or ``stop`` is set)."""
        while not stop.is_set():
            if self.try_acquire():
                try:
                    yield True
                finally:
                    self.release()
                return
            stop.wait(poll)
        yield False


def run(hub: HubCore, stop: threading.Event, *, interval: float = DEFAULT_INTERVAL,
        duties: Sequence[Duty] = (), on_tick: Callable[[TickReport], None] | None = None,
        once: bool = False) -> int:
    """Run the worker until ``stop`` is set. Returns the number of ticks done."""
    lock = WorkerLock(hub)
    ticks = 0
    with lock.held(stop) as active:
        if not active:
            return 0
        fixed = repair(hub)
        if fixed:
            log.warning("seat counters repaired for pools %s", fixed)
        while not stop.is_set():
            try:
                report = tick(hub)
                for duty in duties:
                    duty(hub, hub.clock())
                if on_tick is not None:
                    on_tick(report)
            except Exception:  # keep the centre running; the next tick retries
                log.exception("worker tick failed")
            ticks += 1
            if once:
                break
            stop.wait(interval)
    return ticks


class WorkerThread:
    """The worker inside the embedded centre's process."""

    def __init__(self, hub: HubCore, *, interval: float = DEFAULT_INTERVAL,
                 duties: Sequence[Duty] = ()) -> None:
        self.hub = hub
        self.interval = interval
        self.duties = tuple(duties)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=run, args=(self.hub, self._stop),
            kwargs={"interval": self.interval, "duties": self.duties},
            name="chipcommons-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
