"""The queue for a feature: FIFO within priority, positions visible, leave any time.

When seats free, :func:`grant_heads` gives them to the head of the queue as a hold for the pool's
grace period and notifies the user; the user claims it with an ordinary checkout. A grant that
is not claimed in time lapses and the next head gets the seats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput, LimitExceeded, NotFound
from core.models.accounts import User
from licensing import policy, seats
from licensing.catalogue import get_feature, usable_pools
from licensing.models import Feature, Hold, QueueEntry
from licensing.notices import Notify
from licensing.people import Person

ACTIVE = ("waiting", "granted")
MAX_PRIORITY = 100


@dataclass(frozen=True)
class QueueInfo:
    id: int
    feature: str
    user: str
    seats: int
    hours: float
    priority: int
    status: str
    position: int | None  # 1 = next; None once granted or finished
    joined_at: datetime
    granted_at: datetime | None
    hold_expires_at: datetime | None


def _ordered_waiting(session: Session, feature_id: int, *,
                     lock: bool = False) -> list[QueueEntry]:
    query = select(QueueEntry).where(
        QueueEntry.feature_id == feature_id, QueueEntry.status == "waiting").order_by(
        QueueEntry.priority.desc(), QueueEntry.joined_at, QueueEntry.id)
    return list(session.scalars(seats.for_update(query) if lock else query))


def entry_info(session: Session, entry: QueueEntry, position: int | None = None) -> QueueInfo:
    feature = session.get(Feature, entry.feature_id)
    user = session.get(User, entry.user_id)
    hold = session.get(Hold, entry.hold_id) if entry.hold_id else None
    if position is None and entry.status == "waiting":
        ahead = [e.id for e in _ordered_waiting(session, entry.feature_id)]
        position = ahead.index(entry.id) + 1 if entry.id in ahead else None
    return QueueInfo(entry.id, feature.name if feature else "?", user.login if user else "?",
                     entry.seats, entry.hours, entry.priority, entry.status, position,
                     entry.joined_at, entry.granted_at,
                     hold.expires_at if hold is not None and hold.released_at is None else None)


def join(session: Session, user: Person, feature_name: str, seats_wanted: int, hours: float,
         now: datetime, *, priority: int = 0) -> QueueInfo:
    if seats_wanted < 1:
        raise InvalidInput("ask for at least one seat", seats=seats_wanted)
    if not (math.isfinite(hours) and hours > 0):
        raise InvalidInput("the duration must be a positive number of hours", hours=hours)
    if not 0 <= priority <= MAX_PRIORITY:
        raise InvalidInput(f"priority must be 0 to {MAX_PRIORITY}")
    feature = get_feature(session, feature_name)
    policy.check_eligible(session, user, now)
    pools = usable_pools(session, feature, policy.centre_day(now))
    if not pools:
        raise NotFound(f"{feature_name} has no usable pool to queue for", feature=feature_name)
    if seats_wanted > max(p.max_seats_per_lease for p in pools):
        raise LimitExceeded(f"at most {max(p.max_seats_per_lease for p in pools)} seats per "
                            f"lease of {feature_name}")
    if hours > max(p.max_lease_hours for p in pools):
        raise LimitExceeded(f"at most {max(p.max_lease_hours for p in pools):g} h per lease of "
                            f"{feature_name}")
    if seats_wanted > max(p.seats for p in pools):
        raise LimitExceeded(f"{feature_name} has only {max(p.seats for p in pools)} seats")
    seats.lock_feature(session, feature.id)
    existing = session.scalar(select(QueueEntry).where(
        QueueEntry.feature_id == feature.id, QueueEntry.user_id == user.id,
        QueueEntry.status.in_(ACTIVE)))
    if existing is not None:
        raise Conflict(f"you are already in the queue for {feature_name}",
                       queue_id=existing.id)
    entry = QueueEntry(feature_id=feature.id, user_id=user.id, org_id=user.org_id,
                       seats=seats_wanted, hours=hours, priority=priority, status="waiting",
                       joined_at=now)
    session.add(entry)
    session.flush()
    return entry_info(session, entry)


def leave(session: Session, user: Person, feature_name: str, now: datetime,
          notify: Notify) -> QueueInfo:
    feature = get_feature(session, feature_name)
    seats.lock_feature(session, feature.id)
    entry = session.scalar(seats.for_update(select(QueueEntry).where(
        QueueEntry.feature_id == feature.id, QueueEntry.user_id == user.id,
        QueueEntry.status.in_(ACTIVE))))
    if entry is None:
        raise NotFound(f"you are not in the queue for {feature_name}", feature=feature_name)
    _finish(session, entry, "left", now)
    grant_heads(session, feature.id, now, notify)
    return entry_info(session, entry)


def remove_user(session: Session, user_id: int, now: datetime, notify: Notify) -> int:
    """Take a (suspended) user out of every queue; returns how many entries."""
    for fid in sorted(set(session.scalars(select(QueueEntry.feature_id).where(
            QueueEntry.user_id == user_id, QueueEntry.status.in_(ACTIVE))))):
        seats.lock_feature(session, fid)
    entries = session.scalars(seats.for_update(select(QueueEntry).where(
        QueueEntry.user_id == user_id, QueueEntry.status.in_(ACTIVE)))).all()
    for entry in entries:
        _finish(session, entry, "removed", now)
        grant_heads(session, entry.feature_id, now, notify)
    return len(entries)


def _finish(session: Session, entry: QueueEntry, status: str, now: datetime) -> None:
    if entry.status == "granted" and entry.hold_id:
        hold = session.scalar(seats.for_update(select(Hold).where(Hold.id == entry.hold_id)))
        if hold is not None and hold.released_at is None:
            release_hold(session, hold, now, status)
    entry.status = status
    entry.finished_at = now


def release_hold(session: Session, hold: Hold, now: datetime, reason: str) -> None:
    """Release what a hold still holds back to its pool."""
    seats.give_back(session, hold.pool_id, hold.seats)
    hold.seats = 0
    hold.released_at = now
    hold.release_reason = reason


def listing(session: Session, feature_name: str | None, *, user_id: int | None) -> list[
        QueueInfo]:
    """Active queue entries, in order (all of a feature's, or the caller's own everywhere)."""
    out: list[QueueInfo] = []
    if feature_name is not None:
        feature = get_feature(session, feature_name)
        granted = session.scalars(select(QueueEntry).where(
            QueueEntry.feature_id == feature.id, QueueEntry.status == "granted")
            .order_by(QueueEntry.granted_at)).all()
        out += [entry_info(session, e, None) for e in granted]
        out += [entry_info(session, e, i + 1)
                for i, e in enumerate(_ordered_waiting(session, feature.id))]
        return out
    mine = session.scalars(select(QueueEntry).where(
        QueueEntry.user_id == user_id, QueueEntry.status.in_(ACTIVE))
        .order_by(QueueEntry.joined_at)).all()
    return [entry_info(session, e) for e in mine]


def waiting_count(session: Session, feature_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(QueueEntry).where(
        QueueEntry.feature_id == feature_id, QueueEntry.status == "waiting")) or 0)


def grant_heads(session: Session, feature_id: int, now: datetime, notify: Notify) -> list[
        QueueInfo]:
    """Hand free seats to the heads of the queue, in order, until the head does not fit."""
    granted: list[QueueInfo] = []
    feature = session.get(Feature, feature_id)
    if feature is None:
        return granted
    seats.lock_feature(session, feature_id)
    for entry in _ordered_waiting(session, feature_id, lock=True):
        hold = _hold_for(session, feature, entry, now)
        if hold is None:
            break  # strict order: nobody jumps a head that does not fit yet
        entry.status = "granted"
        entry.granted_at = now
        entry.hold_id = hold.id
        info = entry_info(session, entry, None)
        notify(entry.user_id, "queue.granted", {
            "feature": feature.name, "seats": entry.seats, "queue_id": entry.id,
            "hold_until": hold.expires_at.isoformat()})
        granted.append(info)
    return granted


def _hold_for(session: Session, feature: Feature, entry: QueueEntry,
              now: datetime) -> Hold | None:
    user = session.get(User, entry.user_id)
    for pool in usable_pools(session, feature, policy.centre_day(now)):
        if entry.seats > pool.max_seats_per_lease:
            continue
        after = seats.take(session, pool.id, entry.seats)
        if after is None:
            continue
        grace = timedelta(minutes=pool.queue_grace_minutes)
        ahead = policy.peak_booked(session, pool.id, now, now + grace + timedelta(
            hours=entry.hours)) + policy.owed_to_bookings(session, pool.id)
        if user is not None:
            ahead += policy.shares_kept_for_others(session, pool, user.organisation, None)
        if after + ahead > pool.seats:
            seats.give_back(session, pool.id, entry.seats)
            continue
        hold = Hold(pool_id=pool.id, user_id=entry.user_id, kind="queue", seats=entry.seats,
                    reserved_seats=entry.seats, created_at=now, expires_at=now + grace)
        session.add(hold)
        session.flush()
        return hold
    return None


def lapse_grants(session: Session, now: datetime, notify: Notify) -> list[QueueInfo]:
    """Grants not claimed within their grace period lapse; the seats go to the next head."""
    lapsed: list[QueueInfo] = []
    seats.lock_all(session)
    rows = session.execute(seats.for_update(
        select(QueueEntry, Hold).join(Hold, Hold.id == QueueEntry.hold_id)
        .where(QueueEntry.status == "granted", Hold.released_at.is_(None),
               Hold.expires_at <= now))).all()
    features = set()
    for entry, hold in rows:
        release_hold(session, hold, now, "lapsed")
        entry.status = "lapsed"
        entry.finished_at = now
        features.add(entry.feature_id)
        feature = session.get(Feature, entry.feature_id)
        notify(entry.user_id, "queue.lapsed", {"feature": feature.name if feature else "?",
                                               "queue_id": entry.id})
        lapsed.append(entry_info(session, entry, None))
    for fid in sorted(features):
        grant_heads(session, fid, now, notify)
    return lapsed
