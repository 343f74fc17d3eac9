"""Where ChipCommons keeps its files (platformdirs), and where shipped resources are."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "ChipCommons"


def data_dir() -> Path:
    override = os.environ.get("CHIPCOMMONS_HOME")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def embedded_db_url() -> str:
    return f"sqlite:///{data_dir() / 'centre.sqlite3'}"


def resources_dir() -> Path:
    """The shipped ``resources/`` folder: inside the wheel, or beside the packages in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_resources", here.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("ChipCommons resources folder not found")
