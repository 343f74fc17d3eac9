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
    checks += job_limit_checks()
    return checks


def job_limit_checks() -> list[dict[str, Any]]:
    """How the farm's per-job limits are enforced on this machine (none is required: the
    farm falls back, and says so here)."""
    from remote import memcgroup
    from remote.sandbox import bwrap_sizes_tmpfs

    cgroup = memcgroup.available()
    bwrap = shutil.which("bwrap")
    sized = bwrap is not None and bwrap_sizes_tmpfs(bwrap)
    return [
        {"check": "job memory limit", "ok": cgroup, "required": False,
         "detail": "a memory cgroup per job" if cgroup else
         "RLIMIT_AS only (address space, not memory): this account cannot make memory "
         "cgroups here (run the farm's jobs as root, with the memory controller)"},
        {"check": "job /tmp size limit", "ok": sized, "required": False,
         "detail": "a tmpfs sized to the job's disk limit" if sized else
         "the sandbox's /tmp is not sized (bubblewrap 0.8 or later sizes it)"},
    ]
