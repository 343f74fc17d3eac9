"""Usage reports (seat-hours, peaks, utilisation, denials, queue waits, idle bookings) and the
demo centre's pools and history."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest

from core.db import transaction
from core.errors import InvalidInput, SeatsUnavailable
from hub import worker
from hub.centre import init_centre
from hub.cli import admin
from licensing import seats
from tests.licensing.conftest import T0, Centre

ENG, ENG2, STUDENT, INSTR = "demo.engineer", "demo.engineer2", "demo.student", "demo.instructor"


def test_report_counts_what_happened(centre: Centre) -> None:
    c = centre
    [pool] = [p for p in c.call("demo.admin", "pools.list") if p.feature == "vcs"]
    c.call("demo.admin", "pools.update", pool_id=pool.id, lease_ttl_minutes=240)
    a = c.call(ENG, "leases.checkout", feature="vcs", seats=2, hours=3)
    b = c.call(STUDENT, "leases.checkout", feature="vcs", seats=1, hours=3, course="AIS301")
    with pytest.raises(SeatsUnavailable):
        c.call(ENG2, "leases.checkout", feature="vcs")
    c.call(ENG2, "queue.join", feature="vcs")
    c.clock.advance(hours=2)
    c.call(ENG, "leases.return", lease_id=a.id)  # 4 seat-hours; ENG2 is granted after 2 h
    c.call(ENG2, "leases.checkout", feature="vcs")
    c.clock.advance(hours=1)
    c.call(STUDENT, "leases.return", lease_id=b.id)  # 3 seat-hours
    # A booking nobody uses: held 15 minutes until the no-show deadline.
    start = c.clock.now + timedelta(minutes=30)
    c.call(INSTR, "reservations.create", feature="scalesim-slot", starts=start,
           ends=start + timedelta(hours=1), seats=2)
    c.clock.now = start
    worker.tick(c.hub)
    c.clock.advance(minutes=16)
    worker.tick(c.hub)
    report = c.call("demo.admin", "reports.usage", start=T0 - timedelta(hours=1),
                    end=T0 + timedelta(hours=23))
    vcs = next(f for f in report.features if f.feature == "vcs")
    # ENG2's one-hour lease held its seat until the worker expired it at T0 + 3:30.
    assert vcs.seat_hours == pytest.approx(4 + 3 + 1.5, abs=0.01)
    assert vcs.peak == 3 and vcs.leases == 3
    assert vcs.denials_by_reason == {"full": 1} and vcs.queue_waits == 1
    assert vcs.queue_wait_p50_minutes == pytest.approx(120.0)
    assert 0 < vcs.utilisation < 1
    sim = next(f for f in report.features if f.feature == "scalesim-slot")
    assert sim.reserved_idle_hours == pytest.approx(2 * 16 / 60, abs=0.01)
    orgs = {g.key: g for g in report.organisations}
    assert orgs["neurosilicon"].seat_hours == pytest.approx(4.0, abs=0.01)
    assert orgs["tensorgrain"].denials == 1
    assert {g.key for g in report.courses} == {"AIS301"}
    with pytest.raises(InvalidInput):
        c.call("demo.admin", "reports.usage", start=T0, end=T0 - timedelta(hours=1))


def test_demo_centre_has_pools_history_and_a_lab_session(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    hub = init_centre(url, with_demo=True)
    with transaction(hub.sessions) as session:
        assert all(c.consistent for c in seats.count(session))
    pools = {a["feature"]: a for a in hub.call("demo.engineer", "licensing.pools", {})}
    assert {"VCSRuntime_Net", "Genus_Synthesis", "qhsimvl", "scalesim-slot",
            "pim-sim-slot"} <= set(pools)
    assert pools["VCSRuntime_Net"]["vendor"] == "snpslmd"
    assert pools["VCSRuntime_Net"]["next_booking"]["note"] == "AIS301 lab session"
    assert pools["VCSRuntime_Net"]["leased"] == 3
    capsys.readouterr()
    assert admin.main(["--db", url, "report", "usage", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    vcs = next(r for r in rows if r["group"] == "feature" and r["key"] == "VCSRuntime_Net")
    assert float(vcs["seat_hours"]) > 100 and int(vcs["peak"]) <= 10
    assert any(r["group"] == "organisation" for r in rows)
    assert admin.main(["--db", url, "report", "usage", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["features"] and data["users"]
    assert all(f["peak"] <= f["seats"] for f in data["features"])
    # Seeding again changes nothing.
    init_centre(url, with_demo=True)
    assert len(hub.call("demo.admin", "pools.list", {})) == len(
        [p for p in hub.call("demo.admin", "pools.list", {})])
