"""Every kind of bad input gets a JSON-RPC error or a clean exit, and the database stays
consistent."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core import accounts
from core.db import transaction
from core.errors import AccountDisabled, DatabaseUnavailable, Unauthenticated
from hub.api import Hub
from hub.clients.remote import RemoteHub, SshTarget
from hub.rpc import MAX_REQUEST_BYTES, Dispatcher
from tests.conftest import SshCentre

HUB = str(Path(sys.executable).with_name("chipcommons-hub"))


def _serve(url: str, user: str, lines: list[bytes], *, env: dict[str, str] | None = None,
           extra: list[str] | None = None) -> tuple[list[dict[str, object]], int, str]:
    data = b"".join(line if line.endswith(b"\n") else line + b"\n" for line in lines)
    proc = subprocess.run([HUB, "--db", url, "serve", "--user", user, *(extra or [])],
                          input=data, capture_output=True, timeout=60,
                          env={**os.environ, **(env or {})})
    answers = [json.loads(x) for x in proc.stdout.splitlines() if x.strip()]
    return answers, proc.returncode, proc.stderr.decode()


def _req(method: str, params: object = None, call_id: object = 1, **extra: object) -> bytes:
    body: dict[str, object] = {"jsonrpc": "2.0", "id": call_id, "method": method,
                               "params": {} if params is None else params, **extra}
    return json.dumps(body).encode()


@pytest.fixture
def url(demo_hub: Hub) -> str:
    return str(demo_hub.settings["db_url"])


def test_malformed_json(url: str) -> None:
    answers, rc, _ = _serve(url, "demo.engineer", [b"{not json", _req("system.ping", call_id=2)])
    assert answers[0]["error"]["code"] == -32700  # type: ignore[index]
    assert "malformed JSON" in answers[0]["error"]["message"]  # type: ignore[index]
    assert answers[1]["id"] == 2 and "result" in answers[1]
    assert rc == 0


def test_request_over_8_mib_is_refused_and_the_next_one_served(url: str) -> None:
    huge = _req("me.set_preference", {"key": "theme", "value": "x" * (MAX_REQUEST_BYTES + 10)})
    answers, _, _ = _serve(url, "demo.engineer", [huge, _req("system.ping", call_id=9)])
    assert answers[0]["error"]["code"] == -32600  # type: ignore[index]
    assert "larger than" in answers[0]["error"]["message"]  # type: ignore[index]
    assert answers[1]["id"] == 9 and "result" in answers[1]


def test_unknown_method(url: str) -> None:
    answers, _, _ = _serve(url, "demo.engineer", [_req("pools.explode")])
    assert answers[0]["error"]["code"] == -32601  # type: ignore[index]


def test_wrong_parameter_types(demo_hub: Hub) -> None:
    d = Dispatcher(demo_hub, "demo.engineer")
    answer = json.loads(d.handle_line(_req("me.set_preference", {"key": 5, "value": []})) or b"")
    assert answer["error"]["code"] == -32602
    fields = {e["field"] for e in answer["error"]["data"]["errors"]}
    assert fields == {"key", "value"}
    answer = json.loads(d.handle_line(_req("me.set_preference", [1, 2])) or b"")
    assert answer["error"]["code"] == -32602
    answer = json.loads(d.handle_line(_req("system.ping", {"surprise": 1})) or b"")
    assert answer["error"]["code"] == -32602


def test_not_a_request(demo_hub: Hub) -> None:
    d = Dispatcher(demo_hub, "demo.engineer")
    for line in (b"[]", b"42", b'{"jsonrpc": "1.0", "id": 1, "method": "system.ping"}',
                 b'{"jsonrpc": "2.0", "id": 1, "method": 7}'):
        answer = json.loads(d.handle_line(line) or b"")
        assert answer["error"]["code"] == -32600, line


def test_unknown_user(url: str) -> None:
    answers, _, _ = _serve(url, "nobody.here", [_req("me.whoami")])
    assert answers[0]["error"]["data"]["type"] == Unauthenticated.code  # type: ignore[index]


def test_disabled_user(demo_hub: Hub, url: str) -> None:
    demo_hub.call("demo.admin", "admin.set_user_disabled", {"login": "demo.student"},
                  request_id="disable-1")
    answers, _, _ = _serve(url, "demo.student", [_req("me.whoami")])
    assert answers[0]["error"]["data"]["type"] == AccountDisabled.code  # type: ignore[index]


def test_revoked_key_is_refused_by_the_server(demo_hub: Hub, url: str, tmp_path: Path) -> None:
    from tests.support.services import write_keypair

    line = write_keypair(tmp_path / "k")
    key = accounts.parse_public_key(line)
    with transaction(demo_hub.sessions) as session:
        accounts.add_key(session, accounts.get_user(session, "demo.engineer"), key)
        accounts.revoke_key(session, key.fingerprint)
    answers, _, _ = _serve(url, "demo.engineer", [_req("me.whoami")],
                           extra=["--key", key.fingerprint])
    assert "revoked" in answers[0]["error"]["message"]  # type: ignore[index]


def test_key_revoked_while_connected_is_refused_on_the_next_call(
        demo_hub: Hub, url: str, tmp_path: Path) -> None:
    from tests.support.services import write_keypair

    key = accounts.parse_public_key(write_keypair(tmp_path / "k"))
    with transaction(demo_hub.sessions) as session:
        accounts.add_key(session, accounts.get_user(session, "demo.engineer"), key)
    proc = subprocess.Popen([HUB, "--db", url, "serve", "--user", "demo.engineer",
                             "--key", key.fingerprint],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(_req("me.whoami", call_id=1) + b"\n")
        proc.stdin.flush()
        first = json.loads(proc.stdout.readline())
        assert first["result"]["login"] == "demo.engineer"
        with transaction(demo_hub.sessions) as session:
            accounts.revoke_key(session, key.fingerprint)
        proc.stdin.write(_req("me.whoami", call_id=2) + b"\n")
        proc.stdin.flush()
        second = json.loads(proc.stdout.readline())
        assert "revoked" in second["error"]["message"]
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
        proc.stdout.close()


def test_locked_database_gives_a_clear_error(tmp_path: Path) -> None:
    from hub.centre import init_centre

    path = tmp_path / "locked.sqlite3"
    init_centre(f"sqlite:///{path}", with_demo=True)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        answers, _, _ = _serve(f"sqlite:///{path}", "demo.engineer",
                                [_req("me.set_preference", {"key": "theme", "value": "dark"})],
                                env={"CHIPCOMMONS_SQLITE_BUSY_MS": "300"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert answers[0]["error"]["data"]["type"] == DatabaseUnavailable.code  # type: ignore[index]
    assert "locked" in answers[0]["error"]["message"]  # type: ignore[index]
    # Nothing half-written: the preference does not exist.
    answers, _, _ = _serve(f"sqlite:///{path}", "demo.engineer", [_req("me.preferences")])
    assert answers[0]["result"] == {}


def test_unreachable_database_gives_a_clear_error() -> None:
    from tests.support.services import free_port

    answers, _, _ = _serve(f"postgresql://nobody@127.0.0.1:{free_port()}/none",
                            "demo.engineer", [_req("system.ping")])
    assert answers[0]["error"]["data"]["type"] == DatabaseUnavailable.code  # type: ignore[index]


def test_client_disconnecting_mid_call_leaves_the_server_clean(url: str) -> None:
    proc = subprocess.Popen([HUB, "--db", url, "serve", "--user", "demo.engineer"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdin is not None
    proc.stdin.write(_req("me.set_preference", {"key": "theme", "value": "half"})[:30])
    proc.stdin.flush()
    proc.stdin.close()  # the client vanishes half way through a request
    assert proc.wait(timeout=30) == 0
    answers, _, _ = _serve(url, "demo.engineer", [_req("me.preferences")])
    assert answers[0]["result"] == {}


def test_client_closing_before_reading_the_answer(url: str) -> None:
    proc = subprocess.Popen([HUB, "--db", url, "serve", "--user", "demo.engineer"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdout.close()
    proc.stdin.write(_req("me.set_preference", {"key": "theme", "value": "kept"},
                          request_id="r-1") + b"\n")
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0
    answers, _, _ = _serve(url, "demo.engineer", [_req("me.preferences")])
    assert answers[0]["result"] == {"theme": "kept"}  # committed once, answer lost is fine


def test_ssh_original_command_that_is_not_rpc(ssh_centre_sqlite: SshCentre) -> None:
    import paramiko

    from hub.clients.remote import open_ssh

    centre = ssh_centre_sqlite
    target = SshTarget("127.0.0.1", centre.sshd.user, centre.sshd.port,
                       centre.keys["demo.engineer"])
    client = open_ssh(target, known_hosts=centre.known_hosts)
    try:
        for command in ("bash -i", "cat /etc/shadow"):
            _, stdout, stderr = client.exec_command(command, timeout=20)
            assert stdout.channel.recv_exit_status() == 2
            assert "only serves ChipCommons RPC" in stderr.read().decode()
        channel = client.get_transport().open_session()  # type: ignore[union-attr]
        channel.invoke_shell()
        channel.settimeout(20)
        assert channel.recv_exit_status() == 2
        assert isinstance(channel, paramiko.Channel)
    finally:
        client.close()


def test_remote_call_timeout_is_reported(ssh_centre_sqlite: SshCentre) -> None:
    from hub.clients.remote import CallTimeout

    centre = ssh_centre_sqlite
    remote = RemoteHub(SshTarget("127.0.0.1", centre.sshd.user, centre.sshd.port,
                                 centre.keys["demo.engineer"]), known_hosts=centre.known_hosts)
    try:
        # Hold the database write lock so the write blocks past the call's timeout.
        path = centre.url.removeprefix("sqlite:///")
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            started = time.monotonic()
            with pytest.raises(CallTimeout):
                remote.call("me.set_preference", key="theme", value="slow", timeout=0.5)
            assert time.monotonic() - started < 5
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert remote.call("system.ping").version
    finally:
        remote.close()
