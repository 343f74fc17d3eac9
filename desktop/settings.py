"""The app's own settings (QSettings), behind one small class: nothing else touches QSettings."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

LANGUAGES = ("", "en", "ko")  # "" follows the system


@dataclass(frozen=True)
class SavedCentre:
    """An SSH centre in the connection manager."""

    name: str
    host: str
    user: str
    port: int = 22
    key_path: str = ""

    @property
    def url(self) -> str:
        return f"ssh://{self.user}@{self.host}:{self.port}"


class AppSettings:
    """Typed access to the user's settings. ``path`` gives a private INI file (tests, self-test)."""

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            self._s = QSettings("ChipCommons", "ChipCommons")
        else:
            self._s = QSettings(str(path), QSettings.Format.IniFormat)

    # -- language ---------------------------------------------------------------------------------

    def language(self) -> str:
        value = str(self._s.value("ui/language", "") or "")
        return value if value in LANGUAGES else ""

    def set_language(self, code: str) -> None:
        if code not in LANGUAGES:
            raise ValueError(f"unsupported language {code!r}")
        self._s.setValue("ui/language", code)

    # -- connections ------------------------------------------------------------------------------

    def centres(self) -> list[SavedCentre]:
        raw = self._s.value("connections/centres", "[]")
        try:
            items = json.loads(str(raw))
            return [SavedCentre(name=str(i["name"]), host=str(i["host"]), user=str(i["user"]),
                                port=int(i.get("port", 22)), key_path=str(i.get("key_path", "")))
                    for i in items if isinstance(i, dict)]
        except (ValueError, KeyError, TypeError):
            return []

    def set_centres(self, centres: list[SavedCentre]) -> None:
        self._s.setValue("connections/centres", json.dumps([asdict(c) for c in centres]))

    # -- window -----------------------------------------------------------------------------------

    def geometry(self) -> QByteArray | None:
        value = self._s.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def set_geometry(self, data: QByteArray) -> None:
        self._s.setValue("window/geometry", data)

    def sync(self) -> None:
        self._s.sync()
