"""SSH keys from the desktop: the admin's keys tab (per user, add from a file or pasted text,
revoke after a confirmation) and every user's own keys (the connection manager registers the
app's key)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from desktop.connection_manager import ConnectionManager
from desktop.key_dialogs import AddKeyDialog, KeysPanel, MyKeysDialog
from desktop.keys import generate_ed25519
from desktop.screens.admin_accounts import KeysTab, UsersTab
from desktop.settings import AppSettings
from hub.api import Hub
from tests.desktop.conftest import GuiFactory
from tests.support.services import write_keypair


def ok_button(dialog: Any) -> Any:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def admin_tab(gui: Any, key: str) -> Any:
    screen = gui.window.show_screen("admin")
    tab = screen.pages[key]
    screen.tabs.setCurrentWidget(tab)
    return tab


def confirm_revoke(panel: KeysPanel, qtbot: Any) -> None:
    box = panel.revoke()
    assert isinstance(box, QMessageBox) and box.objectName() == "revokeKeyConfirm"
    revoke = next(b for b in box.buttons()
                  if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
    revoke.click()


def test_an_admin_adds_and_revokes_a_users_key(make_gui: GuiFactory, demo_hub: Hub,
                                               qtbot: Any, tmp_path: Path) -> None:
    gui = make_gui("demo.admin")
    users = admin_tab(gui, "admin.users")
    assert isinstance(users, UsersTab)
    qtbot.waitUntil(lambda: bool(users.table.records()))
    users.table.select_key("demo.student")
    tab = users.show_keys()
    assert isinstance(tab, KeysTab)
    qtbot.waitUntil(lambda: tab.user.currentData() == "demo.student")
    qtbot.waitUntil(lambda: gui.runner.in_flight == 0)
    assert tab.panel.table.records() == []
    line = write_keypair(tmp_path / "student", "ecdsa")
    dialog = tab.panel.add_key()
    assert isinstance(dialog, AddKeyDialog)
    assert dialog.user is not None and dialog.user.currentData() == "demo.student"
    assert not ok_button(dialog).isEnabled()
    (tmp_path / "student.pub").write_text(line + "\n")
    dialog.load_file(tmp_path / "student.pub")
    assert dialog.fingerprint.text().startswith("SHA256:")
    assert ok_button(dialog).isEnabled()
    ok_button(dialog).click()
    qtbot.waitUntil(lambda: len(tab.panel.table.records()) == 1)
    [key] = tab.panel.table.records()
    assert key.login == "demo.student" and key.key_type == "ecdsa-sha2-nistp256"
    assert tab.panel.table.model.data(tab.panel.table.model.index(0, 5)) == "in use"
    tab.panel.table.select_key(key.fingerprint)
    confirm_revoke(tab.panel, qtbot)
    qtbot.waitUntil(lambda: tab.panel.table.records()[0].revoked_at is not None)
    assert not tab.panel.revoke_button.isEnabled()
    [stored] = demo_hub.call("demo.admin", "admin.keys", {"login": "demo.student"})
    assert stored["revoked_at"] is not None
    tab.show_user(None)  # everyone's keys
    qtbot.waitUntil(lambda: gui.runner.in_flight == 0)
    assert [k.login for k in tab.panel.table.records()] == ["demo.student"]


def test_the_add_key_dialog_refuses_what_the_centre_would(qtbot: Any, tmp_path: Path) -> None:
    dialog = AddKeyDialog()
    qtbot.addWidget(dialog)
    error = dialog.form.fields["key"].error
    dialog.text.setPlainText("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n"
                             "-----END OPENSSH PRIVATE KEY-----")
    assert not ok_button(dialog).isEnabled() and "private key" in error.text()
    dialog.text.setPlainText("ssh-dss AAAAB3NzaC1kc3MAAACBAP me@host")
    assert not ok_button(dialog).isEnabled() and "not accepted" in error.text()
    big = tmp_path / "huge.pub"
    big.write_bytes(b"x" * (64 << 10))
    dialog.load_file(big)
    assert "one short line" in error.text() and dialog.text.toPlainText() == ""
    dialog.text.setPlainText(write_keypair(tmp_path / "k"))
    assert ok_button(dialog).isEnabled() and not error.isVisible()
    assert set(dialog.params()) == {"key"}


def test_a_student_keeps_their_own_keys(make_gui: GuiFactory, demo_hub: Hub, qtbot: Any,
                                        tmp_path: Path) -> None:
    gui = make_gui("demo.student")
    assert "admin" not in [cls.key for cls in gui.window.screen_classes]
    assert gui.window.keys_action.isEnabled()
    dialog = gui.window.open_my_keys()
    assert isinstance(dialog, MyKeysDialog)
    panel = dialog.panel
    qtbot.waitUntil(lambda: gui.runner.in_flight == 0)
    add = panel.add_key()
    assert add.user is None  # only their own
    add.text.setPlainText(write_keypair(tmp_path / "mine"))
    ok_button(add).click()
    qtbot.waitUntil(lambda: len(panel.table.records()) == 1)
    [key] = panel.table.records()
    panel.table.select_key(key.fingerprint)
    confirm_revoke(panel, qtbot)
    qtbot.waitUntil(lambda: panel.table.records()[0].revoked_at is not None)
    assert "revoked" in panel.status.text()
    [stored] = demo_hub.call("demo.student", "me.keys")
    assert stored["revoked_at"] is not None
    dialog.close()


def test_the_connection_manager_registers_the_apps_key(make_gui: GuiFactory, demo_hub: Hub,
                                                       qtbot: Any, tmp_path: Path,
                                                       settings: AppSettings) -> None:
    gui = make_gui("demo.engineer")
    key_path = tmp_path / "id_chipcommons"
    manager = ConnectionManager(settings, gui.window, key_path=key_path, runner=gui.runner,
                                centre="embedded centre")
    assert not manager.register_button.isEnabled()  # no key yet
    line = generate_ed25519(key_path, comment="engineer@fictional-lab")
    manager._show_key_state()
    assert manager.register_button.isEnabled() and manager.my_keys_button.isEnabled()
    manager.register_key()
    qtbot.waitUntil(lambda: "is registered" in manager.key_label.text())
    [stored] = demo_hub.call("demo.engineer", "me.keys")
    assert stored["comment"] == "engineer@fictional-lab" and line.split()[1]
    manager.register_key()  # twice: the centre refuses the duplicate, shown in place
    qtbot.waitUntil(lambda: "already registered" in manager.key_label.text())
    with qtbot.waitSignal(manager.my_keys_wanted):
        manager.my_keys_button.click()
    manager.close()


def test_my_keys_needs_a_connection(qtbot: Any, settings: AppSettings, tmp_path: Path) -> None:
    manager = ConnectionManager(settings, key_path=tmp_path / "none")
    qtbot.addWidget(manager)
    assert not manager.register_button.isEnabled()
    assert not manager.my_keys_button.isEnabled()


def test_the_key_table_models_pass_modeltester(qtmodeltester: Any, qtbot: Any) -> None:
    from datetime import UTC, datetime, timedelta

    from PySide6.QtCore import Qt

    from core.accounts import KeyInfo

    panel = KeysPanel(lambda *a, **k: None, admin=True)
    qtbot.addWidget(panel)
    added = datetime(2026, 3, 2, 9, tzinfo=UTC)
    keys = [KeyInfo(f"user{i % 3}", "ssh-ed25519" if i % 2 else "ssh-rsa", f"SHA256:k{i}",
                    f"laptop {i}", added + timedelta(days=i),
                    None if i % 4 else added + timedelta(days=30)) for i in range(12)]
    panel.table.set_records(keys)
    # one tester stays connected to the proxy and checks every change signal from here on
    qtmodeltester.check(panel.table.proxy, force_py=True)
    for column in range(panel.table.model.columnCount()):
        panel.table.proxy.sort(column, Qt.SortOrder.DescendingOrder)
    panel.table.proxy.set_filter_text("user1")
    panel.table.model.upsert(KeyInfo("user1", "ssh-ed25519", "SHA256:new", "", added, None))
    panel.table.model.set_records(keys[4:])
    assert all(k.login == "user1" for k in (panel.table.proxy.record(r) for r in
                                            range(panel.table.proxy.rowCount())))
