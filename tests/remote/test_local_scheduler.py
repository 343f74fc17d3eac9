"""The local scheduler: bounded concurrency, cancel, and jobs that outlive the hub."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from core.errors import Conflict, InfrastructureError
from remote.sandbox import JobLimits, RunOutcome, SandboxSettings
from remote.schedulers import JobRef, JobSpec, LocalScheduler, SchedState
from remote.workspace import Workspace, seal
from tests.remote.conftest import REPO, sandbox_processes


def _job(root: Path, job_id: str, script: str, wall: float = 30) -> JobSpec:
    ws = Workspace.create(root, job_id)
    (ws.inputs / "run.sh").write_text(script)
    seal(ws)
    return JobSpec(ws, ("sh", "../inputs/run.sh"), JobLimits(wall_seconds=wall))


def _ref(spec: JobSpec) -> JobRef:
    return JobRef(spec.job_id, spec.workspace.path)


def _wait_state(sched: LocalScheduler, ref: JobRef, state: SchedState,
                timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sched.poll([ref])[ref.sched_id].state == state and (
                state != SchedState.RUNNING or ref.ws.pid_file.exists()):
            return
        time.sleep(0.05)
    raise AssertionError(f"{ref.sched_id} never reached {state}")


def test_bounded_concurrency_then_all_succeed(farm_root: Path,
                                              sandbox_settings: SandboxSettings) -> None:
    sched = LocalScheduler(farm_root, sandbox_settings, max_concurrent=2)
    specs = [_job(farm_root, f"conc-{i}", f"sleep 1; echo job{i} > $CHIPCOMMONS_OUT/r.txt")
             for i in range(3)]
    refs = [JobRef(sched.submit(s), s.workspace.path) for s in specs]
    assert [r.sched_id for r in refs] == ["conc-0", "conc-1", "conc-2"]
    states = sched.poll(refs)
    assert [states[r.sched_id].state for r in refs] == [
        SchedState.RUNNING, SchedState.RUNNING, SchedState.PENDING]
    assert "free slot" in states["conc-2"].reason
    final = sched.wait(refs, timeout=30)
    for i, ref in enumerate(refs):
        assert final[ref.sched_id].outcome == RunOutcome.SUCCESS, final[ref.sched_id]
        assert (ref.workspace / "out" / "r.txt").read_text() == f"job{i}\n"
    assert sched.recover() == []  # nothing left active


def test_cancel_running_and_queued_jobs(farm_root: Path,
                                        sandbox_settings: SandboxSettings) -> None:
    sched = LocalScheduler(farm_root, sandbox_settings, max_concurrent=1)
    running = _job(farm_root, "cancel-run", "sleep 60")
    queued = _job(farm_root, "cancel-queued", "echo ran > ran.txt")
    r_run = JobRef(sched.submit(running), running.workspace.path)
    r_q = JobRef(sched.submit(queued), queued.workspace.path)
    _wait_state(sched, r_run, SchedState.RUNNING)
    assert sched.poll([r_q])[r_q.sched_id].state == SchedState.PENDING
    sched.cancel(r_q)
    sched.cancel(r_run)
    final = sched.wait([r_run, r_q], timeout=20)
    assert final["cancel-run"].outcome == RunOutcome.CANCELLED
    assert final["cancel-queued"].outcome == RunOutcome.CANCELLED
    assert not (queued.workspace.work / "ran.txt").exists()
    assert sandbox_processes() == 0
    sched.cancel(r_run)  # cancelling an ended job is a no-op


HUB = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from remote.sandbox import JobLimits, SandboxSettings
    from remote.schedulers import JobSpec, LocalScheduler
    from remote.workspace import Workspace
    root, settings = Path(sys.argv[1]), SandboxSettings.model_validate_json(sys.argv[2])
    sched = LocalScheduler(root, settings, max_concurrent=2)
    ws = Workspace.at(root, "survivor")
    print(sched.submit(JobSpec(ws, ("sh", "../inputs/run.sh"), JobLimits(wall_seconds=30))))
""")


def test_jobs_survive_a_hub_restart_and_orphans_are_marked(
        farm_root: Path, sandbox_settings: SandboxSettings) -> None:
    survivor = _job(farm_root, "survivor", "sleep 2; echo done > $CHIPCOMMONS_OUT/r.txt")
    orphan = _job(farm_root, "orphan", "sleep 60")
    # a first hub process submits and exits
    proc = subprocess.run([sys.executable, "-c", HUB, str(farm_root),
                           sandbox_settings.model_dump_json()],
                          cwd=REPO, capture_output=True, text=True, timeout=30,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "survivor"
    # a new hub (a fresh scheduler object) adopts what is still running
    sched = LocalScheduler(farm_root, sandbox_settings, max_concurrent=2)
    r_orphan = JobRef(sched.submit(orphan), orphan.workspace.path)
    _wait_state(sched, r_orphan, SchedState.RUNNING)
    _wait_state(sched, _ref(survivor), SchedState.RUNNING)
    pid = json.loads(survivor.workspace.pid_file.read_text())["pid"]
    assert pid != os.getpid()
    recovered = {r.ref.sched_id: r.status.state for r in sched.recover()}
    assert recovered == {"survivor": SchedState.RUNNING, "orphan": SchedState.RUNNING}
    # the orphan's wrapper dies without a status (as in a crash)
    wrapper = json.loads(orphan.workspace.pid_file.read_text())["pid"]
    os.kill(wrapper, signal.SIGKILL)
    final = sched.wait([_ref(survivor), r_orphan], timeout=30)
    assert final["survivor"].outcome == RunOutcome.SUCCESS
    assert (survivor.workspace.out / "r.txt").read_text() == "done\n"
    assert final["orphan"].outcome == RunOutcome.INFRASTRUCTURE_ERROR
    assert "died" in final["orphan"].reason
    assert sandbox_processes(settle=10) == 0  # the orphan's sandbox died with its wrapper


def test_refusals(farm_root: Path, sandbox_settings: SandboxSettings, tmp_path: Path) -> None:
    sched = LocalScheduler(farm_root, sandbox_settings)
    ws = Workspace.create(farm_root, "unsealed")
    with pytest.raises(Conflict, match="not sealed"):
        sched.submit(JobSpec(ws, ("true",)))
    seal(ws)
    no_bwrap = LocalScheduler(farm_root, sandbox_settings.model_copy(
        update={"bwrap": "/nonexistent/bwrap"}))
    with pytest.raises(InfrastructureError, match="unsafe"):
        no_bwrap.submit(JobSpec(ws, ("true",)))
    elsewhere = Workspace.create(tmp_path, "elsewhere")
    seal(elsewhere)
    with pytest.raises(InfrastructureError, match="farm root"):
        sched.submit(JobSpec(elsewhere, ("true",)))
    states = sched.poll([JobRef("never-submitted", farm_root / "never-submitted")])
    assert states["never-submitted"].outcome == RunOutcome.INFRASTRUCTURE_ERROR
    ref = JobRef(sched.submit(JobSpec(ws, ("true",))), ws.path)
    assert sched.wait([ref], timeout=20)[ref.sched_id].outcome == RunOutcome.SUCCESS
    with pytest.raises(Conflict, match="already ended"):
        sched.submit(JobSpec(ws, ("true",)))
