"""What every screen shares: the app context it works in, and which users and centres get it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QPushButton, QVBoxLayout, QWidget

from desktop.connection import Connection
from desktop.forms import FormDialog
from desktop.messages import error_text, error_title
from desktop.settings import AppSettings
from desktop.tasks import HubRunner

if TYPE_CHECKING:
    from core.accounts import UserInfo


@dataclass
class AppContext:
    """Handed to every screen: the runner for Hub calls, the connection, who is signed in."""

    runner: HubRunner
    connection: Connection
    settings: AppSettings
    me: UserInfo

    def has(self, *methods: str) -> bool:
        """True when this build of the Hub offers all ``methods``."""
        from hub.api import Hub

        return all(m in Hub.METHODS for m in methods)

    def may(self, method: str) -> bool:
        """True when the signed-in user's roles allow ``method`` (the Hub checks again)."""
        from hub.api import Hub

        spec = Hub.METHODS.get(method)
        return spec is not None and bool(set(self.me.roles) & spec.roles)

    def is_admin(self) -> bool:
        return "admin" in self.me.roles


class Screen(QWidget):
    """A page of the main window. Subclasses set ``key``, ``methods`` and ``title``."""

    key: ClassVar[str] = ""
    #: Hub methods the screen needs; the screen is left out when any is missing or forbidden
    methods: ClassVar[tuple[str, ...]] = ()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    @classmethod
    def title(cls) -> str:
        raise NotImplementedError

    @classmethod
    def available(cls, ctx: AppContext) -> bool:
        return all(ctx.may(m) for m in cls.methods)

    def refresh(self) -> None:
        """Ask the centre for fresh data (asynchronously)."""

    def call(self, method: str, done: Callable[[Any], None] | None = None, *,
             failed: Callable[[Exception], None] | None = None, **params: Any) -> None:
        """Call the Hub; errors are shown in a message box unless ``failed`` is given."""
        self.ctx.runner.call(method, done=done, failed=failed or self.show_error, owner=self,
                             **params)

    def show_error(self, exc: Exception) -> None:
        show_error(self, exc)

    def submit_dialog(self, dialog: FormDialog, method: str,
                      done: Callable[[Any], None] | None = None, **fixed: Any) -> FormDialog:
        """Open ``dialog``; when accepted, call ``method`` with ``fixed`` and its values."""
        dialog.accepted.connect(lambda: self.call(method, done, **fixed, **dialog.params()))
        dialog.open()
        return dialog

    def page_layout(self, buttons: list[QPushButton], *body: QWidget) -> QVBoxLayout:
        """A row of buttons above the page's widgets."""
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        for widget in body:
            layout.addWidget(widget, 1)
        return layout


def show_error(parent: QWidget, exc: Exception) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, error_title(exc), error_text(exc),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.open()
