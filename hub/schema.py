"""The centre's schema: every part's models on one metadata, kept by Alembic migrations.

The migrations live in ``hub`` (not ``core``) because they must see every domain's tables and
only ``hub`` may import all domains under the layering rules.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, MetaData, text
from sqlalchemy.exc import DBAPIError

from core.db import Base

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic (with mako) is imported only when a migration must run or be inspected: every
# ``serve`` process (one per SSH connection) checks the schema at start, and the check needs
# only ``SCHEMA_HEAD`` and one SELECT.

#: Every module that defines ORM models. New parts add theirs here.
MODEL_MODULES = (
    "core.models",
    "hub.models",
    "licensing.models",
    "remote.jobs.models",
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

#: The newest migration's revision. A new migration updates it; ``tests/hub/test_migrations``
#: fails until it equals Alembic's head.
SCHEMA_HEAD = "0002"


def metadata() -> MetaData:
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return Base.metadata


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema. Safe to call at every start."""
    if _stored_revision(engine) == SCHEMA_HEAD:
        return
    from alembic import command

    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(727001)"))
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _stored_revision(engine: Engine) -> str | None:
    """The revision the database records, by one SELECT (None when it has none yet)."""
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:  # no alembic_version table: a new database
            return None
