"""core.rawsql: a Core statement run on the DBAPI cursor gives what a Core execution gives."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import UTCDateTime, make_engine, session_factory, transaction
from core.models.audit import AuditRecord
from core.rawsql import RawStatement, commit_without_flush_wait

meta = MetaData()
things = Table(
    "raw_things", meta,
    Column("id", Integer, primary_key=True),
    Column("name", String(40), nullable=False, unique=True),
    Column("kind", String(10), nullable=False, default="plain"),
    Column("at", UTCDateTime(), nullable=False),
    Column("day", Date, nullable=True),
    Column("flag", Boolean, nullable=False, default=False),
    Column("data", JSON, nullable=True),
    Column("stamp", UTCDateTime(), nullable=True, default=lambda: datetime.now(UTC)),
)

AT = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
ROW = {"name": "a", "at": AT, "day": date(2026, 3, 2), "flag": True,
       "data": {"k": [1, "둘"]}, "stamp": None}

INSERT = RawStatement(insert(things).returning(things.c.id))
READ = RawStatement(select(things.c.name, things.c.kind, things.c.at, things.c.day,
                           things.c.flag, things.c.data)
                    .where(things.c.name == bindparam("name"), things.c.kind == "plain"))
RENAME = RawStatement(update(things).where(things.c.name == bindparam("old"))
                      .values(name=bindparam("new")))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    made = make_engine(db_url)
    meta.create_all(made)
    AuditRecord.metadata.create_all(made, tables=[AuditRecord.__table__])  # type: ignore[list-item]
    yield made
    made.dispose()


def core_read(session: Session, name: str) -> Any:
    return tuple(session.execute(select(things.c.name, things.c.kind, things.c.at, things.c.day,
                                        things.c.flag, things.c.data)
                                 .where(things.c.name == name)).one())


def test_raw_rows_equal_core_rows(engine: Engine) -> None:
    with transaction(session_factory(engine)) as session:
        new_id = INSERT.execute(session, ROW).scalar()
        assert isinstance(new_id, int)
        raw = READ.execute(session, {"name": "a"}).first()
        assert raw == core_read(session, "a")
        assert raw == ("a", "plain", AT, date(2026, 3, 2), True, {"k": [1, "둘"]})
        assert RENAME.execute(session, {"old": "a", "new": "b"}).rowcount == 1
        assert RENAME.execute(session, {"old": "nobody", "new": "c"}).rowcount == 0
        assert READ.execute(session, {"name": "a"}).rows == []
    with transaction(session_factory(engine), write=False) as session:  # committed, read by Core
        assert core_read(session, "b")[2] == AT


def test_driver_errors_are_sqlalchemy_errors_and_roll_back(engine: Engine) -> None:
    with transaction(session_factory(engine)) as session:
        INSERT.execute(session, ROW)
    with pytest.raises(IntegrityError), transaction(session_factory(engine)) as session:
        INSERT.execute(session, {**ROW, "name": "second"})
        INSERT.execute(session, ROW)  # the name is unique
    with transaction(session_factory(engine), write=False) as session:
        assert READ.execute(session, {"name": "second"}).rows == []


def test_refuses_what_it_cannot_run_like_core(engine: Engine) -> None:
    with transaction(session_factory(engine)) as session:
        with pytest.raises(TypeError, match=r"missing parameters.*name"):
            READ.execute(session, {})
        with pytest.raises(ValueError, match="expanding"):
            RawStatement(select(things.c.id).where(things.c.name.in_(["a", "b"]))).execute(
                session, {})
        python_default = {k: v for k, v in ROW.items() if k != "stamp"}
        with pytest.raises(ValueError, match="stamp"):
            RawStatement(insert(things)).execute(session, python_default)


def test_listeners_see_raw_statements_and_pending_orm_rows_are_flushed(engine: Engine) -> None:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with transaction(session_factory(engine)) as session:
            session.add(AuditRecord(at=AT, actor="demo.admin", action="x", target="t"))
            n = RawStatement(select(AuditRecord.__table__.c.id)).execute(session, {}).rows
            assert len(n) == 1  # the pending row was flushed before the raw read
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert any(q.lstrip().upper().startswith("INSERT INTO AUDIT_LOG") for q in seen)
    assert any("FROM audit_log" in q for q in seen)



def test_no_flush_wait_is_said_once_per_transaction(engine: Engine) -> None:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if sql.startswith("SET LOCAL synchronous_commit"):
            seen.append(sql)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(2):  # each transaction says it once, however many callers ask
            with engine.connect() as conn, conn.begin():
                commit_without_flush_wait(conn)
                commit_without_flush_wait(conn)
                if engine.dialect.name == "postgresql":
                    assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(seen) == (2 if engine.dialect.name == "postgresql" else 0)


def test_gathered_writes_run_together_before_the_commit(engine: Engine) -> None:
    from core.rawsql import GatheredWrites

    many: list[bool] = []

    def count(_conn: Any, _cursor: Any, sql: str, _args: Any, _ctx: Any,
              executemany: bool) -> None:
        if sql.lstrip().upper().startswith("INSERT"):
            many.append(executemany)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with engine.connect() as conn, conn.begin():
            INSERT.execute_later(conn, {**ROW, "name": "now"})  # nothing gathers: at once
            assert many == [False]
            gathered = GatheredWrites(conn)
            for name in ("g1", "g2"):
                INSERT.execute_later(conn, {**ROW, "name": name})
            mark = gathered.mark()
            INSERT.execute_later(conn, {**ROW, "name": "dropped"})
            gathered.drop_since(mark)  # a part rolled back
            INSERT.execute_later(conn, {**ROW, "name": "g3", "kind": "odd"})  # other columns
            assert many == [False]
            gathered.run()
            assert many == [False, True, True]
            INSERT.execute_later(conn, {**ROW, "name": "after"})  # gathering has ended
            names = conn.execute(select(things.c.name).order_by(things.c.id)).scalars().all()
        with engine.connect() as conn, conn.begin():
            GatheredWrites(conn)  # left over from a transaction that ended: not this one's
        with engine.connect() as conn, conn.begin():
            INSERT.execute_later(conn, {**ROW, "name": "later"})
            assert conn.execute(select(things.c.name).where(things.c.name == "later")).first()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert names == ["now", "g1", "g2", "g3", "after"]
