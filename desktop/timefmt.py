"""Showing times, durations and names the way the reader expects (the centre's zone, their
language)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QLocale

CENTRE_ZONE = ZoneInfo("Asia/Seoul")


def korean() -> bool:
    return QLocale().language() == QLocale.Language.Korean


def to_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CENTRE_ZONE)


def local_text(moment: datetime | date | None) -> str:
    """``2026-11-22 14:00`` in the centre's zone (dates as they are)."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return to_local(moment).strftime("%Y-%m-%d %H:%M")
    return moment.isoformat()


def duration_text(span: timedelta) -> str:
    """``2 h 05 min`` / ``2시간 05분``; negative spans read as 0."""
    minutes = max(0, int(span.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours:
        return QCoreApplication.translate("Time", "{hours} h {minutes:02d} min").format(
            hours=hours, minutes=minutes)
    return QCoreApplication.translate("Time", "{minutes} min").format(minutes=minutes)


def display_name(login: str, name_en: str, name_ko: str) -> str:
    """The person's name in the reader's language, falling back to the other, then the login."""
    if korean():
        return name_ko or name_en or login
    return name_en or name_ko or login
