"""``chipcommons-hub serve --user NAME``: newline-delimited JSON-RPC on stdin/stdout.

Run by sshd as the forced command of a user's key. Requests are answered in order; every
``poll_seconds`` (whether the channel is idle or busy) the server polls the user's notifications
and pushes them as JSON-RPC notifications (``notify``) on the same channel.
"""

from __future__ import annotations

import os
import select
import sys
import time
from typing import BinaryIO

from core.errors import ChipError
from hub.hubcore import HubCore
from hub.rpc import MAX_REQUEST_BYTES, Dispatcher, encode, notification

NOTIFY_POLL_SECONDS = 1.0
READ_CHUNK = 1 << 16


class LineReader:
    """Split a byte stream into lines, refusing (and skipping) lines over the limit."""

    def __init__(self, limit: int = MAX_REQUEST_BYTES) -> None:
        self.limit = limit
        self.buffer = bytearray()
        self.discarding = False

    def feed(self, data: bytes) -> list[bytes | None]:
        """Return complete lines; ``None`` stands for a line that was too long."""
        out: list[bytes | None] = []
        self.buffer += data
        while True:
            nl = self.buffer.find(b"\n")
            if nl < 0:
                if len(self.buffer) > self.limit:
                    if not self.discarding:
                        out.append(None)
                    self.discarding = True
                    self.buffer.clear()
                return out
            line = bytes(self.buffer[:nl])
            del self.buffer[: nl + 1]
            if self.discarding:
                self.discarding = False
                continue
            if len(line) > self.limit:
                out.append(None)
            elif line.strip():
                out.append(line)


def serve(hub: HubCore, login: str, *, stdin: BinaryIO | None = None,
          stdout: BinaryIO | None = None, refusal: ChipError | None = None,
          poll_seconds: float = NOTIFY_POLL_SECONDS, key: str | None = None) -> int:
    """Serve one connection until the client closes it. Returns the exit status.

    ``key`` is the fingerprint of the SSH key that opened the connection: once it is revoked,
    the next call is refused."""
    inp = stdin or sys.stdin.buffer
    out = stdout or sys.stdout.buffer
    fd = inp.fileno()
    out.flush()  # answers go straight to the descriptor from here on
    out_fd = out.fileno()
    dispatcher = Dispatcher(hub, login, refusal=refusal, key=key)
    reader = LineReader()
    last_notification = _latest_notification(hub, login, key) if refusal is None else 0
    next_poll = time.monotonic() + poll_seconds
    while True:
        ready, _, _ = select.select([fd], [], [], max(0.0, next_poll - time.monotonic()))
        if not ready or time.monotonic() >= next_poll:
            if refusal is None:
                last_notification = _push_notifications(hub, login, key, out,
                                                        last_notification)
            next_poll = time.monotonic() + poll_seconds
            if not ready:
                continue
        data = os.read(fd, READ_CHUNK)
        if not data:
            return 0
        for line in reader.feed(data):
            response = (dispatcher.handle_line(line) if line is not None
                        else dispatcher.handle_line(b"x" * (MAX_REQUEST_BYTES + 1)))
            if response is None:
                continue
            try:
                write_all(out_fd, response)
            except (BrokenPipeError, ConnectionResetError):
                return 0


def write_all(fd: int, data: bytes) -> None:
    """One write(2) for a whole answer, no user-space buffer to flush."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _latest_notification(hub: HubCore, login: str, key: str | None) -> int:
    try:
        items = hub.call(login, "notifications.latest_id", {}, key=key)
    except ChipError:
        return 0
    return int(items)


def _push_notifications(hub: HubCore, login: str, key: str | None, out: BinaryIO,
                        after: int) -> int:
    """Push what arrived since ``after`` (nothing once the connection's key is revoked)."""
    try:
        items = hub.call(login, "notifications.since", {"after_id": after}, key=key)
    except ChipError:
        return after
    for item in items:
        try:
            write_all(out.fileno(), encode(notification("notify", item)))
        except (BrokenPipeError, ConnectionResetError):
            raise SystemExit(0) from None
        after = max(after, int(item["id"]))
    return after
