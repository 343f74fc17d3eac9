"""The connection to a centre: opening it off the GUI thread, its state for the status bar,
a heartbeat that notices a dropped centre and reconnects by itself, and the notification bridge.
"""

from __future__ import annotations

import enum
import gc
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from core.errors import ChipError
from desktop.tasks import HubRunner, is_retryable

if TYPE_CHECKING:  # the hub is imported after the window is up (fast first paint)
    from core.accounts import UserInfo
    from hub.clients.base import HubClient

HEARTBEAT_MS = 15_000
LOCAL_WORKERS = 2
REMOTE_WORKERS = 6
RECONNECT_DELAYS_MS = (1_000, 2_000, 5_000, 10_000, 30_000)


@dataclass(frozen=True)
class CentreChoice:
    """Which centre to open: ``url`` None is the embedded centre."""

    name: str = ""
    url: str | None = None
    as_user: str | None = None
    key_path: str | None = None

    @property
    def embedded(self) -> bool:
        return self.url is None


Opener = Callable[[CentreChoice, "str | None"], "HubClient"]


def open_client(choice: CentreChoice, accept_fingerprint: str | None) -> HubClient:
    """Open a client (blocking: run it on the pool; the hub is imported here, not before)."""
    from desktop.embedded import EmbeddedHub
    from hub.cli.connect import connect
    from hub.clients.local import LocalHub

    client = connect(choice.url, as_user=choice.as_user, key=choice.key_path,
                     accept_fingerprint=accept_fingerprint)
    if choice.embedded and isinstance(client, LocalHub):
        client = EmbeddedHub(client)
    if isinstance(client, LocalHub):
        client.start_notifications()
    return client


def warm_method_table() -> int:
    """Build every Hub method's parameter model and result decoder now (on a worker): pydantic
    builds them holding the GIL, which would otherwise stutter the window on each method's
    first call. Returns how many methods there are."""
    from hub.api import Hub

    for name in list(Hub.METHODS):
        Hub.METHODS[name]
    return len(Hub.METHODS)


def settle_heap() -> None:
    """Once start-up is over: collect once, then move everything alive (the hub's modules,
    models, caches) into the permanent generation, so later full collections — which stop
    every thread, the GUI's too — walk only what was made since (seen: 100–300 ms pauses)."""
    gc.collect()
    gc.freeze()


class State(enum.StrEnum):
    OFFLINE = "offline"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"


class _Bridge(QObject):
    """Carries notifications from the client's reader thread to the GUI thread."""

    arrived = Signal(dict)


class Connection(QObject):
    state_changed = Signal(str)
    #: the centre answered: (the caller's UserInfo)
    connected = Signal(object)
    #: opening failed (error); an UnknownHostKey error carries data["fingerprint"]
    open_failed = Signal(object)
    #: a notification from the centre (its dict: id, kind, payload, created_at)
    notification = Signal(dict)

    def __init__(self, runner: HubRunner, opener: Opener = open_client,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.opener = opener
        self.choice = CentreChoice()
        self.state = State.OFFLINE
        self.me: UserInfo | None = None
        self._bridge = _Bridge(self)
        self._bridge.arrived.connect(self._on_notification)
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(HEARTBEAT_MS)
        self._heartbeat.timeout.connect(self.check)
        self._reconnect_timer = QTimer(self)
        self._reconnect_timer.setSingleShot(True)
        self._reconnect_timer.timeout.connect(self._reconnect)
        self._attempt = 0
        self._owned = True
        runner.retrying.connect(self._on_retrying)
        runner.succeeded.connect(self._on_call_ok)

    @property
    def client(self) -> HubClient | None:
        return self.runner.client

    @property
    def description(self) -> str:
        client = self.client
        return client.description if client is not None else ""

    def _set_state(self, state: State) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state.value)

    # -- opening ----------------------------------------------------------------------------------

    def open(self, choice: CentreChoice, accept_fingerprint: str | None = None) -> None:
        """Open ``choice`` on the pool; ``connected`` or ``open_failed`` follows."""
        self.choice = choice
        self._set_state(State.CONNECTING)
        opener = self.opener

        def work() -> tuple[HubClient, UserInfo]:
            client = opener(choice, accept_fingerprint)
            try:
                return client, client.call("me.whoami")
            except Exception:
                client.close()
                raise

        self.runner.run(work, done=self._opened, failed=self._open_failed, owner=self)

    def use(self, client: HubClient) -> None:
        """Work through an already-open client that stays the caller's to close (tests, the
        self-test)."""
        self.runner.run(lambda: (client, client.call("me.whoami")),
                        done=lambda result: self._opened(result, owned=False),
                        failed=self._open_failed, owner=self)

    def _opened(self, result: tuple[HubClient, UserInfo], owned: bool = True) -> None:
        client, me = result
        self._drop_client()
        self.runner.client = client
        self._owned = owned
        # an in-process centre computes on our threads (GIL): few workers keep the window
        # responsive; a remote one mostly waits on the network: more calls in flight
        self.runner.pool.setMaxThreadCount(LOCAL_WORKERS if hasattr(client, "hub")
                                           else REMOTE_WORKERS)
        client.subscribe(self._deliver)
        self.me = me
        self._attempt = 0
        self._set_state(State.CONNECTED)
        self._heartbeat.start()
        self.connected.emit(me)
        self.runner.run(warm_method_table, done=lambda _: settle_heap(),
                        failed=lambda _: None, owner=self)

    def _open_failed(self, exc: Exception) -> None:
        if self.runner.client is not None and is_retryable(exc):
            self._schedule_reconnect()
            return
        self._set_state(State.OFFLINE if self.runner.client is None else State.RECONNECTING)
        self.open_failed.emit(exc)

    # -- staying connected ------------------------------------------------------------------------

    @Slot()
    def check(self) -> None:
        """Ping the centre; a failure starts reconnecting."""
        if self.runner.client is None:
            return
        self.runner.call("system.ping", done=lambda _: self._on_call_ok(),
                         failed=self._ping_failed, owner=self)

    def _ping_failed(self, exc: Exception) -> None:
        if is_retryable(exc):
            self._schedule_reconnect()

    def _schedule_reconnect(self) -> None:
        self._set_state(State.RECONNECTING)
        if not self._reconnect_timer.isActive():
            delay = RECONNECT_DELAYS_MS[min(self._attempt, len(RECONNECT_DELAYS_MS) - 1)]
            self._attempt += 1
            self._reconnect_timer.start(delay)

    def _reconnect(self) -> None:
        if self.choice.embedded and hasattr(self.runner.client, "hub"):
            self.check()  # an in-process centre cannot drop; just ask again
            return
        self.open(self.choice)

    def _on_retrying(self, exc: Exception, attempt: int) -> None:
        if self.state == State.CONNECTED:
            self._set_state(State.RECONNECTING)

    def _on_call_ok(self) -> None:
        if self.state == State.RECONNECTING:
            self._attempt = 0
            self._reconnect_timer.stop()
            self._set_state(State.CONNECTED)

    def _deliver(self, payload: dict[str, Any]) -> None:
        """Called on the client's thread: hand over to the GUI thread."""
        self._bridge.arrived.emit(payload)

    @Slot(dict)
    def _on_notification(self, payload: dict[str, Any]) -> None:
        self.notification.emit(payload)

    # -- closing ----------------------------------------------------------------------------------

    def _drop_client(self) -> None:
        old = self.runner.client
        self.runner.client = None
        if old is not None:
            old.unsubscribe(self._deliver)
            if self._owned:
                self.runner.run(old.close)  # closing can wait on sockets and threads

    def close(self) -> None:
        self._heartbeat.stop()
        self._reconnect_timer.stop()
        self._drop_client()
        self._set_state(State.OFFLINE)


def is_host_key_problem(exc: Exception) -> bool:
    return isinstance(exc, ChipError) and exc.code in {"unknown_host_key", "host_key_changed"}
