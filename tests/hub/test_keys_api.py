"""SSH-key administration through the Hub: every user keeps their own keys, admins anyone's;
validated, audited, and mirrored into the service account's authorized_keys when configured."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from core import accounts
from core.db import transaction
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.api import Hub
from hub.authorized_keys import forced_command
from hub.clients.local import LocalHub
from tests.support.services import write_keypair

KEY_METHODS = ("me.keys", "me.add_key", "me.revoke_key", "admin.keys", "admin.add_key",
               "admin.revoke_key")


def _audit(hub: Hub, action: str) -> list[dict[str, object]]:
    rows = hub.call("demo.admin", "admin.audit", {"limit": 50})
    return [r for r in rows if r["action"] == action]


def test_key_methods_are_in_the_role_table(demo_hub: Hub) -> None:
    for name in KEY_METHODS:
        spec = Hub.METHODS[name]
        if name.startswith("admin."):
            assert spec.roles == {"admin"}
        else:
            assert spec.roles >= {"student", "engineer", "instructor", "admin"}


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa", "rsa"])
def test_a_user_adds_lists_and_revokes_their_key(demo_hub: Hub, tmp_path: Path,
                                                kind: str) -> None:
    line = write_keypair(tmp_path / "k", kind)
    fingerprint = accounts.parse_public_key(line).fingerprint
    added = demo_hub.call("demo.student", "me.add_key", {"key": line + "\n"})
    assert added["fingerprint"] == fingerprint and added["login"] == "demo.student"
    assert added["revoked_at"] is None
    mine = demo_hub.call("demo.student", "me.keys")
    assert [k["fingerprint"] for k in mine] == [fingerprint]
    assert demo_hub.call("demo.engineer", "me.keys") == []
    revoked = demo_hub.call("demo.student", "me.revoke_key", {"fingerprint": fingerprint})
    assert revoked["revoked_at"] is not None
    with transaction(demo_hub.sessions, write=False) as session:
        assert not accounts.key_is_active(session, fingerprint)
    [entry] = _audit(demo_hub, "user.key_add")
    assert entry["actor"] == "demo.student" and entry["target"] == "demo.student"
    assert entry["after"]["fingerprint"] == fingerprint  # type: ignore[index]
    assert _audit(demo_hub, "user.key_revoke")


def test_keys_decode_as_key_info_through_the_client(demo_hub: Hub, tmp_path: Path) -> None:
    client = LocalHub(demo_hub, "demo.engineer")
    try:
        info = client.call("me.add_key", key=write_keypair(tmp_path / "k"))
        assert isinstance(info, accounts.KeyInfo) and info.active
        [listed] = client.call("me.keys")
        assert listed == info
    finally:
        client.close()


def test_a_user_cannot_touch_another_users_key(demo_hub: Hub, tmp_path: Path) -> None:
    line = write_keypair(tmp_path / "k")
    fingerprint = demo_hub.call("demo.engineer", "me.add_key", {"key": line})["fingerprint"]
    with pytest.raises(NotFound):
        demo_hub.call("demo.student", "me.revoke_key", {"fingerprint": fingerprint})
    for method, params in (("admin.keys", {}), ("admin.add_key", {"login": "demo.student",
                                                                  "key": line}),
                           ("admin.revoke_key", {"fingerprint": fingerprint})):
        with pytest.raises(Forbidden):
            demo_hub.call("demo.student", method, params)
        with pytest.raises(Forbidden):
            demo_hub.call("demo.instructor", method, params)
    assert demo_hub.call("demo.engineer", "me.keys")[0]["revoked_at"] is None


def test_an_admin_administers_anyones_keys(demo_hub: Hub, tmp_path: Path) -> None:
    one = write_keypair(tmp_path / "one")
    two = write_keypair(tmp_path / "two", "ecdsa")
    demo_hub.call("demo.admin", "admin.add_key", {"login": "demo.student", "key": one})
    demo_hub.call("demo.admin", "admin.add_key", {"login": "demo.engineer", "key": two})
    every = demo_hub.call("demo.admin", "admin.keys")
    assert {k["login"] for k in every} == {"demo.student", "demo.engineer"}
    [student] = demo_hub.call("demo.admin", "admin.keys", {"login": "demo.student"})
    done = demo_hub.call("demo.admin", "admin.revoke_key",
                         {"fingerprint": student["fingerprint"]})
    assert done["revoked_at"] is not None
    [entry] = _audit(demo_hub, "user.key_revoke")
    assert entry["actor"] == "demo.admin" and entry["target"] == "demo.student"
    with pytest.raises(NotFound):
        demo_hub.call("demo.admin", "admin.keys", {"login": "nobody.here"})
    with pytest.raises(NotFound):
        demo_hub.call("demo.admin", "admin.add_key", {"login": "nobody.here", "key": one})
    with pytest.raises(NotFound):
        demo_hub.call("demo.admin", "admin.revoke_key", {"fingerprint": "SHA256:nothing"})


def test_duplicate_and_revoked_keys_are_refused(demo_hub: Hub, tmp_path: Path) -> None:
    line = write_keypair(tmp_path / "k")
    demo_hub.call("demo.engineer", "me.add_key", {"key": line})
    with pytest.raises(Conflict, match="already registered"):
        demo_hub.call("demo.student", "me.add_key", {"key": line})
    fingerprint = accounts.parse_public_key(line).fingerprint
    demo_hub.call("demo.engineer", "me.revoke_key", {"fingerprint": fingerprint})
    with pytest.raises(Conflict, match="revoked"):
        demo_hub.call("demo.engineer", "me.add_key", {"key": line})


def _rsa_line(bits: int) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                         serialization.PublicFormat.OpenSSH).decode()


@pytest.mark.parametrize("text, message", [
    ("", "not an OpenSSH public key"),
    ("ssh-dss AAAAB3NzaC1kc3MAAACBAP comment", "not accepted"),
    ("ssh-ed25519 not-base64!", "does not decode"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n"
     "-----END OPENSSH PRIVATE KEY-----", "private key"),
    ("RSA1024", "too weak"),
    ("INJECT", "one public key line"),
    ("TAB", "control characters"),
])
def test_bad_key_text_is_refused(demo_hub: Hub, tmp_path: Path, text: str,
                                 message: str) -> None:
    good = write_keypair(tmp_path / "k")
    text = {"RSA1024": _rsa_line(1024),
            # a newline in the comment would give a second, unrestricted authorized_keys line
            "INJECT": good + ' x\nssh-ed25519 ' + good.split()[1] + " attacker",
            "TAB": good + " a\tb"}.get(text, text)
    with pytest.raises(InvalidInput, match=message):
        demo_hub.call("demo.student", "me.add_key", {"key": text})
    assert demo_hub.call("demo.student", "me.keys") == []


def test_authorized_keys_follows_the_hub_when_configured(demo_hub: Hub,
                                                         tmp_path: Path) -> None:
    path = tmp_path / "service" / "authorized_keys"
    prefix = "/opt/chipcommons/bin/chipcommons-hub --db postgresql://centre/cc"
    demo_hub.settings.update(authorized_keys=str(path), serve_command=prefix)
    path.parent.mkdir()
    path.write_text("# the service account's keys\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE"
                    "operator-key-kept-as-it-is operator@host\n")
    line = write_keypair(tmp_path / "k")
    key = accounts.parse_public_key(line)
    demo_hub.call("demo.student", "me.add_key", {"key": line})
    text = path.read_text()
    expected = f'command="{forced_command(prefix, "demo.student", key.fingerprint)}",restrict '
    assert expected + key.openssh in text.splitlines()
    assert "operator-key-kept-as-it-is" in text
    assert (path.stat().st_mode & 0o777) == 0o600
    demo_hub.call("demo.admin", "admin.revoke_key", {"fingerprint": key.fingerprint})
    text = path.read_text()
    assert key.key_data not in text and "operator-key-kept-as-it-is" in text


def test_the_forced_command_prefix_is_taken_from_the_files_lines(demo_hub: Hub,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "authorized_keys"
    demo_hub.settings["authorized_keys"] = str(path)
    first = accounts.parse_public_key(write_keypair(tmp_path / "a"))
    prefix = "/srv/cc/chipcommons-hub --db sqlite:////srv/cc/centre.sqlite3"
    path.write_text(f'command="{forced_command(prefix, "demo.engineer", first.fingerprint)}",'
                    f"restrict {first.openssh}\n")
    line = write_keypair(tmp_path / "b")
    demo_hub.call("demo.student", "me.add_key", {"key": line})
    [added] = [row for row in path.read_text().splitlines() if "demo.student" in row]
    assert added.startswith(f'command="{prefix} serve --user demo.student --key SHA256:')


def test_a_key_already_in_the_file_rolls_the_registration_back(demo_hub: Hub,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "authorized_keys"
    line = write_keypair(tmp_path / "k")
    path.write_text(line + "\n")  # put there by hand, not known to the database
    demo_hub.settings["authorized_keys"] = str(path)
    with pytest.raises(Conflict, match="already in"):
        demo_hub.call("demo.student", "me.add_key", {"key": line})
    assert demo_hub.call("demo.student", "me.keys") == []
    assert path.read_text() == line + "\n"


def test_without_a_configured_file_the_database_is_the_record(demo_hub: Hub, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    monkeypatch.delenv("CHIPCOMMONS_AUTHORIZED_KEYS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    demo_hub.call("demo.student", "me.add_key", {"key": write_keypair(tmp_path / "k")})
    assert not (tmp_path / ".ssh").exists()


def test_concurrent_additions_keep_every_line(demo_hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "authorized_keys"
    demo_hub.settings.update(authorized_keys=str(path), serve_command="chipcommons-hub")
    lines = [write_keypair(tmp_path / f"k{i}") for i in range(6)]
    errors: list[BaseException] = []

    def add(line: str) -> None:
        try:
            demo_hub.call("demo.engineer", "me.add_key", {"key": line})
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(line,)) for line in lines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    text = path.read_text()
    assert all(line.split()[1] in text for line in lines)
    assert len(demo_hub.call("demo.engineer", "me.keys")) == 6


def test_over_ssh_the_service_accounts_own_file_is_kept_once_it_has_forced_lines(
        demo_hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHIPCOMMONS_AUTHORIZED_KEYS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SSH_CONNECTION", "192.0.2.7 50000 192.0.2.1 22")
    own = tmp_path / ".ssh" / "authorized_keys"
    own.parent.mkdir()
    own.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIoperator operator@host\n")
    first = write_keypair(tmp_path / "a")
    demo_hub.call("demo.student", "me.add_key", {"key": first})
    assert first.split()[1] not in own.read_text()  # not the centre's file: left alone
    prefix = "/srv/cc/bin/chipcommons-hub --db sqlite:////srv/cc/c.sqlite3"
    held = accounts.parse_public_key(write_keypair(tmp_path / "b"))
    own.write_text(f'command="{forced_command(prefix, "demo.admin", held.fingerprint)}",'
                   f"restrict {held.openssh}\n")
    second = write_keypair(tmp_path / "c")
    demo_hub.call("demo.engineer", "me.add_key", {"key": second})
    [line] = [row for row in own.read_text().splitlines() if second.split()[1] in row]
    assert line.startswith(f'command="{prefix} serve --user demo.engineer --key SHA256:')
