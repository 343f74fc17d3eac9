"""A Hypothesis state machine over random sequences of everything that moves seats —
checkouts, returns, renewals, queue joins and leaves, bookings and cancellations, admin
force-releases and seat edits, the clock and the worker — checking after every step that no
pool is oversubscribed and that every counter equals its lease and hold rows."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from core.db import transaction
from core.errors import ChipError
from hub import worker
from hub.api import Hub
from hub.centre import open_engine
from licensing import seats
from licensing.models import Hold, Lease, QueueEntry
from tests.licensing.conftest import Clock, make_centre
from tests.support import services

USERS = ("demo.engineer", "demo.engineer2", "demo.student", "demo.instructor")
FEATURES = ("vcs", "scalesim-slot")


class Backend:
    """Fresh copies of one migrated, seeded centre: a copied SQLite file, or a PostgreSQL
    database made from a template database."""

    def __init__(self, pg_admin: str | None, workdir: Path) -> None:
        self.pg_admin = pg_admin
        self.workdir = workdir
        if pg_admin is None:
            self.template = f"sqlite:///{workdir / 'template.sqlite3'}"
        else:
            self.template_name = f"ccm_tmpl_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(pg_admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.template_name}"')
            self.template = pg_admin.rsplit("/", 1)[0] + "/" + self.template_name
        centre = make_centre(self.template, workdir / "home")
        centre.hub.engine.dispose()

    def fresh(self) -> str:
        if self.pg_admin is None:
            db = self.workdir / f"run-{uuid.uuid4().hex[:8]}.sqlite3"
            shutil.copy(self.template.removeprefix("sqlite:///"), db)
            return f"sqlite:///{db}"
        name = f"ccm_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.pg_admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template_name}"')
        return self.pg_admin.rsplit("/", 1)[0] + "/" + name

    def drop(self, url: str) -> None:
        if self.pg_admin is None:
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
            return
        with psycopg.connect(self.pg_admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"')


class SeatMachine(RuleBasedStateMachine):
    backend: Backend

    @initialize()
    def open_centre(self) -> None:
        self.url = self.backend.fresh()
        self.clock = Clock()
        self.hub = Hub(open_engine(self.url), clock=self.clock, settings={"db_url": self.url})
        self.pool_ids = [p["id"] for p in self.call("demo.admin", "pools.list")]

    def teardown(self) -> None:
        if hasattr(self, "hub"):
            self.hub.engine.dispose()
            self.backend.drop(self.url)

    def call(self, login: str, method: str, **params: Any) -> Any:
        try:
            return self.hub.call(login, method, params)
        except ChipError:
            return None

    def _lease_ids(self) -> list[tuple[int, int]]:
        with transaction(self.hub.sessions, write=False) as s:
            return [(lid, uid) for lid, uid in s.execute(
                select(Lease.id, Lease.user_id).where(Lease.ended_at.is_(None)))]

    @rule(user=st.sampled_from(USERS), feature=st.sampled_from(FEATURES),
          n=st.integers(-1, 4), hours=st.sampled_from([0.1, 0.5, 2.0, 13.0]),
          course=st.sampled_from([None, "AIS301"]), borrow=st.booleans())
    def checkout(self, user: str, feature: str, n: int, hours: float, course: str | None,
                 borrow: bool) -> None:
        self.call(user, "leases.checkout", feature=feature, seats=n, hours=hours,
                  course=course, borrow=borrow and hours < 1)

    @rule(user=st.sampled_from(USERS), pick=st.integers(0, 50))
    def return_lease(self, user: str, pick: int) -> None:
        ids = self._lease_ids()
        if ids:
            self.call(user, "leases.return", lease_id=ids[pick % len(ids)][0])

    @rule(user=st.sampled_from(USERS), pick=st.integers(0, 50),
          hours=st.sampled_from([None, 0.5, 3.0]))
    def renew(self, user: str, pick: int, hours: float | None) -> None:
        ids = self._lease_ids()
        if ids:
            self.call(user, "leases.renew", lease_id=ids[pick % len(ids)][0], hours=hours)

    @rule(pick=st.integers(0, 50))
    def force_release(self, pick: int) -> None:
        ids = self._lease_ids()
        if ids:
            self.call("demo.admin", "leases.force_release", lease_id=ids[pick % len(ids)][0])

    @rule(user=st.sampled_from(USERS), feature=st.sampled_from(FEATURES), n=st.integers(0, 3))
    def join(self, user: str, feature: str, n: int) -> None:
        self.call(user, "queue.join", feature=feature, seats=n)

    @rule(user=st.sampled_from(USERS), feature=st.sampled_from(FEATURES))
    def leave(self, user: str, feature: str) -> None:
        self.call(user, "queue.leave", feature=feature)

    @rule(user=st.sampled_from(USERS), feature=st.sampled_from(FEATURES),
          start=st.integers(-10, 120), length=st.integers(-5, 90), n=st.integers(0, 4),
          weeks=st.integers(1, 2), course=st.sampled_from([None, "AIS301"]))
    def book(self, user: str, feature: str, start: int, length: int, n: int, weeks: int,
             course: str | None) -> None:
        t = self.clock.now + timedelta(minutes=start)
        self.call(user, "reservations.create", feature=feature, starts=t.isoformat(),
                  ends=(t + timedelta(minutes=length)).isoformat(), seats=n, weeks=weeks,
                  course=course)

    @rule(user=st.sampled_from(USERS), pick=st.integers(0, 50))
    def cancel(self, user: str, pick: int) -> None:
        rows = self.call(user, "reservations.list", everyone=True) or []
        if rows:
            self.call(user, "reservations.cancel", reservation_id=rows[pick % len(rows)]["id"])

    @rule(pick=st.integers(0, 5), seats_=st.integers(-1, 6))
    def edit_seats(self, pick: int, seats_: int) -> None:
        self.call("demo.admin", "pools.update", pool_id=self.pool_ids[pick % len(self.pool_ids)],
                  seats=seats_)

    @rule(minutes=st.integers(1, 40))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)
        worker.tick(self.hub)

    @invariant()
    def never_oversubscribed(self) -> None:
        if not hasattr(self, "hub"):
            return
        with transaction(self.hub.sessions, write=False) as s:
            for c in seats.count(s):
                assert 0 <= c.counted <= c.seats, c
                assert c.counted == c.truth, c
            granted = s.scalars(select(QueueEntry).where(QueueEntry.status == "granted")).all()
            for entry in granted:
                hold = s.get(Hold, entry.hold_id)
                assert hold is not None and hold.released_at is None


def _run(backend: Backend, examples: int) -> None:
    machine: Callable[[], SeatMachine] = type("Machine", (SeatMachine,), {"backend": backend})
    run_state_machine_as_test(machine, settings=settings(
        max_examples=examples, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.too_slow]))


def test_seat_invariant_sqlite(tmp_path: Path) -> None:
    _run(Backend(None, tmp_path), examples=25)


def test_seat_invariant_postgresql(pg_admin_url: str, tmp_path: Path) -> None:
    backend = Backend(pg_admin_url, tmp_path)
    try:
        _run(backend, examples=10)
    finally:
        services.drop_database(pg_admin_url, backend.template_name)
