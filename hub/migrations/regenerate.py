"""Regenerate the initial migration from the models (development tool, before first release).

Usage: python -m hub.migrations.regenerate
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from core.db import make_engine
from hub.schema import MIGRATIONS, alembic_config


def main() -> None:
    for old in (MIGRATIONS / "versions").glob("*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'gen.db'}")
        cfg = alembic_config(engine)
        command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")


if __name__ == "__main__":
    main()
