"""Fixtures of the farm's job system: a demo centre whose embedded farm runs real jobs on the
local scheduler (sandboxed), the mac8 RTL lab as a tarball, and the real Slurm of
tests/remote/conftest.py."""

from __future__ import annotations

import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from hub import worker
from hub.api import Hub
from hub.centre import init_centre
from hub.clients.base import HubClient
from hub.clients.local import LocalHub
from hub.farm import forget_farm
from tests.remote.conftest import slurm, uid_lock_dir  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "resources" / "labs" / "rtl" / "mac8"
FIXTURES = ROOT / "tests" / "fixtures"
TEMPLATES = FIXTURES / "farm" / "test_commands.yaml"
TERMINAL = ("succeeded", "failed", "cancelled")


def configure(hub: Hub, lock_dir: Path, **settings: Any) -> Hub:
    """Use the test command templates and a sandbox uid range (and lock folder) of the tests'
    own."""
    hub.settings["farm_commands"] = str(TEMPLATES)
    hub.settings["farm_sandbox"] = {"uid_first": 63000, "uid_count": 300,
                                    "lock_dir": str(lock_dir)}
    hub.settings.update(settings)
    forget_farm(hub)
    return hub


@pytest.fixture
def centre(tmp_path: Path, uid_lock_dir: Path) -> Hub:  # noqa: F811
    """A fresh demo centre on SQLite with the test command templates."""
    return configure(init_centre(f"sqlite:///{tmp_path / 'centre.sqlite3'}", with_demo=True),
                     uid_lock_dir)


@pytest.fixture
def centre_any_db(db_url: str, uid_lock_dir: Path) -> Hub:  # noqa: F811
    """A fresh demo centre on SQLite and on PostgreSQL."""
    return configure(init_centre(db_url, with_demo=True), uid_lock_dir)


@pytest.fixture
def as_user(centre: Hub) -> Iterator[Any]:
    opened: list[HubClient] = []

    def connect(login: str) -> HubClient:
        client = LocalHub(centre, login)
        opened.append(client)
        return client

    yield connect
    for client in opened:
        client.close()


@pytest.fixture(scope="session")
def mac8_tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mac8") / "mac8.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        for sub in ("design/mac8.v", "reference/mac8_ref.v", "tb/mac8_tb.v"):
            tf.add(LAB / sub, arcname=sub)
    return path


@pytest.fixture(scope="session")
def mac8_params() -> dict[str, Any]:
    params = yaml.safe_load((LAB / "lab.yaml").read_text())["backends"]["rtl-sim"]
    return dict(params)


def run_worker_until(hub: Hub, client: HubClient, job_id: int, states: tuple[str, ...] = TERMINAL,
                     timeout: float = 90.0) -> Any:
    """Tick the worker until the job reaches one of ``states``; return its JobInfo."""
    deadline = time.monotonic() + timeout
    while True:
        worker.tick(hub)
        job = client.call("jobs.show", job_id=job_id)
        if job.state in states:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {job.state} ({job.reason}) after "
                                 f"{timeout} s")
        time.sleep(0.2)
