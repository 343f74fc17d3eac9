"""The ``rtl-sim`` backend: HDLBits-style RTL simulation with Icarus Verilog or Verilator.

A job names a testbench, the student's design files and the instructors' reference files. The
testbench drives the design and the reference with the same (random) stimulus, compares every
output and ends with one summary line, the line this backend grades on::

    Hint: Output 'acc' has 3 mismatches. First mismatch occurred at time 130.   (optional)
    Mismatches: 3 in 1000 samples

``vvp`` exits 0 even when a bench reports failures, so pass/fail comes from that line, never from
the exit status alone. Optionally the design is linted with ``verilator --lint-only -Wall`` as a
separate, visible test.

Steps (see :func:`build_commands`; a sandbox may run them itself and call :func:`grade`):

1. ``lint`` (optional): ``verilator --lint-only -Wall --no-timing [-Wno-<waiver>…]
   [--top-module T] design…`` (``--no-timing``: a delay in the design is a lint warning)
2. ``compile``: ``iverilog -g2012 -Wall -Wno-timescale -s TOP -o _build/sim.vvp tb design… ref…``
   or ``verilator --binary -Wno-fatal -Wno-lint -Wno-style --top-module TOP -Mdir _build/verilator
   -o sim tb design… ref…`` (Verilator 5 ``--binary`` implies ``--main --exe --build --timing``)
3. ``simulate``: ``vvp -N _build/sim.vvp +samples=N`` or ``_build/verilator/sim +samples=N``

Outcomes: ``compile_error`` when the compiler fails (its message, with file and line, is the
test's output), ``time_limit`` when a step runs out of time, ``runtime_error`` when the bench ends
without exactly one summary line, exits non-zero while reporting no mismatches, or reports fewer
samples than the lab requires; otherwise ``success`` (the functional test itself may still fail).

Scoring rule (functional test, ``functional_points`` = P, N mismatches in M samples):
``P`` when N = 0, else ``round(P × partial_credit × (M − N) / M, 2)``, so any mismatch fails the
test and costs at least half the points with the default ``partial_credit`` of 0.5 (set it to 0
for all-or-nothing). The lint test scores ``lint_points`` when Verilator reports no warning and
no error, else 0.

Integrity: the design runs inside the bench's simulator process and could print a summary line
itself. Design files may therefore not call ``$finish``/``$stop``/``$fatal``/``$exit`` (checked
before submission), and a run whose output holds more than one summary line is a runtime error.
"""

from __future__ import annotations

import collections
import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.errors import InfrastructureError, InvalidInput
from remote.backends.rtl_inputs import (
    BUILD_DIR,
    check_hdl_files,
    check_identifier,
    parse_model,
    split_list,
)
from remote.results import GradescopeResults, Outcome, RunResult, TestResult

BACKEND = "rtl-sim"

#: Bytes of a tool's output kept in memory and in its log: the first quarter and the last
#: three quarters (the summary is at the end), with a marker where the middle was dropped.
OUTPUT_CAP = 1024 * 1024
#: Most "key" lines (summary and per-output hints) remembered from anywhere in the output.
MAX_KEY_LINES = 10_000
#: Longest line read at once; a longer line is read in pieces.
_MAX_LINE = 64 * 1024
#: Characters of a tool's output shown in one Gradescope test.
TEST_OUTPUT_CHARS = 16_000

_SUMMARY_PREFIXES = ("Mismatches:", "Hint: Output")
_SUMMARY = re.compile(r"^Mismatches:\s*(\d+)\s+in\s+(\d+)\s+samples?\b")
_OUTPUT_HINT = re.compile(
    r"^Hint: Output '([^']+)' has (no|\d+) mismatch(?:es)?\."
    r"(?:\s*First mismatch occurred at time (\d+)\.)?")
_VERILATOR_MSG = re.compile(
    r"^%(Warning|Error)(?:-([A-Za-z0-9_]+))?:\s*(?:([^:\s]+):(\d+):(?:(\d+):)?\s*)?(.*)$")
_GCC_STYLE_MSG = re.compile(r"^([^:\s]+):(\d+):\s*(.*)$")
_FORBIDDEN_IN_DESIGN = ("$finish", "$stop", "$fatal", "$exit")
_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)


# --------------------------------------------------------------------------------------------
# Input schema


class RtlSimParams(BaseModel):
    """What an ``rtl-sim`` job asks for. File names are relative to the job's workspace."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    top: str = Field("tb", description="the testbench's top module")
    testbench: str = Field(description="the testbench file")
    design_files: list[str] = Field(min_length=1, description="the student's design files")
    reference_files: list[str] = Field(default_factory=list,
                                       description="the instructors' reference design files")
    simulator: Literal["icarus", "verilator"] = "icarus"
    lint: bool = True
    lint_top: str | None = Field(None, description="design module to lint (Verilator top)")
    lint_waivers: list[str] = Field(default_factory=lambda: ["DECLFILENAME"],
                                    description="Verilator warning codes not reported")
    timeout: float = Field(60.0, gt=0, le=3600, description="seconds for all steps together")
    max_samples: int | None = Field(
        None, ge=1, le=10_000_000,
        description="passed to the bench as +samples=N; a bench reporting more samples fails")
    min_samples: int = Field(1, ge=1, description="fewer reported samples fail the run")
    functional_points: float = Field(10.0, ge=0)
    partial_credit: float = Field(0.5, ge=0, le=1)
    lint_points: float = Field(0.0, ge=0)

    @field_validator("design_files", "reference_files", "lint_waivers", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return split_list(value)

    @field_validator("top", "lint_top")
    @classmethod
    def _identifier(cls, value: str | None) -> str | None:
        return None if value is None else check_identifier(value, field="top")

    @field_validator("lint_waivers")
    @classmethod
    def _waivers(cls, value: list[str]) -> list[str]:
        for code in value:
            if not re.fullmatch(r"[A-Z][A-Z0-9_]{0,31}", code):
                raise ValueError(f"{code!r} is not a Verilator warning code")
        return value


def parse_params(params: Mapping[str, Any] | RtlSimParams) -> RtlSimParams:
    """Validate raw parameters (e.g. from ``--param K=V``) into :class:`RtlSimParams`."""
    return parse_model(RtlSimParams, params, backend=BACKEND)


def validate_inputs(workspace: Path,
                    params: Mapping[str, Any] | RtlSimParams) -> RtlSimParams:
    """Check the parameters and every named file before submission; raise InvalidInput."""
    checked = parse_params(params)
    check_hdl_files(workspace, (("testbench", [checked.testbench]),
                                ("design_files", checked.design_files),
                                ("reference_files", checked.reference_files)))
    if checked.max_samples is not None and checked.min_samples > checked.max_samples:
        raise InvalidInput(f"{BACKEND}: min_samples is more than max_samples", field="min_samples")
    for name in checked.design_files:
        _check_design_tasks(workspace / name, name)
    return checked


def _check_design_tasks(path: Path, name: str) -> None:
    text = _COMMENTS.sub(" ", path.read_text(encoding="utf-8", errors="replace"))
    for task in _FORBIDDEN_IN_DESIGN:
        if re.search(re.escape(task) + r"\b", text):
            raise InvalidInput(f"design_files: {name!r} calls {task}; only the testbench may "
                               "end the simulation", field="design_files", value=name)


# --------------------------------------------------------------------------------------------
# Commands and running them


@dataclass(frozen=True)
class ToolCommand:
    """One step: a name, an argv to run in the workspace, and where its log goes."""

    name: str
    argv: tuple[str, ...]
    log: str


@dataclass(frozen=True)
class ToolRun:
    """What running one :class:`ToolCommand` gave. ``output`` is stdout and stderr merged, capped
    at :data:`OUTPUT_CAP` bytes (``truncated`` says so); ``key_lines`` are every line starting
    with one of the requested prefixes, from the whole output (at most :data:`MAX_KEY_LINES`)."""

    name: str
    argv: tuple[str, ...]
    returncode: int | None
    timed_out: bool
    seconds: float
    output: str
    truncated: bool = False
    total_bytes: int = 0
    key_lines: tuple[str, ...] = ()
    key_lines_dropped: int = 0


def build_dir(workspace: Path) -> Path:
    """The build folder the commands write into; callers running the commands create it."""
    return workspace / BUILD_DIR


def build_commands(params: RtlSimParams) -> list[ToolCommand]:
    """The argv of every step, to run with the workspace as the working directory.

    ``_build/`` must exist before the first step (:func:`run` creates it)."""
    sources = [params.testbench, *params.design_files, *params.reference_files]
    samples = [f"+samples={params.max_samples}"] if params.max_samples is not None else []
    commands: list[ToolCommand] = []
    if params.lint:
        lint = ["verilator", "--lint-only", "-Wall", "--no-timing"]
        lint += [f"-Wno-{code}" for code in params.lint_waivers]
        if params.lint_top:
            lint += ["--top-module", params.lint_top]
        commands.append(ToolCommand("lint", (*lint, *params.design_files),
                                    f"{BUILD_DIR}/lint.log"))
    if params.simulator == "icarus":
        compile_argv = ["iverilog", "-g2012", "-Wall", "-Wno-timescale", "-s", params.top,
                        "-o", f"{BUILD_DIR}/sim.vvp", *sources]
        simulate_argv = ["vvp", "-N", f"{BUILD_DIR}/sim.vvp", *samples]
    else:
        compile_argv = ["verilator", "--binary", "-j", "2", "-Wno-fatal", "-Wno-lint",
                        "-Wno-style", "--top-module", params.top,
                        "-Mdir", f"{BUILD_DIR}/verilator", "-o", "sim", *sources]
        simulate_argv = [f"{BUILD_DIR}/verilator/sim", *samples]
    commands.append(ToolCommand("compile", tuple(compile_argv), f"{BUILD_DIR}/compile.log"))
    commands.append(ToolCommand("simulate", tuple(simulate_argv), f"{BUILD_DIR}/sim.log"))
    return commands


class _Capture:
    """Drains a pipe line by line, keeping a head and a tail of the bytes and the key lines."""

    def __init__(self, cap: int, key_prefixes: tuple[str, ...]) -> None:
        self.head_cap = cap // 4
        self.tail_cap = cap - self.head_cap
        self.head = bytearray()
        self.tail: collections.deque[bytes] = collections.deque()
        self.tail_bytes = 0
        self.total = 0
        self.prefixes = tuple(p.encode() for p in key_prefixes)
        self.key_lines: list[str] = []
        self.key_dropped = 0

    def drain(self, stream: IO[bytes]) -> None:
        while True:
            line = stream.readline(_MAX_LINE)
            if not line:
                return
            self.total += len(line)
            if self.prefixes and line.lstrip().startswith(self.prefixes):
                if len(self.key_lines) < MAX_KEY_LINES:
                    self.key_lines.append(line.decode("utf-8", "replace").rstrip("\r\n"))
                else:
                    self.key_dropped += 1
            room = self.head_cap - len(self.head)
            if room > 0:
                self.head += line[:room]
                line = line[room:]
            if line:
                self.tail.append(line)
                self.tail_bytes += len(line)
                while self.tail_bytes > self.tail_cap and len(self.tail) > 1:
                    self.tail_bytes -= len(self.tail.popleft())

    def text(self) -> tuple[str, bool]:
        kept = len(self.head) + self.tail_bytes
        truncated = kept < self.total
        middle = (f"\n[... {self.total - kept} bytes of output dropped ...]\n".encode()
                  if truncated else b"")
        data = bytes(self.head) + middle + b"".join(self.tail)
        return data.decode("utf-8", "replace"), truncated


def run_tool(command: ToolCommand, cwd: Path, *, timeout: float, output_cap: int = OUTPUT_CAP,
             key_prefixes: tuple[str, ...] = ()) -> ToolRun:
    """Run one step in its own process group with a wall-clock limit, draining its output.

    On timeout the whole process group is killed (Verilator's ``make`` and compilers too).
    A missing executable raises :class:`InfrastructureError`."""
    start = time.monotonic()
    if timeout <= 0:
        return ToolRun(command.name, command.argv, None, True, 0.0, "")
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    try:
        proc = subprocess.Popen(command.argv, cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
    except FileNotFoundError as exc:
        raise InfrastructureError(f"{command.argv[0]} is not installed on this host",
                                  tool=command.argv[0]) from exc
    assert proc.stdout is not None
    capture = _Capture(output_cap, key_prefixes)
    reader = threading.Thread(target=capture.drain, args=(proc.stdout,), daemon=True)
    reader.start()
    timed_out = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc)  # not yet reaped, so the group id is still ours
        proc.wait()
    reader.join(timeout=5)
    if reader.is_alive():
        # A child still holds the pipe, so the group still has members: end them.
        _kill_group(proc)
        reader.join(timeout=5)
    output, truncated = capture.text()
    return ToolRun(name=command.name, argv=command.argv,
                   returncode=None if timed_out else proc.returncode, timed_out=timed_out,
                   seconds=round(time.monotonic() - start, 3), output=output,
                   truncated=truncated, total_bytes=capture.total,
                   key_lines=tuple(capture.key_lines), key_lines_dropped=capture.key_dropped)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the step's whole process group (it was started in a session of its own)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


# --------------------------------------------------------------------------------------------
# Parsing


@dataclass(frozen=True)
class OutputMismatch:
    """One ``Hint: Output 'x' has N mismatches`` line."""

    name: str
    mismatches: int
    first_time: int | None = None


@dataclass(frozen=True)
class SimSummary:
    """What a bench reported. ``mismatches``/``samples`` come from the last summary line;
    ``summary_lines`` counts them (more than one means the output cannot be trusted)."""

    mismatches: int | None
    samples: int | None
    summary_lines: int
    outputs: tuple[OutputMismatch, ...] = ()

    @property
    def found(self) -> bool:
        return self.mismatches is not None


@dataclass(frozen=True)
class Diagnostic:
    """One compiler or linter message with its location when the tool gave one."""

    severity: Literal["error", "warning"]
    message: str
    file: str | None = None
    line: int | None = None
    code: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else ""
        code = f"[{self.code}] " if self.code else ""
        return f"{where}{self.severity}: {code}{self.message}"


def parse_sim_output(text: str | Iterable[str]) -> SimSummary:
    """Find the summary and the per-output hints in a simulation's output (text or lines)."""
    lines = text.splitlines() if isinstance(text, str) else text
    mismatches = samples = None
    count = 0
    outputs: dict[str, OutputMismatch] = {}
    for raw in lines:
        line = raw.strip()
        summary = _SUMMARY.match(line)
        if summary:
            count += 1
            mismatches, samples = int(summary.group(1)), int(summary.group(2))
            continue
        hint = _OUTPUT_HINT.match(line)
        if hint:
            n = 0 if hint.group(2) == "no" else int(hint.group(2))
            first = int(hint.group(3)) if hint.group(3) else None
            outputs[hint.group(1)] = OutputMismatch(hint.group(1), n, first)
    return SimSummary(mismatches, samples, count, tuple(outputs.values()))


def parse_verilator_messages(text: str) -> list[Diagnostic]:
    """``%Warning-CODE: file:line:col: message`` and ``%Error: …`` lines (not the closing
    ``%Error: Exiting due to N warning(s)``)."""
    found: list[Diagnostic] = []
    for line in text.splitlines():
        match = _VERILATOR_MSG.match(line)
        if not match or match.group(6).startswith("Exiting due to"):
            continue
        severity: Literal["error", "warning"] = ("warning" if match.group(1) == "Warning"
                                                 else "error")
        found.append(Diagnostic(severity, match.group(6).strip(), match.group(3),
                                int(match.group(4)) if match.group(4) else None,
                                match.group(2)))
    return found


def parse_compiler_errors(text: str) -> list[Diagnostic]:
    """Errors from Icarus (``file:line: syntax error``, ``file:line: error: …``) or Verilator."""
    found = [d for d in parse_verilator_messages(text) if d.severity == "error"]
    if found:
        return found
    for line in text.splitlines():
        match = _GCC_STYLE_MSG.match(line.strip())
        if match and "warning:" not in match.group(3):
            message = re.sub(r"^error:\s*", "", match.group(3))
            found.append(Diagnostic("error", message, match.group(1), int(match.group(2))))
    return found


def functional_score(points: float, partial_credit: float, mismatches: int, samples: int) -> float:
    """The documented rule: full marks at 0 mismatches, else a share of the matched fraction."""
    if mismatches == 0:
        return points
    if samples <= 0 or mismatches >= samples:
        return 0.0
    return round(points * partial_credit * (samples - mismatches) / samples, 2)


# --------------------------------------------------------------------------------------------
# Grading


def _clip(text: str, limit: int = TEST_OUTPUT_CHARS) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    return f"[... {len(text) - limit} characters cut ...]\n" + text[-limit:]


def _lint_test(params: RtlSimParams, lint: ToolRun) -> tuple[TestResult, dict[str, Any]]:
    diagnostics = parse_verilator_messages(lint.output)
    warnings = [d for d in diagnostics if d.severity == "warning"]
    errors = [d for d in diagnostics if d.severity == "error"]
    by_code: dict[str, int] = {}
    for diag in diagnostics:
        by_code[diag.code or diag.severity] = by_code.get(diag.code or diag.severity, 0) + 1
    passed = not lint.timed_out and lint.returncode == 0 and not diagnostics
    if lint.timed_out:
        output = "Verilator lint did not finish in time."
    elif passed:
        output = "No warnings from verilator --lint-only -Wall."
    else:
        output = (f"verilator --lint-only -Wall: {len(warnings)} warning(s), "
                  f"{len(errors)} error(s)\n\n{_clip(lint.output)}")
    test = TestResult(name="Lint (Verilator -Wall)", score=params.lint_points if passed else 0.0,
                      max_score=params.lint_points, status="passed" if passed else "failed",
                      output=output, tags=["lint"])
    metrics = {"lint_warnings": len(warnings), "lint_errors": len(errors),
               "lint_by_code": by_code}
    return test, metrics


def _functional(params: RtlSimParams, compile_run: ToolRun | None, sim: ToolRun | None,
                limit: float) -> tuple[Outcome, float, str, str, dict[str, Any]]:
    """(outcome, score, one-line message, test output, metrics) of the functional test."""
    points = params.functional_points
    if compile_run is None or compile_run.timed_out:
        return (Outcome.TIME_LIMIT, 0.0, f"Compilation ran out of time (limit {limit:g} s).", "",
                {})
    if compile_run.returncode != 0:
        errors = parse_compiler_errors(compile_run.output)
        message = f"Compilation failed: {errors[0]}" if errors else "Compilation failed."
        metrics: dict[str, Any] = {"compile_errors": len(errors)}
        if errors and errors[0].line:
            metrics.update(compile_error_file=errors[0].file, compile_error_line=errors[0].line)
        return Outcome.COMPILE_ERROR, 0.0, message, _clip(compile_run.output), metrics
    if sim is None or sim.timed_out:
        return (Outcome.TIME_LIMIT, 0.0,
                f"Simulation ran out of time (limit {limit:g} s for all steps; an endless loop, "
                "or no $finish?).",
                _clip(sim.output, 4000) if sim else "", {})
    # run_tool collects the key lines from the whole output; a sandbox may hand over only text.
    summary = parse_sim_output(sim.key_lines or sim.output)
    metrics = {"exit_status": sim.returncode, "output_truncated": sim.truncated}
    tail = _clip(sim.output, 4000)
    if sim.key_lines_dropped or summary.summary_lines > 1:
        return (Outcome.RUNTIME_ERROR, 0.0,
                "The output holds more than one 'Mismatches:' summary line; it cannot be graded.",
                tail, metrics)
    if summary.mismatches is None or summary.samples is None:
        why = (f"the simulator exited with status {sim.returncode}" if sim.returncode
               else "the testbench ended")
        return (Outcome.RUNTIME_ERROR, 0.0,
                f"No 'Mismatches: N in M samples' line: {why} before reporting.", tail, metrics)
    n, m = summary.mismatches, summary.samples
    metrics.update(mismatches=n, samples=m, mismatch_rate=round(n / m, 6) if m else None,
                   outputs={o.name: o.mismatches for o in summary.outputs})
    if m < params.min_samples or (params.max_samples is not None and m > params.max_samples):
        return (Outcome.RUNTIME_ERROR, 0.0,
                f"The testbench reported {m} samples; the lab expects "
                f"{params.min_samples}..{params.max_samples or 'any'}.", tail, metrics)
    if sim.returncode != 0 and n == 0:
        return (Outcome.RUNTIME_ERROR, 0.0,
                f"The simulator exited with status {sim.returncode} after reporting no "
                "mismatches.", tail, metrics)
    lines = [f"Mismatches: {n} in {m} samples"]
    for out in summary.outputs:
        if out.mismatches:
            at = f" (first at time {out.first_time})" if out.first_time is not None else ""
            lines.append(f"  output '{out.name}': {out.mismatches} mismatches{at}")
        else:
            lines.append(f"  output '{out.name}': no mismatches")
    score = functional_score(points, params.partial_credit, n, m)
    message = ("All outputs match the reference." if n == 0
               else f"{n} of {m} samples differ from the reference.")
    return Outcome.SUCCESS, score, message, "\n".join(lines), metrics


def grade(params: RtlSimParams, runs: Mapping[str, ToolRun], artefacts: Sequence[str] = (),
          *, time_limit: float | None = None) -> RunResult:
    """Turn the steps' results (keyed by step name) into a :class:`RunResult`.
    ``time_limit`` is the limit that was applied (for messages; default ``params.timeout``)."""
    tests: list[TestResult] = []
    metrics: dict[str, Any] = {"backend": BACKEND, "simulator": params.simulator}
    compile_run, sim = runs.get("compile"), runs.get("simulate")
    outcome, score, message, output, extra = _functional(
        params, compile_run, sim, params.timeout if time_limit is None else time_limit)
    metrics.update(extra)
    tests.append(TestResult(
        name=f"Matches the reference ({params.simulator})", score=score,
        max_score=params.functional_points,
        status="passed" if outcome is Outcome.SUCCESS and metrics.get("mismatches") == 0
        else "failed",
        output=f"{message}\n\n{output}".strip(), tags=["functional"]))
    lint = runs.get("lint")
    if params.lint and lint is not None:
        lint_test, lint_metrics = _lint_test(params, lint)
        tests.append(lint_test)
        metrics.update(lint_metrics)
    for name, step in runs.items():
        metrics[f"{name}_seconds"] = step.seconds
    for number, test in enumerate(tests, start=1):
        test.number = str(number)
    elapsed = round(sum(step.seconds for step in runs.values()), 3)
    results = GradescopeResults(score=round(sum(t.score for t in tests), 2),
                                execution_time=elapsed, output=message, tests=tests)
    return RunResult(outcome=outcome, metrics=metrics, artefacts=list(artefacts),
                     results=results, message=message)


def run(workspace: Path, params: Mapping[str, Any] | RtlSimParams, *,
        timeout: float | None = None) -> RunResult:
    """Validate, run every step here (no sandbox) and grade. ``timeout`` (seconds, for all
    steps) tightens ``params.timeout``. Bad inputs raise InvalidInput; a missing tool gives an
    ``infrastructure_error`` result."""
    checked = validate_inputs(workspace, params)
    budget = checked.timeout if timeout is None else min(timeout, checked.timeout)
    deadline = time.monotonic() + budget
    build_dir(workspace).mkdir(exist_ok=True)
    runs: dict[str, ToolRun] = {}
    artefacts: list[str] = []
    try:
        for command in build_commands(checked):
            if command.name == "simulate" and runs["compile"].returncode != 0:
                break
            step = run_tool(command, workspace, timeout=deadline - time.monotonic(),
                            key_prefixes=_SUMMARY_PREFIXES if command.name == "simulate" else ())
            runs[command.name] = step
            (workspace / command.log).write_text(step.output, encoding="utf-8")
            artefacts.append(command.log)
            if step.timed_out and command.name != "lint":
                break
    except InfrastructureError as exc:
        return RunResult(outcome=Outcome.INFRASTRUCTURE_ERROR, message=exc.message,
                         metrics={"backend": BACKEND}, artefacts=artefacts,
                         results=GradescopeResults(output=exc.message))
    artefacts += sorted(p.name for p in workspace.glob("*.vcd") if p.is_file())
    return grade(checked, runs, artefacts, time_limit=budget)
