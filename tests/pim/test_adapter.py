"""The PIMSimulator adapter: command line and parsing its gtest output (real fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import InfrastructureError, InvalidInput, ParseError
from remote.pim import (
    PimSimulatorSite,
    build_command,
    parse_output,
    report_to_run_result,
    run_pimsimulator,
    run_workload,
)
from remote.pim.config import Platform
from remote.pim.workloads import Gemv

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "pim"


def test_parse_gemv_log() -> None:
    (r,) = parse_output((FIX / "bench_gemv.log").read_text())
    assert r.kind == "gemv" and r.workload == "GEMV 4096x4096"
    assert (r.non_pim.cycles, r.pim.cycles) == (36082, 13166)
    assert r.speedup == pytest.approx(2.74054)
    assert r.source == "pimsimulator"
    assert any("6000 ms" in n for n in r.notes)


def test_parse_rest_log_skips_bandwidth_tests_and_keeps_failed_case() -> None:
    reports = parse_output((FIX / "bench_rest.log").read_text())
    got = {r.kind: (r.workload, r.non_pim.cycles, r.pim.cycles, r.speedup) for r in reports}
    assert got == {
        "mul": ("MUL 2097152", 13255, 5926, pytest.approx(2.23675)),
        "add": ("ADD 1048576", 6651, 3349, pytest.approx(1.985966)),
        "relu": ("RELU 4194304", 17504, 7665, pytest.approx(2.283627)),
    }
    add = next(r for r in reports if r.kind == "add")
    assert any("expectation" in n for n in add.notes)


def test_parsed_reports_become_run_results() -> None:
    reports = parse_output((FIX / "bench_rest.log").read_text())
    rr = report_to_run_result(reports, min_speedup=2.0)
    assert [t.status for t in rr.results.tests] == ["passed", "failed", "passed"]
    assert rr.metrics["1.pim_cycles"] == 3349


def test_truncated_output_is_a_parse_error() -> None:
    text = (FIX / "bench_gemv.log").read_text()
    cut = text[: text.index("> Cycle : 13166")]
    with pytest.raises(ParseError, match="ends inside"):
        parse_output(cut)
    with pytest.raises(ParseError, match="no PIMSimulator"):
        parse_output("hello\n")
    broken = text.replace("> Cycle : 13166", "> Cycles: 13166")
    with pytest.raises(ParseError, match="missing"):
        parse_output(broken)


def test_build_command() -> None:
    site = PimSimulatorSite(Path("/opt/pimsim/sim"))
    assert build_command(site, ["gemv", "add"]) == [
        "/opt/pimsim/sim", "--gtest_filter=PIMBenchFixture.gemv:PIMBenchFixture.add"]
    with pytest.raises(InvalidInput):
        build_command(site, ["conv"])


def test_missing_binary_is_infrastructure_error(tmp_path: Path) -> None:
    with pytest.raises(InfrastructureError):
        run_pimsimulator(PimSimulatorSite(tmp_path / "sim"), ["gemv"])


def test_model_and_pimsimulator_side_by_side(hbm: Platform) -> None:
    (ref,) = parse_output((FIX / "bench_gemv.log").read_text())
    ours = run_workload(hbm, Gemv(rows=4096, cols=4096))
    assert ours.workload == ref.workload
    assert abs(ours.pim.cycles - ref.pim.cycles) / ref.pim.cycles < 0.1
