"""SSH public keys on the centre: a table of keys with add (paste or file) and revoke (after a
confirmation). The same panel serves the admin (anyone's keys: ``admin.keys`` …) and every user
(their own: ``me.keys`` …)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.accounts import KeyInfo, parse_public_key
from core.errors import ChipError
from desktop.forms import FormDialog
from desktop.models import Column
from desktop.tables import RecordTable
from desktop.tasks import HubRunner
from desktop.timefmt import local_text

translate = QCoreApplication.translate
#: call(method, done, failed=..., **params) — a Hub call owned by the widget
Caller = Callable[..., None]
#: a public key file is one line; anything bigger is not one
MAX_KEY_FILE = 16 << 10


def key_columns(with_login: bool) -> list[Column[KeyInfo]]:
    columns: list[Column[KeyInfo]] = [
        Column(lambda: translate("Keys", "Type"), lambda k: k.key_type, key_type_text),
        Column(lambda: translate("Keys", "Fingerprint"), lambda k: k.fingerprint),
        Column(lambda: translate("Keys", "Comment"), lambda k: k.comment),
        Column(lambda: translate("Keys", "Added"), lambda k: k.added_at,
               lambda k: local_text(k.added_at)),
        Column(lambda: translate("Keys", "Revoked"), lambda k: k.revoked_at,
               lambda k: local_text(k.revoked_at) if k.revoked_at else
               translate("Keys", "in use")),
    ]
    if with_login:
        columns.insert(0, Column(lambda: translate("Keys", "User"), lambda k: k.login))
    return columns


def key_type_text(key: KeyInfo) -> str:
    names = {"ssh-ed25519": "Ed25519", "ssh-rsa": "RSA", "ecdsa-sha2-nistp256": "ECDSA P-256",
             "ecdsa-sha2-nistp384": "ECDSA P-384", "ecdsa-sha2-nistp521": "ECDSA P-521",
             "sk-ssh-ed25519@openssh.com": translate("Keys", "Ed25519 (security key)"),
             "sk-ecdsa-sha2-nistp256@openssh.com": translate("Keys", "ECDSA (security key)")}
    return names.get(key.key_type, key.key_type)


def read_key_file(path: Path) -> str:
    """The text of a public key file, refused before reading when it cannot be one."""
    size = path.stat().st_size
    if size > MAX_KEY_FILE:
        raise ValueError(translate("Keys", "{name} is {size} bytes; a public key file is one "
                                   "short line.").format(name=path.name, size=size))
    return path.read_text(encoding="utf-8", errors="replace").strip()


class AddKeyDialog(FormDialog):
    """Paste a public key line or pick a ``.pub`` file; the key is checked (type, encoding,
    strength) and its fingerprint shown before anything is sent."""

    def __init__(self, logins: Sequence[str] = (), login: str | None = None,
                 own_key: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add an SSH public key"))
        self.user: QComboBox | None = None
        if logins:
            self.user = QComboBox(self)
            for name in logins:
                self.user.addItem(name, name)
            if login is not None:
                self.user.setCurrentIndex(max(0, self.user.findData(login)))
            self.form.add("login", self.tr("User"), self.user)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("keyText")
        self.text.setPlaceholderText("ssh-ed25519 AAAAC3Nza… name@host")
        self.text.setFixedHeight(90)
        self.form.add("key", self.tr("Public key"), self.text, self._check_key,
                      read=lambda: self.text.toPlainText().strip())
        buttons = QWidget(self)
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        from_file = QPushButton(self.tr("From a file…"), buttons)
        from_file.clicked.connect(self._choose_file)
        row.addWidget(from_file)
        self.own_key = own_key
        if own_key is not None and own_key.with_name(own_key.name + ".pub").exists():
            mine = QPushButton(self.tr("My ChipCommons key"), buttons)
            mine.clicked.connect(lambda: self.load_file(own_key.with_name(own_key.name +
                                                                          ".pub")))
            row.addWidget(mine)
        row.addStretch(1)
        self.form.form.addRow("", buttons)
        self.fingerprint = QLabel(self)
        self.fingerprint.setObjectName("keyFingerprint")
        self.fingerprint.setWordWrap(True)
        self.form.form.addRow(self.tr("Fingerprint"), self.fingerprint)
        self.text.textChanged.connect(self._show_fingerprint)
        self.finish()
        self.resize(620, self.sizeHint().height())

    def _check_key(self, text: str) -> str | None:
        if not text:
            return self.tr("Paste the public key (one line from a .pub file) or choose its file.")
        try:
            parse_public_key(text)
        except ChipError as exc:
            return self.tr("The centre would not accept this key: {reason}").format(
                reason=exc.message)
        return None

    def _show_fingerprint(self) -> None:
        try:
            self.fingerprint.setText(parse_public_key(self.text.toPlainText()).fingerprint)
        except ChipError:
            self.fingerprint.setText("")

    def _choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a public key"),
                                              str(Path.home() / ".ssh"),
                                              self.tr("Public keys (*.pub);;All files (*)"))
        if name:
            self.load_file(Path(name))

    def load_file(self, path: Path) -> None:
        try:
            self.text.setPlainText(read_key_file(path))
        except (OSError, ValueError) as exc:
            self.text.setPlainText("")
            self.form.fields["key"].error.setText(str(exc))
            self.form.fields["key"].error.show()

    def params(self) -> dict[str, Any]:
        values = self.form.values()
        return {k: v for k, v in values.items() if k in ("login", "key")}


class KeysPanel(QWidget):
    """A key table with Add and Revoke. ``admin=True`` lists and changes anyone's keys (one
    user's, or everyone's); otherwise the signed-in user's own."""

    changed = Signal()

    def __init__(self, call: Caller, *, admin: bool, own_key: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.call = call
        self.admin = admin
        self.own_key = own_key
        self.login: str | None = None  # admin: whose keys; None shows everyone's
        self.logins: list[str] = []
        prefix = "admin" if admin else "me"
        self.list_method, self.add_method, self.revoke_method = (
            f"{prefix}.keys", f"{prefix}.add_key", f"{prefix}.revoke_key")
        self.table: RecordTable[KeyInfo] = RecordTable(key_columns(admin),
                                                       key=lambda k: k.fingerprint,
                                                       parent=self)
        self.add_button = QPushButton(self.tr("Add a key…"), self)
        self.revoke_button = QPushButton(self.tr("Revoke…"), self)
        self.add_button.clicked.connect(lambda: self.add_key())
        self.revoke_button.clicked.connect(lambda: self.revoke())
        self.table.selection_changed.connect(self._update_buttons)
        self.status = QLabel(self)
        self.status.setObjectName("keysStatus")
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.revoke_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self._update_buttons()

    def _whose(self) -> dict[str, Any]:
        return {"login": self.login} if self.admin and self.login else {}

    def refresh(self) -> None:
        self.call(self.list_method, self.table.set_records, **self._whose())

    def _update_buttons(self) -> None:
        key = self.table.selected()
        self.revoke_button.setEnabled(key is not None and key.revoked_at is None)

    def add_key(self) -> AddKeyDialog:
        dialog = AddKeyDialog(self.logins if self.admin else (), self.login,
                              own_key=self.own_key, parent=self)
        dialog.accepted.connect(lambda: self.call(self.add_method, self._added,
                                                  **dialog.params()))
        dialog.open()
        return dialog

    def register(self, line: str) -> None:
        """Register a key line without a dialog (the connection manager's own key)."""
        self.call(self.add_method, self._added, key=line)

    def _added(self, key: KeyInfo) -> None:
        if not self.admin or self.login in (None, key.login):
            self.table.model.upsert(key)
        self.table.select_key(key.fingerprint)
        self.status.setText(self.tr("Key {fingerprint} added.").format(
            fingerprint=key.fingerprint))
        self.changed.emit()

    def revoke(self) -> QMessageBox | None:
        key = self.table.selected()
        if key is None or key.revoked_at is not None:
            return None
        if self.admin:
            text = self.tr("Revoke the key {fingerprint} ({comment}) of {login}? The centre "
                           "refuses connections with it from now on. This cannot be undone.")
        else:
            text = self.tr("Revoke your key {fingerprint} ({comment})? The centre refuses "
                           "connections with it from now on; if you connect with this key, "
                           "you will need another one. This cannot be undone.")
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Revoke this key?"),
                          text.format(fingerprint=key.fingerprint, login=key.login,
                                      comment=key.comment or "—"),
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("revokeKeyConfirm")
        yes = box.addButton(self.tr("Revoke"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _: self._confirmed(key) if box.clickedButton() is yes
                             else None)
        box.open()
        return box

    def _confirmed(self, key: KeyInfo) -> None:
        self.call(self.revoke_method, self._revoked, fingerprint=key.fingerprint)

    def _revoked(self, key: KeyInfo) -> None:
        self.table.model.upsert(key)
        self._update_buttons()
        self.status.setText(self.tr("Key {fingerprint} revoked.").format(
            fingerprint=key.fingerprint))
        self.changed.emit()


class MyKeysDialog(QDialog):
    """The signed-in user's keys on the current centre."""

    def __init__(self, runner: HubRunner, centre: str, own_key: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("myKeysDialog")
        self.setWindowTitle(self.tr("My SSH keys on {centre}").format(centre=centre))
        self.runner = runner
        self.panel = KeysPanel(self._call, admin=False, own_key=own_key, parent=self)
        note = QLabel(self.tr("The centre lets you connect over SSH with these keys. Add the "
                              "public half only (the .pub file); your private key never "
                              "leaves this computer."), self)
        note.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.panel, 1)
        layout.addWidget(close)
        self.resize(860, 420)
        self.panel.refresh()

    def _call(self, method: str, done: Callable[[Any], None] | None = None, *,
              failed: Callable[[Exception], None] | None = None, **params: Any) -> None:
        from desktop.screens.base import show_error

        self.runner.call(method, done=done, failed=failed or (lambda e: show_error(self, e)),
                         owner=self, **params)
