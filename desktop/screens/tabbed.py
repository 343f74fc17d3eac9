"""A screen made of tabs (Admin, Jobs): each tab is a screen of its own."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desktop.screens.base import AppContext, Screen


class TabbedScreen(Screen):
    """A screen of tabs; each tab is a :class:`Screen` present only when available."""

    @classmethod
    def tab_classes(cls) -> list[tuple[type[Screen], str]]:
        raise NotImplementedError

    @classmethod
    def available(cls, ctx: AppContext) -> bool:
        return super().available(ctx) and any(t.available(ctx) for t, _ in cls.tab_classes())

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.tabs = QTabWidget(self)
        self.pages: dict[str, Screen] = {}
        for cls, title in self.tab_classes():
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
