"""Where the copied reference files live (tests never read ../shared)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def read_fixture(area: str, name: str) -> str:
    return (FIXTURES / area / name).read_text(encoding="utf-8")


def read_fixture_bytes(area: str, name: str) -> bytes:
    return (FIXTURES / area / name).read_bytes()
