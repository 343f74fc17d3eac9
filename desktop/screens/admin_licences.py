"""Admin tabs for the licence pools: pools and licence-file import, quotas, everyone's seats and
bookings, the generated options file, and reconciliation against ``lmstat -a``."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.forms import FormDialog
from desktop.labels import period_label, quota_scope_text
from desktop.models import Column
from desktop.screens.base import AppContext, Screen
from desktop.tables import RecordTable
from desktop.timefmt import local_text

translate = QCoreApplication.translate
MAX_LICENCE_FILE = 4 << 20


def optional_number(text: str) -> float | str | None:
    """Empty → None; a number → it; else the text (the form reports it)."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def pool_columns() -> list[Column[Any]]:
    return [
        Column(lambda: translate("AdminPools", "Tool"), lambda p: p.feature),
        Column(lambda: translate("AdminPools", "Label"), lambda p: p.label),
        Column(lambda: translate("AdminPools", "Kind"), lambda p: p.kind),
        Column(lambda: translate("AdminPools", "Vendor"), lambda p: p.vendor or ""),
        Column(lambda: translate("AdminPools", "Server"), lambda p: p.server or ""),
        Column(lambda: translate("AdminPools", "Seats"), lambda p: p.seats, numeric=True),
        Column(lambda: translate("AdminPools", "In use"), lambda p: p.in_use, numeric=True),
        Column(lambda: translate("AdminPools", "Expires"), lambda p: p.expiry,
               lambda p: local_text(p.expiry)),
        Column(lambda: translate("AdminPools", "Seats per lease"),
               lambda p: p.max_seats_per_lease, numeric=True),
        Column(lambda: translate("AdminPools", "Hours per lease"), lambda p: p.max_lease_hours,
               numeric=True),
        Column(lambda: translate("AdminPools", "Approval"), lambda p: p.approval_required,
               lambda p: translate("AdminPools", "needed") if p.approval_required else ""),
        Column(lambda: translate("AdminPools", "State"), lambda p: p.suspended,
               lambda p: translate("AdminPools", "suspended") if p.suspended
               else translate("AdminPools", "active")),
    ]


class PoolsTab(Screen):
    key = "admin.pools"
    methods = ("pools.list",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.table: RecordTable[Any] = RecordTable(pool_columns(), key=lambda p: p.id,
                                                   parent=self)
        self.import_button = QPushButton(self.tr("Import a licence file…"), self)
        self.add_button = QPushButton(self.tr("Add a local pool…"), self)
        self.edit_button = QPushButton(self.tr("Edit…"), self)
        self.import_button.clicked.connect(lambda: self.import_file())
        self.add_button.clicked.connect(self.add_pool)
        self.edit_button.clicked.connect(self.edit_pool)
        for button, method in ((self.import_button, "licensing.import_flexlm"),
                               (self.add_button, "pools.add_local"),
                               (self.edit_button, "pools.update")):
            button.setVisible(ctx.may(method))
        self.page_layout([self.import_button, self.add_button, self.edit_button], self.table)

    def refresh(self) -> None:
        self.call("pools.list", self.table.set_records)

    def import_file(self, path: Path | None = None) -> ImportDialog | None:
        if path is None:
            name, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a FlexLM licence file"),
                                                  "", self.tr("Licence files (*.lic *.dat "
                                                              "*.txt);;All files (*)"))
            if not name:
                return None
            path = Path(name)
        dialog = ImportDialog(self, path, self.call)
        dialog.accepted.connect(lambda: self.call(
            "licensing.import_flexlm", lambda result: self._imported(dialog, result),
            text=dialog.text, source=path.name))
        dialog.open()
        return dialog

    def _imported(self, dialog: ImportDialog, result: Any) -> None:
        dialog.imported(result)
        self.refresh()

    def add_pool(self) -> None:
        self.submit_dialog(AddPoolDialog(self), "pools.add_local", self.table.model.upsert)

    def edit_pool(self) -> None:
        pool = self.table.selected()
        if pool is not None:
            self.submit_dialog(EditPoolDialog(pool, self), "pools.update",
                               self.table.model.upsert, pool_id=pool.id)


class ImportDialog(QDialog):
    """Shows what the centre would do with a licence file (its dry run: each pool created or
    updated, every error with its line) before anything is imported; then what the import did.
    """

    def __init__(self, parent: QWidget, path: Path,
                 call: Callable[..., None] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import {name}").format(name=path.name))
        self.path = path
        self.summary = QLabel(self)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.changes: RecordTable[Any] = RecordTable([
            Column(lambda: self.tr("Change"), lambda c: c.action,
                   lambda c: self.tr("new pool") if c.action == "create"
                   else self.tr("update")),
            Column(lambda: self.tr("Tool"), lambda c: c.feature),
            Column(lambda: self.tr("Vendor"), lambda c: c.vendor),
            Column(lambda: self.tr("Version"), lambda c: c.version),
            Column(lambda: self.tr("Seats"), lambda c: c.seats, self._seats_text,
                   numeric=True),
            Column(lambda: self.tr("Expires"), lambda c: c.expiry,
                   lambda c: local_text(c.expiry) if c.expiry else self.tr("permanent")),
            Column(lambda: self.tr("Lines"), lambda c: c.lines[0] if c.lines else 0,
                   lambda c: ", ".join(str(n) for n in c.lines), numeric=True),
        ], key=lambda c: (c.feature, c.version, c.lines), filter_box=False, parent=self)
        self.problems: RecordTable[Any] = RecordTable([
            Column(lambda: self.tr("Line"), lambda e: e.line,
                   lambda e: str(e.line) if e.line else "—", numeric=True),
            Column(lambda: self.tr("Problem"), lambda e: e.message),
        ], key=lambda e: (e.line, e.message), filter_box=False, parent=self)
        self.problems.setObjectName("importProblems")
        self.problems.activated.connect(self._show_line)
        self.source = QPlainTextEdit(self)
        self.source.setReadOnly(True)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.changes, self.tr("What it would change"))
        self.tabs.addTab(self.problems, self.tr("Problems"))
        self.tabs.addTab(self.source, self.tr("The file"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Import"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.resize(820, 540)
        self.text = ""
        self.preview: Any = None
        self.result: Any = None
        self._call = call
        self.load(path)

    def _seats_text(self, change: Any) -> str:
        if change.seats_before is None or change.seats_before == change.seats:
            return str(change.seats)
        return self.tr("{before} → {after}").format(before=change.seats_before,
                                                    after=change.seats)

    def load(self, path: Path) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        try:
            size = path.stat().st_size
            if size > MAX_LICENCE_FILE:
                raise ValueError(self.tr("The file is {size} bytes; a licence file is at most "
                                         "4 MB.").format(size=size))
            self.text = path.read_text(encoding="utf-8", errors="replace")
        except (OSError, ValueError) as exc:
            self.summary.setText(str(exc))
            return
        self.source.setPlainText(self.text)
        if self._call is None:
            self.summary.setText(self.tr("The centre checks the whole file and imports all of "
                                         "it or nothing."))
            ok.setEnabled(True)
            return
        self.summary.setText(self.tr("Asking the centre what this file would change…"))
        self._call("licensing.import_flexlm", self.previewed, failed=self._preview_failed,
                   text=self.text, source=path.name, dry_run=True)

    def previewed(self, preview: Any) -> None:
        self.preview = preview
        self.changes.set_records(list(preview.changes))
        self.problems.set_records(list(preview.errors))
        created = sum(1 for c in preview.changes if c.action == "create")
        updated = len(preview.changes) - created
        lines = []
        if preview.ok:
            lines.append(self.tr("Importing would add {created} pool(s) and update {updated}. "
                                 "Nothing has been written yet.").format(created=created,
                                                                         updated=updated))
        else:
            lines.append(self.tr("The centre would refuse this file ({count} problem(s)); "
                                 "nothing can be imported until it is fixed.").format(
                count=len(preview.errors)))
            self.tabs.setCurrentWidget(self.problems)
        lines += list(preview.warnings)
        self.summary.setText("\n".join(lines))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(preview.ok and preview.changes))

    def _preview_failed(self, exc: Exception) -> None:
        from desktop.messages import error_text

        self.summary.setText(error_text(exc))

    def _show_line(self, problem: Any) -> None:
        if not problem.line:
            return
        block = self.source.document().findBlockByLineNumber(problem.line - 1)
        cursor = self.source.textCursor()
        cursor.setPosition(block.position())
        self.source.setTextCursor(cursor)
        self.tabs.setCurrentWidget(self.source)
        self.source.centerCursor()

    def imported(self, result: Any) -> None:
        self.result = result
        parent = self.parentWidget()
        lines = [translate("AdminPools", "Imported: {added} pool(s) added, {updated} updated; "
                           "features: {features}.").format(
            added=result.pools_added, updated=result.pools_updated,
            features=", ".join(result.features_added) or "—")]
        lines += list(result.warnings)
        if parent is not None:
            from PySide6.QtWidgets import QMessageBox

            box = QMessageBox(QMessageBox.Icon.Information,
                              translate("AdminPools", "Licence file imported"), "\n".join(lines),
                              QMessageBox.StandardButton.Ok, parent)
            box.setObjectName("importResult")
            box.open()


class AddPoolDialog(FormDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add a local pool"))
        self.feature = QLineEdit(self)
        self.form.add("feature", self.tr("Name"), self.feature, self._check_name)
        self.label = QLineEdit(self)
        self.form.add("label", self.tr("Label"), self.label)
        self.seats = QSpinBox(self)
        self.seats.setRange(1, 100_000)
        self.form.add("seats", self.tr("Seats"), self.seats)
        self.per_lease = QSpinBox(self)
        self.per_lease.setRange(1, 1000)
        self.form.add("max_seats_per_lease", self.tr("Seats per lease"), self.per_lease,
                      lambda v: self.tr("A lease cannot take more seats than the pool has.")
                      if v > self.seats.value() else None)
        self.hours = QDoubleSpinBox(self)
        self.hours.setRange(0.25, 720)
        self.hours.setValue(12.0)
        self.form.add("max_lease_hours", self.tr("Hours per lease"), self.hours)
        self.finish()

    def _check_name(self, value: str) -> str | None:
        if not value:
            return self.tr("Give the pool a name.")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", value):
            return self.tr("A name uses letters, digits, dot, underscore and hyphen.")
        return None


class EditPoolDialog(FormDialog):
    def __init__(self, pool: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Edit {pool}").format(pool=pool.feature))
        self.seats = QSpinBox(self)
        self.seats.setRange(0, 100_000)
        self.seats.setValue(pool.seats)
        self.form.add("seats", self.tr("Seats"), self.seats,
                      lambda v: self.tr("{used} seats are in use; the pool cannot shrink "
                                        "below that.").format(used=pool.in_use)
                      if v < pool.in_use else None)
        self.per_lease = QSpinBox(self)
        self.per_lease.setRange(1, 1000)
        self.per_lease.setValue(pool.max_seats_per_lease)
        self.form.add("max_seats_per_lease", self.tr("Seats per lease"), self.per_lease)
        self.hours = QDoubleSpinBox(self)
        self.hours.setRange(0.25, 720)
        self.hours.setValue(pool.max_lease_hours)
        self.form.add("max_lease_hours", self.tr("Hours per lease"), self.hours)
        self.approval = QCheckBox(self)
        self.approval.setChecked(pool.approval_required)
        self.form.add("approval_required", self.tr("Bookings need approval"), self.approval)
        self.suspended = QCheckBox(self)
        self.suspended.setChecked(pool.suspended)
        self.form.add("suspended", self.tr("Suspended"), self.suspended)
        self.finish()


class QuotasTab(Screen):
    key = "admin.quotas"
    methods = ("quotas.list",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.table: RecordTable[Any] = RecordTable([
            Column(lambda: self.tr("Applies to"), lambda q: f"{q.scope}: {q.subject}",
                   lambda q: quota_scope_text(q.scope, q.subject)),
            Column(lambda: self.tr("Tool"), lambda q: q.feature or self.tr("all tools")),
            Column(lambda: self.tr("Seats at once"), lambda q: q.max_concurrent,
                   lambda q: "" if q.max_concurrent is None else str(q.max_concurrent),
                   numeric=True),
            Column(lambda: self.tr("Seat-hours"), lambda q: q.seat_hours,
                   lambda q: "" if q.seat_hours is None else f"{q.seat_hours:g}", numeric=True),
            Column(lambda: self.tr("Per"), lambda q: q.period, lambda q: period_label(q.period)),
            Column(lambda: self.tr("Reserved seats"), lambda q: q.reserved_share, numeric=True),
        ], key=lambda q: q.id, parent=self)
        self.set_button = QPushButton(self.tr("Set a quota…"), self)
        self.delete_button = QPushButton(self.tr("Delete"), self)
        self.set_button.clicked.connect(self.set_quota)
        self.delete_button.clicked.connect(self.delete_quota)
        self.set_button.setVisible(ctx.may("quotas.set"))
        self.delete_button.setVisible(ctx.may("quotas.delete"))
        self.page_layout([self.set_button, self.delete_button], self.table)

    def refresh(self) -> None:
        self.call("quotas.list", self.table.set_records)

    def set_quota(self) -> QuotaDialog:
        dialog = QuotaDialog(self)
        self.submit_dialog(dialog, "quotas.set", self.table.model.upsert)
        return dialog

    def delete_quota(self) -> None:
        quota = self.table.selected()
        if quota is not None:
            self.call("quotas.delete", lambda _: self.refresh(), quota_id=quota.id)


class QuotaDialog(FormDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Set a quota"))
        self.scope = QComboBox(self)
        for code, text in (("org_kind", self.tr("every organisation of a kind")),
                           ("org", self.tr("one organisation")), ("course", self.tr("a course"))):
            self.scope.addItem(text, code)
        self.form.add("scope", self.tr("Applies to"), self.scope)
        self.subject = QLineEdit(self)
        self.subject.setPlaceholderText(self.tr("startup, an organisation code or a course"))
        self.form.add("subject", self.tr("Which"), self.subject,
                      lambda v: None if v else self.tr("Say which organisations or course."))
        self.feature = QLineEdit(self)
        self.feature.setPlaceholderText(self.tr("empty: all tools"))
        self.form.add("feature", self.tr("Tool"), self.feature,
                      read=lambda: self.feature.text().strip() or None)
        self.concurrent = QLineEdit(self)
        self.form.add("max_concurrent", self.tr("Seats at once"), self.concurrent,
                      self._check_count, read=lambda: optional_number(self.concurrent.text()))
        self.hours = QLineEdit(self)
        self.form.add("seat_hours", self.tr("Seat-hours per period"), self.hours,
                      self._check_hours, read=lambda: optional_number(self.hours.text()))
        self.period = QComboBox(self)
        for code, text in (("month", self.tr("month")), ("term", self.tr("term")),
                           ("none", self.tr("no period"))):
            self.period.addItem(text, code)
        self.form.add("period", self.tr("Period"), self.period)
        self.finish()

    def _check_count(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, str) or value < 0 or value != int(value):
            return self.tr("Give a whole number of seats, or leave it empty.")
        return None

    def _check_hours(self, value: Any) -> str | None:
        if value is None:
            if self.concurrent.text().strip() == "":
                return self.tr("Give seats at once, seat-hours, or both.")
            return None
        if isinstance(value, str) or value < 0:
            return self.tr("Give a number of hours, or leave it empty.")
        return None

    def params(self) -> dict[str, Any]:
        values = self.form.values()
        if values["max_concurrent"] is not None:
            values["max_concurrent"] = int(values["max_concurrent"])
        return values


class SeatsTab(Screen):
    """Everyone's seats (force release) and bookings waiting for approval."""

    key = "admin.seats"
    methods = ("leases.force_release", "reservations.decide")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.leases: RecordTable[Any] = RecordTable([
            Column(lambda: self.tr("Lease"), lambda x: x.id, numeric=True),
            Column(lambda: self.tr("Tool"), lambda x: x.feature),
            Column(lambda: self.tr("Who"), lambda x: x.user),
            Column(lambda: self.tr("Organisation"), lambda x: x.org),
            Column(lambda: self.tr("Seats"), lambda x: x.seats, numeric=True),
            Column(lambda: self.tr("Since"), lambda x: x.started_at,
                   lambda x: local_text(x.started_at)),
            Column(lambda: self.tr("Ends"), lambda x: x.ends_by, lambda x: local_text(x.ends_by)),
        ], key=lambda x: x.id, parent=self)
        self.bookings: RecordTable[Any] = RecordTable([
            Column(lambda: self.tr("Booking"), lambda x: x.id, numeric=True),
            Column(lambda: self.tr("Tool"), lambda x: x.feature),
            Column(lambda: self.tr("Who"), lambda x: x.user),
            Column(lambda: self.tr("Seats"), lambda x: x.seats, numeric=True),
            Column(lambda: self.tr("From"), lambda x: x.starts_at,
                   lambda x: local_text(x.starts_at)),
            Column(lambda: self.tr("Until"), lambda x: x.ends_at, lambda x: local_text(x.ends_at)),
            Column(lambda: self.tr("Note"), lambda x: x.note),
        ], key=lambda x: x.id, filter_box=False, parent=self)
        release = QPushButton(self.tr("Release the seat"), self)
        release.clicked.connect(self.force_release)
        approve = QPushButton(self.tr("Approve"), self)
        reject = QPushButton(self.tr("Reject"), self)
        approve.clicked.connect(lambda: self.decide(True))
        reject.clicked.connect(lambda: self.decide(False))
        split = QSplitter(self)
        for title, buttons, table in ((self.tr("Seats in use"), [release], self.leases),
                                      (self.tr("Bookings waiting for approval"),
                                       [approve, reject], self.bookings)):
            box = QWidget(split)
            inner = QVBoxLayout(box)
            inner.addWidget(QLabel(title, box))
            row = QHBoxLayout()
            for b in buttons:
                row.addWidget(b)
            row.addStretch(1)
            inner.addLayout(row)
            inner.addWidget(table, 1)
            split.addWidget(box)
        layout = QVBoxLayout(self)
        layout.addWidget(split)

    def refresh(self) -> None:
        self.call("leases.list", self.leases.set_records, everyone=True)
        self.call("reservations.list", lambda rows: self.bookings.set_records(
            [r for r in rows if r.status == "pending"]), everyone=True)

    def force_release(self) -> None:
        lease = self.leases.selected()
        if lease is not None:
            self.call("leases.force_release", lambda _: self.refresh(), lease_id=lease.id,
                      reason="released by an admin from the desktop")

    def decide(self, approve: bool) -> None:
        booking = self.bookings.selected()
        if booking is not None:
            self.call("reservations.decide", lambda _: self.refresh(),
                      reservation_id=booking.id, approve=approve)


class OptionsFileTab(Screen):
    key = "admin.options"
    methods = ("licensing.options_file", "pools.list")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.vendor = QComboBox(self)
        self.vendor.setEditable(True)
        self.preview_button = QPushButton(self.tr("Preview"), self)
        self.save_button = QPushButton(self.tr("Save as…"), self)
        self.preview_button.clicked.connect(self.preview)
        self.save_button.clicked.connect(self.save)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("optionsText")
        self.text.setReadOnly(True)
        self.note = QLabel(self.tr("Generated from quotas, bookings, suspensions and "
                                   "eligibility. Install it beside the vendor daemon and run "
                                   "lmreread."), self)
        self.note.setWordWrap(True)
        self.page_layout([self.preview_button, self.save_button], self.vendor, self.note,
                         self.text)

    def refresh(self) -> None:
        self.call("pools.list", self._vendors)

    def _vendors(self, pools: list[Any]) -> None:
        current = self.vendor.currentText()
        vendors = sorted({p.vendor for p in pools if p.vendor})
        self.vendor.clear()
        self.vendor.addItems(vendors)
        if current:
            self.vendor.setCurrentText(current)

    def preview(self) -> None:
        vendor = self.vendor.currentText().strip()
        if vendor:
            self.call("licensing.options_file", self.text.setPlainText, vendor=vendor)

    def save(self) -> None:
        if not self.text.toPlainText():
            return
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Save the options file"),
                                              f"{self.vendor.currentText()}.opt")
        if name:
            Path(name).write_text(self.text.toPlainText(), encoding="utf-8")


class ReconcileTab(Screen):
    key = "admin.reconcile"
    methods = ("licensing.reconcile",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.input = QPlainTextEdit(self)
        self.input.setPlaceholderText(self.tr("Paste the output of lmstat -a here, or load "
                                              "a file."))
        self.load_button = QPushButton(self.tr("Load a file…"), self)
        self.run_button = QPushButton(self.tr("Reconcile"), self)
        self.load_button.clicked.connect(lambda: self.load())
        self.run_button.clicked.connect(self.reconcile)
        self.summary = QLabel(self)
        self.summary.setObjectName("reconcileSummary")
        self.summary.setWordWrap(True)
        self.unleased: RecordTable[Any] = RecordTable([
            Column(lambda: self.tr("Tool"), lambda u: u.feature),
            Column(lambda: self.tr("Who"), lambda u: u.user),
            Column(lambda: self.tr("Seats used"), lambda u: u.seats, numeric=True),
            Column(lambda: self.tr("Seats leased"), lambda u: u.leased_seats, numeric=True),
            Column(lambda: self.tr("Hosts"), lambda u: ", ".join(sorted({c.host for c in
                                                                        u.checkouts}))),
        ], key=lambda u: (u.feature, u.user), filter_box=False, parent=self)
        self.idle: RecordTable[Any] = RecordTable([
            Column(lambda: self.tr("What"), lambda i: i[0]),
            Column(lambda: self.tr("Tool"), lambda i: i[1]),
            Column(lambda: self.tr("Who"), lambda i: i[2]),
            Column(lambda: self.tr("Seats idle"), lambda i: i[3], numeric=True),
        ], key=lambda i: i, filter_box=False, parent=self)
        tabs = QTabWidget(self)
        tabs.addTab(self.unleased, self.tr("Used without a lease"))
        tabs.addTab(self.idle, self.tr("Leased or booked but idle"))
        split = QSplitter(self)
        split.addWidget(self.input)
        split.addWidget(tabs)
        self.page_layout([self.load_button, self.run_button], self.summary, split)

    def load(self, path: Path | None = None) -> None:
        if path is None:
            name, _ = QFileDialog.getOpenFileName(self, self.tr("Choose lmstat output"))
            if not name:
                return
            path = Path(name)
        self.input.setPlainText(path.read_text(encoding="utf-8", errors="replace"))

    def reconcile(self) -> None:
        text = self.input.toPlainText()
        if not text.strip():
            self.summary.setText(self.tr("Paste or load lmstat output first."))
            return
        self.call("licensing.reconcile", self.show_report, lmstat=text)

    def show_report(self, report: Any) -> None:
        self.summary.setText(self.tr("{matched} lease(s) match the server. {unleased} seat(s) "
                                     "are used without a lease; {idle} lease(s) and {booked} "
                                     "booking(s) sit idle.").format(
            matched=len(report.matched), unleased=report.seats_without_lease,
            idle=len(report.idle_leases), booked=len(report.idle_reservations)))
        self.unleased.set_records(list(report.unleased))
        rows = [(self.tr("lease"), i.lease.feature, i.lease.user, i.lease.seats)
                for i in report.idle_leases]
        rows += [(self.tr("booking"), r.reservation.feature, r.reservation.owner,
                  max(0, r.reservation.seats - r.seats_in_use))
                 for r in report.idle_reservations]
        self.idle.set_records(rows)
