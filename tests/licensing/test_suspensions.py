"""Suspending a user or an organisation ends their leases, drops their queue entries and
bookings (releasing held seats to the next in line), notifies them and is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.accounts import get_user
from core.errors import NotEligible
from hub import worker
from hub.models import Notification
from licensing import seats
from tests.licensing.conftest import Centre

ENG, ENG2, STUDENT = "demo.engineer", "demo.engineer2", "demo.student"
INSTR, ADMIN = "demo.instructor", "demo.admin"


def _notices(c: Centre, login: str) -> list[tuple[str, dict[str, Any]]]:
    with c.session() as session:
        uid = get_user(session, login).id
        return [(n.kind, n.payload) for n in session.scalars(
            select(Notification).where(Notification.user_id == uid).order_by(Notification.id))]


def _consistent(c: Centre) -> None:
    with c.session() as session:
        assert all(s.consistent for s in seats.count(session))


def _long_leases(c: Centre) -> None:
    for pool in c.call(ADMIN, "pools.list"):
        c.call(ADMIN, "pools.update", pool_id=pool.id, lease_ttl_minutes=600)


def test_suspending_a_user_ends_their_leases_queue_entries_and_bookings(centre: Centre) -> None:
    c = centre
    _long_leases(c)
    now = c.clock.now
    active = c.call(ENG, "reservations.create", feature="vcs", starts=now + timedelta(minutes=30),
                    ends=now + timedelta(minutes=90), seats=1)
    later = c.call(ENG, "reservations.create", feature="vcs", starts=now + timedelta(days=2),
                   ends=now + timedelta(days=2, hours=1), seats=1)
    c.clock.advance(minutes=30)
    worker.tick(c.hub)  # ENG's first booking holds a seat of vcs now
    mine = c.call(ENG, "leases.checkout", feature="scalesim-slot")
    c.call(STUDENT, "leases.checkout", feature="scalesim-slot")
    c.call(ENG2, "leases.checkout", feature="vcs", seats=2)  # vcs: 1 held + 2 leased
    c.call(INSTR, "queue.join", feature="vcs")
    c.call(ENG, "queue.join", feature="vcs")
    _consistent(c)

    result = c.call(ADMIN, "licensing.suspend_user", login=ENG, reason="unpaid invoice")
    assert (result.leases_ended, result.queue_entries_removed) == (1, 1)
    assert sorted(result.reservations_cancelled) == sorted([active[0].id, later[0].id])
    _consistent(c)
    # The booking's held seat went to the head of the queue; ENG's scalesim seat is free.
    [head] = c.call(INSTR, "queue.list")
    assert head.status == "granted"
    ended = next(x for x in c.call(ADMIN, "leases.list", everyone=True, include_ended=True)
                 if x.id == mine.id)
    assert ended.end_reason == "suspended"
    assert {r.status for r in c.call(ENG, "reservations.list", include_done=True)} == {
        "cancelled"}
    assert c.call(ENG, "queue.list") == []
    kinds = [k for k, _p in _notices(c, ENG)]
    assert "lease.released" in kinds
    [(_, payload)] = [(k, p) for k, p in _notices(c, ENG) if k == "licensing.suspended"]
    assert payload["reason"] == "unpaid invoice" and payload["leases_ended"] == 1
    assert any(k == "queue.granted" for k, _p in _notices(c, INSTR))
    [entry] = [e for e in c.call(ADMIN, "admin.audit") if e["action"] == "licensing.suspend"]
    assert len(entry["after"]["reservations_cancelled"]) == 2
    with pytest.raises(NotEligible):
        c.call(ENG, "leases.checkout", feature="scalesim-slot")
    with pytest.raises(NotEligible):
        c.call(ENG, "reservations.create", feature="vcs", starts=c.clock.now + timedelta(days=3),
               ends=c.clock.now + timedelta(days=3, hours=1))


def test_suspending_an_organisation_ends_what_its_people_hold(centre: Centre) -> None:
    c = centre
    _long_leases(c)
    now = c.clock.now
    # hanbit-tech: the instructor and a student
    booking = c.call(INSTR, "reservations.create", feature="scalesim-slot",
                     starts=now + timedelta(days=1), ends=now + timedelta(days=1, hours=2),
                     seats=2, note="lab")
    c.call(STUDENT, "leases.checkout", feature="vcs")
    c.call(INSTR, "leases.checkout", feature="vcs", seats=2)
    c.call(ENG2, "queue.join", feature="vcs")
    c.call(STUDENT, "queue.join", feature="scalesim-slot")  # free seats: granted at once
    c.call(ENG, "leases.checkout", feature="scalesim-slot")

    info = c.call(ADMIN, "admin.suspend_org", code="hanbit-tech")
    assert info.suspended
    _consistent(c)
    assert [x for x in c.call(ADMIN, "leases.list", everyone=True)
            if x.user in (STUDENT, INSTR)] == []
    assert c.call(ENG2, "queue.list")[0].status == "granted"  # vcs went to the next in line
    assert c.call(STUDENT, "queue.list") == []
    assert c.call(INSTR, "reservations.list", include_done=True)[0].status == "cancelled"
    for login in (STUDENT, INSTR):
        assert [p["org"] for k, p in _notices(c, login) if k == "licensing.suspended"] == [
            "hanbit-tech"]
    [entry] = [e for e in c.call(ADMIN, "admin.audit") if e["action"] == "org.suspend"]
    assert entry["after"]["suspended"] is True
    assert entry["after"]["ended"]["leases_ended"] == 2
    assert entry["after"]["ended"]["queue_entries_removed"] == 1
    assert entry["after"]["ended"]["reservations_cancelled"] == [booking[0].id]
    with pytest.raises(NotEligible):
        c.call(STUDENT, "leases.checkout", feature="vcs")
    # Lifting it restores nothing, and ENG (another organisation) kept their seat.
    assert not c.call(ADMIN, "admin.suspend_org", code="hanbit-tech", suspended=False).suspended
    assert [x.user for x in c.call(ADMIN, "leases.list", everyone=True)] == [ENG]
