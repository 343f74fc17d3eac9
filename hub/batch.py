"""Group commit: quick write calls of one thread gathered into one database transaction.

A busy centre's broker answers checkouts, returns and heartbeats one after another on its loop
thread. Each in its own transaction, most of a call's cost is the transaction (the SQLite
writer lock, ``BEGIN IMMEDIATE``, the commit writing the same pool and index pages again). With
a :class:`WriteBatch`, the calls that arrived together run in one transaction, each inside its
own savepoint: a call that fails rolls back to its savepoint and leaves the others alone, so
each call still either happens whole or not at all, in the order the calls ran. Their answers
are sent only after the one commit (:meth:`HubCore.call` returns them; the broker holds them),
so nobody hears of a change that could still be lost. The rows nobody reads back during the
batch — audit entries and replay records — are gathered (:class:`core.rawsql.GatheredWrites`)
and written together just before the commit, those of a call rolled back left out; a request
id repeated within the batch is answered from :attr:`WriteBatch.answers`.

A call that needs the ORM session (the general path: quotas, bookings, a full pool, a queue to
serve) raises :class:`OwnTransaction` the moment it asks for it, with nothing changed: its
savepoint is rolled back, and the caller runs it again, alone, after the batch has committed.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy import Connection, Engine

from core.db import write_connection
from core.rawsql import GatheredWrites

SAVEPOINT = "chipcommons_call"


class OwnTransaction(BaseException):
    """Raised inside a batched call that needs a transaction of its own (the ORM session).

    Derives from BaseException so that no method's ``except Exception`` swallows it on its way
    out; nothing the call did is kept, and the caller runs the call again outside the batch."""


class WriteBatch:
    """One write transaction shared by several calls (see the module). Not thread-safe: one
    thread owns a batch."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._stack: contextlib.ExitStack | None = None
        self._connection: Connection | None = None
        self.calls = 0  # calls made in the open transaction
        self._unreleased = False  # the last call's savepoint (PostgreSQL) is still to release
        self._gathered: GatheredWrites | None = None  # audit and replay rows, run at the commit
        # The answers recorded under a request id in this batch, whose replay rows are still
        # gathered: (user id, request id) -> (method, answer).
        self.answers: dict[tuple[int, str], tuple[str, Any]] = {}

    @property
    def open(self) -> bool:
        return self._connection is not None

    def connection(self) -> Connection:
        """The batch's connection, its transaction begun (and the SQLite writer lock taken) on
        first use."""
        if self._connection is None:
            stack = contextlib.ExitStack()
            self._connection = stack.enter_context(write_connection(self.engine))
            self._stack = stack
            self._gathered = GatheredWrites(self._connection)
        return self._connection

    @contextlib.contextmanager
    def savepoint(self) -> Any:
        """One call's part of the transaction: rolled back to when the block raises, else
        released. On PostgreSQL the release goes with the next call's ``SAVEPOINT`` in one
        message (or is left to the commit), sparing a round trip per call."""
        conn = self.connection()
        postgres = conn.dialect.name == "postgresql"
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        assert self._gathered is not None
        mark = self._gathered.mark()
        answers = len(self.answers)
        try:
            if self._unreleased and postgres:
                cursor.execute(f"RELEASE SAVEPOINT {SAVEPOINT}; SAVEPOINT {SAVEPOINT}")
            else:
                cursor.execute(f"SAVEPOINT {SAVEPOINT}")
            self._unreleased = False
            try:
                yield
            except BaseException:
                self._gathered.drop_since(mark)
                for recorded in list(self.answers)[answers:]:
                    del self.answers[recorded]
                cursor.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
                cursor.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
                raise
            if postgres:
                self._unreleased = True
            else:
                cursor.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
            self.calls += 1
        finally:
            cursor.close()

    def commit(self) -> None:
        """Run the gathered writes and commit what the calls did (nothing to do if none
        wrote); a failure rolls it all back and raises."""
        if self._gathered is not None:
            try:
                self._gathered.run()
            except BaseException:
                self.rollback()
                raise
        stack, self._stack, self._connection, self.calls = self._stack, None, None, 0
        self._unreleased, self._gathered, self.answers = False, None, {}
        if stack is not None:
            stack.close()

    def rollback(self) -> None:
        """Drop what the calls did."""
        stack, self._stack, self._connection, self.calls = self._stack, None, None, 0
        if self._gathered is not None:
            self._gathered.discard()
        self._unreleased, self._gathered, self.answers = False, None, {}
        if stack is not None:
            with contextlib.suppress(Exception):
                stack.__exit__(OwnTransaction, OwnTransaction(), None)
