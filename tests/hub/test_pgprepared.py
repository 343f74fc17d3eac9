"""core.pgprepared: the centre's PostgreSQL connections keep prepared statements across a
rollback, and still forget them when the server does."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from core import pgprepared
from core.db import make_engine

QUERY = "SELECT %s::int + 1"


def _prepared_on_server(conn: Any) -> int:
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM pg_prepared_statements", prepare=False)
    (count,) = cur.fetchone()
    cur.close()
    return int(count)


def _warm(conn: Any) -> None:
    """Run QUERY past psycopg's prepare threshold (5), in a transaction rolled back."""
    cur = conn.cursor()
    for i in range(8):
        cur.execute(QUERY, (i,))
        assert cur.fetchone() == (i + 1,)
    cur.close()


def test_plain_psycopg_forgets_on_rollback(pg_url: str) -> None:
    """What this module works around: without it a read-only rollback deallocates."""
    with psycopg.connect(pg_url) as conn:
        _warm(conn)
        assert _prepared_on_server(conn) == 1
        conn.rollback()
        assert _prepared_on_server(conn) == 0


def test_kept_across_rollback_and_savepoint(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        assert pgprepared.keep_across_rollback(conn)
        _warm(conn)
        assert _prepared_on_server(conn) == 1
        conn.rollback()
        assert _prepared_on_server(conn) == 1
        cur = conn.cursor()
        cur.execute("SAVEPOINT s")
        cur.execute(QUERY, (41,))
        assert cur.fetchone() == (42,)
        cur.execute("ROLLBACK TO SAVEPOINT s")
        conn.rollback()
        assert _prepared_on_server(conn) == 1
        # Still the prepared statement that runs (no second one made).
        _warm(conn)
        assert _prepared_on_server(conn) == 1


@pytest.mark.parametrize("forget", ["DEALLOCATE ALL", "DISCARD ALL"])
def test_forgotten_when_the_server_forgets(pg_url: str, forget: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert pgprepared.keep_across_rollback(conn)
        _warm(conn)
        assert _prepared_on_server(conn) == 1
        conn.execute(forget)
        assert _prepared_on_server(conn) == 0
        _warm(conn)  # prepared again, not "prepared statement ... does not exist"
        assert _prepared_on_server(conn) == 1


def test_dropped_table_is_forgotten(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert pgprepared.keep_across_rollback(conn)
        conn.execute("CREATE TABLE prep_probe (x int)")
        try:
            for _ in range(8):
                conn.execute("SELECT count(*) FROM prep_probe")
            assert _prepared_on_server(conn) == 1
        finally:
            conn.execute("DROP TABLE prep_probe")
        assert _prepared_on_server(conn) == 0


def test_not_a_psycopg_connection() -> None:
    assert not pgprepared.keep_across_rollback(object())


def test_centre_engine_keeps_them(pg_url: str) -> None:
    """Every connection of the centre's engine keeps them; its pool hands out the most recently
    used connection first."""
    engine = make_engine(pg_url)
    try:
        for _ in range(3):
            with engine.connect() as conn:  # read-only: ends with a rollback
                for i in range(8):
                    assert conn.execute(text("SELECT :x + 1"), {"x": i}).scalar() == i + 1
                dbapi = conn.connection.dbapi_connection
                assert _prepared_on_server(dbapi) >= 1
        with engine.connect() as conn:
            assert conn.connection.dbapi_connection is dbapi  # last in, first out
            assert _prepared_on_server(dbapi) >= 1
    finally:
        engine.dispose()
