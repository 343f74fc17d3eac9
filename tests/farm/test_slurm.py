"""The farm on a real single-node Slurm: a job goes through sbatch and back; with Slurm down a
submission is accepted and stays queued with a clear reason, then runs once Slurm is back."""

from __future__ import annotations

import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.api import Hub
from hub.centre import init_centre, open_hub
from hub.cli.jobs import submit_files
from hub.clients.local import LocalHub
from hub.farm import dispatcher_for
from tests.farm.conftest import configure, run_worker_until
from tests.remote.conftest import SlurmCluster


def _farm_yaml(path: Path, root: Path, conf: Path) -> Path:
    path.write_text(f"""
scheduler:
  type: slurm
  slurm_conf: {conf}
  command_timeout: 20
workspace:
  root: {root}
backends: [rtl-sim, synth, pim, npu-scalesim, command]
limits:
  job: {{wall_time: 10m, memory: 4 GiB, processes: 256}}
""")
    return path


@pytest.fixture
def farm_root() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="cc-farm-", dir="/tmp"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def down_conf(slurm: SlurmCluster, tmp_path: Path) -> Path:
    """The same cluster seen through a controller port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    lines = [f"SlurmctldPort={port}" if ln.startswith("SlurmctldPort=") else ln
             for ln in slurm.conf.read_text().splitlines()]
    conf = tmp_path / "slurm-down.conf"
    conf.write_text("\n".join([*lines, "MessageTimeout=2", "TCPTimeout=1"]) + "\n")
    return conf


def _hub(url: str, farm_yaml: Path, lock_dir: Path, *, init: bool = False) -> Hub:
    hub = init_centre(url, with_demo=True) if init else open_hub(url)
    return configure(hub, lock_dir, farm_config=str(farm_yaml))


def test_rtl_job_through_slurm(slurm: SlurmCluster, farm_root: Path, tmp_path: Path,
                               uid_lock_dir: Path, mac8_tarball: Path,
                               mac8_params: dict[str, Any]) -> None:
    url = f"sqlite:///{tmp_path / 'centre.sqlite3'}"
    hub = _hub(url, _farm_yaml(tmp_path / "farm.yaml", farm_root, slurm.conf), uid_lock_dir,
               init=True)
    client = LocalHub(hub, "demo.student")
    try:
        job = submit_files(client, "rtl-sim", [mac8_tarball], mac8_params)
        assert dispatcher_for(hub).wait([job.id], timeout=60)
        job = client.call("jobs.show", job_id=job.id)
        assert (job.state, job.scheduler) == ("queued", "slurm") and job.sched_id
        done = run_worker_until(hub, client, job.id, timeout=120)
        assert done.state == "succeeded", done.reason
        assert done.score == 10.0
    finally:
        client.close()


def test_slurm_down_keeps_the_job_queued_then_runs_it(
        slurm: SlurmCluster, down_conf: Path, farm_root: Path, tmp_path: Path,
        uid_lock_dir: Path) -> None:
    url = f"sqlite:///{tmp_path / 'centre.sqlite3'}"
    down = _hub(url, _farm_yaml(tmp_path / "down.yaml", farm_root, down_conf), uid_lock_dir,
                init=True)
    src = tmp_path / "top.v"
    src.write_text("module top; endmodule\n")
    client = LocalHub(down, "demo.engineer")
    try:
        job = submit_files(client, "command", [src], {"template": "hello", "file": "top.v"})
        assert dispatcher_for(down).wait([job.id], timeout=60)
        job = client.call("jobs.show", job_id=job.id)
        assert job.state == "queued" and job.sched_id is None
        assert "slurm scheduler unavailable" in job.reason and "will retry" in job.reason
        # Slurm comes back: the next worker round hands the job over and it runs
        up = _hub(url, _farm_yaml(tmp_path / "up.yaml", farm_root, slurm.conf), uid_lock_dir)
        done = run_worker_until(up, client, job.id, timeout=120)
        assert done.state == "succeeded", done.reason
        assert done.sched_id and done.infra_retries == 0
    finally:
        client.close()
