"""The main window: screens by role, the connection (host keys, dropping, reconnecting), calls
that never block, inline validation, settings and key generation."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from core.errors import Forbidden
from desktop.app import create_gui
from desktop.connection import CentreChoice, State
from desktop.connection_manager import ConnectionManager
from desktop.keys import generate_ed25519, public_key_line
from desktop.screens.admin_accounts import AddUserDialog, UsersTab
from desktop.settings import AppSettings, SavedCentre
from desktop.tasks import HubRunner
from hub.api import Hub
from hub.clients.local import LocalHub
from hub.clients.remote import HostKeyChanged, UnknownHostKey, load_private_key
from tests.desktop.conftest import GuiFactory
from tests.desktop.faults import DownHub, FlakyHub

ROOT = Path(__file__).resolve().parents[2]


def users_tab(gui: Any) -> UsersTab:
    screen = gui.window.show_screen("admin")
    tab = screen.pages["admin.users"]
    screen.tabs.setCurrentWidget(tab)
    assert isinstance(tab, UsersTab)
    return tab


def nav_keys(gui: Any) -> list[str]:
    return [cls.key for cls in gui.window.screen_classes]


def test_admin_sees_admin_screen_and_an_engineer_does_not(make_gui: GuiFactory,
                                                          qtbot: Any) -> None:
    admin = make_gui("demo.admin")
    assert "admin" in nav_keys(admin)
    users = users_tab(admin)
    qtbot.waitUntil(lambda: len(users.table.records()) >= 7)
    assert "demo.student" in {u.login for u in users.table.records()}
    engineer = make_gui("demo.engineer")
    assert "admin" not in nav_keys(engineer) and nav_keys(engineer)[0] == "dashboard"


def test_the_hub_refuses_an_engineer_anyway(make_gui: GuiFactory, qtbot: Any) -> None:
    gui = make_gui("demo.engineer")
    errors: list[Exception] = []
    gui.runner.call("admin.users", done=lambda r: errors.append(AssertionError(r)),
                    failed=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], Forbidden)


def test_add_user_validates_inline_and_sends_nothing_until_valid(make_gui: GuiFactory,
                                                                 qtbot: Any) -> None:
    gui = make_gui("demo.admin")
    users = users_tab(gui)
    qtbot.waitUntil(lambda: bool(users.orgs))
    users.add_button.click()
    dialog = users.findChild(AddUserDialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.login.setText("Bad Login!")
    assert not ok.isEnabled()
    assert dialog.form.fields["login"].error.isVisibleTo(dialog)
    dialog.login.setText("new.person")
    dialog.role_boxes[next(iter(dialog.role_boxes))].setChecked(True)
    dialog.email.setText("not-an-address")
    assert not ok.isEnabled()
    dialog.email.setText("new.person@example.invalid")
    assert ok.isEnabled()
    ok.click()
    qtbot.waitUntil(lambda: users.table.model.row_of("new.person") >= 0)


def test_calls_never_run_on_the_gui_thread_and_the_loop_keeps_ticking(
        demo_hub: Hub, qapp: QApplication, qtbot: Any, settings: AppSettings) -> None:
    """A burst of 300 Hub calls: every call runs on a worker; the event loop's longest gap is
    recorded (bench/gui.py reports it against the 50 ms target)."""
    client = FlakyHub(demo_hub, "demo.admin", method="none", drops=0)
    runner = HubRunner(client)
    answers: list[Any] = []
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    for i in range(100):
        runner.call("system.ping", done=answers.append)
        runner.call("admin.users", done=answers.append)
        runner.call("me.set_preference", done=answers.append, key="theme", value=f"t{i}")
    qtbot.waitUntil(lambda: len(answers) == 300, timeout=60_000)
    timer.stop()
    runner.shutdown()
    main = threading.main_thread().name
    assert client.threads and main not in client.threads
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    print(f"longest event-loop gap during the burst: {max(gaps) * 1000:.1f} ms")


def test_a_dropped_answer_is_retried_and_applied_once(demo_hub: Hub, qtbot: Any) -> None:
    client = FlakyHub(demo_hub, "demo.admin", method="admin.add_org", drops=1)
    runner = HubRunner(client)
    retries: list[int] = []
    runner.retrying.connect(lambda exc, attempt: retries.append(attempt))
    results: list[Any] = []
    runner.call("admin.add_org", done=results.append, failed=results.append,
                code="retry-org", name_en="Retry Org (fictional)", kind="startup")
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    runner.shutdown()
    assert retries == [1]
    assert getattr(results[0], "code", None) == "retry-org"
    assert len(client.sent) == 2
    assert client.sent[0]["request_id"] == client.sent[1]["request_id"]
    audit = demo_hub.call("demo.admin", "admin.audit", {})
    assert sum(1 for e in audit if e["action"] == "org.add" and e["target"] == "retry-org") == 1


def test_status_bar_shows_a_drop_and_reconnects_by_itself(demo_hub: Hub, qapp: QApplication,
                                                          qtbot: Any,
                                                          settings: AppSettings) -> None:
    client = DownHub(demo_hub, "demo.engineer")
    gui = create_gui(qapp, settings, language="en",
                     opener=lambda choice, fp: client)
    try:
        gui.connection.open(CentreChoice(name="test", url="ssh://x@example.invalid"))
        qtbot.waitUntil(lambda: gui.connection.state == State.CONNECTED)
        label = gui.window.status_label
        assert "Connected" in label.text()
        client.down.set()
        gui.connection.check()
        qtbot.waitUntil(lambda: gui.connection.state == State.RECONNECTING)
        assert "reconnecting" in label.text()
        client.down.clear()
        qtbot.waitUntil(lambda: gui.connection.state == State.CONNECTED, timeout=15_000)
        assert "Connected" in label.text()
    finally:
        gui.close()


def test_first_time_host_shows_the_fingerprint_and_connects_once_trusted(
        demo_hub: Hub, qapp: QApplication, qtbot: Any, settings: AppSettings) -> None:
    fingerprint = "SHA256:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg"
    offered: list[str | None] = []

    def opener(choice: CentreChoice, accept: str | None) -> LocalHub:
        offered.append(accept)
        if accept != fingerprint:
            raise UnknownHostKey("unknown host", host="centre.example.invalid",
                                 fingerprint=fingerprint, key_type="ssh-ed25519")
        return LocalHub(demo_hub, "demo.engineer")

    gui = create_gui(qapp, settings, language="en", opener=opener)
    try:
        gui.connection.open(CentreChoice(name="c", url="ssh://u@centre.example.invalid"))
        qtbot.waitUntil(lambda: gui.window.findChild(QMessageBox, "trustHostDialog")
                        is not None)
        box = gui.window.findChild(QMessageBox, "trustHostDialog")
        assert fingerprint in box.text()
        box.button(QMessageBox.StandardButton.Yes).click()
        qtbot.waitUntil(lambda: gui.connection.state == State.CONNECTED)
        assert offered == [None, fingerprint]
    finally:
        gui.close()


def test_a_changed_host_key_warns_loudly_and_does_not_connect(
        qapp: QApplication, qtbot: Any, settings: AppSettings) -> None:
    def opener(choice: CentreChoice, accept: str | None) -> LocalHub:
        raise HostKeyChanged("WARNING: the host key of centre.example.invalid has changed",
                             host="centre.example.invalid", fingerprint="SHA256:new")

    gui = create_gui(qapp, settings, language="en", opener=opener)
    try:
        gui.connection.open(CentreChoice(name="c", url="ssh://u@centre.example.invalid"))
        qtbot.waitUntil(lambda: gui.window.findChild(QMessageBox, "hostKeyChangedWarning")
                        is not None)
        box = gui.window.findChild(QMessageBox, "hostKeyChangedWarning")
        assert box.icon() == QMessageBox.Icon.Critical
        assert "has changed" in box.text()
        assert gui.connection.state == State.OFFLINE and gui.runner.client is None
        box.close()
    finally:
        gui.close()


def test_connection_manager_saves_a_centre_and_generates_a_key(
        tmp_path: Path, qtbot: Any, settings: AppSettings) -> None:
    key = tmp_path / "keys" / "id_ed25519"
    manager = ConnectionManager(settings, key_path=key)
    qtbot.addWidget(manager)
    manager.list.setCurrentRow(manager.list.count() - 1)  # "New SSH centre…"
    manager.name.setText("Demo centre")
    manager.host.setText("bad host!")
    assert not manager.save_button.isEnabled()
    manager.host.setText("centre.example.invalid")
    manager.user.setText("hong")
    manager.port.setValue(2222)
    manager.save_current()
    assert settings.centres() == [SavedCentre("Demo centre", "centre.example.invalid", "hong",
                                              2222, "")]
    manager.generate_key()
    assert key.exists() and oct(key.stat().st_mode & 0o777) == "0o600"
    line = QApplication.clipboard().text()
    assert line.startswith("ssh-ed25519 ") and line == public_key_line(key)
    assert load_private_key(key).get_name() == "ssh-ed25519"
    choice = manager.choice()
    assert choice.url == "ssh://hong@centre.example.invalid:2222"
    assert choice.key_path == str(key)


def test_key_generation_refuses_to_overwrite(tmp_path: Path) -> None:
    from core.errors import Conflict

    key = tmp_path / "id_ed25519"
    generate_ed25519(key)
    with pytest.raises(Conflict):
        generate_ed25519(key)


def test_language_switch_rebuilds_the_window_in_korean(make_gui: GuiFactory) -> None:
    gui = make_gui("demo.admin")
    assert gui.window.nav.item(0).text() == "Dashboard"
    gui.window.switch_language("ko")
    assert gui.window.nav.item(0).text() == "대시보드"
    assert gui.settings.language() == "ko"
    gui.window.switch_language("en")
    assert gui.window.nav.item(0).text() == "Dashboard"


def test_self_test_opens_every_screen_and_exits_0(tmp_path: Path) -> None:
    env = {"CHIPCOMMONS_HOME": str(tmp_path), "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "desktop.main", "--self-test"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "[ko] admin.users rendered" in done.stdout
