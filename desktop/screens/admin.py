"""Admin: one screen of tabs, each present only when the Hub offers it and the user may use it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desktop.screens.admin_accounts import AuditTab, OrgsTab, UsersTab
from desktop.screens.base import AppContext, Screen

translate = QCoreApplication.translate


def admin_tabs() -> list[tuple[type[Screen], str]]:
    """(tab class, translated title), in the order they appear."""
    return [
        (UsersTab, translate("AdminScreen", "Users")),
        (OrgsTab, translate("AdminScreen", "Organisations")),
        (AuditTab, translate("AdminScreen", "Audit log")),
    ]


class AdminScreen(Screen):
    key = "admin"
    methods = ("admin.audit",)  # admins only; each tab checks its own methods

    @classmethod
    def title(cls) -> str:
        return QCoreApplication.translate("Navigation", "Admin")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.tabs = QTabWidget(self)
        self.pages: dict[str, Screen] = {}
        for cls, title in admin_tabs():
            if cls.available(ctx):
                page = cls(ctx, self.tabs)
                self.pages[cls.key] = page
                self.tabs.addTab(page, title)
        self.tabs.currentChanged.connect(lambda _: self._refresh_current())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def _refresh_current(self) -> None:
        page = self.tabs.currentWidget()
        if isinstance(page, Screen):
            page.refresh()

    def refresh(self) -> None:
        self._refresh_current()
