"""The synth backend: Yosys 0.23 on the mac8 lab, and the stat parsers on recorded outputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.errors import InvalidInput, ParseError
from remote.backends import rtlsim, synth
from remote.results import Outcome

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "resources" / "labs" / "rtl" / "mac8"
FIXTURES = ROOT / "tests" / "fixtures" / "rtl"

needs_yosys = pytest.mark.skipif(shutil.which("yosys") is None, reason="needs yosys")

MAC4_CELLS = {"$_ANDNOT_": 137, "$_AND_": 50, "$_NAND_": 34, "$_NOR_": 12, "$_NOT_": 15,
              "$_ORNOT_": 12, "$_OR_": 59, "$_SDFFE_PP0P_": 20, "$_XNOR_": 35, "$_XOR_": 116}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(LAB, ws)
    shutil.copy(FIXTURES / "latch_hier.v", ws / "design" / "latch_hier.v")
    return ws


def params(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"top": "top_module", "files": ["design/mac8.v"],
                            "liberty": "lib/cc_tiny.lib", "max_cells": 800, "max_area": 1600,
                            "synth_points": 2, "cells_points": 1, "area_points": 1,
                            "latch_points": 1}
    base.update(overrides)
    return base


# --- parsers on recorded Yosys output ----------------------------------------------------------


def test_parse_reference_stat_json() -> None:
    stats = synth.parse_stat_json((FIXTURES / "yosys_stat.json").read_text(), "mac4")
    assert stats.num_cells == 490
    assert stats.cells_by_type == MAC4_CELLS
    assert stats.counts["num_wires"] == 462 and stats.counts["num_pub_wire_bits"] == 39
    assert stats.area is None and stats.latch_cells == 0


def test_parse_reference_stat_text_agrees_with_json() -> None:
    text = synth.parse_stat_text((FIXTURES / "yosys_stat.txt").read_text(), "mac4")
    assert text.num_cells == 490 and text.cells_by_type == MAC4_CELLS
    assert text.counts == synth.parse_stat_json(
        (FIXTURES / "yosys_stat.json").read_text(), "mac4").counts


def test_parse_hierarchy_with_liberty() -> None:
    text = synth.parse_stat_text((FIXTURES / "yosys_stat_hier_liberty.txt").read_text(), "toph")
    assert text.num_cells == 9
    assert text.cells_by_type == {"$_DLATCH_P_": 1, "CC_AND2": 8}
    assert text.area == 16.0
    assert text.unknown_area_cells == ("$_DLATCH_P_",)  # the submodule 'leaf' is not listed
    assert text.latch_cells == 1
    data = synth.parse_stat_json((FIXTURES / "yosys_stat_hier_liberty.json").read_text(), "toph")
    assert data.num_cells == 9 and data.area is None   # Yosys 0.23 writes no area in JSON


def test_parse_errors_name_the_problem() -> None:
    with pytest.raises(ParseError, match="'nosuch' is not in the stat output"):
        synth.parse_stat_json((FIXTURES / "yosys_stat.json").read_text(), "nosuch")
    with pytest.raises(ParseError, match="malformed") as caught:
        synth.parse_stat_json('{\n  "modules": {\n  "\\\\m": [\n', "m")
    assert caught.value.line is not None
    with pytest.raises(ParseError, match="no JSON object"):
        synth.parse_stat_json("ERROR: something\n", "m")
    with pytest.raises(ParseError, match="unexpected Yosys stat JSON"):
        synth.parse_stat_json(json.dumps({"modules": {"\\m": {"num_cells": "many"}}}), "m")
    with pytest.raises(ParseError, match="is not in the stat output"):
        synth.parse_stat_text("nothing here\n", "mac4")
    with pytest.raises(ParseError, match="unknown statistic") as bad:
        synth.parse_stat_text("=== m ===\n   Number of widgets:   3\n", "m")
    assert bad.value.line == 2


def test_parse_latches_and_errors_from_the_log() -> None:
    log = ("2.2.8. Executing PROC_DLATCH pass\n"
           "Latch inferred for signal `\\gate_pair.\\hold' from process `\\gate_pair.$proc$x'\n")
    assert synth.parse_latches(log) == ["gate_pair.hold"]
    assert synth.parse_yosys_error("1. Executing\nx.v:2: ERROR: syntax error, unexpected ';'\n") \
        == "x.v:2: ERROR: syntax error, unexpected ';'"


def test_script_maps_to_the_liberty_and_writes_stat_files() -> None:
    script = synth.build_script(synth.parse_params(params(flatten=False)))
    assert script.startswith("read_verilog design/mac8.v; synth -top top_module;")
    assert "dfflibmap -liberty lib/cc_tiny.lib; abc -liberty lib/cc_tiny.lib" in script
    assert "tee -q -o _build/stat.json stat -json -liberty lib/cc_tiny.lib" in script
    plain = synth.build_script(synth.parse_params(params(liberty=None, max_area=None,
                                                         files=["a.sv"])))
    assert "read_verilog -sv a.sv" in plain and "synth -top top_module -flatten" in plain
    assert "liberty" not in plain
    (command,) = synth.build_commands(synth.parse_params(params()))
    assert command.argv[:4] == ("yosys", "-q", "-l", "_build/yosys.log")


# --- real Yosys runs ---------------------------------------------------------------------------


@needs_yosys
def test_mac8_cells_and_area(workspace: Path, tmp_path: Path) -> None:
    result = synth.run(workspace, params())
    assert result.outcome is Outcome.SUCCESS, result.message
    cells = result.metrics["cells_by_type"]
    assert set(cells) <= {"CC_INV", "CC_BUF", "CC_NAND2", "CC_NOR2", "CC_AND2", "CC_OR2",
                          "CC_XOR2", "CC_XNOR2", "CC_MUX2", "CC_DFF"}
    assert cells["CC_DFF"] == 20                       # the 20-bit accumulator
    assert result.metrics["cells"] == sum(cells.values())
    assert 0 < result.metrics["area"] <= 1600
    assert result.metrics["unknown_area_cells"] == [] and result.metrics["latches"] == []
    assert [t.status for t in result.results.tests] == ["passed"] * 4
    assert result.results.score == 5
    board = {e.name: e.value for e in result.results.leaderboard}
    assert board == {"cells": result.metrics["cells"], "area": result.metrics["area"]}
    assert "_build/netlist.v" in result.artefacts
    assert "CC_DFF" in (workspace / "_build" / "netlist.v").read_text()
    data = json.loads(result.write(tmp_path / "out").read_text())
    assert data["leaderboard"][0] == {"name": "cells", "value": result.metrics["cells"],
                                      "order": "asc"}


@needs_yosys
def test_area_matches_the_liberty_areas(workspace: Path) -> None:
    """The area Yosys reports is the sum of cc_tiny's made-up cell areas."""
    areas = {"CC_INV": 1.0, "CC_BUF": 1.5, "CC_NAND2": 1.5, "CC_NOR2": 1.5, "CC_AND2": 2.0,
             "CC_OR2": 2.0, "CC_XOR2": 3.0, "CC_XNOR2": 3.0, "CC_MUX2": 3.5, "CC_DFF": 6.0}
    result = synth.run(workspace, params())
    expected = sum(areas[kind] * n for kind, n in result.metrics["cells_by_type"].items())
    assert result.metrics["area"] == pytest.approx(expected)


@needs_yosys
def test_limits_become_failed_tests(workspace: Path) -> None:
    result = synth.run(workspace, params(max_cells=100, max_area=200))
    assert result.outcome is Outcome.SUCCESS
    by_name = {t.name: t for t in result.results.tests}
    assert by_name["At most 100 cells"].status == "failed"
    assert by_name["Area at most 200"].status == "failed"
    assert by_name["Synthesises with Yosys (top top_module)"].score == 2
    assert result.results.score == 3  # synthesis 2 + no latches 1


@needs_yosys
def test_without_liberty_yosys_gates_and_no_area(workspace: Path) -> None:
    result = synth.run(workspace, params(liberty=None, max_area=None))
    assert result.outcome is Outcome.SUCCESS
    assert result.metrics["area"] is None
    assert all(kind.startswith("$_") for kind in result.metrics["cells_by_type"])
    assert [e.name for e in result.results.leaderboard] == ["cells"]


@needs_yosys
def test_hierarchy_latch_and_unknown_area(workspace: Path) -> None:
    result = synth.run(workspace, params(top="gate_pair", files=["design/latch_hier.v"],
                                         flatten=False, max_area=100))
    assert result.outcome is Outcome.SUCCESS
    assert result.metrics["cells_by_type"] == {"$_DLATCH_P_": 1, "CC_AND2": 8}
    assert result.metrics["latches"] == ["gate_pair.hold"]
    by_name = {t.name: t for t in result.results.tests}
    assert by_name["No inferred latches"].status == "failed"
    assert "gate_pair.hold" in by_name["No inferred latches"].output
    assert by_name["Area at most 100"].status == "failed"
    assert "$_DLATCH_P_" in by_name["Area at most 100"].output


@needs_yosys
def test_syntax_error_is_a_compile_error(workspace: Path) -> None:
    shutil.copy(FIXTURES / "mac8_syntax_error.v", workspace / "design" / "mac8.v")
    result = synth.run(workspace, params())
    assert result.outcome is Outcome.COMPILE_ERROR
    assert "design/mac8.v:14: ERROR: syntax error" in result.message
    assert result.results.score == 0 and result.results.tests[0].status == "failed"


@needs_yosys
def test_unknown_top_is_a_compile_error(workspace: Path) -> None:
    result = synth.run(workspace, params(top="not_here"))
    assert result.outcome is Outcome.COMPILE_ERROR
    assert "not_here" in result.message


@needs_yosys
def test_time_limit(workspace: Path) -> None:
    result = synth.run(workspace, params(), timeout=0.05)
    assert result.outcome is Outcome.TIME_LIMIT


# --- inputs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("overrides", "fragment"), [
    ({"files": ["design/none.v"]}, "does not exist"),
    ({"files": ["design/../design/mac8.v"]}, "'..'"),
    ({"files": ["lib/cc_tiny.lib"]}, "must end in one of .v, .sv"),
    ({"liberty": "design/mac8.v"}, "must end in one of .lib"),
    ({"liberty": "lib/x.lib; shell rm"}, "outside [A-Za-z0-9_.+-]"),
    ({"liberty": None}, "max_area needs a liberty file"),
    ({"top": "top_module; shell"}, "not a plain Verilog identifier"),
    ({"max_cells": 0}, "max_cells"),
])
def test_bad_inputs_are_rejected(workspace: Path, overrides: dict[str, Any],
                                 fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        synth.validate_inputs(workspace, params(**overrides))
    assert fragment in caught.value.message


def test_lab_yaml_parameters_are_valid(workspace: Path) -> None:
    """The example lab's own configuration passes both backends' input checks."""
    lab = yaml.safe_load((LAB / "lab.yaml").read_text())
    sim = rtlsim.validate_inputs(workspace, lab["backends"]["rtl-sim"])
    syn = synth.validate_inputs(workspace, lab["backends"]["synth"])
    assert sim.functional_points + sim.lint_points + syn.synth_points + syn.cells_points \
        + syn.area_points + syn.latch_points == lab["total_points"]
