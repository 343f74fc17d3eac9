"""The models and the migrations do not drift."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.db import make_engine
from hub.schema import SCHEMA_HEAD, current_revision, head_revision, metadata, upgrade


def test_models_match_migrations(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                metadata())
    assert diff == [], f"models and migrations differ: {diff}"
    upgrade(engine)  # idempotent at every start


def test_the_start_up_check_names_the_newest_migration() -> None:
    # upgrade() skips Alembic when the database records SCHEMA_HEAD, so a new migration must
    # update it.
    assert head_revision() == SCHEMA_HEAD, "set hub.schema.SCHEMA_HEAD to the new revision"
