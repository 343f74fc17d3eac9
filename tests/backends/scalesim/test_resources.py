"""The example configs, topologies and lab checks shipped in resources/scalesim."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import ParseError
from remote.backends.scalesim.analytical import estimate_topology
from remote.backends.scalesim.config import parse_config
from remote.backends.scalesim.runner import execute, load_checks
from remote.backends.scalesim.topology import parse_topology
from remote.results import Outcome

RESOURCES = Path(__file__).resolve().parents[3] / "resources" / "scalesim"


@pytest.mark.parametrize("config", sorted(RESOURCES.glob("*.cfg")), ids=lambda p: p.name)
@pytest.mark.parametrize("topology", sorted(RESOURCES.glob("*.csv")), ids=lambda p: p.name)
def test_examples_parse_and_estimate(config: Path, topology: Path) -> None:
    estimates = estimate_topology(parse_topology(topology), parse_config(config))
    assert estimates and all(e.compute_cycles > 0 for e in estimates)


def test_example_lab_runs_and_grades(tmp_path: Path, scalesim_python: str) -> None:
    checks = load_checks(RESOURCES / "lab_checks_example.json")
    result = execute(RESOURCES / "npu_16x16_ws.cfg", RESOURCES / "tiny_transformer_gemm.csv",
                     tmp_path / "job", timeout=300, checks=checks, python=scalesim_python)
    assert result.outcome == Outcome.SUCCESS, result.message
    assert result.results.score is not None
    assert 0 < result.results.score <= sum(c.score for c in checks)
    assert len(result.results.tests) == 1 + 6 + 1 + 1  # "*" gives one test per layer
    assert "npu_16x16_ws/COMPUTE_REPORT.csv" in result.artefacts


def test_bad_checks_file(tmp_path: Path) -> None:
    path = tmp_path / "checks.json"
    path.write_text(json.dumps([{"metric": "total_cycles", "op": "<=", "value": 1},
                                {"metric": "total_cycles", "op": "~", "value": 1}]),
                    encoding="utf-8")
    with pytest.raises(ParseError) as info:
        load_checks(path)
    assert info.value.data == {"source": str(path), "line": None, "field": "op", "entry": 2}
    path.write_text("[{]", encoding="utf-8")
    with pytest.raises(ParseError):
        load_checks(path)
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(ParseError, match="JSON list"):
        load_checks(path)
