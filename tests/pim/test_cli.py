"""``pim run CONFIG [--json]`` and the farm backend result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from remote.pim import cli_main, load_platform, preset_names, report_to_run_result, run_workload
from remote.pim.workloads import Eltwise, Gemv, Sequence, decoder_layer

RUN = """\
platform: samsung-hbm-pim
workloads:
  - {kind: gemv, rows: 1024, cols: 1024}
  - {kind: relu, elements: 262144}
  - kind: sequence
    name: tiny layer
    steps:
      - {kind: gemv, name: proj, rows: 512, cols: 512}
      - {kind: add, name: residual, elements: 512}
"""


def test_cli_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "run.yaml"
    f.write_text(RUN)
    assert cli_main(["run", str(f)]) == 0
    out = capsys.readouterr().out
    assert "GEMV 1024x1024" in out and "speed-up" in out and "tiny layer" in out
    assert "where the PIM cycles go" in out and "compute" in out


def test_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "run.yaml"
    f.write_text(RUN)
    assert cli_main(["pim", "run", str(f), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["kind"] for d in data] == ["gemv", "relu", "sequence"]
    seq = data[2]
    assert [s["workload"] for s in seq["steps"]] == ["proj", "residual"]
    assert seq["pim"]["cycles"] == sum(s["pim"]["cycles"] for s in seq["steps"])


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "run.yaml"
    f.write_text("platform: samsung-hbm-pim\nworkloads:\n  - {kind: gemv, rows: 0, cols: 4}\n")
    assert cli_main(["run", str(f)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "rows" in err and ":3:" in err
    assert cli_main(["run", str(tmp_path / "missing.yaml")]) == 1
    assert cli_main(["frobnicate"]) != 0


def test_presets_all_load_and_run() -> None:
    assert {"samsung-hbm-pim", "sk-hynix-aim-gddr6", "generic-bank-pim"} <= set(preset_names())
    for name in preset_names():
        p = load_platform(name)
        r = run_workload(p, Gemv(rows=2048, cols=1024))
        assert r.pim.cycles > 0 and r.non_pim.cycles > 0 and r.speedup > 0


def test_one_unit_per_bank_doubles_gemv_throughput() -> None:
    aim = load_platform("sk-hynix-aim-gddr6")
    r = run_workload(aim, Gemv(rows=4096, cols=4096))
    assert r.speedup > 3  # a unit in every bank: more internal bandwidth per channel


def test_pim_clock_limits_command_rate() -> None:
    slow = load_platform("generic-bank-pim")
    assert slow.pim_op_cycles > slow.timing.tCCD_L
    fast = slow.model_copy(update={"pim": slow.pim.model_copy(update={"simd_lanes": 16,
                                                                       "clock_mhz": 250.0})})
    w = Eltwise(kind="mul", elements=1 << 20)
    assert run_workload(slow, w).pim.cycles > run_workload(fast, w).pim.cycles


def test_decoder_layer_sequence_and_run_result() -> None:
    p = load_platform("samsung-hbm-pim")
    seq = Sequence(steps=decoder_layer(1024, 2816).steps[:3])
    r = run_workload(p, seq)
    assert len(r.steps) == 3 and r.speedup > 0
    assert r.pim.cycles == sum(s.pim.cycles for s in r.steps)
    # at 1024 outputs only a quarter of the 4096-row output tile is used: PIM loses
    assert r.steps[0].speedup < 1
    rr = report_to_run_result(r)
    assert rr.outcome == "success" and rr.metrics["pim_cycles"] == r.pim.cycles
    assert rr.results.tests[0].status == "passed"
    assert "compute" in rr.results.tests[0].output


def test_run_backend(tmp_path: Path) -> None:
    from remote.pim import run_backend
    from remote.results import RunResult

    f = tmp_path / "run.yaml"
    f.write_text(RUN)
    rr = run_backend(str(f))
    assert rr.outcome == "success" and len(rr.results.tests) == 3
    rr.write(tmp_path / "out")
    assert RunResult.read(tmp_path / "out") == rr
    f.write_text("platform: samsung-hbm-pim\nworkloads: [{kind: gemv, rows: 4}]\n")
    bad = run_backend(str(f))
    assert bad.outcome == "runtime_error" and "cols" in bad.message
    f.write_text("backend: pimsimulator\npimsimulator: {binary: /nonexistent/sim}\n"
                 "workloads: [{kind: gemv, rows: 4096, cols: 4096}]\n")
    assert run_backend(str(f)).outcome == "infrastructure_error"
