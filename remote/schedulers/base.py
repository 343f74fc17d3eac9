"""What every scheduler offers the job system, and the data it hands back.

A scheduler runs the job wrapper (``python -m remote.sandbox run WORKSPACE``) somewhere and
reports on it. It keeps no state in memory: everything it needs to find a job again after a
hub restart is on disk (the workspace, the local scheduler's active list) or in Slurm.
"""

from __future__ import annotations

import enum
import os
import shlex
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from core.errors import Conflict, InfrastructureError, NotFound
from core.timeutil import utcnow
from remote.sandbox import (
    FinalStatus,
    JobFile,
    JobLimits,
    RunOutcome,
    SandboxSettings,
    package_root,
    read_status,
    require_sandbox,
    write_status_once,
)
from remote.workspace import Workspace


class SchedulerUnavailable(InfrastructureError):
    """The scheduler cannot be reached (Slurm controller down, command timed out). Nothing
    was lost: submit again later, or keep the job queued and poll again."""


class SchedState(enum.StrEnum):
    PENDING = "pending"          # accepted, waiting (a free slot, licences, resources)
    RUNNING = "running"
    FINISHED = "finished"        # ended; ``SchedStatus.final`` says how
    UNAVAILABLE = "unavailable"  # the scheduler cannot be asked right now; the job is kept


@dataclass(frozen=True)
class JobSpec:
    """One job to run: a sealed workspace, the command (argv, run in ``work/``), its limits,
    extra environment and the licence features it holds (``{feature: count}``)."""

    workspace: Workspace
    command: tuple[str, ...]
    limits: JobLimits = field(default_factory=JobLimits)
    env: Mapping[str, str] = field(default_factory=dict)
    licences: Mapping[str, int] = field(default_factory=dict)
    # A submission started before the hub committed the job (only for schedulers with
    # ``early_start``): the wrapper runs once the hub's marker for this token is in the
    # workspace, and refuses after ``accept_wait`` seconds without it.
    accept_token: str | None = None
    accept_wait: float = 0.0

    @property
    def job_id(self) -> str:
        return self.workspace.job_id


@dataclass(frozen=True)
class JobRef:
    """How the job system names a submitted job: the scheduler's id and the workspace."""

    sched_id: str
    workspace: Path

    @property
    def ws(self) -> Workspace:
        return Workspace(Path(self.workspace))


@dataclass(frozen=True)
class SchedStatus:
    state: SchedState
    reason: str = ""
    final: FinalStatus | None = None

    @property
    def outcome(self) -> RunOutcome | None:
        return self.final.outcome if self.final is not None else None


@dataclass(frozen=True)
class RecoveredJob:
    ref: JobRef
    status: SchedStatus


def finished(ws: Workspace) -> SchedStatus | None:
    """FINISHED with the job's own status file, or None if it has not ended."""
    final = read_status(ws)
    return SchedStatus(SchedState.FINISHED, final.message, final) if final else None


def mark_finished(ws: Workspace, outcome: RunOutcome, message: str,
                  source: str) -> SchedStatus:
    """Record an end the wrapper could not write itself (it died, was never started…).
    The first status written wins, so a wrapper that finished meanwhile keeps its own."""
    final = write_status_once(ws, FinalStatus(outcome=outcome, ended=utcnow(), message=message,
                                              source=source))
    return SchedStatus(SchedState.FINISHED, final.message, final)


def unknown_job(source: str) -> SchedStatus:
    """FINISHED as an infrastructure error for a job the scheduler has never heard of."""
    final = FinalStatus(outcome=RunOutcome.INFRASTRUCTURE_ERROR, ended=utcnow(),
                        message=f"job unknown to the {source} scheduler", source=source)
    return SchedStatus(SchedState.FINISHED, final.message, final)


def wrapper_script(ws: Workspace, python: str) -> str:
    """A POSIX shell script that runs the wrapper for ``ws`` (used as the Slurm batch script
    and kept in the workspace for the record)."""
    q = shlex.quote
    return (
        "#!/bin/sh\n"
        f"# ChipCommons job {ws.job_id}\n"
        "export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin\n"
        f"export PYTHONPATH={q(str(package_root()))}\n"
        f'exec {q(python)} -m remote.sandbox run {q(str(ws.path))} "$@"\n'
    )


def wrapper_args(spec: JobSpec) -> list[str]:
    """The wrapper's arguments after the workspace (the acceptance it waits for, if any)."""
    if spec.accept_token is None:
        return []
    return ["--accept-token", spec.accept_token, "--accept-wait", f"{spec.accept_wait:g}"]


class Scheduler(ABC):
    """The interface the job system calls. Implementations: ``local`` and ``slurm``."""

    kind: ClassVar[str]
    # Whether the hub may start a submission before its transaction commits (the submission
    # runs beside the commit and carries an acceptance token; see ``JobSpec.accept_token``).
    early_start: ClassVar[bool] = False

    def __init__(self, sandbox: SandboxSettings, python: str | None = None) -> None:
        self.sandbox = sandbox
        self.python = python or _default_python()
        self._sandbox_checked = False

    def prepare(self, spec: JobSpec) -> None:
        """Checks every scheduler makes before it accepts a job, then writes ``job.json``:
        a sandbox must exist (or ``unsafe``), the inputs must be sealed, and the job must not
        have been submitted before."""
        self.check(spec)
        self.write_job_file(spec)

    def check(self, spec: JobSpec) -> None:
        """The checks of :meth:`prepare`, without writing anything."""
        ws = spec.workspace
        if not ws.exists():
            raise NotFound(f"workspace {ws.job_id} not found", job_id=ws.job_id)
        if not self._sandbox_checked:  # once per scheduler; the wrapper checks it again
            require_sandbox(self.sandbox)
            self._sandbox_checked = True
        if not ws.is_sealed():
            raise Conflict(f"inputs of job {ws.job_id} are not sealed (staging incomplete)",
                           job_id=ws.job_id)
        if ws.status_file.exists():
            raise Conflict(f"job {ws.job_id} has already ended", job_id=ws.job_id)

    def write_job_file(self, spec: JobSpec) -> None:
        """``job.json``: what the wrapper runs, with its limits and sandbox."""
        JobFile(job_id=spec.job_id, command=list(spec.command), env=dict(spec.env),
                limits=spec.limits, sandbox=self.sandbox).write(spec.workspace)

    @abstractmethod
    def submit(self, spec: JobSpec) -> str:
        """Hand the job over; return the scheduler's id for it."""

    def start_submit(self, spec: JobSpec) -> Callable[[], str]:
        """Begin handing the job over and return what finishes it: a call that waits for the
        scheduler's answer and returns its id. Schedulers that can start a submission without
        waiting (Slurm: ``sbatch`` runs while the caller goes on) override this; the default
        does the whole submission in the returned call. Errors may come from either."""
        return lambda: self.submit(spec)

    def submitted(self, ws: Workspace) -> str | None:
        """The id of this workspace's job if the scheduler already took it (a hand-off whose
        answer was lost), else None. Schedulers whose ``submit`` is idempotent answer None."""
        return None

    def find_submitted(self, workspaces: Sequence[Workspace]) -> dict[str, str]:
        """Ask the scheduler itself which of these workspaces' jobs it has (an answer lost
        with the process that submitted them): ``{workspace job id: scheduler id}``, in one
        look. Schedulers whose ``submit`` is idempotent answer ``{}``."""
        return {}

    def discard(self, ws: Workspace) -> None:
        """Take back whatever was submitted for this workspace without the hub accepting it
        (best effort: its wrapper refuses to run without acceptance anyway). Schedulers
        without ``early_start`` never have such a job: nothing to do."""
        return None

    @abstractmethod
    def poll(self, refs: Sequence[JobRef]) -> dict[str, SchedStatus]:
        """The state of every job in ``refs`` (keyed by ``sched_id``), in one batched look."""

    @abstractmethod
    def cancel(self, ref: JobRef) -> None:
        """Stop the job (or drop it from the queue). Its status becomes ``cancelled``."""

    @abstractmethod
    def recover(self) -> list[RecoveredJob]:
        """After a hub restart: find this scheduler's jobs that have not been reported
        finished, mark orphans (a dead wrapper with no status) as infrastructure errors."""

    def wait(self, refs: Sequence[JobRef], timeout: float,
             interval: float = 0.2) -> dict[str, SchedStatus]:
        """Poll until every job has finished or ``timeout`` passes (for tools and tests)."""
        deadline = time.monotonic() + timeout
        while True:
            states = self.poll(refs)
            if all(s.state == SchedState.FINISHED for s in states.values()):
                return states
            if time.monotonic() >= deadline:
                return states
            time.sleep(interval)


def _default_python() -> str:
    import sys

    return sys.executable


def env_with(extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env
