"""While the app is open: keep the user's leases alive (heartbeat before their TTL runs out) and
remind them shortly before a booking ends (the centre notifies the start; the end is ours)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.tasks import HubRunner

CHECK_MS = 60_000
RENEW_BEFORE = timedelta(minutes=6)
REMIND_BEFORE = timedelta(minutes=15)


class SeatWatch(QObject):
    #: a locally made notification, shaped like the centre's: {"kind", "payload"}
    reminder = Signal(dict)

    def __init__(self, runner: HubRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._reminded: set[int] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def check(self, now: datetime | None = None) -> None:
        moment = now or datetime.now(UTC)
        self.runner.call("leases.list", done=lambda rows: self._renew(rows, moment),
                         failed=lambda _: None, owner=self)
        self.runner.call("reservations.list", done=lambda rows: self._remind(rows, moment),
                         failed=lambda _: None, owner=self)

    def _renew(self, leases: list[Any], now: datetime) -> None:
        for lease in leases:
            if lease.kind == "lease" and lease.ended_at is None \
                    and lease.expires_at - now < RENEW_BEFORE and lease.expires_at < lease.ends_by:
                self.runner.call("leases.renew", failed=lambda _: None, owner=self,
                                 lease_id=lease.id)

    def _remind(self, bookings: list[Any], now: datetime) -> None:
        for booking in bookings:
            if booking.status == "active" and booking.id not in self._reminded \
                    and timedelta(0) < booking.ends_at - now <= REMIND_BEFORE:
                self._reminded.add(booking.id)
                self.reminder.emit({"kind": "reservation.ending", "payload": {
                    "reservation": booking.id, "feature": booking.feature,
                    "seats": booking.seats, "ends_at": booking.ends_at.isoformat()}})
