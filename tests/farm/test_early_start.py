"""The early ``sbatch`` on a real Slurm: ``jobs.submit`` starts the job's submission before its
transaction commits. The job ends as before; a rollback takes the submission back; a process
killed before its commit leaves a Slurm job that refuses to run (no acceptance marker) and the
draft, submitted again, runs once; the worker adopts a job Slurm has (found by name) instead of
submitting it again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core.db import transaction
from hub import farm as farmops
from hub import worker
from hub.api import Hub
from hub.cli.jobs import upload_file
from hub.clients.local import LocalHub
from remote.jobs import service
from remote.sandbox import NOT_ACCEPTED, read_status
from remote.schedulers.slurm import JOB_NAME_PREFIX
from remote.workspace import Workspace
from tests.farm.conftest import run_worker_until
from tests.farm.test_slurm import _farm_yaml, _hub, farm_root  # noqa: F401  (fixture)
from tests.remote.conftest import SlurmCluster

pytestmark = pytest.mark.slurm

HELLO = {"template": "hello", "file": "top.v"}
ROOT = Path(__file__).resolve().parents[2]
LIVE = {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING"}


def _centre(url: str, slurm: SlurmCluster, root: Path, tmp_path: Path, lock_dir: Path,
            accept_wait: float = 30) -> tuple[Hub, Path]:
    farm_yaml = _farm_yaml(tmp_path / "farm.yaml", root, slurm.conf)
    hub = _hub(url, farm_yaml, lock_dir, init=True)
    hub.settings["farm_accept_wait"] = accept_wait
    farmops.forget_farm(hub)
    return hub, farm_yaml


def _draft(client: Any, tmp_path: Path) -> int:
    src = tmp_path / "top.v"
    src.write_text("module top; endmodule\n")
    job = client.call("jobs.create", backend="command", params=HELLO)
    upload_file(client, job.id, src)
    return int(job.id)


def _slurm_jobs(slurm: SlurmCluster, ws: Workspace) -> list[tuple[str, str]]:
    """(id, state) of every job Slurm lists under this workspace's name and folder (other
    tests' farms have jobs of the same names)."""
    out = subprocess.run(["squeue", "--noheader", "--me", "--states=all",
                          f"--name={JOB_NAME_PREFIX}{ws.job_id}", "--format=%i|%T|%Z"],
                         env=slurm.env(), capture_output=True, text=True, check=True).stdout
    rows = [line.split("|") for line in out.splitlines() if line.strip()]
    return [(r[0], r[1]) for r in rows if Path(r[2]) == ws.path]


def _workspace(hub: Hub, job_id: int) -> Workspace:
    with transaction(hub.sessions, write=False) as session:
        return farmops.farm_for(hub).workspace(service.get_job(session, job_id))


def _wait_for(what: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while not (got := what()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
    return got


def _ran(ws: Workspace) -> bool:
    return (ws.work / "copy.rpt").exists() or ws.log("stdout").exists()


def _submitted_again_runs_once(hub: Hub, client: Any, slurm: SlurmCluster, job_id: int,
                               first: Workspace) -> None:
    """The draft submitted again runs once, in a fresh workspace (the first never runs)."""
    client.call("jobs.submit", job_id=job_id)
    done = run_worker_until(hub, client, job_id, timeout=90)
    assert done.state == "succeeded", done.reason
    again = _workspace(hub, job_id)
    assert again != first and _ran(again) and not _ran(first)
    assert len(_slurm_jobs(slurm, again)) == 1


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_the_early_start_ends_as_before(db: str, slurm: SlurmCluster, farm_root: Path,  # noqa: F811
                                        tmp_path: Path, uid_lock_dir: Path,
                                        request: pytest.FixtureRequest) -> None:
    url = (f"sqlite:///{tmp_path / 'centre.sqlite3'}" if db == "sqlite"
           else str(request.getfixturevalue("fresh_pg_url")))
    hub, _ = _centre(url, slurm, farm_root, tmp_path, uid_lock_dir)
    client = LocalHub(hub, "demo.engineer")
    try:
        job = client.call("jobs.submit", job_id=_draft(client, tmp_path))
        assert (job.state, job.sched_id, job.reason) == ("queued", None, farmops.ACCEPTED)
        assert farmops.dispatcher_for(hub).wait([job.id], timeout=60)
        shown = client.call("jobs.show", job_id=job.id)
        assert (shown.scheduler, shown.reason) == ("slurm", "queued on the slurm scheduler")
        ws = _workspace(hub, job.id)
        token = ws.accept_token_file.read_text().strip()
        assert ws.accepted_marker(token).exists()
        assert [sid for sid, _ in _slurm_jobs(slurm, ws)] == [shown.sched_id]
        done = run_worker_until(hub, client, job.id, timeout=90)
        assert done.state == "succeeded", done.reason
        queued = [e.message for e in done.events if e.state == "queued"]
        assert queued[:2] == [farmops.ACCEPTED, "queued on the slurm scheduler"]
        assert all(m.startswith("pending in Slurm") for m in queued[2:])
    finally:
        client.close()


def test_a_rollback_after_the_early_start_cancels_it(slurm: SlurmCluster,
                                                     farm_root: Path,  # noqa: F811
                                                     tmp_path: Path,
                                                     uid_lock_dir: Path) -> None:
    hub, _ = _centre(f"sqlite:///{tmp_path / 'centre.sqlite3'}", slurm, farm_root, tmp_path,
                     uid_lock_dir)
    client = LocalHub(hub, "demo.engineer")
    try:
        job_id = _draft(client, tmp_path)
        farm = farmops.farm_for(hub)
        now = hub.clock()
        with pytest.raises(RuntimeError, match="after the early start"), \
                transaction(hub.sessions) as session:
            job = service.get_job(session, job_id)
            started = farmops.submit(session, farm, job, now, worker.notifier(session, now),
                                     hand_off_now=False)
            assert started is not None
            first = started[0].workspace
            raise RuntimeError("something failed after the early start")
        shown = client.call("jobs.show", job_id=job_id)
        assert (shown.state, shown.sched_id) == ("draft", None)
        # taken back: Slurm has it only as cancelled (or already forgotten), never live
        assert all(state not in LIVE for _, state in _slurm_jobs(slurm, first))
        assert first.cancel_file.exists() and not _ran(first)
        _submitted_again_runs_once(hub, client, slurm, job_id, first)
    finally:
        client.close()


def test_a_process_killed_before_its_commit_runs_nothing(slurm: SlurmCluster,
                                                         farm_root: Path,  # noqa: F811
                                                         tmp_path: Path,
                                                         uid_lock_dir: Path) -> None:
    url = f"sqlite:///{tmp_path / 'centre.sqlite3'}"
    hub, farm_yaml = _centre(url, slurm, farm_root, tmp_path, uid_lock_dir, accept_wait=3)
    client = LocalHub(hub, "demo.engineer")
    proc = None
    try:
        job_id = _draft(client, tmp_path)
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.farm.early_submitter", url, str(farm_yaml),
             str(uid_lock_dir), str(job_id)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert proc.stdout is not None
        line = proc.stdout.readline().split()
        assert line[:1] == ["started"], line
        first = Workspace(Path(line[1]))
        _wait_for(lambda: _slurm_jobs(slurm, first))  # sbatch reached Slurm
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        # the job Slurm has waits for an acceptance that never comes, then ends having run
        # nothing, and says why
        status = _wait_for(lambda: read_status(first), timeout=60)
        assert status.outcome.value == "infrastructure_error"
        assert NOT_ACCEPTED in status.message and not _ran(first)
        assert client.call("jobs.show", job_id=job_id).state == "draft"
        _submitted_again_runs_once(hub, client, slurm, job_id, first)
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(10)
        client.close()


def test_the_worker_adopts_the_job_slurm_has(slurm: SlurmCluster, farm_root: Path,  # noqa: F811
                                             tmp_path: Path, uid_lock_dir: Path) -> None:
    """A serve killed after its commit, before it wrote the acceptance marker or heard
    sbatch's answer: after the grace the worker finds the job in squeue by name, adopts its
    id (no second sbatch) and lets it run."""
    hub, _ = _centre(f"sqlite:///{tmp_path / 'centre.sqlite3'}", slurm, farm_root, tmp_path,
                     uid_lock_dir)
    client = LocalHub(hub, "demo.engineer")
    try:
        job_id = _draft(client, tmp_path)
        farm = farmops.farm_for(hub)
        now = hub.clock()
        with transaction(hub.sessions) as session:
            job = service.get_job(session, job_id)
            started = farmops.submit(session, farm, job, now, worker.notifier(session, now),
                                     hand_off_now=False)
            assert started is not None
        spec = started[0]
        assert spec.accept_token is not None
        spec.workspace.accepted_marker(spec.accept_token).unlink()  # "killed" before it
        listed = _wait_for(lambda: _slurm_jobs(slurm, spec.workspace))
        worker.tick(hub, hub.clock() + timedelta(seconds=farmops.HANDOFF_GRACE_SECONDS + 1))
        shown = client.call("jobs.show", job_id=job_id)
        assert shown.sched_id == listed[0][0]
        assert spec.workspace.accepted_marker(spec.accept_token).exists()
        done = run_worker_until(hub, client, job_id, timeout=90)
        assert done.state == "succeeded", done.reason
        assert [sid for sid, _ in _slurm_jobs(slurm, spec.workspace)] == [listed[0][0]]
    finally:
        client.close()
