"""The demo centre's example farm jobs: one of every backend, with real results.

Each demo job is run once by the real tool (Icarus Verilog, Yosys, SCALE-Sim, the PIM simulator,
a harmless site command) on the shipped example inputs, and its working folder and results are
kept in the user's cache folder, keyed by the inputs, parameters and tool versions that made
them. Seeding a demo centre then copies those real results into each job's workspace and
records the job as it would have gone through the farm, so a new demo centre (and every test
that makes one) opens in milliseconds once the cache is warm.

A backend whose tool is missing on this machine (e.g. SCALE-Sim) is left out with a log line.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import select

from core.db import transaction
from core.errors import ChipError, Conflict
from core.models.accounts import User
from core.paths import resources_dir
from hub.farm import Farm, farm_for
from licensing import catalogue
from remote.jobs import service
from remote.jobs.lifecycle import JobState, move
from remote.results import Outcome, RunResult
from remote.sandbox import FinalStatus, RunOutcome
from remote.workspace import Workspace, seal

log = logging.getLogger(__name__)

CACHE_VERSION = "1"
DEMO_FEATURE = "eda-demo"
STDOUT_FILE = ".demo-stdout.log"


@dataclass(frozen=True)
class DemoJob:
    login: str
    name: str
    backend: str
    files: dict[str, Path]
    params: dict[str, Any]
    features: dict[str, int] = field(default_factory=dict)


def demo_jobs() -> list[DemoJob]:
    res = resources_dir()
    lab = res / "labs" / "rtl" / "mac8"
    mac8 = {"design/mac8.v": lab / "design" / "mac8.v",
            "reference/mac8_ref.v": lab / "reference" / "mac8_ref.v",
            "tb/mac8_tb.v": lab / "tb" / "mac8_tb.v"}
    import yaml

    lab_cfg = yaml.safe_load((lab / "lab.yaml").read_text(encoding="utf-8"))["backends"]
    return [
        DemoJob("demo.student", "mac8 lab: RTL simulation", "rtl-sim", mac8,
                dict(lab_cfg["rtl-sim"])),
        DemoJob("demo.student", "mac8 lab: synthesis", "synth",
                {"design/mac8.v": lab / "design" / "mac8.v",
                 "lib/cc_tiny.lib": lab / "lib" / "cc_tiny.lib"}, dict(lab_cfg["synth"])),
        DemoJob("demo.student2", "NPU 16x16 weight-stationary: tiny GEMM", "npu-scalesim",
                {"npu_16x16_ws.cfg": res / "scalesim" / "npu_16x16_ws.cfg",
                 "tiny_gemm.csv": res / "farm" / "demo" / "tiny_gemm.csv"},
                {"config": "npu_16x16_ws.cfg", "topology": "tiny_gemm.csv"}),
        DemoJob("demo.trainee", "HBM-PIM GEMV 1024x1024 and 4096x4096", "pim",
                {"gemv.yaml": res / "farm" / "demo" / "gemv_1024.yaml"},
                {"run_file": "gemv.yaml"}),
        DemoJob("demo.engineer", "Site command: line count of mac8.v", "command",
                {"mac8.v": lab / "design" / "mac8.v"},
                {"template": "line-count", "values": {"file": "mac8.v"}},
                {DEMO_FEATURE: 1}),
    ]


def cache_dir() -> Path:
    override = os.environ.get("CHIPCOMMONS_DEMO_CACHE")
    base = Path(override) if override else Path(platformdirs.user_cache_dir("ChipCommons",
                                                                            appauthor=False))
    return base / "demo-jobs"


def _key(job: DemoJob) -> str:
    h = hashlib.sha256(f"{CACHE_VERSION}\0{job.backend}\0".encode())
    h.update(json.dumps(job.params, sort_keys=True).encode())
    for name, path in sorted(job.files.items()):
        h.update(name.encode() + b"\0" + path.read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:32]


def _compute(farm: Farm, job: DemoJob, target: Path) -> RunResult | None:
    """Run the demo job's backend for real (our own trusted inputs) and keep its folder."""
    backend = farm.registry.get(job.backend)
    with tempfile.TemporaryDirectory(prefix="cc-demo-") as tmp:
        work = Path(tmp) / "work"
        for name, src in job.files.items():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, work / name)
        result = _run_capturing(backend, work, job.params)
        if result.outcome is Outcome.INFRASTRUCTURE_ERROR:
            log.warning("demo job %r left out: %s", job.name, result.message)
            return None
        result.write(Path(tmp) / "out")
        partial = target.with_name(target.name + f".{os.getpid()}.tmp")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(tmp, partial)
        try:
            partial.rename(target)
        except OSError:  # another process filled the cache first
            shutil.rmtree(partial, ignore_errors=True)
    return result


def _run_capturing(backend: Any, work: Path, params: dict[str, Any]) -> RunResult:
    """Run the backend here with the tools' own output (fd 1) kept for the job's log."""
    fd = os.open(work / STDOUT_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(fd, 1)
        result: RunResult = backend.run(work, params, timeout=300)
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(fd)
    return result


def _cached(farm: Farm, job: DemoJob) -> Path | None:
    target = cache_dir() / _key(job)
    if not (target / "out" / "run.json").is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            if _compute(farm, job, target) is None:
                return None
        except (ChipError, OSError) as exc:
            log.warning("demo job %r left out: %s", job.name, exc)
            return None
    return target


def _ensure_pool(hub: Any) -> None:
    with transaction(hub.sessions) as session, contextlib.suppress(Conflict):
        # Conflict: the pool exists already
        catalogue.add_local_pool(session, DEMO_FEATURE, 4, label="Demo EDA tool (fictional)",
                                 max_lease_hours=8)


def seed_demo_jobs(hub: Any) -> int:
    """Add the example jobs to a demo centre (once); returns how many were added."""
    farm = farm_for(hub)
    with transaction(hub.sessions, write=False) as session:
        from remote.jobs.models import FarmJob

        if session.scalar(select(FarmJob.id).limit(1)) is not None:
            return 0
    _ensure_pool(hub)
    ready = [(demo, cached) for demo in demo_jobs()
             if (cached := _cached(farm, demo)) is not None]
    added = 0
    with transaction(hub.sessions) as session:
        for demo, cached in ready:
            result = RunResult.read(cached / "out")
            user = session.scalar(select(User).where(User.login == demo.login))
            if user is None:
                continue
            now = hub.clock()
            job = service.create_job(session, user.id, demo.backend, demo.params, {},
                                     demo.features, now, name=demo.name)
            ws = Workspace.create(farm.root, job.workspace)
            for name, src in demo.files.items():
                (ws.inputs / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, ws.inputs / name)
            shutil.rmtree(ws.work)
            shutil.copytree(cached / "work", ws.work)
            shutil.rmtree(ws.out)
            shutil.copytree(cached / "out", ws.out)
            seal(ws)
            tool_log = cached / "work" / STDOUT_FILE
            log_text = tool_log.read_text(errors="replace") if tool_log.is_file() else ""
            log_text += f"chipcommons-run: {result.outcome.value}: {result.message}\n"
            log_text += (result.results.output or "")[-4000:] + "\n"
            ws.log("stdout").write_text(log_text)
            ws.log("stderr").write_text("")
            FinalStatus(outcome=RunOutcome.SUCCESS, started=now, ended=now, exit_code=0,
                        message="demo job", source="demo").write(ws)
            job.submitted_at = now
            job.sched_kind = "local"
            job.sched_id = job.workspace
            for state, msg in ((JobState.STAGED, "inputs sealed and checked"),
                               (JobState.QUEUED, "queued on the local scheduler"),
                               (JobState.RUNNING, "running")):
                move(session, job, state, now, msg)
            max_score = sum(t.max_score for t in result.results.tests) or None
            service.finish(session, job,
                           JobState.SUCCEEDED if result.outcome is Outcome.SUCCESS
                           else JobState.FAILED, now, result.message or result.outcome.value,
                           outcome=result.outcome.value, score=result.results.score,
                           max_score=max_score)
            added += 1
    return added
