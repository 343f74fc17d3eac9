"""The ``local`` scheduler: a bounded number of jobs as detached processes on the head node.

State lives on disk under ``<root>/.local/``: ``active/<job_id>`` lists jobs that have not been
reported finished (the file holds the submit time), and ``lock`` serialises dispatch between
hub processes. A job is started with ``setsid -f`` so its wrapper is no child of the hub: it
keeps running when the hub exits, and a new hub finds it again through the workspace's
``wrapper.pid`` (pid + start time, so a reused pid is not mistaken for it). A wrapper that died
without writing ``status.json`` is an orphan and is marked ``infrastructure_error``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from core.errors import InfrastructureError
from remote.sandbox import (
    RunOutcome,
    SandboxSettings,
    package_root,
    process_starttime,
    read_pid_file,
    reap_orphan_sandbox,
    signal_wrapper,
    wrapper_alive,
)
from remote.schedulers.base import (
    JobRef,
    JobSpec,
    RecoveredJob,
    SchedState,
    SchedStatus,
    Scheduler,
    env_with,
    finished,
    mark_finished,
    unknown_job,
)
from remote.workspace import Workspace, check_job_id

START_GRACE_SECONDS = 30.0
GONE = -1  # :func:`_wrapper_pidfd`: the wrapper has exited already


def _wrapper_pidfd(ws: Workspace) -> int | None:
    """A pidfd on the job's wrapper (readable once it exits); :data:`GONE` when it has exited
    already, None when there is no pid file yet (still starting) or no pidfd on this system."""
    info = read_pid_file(ws)
    if info is None or not hasattr(os, "pidfd_open"):
        return None
    pid = int(str(info["pid"]))
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return GONE
    except OSError:
        return None
    if process_starttime(pid) != info.get("starttime"):  # exited, or the pid was reused
        os.close(fd)
        return GONE
    return fd


class LocalScheduler(Scheduler):
    kind = "local"

    def __init__(self, root: Path, sandbox: SandboxSettings, max_concurrent: int = 2,
                 python: str | None = None) -> None:
        super().__init__(sandbox, python)
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self.root = Path(root)
        self.max_concurrent = max_concurrent
        self._state = self.root / ".local"
        self._active = self._state / "active"

    # --- plumbing ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self._active.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._state / "lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _ws(self, job_id: str) -> Workspace:
        return Workspace.at(self.root, job_id)

    def _launched_marker(self, ws: Workspace) -> Path:
        return ws.path / "local.launched"

    def _active_ids(self) -> list[str]:
        """Active job ids in submit order."""
        entries = []
        for entry in os.scandir(self._active):
            try:
                entries.append((Path(entry.path).read_text().strip(), entry.name))
            except FileNotFoundError:
                continue
        return [name for _, name in sorted(entries)]

    def _classify(self, job_id: str) -> SchedStatus:
        """Look at one job on disk; marks orphans as it finds them."""
        ws = self._ws(job_id)
        done = finished(ws)
        if done is not None:
            return done
        launched = self._launched_marker(ws)
        if not launched.exists():
            if not ws.job_file.exists():
                return mark_finished(ws, RunOutcome.INFRASTRUCTURE_ERROR,
                                     "job unknown to the local scheduler", "local")
            return SchedStatus(SchedState.PENDING, f"waiting for a free slot "
                               f"(at most {self.max_concurrent} jobs run at once)")
        alive = wrapper_alive(ws)
        if alive:
            return SchedStatus(SchedState.RUNNING, "running")
        if alive is None and read_pid_file(ws) is None:
            age = time.time() - launched.stat().st_mtime
            if age < START_GRACE_SECONDS:
                return SchedStatus(SchedState.RUNNING, "starting")
            return mark_finished(ws, RunOutcome.INFRASTRUCTURE_ERROR,
                                 f"the job wrapper did not start within "
                                 f"{START_GRACE_SECONDS:g} s", "local")
        done = finished(ws)  # it may have finished between the two looks
        if done is not None:
            return done
        reap_orphan_sandbox(ws, self.sandbox)
        return mark_finished(ws, RunOutcome.INFRASTRUCTURE_ERROR,
                             "the job's wrapper process died without writing a status "
                             "(orphaned, e.g. by a reboot or a kill)", "local")

    def _launch(self, ws: Workspace) -> None:
        self._launched_marker(ws).write_text(f"{time.time()}\n")
        env = env_with({"PYTHONPATH": str(package_root())})
        log = os.open(ws.wrapper_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW,
                      0o600)
        try:
            # setsid -f forks: the wrapper is re-parented away from the hub and lives on
            # when the hub exits; setsid itself returns at once.
            subprocess.run(["setsid", "-f", self.python, "-m", "remote.sandbox", "run",
                            str(ws.path)], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                           cwd=str(ws.path), env=env, check=True, timeout=30)
        except (OSError, subprocess.SubprocessError) as exc:
            mark_finished(ws, RunOutcome.INFRASTRUCTURE_ERROR,
                          f"cannot start the job wrapper: {exc}", "local")
        finally:
            os.close(log)

    def _dispatch_locked(self) -> dict[str, SchedStatus]:
        states: dict[str, SchedStatus] = {}
        for job_id in self._active_ids():
            states[job_id] = self._classify(job_id)
        busy = sum(1 for s in states.values() if s.state == SchedState.RUNNING)
        for job_id, st in states.items():
            if busy >= self.max_concurrent:
                break
            if st.state == SchedState.PENDING:
                self._launch(self._ws(job_id))
                states[job_id] = self._classify(job_id)
                busy += states[job_id].state != SchedState.FINISHED
        for job_id, st in states.items():
            if st.state == SchedState.FINISHED:
                (self._active / job_id).unlink(missing_ok=True)
        return states

    def dispatch(self) -> dict[str, SchedStatus]:
        """Start queued jobs while slots are free; return the state of every active job."""
        with self._locked():
            return self._dispatch_locked()

    # --- the interface -------------------------------------------------------------------

    def submit(self, spec: JobSpec) -> str:
        ws = spec.workspace
        if Path(ws.path).parent.resolve() != self.root.resolve():
            raise InfrastructureError(f"workspace {ws.path} is not under the farm root "
                                      f"{self.root}", job_id=ws.job_id)
        self.prepare(spec)
        with self._locked():
            entry = self._active / ws.job_id
            if not entry.exists():
                entry.write_text(f"{time.time_ns():020d}\n")
            self._dispatch_locked()
        return ws.job_id

    def poll(self, refs: Sequence[JobRef]) -> dict[str, SchedStatus]:
        active = self.dispatch()
        out: dict[str, SchedStatus] = {}
        for ref in refs:
            check_job_id(ref.sched_id)
            if ref.sched_id in active:
                out[ref.sched_id] = active[ref.sched_id]
                continue
            out[ref.sched_id] = finished(self._ws(ref.sched_id)) or unknown_job("local")
        return out

    def wait(self, refs: Sequence[JobRef], timeout: float,
             interval: float = 0.2) -> dict[str, SchedStatus]:
        """Like :meth:`Scheduler.wait` (until every job has finished or ``timeout`` passes),
        but woken by the wrappers' exits through pidfds instead of a poll tick, so an end is
        noticed as soon as the wrapper has written its status and exited. ``interval`` only
        paces jobs whose wrapper is not running yet (queued, or starting)."""
        deadline = time.monotonic() + timeout
        while True:
            states = self.poll(refs)
            waiting = [r for r in refs if states[r.sched_id].state != SchedState.FINISHED]
            left = deadline - time.monotonic()
            if not waiting or left <= 0:
                return states
            fds: list[int] = []
            step = left
            try:
                for ref in waiting:
                    fd = _wrapper_pidfd(self._ws(ref.sched_id))
                    if fd is None:
                        step = min(step, interval)
                    elif fd == GONE:
                        step = 0.0
                    else:
                        fds.append(fd)
                if step > 0:
                    select.select(fds, [], [], step)
            finally:
                for fd in fds:
                    os.close(fd)

    def cancel(self, ref: JobRef) -> None:
        ws = self._ws(check_job_id(ref.sched_id))
        with self._locked():
            if finished(ws) is not None:
                return
            ws.cancel_file.write_text("cancelled\n")
            if self._launched_marker(ws).exists() and signal_wrapper(ws, signal.SIGTERM):
                return  # the wrapper stops the job and writes ``cancelled``
            if not self._launched_marker(ws).exists() or wrapper_alive(ws) is False:
                mark_finished(ws, RunOutcome.CANCELLED, "cancelled", "local")
                (self._active / ws.job_id).unlink(missing_ok=True)

    def recover(self) -> list[RecoveredJob]:
        states = self.dispatch()
        return [RecoveredJob(JobRef(job_id, self._ws(job_id).path), st)
                for job_id, st in states.items()]
