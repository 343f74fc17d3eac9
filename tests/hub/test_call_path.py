"""The per-call checks stay per call: a user disabled or a key revoked while a connection is open
is refused on the very next call; request ids replay only the call they were made for; the
server pushes notifications even while the channel is never idle."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete

from core import accounts
from core.db import transaction
from core.errors import AccountDisabled, Forbidden, InvalidInput, Unauthenticated
from core.models.accounts import UserRole
from hub.api import Hub
from hub.centre import init_centre, open_hub
from hub.cli import admin
from hub.clients.base import HubClient
from hub.clients.remote import RemoteHub, SshTarget
from hub.models import Notification
from hub.rpc import Dispatcher
from hub.server import serve
from tests.conftest import Connector
from tests.support.services import write_keypair


def _new_user(connect_as: Connector, tmp_path: Path) -> tuple[HubClient, str]:
    """A fresh engineer (so the shared demo centre is left as it was) and a client for them
    over the connector's transport."""
    login = f"cp{uuid.uuid4().hex[:8]}"
    centre = connect_as.centre
    key = tmp_path / f"{login}_ed25519"
    write_keypair(key)
    rc = admin.main(["--db", centre.url, "user", "add", login, "--role", "engineer",
                     "--org", "neurosilicon", "--key", f"{key}.pub",
                     "--authorized-keys", str(centre.sshd.authorized_keys),
                     "--serve-command", centre.serve_prefix()])
    assert rc == 0
    if connect_as.transport == "local":
        return connect_as(login), login  # type: ignore[return-value]
    remote = RemoteHub(SshTarget("127.0.0.1", centre.sshd.user, centre.sshd.port, key),
                       known_hosts=centre.known_hosts, timeout=30)
    connect_as.opened.append(remote)
    return remote, login


def test_a_user_disabled_while_connected_is_refused_on_the_next_call(
        connect_as: Connector, tmp_path: Path) -> None:
    client, login = _new_user(connect_as, tmp_path)
    assert client.call("me.whoami").login == login
    administrator: Any = connect_as("demo.admin")
    administrator.call("admin.set_user_disabled", login=login)
    with pytest.raises(AccountDisabled):
        client.call("system.ping")
    with pytest.raises(AccountDisabled):
        client.call("me.set_preference", key="theme", value="dark")
    administrator.call("admin.set_user_disabled", login=login, disabled=False)
    assert client.call("system.ping").version


def test_a_role_taken_away_while_connected_is_refused_on_the_next_call(
        connect_as: Connector, tmp_path: Path) -> None:
    client, login = _new_user(connect_as, tmp_path)
    assert client.call("me.whoami").login == login
    with transaction(open_hub(connect_as.url).sessions) as session:
        user = accounts.get_user(session, login)
        session.execute(delete(UserRole).where(UserRole.user_id == user.id))
    with pytest.raises(Forbidden):
        client.call("system.ping")


@pytest.fixture
def centre_hub(db_url: str) -> Hub:
    return init_centre(db_url, with_demo=True)


def _ask(dispatcher: Dispatcher, method: str, params: dict[str, Any] | None = None,
         **extra: Any) -> dict[str, Any]:
    line = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {},
                       **extra}).encode()
    answer = dispatcher.handle_line(line)
    assert answer is not None
    decoded: dict[str, Any] = json.loads(answer)
    return decoded


def test_a_key_revoked_while_connected_is_refused_on_the_next_call(centre_hub: Hub,
                                                                   tmp_path: Path) -> None:
    key = accounts.parse_public_key(write_keypair(tmp_path / "k"))
    with transaction(centre_hub.sessions) as session:
        accounts.add_key(session, accounts.get_user(session, "demo.engineer"), key)
    dispatcher = Dispatcher(centre_hub, "demo.engineer", key=key.fingerprint)
    assert "result" in _ask(dispatcher, "system.ping")
    centre_hub.call("demo.admin", "admin.revoke_key", {"fingerprint": key.fingerprint})
    for method in ("system.ping", "me.whoami"):
        answer = _ask(dispatcher, method)
        assert answer["error"]["data"]["type"] == Unauthenticated.code
        assert "revoked" in answer["error"]["message"]
    # Another user's key is no key of this user's either.
    other = accounts.parse_public_key(write_keypair(tmp_path / "o"))
    with transaction(centre_hub.sessions) as session:
        accounts.add_key(session, accounts.get_user(session, "demo.student"), other)
    answer = _ask(Dispatcher(centre_hub, "demo.engineer", key=other.fingerprint), "system.ping")
    assert answer["error"]["data"]["type"] == Unauthenticated.code


def test_a_request_id_replays_only_its_own_call(centre_hub: Hub) -> None:
    rid = uuid.uuid4().hex
    first = centre_hub.call("demo.engineer", "me.set_preference",
                            {"key": "theme", "value": "dark"}, request_id=rid)
    again = centre_hub.call("demo.engineer", "me.set_preference",
                            {"key": "theme", "value": "light"}, request_id=rid)
    assert first == again == {"theme": "dark"}
    assert centre_hub.call("demo.engineer", "me.preferences", {}) == {"theme": "dark"}
    with pytest.raises(InvalidInput, match="different call"):
        centre_hub.call("demo.engineer", "me.add_key", {"key": "x"}, request_id=rid)
    # The same id is another user's own: it is not a replay for them.
    theirs = centre_hub.call("demo.student", "me.set_preference",
                             {"key": "theme", "value": "light"}, request_id=rid)
    assert theirs == {"theme": "light"}
    # Checks come before the replay: a disabled user's replay is refused, not answered.
    centre_hub.call("demo.admin", "admin.set_user_disabled", {"login": "demo.engineer"})
    with pytest.raises(AccountDisabled):
        centre_hub.call("demo.engineer", "me.set_preference",
                        {"key": "theme", "value": "dark"}, request_id=rid)


def test_notifications_are_pushed_while_the_channel_is_busy(tmp_path: Path) -> None:
    hub = init_centre(f"sqlite:///{tmp_path / 'busy.sqlite3'}", with_demo=True)
    to_server_r, to_server_w = os.pipe()
    from_server_r, from_server_w = os.pipe()
    stdin = os.fdopen(to_server_r, "rb", buffering=0)
    stdout = os.fdopen(from_server_w, "wb")
    server = threading.Thread(target=serve, args=(hub, "demo.engineer"),
                              kwargs={"stdin": stdin, "stdout": stdout, "poll_seconds": 0.1},
                              daemon=True)
    server.start()
    answers = os.fdopen(from_server_r, "rb")
    marker = uuid.uuid4().hex
    seen_notification = False
    try:
        ping = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "system.ping",
                           "params": {}}).encode() + b"\n"
        os.write(to_server_w, ping)
        assert "result" in json.loads(answers.readline())
        with transaction(hub.sessions) as session:
            user_id = hub._authenticate(session, "demo.engineer").user_id
            session.add(Notification(user_id=user_id, kind="seat.granted",
                                     payload={"marker": marker}))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not seen_notification:
            os.write(to_server_w, ping)  # never idle: a new request right after each answer
            while True:
                message = json.loads(answers.readline())
                if message.get("method") == "notify":
                    seen_notification = message["params"]["payload"]["marker"] == marker
                    continue
                assert "result" in message
                break
    finally:
        os.close(to_server_w)
        server.join(timeout=10)
        answers.close()
        stdin.close()
        stdout.close()
    assert seen_notification
    assert not server.is_alive()
