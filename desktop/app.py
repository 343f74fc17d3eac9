"""Starting the desktop app: the QApplication, language, the connection and the main window."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from core.paths import resources_dir
from desktop.connection import CentreChoice, Connection, Opener, open_client
from desktop.i18n import Translations, resolve_language
from desktop.mainwindow import MainWindow
from desktop.settings import AppSettings
from desktop.tasks import HubRunner


def app_icon() -> QIcon:
    return QIcon(str(resources_dir() / "icons" / "chipcommons.svg"))


@dataclass
class Gui:
    """Everything the running app is made of (one per window; no globals)."""

    settings: AppSettings
    translations: Translations
    runner: HubRunner
    connection: Connection
    window: MainWindow

    def close(self) -> None:
        """Close the window and the connection; wait for calls in flight."""
        self.window.close()
        self.connection.close()
        self.runner.shutdown()
        self.translations.remove()
        for obj in (self.window, self.connection, self.runner, self.translations):
            obj.deleteLater()


def create_gui(app: QApplication, settings: AppSettings, *, language: str | None = None,
               opener: Opener = open_client) -> Gui:
    translations = Translations(app)
    translations.switch(resolve_language(language, settings.language()))
    runner = HubRunner(parent=app)
    connection = Connection(runner, opener, parent=app)
    window = MainWindow(runner, connection, settings, translations, app_icon())
    return Gui(settings, translations, runner, connection, window)


def choice_from_args(args: argparse.Namespace) -> CentreChoice:
    centre = getattr(args, "centre", None)
    if not centre or centre == "embedded":
        return CentreChoice(as_user=getattr(args, "as_user", None))
    return CentreChoice(name=centre, url=centre, as_user=getattr(args, "as_user", None),
                        key_path=getattr(args, "key", None))


def ensure_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv or sys.argv[:1])
    app.setApplicationName("ChipCommons")
    app.setOrganizationName("ChipCommons")
    app.setWindowIcon(app_icon())
    return app


def run_gui(args: argparse.Namespace) -> int:
    """``chipcommons`` without a verb: the window (or ``--self-test``)."""
    if getattr(args, "self_test", False):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from desktop.selftest import run_self_test

        return run_self_test(args)
    if not os.environ.get("QT_QPA_PLATFORM") and not os.environ.get("DISPLAY") \
            and not os.environ.get("WAYLAND_DISPLAY") and sys.platform.startswith("linux"):
        print("chipcommons: no display; use --self-test, a verb, or set QT_QPA_PLATFORM",
              file=sys.stderr)
        return 2
    app = ensure_application()
    gui = create_gui(app, AppSettings(), language=getattr(args, "lang", None))
    gui.window.show()
    gui.connection.open(choice_from_args(args),
                        accept_fingerprint=getattr(args, "accept_host_key", None))
    code = app.exec()
    gui.close()
    return int(code)
