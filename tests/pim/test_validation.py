"""The model against Samsung PIMSimulator's figures on its 64-pseudo-channel HBM2 platform."""

from __future__ import annotations

from pathlib import Path

import pytest

from remote.pim import Eltwise, Gemv, PimReport, Platform, run_workload, sweep_gemv

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pim"

# FORMATS.md / reference/pim: workload, non-PIM cycles, PIM cycles, speed-up
REFERENCE = [
    (Gemv(rows=4096, cols=4096), 36082, 13166, 2.74054),
    (Eltwise(kind="add", elements=1048576), 6651, 3349, 1.985966),
    (Eltwise(kind="mul", elements=2097152), 13255, 5926, 2.23675),
    (Eltwise(kind="relu", elements=4194304), 17504, 7665, 2.283627),
]


def _close(got: float, want: float, tol: float = 0.10) -> bool:
    return abs(got - want) <= tol * want


@pytest.mark.parametrize(("work", "non_pim", "pim", "speedup"), REFERENCE,
                         ids=["gemv4096", "add1M", "mul2M", "relu4M"])
def test_reference_figures_within_10_percent(hbm: Platform, work: Gemv | Eltwise, non_pim: int,
                                             pim: int, speedup: float) -> None:
    r = run_workload(hbm, work)
    assert _close(r.non_pim.cycles, non_pim), (r.non_pim.cycles, non_pim)
    assert _close(r.pim.cycles, pim), (r.pim.cycles, pim)
    assert _close(r.speedup, speedup), (r.speedup, speedup)


def _sweep() -> list[tuple[str, int, int, int, int]]:
    rows = []
    for line in (FIXTURES / "pimsimulator_sweep.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            k, o, i, n, p = line.split()
            rows.append((k, int(o), int(i), int(n), int(p)))
    return rows


SWEEP = _sweep()


@pytest.mark.parametrize("row", SWEEP, ids=[f"{r[0]}-{r[1]}x{r[2]}" for r in SWEEP])
def test_generalises_to_other_pimsimulator_runs(hbm: Platform,
                                                row: tuple[str, int, int, int, int]) -> None:
    kind, out, inp, non_pim, pim = row
    work = Gemv(rows=out, cols=inp) if kind == "GEMV" else Eltwise(kind=kind.lower(),
                                                                    elements=out)
    r = run_workload(hbm, work)
    assert _close(r.non_pim.cycles, non_pim), (r.non_pim.cycles, non_pim)
    assert _close(r.pim.cycles, pim), (r.pim.cycles, pim)
    assert _close(r.speedup, non_pim / pim), (r.speedup, non_pim / pim)


def test_gemv_shapes_scale_sensibly(hbm: Platform) -> None:
    a = run_workload(hbm, Gemv(rows=1024, cols=4096))
    b = run_workload(hbm, Gemv(rows=8192, cols=1024))
    c = run_workload(hbm, Gemv(rows=4096, cols=1024))
    # the host moves the same bytes for 1024x4096 and 4096x1024
    assert _close(a.non_pim.cycles, c.non_pim.cycles, 0.02)
    # PIM: one output tile covers 4096 rows, so 1024 rows cost as much as 4096 rows
    assert a.pim.cycles > c.pim.cycles * 3
    assert b.pim.cycles > c.pim.cycles * 1.8
    assert b.non_pim.cycles > c.non_pim.cycles * 1.9
    assert c.speedup > a.speedup


def test_monotonic_in_size(hbm: Platform) -> None:
    prev: PimReport | None = None
    for n in (1 << 18, 1 << 19, 1 << 20, 1 << 21):
        r = run_workload(hbm, Eltwise(kind="add", elements=n))
        if prev is not None:
            assert r.pim.cycles > prev.pim.cycles
            assert r.non_pim.cycles > prev.non_pim.cycles
            # the baseline scales about linearly with the bytes moved
            assert 1.7 < r.non_pim.cycles / prev.non_pim.cycles < 2.3
        prev = r


def test_report_is_json_and_has_phases(hbm: Platform) -> None:
    r = run_workload(hbm, Gemv(rows=4096, cols=1024))
    again = PimReport.model_validate_json(r.model_dump_json())
    assert again == r
    phases = {p.phase for p in r.pim.phases}
    assert {"setup", "operand to GRF", "compute", "write-back", "exit"} <= phases
    assert abs(sum(p.cycles for p in r.pim.phases) - r.pim.cycles) <= len(phases)
    assert r.pim.commands["ACT"] > 0 and r.pim.commands["RD"] > 0
    assert r.pim.internal_bandwidth_gbs > r.non_pim.external_bandwidth_gbs
    assert 0 < r.pim_utilisation <= 1
    assert r.pim.energy_uj < r.non_pim.energy_uj


def test_sweep_gemv(hbm: Platform) -> None:
    reports = sweep_gemv(hbm, [(512, 512), (4096, 512), (4096, 1024)])
    assert [r.workload for r in reports] == ["GEMV 512x512", "GEMV 4096x512", "GEMV 4096x1024"]
    # same output tile, twice the input: PIM time about doubles
    assert 1.7 < reports[2].pim.cycles / reports[1].pim.cycles < 2.3
    assert reports[1].speedup > reports[0].speedup
