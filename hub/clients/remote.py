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
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko

from core.errors import ChipError, InfrastructureError, InvalidInput
from hub.clients.base import HubClient
from hub.rpc import ConnectionLost, encode

log = logging.getLogger(__name__)

RPC_COMMAND = "chipcommons-hub rpc"


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
                       banner_timeout=timeout, auth_timeout=timeout, sock=sock)
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


class RemoteHub(HubClient):
    """Acts as the key's user on a centre reached over SSH."""

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
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._pending: dict[Any, Future[dict[str, Any]]] = {}
        self._client: paramiko.SSHClient | None = None
        self._channel: paramiko.Channel | None = None
        self._reader: threading.Thread | None = None
        self._reader_done = threading.Event()
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
        channel = self._channel
        if channel is None or self._reader_done.is_set() or channel.closed:
            return False
        transport = channel.get_transport()
        return transport is not None and bool(transport.is_active())

    # -- connection ------------------------------------------------------------------------------

    def _connect(self) -> None:
        client = open_ssh(self.target, known_hosts=self.known_hosts,
                          accept_fingerprint=self._accept, jump=self.jump,
                          timeout=self.connect_timeout)
        self._accept = None  # accepted once; now in known_hosts
        transport = client.get_transport()
        assert transport is not None
        channel = transport.open_session(timeout=self.connect_timeout)
        channel.exec_command(self.command)
        self._client, self._channel = client, channel
        done = self._reader_done = threading.Event()
        self._reader = threading.Thread(target=self._read_loop, args=(channel, done),
                                        name="chipcommons-rpc-reader", daemon=True)
        self._reader.start()

    def _read_loop(self, channel: paramiko.Channel, done: threading.Event) -> None:
        buffer = bytearray()
        try:
            while True:
                data = channel.recv(1 << 16)
                if not data:
                    break
                buffer += data
                while (nl := buffer.find(b"\n")) >= 0:
                    line = bytes(buffer[:nl])
                    del buffer[: nl + 1]
                    self._deliver(line)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            log.info("RPC channel closed: %s", exc)
        finally:
            stderr = b""
            try:
                while channel.recv_stderr_ready():
                    stderr += channel.recv_stderr(1 << 16)
            except (OSError, EOFError):
                pass
            reason = stderr.decode(errors="replace").strip().splitlines()
            done.set()  # before failing the pending calls: see _send_and_wait
            self._fail_pending(ConnectionLost(
                "the connection to the centre was lost" + (f": {reason[-1]}" if reason else "")))

    def _deliver(self, line: bytes) -> None:
        try:
            message = json.loads(line)
        except ValueError:
            log.warning("ignoring a malformed line from the centre")
            return
        if not isinstance(message, dict):
            return
        if "id" not in message and message.get("method") == "notify":
            self._emit(message.get("params") or {})
            return
        with self._lock:
            future = self._pending.pop(message.get("id"), None)
        if future is not None and not future.done():
            future.set_result(message)

    def _fail_pending(self, exc: ChipError) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(exc)

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
        channel, client = self._channel, self._client
        self._channel = self._client = None
        for closable in (channel, client):
            if closable is not None:
                try:
                    closable.close()
                except Exception:
                    log.debug("error while closing", exc_info=True)

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
        future: Future[dict[str, Any]] = Future()
        with self._lock:
            self._pending[message["id"]] = future
        channel = self._channel
        try:
            # Registered first, then checked: either the reader's _fail_pending sees this call,
            # or we see that the reader has finished.
            if channel is None or self._reader_done.is_set():
                raise ConnectionLost("not connected")
            with self._send_lock:
                channel.sendall(encode(message))
        except (OSError, EOFError, paramiko.SSHException) as exc:
            with self._lock:
                self._pending.pop(message["id"], None)
            raise ConnectionLost(f"the connection to the centre was lost: {exc}") from exc
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            with self._lock:
                self._pending.pop(message["id"], None)
            raise CallTimeout(f"the centre did not answer {message.get('method')} within "
                              f"{timeout:g} s", method=message.get("method")) from None

    def close(self) -> None:
        self._closed = True
        self._teardown()
        reader = self._reader
        if reader is not None and reader is not threading.current_thread():
            reader.join(timeout=5)
