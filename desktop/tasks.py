"""The one way the GUI calls the Hub: a task on a thread pool that answers through a signal.

``runner.call("admin.users", done=self._show_users)`` runs ``client.call`` on a
:class:`QThreadPool` worker. Workers report through one long-lived emitter whose signal is
connected (queued, to the runner on the GUI thread) before any task starts, so no answer is
lost and ``done``/``failed`` always run on the GUI thread. No per-task QObject exists that the
GUI thread could delete while a worker is still emitting from it.

A state-changing call gets its request id here, once: when the connection drops the runner
sends it again with the same id, so the centre applies it exactly once.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from shiboken6 import isValid

from core.errors import ChipError, InfrastructureError

if TYPE_CHECKING:  # the hub is imported after the window is up (fast first paint)
    from hub.clients.base import HubClient

Done = Callable[[Any], None]
Failed = Callable[[Exception], None]
#: gives the blocking callable to run (called again for each retry)
Work = Callable[[], Callable[[], Any]]

#: Errors after which a call is worth sending again (same request id).
RETRYABLE_CODES = frozenset({"connection_lost", "timeout", InfrastructureError.code,
                             "database_unavailable"})
RETRY_DELAYS_MS = (500, 1500, 4000)


def is_retryable(exc: Exception) -> bool:
    return isinstance(exc, ChipError) and exc.code in RETRYABLE_CODES


class _Answers(QObject):
    """The emitter workers report through: (ticket, ok, result or error)."""

    answered = Signal(int, bool, object)


class HubTask(QRunnable):
    """Runs one callable on a worker thread and reports its outcome under ``ticket``."""

    def __init__(self, work: Callable[[], Any], answers: _Answers, ticket: int) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.work = work
        self.answers = answers
        self.ticket = ticket

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # every failure goes back to the GUI thread as a value
            self.answers.answered.emit(self.ticket, False, exc)
        else:
            self.answers.answered.emit(self.ticket, True, result)


@dataclass
class _Pending:
    make: Work
    done: Done | None
    failed: Failed | None
    owner: QObject | None
    retry: bool
    attempt: int = field(default=0)

    def owner_alive(self) -> bool:
        return self.owner is None or isValid(self.owner)


class HubRunner(QObject):
    """Owns the worker pool and the current client; every Hub call of the GUI goes through it."""

    #: number of calls in flight changed
    busy_changed = Signal(int)
    #: a call failed in a retryable way and is being sent again (error, attempt number)
    retrying = Signal(object, int)
    #: a call succeeded (the connection works)
    succeeded = Signal()
    #: a call failed and nobody handled it (the main window shows it)
    unhandled = Signal(object)

    def __init__(self, client: HubClient | None = None, *, max_threads: int = 2,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self.closing = False
        self._tickets = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._answers = _Answers()
        # connected once, before any task can start
        self._answers.answered.connect(self._on_answer, Qt.ConnectionType.QueuedConnection)

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    def call(self, method: str, /, *, done: Done | None = None, failed: Failed | None = None,
             owner: QObject | None = None, **params: Any) -> None:
        """Call ``method`` on a worker thread; ``done(result)`` or ``failed(error)`` run on the
        GUI thread (skipped if ``owner`` has been deleted meanwhile)."""
        client = self.client
        if client is None:
            client_missing = InfrastructureError("not connected to a centre")
            self.submit(lambda: _raiser(client_missing), done=done, failed=failed, owner=owner,
                        retry=False)
            return
        # one id for every attempt; whether the method writes is looked up on the worker
        # (the first look-up builds the Hub's method table, too slow for the GUI thread)
        request_id = uuid.uuid4().hex

        def make() -> Callable[[], Any]:
            current = self.client or client  # a reconnect may have replaced the client

            def work() -> Any:
                rid = request_id if current.spec(method).write else None
                return current.call(method, request_id=rid, **params)

            return work

        self.submit(make, done=done, failed=failed, owner=owner, retry=True)

    def run(self, work: Callable[[], Any], *, done: Done | None = None,
            failed: Failed | None = None, owner: QObject | None = None) -> None:
        """Run any blocking work (connecting, reading a file) on the pool; same answers."""
        self.submit(lambda: work, done=done, failed=failed, owner=owner, retry=False)

    def submit(self, make: Work, *, done: Done | None, failed: Failed | None,
               owner: QObject | None, retry: bool) -> None:
        ticket = next(self._tickets)
        self._pending[ticket] = _Pending(make, done, failed, owner, retry)
        self.busy_changed.emit(len(self._pending))
        self._start(ticket)

    def _start(self, ticket: int) -> None:
        pending = self._pending.get(ticket)
        if pending is None:
            return
        if self.closing:
            self._settle(ticket)
            return
        self.pool.start(HubTask(pending.make(), self._answers, ticket))

    @Slot(int, bool, object)
    def _on_answer(self, ticket: int, ok: bool, value: Any) -> None:
        pending = self._pending.get(ticket)
        if pending is None:
            return
        if ok:
            self._settle(ticket)
            self.succeeded.emit()
            if pending.done is not None and pending.owner_alive():
                pending.done(value)
            return
        if pending.retry and is_retryable(value) and pending.attempt < len(RETRY_DELAYS_MS) \
                and not self.closing:
            delay = RETRY_DELAYS_MS[pending.attempt]
            pending.attempt += 1
            self.retrying.emit(value, pending.attempt)
            QTimer.singleShot(delay, self, lambda: self._start(ticket))
            return
        self._settle(ticket)
        if pending.failed is not None:
            if pending.owner_alive():
                pending.failed(value)
        else:
            self.unhandled.emit(value)

    def _settle(self, ticket: int) -> None:
        if self._pending.pop(ticket, None) is not None:
            self.busy_changed.emit(len(self._pending))

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Stop retrying, wait for running calls; True if all finished in time."""
        self.closing = True
        finished = bool(self.pool.waitForDone(timeout_ms))
        self._pending.clear()
        return finished


def _raiser(exc: Exception) -> Callable[[], Any]:
    def work() -> Any:
        raise exc

    return work
