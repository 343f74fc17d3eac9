"""A job form built from a backend's JSON input schema, with file pickers for its input files.

Scalars become spin boxes, check boxes, combo boxes and line edits with the schema's bounds
checked inline; string (or string-list) fields that name input files get a file picker, and the
picked files are checked against the upload limits before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desktop.forms import ValidatedForm

translate = QCoreApplication.translate

#: The farm's default per-file and per-job input limits; a centre may set lower ones and then
#: refuses at ``jobs.upload_begin``, still before a byte moves.
MAX_FILE_BYTES = 256 << 20
MAX_TOTAL_BYTES = 1 << 30
FILE_WORDS = ("file", "config", "topology", "testbench", "liberty")


def _unwrap(prop: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """(the non-null branch of an ``anyOf``, whether null is allowed)."""
    options = prop.get("anyOf")
    if not options:
        return prop, False
    real = [o for o in options if o.get("type") != "null"]
    nullable = len(real) < len(options)
    merged = {**(real[0] if len(real) == 1 else {}), **{k: v for k, v in prop.items()
                                                         if k != "anyOf"}}
    return merged, nullable


def is_file_field(name: str, prop: dict[str, Any]) -> bool:
    prop, _ = _unwrap(prop)
    kind = prop.get("type")
    items = prop.get("items", {})
    text = f"{name} {prop.get('title', '')} {prop.get('description', '')}".lower()
    text_field = kind == "string" and "enum" not in prop
    text_list = kind == "array" and items.get("type") == "string"
    if text_field or text_list:
        return any(word in text for word in FILE_WORDS) and "pattern" not in name
    return False


def size_text(size: int) -> str:
    return f"{size / (1 << 20):.1f} MB"


class FilePicker(QWidget):
    """A line showing the picked files and a Browse button."""

    changed = Signal()

    def __init__(self, multiple: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.multiple = multiple
        self.paths: list[Path] = []
        self.line = QLineEdit(self)
        self.line.setReadOnly(True)
        browse = QPushButton(translate("JobForm", "Choose…"), self)
        browse.clicked.connect(self.browse)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line, 1)
        row.addWidget(browse)

    def browse(self) -> None:
        title = translate("JobForm", "Choose input files")
        if self.multiple:
            names, _ = QFileDialog.getOpenFileNames(self, title)
        else:
            name, _ = QFileDialog.getOpenFileName(self, title)
            names = [name] if name else []
        if names:
            self.set_paths([Path(n) for n in names])

    def set_paths(self, paths: list[Path]) -> None:
        self.paths = list(paths)
        self.line.setText(", ".join(p.name for p in self.paths))
        self.changed.emit()


def picker_names(picker: FilePicker) -> Callable[[], list[str]]:
    return lambda: [p.name for p in picker.paths]


@dataclass
class SchemaField:
    name: str
    widget: QWidget
    file: bool = False
    nullable: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class SchemaForm(ValidatedForm):
    """Build from ``schema``; ``params()`` is the backend's parameters, ``files()`` what to
    upload (the upload name is the file's own name)."""

    def __init__(self, schema: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.schema = schema
        self.items: dict[str, SchemaField] = {}
        required = set(schema.get("required", []))
        for name, raw in schema.get("properties", {}).items():
            self._add_property(name, raw, name in required)
        self.revalidate()

    def _add_property(self, name: str, raw: dict[str, Any], required: bool) -> None:
        prop, nullable = _unwrap(raw)
        kind = prop.get("type")
        label = str(prop.get("title") or name)
        tip = str(prop.get("description") or "")
        default = raw.get("default", prop.get("default"))
        widget: QWidget
        if is_file_field(name, raw):
            picker = FilePicker(kind == "array", self)
            picker.changed.connect(self.revalidate)
            picker.setToolTip(tip)
            self.items[name] = SchemaField(name, picker, file=True)
            self.add(name, label, picker, self._file_check(required, prop),
                     read=picker_names(picker))
            return
        if "enum" in prop:
            combo = QComboBox(self)
            for value in prop["enum"]:
                combo.addItem(str(value), value)
            if default is not None:
                combo.setCurrentIndex(max(0, combo.findData(default)))
            widget = combo
        elif kind == "boolean":
            box = QCheckBox(self)
            box.setChecked(bool(default))
            widget = box
        elif kind in ("integer", "number") and not nullable:
            spin: QSpinBox | QDoubleSpinBox = QSpinBox(self) if kind == "integer" \
                else QDoubleSpinBox(self)
            low = prop.get("minimum", prop.get("exclusiveMinimum", -1e9))
            high = prop.get("maximum", 1e9)
            if isinstance(spin, QDoubleSpinBox):
                spin.setDecimals(3)
                spin.setRange(float(low), float(high))
                spin.setValue(float(default if default is not None else max(low, 0)))
            else:
                spin.setRange(int(max(low, -2**31 + 1)), int(min(high, 2**31 - 1)))
                spin.setValue(int(default if default is not None else max(low, 0)))
            widget = spin
        elif kind in ("string", "integer", "number") or (
                kind == "array" and prop.get("items", {}).get("type") == "string"):
            line = QLineEdit(self)
            if default not in (None, [], ""):
                line.setText(", ".join(map(str, default)) if isinstance(default, list)
                             else str(default))
            widget = line
        else:
            return  # objects and lists of objects keep their defaults (lab checks etc.)
        widget.setToolTip(tip)
        self.items[name] = SchemaField(name, widget, nullable=nullable,
                                       extra={"kind": kind, "prop": prop})
        self.add(name, label, widget, self._value_check(name, kind, prop, required),
                 read=self._reader(name))

    def _reader(self, name: str) -> Callable[[], Any]:
        return lambda: self._read(name)

    def _read(self, name: str) -> Any:
        item = self.items[name]
        w = item.widget
        if isinstance(w, QLineEdit):
            text = w.text().strip()
            kind = item.extra.get("kind")
            if not text:
                return None
            if kind == "array":
                return [t.strip() for t in text.split(",") if t.strip()]
            if kind == "integer":
                try:
                    return int(text)
                except ValueError:
                    return text
            if kind == "number":
                try:
                    return float(text)
                except ValueError:
                    return text
            return text
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QSpinBox | QDoubleSpinBox):
            return w.value()
        return None

    def _value_check(self, name: str, kind: str | None, prop: dict[str, Any], required: bool
                     ) -> Any:
        def check(value: Any) -> str | None:
            if value is None:
                return translate("JobForm", "Required.") if required else None
            if kind in ("integer", "number"):
                if isinstance(value, str):
                    return translate("JobForm", "Give a number.") if kind == "number" \
                        else translate("JobForm", "Give a whole number.")
                low, high = prop.get("minimum"), prop.get("maximum")
                above = prop.get("exclusiveMinimum")
                if (low is not None and value < low) or (above is not None and value <= above):
                    return translate("JobForm", "Too small.")
                if high is not None and value > high:
                    return translate("JobForm", "At most {limit}.").format(limit=high)
            return None

        return check

    def _file_check(self, required: bool, prop: dict[str, Any]) -> Any:
        def check(names: list[str]) -> str | None:
            if not names:
                return translate("JobForm", "Choose a file.") if required else None
            return self.file_problem()

        return check

    def file_problem(self) -> str | None:
        """A too-large file or too much in all, refused here before any upload starts."""
        total = 0
        for path in self.files().values():
            try:
                size = path.stat().st_size
            except OSError:
                return translate("JobForm", "{name} cannot be read.").format(name=path.name)
            if size > MAX_FILE_BYTES:
                return translate("JobForm", "{name} is {size}; the farm accepts at most {limit} "
                                 "per file.").format(name=path.name, size=size_text(size),
                                                     limit=size_text(MAX_FILE_BYTES))
            total += size
        if total > MAX_TOTAL_BYTES:
            return translate("JobForm", "The inputs are {size} in all; the farm accepts at most "
                             "{limit} per job.").format(size=size_text(total),
                                                         limit=size_text(MAX_TOTAL_BYTES))
        return None

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, item in self.items.items():
            value = self.fields[name].read()
            if item.file:
                if value:
                    out[name] = value if isinstance(item.widget, FilePicker) \
                        and item.widget.multiple else value[0]
            elif value is not None:
                out[name] = value
        return out

    def files(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for item in self.items.values():
            if item.file and isinstance(item.widget, FilePicker):
                for path in item.widget.paths:
                    found[path.name] = path
        return found

    def set_files(self, name: str, paths: list[Path]) -> None:
        widget = self.items[name].widget
        assert isinstance(widget, FilePicker)
        widget.set_paths(paths)
