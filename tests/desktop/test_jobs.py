"""Farm workflows from the desktop: submit a job through the form built from the backend's
schema, follow its log, see its results and plots; the instant SCALE-Sim estimate; the PIM
comparison chart; a file too large is refused before any upload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from desktop.schema_form import MAX_FILE_BYTES
from desktop.screens.farm_previews import PimSweepTab, ScaleSimEstimateTab
from desktop.screens.jobs import ENDED, JobsScreen, JobsTab, SubmitDialog
from hub.api import Hub
from tests.desktop.conftest import GuiFactory

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "desktop"
SCALESIM = ROOT / "resources" / "scalesim"
JOB_TIMEOUT_MS = 120_000


def jobs_tab(gui: Any, qtbot: Any) -> JobsTab:
    screen = gui.window.show_screen("jobs")
    assert isinstance(screen, JobsScreen)
    tab = screen.pages["jobs.list"]
    assert isinstance(tab, JobsTab)
    qtbot.waitUntil(lambda: bool(tab.backends))
    return tab


def ok(dialog: SubmitDialog) -> Any:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def submit(tab: JobsTab, qtbot: Any, backend: str, files: dict[str, list[Path]],
           values: dict[str, str] | None = None) -> Any:
    qtbot.waitUntil(lambda: tab.ctx.runner.in_flight == 0)
    before = {j.id for j in tab.jobs.records()}
    dialog = tab.new_job(backend)
    assert isinstance(dialog, SubmitDialog)
    assert not ok(dialog).isEnabled()  # required inputs missing: nothing can be sent
    for name, text in (values or {}).items():
        dialog.form.items[name].widget.setText(text)  # type: ignore[attr-defined]
    for name, paths in files.items():
        dialog.form.set_files(name, paths)
    assert ok(dialog).isEnabled(), dialog.form.problems()
    ok(dialog).click()
    qtbot.waitUntil(lambda: bool({j.id for j in tab.jobs.records()} - before),
                    timeout=20_000)
    (job_id,) = {j.id for j in tab.jobs.records()} - before
    assert tab.jobs.selected().id == job_id

    def mine() -> Any:
        return next(j for j in tab.jobs.records() if j.id == job_id)

    qtbot.waitUntil(lambda: mine().state in ENDED, timeout=JOB_TIMEOUT_MS)
    return mine()


def test_submit_a_scalesim_job_and_see_its_results(make_gui: GuiFactory, farm: Hub,
                                                   qtbot: Any) -> None:
    gui = make_gui("demo.engineer")
    tab = jobs_tab(gui, qtbot)
    job = submit(tab, qtbot, "npu-scalesim", {"config": [SCALESIM / "npu_16x16_ws.cfg"],
                                              "topology": [SCALESIM / "tiny_cnn.csv"]})
    if job.outcome == "infrastructure_error" and "SCALE-Sim" in job.reason:
        pytest.skip(f"SCALE-Sim cannot run on this farm: {job.reason}")
    assert job.state == "succeeded", job.reason
    qtbot.waitUntil(lambda: len(tab.results.layers.records()) == 4, timeout=20_000)
    assert "Compute cycles" in tab.results.chart_a.series
    assert len(tab.results.chart_b.series["Compute"]) == 4


def test_a_synthesis_job_streams_its_log_and_plots_cells_by_type(
        make_gui: GuiFactory, farm: Hub, qtbot: Any) -> None:
    gui = make_gui("demo.engineer")
    shown: list[str] = []
    gui.window.notifier.shown.connect(lambda title, text: shown.append(text))
    tab = jobs_tab(gui, qtbot)
    job = submit(tab, qtbot, "synth", {"files": [FIXTURES / "adder.v"]}, {"top": "adder"})
    assert (job.state, job.outcome) == ("succeeded", "success"), job.reason
    qtbot.waitUntil(lambda: f"Job {job.id} finished: succeeded." in shown, timeout=10_000)
    qtbot.waitUntil(lambda: "Synthesised adder" in tab.log.toPlainText(), timeout=20_000)
    qtbot.waitUntil(lambda: "Cells" in tab.results.chart_a.series, timeout=20_000)
    assert sum(tab.results.chart_a.series["Cells"]) > 0
    assert any(m[0] == "cells" for m in tab.results.metrics.records())


def test_a_file_too_large_is_refused_before_the_upload_starts(
        make_gui: GuiFactory, farm: Hub, qtbot: Any, tmp_path: Path) -> None:
    huge = tmp_path / "huge.v"
    with huge.open("wb") as handle:  # sparse: no disk space used
        handle.truncate(MAX_FILE_BYTES + 1)
    gui = make_gui("demo.engineer")
    tab = jobs_tab(gui, qtbot)
    jobs_before = len(farm.call("demo.engineer", "jobs.list", {}))
    dialog = tab.new_job("synth")
    assert isinstance(dialog, SubmitDialog)
    dialog.form.items["top"].widget.setText("adder")  # type: ignore[attr-defined]
    dialog.form.set_files("files", [huge])
    assert not ok(dialog).isEnabled()
    assert "at most" in dialog.form.fields["files"].error.text()
    dialog.accept()  # even forced, the dialog will not send
    assert dialog.isVisible()
    dialog.reject()
    assert len(farm.call("demo.engineer", "jobs.list", {})) == jobs_before


def test_the_instant_estimate_follows_the_array_size(make_gui: GuiFactory, farm: Hub,
                                                      qtbot: Any) -> None:
    gui = make_gui("demo.student")
    screen = gui.window.show_screen("jobs")
    screen.tabs.setCurrentIndex(1)
    tab = screen.pages["jobs.estimate"]
    assert isinstance(tab, ScaleSimEstimateTab)
    qtbot.waitUntil(lambda: bool(tab.estimates))
    small = sum(e.compute_cycles for e in tab.estimates)
    tab.rows.setValue(32)
    tab.cols.setValue(32)
    qtbot.waitUntil(lambda: tab.estimates and tab.estimates[0].array_rows == 32)
    large = sum(e.compute_cycles for e in tab.estimates)
    assert large < small
    assert f"{large:,}" in tab.total.text()


def test_run_a_pim_comparison_and_see_the_chart(make_gui: GuiFactory, farm: Hub,
                                                qtbot: Any) -> None:
    gui = make_gui("demo.student")
    screen = gui.window.show_screen("jobs")
    tab = screen.pages["jobs.pim"]
    assert isinstance(tab, PimSweepTab)
    tab.shapes.setText("256 x 256, 4096x4096, oops")
    assert not tab.run_button.isEnabled() and "oops" in tab.problem.text()
    tab.shapes.setText("256x256, 4096x4096")
    assert tab.run_button.isEnabled()
    tab.run()
    qtbot.waitUntil(lambda: len(tab.results) == 2, timeout=30_000)
    speedups = next(iter(tab.speedup_chart.series.values()))
    assert speedups[0] < 1.0 < speedups[1]  # small matrices lose to the host
    assert "compute" in tab.phase_chart.series


def test_the_engineer_cannot_see_someone_elses_job(make_gui: GuiFactory, farm: Hub,
                                                   qtbot: Any) -> None:
    gui = make_gui("demo.engineer")
    errors: list[Exception] = []
    gui.runner.call("jobs.list", failed=errors.append, everyone=True)
    qtbot.waitUntil(lambda: bool(errors))
    assert errors[0].code == "forbidden"  # type: ignore[attr-defined]


def test_scalesim_results_plot_cycles_and_utilisation_per_layer(qtbot: Any) -> None:
    """The results view on a real SCALE-Sim report set (reference run, copied)."""
    if "jobs.results" not in Hub.METHODS:
        pytest.skip("the farm Hub methods are not in this build")
    from datetime import UTC, datetime

    from desktop.screens.job_results import ResultsView
    from hub.api.farm import JobResults
    from remote.backends.scalesim.reports import parse_reports
    from remote.backends.scalesim.runner import to_run_result
    from remote.jobs.service import JobInfo

    report = parse_reports(FIXTURES / "scalesim_run")
    result = to_run_result(report)
    now = datetime.now(UTC)
    job = JobInfo(7, "gemm", "demo.student", "npu-scalesim", {}, {}, {}, "succeeded", "",
                  "success", None, None, 1, 0, "local", "1", now, now, now, now)
    view = ResultsView()
    qtbot.addWidget(view)
    view.show_results(job, JobResults(7, "succeeded", result))
    layers = len(report.layers)
    assert len(view.layers.records()) == layers
    assert view.chart_a.series["Compute cycles"] == [float(x.compute_cycles)
                                                     for x in report.layers]
    assert len(view.chart_b.series["Overall"]) == layers
    assert "success" in view.summary.text()


def test_a_job_state_this_build_does_not_know_reads_well_and_counts_as_active() -> None:
    from desktop.labels import state_label
    from desktop.screens.jobs import is_active

    assert state_label("handed_to_scheduler") == "handed to scheduler"
    assert state_label("accepted") == "accepted, not yet at the scheduler"
    assert is_active("handed_to_scheduler") and is_active("accepted") and is_active("running")
    assert not any(is_active(s) for s in ("succeeded", "failed", "cancelled"))
