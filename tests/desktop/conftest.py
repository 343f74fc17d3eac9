"""Desktop tests: offscreen Qt, Qt warnings fail a test, and so does a thread or timer left
running. A demo centre on a temporary SQLite database stands in for the embedded centre."""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
# keep keys, known_hosts and the embedded centre of tests away from the user's own
os.environ.setdefault("CHIPCOMMONS_HOME", tempfile.mkdtemp(prefix="chipcommons-desktop-tests-"))

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QApplication

from desktop.app import Gui, create_gui
from desktop.settings import AppSettings
from hub.api import Hub
from hub.centre import init_centre
from hub.clients.local import LocalHub

#: engineers of the pools fixture's own organisation
TEST_USERS = ("test.engineer", "test.holder")

#: Qt messages that do not fail a test, each with the reason.
QT_WARNINGS_IGNORED = [
    # the offscreen platform plugin cannot resize native windows; harmless (FORMATS.md)
    re.compile(r"This plugin does not support propagateSizeHints\(\)"),
    # offscreen has no window manager to hand focus to a new top-level window
    re.compile(r"This plugin does not support (raise|grabbing the keyboard)"),
]


@pytest.fixture(autouse=True)
def fail_on_qt_warnings(qtlog: pytest.FixtureRequest) -> Iterator[None]:
    yield
    from pytestqt.qt_compat import qt_api

    bad = [r.message for r in qtlog.records  # type: ignore[attr-defined]
           if r.type in (qt_api.QtCore.QtMsgType.QtWarningMsg,
                         qt_api.QtCore.QtMsgType.QtCriticalMsg,
                         qt_api.QtCore.QtMsgType.QtFatalMsg)
           and not any(p.search(r.message) for p in QT_WARNINGS_IGNORED)]
    if bad:
        pytest.fail("Qt warnings during the test:\n" + "\n".join(bad))


def _threads() -> set[threading.Thread]:
    # QThreadPool workers that ran Python show up as _DummyThread forever; they are checked
    # through the runners' pools instead
    return {t for t in threading.enumerate() if not isinstance(t, threading._DummyThread)}


def _active_timers(app: QCoreApplication) -> list[QTimer]:
    timers = [t for t in app.findChildren(QTimer) if t.isActive()]
    if isinstance(app, QApplication):
        for widget in app.topLevelWidgets():
            timers += [t for t in widget.findChildren(QTimer) if t.isActive()]
    return timers


@pytest.fixture(autouse=True)
def no_leftover_threads_or_timers(qapp: QApplication) -> Iterator[None]:
    before = _threads()
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _threads() - before:
        time.sleep(0.02)
    left = _threads() - before
    timers = _active_timers(qapp)
    for timer in timers:
        timer.stop()
    problems = [f"thread {t.name}" for t in left] + [
        f"timer {t.objectName() or t.parent().__class__.__name__}" for t in timers]
    if problems:
        pytest.fail("the test left running: " + ", ".join(problems))


@pytest.fixture
def demo_hub(tmp_path: Path) -> Iterator[Hub]:
    hub = init_centre(f"sqlite:///{tmp_path / 'centre.sqlite3'}", with_demo=True)
    yield hub
    hub.engine.dispose()


@pytest.fixture
def pools(demo_hub: Hub) -> Hub:
    """The demo centre with two local pools, vcs-runtime (10 seats) and dc-ultra (1 seat), and
    an organisation of its own (no quota from the demo data) with TEST_USERS in it."""
    if "pools.add_local" not in Hub.METHODS:
        pytest.skip("the licence-pool Hub methods are not in this build")
    demo_hub.call("demo.admin", "admin.add_org", {"code": "test-lab", "kind": "university",
                                                  "name_en": "Test Lab (fictional)"})
    for login in TEST_USERS:
        demo_hub.call("demo.admin", "admin.add_user", {"login": login, "org": "test-lab",
                                                       "roles": ["engineer"]})
    demo_hub.call("demo.admin", "pools.add_local", {"feature": "vcs-runtime", "seats": 10,
                                                    "label": "VCS runtime",
                                                    "max_seats_per_lease": 4})
    demo_hub.call("demo.admin", "pools.add_local", {"feature": "dc-ultra", "seats": 1})
    return demo_hub


@pytest.fixture
def farm(demo_hub: Hub) -> Iterator[Hub]:
    """The demo centre with its background worker running (it dispatches farm jobs)."""
    if "jobs.create" not in Hub.METHODS:
        pytest.skip("the farm Hub methods are not in this build")
    from hub import farm as hub_farm
    from hub.worker import WorkerThread

    dispatcher = None
    if hasattr(hub_farm, "dispatcher_for"):
        # the thread that hands accepted jobs to the scheduler ends soon after its last job,
        # so the test's leftover-thread check does not wait for its usual idle time
        dispatcher = hub_farm.dispatcher_for(demo_hub)
        dispatcher.idle = 0.2
    worker = WorkerThread(demo_hub, interval=0.2)
    worker.start()
    yield demo_hub
    worker.stop()
    if dispatcher is not None:
        dispatcher.wait(timeout=30)


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    return AppSettings(tmp_path / "settings.ini")


def wait_for(qtbot: object, condition: Callable[[], bool], timeout: int = 10_000) -> None:
    qtbot.waitUntil(condition, timeout=timeout)  # type: ignore[attr-defined]


GuiFactory = Callable[..., Gui]


@pytest.fixture
def make_gui(qapp: QApplication, qtbot: object, demo_hub: Hub,
             settings: AppSettings) -> Iterator[GuiFactory]:
    """``make_gui(login="demo.engineer", language="en")`` → a connected :class:`Gui`."""
    made: list[tuple[Gui, LocalHub]] = []

    def make(login: str = "demo.engineer", language: str = "en") -> Gui:
        gui = create_gui(qapp, settings, language=language)
        client = LocalHub(demo_hub, login)
        client.start_notifications(poll_seconds=0.1)
        made.append((gui, client))
        gui.window.show()
        gui.connection.use(client)
        wait_for(qtbot, lambda: gui.window.ctx is not None)
        wait_for(qtbot, lambda: gui.runner.in_flight == 0)
        return gui

    yield make
    for gui, client in made:
        gui.close()
        client.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
