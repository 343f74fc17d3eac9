from __future__ import annotations

import threading
from pathlib import Path

import pytest

from core.accounts import parse_public_key
from core.errors import Conflict, InvalidInput
from hub import authorized_keys
from tests.support.services import write_keypair


def test_add_keeps_other_lines_and_refuses_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "authorized_keys"
    other = write_keypair(tmp_path / "other")
    path.write_text(f"# the admin's own key\n{other}\n")
    key = parse_public_key(write_keypair(tmp_path / "user"))
    line = authorized_keys.add(path, "/opt/cc/bin/chipcommons-hub --db sqlite:////srv/c.db",
                               "demo.student", key)
    assert line.startswith('command="/opt/cc/bin/chipcommons-hub --db sqlite:////srv/c.db '
                           'serve --user demo.student --key SHA256:')
    assert '",restrict ssh-ed25519 ' in line
    lines = path.read_text().splitlines()
    assert lines[:2] == ["# the admin's own key", other] and lines[2] == line
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(Conflict):
        authorized_keys.add(path, "hub", "someone.else", key)
    with pytest.raises(Conflict):  # the admin's plain key is refused too
        authorized_keys.add(path, "hub", "x", parse_public_key(other))
    assert authorized_keys.remove(path, key.fingerprint) == 1
    assert path.read_text().splitlines() == ["# the admin's own key", other]


def test_concurrent_adds_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "authorized_keys"
    keys = [parse_public_key(write_keypair(tmp_path / f"k{i}")) for i in range(12)]
    threads = [threading.Thread(target=authorized_keys.add, args=(path, "hub", f"u{i}", k))
               for i, k in enumerate(keys)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(path.read_text().splitlines()) == 12


def test_hostile_serve_command_is_refused(tmp_path: Path) -> None:
    key = parse_public_key(write_keypair(tmp_path / "k"))
    with pytest.raises(InvalidInput):
        authorized_keys.add(tmp_path / "ak", 'hub" ,no-restrict', "demo.student", key)


def test_bad_public_keys(tmp_path: Path) -> None:
    for text in ("", "ssh-ed25519", "ssh-dss AAAAB3NzaC1kc3MAAACBAP", "ssh-ed25519 !!!notbase64"):
        with pytest.raises(InvalidInput):
            parse_public_key(text)
