"""Shared fixtures: real PostgreSQL and OpenSSH services, fresh centres, clients over both
transports. Services skip (with the reason) only when their binaries are absent and we are not in
CI; in CI (``CI=true``) a missing service fails the run instead."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support import services

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI must install it)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def no_leftover_threads() -> Iterator[None]:
    """Fail a test that leaves a non-daemon thread running (napari does the same)."""
    before = set(threading.enumerate())
    yield
    leftover = [t for t in threading.enumerate()
                if t not in before and t.is_alive() and not t.daemon]
    for thread in leftover:
        thread.join(timeout=2)
    still = [t.name for t in leftover if t.is_alive()]
    assert not still, f"test left threads running: {still}"


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server: $CHIPCOMMONS_TEST_PG, or a private cluster started here."""
    env = os.environ.get("CHIPCOMMONS_TEST_PG")
    if env:
        yield env
        return
    if services.pg_bin() is None:
        _unavailable("PostgreSQL server is not installed (apt-get install postgresql)")
    cluster = services.start_postgres(Path("/tmp") / f"chipcommons-pg-{uuid.uuid4().hex[:8]}")
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh database for this test session, dropped at its end."""
    name = f"chipcommons_test_{os.getpid()}"
    yield services.create_database(pg_admin_url, name)
    services.drop_database(pg_admin_url, name)


@pytest.fixture
def fresh_pg_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh database for one test, dropped after it (a shared server does not fill up)."""
    name = f"cc_{uuid.uuid4().hex[:12]}"
    yield services.create_database(pg_admin_url, name)
    services.drop_database(pg_admin_url, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty centre database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'centre.sqlite3'}"
    return str(request.getfixturevalue("fresh_pg_url"))


@pytest.fixture(scope="session")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[services.Sshd]:
    if services.sshd_binary() is None:
        _unavailable("OpenSSH server is not installed (apt-get install openssh-server)")
    server = services.start_sshd(tmp_path_factory.mktemp("sshd"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the embedded centre, keys and known_hosts of tests out of the real home."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CHIPCOMMONS_HOME", str(home))
    monkeypatch.setenv("CHIPCOMMONS_KNOWN_HOSTS", str(home / "known_hosts"))


@dataclass
class SshCentre:
    """A centre reachable over the test sshd: its database, and one key per demo user."""

    url: str
    sshd: services.Sshd
    keys: dict[str, Path] = field(default_factory=dict)
    known_hosts: Path = Path()

    def serve_prefix(self) -> str:
        import sys

        return f"{Path(sys.executable).with_name('chipcommons-hub')} --db {self.url}"


def make_ssh_centre(url: str, server: services.Sshd, workdir: Path) -> SshCentre:
    from hub.centre import init_centre
    from hub.cli import admin
    from hub.demo import load_demo

    init_centre(url, with_demo=True)
    centre = SshCentre(url, server, known_hosts=workdir / "known_hosts")
    for user in load_demo()["users"]:
        key = workdir / f"{user['login']}_ed25519"
        services.write_keypair(key)
        rc = admin.main(["--db", url, "user", "key-add", user["login"], str(key) + ".pub",
                         "--authorized-keys", str(server.authorized_keys),
                         "--serve-command", centre.serve_prefix()])
        assert rc == 0
        centre.keys[user["login"]] = key
    host = f"[127.0.0.1]:{server.port}"
    centre.known_hosts.write_text(f"{host} {server.host_public_line()}\n")
    return centre


@pytest.fixture(scope="session")
def ssh_centre_sqlite(sshd: services.Sshd,
                      tmp_path_factory: pytest.TempPathFactory) -> SshCentre:
    work = tmp_path_factory.mktemp("centre-sqlite")
    return make_ssh_centre(f"sqlite:///{work / 'centre.sqlite3'}", sshd, work)


@pytest.fixture(scope="session")
def ssh_centre_pg(sshd: services.Sshd, pg_url: str,
                  tmp_path_factory: pytest.TempPathFactory) -> SshCentre:
    return make_ssh_centre(pg_url, sshd, tmp_path_factory.mktemp("centre-pg"))


class Connector:
    """``connect_as(login)`` opens a HubClient for a demo user; ``url`` is the centre's DB."""

    def __init__(self, transport: str, centre: SshCentre) -> None:
        self.transport = transport
        self.centre = centre
        self.url = centre.url
        self.opened: list[object] = []

    def __call__(self, login: str) -> object:
        from hub.centre import open_hub
        from hub.clients.local import LocalHub
        from hub.clients.remote import RemoteHub, SshTarget

        client: object
        if self.transport == "local":
            client = LocalHub(open_hub(self.url), login)
        else:
            sshd = self.centre.sshd
            client = RemoteHub(SshTarget("127.0.0.1", sshd.user, sshd.port,
                                         self.centre.keys[login]),
                               known_hosts=self.centre.known_hosts, timeout=30)
        self.opened.append(client)
        return client

    def close(self) -> None:
        for client in self.opened:
            client.close()  # type: ignore[attr-defined]


@pytest.fixture(params=["local-sqlite", "ssh-sqlite", "local-postgresql", "ssh-postgresql"])
def connect_as(request: pytest.FixtureRequest) -> Iterator[Connector]:
    """The same scenario over each transport (in-process, SSH) and database."""
    transport, backend = request.param.split("-")
    centre: SshCentre = request.getfixturevalue(
        "ssh_centre_sqlite" if backend == "sqlite" else "ssh_centre_pg")
    connector = Connector(transport, centre)
    yield connector
    connector.close()
