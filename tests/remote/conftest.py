"""Fixtures for the farm's execution layer: a farm root, sandbox settings, ready-made jobs and a
real single-node Slurm (started by ``.ci/start-slurm.sh``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from remote.sandbox import JobFile, JobLimits, SandboxSettings, process_starttime
from remote.workspace import Workspace, seal

REPO = Path(__file__).resolve().parents[2]
START_SLURM = REPO / ".ci" / "start-slurm.sh"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SANDBOX_UIDS = (62100, 200)  # uid_first, uid_count used by the tests
# Jobs run as an unprivileged uid, so they need an interpreter every user can reach (the venv's
# may live under /root).
JOB_PYTHON = shutil.which("python3", path="/usr/bin:/bin") or "python3"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI must install it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def uid_lock_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="cc-uids-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def sandbox_settings(uid_lock_dir: Path) -> SandboxSettings:
    if shutil.which("bwrap") is None:
        _unavailable("bubblewrap is not installed (apt-get install bubblewrap)")
    if os.geteuid() != 0:
        _unavailable("sandbox tests run as root (the wrapper drops jobs to dedicated uids)")
    return SandboxSettings(uid_first=SANDBOX_UIDS[0], uid_count=SANDBOX_UIDS[1],
                           lock_dir=str(uid_lock_dir))


@pytest.fixture
def farm_root() -> Iterator[Path]:
    """A workspace root under /tmp (mode 0711, as a farm's root must be)."""
    path = Path(tempfile.mkdtemp(prefix="cc-farm-", dir="/tmp"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


MakeJob = Callable[..., Workspace]


@pytest.fixture
def make_job(farm_root: Path, sandbox_settings: SandboxSettings) -> MakeJob:
    """``make_job(job_id, command, files={name: bytes}, sandbox=..., **limits)`` → a sealed
    workspace with ``job.json`` written."""

    def make(job_id: str, command: list[str], files: dict[str, bytes] | None = None,
             sandbox: SandboxSettings | None = None, env: dict[str, str] | None = None,
             **limits: object) -> Workspace:
        ws = Workspace.create(farm_root, job_id)
        for name, data in (files or {}).items():
            target = ws.inputs / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        seal(ws)
        JobFile(job_id=job_id, command=command, env=env or {},
                limits=JobLimits.model_validate({"wall_seconds": 30, **limits}),
                sandbox=sandbox or sandbox_settings).write(ws)
        return ws

    return make


def _count_sandbox_processes() -> int:
    first, count = SANDBOX_UIDS
    n = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                uid = entry.stat().st_uid
            except FileNotFoundError:
                continue
            if first <= uid < first + count and process_starttime(int(entry.name)):
                n += 1  # zombies are dead already: not counted
    return n


def sandbox_processes(settle: float = 5.0) -> int:
    """How many processes still run as a test sandbox uid once killed ones had ``settle``
    seconds to finish dying (SIGKILL is delivered at once, the exit takes a moment)."""
    deadline = time.monotonic() + settle
    while True:
        n = _count_sandbox_processes()
        if n == 0 or time.monotonic() >= deadline:
            return n
        time.sleep(0.05)


@dataclass(frozen=True)
class SlurmCluster:
    conf: Path
    directory: Path

    def env(self) -> dict[str, str]:
        return {**os.environ, "SLURM_CONF": str(self.conf)}


@pytest.fixture(scope="session")
def slurm() -> Iterator[SlurmCluster]:
    """A real single-node Slurm on loopback, started by .ci/start-slurm.sh in a tmp dir and
    stopped at the end of the session."""
    if shutil.which("slurmctld") is None and not Path("/usr/sbin/slurmctld").exists():
        _unavailable("slurmctld is not installed (apt-get install slurm-wlm munge)")
    if os.geteuid() != 0:
        _unavailable("the test Slurm cluster must be started as root")
    directory = Path(tempfile.mkdtemp(prefix="cc-slurm-", dir="/tmp"))
    proc = subprocess.run([str(START_SLURM), str(directory)], capture_output=True, text=True,
                          timeout=120, check=False)
    if proc.returncode != 0:
        pytest.fail(f"start-slurm.sh failed: {proc.stderr.strip()}")
    conf = Path(proc.stdout.strip().splitlines()[-1])
    try:
        yield SlurmCluster(conf, directory)
    finally:
        subprocess.run([str(START_SLURM), "--stop", str(directory)], capture_output=True,
                       timeout=60, check=False)
        shutil.rmtree(directory, ignore_errors=True)
