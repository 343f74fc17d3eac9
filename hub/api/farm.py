"""Hub methods for the farm: backends, jobs (create, upload, submit, list, show, cancel, logs,
results, artefacts) and the instant previews the GUI draws before spending farm time
(SCALE-Sim's analytical estimate, the PIM simulator on small configs).

Engineers, students, instructors and admins submit; everyone sees their own jobs, admins and
instructors see all. Domain work is in :mod:`remote.jobs` and :mod:`hub.farm`.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import stat
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from core.errors import Forbidden, InvalidInput, LimitExceeded, NotFound
from hub import farm as farmops
from hub.context import CallContext
from hub.registry import FARM_USERS, rpc
from remote.backends.registry import BackendInfo
from remote.backends.scalesim.analytical import LayerEstimate, estimate_topology
from remote.backends.scalesim.config import parse_config_text
from remote.backends.scalesim.topology import parse_topology_text
from remote.jobs import service
from remote.jobs.lifecycle import JobState
from remote.jobs.service import JobInfo
from remote.pim import PimReport, load_platform, run_workload, sweep_gemv
from remote.pim.workloads import Eltwise, Gemv, Sequence
from remote.results import RunResult
from remote.workspace import (
    UploadState,
    Workspace,
    abort_upload,
    begin_upload,
    finish_upload,
    pending_uploads,
    read_log,
    safe_relpath,
    unpack_archive,
    upload_status,
    write_chunk,
)

log = logging.getLogger(__name__)

STAFF_VIEW = ("admin", "instructor")
MAX_CHUNK = 4 << 20
MAX_LOG_READ = 1 << 20
MAX_PREVIEW_TEXT = 256 * 1024
MAX_PIM_ELEMENTS = 64 << 20   # rows x cols (or elements) of one preview workload
MAX_PIM_WORKLOADS = 64
RESULT_FILES = ("results.json", "run.json")


class Resources(BaseModel):
    """What a job asks of the farm (each bounded by the farm's own limits)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    wall_time: float | None = Field(None, gt=0, description="seconds")
    memory: int | None = Field(None, gt=0, description="bytes")
    cpus: int | None = Field(None, gt=0)


@dataclass(frozen=True)
class UploadInfo:
    upload_id: str
    name: str
    size: int
    received: int
    complete: bool


@dataclass(frozen=True)
class LogChunk:
    """A piece of a job's log: ``text`` from ``offset`` to ``next_offset`` (bytes); ``eof``
    once the job has ended and everything was read."""

    stream: str
    offset: int
    next_offset: int
    text: str
    eof: bool
    state: str


@dataclass(frozen=True)
class ArtefactChunk:
    name: str
    offset: int
    size: int
    data: str  # base64
    eof: bool


@dataclass(frozen=True)
class JobResults:
    job: int
    state: str
    result: RunResult


def _utf8_cut(data: bytes) -> int:
    """How many bytes of ``data`` end on a whole UTF-8 character."""
    end = len(data)
    for back in range(1, min(4, end) + 1):
        byte = data[end - back]
        if byte & 0xC0 == 0x80:
            continue
        need = 1 if byte < 0x80 else 2 if byte >> 5 == 6 else 3 if byte >> 4 == 14 else 4
        return end if need <= back else end - back
    return end


def _upload_info(state: UploadState) -> UploadInfo:
    return UploadInfo(state.upload_id, state.name, state.size, state.received, state.complete)


def _unfinished(ws: Workspace, name: str, size: int, sha256: str) -> UploadState | None:
    """The unfinished upload of this very file (same name, size and sha256), if any."""
    try:
        rel = str(safe_relpath(name))
    except InvalidInput:
        return None  # begin_upload refuses the name
    for state in pending_uploads(ws):
        if (state.name, state.size, state.sha256) == (rel, size, str(sha256).lower()):
            return state
    return None


class FarmApi:
    """Farm methods."""

    settings: dict[str, Any]

    # -- helpers -------------------------------------------------------------------------------

    def _farm(self) -> farmops.Farm:
        return farmops.farm_for(self)

    def _job(self, ctx: CallContext, job_id: int, *, own: bool = False) -> Any:
        """The job if the caller may see it (``own``: and act on it; admins may cancel any)."""
        sees_all = ctx.actor.has(*STAFF_VIEW)
        job = service.get_job(ctx.session, job_id,
                              user_id=None if sees_all else ctx.actor.user_id)
        if own and job.user_id != ctx.actor.user_id and not ctx.actor.has("admin"):
            raise Forbidden(f"job {job_id} is not yours", job=job_id)
        return job

    @staticmethod
    def _owner_login(ctx: CallContext, job: Any) -> str | None:
        return ctx.actor.login if job.user_id == ctx.actor.user_id else None

    def _draft(self, ctx: CallContext, job_id: int) -> tuple[Any, Workspace]:
        job = self._job(ctx, job_id, own=True)
        if job.state != JobState.DRAFT.value:
            raise InvalidInput(f"job {job_id} is {job.state}; inputs can only be added to a "
                               "draft", job=job_id)
        ws = self._farm().workspace(job)
        if not ws.exists():
            Workspace.create(self._farm().root, job.workspace)
        return job, ws

    def _hand_off_after_commit(self, ctx: CallContext, job: Any,
                               started: farmops.Started | None = None) -> None:
        """Once this call's transaction has committed (and its connection is back in the
        pool), wake the farm's dispatcher, which calls the scheduler in its own thread (or,
        for a submission ``started`` before the commit, collects its answer): the caller does
        not wait for ``sbatch``, and the database is not held while it runs."""
        committed: list[bool] = []
        accepted = farmops.snapshot(job)

        def on_commit(_session: Session) -> None:
            committed.append(True)

        def on_end(_session: Session, transaction: SessionTransaction) -> None:
            if transaction.parent is not None or len(committed) != 1:
                return
            committed.append(True)  # once
            farmops.dispatcher_for(self).wake(
                accepted, started=None if started is None else {accepted.id: started})

        event.listen(ctx.session, "after_commit", on_commit, once=True)
        event.listen(ctx.session, "after_transaction_end", on_end)

    # -- backends and previews --------------------------------------------------------------------

    @rpc("jobs.backends", roles=FARM_USERS)
    def jobs_backends(self, ctx: CallContext) -> list[BackendInfo]:
        """Every backend of this farm: its name, JSON input schema and licence features."""
        return self._farm().registry.info()

    @rpc("farm.scalesim_estimate", roles=FARM_USERS)
    def farm_scalesim_estimate(self, ctx: CallContext, config: str,
                               topology: str) -> list[LayerEstimate]:
        """SCALE-Sim's compute cycles per layer from the analytical model, instantly (config
        and topology as text; errors name the line and field)."""
        if len(config) > MAX_PREVIEW_TEXT or len(topology) > MAX_PREVIEW_TEXT:
            raise LimitExceeded("the preview takes at most 256 KiB of config and topology")
        cfg = parse_config_text(config, source="config")
        topo = parse_topology_text(topology, source="topology")
        return estimate_topology(topo, cfg)

    def _pim_platform(self, platform: str) -> Any:
        if "/" in platform or platform.startswith("."):
            raise InvalidInput("platform: give a preset name", field="platform")
        return load_platform(platform)

    @rpc("farm.pim_run", roles=FARM_USERS)
    def farm_pim_run(self, ctx: CallContext, workloads: list[dict[str, Any]],
                     platform: str = "samsung-hbm-pim") -> list[PimReport]:
        """Run small PIM workloads in-process (GEMV, ADD/MUL/RELU, sequences) on a preset."""
        from pydantic import TypeAdapter, ValidationError

        from remote.pim.workloads import Workload

        if not 1 <= len(workloads) <= MAX_PIM_WORKLOADS:
            raise LimitExceeded(f"give 1 to {MAX_PIM_WORKLOADS} workloads")
        adapter: TypeAdapter[Any] = TypeAdapter(Workload)
        items: list[Gemv | Eltwise | Sequence] = []
        for i, raw in enumerate(workloads):
            try:
                w = adapter.validate_python(raw)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise InvalidInput(f"workloads.{i}.{where}: {first['msg']}",
                                   field=f"workloads.{i}") from exc
            steps = w.steps if isinstance(w, Sequence) else [w]
            for step in steps:
                size = step.rows * step.cols if isinstance(step, Gemv) else step.elements
                if size > MAX_PIM_ELEMENTS:
                    raise LimitExceeded(f"workloads.{i}: too large for a preview "
                                        f"({size} > {MAX_PIM_ELEMENTS} elements); submit a "
                                        "pim job instead")
            items.append(w)
        plat = self._pim_platform(platform)
        return [run_workload(plat, w) for w in items]

    @rpc("farm.pim_sweep", roles=FARM_USERS)
    def farm_pim_sweep(self, ctx: CallContext, shapes: list[tuple[int, int]],
                       platform: str = "samsung-hbm-pim") -> list[PimReport]:
        """GEMV across matrix shapes (rows, cols) for the speed-up chart."""
        if not 1 <= len(shapes) <= MAX_PIM_WORKLOADS:
            raise LimitExceeded(f"give 1 to {MAX_PIM_WORKLOADS} shapes")
        for rows, cols in shapes:
            if rows < 1 or cols < 1:
                raise InvalidInput("shapes must be positive", field="shapes")
            if rows * cols > MAX_PIM_ELEMENTS:
                raise LimitExceeded(f"shape {rows}x{cols} is too large for a preview")
        return sweep_gemv(self._pim_platform(platform), shapes)

    # -- jobs -------------------------------------------------------------------------------------

    @rpc("jobs.create", roles=FARM_USERS, write=True)
    def jobs_create(self, ctx: CallContext, backend: str, params: dict[str, Any] | None = None,
                    resources: Resources | None = None, name: str = "") -> JobInfo:
        """A draft job: backend, parameters and resources; inputs follow by upload."""
        farm = self._farm()
        b = farm.registry.get(backend)
        checked = b.parse(params or {}).model_dump(mode="json")
        res = (resources or Resources()).model_dump(exclude_none=True)
        farmops.job_limits(farm, res)
        job = service.create_job(ctx.session, ctx.actor.user_id, backend, checked, res,
                                 b.features(checked), ctx.now, name=name)
        Workspace.create(farm.root, job.workspace)
        ctx.audit("job.create", f"job:{job.id}", after={"backend": backend, "name": name})
        return service.job_info(ctx.session, job, login=ctx.actor.login)

    @rpc("jobs.upload_begin", roles=FARM_USERS, write=True)
    def jobs_upload_begin(self, ctx: CallContext, job_id: int, name: str, size: int,
                          sha256: str) -> UploadInfo:
        """Declare an input file (its size and the sha256 of the whole file); size limits and
        the name are checked here, before a byte moves. Declaring the same file again (same
        name, size and sha256) while its upload is unfinished resumes that upload: send from
        the answer's ``received`` (e.g. after a dropped connection lost the upload id)."""
        farmops.check_input_name(name)
        _job, ws = self._draft(ctx, job_id)
        state = _unfinished(ws, name, size, sha256) or begin_upload(
            ws, name, size, sha256, self._farm().staging_limits())
        return _upload_info(state)

    @rpc("jobs.uploads", roles=FARM_USERS)
    def jobs_uploads(self, ctx: CallContext, job_id: int) -> list[UploadInfo]:
        """The draft's unfinished uploads (a job with any cannot be submitted)."""
        _job, ws = self._draft(ctx, job_id)
        return [_upload_info(state) for state in pending_uploads(ws)]

    @rpc("jobs.upload_abort", roles=FARM_USERS, write=True)
    def jobs_upload_abort(self, ctx: CallContext, job_id: int,
                          upload_id: str) -> list[UploadInfo]:
        """Discard an unfinished upload and its partial bytes; returns the uploads still
        unfinished."""
        _job, ws = self._draft(ctx, job_id)
        abort_upload(ws, upload_id)
        ctx.audit("job.upload_abort", f"job:{job_id}", after={"upload": upload_id})
        return [_upload_info(state) for state in pending_uploads(ws)]

    @rpc("jobs.upload_chunk", roles=FARM_USERS)
    def jobs_upload_chunk(self, ctx: CallContext, job_id: int, upload_id: str, offset: int,
                          data: str) -> UploadInfo:
        """Append base64 ``data`` at ``offset`` (a repeated chunk is accepted once)."""
        if len(data) > MAX_CHUNK * 4 // 3 + 8:
            raise LimitExceeded(f"a chunk carries at most {MAX_CHUNK} bytes")
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidInput("chunk data is not base64") from exc
        _job, ws = self._draft(ctx, job_id)
        state = write_chunk(ws, upload_id, offset, raw, self._farm().staging_limits())
        return UploadInfo(state.upload_id, state.name, state.size, state.received,
                          state.complete)

    @rpc("jobs.upload_status", roles=FARM_USERS)
    def jobs_upload_status(self, ctx: CallContext, job_id: int, upload_id: str) -> UploadInfo:
        """Where an interrupted upload stands: resume from ``received``."""
        _job, ws = self._draft(ctx, job_id)
        state = upload_status(ws, upload_id)
        return UploadInfo(state.upload_id, state.name, state.size, state.received,
                          state.complete)

    @rpc("jobs.upload_finish", roles=FARM_USERS, write=True)
    def jobs_upload_finish(self, ctx: CallContext, job_id: int, upload_id: str,
                           unpack: bool = False) -> list[str]:
        """Check the sha256 and keep the file; ``unpack`` unpacks an archive safely."""
        _job, ws = self._draft(ctx, job_id)
        path = finish_upload(ws, upload_id)
        rel = str(path.relative_to(ws.inputs))
        if unpack:
            names = unpack_archive(ws, rel, limits=self._farm().staging_limits())
            path.unlink()
            return names
        return [rel]

    @rpc("jobs.submit", roles=FARM_USERS, write=True)
    def jobs_submit(self, ctx: CallContext, job_id: int) -> JobInfo:
        """Seal the inputs, validate them against the backend, stage the job and queue it (or
        let it wait for licence seats)."""
        job = self._job(ctx, job_id, own=True)
        started = farmops.submit(ctx.session, self._farm(), job, ctx.now, ctx.notify,
                                 hand_off_now=False)
        if job.state == JobState.QUEUED.value and not job.sched_id:
            self._hand_off_after_commit(ctx, job, started)
        ctx.audit("job.submit", f"job:{job.id}", after={"state": job.state,
                                                        "features": job.features})
        return service.job_info(ctx.session, job, login=self._owner_login(ctx, job))

    @rpc("jobs.list", roles=FARM_USERS)
    def jobs_list(self, ctx: CallContext, everyone: bool = False,
                  states: list[str] | None = None, limit: int = 200) -> list[JobInfo]:
        """The caller's jobs, newest first (``everyone`` for admins and instructors)."""
        if everyone and not ctx.actor.has(*STAFF_VIEW):
            raise Forbidden("only admins and instructors see everyone's jobs")
        return service.list_jobs(ctx.session, user_id=None if everyone else ctx.actor.user_id,
                                 states=states, limit=limit)

    @rpc("jobs.show", roles=FARM_USERS)
    def jobs_show(self, ctx: CallContext, job_id: int) -> JobInfo:
        """One job with its history of states."""
        return service.job_info(ctx.session, self._job(ctx, job_id), with_events=True)

    @rpc("jobs.cancel", roles=FARM_USERS, write=True)
    def jobs_cancel(self, ctx: CallContext, job_id: int) -> JobInfo:
        job = self._job(ctx, job_id, own=True)
        before = job.state
        farmops.cancel(ctx.session, self._farm(), job, ctx.now, ctx.notify)
        ctx.audit("job.cancel", f"job:{job.id}", before={"state": before},
                  after={"state": job.state})
        return service.job_info(ctx.session, job)

    @rpc("jobs.log", roles=FARM_USERS)
    def jobs_log(self, ctx: CallContext, job_id: int,
                 stream: Literal["stdout", "stderr"] = "stdout", offset: int = 0,
                 max_bytes: int = 65536) -> LogChunk:
        """Read the job's log from ``offset`` (follow it by calling again with
        ``next_offset`` until ``eof``)."""
        job = self._job(ctx, job_id)
        ws = self._farm().workspace(job)
        if not ws.exists():
            return LogChunk(stream, offset, offset, "", True, job.state)
        data, _end, eof = read_log(ws, stream, offset, max(1, min(max_bytes, MAX_LOG_READ)))
        cut = len(data) if eof else _utf8_cut(data)
        data = data[:cut]
        ended = job.state in (JobState.SUCCEEDED.value, JobState.FAILED.value,
                              JobState.CANCELLED.value)
        return LogChunk(stream, offset, offset + len(data),
                        data.decode("utf-8", errors="replace"), eof or (ended and not data),
                        job.state)

    @rpc("jobs.results", roles=FARM_USERS)
    def jobs_results(self, ctx: CallContext, job_id: int) -> JobResults:
        """The run's result: outcome, metrics, tests (Gradescope schema) and artefact names."""
        job = self._job(ctx, job_id)
        result = farmops.read_result(self._farm().workspace(job))
        if result is None:
            raise NotFound(f"job {job_id} has no results (it is {job.state})", job=job_id)
        return JobResults(job.id, job.state, result)

    @rpc("jobs.artefact", roles=FARM_USERS)
    def jobs_artefact(self, ctx: CallContext, job_id: int, name: str, offset: int = 0,
                      max_bytes: int = 1 << 20) -> ArtefactChunk:
        """A piece of one artefact (or ``results.json``/``run.json``), base64."""
        job = self._job(ctx, job_id)
        ws = self._farm().workspace(job)
        result = farmops.read_result(ws)
        rel = safe_relpath(name)
        if name in RESULT_FILES:
            path = ws.out / name
        elif result is not None and str(rel) in result.artefacts:
            path = ws.work / rel
        else:
            raise NotFound(f"job {job_id} has no artefact {name!r}", name=name)
        if offset < 0:
            raise InvalidInput("offset must be >= 0")
        if not path.resolve().is_relative_to(ws.path.resolve()):
            raise Forbidden(f"artefact {name!r} points outside the job's workspace", name=name)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except (FileNotFoundError, OSError) as exc:
            raise NotFound(f"artefact {name!r} is not there ({exc.strerror})",
                           name=name) from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise NotFound(f"artefact {name!r} is not a file", name=name)
            data = os.pread(fd, max(1, min(max_bytes, MAX_CHUNK)), offset)
        finally:
            os.close(fd)
        return ArtefactChunk(name, offset, st.st_size, base64.b64encode(data).decode(),
                             offset + len(data) >= st.st_size)
