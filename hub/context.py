"""What a Hub method receives besides its parameters: the acting user and its transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from core import audit
from core.models.accounts import User
from hub.models import Notification


@dataclass(frozen=True)
class Actor:
    """The authenticated caller, as the hub sees it for one call."""

    user_id: int
    login: str
    org_id: int
    org_code: str
    org_kind: str
    roles: frozenset[str]

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.login, user.org_id, user.organisation.code,
                   user.organisation.kind, user.roles)

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class CallContext:
    """What a method gets besides its parameters: the caller, the call's clock reading, its
    request id, and its transaction as ``session`` — opened on first use when the hub passes
    ``open_session`` instead of a session (read calls), so a method that never touches the
    database costs no transaction."""

    __slots__ = ("_open_session", "_session", "actor", "connection", "now", "pending_events",
                 "request_id")

    def __init__(self, actor: Actor, now: datetime, *, session: Session | None = None,
                 request_id: str | None = None,
                 open_session: Callable[[], Session] | None = None,
                 connection: Connection | None = None) -> None:
        if (session is None) == (open_session is None):
            raise TypeError("give a session or a way to open one")
        self.actor = actor
        self.now = now
        self.request_id = request_id
        self.pending_events: list[tuple[int, str, dict[str, Any]]] = []
        self._session = session
        self._open_session = open_session
        self.connection = connection  # the write transaction's, for methods on_connection

    @property
    def opened_session(self) -> Session | None:
        """The session if the method has used it (else None)."""
        return self._session

    @property
    def session(self) -> Session:
        if self._session is None:
            assert self._open_session is not None
            self._session = self._open_session()
        return self._session

    def audit(self, action: str, target: str = "", *, before: dict[str, Any] | None = None,
              after: dict[str, Any] | None = None) -> None:
        audit.record(self.session, self.actor.login, action, target, before=before, after=after,
                     request_id=self.request_id)

    def notify(self, user_id: int, kind: str, payload: dict[str, Any]) -> None:
        """Queue a notification for ``user_id``; stored in this transaction, delivered after."""
        self.session.add(Notification(user_id=user_id, kind=kind, payload=payload,
                                      created_at=self.now))
