from __future__ import annotations

from pathlib import Path

import pytest

from remote.pim import Platform, load_platform

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pim"


@pytest.fixture(scope="session")
def hbm() -> Platform:
    return load_platform("samsung-hbm-pim")


@pytest.fixture()
def fixtures() -> Path:
    return FIXTURES
