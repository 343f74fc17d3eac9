"""A week of bookings, drawn as blocks; dragging over free time on one day books seats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.timefmt import CENTRE_ZONE, korean, to_local

FIRST_HOUR = 7
LAST_HOUR = 23
SNAP_MINUTES = 30
LEFT = 48
TOP = 24
DAY_NAMES_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES_KO = ("월", "화", "수", "목", "금", "토", "일")
COLOURS = {"mine": QColor("#3b6fb6"), "others": QColor("#9aa5b1"),
           "pending": QColor("#e39b2d"), "selection": QColor(92, 184, 92, 140)}


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


class WeekCalendar(QWidget):
    """``range_selected(starts, ends)`` (aware UTC datetimes) after a drag on one day."""

    range_selected = Signal(object, object)
    week_changed = Signal(object)

    def __init__(self, me: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.me = me
        self.week_start = monday_of(datetime.now(CENTRE_ZONE).date())
        self.bookings: list[Any] = []
        self._drag: tuple[int, float, float] | None = None  # day, start hour, current hour
        self.setMinimumSize(QSize(560, 360))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(False)

    # -- data -------------------------------------------------------------------------------------

    def set_week(self, monday: date) -> None:
        self.week_start = monday_of(monday)
        self.week_changed.emit(self.week_start)
        self.update()

    def shift_week(self, weeks: int) -> None:
        self.set_week(self.week_start + timedelta(weeks=weeks))

    def set_bookings(self, bookings: Sequence[Any]) -> None:
        self.bookings = list(bookings)
        self.update()

    def week_range_utc(self) -> tuple[datetime, datetime]:
        start = datetime.combine(self.week_start, time(0), CENTRE_ZONE)
        return start.astimezone(UTC), (start + timedelta(days=7)).astimezone(UTC)

    # -- geometry ---------------------------------------------------------------------------------

    def _day_width(self) -> float:
        return (self.width() - LEFT - 1) / 7

    def _hour_height(self) -> float:
        return (self.height() - TOP - 1) / (LAST_HOUR - FIRST_HOUR)

    def point_for(self, day: int, hour: float) -> QPoint:
        """The widget point of ``hour`` (local, e.g. 9.5) on ``day`` (0 = Monday)."""
        x = LEFT + self._day_width() * (day + 0.5)
        y = TOP + self._hour_height() * (hour - FIRST_HOUR)
        return QPoint(round(x), round(y))

    def _cell(self, pos: QPointF | QPoint) -> tuple[int, float] | None:
        if pos.x() < LEFT or pos.y() < TOP:
            return None
        day = int((pos.x() - LEFT) // self._day_width())
        hour = FIRST_HOUR + (pos.y() - TOP) / self._hour_height()
        if not 0 <= day < 7:
            return None
        step = SNAP_MINUTES / 60
        hour = round(hour / step) * step
        return day, min(max(hour, FIRST_HOUR), LAST_HOUR)

    def moment(self, day: int, hour: float) -> datetime:
        """Aware UTC datetime for a local day/hour of the shown week."""
        local = datetime.combine(self.week_start + timedelta(days=day), time(0), CENTRE_ZONE)
        return (local + timedelta(hours=hour)).astimezone(UTC)

    def _rect_for(self, day: int, start_hour: float, end_hour: float) -> QRectF:
        x = LEFT + self._day_width() * day
        top = TOP + self._hour_height() * (start_hour - FIRST_HOUR)
        bottom = TOP + self._hour_height() * (end_hour - FIRST_HOUR)
        return QRectF(x + 2, top, self._day_width() - 4, max(2.0, bottom - top))

    # -- mouse ------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self._cell(event.position())
        if event.button() == Qt.MouseButton.LeftButton and cell is not None:
            self._drag = (cell[0], cell[1], cell[1])
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is None:
            return
        cell = self._cell(event.position())
        if cell is not None:
            self._drag = (self._drag[0], self._drag[1], cell[1])
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, self._drag = self._drag, None
        self.update()
        if drag is None:
            return
        cell = self._cell(event.position())
        end = cell[1] if cell is not None else drag[2]
        day, start = drag[0], drag[1]
        low, high = sorted((start, end))
        if high - low >= SNAP_MINUTES / 60:
            self.range_selected.emit(self.moment(day, low), self.moment(day, high))

    # -- painting ---------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().base())
        grid = QPen(QColor("#d0d4d9"))
        names = DAY_NAMES_KO if korean() else DAY_NAMES_EN
        today = datetime.now(CENTRE_ZONE).date()
        for d in range(7):
            day = self.week_start + timedelta(days=d)
            x = LEFT + self._day_width() * d
            header = QRect(round(x), 0, round(self._day_width()), TOP)
            painter.setPen(QColor("#1f4e79") if day == today else self.palette().text().color())
            painter.drawText(header, Qt.AlignmentFlag.AlignCenter,
                             f"{names[d]} {day.month}/{day.day}")
            painter.setPen(grid)
            painter.drawLine(round(x), TOP, round(x), self.height())
        for h in range(FIRST_HOUR, LAST_HOUR + 1):
            y = TOP + self._hour_height() * (h - FIRST_HOUR)
            painter.setPen(grid)
            painter.drawLine(LEFT, round(y), self.width(), round(y))
            painter.setPen(self.palette().text().color())
            painter.drawText(QRect(0, round(y) - 8, LEFT - 4, 16),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             f"{h:02d}:00")
        for booking in self.bookings:
            self._paint_booking(painter, booking)
        if self._drag is not None:
            column, a, b = self._drag
            low, high = sorted((a, b))
            painter.fillRect(self._rect_for(column, low, max(high, low + 0.25)),
                             COLOURS["selection"])
        painter.end()

    def _paint_booking(self, painter: QPainter, booking: Any) -> None:
        starts, ends = to_local(booking.starts_at), to_local(booking.ends_at)
        for d in range(7):
            day = self.week_start + timedelta(days=d)
            day_start = datetime.combine(day, time(0), CENTRE_ZONE)
            lo = max(starts, day_start + timedelta(hours=FIRST_HOUR))
            hi = min(ends, day_start + timedelta(hours=LAST_HOUR))
            if hi <= lo:
                continue
            start_h = (lo - day_start).total_seconds() / 3600
            end_h = (hi - day_start).total_seconds() / 3600
            rect = self._rect_for(d, start_h, end_h)
            colour = COLOURS["pending"] if booking.status == "pending" else (
                COLOURS["mine"] if booking.user == self.me else COLOURS["others"])
            painter.fillRect(rect, colour)
            painter.setPen(QColor("white"))
            label = f"{booking.seats}× {booking.feature}"
            if booking.note:
                label += f" · {booking.note}"
            painter.drawText(rect.adjusted(3, 2, -3, -2),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
                                 | Qt.TextFlag.TextWordWrap), label)
