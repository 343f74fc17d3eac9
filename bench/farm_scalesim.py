"""SCALE-Sim through the farm against SCALE-Sim directly, on the same inputs (target <= 1.1x).

    .venv/bin/python bench/farm_scalesim.py [--repeat 5] [--topology CSV] [--config CFG]

(``bench/farm.py`` prints the same rows after its Slurm figures.)

Workload: the shipped coursework NPU (``resources/scalesim/npu_16x16_ws.cfg``, 16x16 PEs,
weight-stationary) on a transformer block's six GEMM layers
(``resources/scalesim/tiny_transformer_gemm.csv``): several seconds directly.

* **directly**: a fresh process of SCALE-Sim's interpreter that imports SCALE-Sim and runs its
  Python API without traces (``scalesim(save_disk_space=True).run_scale``) on the config and
  topology, with the thread settings the backend uses (one BLAS/OpenMP thread) and, like the
  backend's, in a session of its own (with autogroup scheduling a session is a CPU share).
* **through the farm**: ``jobs.submit`` of an ``npu-scalesim`` job whose two inputs are already
  uploaded, on a centre with the local scheduler and the bubblewrap sandbox, until ``jobs.show``
  says ``succeeded``: the wrapper's start, the sandbox, ``chipcommons-run`` (imports, input
  checks, the SCALE-Sim driver, report parsing, results.json), the end being noticed and the
  job concluded in the database. The bench waits the way a worker woken by the scheduler would:
  ``LocalScheduler.wait`` blocks on the wrapper's exit (pidfd), then the worker's farm duty
  (``hub.farm.dispatch``) concludes the job, so no polling loop competes with SCALE-Sim for
  the CPU.

Runs alternate (direct, farm, direct, farm, ...); the table shows medians and their ratio, and
where the farm's extra time goes (medians of each part, from the job's own timestamps). On a
shared machine wall times swing with the load, so CPU times are shown too: the direct run's
from rusage, the farm's as its job's whole process tree re-run under ``perf stat`` (when perf
is installed) plus the hub process's own CPU during the real run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hub import farm as farmops  # noqa: E402
from hub.api import Hub  # noqa: E402
from hub.centre import init_centre  # noqa: E402
from hub.cli.jobs import upload_file  # noqa: E402
from hub.clients.local import LocalHub  # noqa: E402
from hub.farm import farm_for, forget_farm  # noqa: E402
from remote.backends.scalesim.runner import find_scalesim_python  # noqa: E402
from remote.backends.scalesim.topology import write_layout_header  # noqa: E402
from remote.jobs.service import workspace_name  # noqa: E402
from remote.sandbox import package_root  # noqa: E402
from remote.schedulers import JobRef  # noqa: E402

CONFIG = REPO / "resources" / "scalesim" / "npu_16x16_ws.cfg"
TOPOLOGY = REPO / "resources" / "scalesim" / "tiny_transformer_gemm.csv"
THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
DIRECT = """
import sys
from scalesim.scale_sim import scalesim
config, topology, layout, outdir, kind = sys.argv[1:6]
scalesim(save_disk_space=True, verbose=False, config=config, topology=topology, layout=layout,
         input_type_gemm=kind == "gemm").run_scale(top_path=outdir)
"""
Row = tuple[str, float, str]


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def _kind(topology: Path) -> str:
    header = topology.read_text(encoding="utf-8").splitlines()[0].lower()
    return "gemm" if " m," in header or header.replace(" ", "").startswith("layername,m,") \
        else "conv"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_direct(config: Path, topology: Path, outdir: Path) -> tuple[float, float]:
    """SCALE-Sim directly in a fresh process of its interpreter: (wall, CPU) milliseconds."""
    layout = outdir / "layout.csv"
    outdir.mkdir(parents=True, exist_ok=True)
    write_layout_header(layout)
    env = {**os.environ, **THREADS}
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    subprocess.run([find_scalesim_python(), "-c", DIRECT, str(config), str(topology),
                    str(layout), str(outdir), _kind(topology)], env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=1800,
                   start_new_session=True)  # as the backend starts it (its own autogroup)
    return _ms(t0), (_children_cpu() - cpu0) * 1000


def job_tree_cpu(ws: Path) -> float | None:
    """CPU milliseconds of a finished job's whole process tree (wrapper, bwrap, runner,
    SCALE-Sim), by running its wrapper again under ``perf stat`` (task-clock follows every
    child, also inside the sandbox's namespaces, where rusage is lost with bwrap's init).
    None without perf. Unlike wall time, CPU time hardly depends on the machine's load."""
    perf = shutil.which("perf")
    if perf is None:
        return None
    for name in ("status.json", "wrapper.pid", "sandbox.uid"):
        (ws / name).unlink(missing_ok=True)
    for folder in (ws / "work", ws / "out"):
        for entry in folder.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    report = ws.parent / f"{ws.name}.perf"
    subprocess.run([perf, "stat", "-e", "task-clock", "-x", ",", "-o", str(report), "--",
                    sys.executable, "-m", "remote.sandbox", "run", str(ws)],
                   env={**os.environ, "PYTHONPATH": str(package_root())}, cwd=ws, check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=1800, start_new_session=True)
    if json.loads((ws / "status.json").read_text(encoding="utf-8"))["outcome"] != "success":
        raise RuntimeError(f"the re-run of {ws.name} did not succeed")
    for line in report.read_text(encoding="utf-8").splitlines():
        fields = line.split(",")
        if len(fields) > 2 and fields[2].startswith("task-clock"):
            return float(fields[0])
    return None


def _own_cpu() -> float:
    """CPU seconds of this process (the hub: submit, dispatcher, waiting, concluding)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _stamp(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def _farm_scalesim(hub: Hub, cfg: Path, topo: Path) -> dict[str, Any]:
    """Submit → succeeded through the farm (inputs uploaded beforehand); the parts in ms and
    the job's workspace (``ws``)."""
    client = LocalHub(hub, "demo.student")
    farm = farm_for(hub)
    try:
        job = client.call("jobs.create", backend="npu-scalesim",
                          params={"config": cfg.name, "topology": topo.name})
        upload_file(client, job.id, cfg)
        upload_file(client, job.id, topo)
        ws = farm.root / workspace_name(job.id)
        ref = JobRef(ws.name, ws)
        cpu0 = _own_cpu()
        t0, wall0 = time.perf_counter(), time.time()
        client.call("jobs.submit", job_id=job.id)
        submitted = _ms(t0)
        while True:
            farm.scheduler.wait([ref], timeout=5.0)  # woken by the wrapper's exit
            farmops.dispatch(hub)  # the worker's farm duty: poll, conclude
            state = client.call("jobs.show", job_id=job.id).state
            if state in ("succeeded", "failed", "cancelled"):
                break
        total = _ms(t0)
        hub_cpu = (_own_cpu() - cpu0) * 1000
        if state != "succeeded":
            raise RuntimeError(f"the SCALE-Sim job {state}: "
                               f"{client.call('jobs.show', job_id=job.id).reason}")
        inside = client.call("jobs.results", job_id=job.id).result.results.execution_time
    finally:
        client.close()
    status = json.loads((ws / "status.json").read_text(encoding="utf-8"))
    started, ended = _stamp(status["started"]), _stamp(status["ended"])
    backend = (inside or 0.0) * 1000
    return {"total": total, "submit": submitted, "ws": ws,
            "start": (started - wall0) * 1000 - submitted,
            "sandbox": (ended - started) * 1000 - backend,
            "backend": backend,
            "notice": total - (ended - wall0) * 1000, "hub_cpu": hub_cpu}


def _centre(tmp: Path, root: Path) -> Hub:
    farm_yaml = tmp / "local.yaml"
    farm_yaml.write_text(f"scheduler:\n  type: local\n  max_concurrent: 2\nworkspace:\n"
                         f"  root: {root}\nbackends: [npu-scalesim]\n"
                         "limits:\n  job: {wall_time: 10m, memory: 4 GiB}\n"
                         "  user: {concurrent_jobs: 1000, jobs_per_day: 100000}\n")
    hub = init_centre(f"sqlite:///{tmp / 'scalesim.sqlite3'}", with_demo=True)
    hub.settings["farm_config"] = str(farm_yaml)
    forget_farm(hub)
    return hub


def bench_scalesim(tmp: Path, repeats: int = 5, config: Path = CONFIG,
                   topology: Path = TOPOLOGY) -> list[Row]:
    """Alternating direct and farm runs of the same workload; medians and their ratio."""
    root = Path(tempfile.mkdtemp(prefix="cc-bench-farm-", dir="/tmp"))
    root.chmod(0o711)
    hub = _centre(tmp, root)
    direct: list[float] = []
    direct_cpu: list[float] = []
    farm_cpu: list[float] = []
    parts: dict[str, list[float]] = {}
    try:
        _farm_scalesim(hub, config, topology)  # warm up: the farm, page cache, .pyc files
        run_direct(config, topology, tmp / "direct-warm")
        for i in range(repeats):
            wall, cpu = run_direct(config, topology, tmp / f"direct-{i}")
            direct.append(wall)
            direct_cpu.append(cpu)
            run = _farm_scalesim(hub, config, topology)
            for key, value in run.items():
                if key != "ws":
                    parts.setdefault(key, []).append(value)
            tree = job_tree_cpu(run["ws"])
            if tree is not None:
                farm_cpu.append(tree + run["hub_cpu"])
    finally:
        hub.engine.dispose()
        shutil.rmtree(root, ignore_errors=True)
    d = statistics.median(direct)
    med = {key: statistics.median(values) for key, values in parts.items()}
    f = med["total"]
    ratios = sorted(t / s for t, s in zip(parts["total"], direct, strict=True))
    what = f"{topology.stem} on {config.stem}"
    rows = [
        (f"SCALE-Sim directly ({what}), median of {repeats}", d,
         f"min {min(direct):.0f}, max {max(direct):.0f}"),
        ("SCALE-Sim through the farm (submit → succeeded), median", f,
         f"{f / d:.3f}x (target <= 1.1x); pairwise {ratios[0]:.3f}-{ratios[-1]:.3f}x"),
        ("  jobs.submit (seal, validate, stage, launch)", med["submit"], ""),
        ("  wrapper start (setsid, python, imports, uid)", med["start"], ""),
        ("  sandbox + runner (bwrap, imports, parse, results)", med["sandbox"], ""),
        ("  the backend inside the sandbox (SCALE-Sim run)", med["backend"], ""),
        ("  end noticed and job concluded", med["notice"], ""),
        ("hub process CPU during a farm run (submit to concluded)", med["hub_cpu"],
         "the waiting itself costs no CPU (no polling)"),
    ]
    if farm_cpu:
        dc, fc = statistics.median(direct_cpu), statistics.median(farm_cpu)
        rows += [
            ("CPU time: SCALE-Sim directly, median", dc, ""),
            ("CPU time: the farm (job's processes + hub), median", fc,
             f"{fc / dc:.3f}x, +{fc - dc:.0f} ms per job (hardly load-dependent)"),
        ]
    return rows


def print_rows(rows: list[Row]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'ms':>9}  note")
    print("-" * (width + 40))
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>9.1f}  {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--config", type=Path, default=CONFIG)
    parser.add_argument("--topology", type=Path, default=TOPOLOGY)
    args = parser.parse_args(argv)
    os.environ.setdefault("CHIPCOMMONS_HOME", tempfile.mkdtemp(prefix="cc-bench-home-"))
    tmp = Path(tempfile.mkdtemp(prefix="cc-bench-"))
    try:
        before = os.getloadavg()[0]
        rows = bench_scalesim(tmp, args.repeat, args.config, args.topology)
        rows.append(("load average (1 min), start / end", 0.0,
                     f"{before:.2f} / {os.getloadavg()[0]:.2f}"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print_rows(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
