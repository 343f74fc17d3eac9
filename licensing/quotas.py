"""Editing quotas (the checks themselves are in :mod:`licensing.policy`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import InvalidInput, NotFound
from licensing import policy
from licensing.catalogue import get_feature
from licensing.models import Quota


def set_quota(session: Session, scope: str, subject: str, *, feature: str | None = None,
              max_concurrent: int | None = None, seat_hours: float | None = None,
              period: str = "month", term_start: date | None = None,
              term_end: date | None = None, reserved_share: int = 0
              ) -> tuple[policy.QuotaInfo | None, policy.QuotaInfo]:
    """Create or replace the quota for (scope, subject, feature); returns (before, after)."""
    policy.validate_quota(scope, period, max_concurrent, seat_hours, reserved_share,
                          term_start, term_end)
    if not subject or len(subject) > 64:
        raise InvalidInput("a quota needs a subject (org code, org kind or course)")
    feature_id = get_feature(session, feature).id if feature else None
    row = session.scalar(select(Quota).where(
        Quota.scope == scope, Quota.subject == subject,
        Quota.feature_id.is_(None) if feature_id is None else Quota.feature_id == feature_id))
    before = policy.quota_info(session, row) if row is not None else None
    if row is None:
        row = Quota(scope=scope, subject=subject, feature_id=feature_id)
        session.add(row)
    row.max_concurrent, row.seat_hours, row.period = max_concurrent, seat_hours, period
    row.term_start, row.term_end, row.reserved_share = term_start, term_end, reserved_share
    session.flush()
    return before, policy.quota_info(session, row)


def delete_quota(session: Session, quota_id: int) -> policy.QuotaInfo:
    row = session.get(Quota, quota_id)
    if row is None:
        raise NotFound(f"no quota {quota_id}")
    info = policy.quota_info(session, row)
    session.delete(row)
    return info


def list_quotas(session: Session) -> list[policy.QuotaInfo]:
    return [policy.quota_info(session, q) for q in session.scalars(
        select(Quota).order_by(Quota.scope, Quota.subject, Quota.id))]
