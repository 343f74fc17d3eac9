"""What a Hub method receives besides its parameters: the acting user and its transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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


@dataclass
class CallContext:
    actor: Actor
    session: Session
    now: datetime
    request_id: str | None = None
    pending_events: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)

    def audit(self, action: str, target: str = "", *, before: dict[str, Any] | None = None,
              after: dict[str, Any] | None = None) -> None:
        audit.record(self.session, self.actor.login, action, target, before=before, after=after,
                     request_id=self.request_id)

    def notify(self, user_id: int, kind: str, payload: dict[str, Any]) -> None:
        """Queue a notification for ``user_id``; stored in this transaction, delivered after."""
        self.session.add(Notification(user_id=user_id, kind=kind, payload=payload,
                                      created_at=self.now))
