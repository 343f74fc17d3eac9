"""Fixtures for the licence-pool tests: a centre with a settable clock, users and pools."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.db import transaction
from hub.api import Hub
from hub.centre import open_engine
from hub.clients.local import LocalHub
from hub.demo import load_demo, seed_accounts
from licensing import catalogue

#: Tuesday 24 November 2026, 14:00 in Seoul.
T0 = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)


class Clock:
    """The centre's clock, moved by the test."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Centre:
    hub: Hub
    clock: Clock
    url: str

    def client(self, login: str) -> LocalHub:
        return LocalHub(self.hub, login)

    def call(self, who: str, method: str, /, **params: Any) -> Any:
        return self.client(who).call(method, **params)

    def session(self) -> Any:
        return transaction(self.hub.sessions)


def make_centre(url: str, home: Path, clock: Clock | None = None) -> Centre:
    clock = clock or Clock()
    engine = open_engine(url)
    hub = Hub(engine, clock=clock, settings={"home": str(home), "db_url": url})
    with transaction(hub.sessions) as session:
        seed_accounts(session, load_demo())
        catalogue.add_local_pool(session, "vcs", 3, label="VCS runtime (test)",
                                 max_seats_per_lease=4, max_lease_hours=12)
        catalogue.add_local_pool(session, "scalesim-slot", 2, max_seats_per_lease=1)
    return Centre(hub, clock, url)


@pytest.fixture
def centre(db_url: str, tmp_path: Path) -> Iterator[Centre]:
    """A centre on SQLite and on PostgreSQL with the demo people and two small pools."""
    c = make_centre(db_url, tmp_path / "home")
    yield c
    c.hub.engine.dispose()


@pytest.fixture
def sqlite_centre(tmp_path: Path) -> Iterator[Centre]:
    c = make_centre(f"sqlite:///{tmp_path / 'centre.sqlite3'}", tmp_path / "home")
    yield c
    c.hub.engine.dispose()
