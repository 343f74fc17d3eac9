"""The Hub's call path: authenticate, check the role, validate, run in one transaction, record.

This is the single place every call goes through, for both transports. Order matters and is
tested: unknown method → unknown user → disabled user → role → parameters → idempotent replay →
the method itself.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, and_, bindparam, insert, literal_column, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_factory, transaction, write_connection
from core.errors import (
    AccountDisabled,
    ChipError,
    DatabaseUnavailable,
    Forbidden,
    InvalidInput,
    Unauthenticated,
)
from core.models.accounts import Organisation, SshKey, User, UserRole
from core.rawsql import RawStatement
from core.timeutil import utcnow
from hub.batch import OwnTransaction, WriteBatch
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
        self._caller: _CallerQuery | None = None

    # -- the call path -------------------------------------------------------------------------

    def call(self, login: str, method: str, params: dict[str, Any] | None = None, *,
             request_id: str | None = None, key: str | None = None,
             batch: WriteBatch | None = None) -> Any:
        """Run ``method`` for ``login`` and return its JSON-ready result.

        ``key`` is the fingerprint of the SSH key the caller connected with, when there is one:
        the call is refused once that key is revoked, even on a connection opened before.

        With ``batch``, a write method on a connection (``@rpc(on_connection=True)``) runs in
        the batch's transaction, in a savepoint of its own; its result counts only once the
        batch commits, and it raises :class:`~hub.batch.OwnTransaction` (having changed
        nothing) if it needs a transaction of its own. Other methods ignore ``batch``."""
        spec = self.METHODS.get(method)
        if spec is None:
            raise MethodNotFound(f"unknown method {method!r}", method=method)
        if request_id is not None and (not isinstance(request_id, str) or
                                       not 1 <= len(request_id) <= 64):
            raise InvalidInput("request id must be a string of 1 to 64 characters")
        try:
            return self._call(login, spec, params or {}, request_id, key, batch)
        except IntegrityError as exc:
            if request_id is not None and spec.write:
                # Two copies of one request raced; the other committed first. Return its result.
                replay = self._replay(login, request_id)
                if replay is not None:
                    if replay[0] != spec.name:
                        raise InvalidInput("request id reused for a different call") from None
                    return replay[1]
            raise InvalidInput(f"the change conflicts with existing data: {exc.orig}") from exc
        except OperationalError as exc:
            raise DatabaseUnavailable(f"the centre database is unavailable: {exc.orig}") from exc

    def _caller_query(self) -> _CallerQuery:
        """The caller's identity query, compiled once for this engine's driver."""
        if self._caller is None:
            self._caller = _CallerQuery(self.engine)
        return self._caller

    def _authenticate(self, session: Session, login: str) -> Actor:
        """Who is calling (see :meth:`_identify`)."""
        return self._identify(_dbapi(session), login)[0]

    def _identify(self, connection: Any, login: str, *, key: str | None = None,
                  request_id: str | None = None) -> tuple[Actor, str | None]:
        """Who is calling, read on ``connection`` (a DBAPI connection): one query for the user,
        their organisation and roles, whether ``key`` is still active and whether
        ``request_id`` was already used (the method it was used for, else None). No ORM."""
        rows = self._caller_query().run(connection, login, key, request_id)
        if not rows:
            raise Unauthenticated(f"user {login!r} is not known to this centre", user=login)
        user_id, disabled, org_id, org_code, org_kind = rows[0][:5]
        if disabled:
            raise AccountDisabled(f"the account {login!r} is disabled", user=login)
        if key is not None and not any(r[6] is not None and r[7] is None for r in rows):
            raise Unauthenticated(f"the key {key} has been revoked", fingerprint=key)
        roles = frozenset(r[5] for r in rows if r[5] is not None)
        return Actor(user_id, login, org_id, org_code, org_kind, roles), rows[0][8]

    def _replay(self, login: str, request_id: str) -> tuple[str, Any] | None:
        with transaction(self.sessions, write=False) as session:
            row = session.execute(
                select(RequestRecord.method, RequestRecord.result).join(
                    User, User.id == RequestRecord.user_id).where(
                    User.login == login, RequestRecord.request_id == request_id)).first()
            return (row[0], row[1]) if row else None

    def _call(self, login: str, spec: MethodSpec, params: dict[str, Any],
              request_id: str | None, key: str | None, batch: WriteBatch | None) -> Any:
        if not spec.write:
            return self._read(login, spec, params, key)
        if spec.on_connection and batch is not None:
            with batch.savepoint():
                return self._on_connection(batch.connection(), login, spec, params, request_id,
                                           key, batch=batch)
        if spec.on_connection:
            with write_connection(self.engine) as conn:
                return self._on_connection(conn, login, spec, params, request_id, key)
        with transaction(self.sessions, write=True) as session:
            # In the write transaction, so a user disabled (or a key revoked) concurrently is
            # either seen here or committed after this call.
            actor, used_for = self._identify(_dbapi(session), login, key=key,
                                             request_id=request_id)
            args = _admit(actor, spec, params)
            if used_for is not None:
                return _replayed(session, actor, spec, request_id, used_for)
            now = self.clock()
            ctx = CallContext(actor, now, session=session, request_id=request_id)
            result = getattr(self, spec.attr)(ctx, **args)
            return _answered(session, actor, spec, request_id, result, now)

    def _on_connection(self, conn: Connection, login: str, spec: MethodSpec,
                       params: dict[str, Any], request_id: str | None, key: str | None, *,
                       batch: WriteBatch | None = None) -> Any:
        """A write call as :meth:`_call`, in ``conn``'s transaction: the ORM session (joined to
        it) is made only if the method uses ``ctx.session``; its pending changes are flushed
        before the commit, and a rollback goes through it, so its ``after_rollback`` listeners
        run as on the session path. In a ``batch`` the session is not to be had: the call
        raises :class:`OwnTransaction` instead, to be run again on its own; its request id is
        also looked up among the batch's answers (their records are written at its commit)."""
        actor, used_for = self._identify(conn.connection.dbapi_connection, login, key=key,
                                         request_id=request_id)
        args = _admit(actor, spec, params)
        if used_for is None and batch is not None and request_id is not None:
            recorded = batch.answers.get((actor.user_id, request_id))
            if recorded is not None:
                if recorded[0] != spec.name:
                    raise InvalidInput("request id reused for a different call")
                return recorded[1]
        if used_for is not None:
            return _replayed(conn, actor, spec, request_id, used_for)
        now = self.clock()

        def open_session() -> Session:
            if batch is not None:
                raise OwnTransaction(spec.name)
            return Session(bind=conn, join_transaction_mode="rollback_only",
                           expire_on_commit=False)

        ctx = CallContext(actor, now, open_session=open_session, request_id=request_id,
                          connection=conn)
        try:
            result = getattr(self, spec.attr)(ctx, **args)
            encoded = _answered(conn, actor, spec, request_id, result, now)
            if batch is not None and request_id is not None:
                batch.answers[(actor.user_id, request_id)] = (spec.name, encoded)
            if ctx.opened_session is not None:
                ctx.opened_session.flush()
            return encoded
        except BaseException:
            session = ctx.opened_session
            if session is not None:
                with contextlib.suppress(Exception):  # joined, so its listeners see it
                    session.connection()
                session.rollback()  # rolls the connection back; its listeners run
            raise
        finally:
            if ctx.opened_session is not None:
                ctx.opened_session.close()

    def _read(self, login: str, spec: MethodSpec, params: dict[str, Any],
              key: str | None) -> Any:
        """A read call: the caller is checked with one statement on a pooled connection; the
        method's transaction opens only if it uses ``ctx.session`` (``system.ping`` does not)."""
        raw = self.engine.raw_connection()
        try:
            actor = self._identify(raw.dbapi_connection, login, key=key)[0]
        finally:
            raw.close()
        args = _admit(actor, spec, params)
        with contextlib.ExitStack() as stack:
            def open_session() -> Session:
                return stack.enter_context(transaction(self.sessions, write=False))

            ctx = CallContext(actor, self.clock(), open_session=open_session)
            result = getattr(self, spec.attr)(ctx, **args)
            return spec.result.dump_python(result, mode="json")


def _admit(actor: Actor, spec: MethodSpec, params: dict[str, Any]) -> dict[str, Any]:
    """The role check, then the parameters: the method's keyword arguments."""
    if not actor.roles & spec.roles:
        raise Forbidden(f"{spec.name} is not allowed for your role "
                        f"({', '.join(sorted(actor.roles))})", method=spec.name)
    try:
        args = spec.params.model_validate(params)
    except ValidationError as exc:
        raise InvalidInput(_describe(exc), errors=_errors(exc)) from exc
    return dict(args)


def _replayed(where: Session | Connection, actor: Actor, spec: MethodSpec,
              request_id: str | None, used_for: str) -> Any:
    """The recorded answer of a request id already used (for this same method only)."""
    if used_for != spec.name:
        raise InvalidInput("request id reused for a different call")
    return _REPLAYED.execute(where, {"user": actor.user_id, "request_id": request_id}).scalar()


def _answered(where: Session | Connection, actor: Actor, spec: MethodSpec,
              request_id: str | None, result: Any, now: datetime) -> Any:
    """The method's result as JSON, recorded under the request id when there is one: one
    INSERT, no ORM unit of work (in a group commit, written with the others at its end). A
    copy of this request that raced us and committed first makes it fail; :meth:`HubCore.call`
    then answers with that copy's result (a group commit runs each of its calls again)."""
    encoded = spec.result.dump_python(result, mode="json")
    if request_id is not None:
        _RECORD_INSERT.execute_later(where, {"user_id": actor.user_id, "request_id": request_id,
                                       "method": spec.name, "result": encoded,
                                       "created_at": now})
    return encoded


def _dbapi(session: Session) -> Any:
    """The DBAPI connection under ``session``'s transaction (beginning it if need be)."""
    return session.connection().connection.dbapi_connection


# Core, on the table, run on the cursor: no ORM flush or identity map for the record.
_RECORD_INSERT = RawStatement(insert(RequestRecord.metadata.tables[RequestRecord.__tablename__]))
_REPLAYED = RawStatement(select(RequestRecord.result).where(
    RequestRecord.user_id == bindparam("user"),
    RequestRecord.request_id == bindparam("request_id")))


class _CallerQuery:
    """The per-call identity query as plain SQL for one driver, run on the DBAPI cursor of the
    call's connection (inside its transaction), skipping the ORM's per-statement overhead."""

    def __init__(self, engine: Engine) -> None:
        dialect = engine.dialect
        self.sql: dict[tuple[bool, bool], tuple[str, list[str] | None]] = {}
        for with_key in (False, True):
            for with_request in (False, True):
                compiled = _caller_select(with_key, with_request).compile(dialect=dialect)
                positions = compiled.positiontup
                self.sql[with_key, with_request] = (
                    compiled.string, list(positions) if positions is not None else None)
        self.unavailable: type[Exception] = dialect.loaded_dbapi.OperationalError

    def run(self, connection: Any, login: str, key: str | None,
            request_id: str | None) -> list[Any]:
        sql, positions = self.sql[key is not None, request_id is not None]
        values = {"login": login, "key": key, "request_id": request_id}
        params: Any = (values if positions is None else tuple(values[p] for p in positions))
        cursor = connection.cursor()
        try:
            cursor.execute(sql, params)
            rows = list(cursor.fetchall())
        except self.unavailable as exc:
            raise DatabaseUnavailable(f"the centre database is unavailable: {exc}") from exc
        finally:
            cursor.close()
        return rows


def _caller_select(with_key: bool, with_request: bool) -> Any:
    columns: list[Any] = [User.id, User.disabled, User.org_id, Organisation.code,
                          Organisation.kind, UserRole.role]
    columns += ([SshKey.id, SshKey.revoked_at] if with_key
                else [literal_column("NULL"), literal_column("NULL")])
    columns.append(RequestRecord.method if with_request else literal_column("NULL"))
    query = (select(*columns)
             .join(Organisation, Organisation.id == User.org_id)
             .outerjoin(UserRole, UserRole.user_id == User.id))
    if with_key:
        query = query.outerjoin(SshKey, and_(SshKey.user_id == User.id,
                                             SshKey.fingerprint == bindparam("key")))
    if with_request:
        query = query.outerjoin(RequestRecord, and_(
            RequestRecord.user_id == User.id, RequestRecord.request_id == bindparam("request_id")))
    return query.where(User.login == bindparam("login"))


def _errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors()]


def _describe(exc: ValidationError) -> str:
    return "; ".join(f"{e['field'] or 'params'}: {e['message']}" for e in _errors(exc))
