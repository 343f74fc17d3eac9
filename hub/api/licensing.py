"""Hub methods for licence pools: availability, leases, queue, reservations, quotas, FlexLM.

Each method states its roles; the domain work is in :mod:`licensing`. Refused checkouts are
recorded as denials for the usage report in their own small transaction after the call's
transaction rolls back (the refusal itself must not change state).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session, sessionmaker

from core import claims
from core.accounts import get_user
from core.db import transaction
from core.errors import (
    ChipError,
    Forbidden,
    LimitExceeded,
    NotEligible,
    ParseError,
    QuotaExceeded,
    SeatsUnavailable,
)
from core.models.accounts import Organisation
from hub.context import CallContext
from hub.registry import ADMIN, ANY_USER, STAFF, rpc
from licensing import (
    catalogue,
    interop,
    leases,
    quotas,
    reservations,
    suspensions,
    tokens,
    usage,
)
from licensing import queue as lqueue
from licensing.catalogue import Availability, PoolInfo
from licensing.flexlm.licfile import parse_license_file
from licensing.interop import ImportResult
from licensing.leases import LeaseInfo
from licensing.models import Feature, Pool
from licensing.people import Person
from licensing.policy import QuotaInfo, QuotaUse, check_eligible, quota_uses
from licensing.queue import QueueInfo
from licensing.reconcile import ReconcileReport
from licensing.reservations import BookingPreview, ReservationInfo
from licensing.suspensions import SuspensionResult
from licensing.usage import UsageReport

log = logging.getLogger(__name__)

SEAT_USERS = frozenset({"engineer", "student", "instructor"})
BOOKERS = SEAT_USERS
DENIAL_REASONS: dict[type[ChipError], str] = {
    QuotaExceeded: "quota", NotEligible: "ineligible", LimitExceeded: "limit",
}


def _plain(info: Any) -> dict[str, Any]:
    out = asdict(info)
    return {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in out.items()
            if k != "token"}


@dataclass(frozen=True)
class Caller:
    """The acting user as :class:`licensing.people.Person` (the call path already checked that
    the account is enabled)."""

    id: int
    login: str
    org_id: int
    organisation: Organisation
    roles: frozenset[str]
    disabled: bool = False


class LicensingApi:
    """Licence-pool methods."""

    sessions: sessionmaker[Session]
    settings: dict[str, Any]

    # -- helpers -----------------------------------------------------------------------------

    def _user(self, ctx: CallContext) -> Person:
        """The caller for the domain functions, without loading the ORM user again."""
        org = ctx.session.get(Organisation, ctx.actor.org_id)
        if org is None:
            return get_user(ctx.session, ctx.actor.login)
        a = ctx.actor
        return Caller(a.user_id, a.login, a.org_id, org, a.roles)

    def _key_file(self) -> Path | None:
        home = self.settings.get("home")
        return tokens.key_path(Path(home)) if home else None

    def _signing_key(self) -> Ed25519PrivateKey | None:
        """The centre's lease-signing key, read once per Hub (created on first use)."""
        cached = self.__dict__.get("_lease_signing_key")
        if cached is None:
            path = self._key_file()
            if path is None:
                return None
            cached = self.__dict__["_lease_signing_key"] = claims.ensure_keypair(path)
        return cached  # type: ignore[no-any-return]

    def _with_token(self, ctx: CallContext, info: LeaseInfo) -> LeaseInfo:
        key = self._signing_key()
        if key is None:
            return info
        token = tokens.issue(key, lease_id=info.id, user=info.user, feature=info.feature,
                             seats=info.seats, now=ctx.now, expires_at=info.expires_at,
                             centre=str(self.settings.get("centre_name", "")))
        return replace(info, token=token)

    def _deny_later(self, ctx: CallContext, feature: str, reason: str, seats: int,
                    course: str | None) -> None:
        """Record a denial once this call's transaction has rolled back."""
        sessions, actor, now = self.sessions, ctx.actor, ctx.now

        def write(_session: Session) -> None:
            try:
                with transaction(sessions) as session:
                    leases.record_denial(session, now, feature, reason, user_id=actor.user_id,
                                         org_id=actor.org_id, course=course, n=seats)
            except ChipError:
                log.warning("could not record a denial for %s", actor.login)

        event.listen(ctx.session, "after_rollback", write, once=True)

    # -- everyone -----------------------------------------------------------------------------

    @rpc("licensing.pools", roles=ANY_USER)
    def licensing_pools(self, ctx: CallContext, feature: str | None = None) -> list[Availability]:
        """Every feature's availability: free, in use, reserved, queued, and the caller's."""
        return catalogue.availability(ctx.session, ctx.now, user_id=ctx.actor.user_id,
                                      feature=feature)

    @rpc("licensing.public_key", roles=ANY_USER)
    def licensing_public_key(self, ctx: CallContext) -> str:
        """The centre's lease-token public key (PEM), for farm runners."""
        path = self._key_file()
        if path is None:
            raise ChipError("this centre has no signing key (no centre home)")
        claims.ensure_keypair(path)
        return claims.public_path(path).read_text()

    @rpc("quotas.mine", roles=ANY_USER)
    def quotas_mine(self, ctx: CallContext, feature: str | None = None,
                    course: str | None = None) -> list[QuotaUse]:
        """The quotas that apply to the caller's organisation (and course), with usage."""
        user = self._user(ctx)
        fid = catalogue.get_feature(ctx.session, feature).id if feature else None
        return quota_uses(ctx.session, user.organisation, course, fid, ctx.now)

    @rpc("quotas.standing", roles=ANY_USER)
    def quotas_standing(self, ctx: CallContext, feature: str | None = None,
                        course: str | None = None) -> Standing:
        """May the caller use the pools now (their organisation's eligibility window and
        suspension, their own suspension), and the quotas that apply, with usage — what the
        check-out, queue and booking dialogs show before anyone commits."""
        user = self._user(ctx)
        org = user.organisation
        fid = catalogue.get_feature(ctx.session, feature).id if feature else None
        reason: str | None = None
        message = ""
        try:
            check_eligible(ctx.session, user, ctx.now)
        except NotEligible as exc:
            reason, message = str(exc.data.get("reason") or "ineligible"), exc.message
        return Standing(ctx.actor.login, org.code, org.name_en, org.name_ko, reason is None,
                        reason, message, org.eligible_from, org.eligible_until,
                        tuple(quota_uses(ctx.session, org, course, fid, ctx.now)))

    # -- leases -------------------------------------------------------------------------------

    @rpc("leases.checkout", roles=SEAT_USERS, write=True, on_connection=True)
    def leases_checkout(self, ctx: CallContext, feature: str, seats: int = 1, hours: float = 1.0,
                        host: str = "", course: str | None = None,
                        borrow: bool = False) -> LeaseInfo:
        """Check out seats; the answer carries a signed lease token for the farm."""
        a = ctx.actor
        try:
            quick = None if borrow else leases.quick_checkout(
                _where(ctx), leases.Who(a.user_id, a.login, a.org_id), feature, seats, hours,
                ctx.now, host=host, course=course)
            info = quick or leases.checkout(ctx.session, self._user(ctx), feature, seats, hours,
                                            ctx.now, host=host, course=course, borrow=borrow,
                                            notify=ctx.notify, quick=False)
        except SeatsUnavailable as exc:
            self._deny_later(ctx, feature, str(exc.data.get("reason", "full")), seats, course)
            raise
        except (QuotaExceeded, NotEligible, LimitExceeded) as exc:
            self._deny_later(ctx, feature, DENIAL_REASONS[type(exc)], seats, course)
            raise
        leases.audit(_where(ctx), a.login, "lease.checkout", info, ctx.request_id)
        return self._with_token(ctx, info)

    @rpc("leases.return", roles=SEAT_USERS, write=True, on_connection=True)
    def leases_return(self, ctx: CallContext, lease_id: int) -> LeaseInfo:
        a = ctx.actor
        info = leases.quick_return(_where(ctx), leases.Who(a.user_id, a.login, a.org_id),
                                   lease_id, ctx.now, notify=ctx.notify,
                                   orm=lambda: ctx.session) or leases.return_lease(
            ctx.session, self._user(ctx), lease_id, ctx.now, notify=ctx.notify)
        leases.audit(_where(ctx), a.login, "lease.return", info, ctx.request_id)
        return info

    @rpc("leases.renew", roles=SEAT_USERS, write=True, on_connection=True)
    def leases_renew(self, ctx: CallContext, lease_id: int,
                     hours: float | None = None) -> LeaseInfo:
        """Heartbeat (and optionally a new end); returns a fresh token."""
        a = ctx.actor
        quick = None if hours is not None else leases.quick_renew(
            _where(ctx), leases.Who(a.user_id, a.login, a.org_id), lease_id, ctx.now)
        info = quick or leases.renew(ctx.session, self._user(ctx), lease_id, ctx.now,
                                     hours=hours)
        if hours is not None:
            ctx.audit("lease.extend", f"lease:{lease_id}", after=_plain(info))
        return self._with_token(ctx, info)

    @rpc("leases.list", roles=ANY_USER)
    def leases_list(self, ctx: CallContext, everyone: bool = False,
                    include_ended: bool = False, limit: int = 200) -> list[LeaseInfo]:
        """The caller's leases (``everyone`` for admins and instructors)."""
        if everyone and not ctx.actor.has("admin", "instructor"):
            raise Forbidden("only admins and instructors see everyone's leases")
        return leases.list_leases(ctx.session, user_id=None if everyone else ctx.actor.user_id,
                                  active_only=not include_ended, limit=max(1, min(limit, 5000)))

    @rpc("leases.force_release", roles=ADMIN, write=True)
    def leases_force_release(self, ctx: CallContext, lease_id: int,
                             reason: str = "") -> LeaseInfo:
        before = _plain(leases.lease_info(ctx.session, leases.get_lease(ctx.session, lease_id)))
        info = leases.force_release(ctx.session, lease_id, ctx.now, notify=ctx.notify)
        ctx.audit("lease.force_release", f"lease:{lease_id}", before=before,
                  after={**_plain(info), "why": reason[:300]})
        return info

    # -- queue --------------------------------------------------------------------------------

    @rpc("queue.join", roles=SEAT_USERS, write=True)
    def queue_join(self, ctx: CallContext, feature: str, seats: int = 1, hours: float = 1.0,
                   priority: int = 0) -> QueueInfo:
        """Join the queue for a feature; the answer shows your position. Instructors may give
        a priority (FIFO within priority; higher first)."""
        if priority and not ctx.actor.has("instructor", "admin"):
            raise Forbidden("only instructors set a queue priority")
        info = lqueue.join(ctx.session, self._user(ctx), feature, seats, hours, ctx.now,
                           priority=priority)
        lqueue.grant_heads(ctx.session, catalogue.get_feature(ctx.session, feature).id, ctx.now,
                           ctx.notify)
        ctx.audit("queue.join", feature, after=_plain(info))
        return lqueue.entry_info(ctx.session, _entry(ctx, info.id))

    @rpc("queue.leave", roles=SEAT_USERS, write=True)
    def queue_leave(self, ctx: CallContext, feature: str) -> QueueInfo:
        info = lqueue.leave(ctx.session, self._user(ctx), feature, ctx.now, ctx.notify)
        ctx.audit("queue.leave", feature, after=_plain(info))
        return info

    @rpc("queue.list", roles=ANY_USER)
    def queue_list(self, ctx: CallContext, feature: str | None = None) -> list[QueueInfo]:
        """The queue of one feature in order (others' names shown to staff only), or, without
        a feature, the caller's own entries."""
        rows = lqueue.listing(ctx.session, feature, user_id=ctx.actor.user_id)
        if feature is None or ctx.actor.has("admin", "instructor"):
            return rows
        return [r if r.user == ctx.actor.login else QueueInfo(**{**asdict(r), "user": ""})
                for r in rows]

    # -- reservations -------------------------------------------------------------------------

    @rpc("reservations.preview", roles=BOOKERS)
    def reservations_preview(self, ctx: CallContext, feature: str, starts: datetime,
                             ends: datetime, seats: int = 1, weeks: int = 1,
                             course: str | None = None) -> BookingPreview:
        """What a booking would use (quota, conflicts, approval) before it is made."""
        return reservations.preview(ctx.session, self._user(ctx), feature, starts, ends, seats,
                                    ctx.now, weeks=weeks, course=course)

    @rpc("reservations.create", roles=BOOKERS, write=True)
    def reservations_create(self, ctx: CallContext, feature: str, starts: datetime,
                            ends: datetime, seats: int = 1, weeks: int = 1,
                            course: str | None = None, note: str = "") -> list[ReservationInfo]:
        """Book seats for a window, once or weekly (instructors' lab sessions)."""
        rows = reservations.book(ctx.session, self._user(ctx), feature, starts, ends, seats,
                                 ctx.now, weeks=weeks, course=course, note=note)
        ctx.audit("reservation.create", feature, after={
            "ids": [r.id for r in rows], "seats": seats, "starts": rows[0].starts_at.isoformat(),
            "ends": rows[0].ends_at.isoformat(), "weeks": weeks, "status": rows[0].status})
        return rows

    @rpc("reservations.list", roles=ANY_USER)
    def reservations_list(self, ctx: CallContext, everyone: bool = False,
                          feature: str | None = None,
                          include_done: bool = False) -> list[ReservationInfo]:
        """Bookings: the caller's, or everyone's (which anyone may see, like a room calendar)."""
        return reservations.listing(ctx.session, user_id=None if everyone else
                                    ctx.actor.user_id, feature=feature,
                                    include_done=include_done,
                                    since=None if include_done else ctx.now)

    @rpc("reservations.cancel", roles=ANY_USER, write=True)
    def reservations_cancel(self, ctx: CallContext, reservation_id: int,
                            series: bool = False) -> list[ReservationInfo]:
        rows = reservations.cancel(ctx.session, self._user(ctx), reservation_id, ctx.now,
                                   ctx.notify, whole_series=series,
                                   as_admin=ctx.actor.has("admin"))
        ctx.audit("reservation.cancel", f"reservation:{reservation_id}",
                  after={"ids": [r.id for r in rows]})
        return rows

    @rpc("reservations.decide", roles=ADMIN, write=True)
    def reservations_decide(self, ctx: CallContext, reservation_id: int,
                            approve: bool) -> list[ReservationInfo]:
        """Approve or reject a booking that waits for approval (and its series)."""
        rows = reservations.decide(ctx.session, reservation_id, approve, ctx.now, ctx.notify)
        ctx.audit("reservation.approve" if approve else "reservation.reject",
                  f"reservation:{reservation_id}", after={"ids": [r.id for r in rows]})
        return rows

    # -- administration -----------------------------------------------------------------------

    @rpc("pools.list", roles=STAFF)
    def pools_list(self, ctx: CallContext) -> list[PoolInfo]:
        """Every pool with its limits (admin view)."""
        return catalogue.list_pools(ctx.session)

    @rpc("pools.add_local", roles=ADMIN, write=True)
    def pools_add_local(self, ctx: CallContext, feature: str, seats: int, label: str = "",
                        max_seats_per_lease: int = 1, max_lease_hours: float = 12.0) -> PoolInfo:
        """A pool for a resource without a licence server (simulator slots, GPU shares)."""
        pool = catalogue.add_local_pool(ctx.session, feature, seats, label=label,
                                        max_seats_per_lease=max_seats_per_lease,
                                        max_lease_hours=max_lease_hours)
        info = catalogue.pool_info(pool)
        ctx.audit("pool.add_local", feature, after=_plain(info))
        return info

    @rpc("pools.update", roles=ADMIN, write=True)
    def pools_update(self, ctx: CallContext, pool_id: int, seats: int | None = None,
                     max_seats_per_lease: int | None = None,
                     max_lease_hours: float | None = None,
                     lease_ttl_minutes: int | None = None,
                     queue_grace_minutes: int | None = None, no_show_minutes: int | None = None,
                     borrow_hours: int | None = None, approval_required: bool | None = None,
                     suspended: bool | None = None) -> PoolInfo:
        """Edit a pool's seats and limits (only the fields given)."""
        changes = {k: v for k, v in {
            "seats": seats, "max_seats_per_lease": max_seats_per_lease,
            "max_lease_hours": max_lease_hours, "lease_ttl_minutes": lease_ttl_minutes,
            "queue_grace_minutes": queue_grace_minutes, "no_show_minutes": no_show_minutes,
            "borrow_hours": borrow_hours, "approval_required": approval_required,
            "suspended": suspended}.items() if v is not None}
        before, after = catalogue.update_pool(ctx.session, pool_id, changes)
        ctx.audit("pool.update", f"pool:{pool_id}", before=_plain(before), after=_plain(after))
        if seats is not None and after.seats > before.seats:
            lqueue.grant_heads(ctx.session, catalogue.get_pool(ctx.session, pool_id).feature_id,
                               ctx.now, ctx.notify)
        return after

    @rpc("quotas.list", roles=STAFF)
    def quotas_list(self, ctx: CallContext) -> list[QuotaInfo]:
        return quotas.list_quotas(ctx.session)

    @rpc("quotas.set", roles=ADMIN, write=True)
    def quotas_set(self, ctx: CallContext, scope: str, subject: str, feature: str | None = None,
                   max_concurrent: int | None = None, seat_hours: float | None = None,
                   period: str = "month", term_start: date | None = None,
                   term_end: date | None = None, reserved_share: int = 0) -> QuotaInfo:
        """Set the quota of an organisation (``org``), every organisation of a kind
        (``org_kind``, e.g. startups) or a course (``course``)."""
        before, after = quotas.set_quota(
            ctx.session, scope, subject, feature=feature, max_concurrent=max_concurrent,
            seat_hours=seat_hours, period=period, term_start=term_start, term_end=term_end,
            reserved_share=reserved_share)
        ctx.audit("quota.set", f"{scope}:{subject}:{feature or '*'}",
                  before=_plain(before) if before else None, after=_plain(after))
        return after

    @rpc("quotas.delete", roles=ADMIN, write=True)
    def quotas_delete(self, ctx: CallContext, quota_id: int) -> QuotaInfo:
        info = quotas.delete_quota(ctx.session, quota_id)
        ctx.audit("quota.delete", f"quota:{quota_id}", before=_plain(info))
        return info

    @rpc("licensing.suspend_user", roles=ADMIN, write=True)
    def licensing_suspend_user(self, ctx: CallContext, login: str, suspended: bool = True,
                               reason: str = "") -> SuspensionResult:
        """Bar a user from the pools (their leases end, they leave every queue), or lift it."""
        user = get_user(ctx.session, login)
        result = (suspensions.suspend(ctx.session, user, reason, ctx.now, ctx.notify)
                  if suspended else suspensions.unsuspend(ctx.session, user))
        ctx.audit("licensing.suspend" if suspended else "licensing.unsuspend", login,
                  after=asdict(result))
        return result

    # -- FlexLM -------------------------------------------------------------------------------

    @rpc("licensing.import_flexlm", roles=ADMIN, write=True)
    def licensing_import_flexlm(self, ctx: CallContext, text: str, source: str = "",
                                dry_run: bool = False) -> ImportResult | ImportPreview:
        """Import a FlexLM licence file (its text): servers, daemons, features, pools. All or
        nothing. ``dry_run=True`` writes nothing and returns an :class:`ImportPreview`: each
        pool it would create or update, and every error with its line number."""
        if dry_run:
            return _import_preview(ctx.session, text, source)
        result = interop.import_license_file(ctx.session, text, source)
        ctx.audit("licensing.import_flexlm", source or "licence file", after=asdict(result))
        return result

    @rpc("licensing.options_file", roles=ADMIN)
    def licensing_options_file(self, ctx: CallContext, vendor: str) -> str:
        """The options file for a vendor daemon, generated from quotas, bookings, suspensions
        and eligibility (to preview, then install and ``lmreread``)."""
        return interop.options_file(ctx.session, vendor, ctx.now)

    @rpc("licensing.reconcile", roles=ADMIN)
    def licensing_reconcile(self, ctx: CallContext, lmstat: str) -> ReconcileReport:
        """Compare ``lmstat -a`` output with leases and bookings: seats used without a lease,
        idle leases, bookings that sit idle."""
        return interop.reconcile_lmstat(ctx.session, lmstat, ctx.now)

    # -- reports ------------------------------------------------------------------------------

    @rpc("reports.usage", roles=STAFF)
    def reports_usage(self, ctx: CallContext, start: datetime | None = None,
                      end: datetime | None = None) -> UsageReport:
        """Seat-hours, peaks, utilisation, denials, queue waits and idle bookings per feature,
        organisation, user and course (default: the last 30 days)."""
        end = end or ctx.now
        start = start or end - timedelta(days=30)
        usage.refresh_rollup(self.sessions, ctx.now)  # closes the days ended since (own txn)
        return usage.usage_report(ctx.session, start, end, ctx.now)


def _entry(ctx: CallContext, entry_id: int) -> Any:
    from licensing.models import QueueEntry

    return ctx.session.get(QueueEntry, entry_id)


# -- quotas.standing and the licence-file dry run ----------------------------------------------

@dataclass(frozen=True)
class Standing:
    """Whether the caller may use the pools now, and the quotas that apply to them."""

    login: str
    org: str
    org_name_en: str
    org_name_ko: str
    eligible: bool
    reason: str | None  # disabled, suspended, org_suspended, not_yet, ended
    message: str
    eligible_from: date | None
    eligible_until: date | None
    quotas: tuple[QuotaUse, ...]


@dataclass(frozen=True)
class PoolChange:
    """One pool a licence file would create or update."""

    feature: str
    vendor: str
    version: str
    action: str  # "create" or "update"
    kind: str
    seats: int
    seats_before: int | None
    in_use: int
    expiry: date | None
    expiry_before: date | None
    new_feature: bool
    lines: tuple[int, ...]


@dataclass(frozen=True)
class ImportProblem:
    line: int | None
    message: str


@dataclass(frozen=True)
class ImportPreview:
    """What ``licensing.import_flexlm`` would do with a file (``dry_run=True``); nothing is
    written. ``ok`` is false when the import would be refused: see ``errors``."""

    source: str
    dry_run: bool
    ok: bool
    changes: tuple[PoolChange, ...]
    errors: tuple[ImportProblem, ...]
    warnings: tuple[str, ...]
    result: ImportResult | None  # what the import would report


def _import_preview(session: Session, text: str, source: str) -> ImportPreview:
    """Parse the file, list each pool's change, then run the real import inside a savepoint that
    is always rolled back, so the preview refuses exactly what the import would."""
    try:
        lf = parse_license_file(text, source)
    except ParseError as exc:
        listed = exc.data.get("errors") or [{"line": exc.line, "message": exc.message}]
        problems = tuple(ImportProblem(e.get("line"), str(e.get("message")))
                         for e in listed)
        return ImportPreview(source, True, False, (), problems, (), None)
    changes: list[PoolChange] = []
    first_line: dict[str, int] = {}
    for p in lf.pools():
        feature = session.scalar(select(Feature).where(Feature.name == p.feature))
        existing = None if feature is None else session.scalar(select(Pool).where(
            Pool.feature_id == feature.id, Pool.version == p.version,
            Pool.vendor_string == (p.vendor_string or ""), Pool.dup_group == (p.dup_group or ""),
            Pool.hostid == (p.hostid or "")))
        first_line.setdefault(p.feature, min(p.lines, default=0))
        changes.append(PoolChange(
            p.feature, p.vendor, p.version, "create" if existing is None else "update",
            "nodelocked" if p.node_locked or p.uncounted else "floating", p.seats or 0,
            existing.seats if existing else None, existing.in_use if existing else 0,
            p.expiry, existing.expiry if existing else None, feature is None, p.lines))
    errors: list[ImportProblem] = []
    result: ImportResult | None = None
    savepoint = session.begin_nested()
    try:
        result = interop.import_license_file(session, text, source)
    except ChipError as exc:
        feature_name = exc.data.get("feature")
        errors.append(ImportProblem(first_line.get(feature_name) if feature_name else None,
                                    exc.message))
    finally:
        savepoint.rollback()
    session.expire_all()
    return ImportPreview(source, True, not errors, tuple(changes), tuple(errors),
                         tuple(lf.warnings), result)


def _where(ctx: CallContext) -> Session | Connection:
    """Where the fast paths run: the call's session once the method has opened one (so they
    see its pending changes), else its bare connection (methods ``on_connection``)."""
    session = ctx.opened_session
    if session is not None or ctx.connection is None:
        return ctx.session
    return ctx.connection
