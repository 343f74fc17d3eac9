"""Time: aware UTC inside, the centre's zone at the edges."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

CENTRE_ZONE = ZoneInfo("Asia/Seoul")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Return ``value`` as aware UTC. Naive values are taken to be UTC (SQLite stores naive)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_when(text: str, default_zone: ZoneInfo = CENTRE_ZONE) -> datetime:
    """Parse an ISO 8601 time; a time without an offset is in ``default_zone``."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=default_zone)
    return value.astimezone(UTC)
