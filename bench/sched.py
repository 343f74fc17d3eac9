"""Scheduler overhead without the hub: what ChipCommons adds on top of the raw tools.

    sudo .venv/bin/python bench/sched.py [--jobs N] [--slurm-dir DIR]

Measures, per job: the local scheduler's submit (checks, job.json, detached launch) and its
submit-to-status latency for ``true``; a bare ``bwrap … true`` for comparison; the Slurm
scheduler's submit against a raw ``sbatch --parsable --wrap true``; and one batched poll of N
jobs against a raw ``squeue``. Slurm is started with .ci/start-slurm.sh (as root) unless
$SLURM_CONF points at a running cluster. Prints a table (milliseconds).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from remote.sandbox import JobLimits, SandboxSettings  # noqa: E402
from remote.schedulers import JobRef, JobSpec, LocalScheduler, SlurmScheduler  # noqa: E402
from remote.workspace import Workspace, seal  # noqa: E402


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def _spec(root: Path, job_id: str) -> JobSpec:
    ws = Workspace.create(root, job_id)
    seal(ws)
    return JobSpec(ws, ("true",), JobLimits(wall_seconds=60, memory_bytes=256 << 20))


def bench_local(root: Path, settings: SandboxSettings, n: int,
                rows: list[tuple[str, list[float]]]) -> None:
    sched = LocalScheduler(root, settings, max_concurrent=n)
    submits, latencies = [], []
    for i in range(n):
        spec = _spec(root, f"local-{i}")
        t0 = time.perf_counter()
        sid = sched.submit(spec)
        submits.append((time.perf_counter() - t0) * 1000)
        sched.wait([JobRef(sid, spec.workspace.path)], timeout=60, interval=0.01)
        latencies.append((time.perf_counter() - t0) * 1000)
    rows.append(("local: submit", submits))
    rows.append(("local: submit → status.json (true)", latencies))
    bwrap = shutil.which("bwrap") or "bwrap"
    raw = [_timed(lambda: subprocess.run(
        [bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc",
         "--dev", "/dev", "true"], check=True)) for _ in range(n)]
    rows.append(("raw: bwrap … true", raw))


def bench_slurm(root: Path, settings: SandboxSettings, conf: str, n: int,
                rows: list[tuple[str, list[float]]]) -> None:
    env = {**os.environ, "SLURM_CONF": conf}
    sched = SlurmScheduler(settings, slurm_conf=conf)
    refs = []
    submits = []
    for i in range(n):
        spec = _spec(root, f"slurm-{i}")
        t0 = time.perf_counter()
        refs.append(JobRef(sched.submit(spec), spec.workspace.path))
        submits.append((time.perf_counter() - t0) * 1000)
    rows.append(("slurm: SlurmScheduler.submit", submits))
    raw = [_timed(lambda: subprocess.run(["sbatch", "--parsable", "--wrap", "true",
                                          f"--output={root}/raw-%j.out"],
                                         env=env, check=True, capture_output=True))
           for _ in range(n)]
    rows.append(("raw: sbatch --parsable --wrap true", raw))
    polls = [_timed(lambda: sched.poll(refs)) for _ in range(5)]
    rows.append((f"slurm: poll({n} jobs), one squeue", polls))
    raw_q = [_timed(lambda: subprocess.run(["squeue", "-h", "-o", "%i|%T|%r"], env=env,
                                           check=True, capture_output=True)) for _ in range(5)]
    rows.append(("raw: squeue -h -o %i|%T|%r", raw_q))
    t0 = time.perf_counter()
    sched.wait(refs, timeout=300, interval=0.1)
    elapsed = (time.perf_counter() - t0) * 1000
    rows.append((f"slurm: {n} jobs submitted → all status.json", [elapsed]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--slurm-dir", type=Path, default=None)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("run as root (the sandbox drops jobs to dedicated uids)", file=sys.stderr)
        return 2
    rows: list[tuple[str, list[float]]] = []
    work = Path(tempfile.mkdtemp(prefix="cc-bench-", dir="/tmp"))
    work.chmod(0o711)
    settings = SandboxSettings(lock_dir=str(work / "uids"))
    slurm_dir = args.slurm_dir or work / "slurm"
    try:
        bench_local(work / "local", settings, args.jobs, rows)
        conf = os.environ.get("SLURM_CONF")
        have_slurm = shutil.which("slurmctld") or Path("/usr/sbin/slurmctld").exists()
        if not conf and have_slurm:
            proc = subprocess.run([str(REPO / ".ci" / "start-slurm.sh"), str(slurm_dir)],
                                  capture_output=True, text=True, check=True)
            conf = proc.stdout.strip().splitlines()[-1]
        if conf:
            bench_slurm(work / "slurm-farm", settings, conf, args.jobs, rows)
    finally:
        if not args.slurm_dir and (slurm_dir / "slurm.conf").exists():
            subprocess.run([str(REPO / ".ci" / "start-slurm.sh"), "--stop", str(slurm_dir)],
                           check=False)
        shutil.rmtree(work, ignore_errors=True)
    width = max(len(label) for label, _ in rows)
    print(f"{'measure':<{width}}  {'n':>3}  {'median ms':>10}  {'max ms':>9}")
    for label, samples in rows:
        print(f"{label:<{width}}  {len(samples):>3}  {statistics.median(samples):>10.1f}  "
              f"{max(samples):>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
