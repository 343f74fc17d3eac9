"""Every backend through the farm with real tools (SCALE-Sim, the PIM simulator, Yosys), the
backend registry's schemas, and the Hub's instant previews."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from core.errors import ChipError, InfrastructureError, InvalidInput, LimitExceeded, ParseError
from hub.api import Hub
from hub.cli.jobs import fetch, submit_files
from remote.backends.registry import BackendRegistry, CommandTemplates, load_templates
from tests.farm.conftest import LAB, ROOT, TEMPLATES, run_worker_until

SCALESIM = ROOT / "resources" / "scalesim"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture
def scalesim_python(monkeypatch: pytest.MonkeyPatch) -> str:
    from remote.backends.scalesim.runner import find_scalesim_python

    for candidate in (os.environ.get("CHIPCOMMONS_SCALESIM_PYTHON"),
                      "/work/scalesim-venv/bin/python"):
        if candidate and os.access(candidate, os.X_OK):
            monkeypatch.setenv("CHIPCOMMONS_SCALESIM_PYTHON", candidate)
            return candidate
    try:
        return find_scalesim_python()
    except InfrastructureError as exc:
        if IN_CI:
            pytest.fail(f"{exc.message} (CI must install it)")
        pytest.skip(exc.message)


def test_scalesim_job(scalesim_python: str, centre: Hub, as_user: Any, tmp_path: Path) -> None:
    topo = tmp_path / "gemm.csv"
    topo.write_text("Layer Name, M, N, K,\nfc1, 32, 32, 32,\nfc2, 16, 64, 32,\n")
    student = as_user("demo.student")
    checks = [{"layer": "total", "metric": "total_cycles", "op": "<=", "value": 10_000_000}]
    job = submit_files(student, "npu-scalesim", [SCALESIM / "npu_16x16_ws.cfg", topo],
                       {"config": "npu_16x16_ws.cfg", "topology": "gemm.csv",
                        "checks": checks})
    done = run_worker_until(centre, student, job.id, timeout=120)
    assert done.state == "succeeded", done.reason
    result = student.call("jobs.results", job_id=job.id).result
    assert result.metrics["total_cycles"] > 0 and len(result.metrics["layers"]) == 2
    assert result.metrics["analytical_compute_cycles"] == result.metrics["compute_cycles"]
    assert done.score == done.max_score == 1.0
    files = fetch(student, job.id, tmp_path / "got")
    assert any(p.name == "COMPUTE_REPORT.csv" for p in files)


def test_pim_job(centre: Hub, as_user: Any, tmp_path: Path) -> None:
    run_file = tmp_path / "gemv.yaml"
    run_file.write_text("platform: samsung-hbm-pim\nworkloads:\n"
                        "  - {kind: gemv, rows: 1024, cols: 1024}\n")
    trainee = as_user("demo.trainee")
    job = submit_files(trainee, "pim", [run_file], {"run_file": "gemv.yaml", "min_speedup": 1})
    done = run_worker_until(centre, trainee, job.id)
    assert done.state == "succeeded", done.reason
    result = trainee.call("jobs.results", job_id=job.id).result
    # a 1024 x 1024 GEMV is too small to beat the host: the graded check fails
    assert 0 < result.metrics["speedup"] < 1 and done.score == 0.0
    assert result.results.tests[0].status == "failed"


def test_pim_bad_run_file_names_the_line(centre: Hub, as_user: Any, tmp_path: Path) -> None:
    run_file = tmp_path / "gemv.yaml"
    run_file.write_text("platform: samsung-hbm-pim\nworkloads:\n"
                        "  - {kind: gemv, rows: -4, cols: 1024}\n")
    with pytest.raises(ParseError) as err:
        submit_files(as_user("demo.trainee"), "pim", [run_file], {"run_file": "gemv.yaml"})
    assert err.value.data["line"] == 3 and "rows" in err.value.message
    assert err.value.message.startswith("gemv.yaml:3:")


def test_synth_job(centre: Hub, as_user: Any) -> None:
    student = as_user("demo.student")
    job = submit_files(student, "synth", [LAB / "design" / "mac8.v", LAB / "lib" / "cc_tiny.lib"],
                       {"top": "top_module", "files": "mac8.v", "liberty": "cc_tiny.lib",
                        "max_cells": 800, "synth_points": 2})
    done = run_worker_until(centre, student, job.id)
    assert done.state == "succeeded", done.reason
    result = student.call("jobs.results", job_id=job.id).result
    assert result.metrics["cells"] == 680
    assert "_build/netlist.v" in result.artefacts


def test_registry_schemas_and_features() -> None:
    registry = BackendRegistry(load_templates(TEMPLATES))
    info = {b.name: b for b in registry.info()}
    assert set(info) == {"npu-scalesim", "rtl-sim", "synth", "pim", "command"}
    for backend in info.values():
        assert backend.schema["type"] == "object" and backend.schema["properties"]
    assert "testbench" in info["rtl-sim"].schema["required"]
    assert "licensed-hello" in info["command"].schema["properties"]["template"]["enum"]
    assert info["command"].features == {"eda-test": 1}
    assert info["rtl-sim"].features == {}
    command = registry.get("command")
    assert command.features({"template": "licensed-hello", "file": "a.v"}) == {"eda-test": 1}


def test_command_template_values_are_checked(tmp_path: Path) -> None:
    templates = CommandTemplates.model_validate({"templates": [{
        "name": "tool", "argv": ["tool", "--top", "{top}", "{src}"],
        "params": {"top": {"kind": "string", "pattern": "[a-z_]+"}, "src": {"kind": "file"}}}]})
    backend = BackendRegistry(templates).get("command")
    (tmp_path / "a.v").write_text("x")
    assert backend.validate(tmp_path, {"template": "tool", "top": "core", "src": "a.v"})
    for params, message in (
            ({"template": "tool", "top": "core; rm -rf /", "src": "a.v"}, "not allowed"),
            ({"template": "tool", "top": "core", "src": "b.v"}, "not among"),
            ({"template": "tool", "top": "core", "src": "../a.v"}, "refused"),
            ({"template": "tool", "src": "a.v"}, "required"),
            ({"template": "tool", "top": "x", "src": "a.v", "extra": 1}, "not a parameter")):
        with pytest.raises(InvalidInput, match=message):
            backend.validate(tmp_path, params)


def test_bad_template_file_names_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "commands.yaml"
    bad.write_text("templates:\n  - name: Bad Name\n    argv: [x]\n")
    with pytest.raises(ParseError, match=r"templates\.0\.name"):
        load_templates(bad)


# -- previews -------------------------------------------------------------------------------


def test_scalesim_estimate_preview(centre: Hub, as_user: Any) -> None:
    student = as_user("demo.student")
    layers = student.call("farm.scalesim_estimate",
                          config=(SCALESIM / "npu_16x16_ws.cfg").read_text(),
                          topology=(SCALESIM / "tiny_transformer_gemm.csv").read_text())
    assert len(layers) >= 4 and all(layer.compute_cycles > 0 for layer in layers)
    with pytest.raises(ParseError, match="topology:3"):
        student.call("farm.scalesim_estimate",
                     config=(SCALESIM / "npu_16x16_ws.cfg").read_text(),
                     topology="Layer Name, M, N, K,\nA, 4, 4, 4,\nB, 4, 0, 4,\n")


def test_pim_previews(centre: Hub, as_user: Any) -> None:
    trainee = as_user("demo.trainee")
    (report,) = trainee.call("farm.pim_run", workloads=[{"kind": "gemv", "rows": 1024,
                                                         "cols": 1024}])
    assert report.pim.cycles > 0 and report.pim.phases
    sweep = trainee.call("farm.pim_sweep", shapes=[(256, 256), (4096, 4096)])
    assert [r.speedup for r in sweep] == sorted(r.speedup for r in sweep)
    with pytest.raises(LimitExceeded):
        trainee.call("farm.pim_sweep", shapes=[(1 << 20, 1 << 20)])
    with pytest.raises(InvalidInput, match=r"workloads\.0"):
        trainee.call("farm.pim_run", workloads=[{"kind": "gemv", "rows": 0, "cols": 4}])
    with pytest.raises(ChipError):
        trainee.call("farm.pim_run", workloads=[{"kind": "add", "elements": 4}],
                     platform="../../etc/passwd")
