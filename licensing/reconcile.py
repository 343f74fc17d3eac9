"""Real licence-server checkouts against the hub's leases and reservations.

Both status parsers (FlexLM ``lmstat -a`` in :mod:`licensing.flexlm.lmstat`, Reprise ``rlmstat -a``
in :mod:`licensing.rlm.rlmstat`) reduce their output to the two records defined here,
:class:`Checkout` and :class:`FeatureUsage`, so :func:`reconcile` works for both.

Pure functions: the caller reads leases and reservations from the database and passes plain
views of them in; nothing here touches storage.

Matching rule: a checkout belongs to a lease when the feature is equal and the user names are
equal ignoring case (``casefold``). Where a lease names a host, checkouts from that host fill it
first. Seats are compared, not lines: a user holding 16 seats on an 8-seat lease has 8 seats
without a lease.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from core.errors import InvalidInput


@dataclass(frozen=True)
class Checkout:
    """One seat grant seen on the licence server (one ``lmstat``/``rlmstat`` user line).

    ``since`` is timezone-aware (UTC), or ``None`` when the output carried no start time.
    """

    feature: str
    user: str
    host: str
    seats: int
    since: datetime | None = None
    version: str | None = None
    server: str | None = None


@dataclass(frozen=True)
class FeatureUsage:
    """The server's own totals for one feature.

    ``issued``/``in_use`` are ``None`` when the server did not say (uncounted, node-locked, or an
    error line). ``in_use`` counts RESERVEd-but-idle seats and excludes queued requests (that is
    how FlexLM reports it).
    """

    feature: str
    issued: int | None
    in_use: int | None
    reserved: int = 0
    queued: int = 0
    uncounted: bool = False
    error: str | None = None


@dataclass(frozen=True)
class LeaseView:
    """What reconciliation needs of a hub lease."""

    lease_id: str
    user: str
    feature: str
    seats: int
    started: datetime
    expires: datetime
    host: str | None = None


@dataclass(frozen=True)
class ReservationView:
    """What reconciliation needs of a hub reservation. ``users`` lists everyone whose checkouts
    count against the reservation (an organisation's members); empty means the owner alone."""

    reservation_id: str
    owner: str
    feature: str
    seats: int
    starts: datetime
    ends: datetime
    users: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatchedPair:
    """A lease and the checkouts (or parts of them) that fill it."""

    lease: LeaseView
    checkouts: tuple[Checkout, ...]
    seats_used: int

    @property
    def seats_idle(self) -> int:
        return max(0, self.lease.seats - self.seats_used)


@dataclass(frozen=True)
class UnleasedUse:
    """Seats a user holds on the server beyond what their active leases cover."""

    feature: str
    user: str
    seats: int
    checkouts: tuple[Checkout, ...]
    leased_seats: int


@dataclass(frozen=True)
class IdleLease:
    """An active lease with no checkout on the server."""

    lease: LeaseView


@dataclass(frozen=True)
class IdleReservation:
    """An active reservation whose seats are (partly) not in use."""

    reservation: ReservationView
    seats_in_use: int

    @property
    def seats_idle(self) -> int:
        return max(0, self.reservation.seats - self.seats_in_use)


@dataclass(frozen=True)
class ReconcileReport:
    now: datetime
    matched: tuple[MatchedPair, ...]
    unleased: tuple[UnleasedUse, ...]
    idle_leases: tuple[IdleLease, ...]
    idle_reservations: tuple[IdleReservation, ...]
    inactive_leases: tuple[LeaseView, ...] = field(default=())

    @property
    def seats_without_lease(self) -> int:
        return sum(u.seats for u in self.unleased)

    @property
    def reserved_idle_seats(self) -> int:
        return sum(r.seats_idle for r in self.idle_reservations)

    @property
    def clean(self) -> bool:
        """True when every checkout is leased and no lease or reservation is idle."""
        return not (self.unleased or self.idle_leases or self.idle_reservations)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _key(feature: str, user: str) -> tuple[str, str]:
    return feature, user.casefold()


def _same_host(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    a, b = a.casefold(), b.casefold()
    return a == b or a.split(".", 1)[0] == b.split(".", 1)[0]


def _check_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None:
        raise InvalidInput(f"{what} must be timezone-aware", value=value.isoformat())


def _fill(leases: Sequence[LeaseView], checkouts: Sequence[Checkout]
          ) -> tuple[list[MatchedPair], list[tuple[Checkout, int]]]:
    """Assign checkout seats to lease seats: same-host leases first, then the oldest lease with
    room. Returns the pairs and the (checkout, seats) parts left without a lease."""
    room = {lease.lease_id: lease.seats for lease in leases}
    used: dict[str, list[int]] = defaultdict(list)
    left: list[tuple[Checkout, int]] = []
    ordered = sorted(leases, key=lambda le: (le.started, le.lease_id))
    order = sorted(range(len(checkouts)), key=lambda i: (
        checkouts[i].since is None, checkouts[i].since or _EPOCH, checkouts[i].host))
    for index in order:
        co = checkouts[index]
        need = co.seats
        for same_host_pass in (True, False):
            for lease in ordered:
                if need == 0:
                    break
                if room[lease.lease_id] == 0:
                    continue
                if same_host_pass and not _same_host(lease.host, co.host):
                    continue
                take = min(need, room[lease.lease_id])
                room[lease.lease_id] -= take
                need -= take
                if index not in used[lease.lease_id]:
                    used[lease.lease_id].append(index)
        if need:
            left.append((co, need))
    pairs = [MatchedPair(lease, tuple(checkouts[i] for i in used[lease.lease_id]),
                         lease.seats - room[lease.lease_id]) for lease in ordered]
    return pairs, left


def reconcile(checkouts: Iterable[Checkout], leases: Iterable[LeaseView],
              reservations: Iterable[ReservationView], now: datetime) -> ReconcileReport:
    """Compare what the licence server says is checked out with the hub's leases.

    Only leases active at ``now`` (``started <= now < expires``) take part; the others are returned
    in ``inactive_leases`` (the worker reclaims expired ones). Likewise only reservations with
    ``starts <= now < ends`` are checked for idle seats. All datetimes must be timezone-aware.
    """
    _check_aware(now, "now")
    cos = list(checkouts)
    for co in cos:
        if co.seats < 1:
            raise InvalidInput("checkout seats must be positive", feature=co.feature, user=co.user)
    active: list[LeaseView] = []
    inactive: list[LeaseView] = []
    for lease in leases:
        _check_aware(lease.started, "lease.started")
        _check_aware(lease.expires, "lease.expires")
        if lease.seats < 1:
            raise InvalidInput("lease seats must be positive", lease_id=lease.lease_id)
        (active if lease.started <= now < lease.expires else inactive).append(lease)

    by_key_co: dict[tuple[str, str], list[Checkout]] = defaultdict(list)
    for co in cos:
        by_key_co[_key(co.feature, co.user)].append(co)
    by_key_lease: dict[tuple[str, str], list[LeaseView]] = defaultdict(list)
    for lease in active:
        by_key_lease[_key(lease.feature, lease.user)].append(lease)

    matched: list[MatchedPair] = []
    idle: list[IdleLease] = []
    unleased: list[UnleasedUse] = []
    for key in sorted(set(by_key_co) | set(by_key_lease)):
        key_leases = by_key_lease.get(key, [])
        key_cos = by_key_co.get(key, [])
        pairs, left = _fill(key_leases, key_cos)
        for pair in pairs:
            if pair.seats_used:
                matched.append(pair)
            else:
                idle.append(IdleLease(pair.lease))
        if left:
            unleased.append(UnleasedUse(
                feature=key[0], user=left[0][0].user, seats=sum(n for _, n in left),
                checkouts=tuple(co for co, _ in left),
                leased_seats=sum(le.seats for le in key_leases)))

    idle_res: list[IdleReservation] = []
    for res in reservations:
        _check_aware(res.starts, "reservation.starts")
        _check_aware(res.ends, "reservation.ends")
        if not res.starts <= now < res.ends:
            continue
        people = {u.casefold() for u in (res.users or (res.owner,))}
        in_use = sum(co.seats for co in cos
                     if co.feature == res.feature and co.user.casefold() in people)
        if in_use < res.seats:
            idle_res.append(IdleReservation(res, in_use))

    return ReconcileReport(now=now, matched=tuple(matched), unleased=tuple(unleased),
                           idle_leases=tuple(idle), idle_reservations=tuple(idle_res),
                           inactive_leases=tuple(inactive))
