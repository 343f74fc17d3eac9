"""A job's results: outcome and score, the autograder's tests, the metrics as a table and the
plots each backend calls for (SCALE-Sim per-layer cycles and utilisation, PIM against the host
baseline, synthesis cells by type)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from desktop.models import Column
from desktop.plots import Chart
from desktop.tables import RecordTable

translate = QCoreApplication.translate


def scalar_metrics(metrics: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in sorted(metrics.items())
            if isinstance(v, str | int | float | bool) or v is None]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


class ResultsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(translate("Results", "Choose a finished job to see its results."),
                              self)
        self.summary.setObjectName("resultsSummary")
        self.summary.setWordWrap(True)
        self.tests: RecordTable[Any] = RecordTable([
            Column(lambda: translate("Results", "Test"), lambda t: t.name),
            Column(lambda: translate("Results", "Status"), lambda t: t.status or ""),
            Column(lambda: translate("Results", "Score"), lambda t: t.score,
                   lambda t: "" if t.score is None else
                   f"{_fmt(t.score)} / {_fmt(t.max_score)}", numeric=True),
            Column(lambda: translate("Results", "Output"), lambda t: t.output),
        ], key=lambda t: t.name, filter_box=False, parent=self)
        self.metrics: RecordTable[tuple[str, Any]] = RecordTable([
            Column(lambda: translate("Results", "Metric"), lambda m: m[0]),
            Column(lambda: translate("Results", "Value"), lambda m: m[1],
                   lambda m: _fmt(m[1]), numeric=True),
        ], key=lambda m: m[0], filter_box=False, parent=self)
        self.layers: RecordTable[dict[str, Any]] = RecordTable([
            Column(lambda: translate("Results", "Layer"), lambda r: r.get("name")
                   or r.get("layer_id")),
            Column(lambda: translate("Results", "Total cycles"), lambda r: r.get("total_cycles"),
                   lambda r: _fmt(r.get("total_cycles")), numeric=True),
            Column(lambda: translate("Results", "Compute cycles"),
                   lambda r: r.get("compute_cycles"), lambda r: _fmt(r.get("compute_cycles")),
                   numeric=True),
            Column(lambda: translate("Results", "Compute utilisation %"),
                   lambda r: r.get("compute_util"), lambda r: _fmt(r.get("compute_util")),
                   numeric=True),
            Column(lambda: translate("Results", "Overall utilisation %"),
                   lambda r: r.get("overall_util"), lambda r: _fmt(r.get("overall_util")),
                   numeric=True),
        ], key=lambda r: (r.get("layer_id"), r.get("name")), filter_box=False, parent=self)
        self.chart_a = Chart(parent=self)
        self.chart_b = Chart(parent=self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.tests, translate("Results", "Tests"))
        self.tabs.addTab(self.metrics, translate("Results", "Metrics"))
        self.tabs.addTab(self.layers, translate("Results", "Layers"))
        charts = QSplitter(self)
        charts.addWidget(self.chart_a)
        charts.addWidget(self.chart_b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        split = QSplitter(self)
        split.setOrientation(Qt.Orientation.Vertical)
        split.addWidget(charts)
        split.addWidget(self.tabs)
        layout.addWidget(split, 1)

    def show_results(self, job: Any, results: Any) -> None:
        result = results.result
        grading = result.results
        score = "" if grading.score is None else translate("Results", " Score: {score}.").format(
            score=_fmt(grading.score))
        self.summary.setText(translate("Results", "Job {job} ({backend}): {outcome}.{score} "
                                       "{message}").format(job=job.id, backend=job.backend,
                                                           outcome=result.outcome,
                                                           score=score, message=result.message))
        self.tests.set_records(list(grading.tests))
        metrics = dict(result.metrics)
        self.metrics.set_records(scalar_metrics(metrics))
        layers = metrics.get("layers")
        self.layers.set_records(layers if isinstance(layers, list) else [])
        self.chart_a.clear()
        self.chart_b.clear()
        if isinstance(layers, list) and layers:
            self.plot_scalesim(layers)
        elif "cells_by_type" in metrics and isinstance(metrics["cells_by_type"], dict):
            self.plot_cells(metrics["cells_by_type"])
        elif any(k.endswith("speedup") for k in metrics):
            self.plot_pim(metrics)

    def plot_scalesim(self, layers: list[dict[str, Any]]) -> None:
        names = [str(r.get("name") or r.get("layer_id")) for r in layers]
        cycles = {translate("Results", "Compute cycles"):
                  [float(r.get("compute_cycles") or 0) for r in layers]}
        if all("analytical_compute_cycles" in r for r in layers):
            cycles[translate("Results", "Analytical model")] = [
                float(r["analytical_compute_cycles"]) for r in layers]
        self.chart_a.set_title(translate("Results", "Cycles per layer"))
        self.chart_a.bars(names, cycles)
        self.chart_b.set_title(translate("Results", "Utilisation per layer (%)"))
        self.chart_b.bars(names, {
            translate("Results", "Compute"): [float(r.get("compute_util") or 0) for r in layers],
            translate("Results", "Overall"): [float(r.get("overall_util") or 0) for r in layers]})

    def plot_cells(self, cells: dict[str, Any]) -> None:
        items = sorted(cells.items(), key=lambda kv: -float(kv[1]))[:30]
        self.chart_a.set_title(translate("Results", "Cells by type"))
        self.chart_a.bars([k for k, _ in items],
                          {translate("Results", "Cells"): [float(v) for _, v in items]})

    def plot_pim(self, metrics: dict[str, Any]) -> None:
        prefixes = sorted({k[: -len("speedup")] for k in metrics if k.endswith("speedup")})
        names = [str(metrics.get(f"{p}workload", p or "1")) for p in prefixes]
        self.chart_a.set_title(translate("Results", "PIM against the host baseline (cycles)"))
        self.chart_a.bars(names, {
            translate("Results", "Host"): [float(metrics.get(f"{p}non_pim_cycles", 0))
                                           for p in prefixes],
            translate("Results", "PIM"): [float(metrics.get(f"{p}pim_cycles", 0))
                                          for p in prefixes]})
        self.chart_b.set_title(translate("Results", "Speed-up"))
        self.chart_b.bars(names, {translate("Results", "Speed-up"):
                                  [float(metrics[f"{p}speedup"]) for p in prefixes]})
