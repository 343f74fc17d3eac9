"""Benchmark of ChipCommons' PIM model: wall time and peak memory of whole comparisons (PIM
kernel + host baseline), and the model's figures against PIMSimulator's reference runs.

    .venv/bin/python bench/pim.py

Targets (issue 5): GEMV 4096x4096 comparison <= 0.5 s (PIMSimulator takes about 6 s),
16384x16384 <= 2 s, peak memory <= 200 MB.
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from remote.pim import Eltwise, Gemv, load_platform, run_workload
from remote.pim.workloads import decoder_layer

REFERENCE = [  # PIMSimulator, 64 pseudo-channel HBM2: non-PIM, PIM cycles
    (Gemv(rows=4096, cols=4096), 36082, 13166),
    (Eltwise(kind="add", elements=1 << 20), 6651, 3349),
    (Eltwise(kind="mul", elements=2 << 20), 13255, 5926),
    (Eltwise(kind="relu", elements=4 << 20), 17504, 7665),
]


def main() -> int:
    p = load_platform("samsung-hbm-pim")
    print(f"{'workload':<34} {'wall s':>7} {'peak MB':>8} {'non-PIM':>9} {'PIM':>8} "
          f"{'speed-up':>8}")
    for w in [Gemv(rows=4096, cols=4096), Gemv(rows=16384, cols=16384),
              Gemv(rows=1024, cols=4096), Gemv(rows=8192, cols=1024),
              Eltwise(kind="add", elements=16 << 20), decoder_layer()]:
        t0 = time.perf_counter()
        r = run_workload(p, w)
        wall = time.perf_counter() - t0
        tracemalloc.start()  # a second, traced run for the peak (tracing slows it down)
        run_workload(p, w)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"{r.workload[:34]:<34} {wall:>7.3f} {peak:>8.1f} {r.non_pim.cycles:>9} "
              f"{r.pim.cycles:>8} {r.speedup:>8.2f}")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print()
    print(f"{'vs PIMSimulator':<22} {'non-PIM':>8} {'ref':>8} {'err':>7} {'PIM':>7} {'ref':>7} "
          f"{'err':>7} {'speed-up':>8} {'ref':>6}")
    for w, n_ref, p_ref in REFERENCE:
        r = run_workload(p, w)
        print(f"{w.label():<22} {r.non_pim.cycles:>8} {n_ref:>8} "
              f"{r.non_pim.cycles / n_ref - 1:>+7.1%} {r.pim.cycles:>7} {p_ref:>7} "
              f"{r.pim.cycles / p_ref - 1:>+7.1%} {r.speedup:>8.2f} {n_ref / p_ref:>6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
