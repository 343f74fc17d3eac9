"""Barring a user from the pools (their leases end and they leave every queue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core.models.accounts import User
from licensing import leases, queue
from licensing.models import Suspension
from licensing.notices import Notify


@dataclass(frozen=True)
class SuspensionResult:
    user: str
    suspended: bool
    reason: str
    leases_ended: int
    queue_entries_removed: int


def suspend(session: Session, user: User, reason: str, now: datetime,
            notify: Notify) -> SuspensionResult:
    row = session.get(Suspension, user.id)
    if row is None:
        session.add(Suspension(user_id=user.id, reason=reason[:300], since=now))
    else:
        row.reason = reason[:300]
    ended = leases.end_user_leases(session, user.id, now, notify)
    removed = queue.remove_user(session, user.id, now, notify)
    notify(user.id, "licensing.suspended", {"reason": reason})
    return SuspensionResult(user.login, True, reason, ended, removed)


def unsuspend(session: Session, user: User) -> SuspensionResult:
    row = session.get(Suspension, user.id)
    if row is not None:
        session.delete(row)
    return SuspensionResult(user.login, False, "", 0, 0)
