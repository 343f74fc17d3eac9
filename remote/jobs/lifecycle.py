"""The job lifecycle as data: which state may follow which.

``draft → staged → waiting (for seats) → queued (scheduler) → running →
succeeded | failed | cancelled``. ``staged`` may go straight to ``queued`` when the job needs no
licence features. An infrastructure error sends a queued or running job back to ``queued``
(retried; never counted as an attempt) until the retry budget is spent, then to ``failed`` with
the outcome ``infrastructure_error`` — kept apart from a user's failure.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy.orm import Session

from core.errors import Conflict
from remote.jobs.models import FarmJob, FarmJobEvent


class JobState(enum.StrEnum):
    DRAFT = "draft"
    STAGED = "staged"
    WAITING = "waiting"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED})
ACTIVE = frozenset({JobState.WAITING, JobState.QUEUED, JobState.RUNNING})

TRANSITIONS: dict[JobState, frozenset[JobState]] = {
    JobState.DRAFT: frozenset({JobState.STAGED, JobState.CANCELLED, JobState.FAILED}),
    JobState.STAGED: frozenset({JobState.WAITING, JobState.QUEUED, JobState.CANCELLED,
                                JobState.FAILED}),
    JobState.WAITING: frozenset({JobState.QUEUED, JobState.CANCELLED, JobState.FAILED}),
    JobState.QUEUED: frozenset({JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED,
                                JobState.FAILED, JobState.CANCELLED}),
    JobState.RUNNING: frozenset({JobState.QUEUED, JobState.SUCCEEDED, JobState.FAILED,
                                 JobState.CANCELLED}),
    JobState.SUCCEEDED: frozenset(),
    JobState.FAILED: frozenset(),
    JobState.CANCELLED: frozenset(),
}


def can_move(current: str, new: str) -> bool:
    return JobState(new) in TRANSITIONS[JobState(current)]


def move(session: Session, job: FarmJob, new: JobState, now: datetime,
         message: str = "") -> None:
    """Change ``job``'s state (refusing a move the lifecycle does not allow) and log it."""
    if not can_move(job.state, new):
        raise Conflict(f"job {job.id} is {job.state}; it cannot become {new.value}",
                       job=job.id, state=job.state, wanted=new.value)
    job.state = new.value
    job.reason = message[:2000]
    job.updated_at = now
    if new is JobState.RUNNING and job.started_at is None:
        job.started_at = now
    if new in TERMINAL:
        job.ended_at = now
    session.add(FarmJobEvent(job_id=job.id, at=now, state=new.value, message=message[:2000]))


def note(session: Session, job: FarmJob, now: datetime, message: str) -> None:
    """Log a remark without a state change (e.g. 'Slurm unreachable; will retry')."""
    job.reason = message[:2000]
    job.updated_at = now
    session.add(FarmJobEvent(job_id=job.id, at=now, state=job.state, message=message[:2000]))
