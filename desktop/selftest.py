"""``chipcommons --self-test``: open every screen offscreen, in both languages, and check each
one rendered. Without ``--centre`` it uses a throw-away demo centre, signed in as its admin so
that every screen exists."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QTabWidget, QWidget

from desktop.app import Gui, create_gui, ensure_application
from desktop.connection import CentreChoice, open_client
from desktop.screens.base import Screen
from desktop.settings import AppSettings
from desktop.showcase import populate
from hub.clients.base import HubClient
from hub.clients.local import LocalHub

DEMO_ADMIN = "demo.admin"


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    """Run the event loop until ``condition()`` holds (False on timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        if condition():
            return True
        time.sleep(0.005)
    return condition()


def settle(gui: Gui, timeout: float = 20.0, linger: float = 0.15) -> bool:
    """Wait for every Hub call in flight to answer, then let the answers lay themselves out
    (a chart's axes resize to their labels on the next pass of the event loop)."""
    answered = wait_until(lambda: gui.runner.in_flight == 0, timeout)
    until = time.monotonic() + linger
    while time.monotonic() < until:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    return answered and gui.runner.in_flight == 0


@contextmanager
def demo_centre(login: str = DEMO_ADMIN) -> Iterator[HubClient]:
    """A fresh demo centre in a temporary folder, filled by :mod:`desktop.showcase`, as
    ``login``."""
    from hub.centre import init_centre

    with tempfile.TemporaryDirectory(prefix="chipcommons-selftest-") as tmp:
        hub = init_centre(f"sqlite:///{Path(tmp) / 'centre.sqlite3'}", with_demo=True)
        clients: dict[str, LocalHub] = {}

        def client_for(who: str) -> LocalHub:
            return clients.setdefault(who, LocalHub(hub, who))

        try:
            if "pools.add_local" in hub.METHODS:
                populate(client_for)
            yield client_for(login)
        finally:
            for client in clients.values():
                client.close()
            hub.engine.dispose()


def visit_screens(gui: Gui, on_page: Callable[[str, QWidget], None]) -> list[str]:
    """Show every screen and every tab of it; call ``on_page(name, widget)`` for each."""
    problems: list[str] = []
    window = gui.window
    for cls in list(window.screen_classes):
        screen = window.show_screen(cls.key)
        if not settle(gui):
            problems.append(f"{cls.key}: the centre did not answer")
        on_page(cls.key, window)
        tabs = getattr(screen, "tabs", None)
        if isinstance(tabs, QTabWidget):
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                page = tabs.widget(i)
                settle(gui)
                name = page.key if isinstance(page, Screen) else f"{cls.key}.{i}"
                on_page(name, window)
    return problems


def run_self_test(args: argparse.Namespace) -> int:
    app = ensure_application()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="chipcommons-selftest-settings-") as tmp, \
            _centre_for(args) as client:
        for language in ("en", "ko"):
            settings = AppSettings(Path(tmp) / f"settings-{language}.ini")
            failures += _one_language(app, settings, language, client)
    for line in failures:
        print(f"self-test: FAILED {line}", file=sys.stderr)
    if not failures:
        print("self-test: ok")
    return 1 if failures else 0


@contextmanager
def _centre_for(args: argparse.Namespace) -> Iterator[HubClient]:
    """``--centre`` if given, else a throw-away demo centre."""
    if getattr(args, "centre", None):
        choice = CentreChoice(url=args.centre, as_user=args.as_user, key_path=args.key)
        client = open_client(choice, getattr(args, "accept_host_key", None))
        try:
            yield client
        finally:
            client.close()
    else:
        with demo_centre() as client:
            yield client


def _one_language(app: QApplication, settings: AppSettings, language: str,
                  client: HubClient) -> list[str]:
    failures: list[str] = []

    def check(name: str, widget: QWidget) -> None:
        pixmap: QPixmap = widget.grab()
        if pixmap.isNull() or pixmap.width() < 50 or pixmap.height() < 50:
            failures.append(f"[{language}] {name}: nothing rendered")
        else:
            print(f"self-test: [{language}] {name} rendered {pixmap.width()}x{pixmap.height()}")

    def run_with(client: HubClient) -> None:
        gui = create_gui(app, settings, language=language)
        try:
            gui.window.show()
            gui.connection.use(client)
            if not wait_until(lambda: gui.window.ctx is not None):
                failures.append(f"[{language}] the centre did not answer")
                return
            failures.extend(f"[{language}] {p}" for p in visit_screens(gui, check))
            for name, dialog in (("connections", gui.window.open_connection_manager()),
                                 ("settings", gui.window.open_settings()),
                                 ("my-keys", gui.window.open_my_keys())):
                if dialog is None:
                    failures.append(f"[{language}] dialog.{name} did not open")
                    continue
                settle(gui)
                check(f"dialog.{name}", dialog)
                dialog.close()
        finally:
            gui.close()

    run_with(client)
    return failures
