"""Fixtures of the SCALE-Sim backend tests: the reference files and the SCALE-Sim interpreter
(skipped with the reason when SCALE-Sim is absent outside CI; in CI its absence fails the run)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.errors import InfrastructureError
from remote.backends.scalesim.runner import find_scalesim_python

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "scalesim"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def scalesim_python() -> str:
    try:
        return find_scalesim_python()
    except InfrastructureError as exc:
        if IN_CI:
            pytest.fail(f"{exc.message} (CI must install it)")
        pytest.skip(exc.message)
