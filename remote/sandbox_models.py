"""The job wrapper's files as validated models: ``job.json`` (:class:`JobFile`, with its
:class:`JobLimits` and :class:`SandboxSettings`) and ``status.json`` (:class:`FinalStatus`).

The hub, the farm config and the schedulers use these. The wrapper itself (``python -m
remote.sandbox``, once per job) reads and writes the same files with plain ``json`` and
dataclasses (:mod:`remote.sandbox`), so that a job's start-up does not load pydantic; the
defaults here are the wrapper's own.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from remote.sandbox import Confinement, Limits, RunOutcome
from remote.workspace import Workspace, write_json_atomic


class JobLimits(BaseModel):
    """Per-job limits the wrapper enforces."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    wall_seconds: float = Field(default=Limits.wall_seconds, gt=0)
    memory_bytes: int | None = Field(default=Limits.memory_bytes, gt=0)
    output_bytes: int = Field(default=Limits.output_bytes, ge=0)
    file_bytes: int | None = Field(default=Limits.file_bytes, gt=0)
    max_processes: int = Field(default=Limits.max_processes, gt=0)
    cpus: int = Field(default=Limits.cpus, gt=0)
    disk_bytes: int | None = Field(default=Limits.disk_bytes, gt=0)


class SandboxSettings(BaseModel):
    """How jobs are confined on this farm (the ``sandbox:`` section of the farm config)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    unsafe: bool = Confinement.unsafe
    bwrap: str = Confinement.bwrap
    uid_first: int = Field(default=Confinement.uid_first, gt=0)
    uid_count: int = Field(default=Confinement.uid_count, gt=0)
    lock_dir: str = Confinement.lock_dir
    hide: tuple[str, ...] = Confinement.hide
    ro_binds: tuple[str, ...] = Confinement.ro_binds


class JobFile(BaseModel):
    """``job.json``: what the wrapper runs. Written at submit, read by the wrapper."""

    model_config = ConfigDict(extra="forbid")

    job_id: str
    command: list[str] = Field(min_length=1)
    env: dict[str, str] = Field(default_factory=dict)
    limits: JobLimits = Field(default_factory=JobLimits)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)

    def write(self, ws: Workspace) -> None:
        write_json_atomic(ws.job_file, self.model_dump(mode="json"))

    @classmethod
    def read(cls, ws: Workspace) -> JobFile:
        return cls.model_validate_json(ws.job_file.read_text(encoding="utf-8"))


class FinalStatus(BaseModel):
    """``status.json``: how the job ended. Written once, atomically."""

    outcome: RunOutcome
    exit_code: int | None = None
    signal: int | None = None
    started: datetime | None = None
    ended: datetime
    wall_seconds: float | None = None
    max_rss_kb: int | None = None
    stdout_bytes: int = 0
    stderr_bytes: int = 0
    output_truncated: bool = False
    sandboxed: bool = False
    source: str = "wrapper"
    message: str = ""

    def write(self, ws: Workspace) -> None:
        write_json_atomic(ws.status_file, self.model_dump(mode="json"))
