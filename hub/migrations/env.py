"""Alembic environment: runs on the connection ChipCommons hands it."""

from __future__ import annotations

from alembic import context

from hub.schema import metadata

config = context.config
target = metadata()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = config.attributes["engine"]
        with engine.begin() as conn:
            context.configure(connection=conn, target_metadata=target,
                              render_as_batch=conn.dialect.name == "sqlite",
                              compare_type=True)
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run()
