"""Opening a centre: its database URL → an engine with the newest schema → a :class:`Hub`."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine

from core import claims
from core.db import make_engine, ping, transaction
from core.paths import data_dir, embedded_db_url, resources_dir
from hub import demo
from hub.api import Hub
from hub.demo_jobs import seed_demo_jobs
from hub.schema import upgrade
from licensing import tokens
from licensing.demo import seed_demo as seed_demo_pools

DB_ENV = "CHIPCOMMONS_DB"


def resolve_db_url(url: str | None) -> str:
    return url or os.environ.get(DB_ENV) or embedded_db_url()


def centre_home(url: str) -> Path:
    """Where a centre keeps its files beside the database (keys, workspaces)."""
    env = os.environ.get("CHIPCOMMONS_CENTRE_HOME")
    if env:
        return Path(env)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        db = Path(url.removeprefix("sqlite:///"))
        return db.parent / (db.stem + ".centre")
    return data_dir() / "centre"


def open_engine(url: str, *, migrate: bool = True, pool: bool = True) -> Engine:
    engine = make_engine(url, pool=pool)
    ping(engine)
    if migrate:
        upgrade(engine)
    return engine


def open_hub(url: str | None = None, *, migrate: bool = True) -> Hub:
    url = resolve_db_url(url)
    engine = open_engine(url, migrate=migrate)
    home = centre_home(url)
    return Hub(engine, settings={"home": str(home), "db_url": url})


def init_centre(url: str | None = None, *, with_demo: bool = False) -> Hub:
    """Create or upgrade the schema, the centre's folders and, if asked, the demo data."""
    url = resolve_db_url(url)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    hub = open_hub(url)
    home = Path(hub.settings["home"])
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    # The lease-signing key pair: a 0600 file beside the database, never in it.
    claims.ensure_keypair(tokens.key_path(home))
    if with_demo:
        seed_demo(hub)
    return hub


def seed_demo(hub: Hub) -> None:
    data = demo.load_demo()
    with transaction(hub.sessions) as session:
        demo.seed_accounts(session, data)
        seed_demo_pools(session, resources_dir(), hub.clock())
    seed_demo_jobs(hub)


def embedded_hub() -> Hub:
    """The embedded centre in the user's data folder, created with demo data on first run."""
    url = embedded_db_url()
    first_run = not Path(url.removeprefix("sqlite:///")).exists()
    return init_centre(url, with_demo=first_run) if first_run else open_hub(url)
