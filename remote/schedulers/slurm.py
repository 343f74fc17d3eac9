"""The ``slurm`` scheduler: ``sbatch --parsable``, one batched ``squeue`` per poll, ``scancel``,
and the job's own ``status.json`` for the final state (sacct needs slurmdbd, which a small
centre may not run).

A job leaves ``squeue`` some minutes after it ends (``MinJobAge``); whether it is still listed
or not, its outcome comes from the status file the wrapper writes. Only when Slurm reports an
end and there is no status file (the wrapper never ran or was killed by Slurm itself) does the
Slurm state decide: ``CANCELLED`` → cancelled, ``TIMEOUT`` → time_limit, ``OUT_OF_MEMORY`` →
memory_limit, anything else → infrastructure_error. When the controller cannot be reached,
``submit`` raises :class:`SchedulerUnavailable` and ``poll`` answers ``UNAVAILABLE`` for every
job that has not ended: nothing is lost, the caller keeps the jobs queued and asks again.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import select
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from core.errors import InfrastructureError, InvalidInput
from remote.sandbox import RunOutcome, SandboxSettings
from remote.schedulers.base import (
    JobRef,
    JobSpec,
    RecoveredJob,
    SchedState,
    SchedStatus,
    Scheduler,
    SchedulerUnavailable,
    env_with,
    finished,
    mark_finished,
    wrapper_args,
    wrapper_script,
)
from remote.workspace import Workspace

JOB_NAME_PREFIX = "cc-"
SLURM_ID_FILE = "slurm.id"  # what sbatch answered, kept in the workspace
SLURM_GRACE_SECONDS = 60  # Slurm's own time limit sits this far past the wrapper's
WRAPPER_MEMORY_MB = 256   # headroom for the wrapper and bwrap on top of the job's memory
STATUS_GRACE_SECONDS = 30.0  # how long a COMPLETED job may lack its status file

_PENDING = {"PENDING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESV_DEL_HOLD"}
_RUNNING = {"RUNNING", "CONFIGURING", "COMPLETING", "STAGE_OUT", "SIGNALING", "RESIZING",
            "SUSPENDED", "STOPPED"}
_END_OUTCOME = {
    "CANCELLED": RunOutcome.CANCELLED,
    "TIMEOUT": RunOutcome.TIME_LIMIT,
    "DEADLINE": RunOutcome.TIME_LIMIT,
    "OUT_OF_MEMORY": RunOutcome.MEMORY_LIMIT,
}
_UNREACHABLE = re.compile(
    r"Unable to contact slurm controller|Socket timed out|Connection refused|connect failure|"
    r"Zero Bytes were transmitted|Communication connection failure|Transport endpoint|"
    r"slurm_load_jobs error: Unable|Slurm backup controller in standby mode|"
    r"Could not establish a configuration source|Unable to establish", re.IGNORECASE)
_BAD_REQUEST = re.compile(
    r"Invalid license|Invalid account|invalid partition|Invalid partition|"
    r"Requested node configuration is not available|Memory required by task is not available|"
    r"Invalid qos|Requested time limit is invalid|More processors requested|"
    r"Invalid generic resource|Invalid feature", re.IGNORECASE)


class SlurmScheduler(Scheduler):
    """Jobs through Slurm. ``early_start``: the hub may run ``sbatch`` beside its commit; such a
    job's wrapper waits for the hub's acceptance marker (``JobSpec.accept_token``) before it
    runs anything. A job is named ``cc-<workspace>``, so one whose ``sbatch`` answer was lost
    is found again by name (:meth:`find_submitted`)."""

    kind = "slurm"
    early_start = True

    def __init__(self, sandbox: SandboxSettings, *, partition: str | None = None,
                 account: str | None = None, mirror_licences: bool = False,
                 licence_names: Mapping[str, str] | None = None,
                 slurm_conf: str | os.PathLike[str] | None = None, python: str | None = None,
                 extra_args: Sequence[str] = (), timeout: float = 30.0) -> None:
        super().__init__(sandbox, python)
        self.partition = partition
        self.account = account
        self.mirror_licences = mirror_licences
        self.licence_names = dict(licence_names or {})
        self.slurm_conf = str(slurm_conf) if slurm_conf else None
        self.extra_args = list(extra_args)
        self.timeout = timeout
        self._sbatch: str | None = None

    # --- plumbing ------------------------------------------------------------------------

    def _run(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        env = env_with({"SLURM_CONF": self.slurm_conf} if self.slurm_conf else {})
        try:
            return subprocess.run(argv, capture_output=True, text=True, env=env,
                                  timeout=self.timeout, check=False)
        except FileNotFoundError as exc:
            raise SchedulerUnavailable(f"{argv[0]} not found: is Slurm installed here?",
                                       command=argv[0]) from exc
        except subprocess.TimeoutExpired as exc:
            raise SchedulerUnavailable(f"{argv[0]} did not answer within {self.timeout:g} s",
                                       command=argv[0]) from exc

    @staticmethod
    def _error_line(proc: subprocess.CompletedProcess[str]) -> str:
        lines = [ln.strip() for ln in (proc.stderr or proc.stdout or "").splitlines()
                 if ln.strip()]
        return lines[-1] if lines else f"exit code {proc.returncode}"

    def licence_spec(self, licences: Mapping[str, int]) -> str | None:
        """``-L`` value for the job's licence features (only when the centre mirrors them)."""
        if not self.mirror_licences or not licences:
            return None
        parts = []
        for feature, count in sorted(licences.items()):
            if count <= 0:
                continue
            name = self.licence_names.get(feature, feature)
            if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
                raise InvalidInput(f"licence feature {feature!r} cannot be passed to Slurm",
                                   feature=feature)
            parts.append(f"{name}:{count}")
        return ",".join(parts) or None

    def sbatch_argv(self, spec: JobSpec, script: Path) -> list[str]:
        ws, lim = spec.workspace, spec.limits
        minutes = max(1, math.ceil((lim.wall_seconds + SLURM_GRACE_SECONDS) / 60))
        argv = ["sbatch", "--parsable", f"--job-name={JOB_NAME_PREFIX}{ws.job_id}",
                f"--chdir={ws.path}", f"--output={ws.path / 'slurm.out'}",
                f"--time={minutes}", f"--cpus-per-task={lim.cpus}", "--no-requeue",
                "--export=NONE", "--nodes=1", "--ntasks=1"]
        if lim.memory_bytes is not None:
            argv.append(f"--mem={math.ceil(lim.memory_bytes / (1 << 20)) + WRAPPER_MEMORY_MB}")
        if self.partition:
            argv.append(f"--partition={self.partition}")
        if self.account:
            argv.append(f"--account={self.account}")
        lic = self.licence_spec(spec.licences)
        if lic:
            argv.append(f"--licenses={lic}")
        return [*argv, *self.extra_args, str(script), *wrapper_args(spec)]

    # --- the interface -------------------------------------------------------------------

    def submit(self, spec: JobSpec) -> str:
        return self.start_submit(spec)()

    def start_submit(self, spec: JobSpec) -> Callable[[], str]:
        """Write the job file and batch script and start ``sbatch``; the returned call waits
        for its answer (at most the command timeout) and returns the Slurm job id. A job that
        waits for its acceptance (``spec.accept_token``) reads ``job.json`` only once accepted,
        so that file is written while ``sbatch`` already runs."""
        if spec.accept_token is None:
            self.prepare(spec)
            return self._start_sbatch(spec)
        self.check(spec)
        finish = self._start_sbatch(spec)
        self.write_job_file(spec)
        return finish

    def _start_sbatch(self, spec: JobSpec) -> Callable[[], str]:
        ws = spec.workspace
        script = ws.path / "job.sbatch"
        fd = os.open(script, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o700)
        try:
            os.write(fd, wrapper_script(ws, self.python).encode())
            os.fchmod(fd, 0o700)
        finally:
            os.close(fd)
        argv = self.sbatch_argv(spec, script)
        env = env_with({"SLURM_CONF": self.slurm_conf} if self.slurm_conf else {})
        try:
            child = _Child([self._sbatch_path(), *argv[1:]], env)
        except FileNotFoundError as exc:
            raise SchedulerUnavailable(f"{argv[0]} not found: is Slurm installed here?",
                                       command=argv[0]) from exc

        def finish() -> str:
            if not child.exited_within(self.timeout):
                child.kill()
                raise SchedulerUnavailable(f"sbatch did not answer within {self.timeout:g} s",
                                           command="sbatch")
            code, out, err = child.collect()
            return self._submitted_as(ws, subprocess.CompletedProcess(argv, code, out, err))

        return finish

    def _sbatch_path(self) -> str:
        """sbatch's full path (looked up on the first submission), or its bare name when it is
        not on PATH (starting it then says so)."""
        if self._sbatch is None:
            self._sbatch = shutil.which("sbatch")
        return self._sbatch or "sbatch"

    def _submitted_as(self, ws: Workspace, proc: subprocess.CompletedProcess[str]) -> str:
        """The job id in sbatch's answer (kept in the workspace), or why there is none."""
        if proc.returncode != 0:
            err = self._error_line(proc)
            if _UNREACHABLE.search(proc.stderr or ""):
                raise SchedulerUnavailable(f"Slurm is unavailable: {err}", job_id=ws.job_id)
            if _BAD_REQUEST.search(proc.stderr or ""):
                raise InvalidInput(f"Slurm refused the job: {err}", job_id=ws.job_id)
            raise InfrastructureError(f"sbatch failed: {err}", job_id=ws.job_id)
        first = (proc.stdout.strip().splitlines() or [""])[0]
        sched_id = first.split(";", 1)[0].strip()
        if not sched_id.isdigit():
            raise InfrastructureError(f"sbatch printed no job id: {first!r}", job_id=ws.job_id)
        _write_id(ws.path / SLURM_ID_FILE, sched_id)
        return sched_id

    def submitted(self, ws: Workspace) -> str | None:
        """The Slurm id ``submit`` left in the workspace (``slurm.id``), if any."""
        try:
            sched_id = (ws.path / SLURM_ID_FILE).read_text().strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return sched_id if sched_id.isdigit() else None

    def _named(self, workspaces: Sequence[Workspace]) -> dict[str, list[tuple[bool, int]]]:
        """Slurm's jobs for these workspaces, by name (``cc-<workspace>``) and the folder they
        run in, in one ``squeue`` (finished jobs still listed included):
        ``{workspace job id: [(ended, Slurm id), ...]}``. Another farm root's job of the same
        name (a second centre on this Slurm account) is not ours."""
        wanted = {JOB_NAME_PREFIX + ws.job_id: ws for ws in workspaces}
        if not wanted:
            return {}
        found: dict[str, list[tuple[bool, int]]] = {}
        for row in self._squeue("%i|%j|%T|%Z", names=sorted(wanted)):
            if len(row) < 4 or row[1] not in wanted or not row[0].isdigit() or \
                    os.path.normpath(row[3]) != os.path.normpath(wanted[row[1]].path):
                continue
            state = row[2].split()[0].upper() if row[2].strip() else ""
            found.setdefault(wanted[row[1]].job_id, []).append(
                (state not in _PENDING | _RUNNING, int(row[0])))
        return found

    def find_submitted(self, workspaces: Sequence[Workspace]) -> dict[str, str]:
        """The Slurm ids of these workspaces' jobs, looked up by name in one ``squeue``. A
        workspace with several (never made by the hub itself) gets its lowest id that has not
        ended; the id is kept in the workspace (``slurm.id``) as if sbatch had answered.
        Raises :class:`SchedulerUnavailable` when Slurm cannot be asked: the caller must not
        submit again then, it cannot know."""
        by_path = {ws.job_id: ws for ws in workspaces}
        out = {}
        for job_id, ids in self._named(workspaces).items():
            sched_id = str(min(ids)[1])
            _write_id(by_path[job_id].path / SLURM_ID_FILE, sched_id)
            out[job_id] = sched_id
        return out

    def discard(self, ws: Workspace) -> None:
        """Cancel every job Slurm has for this workspace (submissions the hub never
        accepted): one ``squeue``, then one ``scancel`` if any has not ended."""
        ws.cancel_file.write_text("cancelled\n")  # a wrapper starting now stops at once
        live = [str(i) for ended, i in self._named([ws]).get(ws.job_id, []) if not ended]
        if not live:
            return
        proc = self._run(["scancel", *live])
        if proc.returncode != 0 and "Invalid job id" not in (proc.stderr or ""):
            err = self._error_line(proc)
            if _UNREACHABLE.search(proc.stderr or ""):
                raise SchedulerUnavailable(f"Slurm is unavailable: {err}", job_id=ws.job_id)
            raise InfrastructureError(f"scancel failed: {err}", job_id=ws.job_id)

    def _squeue(self, fmt: str, names: Sequence[str] = ()) -> list[list[str]]:
        """One ``squeue`` for all of this user's jobs (or those with these names), finished
        ones still listed included."""
        argv = ["squeue", "--noheader", "--me", "--states=all", f"--format={fmt}"]
        if names:
            argv.append("--name=" + ",".join(names))
        proc = self._run(argv)
        if proc.returncode != 0:
            raise SchedulerUnavailable(f"Slurm is unavailable: {self._error_line(proc)}")
        return [line.split("|") for line in proc.stdout.splitlines() if line.strip()]

    def poll(self, refs: Sequence[JobRef]) -> dict[str, SchedStatus]:
        out: dict[str, SchedStatus] = {}
        open_refs = []
        for ref in refs:
            done = finished(ref.ws)
            if done is not None:
                out[ref.sched_id] = done
            else:
                open_refs.append(ref)
        if not open_refs:
            return out
        try:
            rows = self._squeue("%i|%T|%r|%e")
        except SchedulerUnavailable as exc:
            for ref in open_refs:
                out[ref.sched_id] = (finished(ref.ws) or
                                     SchedStatus(SchedState.UNAVAILABLE, exc.message))
            return out
        listed = {row[0]: row for row in rows if len(row) >= 4}
        for ref in open_refs:
            out[ref.sched_id] = self._state_of(ref, listed.get(ref.sched_id))
        return out

    def _state_of(self, ref: JobRef, row: list[str] | None) -> SchedStatus:
        ws = ref.ws
        if row is None:
            return finished(ws) or mark_finished(
                ws, RunOutcome.INFRASTRUCTURE_ERROR,
                f"Slurm job {ref.sched_id} is gone and left no status file", "slurm")
        state, reason = row[1].split()[0].upper() if row[1].strip() else "", row[2]
        if state in _PENDING:
            return SchedStatus(SchedState.PENDING, f"pending in Slurm ({reason})")
        if state in _RUNNING:
            return SchedStatus(SchedState.RUNNING, state.lower())
        done = finished(ws)  # ended: its own status file is the truth
        if done is not None:
            return done
        if state == "COMPLETED" and _seconds_since(row[3] if len(row) > 3 else "") < \
                STATUS_GRACE_SECONDS:
            # the wrapper exited cleanly, so its status file is on its way (a shared file
            # system may show it a little later than Slurm shows the end)
            return SchedStatus(SchedState.RUNNING, "finishing (waiting for its status file)")
        outcome = _END_OUTCOME.get(state, RunOutcome.INFRASTRUCTURE_ERROR)
        return mark_finished(ws, outcome, f"Slurm ended the job ({state}, {reason}) before "
                             "it wrote a status", "slurm")

    def cancel(self, ref: JobRef) -> None:
        ws = ref.ws
        if finished(ws) is not None:
            return
        proc = self._run(["scancel", ref.sched_id])
        if proc.returncode != 0:
            err = self._error_line(proc)
            if _UNREACHABLE.search(proc.stderr or ""):
                raise SchedulerUnavailable(f"Slurm is unavailable: {err}",
                                           sched_id=ref.sched_id)
            if "Invalid job id" not in (proc.stderr or ""):
                raise InfrastructureError(f"scancel failed: {err}", sched_id=ref.sched_id)
        # A wrapper that somehow starts after this stops at once.
        ws.cancel_file.write_text("cancelled\n")

    def recover(self) -> list[RecoveredJob]:
        """This user's ChipCommons jobs Slurm still lists, with their workspaces."""
        out = []
        for row in self._squeue("%i|%T|%r|%e|%j|%Z"):
            if len(row) < 6 or not row[4].startswith(JOB_NAME_PREFIX):
                continue
            ref = JobRef(row[0], Path(row[5]))
            ws = Workspace(ref.workspace)
            if not ws.job_file.exists():
                continue
            out.append(RecoveredJob(ref, self._state_of(ref, row[:4])))
        return out


def _write_id(path: Path, sched_id: str) -> None:
    """Keep a Slurm id in the workspace (plain os calls: it is on every submission's path)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | os.O_NOFOLLOW,
                 0o644)
    try:
        os.write(fd, f"{sched_id}\n".encode())
    finally:
        os.close(fd)


class _Child:
    """A short command (``sbatch``) started with ``posix_spawn`` (a third of what ``Popen``
    costs to start one: this is on every submission's way to its Slurm id), stdin from
    /dev/null, stdout and stderr to pipes. Its answer is far smaller than a pipe's buffer, so
    it never blocks on its output before it exits."""

    def __init__(self, argv: list[str], env: Mapping[str, str]) -> None:
        out_r, out_w = os.pipe2(os.O_CLOEXEC)
        err_r, err_w = os.pipe2(os.O_CLOEXEC)
        try:
            self.pid = os.posix_spawn(argv[0], argv, env, file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2)])
        except BaseException:
            for fd in (out_r, err_r):
                os.close(fd)
            raise
        finally:
            os.close(out_w)
            os.close(err_w)
        self.out, self.err = out_r, err_r
        self.code: int | None = None

    def exited_within(self, timeout: float) -> bool:
        """Whether it ends within ``timeout`` seconds, woken the moment it does (a pidfd; a
        short poll where there is none)."""
        try:
            fd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):
            deadline = time.monotonic() + timeout
            while not self._reaped(os.WNOHANG):
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.001)
            return True
        try:
            readable, _, _ = select.select([fd], [], [], timeout)
        finally:
            os.close(fd)
        return bool(readable)

    def _reaped(self, flags: int = 0) -> bool:
        if self.code is None:
            pid, status = os.waitpid(self.pid, flags)
            if pid == 0:
                return False
            self.code = os.waitstatus_to_exitcode(status)
        return True

    def _read(self, fd: int) -> str:
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        os.close(fd)
        return b"".join(chunks).decode(errors="replace")

    def collect(self) -> tuple[int, str, str]:
        """Its exit code, stdout and stderr (once it has exited)."""
        out, err = self._read(self.out), self._read(self.err)
        self._reaped()
        assert self.code is not None
        return self.code, out, err

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self.collect()


def _seconds_since(slurm_time: str) -> float:
    """Seconds since a Slurm timestamp (``2026-11-22T01:23:45``, the controller's local time);
    infinity when there is none (``N/A``, ``Unknown``)."""
    try:
        when = datetime.fromisoformat(slurm_time.strip())
    except ValueError:
        return math.inf
    return (datetime.now() - when).total_seconds()
