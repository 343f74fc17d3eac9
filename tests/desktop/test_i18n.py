"""Korean and English: every string is translated, the .qm files are current, Hangul renders."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QFont, QFontDatabase, QImage
from PySide6.QtWidgets import QLabel

from tests.desktop.conftest import GuiFactory

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "resources" / "i18n"
LUPDATE = ROOT / ".venv" / "bin" / "pyside6-lupdate"


def unfinished(ts: Path) -> list[str]:
    root = ET.parse(ts).getroot()
    return [f"{ctx.findtext('name')}: {m.findtext('source')}"
            for ctx in root.iter("context") for m in ctx.iter("message")
            if m.find("translation") is None
            or m.find("translation").get("type") in ("unfinished", "obsolete")  # type: ignore[union-attr]
            or not (m.findtext("translation") or "").strip()]


def test_every_korean_string_is_translated() -> None:
    assert unfinished(I18N / "chipcommons_ko.ts") == []
    assert (I18N / "chipcommons_ko.qm").stat().st_size > 1000


@pytest.mark.skipif(not LUPDATE.exists() and shutil.which("pyside6-lupdate") is None,
                    reason="pyside6-lupdate is not installed")
def test_the_ts_sources_hold_every_string_in_the_code(tmp_path: Path) -> None:
    """Re-extract the strings into a copy: nothing new may appear untranslated."""
    lupdate = str(LUPDATE) if LUPDATE.exists() else str(shutil.which("pyside6-lupdate"))
    copy = tmp_path / "ko.ts"
    shutil.copy(I18N / "chipcommons_ko.ts", copy)
    sources = sorted(str(p) for p in (ROOT / "desktop").rglob("*.py"))
    subprocess.run([lupdate, *sources, "-no-obsolete", "-locations", "none", "-ts", str(copy)],
                   check=True, capture_output=True, cwd=ROOT)
    assert unfinished(copy) == []


def _ink(image: QImage, background: QColor) -> int:
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            if image.pixelColor(x, y) != background:
                count += 1
    return count


def test_korean_text_renders(qtbot: Any, tmp_path: Path) -> None:
    families = QFontDatabase.families(QFontDatabase.WritingSystem.Korean)
    assert families, "no font with Hangul is installed (CI installs fonts-noto-cjk)"
    label = QLabel("한국어 좌석 예약 대시보드")
    font = QFont(families[0], 20)
    label.setFont(font)
    qtbot.addWidget(label)
    label.resize(420, 60)
    image = label.grab().toImage()
    image.save(str(tmp_path / "hangul.png"))
    background = image.pixelColor(0, 0)
    assert _ink(image, background) > 50
    # every glyph comes from a real font, not the missing-glyph box
    from PySide6.QtGui import QFontMetrics

    metrics = QFontMetrics(font)
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "한국어좌석예약")


def test_korean_window_screenshot(make_gui: GuiFactory, tmp_path: Path) -> None:
    gui = make_gui("demo.admin", language="ko")
    assert gui.window.nav.item(0).text() == "대시보드"
    assert "연결됨" in gui.window.status_label.text()
    image = gui.window.grab().toImage()
    assert not image.isNull()
    image.save(str(tmp_path / "korean-window.png"))
