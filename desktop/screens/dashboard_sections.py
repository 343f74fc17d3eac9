"""Dashboard sections that come with parts of the Hub (licences, farm): each names its method."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication

from desktop.models import Column
from desktop.screens.base import AppContext

translate = QCoreApplication.translate


@dataclass(frozen=True)
class Section:
    name: str
    method: str
    title: Callable[[], str]
    columns: Callable[[], list[Column[Any]]]
    key: Callable[[Any], Hashable]
    records: Callable[[Any], list[Any]] = list
    params: dict[str, Any] = field(default_factory=dict)


def sections() -> list[Section]:
    """Every section this desktop knows (filtered by :func:`available`)."""
    from desktop.screens.jobs import job_columns
    from desktop.screens.licences import booking_columns, lease_columns, queue_columns

    return [
        Section("leases", "leases.list", lambda: translate("Dashboard", "My seats"),
                lease_columns, key=lambda x: x.id),
        Section("queue", "queue.list",
                lambda: translate("Dashboard", "My places in queues"), queue_columns,
                key=lambda x: x.id),
        Section("bookings", "reservations.list",
                lambda: translate("Dashboard", "My upcoming bookings"), booking_columns,
                key=lambda x: x.id),
        Section("jobs", "jobs.list", lambda: translate("Dashboard", "My running and recent jobs"),
                job_columns, key=lambda x: x.id, params={"limit": 20}),
    ]


def available(ctx: AppContext) -> list[Section]:
    return [s for s in sections() if ctx.may(s.method)]
