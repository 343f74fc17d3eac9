"""Running real SCALE-Sim through the backend, and the RunResult it yields."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from core.errors import InfrastructureError, ParseError
from remote.backends.scalesim.reports import parse_reports
from remote.backends.scalesim.runner import LayerCheck, execute, run_scalesim, to_run_result
from remote.results import Outcome, RunResult


def test_run_reproduces_reference_reports(fixtures: Path, tmp_path: Path,
                                          scalesim_python: str) -> None:
    report = run_scalesim(fixtures / "scale_32x32_ws_calc.cfg", fixtures / "gemm_small.csv",
                          tmp_path / "out", timeout=120, python=scalesim_python)
    reference = parse_reports(fixtures / "out_gemm_example")
    assert [layer.name for layer in report.layers] == [
        "GEMM_64x64x64", "GEMV_1x256x256", "GEMM_128x32x256"]
    for ours, theirs in zip(report.layers, reference.layers, strict=True):
        assert ours.model_dump(exclude={"name"}) == theirs.model_dump(exclude={"name"})
    run_dir = tmp_path / "out" / "scale_example_run_32x32_ws"
    assert Path(report.run_dir) == run_dir
    assert not any(p.is_dir() for p in run_dir.iterdir())  # no per-layer trace folders
    written = (tmp_path / "out" / "inputs" / "config.cfg").read_text(encoding="utf-8")
    assert "[network_presets]" not in written


def test_execute_conv_with_checks(fixtures: Path, tmp_path: Path, scalesim_python: str) -> None:
    checks = [
        LayerCheck(layer="total", metric="total_cycles", op="<=", value=10_000, score=4),
        LayerCheck(layer="*", metric="compute_util", op=">=", value=40, score=3),
        LayerCheck(layer="Conv2", metric="stall_cycles", op="==", value=0, score=1,
                   visibility="hidden"),
        LayerCheck(layer="NoSuchLayer", metric="total_cycles", op="<", value=1, score=1),
    ]
    result = execute(fixtures / "scale_32x32_os_user.cfg", fixtures / "conv_small.csv",
                     tmp_path / "job", timeout=120, checks=checks, python=scalesim_python)
    assert result.outcome == Outcome.SUCCESS, result.message
    tests = {t.name: t for t in result.results.tests}
    assert tests["total_cycles <= 10000 (network)"].status == "passed"
    # Conv1 maps badly onto a 32×32 output-stationary array (16 filters): 14.7 % compute util.
    assert tests["compute_util >= 40 (Conv1)"].status == "failed"
    assert tests["compute_util >= 40 (Conv2)"].status == "passed"
    assert tests["compute_util >= 40 (Conv2)"].max_score == pytest.approx(1.0)
    assert tests["stall_cycles == 0 (Conv2)"].visibility == "hidden"
    assert tests["total_cycles < 1 (NoSuchLayer)"].status == "failed"
    assert result.results.score == pytest.approx(4 + 2 + 1)
    assert result.metrics["total_cycles"] == sum(
        layer["total_cycles"] for layer in result.metrics["layers"])
    for layer in result.metrics["layers"]:
        assert layer["analytical_compute_cycles"] == layer["compute_cycles"]
    assert "user_bw_32x32_os/COMPUTE_REPORT.csv" in result.artefacts
    assert result.results.leaderboard[0].value == result.metrics["total_cycles"]
    written = result.write(tmp_path / "result")
    assert json.loads(written.read_text(encoding="utf-8"))["score"] == pytest.approx(7)
    assert RunResult.read(tmp_path / "result") == result


def test_malformed_topology_is_a_compile_error(fixtures: Path, tmp_path: Path) -> None:
    bad = tmp_path / "net.csv"
    bad.write_text("Layer Name, M, N, K,\nFc1, 8, 8, 8,\nFc2, 8, eight, 8,\n", encoding="utf-8")
    result = execute(fixtures / "scale_32x32_ws_calc.cfg", bad, tmp_path / "job", timeout=60,
                     checks=[LayerCheck(metric="total_cycles", op="<", value=1, score=5)])
    assert result.outcome == Outcome.COMPILE_ERROR
    assert "net.csv:3:" in result.message and "N must be a positive integer" in result.message
    assert result.results.tests[0].max_score == 5 and result.results.score == 0
    with pytest.raises(ParseError):
        run_scalesim(fixtures / "scale_32x32_ws_calc.cfg", bad, tmp_path / "job", timeout=60)


def test_timeout_is_a_time_limit(fixtures: Path, tmp_path: Path, scalesim_python: str) -> None:
    result = execute(fixtures / "scale_32x32_ws_calc.cfg", fixtures / "gemm_medium.csv",
                     tmp_path / "job", timeout=0.2, python=scalesim_python)
    assert result.outcome == Outcome.TIME_LIMIT


def test_interpreter_without_scalesim_is_an_infrastructure_error(
        fixtures: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The app's own interpreter: numpy 2.4 and no scalesim.
    try:
        import scalesim  # noqa: F401
        pytest.skip("this interpreter has scalesim")
    except ImportError:
        pass
    result = execute(fixtures / "scale_32x32_ws_calc.cfg", fixtures / "gemm_small.csv",
                     tmp_path / "job", timeout=60, python=sys.executable)
    assert result.outcome == Outcome.INFRASTRUCTURE_ERROR
    assert "cannot import scalesim" in result.message
    monkeypatch.setenv("CHIPCOMMONS_SCALESIM_PYTHON", str(tmp_path / "no-python"))
    with pytest.raises(InfrastructureError):
        run_scalesim(fixtures / "scale_32x32_ws_calc.cfg", fixtures / "gemm_small.csv",
                     tmp_path / "job", timeout=60)


def test_to_run_result_on_reference_reports(fixtures: Path) -> None:
    report = parse_reports(fixtures / "out_gemm_example")
    result = to_run_result(report)
    assert result.outcome == Outcome.SUCCESS
    assert [t.name for t in result.results.tests] == ["SCALE-Sim run completed"]
    assert result.metrics["compute_cycles"] == 631 + 6079 + 1775
    with pytest.raises(ValueError, match="unknown metric"):
        LayerCheck(metric="speed", op=">", value=1)
    total_util = to_run_result(report, [LayerCheck(layer="total", metric="overall_util",
                                                   op=">=", value=0)]).metrics["overall_util"]
    macs = 64**3 + 256 * 256 + 128 * 32 * 256
    assert total_util == pytest.approx(100 * macs / ((631 + 6079 + 1775) * 32 * 32))


def test_memory_limit_is_a_memory_limit(fixtures: Path, tmp_path: Path,
                                        scalesim_python: str) -> None:
    # gemm_medium's operand matrices alone need more than 200 MB of address space.
    result = execute(fixtures / "scale_32x32_ws_calc.cfg", fixtures / "gemm_medium.csv",
                     tmp_path / "job", timeout=120, python=scalesim_python, memory_limit_mb=200)
    assert result.outcome == Outcome.MEMORY_LIMIT, result.message


def test_missing_interpreter_is_an_infrastructure_error(fixtures: Path, tmp_path: Path) -> None:
    result = execute(fixtures / "scale_32x32_ws_calc.cfg", fixtures / "gemm_small.csv",
                     tmp_path / "job", timeout=60, python=str(tmp_path / "no-python"))
    assert result.outcome == Outcome.INFRASTRUCTURE_ERROR
    assert "cannot start" in result.message


def test_depthwise_layers_are_reported_per_channel(fixtures: Path, tmp_path: Path,
                                                   scalesim_python: str) -> None:
    topology = tmp_path / "dw.csv"
    topology.write_text(
        "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
        "Num Filter, Strides,\nConvA, 8, 8, 3, 3, 4, 8, 1,\nDP_B, 8, 8, 3, 3, 3, 1, 1,\n",
        encoding="utf-8")
    result = execute(fixtures / "scale_32x32_ws_calc.cfg", topology, tmp_path / "job",
                     timeout=120, python=scalesim_python)
    assert result.outcome == Outcome.SUCCESS, result.message
    layers = result.metrics["layers"]
    assert [layer["name"] for layer in layers] == [
        "ConvA", "DP_BChannel_0", "DP_BChannel_1", "DP_BChannel_2"]
    assert all(layer["analytical_compute_cycles"] == layer["compute_cycles"]
               for layer in layers)
