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


def gui_arguments(argv: list[str]) -> argparse.Namespace:
    """The options the window takes (the same names as the client's common options)."""
    parser = argparse.ArgumentParser(prog="chipcommons", description="ChipCommons desktop app")
    parser.add_argument("--centre", help="ssh://user@host[:port] or a database URL "
                        "(default: the embedded centre)")
    parser.add_argument("--as", dest="as_user", help="act as USER (database centres)")
    parser.add_argument("--key", help="SSH private key (default: ChipCommons' own key)")
    parser.add_argument("--jump", help="ssh://user@host[:port] to jump through")
    parser.add_argument("--known-hosts", help="known_hosts file to check host keys against")
    parser.add_argument("--accept-host-key", metavar="SHA256:…",
                        help="trust a first-seen host whose key has this fingerprint")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per call")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--lang", choices=["ko", "en"], help="language of the window")
    parser.add_argument("--self-test", action="store_true",
                        help="open every screen offscreen and exit 0 if all rendered")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    return parser.parse_args(argv)


def ensure_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Hub calls run Python on worker threads; hand the GIL back to the GUI thread within 1 ms
    # (the default 5 ms, times a few busy workers, shows as a stutter)
    sys.setswitchinterval(0.001)
    app = QApplication(argv or sys.argv[:1])
    app.setApplicationName("ChipCommons")
    app.setOrganizationName("ChipCommons")
    app.setWindowIcon(app_icon())
    return app


def run_gui(args: argparse.Namespace) -> int:
    """``chipcommons`` without a verb: the window (or ``--self-test``)."""
    if getattr(args, "version", False) is True:
        from hub import __version__

        print(f"chipcommons {__version__}")
        return 0
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
