"""One RemoteHub used by many threads at once: every call gets its own answer, notifications
arrive whether the connection is idle or busy, and closing wakes a call in flight."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from typing import Any

import pytest

from core.db import transaction
from hub.centre import open_hub
from hub.clients.remote import RemoteHub, SshTarget
from hub.models import Notification
from hub.rpc import ConnectionLost
from tests.conftest import SshCentre


def _client(centre: SshCentre, login: str) -> RemoteHub:
    return RemoteHub(SshTarget("127.0.0.1", centre.sshd.user, centre.sshd.port,
                               centre.keys[login]), known_hosts=centre.known_hosts, timeout=60)


def test_threads_sharing_a_connection_each_get_their_own_answer(
        ssh_centre_sqlite: SshCentre) -> None:
    client = _client(ssh_centre_sqlite, "demo.student2")
    errors: list[str] = []

    def work(index: int) -> None:
        try:
            for i in range(30):
                if i % 3 == 0:
                    value = f"t{index}-{i}"
                    got = client.call("me.set_preference", key="dashboard", value=value)
                    assert got == {"dashboard": value}
                elif i % 3 == 1:
                    assert client.call("me.whoami").login == "demo.student2"
                else:
                    assert client.call("system.ping").version
        except Exception as exc:  # reported below, with the thread that saw it
            errors.append(f"thread {index}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        client.close()
    assert not errors, errors
    assert client.reconnects == 0


def _add_notification(url: str, login: str, marker: str) -> None:
    hub = open_hub(url)
    with transaction(hub.sessions) as session:
        user_id = hub._authenticate(session, login).user_id
        session.add(Notification(user_id=user_id, kind="job.finished", payload={"marker": marker}))


def test_notifications_arrive_while_calls_keep_the_connection_busy(
        ssh_centre_sqlite: SshCentre) -> None:
    client = _client(ssh_centre_sqlite, "demo.instructor")
    got: list[dict[str, Any]] = []
    arrived = threading.Event()

    def on_event(payload: dict[str, Any]) -> None:
        got.append(payload)
        arrived.set()

    client.subscribe(on_event)
    try:
        client.call("system.ping")
        time.sleep(0.3)  # the server takes its notification baseline when the channel opens
        marker = uuid.uuid4().hex
        _add_notification(ssh_centre_sqlite.url, "demo.instructor", marker)
        deadline = time.monotonic() + 15
        while not arrived.is_set() and time.monotonic() < deadline:
            client.call("system.ping")  # never idle for long
        assert arrived.wait(5), "no notification arrived while busy"
        assert any(p["payload"]["marker"] == marker for p in got)
        # And while idle.
        arrived.clear()
        marker = uuid.uuid4().hex
        _add_notification(ssh_centre_sqlite.url, "demo.instructor", marker)
        assert arrived.wait(15), "no notification arrived while idle"
        assert any(p["payload"]["marker"] == marker for p in got)
    finally:
        client.close()


def test_closing_wakes_a_call_waiting_for_its_answer(ssh_centre_sqlite: SshCentre) -> None:
    client = _client(ssh_centre_sqlite, "demo.engineer")
    client.call("system.ping")
    outcome: list[BaseException | None] = []

    def slow_write() -> None:
        try:
            client.call("me.set_preference", key="theme", value="closing", timeout=60)
            outcome.append(None)
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)

    holder = sqlite3.connect(ssh_centre_sqlite.url.removeprefix("sqlite:///"),
                             isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write waits for the database lock
    try:
        caller = threading.Thread(target=slow_write)
        caller.start()
        time.sleep(0.5)
        started = time.monotonic()
        client.close()
        caller.join(timeout=20)
        assert not caller.is_alive(), "close() left the call waiting"
        assert time.monotonic() - started < 10
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert outcome and isinstance(outcome[0], ConnectionLost)
    with pytest.raises(ConnectionLost):
        client.call("system.ping")
