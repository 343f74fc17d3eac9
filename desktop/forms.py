"""Forms that check their values inline, before anything is sent to the centre."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

#: returns a translated error message, or None when the value is fine
Check = Callable[[Any], str | None]

_ERROR_STYLE = "color: #b00020;"


@dataclass
class Field:
    name: str
    widget: QWidget
    read: Callable[[], Any]
    check: Check | None
    error: QLabel


def field_value(widget: QWidget) -> Any:
    """The current value of a standard input widget."""
    if isinstance(widget, QLineEdit):
        return widget.text().strip()
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return widget.value()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QComboBox):
        data = widget.currentData()
        return data if data is not None else widget.currentText()
    if isinstance(widget, QDateEdit):
        return widget.date().toPython()
    raise TypeError(f"no value reader for {type(widget).__name__}")


def _changed_signal(widget: QWidget) -> Any:
    for name in ("textChanged", "valueChanged", "toggled", "currentIndexChanged", "dateChanged"):
        signal = getattr(widget, name, None)
        if signal is not None:
            return signal
    return None


class ValidatedForm(QWidget):
    """A form layout whose fields show their problem under them as the user types."""

    validity_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: dict[str, Field] = {}
        self.form = QFormLayout()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(self.form)
        self._valid = False

    def add(self, name: str, label: str, widget: QWidget, check: Check | None = None,
            read: Callable[[], Any] | None = None) -> QWidget:
        error = QLabel(self)
        error.setStyleSheet(_ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        box = QWidget(self)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(widget)
        lay.addWidget(error)
        self.form.addRow(label, box)
        self.fields[name] = Field(name, widget, read or (lambda: field_value(widget)), check,
                                  error)
        signal = _changed_signal(widget)
        if signal is not None:
            signal.connect(self.revalidate)
        return widget

    def values(self) -> dict[str, Any]:
        return {name: f.read() for name, f in self.fields.items()}

    def problems(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, f in self.fields.items():
            if f.check is not None:
                message = f.check(f.read())
                if message:
                    out[name] = message
        return out

    def revalidate(self, *_: Any) -> bool:
        problems = self.problems()
        for name, f in self.fields.items():
            message = problems.get(name)
            f.error.setText(message or "")
            f.error.setVisible(bool(message))
        valid = not problems
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)
        return valid

    @property
    def valid(self) -> bool:
        return self._valid


class FormDialog(QDialog):
    """A dialog around a :class:`ValidatedForm`: OK stays disabled until the form is valid.

    Subclasses fill ``self.form`` and call :meth:`finish`; ``params()`` is what gets sent.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = ValidatedForm(self)

    def finish(self) -> None:
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.form.validity_changed.connect(ok.setEnabled)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.buttons)
        ok.setEnabled(False)
        self.form.revalidate()

    def accept(self) -> None:
        if self.form.revalidate():  # never send what the form would refuse
            super().accept()

    def params(self) -> dict[str, Any]:
        return self.form.values()
