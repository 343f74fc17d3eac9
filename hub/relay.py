"""The SSH side of the hub broker: where its socket is, and the relay ``serve`` becomes.

sshd runs ``chipcommons-hub serve --user NAME --key FP`` as the forced command of a user's key.
When the centre runs a broker (``chipcommons-hub broker``), that process hands the connection
over: it connects to the broker's Unix socket (in the centre's 0700 home, itself 0600) and sends
one JSON line saying who sshd authenticated (login and key fingerprint), with its standard input
and output attached (``SCM_RIGHTS``). The broker says ``ok``, the relay ``go`` (it will not read
them again; a relay that gave up waiting for ``ok`` never says it, so two processes never read
one connection), and the broker reads the requests from sshd and writes the answers to sshd
itself; the relay copies nothing, it only waits — sshd forwards a
session's input only while its command lives — until the broker closes the socket (the
connection ended) and exits. Without a broker — no socket, a stale one, or no answer —
:func:`relay` returns None and ``serve`` answers the connection itself, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
from pathlib import Path

from hub.centre import centre_home

HANDSHAKE_OK = b"ok\n"
HANDSHAKE_GO = b"go\n"
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
    """Hand this connection to the broker at ``path``; the exit status once the broker is done
    with it, or None when no broker answered (nothing has been read from ``stdin_fd`` then, so
    the caller can serve itself)."""
    if len(os.fsencode(path)) > MAX_SOCKET_PATH or not path.exists():
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(HANDSHAKE_TIMEOUT)
        sock.connect(os.fsencode(path))
        line = json.dumps({"login": login, "key": key}).encode() + b"\n"
        sent = socket.send_fds(sock, [line], [stdin_fd, stdout_fd])
        if sent < len(line):
            sock.sendall(line[sent:])
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
    with sock, contextlib.suppress(OSError):
        sock.sendall(HANDSHAKE_GO)  # from here on only the broker reads stdin_fd
        while sock.recv(CHUNK):  # the broker writes nothing here: wait for it to close
            continue
    return 0

