"""Domain functions on farm jobs: each takes a ``Session`` and plain arguments and returns plain
data. Scheduling and licences are orchestrated by :mod:`hub.farm`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session

from core.errors import Forbidden, InvalidInput, LimitExceeded, NotFound
from core.models.accounts import User
from remote.jobs.lifecycle import ACTIVE, JobState, move
from remote.jobs.models import FarmJob, FarmJobEvent

MAX_NAME = 200
MAX_PARAMS_CHARS = 64_000


@dataclass(frozen=True)
class JobEventInfo:
    at: datetime
    state: str
    message: str


@dataclass(frozen=True)
class JobInfo:
    """A job as users see it."""

    id: int
    name: str
    user: str
    backend: str
    params: dict[str, Any]
    resources: dict[str, Any]
    features: dict[str, int]
    state: str
    reason: str
    outcome: str | None
    score: float | None
    max_score: float | None
    attempts: int
    infra_retries: int
    scheduler: str | None
    sched_id: str | None
    created_at: datetime
    submitted_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    events: tuple[JobEventInfo, ...] = ()


def workspace_name(job_id: int) -> str:
    return f"job-{job_id:08d}"


def job_info(session: Session, job: FarmJob, *, with_events: bool = False,
             login: str | None = None) -> JobInfo:
    """``login``: the owner's login when the caller knows it (saves a query)."""
    login = login or session.scalar(select(User.login).where(User.id == job.user_id)) or "?"
    events: tuple[JobEventInfo, ...] = ()
    if with_events:
        events = tuple(JobEventInfo(e.at, e.state, e.message) for e in session.scalars(
            select(FarmJobEvent).where(FarmJobEvent.job_id == job.id)
            .order_by(FarmJobEvent.id)))
    return JobInfo(job.id, job.name, login, job.backend, dict(job.params or {}),
                   dict(job.resources or {}), dict(job.features or {}), job.state, job.reason,
                   job.outcome, job.score, job.max_score, job.attempts, job.infra_retries,
                   job.sched_kind, job.sched_id, job.created_at, job.submitted_at,
                   job.started_at, job.ended_at, events)


def create_job(session: Session, user_id: int, backend: str, params: dict[str, Any],
               resources: dict[str, Any], features: dict[str, int], now: datetime, *,
               name: str = "") -> FarmJob:
    """A new job in ``draft`` (its workspace is named after its id)."""
    if len(name) > MAX_NAME:
        raise InvalidInput(f"job name longer than {MAX_NAME} characters")
    if len(repr(params)) > MAX_PARAMS_CHARS:
        raise InvalidInput("job parameters are too large")
    job = FarmJob(user_id=user_id, name=name, backend=backend, params=params,
                  resources=resources, features=features, state=JobState.DRAFT.value,
                  created_at=now, updated_at=now)
    session.add(job)
    session.flush()
    job.workspace = workspace_name(job.id)
    session.add(FarmJobEvent(job_id=job.id, at=now, state=JobState.DRAFT.value,
                             message="created"))
    return job


def get_job(session: Session, job_id: int, *, user_id: int | None = None,
            lock: bool = False) -> FarmJob:
    """The job, if ``user_id`` (None = any user, for staff and the worker) may see it."""
    stmt = select(FarmJob).where(FarmJob.id == job_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    job = session.scalar(stmt)
    if job is None:
        raise NotFound(f"no job {job_id}", job=job_id)
    if user_id is not None and job.user_id != user_id:
        raise Forbidden(f"job {job_id} is not yours", job=job_id)
    return job


def list_jobs(session: Session, *, user_id: int | None, states: list[str] | None = None,
              limit: int = 200) -> list[JobInfo]:
    stmt = select(FarmJob).order_by(FarmJob.id.desc()).limit(max(1, min(limit, 5000)))
    if user_id is not None:
        stmt = stmt.where(FarmJob.user_id == user_id)
    if states:
        stmt = stmt.where(FarmJob.state.in_(states))
    return [job_info(session, j) for j in session.scalars(stmt)]


def active_jobs(session: Session, states: frozenset[JobState] = ACTIVE) -> list[FarmJob]:
    return list(session.scalars(select(FarmJob).where(
        FarmJob.state.in_([s.value for s in states])).order_by(FarmJob.id)))


_ACTIVE_STATES = [st.value for st in ACTIVE]
# Built once (an immutable statement): how many of a user's jobs are active, and how many
# were submitted since a moment.
_USER_COUNTS = select(
    func.coalesce(func.sum(case((FarmJob.state.in_(_ACTIVE_STATES), 1), else_=0)), 0),
    func.coalesce(func.sum(case((FarmJob.submitted_at > bindparam("since"), 1), else_=0)), 0),
).where(FarmJob.user_id == bindparam("user_id"))


def check_user_limits(session: Session, user_id: int, now: datetime, concurrent: int,
                      per_day: int) -> None:
    """The farm's per-user limits: jobs at once (waiting, queued, running) and per day."""
    # on the connection: a Core statement needs none of the ORM's execution path (and never
    # flushes the job being submitted)
    row = session.connection().execute(_USER_COUNTS, {"user_id": user_id,
                                                      "since": now - timedelta(days=1)}).one()
    running, today = int(row[0]), int(row[1])
    if running >= concurrent:
        raise LimitExceeded(f"you have {running} jobs waiting or running; the farm allows "
                            f"{concurrent} at once", limit="concurrent_jobs")
    if today >= per_day:
        raise LimitExceeded(f"you submitted {today} jobs in the last 24 hours; the farm "
                            f"allows {per_day}", limit="jobs_per_day")


def finish(session: Session, job: FarmJob, state: JobState, now: datetime, message: str, *,
           outcome: str | None, score: float | None = None,
           max_score: float | None = None, counts_as_attempt: bool = True) -> None:
    """End a job: its outcome and score, and one more attempt unless the end was not the
    user's doing (infrastructure errors and cancellations before a run)."""
    job.outcome = outcome
    job.score = score
    job.max_score = max_score
    if counts_as_attempt:
        job.attempts += 1
    move(session, job, state, now, message)
