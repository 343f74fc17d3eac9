"""``chipcommons-hub broker``: one process answering every SSH connection of a centre.

Without a broker, sshd starts one ``serve`` process per connection: each a Python interpreter
with its own engine, statement caches and database connections. Thirty-two desktops mean
thirty-two such processes (and as many PostgreSQL backends) taking turns on the centre's cores,
and most of their time goes to switching between them, not to the calls. With a broker, each
connection's ``serve`` only relays bytes (:mod:`hub.relay`) to this process, which answers
every connection with one :class:`~hub.api.Hub`, warm caches and a few database connections.

How it runs:
- One thread owns the listening socket and every connection: it accepts, reads, splits lines
  and writes answers that could not be written at once. A connection's first line says who
  sshd authenticated (login and key fingerprint); the peer must run as the broker's own user
  (``SO_PEERCRED``), and the socket is 0600 in the centre's 0700 home.
- The relay attaches sshd's pipes to that line (``SCM_RIGHTS``). After the broker's ``ok`` and
  the relay's ``go`` (the relay no longer reads them: a relay that gave up waiting for ``ok``
  serves the connection itself and never says ``go``), the broker reads the requests from sshd
  and writes the answers to sshd itself, with no process copying bytes in between, and watches
  the relay's socket only to learn that the relay is gone (sshd stops forwarding a session's
  input when its command exits), which closes the connection. A peer that attaches nothing sends
  its requests on the socket itself after the line.
- Quick calls (:data:`QUICK_METHODS`: checkout, return, heartbeat, availability…) run on
  that same thread, one after another: no hand-off between threads, no contention for the
  interpreter lock, warm caches. Any other call runs on a small pool of threads
  (:data:`BROKER_WORKERS`) so that a long one (a report, an upload, an import) never holds up
  the others. A connection's calls run in the order they came, one at a time, so its answers
  keep their order. Every call goes through :meth:`HubCore.call` as in ``serve``: the user,
  roles and key are checked on every call, nothing is cached.
- Group commit: the quick write calls (checkout, return, heartbeat) that the loop answers in
  one turn share one transaction (:class:`~hub.batch.WriteBatch`, a savepoint per call), which
  commits at the end of the turn, or after :data:`BATCH_CALLS` calls; their answers are sent
  after that commit, and their connections wait for it before their next call. A call that
  needs a transaction of its own runs right after the commit; if the commit fails, every call
  of the batch runs again on its own (nothing of them was kept, nothing was answered).
- Every :data:`~hub.server.NOTIFY_POLL_SECONDS` each connection's notifications are polled
  (queued behind its calls) and pushed.
- A connection whose unsent answers pass :data:`MAX_UNSENT_BYTES` (a client that does not read)
  is closed; the others go on.
- SIGTERM or SIGINT: stop accepting, let the calls under way finish, close, remove the socket.
  A broker killed outright leaves a stale socket: the relays then find no broker and serve the
  connections themselves, and the next broker replaces the socket.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import selectors
import socket
import struct
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from core.errors import ChipError, Conflict, InvalidInput
from core.rawsql import RawStatement
from hub.batch import OwnTransaction, WriteBatch
from hub.hubcore import HubCore
from hub.models import Notification
from hub.relay import HANDSHAKE_GO, HANDSHAKE_OK, MAX_SOCKET_PATH
from hub.rpc import MAX_REQUEST_BYTES, Dispatcher, decode_line, encode, notification
from hub.server import NOTIFY_POLL_SECONDS, LineReader

log = logging.getLogger(__name__)

BROKER_WORKERS = 4
BATCH_CALLS = 32  # calls in one group commit at most
MAX_HANDSHAKE_BYTES = 4096
MAX_UNSENT_BYTES = 64 * 1024 * 1024
READ_CHUNK = 1 << 16
_POLL = object()  # a connection's queue item: poll its notifications
_NEWEST_NOTIFICATION = RawStatement(select(func.max(Notification.id)))
_OVERSIZE = b"x" * (MAX_REQUEST_BYTES + 1)


# Calls the loop's own thread answers: short ones, on the hot paths of a busy centre. Any other
# call (reports, uploads, imports, the farm…) goes to a worker, so it never holds up the loop;
# calls of one connection still run in order.
QUICK_METHODS = frozenset({
    "system.ping", "me.whoami", "me.preferences", "me.set_preference",
    "leases.checkout", "leases.return", "leases.renew", "leases.list", "licensing.pools",
    "queue.join", "queue.leave", "queue.list",
    "notifications.since", "notifications.latest_id", "notifications.mark_read",
})


def _quick(item: Any) -> bool:
    if item is _POLL:
        return True
    message, refused = item
    return refused is not None or (isinstance(message, dict)
                                   and message.get("method") in QUICK_METHODS)


class _Connection:
    """One relayed SSH connection: who it is, what it asked, what it is owed."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.rfd = self.wfd = sock.fileno()  # where requests come from and answers go
        self.handed: list[int] = []  # descriptors the relay passed (sshd's pipes): ours to close
        self.writing = False  # wfd is registered for writing (only when it is not the socket)
        self.taking_over = False  # "ok" sent with pipes handed: waiting for the relay's "go"
        self.lock = threading.Lock()
        self.handshake: bytearray | None = bytearray()
        self.dispatcher: Dispatcher | None = None
        self.login = ""
        self.key: str | None = None
        self.reader = LineReader()
        self.queue: deque[Any] = deque()
        self.busy = False
        self.closed = False
        self.doomed = False  # to be closed by the loop
        self.polled = False
        self.unsent = bytearray()
        self.last_notification = 0
        self.next_poll = time.monotonic() + NOTIFY_POLL_SECONDS


def _release(conn: _Connection) -> None:
    """Close the connection's socket and the pipes its relay passed (the relay then exits, and
    sshd ends the session)."""
    for fd in conn.handed:
        with contextlib.suppress(OSError):
            os.close(fd)
    conn.handed = []
    with contextlib.suppress(OSError):
        conn.sock.close()


class Broker:
    """Serve every relayed connection of one centre from this process (see the module)."""

    def __init__(self, hub: HubCore, path: Path, *, workers: int = BROKER_WORKERS,
                 poll_seconds: float = NOTIFY_POLL_SECONDS) -> None:
        if len(os.fsencode(path)) > MAX_SOCKET_PATH:
            raise InvalidInput(f"the broker's socket path is too long for a Unix socket: {path}")
        self.hub = hub
        self.path = path
        self.poll_seconds = poll_seconds
        self.workers = max(1, workers)
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self._stopping = threading.Event()
        self._connections: set[_Connection] = set()
        self._listener: socket.socket | None = None
        self._uid = os.getuid()
        self._next_due = 0.0  # when _poll_due next looks at the connections
        # Group commit (loop thread only): the batch, the answers waiting for its commit, the
        # calls to run after it on their own; a connection in either waits for the commit.
        self._batch = WriteBatch(hub.engine)
        self._batched = QUICK_METHODS & {name for name, spec in hub.METHODS.items()
                                         if spec.write and spec.on_connection}
        self._writes = {name for name, spec in hub.METHODS.items() if spec.write}
        self._held: list[tuple[_Connection, Any, bytes | None]] = []
        self._deferred: list[tuple[_Connection, Any]] = []

    # -- lifecycle -----------------------------------------------------------------------------

    def bind(self) -> None:
        """Take the socket (refusing if a live broker already has it; replacing a stale one)."""
        if self.path.exists():
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(os.fsencode(self.path))
            except OSError:
                self.path.unlink()  # stale: its broker is gone
            else:
                raise Conflict(f"a broker already serves this centre ({self.path})",
                               path=str(self.path))
            finally:
                probe.close()
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            listener.bind(os.fsencode(self.path))
        finally:
            os.umask(old)
        listener.listen(256)
        listener.setblocking(False)
        self._listener = listener

    def stop(self) -> None:
        """Ask :meth:`serve_forever` to finish (from any thread or a signal handler)."""
        self._stopping.set()
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"s")

    def serve_forever(self, ready: threading.Event | None = None) -> None:
        if self._listener is None:
            self.bind()
        assert self._listener is not None
        self._selector.register(self._listener, selectors.EVENT_READ, None)
        self._selector.register(self._wake_r, selectors.EVENT_READ, self)
        if ready is not None:
            ready.set()
        with ThreadPoolExecutor(max_workers=self.workers,
                                thread_name_prefix="chipcommons-broker") as pool:
            self._pool = pool
            try:
                self._loop()
            finally:
                self._settle()
                self._selector.unregister(self._listener)
                self._listener.close()
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
                for conn in list(self._connections):
                    self._close(conn)
        self._selector.close()
        os.close(self._wake_r)
        os.close(self._wake_w)

    # -- the loop ------------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stopping.is_set():
            timeout = self._poll_due()
            for key, events in self._selector.select(timeout):
                if key.data is None:
                    self._accept()
                elif key.data is self:
                    with contextlib.suppress(BlockingIOError):
                        os.read(self._wake_r, 1 << 16)  # a pipe holds at most 64 KiB
                    self._flush_all()
                else:
                    conn: _Connection = key.data
                    if events & selectors.EVENT_WRITE:
                        self._flush(conn)
                    if events & selectors.EVENT_READ:
                        if key.fd == conn.rfd:
                            self._read(conn)
                        else:  # the relay's socket, once sshd's pipes are ours: it is gone
                            self._close(conn)
                if len(self._held) >= BATCH_CALLS:
                    self._settle()
            self._settle()

    def _accept(self) -> None:
        assert self._listener is not None
        while True:
            try:
                sock, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                    struct.calcsize("3i"))
            _pid, uid, _gid = struct.unpack("3i", creds)
            if uid not in (self._uid, 0):
                log.warning("broker: refused a connection from uid %s", uid)
                sock.close()
                continue
            sock.setblocking(False)
            conn = _Connection(sock)
            self._connections.add(conn)
            self._selector.register(sock, selectors.EVENT_READ, conn)

    def _read(self, conn: _Connection) -> None:
        try:
            if conn.handshake is None:
                data = os.read(conn.rfd, READ_CHUNK)
            else:
                data, fds, _flags, _address = socket.recv_fds(conn.sock, READ_CHUNK, 2)
                for fd in fds:  # never inherited by what a worker spawns (sbatch…)
                    os.set_inheritable(fd, False)
                conn.handed += fds
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._close(conn)
            return
        if conn.taking_over:
            self._take_over(conn, data)
            return
        if conn.handshake is not None:
            data = self._handshake(conn, data)
            if not data:
                return
        lines = conn.reader.feed(data)
        if lines:
            self._enqueue(conn, [decode_line(_OVERSIZE if line is None else line)
                                 for line in lines])

    def _handshake(self, conn: _Connection, data: bytes) -> bytes:
        """Read the relay's line (login and key); what followed it is the first request."""
        assert conn.handshake is not None
        conn.handshake += data
        end = conn.handshake.find(b"\n")
        if end < 0:
            if len(conn.handshake) > MAX_HANDSHAKE_BYTES:
                self._close(conn)
            return b""
        line, rest = bytes(conn.handshake[:end]), bytes(conn.handshake[end + 1:])
        try:
            said = json.loads(line)
            login, key = said["login"], said.get("key")
            if not isinstance(login, str) or not login or not (key is None or
                                                                isinstance(key, str)):
                raise ValueError("bad handshake")
            if conn.handed and (len(conn.handed) != 2 or rest):
                raise ValueError("a handshake passes sshd's input and output, then nothing")
        except (ValueError, KeyError, TypeError):
            log.warning("broker: refused a malformed handshake")
            self._close(conn)
            return b""
        conn.handshake = None
        conn.login, conn.key = login, key
        conn.dispatcher = Dispatcher(self.hub, login, key=key)
        self._send(conn, HANDSHAKE_OK)
        if conn.handed:  # sshd's pipes are read once the relay says it has let go of them
            conn.taking_over = True
            return b""
        self._enqueue(conn, [_POLL])  # the newest notification id: pushes start after it
        return rest

    def _take_over(self, conn: _Connection, data: bytes) -> None:
        """The relay's ``go``: from now on requests come from sshd's pipes, answers go there."""
        if data != HANDSHAKE_GO:
            log.warning("broker: refused a relay that did not let go of its pipes")
            self._close(conn)
            return
        conn.taking_over = False
        conn.rfd, conn.wfd = conn.handed
        for fd in conn.handed:
            os.set_blocking(fd, False)
        self._selector.register(conn.rfd, selectors.EVENT_READ, conn)
        self._enqueue(conn, [_POLL])

    def _enqueue(self, conn: _Connection, items: list[Any]) -> None:
        with conn.lock:
            conn.queue.extend(items)
            if conn.busy or conn.closed:
                return
            conn.busy = True
        self._drain(conn, inline=True)

    def _poll_due(self) -> float:
        """Queue the notification polls that are due; seconds until the next one. The
        connections are looked at only when the earliest poll is due, not on every event."""
        now = time.monotonic()
        if now < self._next_due:
            return self._next_due - now
        wait = self.poll_seconds
        due: list[_Connection] = []
        for conn in list(self._connections):
            if conn.dispatcher is None:
                continue
            if now >= conn.next_poll:
                conn.next_poll = now + self.poll_seconds
                due.append(conn)
            wait = min(wait, max(0.0, conn.next_poll - now))
        # One look at the newest notification of all spares a poll per connection when nothing
        # is new for anyone (the usual case); a connection is polled, as itself, when there is.
        newest = self._newest_notification() if any(conn.polled for conn in due) else None
        for conn in due:
            if not (conn.polled and newest is not None and newest <= conn.last_notification):
                self._enqueue(conn, [_POLL])
        self._next_due = now + wait
        return wait

    def _newest_notification(self) -> int | None:
        """The newest notification's id, anyone's (None if it could not be read)."""
        try:
            with self.hub.engine.connect() as conn:
                return int(_NEWEST_NOTIFICATION.execute(conn, {}).scalar() or 0)
        except SQLAlchemyError:
            log.warning("broker: could not read the newest notification", exc_info=True)
            return None

    # -- the workers ---------------------------------------------------------------------------

    def _drain(self, conn: _Connection, *, inline: bool) -> None:
        """Answer the connection's queue in order, then let it go. On the loop's own thread
        (``inline``) only quick calls run; at the first other one the rest goes to a worker."""
        while True:
            with conn.lock:
                if conn.closed or not conn.queue:
                    conn.busy = False
                    closed = conn.closed
                    break
                item = conn.queue[0]
                if inline and not _quick(item):
                    self._pool.submit(self._drain, conn, inline=False)  # still busy
                    return
                conn.queue.popleft()
            try:
                if item is _POLL:
                    self._poll(conn)
                else:
                    assert conn.dispatcher is not None
                    message, refused = item
                    if (inline and refused is None and isinstance(message, dict)
                            and message.get("method") in self._batched):
                        self._hold(conn, message)
                        return  # still busy: the connection waits for the batch's commit
                    if inline and isinstance(message, dict) and message.get(
                            "method") in self._writes:  # needs the lock the batch may hold
                        self._commit()
                    answer = refused if refused is not None else conn.dispatcher.answer(message)
                    if answer is not None:
                        self._send(conn, answer)
            except Exception:  # a bug must not stop the broker: log, drop the connection
                log.exception("broker: connection of %s failed", conn.login)
                with conn.lock:
                    conn.busy = False
                self._wake_close(conn)
                return
        if closed:
            _release(conn)

    def _hold(self, conn: _Connection, message: dict[str, Any]) -> None:
        """Run a quick write call in the batch; its answer waits for the commit."""
        assert conn.dispatcher is not None
        try:
            answer = conn.dispatcher.answer(message, self._batch)
        except OwnTransaction:
            self._deferred.append((conn, message))
        else:
            self._held.append((conn, message, answer))

    def _commit(self) -> None:
        """Commit the batch (its answers stay held until :meth:`_settle` sends them); if the
        commit fails, nothing of its calls was kept: each is to run again, alone."""
        if not self._batch.open:
            return
        try:
            self._batch.commit()
        except Exception:
            log.exception("broker: a group commit of %d calls failed; running each alone",
                          len(self._held))
            self._batch.rollback()
            self._deferred[:0] = [(conn, message) for conn, message, _ in self._held]
            self._held = []

    def _settle(self) -> None:
        """Commit the batch, send its answers, run the calls that need a transaction of their
        own, and let those connections go on (their next quick calls may start a new batch)."""
        while self._held or self._deferred:
            self._commit()
            held, deferred = self._held, self._deferred
            self._held, self._deferred = [], []
            for conn, _message, answer in held:
                if answer is not None:
                    self._send(conn, answer)
            for conn, message in deferred:
                assert conn.dispatcher is not None
                try:
                    answer = conn.dispatcher.answer(message)
                except Exception:  # a bug must not stop the broker: log, drop the connection
                    log.exception("broker: connection of %s failed", conn.login)
                    self._wake_close(conn)
                    continue
                if answer is not None:
                    self._send(conn, answer)
            for conn in [item[0] for item in held] + [item[0] for item in deferred]:
                self._drain(conn, inline=True)

    def _poll(self, conn: _Connection) -> None:
        try:
            if not conn.polled:
                conn.polled = True
                conn.last_notification = int(self.hub.call(
                    conn.login, "notifications.latest_id", {}, key=conn.key))
                return
            items = self.hub.call(conn.login, "notifications.since",
                                  {"after_id": conn.last_notification}, key=conn.key)
        except ChipError:
            return
        for item in items:
            self._send(conn, encode(notification("notify", item)))
            conn.last_notification = max(conn.last_notification, int(item["id"]))

    def _send(self, conn: _Connection, data: bytes) -> None:
        """Write now if nothing is waiting; else queue it for the loop (woken to write)."""
        with conn.lock:
            if conn.closed:
                return
            if not conn.unsent:
                try:
                    sent = os.write(conn.wfd, data)
                except (BlockingIOError, InterruptedError):
                    sent = 0
                except OSError:
                    conn.unsent.clear()
                    sent = len(data)
                data = data[sent:]
                if not data:
                    return
            conn.unsent += data
            over = len(conn.unsent) > MAX_UNSENT_BYTES
        if over:
            log.warning("broker: %s does not read its answers; closing", conn.login)
            self._wake_close(conn)
            return
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"w")

    def _wake_close(self, conn: _Connection) -> None:
        with conn.lock:
            conn.doomed = True
            conn.queue.clear()
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"c")

    # -- the loop's writes and closes ----------------------------------------------------------

    def _flush_all(self) -> None:
        for conn in list(self._connections):
            if conn.doomed:
                self._close(conn)
            else:
                self._flush(conn)

    def _flush(self, conn: _Connection) -> None:
        with conn.lock:
            if conn.closed:
                return
            if conn.unsent:
                try:
                    with contextlib.suppress(BlockingIOError, InterruptedError):
                        del conn.unsent[:os.write(conn.wfd, conn.unsent)]
                except OSError:
                    conn.unsent.clear()
            waiting = bool(conn.unsent)
        with contextlib.suppress(KeyError, ValueError):
            if conn.wfd == conn.sock.fileno():
                events = selectors.EVENT_READ | (selectors.EVENT_WRITE if waiting else 0)
                self._selector.modify(conn.sock, events, conn)
            elif waiting != conn.writing:
                if waiting:
                    self._selector.register(conn.wfd, selectors.EVENT_WRITE, conn)
                else:
                    self._selector.unregister(conn.wfd)
                conn.writing = waiting

    def _close(self, conn: _Connection) -> None:
        for fd in {conn.sock.fileno(), conn.rfd, conn.wfd}:
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(fd)
        self._connections.discard(conn)
        with conn.lock:
            conn.closed = True
            busy = conn.busy
            conn.queue.clear()
            conn.unsent.clear()
        if not busy:  # else the worker closes it when its call ends
            _release(conn)
