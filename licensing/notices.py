"""How domain functions tell someone something happened (seat granted, booking started).

Domain code takes a :data:`Notify` callable; the hub passes one that stores a notification row
in the same transaction (so a rolled-back change never notifies), tests pass a list's append.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Notify = Callable[[int, str, dict[str, Any]], None]


def ignore(_user_id: int, _kind: str, _payload: dict[str, Any]) -> None:
    """A :data:`Notify` that drops everything."""
