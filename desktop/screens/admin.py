"""Admin: one screen of tabs, each present only when the Hub offers it and the user may use
it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop.screens.admin_accounts import AuditTab, KeysTab, OrgsTab, UsersTab
from desktop.screens.admin_licences import (
    OptionsFileTab,
    PoolsTab,
    QuotasTab,
    ReconcileTab,
    SeatsTab,
)
from desktop.screens.admin_reports import ReportsTab
from desktop.screens.base import Screen
from desktop.screens.tabbed import TabbedScreen

translate = QCoreApplication.translate


def admin_tabs() -> list[tuple[type[Screen], str]]:
    """(tab class, translated title), in the order they appear."""
    return [
        (PoolsTab, translate("AdminScreen", "Pools")),
        (QuotasTab, translate("AdminScreen", "Quotas")),
        (SeatsTab, translate("AdminScreen", "Seats and bookings")),
        (ReportsTab, translate("AdminScreen", "Usage reports")),
        (OptionsFileTab, translate("AdminScreen", "Options file")),
        (ReconcileTab, translate("AdminScreen", "Reconcile")),
        (UsersTab, translate("AdminScreen", "Users")),
        (OrgsTab, translate("AdminScreen", "Organisations")),
        (KeysTab, translate("AdminScreen", "SSH keys")),
        (AuditTab, translate("AdminScreen", "Audit log")),
    ]


class AdminScreen(TabbedScreen):
    key = "admin"
    methods = ("admin.audit",)  # admins only; each tab checks its own methods

    @classmethod
    def title(cls) -> str:
        return translate("Navigation", "Admin")

    @classmethod
    def tab_classes(cls) -> list[tuple[type[Screen], str]]:
        return admin_tabs()
