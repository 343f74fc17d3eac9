"""The service account's ``authorized_keys``: one forced-command line per user key.

Each line reads ``command="<hub> serve --user NAME --key SHA256:…",restrict <type> <key> <comment>``
(gitolite's pattern): sshd authenticates the key and runs only the hub's RPC server as that user.
Writes are atomic (temporary file, fsync, rename) under an exclusive lock, and keep every other
line as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shlex
import tempfile
from collections.abc import Iterator
from pathlib import Path

from core.accounts import ALLOWED_KEY_TYPES, PublicKey, parse_public_key
from core.errors import Conflict, InvalidInput, NotFound


def default_path() -> Path:
    env = os.environ.get("CHIPCOMMONS_AUTHORIZED_KEYS")
    return Path(env) if env else Path.home() / ".ssh" / "authorized_keys"


def forced_command(serve_prefix: str, login: str, fingerprint: str) -> str:
    command = f"{serve_prefix} serve --user {shlex.quote(login)} --key {fingerprint}"
    if any(ch in command for ch in '"\n\r\\'):
        raise InvalidInput("the serve command may not contain quotes, backslashes or newlines")
    return command


def key_line(serve_prefix: str, login: str, key: PublicKey) -> str:
    command = forced_command(serve_prefix, login, key.fingerprint)
    return f'command="{command}",restrict {key.openssh}'


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _key_of(line: str) -> tuple[str, str] | None:
    """The ``(type, base64)`` key of an authorized_keys line, whatever options precede it."""
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    try:
        parts = shlex.split(line, posix=True)
    except ValueError:
        parts = line.split()
    for i, part in enumerate(parts[:-1]):
        if part in ALLOWED_KEY_TYPES:
            return part, parts[i + 1]
    return None


def _write_atomic(path: Path, lines: list[str]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".authorized_keys.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write("".join(line if line.endswith("\n") else line + "\n" for line in lines))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def add(path: Path, serve_prefix: str, login: str, key: PublicKey) -> str:
    """Append the forced-command line for ``login``'s key; refuse a key already present."""
    line = key_line(serve_prefix, login, key)
    with _locked(path):
        lines = path.read_text().splitlines() if path.exists() else []
        for existing in lines:
            found = _key_of(existing)
            if found is not None and found[1] == key.key_data:
                raise Conflict(f"this key ({key.fingerprint}) is already in {path}",
                               fingerprint=key.fingerprint)
        _write_atomic(path, [*lines, line])
    return line


def remove(path: Path, fingerprint: str) -> int:
    """Remove every line carrying the key with ``fingerprint``; returns how many."""
    with _locked(path):
        if not path.exists():
            raise NotFound(f"{path} does not exist")
        lines = path.read_text().splitlines()
        kept: list[str] = []
        removed = 0
        for line in lines:
            found = _key_of(line)
            if found is not None:
                try:
                    fp = parse_public_key(f"{found[0]} {found[1]}").fingerprint
                except InvalidInput:
                    fp = ""
                if fp == fingerprint:
                    removed += 1
                    continue
            kept.append(line)
        if removed:
            _write_atomic(path, kept)
        return removed
