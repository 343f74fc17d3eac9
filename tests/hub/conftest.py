from __future__ import annotations

from pathlib import Path

import pytest

from hub.api import Hub
from hub.centre import init_centre


@pytest.fixture
def demo_hub(tmp_path: Path) -> Hub:
    """A fresh demo centre on SQLite."""
    return init_centre(f"sqlite:///{tmp_path / 'demo.sqlite3'}", with_demo=True)
