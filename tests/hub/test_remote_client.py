"""RemoteHub against a real sshd: host keys, key types, ProxyJump, reconnects."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from core.errors import Conflict
from hub.cli import admin
from hub.clients.remote import (
    AuthenticationFailed,
    HostKeyChanged,
    RemoteHub,
    SshTarget,
    UnknownHostKey,
    open_ssh,
)
from tests.conftest import SshCentre
from tests.support.services import write_keypair


def _target(centre: SshCentre, login: str = "demo.engineer") -> SshTarget:
    return SshTarget("127.0.0.1", centre.sshd.user, centre.sshd.port, centre.keys[login])


def test_unknown_host_is_refused_until_its_fingerprint_is_accepted(
        ssh_centre_sqlite: SshCentre, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    with pytest.raises(UnknownHostKey) as caught:
        RemoteHub(_target(ssh_centre_sqlite), known_hosts=known)
    fp = caught.value.data["fingerprint"]
    assert fp.startswith("SHA256:") and not known.exists()
    with pytest.raises(UnknownHostKey):
        RemoteHub(_target(ssh_centre_sqlite), known_hosts=known,
                  accept_fingerprint="SHA256:" + "A" * 43)
    client = RemoteHub(_target(ssh_centre_sqlite), known_hosts=known, accept_fingerprint=fp)
    try:
        assert client.call("me.whoami").login == "demo.engineer"
    finally:
        client.close()
    assert f"[127.0.0.1]:{ssh_centre_sqlite.sshd.port}" in known.read_text()
    again = RemoteHub(_target(ssh_centre_sqlite), known_hosts=known)  # now known: no question
    again.close()


def test_changed_host_key_is_a_loud_refusal(ssh_centre_sqlite: SshCentre,
                                            tmp_path: Path) -> None:
    other = write_keypair(tmp_path / "other_host_key")
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{ssh_centre_sqlite.sshd.port} {other}\n")
    with pytest.raises(HostKeyChanged) as caught:
        RemoteHub(_target(ssh_centre_sqlite), known_hosts=known)
    assert "WARNING" in caught.value.message and "changed" in caught.value.message


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa", "rsa"])
def test_key_types(ssh_centre_sqlite: SshCentre, tmp_path: Path, kind: str) -> None:
    centre = ssh_centre_sqlite
    login = f"k{kind}{uuid.uuid4().hex[:6]}"
    key = tmp_path / f"id_{kind}"
    write_keypair(key, kind)
    rc = admin.main(["--db", centre.url, "user", "add", login, "--role", "engineer",
                     "--org", "neurosilicon", "--key", f"{key}.pub",
                     "--authorized-keys", str(centre.sshd.authorized_keys),
                     "--serve-command", centre.serve_prefix()])
    assert rc == 0
    client = RemoteHub(SshTarget("127.0.0.1", centre.sshd.user, centre.sshd.port, key),
                       known_hosts=centre.known_hosts)
    try:
        assert client.call("me.whoami").login == login
    finally:
        client.close()


def test_unregistered_key_is_refused(ssh_centre_sqlite: SshCentre, tmp_path: Path) -> None:
    key = tmp_path / "stranger"
    write_keypair(key)
    with pytest.raises(AuthenticationFailed):
        RemoteHub(SshTarget("127.0.0.1", ssh_centre_sqlite.sshd.user,
                            ssh_centre_sqlite.sshd.port, key),
                  known_hosts=ssh_centre_sqlite.known_hosts)


def test_proxy_jump(ssh_centre_sqlite: SshCentre, tmp_path: Path) -> None:
    centre = ssh_centre_sqlite
    jump_key = tmp_path / "jump"
    line = write_keypair(jump_key)
    with centre.sshd.authorized_keys.open("a") as handle:
        handle.write(f'restrict,port-forwarding,permitopen="127.0.0.1:{centre.sshd.port}",'
                     f'command="/bin/false" {line}\n')
    jump = SshTarget("127.0.0.1", centre.sshd.user, centre.sshd.port, jump_key)
    client = RemoteHub(_target(centre), known_hosts=centre.known_hosts, jump=jump)
    try:
        assert client.call("me.whoami").login == "demo.engineer"
    finally:
        client.close()


def _serve_pids(login: str) -> list[int]:
    out = subprocess.run(["pgrep", "-f", f"serve --user {login} "], capture_output=True,
                         text=True).stdout
    return [int(p) for p in out.split()]


def test_reconnects_after_the_server_dies_and_applies_a_retry_once(
        ssh_centre_sqlite: SshCentre) -> None:
    centre = ssh_centre_sqlite
    client = RemoteHub(_target(centre, "demo.admin"), known_hosts=centre.known_hosts)
    try:
        client.call("system.ping")
        code = f"rc-{uuid.uuid4().hex[:8]}"
        rid = uuid.uuid4().hex
        client.call("admin.add_org", code=code, name_en="Reconnect (fictional)",
                    kind="company", request_id=rid)
        for pid in _serve_pids("demo.admin"):
            os.kill(pid, signal.SIGKILL)
        # The connection is gone; the client reconnects and resends with the same request id.
        again = client.call("admin.add_org", code=code, name_en="Reconnect (fictional)",
                            kind="company", request_id=rid)
        assert again.code == code
        assert client.reconnects >= 1
        with pytest.raises(Conflict):
            client.call("admin.add_org", code=code, name_en="x", kind="company")
    finally:
        client.close()


def test_the_connection_prefers_aes_gcm(ssh_centre_sqlite: SshCentre) -> None:
    client = open_ssh(_target(ssh_centre_sqlite), known_hosts=ssh_centre_sqlite.known_hosts)
    try:
        transport = client.get_transport()
        assert transport is not None
        assert transport.local_cipher == transport.remote_cipher == "aes128-gcm@openssh.com"
    finally:
        client.close()
