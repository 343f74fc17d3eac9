"""``LocalHub``: the Hub in this process, round-tripping every call through the JSON codec so it
behaves exactly like the SSH client."""

from __future__ import annotations

import json
import threading
from typing import Any

from core.errors import ChipError
from hub.api import Hub
from hub.clients.base import HubClient
from hub.rpc import Dispatcher, encode

NOTIFY_POLL_SECONDS = 1.0


class LocalHub(HubClient):
    """Acts as ``login`` on an in-process :class:`Hub`."""

    def __init__(self, hub: Hub, login: str, *, where: str = "embedded centre") -> None:
        super().__init__()
        self.hub = hub
        self._login = login
        self._where = where
        self._dispatcher = Dispatcher(hub, login)
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None

    @property
    def description(self) -> str:
        return self._where

    @property
    def login(self) -> str:
        return self._login

    def _roundtrip(self, message: dict[str, Any], *, timeout: float | None,
                   idempotent: bool) -> dict[str, Any]:
        answer = self._dispatcher.handle_line(encode(message))
        if answer is None:
            return {"jsonrpc": "2.0", "id": message.get("id"), "result": None}
        decoded: dict[str, Any] = json.loads(answer)
        return decoded

    def start_notifications(self, poll_seconds: float = NOTIFY_POLL_SECONDS) -> None:
        """Deliver this user's new notifications to subscribers, as the SSH server does."""
        if self._poller is not None:
            return
        try:
            after = int(self.hub.call(self._login, "notifications.latest_id", {}))
        except ChipError:
            after = 0

        def run() -> None:
            nonlocal after
            while not self._stop.wait(poll_seconds):
                try:
                    items = self.hub.call(self._login, "notifications.since", {"after_id": after})
                except ChipError:
                    continue
                for item in items:
                    after = max(after, int(item["id"]))
                    self._emit(item)

        self._poller = threading.Thread(target=run, name="chipcommons-notify", daemon=True)
        self._poller.start()

    def close(self) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.join(timeout=5)
            self._poller = None
