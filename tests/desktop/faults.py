"""Fault injection for desktop tests: a real in-process centre whose transport misbehaves."""

from __future__ import annotations

import threading
from typing import Any

from hub.api import Hub
from hub.clients.local import LocalHub
from hub.rpc import ConnectionLost


class FlakyHub(LocalHub):
    """Loses the *answer* of the first ``drops`` calls to ``method`` after the centre has
    applied them — the worst case of a dropped connection."""

    def __init__(self, hub: Hub, login: str, method: str, drops: int = 1) -> None:
        super().__init__(hub, login)
        self.method = method
        self.drops = drops
        self.sent: list[dict[str, Any]] = []
        self.threads: list[str] = []
        self._lock = threading.Lock()

    def _roundtrip(self, message: dict[str, Any], *, timeout: float | None,
                   idempotent: bool) -> dict[str, Any]:
        with self._lock:
            self.threads.append(threading.current_thread().name)
        answer = super()._roundtrip(message, timeout=timeout, idempotent=idempotent)
        if message.get("method") == self.method:
            with self._lock:
                self.sent.append(message)
                if self.drops > 0:
                    self.drops -= 1
                    raise ConnectionLost("the connection to the centre was lost (test)")
        return answer


class DownHub(LocalHub):
    """A centre that cannot be reached while ``down`` is set."""

    def __init__(self, hub: Hub, login: str) -> None:
        super().__init__(hub, login)
        self.down = threading.Event()

    def _roundtrip(self, message: dict[str, Any], *, timeout: float | None,
                   idempotent: bool) -> dict[str, Any]:
        if self.down.is_set():
            raise ConnectionLost("the connection to the centre was lost (test)")
        return super()._roundtrip(message, timeout=timeout, idempotent=idempotent)
