"""``RemoteHub``: the Hub over SSH (paramiko), one exec channel speaking JSON-RPC lines.

Host keys are checked against ``known_hosts`` and never added silently: an unknown host raises
:class:`UnknownHostKey` carrying the SHA256 fingerprint; the caller shows it, and connects again
with ``accept_fingerprint=`` set to that value to trust it (it is then saved). A changed key raises
:class:`HostKeyChanged`. The channel is kept alive, calls time out, and a dropped connection is
re-established with backoff and the call resent with the same request id.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import select
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko

from core.errors import ChipError, InfrastructureError, InvalidInput
from hub.clients.base import HubClient
from hub.rpc import ConnectionLost, encode

log = logging.getLogger(__name__)

RPC_COMMAND = "chipcommons-hub rpc"
WATCH_SECONDS = 0.25  # the longest the watcher holds the channel before looking again
QUIET_SECONDS = 0.1  # no call for this long: the watcher takes over reading the channel


class UnknownHostKey(ChipError):
    code = "unknown_host_key"
    rpc_code = -32041


class HostKeyChanged(ChipError):
    code = "host_key_changed"
    rpc_code = -32042


class AuthenticationFailed(ChipError):
    code = "authentication_failed"
    rpc_code = -32043


class CallTimeout(ChipError):
    code = "timeout"
    rpc_code = -32044


def fingerprint(key: paramiko.PKey) -> str:
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def load_private_key(path: Path, passphrase: str | None = None) -> paramiko.PKey:
    """Load an Ed25519, ECDSA or RSA private key with the right class (not ``key_filename``)."""
    errors: list[str] = []
    for cls in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return cls.from_private_key_file(str(path), password=passphrase)
        except paramiko.PasswordRequiredException as exc:
            raise InvalidInput(f"the key {path} is encrypted: give its passphrase") from exc
        except (paramiko.SSHException, ValueError) as exc:
            errors.append(f"{cls.__name__}: {exc}")
        except OSError as exc:
            raise InvalidInput(f"cannot read key {path}: {exc.strerror}") from exc
    raise InvalidInput(f"{path} is not an Ed25519, ECDSA or RSA private key")


@dataclass(frozen=True)
class SshTarget:
    host: str
    user: str
    port: int = 22
    key_path: Path | None = None
    passphrase: str | None = None

    @property
    def known_hosts_name(self) -> str:
        return self.host if self.port == 22 else f"[{self.host}]:{self.port}"


class _VerifyOrAsk(paramiko.MissingHostKeyPolicy):
    """Reject unknown hosts unless the caller has accepted exactly this fingerprint."""

    def __init__(self, known_hosts: Path, accept: str | None) -> None:
        self.known_hosts = known_hosts
        self.accept = accept

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str,
                         key: paramiko.PKey) -> None:
        fp = fingerprint(key)
        if self.accept is not None and self.accept == fp:
            client.get_host_keys().add(hostname, key.get_name(), key)
            self.known_hosts.parent.mkdir(parents=True, exist_ok=True)
            client.save_host_keys(str(self.known_hosts))
            return
        raise UnknownHostKey(
            f"the host {hostname} is not known; its {key.get_name()} key fingerprint is {fp}",
            host=hostname, fingerprint=fp, key_type=key.get_name())


# AES-GCM first: an AEAD cipher (no separate MAC over every packet) that AES-NI runs in hardware
# on both ends. OpenSSH offers it; paramiko lists it after the CTR ciphers only because it came
# to paramiko later. The others stay, in paramiko's order, for servers without it.
PREFERRED_CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com")


def _transport(sock: Any, **options: Any) -> paramiko.Transport:
    """A paramiko transport preferring :data:`PREFERRED_CIPHERS`."""
    transport = paramiko.Transport(sock, **options)
    security = transport.get_security_options()
    offered = tuple(security.ciphers)
    security.ciphers = tuple(c for c in PREFERRED_CIPHERS if c in offered) + tuple(
        c for c in offered if c not in PREFERRED_CIPHERS)
    return transport


def open_ssh(target: SshTarget, *, known_hosts: Path, accept_fingerprint: str | None = None,
             jump: SshTarget | None = None, timeout: float = 15.0,
             keepalive: int = 15) -> paramiko.SSHClient:
    """Connect and authenticate, verifying host keys (also the jump host's)."""
    sock: Any = None
    if jump is not None:
        jump_client = open_ssh(jump, known_hosts=known_hosts, timeout=timeout,
                               keepalive=keepalive)
        transport = jump_client.get_transport()
        assert transport is not None
        sock = transport.open_channel("direct-tcpip", (target.host, target.port),
                                      ("127.0.0.1", 0), timeout=timeout)
    client = paramiko.SSHClient()
    if known_hosts.exists():
        client.load_host_keys(str(known_hosts))
    client.set_missing_host_key_policy(_VerifyOrAsk(known_hosts, accept_fingerprint))
    pkey = load_private_key(target.key_path, target.passphrase) if target.key_path else None
    try:
        client.connect(target.host, port=target.port, username=target.user, pkey=pkey,
                       look_for_keys=pkey is None, allow_agent=pkey is None, timeout=timeout,
                       banner_timeout=timeout, auth_timeout=timeout, sock=sock,
                       transport_factory=_transport)
    except paramiko.BadHostKeyException as exc:
        raise HostKeyChanged(
            f"WARNING: the host key of {target.host} has changed (now {fingerprint(exc.key)}, "
            f"expected {fingerprint(exc.expected_key)}). Someone may be intercepting the "
            "connection; not connecting.", host=target.host,
            fingerprint=fingerprint(exc.key)) from exc
    except paramiko.AuthenticationException as exc:
        raise AuthenticationFailed(f"the centre refused the key for {target.user}@"
                                   f"{target.host}: {exc}") from exc
    except (paramiko.SSHException, OSError) as exc:
        if isinstance(exc.__context__, UnknownHostKey):
            raise exc.__context__ from None
        raise InfrastructureError(f"cannot reach {target.host}:{target.port}: {exc}") from exc
    transport = client.get_transport()
    if transport is not None:
        transport.set_keepalive(keepalive)
    return client


class _Waiter:
    """One call waiting for its answer (a plain slot: no lock or event of its own)."""

    __slots__ = ("error", "response")

    def __init__(self) -> None:
        self.response: dict[str, Any] | None = None
        self.error: ChipError | None = None


class _Link:
    """One SSH connection and its RPC channel; ``done`` once the channel is gone."""

    def __init__(self, client: paramiko.SSHClient, channel: paramiko.Channel) -> None:
        self.client = client
        self.channel = channel
        # Readable while data, or the end of the channel, is waiting. Closing the transport
        # (never the channel itself, which would close this descriptor under a waiting select)
        # keeps it readable for good.
        self.ready_fd = channel.fileno()
        self.buffer = bytearray()
        self.stderr = b""
        self.done = False


class RemoteHub(HubClient):
    """Acts as the key's user on a centre reached over SSH.

    No thread of ours stands between the channel and a caller: the calling thread reads the
    channel itself while no other thread is reading it (leader/follower), and hands answers it
    reads for other threads' calls to them. While no call is under way, a watcher thread reads
    the channel instead, to deliver the centre's notifications and notice a lost connection;
    notifications are always delivered to listeners from that thread.
    """

    def __init__(self, target: SshTarget, *, known_hosts: Path,
                 accept_fingerprint: str | None = None, jump: SshTarget | None = None,
                 timeout: float = 60.0, connect_timeout: float = 15.0,
                 reconnect_attempts: int = 6, command: str = RPC_COMMAND) -> None:
        super().__init__()
        self.target = target
        self.known_hosts = known_hosts
        self.jump = jump
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.reconnect_attempts = reconnect_attempts
        self.command = command
        self._accept = accept_fingerprint
        # _state guards _pending, _active, _reading, _followers and _notes.
        self._state = threading.Condition(threading.Lock())
        self._send_lock = threading.Lock()
        self._pending: dict[Any, _Waiter] = {}
        self._active = 0  # calls under way
        self._reading = False  # a thread is reading the channel
        self._followers = 0  # calls waiting for the reader to hand over
        self._notes: list[dict[str, Any]] = []
        self._last_call = 0.0  # when the last call ended (monotonic)
        self._link: _Link | None = None
        self._watcher: threading.Thread | None = None
        self._closed = False
        self._login: str | None = None
        self.reconnects = 0
        self._connect()

    @property
    def description(self) -> str:
        return f"ssh://{self.target.user}@{self.target.host}:{self.target.port}"

    @property
    def login(self) -> str:
        """The hub user this key acts as (the forced command decides, not the SSH user)."""
        if self._login is None:
            self._login = str(self.call("me.whoami").login)
        return self._login

    @property
    def connected(self) -> bool:
        link = self._link
        if link is None or link.done or link.channel.closed:
            return False
        transport = link.channel.get_transport()
        return transport is not None and bool(transport.is_active())

    # -- connection ------------------------------------------------------------------------------

    def _connect(self) -> None:
        client = open_ssh(self.target, known_hosts=self.known_hosts,
                          accept_fingerprint=self._accept, jump=self.jump,
                          timeout=self.connect_timeout)
        self._accept = None  # accepted once; now in known_hosts
        transport = client.get_transport()
        assert transport is not None
        try:
            channel = transport.open_session(timeout=self.connect_timeout)
            channel.exec_command(self.command)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            client.close()
            raise ConnectionLost(f"the centre did not open the RPC channel: {exc}") from exc
        link = _Link(client, channel)
        self._link = link
        self._watcher = threading.Thread(target=self._watch, args=(link,),
                                         name="chipcommons-rpc-watcher", daemon=True)
        self._watcher.start()

    def _read_once(self, link: _Link, wait: float | None) -> bool:
        """Wait up to ``wait`` seconds for the channel, then take what it holds and deliver
        every complete line. Only the thread that set ``_reading`` calls this. False if
        nothing arrived."""
        if link.done:
            return False
        try:
            ready, _, _ = select.select([link.ready_fd], [], [], wait)
        except (OSError, ValueError):
            ready = [link.ready_fd]  # the channel is gone: recv() below says so
        if not ready:
            return False
        channel = link.channel
        try:
            while channel.recv_stderr_ready():  # logs of the server: keep the last words
                link.stderr = (link.stderr + channel.recv_stderr(1 << 16))[-4096:]
            if not (channel.recv_ready() or channel.closed or channel.eof_received):
                return False
            data = channel.recv(1 << 16)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            log.info("RPC channel closed: %s", exc)
            data = b""
        if not data:
            self._lost(link)
            return True
        buffer = link.buffer
        if b"\n" not in data:
            buffer += data
            return True
        if buffer:
            buffer += data
            data = bytes(buffer)
            buffer.clear()
        lines = data.split(b"\n")
        buffer += lines.pop()
        self._deliver(lines)
        return True

    def _deliver(self, lines: list[bytes]) -> None:
        notes: list[dict[str, Any]] = []
        answers: list[dict[str, Any]] = []
        for line in lines:
            if not line.strip():
                continue
            try:
                message = json.loads(line)
            except ValueError:
                log.warning("ignoring a malformed line from the centre")
                continue
            if not isinstance(message, dict):
                continue
            if "id" not in message and message.get("method") == "notify":
                params = message.get("params")
                notes.append(params if isinstance(params, dict) else {})
            else:
                answers.append(message)
        with self._state:
            for message in answers:
                waiter = self._pending.pop(message.get("id"), None)
                if waiter is not None:
                    waiter.response = message
            if notes:
                self._notes.extend(notes)
            # The reader finds its own answer without being woken; wake only followers and,
            # for notifications, the watcher.
            if notes or (answers and self._followers):
                self._state.notify_all()

    def _lost(self, link: _Link) -> None:
        """The channel has ended: fail every call waiting on it."""
        reason = link.stderr.decode(errors="replace").strip().splitlines()
        error = ConnectionLost("the connection to the centre was lost" +
                               (f": {reason[-1]}" if reason else ""))
        with self._state:
            if link.done:
                return
            link.done = True
            for waiter in self._pending.values():
                waiter.error = error
            self._pending.clear()
            self._state.notify_all()

    def _watch(self, link: _Link) -> None:
        """Deliver notifications to listeners; once no call has been under way for
        ``QUIET_SECONDS``, read the channel (notifications, the end of the connection). Calls
        in quick succession thus keep reading for themselves, without a hand-over."""
        state = self._state
        while True:
            with state:
                if link.done and not self._notes:
                    return
                notes, self._notes = self._notes, []
                if not notes:
                    if self._active or self._reading or link.done:
                        state.wait(QUIET_SECONDS)
                        continue
                    quiet = time.monotonic() - self._last_call
                    if quiet < QUIET_SECONDS:
                        state.wait(QUIET_SECONDS - quiet)
                        continue
                    self._reading = True
            if notes:
                for note in notes:
                    self._emit(note)
                continue
            try:
                self._read_once(link, WATCH_SECONDS)
            finally:
                with state:
                    self._reading = False
                    if self._followers:
                        state.notify_all()

    def _reconnect(self) -> None:
        delay = 0.2
        last: ChipError | None = None
        for _ in range(self.reconnect_attempts):
            if self._closed:
                break
            self._teardown()
            try:
                self._connect()
                self.reconnects += 1
                return
            except (UnknownHostKey, HostKeyChanged, AuthenticationFailed):
                raise
            except ChipError as exc:
                last = exc
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
        raise last or ConnectionLost("the connection to the centre is closed")

    def _teardown(self) -> None:
        link, self._link = self._link, None
        if link is None:
            return
        try:
            link.client.close()  # closes the channel too, waking a thread waiting on it
        except Exception:
            log.debug("error while closing", exc_info=True)
        self._lost(link)

    # -- calls -----------------------------------------------------------------------------------

    def _roundtrip(self, message: dict[str, Any], *, timeout: float | None,
                   idempotent: bool) -> dict[str, Any]:
        attempts = self.reconnect_attempts if idempotent else 1
        for attempt in range(max(1, attempts)):
            if self._closed:
                raise ConnectionLost("the client is closed")
            if not self.connected:
                self._reconnect()
            try:
                return self._send_and_wait(message, timeout if timeout is not None
                                           else self.timeout)
            except ConnectionLost:
                if attempt + 1 >= attempts:
                    raise
                log.info("connection lost; reconnecting and resending %s", message.get("method"))
        raise ConnectionLost("the connection to the centre was lost")

    def _send_and_wait(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        link = self._link
        call_id = message["id"]
        waiter = _Waiter()
        state = self._state
        with state:
            # Registered under the lock that _lost takes: either it fails this call, or we see
            # that the link has ended.
            if link is None or link.done:
                raise ConnectionLost("not connected")
            self._pending[call_id] = waiter
            self._active += 1
        try:
            try:
                with self._send_lock:
                    link.channel.sendall(encode(message))
            except (OSError, EOFError, paramiko.SSHException) as exc:
                raise ConnectionLost(f"the connection to the centre was lost: {exc}") from exc
            return self._wait(link, waiter, deadline, message.get("method"), timeout)
        finally:
            with state:
                self._pending.pop(call_id, None)
                self._active -= 1
                self._last_call = time.monotonic()

    def _wait(self, link: _Link, waiter: _Waiter, deadline: float, method: Any,
              timeout: float) -> dict[str, Any]:
        state = self._state
        while True:
            with state:
                while True:
                    if waiter.response is not None:
                        return waiter.response
                    if waiter.error is not None:
                        raise waiter.error
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise CallTimeout(f"the centre did not answer {method} within "
                                          f"{timeout:g} s", method=method)
                    if not self._reading:
                        self._reading = True  # lead: read the channel in this thread
                        break
                    self._followers += 1
                    try:
                        state.wait(remaining)
                    finally:
                        self._followers -= 1
            try:
                while waiter.response is None and waiter.error is None:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or link.done:
                        break
                    self._read_once(link, remaining)
            finally:
                with state:
                    self._reading = False
                    if self._followers or self._notes:
                        state.notify_all()

    def close(self) -> None:
        self._closed = True
        self._teardown()
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout=5)
