"""Run SCALE-Sim v3 as a farm backend and turn its reports into an autograder result.

SCALE-Sim 3.0.0 needs numpy < 2.4, so it may live in an interpreter of its own: the backend runs
``driver.py`` (stdlib + ``scalesim`` only) in a subprocess of :func:`find_scalesim_python`'s
interpreter. The inputs are validated first (:mod:`.config`, :mod:`.topology`) and rewritten in a
form SCALE-Sim accepts into ``OUTDIR/inputs/``; SCALE-Sim writes its reports into
``OUTDIR/<run_name>/``, with no traces.
"""

from __future__ import annotations

import contextlib
import json
import math
import operator
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata, util
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.errors import ChipError, InfrastructureError, InvalidInput, LimitExceeded, ParseError
from remote.backends.scalesim.analytical import LayerEstimate, estimate_topology
from remote.backends.scalesim.config import ScaleSimConfig, parse_config, write_config
from remote.backends.scalesim.reports import (
    REPORT_FILES,
    SPARSE_REPORT,
    LayerReport,
    ScaleSimReport,
    parse_reports,
)
from remote.backends.scalesim.topology import (
    Topology,
    expand_depthwise,
    parse_topology,
    write_layout_header,
    write_topology,
)
from remote.results import GradescopeResults, LeaderboardEntry, Outcome, RunResult, TestResult

PYTHON_ENV = "CHIPCOMMONS_SCALESIM_PYTHON"
DRIVER = Path(__file__).with_name("driver.py")
_PROJECT_VENV = Path(__file__).resolve().parents[3] / ".venv-scalesim" / "bin" / "python"
LOG_FILE = "scalesim.log"


# --------------------------------------------------------------------------------------------
# Finding SCALE-Sim


def _numpy_ok_here() -> bool:
    try:
        major, minor = (int(p) for p in metadata.version("numpy").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return False
    return (major, minor) < (2, 4)


def find_scalesim_python() -> str:
    """The interpreter that runs SCALE-Sim: ``$CHIPCOMMONS_SCALESIM_PYTHON`` if set; else this
    interpreter if it has ``scalesim`` and a numpy older than 2.4; else the project's
    ``.venv-scalesim``. Raises :class:`InfrastructureError` when there is none."""
    configured = os.environ.get(PYTHON_ENV, "").strip()
    if configured:
        if not os.access(configured, os.X_OK):
            raise InfrastructureError(f"{PYTHON_ENV}={configured} is not an executable",
                                      env=PYTHON_ENV)
        return configured
    if util.find_spec("scalesim") is not None and _numpy_ok_here():
        return sys.executable
    if os.access(_PROJECT_VENV, os.X_OK):
        return str(_PROJECT_VENV)
    raise InfrastructureError(
        "SCALE-Sim is not installed: install scalesim==3.0.0 with numpy<2.4 in a venv and set "
        f"{PYTHON_ENV} to its python", env=PYTHON_ENV)


# --------------------------------------------------------------------------------------------
# Running


class PreparedRun(BaseModel):
    """Validated inputs, rewritten for SCALE-Sim into ``outdir/inputs``."""

    model_config = ConfigDict(frozen=True)

    config: ScaleSimConfig
    topology: Topology
    outdir: str
    config_path: str
    topology_path: str
    layout_path: str

    @property
    def run_dir(self) -> Path:
        return Path(self.outdir) / self.config.run_name

    @property
    def layer_names(self) -> list[str]:
        return [layer.name for layer in expand_depthwise(self.topology)]


def prepare_run(config_path: Path, topology_path: Path, outdir: Path, *,
                layout_path: Path | None = None) -> PreparedRun:
    """Parse and validate the inputs (raising :class:`ParseError` naming line and field) and write
    the files SCALE-Sim will read."""
    config = parse_config(config_path)
    topology = parse_topology(topology_path)
    custom = config.layout.ifmap_custom_layout or config.layout.filter_custom_layout
    if custom and layout_path is None:
        raise InvalidInput("IfmapCustomLayout/FilterCustomLayout is True but no layout CSV was "
                           "given", field="layout")
    inputs = outdir / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    cfg_out = write_config(config, inputs / "config.cfg")
    topo_out = write_topology(topology, inputs / "topology.csv")
    layout_out = inputs / "layout.csv"
    if custom and layout_path is not None:
        try:
            layout_out.write_bytes(layout_path.read_bytes())
        except OSError as exc:
            raise ParseError(f"cannot read the layout: {exc.strerror}",
                             source=str(layout_path)) from None
    else:
        write_layout_header(layout_out)
    return PreparedRun(config=config, topology=topology, outdir=str(outdir),
                       config_path=str(cfg_out), topology_path=str(topo_out),
                       layout_path=str(layout_out))


def driver_command(prepared: PreparedRun, python: str) -> list[str]:
    """The command line that runs SCALE-Sim on ``prepared`` (the bench times it too)."""
    return [python, str(DRIVER), "--config", prepared.config_path,
            "--topology", prepared.topology_path, "--layout", prepared.layout_path,
            "--outdir", prepared.outdir, "--input-type", prepared.topology.kind,
            "--run-name", prepared.config.run_name]


def _limit_memory(megabytes: int | None) -> Callable[[], None] | None:
    if megabytes is None:
        return None
    limit = megabytes * 1024 * 1024

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def run_prepared(prepared: PreparedRun, *, timeout: float, python: str | None = None,
                 memory_limit_mb: int | None = None) -> ScaleSimReport:
    """Run SCALE-Sim on already prepared inputs and parse its reports."""
    interpreter = python or find_scalesim_python()
    run_dir = prepared.run_dir
    for stale in (*REPORT_FILES, SPARSE_REPORT):
        with contextlib.suppress(FileNotFoundError):
            (run_dir / stale).unlink()
    log_path = Path(prepared.outdir) / LOG_FILE
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    with log_path.open("wb") as log:
        try:
            proc = subprocess.Popen(driver_command(prepared, interpreter),
                                    stdout=subprocess.PIPE, stderr=log,
                                    stdin=subprocess.DEVNULL, env=env, start_new_session=True,
                                    preexec_fn=_limit_memory(memory_limit_mb))
        except OSError as exc:
            raise InfrastructureError(f"cannot start {interpreter}: {exc.strerror}",
                                      python=interpreter) from None
        try:
            stdout, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise LimitExceeded(f"SCALE-Sim did not finish within {timeout:g} s",
                                limit="time", seconds=timeout) from None
        except BaseException:  # interrupted: leave no simulation running
            _kill(proc)
            raise
    lines = [line for line in stdout.decode("utf-8", "replace").splitlines() if line.strip()]
    outcome: dict[str, object] = {}
    if lines:
        with contextlib.suppress(ValueError):
            parsed = json.loads(lines[-1])
            outcome = parsed if isinstance(parsed, dict) else {}
    if not outcome.get("ok"):
        error = str(outcome.get("error") or _tail(log_path)
                    or f"SCALE-Sim exited with status {proc.returncode}")
        kind = outcome.get("kind")
        if kind == "infrastructure" and memory_limit_mb and "No module named" not in error:
            kind = "memory"  # numpy's shared libraries cannot even be mapped under the limit
        if kind == "infrastructure":
            raise InfrastructureError(error, python=interpreter)
        if kind == "memory" or (memory_limit_mb and proc.returncode == -signal.SIGKILL):
            raise LimitExceeded(f"SCALE-Sim ran out of memory: {error}", limit="memory",
                                megabytes=memory_limit_mb)
        raise InvalidInput(f"SCALE-Sim failed: {error}", stage="simulation")
    return parse_reports(run_dir, prepared.layer_names)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return " | ".join(text.strip().splitlines()[-lines:])


def run_scalesim(config_path: Path, topology_path: Path, outdir: Path, *, timeout: float,
                 layout_path: Path | None = None, python: str | None = None,
                 memory_limit_mb: int | None = None) -> ScaleSimReport:
    """Validate the inputs, run SCALE-Sim (no traces) and return its parsed reports.

    Raises :class:`ParseError`/:class:`InvalidInput` for bad inputs or a run SCALE-Sim rejects,
    :class:`LimitExceeded` (``data["limit"]`` = ``"time"`` or ``"memory"``) and
    :class:`InfrastructureError` when SCALE-Sim cannot be found or imported.
    """
    prepared = prepare_run(Path(config_path), Path(topology_path), Path(outdir),
                           layout_path=layout_path)
    return run_prepared(prepared, timeout=timeout, python=python,
                        memory_limit_mb=memory_limit_mb)


# --------------------------------------------------------------------------------------------
# Autograding

Comparison = Literal["<=", "<", ">=", ">", "=="]
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq,
}
_DERIVED = ("compute_cycles", "sram_reads", "dram_reads")
_UTIL = ("overall_util", "mapping_efficiency", "compute_util")
METRICS: tuple[str, ...] = tuple(
    name for name, info in LayerReport.model_fields.items()
    if name not in ("layer_id", "name")) + _DERIVED


class LayerCheck(BaseModel):
    """A check a lab defines on a run, e.g. ``{"layer": "total", "metric": "total_cycles",
    "op": "<=", "value": 9000}`` or ``{"layer": "*", "metric": "compute_util", "op": ">=",
    "value": 40}``.

    ``layer``: a layer id or topology name; ``"*"`` = one test per layer (the score is shared);
    ``"total"`` = the whole network (cycles and accesses summed; utilisations averaged weighted by
    each layer's total cycles, which is exact for ``overall_util``).
    """

    model_config = ConfigDict(frozen=True)

    metric: str
    op: Comparison
    value: float
    layer: int | str = "*"
    score: float = Field(1.0, ge=0)
    name: str | None = None
    visibility: Literal["hidden", "after_due_date", "after_published", "visible"] = "visible"

    @model_validator(mode="after")
    def _known_metric(self) -> LayerCheck:
        if self.metric not in METRICS:
            raise ValueError(f"unknown metric {self.metric!r}; one of {', '.join(METRICS)}")
        return self


def load_checks(path: Path) -> list[LayerCheck]:
    """A lab's checks from a JSON file holding a list of :class:`LayerCheck` objects; a bad
    entry is a :class:`ParseError` naming the entry (``line`` is its 1-based position)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ParseError(f"cannot read the checks: {exc.strerror}", source=str(path)) from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise ParseError(f"not JSON: {exc}", source=str(path), line=line) from None
    if not isinstance(data, list):
        raise ParseError("the checks file must hold a JSON list", source=str(path))
    checks = []
    for index, entry in enumerate(data, start=1):
        try:
            checks.append(LayerCheck.model_validate(entry))
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(p) for p in error["loc"]) or "check"
            raise ParseError(f"check {index}: {field}: {error['msg']}", source=str(path),
                             field=field, entry=index) from None
    return checks


def _value(layer: LayerReport, metric: str) -> float:
    value = getattr(layer, metric)
    return float("nan") if value is None else float(value)


def _total(report: ScaleSimReport, metric: str) -> float:
    if metric in _UTIL or metric.startswith("avg_"):
        weights = [layer.total_cycles for layer in report.layers]
        values = [_value(layer, metric) for layer in report.layers]
        return sum(w * v for w, v in zip(weights, values, strict=True)) / max(sum(weights), 1)
    return sum(_value(layer, metric) for layer in report.layers)


def _format(value: float) -> str:
    return f"{value:.0f}" if math.isfinite(value) and value == int(value) else f"{value:.4g}"


def _tests_for(check: LayerCheck, report: ScaleSimReport) -> list[TestResult]:
    compare = _OPS[check.op]
    label = check.name or f"{check.metric} {check.op} {_format(check.value)}"
    if check.layer == "total":
        targets: list[tuple[str, float]] = [("network", _total(report, check.metric))]
    elif check.layer == "*":
        targets = [(layer.name or f"layer {layer.layer_id}", _value(layer, check.metric))
                   for layer in report.layers]
    else:
        try:
            chosen = report.layer(check.layer)
        except KeyError:
            return [TestResult(name=f"{label} ({check.layer})",
                               max_score=check.score, score=0.0, status="failed",
                               output=f"no layer {check.layer!r} in the run",
                               visibility=check.visibility)]
        targets = [(chosen.name or f"layer {chosen.layer_id}", _value(chosen, check.metric))]
    share = check.score / len(targets) if targets else 0.0
    tests = []
    for where, value in targets:
        passed = compare(value, check.value)
        tests.append(TestResult(
            name=f"{label} ({where})", score=share if passed else 0.0, max_score=share,
            status="passed" if passed else "failed",
            output=f"{check.metric} = {_format(value)}, required {check.op} "
                   f"{_format(check.value)}",
            tags=["scalesim", check.metric], visibility=check.visibility))
    return tests


def _layer_metrics(layer: LayerReport, estimate: LayerEstimate | None) -> dict[str, object]:
    row: dict[str, object] = layer.model_dump()
    row["compute_cycles"] = layer.compute_cycles
    if estimate is not None:
        row["analytical_compute_cycles"] = estimate.compute_cycles
    return row


def to_run_result(report: ScaleSimReport, checks: Sequence[LayerCheck] = (), *,
                  estimates: Sequence[LayerEstimate] | None = None,
                  outdir: Path | None = None,
                  execution_time: float | None = None) -> RunResult:
    """A successful run's :class:`RunResult`: one Gradescope test per check (and per layer for
    ``layer="*"``), per-layer and network metrics, the report CSVs as artefacts (relative to
    ``outdir`` when given) and a total-cycles leaderboard entry."""
    tests = [test for check in checks for test in _tests_for(check, report)]
    if not tests:
        tests = [TestResult(name="SCALE-Sim run completed", status="passed",
                            output=f"{len(report.layers)} layers simulated", tags=["scalesim"])]
    est = list(estimates) if estimates is not None else None
    if est is not None and len(est) != len(report.layers):
        est = None
    metrics: dict[str, object] = {
        "total_cycles": report.total_cycles,
        "compute_cycles": report.compute_cycles,
        "stall_cycles": report.stall_cycles,
        "overall_util": _total(report, "overall_util"),
        "sram_reads": sum(layer.sram_reads for layer in report.layers),
        "dram_reads": sum(layer.dram_reads for layer in report.layers),
        "sram_writes": sum(layer.sram_ofmap_writes for layer in report.layers),
        "dram_writes": sum(layer.dram_ofmap_writes for layer in report.layers),
        "layers": [_layer_metrics(layer, est[i] if est else None)
                   for i, layer in enumerate(report.layers)],
    }
    if est is not None:
        metrics["analytical_compute_cycles"] = sum(e.compute_cycles for e in est)
    run_dir = Path(report.run_dir)
    artefacts = []
    for name in report.files:
        path = run_dir / name
        artefacts.append(str(path.relative_to(outdir)) if outdir and path.is_relative_to(outdir)
                         else str(path))
    score = sum(test.score for test in tests)
    summary = "\n".join(
        f"layer {layer.layer_id} {layer.name}: {layer.total_cycles} cycles "
        f"({layer.stall_cycles} stall), util {layer.overall_util:.1f} %, "
        f"mapping {layer.mapping_efficiency:.1f} %"
        for layer in report.layers)
    results = GradescopeResults(
        score=score, execution_time=execution_time, output=summary, tests=tests,
        leaderboard=[LeaderboardEntry(name="Total cycles", value=report.total_cycles,
                                      order="asc")])
    return RunResult(outcome=Outcome.SUCCESS, metrics=metrics, artefacts=artefacts,
                     results=results)


def _failure(outcome: Outcome, error: ChipError, checks: Sequence[LayerCheck],
             execution_time: float) -> RunResult:
    max_score = sum(check.score for check in checks)
    test = TestResult(name="SCALE-Sim run", score=0.0, max_score=max_score, status="failed",
                      output=error.message, tags=["scalesim"])
    return RunResult(outcome=outcome, message=error.message,
                     results=GradescopeResults(score=0.0, execution_time=execution_time,
                                               output=error.message, tests=[test]))


def execute(config_path: Path, topology_path: Path, outdir: Path, *, timeout: float,
            checks: Sequence[LayerCheck] = (), layout_path: Path | None = None,
            python: str | None = None, memory_limit_mb: int | None = None) -> RunResult:
    """The whole backend run: never raises for a user's or the tool's failure, but returns a
    :class:`RunResult` whose outcome says what went wrong (``compile_error`` for inputs that do
    not validate, ``runtime_error`` when SCALE-Sim rejects them, ``time_limit``,
    ``memory_limit``, ``infrastructure_error``)."""
    started = time.perf_counter()
    outdir = Path(outdir)
    try:
        prepared = prepare_run(Path(config_path), Path(topology_path), outdir,
                               layout_path=layout_path)
    except InvalidInput as exc:
        return _failure(Outcome.COMPILE_ERROR, exc, checks, time.perf_counter() - started)
    try:
        report = run_prepared(prepared, timeout=timeout, python=python,
                              memory_limit_mb=memory_limit_mb)
    except LimitExceeded as exc:
        outcome = Outcome.MEMORY_LIMIT if exc.data.get("limit") == "memory" else Outcome.TIME_LIMIT
        return _failure(outcome, exc, checks, time.perf_counter() - started)
    except InfrastructureError as exc:
        return _failure(Outcome.INFRASTRUCTURE_ERROR, exc, checks,
                        time.perf_counter() - started)
    except InvalidInput as exc:  # SCALE-Sim rejected the run, or its reports are unreadable
        return _failure(Outcome.RUNTIME_ERROR, exc, checks, time.perf_counter() - started)
    estimates = None
    with contextlib.suppress(InvalidInput):
        estimates = estimate_topology(prepared.topology, prepared.config)
    result = to_run_result(report, checks, estimates=estimates, outdir=outdir,
                           execution_time=time.perf_counter() - started)
    log = outdir / LOG_FILE
    if log.is_file():
        result.artefacts.append(LOG_FILE)
    return result
