"""The seat counter: take and give back seats with one conditional UPDATE, and repair it.

``take`` is the only way seats are acquired. It is a single statement that both checks and
increments, so two transactions can never both see the last seat free — on SQLite (where the
write transaction is ``BEGIN IMMEDIATE``) and on PostgreSQL (where the row lock taken by the
UPDATE makes the second writer re-check the condition on the committed row). The table's check
constraint ``0 <= in_use <= seats`` is the last line of defence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar, cast

from sqlalchemy import Connection, Select, Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from core.errors import ChipError
from core.rawsql import RawStatement
from licensing.models import Hold, Lease, Pool


class SeatCounterBroken(ChipError):
    """Giving back more seats than are counted: the counter disagrees with the lease rows."""

    code = "seat_counter_broken"
    rpc_code = -32016


_POOLS = cast(Table, Pool.__table__)
# Built once: both run on every checkout and return (Core statements on the table, so no ORM
# synchronisation of loaded Pool objects, as before).
_TAKE = RawStatement(
    update(_POOLS)
    .where(_POOLS.c.id == bindparam("pool"), _POOLS.c.in_use + bindparam("n") <= _POOLS.c.seats)
    .values(in_use=_POOLS.c.in_use + bindparam("n")).returning(_POOLS.c.in_use))
_GIVE_BACK = RawStatement(
    update(_POOLS)
    .where(_POOLS.c.id == bindparam("pool"), _POOLS.c.in_use >= bindparam("n"))
    .values(in_use=_POOLS.c.in_use - bindparam("n")))


def take(session: Session | Connection, pool_id: int, seats: int) -> int | None:
    """Take ``seats`` from the pool if they fit; return the new ``in_use`` or None."""
    if seats < 1:
        raise ValueError("seats must be positive")
    row = _TAKE.execute(session, {"pool": pool_id, "n": seats}).first()
    return None if row is None else int(row[0])


def give_back(session: Session | Connection, pool_id: int, seats: int) -> None:
    """Return ``seats`` to the pool (the counter never goes below zero)."""
    if seats < 1:
        return
    if _GIVE_BACK.execute(session, {"pool": pool_id, "n": seats}).rowcount != 1:
        raise SeatCounterBroken(f"pool {pool_id}: giving back {seats} seats that are not counted",
                                pool=pool_id)


def in_use_now(session: Session, pool_id: int) -> int:
    return int(session.scalar(select(Pool.in_use).where(Pool.id == pool_id)) or 0)


@dataclass(frozen=True)
class SeatCount:
    pool_id: int
    seats: int
    counted: int  # pools.in_use
    leased: int  # active lease rows
    held: int  # active hold rows

    @property
    def truth(self) -> int:
        return self.leased + self.held

    @property
    def consistent(self) -> bool:
        return self.counted == self.truth and 0 <= self.counted <= self.seats


def count(session: Session) -> list[SeatCount]:
    """For every pool: the counter beside the sums of the active lease and hold rows."""
    leased = dict(session.execute(
        select(Lease.pool_id, func.sum(Lease.seats)).where(Lease.ended_at.is_(None))
        .group_by(Lease.pool_id)).all())
    held = dict(session.execute(
        select(Hold.pool_id, func.sum(Hold.seats)).where(Hold.released_at.is_(None))
        .group_by(Hold.pool_id)).all())
    return [SeatCount(pid, seats, in_use, int(leased.get(pid) or 0), int(held.get(pid) or 0))
            for pid, seats, in_use in session.execute(
                select(Pool.id, Pool.seats, Pool.in_use).order_by(Pool.id))]


def repair(session: Session) -> list[SeatCount]:
    """Set every pool's counter to the sum of its active leases and holds; return the fixed.

    A pool whose rows add up to more than its seats (only possible if seats were edited down)
    is clamped to its seats; the excess drains as leases end.

    Every pool row is locked first, so no take or give-back (each updates its pool row before
    its lease or hold rows) commits between the count and the fix — on PostgreSQL a worker
    starting up beside live traffic would otherwise "repair" a counter from a stale count,
    making the very phantom or lost seats it is there to fix.
    """
    lock_all(session)
    fixed = []
    for c in count(session):
        if not c.consistent:
            target = min(c.truth, c.seats)
            session.execute(update(Pool).where(Pool.id == c.pool_id).values(in_use=target)
                            .execution_options(synchronize_session=False))
            fixed.append(c)
    return fixed


S = TypeVar("S", bound=Select)  # type: ignore[type-arg]


def for_update(stmt: S) -> S:
    """Lock the selected rows until commit and re-read them (PostgreSQL: a second writer waits,
    then sees the first one's result; SQLite: the IMMEDIATE transaction already serialises)."""
    return stmt.with_for_update().execution_options(populate_existing=True)


def lock_pools(session: Session, pool_ids: Iterable[int]) -> None:
    """Lock pool rows in id order. Every change takes its pools' locks before it locks lease,
    hold, queue or booking rows, so two changes never wait for each other in a circle
    (PostgreSQL; on SQLite the IMMEDIATE transaction serialises everything anyway)."""
    ids = sorted(set(pool_ids))
    if ids:
        session.execute(select(Pool.id).where(Pool.id.in_(ids)).order_by(Pool.id)
                        .with_for_update())


def lock_feature(session: Session, feature_id: int) -> None:
    lock_pools(session, session.scalars(select(Pool.id).where(Pool.feature_id == feature_id)))


def lock_all(session: Session) -> None:
    """The worker's round touches many pools: it locks them all first, in id order."""
    lock_pools(session, session.scalars(select(Pool.id)))
