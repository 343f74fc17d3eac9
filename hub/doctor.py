"""``chipcommons-hub doctor``: what a centre needs, checked."""

from __future__ import annotations

import shutil
from typing import Any

from core.db import make_engine, ping
from core.errors import ChipError
from hub.schema import current_revision, head_revision


def run_checks(url: str) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    try:
        engine = make_engine(url, pool=False)
        ping(engine)
        checks.append({"check": "database", "ok": True, "detail": engine.dialect.name})
        current, head = current_revision(engine), head_revision()
        checks.append({"check": "schema", "ok": current == head,
                       "detail": f"at {current}, newest {head}"})
    except ChipError as exc:
        checks.append({"check": "database", "ok": False, "detail": exc.message})
    for tool, required in (("ssh", False), ("bwrap", False), ("sbatch", False),
                           ("iverilog", False), ("verilator", False), ("yosys", False)):
        path = shutil.which(tool)
        checks.append({"check": f"tool {tool}", "ok": path is not None,
                       "detail": path or "not installed", "required": required})
    return checks
