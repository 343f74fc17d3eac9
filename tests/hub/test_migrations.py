"""The models and the migrations do not drift."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.db import make_engine
from hub.schema import current_revision, head_revision, metadata, upgrade


def test_models_match_migrations(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                metadata())
    assert diff == [], f"models and migrations differ: {diff}"
    upgrade(engine)  # idempotent at every start
