"""Jobs: submit a job to a backend (a form from its input schema), the live job list, the log
that follows a running job, and the results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
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
from desktop.uploads import CHUNK, SendCancelled, SendControl, send_job

translate = QCoreApplication.translate
ENDED = frozenset({"succeeded", "failed", "cancelled"})


def is_active(state: str) -> bool:
    """Not finished: followed live and cancellable. A state this build does not know (a newer
    centre's, e.g. accepted but not yet handed to the scheduler) counts as active."""
    return state not in ENDED
LIVE_MS = 2000
LOG_MS = 1000


class SendSignals(QObject):
    """Carries the sender's reports from its worker thread to the GUI thread (queued)."""

    progress = Signal(str, int, int)
    waiting = Signal(str)
    resumed = Signal()


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
        self.sending.setObjectName("sendingStatus")
        self.sending.setWordWrap(True)
        self.stop_button = QPushButton(self.tr("Stop sending"), self)
        self.stop_button.setObjectName("stopSending")
        self.stop_button.setVisible(False)
        self.stop_button.clicked.connect(self.stop_sending)
        #: bytes per upload chunk (tests make it small to drop a connection mid-file)
        self.upload_chunk = CHUNK
        self._send_control: SendControl | None = None
        self._send_signals = SendSignals(self)
        self._send_signals.progress.connect(self._send_progress)
        self._send_signals.waiting.connect(self._send_waiting)
        self._send_signals.resumed.connect(self._send_resumed)
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
        bar.addWidget(self.stop_button)
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

    @property
    def is_sending(self) -> bool:
        return self._send_control is not None

    def send(self, backend: str, params: dict[str, Any], files: dict[str, Path],
             name: str) -> None:
        runner = self.ctx.runner
        if runner.client is None or self._send_control is not None:
            return
        signals = self._send_signals
        control = SendControl(
            client=lambda: runner.client,
            progress=signals.progress.emit,
            waiting=lambda exc, upload: signals.waiting.emit(upload),
            resumed=signals.resumed.emit,
            closing=lambda: runner.closing,
            chunk=self.upload_chunk)
        self._send_control = control
        self.stop_button.setEnabled(True)
        self.stop_button.setVisible(True)
        self.sending.setText(self.tr("Sending the job…"))
        runner.run(lambda: send_job(backend, params, files, control, name=name),
                   done=self._sent, failed=self._send_failed, owner=self)

    def stop_sending(self) -> None:
        """Stop the send in progress; its unfinished uploads are then discarded."""
        if self._send_control is None:
            return
        self._send_control.stop.set()
        self.stop_button.setEnabled(False)
        self.sending.setText(self.tr("Stopping…"))

    def _send_ended(self) -> None:
        self._send_control = None
        self.stop_button.setVisible(False)

    def _send_progress(self, upload: str, done: int, total: int) -> None:
        if self._send_control is None or self._send_control.stop.is_set():
            return
        percent = 100 if total == 0 else done * 100 // total
        self.sending.setText(self.tr("Sending {file}: {percent}%").format(
            file=upload, percent=percent))

    def _send_waiting(self, upload: str) -> None:
        if self._send_control is None or self._send_control.stop.is_set():
            return
        if upload:
            text = self.tr("The connection to the centre was lost while sending {file}. "
                           "Waiting for it to come back; sending will resume where it "
                           "stopped.").format(file=upload)
        else:
            text = self.tr("The connection to the centre was lost. Waiting for it to come "
                           "back; the job will be sent once.")
        self.sending.setText(text)

    def _send_resumed(self) -> None:
        if self._send_control is None or self._send_control.stop.is_set():
            return
        self.sending.setText(self.tr("Connected again: resuming…"))

    def _sent(self, job: Any) -> None:
        self._send_ended()
        self.sending.setText(self.tr("Job {job} submitted.").format(job=job.id))
        self.jobs.model.upsert(job)
        self.jobs.select_key(job.id)
        self.refresh()

    def _send_failed(self, exc: Exception) -> None:
        self._send_ended()
        if isinstance(exc, SendCancelled):
            if exc.job_id is None:
                self.sending.setText(self.tr("Sending stopped; nothing was sent."))
            else:
                self._abort_uploads(exc.job_id)
            return
        self.sending.setText("")
        self.show_error(exc)

    def _abort_uploads(self, job_id: int) -> None:
        """Discard the stopped draft's unfinished uploads (retried like every call)."""
        self.sending.setText(self.tr("Sending stopped; discarding the partial upload…"))

        def listed(pending: list[Any]) -> None:
            left = [up.upload_id for up in pending]
            if not left:
                self._aborted(job_id)
            for upload_id in left:
                self.call("jobs.upload_abort", aborted, failed=self._abort_failed,
                          job_id=job_id, upload_id=upload_id)

        def aborted(rest: list[Any]) -> None:
            if not rest:  # the last one: nothing unfinished is left
                self._aborted(job_id)

        self.call("jobs.uploads", listed, failed=self._abort_failed, job_id=job_id)

    def _aborted(self, job_id: int) -> None:
        self.sending.setText(self.tr("Sending stopped; job {job} was not submitted and its "
                                     "partial upload was discarded.").format(job=job_id))

    def _abort_failed(self, exc: Exception) -> None:
        self.sending.setText(self.tr("Sending stopped; the partial upload could not be "
                                     "discarded: {error}").format(error=str(exc)))

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
