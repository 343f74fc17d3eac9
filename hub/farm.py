"""The farm's orchestration: a job from submission through staging, waiting for licence seats
(through the pool's queue), the scheduler and back to its results; the lease ends when the job
ends — on success, failure, cancellation or crash.

This is where the ``remote`` job system meets ``licensing``: neither imports the other. Hub
methods (:mod:`hub.api.farm`) call :func:`submit` and :func:`cancel`. ``jobs.submit`` answers
once the job is accepted — sealed, validated, within the user's limits, holding its licence
seats (or waiting for them), committed as ``queued`` with the reason :data:`ACCEPTED` and no
scheduler id; the process's :class:`FarmDispatcher`, woken by that commit, then hands it to
the scheduler outside any transaction and records the scheduler's id. On Slurm a job that
needs no seats has its ``sbatch`` started before that commit, so it runs beside the commit;
the job's wrapper runs nothing until the hub's acceptance marker for that submission follows
the commit (:func:`_start_early`), and a rollback takes the submission back. The worker calls
:func:`dispatch` every tick, which hands waiting jobs their seats, hands off accepted jobs
whose process died and retries hand-offs to a scheduler that was down (outside its
transaction too), polls the scheduler in one batch, renews the leases of running jobs and
concludes finished ones.

The farm itself (:class:`Farm`) comes from the farm YAML named by the hub setting
``farm_config`` or ``$CHIPCOMMONS_FARM_CONFIG``; without one, the embedded default: the local
scheduler with a farm root under the centre's home, sandboxed when bubblewrap works.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import functools
import json
import logging
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, event, func, insert, literal, select, update
from sqlalchemy.orm import Session, SessionTransaction

from core import claims
from core.db import transaction
from core.errors import (
    ChipError,
    Conflict,
    InvalidInput,
    LimitExceeded,
    NotEligible,
    NotFound,
    QuotaExceeded,
    SeatsUnavailable,
)
from core.models.accounts import User
from core.paths import resources_dir
from core.rawsql import commit_without_flush_wait
from hub.models import Notification
from licensing import leases, tokens
from licensing import queue as lqueue
from licensing.catalogue import get_feature
from licensing.models import Lease, Pool, QueueEntry
from remote.backends.registry import (
    BackendRegistry,
    CommandBackend,
    CommandTemplates,
    load_templates,
    runner_argv,
)
from remote.farm_config import FarmConfig, load_farm_config, parse_farm_config
from remote.jobs import service
from remote.jobs.lifecycle import JobState, move, note
from remote.jobs.models import FarmJob, FarmJobEvent
from remote.results import Outcome, RunResult
from remote.sandbox import JobLimits, RunOutcome, SandboxSettings, package_root
from remote.schedulers import JobRef, JobSpec, SchedState, Scheduler, make_scheduler
from remote.schedulers.base import SchedStatus, SchedulerUnavailable
from remote.workspace import (
    StagingLimits,
    Workspace,
    expect_acceptance,
    mark_accepted,
    seal,
)

log = logging.getLogger(__name__)

FARM_CONFIG_ENV = "CHIPCOMMONS_FARM_CONFIG"
COMMANDS_ENV = "CHIPCOMMONS_FARM_COMMANDS"
DEFAULT_FARM = "farm/embedded.yaml"
DEFAULT_COMMANDS = "farm/commands.yaml"
MAX_INFRA_RETRIES = 2
ACCEPT_WAIT_SECONDS = 120.0  # how long an early-started job's wrapper waits for acceptance
Notify = Callable[[int, str, dict[str, Any]], None]


@dataclass(frozen=True)
class Farm:
    """One centre's farm: its config, backends, scheduler and the lease-token key."""

    config: FarmConfig
    registry: BackendRegistry
    templates: CommandTemplates
    scheduler: Scheduler
    python: str
    key_file: Path | None
    centre_name: str = ""
    max_infra_retries: int = MAX_INFRA_RETRIES
    accept_wait: float = ACCEPT_WAIT_SECONDS

    @property
    def root(self) -> Path:
        return self.config.workspace.root

    def workspace(self, job: FarmJob) -> Workspace:
        return Workspace.at(self.root, job.workspace)

    def staging_limits(self) -> StagingLimits:
        ws = self.config.workspace
        return StagingLimits(max_file_bytes=ws.max_file, max_total_bytes=ws.max_upload,
                             max_files=ws.max_files)


@functools.lru_cache(maxsize=4)
def bwrap_works(bwrap: str = "bwrap") -> bool:
    """Whether bubblewrap can make a sandbox here (it may be installed yet refused by the
    kernel, e.g. in a container without user namespaces)."""
    path = shutil.which(bwrap)
    if path is None:
        return False
    try:
        proc = subprocess.run([path, "--die-with-parent", "--unshare-all", "--ro-bind", "/", "/",
                               "--proc", "/proc", "--dev", "/dev", "true"],
                              capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0


def embedded_config_text(root: Path) -> str:
    """The embedded centre's farm YAML (``resources/farm/embedded.yaml``, root filled in)."""
    text = (resources_dir() / DEFAULT_FARM).read_text(encoding="utf-8")
    return text.replace("@ROOT@", json.dumps(str(root)))


def _job_sandbox(sandbox: SandboxSettings, python: str) -> SandboxSettings:
    """Make the job's interpreters (the hub's, SCALE-Sim's) and the code they run reachable in
    the sandbox when they live under a hidden path such as /root, or under /tmp: bind the
    hidden folder's child that holds them (bubblewrap would create deeper mount points with
    mode 0700, which the job's uid cannot cross)."""
    candidates = {Path(sys.base_prefix), Path(sys.prefix), Path(python).absolute(),
                  Path(python).resolve(), package_root()}
    scalesim = os.environ.get("CHIPCOMMONS_SCALESIM_PYTHON")
    if scalesim:
        candidates |= {Path(scalesim).absolute(), Path(scalesim).resolve()}
    extra: list[str] = []
    # The sandbox also mounts an empty /tmp: a checkout or venv under /tmp must be bound too.
    for path in candidates:
        for hidden in (*sandbox.hide, "/tmp"):
            base = Path(hidden)
            if path.is_relative_to(base) and path != base:
                top = str(base / path.relative_to(base).parts[0])
                if top not in sandbox.ro_binds and top not in extra:
                    extra.append(top)
    if not extra:
        return sandbox
    return sandbox.model_copy(update={"ro_binds": (*sandbox.ro_binds, *sorted(extra))})


def build_farm(settings: dict[str, Any]) -> Farm | None:
    """The farm described by a hub's settings; None for a centre without a home folder."""
    home = settings.get("home")
    path = settings.get("farm_config") or os.environ.get(FARM_CONFIG_ENV)
    if path:
        config = load_farm_config(Path(path))
    elif home:
        root = Path(home) / "farm"
        config = parse_farm_config(embedded_config_text(root), source=str(DEFAULT_FARM))
        if not bwrap_works(config.sandbox.bwrap):
            config = config.model_copy(update={"sandbox": config.sandbox.model_copy(
                update={"unsafe": True})})
            log.warning("bubblewrap does not work here: the embedded farm runs jobs "
                        "without a sandbox")
    else:
        return None
    python = str(settings.get("farm_python") or sys.executable)
    sandbox = config.sandbox.model_copy(update=dict(settings.get("farm_sandbox") or {}))
    config = config.model_copy(update={"sandbox": _job_sandbox(sandbox, python)})
    root = config.workspace.root
    root.mkdir(parents=True, exist_ok=True)
    if (root.stat().st_mode & 0o777) != 0o711:
        os.chmod(root, 0o711)
    commands = (settings.get("farm_commands") or os.environ.get(COMMANDS_ENV)
                or resources_dir() / DEFAULT_COMMANDS)
    templates = load_templates(Path(commands))
    registry = BackendRegistry(templates, config.backends or None)
    return Farm(config=config, registry=registry, templates=templates,
                scheduler=make_scheduler(config), python=python,
                key_file=tokens.key_path(Path(home)) if home else None,
                centre_name=str(settings.get("centre_name", "")),
                max_infra_retries=int(settings.get("farm_max_infra_retries",
                                                   MAX_INFRA_RETRIES)),
                accept_wait=float(settings.get("farm_accept_wait", ACCEPT_WAIT_SECONDS)))


def farm_for(hub: Any) -> Farm:
    """The hub's farm, built once per hub object (no module-level state)."""
    farm = hub.__dict__.get("_chipcommons_farm")
    if farm is None:
        farm = build_farm(hub.settings)
        if farm is None:
            raise ChipError("this centre has no farm (no centre home folder)")
        hub.__dict__["_chipcommons_farm"] = farm
    return farm


def forget_farm(hub: Any) -> None:
    """Drop the hub's farm so the next call builds it again (after its settings changed)."""
    hub.__dict__.pop("_chipcommons_farm", None)


def _notifier(session: Session, now: datetime) -> Notify:
    def notify(user_id: int, kind: str, payload: dict[str, Any]) -> None:
        session.add(Notification(user_id=user_id, kind=kind, payload=payload, created_at=now))

    return notify


# -- limits and the job's command -------------------------------------------------------------


def job_limits(farm: Farm, resources: dict[str, Any]) -> JobLimits:
    return farm.config.job_limits(wall_time=resources.get("wall_time"),
                                  memory=resources.get("memory"), cpus=resources.get("cpus"))


def _job_env(farm: Farm, job: FarmJob, limits: JobLimits,
             tokens_by_feature: dict[str, str]) -> dict[str, str]:
    env = {
        "PYTHONPATH": str(package_root()),
        "CHIPCOMMONS_BACKEND": job.backend,
        "CHIPCOMMONS_JOB_PARAMS": json.dumps(job.params),
        "CHIPCOMMONS_WALL_SECONDS": f"{max(1.0, limits.wall_seconds - 2):g}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if job.backend == "npu-scalesim":
        from remote.backends.scalesim.runner import find_scalesim_python

        # a missing SCALE-Sim is reported by the runner as an infrastructure error
        with contextlib.suppress(ChipError):
            env["CHIPCOMMONS_SCALESIM_PYTHON"] = find_scalesim_python()
    backend = farm.registry.get(job.backend)
    if isinstance(backend, CommandBackend):
        tpl = backend.template(str(job.params.get("template", "")))
        env["CHIPCOMMONS_COMMAND_TEMPLATES"] = CommandTemplates(
            templates=[tpl]).model_dump_json()
    if tokens_by_feature:
        env["CHIPCOMMONS_LEASE_TOKENS"] = json.dumps(tokens_by_feature)
        if farm.key_file is not None:
            claims.ensure_keypair(farm.key_file)
            env["CHIPCOMMONS_LEASE_PUBKEY"] = claims.public_path(farm.key_file).read_text()
    return env


# -- leases -------------------------------------------------------------------------------------


def _lease_tokens(session: Session, farm: Farm, job: FarmJob, now: datetime) -> dict[str, str]:
    if not job.lease_ids or farm.key_file is None:
        return {}
    key = claims.ensure_keypair(farm.key_file)
    out: dict[str, str] = {}
    for lease_id in job.lease_ids:
        lease = session.get(Lease, lease_id)
        if lease is None or lease.ended_at is not None:
            continue
        info = leases.lease_info(session, lease)
        out[info.feature] = tokens.issue(key, lease_id=info.id, user=info.user,
                                         feature=info.feature, seats=info.seats, now=now,
                                         expires_at=info.ends_by, centre=farm.centre_name)
    return out


def _hours(limits: JobLimits) -> float:
    return max(0.05, math.ceil(limits.wall_seconds / 36) / 100)


def try_acquire(session: Session, farm: Farm, job: FarmJob, now: datetime,
                notify: Notify) -> bool:
    """Check out every feature the job needs; on success the job holds the leases. When a
    feature has no free seat the job joins (or stays in) that feature's queue and nothing is
    held. Quota, eligibility and limit refusals are raised (the job cannot run at all)."""
    user = session.get(User, job.user_id)
    if user is None:
        raise NotFound(f"the owner of job {job.id} is gone")
    hours = _hours(job_limits(farm, job.resources or {}))
    got: list[int] = []
    waiting: list[str] = []
    for feature, count in sorted((job.features or {}).items()):
        try:
            info = leases.checkout(session, user, feature, int(count), hours, now,
                                   host=f"farm:{job.workspace}", notify=notify)
            got.append(info.id)
        except SeatsUnavailable:
            waiting.append(feature)
            break
    if waiting:
        for lease_id in got:
            _end_lease(session, lease_id, now, notify)
        joined = list(job.queue_features or [])
        for feature in waiting:
            if feature in joined:
                continue
            # Conflict: the user already queues for it (another job): that entry serves
            with contextlib.suppress(Conflict):
                lqueue.join(session, user, feature, int(job.features[feature]), hours, now)
            joined.append(feature)
        job.queue_features = joined
        return False
    job.lease_ids = got
    job.queue_features = []
    return True


def _end_lease(session: Session, lease_id: int, now: datetime, notify: Notify) -> None:
    lease = session.get(Lease, lease_id)
    if lease is None or lease.ended_at is not None:
        return
    leases.end_lease(session, lease, now, "returned")
    pool = session.get(Pool, lease.pool_id)
    if pool is not None:
        lqueue.grant_heads(session, pool.feature_id, now, notify)


def release(session: Session, job: FarmJob, now: datetime, notify: Notify) -> None:
    """The job has ended: end its leases and take it out of the queues it waited in."""
    for lease_id in job.lease_ids or []:
        _end_lease(session, lease_id, now, notify)
    for feature in job.queue_features or []:
        try:
            fid = get_feature(session, feature).id
        except NotFound:
            continue
        others = session.scalar(select(FarmJob.id).where(
            FarmJob.user_id == job.user_id, FarmJob.id != job.id,
            FarmJob.state == JobState.WAITING.value))
        if others is not None:
            continue  # another of the user's jobs still waits on that entry
        entry = session.scalar(select(QueueEntry).where(
            QueueEntry.feature_id == fid, QueueEntry.user_id == job.user_id,
            QueueEntry.status.in_(lqueue.ACTIVE)))
        if entry is not None:
            user = session.get(User, job.user_id)
            if user is not None:
                lqueue.leave(session, user, feature, now, notify)
    job.queue_features = []


# -- scheduler hand-off -------------------------------------------------------------------------


ACCEPTED = "accepted; being handed to the scheduler"
SEATS_GRANTED = "licence seats granted; being handed to the scheduler"
HANDOFF_GRACE_SECONDS = 30.0


def _spec(session: Session | None, farm: Farm, job: FarmJob, now: datetime) -> JobSpec:
    """What the scheduler runs for the job (``session`` is needed for jobs holding leases)."""
    limits = job_limits(farm, job.resources or {})
    tokens_by_feature = (_lease_tokens(session, farm, job, now)
                         if session is not None and job.lease_ids else {})
    env = _job_env(farm, job, limits, tokens_by_feature)
    return JobSpec(workspace=farm.workspace(job), command=tuple(runner_argv(farm.python,
                                                                            job.backend)),
                   limits=limits, env=env, licences=dict(job.features or {}))


def _record_handoff(session: Session, farm: Farm, job: FarmJob, now: datetime,
                    sched_id: str | None, error: ChipError | None, notify: Notify) -> None:
    job.sched_kind = farm.scheduler.kind
    if sched_id is not None:
        job.sched_id = sched_id
        move(session, job, JobState.QUEUED, now, f"queued on the {farm.scheduler.kind} "
             "scheduler")
        return
    job.sched_id = None
    if isinstance(error, SchedulerUnavailable):
        msg = f"{farm.scheduler.kind} scheduler unavailable: {error.message}; will retry"
        if job.state != JobState.QUEUED.value:
            move(session, job, JobState.QUEUED, now, msg)
        elif job.reason != msg:
            note(session, job, now, msg)
        return
    release(session, job, now, notify)
    service.finish(session, job, JobState.FAILED, now, "the farm could not take the job: "
                   f"{error.message if error else 'unknown'}",
                   outcome=Outcome.INFRASTRUCTURE_ERROR.value, counts_as_attempt=False)


def enqueue(session: Session, farm: Farm, job: FarmJob, now: datetime,
            notify: Notify | None = None) -> None:
    """Hand the job to the scheduler now, inside this transaction; ``queued`` either way (a
    scheduler that is down is retried by :func:`dispatch`, with the reason shown)."""
    spec = _spec(session, farm, job, now)
    sched_id, error = _try_submit(farm, spec)
    _record_handoff(session, farm, job, now, sched_id, error,
                    notify or _notifier(session, now))


Finish = Callable[[], str]
Started = tuple[JobSpec, "Finish | ChipError"]


def _start(farm: Farm, spec: JobSpec) -> Finish | ChipError:
    """Begin the submission of an accepted job (Slurm: sbatch starts and runs on while the
    caller goes on); a refusal is returned, not raised. A job the scheduler already took (its
    process died before recording the id) is not submitted twice: its id is taken from the
    workspace, and a submission started before the commit gets its acceptance marker (the
    database says the job is accepted: its wrapper may run)."""
    try:
        mark_accepted(spec.workspace)
        done = farm.scheduler.submitted(spec.workspace)
        if done is not None:
            return lambda: done
        return farm.scheduler.start_submit(spec)
    except ChipError as exc:
        return exc


def _finish(started: Finish | ChipError) -> tuple[str | None, ChipError | None]:
    """Wait for the scheduler's answer: its id, or why not (e.g. Slurm down)."""
    if isinstance(started, ChipError):
        return None, started
    try:
        return started(), None
    except ChipError as exc:
        return None, exc


def _try_submit(farm: Farm, spec: JobSpec) -> tuple[str | None, ChipError | None]:
    return _finish(_start(farm, spec))


def _move_to_fresh_workspace(farm: Farm, job: FarmJob, name: str) -> Workspace:
    """Give the job a new workspace ``name`` holding its sealed inputs (hard links), for a run
    that must not meet what an earlier one left in the old workspace."""
    old = farm.workspace(job)
    fresh = Workspace.create(farm.root, name)
    for src in old.inputs.rglob("*"):
        rel = src.relative_to(old.inputs)
        if src.is_dir() and not src.is_symlink():
            (fresh.inputs / rel).mkdir(parents=True, exist_ok=True)
        elif src.is_file() and not src.is_symlink():
            (fresh.inputs / rel).parent.mkdir(parents=True, exist_ok=True)
            os.link(src, fresh.inputs / rel)
    seal(fresh)
    job.workspace = name
    return fresh


def _unused_name(farm: Farm, job: FarmJob) -> str:
    base = service.workspace_name(job.id)
    n = 1
    while (farm.root / f"{base}-s{n}").exists():
        n += 1
    return f"{base}-s{n}"


def _start_early(session: Session, farm: Farm, job: FarmJob, now: datetime) -> Started | None:
    """Start the scheduler's submission of a draft being accepted, before its transaction
    commits, so ``sbatch`` runs beside the rest of the acceptance and the commit (Slurm only:
    ``Scheduler.early_start``; and only for a job that needs no licence seats, whose lease
    tokens would be issued in the transaction).

    Crash-safe by construction: the submission carries a fresh acceptance token
    (:func:`remote.workspace.expect_acceptance`) and its wrapper runs nothing until the
    token's marker is in the workspace. The marker is written right after the commit
    (:func:`_guard_early_start`); a rollback takes the submission back at once; a process
    killed before its commit leaves a Slurm job that waits for a marker that never comes and
    then ends as "not accepted". A draft whose workspace a scheduler has already seen (such
    an attempt) moves to a fresh workspace first — its stale job, cancelled by name, can
    never run in or report on the new one — so a later submission runs exactly once."""
    if job.features or not farm.scheduler.early_start:
        return None
    ws = farm.workspace(job)
    if ws.job_file.exists() or ws.accept_token_file.exists():
        with contextlib.suppress(ChipError):  # best effort: it refuses to run anyway
            farm.scheduler.discard(ws)
        ws = _move_to_fresh_workspace(farm, job, _unused_name(farm, job))
    spec = dataclasses.replace(_spec(None, farm, job, now), accept_token=expect_acceptance(ws),
                               accept_wait=farm.accept_wait)
    begun: Finish | ChipError
    try:
        begun = farm.scheduler.start_submit(spec)
    except ChipError as exc:  # recorded after the commit, like any refusal
        begun = exc
    _guard_early_start(session, farm, spec, begun)
    return spec, begun


def _guard_early_start(session: Session, farm: Farm, spec: JobSpec,
                       begun: Finish | ChipError) -> None:
    """When ``session``'s transaction ends: committed, write the acceptance marker (the job's
    wrapper may run); rolled back, take the submission back."""
    committed: list[bool] = []
    ended: list[bool] = []

    def on_commit(_session: Session) -> None:
        committed.append(True)

    def on_end(_session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is not None or ended:
            return
        ended.append(True)
        if committed:
            try:
                mark_accepted(spec.workspace, spec.accept_token)
            except OSError:  # its wrapper will refuse; the worker retries the job
                log.exception("farm: job %s: cannot write its acceptance marker",
                              spec.job_id)
        else:
            _take_back(farm, spec, begun)

    event.listen(session, "after_commit", on_commit, once=True)
    event.listen(session, "after_transaction_end", on_end)


def _take_back(farm: Farm, spec: JobSpec, begun: Finish | ChipError) -> None:
    """Undo a submission whose acceptance rolled back: wait for its id and cancel it (by
    name when the answer is lost). Nothing is lost if this fails: it never gets a marker."""
    if isinstance(begun, ChipError):
        return
    try:
        sched_id: str | None = begun()
    except ChipError:
        sched_id = None
    try:
        if sched_id is not None:
            farm.scheduler.cancel(JobRef(sched_id, spec.workspace.path))
        else:
            farm.scheduler.discard(spec.workspace)
    except ChipError as exc:
        log.warning("farm: the rolled-back submission of %s was not cancelled (%s); it will "
                    "not run without acceptance", spec.job_id, exc.message)
    except Exception:
        log.exception("farm: cannot take back the submission of %s", spec.job_id)


def accept(session: Session, job: FarmJob, now: datetime) -> None:
    """Accept the job as ``queued`` (reason :data:`ACCEPTED`, no scheduler id yet) without
    calling the scheduler in this transaction: the :class:`FarmDispatcher` does that right
    after the commit, so a burst of submissions never holds the database while ``sbatch``
    runs, and the caller does not wait for it."""
    job.sched_id = None
    move(session, job, JobState.QUEUED, now, ACCEPTED)


def _handed_jobs(session: Session, job_ids: Sequence[int], *, lock: bool) -> list[FarmJob]:
    stmt = select(FarmJob).where(FarmJob.id.in_(sorted(set(job_ids)))).order_by(FarmJob.id)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return list(session.scalars(stmt))


def _waits_for_hand_off(job: FarmJob) -> bool:
    return job.state == JobState.QUEUED.value and not job.sched_id


def _submit_all(farm: Farm, specs: dict[int, JobSpec], parallel: int, *,
                probe_first: bool = False) -> dict[int, tuple[str | None, ChipError | None]]:
    """Every spec to the scheduler, up to ``parallel`` submissions at once. ``probe_first``:
    submit one alone first, and when the scheduler is unavailable do not try the others (a
    controller that is down may take the command timeout to say so, per call)."""
    answers: dict[int, tuple[str | None, ChipError | None]] = {}
    rest = dict(specs)
    if probe_first and len(rest) > 1:
        job_id = next(iter(rest))
        answers[job_id] = _try_submit(farm, rest.pop(job_id))
        error = answers[job_id][1]
        if isinstance(error, SchedulerUnavailable):
            return answers | {other: (None, error) for other in rest}
    if len(rest) <= 1 or parallel <= 1:
        return answers | {job_id: _try_submit(farm, spec) for job_id, spec in rest.items()}
    with ThreadPoolExecutor(max_workers=min(parallel, len(rest)),
                            thread_name_prefix="chipcommons-sbatch") as pool:
        futures = {job_id: pool.submit(_try_submit, farm, spec)
                   for job_id, spec in rest.items()}
        return answers | {job_id: future.result() for job_id, future in futures.items()}


def _look_up(farm: Farm, specs: dict[int, JobSpec]
             ) -> dict[int, tuple[str | None, ChipError | None]]:
    """The jobs among ``specs`` that the scheduler already has, found by name in one look
    (their acceptance marker written: the database has them accepted), with their ids; when
    the scheduler cannot be asked, every job, unavailable (none is submitted blind)."""
    try:
        found = farm.scheduler.find_submitted([spec.workspace for spec in specs.values()])
    except SchedulerUnavailable as exc:
        return {job_id: (None, exc) for job_id in specs}
    except ChipError as exc:
        log.warning("farm: cannot look jobs up in the %s scheduler: %s", farm.scheduler.kind,
                    exc.message)
        return {}
    out: dict[int, tuple[str | None, ChipError | None]] = {}
    for job_id, spec in specs.items():
        sched_id = found.get(spec.workspace.job_id)
        if sched_id is not None:
            mark_accepted(spec.workspace)
            out[job_id] = (sched_id, None)
    return out


def snapshot(job: FarmJob) -> FarmJob:
    """A detached copy of what the scheduler needs of an accepted job, so the dispatcher can
    hand it off without reading it again (only jobs holding leases need the database, for
    their tokens)."""
    return FarmJob(id=job.id, user_id=job.user_id, backend=job.backend,
                   params=dict(job.params or {}), resources=dict(job.resources or {}),
                   features=dict(job.features or {}), lease_ids=list(job.lease_ids or []),
                   workspace=job.workspace, state=job.state, sched_id=job.sched_id)


_JOBS = FarmJob.metadata.tables[FarmJob.__tablename__]
_EVENTS = FarmJobEvent.metadata.tables[FarmJobEvent.__tablename__]
# Core statements on the tables, built once: recording an id is on every submission's path to
# its scheduler id, and the ORM's bulk UPDATE/INSERT paths cost more than the statements.
_RECORD_ID = update(_JOBS).where(
    _JOBS.c.id == bindparam("r_job"), _JOBS.c.state == JobState.QUEUED.value,
    _JOBS.c.sched_id.is_(None)).values(
    sched_kind=bindparam("r_kind"), sched_id=bindparam("r_id"), reason=bindparam("r_reason"),
    updated_at=bindparam("r_at"))
_RECORD_EVENT = insert(_EVENTS)
# PostgreSQL: both in one statement (one round trip, run in autocommit), the UPDATE as a CTE
# whose row the event is selected from (no row: no event, nothing returned; the driver's
# rowcount for such a statement is not to be trusted), with the transaction's
# synchronous_commit off (set_config(..., true): SET LOCAL inside the statement itself).
_HANDED = _RECORD_ID.returning(_JOBS.c.id).cte("handed")
_NO_WAL_WAIT = select(func.set_config("synchronous_commit", "off", True).label("v")).cte(
    "no_wal_wait")
_RECORD_BOTH = insert(_EVENTS).from_select(
    ["job_id", "at", "state", "message"],
    select(_HANDED.c.id, bindparam("r_at", type_=_EVENTS.c.at.type),
           literal(JobState.QUEUED.value, type_=_EVENTS.c.state.type),
           bindparam("r_reason", type_=_EVENTS.c.message.type))
    .select_from(_NO_WAL_WAIT.join(_HANDED, literal(True)))).returning(_EVENTS.c.id)


def _record_values(farm: Farm, job_id: int, sched_id: str, now: datetime) -> dict[str, Any]:
    return {"r_job": job_id, "r_kind": farm.scheduler.kind, "r_id": sched_id,
            "r_reason": f"queued on the {farm.scheduler.kind} scheduler", "r_at": now}


def _record_queued(session: Session, farm: Farm, job_id: int, sched_id: str,
                   now: datetime) -> bool:
    """Record the scheduler's id of a job still waiting for it (one UPDATE and one event, Core
    statements: no unit of work); False when the job was cancelled or handed off elsewhere
    meanwhile."""
    values = _record_values(farm, job_id, sched_id, now)
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        return conn.execute(_RECORD_BOTH, values).first() is not None
    if conn.execute(_RECORD_ID, values).rowcount != 1:
        return False
    conn.execute(_RECORD_EVENT, {"job_id": job_id, "at": now, "state": JobState.QUEUED.value,
                                 "message": values["r_reason"]})
    return True


def hand_off(hub: Any, job_ids: Sequence[int], *, parallel: int = 1,
             known: dict[int, FarmJob] | None = None, probe_first: bool = False,
             started: dict[int, Started] | None = None, look_up: bool = False) -> int:
    """Give accepted jobs to the scheduler. ``started`` jobs are already on their way (their
    submissions only need their answers); ``known`` jobs (:func:`snapshot` s taken when they
    were accepted) are not read again unless they hold leases; the rest are read in one short
    transaction. The scheduler is called outside any transaction (``parallel`` submissions at
    once) and the answers are recorded in one more; a job cancelled meanwhile is taken back
    from the scheduler. ``look_up`` (the worker, taking over jobs whose process died): first
    ask the scheduler in one look which of them it has already (a lost answer) and adopt
    those instead of submitting them again. Returns how many jobs got a scheduler id."""
    farm = farm_for(hub)
    now = hub.clock()
    known = known or {}
    started = started or {}
    specs: dict[int, JobSpec] = {job_id: spec for job_id, (spec, _) in started.items()}
    refused: dict[int, ChipError] = {}
    rest = [i for i in job_ids if i not in started]
    to_read = [i for i in rest if i not in known or known[i].lease_ids]
    for job_id in rest:
        job = known.get(job_id)
        if job is not None and not job.lease_ids and _waits_for_hand_off(job):
            specs[job_id] = _spec(None, farm, job, now)
    if to_read:
        with transaction(hub.sessions, write=False) as session:
            for job in _handed_jobs(session, to_read, lock=False):
                if not _waits_for_hand_off(job):
                    continue
                try:
                    specs[job.id] = _spec(session, farm, job, now)
                except ChipError as exc:  # e.g. a lease token that cannot be issued
                    refused[job.id] = exc
    if not specs and not refused:
        return 0
    answers = {job_id: _finish(begun) for job_id, (_spec_, begun) in started.items()}
    to_submit = {i: sp for i, sp in specs.items() if i not in started}
    if look_up and to_submit:
        found = _look_up(farm, to_submit)
        answers |= found
        to_submit = {i: sp for i, sp in to_submit.items() if i not in found}
    answers |= _submit_all(farm, to_submit, parallel, probe_first=probe_first)
    answers.update({job_id: (None, exc) for job_id, exc in refused.items()})
    now = hub.clock()
    ids = {job_id: sched_id for job_id, (sched_id, _error) in answers.items() if sched_id}
    others = [job_id for job_id, (sched_id, _error) in answers.items() if not sched_id]
    recorded = _record_ids(hub, farm, ids, now) if ids else set()
    for job_id in sorted(ids.keys() - recorded):  # cancelled (or handed off elsewhere)
        with contextlib.suppress(ChipError):      # meanwhile: take it back
            farm.scheduler.cancel(JobRef(ids[job_id], specs[job_id].workspace.path))
    if others:
        with transaction(hub.sessions) as session:
            # A record lost in a database crash is found again (the worker hands the job off
            # after the grace; Slurm's id is adopted from the workspace or found by name, the
            # local scheduler's submit is idempotent), never run twice.
            commit_without_flush_wait(session)
            notify = _notifier(session, now)
            for job in _handed_jobs(session, others, lock=True):
                if _waits_for_hand_off(job):
                    sched_id, error = answers[job.id]
                    _record_handoff(session, farm, job, now, sched_id, error, notify)
    return len(recorded)


def _record_ids(hub: Any, farm: Farm, ids: dict[int, str], now: datetime) -> set[int]:
    """Record the scheduler's ids of jobs still waiting for them; the jobs recorded (the
    others were cancelled or handed off elsewhere meanwhile). PostgreSQL: one statement per
    job in autocommit, its own transaction, without waiting for the WAL flush (``set_config``
    inside the statement, where :func:`~core.rawsql.commit_without_flush_wait` would cost a
    SET of its own) — one round trip instead of four (BEGIN, SET, the statement, COMMIT).
    SQLite: one transaction for them all."""
    if hub.engine.dialect.name == "postgresql":
        with hub.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            return {job_id for job_id, sched_id in sorted(ids.items())
                    if conn.execute(_RECORD_BOTH, _record_values(farm, job_id, sched_id, now))
                    .first() is not None}
    with transaction(hub.sessions) as session:
        return {job_id for job_id, sched_id in sorted(ids.items())
                if _record_queued(session, farm, job_id, sched_id, now)}


DISPATCH_PARALLEL = 4   # sbatch calls at once
DISPATCH_BATCH = 32     # jobs read and recorded per transaction
DISPATCH_IDLE_SECONDS = 10.0  # the dispatcher's thread ends after this long without work
RECORDED_KEPT = 10_000  # hand-off times kept for recorded_at()


class FarmDispatcher:
    """Hands accepted jobs to the scheduler from this process, at once.

    :meth:`wake` is called right after a submission commits. For a job that holds no leases it
    starts the scheduler's submission there and then (Slurm: ``sbatch`` runs while the caller
    returns) unless it was started before the commit already (:func:`_start_early`); the
    dispatcher's thread collects the answers, and hands off any other job woken,
    in batches (:func:`hand_off`), recording the ids in one transaction per batch. The thread
    waits for the next wake-up (no polling) and ends after :data:`DISPATCH_IDLE_SECONDS`
    without work; the next wake-up starts it again. A process that exits (the ``serve`` of a
    closed connection) first finishes the hand-offs it owes (an ``atexit`` hook waits for
    them). A job whose process died before handing it off is handed off by the worker once it
    has been accepted for :data:`HANDOFF_GRACE_SECONDS`; one that the scheduler refused as
    unavailable is retried by every worker tick, its reason shown.
    """

    def __init__(self, hub: Any, *, parallel: int = DISPATCH_PARALLEL,
                 batch: int = DISPATCH_BATCH, idle: float = DISPATCH_IDLE_SECONDS) -> None:
        self.hub = hub
        self.parallel = max(1, parallel)
        self.batch = max(1, batch)
        self.idle = idle
        self._cond = threading.Condition()
        self._pending: list[int] = []
        self._known: dict[int, FarmJob] = {}
        self._started: dict[int, Started] = {}
        self._unfinished: set[int] = set()
        self._recorded: dict[int, float] = {}
        self._thread: threading.Thread | None = None

    def _start(self, job: FarmJob) -> Started | None:
        if job.lease_ids or not _waits_for_hand_off(job):
            return None  # lease tokens are read in the dispatcher's own transaction
        try:
            farm = farm_for(self.hub)
            spec = _spec(None, farm, job, self.hub.clock())
        except Exception:  # the dispatcher's thread tries again
            log.exception("farm: job %s could not be prepared for the scheduler", job.id)
            return None
        return spec, _start(farm, spec)

    def wake(self, *jobs: int | FarmJob, started: dict[int, Started] | None = None) -> None:
        """Queue these accepted jobs (ids, or :func:`snapshot` s taken at acceptance) for the
        scheduler, starting the submission of each snapshot without leases at once (unless it
        is among ``started``: begun before the commit, only its answer is owed), and wake
        the thread (or start it)."""
        started = dict(started or {})
        with self._cond:
            fresh = [job for job in jobs
                     if (job if isinstance(job, int) else job.id) not in self._unfinished]
            self._unfinished.update(job if isinstance(job, int) else job.id for job in fresh)
        started |= {job.id: begun for job in fresh
                    if isinstance(job, FarmJob) and job.id not in started
                    and (begun := self._start(job))}
        with self._cond:
            self._started.update(started)
            for job in fresh:
                if isinstance(job, int):
                    self._pending.append(job)
                else:
                    self._known[job.id] = job
                    self._pending.append(job.id)
            if not self._pending:
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="chipcommons-farm-dispatch")
                atexit.register(self.finish)
                self._thread.start()
            else:
                self._cond.notify_all()

    def wait(self, job_ids: Sequence[int] = (), timeout: float | None = None) -> bool:
        """Wait until these jobs (default: every job woken so far) have been handed off or
        refused; False on timeout."""
        wanted = set(job_ids)
        with self._cond:
            return self._cond.wait_for(
                lambda: not (self._unfinished & wanted if wanted else self._unfinished),
                timeout)

    def recorded_at(self, job_id: int) -> float | None:
        """When (``time.perf_counter``) the job's hand-off was committed, for the recent
        jobs of this process (benchmarks measure submit → scheduler id with it)."""
        with self._cond:
            return self._recorded.get(job_id)

    def finish(self, timeout: float = 120.0) -> None:
        """Wait for the hand-offs still owed (at exit, so no accepted job is left behind)."""
        if not self.wait(timeout=timeout):
            log.warning("farm: jobs %s were not handed off before exit; the worker will",
                        sorted(self._unfinished))

    def _take(self) -> tuple[list[int], dict[int, FarmJob], dict[int, Started]]:
        """The next batch; an empty one once idle for too long (the thread then ends)."""
        with self._cond:
            if not self._pending:
                self._cond.wait_for(lambda: bool(self._pending), self.idle)
            ids, self._pending = self._pending[:self.batch], self._pending[self.batch:]
            if not ids:
                self._thread = None
                atexit.unregister(self.finish)
            return (ids, {i: self._known.pop(i) for i in ids if i in self._known},
                    {i: self._started.pop(i) for i in ids if i in self._started})

    def _run(self) -> None:
        while True:
            ids, known, started = self._take()
            if not ids:
                return
            try:
                hand_off(self.hub, ids, parallel=self.parallel, known=known, started=started)
            except Exception:  # the worker retries what was not handed off
                log.exception("farm: jobs %s could not be handed to the scheduler", ids)
            finally:
                at = time.perf_counter()
                with self._cond:
                    self._unfinished.difference_update(ids)
                    for job_id in ids:
                        self._recorded[job_id] = at
                    while len(self._recorded) > RECORDED_KEPT:
                        del self._recorded[next(iter(self._recorded))]
                    self._cond.notify_all()


def dispatch_parallel(hub: Any) -> int:
    """How many scheduler submissions run at once (hub setting ``farm_dispatch_parallel``)."""
    return max(1, int(hub.settings.get("farm_dispatch_parallel", DISPATCH_PARALLEL)))


def dispatcher_for(hub: Any) -> FarmDispatcher:
    """The hub's dispatcher, made once per hub object (no module-level state)."""
    made = hub.__dict__.get("_chipcommons_dispatcher")
    if made is None:  # setdefault is atomic: two racing threads end with the same one
        made = hub.__dict__.setdefault("_chipcommons_dispatcher",
                                       FarmDispatcher(hub, parallel=dispatch_parallel(hub)))
    return made


def submit(session: Session, farm: Farm, job: FarmJob, now: datetime, notify: Notify, *,
           hand_off_now: bool = True) -> Started | None:
    """Seal, validate and stage a draft job, then queue it or let it wait for seats. With
    ``hand_off_now=False`` the job is only accepted (the caller hands it to the
    :class:`FarmDispatcher` after its commit); on Slurm, a job needing no seats has its
    ``sbatch`` started here already (:func:`_start_early`), returned for the dispatcher to
    collect."""
    if job.state != JobState.DRAFT.value:
        raise Conflict(f"job {job.id} is {job.state}; only a draft can be submitted",
                       job=job.id, state=job.state)
    ws = farm.workspace(job)
    from remote.workspace import pending_uploads

    pending = pending_uploads(ws)
    if pending:
        raise Conflict("uploads not finished: " + ", ".join(p.name for p in pending),
                       pending=[p.name for p in pending])
    backend = farm.registry.get(job.backend)
    try:
        job.params = backend.validate(ws.inputs, job.params or {})
    except ChipError as exc:  # name inputs as the user did, not by the farm's paths
        exc.message = exc.message.replace(f"{ws.inputs}/", "")
        exc.args = (exc.message,)
        if isinstance(exc.data.get("source"), str):
            exc.data["source"] = exc.data["source"].replace(f"{ws.inputs}/", "")
        raise
    job.features = backend.features(job.params)
    job_limits(farm, job.resources or {})
    user_limits = farm.config.limits.user
    with session.no_autoflush:  # the job's own changes are written once, at the commit
        service.check_user_limits(session, job.user_id, now, user_limits.concurrent_jobs,
                                  user_limits.jobs_per_day)
    seal(ws)
    started = None if hand_off_now else _start_early(session, farm, job, now)
    job.submitted_at = now
    move(session, job, JobState.STAGED, now, "inputs sealed and checked")
    if job.features:
        try:
            granted = try_acquire(session, farm, job, now, notify)
        except (QuotaExceeded, NotEligible, LimitExceeded) as exc:
            service.finish(session, job, JobState.FAILED, now, f"licence refused: {exc.message}",
                           outcome="licence_refused", counts_as_attempt=False)
            return None
        if not granted:
            move(session, job, JobState.WAITING, now, "waiting for seats of " +
                 ", ".join(job.queue_features))
            return None
    if hand_off_now:
        enqueue(session, farm, job, now, notify)
    else:
        accept(session, job, now)
    return started


def cancel(session: Session, farm: Farm, job: FarmJob, now: datetime, notify: Notify) -> None:
    if job.state in (JobState.SUCCEEDED.value, JobState.FAILED.value,
                     JobState.CANCELLED.value):
        raise Conflict(f"job {job.id} has already ended ({job.state})", job=job.id)
    if job.sched_id and job.state in (JobState.QUEUED.value, JobState.RUNNING.value):
        farm.scheduler.cancel(JobRef(job.sched_id, farm.workspace(job).path))
    release(session, job, now, notify)
    service.finish(session, job, JobState.CANCELLED, now, "cancelled", outcome="cancelled",
                   counts_as_attempt=False)
    notify(job.user_id, "job.finished", {"job": job.id, "state": job.state})


# -- concluding a job ---------------------------------------------------------------------------


def read_result(ws: Workspace) -> RunResult | None:
    try:
        return RunResult.read(ws.out)
    except (OSError, ValueError):
        return None


def _retry(session: Session, farm: Farm, job: FarmJob, now: datetime, why: str,
           notify: Notify) -> None:
    """An infrastructure error: run again in a fresh workspace, or give up after the budget."""
    if job.infra_retries >= farm.max_infra_retries:
        release(session, job, now, notify)
        service.finish(session, job, JobState.FAILED, now, f"infrastructure error: {why}",
                       outcome=Outcome.INFRASTRUCTURE_ERROR.value, counts_as_attempt=False)
        notify(job.user_id, "job.finished", {"job": job.id, "state": job.state})
        return
    job.infra_retries += 1
    _move_to_fresh_workspace(farm, job, f"{service.workspace_name(job.id)}-r{job.infra_retries}")
    job.sched_id = None
    move(session, job, JobState.QUEUED, now,
         f"infrastructure error: {why}; retry {job.infra_retries} of {farm.max_infra_retries}")
    # handed to the scheduler by dispatch() once its transaction has committed


def conclude(session: Session, farm: Farm, job: FarmJob, status: SchedStatus, now: datetime,
             notify: Notify) -> None:
    """The scheduler says the job ended: read its outcome and results, end its leases."""
    final = status.final
    ws = farm.workspace(job)
    result = read_result(ws)
    outcome = final.outcome if final is not None else RunOutcome.INFRASTRUCTURE_ERROR
    if outcome is RunOutcome.CANCELLED:
        release(session, job, now, notify)
        service.finish(session, job, JobState.CANCELLED, now, "cancelled",
                       outcome="cancelled", counts_as_attempt=False)
    elif outcome is RunOutcome.INFRASTRUCTURE_ERROR or (
            result is not None and result.outcome is Outcome.INFRASTRUCTURE_ERROR):
        why = (result.message if result is not None and result.message else
               (final.message if final is not None else status.reason)) or "unknown"
        _retry(session, farm, job, now, why, notify)
        return
    elif outcome in (RunOutcome.TIME_LIMIT, RunOutcome.MEMORY_LIMIT):
        release(session, job, now, notify)
        limit = "time" if outcome is RunOutcome.TIME_LIMIT else "memory"
        service.finish(session, job, JobState.FAILED, now,
                       f"killed at the {limit} limit: {final.message if final else ''}".strip(),
                       outcome=outcome.value,
                       score=result.results.score if result else None)
    elif result is None:
        release(session, job, now, notify)
        msg = final.message if final is not None and final.message else "the job crashed"
        service.finish(session, job, JobState.FAILED, now, f"crashed: {msg}",
                       outcome=Outcome.RUNTIME_ERROR.value)
    else:
        release(session, job, now, notify)
        max_score = sum(t.max_score for t in result.results.tests) or None
        state = JobState.SUCCEEDED if result.outcome is Outcome.SUCCESS else JobState.FAILED
        service.finish(session, job, state, now, result.message or result.outcome.value,
                       outcome=result.outcome.value, score=result.results.score,
                       max_score=max_score)
    notify(job.user_id, "job.finished", {"job": job.id, "state": job.state,
                                         "outcome": job.outcome})


# -- the worker's duty ----------------------------------------------------------------------------


def _renew(session: Session, job: FarmJob, now: datetime) -> None:
    user = session.get(User, job.user_id)
    if user is None:
        return
    for lease_id in job.lease_ids or []:
        lease = session.get(Lease, lease_id)
        if lease is None or lease.ended_at is not None:
            continue
        try:
            leases.renew(session, user, lease_id, now)
        except ChipError as exc:
            log.warning("job %s: lease %s not renewed: %s", job.id, lease_id, exc.message)


def dispatch(hub: Any, now: datetime | None = None) -> int:
    """One round of the farm's duties (called from the worker's tick). Returns how many jobs
    changed state. Errors on one job are logged and do not stop the others."""
    if not hub.settings.get("home") and not hub.settings.get("farm_config") and \
            not os.environ.get(FARM_CONFIG_ENV):
        return 0
    now = now or hub.clock()
    with transaction(hub.sessions, write=False) as session:
        anything = session.scalar(select(FarmJob.id).where(FarmJob.state.in_(
            [JobState.WAITING.value, JobState.QUEUED.value, JobState.RUNNING.value])).limit(1))
    if anything is None:
        return 0
    farm = farm_for(hub)
    changed = 0
    with transaction(hub.sessions) as session:
        notify = _notifier(session, now)
        jobs = service.active_jobs(session)
        for job in jobs:
            before = job.state
            try:
                with session.begin_nested():
                    if job.state == JobState.WAITING.value and \
                            try_acquire(session, farm, job, now, notify):
                        move(session, job, JobState.QUEUED, now, SEATS_GRANTED)
            except (QuotaExceeded, NotEligible, LimitExceeded) as exc:
                service.finish(session, job, JobState.FAILED, now,
                               f"licence refused: {exc.message}", outcome="licence_refused",
                               counts_as_attempt=False)
            except Exception:  # one bad job must not stop the farm
                log.exception("farm: job %s could not be dispatched", job.id)
            changed += job.state != before
        handed = {j.id: JobRef(j.sched_id, farm.workspace(j).path) for j in jobs
                  if j.sched_id and j.sched_kind == farm.scheduler.kind and
                  j.state in (JobState.QUEUED.value, JobState.RUNNING.value)}
    # the scheduler is asked outside any transaction (squeue may take a while)
    states = farm.scheduler.poll(list(handed.values())) if handed else {}
    if states:
        changed += _apply_states(hub, farm, handed, states, now)
    with transaction(hub.sessions, write=False) as session:
        owed = [j.id for j in service.active_jobs(session, frozenset({JobState.QUEUED}))
                if _waits_for_hand_off(j) and not _being_handed(j, now)]
    if owed:
        hand_off(hub, owed, parallel=dispatch_parallel(hub), probe_first=True, look_up=True)
    return changed


def _apply_states(hub: Any, farm: Farm, handed: dict[int, JobRef],
                  states: dict[str, SchedStatus], now: datetime) -> int:
    """Record what the scheduler said about the jobs handed to it, in one transaction (a job
    cancelled or re-submitted since the poll is left alone)."""
    changed = 0
    with transaction(hub.sessions) as session:
        notify = _notifier(session, now)
        for job in _handed_jobs(session, list(handed), lock=True):
            ref = handed[job.id]
            st = states.get(ref.sched_id)
            if st is None or job.sched_id != ref.sched_id or job.state not in (
                    JobState.QUEUED.value, JobState.RUNNING.value):
                continue
            before = job.state
            try:
                with session.begin_nested():
                    _apply(session, farm, job, st, now, notify)
            except Exception:
                log.exception("farm: job %s could not be updated", job.id)
            changed += job.state != before
    return changed


def _being_handed(job: FarmJob, now: datetime) -> bool:
    """Whether a dispatcher (in the process that accepted the job) is handing it off now."""
    return job.reason == ACCEPTED and (now - job.updated_at).total_seconds() < \
        HANDOFF_GRACE_SECONDS


def _apply(session: Session, farm: Farm, job: FarmJob, st: SchedStatus, now: datetime,
           notify: Notify) -> None:
    if st.state == SchedState.FINISHED:
        conclude(session, farm, job, st, now, notify)
        return
    if job.lease_ids:
        _renew(session, job, now)
    if st.state == SchedState.RUNNING and job.state == JobState.QUEUED.value:
        move(session, job, JobState.RUNNING, now, st.reason or "running")
    elif st.state == SchedState.UNAVAILABLE:
        msg = f"{farm.scheduler.kind} scheduler unavailable: {st.reason}; the job is kept"
        if job.reason != msg:
            note(session, job, now, msg)
    elif st.state == SchedState.PENDING and job.reason != st.reason and st.reason:
        note(session, job, now, st.reason)


def check_input_name(name: str) -> None:
    """Refuse the reserved names of the workspace (results and logs live elsewhere)."""
    if not name or name.startswith(".chipcommons"):
        raise InvalidInput(f"input name {name!r} is reserved", name=name)
