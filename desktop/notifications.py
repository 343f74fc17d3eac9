"""Desktop notifications: a tray message where the desktop has a tray, else a message in the
window's status bar. Each notification kind the centre sends has one translated sentence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSystemTrayIcon

translate = QCoreApplication.translate


def _get(payload: dict[str, Any], *names: str) -> str:
    for name in names:
        value = payload.get(name)
        if value not in (None, ""):
            return str(value)
    return "?"


def describe(kind: str, payload: dict[str, Any]) -> tuple[str, str]:
    """(title, sentence) for a notification from the centre, in the reader's language."""
    feature = _get(payload, "feature", "pool", "pool_name")
    seats = _get(payload, "seats", "count")
    if kind in {"queue.granted", "seat.granted", "lease.granted"}:
        title = translate("Notifications", "A seat is yours")
        text = translate("Notifications", "Your queued request for {seats} seat(s) of "
                         "{feature} was granted. It is held for you for a short while.")
    elif kind in {"reservation.started", "reservation.start"}:
        title = translate("Notifications", "Your booking has started")
        text = translate("Notifications",
                         "Your booking of {seats} seat(s) of {feature} has started.")
    elif kind in {"reservation.ending", "reservation.ends_soon"}:
        title = translate("Notifications", "Your booking ends soon")
        text = translate("Notifications",
                         "Your booking of {seats} seat(s) of {feature} ends at {end}.")
    elif kind in {"lease.expiring", "lease.expiring_soon"}:
        title = translate("Notifications", "Your seat expires soon")
        text = translate("Notifications",
                         "Your seat of {feature} expires soon; renew it to keep it.")
    elif kind in {"job.finished", "job.succeeded", "job.failed", "job.done"}:
        title = translate("Notifications", "A job has finished")
        text = translate("Notifications", "Job {job} finished: {state}.")
    else:
        title = translate("Notifications", "Notice from the centre")
        text = translate("Notifications", "The centre sent a notice ({kind}).")
    return title, text.format(
        seats=seats, feature=feature, kind=kind, end=_get(payload, "ends_at", "end"),
        job=_get(payload, "job_id", "job", "id"), state=_get(payload, "state", "status"))


class Notifier(QObject):
    """Shows notifications: the system tray when there is one, else ``shown`` for the window."""

    #: (title, sentence) of every notification shown, for the status bar and tests
    shown = Signal(str, str)

    def __init__(self, icon: QIcon, parent: QObject | None = None,
                 tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable
                 ) -> None:
        super().__init__(parent)
        self.tray: QSystemTrayIcon | None = None
        if tray_available():
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.setToolTip("ChipCommons")
            self.tray.show()

    def notify(self, payload: dict[str, Any]) -> None:
        title, text = describe(str(payload.get("kind", "")), dict(payload.get("payload") or {}))
        if self.tray is not None and self.tray.supportsMessages():
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 10_000)
        self.shown.emit(title, text)

    def close(self) -> None:
        if self.tray is not None:
            self.tray.hide()
