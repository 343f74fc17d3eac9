"""The ``synth`` backend: logic synthesis with Yosys, cells by type, and area with a liberty file.

One step (see :func:`build_commands`), run with the workspace as working directory::

    yosys -q -l _build/yosys.log -p "read_verilog a.v; …; synth -top T [-flatten];
        [dfflibmap -liberty L; abc -liberty L; opt_clean;]
        tee -q -o _build/stat.json stat -json [-liberty L];
        tee -q -o _build/stat.txt stat [-liberty L];
        write_verilog -noattr _build/netlist.v"

Yosys 0.23 facts this relies on (measured): ``stat -json`` writes ``modules["\\\\T"]`` with
``num_cells`` and ``num_cells_by_type`` plus a ``design`` entry with the totals over the hierarchy
under the top module, but no area even with ``-liberty``; the text ``stat -liberty`` prints
``Chip area for module '\\T': A`` (one module) or ``Chip area for top module '\\T': A`` (a
hierarchy) and ``Area for cell type X is unknown!`` for cells the liberty file lacks. So counts
come from the JSON and the area from the text. Without a liberty file the design is mapped to
Yosys' internal gates (``$_AND_``, ``$_DFF_P_`` …) and there is no area. Inferred latches are
found in the log (``Latch inferred for signal …``) and in the cell types.

Tests a lab can ask for, each a Gradescope test: synthesis succeeds (``synth_points``); the cell
count is at most ``max_cells`` (``cells_points``); the area is at most ``max_area`` and every cell
has a known area (``area_points``); no latch is inferred (``latch_points``). Cells and area also go
to the leaderboard (lower is better). Outcome ``compile_error`` when Yosys fails (its ``ERROR``
line is the message), ``time_limit`` when it runs out of time.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.errors import InfrastructureError, InvalidInput, ParseError
from remote.backends.rtl_inputs import (
    BUILD_DIR,
    LIBERTY_EXTENSIONS,
    MAX_LIBERTY_BYTES,
    check_file,
    check_hdl_files,
    check_identifier,
    parse_model,
    split_list,
)
from remote.backends.rtlsim import ToolCommand, ToolRun, run_tool
from remote.results import GradescopeResults, LeaderboardEntry, Outcome, RunResult, TestResult

BACKEND = "synth"

STAT_JSON = f"{BUILD_DIR}/stat.json"
STAT_TEXT = f"{BUILD_DIR}/stat.txt"
YOSYS_LOG = f"{BUILD_DIR}/yosys.log"
NETLIST = f"{BUILD_DIR}/netlist.v"

_COUNT_FIELDS = {
    "wires": "num_wires", "wire bits": "num_wire_bits", "public wires": "num_pub_wires",
    "public wire bits": "num_pub_wire_bits", "memories": "num_memories",
    "memory bits": "num_memory_bits", "processes": "num_processes", "cells": "num_cells",
}
_SECTION = re.compile(r"^=== (.+) ===\s*$")
_NUMBER = re.compile(r"^\s+Number of ([a-z ]+):\s+(\d+)\s*$")
_CELL_LINE = re.compile(r"^\s+(\S+)\s+(\d+)\s*$")
_CHIP_AREA = re.compile(r"^\s+Chip area for (top )?module '\\?([^']+)':\s+([0-9.eE+-]+)\s*$")
_UNKNOWN_AREA = re.compile(r"^\s+Area for cell type \\?(\S+) is unknown!")
_LATCH_LOG = re.compile(r"^Latch inferred for signal `([^']+)'")
_YOSYS_ERROR = re.compile(r"^(?:([^:\s]+):(\d+):\s*)?ERROR:\s*(.*)$")


class SynthParams(BaseModel):
    """What a ``synth`` job asks for. File names are relative to the job's workspace."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    top: str = Field(description="the module to synthesise")
    files: list[str] = Field(min_length=1, description="Verilog/SystemVerilog sources")
    liberty: str | None = Field(None, description="a .lib cell library: map to it, report area")
    flatten: bool = True
    timeout: float = Field(120.0, gt=0, le=7200)
    max_cells: int | None = Field(None, ge=1)
    max_area: float | None = Field(None, gt=0)
    forbid_latches: bool = True
    synth_points: float = Field(0.0, ge=0)
    cells_points: float = Field(1.0, ge=0)
    area_points: float = Field(1.0, ge=0)
    latch_points: float = Field(0.0, ge=0)

    @field_validator("files", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return split_list(value)

    @field_validator("top")
    @classmethod
    def _identifier(cls, value: str) -> str:
        return check_identifier(value, field="top")


def parse_params(params: Mapping[str, Any] | SynthParams) -> SynthParams:
    """Validate raw parameters (e.g. from ``--param K=V``) into :class:`SynthParams`."""
    return parse_model(SynthParams, params, backend=BACKEND)


def validate_inputs(workspace: Path, params: Mapping[str, Any] | SynthParams) -> SynthParams:
    """Check the parameters and every named file before submission; raise InvalidInput."""
    checked = parse_params(params)
    check_hdl_files(workspace, (("files", checked.files),))
    if checked.liberty is not None:
        check_file(workspace, checked.liberty, field="liberty", extensions=LIBERTY_EXTENSIONS,
                   max_bytes=MAX_LIBERTY_BYTES)
    elif checked.max_area is not None:
        raise InvalidInput(f"{BACKEND}: max_area needs a liberty file", field="max_area")
    return checked


# --------------------------------------------------------------------------------------------
# The command


def build_script(params: SynthParams) -> str:
    """The Yosys script (file names are already checked to need no quoting)."""
    steps = [f"read_verilog{' -sv' if name.endswith('.sv') else ''} {name}"
             for name in params.files]
    steps.append(f"synth -top {params.top}" + (" -flatten" if params.flatten else ""))
    lib = ""
    if params.liberty:
        lib = f" -liberty {params.liberty}"
        steps += [f"dfflibmap{lib}", f"abc{lib}", "opt_clean"]
    steps += [f"tee -q -o {STAT_JSON} stat -json{lib}", f"tee -q -o {STAT_TEXT} stat{lib}",
              f"write_verilog -noattr {NETLIST}"]
    return "; ".join(steps)


def build_commands(params: SynthParams) -> list[ToolCommand]:
    """The argv to run in the workspace (``_build/`` must exist first)."""
    argv = ("yosys", "-q", "-l", YOSYS_LOG, "-p", build_script(params))
    return [ToolCommand("synth", argv, f"{BUILD_DIR}/synth.out")]


# --------------------------------------------------------------------------------------------
# Parsing ``stat``


@dataclass(frozen=True)
class SynthStats:
    """Statistics of one module (or of the hierarchy under the top module)."""

    module: str
    num_cells: int
    cells_by_type: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    area: float | None = None
    unknown_area_cells: tuple[str, ...] = ()

    @property
    def latch_cells(self) -> int:
        return sum(n for kind, n in self.cells_by_type.items() if _is_latch(kind))


def _is_latch(cell_type: str) -> bool:
    lowered = cell_type.lower()
    return "dlatch" in lowered or lowered.startswith(("$_sr_", "$sr"))


def _strip(name: str) -> str:
    return name[1:] if name.startswith("\\") else name


def parse_stat_json(text: str, top: str, *, source: str = "stat.json") -> SynthStats:
    """Read Yosys ``stat -json``: the top module's cells, or the hierarchy totals (the
    ``design`` entry) when there is more than one module."""
    start = text.find("{")
    if start < 0:
        raise ParseError("no JSON object in Yosys stat output", source=source)
    try:
        data = json.loads(text[start:])
    except json.JSONDecodeError as exc:
        raise ParseError(f"malformed Yosys stat JSON: {exc.msg}", source=source,
                         line=exc.lineno) from exc
    modules = data.get("modules") if isinstance(data, dict) else None
    if not isinstance(modules, dict):
        raise ParseError("Yosys stat JSON has no 'modules' object", source=source)
    names = {_strip(name): body for name, body in modules.items()}
    if top not in names:
        raise ParseError(f"module {top!r} is not in the stat output "
                         f"(modules: {', '.join(sorted(names)) or 'none'})", source=source)
    entry = names[top]
    design = data.get("design")
    if len(names) > 1 and isinstance(design, dict) and "num_cells" in design:
        entry = design
    return _stats_from_json(top, entry, source)


def _stats_from_json(top: str, entry: Any, source: str) -> SynthStats:
    try:
        by_type = {_strip(str(k)): int(v)
                   for k, v in dict(entry.get("num_cells_by_type") or {}).items()}
        counts = {key: int(entry[key]) for key in _COUNT_FIELDS.values() if key in entry}
        area = entry.get("area")
        return SynthStats(top, int(entry["num_cells"]), by_type, counts,
                          float(area) if area is not None else None)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(f"unexpected Yosys stat JSON for module {top!r}: {exc}",
                         source=source) from exc


@dataclass
class _Section:
    counts: dict[str, int] = field(default_factory=dict)
    cells: dict[str, int] = field(default_factory=dict)
    area: float | None = None
    unknown: list[str] = field(default_factory=list)


def parse_stat_text(text: str, top: str, *, source: str = "stat.txt") -> SynthStats:
    """Read the text of Yosys ``stat`` (with or without ``-liberty``): the ``=== design
    hierarchy ===`` totals when present, else the top module's section."""
    sections: dict[str, _Section] = {}
    current: _Section | None = None
    in_cells = False
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _SECTION.match(line)
        if heading:
            current = sections.setdefault(_strip(heading.group(1).strip()), _Section())
            in_cells = False
            continue
        if current is None:
            continue
        count = _NUMBER.match(line)
        if count:
            key = _COUNT_FIELDS.get(count.group(1).strip())
            if key is None:
                raise ParseError(f"unknown statistic {count.group(1)!r}", source=source,
                                 line=number)
            current.counts[key] = int(count.group(2))
            in_cells = key == "num_cells"
            continue
        area = _CHIP_AREA.match(line)
        if area:
            current.area = float(area.group(3))
            in_cells = False
            continue
        no_area = _UNKNOWN_AREA.match(line)
        if no_area:
            current.unknown.append(no_area.group(1))
            continue
        cell = _CELL_LINE.match(line) if in_cells else None
        if cell:
            current.cells[_strip(cell.group(1))] = int(cell.group(2))
        elif line.strip():
            in_cells = False
    chosen = sections.get("design hierarchy") if len(sections) > 1 else None
    if chosen is None:
        if top not in sections:
            raise ParseError(f"module {top!r} is not in the stat output "
                             f"(sections: {', '.join(sorted(sections)) or 'none'})",
                             source=source)
        chosen = sections[top]
    if "num_cells" not in chosen.counts:
        raise ParseError(f"no 'Number of cells' for module {top!r}", source=source)
    unknown = tuple(dict.fromkeys(u for s in sections.values() for u in s.unknown
                                  if _strip(u) not in sections))
    return SynthStats(top, chosen.counts["num_cells"], chosen.cells, chosen.counts, chosen.area,
                      unknown)


def parse_latches(log: str) -> list[str]:
    """Signals Yosys inferred a latch for, as ``module.signal`` (from log lines
    ``Latch inferred for signal `\\m.\\q' from process …``)."""
    return [match.group(1).replace("\\", "") for line in log.splitlines()
            if (match := _LATCH_LOG.match(line))]


def parse_yosys_error(output: str) -> str:
    """The first ``ERROR:`` line of a failed Yosys run (with file:line when given)."""
    for line in output.splitlines():
        match = _YOSYS_ERROR.match(line.strip())
        if match:
            return line.strip()
    lines = output.strip().splitlines()
    return lines[-1] if lines else "Yosys failed without a message"


# --------------------------------------------------------------------------------------------
# Grading


def _check(name: str, passed: bool, points: float, output: str, tag: str) -> TestResult:
    return TestResult(name=name, score=points if passed else 0.0, max_score=points,
                      status="passed" if passed else "failed", output=output, tags=[tag])


def _stats_tests(params: SynthParams, stats: SynthStats,
                 latches: Sequence[str]) -> list[TestResult]:
    tests: list[TestResult] = []
    if params.max_cells is not None:
        tests.append(_check(f"At most {params.max_cells} cells",
                            stats.num_cells <= params.max_cells, params.cells_points,
                            f"{stats.num_cells} cells (limit {params.max_cells})", "cells"))
    if params.max_area is not None:
        if stats.unknown_area_cells:
            passed, text = False, ("the liberty file has no area for: "
                                   + ", ".join(stats.unknown_area_cells))
        elif stats.area is None:
            passed, text = False, "Yosys reported no area"
        else:
            passed = stats.area <= params.max_area
            text = f"area {stats.area:g} (limit {params.max_area:g})"
        tests.append(_check(f"Area at most {params.max_area:g}", passed, params.area_points,
                            text, "area"))
    if params.forbid_latches:
        found = list(latches) or ([f"{stats.latch_cells} latch cell(s)"]
                                  if stats.latch_cells else [])
        tests.append(_check("No inferred latches", not found, params.latch_points,
                            "Latches inferred for: " + ", ".join(found) if found
                            else "No latches.", "latches"))
    return tests


def _cells_table(stats: SynthStats) -> str:
    rows = [f"  {kind:<24} {count:>8}" for kind, count in sorted(stats.cells_by_type.items())]
    area = f"\nChip area: {stats.area:g}" if stats.area is not None else ""
    return f"{stats.num_cells} cells\n" + "\n".join(rows) + area


def grade(params: SynthParams, run: ToolRun, workspace: Path,
          artefacts: Sequence[str] = ()) -> RunResult:
    """Turn the Yosys step and the files it wrote into a :class:`RunResult`."""
    metrics: dict[str, Any] = {"backend": BACKEND, "synth_seconds": run.seconds,
                               "liberty": params.liberty}
    synth_name = f"Synthesises with Yosys (top {params.top})"

    def failed(outcome: Outcome, message: str, output: str) -> RunResult:
        test = _check(synth_name, False, params.synth_points, f"{message}\n\n{output}".strip(),
                      "synthesis")
        return RunResult(outcome=outcome, metrics=metrics, artefacts=list(artefacts),
                         message=message,
                         results=GradescopeResults(score=0.0, execution_time=run.seconds,
                                                   output=message, tests=[test]))

    if run.timed_out:
        return failed(Outcome.TIME_LIMIT, "Synthesis ran out of time.", "")
    if run.returncode != 0:
        return failed(Outcome.COMPILE_ERROR, f"Synthesis failed: {parse_yosys_error(run.output)}",
                      run.output[-8000:])
    try:
        stats = parse_stat_json((workspace / STAT_JSON).read_text(encoding="utf-8"), params.top,
                                source=STAT_JSON)
        text_stats = parse_stat_text((workspace / STAT_TEXT).read_text(encoding="utf-8"),
                                     params.top, source=STAT_TEXT)
    except (OSError, ParseError) as exc:
        return failed(Outcome.RUNTIME_ERROR, f"Could not read Yosys statistics: {exc}", "")
    stats = SynthStats(stats.module, stats.num_cells, stats.cells_by_type, stats.counts,
                       text_stats.area if params.liberty else None,
                       text_stats.unknown_area_cells if params.liberty else ())
    log_path = workspace / YOSYS_LOG
    latches = parse_latches(log_path.read_text(encoding="utf-8", errors="replace")
                            if log_path.is_file() else run.output)
    metrics.update(cells=stats.num_cells, cells_by_type=stats.cells_by_type, area=stats.area,
                   unknown_area_cells=list(stats.unknown_area_cells), latches=latches,
                   **{key: value for key, value in stats.counts.items() if key != "num_cells"})
    tests = [_check(synth_name, True, params.synth_points, _cells_table(stats), "synthesis"),
             *_stats_tests(params, stats, latches)]
    for number, test in enumerate(tests, start=1):
        test.number = str(number)
    leaderboard = [LeaderboardEntry(name="cells", value=stats.num_cells, order="asc")]
    if stats.area is not None:
        leaderboard.append(LeaderboardEntry(name="area", value=stats.area, order="asc"))
    area = f", area {stats.area:g}" if stats.area is not None else ""
    message = f"Synthesised {params.top}: {stats.num_cells} cells{area}."
    results = GradescopeResults(score=round(sum(t.score for t in tests), 2),
                                execution_time=run.seconds, output=message, tests=tests,
                                leaderboard=leaderboard)
    return RunResult(outcome=Outcome.SUCCESS, metrics=metrics, artefacts=list(artefacts),
                     results=results, message=message)


def run(workspace: Path, params: Mapping[str, Any] | SynthParams, *,
        timeout: float | None = None) -> RunResult:
    """Validate, run Yosys here (no sandbox) and grade. ``timeout`` tightens
    ``params.timeout``. Bad inputs raise InvalidInput; a missing Yosys gives an
    ``infrastructure_error`` result."""
    checked = validate_inputs(workspace, params)
    budget = checked.timeout if timeout is None else min(timeout, checked.timeout)
    build = workspace / BUILD_DIR
    build.mkdir(exist_ok=True)
    for stale in (STAT_JSON, STAT_TEXT, NETLIST):
        (workspace / stale).unlink(missing_ok=True)
    (command,) = build_commands(checked)
    start = time.monotonic()
    try:
        step = run_tool(command, workspace, timeout=budget)
    except InfrastructureError as exc:
        return RunResult(outcome=Outcome.INFRASTRUCTURE_ERROR, message=exc.message,
                         metrics={"backend": BACKEND, "synth_seconds": time.monotonic() - start},
                         results=GradescopeResults(output=exc.message))
    (workspace / command.log).write_text(step.output, encoding="utf-8")
    artefacts = [name for name in (YOSYS_LOG, STAT_JSON, STAT_TEXT, NETLIST, command.log)
                 if (workspace / name).is_file()]
    return grade(checked, step, workspace, artefacts)
