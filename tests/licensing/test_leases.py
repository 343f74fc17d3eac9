"""Checkout, return, renew, borrow, expiry and bad input, through the Hub (LocalHub)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import (
    Conflict,
    Expired,
    Forbidden,
    InvalidInput,
    LimitExceeded,
    NotEligible,
    NotFound,
    SeatsUnavailable,
)
from hub import worker
from licensing import seats
from tests.licensing.conftest import Centre

ENG = "demo.engineer"
ENG2 = "demo.engineer2"
STUDENT = "demo.student"
ADMIN = "demo.admin"


def consistent(c: Centre) -> None:
    with c.session() as s:
        for row in seats.count(s):
            assert row.consistent, row


def test_checkout_and_return(centre: Centre) -> None:
    me = centre.client(ENG)
    lease = me.call("leases.checkout", feature="vcs", seats=2, hours=2)
    assert lease.seats == 2 and lease.user == ENG and lease.token
    assert lease.expires_at == centre.clock.now + timedelta(minutes=15)
    assert lease.ends_by == centre.clock.now + timedelta(hours=2)
    [vcs] = me.call("licensing.pools", feature="vcs")
    assert (vcs.seats, vcs.free, vcs.leased, vcs.mine) == (3, 1, 2, 2)
    assert [x.id for x in me.call("leases.list")] == [lease.id]
    back = me.call("leases.return", lease_id=lease.id)
    assert back.end_reason == "returned"
    [vcs] = me.call("licensing.pools", feature="vcs")
    assert vcs.free == 3
    consistent(centre)


def test_full_pool_refused_with_reason_and_denial_recorded(centre: Centre) -> None:
    centre.call(ENG, "leases.checkout", feature="vcs", seats=3)
    with pytest.raises(SeatsUnavailable, match="all 3 seats of vcs are in use") as err:
        centre.call(ENG2, "leases.checkout", feature="vcs")
    assert err.value.data["reason"] == "full"
    from sqlalchemy import select

    from licensing.models import Denial

    with centre.session() as s:
        rows = s.scalars(select(Denial)).all()
        assert [(d.feature, d.reason) for d in rows] == [("vcs", "full")]
    consistent(centre)


@pytest.mark.parametrize("seats_, hours, error", [
    (0, 1.0, InvalidInput), (-2, 1.0, InvalidInput), (1, 0.0, InvalidInput),
    (1, -1.0, InvalidInput), (5, 1.0, LimitExceeded), (1, 13.0, LimitExceeded),
])
def test_bad_requests(centre: Centre, seats_: int, hours: float, error: type) -> None:
    with pytest.raises(error):
        centre.call(ENG, "leases.checkout", feature="vcs", seats=seats_, hours=hours)
    consistent(centre)


def test_unknown_feature(centre: Centre) -> None:
    with pytest.raises(NotFound):
        centre.call(ENG, "leases.checkout", feature="nope")


def test_renew_pushes_expiry_and_stops_at_end(centre: Centre) -> None:
    lease = centre.call(ENG, "leases.checkout", feature="vcs", hours=0.5)
    centre.clock.advance(minutes=10)
    renewed = centre.call(ENG, "leases.renew", lease_id=lease.id)
    assert renewed.expires_at == centre.clock.now + timedelta(minutes=15)
    assert renewed.token and renewed.token != lease.token
    centre.clock.advance(minutes=14)
    renewed = centre.call(ENG, "leases.renew", lease_id=lease.id)
    assert renewed.expires_at == lease.ends_by  # capped at the asked-for end


def test_renew_after_expiry_is_refused(centre: Centre) -> None:
    lease = centre.call(ENG, "leases.checkout", feature="vcs")
    centre.clock.advance(minutes=16)
    with pytest.raises(Expired, match="expired"):
        centre.call(ENG, "leases.renew", lease_id=lease.id)
    report = worker.tick(centre.hub)
    assert report.expired == 1
    with pytest.raises(Expired, match="check out again"):
        centre.call(ENG, "leases.renew", lease_id=lease.id)
    [vcs] = centre.call(ENG, "licensing.pools", feature="vcs")
    assert vcs.free == 3
    kinds = [n.kind for n in centre.call(ENG, "notifications.since")]
    assert "lease.expired" in kinds
    consistent(centre)


def test_return_of_someone_elses_lease(centre: Centre) -> None:
    lease = centre.call(ENG, "leases.checkout", feature="vcs")
    with pytest.raises(Forbidden, match="not yours"):
        centre.call(ENG2, "leases.return", lease_id=lease.id)
    with pytest.raises(Forbidden):
        centre.call(ENG2, "leases.renew", lease_id=lease.id)
    centre.call(ENG, "leases.return", lease_id=lease.id)
    with pytest.raises(Conflict, match="already ended"):
        centre.call(ENG, "leases.return", lease_id=lease.id)
    consistent(centre)


def test_ineligible_org_and_suspended_user(centre: Centre) -> None:
    centre.call(ADMIN, "admin.set_eligibility", code="neurosilicon",
                eligible_from="2026-01-01", eligible_until="2026-11-23")
    with pytest.raises(NotEligible, match="ended on 2026-11-23"):
        centre.call(ENG, "leases.checkout", feature="vcs")
    lease = centre.call(ENG2, "leases.checkout", feature="vcs")
    result = centre.call(ADMIN, "licensing.suspend_user", login=ENG2, reason="unpaid")
    assert result.leases_ended == 1
    with pytest.raises(NotEligible, match="suspended"):
        centre.call(ENG2, "leases.checkout", feature="vcs")
    with pytest.raises(Conflict):
        centre.call(ENG2, "leases.return", lease_id=lease.id)
    centre.call(ADMIN, "licensing.suspend_user", login=ENG2, suspended=False)
    centre.call(ENG2, "leases.checkout", feature="vcs")
    actions = [a["action"] for a in centre.call(ADMIN, "admin.audit")]
    assert "licensing.suspend" in actions and "licensing.unsuspend" in actions
    consistent(centre)


def test_force_release_is_audited_and_notifies(centre: Centre) -> None:
    lease = centre.call(ENG, "leases.checkout", feature="vcs")
    with pytest.raises(Forbidden):
        centre.call(ENG2, "leases.force_release", lease_id=lease.id)
    centre.call(ADMIN, "leases.force_release", lease_id=lease.id, reason="tool hung")
    assert any(a["action"] == "lease.force_release" for a in centre.call(ADMIN, "admin.audit"))
    assert "lease.released" in [n.kind for n in centre.call(ENG, "notifications.since")]
    consistent(centre)


def test_borrow_within_pool_limit(centre: Centre) -> None:
    with pytest.raises(LimitExceeded, match="cannot be borrowed"):
        centre.call(ENG, "leases.checkout", feature="vcs", borrow=True, hours=24)
    [pool] = [p for p in centre.call(ADMIN, "pools.list") if p.feature == "vcs"]
    centre.call(ADMIN, "pools.update", pool_id=pool.id, borrow_hours=72)
    with pytest.raises(LimitExceeded, match="at most 72 h"):
        centre.call(ENG, "leases.checkout", feature="vcs", borrow=True, hours=100)
    lease = centre.call(ENG, "leases.checkout", feature="vcs", borrow=True, hours=48)
    assert lease.kind == "borrow" and lease.expires_at == lease.ends_by
    with pytest.raises(Conflict):
        centre.call(ENG, "leases.renew", lease_id=lease.id)


def test_request_id_retry_checks_out_once(centre: Centre) -> None:
    me = centre.client(ENG)
    first = me.call("leases.checkout", feature="vcs", request_id="r-1")
    again = me.call("leases.checkout", feature="vcs", request_id="r-1")
    assert first.id == again.id
    assert len(me.call("leases.list")) == 1
    consistent(centre)


def test_wrong_client_clock_does_not_matter(centre: Centre) -> None:
    """Only the server's clock counts: the lease is timed from the centre's now."""
    lease = centre.call(ENG, "leases.checkout", feature="vcs", hours=1)
    assert lease.started_at == centre.clock.now


def test_pool_edit_cannot_cut_below_in_use(centre: Centre) -> None:
    centre.call(ENG, "leases.checkout", feature="vcs", seats=2)
    [pool] = [p for p in centre.call(ADMIN, "pools.list") if p.feature == "vcs"]
    with pytest.raises(Conflict, match="in use"):
        centre.call(ADMIN, "pools.update", pool_id=pool.id, seats=1)
    with pytest.raises(InvalidInput):
        centre.call(ADMIN, "pools.update", pool_id=pool.id, seats=-1)
    after = centre.call(ADMIN, "pools.update", pool_id=pool.id, seats=5)
    assert after.seats == 5
