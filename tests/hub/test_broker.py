"""The hub broker: SSH connections relayed to one process, over the real sshd, on SQLite and
PostgreSQL — identities kept apart, keys still checked per call, notifications pushed, a
killed broker replaced by the connections' own serve processes, bad peers refused."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy

from core import accounts
from core.db import transaction
from core.errors import ChipError, QuotaExceeded
from hub.broker import QUICK_METHODS
from hub.centre import open_hub
from hub.clients.remote import RemoteHub
from hub.relay import relay
from tests.conftest import SshCentre, make_ssh_centre
from tests.hub.test_remote_concurrency import _add_notification, _client
from tests.support import services
from tests.support.notifications import Collector

HUB = services.HUB_BIN
Broker = services.BrokerProcess


@pytest.fixture(params=["sqlite", "postgresql"])
def centre(request: pytest.FixtureRequest, sshd: services.Sshd,
           tmp_path: Path) -> SshCentre:
    url = (f"sqlite:///{tmp_path / 'centre.sqlite3'}" if request.param == "sqlite"
           else str(request.getfixturevalue("fresh_pg_url")))
    return make_ssh_centre(url, sshd, tmp_path)


@pytest.fixture
def broker(centre: SshCentre) -> Iterator[Broker]:
    made = Broker(centre.url)
    yield made
    made.stop()
    made.path.unlink(missing_ok=True)


def _serve_has_database(centre: SshCentre) -> bool:
    """Whether some serve process of this centre answers calls itself, rather than relaying
    them: a relay's one socket is a Unix socket (the broker's)."""
    with open("/proc/net/unix") as table:
        unix = {line.split()[6] for line in table.read().splitlines()[1:]}
    for pid in subprocess.run(["pgrep", "-f", "--", f"--db {centre.url} serve"],
                              capture_output=True, text=True).stdout.split():
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except FileNotFoundError:
            continue
        sockets = {link[8:-1] for link in links if link.startswith("socket:[")}
        if not sockets & unix:
            return True
    return False


def test_connections_are_answered_by_the_broker_each_as_itself(
        centre: SshCentre, broker: Broker) -> None:
    clients = {login: _client(centre, login) for login in ("demo.student", "demo.engineer")}
    try:
        errors: list[str] = []

        def work(login: str, hub: RemoteHub) -> None:
            try:
                for _ in range(20):
                    assert hub.call("me.whoami").login == login
                    lease = hub.call("leases.checkout", feature="scalesim-slot", seats=1,
                                     hours=1)
                    assert lease.user == login
                    assert hub.call("leases.return", lease_id=lease.id).end_reason == "returned"
                    assert hub.call("quotas.mine") is not None  # a call for the workers
            except Exception as exc:  # reported below
                errors.append(f"{login}: {type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=work, args=item) for item in clients.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        assert not errors, errors
        assert not _serve_has_database(centre)
    finally:
        for hub in clients.values():
            hub.close()


def test_a_key_revoked_while_connected_is_refused_through_the_broker(
        centre: SshCentre, broker: Broker) -> None:
    client = _client(centre, "demo.student")
    try:
        assert client.call("me.whoami").login == "demo.student"
        hub = open_hub(centre.url)
        key = accounts.parse_public_key(Path(f"{centre.keys['demo.student']}.pub").read_text())
        with transaction(hub.sessions) as session:
            accounts.revoke_key(session, key.fingerprint)
        hub.engine.dispose()
        with pytest.raises(ChipError, match="revoked"):
            client.call("me.whoami")
    finally:
        client.close()


def test_notifications_are_pushed_through_the_broker(centre: SshCentre, broker: Broker) -> None:
    client = _client(centre, "demo.instructor")
    seen = Collector()
    client.subscribe(seen)
    try:
        client.call("system.ping")
        time.sleep(0.5)  # the broker takes the connection's notification baseline first
        marker = uuid.uuid4().hex
        _add_notification(centre.url, "demo.instructor", marker)
        assert seen.arrived.wait(15), "no notification arrived"
        assert marker in seen.markers()
    finally:
        client.close()


def test_a_killed_broker_leaves_the_connections_to_their_own_serve(centre: SshCentre) -> None:
    first = Broker(centre.url)
    client = _client(centre, "demo.engineer")
    try:
        assert client.call("me.whoami").login == "demo.engineer"
        first.stop(signal.SIGKILL)
        assert first.path.exists()  # stale
        assert client.call("me.whoami").login == "demo.engineer"  # reconnected, served itself
        assert client.reconnects >= 1
        assert _serve_has_database(centre)
        second = Broker(centre.url)  # replaces the stale socket
        try:
            fresh = _client(centre, "demo.engineer")
            try:
                assert fresh.call("me.whoami").login == "demo.engineer"
            finally:
                fresh.close()
            third = subprocess.run([HUB, "--db", centre.url, "broker"], env=services.sshd_env(),
                                   capture_output=True, text=True, timeout=60)
            assert third.returncode != 0 and "already serves" in third.stderr
        finally:
            assert second.stop() == 0
        assert not second.path.exists()  # a broker that stops removes its socket
    finally:
        client.close()
        first.path.unlink(missing_ok=True)


def _talk(path: Path, data: bytes) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(os.fsencode(path))
        sock.sendall(data)
        out = b""
        while True:
            part = sock.recv(65536)
            if not part:
                return out
            out += part
            if out.count(b"\n") >= 2:
                return out


@pytest.mark.parametrize("handshake", [b"not json\n", b'{"login": 7}\n', b'{"key": "x"}\n',
                                       b"x" * 5000])
def test_a_bad_handshake_is_refused(centre: SshCentre, broker: Broker,
                                    handshake: bytes) -> None:
    assert _talk(broker.path, handshake) == b""
    # The broker goes on serving the others.
    request = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "me.whoami",
                          "params": {}}).encode()
    answer = _talk(broker.path, b'{"login": "demo.student", "key": null}\n' + request + b"\n")
    assert answer.startswith(b"ok\n")
    assert json.loads(answer.split(b"\n")[1])["result"]["login"] == "demo.student"


def test_the_socket_is_only_for_the_broker_s_own_user(centre: SshCentre,
                                                      broker: Broker) -> None:
    assert broker.path.stat().st_mode & 0o777 == 0o600
    code = ("import os, socket, sys\n"
            "os.setgid(65534); os.setuid(65534)\n"
            "s = socket.socket(socket.AF_UNIX)\n"
            "try:\n    s.connect(sys.argv[1])\nexcept PermissionError:\n    sys.exit(3)\n"
            "sys.exit(0 if s.recv(1) == b'' else 4)\n")
    if os.getuid() != 0:
        pytest.skip("needs root to act as another user")
    done = subprocess.run([sys.executable, "-c", code, str(broker.path)], timeout=30)
    assert done.returncode in (0, 3)  # refused by the file mode, or closed by the broker


def test_quick_methods_are_hub_methods() -> None:
    from hub.api import Hub

    assert set(Hub.METHODS) >= QUICK_METHODS


# -- the hand-over of sshd's pipes (the relay's protocol, with pipes standing in for sshd's) -------

_WHOAMI = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "me.whoami", "params": {}}).encode()


def _readable(fd: int, seconds: float) -> bool:
    return bool(select.select([fd], [], [], seconds)[0])


def _handshake(path: Path, fds: list[int], after: bytes = b"") -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(os.fsencode(path))
    socket.send_fds(sock, [b'{"login": "demo.student", "key": null}\n' + after], fds)
    return sock


@pytest.mark.parametrize("centre", ["sqlite"], indirect=True)
def test_the_relay_hands_sshd_s_pipes_to_the_broker(centre: SshCentre, broker: Broker) -> None:
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    ended: list[int | None] = []
    thread = threading.Thread(target=lambda: ended.append(
        relay(broker.path, "demo.student", None, stdin_fd=in_r, stdout_fd=out_w)))
    thread.start()
    try:
        os.write(in_w, _WHOAMI + b"\n")
        assert _readable(out_r, 15), "no answer on the output pipe"
        answer = os.read(out_r, 65536)
        assert json.loads(answer.split(b"\n")[0])["result"]["login"] == "demo.student"
        assert thread.is_alive()  # the relay only waits while the broker answers
        # The broker holds the pipe now, close-on-exec: nothing it spawns inherits it.
        pipe = f"pipe:[{os.fstat(in_r).st_ino}]"
        held = [fd for fd in os.listdir(f"/proc/{broker.proc.pid}/fd")
                if os.readlink(f"/proc/{broker.proc.pid}/fd/{fd}") == pipe]
        assert len(held) == 1
        with open(f"/proc/{broker.proc.pid}/fdinfo/{held[0]}") as info:
            flags = int(next(line for line in info if line.startswith("flags:")).split()[1], 8)
        assert flags & os.O_CLOEXEC
    finally:
        os.close(in_w)  # the client has gone: the broker closes, the relay ends
        thread.join(timeout=15)
        for fd in (in_r, out_r, out_w):
            os.close(fd)
    assert ended == [0]


@pytest.mark.parametrize("centre", ["sqlite"], indirect=True)
def test_pipes_of_a_relay_that_gave_up_are_never_read(centre: SshCentre,
                                                      broker: Broker) -> None:
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    try:
        sock = _handshake(broker.path, [in_r, out_w])
        assert sock.recv(16) == b"ok\n"
        os.write(in_w, _WHOAMI + b"\n")
        sock.close()  # no "go": this relay serves its connection itself
        time.sleep(1)
        assert _readable(in_r, 0) and os.read(in_r, 65536) == _WHOAMI + b"\n"  # all still there
        os.close(out_w)  # ours; the broker has closed its copy
        assert _readable(out_r, 15) and os.read(out_r, 1) == b""  # nothing written, no writer
    finally:
        for fd in (in_r, in_w, out_r):
            os.close(fd)


@pytest.mark.parametrize("centre", ["sqlite"], indirect=True)
def test_a_relay_that_ends_ends_its_connection(centre: SshCentre, broker: Broker) -> None:
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    try:
        sock = _handshake(broker.path, [in_r, out_w])
        assert sock.recv(16) == b"ok\n"
        sock.sendall(b"go\n")
        os.write(in_w, _WHOAMI + b"\n")
        assert _readable(out_r, 15) and b'"demo.student"' in os.read(out_r, 65536)
        sock.close()  # the relay is gone (killed): sshd no longer forwards this session
        os.close(out_w)
        assert _readable(out_r, 15) and os.read(out_r, 1) == b""  # the broker let go too
    finally:
        for fd in (in_r, in_w, out_r):
            os.close(fd)


@pytest.mark.parametrize("centre", ["sqlite"], indirect=True)
@pytest.mark.parametrize("case", ["one pipe", "bytes after the line"])
def test_a_hand_over_passes_two_pipes_and_nothing_else(centre: SshCentre, broker: Broker,
                                                       case: str) -> None:
    in_r, in_w = os.pipe()
    try:
        fds, after = ([in_r], b"") if case == "one pipe" else ([in_r, in_w], _WHOAMI + b"\n")
        with _handshake(broker.path, fds, after) as sock:
            assert sock.recv(16) == b""  # refused, no "ok"
    finally:
        os.close(in_r)
        os.close(in_w)


def test_a_refusal_through_the_broker_runs_alone_and_leaves_its_denial(
        centre: SshCentre, broker: Broker) -> None:
    """Checkouts go into the broker's group commit; the one refused (the organisation's
    concurrent maximum of the demo centre) needs the general path, its own transaction, which
    refuses and records the denial."""
    from licensing.models import Denial

    def quota_denials() -> int:
        hub = open_hub(centre.url)
        try:
            with transaction(hub.sessions) as session:
                return len(session.scalars(sqlalchemy.select(Denial).where(
                    Denial.feature == "scalesim-slot", Denial.reason == "quota")).all())
        finally:
            hub.engine.dispose()

    before = quota_denials()  # the demo centre's history has some
    client = _client(centre, "demo.engineer")
    taken: list[int] = []
    try:
        with pytest.raises(QuotaExceeded):
            for _ in range(200):
                taken.append(client.call("leases.checkout", feature="scalesim-slot",
                                         seats=1, hours=1).id)
        assert taken
        for lease_id in taken:
            assert client.call("leases.return", lease_id=lease_id).end_reason == "returned"
    finally:
        client.close()
    assert quota_denials() == before + 1


def test_a_broker_killed_mid_storm_loses_no_seat(centre: SshCentre) -> None:
    """Clients check out and return through the broker's group commits; the broker is killed
    (SIGKILL) mid-storm, the connections' own serve processes take over; afterwards every
    pool's counter equals its open leases: no seat lost, none counted twice."""
    from licensing import catalogue, seats

    hub = open_hub(centre.url)
    with transaction(hub.sessions) as session:
        catalogue.add_local_pool(session, "storm-slot", 3, max_seats_per_lease=1)
    hub.engine.dispose()
    first = Broker(centre.url)
    stop = threading.Event()
    pairs: list[int] = []

    def work(login: str) -> None:
        client = _client(centre, login)
        done = 0
        try:
            while not stop.is_set():
                try:
                    lease = client.call("leases.checkout", feature="storm-slot", seats=1,
                                        hours=1)
                    client.call("leases.return", lease_id=lease.id)
                    done += 1
                except ChipError:  # refused (full), or the connection went with the broker
                    continue
        finally:
            client.close()
            pairs.append(done)

    threads = [threading.Thread(target=work, args=(login,)) for login in
               ("demo.engineer", "demo.engineer2", "demo.student", "demo.student2")]
    for thread in threads:
        thread.start()
    try:
        time.sleep(3)
        first.stop(signal.SIGKILL)
        time.sleep(3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        first.path.unlink(missing_ok=True)
    assert len(pairs) == 4 and sum(pairs) > 0
    hub = open_hub(centre.url)
    try:
        with transaction(hub.sessions) as session:
            counts = seats.count(session)
            assert counts and all(c.consistent for c in counts), counts
    finally:
        hub.engine.dispose()


def test_a_write_beside_a_batch_in_one_turn_is_answered(centre: SshCentre,
                                                        broker: Broker) -> None:
    """A checkout (into the group commit, which holds SQLite's writer lock) and another
    connection's write on its own transaction, read in the same turn of the broker's loop:
    the batch commits first, so the write does not wait for a lock its own thread holds."""
    sockets: list[socket.socket] = []
    broker.proc.send_signal(signal.SIGSTOP)  # both requests wait in the kernel for one turn
    try:
        for login, method, params in (
                ("demo.engineer", "leases.checkout", {"feature": "scalesim-slot", "seats": 1}),
                ("demo.student", "me.set_preference", {"key": "theme", "value": "dark"})):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(60)
            sock.connect(os.fsencode(broker.path))
            request = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
            sock.sendall(json.dumps({"login": login, "key": None}).encode() + b"\n"
                         + json.dumps(request).encode() + b"\n")
            sockets.append(sock)
    finally:
        broker.proc.send_signal(signal.SIGCONT)
    answers = []
    for sock in sockets:
        with sock:
            got = b""
            while got.count(b"\n") < 2:
                part = sock.recv(65536)
                assert part, got
                got += part
        assert got.startswith(b"ok\n")
        answers.append(json.loads(got.split(b"\n")[1]))
    assert [("result" in a, a.get("error")) for a in answers] == [(True, None), (True, None)]
    assert answers[1]["result"] == {"theme": "dark"}
