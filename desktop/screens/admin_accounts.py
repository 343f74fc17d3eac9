"""Admin tabs for people: users, organisations (eligibility, suspension) and the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.accounts import LOGIN_RE, ORG_CODE_RE, OrgInfo, UserInfo
from core.models.accounts import ROLES, OrgKind
from desktop.forms import FormDialog, ValidatedForm
from desktop.key_dialogs import KeysPanel
from desktop.labels import org_kind_label, role_label, roles_text
from desktop.models import Column
from desktop.screens.base import AppContext, Screen
from desktop.tables import RecordTable
from desktop.timefmt import local_text

translate = QCoreApplication.translate


class UsersTab(Screen):
    key = "admin.users"
    methods = ("admin.users",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.orgs: list[OrgInfo] = []
        self.table: RecordTable[UserInfo] = RecordTable([
            Column(lambda: self.tr("Login"), lambda u: u.login),
            Column(lambda: self.tr("Name"), lambda u: u.name_en),
            Column(lambda: self.tr("Korean name"), lambda u: u.name_ko),
            Column(lambda: self.tr("Organisation"), lambda u: u.org),
            Column(lambda: self.tr("Roles"), lambda u: ", ".join(u.roles),
                   lambda u: roles_text(u.roles)),
            Column(lambda: self.tr("State"), lambda u: u.disabled,
                   lambda u: self.tr("disabled") if u.disabled else self.tr("active")),
        ], key=lambda u: u.login, parent=self)
        self.add_button = QPushButton(self.tr("Add user…"), self)
        self.toggle_button = QPushButton(self.tr("Disable or enable"), self)
        self.keys_button = QPushButton(self.tr("SSH keys…"), self)
        self.add_button.clicked.connect(self.add_user)
        self.toggle_button.clicked.connect(self.toggle_disabled)
        self.keys_button.clicked.connect(self.show_keys)
        self.table.activated.connect(lambda _: self.show_keys())
        admin = ctx.may("admin.add_user")
        self.add_button.setVisible(admin)
        self.toggle_button.setVisible(ctx.may("admin.set_user_disabled"))
        self.keys_button.setVisible(ctx.may("admin.keys"))
        self.page_layout([self.add_button, self.toggle_button, self.keys_button], self.table)

    def refresh(self) -> None:
        self.call("admin.users", self.table.set_records)
        self.call("admin.orgs", self._set_orgs)

    def _set_orgs(self, orgs: list[OrgInfo]) -> None:
        self.orgs = orgs

    def add_user(self) -> None:
        self.submit_dialog(AddUserDialog([o.code for o in self.orgs], self), "admin.add_user",
                           self.table.model.upsert)

    def show_keys(self) -> KeysTab | None:
        """The selected user's keys in the SSH keys tab beside this one."""
        from desktop.screens.tabbed import TabbedScreen

        user = self.table.selected()
        holder = self.parentWidget()
        while holder is not None and not isinstance(holder, TabbedScreen):
            holder = holder.parentWidget()
        if user is None or holder is None or not isinstance(holder.pages.get("admin.keys"),
                                                            KeysTab):
            return None
        tab = holder.pages["admin.keys"]
        assert isinstance(tab, KeysTab)
        tab.panel.login = user.login
        holder.tabs.setCurrentWidget(tab)  # refreshes the tab, for this user
        tab.show_user(user.login)
        return tab

    def toggle_disabled(self) -> None:
        user = self.table.selected()
        if user is None:
            return
        self.call("admin.set_user_disabled", self.table.model.upsert, login=user.login,
                  disabled=not user.disabled)


class AddUserDialog(FormDialog):
    def __init__(self, orgs: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add a user"))
        self.login = QLineEdit(self)
        self.form.add("login", self.tr("Login"), self.login, self._check_login)
        self.org = QComboBox(self)
        for code in orgs:
            self.org.addItem(code, code)
        self.form.add("org", self.tr("Organisation"), self.org,
                      lambda v: None if v else self.tr("Choose an organisation."))
        self.role_boxes = {role: QCheckBox(role_label(role.value), self) for role in ROLES}
        roles = QWidget(self)
        row = QHBoxLayout(roles)
        row.setContentsMargins(0, 0, 0, 0)
        for box in self.role_boxes.values():
            row.addWidget(box)
            box.toggled.connect(self.form.revalidate)
        self.form.add("roles", self.tr("Roles"), roles, self._check_roles, read=self._roles)
        self.name_en = QLineEdit(self)
        self.form.add("name_en", self.tr("Name (English)"), self.name_en)
        self.name_ko = QLineEdit(self)
        self.form.add("name_ko", self.tr("Name (Korean)"), self.name_ko)
        self.email = QLineEdit(self)
        self.form.add("email", self.tr("E-mail"), self.email, self._check_email)
        self.finish()

    def _roles(self) -> list[str]:
        return [role.value for role, box in self.role_boxes.items() if box.isChecked()]

    def _check_login(self, value: str) -> str | None:
        if not value:
            return self.tr("Give a login.")
        if not LOGIN_RE.match(value):
            return self.tr("A login starts with a lower-case letter and uses a-z, 0-9, dot, "
                           "underscore and hyphen (at most 64 characters).")
        return None

    def _check_roles(self, value: list[str]) -> str | None:
        return None if value else self.tr("Choose at least one role.")

    def _check_email(self, value: str) -> str | None:
        if value and ("@" not in value or value.startswith("@") or value.endswith("@")):
            return self.tr("This is not an e-mail address.")
        return None



class OrgsTab(Screen):
    key = "admin.orgs"
    methods = ("admin.orgs",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.table: RecordTable[OrgInfo] = RecordTable([
            Column(lambda: self.tr("Code"), lambda o: o.code),
            Column(lambda: self.tr("Name"), lambda o: o.name_en),
            Column(lambda: self.tr("Korean name"), lambda o: o.name_ko),
            Column(lambda: self.tr("Kind"), lambda o: o.kind, lambda o: org_kind_label(o.kind)),
            Column(lambda: self.tr("Eligible from"), lambda o: o.eligible_from,
                   lambda o: local_text(o.eligible_from)),
            Column(lambda: self.tr("Eligible until"), lambda o: o.eligible_until,
                   lambda o: local_text(o.eligible_until)),
            Column(lambda: self.tr("State"), lambda o: o.suspended,
                   lambda o: self.tr("suspended") if o.suspended else self.tr("active")),
        ], key=lambda o: o.code, parent=self)
        self.add_button = QPushButton(self.tr("Add organisation…"), self)
        self.eligibility_button = QPushButton(self.tr("Eligibility…"), self)
        self.suspend_button = QPushButton(self.tr("Suspend or resume"), self)
        self.add_button.clicked.connect(self.add_org)
        self.eligibility_button.clicked.connect(self.edit_eligibility)
        self.suspend_button.clicked.connect(self.toggle_suspended)
        for button, method in ((self.add_button, "admin.add_org"),
                               (self.eligibility_button, "admin.set_eligibility"),
                               (self.suspend_button, "admin.suspend_org")):
            button.setVisible(ctx.may(method))
        self.page_layout([self.add_button, self.eligibility_button, self.suspend_button],
                         self.table)

    def refresh(self) -> None:
        self.call("admin.orgs", self.table.set_records)

    def add_org(self) -> None:
        self.submit_dialog(AddOrgDialog(self), "admin.add_org", self.table.model.upsert)

    def edit_eligibility(self) -> None:
        org = self.table.selected()
        if org is None:
            return
        self.submit_dialog(EligibilityDialog(org, self), "admin.set_eligibility",
                           self.table.model.upsert, code=org.code)

    def toggle_suspended(self) -> None:
        org = self.table.selected()
        if org is not None:
            self.call("admin.suspend_org", self.table.model.upsert, code=org.code,
                      suspended=not org.suspended)


class OptionalDate(QWidget):
    """A date with a "no limit" box."""

    def __init__(self, value: date | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled = QCheckBox(self)
        self.date = QDateEdit(self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setDate(QDate(value) if value else QDate.currentDate())
        self.enabled.setChecked(value is not None)
        self.date.setEnabled(value is not None)
        self.enabled.toggled.connect(self.date.setEnabled)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.enabled)
        row.addWidget(self.date, 1)

    def value(self) -> date | None:
        if not self.enabled.isChecked():
            return None
        picked = self.date.date().toPython()
        assert isinstance(picked, date)
        return picked


def check_window(form: ValidatedForm) -> str | None:
    v = form.values()
    start, end = v.get("eligible_from"), v.get("eligible_until")
    if start and end and end < start:
        return translate("AdminDialogs", "The eligibility ends before it starts.")
    return None


def add_window_fields(form: ValidatedForm, start: OptionalDate, end: OptionalDate) -> None:
    form.add("eligible_from", translate("AdminDialogs", "Eligible from"), start, read=start.value)
    form.add("eligible_until", translate("AdminDialogs", "Eligible until"), end,
             lambda _: check_window(form), read=end.value)
    for w in (start, end):
        w.enabled.toggled.connect(form.revalidate)
        w.date.dateChanged.connect(form.revalidate)


class AddOrgDialog(FormDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add an organisation"))
        self.code = QLineEdit(self)
        self.form.add("code", self.tr("Code"), self.code, self._check_code)
        self.name_en = QLineEdit(self)
        self.form.add("name_en", self.tr("Name (English)"), self.name_en,
                      lambda v: None if v else self.tr("Give the organisation's name."))
        self.name_ko = QLineEdit(self)
        self.form.add("name_ko", self.tr("Name (Korean)"), self.name_ko)
        self.kind = QComboBox(self)
        for kind in OrgKind:
            self.kind.addItem(org_kind_label(kind.value), kind.value)
        self.form.add("kind", self.tr("Kind"), self.kind)
        add_window_fields(self.form, OptionalDate(None, self), OptionalDate(None, self))
        self.finish()

    def _check_code(self, value: str) -> str | None:
        if not value:
            return self.tr("Give a short code.")
        if not ORG_CODE_RE.match(value):
            return self.tr("A code uses letters, digits, dot, underscore and hyphen.")
        return None

class EligibilityDialog(FormDialog):
    def __init__(self, org: OrgInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Eligibility of {org}").format(org=org.code))
        add_window_fields(self.form, OptionalDate(org.eligible_from, self),
                          OptionalDate(org.eligible_until, self))
        self.finish()

class KeysTab(Screen):
    """Everyone's SSH keys, or one user's: type, fingerprint, comment, added, revoked; add from a
    file or pasted text, revoke after a confirmation."""

    key = "admin.keys"
    methods = ("admin.keys",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.user = QComboBox(self)
        self.user.setObjectName("keysUser")
        self.user.addItem(self.tr("All users"), None)
        self.user.currentIndexChanged.connect(self._user_chosen)
        self.panel = KeysPanel(self.call, admin=True, parent=self)
        self.panel.add_button.setVisible(ctx.may("admin.add_key"))
        self.panel.revoke_button.setVisible(ctx.may("admin.revoke_key"))
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("User"), self))
        row.addWidget(self.user, 1)
        row.addStretch(2)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.panel, 1)

    def refresh(self) -> None:
        self.call("admin.users", self._users_loaded)
        self.panel.refresh()

    def _users_loaded(self, users: list[UserInfo]) -> None:
        self.panel.logins = [u.login for u in users]
        self.user.blockSignals(True)
        self.user.clear()
        self.user.addItem(self.tr("All users"), None)
        for u in users:
            self.user.addItem(u.login, u.login)
        self.user.setCurrentIndex(max(0, self.user.findData(self.panel.login)))
        self.user.blockSignals(False)

    def show_user(self, login: str | None) -> None:
        """Show one user's keys (None: everyone's)."""
        self.panel.login = login
        self.user.blockSignals(True)
        self.user.setCurrentIndex(max(0, self.user.findData(login)))
        self.user.blockSignals(False)
        self.panel.table.set_records([])
        self.panel.refresh()

    def _user_chosen(self, *_: Any) -> None:
        self.panel.login = self.user.currentData()
        self.panel.table.set_records([])
        self.panel.refresh()


class AuditTab(Screen):
    key = "admin.audit"
    methods = ("admin.audit",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.table: RecordTable[dict[str, Any]] = RecordTable([
            Column(lambda: self.tr("When"), lambda e: e["at"], lambda e: e["at"][:19]),
            Column(lambda: self.tr("Who"), lambda e: e["actor"]),
            Column(lambda: self.tr("Action"), lambda e: e["action"]),
            Column(lambda: self.tr("Target"), lambda e: e["target"]),
            Column(lambda: self.tr("After"), lambda e: str(e.get("after") or "")),
        ], key=lambda e: (e["at"], e["actor"], e["action"], e["target"]), parent=self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)

    def refresh(self) -> None:
        self.call("admin.audit", self.table.set_records, limit=1000)
