"""The farm's backends by name: input schema, validation, command, and the run that parses the
tool's output into a :class:`RunResult`.

One entry each for ``npu-scalesim``, ``rtl-sim``, ``synth``, ``pim`` and ``command``. The job
system asks a backend for its parameter schema (JSON schema, for the GUI's forms), validates a
job's parameters and input files before submission (:meth:`Backend.validate`), asks which licence
features it needs (:meth:`Backend.features`, only ``command`` declares any) and builds the
job's command line (:meth:`Backend.command`): always ``chipcommons-run`` (``python -m
remote.runner``), which runs :meth:`Backend.run` inside the sandbox.

``command`` is a site-defined template for a licensed EDA tool::

    templates:
      - name: lint-report
        description: Count the lines of a design (a harmless stand-in for a licensed linter)
        argv: [wc, -l, "{file}"]
        features: {eda-demo: 1}
        params:
          file: {kind: file}
        artefacts: ["*.rpt"]

The runner verifies the job's lease token for every declared feature before it starts the tool.

A backend's module (the simulator's driver, its parsers) is imported only when that backend is
used: the job's runner loads the one backend it runs, and listing the backends imports them for
their schemas.
"""

from __future__ import annotations

import fnmatch
import importlib
import os
import re
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.errors import ChipError, InfrastructureError, InvalidInput, ParseError
from remote.results import GradescopeResults, Outcome, RunResult, TestResult
from remote.workspace import safe_relpath

if TYPE_CHECKING:
    from remote.backends.scalesim.runner import LayerCheck

RUNNER_MODULE = "remote.runner"
SCALESIM_OUT = "scalesim"
_VALUE_RE = re.compile(r"^[A-Za-z0-9_.,:=+@/-]{0,256}$")
_OUTPUT_TAIL = 16_000


class Backend(Protocol):
    """What the job system needs from one backend."""

    name: str
    title: str

    @property
    def params_model(self) -> type[BaseModel]: ...

    def schema(self) -> dict[str, Any]: ...

    def parse(self, params: Mapping[str, Any]) -> BaseModel: ...

    def features(self, params: Mapping[str, Any]) -> dict[str, int]: ...

    def validate(self, inputs: Path, params: Mapping[str, Any]) -> dict[str, Any]: ...

    def run(self, work: Path, params: Mapping[str, Any], *, timeout: float) -> RunResult: ...


@dataclass(frozen=True)
class BackendInfo:
    """A backend as the GUI and the CLI see it."""

    name: str
    title: str
    schema: dict[str, Any]
    features: dict[str, int]
    templates: tuple[str, ...] = ()


def _parse(model: type[BaseModel], params: Mapping[str, Any], backend: str) -> BaseModel:
    try:
        return model.model_validate(dict(params))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "params"
        raise InvalidInput(f"{backend}: {where}: {first['msg']}", field=where) from exc


def _input_file(inputs: Path, name: str, field: str) -> Path:
    rel = safe_relpath(name)
    path = inputs / rel
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise InvalidInput(f"{field}: {name!r} is not among the job's inputs", field=field,
                           name=name) from None
    import stat as stat_mod

    if not stat_mod.S_ISREG(st.st_mode):
        raise InvalidInput(f"{field}: {name!r} is not a regular file", field=field, name=name)
    return path


class _Simple:
    """Shared parts of the backends with no licence features."""

    name = ""
    title = ""
    params_model: type[BaseModel] = BaseModel

    def schema(self) -> dict[str, Any]:
        return self.params_model.model_json_schema()

    def parse(self, params: Mapping[str, Any]) -> BaseModel:
        return _parse(self.params_model, params, self.name)

    def features(self, params: Mapping[str, Any]) -> dict[str, int]:
        return {}


# -- rtl-sim and synth ---------------------------------------------------------------------------


class _RtlToolBackend(_Simple):
    """``rtl-sim`` and ``synth``: their modules already hold the schema, checks and run.

    The module is imported at the backend's first use."""

    def __init__(self, name: str, title: str, module: str, params_model: str) -> None:
        self.name = name
        self.title = title
        self._module_name = module
        self._params_name = params_model

    @property
    def module(self) -> ModuleType:
        return importlib.import_module(self._module_name)

    @property
    def params_model(self) -> type[BaseModel]:  # type: ignore[override]
        model: type[BaseModel] = getattr(self.module, self._params_name)
        return model

    def parse(self, params: Mapping[str, Any]) -> BaseModel:
        parsed: BaseModel = self.module.parse_params(params)
        return parsed

    def validate(self, inputs: Path, params: Mapping[str, Any]) -> dict[str, Any]:
        checked: BaseModel = self.module.validate_inputs(inputs, params)
        return checked.model_dump(mode="json")

    def run(self, work: Path, params: Mapping[str, Any], *, timeout: float) -> RunResult:
        result: RunResult = self.module.run(work, params, timeout=timeout)
        return result


def RtlSimBackend() -> _RtlToolBackend:
    return _RtlToolBackend(
        "rtl-sim", "RTL simulation (Icarus Verilog / Verilator) against a reference",
        "remote.backends.rtlsim", "RtlSimParams")


def SynthBackend() -> _RtlToolBackend:
    return _RtlToolBackend("synth", "Logic synthesis with Yosys (cells, area)",
                           "remote.backends.synth", "SynthParams")


# -- npu-scalesim ----------------------------------------------------------------------------------


class ScaleSimParams(BaseModel):
    """What an ``npu-scalesim`` job asks for; file names are relative to the job's inputs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    config: str = Field(description="SCALE-Sim .cfg file")
    topology: str = Field(description="topology CSV (conv or GEMM)")
    layout: str | None = Field(None, description="custom layout CSV, if the config asks")
    checks: list[LayerCheck] = Field(default_factory=list, description="graded checks")
    timeout: float = Field(1800.0, gt=0, le=86400, description="seconds for SCALE-Sim")


def _scalesim_params() -> type[ScaleSimParams]:
    """:class:`ScaleSimParams`, complete: its checks' model comes from the SCALE-Sim driver,
    which is imported here, at the backend's first use, rather than with the registry."""
    if not ScaleSimParams.__pydantic_complete__:
        from remote.backends.scalesim.runner import LayerCheck

        ScaleSimParams.model_rebuild(_types_namespace={"LayerCheck": LayerCheck})
    return ScaleSimParams


class ScaleSimBackend(_Simple):
    name = "npu-scalesim"
    title = "Systolic-array NPU simulation (SCALE-Sim v3)"

    @property
    def params_model(self) -> type[BaseModel]:  # type: ignore[override]
        return _scalesim_params()

    def validate(self, inputs: Path, params: Mapping[str, Any]) -> dict[str, Any]:
        from remote.backends.scalesim.config import parse_config
        from remote.backends.scalesim.topology import parse_topology

        checked = _scalesim_params().model_validate(self.parse(params).model_dump())
        config = parse_config(_input_file(inputs, checked.config, "config"))
        parse_topology(_input_file(inputs, checked.topology, "topology"))
        custom = config.layout.ifmap_custom_layout or config.layout.filter_custom_layout
        if checked.layout is not None:
            _input_file(inputs, checked.layout, "layout")
        elif custom:
            raise InvalidInput("layout: the config asks for a custom layout but no layout CSV "
                               "was given", field="layout")
        return checked.model_dump(mode="json")

    def run(self, work: Path, params: Mapping[str, Any], *, timeout: float) -> RunResult:
        from remote.backends.scalesim.runner import execute

        checked = _scalesim_params().model_validate(self.parse(params).model_dump())
        outdir = work / SCALESIM_OUT
        result = execute(work / checked.config, work / checked.topology, outdir,
                         timeout=min(timeout, checked.timeout), checks=checked.checks,
                         layout_path=work / checked.layout if checked.layout else None)
        # artefacts are named relative to the job's working folder
        result.artefacts = [f"{SCALESIM_OUT}/{name}" if not Path(name).is_absolute() else name
                            for name in result.artefacts]
        return result


# -- pim ------------------------------------------------------------------------------------------


class PimParams(BaseModel):
    """What a ``pim`` job asks for: a run file (platform and workloads)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    run_file: str = Field(description="run file (YAML): platform and workloads")
    min_speedup: float | None = Field(None, gt=0, description="graded: every workload at least")


class PimBackend(_Simple):
    name = "pim"
    title = "HBM-PIM bank-level processing-in-memory simulation"
    params_model: type[BaseModel] = PimParams

    def validate(self, inputs: Path, params: Mapping[str, Any]) -> dict[str, Any]:
        from remote.pim import load_run_config

        checked = PimParams.model_validate(self.parse(params).model_dump())
        cfg = load_run_config(_input_file(inputs, checked.run_file, "run_file"))
        if cfg.backend != "chipcommons":
            raise InvalidInput("run_file: backend: only the chipcommons simulator runs on "
                               "this farm", field="backend")
        return checked.model_dump(mode="json")

    def run(self, work: Path, params: Mapping[str, Any], *, timeout: float) -> RunResult:
        from remote.pim import load_run_config, report_to_run_result, run_config

        checked = PimParams.model_validate(self.parse(params).model_dump())
        started = time.perf_counter()
        try:
            reports = run_config(load_run_config(work / checked.run_file))
        except InfrastructureError as exc:
            return RunResult(outcome=Outcome.INFRASTRUCTURE_ERROR, message=exc.message)
        except ChipError as exc:
            return RunResult(outcome=Outcome.RUNTIME_ERROR, message=exc.message,
                             results=GradescopeResults(score=0.0, output=exc.message))
        result = report_to_run_result(reports, min_speedup=checked.min_speedup)
        result.results.execution_time = round(time.perf_counter() - started, 3)
        return result


# -- command --------------------------------------------------------------------------------------


class TemplateParam(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["file", "string", "int"] = "string"
    required: bool = True
    default: str | int | None = None
    pattern: str | None = Field(None, description="regular expression a string must match")
    description: str = ""


class CommandTemplate(BaseModel):
    """A site-defined command for a (licensed) tool."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,63}$")
    description: str = ""
    argv: list[str] = Field(min_length=1)
    features: dict[str, int] = Field(default_factory=dict)
    params: dict[str, TemplateParam] = Field(default_factory=dict)
    artefacts: list[str] = Field(default_factory=list, description="globs under work/")
    success_codes: list[int] = Field(default_factory=lambda: [0])

    @field_validator("features")
    @classmethod
    def _counts(cls, value: dict[str, int]) -> dict[str, int]:
        for feature, count in value.items():
            if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", feature) or count < 1:
                raise ValueError(f"invalid feature {feature!r}: {count}")
        return value


class CommandTemplates(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    templates: list[CommandTemplate] = Field(default_factory=list)


def load_templates(path: Path | None) -> CommandTemplates:
    """The site's command templates (none when ``path`` is None or absent)."""
    if path is None or not Path(path).is_file():
        return CommandTemplates()
    import yaml  # only here: a job's runner gets its templates as JSON

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise ParseError(f"invalid YAML: {exc.problem}", source=str(path),
                         line=mark.line + 1 if mark else None) from exc
    try:
        return CommandTemplates.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ParseError(f"{where}: {first['msg']}", source=str(path), field=where) from exc


class CommandParams(BaseModel):
    """What a ``command`` job asks for: a site template and its values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    template: str = Field(description="the site's command template")
    values: dict[str, str | int] = Field(default_factory=dict)
    timeout: float = Field(3600.0, gt=0, le=86400)


class CommandBackend:
    name = "command"
    title = "A site-defined command for a licensed EDA tool"
    params_model: type[BaseModel] = CommandParams

    def __init__(self, templates: CommandTemplates) -> None:
        self.templates = {t.name: t for t in templates.templates}

    def schema(self) -> dict[str, Any]:
        schema = CommandParams.model_json_schema()
        schema["properties"]["template"]["enum"] = sorted(self.templates)
        schema["x-templates"] = {
            t.name: {"description": t.description, "features": t.features,
                     "params": {k: v.model_dump() for k, v in t.params.items()}}
            for t in self.templates.values()}
        return schema

    def parse(self, params: Mapping[str, Any]) -> CommandParams:
        raw = dict(params)
        if "values" not in raw:  # flat form from ``--param K=V``
            values = {k: v for k, v in raw.items() if k not in ("template", "timeout")}
            raw = {k: v for k, v in raw.items() if k in ("template", "timeout")}
            raw["values"] = values
        checked = _parse(CommandParams, raw, self.name)
        assert isinstance(checked, CommandParams)
        return checked

    def template(self, name: str) -> CommandTemplate:
        found = self.templates.get(name)
        if found is None:
            known = ", ".join(sorted(self.templates)) or "none"
            raise InvalidInput(f"command: template {name!r} is not defined on this farm "
                               f"(defined: {known})", field="template")
        return found

    def features(self, params: Mapping[str, Any]) -> dict[str, int]:
        return dict(self.template(self.parse(params).template).features)

    def _values(self, tpl: CommandTemplate, checked: CommandParams,
                inputs: Path | None) -> dict[str, str]:
        unknown = set(checked.values) - set(tpl.params)
        if unknown:
            raise InvalidInput(f"command: {sorted(unknown)[0]}: not a parameter of template "
                               f"{tpl.name}", field=sorted(unknown)[0])
        out: dict[str, str] = {}
        for key, spec in tpl.params.items():
            value = checked.values.get(key, spec.default)
            if value is None:
                if spec.required:
                    raise InvalidInput(f"command: {key}: required by template {tpl.name}",
                                       field=key)
                value = ""
            text = str(value)
            if spec.kind == "int" and not re.fullmatch(r"-?\d{1,18}", text):
                raise InvalidInput(f"command: {key}: not an integer: {text!r}", field=key)
            if spec.kind == "file":
                if inputs is not None:
                    _input_file(inputs, text, key)
                else:
                    safe_relpath(text)
            elif not _VALUE_RE.match(text) or (spec.pattern and
                                               not re.fullmatch(spec.pattern, text)):
                raise InvalidInput(f"command: {key}: value {text!r} is not allowed", field=key)
            out[key] = text
        return out

    def validate(self, inputs: Path, params: Mapping[str, Any]) -> dict[str, Any]:
        checked = self.parse(params)
        self._values(self.template(checked.template), checked, inputs)
        return checked.model_dump(mode="json")

    def argv(self, params: Mapping[str, Any]) -> list[str]:
        checked = self.parse(params)
        tpl = self.template(checked.template)
        values = self._values(tpl, checked, None)
        try:
            return [part.format_map(values) for part in tpl.argv]
        except (KeyError, ValueError, IndexError) as exc:
            raise InvalidInput(f"command: template {tpl.name} is malformed ({exc})") from exc

    def run(self, work: Path, params: Mapping[str, Any], *, timeout: float) -> RunResult:
        checked = self.parse(params)
        tpl = self.template(checked.template)
        argv = self.argv(params)
        budget = min(timeout, checked.timeout)
        started = time.perf_counter()
        try:
            # The tool's output goes straight to the job's log (streamed to the client).
            proc = subprocess.run(argv, cwd=work, timeout=budget, check=False,
                                  stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            msg = f"the tool {argv[0]!r} of template {tpl.name} is not installed on this farm"
            return RunResult(outcome=Outcome.INFRASTRUCTURE_ERROR, message=msg,
                             results=GradescopeResults(output=msg))
        except subprocess.TimeoutExpired:
            msg = f"{tpl.name} ran out of its {budget:g} s"
            return _command_result(Outcome.TIME_LIMIT, msg, tpl, work, None,
                                   time.perf_counter() - started)
        seconds = time.perf_counter() - started
        if proc.returncode in tpl.success_codes:
            return _command_result(Outcome.SUCCESS, f"{tpl.name} finished", tpl, work,
                                   proc.returncode, seconds)
        return _command_result(Outcome.RUNTIME_ERROR,
                               f"{tpl.name} exited with code {proc.returncode}", tpl, work,
                               proc.returncode, seconds)


def _command_result(outcome: Outcome, message: str, tpl: CommandTemplate, work: Path,
                    code: int | None, seconds: float) -> RunResult:
    artefacts = collect_artefacts(work, tpl.artefacts)
    ok = outcome is Outcome.SUCCESS
    test = TestResult(name=f"{tpl.name} runs", score=1.0 if ok else 0.0, max_score=1.0,
                      status="passed" if ok else "failed", output=message, tags=["command"])
    return RunResult(outcome=outcome, message=message, artefacts=artefacts,
                     metrics={"backend": "command", "template": tpl.name, "exit_code": code,
                              "seconds": round(seconds, 3), "features": tpl.features},
                     results=GradescopeResults(score=test.score, execution_time=round(seconds, 3),
                                               output=message, tests=[test]))


def collect_artefacts(work: Path, globs: Sequence[str]) -> list[str]:
    """Regular files under ``work`` matching any of ``globs`` (relative names, sorted)."""
    found: set[str] = set()
    if not globs:
        return []
    for dirpath, _dirs, names in os.walk(work):
        for name in names:
            rel = os.path.relpath(os.path.join(dirpath, name), work)
            if any(fnmatch.fnmatch(rel, g) for g in globs) and \
                    os.path.isfile(os.path.join(dirpath, name)):
                found.add(rel)
    return sorted(found)


# -- the registry ---------------------------------------------------------------------------------


class BackendRegistry:
    """The backends one farm offers (built from the farm's command templates)."""

    def __init__(self, templates: CommandTemplates | None = None,
                 enabled: Sequence[str] | None = None) -> None:
        every: list[Backend] = [ScaleSimBackend(), RtlSimBackend(), SynthBackend(), PimBackend(),
                                CommandBackend(templates or CommandTemplates())]
        self._by_name: dict[str, Backend] = {
            b.name: b for b in every if not enabled or b.name in enabled}

    @property
    def names(self) -> list[str]:
        return sorted(self._by_name)

    def get(self, name: str) -> Backend:
        found = self._by_name.get(name)
        if found is None:
            raise InvalidInput(f"unknown backend {name!r} (this farm offers: "
                               f"{', '.join(self.names)})", backend=name)
        return found

    def info(self) -> list[BackendInfo]:
        out = []
        for name in self.names:
            b = self._by_name[name]
            templates: tuple[str, ...] = ()
            features: dict[str, int] = {}
            if isinstance(b, CommandBackend):
                templates = tuple(sorted(b.templates))
                for t in b.templates.values():
                    for f, n in t.features.items():
                        features[f] = max(features.get(f, 0), n)
            out.append(BackendInfo(name, b.title, b.schema(), features, templates))
        return out


def runner_argv(python: str, backend: str) -> list[str]:
    """The job's command line: the farm-side runner for ``backend``."""
    return [python, "-m", RUNNER_MODULE, "--backend", backend]
