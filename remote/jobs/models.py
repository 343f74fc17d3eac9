"""Farm jobs in the database: one row per job and an append-only event log per job.

A job row carries what was asked (backend, parameters, resources, licence features), where it
stands (``state``, ``reason``), how it ended (``outcome``, ``score``) and how to find it again
(``sched_kind``/``sched_id`` and the workspace name). Attempts count runs that ended for the
user's reasons; infrastructure retries are counted apart and never as an attempt.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.timeutil import utcnow

STATES = ("draft", "staged", "waiting", "queued", "running", "succeeded", "failed",
          "cancelled")
_STATE_SQL = ",".join(f"'{s}'" for s in STATES)


class FarmJob(Base):
    __tablename__ = "farm_jobs"
    __table_args__ = (
        CheckConstraint(f"state IN ({_STATE_SQL})", name="state"),
        CheckConstraint("attempts >= 0 AND infra_retries >= 0", name="counts"),
        Index("ix_farm_jobs_state_user", "state", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    backend: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    resources: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    features: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(32), default=None)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    max_score: Mapped[float | None] = mapped_column(Float, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    infra_retries: Mapped[int] = mapped_column(Integer, default=0)
    workspace: Mapped[str] = mapped_column(String(128), default="")
    sched_kind: Mapped[str | None] = mapped_column(String(16), default=None)
    sched_id: Mapped[str | None] = mapped_column(String(64), default=None)
    lease_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    queue_features: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FarmJobEvent(Base):
    """One change of a job's state (or a note on it), in order."""

    __tablename__ = "farm_job_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("farm_jobs.id", ondelete="CASCADE"),
                                        index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text, default="")
