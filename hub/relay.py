"""The SSH side of the hub broker: where its socket is, and the relay ``serve`` becomes.

sshd runs ``chipcommons-hub serve --user NAME --key FP`` as the forced command of a user's key.
When the centre runs a broker (``chipcommons-hub broker``), that process only relays: it
connects to the broker's Unix socket (in the centre's 0700 home, itself 0600), says who sshd
authenticated (one JSON line: login and key fingerprint), waits for the broker's ``ok`` and then
copies bytes both ways until either side closes. Without a broker — no socket, a stale one, or
no answer — :func:`relay` returns None and ``serve`` answers the connection itself, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import socket
from pathlib import Path

from hub.centre import centre_home
from hub.server import write_all

HANDSHAKE_OK = b"ok\n"
HANDSHAKE_TIMEOUT = 5.0
MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes on Linux; keep a margin
CHUNK = 1 << 16


def socket_path(url: str) -> Path:
    """The broker's socket for the centre at ``url`` (one per database, in the centre's home;
    PostgreSQL centres of one account share that home, so the name carries the URL's hash)."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:12]
    return centre_home(url) / f"hub-{digest}.sock"


def relay(path: Path, login: str, key: str | None, *, stdin_fd: int = 0,
          stdout_fd: int = 1) -> int | None:
    """Relay this connection to the broker at ``path``; the exit status, or None when no broker
    answered (nothing has been read from ``stdin_fd`` then, so the caller can serve itself)."""
    if len(os.fsencode(path)) > MAX_SOCKET_PATH or not path.exists():
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(HANDSHAKE_TIMEOUT)
        sock.connect(os.fsencode(path))
        sock.sendall(json.dumps({"login": login, "key": key}).encode() + b"\n")
        answer = b""
        while not answer.endswith(b"\n") and len(answer) < len(HANDSHAKE_OK):
            part = sock.recv(len(HANDSHAKE_OK) - len(answer))
            if not part:
                break
            answer += part
    except OSError:
        sock.close()
        return None
    if answer != HANDSHAKE_OK:
        sock.close()
        return None
    sock.setblocking(True)
    try:
        return _pump(sock.fileno(), stdin_fd, stdout_fd)
    finally:
        sock.close()


def _pump(sock_fd: int, stdin_fd: int, stdout_fd: int) -> int:
    """Copy stdin → broker and broker → stdout until either side closes."""
    while True:
        ready, _, _ = select.select([stdin_fd, sock_fd], [], [])
        try:
            for source, sink in ((stdin_fd, sock_fd), (sock_fd, stdout_fd)):
                if source in ready:
                    data = os.read(source, CHUNK)
                    if not data:
                        return 0
                    write_all(sink, data)
        except (BrokenPipeError, ConnectionResetError):
            return 0
