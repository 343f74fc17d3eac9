"""Database: the declarative Base, engines for SQLite and PostgreSQL, and sessions.

SQLite runs in WAL mode with foreign keys on and a busy timeout, and every transaction really
begins (``BEGIN``) before its first read — pysqlite would otherwise defer it to the first write,
which breaks read-then-write logic under concurrency. Write transactions use
:func:`transaction`, which on SQLite issues ``BEGIN IMMEDIATE`` — after taking an exclusive
``flock`` on a lock file beside the database, so writers in many processes queue in the kernel
and are woken in turn, instead of polling in SQLite's busy handler (which sleeps up to 100 ms
between tries). Readers (WAL) take no lock; the busy timeout stays as the safety net for
writers that do not come through :func:`transaction`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    MetaData,
    TypeDecorator,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, sessionmaker
from sqlalchemy.pool import NullPool

from core import pgprepared
from core.errors import DatabaseUnavailable

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


SQLITE_BUSY_TIMEOUT_MS = 10_000


def _busy_timeout_ms() -> int:
    """The SQLite busy timeout; ``CHIPCOMMONS_SQLITE_BUSY_MS`` overrides the default."""
    try:
        return int(os.environ.get("CHIPCOMMONS_SQLITE_BUSY_MS", SQLITE_BUSY_TIMEOUT_MS))
    except ValueError:
        return SQLITE_BUSY_TIMEOUT_MS


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and pick the psycopg 3 driver for it."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, *, pool: bool = True, echo: bool = False) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": _busy_timeout_ms() / 1000, "check_same_thread": False,
                          "isolation_level": None},
            poolclass=None if pool else NullPool,
        )
        _configure_sqlite(engine)
        database = engine.url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            setattr(engine, WRITE_LOCK_ATTR, WriteLock(database + "-writelock"))
        return engine
    kwargs: dict[str, Any] = {"echo": echo, "pool_pre_ping": True}
    if pool:
        # Last in, first out: the busiest connection stays in use (its prepared statements
        # warm), and the others idle.
        kwargs.update(pool_size=5, max_overflow=10, pool_use_lifo=True)
    else:
        kwargs["poolclass"] = NullPool
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _on_postgres_connect)
    return engine


def _on_postgres_connect(dbapi_conn: Any, _record: object) -> None:
    pgprepared.keep_across_rollback(dbapi_conn)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={_busy_timeout_ms()}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))


WRITE_LOCK_ATTR = "_chipcommons_write_lock"


class WriteLock:
    """One SQLite file's writer lock across processes: an exclusive ``flock`` on ``path``.

    The lock belongs to an open file description, so threads of one process queue for it too;
    a killed process's lock goes with its file descriptors. A thread that already holds it (a
    denial recorded after its call rolled back) does not wait for itself.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.holder = threading.local()

    def acquire(self) -> int | None:
        """Wait for the lock; the descriptor that holds it, or None (already held here, or no
        lock file can be made — the busy timeout then serialises as before)."""
        if getattr(self.holder, "pid", None) == os.getpid():
            return None
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self.holder.pid = os.getpid()
        return fd

    def release(self, fd: int) -> None:
        self.holder.pid = None
        os.close(fd)  # closing the descriptor drops the flock


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextlib.contextmanager
def transaction(factory: sessionmaker[Session], *, write: bool = True) -> Iterator[Session]:
    """One transaction. On SQLite a write transaction takes the file's :class:`WriteLock`,
    then begins IMMEDIATE (takes the write lock up front), so read-then-write logic never meets
    SQLITE_BUSY half way through; the lock is let go as soon as the transaction ends (before
    any after-commit work such as a hand-off to the scheduler)."""
    session = factory()
    held: list[int] = []
    lock: WriteLock | None = None

    def let_go(_session: Session, trans: SessionTransaction) -> None:
        if trans.parent is None and held and lock is not None:
            lock.release(held.pop())

    try:
        bind = session.get_bind()
        if write and bind.dialect.name == "sqlite":
            taken = _take_write_lock(bind)
            if taken is not None:
                lock = taken[0]
                held.append(taken[1])
                event.listen(session, "after_transaction_end", let_go)
            session.connection(execution_options={"sqlite_begin": "BEGIN IMMEDIATE"})
        yield session
        session.commit()
    except OperationalError as exc:
        session.rollback()
        raise _unavailable(exc) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        if held and lock is not None:
            lock.release(held.pop())


@contextlib.contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """One write transaction on a Connection, without an ORM session: as
    :func:`transaction` (on SQLite the file's :class:`WriteLock`, then ``BEGIN IMMEDIATE``),
    committed at the end, rolled back on any exception."""
    taken = _take_write_lock(engine)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.execution_options(sqlite_begin="BEGIN IMMEDIATE")
            conn.begin()
            try:
                yield conn
                conn.commit()
            except OperationalError as exc:
                if conn.in_transaction():
                    conn.rollback()
                raise _unavailable(exc) from exc
            except BaseException:
                if conn.in_transaction():
                    conn.rollback()
                raise
    finally:
        if taken is not None:
            taken[0].release(taken[1])


def _take_write_lock(engine: Engine | Connection) -> tuple[WriteLock, int] | None:
    """Take the SQLite file's :class:`WriteLock`: the lock and the descriptor that holds it,
    or None (another database, no lock file, or already held by this thread)."""
    if engine.dialect.name != "sqlite":
        return None
    lock: WriteLock | None = getattr(engine, WRITE_LOCK_ATTR, None)
    fd = lock.acquire() if lock is not None else None
    return None if lock is None or fd is None else (lock, fd)


def _unavailable(exc: OperationalError) -> DatabaseUnavailable:
    return DatabaseUnavailable(f"the centre database is unavailable: {exc.orig}")


def ping(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        raise _unavailable(exc) from exc
