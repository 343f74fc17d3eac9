"""Writing and reading the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.orm import Session

from core.models.audit import AuditRecord
from core.rawsql import RawStatement
from core.timeutil import utcnow

_INSERT = RawStatement(insert(cast(Table, AuditRecord.__table__)))


def record(session: Session | Connection, actor: str, action: str, target: str = "", *,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           request_id: str | None = None) -> None:
    """One audit row, written with one INSERT (no ORM unit of work at the commit): at once, or
    with the others of a transaction that gathers its writes (a group commit)."""
    _INSERT.execute_later(session, {"at": utcnow(), "actor": actor, "action": action,
                              "target": target, "before": before, "after": after,
                              "request_id": request_id})


def entries(session: Session, *, since: datetime | None = None, actor: str | None = None,
            limit: int = 500) -> list[AuditRecord]:
    query = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
    if since is not None:
        query = query.where(AuditRecord.at >= since)
    if actor is not None:
        query = query.where(AuditRecord.actor == actor)
    return list(session.scalars(query))
