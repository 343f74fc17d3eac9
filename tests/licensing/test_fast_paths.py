"""The checkout/return/heartbeat fast paths: they answer exactly as the general path would, or
step aside (None) without having changed anything; and leases.list reads in one query."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from core.accounts import get_user
from core.errors import ChipError, QuotaExceeded, SeatsUnavailable
from licensing import leases, quotas, seats
from licensing.models import Pool
from tests.licensing.conftest import Centre

ENG = "demo.engineer"
ENG2 = "demo.engineer2"


def who(c: Centre, login: str) -> leases.Who:
    with c.session() as s:
        user = get_user(s, login)
        return leases.Who(user.id, user.login, user.org_id)


def in_use(c: Centre, feature: str = "vcs") -> int:
    with c.session() as s:
        pools = s.scalars(select(Pool).join(Pool.feature)).all()
        return sum(p.in_use for p in pools if p.feature.name == feature)


@contextmanager
def statements(c: Centre) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(sql)

    event.listen(c.hub.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(c.hub.engine, "before_cursor_execute", count)


def refusal(call: Any) -> ChipError:
    with pytest.raises(ChipError) as err:
        call()
    return err.value


def test_quick_checkout_return_and_heartbeat_in_a_few_statements(centre: Centre) -> None:
    me = who(centre, ENG)
    now = centre.clock.now
    with statements(centre) as sql, centre.session() as s:
        info = leases.quick_checkout(s, me, "vcs", 2, 1.0, now, host="ws-01")
    assert info is not None and (info.seats, info.host, info.feature) == (2, "ws-01", "vcs")
    assert info.expires_at == now + timedelta(minutes=15) and info.ends_by == now + timedelta(
        hours=1)
    assert len([q for q in sql if q.lstrip().upper().startswith(("SELECT", "UPDATE",
                                                                  "INSERT"))]) == 3
    with centre.session() as s:
        beat = leases.quick_renew(s, me, info.id, now + timedelta(minutes=10))
    assert beat is not None and beat.expires_at == now + timedelta(minutes=25)
    with centre.session() as s:
        back = leases.quick_return(s, me, info.id, now + timedelta(minutes=20),
                                   notify=lambda *_: None)
    assert back is not None and back.end_reason == "returned"
    assert in_use(centre) == 0
    with centre.session() as s:
        assert all(c.consistent for c in seats.count(s))


def test_quick_paths_step_aside_for_what_they_do_not_decide(centre: Centre) -> None:
    me, other = who(centre, ENG), who(centre, ENG2)
    now = centre.clock.now
    lease = centre.call(ENG, "leases.checkout", feature="vcs")
    with centre.session() as s:
        assert leases.quick_return(s, other, lease.id, now, notify=lambda *_: None) is None
        assert leases.quick_renew(s, other, lease.id, now) is None
        assert leases.quick_return(s, me, 999_999, now, notify=lambda *_: None) is None
        assert leases.quick_checkout(s, me, "no-such-feature", 1, 1.0, now) is None
        assert leases.quick_checkout(s, me, "vcs", 99, 1.0, now) is None  # the limit's message
    centre.call(ENG, "leases.return", lease_id=lease.id)
    with centre.session() as s:  # ended: the general path says how
        assert leases.quick_return(s, me, lease.id, now, notify=lambda *_: None) is None
    # A queue grant waits for ENG2: their checkout claims it on the general path.
    centre.call(ENG, "leases.checkout", feature="vcs", seats=3)
    centre.call(ENG2, "queue.join", feature="vcs")
    centre.call(ENG, "leases.return", lease_id=centre.call(ENG, "leases.list")[0].id)
    with centre.session() as s:
        assert leases.quick_checkout(s, other, "vcs", 1, 1.0, now) is None
    claimed = centre.call(ENG2, "leases.checkout", feature="vcs")
    assert claimed.from_booking


def both_refusals(c: Centre, login: str) -> tuple[ChipError, ChipError]:
    """The fast path's refusal and the general path's, for one seat of vcs now."""
    now, me = c.clock.now, who(c, login)
    with c.session() as s:
        quick = refusal(lambda: leases.quick_checkout(s, me, "vcs", 1, 1.0, now))
    with c.session() as s:
        user = get_user(s, login)
        general = refusal(lambda: leases.checkout(s, user, "vcs", 1, 1.0, now,
                                                  notify=lambda *_: None, quick=False))
    return quick, general


def test_quick_refusals_say_what_the_general_path_says(centre: Centre) -> None:
    centre.call(ENG, "leases.checkout", feature="vcs", seats=3)
    quick, general = both_refusals(centre, ENG2)
    assert isinstance(quick, SeatsUnavailable) and quick.data["reason"] == "full"
    assert (str(quick), quick.data) == (str(general), general.data)
    centre.call("demo.student", "queue.join", feature="vcs")
    quick, general = both_refusals(centre, ENG2)
    assert quick.data["reason"] == "queued"
    assert (str(quick), quick.data) == (str(general), general.data)


def test_quick_checkout_keeps_a_concurrent_maximum(centre: Centre) -> None:
    with centre.session() as s:
        org = get_user(s, ENG2).organisation.code
        quotas.set_quota(s, "org", org, feature="vcs", max_concurrent=1)
    other = who(centre, ENG2)
    centre.call(ENG2, "leases.checkout", feature="vcs")
    with centre.session() as s, pytest.raises(QuotaExceeded,
                                              match="may use 1 seats at once and uses 1"):
        leases.quick_checkout(s, other, "vcs", 1, 1.0, centre.clock.now)
    assert in_use(centre) == 1


def test_leases_list_is_one_query(centre: Centre) -> None:
    for login in (ENG, ENG2, "demo.student"):
        centre.call(login, "leases.checkout", feature="vcs")
    with statements(centre) as sql, centre.session() as s:
        rows = leases.list_leases(s, user_id=None)
    assert sorted(r.user for r in rows) == sorted([ENG, ENG2, "demo.student"])
    assert {r.feature for r in rows} == {"vcs"} and all(r.org != "?" for r in rows)
    assert len([q for q in sql if q.lstrip().upper().startswith("SELECT")]) == 1


def test_refusals_on_the_bare_connection_record_their_denials(centre: Centre) -> None:
    """leases.checkout runs on a bare connection (no ORM session) until it needs one: a
    refusal decided there (the queue) and one left to the general path (a full pool) each
    leave their denial, written after the rollback, and change nothing else."""
    from licensing.models import Denial

    centre.call(ENG, "leases.checkout", feature="vcs", seats=3)
    with pytest.raises(SeatsUnavailable) as full:
        centre.call(ENG2, "leases.checkout", feature="vcs")
    centre.call(ENG2, "queue.join", feature="vcs")
    with pytest.raises(SeatsUnavailable) as queued:
        centre.call("demo.student", "leases.checkout", feature="vcs")
    assert (full.value.data["reason"], queued.value.data["reason"]) == ("full", "queued")
    with centre.session() as s:
        assert sorted((d.feature, d.reason) for d in s.scalars(select(Denial))) == [
            ("vcs", "full"), ("vcs", "queued")]
        assert all(c.consistent for c in seats.count(s))
    assert in_use(centre) == 3
