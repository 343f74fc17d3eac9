"""Previews before spending farm time: SCALE-Sim's cycles from the analytical model as the
array size is edited, and a PIM comparison of GEMV across matrix shapes (speed-up against shape,
with the per-phase breakdown that explains why small matrices lose to the host)."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.paths import resources_dir
from desktop.labels import pim_phase_label
from desktop.models import Column
from desktop.plots import Chart
from desktop.screens.base import AppContext, Screen
from desktop.tables import RecordTable

translate = QCoreApplication.translate
ESTIMATE_DELAY_MS = 150
DEFAULT_SHAPES = "256x256, 512x512, 1024x1024, 2048x2048, 4096x4096, 8192x8192"
SHAPE_RE = re.compile(r"^\s*(\d+)\s*[x×*]\s*(\d+)\s*$")


def scalesim_config(template: str, rows: int, cols: int, dataflow: str) -> str:
    """The SCALE-Sim config text with the array size and dataflow replaced."""
    text = re.sub(r"(?mi)^(ArrayHeight\s*:\s*)\S+", rf"\g<1>{rows}", template)
    text = re.sub(r"(?mi)^(ArrayWidth\s*:\s*)\S+", rf"\g<1>{cols}", text)
    return re.sub(r"(?mi)^(Dataflow\s*:\s*)\S+", rf"\g<1>{dataflow}", text)


def parse_shapes(text: str) -> list[tuple[int, int]] | str:
    """``"256x256, 1024x512"`` → shapes, or a translated reason."""
    shapes = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = SHAPE_RE.match(part)
        if not match:
            return translate("Pim", "\"{part}\" is not rows x columns.").format(part=part)
        rows, cols = int(match.group(1)), int(match.group(2))
        if rows < 1 or cols < 1:
            return translate("Pim", "Shapes must be positive.")
        shapes.append((rows, cols))
    if not shapes:
        return translate("Pim", "Give at least one shape, such as 1024x1024.")
    if len(shapes) > 64:
        return translate("Pim", "Give at most 64 shapes.")
    return shapes


class ScaleSimEstimateTab(Screen):
    key = "jobs.estimate"
    methods = ("farm.scalesim_estimate",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        folder = resources_dir() / "scalesim"
        self.templates = {p.name: p for p in sorted(folder.glob("*.cfg"))}
        self.topologies = {p.name: p for p in sorted(folder.glob("*.csv"))}
        self.config_box = QComboBox(self)
        self.config_box.addItems(list(self.templates))
        self.topology_box = QComboBox(self)
        self.topology_box.addItems(list(self.topologies))
        self.rows = QSpinBox(self)
        self.cols = QSpinBox(self)
        for spin in (self.rows, self.cols):
            spin.setRange(1, 1024)
            spin.setValue(16)
        self.dataflow = QComboBox(self)
        for code, text in (("ws", self.tr("weight stationary")),
                           ("os", self.tr("output stationary")),
                           ("is", self.tr("input stationary"))):
            self.dataflow.addItem(text, code)
        self.total = QLabel(self)
        self.total.setObjectName("estimateTotal")
        self.total.setWordWrap(True)
        self.layers: RecordTable[Any] = RecordTable([
            Column(lambda: self.tr("Layer"), lambda e: e.name),
            Column(lambda: self.tr("Compute cycles"), lambda e: e.compute_cycles,
                   lambda e: f"{e.compute_cycles:,}", numeric=True),
            Column(lambda: self.tr("Folds"), lambda e: e.folds, numeric=True),
            Column(lambda: self.tr("MACs"), lambda e: e.macs, lambda e: f"{e.macs:,}",
                   numeric=True),
            Column(lambda: self.tr("Mapping efficiency %"), lambda e: e.mapping_efficiency,
                   lambda e: f"{e.mapping_efficiency:.1f}", numeric=True),
            Column(lambda: self.tr("Compute utilisation %"), lambda e: e.compute_utilization,
                   lambda e: f"{e.compute_utilization:.1f}", numeric=True),
        ], key=lambda e: e.name, filter_box=False, parent=self)
        self.cycles_chart = Chart(self.tr("Compute cycles per layer"), self)
        self.util_chart = Chart(self.tr("Utilisation per layer (%)"), self)
        form = QFormLayout()
        form.addRow(self.tr("Configuration"), self.config_box)
        form.addRow(self.tr("Topology"), self.topology_box)
        size = QHBoxLayout()
        size.addWidget(self.rows)
        size.addWidget(QLabel("×", self))
        size.addWidget(self.cols)
        form.addRow(self.tr("Array (rows × columns)"), size)
        form.addRow(self.tr("Dataflow"), self.dataflow)
        charts = QSplitter(self)
        charts.addWidget(self.cycles_chart)
        charts.addWidget(self.util_chart)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.total)
        layout.addWidget(charts, 2)
        layout.addWidget(self.layers, 1)
        self.estimates: list[Any] = []
        self._asked: tuple[Any, ...] | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(ESTIMATE_DELAY_MS)
        self._debounce.timeout.connect(self.estimate)
        self.config_box.currentIndexChanged.connect(self._template_chosen)
        for signal in (self.rows.valueChanged, self.cols.valueChanged,
                       self.dataflow.currentIndexChanged, self.topology_box.currentIndexChanged):
            signal.connect(lambda *_: self._debounce.start())
        self._template_chosen()

    def _template_chosen(self) -> None:
        path = self.templates.get(self.config_box.currentText())
        if path is None:
            return
        text = path.read_text(encoding="utf-8")
        for spin, key in ((self.rows, "ArrayHeight"), (self.cols, "ArrayWidth")):
            match = re.search(rf"(?mi)^{key}\s*:\s*(\d+)", text)
            if match:
                spin.blockSignals(True)
                spin.setValue(int(match.group(1)))
                spin.blockSignals(False)
        match = re.search(r"(?mi)^Dataflow\s*:\s*(\w+)", text)
        if match:
            self.dataflow.blockSignals(True)
            self.dataflow.setCurrentIndex(max(0, self.dataflow.findData(match.group(1))))
            self.dataflow.blockSignals(False)
        self._debounce.start()

    def refresh(self) -> None:
        if not self.estimates:
            self.estimate()

    def estimate(self) -> None:
        config_path = self.templates.get(self.config_box.currentText())
        topo_path = self.topologies.get(self.topology_box.currentText())
        if config_path is None or topo_path is None:
            return
        key = (config_path, topo_path, self.rows.value(), self.cols.value(),
               self.dataflow.currentData())
        self._asked = key
        config = scalesim_config(config_path.read_text(encoding="utf-8"), self.rows.value(),
                                 self.cols.value(), str(self.dataflow.currentData()))
        self.call("farm.scalesim_estimate", lambda est: self._estimated(key, est),
                  failed=lambda exc: self._failed(key, exc), config=config,
                  topology=topo_path.read_text(encoding="utf-8"))

    def _estimated(self, key: tuple[Any, ...], estimates: list[Any]) -> None:
        if key != self._asked:
            return
        self.estimates = estimates
        total = sum(e.compute_cycles for e in estimates)
        self.total.setText(self.tr("Estimated compute cycles on a {rows}×{cols} array: {total} "
                                   "(analytical model; SCALE-Sim itself may take minutes).")
                           .format(rows=self.rows.value(), cols=self.cols.value(),
                                   total=f"{total:,}"))
        self.layers.set_records(estimates)
        names = [e.name for e in estimates]
        self.cycles_chart.bars(names, {self.tr("Compute cycles"):
                                       [float(e.compute_cycles) for e in estimates]})
        self.util_chart.bars(names, {
            self.tr("Mapping efficiency"): [e.mapping_efficiency for e in estimates],
            self.tr("Compute utilisation"): [e.compute_utilization for e in estimates]})

    def _failed(self, key: tuple[Any, ...], exc: Exception) -> None:
        if key == self._asked:
            from desktop.messages import error_text

            self.total.setText(error_text(exc))


class PimSweepTab(Screen):
    key = "jobs.pim"
    methods = ("farm.pim_sweep",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.shapes = QLineEdit(DEFAULT_SHAPES, self)
        self.shapes.setObjectName("pimShapes")
        self.problem = QLabel(self)
        self.problem.setStyleSheet("color: #b00020;")
        self.run_button = QPushButton(self.tr("Compare"), self)
        self.run_button.clicked.connect(self.run)
        self.shapes.textChanged.connect(self._check)
        self.note = QLabel(self.tr("GEMV on the HBM-PIM preset against the host reading the "
                                   "same matrix. Choose a shape in the table to see where "
                                   "the cycles go."), self)
        self.note.setWordWrap(True)
        self.speedup_chart = Chart(self.tr("Speed-up against matrix shape"), self)
        self.phase_chart = Chart(self.tr("Cycles by phase"), self)
        self.reports: RecordTable[Any] = RecordTable([
            Column(lambda: self.tr("Workload"), lambda r: r.workload),
            Column(lambda: self.tr("Host cycles"), lambda r: r.non_pim.cycles,
                   lambda r: f"{r.non_pim.cycles:,}", numeric=True),
            Column(lambda: self.tr("PIM cycles"), lambda r: r.pim.cycles,
                   lambda r: f"{r.pim.cycles:,}", numeric=True),
            Column(lambda: self.tr("Speed-up"), lambda r: r.speedup,
                   lambda r: f"{r.speedup:.2f}", numeric=True),
            Column(lambda: self.tr("PIM utilisation"), lambda r: r.pim_utilisation,
                   lambda r: f"{r.pim_utilisation:.0%}", numeric=True),
        ], key=lambda r: r.workload, filter_box=False, parent=self)
        self.reports.selection_changed.connect(self._show_phases)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Shapes (rows x columns)"), self))
        row.addWidget(self.shapes, 1)
        row.addWidget(self.run_button)
        charts = QSplitter(Qt.Orientation.Horizontal, self)
        charts.addWidget(self.speedup_chart)
        charts.addWidget(self.phase_chart)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addWidget(self.note)
        layout.addWidget(charts, 2)
        layout.addWidget(self.reports, 1)
        self.results: list[Any] = []

    def _check(self) -> bool:
        shapes = parse_shapes(self.shapes.text())
        message = shapes if isinstance(shapes, str) else ""
        self.problem.setText(message)
        self.problem.setVisible(bool(message))
        self.run_button.setEnabled(not message)
        return not message

    def refresh(self) -> None:
        if not self.results and self._check():
            self.run()

    def run(self) -> None:
        shapes = parse_shapes(self.shapes.text())
        if isinstance(shapes, str):
            return
        self.run_button.setEnabled(False)
        self.call("farm.pim_sweep", self._compared,
                  failed=self._failed, shapes=[list(s) for s in shapes])

    def _failed(self, exc: Exception) -> None:
        self.run_button.setEnabled(True)
        self.show_error(exc)

    def _compared(self, reports: list[Any]) -> None:
        self.run_button.setEnabled(True)
        self.results = reports
        self.reports.set_records(reports)
        names = [r.workload.replace("GEMV ", "") for r in reports]
        self.speedup_chart.bars(names, {self.tr("Speed-up (host cycles / PIM cycles)"):
                                        [r.speedup for r in reports]})
        if reports:
            self.reports.view.selectRow(0)
            self._show_phases()

    def _show_phases(self) -> None:
        report = self.reports.selected()
        if report is None:
            return
        phases: dict[str, list[float]] = {}
        for column, side in enumerate((report.non_pim, report.pim)):
            for phase in side.phases:
                phases.setdefault(pim_phase_label(phase.phase), [0.0, 0.0])[column] = \
                    float(phase.cycles)
        self.phase_chart.set_title(self.tr("Cycles by phase: {workload}").format(
            workload=report.workload))
        self.phase_chart.stacked([self.tr("Host"), self.tr("PIM")], phases)
