"""The availability bar of a pool: in use, reserved, held for the queue, free — and the queue."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop.models import RECORD

translate = QCoreApplication.translate

#: (attribute of Availability, colour); the rest of the bar is free
SEGMENTS = (("leased", QColor("#3b6fb6")), ("reserved", QColor("#e39b2d")),
            ("granted", QColor("#8e5cc2")))
FREE = QColor("#5cb85c")
QUEUED = QColor("#c9302c")


def availability_text(item: object) -> str:
    free, seats = getattr(item, "free", 0), getattr(item, "seats", 0)
    queued = getattr(item, "queued", 0)
    if queued:
        return translate("Licences", "{free} of {seats} free, {queued} queued").format(
            free=free, seats=seats, queued=queued)
    return translate("Licences", "{free} of {seats} free").format(free=free, seats=seats)


class AvailabilityDelegate(QStyledItemDelegate):
    """Paints the record's seats as a stacked bar with its text over it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        item = index.data(RECORD)
        seats = int(getattr(item, "seats", 0) or 0)
        if item is None or seats <= 0:
            super().paint(painter, option, index)
            return
        painter.save()
        rect: QRect = option.rect.adjusted(3, 4, -3, -4)  # type: ignore[attr-defined]
        if option.state & QStyle.StateFlag.State_Selected:  # type: ignore[attr-defined]
            painter.fillRect(option.rect, option.palette.highlight())  # type: ignore[attr-defined]
        x = rect.left()
        for attr, colour in SEGMENTS:
            width = round(rect.width() * min(seats, int(getattr(item, attr, 0))) / seats)
            if width > 0:
                painter.fillRect(QRect(x, rect.top(), width, rect.height()), colour)
                x += width
        painter.fillRect(QRect(x, rect.top(), max(0, rect.right() - x + 1), rect.height()), FREE)
        queued = int(getattr(item, "queued", 0) or 0)
        if queued:
            width = min(rect.width(), round(rect.width() * queued / seats))
            painter.fillRect(QRect(rect.left(), rect.bottom() - 2, width, 3), QUEUED)
        painter.setPen(QColor("white"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, availability_text(item))
        painter.restore()
