"""The connection manager (SSH centres, the app's own key) and the host-key dialogs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.errors import ChipError
from desktop.connection import CentreChoice
from desktop.forms import ValidatedForm
from desktop.keys import generate_ed25519, public_key_line
from desktop.messages import error_text
from desktop.settings import AppSettings, SavedCentre
from desktop.tasks import HubRunner
from hub.cli.connect import app_key_path

translate = QCoreApplication.translate

_HOST_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:[]")


class ConnectionManager(QDialog):
    """Lists the embedded centre and saved SSH centres; ``chosen`` says which to open."""

    chosen = Signal(object)  # CentreChoice
    my_keys_wanted = Signal()

    def __init__(self, settings: AppSettings, parent: QWidget | None = None,
                 key_path: Path | None = None, runner: HubRunner | None = None,
                 centre: str = "") -> None:
        super().__init__(parent)
        self.runner = runner
        self.centre = centre
        self.setObjectName("connectionManager")
        self.setWindowTitle(self.tr("Connections"))
        self.settings = settings
        self.key_path = key_path or app_key_path()
        self.centres = settings.centres()
        self.list = QListWidget(self)
        self.list.currentRowChanged.connect(self._show)
        self.form = ValidatedForm(self)
        self.name = QLineEdit(self)
        self.host = QLineEdit(self)
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        self.port.setValue(22)
        self.user = QLineEdit(self)
        self.key = QLineEdit(self)
        self.key.setPlaceholderText(str(self.key_path))
        browse = QPushButton(self.tr("Browse…"), self)
        browse.clicked.connect(self._browse)
        key_row = QWidget(self)
        row = QHBoxLayout(key_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.key, 1)
        row.addWidget(browse)
        self.form.add("name", self.tr("Name"), self.name,
                      lambda v: None if v else self.tr("Give the centre a name."))
        self.form.add("host", self.tr("Host"), self.host, self._check_host)
        self.form.add("port", self.tr("Port"), self.port)
        self.form.add("user", self.tr("User"), self.user,
                      lambda v: None if v else self.tr("Give your user name on the centre."))
        self.form.add("key", self.tr("Private key"), key_row, self._check_key,
                      read=lambda: self.key.text().strip())
        self.key.textChanged.connect(self.form.revalidate)
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.clicked.connect(self.save_current)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.remove_button.clicked.connect(self.remove_current)
        self.generate_button = QPushButton(self.tr("Generate my key"), self)
        self.generate_button.clicked.connect(self.generate_key)
        self.copy_button = QPushButton(self.tr("Copy my public key"), self)
        self.copy_button.clicked.connect(self.copy_public_key)
        self.register_button = QPushButton(self.tr("Register it with this centre"), self)
        self.register_button.setObjectName("registerKey")
        self.register_button.setToolTip(self.tr("Adds your public key to your account on the "
                                                "centre you are connected to"))
        self.register_button.clicked.connect(self.register_key)
        self.my_keys_button = QPushButton(self.tr("My keys on this centre…"), self)
        self.my_keys_button.clicked.connect(self.my_keys_wanted)
        self.key_label = QLabel(self)
        self.key_label.setWordWrap(True)
        self.connect_button = QPushButton(self.tr("Connect"), self)
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self._connect)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        self.form.validity_changed.connect(self._update_buttons)

        edit = QVBoxLayout()
        edit.addWidget(self.form)
        row2 = QHBoxLayout()
        for b in (self.save_button, self.remove_button):
            row2.addWidget(b)
        row2.addStretch(1)
        edit.addLayout(row2)
        keys = QHBoxLayout()
        keys.addWidget(self.generate_button)
        keys.addWidget(self.copy_button)
        keys.addStretch(1)
        edit.addLayout(keys)
        registered = QHBoxLayout()
        registered.addWidget(self.register_button)
        registered.addWidget(self.my_keys_button)
        registered.addStretch(1)
        edit.addLayout(registered)
        edit.addWidget(self.key_label)
        edit.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.list, 1)
        top.addLayout(edit, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.connect_button)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self._fill()
        self._show_key_state()

    # -- list -------------------------------------------------------------------------------------

    def _fill(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        QListWidgetItem(self.tr("Embedded centre (this computer)"), self.list)
        for centre in self.centres:
            QListWidgetItem(self.tr("{name} ({url})").format(name=centre.name, url=centre.url),
                            self.list)
        QListWidgetItem(self.tr("New SSH centre…"), self.list)
        self.list.blockSignals(False)
        self.list.setCurrentRow(0)
        self._show(0)

    def _is_embedded(self) -> bool:
        return self.list.currentRow() == 0

    def _current(self) -> SavedCentre | None:
        row = self.list.currentRow() - 1
        return self.centres[row] if 0 <= row < len(self.centres) else None

    def _show(self, row: int) -> None:
        centre = self._current()
        self.form.setEnabled(row != 0)
        self.name.setText(centre.name if centre else "")
        self.host.setText(centre.host if centre else "")
        self.port.setValue(centre.port if centre else 22)
        self.user.setText(centre.user if centre else "")
        self.key.setText(centre.key_path if centre else "")
        self.form.revalidate()
        self._update_buttons()

    def _update_buttons(self, *_: object) -> None:
        embedded = self._is_embedded()
        self.save_button.setEnabled(not embedded and self.form.valid)
        self.remove_button.setEnabled(self._current() is not None)
        self.connect_button.setEnabled(embedded or (self.form.valid
                                                    and self._current() is not None))

    # -- checks -----------------------------------------------------------------------------------

    def _check_host(self, value: str) -> str | None:
        if not value:
            return self.tr("Give the centre's host name or address.")
        if not set(value) <= _HOST_CHARS or value.startswith("-"):
            return self.tr("A host name uses letters, digits, dots and hyphens.")
        return None

    def _check_key(self, value: str) -> str | None:
        if value and not Path(value).expanduser().is_file():
            return self.tr("There is no file at this path.")
        return None

    # -- actions ----------------------------------------------------------------------------------

    def _form_centre(self) -> SavedCentre:
        v = self.form.values()
        return SavedCentre(name=v["name"], host=v["host"], user=v["user"], port=int(v["port"]),
                           key_path=v["key"])

    def save_current(self) -> None:
        if not self.form.revalidate():
            return
        centre = self._form_centre()
        current = self._current()
        others = [c for c in self.centres if c is not current and c.name != centre.name]
        if current is None:
            self.centres = [*others, centre]
        else:
            index = self.centres.index(current)
            self.centres = [*others[:index], centre, *others[index:]]
        self.settings.set_centres(self.centres)
        self._fill()
        self.list.setCurrentRow(self.centres.index(centre) + 1)

    def remove_current(self) -> None:
        current = self._current()
        if current is not None:
            self.centres = [c for c in self.centres if c is not current]
            self.settings.set_centres(self.centres)
            self._fill()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a private key"),
                                              str(Path.home() / ".ssh"))
        if path:
            self.key.setText(path)

    def _show_key_state(self) -> None:
        if self.key_path.exists():
            self.key_label.setText(self.tr("Your key: {path}").format(path=self.key_path))
        else:
            self.key_label.setText(self.tr("You have no ChipCommons key yet."))
        self.copy_button.setEnabled(self.key_path.exists())
        connected = self.runner is not None and self.runner.client is not None
        self.register_button.setEnabled(connected and self.key_path.exists())
        self.my_keys_button.setEnabled(connected)
        if connected:
            self.register_button.setText(self.tr("Register it with {centre}").format(
                centre=self.centre or self.tr("this centre")))

    def generate_key(self) -> None:
        if self.key_path.exists():
            answer = QMessageBox.question(
                self, self.tr("Replace your key?"),
                self.tr("A key exists at {path}. A new key locks you out of centres that "
                        "know only the old one. Replace it?").format(path=self.key_path))
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            generate_ed25519(self.key_path, overwrite=True)
        except (ChipError, OSError) as exc:
            QMessageBox.warning(self, self.tr("Could not make a key"), error_text(exc))
            return
        self._show_key_state()
        self.copy_public_key()

    def copy_public_key(self) -> None:
        try:
            line = public_key_line(self.key_path)
        except ChipError as exc:
            QMessageBox.warning(self, self.tr("No key"), error_text(exc))
            return
        QGuiApplication.clipboard().setText(line)
        self.key_label.setText(self.tr("Your public key is on the clipboard; send it to the "
                                       "centre's admin:\n{key}").format(key=line))

    def register_key(self) -> None:
        """Send the app's public key to the connected centre (``me.add_key``)."""
        if self.runner is None:
            return
        try:
            line = public_key_line(self.key_path)
        except ChipError as exc:
            QMessageBox.warning(self, self.tr("No key"), error_text(exc))
            return
        self.register_button.setEnabled(False)
        self.key_label.setText(self.tr("Registering your key…"))
        self.runner.call("me.add_key", done=self._registered, failed=self._register_failed,
                         owner=self, key=line)

    def _registered(self, key: Any) -> None:
        self.register_button.setEnabled(True)
        self.key_label.setText(self.tr("Your key {fingerprint} is registered with {centre}; "
                                       "you can connect with it over SSH.").format(
            fingerprint=key.fingerprint, centre=self.centre or self.tr("this centre")))

    def _register_failed(self, exc: Exception) -> None:
        self.register_button.setEnabled(True)
        self.key_label.setText(error_text(exc))

    def choice(self) -> CentreChoice:
        if self._is_embedded():
            return CentreChoice()
        centre = self._form_centre()
        key = centre.key_path or (str(self.key_path) if self.key_path.exists() else None)
        return CentreChoice(name=centre.name, url=centre.url, key_path=key)

    def _connect(self) -> None:
        choice = self.choice()
        self.chosen.emit(choice)
        self.accept()


def trust_host_dialog(parent: QWidget, host: str, key_type: str,
                      fingerprint: str) -> QMessageBox:
    """The first-time host dialog showing the SHA256 fingerprint (not yet shown; ``Yes``
    trusts the key)."""
    box = QMessageBox(parent)
    box.setObjectName("trustHostDialog")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(translate("HostKey", "A centre you have not used before"))
    box.setText(translate("HostKey", "This is the first connection to {host}. Its {type} host "
                                     "key has the fingerprint:\n\n{fingerprint}\n\nCompare it "
                                     "with the one your centre's admin gave you. Trust it and "
                                     "connect?")
                .format(host=host, type=key_type, fingerprint=fingerprint))
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box


def warn_host_key_changed(parent: QWidget, message: str) -> QMessageBox:
    """The loud warning for a changed host key; the app does not connect."""
    box = QMessageBox(QMessageBox.Icon.Critical,
                      translate("HostKey", "WARNING: the centre's identity has changed"),
                      translate("HostKey", "The host key of this centre is not the one you "
                                         "trusted before. Someone may be intercepting the "
                                         "connection, or the centre was reinstalled. ChipCommons "
                                         "will not connect. Ask the centre's admin for the new "
                                         "fingerprint.\n\n{detail}").format(detail=message),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("hostKeyChangedWarning")
    box.open()
    return box
