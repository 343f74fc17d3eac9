"""The main window: a sidebar of screens, a status bar that shows the connection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.errors import ChipError
from desktop.connection import CentreChoice, Connection, State
from desktop.i18n import Translations
from desktop.messages import error_text, error_title
from desktop.notifications import Notifier
from desktop.screens.base import AppContext, Screen, show_error
from desktop.seat_watch import SeatWatch
from desktop.settings import AppSettings
from desktop.tasks import HubRunner

if TYPE_CHECKING:  # the hub and the screens load after the first paint
    from core.accounts import UserInfo
    from desktop.connection_manager import ConnectionManager

AUTO_REFRESH_MS = 10_000


class MainWindow(QMainWindow):
    def __init__(self, runner: HubRunner, connection: Connection, settings: AppSettings,
                 translations: Translations, icon: QIcon, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.runner = runner
        self.connection = connection
        self.settings = settings
        self.translations = translations
        self.setWindowIcon(icon)
        self.ctx: AppContext | None = None
        self.screens: dict[str, Screen] = {}
        self.screen_classes: list[type[Screen]] = []

        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(190)
        self.nav.currentRowChanged.connect(self._show_row)
        self.stack = QStackedWidget(self)
        self.waiting = QLabel(self)
        self.waiting.setWordWrap(True)
        self.stack.addWidget(self.waiting)
        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(4, 4, 4, 4)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("connectionStatus")
        self.busy_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.busy_label)
        self.statusBar().addPermanentWidget(self.status_label)

        self.notifier = Notifier(icon, self)
        self.notifier.shown.connect(self._notified)
        self.seat_watch = SeatWatch(runner, self)
        self.seat_watch.reminder.connect(self.notifier.notify)

        self.connections_action = QAction(self)
        self.connections_action.triggered.connect(self.open_connection_manager)
        self.settings_action = QAction(self)
        self.settings_action.triggered.connect(self.open_settings)
        self.keys_action = QAction(self)
        self.keys_action.triggered.connect(self.open_my_keys)
        self.keys_action.setEnabled(False)  # once signed in to a centre
        self.refresh_action = QAction(self)
        self.refresh_action.setShortcut("F5")
        self.refresh_action.triggered.connect(self.refresh_current)
        self.quit_action = QAction(self)
        self.quit_action.triggered.connect(self.close)
        self.file_menu = self.menuBar().addMenu("")
        for action in (self.connections_action, self.keys_action, self.settings_action,
                       self.refresh_action, self.quit_action):
            self.file_menu.addAction(action)

        runner.busy_changed.connect(self._busy)
        runner.unhandled.connect(self._unhandled)
        connection.state_changed.connect(self._state)
        connection.connected.connect(self._connected)
        connection.open_failed.connect(self._open_failed)
        connection.notification.connect(self.notifier.notify)
        connection.notification.connect(self._on_notification)

        self.auto_refresh = QTimer(self)
        self.auto_refresh.setInterval(AUTO_REFRESH_MS)
        self.auto_refresh.timeout.connect(self._auto_refresh)
        self.retranslate()
        geometry = settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1100, 720)

    # -- texts ------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("ChipCommons"))
        self.file_menu.setTitle(self.tr("&ChipCommons"))
        self.connections_action.setText(self.tr("&Connections…"))
        self.settings_action.setText(self.tr("&Settings…"))
        self.keys_action.setText(self.tr("My SSH &keys…"))
        self.refresh_action.setText(self.tr("&Refresh"))
        self.quit_action.setText(self.tr("&Quit"))
        self.waiting.setText(self.tr("Connecting to the centre…"))
        self._state(self.connection.state.value)

    # -- connection -------------------------------------------------------------------------------

    @Slot(str)
    def _state(self, state: str) -> None:
        where = self.centre_name()
        texts = {
            State.OFFLINE.value: self.tr("Not connected"),
            State.CONNECTING.value: self.tr("Connecting to {where}…").format(where=where),
            State.CONNECTED.value: self.tr("Connected to {where} as {login}").format(
                where=where, login=self.connection.me.login if self.connection.me else "?"),
            State.RECONNECTING.value: self.tr("Connection to {where} lost; reconnecting…")
            .format(where=where),
        }
        self.status_label.setText(texts.get(state, state))
        self.status_label.setProperty("state", state)

    def centre_name(self) -> str:
        """The connected centre as the reader calls it (the embedded one in their language)."""
        if self.connection.choice.embedded:
            return self.tr("embedded centre")
        return self.connection.description or self.connection.choice.name

    def _busy(self, count: int) -> None:
        self.busy_label.setText(self.tr("Working…") if count else "")

    def _connected(self, me: UserInfo) -> None:
        self.ctx = AppContext(self.runner, self.connection, self.settings, me)
        self.keys_action.setEnabled(True)
        self.rebuild()
        self.auto_refresh.start()
        if self.ctx.may("leases.renew") and self.ctx.may("reservations.list"):
            self.seat_watch.start()

    def _open_failed(self, exc: Exception) -> None:
        code = exc.code if isinstance(exc, ChipError) else ""
        from desktop.connection_manager import trust_host_dialog, warn_host_key_changed

        if code == "unknown_host_key" and isinstance(exc, ChipError):
            data = exc.data
            fingerprint = str(data.get("fingerprint", ""))
            box = trust_host_dialog(self, str(data.get("host", "")),
                                    str(data.get("key_type", "")), fingerprint)
            choice = self.connection.choice

            def answered(button: int) -> None:
                if button == QMessageBox.StandardButton.Yes.value:
                    self.connection.open(choice, accept_fingerprint=fingerprint)
                box.deleteLater()

            box.finished.connect(answered)
            box.open()
            return
        if code == "host_key_changed" and isinstance(exc, ChipError):
            warn_host_key_changed(self, exc.message)
            return
        self.waiting.setText(error_text(exc))
        self.stack.setCurrentWidget(self.waiting)
        show_error(self, exc)

    def _unhandled(self, exc: Exception) -> None:
        self.statusBar().showMessage(error_text(exc), 10_000)
        QMessageBox.warning(self, error_title(exc), error_text(exc))

    def _notified(self, title: str, text: str) -> None:
        self.statusBar().showMessage(self.tr("{title}: {text}").format(title=title, text=text),
                                     15_000)

    def _on_notification(self, payload: dict[str, Any]) -> None:
        dashboard = self.screens.get("dashboard")
        if dashboard is not None:
            dashboard.refresh()
        current = self.stack.currentWidget()
        if isinstance(current, Screen) and current is not dashboard:
            current.refresh()

    # -- screens ----------------------------------------------------------------------------------

    def rebuild(self) -> None:
        """(Re)create the sidebar and screens for the signed-in user (after a language switch)."""
        current_key = self.current_key()
        for screen in self.screens.values():
            self.stack.removeWidget(screen)
            screen.deleteLater()
        self.screens = {}
        self.nav.blockSignals(True)
        self.nav.clear()
        from desktop.screens.registry import available_screens

        self.screen_classes = available_screens(self.ctx) if self.ctx else []
        for cls in self.screen_classes:
            item = QListWidgetItem(cls.title(), self.nav)
            item.setData(256, cls.key)
        self.nav.blockSignals(False)
        keys = [cls.key for cls in self.screen_classes]
        row = keys.index(current_key) if current_key in keys else 0
        if keys:
            self.nav.setCurrentRow(row)
            self._show_row(row)

    def current_key(self) -> str:
        current = self.stack.currentWidget()
        return current.key if isinstance(current, Screen) else ""

    def screen_for(self, key: str) -> Screen:
        """The screen ``key``, created on first use."""
        screen = self.screens.get(key)
        if screen is None:
            if self.ctx is None:
                raise RuntimeError("not connected")
            cls = next(c for c in self.screen_classes if c.key == key)
            screen = cls(self.ctx, self.stack)
            screen.setObjectName(f"screen-{key}")
            self.screens[key] = screen
            self.stack.addWidget(screen)
            screen.refresh()
        return screen

    def show_screen(self, key: str) -> Screen:
        keys = [cls.key for cls in self.screen_classes]
        self.nav.setCurrentRow(keys.index(key))
        return self.screens[key]

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(self.screen_classes):
            screen = self.screen_for(self.screen_classes[row].key)
            self.stack.setCurrentWidget(screen)

    def refresh_current(self) -> None:
        current = self.stack.currentWidget()
        if isinstance(current, Screen):
            current.refresh()

    def _auto_refresh(self) -> None:
        if self.runner.in_flight == 0 and self.connection.state == State.CONNECTED:
            self.refresh_current()

    # -- dialogs ----------------------------------------------------------------------------------

    def open_connection_manager(self) -> ConnectionManager:
        from desktop.connection_manager import ConnectionManager

        dialog = ConnectionManager(self.settings, self, runner=self.runner,
                                   centre=self.centre_name())
        dialog.chosen.connect(self._choose_centre)
        dialog.my_keys_wanted.connect(self.open_my_keys)
        dialog.open()
        return dialog

    def open_my_keys(self) -> QDialog | None:
        """The signed-in user's SSH keys on the current centre (``me.keys``)."""
        if self.ctx is None:
            return None
        from desktop.key_dialogs import MyKeysDialog
        from hub.cli.connect import app_key_path

        dialog = MyKeysDialog(self.runner, self.centre_name(), app_key_path(),
                              self)
        dialog.open()
        return dialog

    def _choose_centre(self, choice: CentreChoice) -> None:
        self.ctx = None
        self.keys_action.setEnabled(False)
        self.rebuild()
        self.stack.setCurrentWidget(self.waiting)
        self.connection.open(choice)

    def open_settings(self) -> QDialog:
        dialog = SettingsDialog(self.settings, self)
        dialog.accepted.connect(lambda: self.switch_language(dialog.language()))
        dialog.open()
        return dialog

    def switch_language(self, saved: str) -> None:
        from desktop.i18n import resolve_language

        self.settings.set_language(saved)
        self.translations.switch(resolve_language(None, saved))
        self.retranslate()
        self.rebuild()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.auto_refresh.stop()
        self.seat_watch.stop()
        self.settings.set_geometry(self.saveGeometry())
        self.notifier.close()
        super().closeEvent(event)


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self.combo = QComboBox(self)
        self.combo.addItem(self.tr("Follow the system"), "")
        self.combo.addItem("English", "en")
        self.combo.addItem("한국어", "ko")
        self.combo.setCurrentIndex(max(0, self.combo.findData(settings.language())))
        form = QFormLayout()
        form.addRow(self.tr("Language"), self.combo)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def language(self) -> str:
        return str(self.combo.currentData() or "")
