"""The rtl-sim backend with the real tools (Icarus Verilog 11, Verilator 5) on the mac8 lab."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.errors import InvalidInput
from remote.backends import rtlsim
from remote.results import Outcome, RunResult

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "resources" / "labs" / "rtl" / "mac8"
FIXTURES = ROOT / "tests" / "fixtures" / "rtl"

needs_icarus = pytest.mark.skipif(shutil.which("iverilog") is None, reason="needs iverilog")
needs_verilator = pytest.mark.skipif(shutil.which("verilator") is None,
                                     reason="needs verilator")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A job workspace holding the mac8 lab (design, reference, bench, liberty)."""
    ws = tmp_path / "ws"
    shutil.copytree(LAB, ws)
    return ws


def params(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "top": "tb", "testbench": "tb/mac8_tb.v", "design_files": ["design/mac8.v"],
        "reference_files": ["reference/mac8_ref.v"], "lint_top": "top_module",
        "functional_points": 8, "lint_points": 2, "timeout": 60,
    }
    base.update(overrides)
    return base


def use_design(ws: Path, fixture: str) -> None:
    shutil.copy(FIXTURES / fixture, ws / "design" / "mac8.v")


def write_bench(ws: Path, body: str) -> str:
    (ws / "tb" / "custom_tb.v").write_text(
        "`timescale 1ns / 1ps\nmodule tb;\n" + body + "\nendmodule\n", encoding="utf-8")
    return "tb/custom_tb.v"


def test_correct_design_passes_with_full_marks(workspace: Path) -> None:
    result = rtlsim.run(workspace, params())
    assert result.outcome is Outcome.SUCCESS
    assert result.metrics["mismatches"] == 0 and result.metrics["samples"] == 1000
    assert result.metrics["outputs"] == {"acc": 0, "relu_q": 0}
    functional, lint = result.results.tests
    assert functional.status == "passed" and functional.score == 8
    assert lint.status == "passed" and lint.score == 2
    assert result.results.score == 10
    assert "_build/sim.log" in result.artefacts
    assert "Mismatches: 0 in 1000 samples" in (workspace / "_build" / "sim.log").read_text()


def test_lab_configuration_grades_the_example_solution(workspace: Path) -> None:
    lab = yaml.safe_load((LAB / "lab.yaml").read_text())
    result = rtlsim.run(workspace, lab["backends"]["rtl-sim"])
    assert result.outcome is Outcome.SUCCESS
    assert result.metrics["samples"] == 2000 and result.metrics["mismatches"] == 0
    assert result.results.score == 10


def test_results_json_follows_the_gradescope_schema(workspace: Path, tmp_path: Path) -> None:
    result = rtlsim.run(workspace, params())
    path = result.write(tmp_path / "out")
    data = json.loads(path.read_text())
    assert set(data) >= {"score", "execution_time", "output", "tests", "visibility"}
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed")
    assert RunResult.read(tmp_path / "out").outcome is Outcome.SUCCESS


def test_buggy_design_fails_although_vvp_exits_zero(workspace: Path) -> None:
    use_design(workspace, "mac8_buggy.v")
    result = rtlsim.run(workspace, params())
    assert result.outcome is Outcome.SUCCESS           # the run itself completed
    assert result.metrics["exit_status"] == 0          # and vvp said all was well
    n, m = result.metrics["mismatches"], result.metrics["samples"]
    assert 0 < n < m
    assert result.metrics["outputs"]["acc"] == 0
    assert result.metrics["outputs"]["relu_q"] == n
    functional = result.results.tests[0]
    assert functional.status == "failed"
    assert functional.score == rtlsim.functional_score(8, 0.5, n, m)
    assert 0 < functional.score < 4
    assert "output 'relu_q'" in functional.output and "first at time" in functional.output


def test_max_samples_reaches_the_bench(workspace: Path) -> None:
    result = rtlsim.run(workspace, params(max_samples=250, lint=False))
    assert result.metrics["samples"] == 250
    assert [t.name for t in result.results.tests] == ["Matches the reference (icarus)"]


def test_syntax_error_is_a_compile_error_with_the_line(workspace: Path) -> None:
    use_design(workspace, "mac8_syntax_error.v")
    result = rtlsim.run(workspace, params())
    assert result.outcome is Outcome.COMPILE_ERROR
    assert "design/mac8.v:14" in result.message
    assert result.metrics["compile_error_line"] == 14
    functional = result.results.tests[0]
    assert functional.status == "failed" and functional.score == 0
    assert "syntax error" in functional.output
    assert "simulate_seconds" not in result.metrics    # vvp never ran
    assert result.results.tests[1].status == "failed"  # lint sees the syntax error too


def test_lint_warnings_are_a_visible_failed_test(workspace: Path) -> None:
    use_design(workspace, "mac8_lint_warning.v")
    result = rtlsim.run(workspace, params())
    functional, lint = result.results.tests
    assert functional.status == "passed"
    assert lint.status == "failed" and lint.score == 0 and lint.visibility == "visible"
    assert "%Warning-WIDTH: design/mac8.v:21" in lint.output
    assert result.metrics["lint_by_code"] == {"WIDTH": 1}


def test_endless_loop_is_a_time_limit(workspace: Path) -> None:
    bench = write_bench(workspace, "integer i = 0;\ninitial while (1) i = i + 1;")
    result = rtlsim.run(workspace, params(testbench=bench, lint=False), timeout=2)
    assert result.outcome is Outcome.TIME_LIMIT
    assert result.results.score == 0
    assert "Simulation ran out of time (limit 2 s" in result.message
    assert result.metrics["simulate_seconds"] < 30


def test_chatty_endless_bench_keeps_a_capped_log(workspace: Path) -> None:
    bench = write_bench(workspace, 'initial forever #1 $display("tick %0t", $time);')
    result = rtlsim.run(workspace, params(testbench=bench, lint=False), timeout=3)
    assert result.outcome is Outcome.TIME_LIMIT
    log = (workspace / "_build" / "sim.log").read_bytes()
    assert len(log) <= rtlsim.OUTPUT_CAP + 200


def test_summary_after_megabytes_of_output_is_still_graded(workspace: Path) -> None:
    bench = write_bench(workspace, """integer k;
initial begin
  for (k = 0; k < 40000; k = k + 1)
    $display("debug line %0d: the quick brown fox jumps over the lazy dog", k);
  $display("Hint: Output 'y' has 7 mismatches. First mismatch occurred at time 3.");
  $display("  Mismatches: 7 in 50 samples");
  for (k = 0; k < 40000; k = k + 1)
    $display("after the summary %0d: the quick brown fox jumps over the lazy dog", k);
  $finish;
end""")
    result = rtlsim.run(workspace, params(testbench=bench, lint=False))
    assert result.metrics["output_truncated"] is True
    assert (result.metrics["mismatches"], result.metrics["samples"]) == (7, 50)
    assert result.metrics["outputs"] == {"y": 7}
    assert "bytes of output dropped" in (workspace / "_build" / "sim.log").read_text()


def test_bench_without_summary_is_a_runtime_error(workspace: Path) -> None:
    bench = write_bench(workspace, 'initial begin $display("done"); $finish; end')
    result = rtlsim.run(workspace, params(testbench=bench, lint=False))
    assert result.outcome is Outcome.RUNTIME_ERROR
    assert "No 'Mismatches: N in M samples' line" in result.message


def test_fatal_after_a_clean_summary_is_a_runtime_error(workspace: Path) -> None:
    bench = write_bench(workspace, 'initial begin $display("Mismatches: 0 in 10 samples");\n'
                                   '$fatal(1, "reference model crashed"); end')
    result = rtlsim.run(workspace, params(testbench=bench, lint=False))
    assert result.outcome is Outcome.RUNTIME_ERROR
    assert result.metrics["exit_status"] != 0


def test_fatal_after_mismatches_grades_the_mismatches(workspace: Path) -> None:
    bench = write_bench(workspace, 'initial begin $display("Mismatches: 4 in 10 samples");\n'
                                   '$fatal(1, "failures"); end')
    result = rtlsim.run(workspace, params(testbench=bench, lint=False))
    assert result.outcome is Outcome.SUCCESS
    assert result.results.tests[0].score == rtlsim.functional_score(8, 0.5, 4, 10) == 2.4


def test_two_summary_lines_cannot_be_graded(workspace: Path) -> None:
    bench = write_bench(workspace, 'initial begin $display("Mismatches: 0 in 10 samples");\n'
                                   '$display("Mismatches: 3 in 10 samples"); $finish; end')
    result = rtlsim.run(workspace, params(testbench=bench, lint=False))
    assert result.outcome is Outcome.RUNTIME_ERROR
    assert result.results.score == 0


def test_too_few_samples_fail(workspace: Path) -> None:
    bench = write_bench(workspace, 'initial begin $display("Mismatches: 0 in 1 samples");\n'
                                   "$finish; end")
    result = rtlsim.run(workspace, params(testbench=bench, lint=False, min_samples=100))
    assert result.outcome is Outcome.RUNTIME_ERROR
    assert "reported 1 samples" in result.message


@needs_verilator
def test_verilator_simulation_grades_like_icarus(workspace: Path) -> None:
    use_design(workspace, "mac8_buggy.v")
    icarus = rtlsim.run(workspace, params(lint=False))
    verilated = rtlsim.run(workspace, params(lint=False, simulator="verilator"), timeout=120)
    assert verilated.outcome is Outcome.SUCCESS, verilated.message
    assert verilated.results.tests[0].name == "Matches the reference (verilator)"
    assert verilated.metrics["outputs"]["acc"] == 0
    assert verilated.metrics["mismatches"] > 0
    # Same seed, same stimulus: the two simulators agree sample for sample.
    assert verilated.metrics["mismatches"] == icarus.metrics["mismatches"]


@needs_verilator
def test_verilator_syntax_error_is_a_compile_error(workspace: Path) -> None:
    use_design(workspace, "mac8_syntax_error.v")
    result = rtlsim.run(workspace, params(lint=False, simulator="verilator"))
    assert result.outcome is Outcome.COMPILE_ERROR
    assert "design/mac8.v:14" in result.message


def test_missing_tool_is_an_infrastructure_error(workspace: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(workspace))  # no iverilog, no verilator here
    result = rtlsim.run(workspace, params(lint=False))
    assert result.outcome is Outcome.INFRASTRUCTURE_ERROR
    assert "iverilog" in result.message


# --- inputs rejected before anything runs ------------------------------------------------------


@pytest.mark.parametrize(("overrides", "fragment"), [
    ({"design_files": ["design/missing.v"]}, "does not exist"),
    ({"design_files": ["../outside.v"]}, "'..'"),
    ({"testbench": "/etc/passwd"}, "relative path"),
    ({"design_files": ["-oevil.v"]}, "outside [A-Za-z0-9_.+-]"),
    ({"design_files": ["design/mac8.vhd"]}, "must end in one of .v, .sv"),
    ({"design_files": ["design/mac8.v; rm x.v"]}, "outside [A-Za-z0-9_.+-]"),
    ({"design_files": ["_build/x.v"]}, "reserved"),
    ({"design_files": ["design/mac8.v", "design/mac8.v"]}, "already listed"),
    ({"design_files": []}, "design_files"),
    ({"top": "tb; $finish"}, "not a plain Verilog identifier"),
    ({"simulator": "xcelium"}, "simulator"),
    ({"timeout": 0}, "timeout"),
    ({"lint_waivers": ["WIDTH -o x"]}, "warning code"),
    ({"unknown": 1}, "unknown"),
])
def test_bad_inputs_are_rejected(workspace: Path, overrides: dict[str, Any],
                                 fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        rtlsim.validate_inputs(workspace, params(**overrides))
    assert fragment in caught.value.message
    assert not (workspace / "_build").exists()


def test_symlink_out_of_the_workspace_is_rejected(workspace: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.v").write_text("module secret; endmodule\n")
    (workspace / "design" / "link.v").symlink_to(tmp_path / "secret.v")
    with pytest.raises(InvalidInput, match="outside the workspace"):
        rtlsim.validate_inputs(workspace, params(design_files=["design/link.v"]))


def test_empty_and_huge_files_are_rejected(workspace: Path) -> None:
    (workspace / "design" / "empty.v").write_text("")
    with pytest.raises(InvalidInput, match="is empty"):
        rtlsim.validate_inputs(workspace, params(design_files=["design/empty.v"]))
    with (workspace / "design" / "huge.v").open("w") as handle:
        handle.write("// x\n" * 600_000)
    with pytest.raises(InvalidInput, match="bytes, more than"):
        rtlsim.validate_inputs(workspace, params(design_files=["design/huge.v"]))


def test_design_may_not_end_the_simulation(workspace: Path) -> None:
    text = (workspace / "design" / "mac8.v").read_text()
    (workspace / "design" / "mac8.v").write_text(
        text.replace("endmodule", "initial begin\n  $display(\"Mismatches: 0 in 1000 samples\");"
                                  "\n  $finish;\nend\nendmodule"))
    with pytest.raises(InvalidInput, match=r"calls \$finish"):
        rtlsim.validate_inputs(workspace, params())
    # A comment that mentions $finish is fine.
    (workspace / "design" / "mac8.v").write_text("// never call $finish here\n" + text)
    rtlsim.validate_inputs(workspace, params())


def test_string_params_from_the_command_line(workspace: Path) -> None:
    checked = rtlsim.validate_inputs(workspace, {
        "testbench": "tb/mac8_tb.v", "design_files": "design/mac8.v",
        "reference_files": "reference/mac8_ref.v", "lint": "false", "max_samples": "500"})
    assert checked.design_files == ["design/mac8.v"]
    assert checked.lint is False and checked.max_samples == 500


# --- commands and parsers (no tools) ---------------------------------------------------------


def test_build_commands_give_argv_lists_for_a_sandbox() -> None:
    checked = rtlsim.parse_params(params(max_samples=300))
    steps = {c.name: c for c in rtlsim.build_commands(checked)}
    assert list(steps) == ["lint", "compile", "simulate"]
    assert steps["lint"].argv[:3] == ("verilator", "--lint-only", "-Wall")
    assert steps["compile"].argv[0] == "iverilog" and "-s" in steps["compile"].argv
    assert steps["simulate"].argv == ("vvp", "-N", "_build/sim.vvp", "+samples=300")
    verilated = rtlsim.build_commands(rtlsim.parse_params(params(simulator="verilator")))
    assert verilated[1].argv[:2] == ("verilator", "--binary")
    assert verilated[2].argv == ("_build/verilator/sim",)


def test_grade_takes_steps_run_elsewhere() -> None:
    """A sandbox can run build_commands itself and hand plain output to grade()."""
    checked = rtlsim.parse_params(params(lint=False))

    def step(name: str, output: str, code: int | None = 0) -> rtlsim.ToolRun:
        return rtlsim.ToolRun(name, (), code, False, 0.5, output)

    result = rtlsim.grade(checked, {
        "compile": step("compile", ""),
        "simulate": step("simulate", "Hint: Output 'acc' has 2 mismatches.\n"
                                     "Mismatches: 2 in 100 samples\n")})
    assert result.outcome is Outcome.SUCCESS
    assert result.metrics["outputs"] == {"acc": 2}
    assert result.results.score == rtlsim.functional_score(8, 0.5, 2, 100)
    assert result.results.execution_time == 1.0
    timed = rtlsim.grade(checked, {"compile": step("compile", ""),
                                   "simulate": rtlsim.ToolRun("simulate", (), None, True, 9, "")})
    assert timed.outcome is Outcome.TIME_LIMIT


def test_parse_sim_output_reads_hdlbits_lines() -> None:
    text = ("noise\nHint: Output 'out' has 3 mismatches. First mismatch occurred at time 25.\n"
            "Hint: Output 'cout' has no mismatches.\n"
            "Hint: Total mismatched samples is 3 out of 20 samples\n\n"
            "Simulation finished at 100 ps\nMismatches: 3 in 20 samples\n")
    summary = rtlsim.parse_sim_output(text)
    assert (summary.mismatches, summary.samples, summary.summary_lines) == (3, 20, 1)
    assert summary.outputs == (rtlsim.OutputMismatch("out", 3, 25),
                               rtlsim.OutputMismatch("cout", 0, None))
    assert not rtlsim.parse_sim_output("Mismatches: lots\n").found


def test_functional_score_rule() -> None:
    assert rtlsim.functional_score(10, 0.5, 0, 100) == 10
    assert rtlsim.functional_score(10, 0.5, 10, 100) == 4.5
    assert rtlsim.functional_score(10, 0.0, 1, 100) == 0
    assert rtlsim.functional_score(10, 0.5, 100, 100) == 0
