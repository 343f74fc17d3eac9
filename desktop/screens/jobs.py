"""Jobs: submit a job to a backend (a form from its input schema), the live job list, the log
that follows a running job, and the results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.labels import state_label
from desktop.models import Column
from desktop.schema_form import SchemaForm
from desktop.screens.base import AppContext, Screen
from desktop.screens.farm_previews import PimSweepTab, ScaleSimEstimateTab
from desktop.screens.job_results import ResultsView
from desktop.screens.tabbed import TabbedScreen
from desktop.tables import RecordTable
from desktop.timefmt import local_text
from desktop.uploads import send_job

translate = QCoreApplication.translate
ENDED = frozenset({"succeeded", "failed", "cancelled"})


def is_active(state: str) -> bool:
    """Not finished: followed live and cancellable. A state this build does not know (a newer
    centre's, e.g. accepted but not yet handed to the scheduler) counts as active."""
    return state not in ENDED
LIVE_MS = 2000
LOG_MS = 1000


def job_columns() -> list[Column[Any]]:
    return [
        Column(lambda: translate("JobsTab", "Job"), lambda j: j.id, numeric=True),
        Column(lambda: translate("JobsTab", "Name"), lambda j: j.name),
        Column(lambda: translate("JobsTab", "Backend"), lambda j: j.backend),
        Column(lambda: translate("JobsTab", "State"), lambda j: j.state,
               lambda j: state_label(j.state)),
        Column(lambda: translate("JobsTab", "Outcome"), lambda j: j.outcome or "",
               lambda j: state_label(j.outcome)),
        Column(lambda: translate("JobsTab", "Score"), lambda j: j.score,
               lambda j: "" if j.score is None else f"{j.score:g} / {j.max_score or 0:g}",
               numeric=True),
        Column(lambda: translate("JobsTab", "Submitted"), lambda j: j.submitted_at,
               lambda j: local_text(j.submitted_at)),
        Column(lambda: translate("JobsTab", "Reason"), lambda j: j.reason),
    ]


class SubmitDialog(QDialog):
    """The form of one backend: its parameters, its input files, a name."""

    def __init__(self, backend: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.setWindowTitle(translate("Jobs", "New {backend} job").format(
            backend=backend.title or backend.name))
        self.name = QLineEdit(self)
        self.name.setPlaceholderText(translate("Jobs", "A name for the job (optional)"))
        self.form = SchemaForm(backend.schema, self)
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        area.setWidget(self.form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            translate("Jobs", "Submit"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.form.validity_changed.connect(ok.setEnabled)
        ok.setEnabled(self.form.revalidate())
        layout = QVBoxLayout(self)
        layout.addWidget(self.name)
        layout.addWidget(area, 1)
        layout.addWidget(self.buttons)
        self.resize(560, 520)

    def accept(self) -> None:
        if self.form.revalidate():
            super().accept()

    def request(self) -> tuple[str, dict[str, Any], dict[str, Path], str]:
        return (self.backend.name, self.form.params(), self.form.files(),
                self.name.text().strip())


class JobsTab(Screen):
    key = "jobs.list"
    methods = ("jobs.list", "jobs.backends", "jobs.create", "jobs.submit", "jobs.log",
               "jobs.results")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.backends: list[Any] = []
        self.backend_box = QComboBox(self)
        self.backend_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.new_button = QPushButton(self.tr("New job…"), self)
        self.new_button.clicked.connect(lambda: self.new_job())
        self.cancel_button = QPushButton(self.tr("Cancel job"), self)
        self.cancel_button.clicked.connect(self.cancel_job)
        self.sending = QLabel(self)
        self.jobs: RecordTable[Any] = RecordTable(job_columns(), key=lambda j: j.id,
                                                  parent=self)
        self.jobs.setObjectName("jobsTable")
        self.jobs.proxy.sort(0, Qt.SortOrder.DescendingOrder)
        self.jobs.selection_changed.connect(self._job_selected)
        self.log = QPlainTextEdit(self)
        self.log.setObjectName("jobLog")
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(20000)
        self.results = ResultsView(self)
        self.detail = QTabWidget(self)
        self.detail.addTab(self.log, self.tr("Log"))
        self.detail.addTab(self.results, self.tr("Results"))
        self._log_job: int | None = None
        self._log_offset = 0
        self._log_busy = False
        self._shown_results: int | None = None
        self.live = QTimer(self)
        self.live.setInterval(LIVE_MS)
        self.live.timeout.connect(self._live_tick)
        self.follow = QTimer(self)
        self.follow.setInterval(LOG_MS)
        self.follow.timeout.connect(self._read_log)
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.page_layout([], top)
        bar = QHBoxLayout()
        bar.addWidget(self.backend_box)
        bar.addWidget(self.new_button)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.sending, 1)
        top_layout.addLayout(bar)
        split = QSplitter(self)
        split.setOrientation(Qt.Orientation.Vertical)
        split.addWidget(self.jobs)
        split.addWidget(self.detail)
        top_layout.addWidget(split, 1)

    # -- live updates -----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.live.start()
        if self._log_job is not None:
            self.follow.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self.live.stop()
        self.follow.stop()
        super().hideEvent(event)

    def refresh(self) -> None:
        if not self.backends:
            self.call("jobs.backends", self._backends_loaded)
        self.call("jobs.list", self._jobs_loaded)

    def _live_tick(self) -> None:
        if any(is_active(j.state) for j in self.jobs.records()):
            self.call("jobs.list", self._jobs_loaded, failed=lambda _: None)

    def _backends_loaded(self, backends: list[Any]) -> None:
        self.backends = backends
        self.backend_box.clear()
        for b in backends:
            self.backend_box.addItem(b.title or b.name, b.name)

    def _jobs_loaded(self, jobs: list[Any]) -> None:
        self.jobs.set_records(jobs)
        job = self.jobs.selected()
        if job is not None and job.state in ENDED and self._shown_results != job.id:
            self._load_results(job)

    # -- submitting -------------------------------------------------------------------------------

    def backend(self, name: str) -> Any:
        return next(b for b in self.backends if b.name == name)

    def new_job(self, name: str | None = None) -> SubmitDialog | None:
        chosen = name or self.backend_box.currentData()
        if chosen is None:
            return None
        dialog = SubmitDialog(self.backend(chosen), self)
        dialog.accepted.connect(lambda: self.send(*dialog.request()))
        dialog.open()
        return dialog

    def send(self, backend: str, params: dict[str, Any], files: dict[str, Path],
             name: str) -> None:
        client = self.ctx.runner.client
        if client is None:
            return
        self.sending.setText(self.tr("Sending the job…"))
        self.ctx.runner.run(lambda: send_job(client, backend, params, files, name=name),
                            done=self._sent, failed=self._send_failed, owner=self)

    def _sent(self, job: Any) -> None:
        self.sending.setText(self.tr("Job {job} submitted.").format(job=job.id))
        self.jobs.model.upsert(job)
        self.jobs.select_key(job.id)
        self.refresh()

    def _send_failed(self, exc: Exception) -> None:
        self.sending.setText("")
        self.show_error(exc)

    def cancel_job(self) -> None:
        job = self.jobs.selected()
        if job is not None and is_active(job.state):
            self.call("jobs.cancel", self.jobs.model.upsert, job_id=job.id)

    # -- log and results --------------------------------------------------------------------------

    def _job_selected(self) -> None:
        job = self.jobs.selected()
        if job is None or job.id == self._log_job:
            return
        self._log_job, self._log_offset = job.id, 0
        self.log.clear()
        self._read_log()
        if self.isVisible():
            self.follow.start()
        if job.state in ENDED:
            self._load_results(job)

    def _read_log(self) -> None:
        job_id = self._log_job
        if job_id is None or self._log_busy:
            return
        self._log_busy = True
        self.call("jobs.log", lambda chunk: self._log_read(job_id, chunk),
                  failed=lambda _: self._log_done(), job_id=job_id, offset=self._log_offset)

    def _log_done(self) -> None:
        self._log_busy = False

    def _log_read(self, job_id: int, chunk: Any) -> None:
        self._log_busy = False
        if job_id != self._log_job:
            return
        if chunk.text:
            cursor = self.log.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(chunk.text)
            self.log.setTextCursor(cursor)
        self._log_offset = chunk.next_offset
        if chunk.eof:
            self.follow.stop()
        elif chunk.next_offset > chunk.offset:
            QTimer.singleShot(0, self, self._read_log)  # more is waiting: read on

    def _load_results(self, job: Any) -> None:
        self._shown_results = job.id
        self.call("jobs.results", lambda r: self.results.show_results(job, r),
                  failed=lambda _: None, job_id=job.id)


class JobsScreen(TabbedScreen):
    key = "jobs"
    methods = ("jobs.list",)

    @classmethod
    def title(cls) -> str:
        return translate("Navigation", "Jobs")

    @classmethod
    def tab_classes(cls) -> list[tuple[type[Screen], str]]:
        return [(JobsTab, translate("Jobs", "Jobs")),
                (ScaleSimEstimateTab, translate("Jobs", "SCALE-Sim estimate")),
                (PimSweepTab, translate("Jobs", "PIM comparison"))]
