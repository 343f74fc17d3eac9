"""Collecting the notifications a client is pushed, for tests that wait for one."""

from __future__ import annotations

import threading
from typing import Any


class Collector:
    """A ``subscribe`` callback that keeps every payload and says when one arrived."""

    def __init__(self) -> None:
        self.got: list[dict[str, Any]] = []
        self.arrived = threading.Event()

    def __call__(self, payload: dict[str, Any]) -> None:
        self.got.append(payload)
        self.arrived.set()

    def markers(self) -> list[Any]:
        return [p.get("payload", {}).get("marker") for p in self.got]
