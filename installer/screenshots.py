"""Save a screenshot of every main screen, in English and Korean, for the README.

    .venv/bin/python installer/screenshots.py [--out docs/screenshots]

Runs offscreen (or under Xvfb when QT_QPA_PLATFORM=xcb and DISPLAY are set) on a throw-away
demo centre filled by ``desktop.showcase``: the engineer's screens, then the admin's. Needs a
CJK font for the Korean shots (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtWidgets import QWidget

    from desktop.app import create_gui, ensure_application
    from desktop.selftest import demo_centre, settle, visit_screens, wait_until
    from desktop.settings import AppSettings

    app = ensure_application()
    args.out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        for login, who in (("demo.engineer", "engineer"), ("demo.admin", "admin")):
            for language in ("en", "ko"):
                with demo_centre(login) as client:
                    gui = create_gui(app, AppSettings(Path(tmp) / f"{who}-{language}.ini"),
                                     language=language)
                    gui.window.resize(1280, 800)
                    gui.window.show()
                    gui.connection.use(client)
                    if not wait_until(lambda g=gui: g.window.ctx is not None):  # type: ignore[misc]
                        print(f"screenshots: {login} could not connect", file=sys.stderr)
                        return 1

                    def shoot(name: str, window: QWidget, who: str = who,
                              language: str = language) -> None:
                        if who == "engineer" and name.startswith("admin"):
                            return
                        path = args.out / f"{who}-{name.replace('.', '-')}-{language}.png"
                        window.grab().save(str(path))
                        saved.append(path)

                    visit_screens(gui, shoot)
                    settle(gui)
                    gui.close()
    for path in saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
