"""A table with a filter box: a :class:`RecordTableModel` seen through a
:class:`RecordProxyModel`."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models import Column, RecordProxyModel, RecordTableModel

T = TypeVar("T")
#: rows of the filter index built per idle slice
WARM_CHUNK = 5000
#: a first load of at most this many rows sizes the columns to their contents
FIT_ROWS = 2000
MIN_COLUMN, MAX_COLUMN = 70, 360


class RecordTable(QWidget, Generic[T]):
    """Filterable, sortable, read-only table of records; ``selected()`` gives the current one."""

    selection_changed = Signal()
    activated = Signal(object)

    def __init__(self, columns: Sequence[Column[T]], key: Callable[[T], Hashable], *,
                 filter_box: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model: RecordTableModel[T] = RecordTableModel(columns, key, self)
        self.proxy = RecordProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(24)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultSectionSize(140)
        self.view.selectionModel().selectionChanged.connect(
            lambda *_: self.selection_changed.emit())
        self.view.doubleClicked.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.filter: QLineEdit | None = None
        self._fitted = False
        if filter_box:
            self.filter = QLineEdit(self)
            self.filter.setClearButtonEnabled(True)
            self.filter.setPlaceholderText(self.tr("Filter…"))
            self.filter.textChanged.connect(self.proxy.set_filter_text)
            layout.addWidget(self.filter)
        layout.addWidget(self.view)

    def set_records(self, records: Sequence[T]) -> None:
        first_fill = self.model.rowCount() == 0 and not self._fitted
        self.model.set_records(records)
        if first_fill and 0 < len(records) <= FIT_ROWS:
            self.fit_columns()
        self.view.viewport().update()  # texts that depend on the clock ("time left") too
        if len(records) > WARM_CHUNK:
            QTimer.singleShot(0, self, self._warm_filter)

    def fit_columns(self) -> None:
        """Size the columns to their contents once (the user's own resizing is kept after)."""
        self._fitted = True
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        for column in range(header.count() - 1):  # the last one stretches
            width = header.sectionSize(column)
            header.resizeSection(column, max(MIN_COLUMN, min(MAX_COLUMN, width + 12)))

    def _warm_filter(self) -> None:
        """Build the filter's text index, then gather the columns' sort values, in idle
        slices, so the first keystroke and the first click on a header are fast and the event
        loop never waits long."""
        if self.model.warm_haystacks(WARM_CHUNK) or self.model.warm_sort_values(WARM_CHUNK):
            QTimer.singleShot(0, self, self._warm_filter)

    def warming(self) -> bool:
        """True while the idle slices still have work (the filter index, the sort values)."""
        return self.model.warming()

    def selected(self) -> T | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        record: T = self.proxy.record(rows[0].row())
        return record

    def select_key(self, key: Hashable) -> None:
        row = self.model.row_of(key)
        if row >= 0:
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if index.isValid():
                self.view.selectRow(index.row())

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.activated.emit(self.proxy.record(index.row()))

    def records(self) -> list[Any]:
        return self.model.records
