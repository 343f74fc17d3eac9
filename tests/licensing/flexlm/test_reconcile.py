"""Reconciliation of server checkouts against hub leases and reservations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.errors import InvalidInput
from licensing.flexlm.lmstat import parse_lmstat
from licensing.reconcile import Checkout, LeaseView, ReservationView, reconcile
from licensing.rlm.rlmstat import parse_rlmstat
from tests.licensing.flexlm.fixture_files import read_fixture_bytes

NOW = datetime(2026, 9, 25, 3, 30, tzinfo=UTC)
H = timedelta(hours=1)


def co(user: str, seats: int = 1, feature: str = "VCS", host: str = "farm1",
       since: datetime | None = None) -> Checkout:
    return Checkout(feature=feature, user=user, host=host, seats=seats, since=since)


def lease(lid: str, user: str, seats: int = 1, feature: str = "VCS", host: str | None = None,
          started: datetime = NOW - H, expires: datetime = NOW + H) -> LeaseView:
    return LeaseView(lease_id=lid, user=user, feature=feature, seats=seats, started=started,
                     expires=expires, host=host)


def test_matched_unleased_and_idle() -> None:
    report = reconcile(
        checkouts=[co("kim"), co("LEE", 2), co("park")],
        leases=[lease("L1", "kim"), lease("L2", "lee", 2), lease("L3", "choi")],
        reservations=[], now=NOW)
    assert [(m.lease.lease_id, m.seats_used) for m in report.matched] == [("L1", 1), ("L2", 2)]
    assert [(u.user, u.seats, u.leased_seats) for u in report.unleased] == [("park", 1, 0)]
    assert [i.lease.lease_id for i in report.idle_leases] == ["L3"]
    assert report.seats_without_lease == 1
    assert not report.clean


def test_case_insensitive_users_and_partial_overuse() -> None:
    report = reconcile([co("Kim", 16)], [lease("L1", "kim", 8)], [], NOW)
    (pair,) = report.matched
    assert pair.seats_used == 8 and pair.seats_idle == 0
    (extra,) = report.unleased
    assert (extra.user, extra.seats, extra.leased_seats) == ("Kim", 8, 8)


def test_feature_must_match() -> None:
    report = reconcile([co("kim", feature="Verdi")], [lease("L1", "kim", feature="VCS")], [], NOW)
    assert [u.feature for u in report.unleased] == ["Verdi"]
    assert [i.lease.lease_id for i in report.idle_leases] == ["L1"]


def test_same_host_lease_filled_first() -> None:
    report = reconcile(
        [co("kim", host="farm2.centre.example"), co("kim", host="farm1")],
        [lease("L1", "kim", host="farm1", started=NOW - 2 * H),
         lease("L2", "kim", host="FARM2", started=NOW - 3 * H)], [], NOW)
    hosts = {m.lease.lease_id: [c.host for c in m.checkouts] for m in report.matched}
    assert hosts == {"L1": ["farm1"], "L2": ["farm2.centre.example"]}
    assert report.clean


def test_identical_checkout_lines_are_two_seats() -> None:
    report = reconcile([co("kim"), co("kim")], [lease("L1", "kim", 2)], [], NOW)
    assert report.matched[0].seats_used == 2 and len(report.matched[0].checkouts) == 2


def test_expired_and_future_leases_do_not_count() -> None:
    old = lease("OLD", "kim", started=NOW - 3 * H, expires=NOW - H)
    later = lease("LATER", "kim", started=NOW + H, expires=NOW + 2 * H)
    report = reconcile([co("kim")], [old, later], [], NOW)
    assert [u.user for u in report.unleased] == ["kim"]
    assert {le.lease_id for le in report.inactive_leases} == {"OLD", "LATER"}
    assert not report.idle_leases


def test_reserved_but_idle_seats() -> None:
    res_active = ReservationView("R1", "kim", "VCS", 4, NOW - H, NOW + H)
    res_org = ReservationView("R2", "alpha-lab", "VCS", 2, NOW - H, NOW + H,
                              users=("lee", "park"))
    res_future = ReservationView("R3", "kim", "VCS", 9, NOW + H, NOW + 2 * H)
    report = reconcile([co("kim"), co("LEE"), co("park")], [], [res_active, res_org, res_future],
                       NOW)
    assert [(r.reservation.reservation_id, r.seats_in_use, r.seats_idle)
            for r in report.idle_reservations] == [("R1", 1, 3)]
    assert report.reserved_idle_seats == 3


def test_naive_datetimes_rejected() -> None:
    with pytest.raises(InvalidInput):
        reconcile([], [], [], datetime(2026, 1, 1))
    with pytest.raises(InvalidInput):
        reconcile([], [lease("L", "u", started=datetime(2026, 1, 1))], [], NOW)
    with pytest.raises(InvalidInput):
        reconcile([co("u", 0)], [], [], NOW)


def test_end_to_end_with_lmstat_sample() -> None:
    report_text = read_fixture_bytes("flexlm", "flexlm_exporter__lmstat_app7_synopsys_snpslmd.txt")
    cos = parse_lmstat(report_text).checkouts(ZoneInfo("Asia/Seoul"))
    now = datetime(2026, 9, 25, 3, 15, tzinfo=UTC)  # 12:15 in Seoul, the status time
    leases = [lease("L-dc", "USER1", feature="DC-Expert", started=now - 20 * H,
                    expires=now + H),
              lease("L-tcm", "user2", 2, feature="TCM-1-Apex-Pkg", started=now - 5 * H,
                    expires=now + H),
              lease("L-idle", "user3", feature="refocus", started=now - H, expires=now + H)]
    res = [ReservationView("R1", "user9", "DC-Expert", 1, now - H, now + H)]
    report = reconcile(cos, leases, res, now)
    assert [(m.lease.lease_id, m.seats_used) for m in report.matched] == [
        ("L-dc", 1), ("L-tcm", 2)]
    assert [(u.feature, u.user, u.seats) for u in report.unleased] == [("refocus", "user2", 2)]
    assert [i.lease.lease_id for i in report.idle_leases] == ["L-idle"]
    assert [r.reservation.reservation_id for r in report.idle_reservations] == ["R1"]


def test_end_to_end_with_rlmstat_sample() -> None:
    r = parse_rlmstat(read_fixture_bytes("rlm", "omnivector_lm_agent__rlm_output.txt"))
    now = datetime(2021, 11, 3, 13, 0, tzinfo=UTC)
    cos = r.checkouts(UTC, now=now)
    report = reconcile(cos, [lease("L1", "ASDJ13", 66, feature="converge_super",
                                   started=now - 60 * H, expires=now + H)], [], now)
    assert report.matched[0].seats_used == 66
    assert [(u.user, u.seats) for u in report.unleased] == [("cddcp2", 27)]
