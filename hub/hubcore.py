"""The Hub's call path: authenticate, check the role, validate, run in one transaction, record.

This is the single place every call goes through, for both transports. Order matters and is
tested: unknown method → unknown user → disabled user → role → parameters → idempotent replay →
the method itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar

from pydantic import ValidationError
from sqlalchemy import Engine, bindparam, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_factory, transaction
from core.errors import (
    AccountDisabled,
    ChipError,
    DatabaseUnavailable,
    Forbidden,
    InvalidInput,
    Unauthenticated,
)
from core.models.accounts import Organisation, User, UserRole
from core.timeutil import utcnow
from hub.context import Actor, CallContext
from hub.models import RequestRecord
from hub.registry import MethodSpec, collect

log = logging.getLogger(__name__)


class MethodNotFound(ChipError):
    code = "method_not_found"
    rpc_code = -32601


class HubCore:
    """Dispatch machinery shared by every Hub mixin."""

    METHODS: ClassVar[Mapping[str, MethodSpec]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.METHODS = collect(cls)

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utcnow,
                 settings: dict[str, Any] | None = None) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = session_factory(engine)
        self.clock = clock
        self.settings: dict[str, Any] = dict(settings or {})

    # -- the call path -------------------------------------------------------------------------

    def call(self, login: str, method: str, params: dict[str, Any] | None = None, *,
             request_id: str | None = None) -> Any:
        """Run ``method`` for ``login`` and return its JSON-ready result."""
        spec = self.METHODS.get(method)
        if spec is None:
            raise MethodNotFound(f"unknown method {method!r}", method=method)
        if request_id is not None and (not isinstance(request_id, str) or
                                       not 1 <= len(request_id) <= 64):
            raise InvalidInput("request id must be a string of 1 to 64 characters")
        try:
            return self._call(login, spec, params or {}, request_id)
        except IntegrityError as exc:
            if request_id is not None and spec.write:
                # Two copies of one request raced; the other committed first. Return its result.
                replay = self._replay(login, request_id)
                if replay is not None:
                    return replay[1]
            raise InvalidInput(f"the change conflicts with existing data: {exc.orig}") from exc
        except OperationalError as exc:
            raise DatabaseUnavailable(f"the centre database is unavailable: {exc.orig}") from exc

    _ACTOR_QUERY: ClassVar[Any] = None

    def _authenticate(self, session: Session, login: str) -> Actor:
        """Who is calling: one query (user, organisation, roles), no ORM objects."""
        query = HubCore._ACTOR_QUERY
        if query is None:
            query = HubCore._ACTOR_QUERY = _actor_query()
        rows = session.execute(query, {"login": login}).all()
        if not rows:
            raise Unauthenticated(f"user {login!r} is not known to this centre", user=login)
        user_id, disabled, org_id, org_code, org_kind, _ = rows[0]
        if disabled:
            raise AccountDisabled(f"the account {login!r} is disabled", user=login)
        roles = frozenset(r[5] for r in rows if r[5] is not None)
        return Actor(user_id, login, org_id, org_code, org_kind, roles)

    def _replay(self, login: str, request_id: str) -> tuple[str, Any] | None:
        with transaction(self.sessions, write=False) as session:
            row = session.execute(
                select(RequestRecord.method, RequestRecord.result).join(
                    User, User.id == RequestRecord.user_id).where(
                    User.login == login, RequestRecord.request_id == request_id)).first()
            return (row[0], row[1]) if row else None

    def _call(self, login: str, spec: MethodSpec, params: dict[str, Any],
              request_id: str | None) -> Any:
        with transaction(self.sessions, write=spec.write) as session:
            actor = self._authenticate(session, login)
            if not actor.roles & spec.roles:
                raise Forbidden(f"{spec.name} is not allowed for your role "
                                f"({', '.join(sorted(actor.roles))})", method=spec.name)
            try:
                args = spec.params.model_validate(params)
            except ValidationError as exc:
                raise InvalidInput(_describe(exc), errors=_errors(exc)) from exc
            if spec.write and request_id is not None:
                done = session.get(RequestRecord, (actor.user_id, request_id))
                if done is not None:
                    if done.method != spec.name:
                        raise InvalidInput("request id reused for a different call")
                    return done.result
            ctx = CallContext(actor=actor, session=session, now=self.clock(),
                              request_id=request_id)
            result = getattr(self, spec.attr)(ctx, **dict(args))
            encoded = spec.result.dump_python(result, mode="json")
            if spec.write and request_id is not None:
                session.add(RequestRecord(user_id=actor.user_id, request_id=request_id,
                                          method=spec.name, result=encoded))
            return encoded


def _actor_query() -> Any:
    return (select(User.id, User.disabled, User.org_id, Organisation.code, Organisation.kind,
                   UserRole.role)
            .join(Organisation, Organisation.id == User.org_id)
            .outerjoin(UserRole, UserRole.user_id == User.id)
            .where(User.login == bindparam("login")))


def _errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors()]


def _describe(exc: ValidationError) -> str:
    return "; ".join(f"{e['field'] or 'params'}: {e['message']}" for e in _errors(exc))
