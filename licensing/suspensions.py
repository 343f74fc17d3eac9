"""Barring a user, or a whole organisation, from the pools.

A suspension takes effect at once: the running leases end (reason ``suspended``; their seats go
back to the booking they came from, or to the pool and the queue), the queue entries are
dropped (a grant's held seats go to the next in line), and the bookings not yet over are
cancelled (an active booking's held seats are released). Each person affected is told what
happened. Lifting a suspension restores none of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models.accounts import Organisation, User
from licensing import leases, queue, reservations, seats
from licensing.models import Reservation, Suspension
from licensing.notices import Notify

OPEN_BOOKINGS = ("pending", "approved", "active")


@dataclass(frozen=True)
class SuspensionResult:
    user: str
    suspended: bool
    reason: str
    leases_ended: int
    queue_entries_removed: int
    reservations_cancelled: tuple[int, ...] = ()


@dataclass(frozen=True)
class OrgSuspensionResult:
    org: str
    users: int
    leases_ended: int
    queue_entries_removed: int
    reservations_cancelled: tuple[int, ...]


def _cancel_bookings(session: Session, user: User, now: datetime, notify: Notify) -> list[int]:
    """Cancel the user's bookings that are not over (active ones release their seats)."""
    ids = list(session.scalars(select(Reservation.id).where(
        Reservation.user_id == user.id, Reservation.status.in_(OPEN_BOOKINGS),
        Reservation.ends_at > now).order_by(Reservation.id)))
    for reservation_id in ids:
        reservations.cancel(session, user, reservation_id, now, notify, as_admin=True)
    return ids


def _bar(session: Session, user: User, now: datetime, notify: Notify,
         why: dict[str, str]) -> tuple[int, int, list[int]]:
    ended = leases.end_user_leases(session, user.id, now, notify)
    removed = queue.remove_user(session, user.id, now, notify)
    cancelled = _cancel_bookings(session, user, now, notify)
    notify(user.id, "licensing.suspended", {**why, "leases_ended": ended,
                                            "queue_entries_removed": removed,
                                            "reservations_cancelled": cancelled})
    return ended, removed, cancelled


def suspend(session: Session, user: User, reason: str, now: datetime,
            notify: Notify) -> SuspensionResult:
    """Bar ``user`` from the pools and end what they hold (see the module's notes)."""
    seats.lock_all(session)  # pools first, in id order (see licensing.seats.lock_pools)
    row = session.get(Suspension, user.id)
    if row is None:
        session.add(Suspension(user_id=user.id, reason=reason[:300], since=now))
    else:
        row.reason = reason[:300]
    ended, removed, cancelled = _bar(session, user, now, notify, {"reason": reason})
    return SuspensionResult(user.login, True, reason, ended, removed, tuple(cancelled))


def unsuspend(session: Session, user: User) -> SuspensionResult:
    row = session.get(Suspension, user.id)
    if row is not None:
        session.delete(row)
    return SuspensionResult(user.login, False, "", 0, 0)


def suspend_org(session: Session, org: Organisation, now: datetime,
                notify: Notify) -> OrgSuspensionResult:
    """Mark ``org`` suspended and end what its people hold: leases, queue entries, bookings
    (also bookings made for the organisation by someone who has since left it)."""
    seats.lock_all(session)
    org.suspended = True
    members = list(session.scalars(select(User).where(User.org_id == org.id)
                                   .order_by(User.id)))
    ended = removed = 0
    cancelled: list[int] = []
    why = {"org": org.code}
    for user in members:
        e, r, c = _bar(session, user, now, notify, why)
        ended, removed = ended + e, removed + r
        cancelled += c
    for row in session.scalars(select(Reservation).where(
            Reservation.org_id == org.id, Reservation.status.in_(OPEN_BOOKINGS),
            Reservation.ends_at > now).order_by(Reservation.id)).all():
        booker = session.get(User, row.user_id)
        if booker is not None and row.id not in cancelled:
            reservations.cancel(session, booker, row.id, now, notify, as_admin=True)
            notify(booker.id, "reservation.cancelled", {**why, "reservation": row.id})
            cancelled.append(row.id)
    return OrgSuspensionResult(org.code, len(members), ended, removed, tuple(cancelled))
