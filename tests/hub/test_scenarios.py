"""The same scenarios through both clients (in-process and SSH) on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.errors import Conflict, Forbidden, InvalidInput
from tests.conftest import Connector


def test_whoami_and_clock(connect_as: Connector) -> None:
    client = connect_as("demo.engineer")
    me = client.call("me.whoami")
    assert me.login == "demo.engineer" and me.roles == ("engineer",)
    assert me.org_kind == "startup" and "홍길동" in me.name_ko
    pong = client.call("system.ping")
    assert abs(pong.server_time - datetime.now(UTC)) < timedelta(seconds=30)
    assert client.login == "demo.engineer"


def test_a_retried_write_is_applied_once(connect_as: Connector) -> None:
    admin = connect_as("demo.admin")
    code = f"org-{uuid.uuid4().hex[:8]}"
    rid = uuid.uuid4().hex
    first = admin.call("admin.add_org", code=code, name_en="Retry Test (fictional)",
                       kind="startup", request_id=rid)
    again = admin.call("admin.add_org", code=code, name_en="Retry Test (fictional)",
                       kind="startup", request_id=rid)
    assert first == again
    with pytest.raises(Conflict):
        admin.call("admin.add_org", code=code, name_en="x", kind="startup")
    audit = admin.call("admin.audit", actor="demo.admin")
    assert sum(1 for a in audit if a["action"] == "org.add" and a["target"] == code) == 1


def test_admin_manages_users_and_the_role_check_holds(connect_as: Connector) -> None:
    admin = connect_as("demo.admin")
    login = f"u{uuid.uuid4().hex[:8]}"
    info = admin.call("admin.add_user", login=login, org="hanbit-tech", roles=["student"],
                      name_en="Test Student (fictional)", name_ko="시험 학생")
    assert info.roles == ("student",)
    assert login in {u.login for u in admin.call("admin.users")}
    student = connect_as("demo.student")
    with pytest.raises(Forbidden):
        student.call("admin.add_user", login="x" + login, org="hanbit-tech", roles=["admin"])
    with pytest.raises(InvalidInput):
        admin.call("admin.add_user", login="Bad Login!", org="hanbit-tech", roles=["student"])


def test_preferences_round_trip_unicode(connect_as: Connector) -> None:
    client = connect_as("demo.student")
    client.call("me.set_preference", key="language", value="ko")
    client.call("me.set_preference", key="dashboard", value="랩 3: 데이터플로 탐색")
    prefs = client.call("me.preferences")
    assert prefs["language"] == "ko" and prefs["dashboard"] == "랩 3: 데이터플로 탐색"


def test_notifications_are_pushed_on_the_open_channel(connect_as: Connector) -> None:
    from core.db import transaction
    from hub.centre import open_hub
    from hub.models import Notification

    client = connect_as("demo.engineer2")
    if hasattr(client, "start_notifications"):
        client.start_notifications(poll_seconds=0.2)
    got: list[dict[str, Any]] = []
    arrived = threading.Event()

    def on_event(payload: dict[str, Any]) -> None:
        got.append(payload)
        arrived.set()

    client.subscribe(on_event)
    client.call("system.ping")
    time.sleep(0.3)  # the server takes its notification baseline when the channel opens
    hub = open_hub(connect_as.url)
    marker = uuid.uuid4().hex
    with transaction(hub.sessions) as session:
        user_id = hub._authenticate(session, "demo.engineer2").user_id
        session.add(Notification(user_id=user_id, kind="seat.granted",
                                 payload={"marker": marker}))
    assert arrived.wait(10), "no notification arrived"
    assert any(p["kind"] == "seat.granted" and p["payload"]["marker"] == marker for p in got)
    history = client.call("notifications.since", after_id=0)
    assert any(n.payload.get("marker") == marker for n in history)
