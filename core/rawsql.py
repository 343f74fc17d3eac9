"""Core statements run straight on the DBAPI cursor of a connection's open transaction.

The hot paths of the centre (checkout, return and heartbeat of a lease, the seat counter, the
audit and replay rows) run a handful of statements per call. Through SQLAlchemy's execution
machinery each costs about 100 µs of Python (events, result set-up, parameter processing); the
driver itself needs 15–30 µs. :class:`RawStatement` keeps the statement as Core (so it is written
once, for both databases) and compiles it once per dialect — and, for an INSERT, per set of
columns given — into the driver's SQL, the order of its parameters, and the type processors
SQLAlchemy itself would apply (UTC datetimes, dates, JSON, booleans), then runs it on the
cursor of the connection's DBAPI connection, inside the same transaction.

What it refuses, at compile time, so it can never silently differ from a Core execution:
statements with expanding (``IN``) parameters, and INSERT/UPDATE column defaults computed in
Python (give every such value explicitly). Driver errors are raised as SQLAlchemy's own
exception classes (``IntegrityError``, ``OperationalError``…), as a Core execution would, and
``before_cursor_execute`` listeners of the engine see the statement.
An ORM :class:`~sqlalchemy.orm.Session` with pending changes is flushed first (its autoflush).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: tuple[str, ...] | None  # names in order (qmark/format), None for named styles
    names: tuple[str, ...]  # every parameter the SQL takes
    required: frozenset[str]  # parameters the caller must give
    defaults: Mapping[str, Any]  # literal values bound in the statement, and scalar defaults
    binds: Mapping[str, Processor]
    types: tuple[Any, ...]  # of the result columns
    results: tuple[Processor | None, ...] | None  # made at the first run (PostgreSQL's need
    # the driver's type codes from the cursor's description)


@dataclass(frozen=True)
class RawResult:
    """Rows (already converted as SQLAlchemy would) and the driver's row count."""

    rows: list[tuple[Any, ...]]
    rowcount: int

    def first(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


class RawStatement:
    """A Core statement, compiled once per dialect (and per column set, for an INSERT), run on
    the DBAPI cursor of a connection or session's transaction."""

    __slots__ = ("_compiled", "_lock", "statement")

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, str, frozenset[str] | None], _Compiled] = {}
        self._lock = threading.Lock()

    def execute(self, where: Connection | Session, params: Mapping[str, Any]) -> RawResult:
        """Run with ``params`` on ``where``'s transaction (begun if it was not)."""
        conn = connection_of(where)
        dialect = conn.dialect
        key, compiled = self._for(dialect, params)
        args = _arguments(compiled, params)
        dbapi_conn = conn.connection.dbapi_connection
        assert dbapi_conn is not None, "the connection is closed"
        cursor = dbapi_conn.cursor()
        before = conn.dispatch.before_cursor_execute
        if before:  # listeners (logging, statement counts in tests) see it as any statement
            before(conn, cursor, compiled.sql, args, None, False)
        try:
            cursor.execute(compiled.sql, args)
            description = cursor.description
            fetched = cursor.fetchall() if description is not None else []
            rowcount = cursor.rowcount
        except dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(compiled.sql, args, exc,
                                      dialect.loaded_dbapi.Error) from exc
        finally:
            cursor.close()
        results = compiled.results
        if results is None:
            codes = [d[1] for d in description or ()]
            if len(codes) != len(compiled.types):
                raise ValueError("a raw statement's columns do not match its compiled form")
            results = tuple(t._cached_result_processor(dialect, code)
                            for t, code in zip(compiled.types, codes, strict=True))
            self._compiled[key] = replace(compiled, results=results)
        if any(p is not None for p in results):
            rows = [tuple(v if p is None else p(v) for v, p in zip(row, results, strict=True))
                    for row in fetched]
        else:
            rows = [tuple(row) for row in fetched]
        return RawResult(rows, rowcount)

    def execute_later(self, where: Connection | Session, params: Mapping[str, Any]) -> None:
        """Run a write whose outcome nobody reads (an audit row, a replay record): now, or,
        when ``where``'s transaction gathers such writes (:class:`GatheredWrites`), with the
        others of the transaction just before it commits."""
        conn = connection_of(where)
        gathered = conn.info.get(_GATHERED_KEY)
        if gathered is not None and gathered.transaction is conn.get_transaction():
            gathered.items.append((self, dict(params)))
        else:
            self.execute(conn, params)

    def execute_many(self, where: Connection | Session,
                     many: Sequence[Mapping[str, Any]]) -> None:
        """Run once per mapping of ``many`` (all with the same keys) in one driver call."""
        if not many:
            return
        conn = connection_of(where)
        dialect = conn.dialect
        _key, compiled = self._for(dialect, many[0])
        args = [_arguments(compiled, params) for params in many]
        dbapi_conn = conn.connection.dbapi_connection
        assert dbapi_conn is not None, "the connection is closed"
        cursor = dbapi_conn.cursor()
        before = conn.dispatch.before_cursor_execute
        if before:
            before(conn, cursor, compiled.sql, args, None, True)
        try:
            cursor.executemany(compiled.sql, args)
        except dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(compiled.sql, args, exc,
                                      dialect.loaded_dbapi.Error) from exc
        finally:
            cursor.close()

    def _for(self, dialect: Dialect,
             params: Mapping[str, Any]) -> tuple[tuple[str, str, frozenset[str] | None],
                                                 _Compiled]:
        is_insert = getattr(self.statement, "is_insert", False)
        keys = frozenset(params) if is_insert else None
        cache_key = (dialect.name, dialect.driver, keys)
        found = self._compiled.get(cache_key)
        if found is None:
            with self._lock:
                found = self._compiled.get(cache_key)
                if found is None:
                    found = _compile(self.statement, dialect, keys)
                    self._compiled[cache_key] = found
        return cache_key, found


def _arguments(compiled: _Compiled, params: Mapping[str, Any]) -> Any:
    """The driver's parameters for ``params``: defaults filled in, type processors applied."""
    if not compiled.required <= params.keys():
        missing = ", ".join(sorted(compiled.required - params.keys()))
        raise TypeError(f"missing parameters for a raw statement: {missing}")
    values = dict(compiled.defaults)
    values.update(params)
    for name, process in compiled.binds.items():
        values[name] = process(values[name])
    return (tuple(values[n] for n in compiled.positional) if compiled.positional is not None
            else {n: values[n] for n in compiled.names})


_GATHERED_KEY = "chipcommons_gathered_writes"


class GatheredWrites:
    """The writes (:meth:`RawStatement.execute_later`) of one transaction of ``conn``, held
    to be run together, one driver call per statement and column set, by :meth:`run` before
    it commits: on PostgreSQL one round trip for all of them instead of one each.

    Whoever gathers must :meth:`run` them before the commit, and drop those of a part rolled
    back (:meth:`mark`, :meth:`drop_since`)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.transaction = conn.get_transaction()
        self.items: list[tuple[RawStatement, dict[str, Any]]] = []
        conn.info[_GATHERED_KEY] = self

    def mark(self) -> int:
        return len(self.items)

    def drop_since(self, mark: int) -> None:
        del self.items[mark:]

    def run(self) -> None:
        """Run what was gathered (in order, consecutive writes of one statement and column
        set together); nothing is gathered afterwards."""
        self.conn.info.pop(_GATHERED_KEY, None)
        items, self.items = self.items, []
        start = 0
        while start < len(items):
            statement, first = items[start]
            end = start + 1
            while (end < len(items) and items[end][0] is statement
                   and items[end][1].keys() == first.keys()):
                end += 1
            statement.execute_many(self.conn, [params for _, params in items[start:end]])
            start = end

    def discard(self) -> None:
        """Forget what was gathered (the transaction rolled back)."""
        self.conn.info.pop(_GATHERED_KEY, None)
        self.items = []


def connection_of(where: Connection | Session) -> Connection:
    """The Connection of ``where``'s transaction (a session's pending changes flushed first,
    as its autoflush would before a statement)."""
    if not isinstance(where, Session):
        return where
    if where.new or where.dirty or where.deleted:
        where.flush()
    return where.connection()


_NO_FLUSH_WAIT = RawStatement(text("SET LOCAL synchronous_commit = off"))
# The transaction (object) of a connection in which it was said: a savepoint rolled back over
# it undoes it, which only makes that commit wait after all, never the other way round.
_NO_FLUSH_WAIT_KEY = "chipcommons_no_flush_wait"


def commit_without_flush_wait(where: Connection | Session) -> None:
    """On PostgreSQL, let this transaction's commit return without waiting for its WAL flush
    (elsewhere nothing). A hub or worker process killed loses nothing committed; a crash of
    the database server itself can lose the last fraction of a second of such commits, each
    all or nothing. Callers say why that is acceptable for what they commit."""
    conn = connection_of(where)
    if conn.dialect.name != "postgresql":
        return
    transaction = conn.get_transaction()
    if transaction is not None and conn.info.get(_NO_FLUSH_WAIT_KEY) is transaction:
        return  # said already in this transaction (group commit: one batch, many calls)
    _NO_FLUSH_WAIT.execute(conn, {})
    conn.info[_NO_FLUSH_WAIT_KEY] = conn.get_transaction()


def _compile(statement: ClauseElement, dialect: Dialect,
             keys: frozenset[str] | None) -> _Compiled:
    column_keys = sorted(keys) if keys is not None else None
    compiled = statement.compile(dialect=dialect, column_keys=column_keys)
    assert isinstance(compiled, SQLCompiler)
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise ValueError("a raw statement cannot take expanding (IN) parameters; "
                         "write IN (a, b) as OR")
    if compiled.escaped_bind_names:
        raise ValueError("a raw statement's parameter names must not need escaping")
    rendered = compiled.construct_params(_check=False)
    required = frozenset(compiled.bind_names[bp] for bp in compiled.binds.values()
                         if bp.required and bp in compiled.bind_names)
    defaults: dict[str, Any] = {name: value for name, value in rendered.items()
                                if name not in required}
    for column in (*compiled.insert_prefetch, *compiled.update_prefetch):
        default = column.default if column in compiled.insert_prefetch else column.onupdate
        if default is None or not default.is_scalar:
            raise ValueError(f"give a value for {column.key}: its default is computed in "
                             "Python, which a raw statement does not run")
        defaults[column.key] = default.arg  # type: ignore[attr-defined]
    positional = tuple(compiled.positiontup) if compiled.positiontup is not None else None
    names = positional if positional is not None else tuple(rendered)
    binds = {name: process for name, process in compiled._bind_processors.items()
             if name in names and not isinstance(process, Sequence)}
    types = tuple(col[3] for col in compiled._result_columns)
    return _Compiled(compiled.string, positional, tuple(dict.fromkeys(names)), required,
                     defaults, binds, types, None)
