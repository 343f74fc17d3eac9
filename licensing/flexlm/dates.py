"""FlexLM date forms: ``dd-mmm-yyyy`` with the permanent spellings, and lmstat's year-less start
times (``Fri 10/20 14:12``, in the licence server's local time)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo

MONTHS = {name: i for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
WEEKDAYS = {name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}

_DATE_RE = re.compile(r"^(\d{1,2})-([A-Za-z]{3})-(\d{1,4})$")
PERMANENT_WORDS = ("permanent", "permanent(no expiration date)")


def parse_flexlm_date(text: str) -> date | None:
    """``31-dec-2020`` -> date; ``permanent`` or any year 0 (``1-jan-0``, ``01-jan-0000``) -> None.

    Raises ValueError with a readable reason when the text is not a FlexLM date.
    """
    word = text.strip().lower()
    if word in PERMANENT_WORDS:
        return None
    m = _DATE_RE.match(word)
    if not m:
        raise ValueError(f"{text!r} is not a date (expected dd-mmm-yyyy or 'permanent')")
    day, mon, year = int(m.group(1)), m.group(2), int(m.group(3))
    if mon not in MONTHS:
        raise ValueError(f"{text!r} has an unknown month {m.group(2)!r}")
    if year == 0:
        return None
    if len(m.group(3)) != 4:
        raise ValueError(f"{text!r} has a year that is neither 0 nor four digits")
    try:
        return date(year, MONTHS[mon], day)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a calendar date ({exc})") from None


def resolve_start(weekday: str | None, month: int, day: int, hour: int, minute: int,
                  reference: datetime) -> datetime:
    """Give a year-less lmstat start time its year.

    ``reference`` is "now" in the licence server's local time (naive or aware, same zone as the
    start time). The start is never after the reference (one day of slack for clock skew). Of the
    two most recent such years the one whose weekday agrees is taken, else the most recent one
    (a seat held for more than a year is not worth guessing further back for).
    Returns a datetime with the reference's tzinfo.
    """
    limit = reference + timedelta(days=1)
    want = WEEKDAYS.get(weekday.lower()[:3]) if weekday else None
    fallback: datetime | None = None
    tried = 0
    for year in range(reference.year, reference.year - 8, -1):
        try:
            cand = datetime(year, month, day, hour, minute, tzinfo=reference.tzinfo)
        except ValueError:
            continue
        if cand > limit:
            continue
        if fallback is None:
            fallback = cand
        if want is None or cand.weekday() == want:
            return cand
        tried += 1
        if tried == 2:
            break
    if fallback is None:
        raise ValueError(f"no year makes {month}/{day} a valid date before {reference:%Y-%m-%d}")
    return fallback


def to_utc(local: datetime, zone: tzinfo) -> datetime:
    """A naive server-local datetime -> aware UTC."""
    return local.replace(tzinfo=zone).astimezone(UTC)
