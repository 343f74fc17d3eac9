"""Licence pools in the database: servers, vendor daemons, features, pools, leases, holds, the
queue, reservations, quotas, suspensions and denials.

One number carries the no-oversubscription invariant: ``pools.in_use`` counts every seat that is
leased or held (reservation holds and queue grants). A check constraint keeps
``0 <= in_use <= seats``, and seats are taken only by the conditional
``UPDATE pools SET in_use = in_use + n WHERE id = ? AND in_use + n <= seats`` (see
:mod:`licensing.seats`). The lease and hold rows are the truth: :func:`licensing.seats.repair`
recomputes ``in_use`` from them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.timeutil import utcnow


class LicenceServer(Base):
    """A licence server: ``port@host``, or a redundant triad of three (FlexLM), or ``local``."""

    __tablename__ = "licence_servers"
    __table_args__ = (CheckConstraint("kind IN ('flexlm','rlm','local')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)  # "27020@a,27020@b,27020@c"
    kind: Mapped[str] = mapped_column(String(10), default="flexlm")
    hosts: Mapped[str] = mapped_column(String(300), default="")  # "a b c" (one or three)
    port: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VendorDaemon(Base):
    __tablename__ = "vendor_daemons"
    __table_args__ = (UniqueConstraint("server_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    server_id: Mapped[int] = mapped_column(ForeignKey("licence_servers.id", ondelete="CASCADE"),
                                           index=True)
    name: Mapped[str] = mapped_column(String(64))  # snpslmd, cdslmd, mgcld, saltd
    port: Mapped[int | None] = mapped_column(Integer, default=None)
    options_path: Mapped[str] = mapped_column(String(500), default="")

    server: Mapped[LicenceServer] = relationship(lazy="joined")


class Feature(Base):
    """A licensed feature (``VCSRuntime_Net``) or a local resource (``scalesim-slot``)."""

    __tablename__ = "features"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    daemon_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendor_daemons.id", ondelete="SET NULL"), default=None, index=True)

    daemon: Mapped[VendorDaemon | None] = relationship(lazy="joined")


class Pool(Base):
    """Seats of one feature with one version, expiry and vendor string."""

    __tablename__ = "pools"
    __table_args__ = (
        CheckConstraint("seats >= 0", name="seats_nonneg"),
        CheckConstraint("in_use >= 0 AND in_use <= seats", name="in_use_bounds"),
        CheckConstraint("kind IN ('floating','nodelocked','local')", name="kind"),
        CheckConstraint("max_seats_per_lease >= 1", name="max_per_lease"),
        CheckConstraint("max_lease_hours > 0", name="max_hours"),
        CheckConstraint("borrow_hours >= 0", name="borrow_hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feature_id: Mapped[int] = mapped_column(ForeignKey("features.id", ondelete="CASCADE"),
                                            index=True)
    version: Mapped[str] = mapped_column(String(64), default="")
    expiry: Mapped[date | None] = mapped_column(Date, default=None)
    seats: Mapped[int] = mapped_column(Integer)
    in_use: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(12), default="floating")
    vendor_string: Mapped[str] = mapped_column(String(300), default="")
    dup_group: Mapped[str] = mapped_column(String(32), default="")
    hostid: Mapped[str] = mapped_column(String(200), default="")
    borrow_hours: Mapped[int] = mapped_column(Integer, default=0)
    max_seats_per_lease: Mapped[int] = mapped_column(Integer, default=4)
    max_lease_hours: Mapped[float] = mapped_column(Float, default=12.0)
    lease_ttl_minutes: Mapped[int] = mapped_column(Integer, default=15)
    queue_grace_minutes: Mapped[int] = mapped_column(Integer, default=10)
    no_show_minutes: Mapped[int] = mapped_column(Integer, default=15)
    approval_required: Mapped[bool] = mapped_column(default=False)
    suspended: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(300), default="")  # licence file, or "local"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    feature: Mapped[Feature] = relationship(lazy="joined")


class Lease(Base):
    """Seats checked out by one user. Active while ``ended_at`` is null."""

    __tablename__ = "leases"
    __table_args__ = (
        CheckConstraint("seats >= 1", name="seats_pos"),
        CheckConstraint("kind IN ('lease','borrow')", name="kind"),
        Index("ix_leases_active", "pool_id", "ended_at"),
        Index("ix_leases_expiry", "ended_at", "expires_at"),
        Index("ix_leases_started", "started_at"),
        Index("ix_leases_hold", "hold_id", sqlite_where=text("hold_id IS NOT NULL"),
              postgresql_where=text("hold_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                        index=True)
    course: Mapped[str | None] = mapped_column(String(64), default=None)
    seats: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10), default="lease")
    host: Mapped[str] = mapped_column(String(200), default="")
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("holds.id", ondelete="SET NULL"),
                                                default=None)
    started_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ends_by: Mapped[datetime]  # the longest the lease may be renewed to
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    end_reason: Mapped[str | None] = mapped_column(String(20), default=None)


class Hold(Base):
    """Seats held for someone: a reservation in its window, or a queue grant in its grace."""

    __tablename__ = "holds"
    __table_args__ = (
        CheckConstraint("seats >= 0", name="seats_nonneg"),
        CheckConstraint("kind IN ('reservation','queue')", name="kind"),
        Index("ix_holds_active", "pool_id", "released_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    seats: Mapped[int] = mapped_column(Integer)  # held now, not yet claimed by a lease
    reserved_seats: Mapped[int] = mapped_column(Integer)  # as granted
    claimed: Mapped[int] = mapped_column(Integer, default=0)  # seats ever claimed
    reservation_id: Mapped[int | None] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), default=None, index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]  # queue: grace end; reservation: window end
    no_show_at: Mapped[datetime | None] = mapped_column(default=None)
    released_at: Mapped[datetime | None] = mapped_column(default=None)
    release_reason: Mapped[str | None] = mapped_column(String(20), default=None)


class QueueEntry(Base):
    """A request for seats of a feature, waiting its turn (FIFO within priority)."""

    __tablename__ = "queue_entries"
    __table_args__ = (
        CheckConstraint("seats >= 1", name="seats_pos"),
        CheckConstraint("status IN ('waiting','granted','claimed','left','lapsed','removed')",
                        name="status"),
        Index("ix_queue_waiting", "feature_id", "status", "priority", "joined_at"),
        Index("ix_queue_granted", "granted_at", sqlite_where=text("granted_at IS NOT NULL"),
              postgresql_where=text("granted_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feature_id: Mapped[int] = mapped_column(ForeignKey("features.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    seats: Mapped[int] = mapped_column(Integer)
    hours: Mapped[float] = mapped_column(Float, default=1.0)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    joined_at: Mapped[datetime]
    granted_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("holds.id", ondelete="SET NULL"),
                                                default=None)


class Reservation(Base):
    """Seats booked for a time window; one row per occurrence of a weekly series."""

    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint("seats >= 1", name="seats_pos"),
        CheckConstraint("ends_at > starts_at", name="window"),
        CheckConstraint("status IN ('pending','approved','active','done','cancelled',"
                        "'rejected','no_show')", name="status"),
        Index("ix_reservations_window", "feature_id", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feature_id: Mapped[int] = mapped_column(ForeignKey("features.id", ondelete="CASCADE"))
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    course: Mapped[str | None] = mapped_column(String(64), default=None)
    series: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    seats: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default="approved")
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime]


class Quota(Base):
    """A limit for an organisation, every organisation of a kind, or a course."""

    __tablename__ = "quotas"
    __table_args__ = (
        CheckConstraint("scope IN ('org','org_kind','course')", name="scope"),
        CheckConstraint("period IN ('month','term','none')", name="period"),
        CheckConstraint("max_concurrent IS NULL OR max_concurrent >= 0", name="concurrent"),
        CheckConstraint("seat_hours IS NULL OR seat_hours >= 0", name="seat_hours"),
        CheckConstraint("reserved_share >= 0", name="share"),
        UniqueConstraint("scope", "subject", "feature_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(64))  # org code, org kind or course code
    feature_id: Mapped[int | None] = mapped_column(
        ForeignKey("features.id", ondelete="CASCADE"), default=None)
    max_concurrent: Mapped[int | None] = mapped_column(Integer, default=None)
    seat_hours: Mapped[float | None] = mapped_column(Float, default=None)
    period: Mapped[str] = mapped_column(String(6), default="month")
    term_start: Mapped[date | None] = mapped_column(Date, default=None)
    term_end: Mapped[date | None] = mapped_column(Date, default=None)
    reserved_share: Mapped[int] = mapped_column(Integer, default=0)  # seats kept for subject


class Suspension(Base):
    """A user barred from the pools (the account itself stays usable)."""

    __tablename__ = "licence_suspensions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    reason: Mapped[str] = mapped_column(String(300), default="")
    since: Mapped[datetime]


class Denial(Base):
    """A refused checkout, kept for the usage report."""

    __tablename__ = "licence_denials"
    __table_args__ = (Index("ix_denials_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    feature: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                default=None)
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), default=None)
    course: Mapped[str | None] = mapped_column(String(64), default=None)
    seats: Mapped[int] = mapped_column(Integer, default=1)
    reason: Mapped[str] = mapped_column(String(32))  # full, quota, ineligible, …


# -- the usage rollup (see :mod:`licensing.usage`) ---------------------------------------------

class UsageRollup(Base):
    """One row: how far the usage rollup reaches. Days (of ``offset_seconds`` from UTC
    midnight, the centre's day) before ``folded_until`` are final in the rollup tables."""

    __tablename__ = "licence_usage_rollup"

    id: Mapped[int] = mapped_column(primary_key=True)
    folded_until: Mapped[int | None] = mapped_column(Integer, default=None)  # day number
    offset_seconds: Mapped[int] = mapped_column(Integer, default=0)
    longest_lease_us: Mapped[int] = mapped_column(BigInteger, default=0)  # of leases ended before
    updated_at: Mapped[datetime | None] = mapped_column(default=None)


class UsageDay(Base):
    """Lease time within one day per pool, organisation, user and course: seat-microseconds,
    and the leases that started that day."""

    __tablename__ = "licence_usage_days"
    __table_args__ = (Index("ix_licence_usage_days_day", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[int] = mapped_column(Integer)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course: Mapped[str | None] = mapped_column(String(64), default=None)
    seat_us: Mapped[int] = mapped_column(BigInteger, default=0)
    started: Mapped[int] = mapped_column(Integer, default=0)


class UsagePeak(Base):
    """Most seats leased at once from a pool within one day."""

    __tablename__ = "licence_usage_peaks"
    __table_args__ = (Index("ix_licence_usage_peaks_day", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[int] = mapped_column(Integer)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"))
    peak: Mapped[int] = mapped_column(Integer)


class DenialDay(Base):
    """Refused checkouts within one day, counted per feature, who and why."""

    __tablename__ = "licence_denial_days"
    __table_args__ = (Index("ix_licence_denial_days_day", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[int] = mapped_column(Integer)
    feature: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                default=None)
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), default=None)
    course: Mapped[str | None] = mapped_column(String(64), default=None)
    reason: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer)
