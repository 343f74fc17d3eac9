"""Admin workflows: import a licence file and see the pool; quotas checked inline; the usage
report with charts and CSV export; reconciliation against lmstat; screens absent for others."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from desktop.screens.admin_licences import (
    ImportDialog,
    PoolsTab,
    QuotaDialog,
    QuotasTab,
    ReconcileTab,
)
from desktop.screens.admin_reports import ReportsTab
from hub.api import Hub
from tests.desktop.conftest import GuiFactory

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "desktop"
LICENCE = FIXTURES / "suwanny_flexlm_license_parser__good.lic"
LMSTAT = FIXTURES / "flexlm_exporter__lmstat_app1.txt"


def admin_tab(gui: Any, key: str) -> Any:
    screen = gui.window.show_screen("admin")
    tab = screen.pages[key]
    screen.tabs.setCurrentWidget(tab)
    return tab


def test_an_admin_imports_a_licence_file_and_sees_the_pool(
        make_gui: GuiFactory, pools: Hub, qtbot: Any) -> None:
    gui = make_gui("demo.admin")
    tab = admin_tab(gui, "admin.pools")
    assert isinstance(tab, PoolsTab)
    qtbot.waitUntil(lambda: bool(tab.table.records()))
    assert not any(p.feature == "VC_ESXHOST" for p in tab.table.records())
    dialog = tab.import_file(LICENCE)
    assert isinstance(dialog, ImportDialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.waitUntil(lambda: dialog.preview is not None)  # the centre's dry run
    changes = dialog.changes.records()
    assert ("VC_ESXHOST", "create") in {(c.feature, c.action) for c in changes}
    assert "Nothing has been written" in dialog.summary.text() and ok.isEnabled()
    assert not any(p["feature"] == "VC_ESXHOST" for p in pools.call("demo.admin", "pools.list"))
    ok.click()
    qtbot.waitUntil(lambda: tab.findChild(QMessageBox, "importResult") is not None,
                    timeout=10_000)
    qtbot.waitUntil(lambda: any(p.feature == "VC_ESXHOST" for p in tab.table.records()))
    pool = next(p for p in tab.table.records() if p.feature == "VC_ESXHOST")
    assert pool.seats == 32 and pool.vendor == "VMWARELM"
    tab.findChild(QMessageBox, "importResult").close()
    licences = gui.window.show_screen("licences")
    qtbot.waitUntil(lambda: any(p.feature == "VC_ESXHOST" for p in licences.pools.records()))


def test_a_quota_is_checked_before_it_is_sent(make_gui: GuiFactory, pools: Hub,
                                              qtbot: Any) -> None:
    gui = make_gui("demo.admin")
    tab = admin_tab(gui, "admin.quotas")
    assert isinstance(tab, QuotasTab)
    qtbot.waitUntil(lambda: gui.runner.in_flight == 0)
    before = len(tab.table.records())
    dialog = tab.set_quota()
    assert isinstance(dialog, QuotaDialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.subject.setText("test-lab")
    dialog.scope.setCurrentIndex(dialog.scope.findData("org"))
    assert not ok.isEnabled()  # neither seats nor seat-hours yet
    dialog.concurrent.setText("2.5")
    assert not ok.isEnabled()
    assert "whole number" in dialog.form.fields["max_concurrent"].error.text()
    dialog.concurrent.setText("2")
    dialog.hours.setText("40")
    assert ok.isEnabled()
    ok.click()
    qtbot.waitUntil(lambda: len(tab.table.records()) == before + 1)
    quota = next(q for q in tab.table.records() if q.subject == "test-lab")
    assert (quota.max_concurrent, quota.seat_hours) == (2, 40.0)


def test_the_usage_report_draws_its_charts_and_exports_csv(
        make_gui: GuiFactory, pools: Hub, qtbot: Any, tmp_path: Path) -> None:
    lease = pools.call("test.engineer", "leases.checkout", {"feature": "vcs-runtime",
                                                            "seats": 2})
    pools.call("test.engineer", "leases.return", {"lease_id": lease["id"]})
    gui = make_gui("demo.admin")
    tab = admin_tab(gui, "admin.reports")
    assert isinstance(tab, ReportsTab)
    qtbot.waitUntil(lambda: tab.report is not None and bool(tab.grid)
                    and len(tab.daily) == 31, timeout=30_000)
    features = [f.feature for f in tab.report.features]
    assert "vcs-runtime" in features
    assert len(tab.utilisation.series["Utilisation"]) == len(features)
    assert len(tab.heat.values) == 7 and len(tab.heat.values[0]) == 24
    assert sum(tab.over_time.series["Seat-hours"]) > 0
    path = tab.export(tmp_path / "usage.csv")
    assert path is not None
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {"feature", "organisation"} <= {r["section"] for r in rows}
    assert any(r["section"] == "feature" and r["key"] == "vcs-runtime" for r in rows)


def test_reconcile_against_lmstat(make_gui: GuiFactory, pools: Hub, qtbot: Any) -> None:
    gui = make_gui("demo.admin")
    tab = admin_tab(gui, "admin.reconcile")
    assert isinstance(tab, ReconcileTab)
    tab.reconcile()
    assert "first" in tab.summary.text()  # nothing pasted: nothing sent
    tab.load(LMSTAT)
    tab.reconcile()
    qtbot.waitUntil(lambda: "lease(s) match" in tab.summary.text(), timeout=10_000)
    assert tab.unleased.records(), "lmstat shows checkouts nobody leased"


def test_admin_tabs_are_absent_for_an_instructor_and_the_hub_refuses(
        make_gui: GuiFactory, pools: Hub, qtbot: Any) -> None:
    gui = make_gui("demo.instructor")
    keys = [cls.key for cls in gui.window.screen_classes]
    assert "admin" not in keys
    errors: list[Exception] = []
    gui.runner.call("licensing.import_flexlm", failed=errors.append, text="SERVER x ANY\n")
    qtbot.waitUntil(lambda: bool(errors))
    assert getattr(errors[0], "code", "") == "forbidden"


def test_a_bad_licence_file_shows_its_problems_by_line_and_cannot_be_imported(
        make_gui: GuiFactory, pools: Hub, qtbot: Any, tmp_path: Path) -> None:
    gui = make_gui("demo.admin")
    tab = admin_tab(gui, "admin.pools")
    bad = tmp_path / "bad.lic"
    bad.write_text("SERVER host ANY 27000\nVENDOR snpslmd\n"
                   "FEATURE vcs snpslmd 1.0 01-jan-2030 lots SIGN=0\n")
    dialog = tab.import_file(bad)
    assert isinstance(dialog, ImportDialog)
    qtbot.waitUntil(lambda: dialog.preview is not None)
    [problem] = dialog.problems.records()
    assert problem.line == 3
    assert dialog.tabs.currentWidget() is dialog.problems
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    dialog.problems.activated.emit(problem)  # jumps to the line in the file
    assert dialog.source.textCursor().blockNumber() == 2
    dialog.reject()
