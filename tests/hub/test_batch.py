"""Group commit (hub.batch.WriteBatch): write calls sharing one transaction, each whole or not at
all, seen by nobody before the commit; a call that needs its own transaction changes nothing
and says so — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from core.errors import InvalidInput, SeatsUnavailable
from core.models.accounts import User
from hub.batch import OwnTransaction, WriteBatch
from licensing import seats
from licensing.models import Denial, Lease
from tests.licensing.conftest import Centre, make_centre

ENG, ENG2, STUDENT = "demo.engineer", "demo.engineer2", "demo.student"


@pytest.fixture
def centre(db_url: str, tmp_path: Path) -> Iterator[Centre]:
    made = make_centre(db_url, tmp_path / "home")
    yield made
    made.hub.engine.dispose()


def leases_of(c: Centre) -> list[tuple[str, int]]:
    """(feature, seats) of the open leases, as another connection sees them."""
    with c.session() as s:
        rows = s.execute(select(Lease.pool_id, Lease.seats).where(Lease.ended_at.is_(None)))
        return sorted((str(pool), n) for pool, n in rows)


def in_batch(c: Centre, batch: WriteBatch, login: str, method: str, **params: Any) -> Any:
    return c.hub.call(login, method, params, batch=batch)


def test_calls_of_a_batch_are_seen_only_after_its_commit(centre: Centre) -> None:
    batch = WriteBatch(centre.hub.engine)
    first = in_batch(centre, batch, ENG, "leases.checkout", feature="vcs", seats=1)
    second = in_batch(centre, batch, ENG2, "leases.checkout", feature="vcs", seats=2)
    assert first["id"] != second["id"] and first["token"]
    assert batch.calls == 2
    if centre.url.startswith("postgresql"):  # SQLite's writer lock is the batch's until it ends
        assert leases_of(centre) == []
    batch.commit()
    assert len(leases_of(centre)) == 2
    with centre.session() as s:
        assert all(c.consistent for c in seats.count(s))
    # The pool is full now: a checkout steps aside to the general path, outside any batch.
    assert not batch.open


def test_a_failing_call_rolls_back_only_itself(centre: Centre) -> None:
    batch = WriteBatch(centre.hub.engine)
    in_batch(centre, batch, ENG2, "leases.checkout", feature="vcs", seats=1)
    with pytest.raises(InvalidInput):
        in_batch(centre, batch, ENG, "leases.checkout", seats=1)  # no feature
    with pytest.raises(RuntimeError), batch.savepoint():  # a part that wrote, then failed
        batch.connection().execute(insert(Denial).values(
            at=centre.clock.now, feature="vcs", user_id=None, org_id=None, course=None,
            seats=1, reason="full"))
        raise RuntimeError("half way")
    lease = in_batch(centre, batch, ENG, "leases.checkout", feature="vcs", seats=1)
    back = in_batch(centre, batch, ENG, "leases.return", lease_id=lease["id"])
    assert back["end_reason"] == "returned"
    batch.commit()
    assert len(leases_of(centre)) == 1  # ENG2's
    with centre.session() as s:
        assert s.scalar(select(func.count()).select_from(Denial)) == 0
        assert all(c.consistent for c in seats.count(s))


def test_a_call_needing_its_own_transaction_changes_nothing(centre: Centre) -> None:
    centre.call(ENG, "leases.checkout", feature="vcs", seats=3)  # the pool is full
    batch = WriteBatch(centre.hub.engine)
    in_batch(centre, batch, ENG2, "leases.checkout", feature="scalesim-slot", seats=1)
    with pytest.raises(OwnTransaction):  # a full pool: the general path decides, and denies
        in_batch(centre, batch, STUDENT, "leases.checkout", feature="vcs", seats=1)
    batch.commit()
    with centre.session() as s:
        assert s.scalar(select(func.count()).select_from(Denial)) == 0
    assert len(leases_of(centre)) == 2
    with pytest.raises(SeatsUnavailable):  # run again on its own, as the broker does
        centre.call(STUDENT, "leases.checkout", feature="vcs", seats=1)
    with centre.session() as s:
        assert [d.reason for d in s.scalars(select(Denial))] == ["full"]


def test_a_rolled_back_batch_leaves_nothing(centre: Centre) -> None:
    batch = WriteBatch(centre.hub.engine)
    in_batch(centre, batch, ENG, "leases.checkout", feature="vcs", seats=1)
    centre.hub.call(ENG2, "leases.checkout", {"feature": "vcs", "seats": 1}, request_id="r-1",
                    batch=batch)
    batch.rollback()
    assert leases_of(centre) == []
    # The request id was not used: the same request runs afresh, and then replays.
    again = centre.hub.call(ENG2, "leases.checkout", {"feature": "vcs", "seats": 1},
                            request_id="r-1")
    assert centre.hub.call(ENG2, "leases.checkout", {"feature": "vcs", "seats": 1},
                           request_id="r-1") == again
    with centre.session() as s:
        assert all(c.consistent for c in seats.count(s))


def test_a_request_repeated_within_a_batch_is_answered_once(centre: Centre) -> None:
    batch = WriteBatch(centre.hub.engine)
    first = centre.hub.call(ENG, "leases.checkout", {"feature": "vcs", "seats": 1},
                            request_id="same", batch=batch)
    repeat = centre.hub.call(ENG, "leases.checkout", {"feature": "vcs", "seats": 1},
                             request_id="same", batch=batch)
    assert repeat == first
    batch.commit()
    assert len(leases_of(centre)) == 1


def test_methods_off_the_connection_ignore_the_batch(centre: Centre) -> None:
    batch = WriteBatch(centre.hub.engine)
    assert centre.hub.call(ENG, "me.whoami", {}, batch=batch)["login"] == ENG
    assert centre.hub.call(ENG, "queue.join", {"feature": "vcs"}, batch=batch) is not None
    assert not batch.open  # neither used it: queue.join committed on its own


def test_audit_and_replay_rows_are_written_at_the_commit_for_kept_calls_only(
        centre: Centre) -> None:
    from core.models.audit import AuditRecord
    from hub.models import RequestRecord

    def rows() -> tuple[list[str], list[str]]:
        with centre.session() as s:
            return (list(s.scalars(select(AuditRecord.action).where(
                        AuditRecord.action.like("lease.%")).order_by(AuditRecord.id))),
                    list(s.scalars(select(RequestRecord.request_id)
                                   .order_by(RequestRecord.request_id))))

    batch = WriteBatch(centre.hub.engine)
    lease = centre.hub.call(ENG, "leases.checkout", {"feature": "vcs", "seats": 1},
                            request_id="a", batch=batch)
    with pytest.raises(RuntimeError), batch.savepoint():  # a call that failed half way
        centre.hub.call(ENG2, "leases.checkout", {"feature": "vcs", "seats": 1},
                        request_id="b", batch=batch)
        raise RuntimeError("half way")
    centre.hub.call(ENG, "leases.return", {"lease_id": lease["id"]}, request_id="c",
                    batch=batch)
    if centre.url.startswith("postgresql"):
        assert rows() == ([], [])  # nothing yet, not even to another connection
    batch.commit()
    assert rows() == (["lease.checkout", "lease.return"], ["a", "c"])


def test_a_gathered_write_that_fails_rolls_the_batch_back(centre: Centre) -> None:
    """A replay record that fails at the commit (its request id taken meanwhile): nothing of
    the batch is kept, and the calls can run again, each alone."""
    from hub.models import RequestRecord

    with centre.session() as s:
        eng = s.scalar(select(User.id).where(User.login == ENG))
    batch = WriteBatch(centre.hub.engine)
    centre.hub.call(ENG2, "leases.checkout", {"feature": "vcs", "seats": 1}, batch=batch)
    first = centre.hub.call(ENG, "leases.checkout", {"feature": "vcs", "seats": 1},
                            request_id="twice", batch=batch)
    batch.connection().execute(insert(RequestRecord).values(  # taken meanwhile
        user_id=eng, request_id="twice", method="leases.checkout", result=first,
        created_at=centre.clock.now))
    with pytest.raises(IntegrityError):
        batch.commit()
    assert not batch.open and leases_of(centre) == []
    again = centre.hub.call(ENG, "leases.checkout", {"feature": "vcs", "seats": 1},
                            request_id="twice")
    assert again["id"] != first["id"] and len(leases_of(centre)) == 1
