"""Scenario 5 through the Hub: import FlexLM licence files (all or nothing), generate the
options file from quotas and bookings, reconcile lmstat -a against leases."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from core.errors import Conflict, Forbidden, InfrastructureError, NotFound, ParseError
from core.timeutil import CENTRE_ZONE
from hub.cli import admin
from tests.licensing.conftest import Centre

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "licensing"
ADMIN = "demo.admin"


def read(name: str) -> str:
    return (FIX / name).read_text()


def test_import_triad_then_update(sqlite_centre: Centre) -> None:
    c = sqlite_centre
    result = c.call(ADMIN, "licensing.import_flexlm", text=read("centre_synopsys_triad.lic"),
                    source="centre_synopsys_triad.lic")
    assert result.triad and result.server.count("@") == 3
    assert set(result.features_added) == {"DC-Expert", "TCM-1-Apex-Pkg", "refocus"}
    pools = {p.feature: p for p in c.call(ADMIN, "pools.list")}
    assert pools["refocus"].seats == 6 and pools["refocus"].borrow_hours == 48
    assert pools["DC-Expert"].vendor == "snpslmd" and pools["DC-Expert"].kind == "floating"
    again = c.call(ADMIN, "licensing.import_flexlm", text=read("centre_synopsys_triad.lic"))
    assert again.pools_added == 0 and again.pools_updated == 3
    assert any(a["action"] == "licensing.import_flexlm" for a in c.call(ADMIN, "admin.audit"))


def test_import_ptc_triad_with_supersede(sqlite_centre: Centre) -> None:
    result = sqlite_centre.call(ADMIN, "licensing.import_flexlm",
                                text=read("ptc_doc__triad_and_increment_examples.lic"))
    assert result.triad and "ptc_d" in result.vendors


def test_malformed_file_imports_nothing(sqlite_centre: Centre) -> None:
    c = sqlite_centre
    before = c.call(ADMIN, "pools.list")
    with pytest.raises(ParseError, match=":4: bad expiry"):
        c.call(ADMIN, "licensing.import_flexlm", text=read("broken_half.lic"),
               source="broken_half.lic")
    assert c.call(ADMIN, "pools.list") == before
    with pytest.raises(Forbidden):
        c.call("demo.engineer", "licensing.import_flexlm", text=read("centre_synopsys_triad.lic"))


def test_conflicting_vendor_imports_nothing(sqlite_centre: Centre) -> None:
    c = sqlite_centre
    c.call(ADMIN, "licensing.import_flexlm", text=read("centre_synopsys_triad.lic"))
    other = read("centre_synopsys_triad.lic").replace("snpslmd", "cdslmd").replace(
        "TCM-1-Apex-Pkg", "Genus_Synthesis")
    n = len(c.call(ADMIN, "pools.list"))
    with pytest.raises(Conflict, match="nothing was imported"):
        c.call(ADMIN, "licensing.import_flexlm", text=other)
    assert len(c.call(ADMIN, "pools.list")) == n
    assert "Genus_Synthesis" not in {p.feature for p in c.call(ADMIN, "pools.list")}


def test_options_file_from_policy(sqlite_centre: Centre) -> None:
    c = sqlite_centre
    c.call(ADMIN, "licensing.import_flexlm", text=read("centre_synopsys_triad.lic"))
    c.call(ADMIN, "quotas.set", scope="org_kind", subject="startup", feature="DC-Expert",
           max_concurrent=2)
    c.call(ADMIN, "licensing.suspend_user", login="demo.engineer2", reason="test")
    text = c.call(ADMIN, "licensing.options_file", vendor="snpslmd")
    assert "GROUP org_neurosilicon demo.engineer" in text
    assert "MAX 2 DC-Expert GROUP org_neurosilicon" in text
    assert "EXCLUDEALL USER demo.engineer2" in text
    with pytest.raises(NotFound):
        c.call(ADMIN, "licensing.options_file", vendor="nosuchd")


def test_reconcile_lmstat(sqlite_centre: Centre) -> None:
    c = sqlite_centre
    c.call(ADMIN, "licensing.import_flexlm", text=read("centre_synopsys_triad.lic"))
    for login in ("user1", "user2"):
        c.call(ADMIN, "admin.add_user", login=login, org="pim-centre", roles=["engineer"])
    c.clock.now = datetime(2026, 9, 25, 12, 15, tzinfo=CENTRE_ZONE)
    c.call(ADMIN, "admin.set_eligibility", code="pim-centre")
    leased = c.call("user2", "leases.checkout", feature="TCM-1-Apex-Pkg", seats=2)
    idle = c.call("user2", "leases.checkout", feature="DC-Expert", seats=1)
    report = c.call(ADMIN, "licensing.reconcile",
                    lmstat=read("flexlm_exporter__lmstat_app7_synopsys_snpslmd.txt"))
    assert [m.lease.lease_id for m in report.matched] == [str(leased.id)]
    assert ("user1", "DC-Expert") in {(u.user, u.feature) for u in report.unleased}
    assert str(idle.id) in {i.lease.lease_id for i in report.idle_leases}
    with pytest.raises(InfrastructureError, match="did not reach"):
        c.call(ADMIN, "licensing.reconcile",
               lmstat=read("omnivector_lm_agent__flexlm_output_bad_conn_refused.txt"))


def test_cli_import_options_reconcile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hub.centre import init_centre

    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    init_centre(url, with_demo=True)
    lic = FIX / "centre_synopsys_triad.lic"
    assert admin.main(["--db", url, "pool", "import-flexlm", str(lic)]) == 0
    assert admin.main(["--db", url, "pool", "import-flexlm", str(FIX / "broken_half.lic")]) == 1
    assert "bad expiry" in capsys.readouterr().err
    out = tmp_path / "snpslmd.opt"
    assert admin.main(["--db", url, "pool", "options-file", "snpslmd", "-o", str(out)]) == 0
    assert "ChipCommons" in out.read_text()
    capsys.readouterr()
    assert admin.main(["--db", url, "pool", "reconcile", "--lmstat",
                       str(FIX / "flexlm_exporter__lmstat_app7_synopsys_snpslmd.txt")]) == 0
    assert "seats used without a lease" in capsys.readouterr().out
    assert admin.main(["--db", url, "pool", "reconcile", "--lmstat", str(tmp_path / "none")]) == 1
