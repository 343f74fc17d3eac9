"""Signed claims: a small JSON object signed with Ed25519, as one printable token.

Token = ``base64url(json) "." base64url(signature)``; the JSON is canonical (sorted keys, no
spaces). Used for lease tokens (``licensing.tokens``); generic so other parts can sign their own.
The private key lives in a 0600 PEM file, never in the database.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from core.errors import TokenInvalid

MAX_TOKEN_CHARS = 8192


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(claims: dict[str, Any], key: Ed25519PrivateKey) -> str:
    body = json.dumps(claims, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return f"{_b64(body)}.{_b64(key.sign(body))}"


def verify(token: str, public_key: Ed25519PublicKey) -> dict[str, Any]:
    """Return the claims if ``token`` is well formed and signed by ``public_key``."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        raise TokenInvalid("the token is malformed")
    body_text, sig_text = token.strip().split(".")
    try:
        body, sig = _unb64(body_text), _unb64(sig_text)
    except (ValueError, TypeError) as exc:
        raise TokenInvalid("the token is malformed") from exc
    try:
        public_key.verify(sig, body)
    except InvalidSignature as exc:
        raise TokenInvalid("the token's signature is not the centre's (forged or altered)") from exc
    try:
        claims = json.loads(body)
    except ValueError as exc:
        raise TokenInvalid("the token is malformed") from exc
    if not isinstance(claims, dict):
        raise TokenInvalid("the token is malformed")
    return claims


def generate_keypair(private_path: Path) -> Ed25519PublicKey:
    """Create a key pair: the private key as a 0600 PEM file, the public key beside it
    (``.pub``, also PEM). Refuses to overwrite an existing key."""
    private_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public = key.public_key()
    public_path(private_path).write_bytes(public_pem(public))
    return public


def public_path(private_path: Path) -> Path:
    return private_path.with_name(private_path.name + ".pub")


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise TokenInvalid(f"the signing key {path} is readable by others (mode {mode:o}); "
                           f"chmod 600 it")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise TokenInvalid(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(data: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise TokenInvalid("not an Ed25519 public key")
    return key


def ensure_keypair(private_path: Path) -> Ed25519PrivateKey:
    """Load the key at ``private_path``, creating the pair first if there is none."""
    if not private_path.exists():
        with contextlib.suppress(FileExistsError):  # another process made it first
            generate_keypair(private_path)
    return load_private_key(private_path)
