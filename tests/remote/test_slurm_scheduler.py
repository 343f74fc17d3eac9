"""The Slurm scheduler against a real single-node Slurm (started by .ci/start-slurm.sh)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest

from core.errors import InvalidInput
from remote.sandbox import JobLimits, RunOutcome, SandboxSettings
from remote.schedulers import (
    JobRef,
    JobSpec,
    SchedState,
    SchedStatus,
    SchedulerUnavailable,
    SlurmScheduler,
)
from remote.workspace import Workspace, seal
from tests.remote.conftest import START_SLURM, SlurmCluster, sandbox_processes

pytestmark = pytest.mark.slurm


def _sched(slurm: SlurmCluster, sandbox: SandboxSettings, **kw: object) -> SlurmScheduler:
    return SlurmScheduler(sandbox, slurm_conf=slurm.conf, partition="debug",
                          **kw)  # type: ignore[arg-type]


def _job(root: Path, job_id: str, script: str, wall: float = 60,
         licences: dict[str, int] | None = None) -> JobSpec:
    ws = Workspace.create(root, job_id)
    (ws.inputs / "run.sh").write_text(script)
    seal(ws)
    return JobSpec(ws, ("sh", "../inputs/run.sh"),
                   JobLimits(wall_seconds=wall, memory_bytes=512 << 20),
                   licences=licences or {})


def _submit(sched: SlurmScheduler, spec: JobSpec) -> JobRef:
    return JobRef(sched.submit(spec), spec.workspace.path)


def _wait_state(sched: SlurmScheduler, ref: JobRef, state: SchedState,
                timeout: float = 30, reason: str = "") -> str:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = sched.poll([ref])[ref.sched_id]
        if last.state == state and reason in last.reason:
            return last.reason
        time.sleep(0.2)
    raise AssertionError(f"{ref.sched_id} never reached {state} (last {last})")


def test_submit_poll_and_status_file(slurm: SlurmCluster, farm_root: Path,
                                     sandbox_settings: SandboxSettings) -> None:
    sched = _sched(slurm, sandbox_settings)
    ok = _submit(sched, _job(farm_root, "sl-ok", "echo hello; echo res > $CHIPCOMMONS_OUT/r"))
    bad = _submit(sched, _job(farm_root, "sl-bad", "echo broken >&2; exit 4"))
    assert ok.sched_id.isdigit() and bad.sched_id.isdigit()
    final = sched.wait([ok, bad], timeout=60)
    assert final[ok.sched_id].outcome == RunOutcome.SUCCESS, final
    assert final[bad.sched_id].final is not None
    assert final[bad.sched_id].outcome == RunOutcome.RUNTIME_ERROR
    assert final[bad.sched_id].final.exit_code == 4  # type: ignore[union-attr]
    assert final[ok.sched_id].final.sandboxed  # type: ignore[union-attr]
    assert (ok.workspace / "stdout.log").read_text() == "hello\n"
    assert (ok.workspace / "out" / "r").read_text() == "res\n"
    assert (bad.workspace / "stderr.log").read_text() == "broken\n"
    assert (ok.workspace / "slurm.id").read_text().strip() == ok.sched_id
    # a hand-off whose answer was lost finds the id again instead of submitting twice
    assert sched.submitted(ok.ws) == ok.sched_id
    (bad.workspace / "slurm.id").write_text("not a number\n")
    assert sched.submitted(bad.ws) is None
    assert sched.submitted(Workspace(farm_root / "never-submitted")) is None


def test_licences_are_mirrored_into_slurm(slurm: SlurmCluster, farm_root: Path,
                                          sandbox_settings: SandboxSettings) -> None:
    sched = _sched(slurm, sandbox_settings, mirror_licences=True,
                   licence_names={"synth-tool": "synthlic"})
    first = _submit(sched, _job(farm_root, "lic-1", "sleep 3", licences={"synth-tool": 1}))
    _wait_state(sched, first, SchedState.RUNNING)
    second = _submit(sched, _job(farm_root, "lic-2", "true", licences={"synth-tool": 1}))
    assert "Licenses" in _wait_state(sched, second, SchedState.PENDING, reason="Licenses")
    final = sched.wait([first, second], timeout=60)
    assert {s.outcome for s in final.values()} == {RunOutcome.SUCCESS}
    with pytest.raises(InvalidInput, match="Slurm refused"):
        sched.submit(_job(farm_root, "lic-3", "true", licences={"synth-tool": 5}))
    unmirrored = _sched(slurm, sandbox_settings)
    assert unmirrored.licence_spec({"synth-tool": 5}) is None


def test_wall_time_limit_inside_slurm(slurm: SlurmCluster, farm_root: Path,
                                      sandbox_settings: SandboxSettings) -> None:
    sched = _sched(slurm, sandbox_settings)
    ref = _submit(sched, _job(farm_root, "sl-loop", "while :; do :; done", wall=2))
    final = sched.wait([ref], timeout=60)
    assert final[ref.sched_id].outcome == RunOutcome.TIME_LIMIT


def test_cancel_running_and_pending(slurm: SlurmCluster, farm_root: Path,
                                    sandbox_settings: SandboxSettings) -> None:
    sched = _sched(slurm, sandbox_settings, mirror_licences=True)
    running = _submit(sched, _job(farm_root, "sc-run", "sleep 60", licences={"synthlic": 1}))
    _wait_state(sched, running, SchedState.RUNNING)
    while not (running.workspace / "wrapper.pid").exists():
        time.sleep(0.1)
    pending = _submit(sched, _job(farm_root, "sc-pend", "echo ran > ran.txt",
                                  licences={"synthlic": 1}))
    _wait_state(sched, pending, SchedState.PENDING)
    sched.cancel(pending)
    sched.cancel(running)
    final = sched.wait([running, pending], timeout=60)
    assert final[running.sched_id].outcome == RunOutcome.CANCELLED
    assert final[running.sched_id].final.source == "wrapper"  # type: ignore[union-attr]
    assert final[pending.sched_id].outcome == RunOutcome.CANCELLED
    assert not (pending.workspace / "work" / "ran.txt").exists()
    assert sandbox_processes(settle=10) == 0


def test_slurm_down_keeps_jobs_with_a_clear_status(
        slurm: SlurmCluster, farm_root: Path, sandbox_settings: SandboxSettings,
        tmp_path: Path) -> None:
    # the same cluster seen through a controller address where nothing listens
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once closed: nothing listens there
    down_conf = tmp_path / "slurm-down.conf"
    lines = [f"SlurmctldPort={port}" if ln.startswith("SlurmctldPort=") else ln
             for ln in slurm.conf.read_text().splitlines()]
    down_conf.write_text("\n".join([*lines, "MessageTimeout=2", "TCPTimeout=1"]) + "\n")
    up = _sched(slurm, sandbox_settings)
    down = SlurmScheduler(sandbox_settings, slurm_conf=down_conf, timeout=20)

    spec = _job(farm_root, "down-1", "sleep 1")
    with pytest.raises(SchedulerUnavailable, match="Slurm is unavailable"):
        down.submit(spec)
    assert not spec.workspace.status_file.exists()  # not failed, not half-run

    running = _submit(up, _job(farm_root, "down-2", "sleep 2"))
    states = down.poll([running])
    assert states[running.sched_id].state == SchedState.UNAVAILABLE
    assert "unavailable" in states[running.sched_id].reason
    with pytest.raises(SchedulerUnavailable):
        down.cancel(running)
    assert not (running.workspace / "cancel").exists()  # the cancel did not go through
    with pytest.raises(SchedulerUnavailable):
        down.recover()

    # the controller is back: the same job is found, the queued one can go now
    later = _submit(up, spec)
    final = up.wait([running, later], timeout=60)
    assert {s.outcome for s in final.values()} == {RunOutcome.SUCCESS}


def test_job_gone_from_slurm_without_status_and_recover(
        slurm: SlurmCluster, farm_root: Path, sandbox_settings: SandboxSettings) -> None:
    sched = _sched(slurm, sandbox_settings)
    ghost = Workspace.create(farm_root, "ghost")
    seal(ghost)
    states = sched.poll([JobRef("999999", ghost.path)])
    assert states["999999"].outcome == RunOutcome.INFRASTRUCTURE_ERROR
    assert "left no status" in states["999999"].reason

    ref = _submit(sched, _job(farm_root, "rec-1", "sleep 2"))
    found = {r.ref.sched_id: r for r in sched.recover()}
    assert ref.sched_id in found
    assert found[ref.sched_id].ref.workspace == ref.workspace
    assert sched.wait([ref], timeout=60)[ref.sched_id].outcome == RunOutcome.SUCCESS


def test_start_script_is_idempotent(slurm: SlurmCluster) -> None:
    before = slurm.conf.read_text()
    proc = subprocess.run([str(START_SLURM), str(slurm.directory)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(slurm.conf)
    assert slurm.conf.read_text() == before  # same ports, same cluster


def test_real_controller_outage_and_return(slurm: SlurmCluster, farm_root: Path,
                                           sandbox_settings: SandboxSettings,
                                           tmp_path: Path) -> None:
    """slurmctld really stops while a job runs, then .ci/start-slurm.sh brings it back."""
    sched = _sched(slurm, sandbox_settings)
    # the hub's view of the same cluster with short client timeouts (not to wait ~10 s)
    impatient_conf = tmp_path / "client.conf"
    impatient_conf.write_text(slurm.conf.read_text() + "MessageTimeout=2\nTCPTimeout=1\n")
    impatient = SlurmScheduler(sandbox_settings, slurm_conf=impatient_conf)
    ref = _submit(sched, _job(farm_root, "outage-1", "sleep 5; echo survived"))
    _wait_state(sched, ref, SchedState.RUNNING)
    pid = int((slurm.directory / "slurmctld.pid").read_text())
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        status = impatient.poll([ref])[ref.sched_id]
        assert status.state == SchedState.UNAVAILABLE, status
        assert "Slurm is unavailable" in status.reason
        assert not ref.ws.status_file.exists()
    finally:
        proc = subprocess.run([str(START_SLURM), str(slurm.directory)], capture_output=True,
                              text=True, timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr
    final = sched.wait([ref], timeout=60)
    assert final[ref.sched_id].outcome == RunOutcome.SUCCESS
    assert (ref.workspace / "stdout.log").read_text() == "survived\n"


def test_slurm_end_states_without_a_status_file(farm_root: Path,
                                                sandbox_settings: SandboxSettings) -> None:
    """How a Slurm end state is read when the wrapper left no status (rows as squeue prints
    them: id|state|reason|end time)."""
    sched = SlurmScheduler(sandbox_settings)
    now = datetime.now().isoformat(timespec="seconds")

    def state(job_id: str, row: list[str]) -> SchedStatus:
        ws = Workspace.create(farm_root, job_id)
        return sched._state_of(JobRef(row[0], ws.path), row)

    just_done = state("end-1", ["11", "COMPLETED", "None", now])
    assert just_done.state == SchedState.RUNNING
    assert state("end-2", ["12", "COMPLETED", "None", "2020-01-01T00:00:00"]).outcome \
        == RunOutcome.INFRASTRUCTURE_ERROR
    assert state("end-3", ["13", "TIMEOUT", "None", now]).outcome \
        == RunOutcome.TIME_LIMIT
    assert state("end-4", ["14", "OUT_OF_MEMORY", "None", now]).outcome \
        == RunOutcome.MEMORY_LIMIT
    assert state("end-5", ["15", "CANCELLED", "None", "Unknown"]).outcome \
        == RunOutcome.CANCELLED
    assert state("end-6", ["16", "NODE_FAIL", "None", now]).outcome \
        == RunOutcome.INFRASTRUCTURE_ERROR
    assert state("end-7", ["17", "PENDING", "Licenses", "Unknown"]).state \
        == SchedState.PENDING
