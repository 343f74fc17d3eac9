"""FlexLM and the database: import licence files into pools, render a vendor daemon's options
file from the hub's policy, and reconcile ``lmstat -a`` against leases and bookings.

The parsing and rendering are pure (:mod:`licensing.flexlm`, :mod:`licensing.reconcile`); this
module reads and writes the pools. An import is all or nothing: the file is parsed whole first
(a malformed file raises before anything is written), and everything it creates or changes is
in the caller's one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput, NotFound
from core.models.accounts import Organisation, User
from core.timeutil import CENTRE_ZONE
from licensing import policy, usage
from licensing.flexlm.licfile import LicenseFile, parse_license_file
from licensing.flexlm.lmstat import parse_lmstat
from licensing.flexlm.options import (
    ActiveReservation,
    CourseQuota,
    OrgMembers,
    OrgQuota,
    options_from_policy,
    render_options_file,
)
from licensing.models import (
    Feature,
    Hold,
    Lease,
    LicenceServer,
    Pool,
    Quota,
    Reservation,
    Suspension,
    VendorDaemon,
)
from licensing.reconcile import LeaseView, ReconcileReport, ReservationView, reconcile

DEFAULT_MAX_PER_LEASE = 4
DEFAULT_MAX_HOURS = 12.0


@dataclass(frozen=True)
class ImportResult:
    source: str
    server: str
    triad: bool
    vendors: tuple[str, ...]
    features_added: tuple[str, ...]
    pools_added: int
    pools_updated: int
    uncounted: tuple[str, ...]  # node-locked features no server counts (listed, not leased)
    warnings: tuple[str, ...]


def _server(session: Session, lf: LicenseFile) -> LicenceServer:
    name = lf.license_spec or f"uncounted:{lf.source or 'licence file'}"
    server = session.scalar(select(LicenceServer).where(LicenceServer.name == name))
    if server is None:
        server = LicenceServer(name=name, kind="flexlm",
                               hosts=" ".join(s.host for s in lf.servers),
                               port=lf.servers[0].port if lf.servers else None)
        session.add(server)
        session.flush()
    return server


def _daemon(session: Session, server: LicenceServer, lf: LicenseFile, name: str) -> VendorDaemon:
    daemon = session.scalar(select(VendorDaemon).where(VendorDaemon.server_id == server.id,
                                                       VendorDaemon.name == name))
    line = lf.vendor(name)
    if daemon is None:
        daemon = VendorDaemon(server_id=server.id, name=name)
        session.add(daemon)
    if line is not None:
        daemon.port = line.port
        daemon.options_path = line.options_path or ""
    session.flush()
    return daemon


def import_license_file(session: Session, text: str, source: str = "") -> ImportResult:
    """Create or update servers, vendor daemons, features and pools from a licence file."""
    lf = parse_license_file(text, source)
    if not lf.features:
        raise InvalidInput(f"{source or 'the licence file'} has no FEATURE or INCREMENT lines")
    server = _server(session, lf)
    vendors = sorted({v.name for v in lf.vendors} | {f.vendor for f in lf.features})
    daemons = {name: _daemon(session, server, lf, name) for name in vendors}
    borrow = {f.line: f.borrow_hours for f in lf.features}
    added_features: list[str] = []
    uncounted: list[str] = []
    pools_added = pools_updated = 0
    for p in lf.pools():
        daemon = daemons[p.vendor]
        feature = session.scalar(select(Feature).where(Feature.name == p.feature))
        if feature is None:
            feature = Feature(name=p.feature, label=p.feature, daemon_id=daemon.id)
            session.add(feature)
            session.flush()
            added_features.append(p.feature)
        elif feature.daemon_id not in (None, daemon.id):
            other = session.get(VendorDaemon, feature.daemon_id)
            if other is not None and other.name != p.vendor:
                raise Conflict(f"feature {p.feature} already belongs to vendor daemon "
                               f"{other.name}, not {p.vendor}; nothing was imported",
                               feature=p.feature)
        elif feature.daemon_id is None:
            feature.daemon_id = daemon.id
        if p.uncounted:
            uncounted.append(p.feature)
        seats = p.seats or 0
        kind = "nodelocked" if p.node_locked or p.uncounted else "floating"
        borrow_hours = max((borrow.get(n) or 0 for n in p.lines), default=0)
        existing = session.scalar(select(Pool).where(
            Pool.feature_id == feature.id, Pool.version == p.version,
            Pool.vendor_string == (p.vendor_string or ""), Pool.dup_group == (p.dup_group or ""),
            Pool.hostid == (p.hostid or "")))
        if existing is None:
            session.add(Pool(
                feature_id=feature.id, version=p.version, expiry=p.expiry, seats=seats,
                in_use=0, kind=kind, vendor_string=p.vendor_string or "",
                dup_group=p.dup_group or "", hostid=p.hostid or "", borrow_hours=borrow_hours,
                max_seats_per_lease=max(1, min(DEFAULT_MAX_PER_LEASE, seats or 1)),
                max_lease_hours=DEFAULT_MAX_HOURS, lease_ttl_minutes=15, queue_grace_minutes=10,
                no_show_minutes=15, approval_required=False, suspended=False,
                source=(source or "licence file")[:300]))
            pools_added += 1
        else:
            session.refresh(existing)
            if seats < existing.in_use:
                raise Conflict(f"{p.feature} {p.version}: the new file has {seats} seats but "
                               f"{existing.in_use} are in use; nothing was imported",
                               feature=p.feature)
            existing.seats, existing.expiry, existing.kind = seats, p.expiry, kind
            existing.borrow_hours = borrow_hours
            pools_updated += 1
        session.flush()
    return ImportResult(source, server.name, lf.triad, tuple(vendors), tuple(added_features),
                        pools_added, pools_updated, tuple(sorted(set(uncounted))),
                        tuple(lf.warnings))


# -- options file ------------------------------------------------------------------------------

def _members(session: Session, orgs: list[Organisation]) -> dict[int, OrgMembers]:
    out = {}
    for org in orgs:
        logins = session.scalars(select(User.login).where(
            User.org_id == org.id, User.disabled.is_(False)).order_by(User.login)).all()
        out[org.id] = OrgMembers(org.code, tuple(logins))
    return out


def options_file(session: Session, vendor: str, now: datetime) -> str:
    """The options file for vendor daemon ``vendor`` from quotas (concurrent maxima per
    organisation, and per course as a GROUP of the people who lease for it), bookings holding
    seats now (RESERVE), suspensions and eligibility (EXCLUDE). FlexLM user names are taken to
    be the centre's logins."""
    features = session.scalars(select(Feature).join(VendorDaemon).where(
        VendorDaemon.name == vendor).order_by(Feature.name)).all()
    if not features:
        raise NotFound(f"no features are served by vendor daemon {vendor!r}", vendor=vendor)
    by_id = {f.id: f for f in features}
    orgs = list(session.scalars(select(Organisation).order_by(Organisation.code)))
    members = _members(session, orgs)
    today = policy.centre_day(now)
    org_quotas: list[OrgQuota] = []
    for q in session.scalars(select(Quota).where(Quota.max_concurrent.is_not(None),
                                                 Quota.scope.in_(("org", "org_kind")))):
        targets = [o for o in orgs if (q.scope == "org" and o.code == q.subject)
                   or (q.scope == "org_kind" and o.kind == q.subject)]
        names = [by_id[q.feature_id].name] if q.feature_id in by_id else (
            [f.name for f in features] if q.feature_id is None else [])
        for org in targets:
            for name in names:
                org_quotas.append(OrgQuota(members[org.id], name, int(q.max_concurrent or 0)))
    course_rows = list(session.scalars(select(Quota).where(Quota.max_concurrent.is_not(None),
                                                           Quota.scope == "course")))
    users_of = usage.course_users(session, sorted({q.subject for q in course_rows}))
    logins = dict(session.execute(select(User.id, User.login).where(
        User.disabled.is_(False))).all())
    course_quotas = [
        CourseQuota(q.subject, tuple(sorted(logins[u] for u in users_of[q.subject]
                                            if u in logins)), name, int(q.max_concurrent or 0))
        for q in course_rows
        for name in ([by_id[q.feature_id].name] if q.feature_id in by_id else
                     [f.name for f in features] if q.feature_id is None else [])]
    reservations: list[ActiveReservation] = []
    for hold, pool_feature, login in session.execute(
            select(Hold, Pool.feature_id, User.login).join(Pool, Pool.id == Hold.pool_id)
            .join(User, User.id == Hold.user_id)
            .where(Hold.released_at.is_(None), Hold.seats > 0,
                   Pool.feature_id.in_(list(by_id)))):
        reservations.append(ActiveReservation(by_id[pool_feature].name, hold.seats, user=login))
    suspended = session.scalars(select(User.login).join(Suspension,
                                                        Suspension.user_id == User.id)).all()
    ineligible = [(f.name, members[o.id]) for o in orgs if not o.suspended
                  and not o.eligible_on(today) for f in features]
    seats_by_feature: dict[str, int] = {}
    for f in features:
        total = sum(p.seats for p in session.scalars(select(Pool).where(Pool.feature_id == f.id)))
        seats_by_feature[f.name] = total
    rules = options_from_policy(
        quotas=org_quotas, course_quotas=course_quotas, reservations=reservations,
        suspended_users=suspended,
        suspended_orgs=[members[o.id] for o in orgs if o.suspended], ineligible=ineligible,
        feature_seats=seats_by_feature,
        comment=f"generated by ChipCommons for {vendor} at "
                f"{now.astimezone(CENTRE_ZONE):%Y-%m-%d %H:%M %Z}")
    return render_options_file(vendor, rules)


# -- reconcile ---------------------------------------------------------------------------------

def reconcile_lmstat(session: Session, text: str | bytes, now: datetime, *,
                     server_zone: tzinfo = CENTRE_ZONE, source: str = "lmstat") -> ReconcileReport:
    """Compare ``lmstat -a`` output with the active leases and running bookings."""
    report = parse_lmstat(text, source=source)
    checkouts = report.checkouts(server_zone, now)
    leases = [LeaseView(str(lease.id), login, name, lease.seats, lease.started_at,
                        lease.expires_at, lease.host or None)
              for lease, login, name in session.execute(
                  select(Lease, User.login, Feature.name).join(User, User.id == Lease.user_id)
                  .join(Pool, Pool.id == Lease.pool_id).join(Feature, Feature.id == Pool.feature_id)
                  .where(Lease.ended_at.is_(None)))]
    bookings = [ReservationView(str(r.id), login, name, r.seats, r.starts_at, r.ends_at)
                for r, login, name in session.execute(
                    select(Reservation, User.login, Feature.name)
                    .join(User, User.id == Reservation.user_id)
                    .join(Feature, Feature.id == Reservation.feature_id)
                    .where(Reservation.status == "active"))]
    return reconcile(checkouts, leases, bookings, now)
