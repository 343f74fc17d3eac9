"""Prepared statements that survive a rollback, on the centre's PostgreSQL connections.

psycopg prepares a statement on the server once a connection has run it a few times
(``prepare_threshold``), so that PostgreSQL parses and plans it once instead of on every call —
for the checkout probe, about 0.6 ms of the server's time each. But psycopg forgets every
prepared statement of a connection (``DEALLOCATE ALL``) whenever the connection rolls back,
whether it changed anything or not. psycopg does so in case the transaction created a table and
prepared statements over it: after the rollback PostgreSQL could fail its internal look-ups.

The centre ends every read-only transaction with a rollback (SQLAlchemy's ``Connection`` and
``Session`` do), and a busy broker or worker reads all the time. So its hottest statements were
prepared again every few hundred calls: a quarter of the checkout probe's executions paid for
planning, and every rollback added a ``DEALLOCATE ALL`` round trip.

The centre never changes its schema inside a transaction it rolls back (migrations run apart,
and commit). :func:`keep_across_rollback` makes one psycopg connection keep its prepared
statements across a rollback (or ``ROLLBACK TO SAVEPOINT``). It still forgets them, as psycopg
does, after ``DROP``, ``ALTER``, ``DISCARD ALL`` and ``DEALLOCATE ALL``.

psycopg offers no option for this, so the connection's prepared-statement manager is given a
subclass that overrides two of its methods. If a psycopg release renames them, nothing is
changed (and ``tests/hub/test_pgprepared.py`` fails, so we hear of it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

try:  # psycopg's own module; its methods are checked below before anything is swapped
    from psycopg import pq
    from psycopg._preparing import Prepare, PrepareManager
except ImportError:  # pragma: no cover - psycopg missing or reorganised
    PrepareManager = None  # type: ignore[assignment,misc]

_FORGETS = re.compile(rb"^(?:DROP|ALTER|DISCARD ALL|DEALLOCATE ALL)\b").match


if PrepareManager is not None:
    class _KeptAcrossRollback(PrepareManager):  # type: ignore[misc,valid-type]
        """psycopg's manager, except that a rollback leaves the prepared statements alone."""

        def clear(self) -> bool:
            # psycopg calls this after every rollback; only _should_discard (below) clears.
            return False

        def _should_discard(  # type: ignore[override]
                self, prep: Prepare, results: Sequence[Any]) -> bool:
            if self._names or prep == Prepare.SHOULD:
                for result in results:
                    status = result.command_status
                    if (result.status == pq.ExecStatus.COMMAND_OK and status
                            and _FORGETS(status)):
                        return PrepareManager.clear(self)
            return False
else:  # pragma: no cover
    _KeptAcrossRollback = None  # type: ignore[assignment,misc]


def supported() -> bool:
    """Whether this psycopg has the manager this module adapts."""
    return (_KeptAcrossRollback is not None
            and callable(getattr(PrepareManager, "clear", None))
            and callable(getattr(PrepareManager, "_should_discard", None)))


def keep_across_rollback(dbapi_connection: Any) -> bool:
    """Make a psycopg connection keep its prepared statements across rollbacks; False (and
    nothing changed) when it is not a psycopg connection of the expected shape."""
    manager = getattr(dbapi_connection, "_prepared", None)
    if not supported() or type(manager) is not PrepareManager:
        return False
    manager.__class__ = _KeptAcrossRollback
    return True
