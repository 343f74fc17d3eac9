"""Licences: pools with availability bars, my seats and queue places, a pool's holders, and a
week calendar of bookings where dragging books seats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.errors import ChipError
from desktop.availability_bar import AvailabilityDelegate, availability_text
from desktop.labels import state_label
from desktop.messages import error_text, error_title
from desktop.models import Column
from desktop.screens.base import AppContext, Screen
from desktop.screens.licence_dialogs import CheckoutDialog, QueueDialog, ReserveDialog
from desktop.screens.week_calendar import WeekCalendar
from desktop.tables import RecordTable
from desktop.timefmt import duration_text, local_text

translate = QCoreApplication.translate


def next_booking_text(pool: Any) -> str:
    booking = pool.next_booking
    if booking is None:
        return ""
    if booking.note:
        return translate("Licences", "{seats} reserved from {start} ({note})").format(
            seats=booking.seats, start=local_text(booking.starts_at), note=booking.note)
    return translate("Licences", "{seats} reserved from {start}").format(
        seats=booking.seats, start=local_text(booking.starts_at))


def time_left(moment: datetime) -> str:
    return duration_text(moment - datetime.now(UTC))


def lease_columns() -> list[Column[Any]]:
    return [
        Column(lambda: translate("Licences", "Lease"), lambda x: x.id, numeric=True),
        Column(lambda: translate("Licences", "Tool"), lambda x: x.feature),
        Column(lambda: translate("Licences", "Seats"), lambda x: x.seats, numeric=True),
        Column(lambda: translate("Licences", "Time left"), lambda x: x.ends_by,
               lambda x: time_left(x.ends_by)),
        Column(lambda: translate("Licences", "Ends at"), lambda x: x.ends_by,
               lambda x: local_text(x.ends_by)),
    ]


def queue_columns() -> list[Column[Any]]:
    return [
        Column(lambda: translate("Licences", "Tool"), lambda x: x.feature),
        Column(lambda: translate("Licences", "Seats"), lambda x: x.seats, numeric=True),
        Column(lambda: translate("Licences", "Position"), lambda x: x.position,
               lambda x: str(x.position) if x.position else state_label(x.status),
               numeric=True),
        Column(lambda: translate("Licences", "Held until"), lambda x: x.hold_expires_at,
               lambda x: local_text(x.hold_expires_at)),
    ]


def booking_columns() -> list[Column[Any]]:
    return [
        Column(lambda: translate("Licences", "Tool"), lambda x: x.feature),
        Column(lambda: translate("Licences", "Seats"), lambda x: x.seats, numeric=True),
        Column(lambda: translate("Licences", "From"), lambda x: x.starts_at,
               lambda x: local_text(x.starts_at)),
        Column(lambda: translate("Licences", "Until"), lambda x: x.ends_at,
               lambda x: local_text(x.ends_at)),
        Column(lambda: translate("Licences", "State"), lambda x: x.status,
               lambda x: state_label(x.status)),
        Column(lambda: translate("Licences", "Note"), lambda x: x.note),
    ]


class LicencesScreen(Screen):
    key = "licences"
    methods = ("licensing.pools", "leases.list", "queue.list", "reservations.list")

    @classmethod
    def title(cls) -> str:
        return translate("Navigation", "Licences")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.pools: RecordTable[Any] = RecordTable([
            Column(lambda: self.tr("Tool"), lambda p: p.label or p.feature),
            Column(lambda: self.tr("Vendor"), lambda p: p.vendor or ""),
            Column(lambda: self.tr("Availability"), lambda p: p.free, availability_text),
            Column(lambda: self.tr("In use"), lambda p: p.leased, numeric=True),
            Column(lambda: self.tr("Reserved"), lambda p: p.reserved + p.granted, numeric=True),
            Column(lambda: self.tr("Queued"), lambda p: p.queued, numeric=True),
            Column(lambda: self.tr("Mine"), lambda p: p.mine, numeric=True),
            Column(lambda: self.tr("My place in the queue"), lambda p: p.my_queue_position,
                   lambda p: str(p.my_queue_position or "")),
            Column(lambda: self.tr("Next booking"), lambda p: p.next_booking and
                   p.next_booking.starts_at, next_booking_text),
        ], key=lambda p: p.feature, parent=self)
        self.pools.setObjectName("poolsTable")
        self.pools.view.setItemDelegateForColumn(2, AvailabilityDelegate(self.pools.view))
        self.pools.view.setColumnWidth(2, 220)
        self.pools.selection_changed.connect(self._pool_selected)
        may_seat = ctx.may("leases.checkout")
        self.checkout_button = QPushButton(self.tr("Check out…"), self)
        self.queue_button = QPushButton(self.tr("Join the queue…"), self)
        self.reserve_button = QPushButton(self.tr("Book seats…"), self)
        self.checkout_button.clicked.connect(lambda: self.checkout())
        self.queue_button.clicked.connect(lambda: self.join_queue())
        self.reserve_button.clicked.connect(lambda: self.reserve())
        for button, method in ((self.checkout_button, "leases.checkout"),
                               (self.queue_button, "queue.join"),
                               (self.reserve_button, "reservations.create")):
            button.setVisible(may_seat and ctx.may(method))

        self.leases: RecordTable[Any] = RecordTable(lease_columns(), key=lambda x: x.id,
                                                    filter_box=False, parent=self)
        self.return_button = QPushButton(self.tr("Return"), self)
        self.renew_button = QPushButton(self.tr("Extend by 1 h"), self)
        self.return_button.clicked.connect(self.return_lease)
        self.renew_button.clicked.connect(self.renew_lease)
        self.queue: RecordTable[Any] = RecordTable(queue_columns(), key=lambda x: x.id,
                                                   filter_box=False, parent=self)
        self.leave_button = QPushButton(self.tr("Leave the queue"), self)
        self.leave_button.clicked.connect(self.leave_queue)
        self.bookings: RecordTable[Any] = RecordTable(booking_columns(), key=lambda x: x.id,
                                                      filter_box=False, parent=self)
        self.cancel_button = QPushButton(self.tr("Cancel booking"), self)
        self.cancel_button.clicked.connect(self.cancel_booking)
        self.holders: RecordTable[Any] = RecordTable([
            Column(lambda: self.tr("Who"), lambda x: x.user or self.tr("(another user)")),
            Column(lambda: self.tr("Organisation"), lambda x: getattr(x, "org", "")),
            Column(lambda: self.tr("Seats"), lambda x: x.seats, numeric=True),
            Column(lambda: self.tr("Holds"), lambda x: type(x).__name__,
                   lambda x: self.tr("seat") if hasattr(x, "ends_by") else self.tr("queue")),
            Column(lambda: self.tr("Until or since"), lambda x: getattr(x, "ends_by", None)
                   or x.joined_at,
                   lambda x: local_text(getattr(x, "ends_by", None) or x.joined_at)),
        ], key=lambda x: (type(x).__name__, x.id), filter_box=False, parent=self)
        self.holders_note = QLabel(self)
        self.holders_note.setWordWrap(True)

        self.calendar = WeekCalendar(ctx.me.login, self)
        self.calendar.setObjectName("weekCalendar")
        self.calendar.range_selected.connect(self._calendar_range)
        self.week_label = QLabel(self)
        previous_week = QPushButton("◀", self)
        next_week = QPushButton("▶", self)
        this_week = QPushButton(self.tr("This week"), self)
        previous_week.clicked.connect(lambda: self.calendar.shift_week(-1))
        next_week.clicked.connect(lambda: self.calendar.shift_week(1))
        this_week.clicked.connect(lambda: self.calendar.set_week(datetime.now(UTC).date()))
        self.calendar.week_changed.connect(lambda _: self._load_calendar())
        self.calendar_hint = QLabel(self.tr("Drag over a day to book seats of the selected "
                                            "tool for that time."), self)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._page([self.return_button, self.renew_button], self.leases),
                         self.tr("My seats"))
        self.tabs.addTab(self._page([self.leave_button], self.queue), self.tr("My queue"))
        self.tabs.addTab(self._page([self.cancel_button], self.bookings),
                         self.tr("My bookings"))
        self.tabs.addTab(self._page([], self.holders_note, self.holders), self.tr("Holders"))
        week = QWidget(self)
        week_layout = QVBoxLayout(week)
        nav = QHBoxLayout()
        for w in (previous_week, this_week, next_week):
            nav.addWidget(w)
        nav.addWidget(self.week_label, 1)
        week_layout.addLayout(nav)
        week_layout.addWidget(self.calendar_hint)
        week_layout.addWidget(self.calendar, 1)
        self.tabs.addTab(week, self.tr("Week"))
        self.tabs.currentChanged.connect(lambda _: self._refresh_details())

        top = QWidget(self)
        self_layout = QVBoxLayout(top)
        self_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        for b in (self.checkout_button, self.queue_button, self.reserve_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self_layout.addLayout(buttons)
        self_layout.addWidget(self.pools)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(self.tabs)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def _page(self, buttons: list[QPushButton], *body: QWidget) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        if buttons:
            row = QHBoxLayout()
            for button in buttons:
                row.addWidget(button)
            row.addStretch(1)
            layout.addLayout(row)
        for widget in body:
            layout.addWidget(widget)
        return page

    # -- loading ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.call("licensing.pools", self._pools_loaded)
        self._refresh_details()

    def _pools_loaded(self, pools: list[Any]) -> None:
        self.pools.set_records(pools)
        if self.pools.selected() is None and pools:
            self.pools.view.selectRow(0)

    def _refresh_details(self) -> None:
        self.call("leases.list", self.leases.set_records)
        self.call("queue.list", self.queue.set_records)
        self.call("reservations.list", self.bookings.set_records)
        self._load_holders()
        self._load_calendar()

    def selected_pool(self) -> Any:
        return self.pools.selected()

    def _pool_selected(self) -> None:
        self._load_holders()
        self._load_calendar()

    def _load_holders(self) -> None:
        pool = self.selected_pool()
        if pool is None:
            self.holders.set_records([])
            return
        staff = self.ctx.may("leases.list") and ("admin" in self.ctx.me.roles
                                                 or "instructor" in self.ctx.me.roles)
        self.holders_note.setText(
            self.tr("Everyone holding or waiting for {tool}.").format(tool=pool.feature) if staff
            else self.tr("Who waits for {tool}; other people's names are shown to staff only.")
            .format(tool=pool.feature))
        found: dict[str, list[Any]] = {}

        def collect(kind: str) -> Any:
            def done(rows: list[Any]) -> None:
                found[kind] = [r for r in rows if r.feature == pool.feature
                               and (kind != "queue" or r.status == "waiting"
                                    or r.status == "granted")]
                if len(found) == (2 if staff else 1):
                    self.holders.set_records(found.get("leases", []) + found["queue"])
            return done

        self.call("queue.list", collect("queue"), feature=pool.feature)
        if staff:
            self.call("leases.list", collect("leases"), everyone=True)

    def _load_calendar(self) -> None:
        pool = self.selected_pool()
        start, end = self.calendar.week_range_utc()
        self.week_label.setText(self.tr("Week of {date}").format(
            date=self.calendar.week_start.isoformat()))
        week_start = start

        def show(rows: list[Any]) -> None:
            if self.calendar.week_range_utc()[0] == week_start:
                self.calendar.set_bookings([r for r in rows if r.ends_at > start
                                            and r.starts_at < end])

        self.call("reservations.list", show, everyone=True,
                  feature=pool.feature if pool is not None else None, include_done=True)

    # -- actions ----------------------------------------------------------------------------------

    def checkout(self, pool: Any = None) -> CheckoutDialog | None:
        pool = pool or self.selected_pool()
        if pool is None:
            return None
        dialog = CheckoutDialog(pool, self.call, self)
        dialog.accepted.connect(lambda: self.call("leases.checkout", self._checked_out,
                                                  failed=lambda e: self._refused(pool, e),
                                                  **dialog.params()))
        dialog.open()
        return dialog

    def _checked_out(self, lease: Any) -> None:
        self.leases.model.upsert(lease)
        self.tabs.setCurrentIndex(0)
        self.refresh()

    def _refused(self, pool: Any, exc: Exception) -> None:
        """A refused checkout: the centre's reason, and the offer to join the queue."""
        if not (isinstance(exc, ChipError) and exc.code == "seats_unavailable"
                and self.ctx.may("queue.join")):
            self.show_error(exc)
            return
        box = QMessageBox(QMessageBox.Icon.Information, error_title(exc),
                          self.tr("{reason}\n\nJoin the queue? You are notified when a seat is "
                                  "held for you.").format(reason=error_text(exc)),
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("refusedBox")
        join = box.addButton(self.tr("Join the queue"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _: self.join_queue(pool) if box.clickedButton() is join
                             else None)
        box.open()

    def join_queue(self, pool: Any = None) -> QueueDialog | None:
        pool = pool or self.selected_pool()
        if pool is None:
            return None
        dialog = QueueDialog(pool, self.call, self)
        dialog.accepted.connect(lambda: self.call("queue.join", self._joined,
                                                  **dialog.params()))
        dialog.open()
        return dialog

    def _joined(self, entry: Any) -> None:
        self.queue.model.upsert(entry)
        self.tabs.setCurrentIndex(1)
        self.refresh()

    def reserve(self, starts: datetime | None = None,
                ends: datetime | None = None) -> ReserveDialog | None:
        pools = self.pools.records()
        if not pools:
            return None
        if starts is None or ends is None:
            base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
            starts, ends = base + timedelta(days=1), base + timedelta(days=1, hours=3)
        pool = self.selected_pool()
        dialog = ReserveDialog(pools, self.call, starts, ends,
                               feature=pool.feature if pool is not None else None, parent=self)
        dialog.accepted.connect(lambda: self.call("reservations.create", self._booked,
                                                  **dialog.params()))
        dialog.open()
        return dialog

    def _calendar_range(self, starts: datetime, ends: datetime) -> None:
        if self.ctx.may("reservations.create"):
            self.reserve(starts, ends)

    def _booked(self, rows: list[Any]) -> None:
        for row in rows:
            self.bookings.model.upsert(row)
        self.refresh()

    def return_lease(self) -> None:
        lease = self.leases.selected()
        if lease is not None:
            self.call("leases.return", lambda _: self.refresh(), lease_id=lease.id)

    def renew_lease(self) -> None:
        lease = self.leases.selected()
        if lease is not None:
            left = (lease.ends_by - datetime.now(UTC)).total_seconds() / 3600
            self.call("leases.renew", self.leases.model.upsert, lease_id=lease.id,
                      hours=max(0.0, left) + 1.0)

    def leave_queue(self) -> None:
        entry = self.queue.selected()
        if entry is not None:
            self.call("queue.leave", lambda _: self.refresh(), feature=entry.feature)

    def cancel_booking(self) -> None:
        booking = self.bookings.selected()
        if booking is not None:
            self.call("reservations.cancel", lambda _: self.refresh(),
                      reservation_id=booking.id)
