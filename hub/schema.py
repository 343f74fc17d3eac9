"""The centre's schema: every part's models on one metadata, kept by Alembic migrations.

The migrations live in ``hub`` (not ``core``) because they must see every domain's tables and
only ``hub`` may import all domains under the layering rules.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, text

from core.db import Base

#: Every module that defines ORM models. New parts add theirs here.
MODEL_MODULES = (
    "core.models",
    "hub.models",
    "licensing.models",
    "remote.jobs.models",
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def metadata() -> MetaData:
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return Base.metadata


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema. Safe to call at every start."""
    if current_revision(engine) == head_revision():
        return
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(727001)"))
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
