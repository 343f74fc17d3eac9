"""Dashboard: who you are, and what concerns you now (leases, queue, bookings, jobs, news)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from desktop.labels import roles_text
from desktop.models import Column
from desktop.screens.base import AppContext, Screen
from desktop.screens.dashboard_sections import Section
from desktop.tables import RecordTable
from desktop.timefmt import display_name, local_text


def _notification_text(item: Any) -> str:
    from desktop.notifications import describe

    return describe(item.kind, item.payload)[1]


class DashboardScreen(Screen):
    key = "dashboard"
    methods = ("me.whoami",)

    @classmethod
    def title(cls) -> str:
        return QCoreApplication.translate("Navigation", "Dashboard")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        me = ctx.me
        name = display_name(me.login, me.name_en, me.name_ko)
        self.greeting = QLabel(self.tr("Signed in as {name} ({login}), {org}. Roles: {roles}.")
                               .format(name=name, login=me.login, org=me.org,
                                       roles=roles_text(me.roles)), self)
        self.greeting.setObjectName("greeting")
        self.greeting.setWordWrap(True)
        layout.addWidget(self.greeting)
        self.sections: dict[str, RecordTable[Any]] = {}
        self._add_extra_sections(layout)
        box = QGroupBox(self.tr("Notifications"), self)
        inner = QVBoxLayout(box)
        self.news: RecordTable[Any] = RecordTable([
            Column(lambda: self.tr("When"), lambda n: n.created_at,
                   lambda n: local_text(n.created_at)),
            Column(lambda: self.tr("What"), _notification_text),
        ], key=lambda n: n.id, filter_box=False, parent=box)
        inner.addWidget(self.news)
        layout.addWidget(box, 1)

    def _add_extra_sections(self, layout: QVBoxLayout) -> None:
        """Sections for parts of the centre this Hub offers (licences, jobs)."""
        from desktop.screens import dashboard_sections

        for section in dashboard_sections.available(self.ctx):
            box = QGroupBox(section.title(), self)
            inner = QVBoxLayout(box)
            table: RecordTable[Any] = RecordTable(section.columns(), section.key,
                                                  filter_box=False, parent=box)
            inner.addWidget(table)
            layout.addWidget(box, 1)
            self.sections[section.name] = table

    def refresh(self) -> None:
        from desktop.screens import dashboard_sections

        self.call("notifications.since", self._show_news, after_id=0, limit=200)
        for section in dashboard_sections.available(self.ctx):
            self.call(section.method, self._section_filler(section), **section.params)

    def _section_filler(self, section: Section) -> Callable[[Any], None]:
        table = self.sections[section.name]
        return lambda result: table.set_records(section.records(result))

    def _show_news(self, items: list[Any]) -> None:
        self.news.set_records(list(reversed(items)))

    def add_notification(self, payload: dict[str, Any]) -> None:
        self.refresh()
