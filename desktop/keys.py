"""The user's own SSH key: generate an Ed25519 pair, read the public half for the admin."""

from __future__ import annotations

import getpass
import os
import socket
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core.errors import Conflict, InvalidInput


def generate_ed25519(path: Path, *, comment: str | None = None, overwrite: bool = False) -> str:
    """Write a new OpenSSH Ed25519 private key at ``path`` (mode 0600) and ``path.pub``;
    return the public key line."""
    if path.exists() and not overwrite:
        raise Conflict(f"a key already exists at {path}", path=str(path))
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    line = f"{public} {comment or default_comment()}"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(private)
    path.with_name(path.name + ".pub").write_text(line + "\n", encoding="utf-8")
    return line


def public_key_line(path: Path) -> str:
    """The OpenSSH public key line for the private key at ``path``."""
    pub = path.with_name(path.name + ".pub")
    if pub.exists():
        return pub.read_text(encoding="utf-8").strip()
    try:
        key = serialization.load_ssh_private_key(path.read_bytes(), password=None)
    except FileNotFoundError as exc:
        raise InvalidInput(f"there is no key at {path}", path=str(path)) from exc
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"{path} is not an unencrypted OpenSSH private key: {exc}",
                           path=str(path)) from exc
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    return f"{public} {default_comment()}"


def default_comment() -> str:
    return f"{getpass.getuser()}@{socket.gethostname()} (ChipCommons)"
