"""Writing and reading the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models.audit import AuditRecord


def record(session: Session, actor: str, action: str, target: str = "", *,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           request_id: str | None = None) -> None:
    session.add(AuditRecord(actor=actor, action=action, target=target, before=before,
                            after=after, request_id=request_id))


def entries(session: Session, *, since: datetime | None = None, actor: str | None = None,
            limit: int = 500) -> list[AuditRecord]:
    query = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
    if since is not None:
        query = query.where(AuditRecord.at >= since)
    if actor is not None:
        query = query.where(AuditRecord.actor == actor)
    return list(session.scalars(query))
