"""Real services for tests: a private PostgreSQL cluster and a private OpenSSH sshd."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

PG_BIN_CANDIDATES = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port}")


def pg_bin() -> Path | None:
    for candidate in PG_BIN_CANDIDATES:
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@dataclass
class PgCluster:
    url: str
    datadir: Path
    bindir: Path
    run_as: str | None

    def stop(self) -> None:
        cmd = [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop"]
        _run_as(cmd, self.run_as, check=False)


def _run_as(cmd: list[str], user: str | None, *, check: bool = True) -> None:
    full = ["runuser", "-u", user, "--", *cmd] if user else cmd
    subprocess.run(full, check=check, capture_output=True, timeout=120)


def start_postgres(base: Path) -> PgCluster:
    """initdb + start a throw-away cluster on a free loopback port (as ``postgres`` if root)."""
    bindir = pg_bin()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb) are not installed")
    run_as = "postgres" if os.geteuid() == 0 else None
    base.mkdir(parents=True, exist_ok=True)
    datadir = base / "data"
    if run_as:
        entry = pwd.getpwnam(run_as)
        os.chown(base, entry.pw_uid, entry.pw_gid)
        base.chmod(0o755)
        for parent in base.parents:
            if parent == Path("/"):
                break
            with contextlib.suppress(PermissionError):
                parent.chmod(parent.stat().st_mode | 0o011)
    port = free_port()
    _run_as([str(bindir / "initdb"), "-D", str(datadir), "-A", "trust", "-U", "postgres",
             "--no-sync", "-E", "UTF8"], run_as)
    opts = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
    _run_as([str(bindir / "pg_ctl"), "-D", str(datadir), "-o", opts, "-l",
             str(base / "log"), "-w", "start"], run_as)
    return PgCluster(f"postgresql://postgres@127.0.0.1:{port}/postgres", datadir, bindir, run_as)


def create_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, name: str) -> None:
    """Drop a database made by :func:`create_database`, ending its sessions (a hub process a
    test started may still hold one); a failure is left alone (the next run's name differs)."""
    import psycopg

    with contextlib.suppress(psycopg.Error), psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- keys ----------------------------------------------------------------------------------------

def write_keypair(path: Path, kind: str = "ed25519") -> str:
    """Write an OpenSSH private key to ``path`` and return the public key line."""
    key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if kind == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
    elif kind == "ecdsa":
        key = ec.generate_private_key(ec.SECP256R1())
    elif kind == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        raise ValueError(kind)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.OpenSSH,
                                       serialization.NoEncryption()))
    path.chmod(0o600)
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    line = f"{public} test-{path.name}"
    path.with_name(path.name + ".pub").write_text(line + "\n")
    return line


# -- sshd ----------------------------------------------------------------------------------------

@dataclass
class Sshd:
    port: int
    dir: Path
    authorized_keys: Path
    host_key: Path
    user: str
    process: subprocess.Popen[bytes]

    def host_public_line(self) -> str:
        return self.host_key.with_name(self.host_key.name + ".pub").read_text().strip()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def sshd_binary() -> str | None:
    for candidate in ("/usr/sbin/sshd", shutil.which("sshd")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def start_sshd(base: Path, *, host_key_kind: str = "ed25519") -> Sshd:
    binary = sshd_binary()
    if binary is None:
        raise FileNotFoundError("OpenSSH server (sshd) is not installed")
    base.mkdir(parents=True, exist_ok=True)
    Path("/run/sshd").mkdir(exist_ok=True) if os.geteuid() == 0 else None
    host_key = base / f"ssh_host_{host_key_kind}_key"
    write_keypair(host_key, host_key_kind)
    authorized = base / "authorized_keys"
    authorized.touch(mode=0o600)
    port = free_port()
    config = base / "sshd_config"
    config.write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {host_key}",
        f"AuthorizedKeysFile {authorized}", "PasswordAuthentication no",
        "KbdInteractiveAuthentication no", "StrictModes no", "UsePAM no",
        f"PidFile {base / 'sshd.pid'}", "PermitRootLogin prohibit-password",
        "AllowTcpForwarding yes", "MaxStartups 200:30:400", "MaxSessions 100",
        "LogLevel ERROR", "",
    ]))
    process = subprocess.Popen([binary, "-D", "-e", "-f", str(config)],
                               stdout=subprocess.DEVNULL,
                               stderr=open(base / "sshd.log", "wb"))  # noqa: SIM115
    wait_port(port)
    return Sshd(port, base, authorized, host_key, pwd.getpwuid(os.geteuid()).pw_name, process)


@contextlib.contextmanager
def temp_env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


CENTRE_ENV = ("CHIPCOMMONS_HOME", "CHIPCOMMONS_CENTRE_HOME")
HUB_BIN = str(Path(sys.executable).with_name("chipcommons-hub"))


def sshd_env() -> dict[str, str]:
    """The environment sshd gives a forced command (this process's centre home is not in it)."""
    return {k: v for k, v in os.environ.items() if k not in CENTRE_ENV}


class BrokerProcess:
    """``chipcommons-hub broker`` for the centre at ``url``, in the environment sshd gives the
    forced commands (so their relays find its socket), as a centre runs it beside the worker."""

    def __init__(self, url: str) -> None:
        from hub.relay import socket_path

        saved = {k: os.environ.pop(k) for k in CENTRE_ENV if k in os.environ}
        try:
            self.path = socket_path(url)
        finally:
            os.environ.update(saved)
        # A file, not a pipe that could fill up; closed by stop().
        self.stderr = tempfile.TemporaryFile("w+")  # noqa: SIM115
        self.proc = subprocess.Popen([HUB_BIN, "--db", url, "broker"], env=sshd_env(),
                                     stderr=self.stderr, text=True)
        deadline = time.monotonic() + 60
        while not self.path.exists():
            if self.proc.poll() is not None:
                self.stderr.seek(0)
                raise RuntimeError(f"the broker ended: {self.stderr.read()}")
            if time.monotonic() > deadline:
                raise RuntimeError("the broker did not start within 60 s")
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Signal it (unless it has ended) and wait; its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=60)
        self.stderr.close()
        return rc
