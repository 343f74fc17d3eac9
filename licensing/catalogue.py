"""Servers, vendor daemons, features and pools: adding, editing, listing and availability."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput, NotFound
from licensing import policy
from licensing.models import Feature, Lease, LicenceServer, Pool, QueueEntry, Reservation

FEATURE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+\-:]{0,127}$")
POOL_KINDS = ("floating", "nodelocked", "local")
#: Pool fields an admin may edit, with their checks.
EDITABLE = ("seats", "max_seats_per_lease", "max_lease_hours", "lease_ttl_minutes",
            "queue_grace_minutes", "no_show_minutes", "borrow_hours", "approval_required",
            "suspended", "expiry")
MAX_LEASE_HOURS_LIMIT = 24.0 * 31
LOCAL_SERVER = "local"


@dataclass(frozen=True)
class PoolInfo:
    id: int
    feature: str
    label: str
    vendor: str | None
    server: str | None
    version: str
    expiry: date | None
    kind: str
    seats: int
    in_use: int
    vendor_string: str
    borrow_hours: int
    max_seats_per_lease: int
    max_lease_hours: float
    lease_ttl_minutes: int
    queue_grace_minutes: int
    no_show_minutes: int
    approval_required: bool
    suspended: bool


@dataclass(frozen=True)
class UpcomingBooking:
    starts_at: datetime
    ends_at: datetime
    seats: int
    note: str
    course: str | None


@dataclass(frozen=True)
class Availability:
    """What a user sees for one feature (all its usable pools together)."""

    feature: str
    label: str
    vendor: str | None
    kind: str
    seats: int
    free: int  # could be checked out now for the shortest lease
    leased: int
    reserved: int  # held now for reservations in their window
    granted: int  # held now for queue heads in their grace period
    queued: int  # seats asked for by waiting queue entries
    queue_length: int
    mine: int  # seats the caller holds (leases)
    my_queue_position: int | None
    next_booking: UpcomingBooking | None
    expiry: date | None
    suspended: bool


def pool_info(pool: Pool) -> PoolInfo:
    daemon = pool.feature.daemon
    return PoolInfo(pool.id, pool.feature.name, pool.feature.label,
                    daemon.name if daemon else None, daemon.server.name if daemon else None,
                    pool.version, pool.expiry, pool.kind, pool.seats, pool.in_use,
                    pool.vendor_string, pool.borrow_hours, pool.max_seats_per_lease,
                    pool.max_lease_hours, pool.lease_ttl_minutes, pool.queue_grace_minutes,
                    pool.no_show_minutes, pool.approval_required, pool.suspended)


def get_feature(session: Session, name: str) -> Feature:
    feature = session.scalar(select(Feature).where(Feature.name == name))
    if feature is None:
        raise NotFound(f"no licence feature {name!r}", feature=name)
    return feature


def get_pool(session: Session, pool_id: int) -> Pool:
    pool = session.get(Pool, pool_id)
    if pool is None:
        raise NotFound(f"no pool {pool_id}", pool=pool_id)
    return pool


def usable_pools(session: Session, feature: Feature, today: date) -> list[Pool]:
    """Pools of ``feature`` that can lend seats today: not suspended, not expired. The one
    that expires first is used first (permanent pools last)."""
    pools = session.scalars(select(Pool).where(
        Pool.feature_id == feature.id, Pool.suspended.is_(False), Pool.seats > 0)).all()
    alive = [p for p in pools if p.expiry is None or p.expiry >= today]
    return sorted(alive, key=lambda p: (p.expiry is None, p.expiry or date.max, p.id))


def local_server(session: Session) -> LicenceServer:
    server = session.scalar(select(LicenceServer).where(LicenceServer.name == LOCAL_SERVER))
    if server is None:
        server = LicenceServer(name=LOCAL_SERVER, kind="local", hosts="")
        session.add(server)
        session.flush()
    return server


def validate_feature_name(name: str) -> None:
    if not FEATURE_RE.match(name):
        raise InvalidInput(f"feature name {name!r} must be letters, digits and _ . + - :")


def add_local_pool(session: Session, feature: str, seats: int, *, label: str = "",
                   max_seats_per_lease: int = 1, max_lease_hours: float = 12.0,
                   lease_ttl_minutes: int = 15) -> Pool:
    """A pool for a resource no licence server counts (simulator slots, GPU shares)."""
    validate_feature_name(feature)
    if seats < 1:
        raise InvalidInput("a pool needs at least one seat", seats=seats)
    existing = session.scalar(select(Feature).where(Feature.name == feature))
    if existing is not None:
        raise Conflict(f"feature {feature!r} already exists", feature=feature)
    row = Feature(name=feature, label=label or feature, daemon_id=None)
    session.add(row)
    session.flush()
    pool = Pool(feature_id=row.id, seats=seats, in_use=0, kind="local", source="local",
                max_seats_per_lease=max_seats_per_lease, max_lease_hours=max_lease_hours,
                lease_ttl_minutes=lease_ttl_minutes, version="", vendor_string="",
                queue_grace_minutes=10, no_show_minutes=15, borrow_hours=0,
                approval_required=False, suspended=False)
    _check_pool_values(pool)
    session.add(pool)
    session.flush()
    return pool


def _check_pool_values(pool: Pool) -> None:
    if pool.seats < 0:
        raise InvalidInput("seats cannot be negative", seats=pool.seats)
    if pool.max_seats_per_lease < 1:
        raise InvalidInput("the per-lease maximum must be at least 1")
    if not 0 < pool.max_lease_hours <= MAX_LEASE_HOURS_LIMIT:
        raise InvalidInput(f"the longest lease must be between 0 and {MAX_LEASE_HOURS_LIMIT:g} h")
    if not 1 <= pool.lease_ttl_minutes <= 24 * 60:
        raise InvalidInput("the lease TTL must be 1 to 1440 minutes")
    if not 0 <= pool.queue_grace_minutes <= 24 * 60 or not 0 <= pool.no_show_minutes <= 24 * 60:
        raise InvalidInput("grace periods must be 0 to 1440 minutes")
    if pool.borrow_hours < 0:
        raise InvalidInput("borrow hours cannot be negative")


def update_pool(session: Session, pool_id: int, changes: Mapping[str, object]) -> tuple[
        PoolInfo, PoolInfo]:
    """Edit a pool; returns (before, after). Seats can go down only to what is in use."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(f"cannot edit {', '.join(unknown)}; editable: {', '.join(EDITABLE)}")
    pool = get_pool(session, pool_id)
    session.refresh(pool)
    before = pool_info(pool)
    for key, value in changes.items():
        setattr(pool, key, value)
    _check_pool_values(pool)
    if pool.seats < pool.in_use:
        raise Conflict(f"pool {pool_id} has {pool.in_use} seats in use; cannot cut to "
                       f"{pool.seats} (release leases first)", in_use=pool.in_use)
    session.flush()
    return before, pool_info(pool)


def list_pools(session: Session) -> list[PoolInfo]:
    pools = session.scalars(select(Pool).join(Feature).order_by(Feature.name, Pool.id))
    return [pool_info(p) for p in pools]


def availability(session: Session, now: datetime, *, user_id: int | None = None,
                 feature: str | None = None) -> list[Availability]:
    """Availability of every feature (or one), as seen by ``user_id``."""
    today = policy.centre_day(now)
    query = select(Feature).order_by(Feature.name)
    if feature is not None:
        query = query.where(Feature.name == feature)
    out = []
    for feat in session.scalars(query):
        pools = session.scalars(select(Pool).where(Pool.feature_id == feat.id)
                                .order_by(Pool.id)).all()
        if not pools:
            continue
        usable = [p for p in pools if not p.suspended and (p.expiry is None or p.expiry >= today)]
        seats = sum(p.seats for p in usable)
        in_use = reserved = granted = 0
        free = 0
        for p in usable:
            session.refresh(p)
            r, g = policy.held_for(session, p.id)
            reserved += r
            granted += g
            in_use += p.in_use
            ahead = policy.peak_booked(session, p.id, now, now + _minutes(p.lease_ttl_minutes))
            free += max(0, p.seats - p.in_use - ahead)
        pool_ids = [p.id for p in pools]
        leased = int(session.scalar(select(func.coalesce(func.sum(Lease.seats), 0)).where(
            Lease.pool_id.in_(pool_ids), Lease.ended_at.is_(None))) or 0)
        mine = 0
        if user_id is not None:
            mine = int(session.scalar(select(func.coalesce(func.sum(Lease.seats), 0)).where(
                Lease.pool_id.in_(pool_ids), Lease.ended_at.is_(None),
                Lease.user_id == user_id)) or 0)
        waiting = session.execute(select(QueueEntry.id, QueueEntry.user_id, QueueEntry.seats)
                                  .where(QueueEntry.feature_id == feat.id,
                                         QueueEntry.status == "waiting")
                                  .order_by(QueueEntry.priority.desc(), QueueEntry.joined_at,
                                            QueueEntry.id)).all()
        position = next((i + 1 for i, (_e, uid, _s) in enumerate(waiting) if uid == user_id),
                        None)
        if waiting:
            free = 0  # the queue goes first
        nxt = session.scalar(select(Reservation).where(
            Reservation.feature_id == feat.id, Reservation.status.in_(("approved", "active")),
            Reservation.ends_at > now).order_by(Reservation.starts_at).limit(1))
        booking = (UpcomingBooking(nxt.starts_at, nxt.ends_at, nxt.seats, nxt.note, nxt.course)
                   if nxt is not None else None)
        expiries = [p.expiry for p in usable if p.expiry is not None]
        out.append(Availability(
            feature=feat.name, label=feat.label or feat.name,
            vendor=feat.daemon.name if feat.daemon else None, kind=pools[0].kind, seats=seats,
            free=free, leased=leased, reserved=reserved, granted=granted,
            queued=sum(s for _e, _u, s in waiting), queue_length=len(waiting), mine=mine,
            my_queue_position=position, next_booking=booking,
            expiry=min(expiries) if expiries else None, suspended=not usable))
    return out


def _minutes(n: int) -> timedelta:
    return timedelta(minutes=n)
