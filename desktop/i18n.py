"""Languages: Korean and English. The .qm files live in ``resources/i18n``; the language follows
the system unless the user picked one (settings) or passed ``--lang``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator

from core.paths import resources_dir

SUPPORTED = ("en", "ko")


def i18n_dir() -> Path:
    return resources_dir() / "i18n"


def system_language() -> str:
    return "ko" if QLocale.system().language() == QLocale.Language.Korean else "en"


def resolve_language(requested: str | None, saved: str) -> str:
    """``--lang`` wins, then the saved choice, then the system's language."""
    for choice in (requested, saved):
        if choice in SUPPORTED:
            return str(choice)
    return system_language()


class Translations(QObject):
    """Owns the installed translators; :meth:`switch` replaces them (widgets then retranslate)."""

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.app = app
        self.language = "en"
        self._installed: list[QTranslator] = []

    def remove(self) -> None:
        for translator in self._installed:
            self.app.removeTranslator(translator)
        self._installed = []

    def switch(self, language: str) -> bool:
        """Install ``language``; False if its .qm file is missing (English is then used)."""
        self.remove()
        self.language = language if language in SUPPORTED else "en"
        QLocale.setDefault(QLocale(QLocale.Language.Korean if self.language == "ko"
                                   else QLocale.Language.English))
        ok = True
        if self.language != "en":
            ours = QTranslator(self)
            ok = ours.load(str(i18n_dir() / f"chipcommons_{self.language}.qm"))
            if ok:
                self.app.installTranslator(ours)
                self._installed.append(ours)
            qt = QTranslator(self)
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if qt.load(f"qtbase_{self.language}", qt_dir):
                self.app.installTranslator(qt)
                self._installed.append(qt)
        return ok
