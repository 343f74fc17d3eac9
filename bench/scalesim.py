"""Benchmark of the npu-scalesim backend.

1. Wall time of the backend's runner (validate, rewrite inputs, run SCALE-Sim's Python API without
   traces in a subprocess, parse the reports) against running SCALE-Sim directly through the same
   API (``scalesim(save_disk_space=True, ...).run_scale``) in a fresh process of the same
   interpreter on the same inputs. Runs alternate; the median of ``--repeat`` runs is shown.
2. The analytical model's time per layer.

    .venv/bin/python bench/scalesim.py [--repeat 3] [--quick]

Needs SCALE-Sim (``CHIPCOMMONS_SCALESIM_PYTHON`` or see remote/backends/scalesim/runner.py).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from remote.backends.scalesim.analytical import estimate_layer  # noqa: E402
from remote.backends.scalesim.runner import find_scalesim_python, run_scalesim  # noqa: E402
from remote.backends.scalesim.topology import (  # noqa: E402
    ConvLayer,
    GemmLayer,
    parse_topology,
    write_layout_header,
)

FIXTURES = ROOT / "tests" / "fixtures" / "scalesim"
WORKLOADS = [  # (label, config, topology)
    ("gemm_small, 32×32 ws", "scale_32x32_ws_calc.cfg", "gemm_small.csv"),
    ("conv_small, 32×32 os USER", "scale_32x32_os_user.cfg", "conv_small.csv"),
    ("gemm_medium, 32×32 ws", "scale_32x32_ws_calc.cfg", "gemm_medium.csv"),
]

DIRECT = """
import sys
from scalesim.scale_sim import scalesim
config, topology, layout, outdir, kind = sys.argv[1:6]
scalesim(save_disk_space=True, verbose=False, config=config, topology=topology, layout=layout,
         input_type_gemm=kind == "gemm").run_scale(top_path=outdir)
"""


def _cpu() -> float:
    """CPU seconds of this process and its finished children (less noisy than wall time on a
    loaded machine)."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                         resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def time_direct(python: str, config: Path, topology: Path, layout: Path, outdir: Path,
                kind: str) -> tuple[float, float]:
    started, cpu = time.perf_counter(), _cpu()
    subprocess.run([python, "-c", DIRECT, str(config), str(topology), str(layout), str(outdir),
                    kind], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started, _cpu() - cpu


def time_backend(python: str, config: Path, topology: Path, outdir: Path) -> tuple[float, float]:
    started, cpu = time.perf_counter(), _cpu()
    run_scalesim(config, topology, outdir, timeout=3600, python=python)
    return time.perf_counter() - started, _cpu() - cpu


def bench_runner(python: str, repeat: int, workloads: list[tuple[str, str, str]]) -> None:
    print(f"SCALE-Sim interpreter: {python}")
    print(f"{'':30} {'wall time, median of ' + str(repeat):^27} {'CPU time, median':^24}")
    print(f"{'workload':30} {'direct s':>9} {'backend s':>10} {'ratio':>6} "
          f"{'direct':>8} {'backend':>8} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        layout = write_layout_header(work / "layout.csv")
        for label, cfg_name, topo_name in workloads:
            config, topology = FIXTURES / cfg_name, FIXTURES / topo_name
            kind = parse_topology(topology).kind
            direct: list[tuple[float, float]] = []
            ours: list[tuple[float, float]] = []
            for i in range(repeat):  # alternate which goes first
                for which in ("direct", "ours") if i % 2 == 0 else ("ours", "direct"):
                    if which == "direct":
                        direct.append(time_direct(python, config, topology, layout,
                                                  work / f"direct{i}", kind))
                    else:
                        ours.append(time_backend(python, config, topology, work / f"ours{i}"))
            dw, ow = (statistics.median(t[0] for t in runs) for runs in (direct, ours))
            dc, oc = (statistics.median(t[1] for t in runs) for runs in (direct, ours))
            print(f"{label:30} {dw:9.2f} {ow:10.2f} {ow / dw:6.3f} "
                  f"{dc:8.2f} {oc:8.2f} {oc / dc:6.3f}")


def bench_analytical(count: int = 20_000) -> None:
    rng = random.Random(7)
    layers: list[ConvLayer | GemmLayer] = []
    for i in range(count):
        if i % 2:
            layers.append(GemmLayer(name=f"g{i}", m=rng.randint(1, 4096),
                                    n=rng.randint(1, 4096), k=rng.randint(1, 4096)))
        else:
            h = rng.randint(7, 224)
            layers.append(ConvLayer(name=f"c{i}", ifmap_h=h, ifmap_w=h, filter_h=3, filter_w=3,
                                    channels=rng.randint(1, 512),
                                    num_filters=rng.randint(1, 512), stride=rng.randint(1, 2)))
    started = time.perf_counter()
    for n, layer in enumerate(layers):
        estimate_layer(layer, 128, 128, ("os", "ws", "is")[n % 3])
    per_layer = (time.perf_counter() - started) / count
    print(f"\nanalytical model: {per_layer * 1e6:.1f} µs per layer "
          f"({count} random conv/GEMM layers, 128×128, os/ws/is)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip the 16 s gemm_medium run")
    args = parser.parse_args()
    workloads = WORKLOADS[:2] if args.quick else WORKLOADS
    bench_runner(find_scalesim_python(), args.repeat, workloads)
    bench_analytical()


if __name__ == "__main__":
    main()
