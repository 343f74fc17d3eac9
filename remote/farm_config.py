"""The farm's YAML config, validated; every error names the line it is about.

Example::

    scheduler:
      type: slurm            # or: local (with max_concurrent)
      partition: debug
      account: pim-lab
      mirror_licences: true  # pass pool features to sbatch -L
      licence_names: {vcs: vcs_sim}
    workspace:
      root: /srv/chipcommons/farm
      max_upload: 1 GiB
      max_file: 256 MiB
    sandbox:
      unsafe: false
    backends: [rtl-sim, synth, pim, npu-scalesim]
    limits:
      job:  {wall_time: 2h, memory: 4 GiB, output: 64 MiB, processes: 256, disk: 8 GiB}
      user: {concurrent_jobs: 4, jobs_per_day: 200}

Sizes are integers (bytes) or ``<number> <unit>`` with B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T…
(all binary). Durations are integers (seconds), ``90s``, ``30m``, ``2h``, ``1h30m``, ``1d`` or
``HH:MM:SS``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from core.errors import LimitExceeded, ParseError
from remote.sandbox import JobLimits, SandboxSettings
from remote.workspace import StagingLimits

_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_DUR_PART_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])", re.IGNORECASE)
_DUR_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
BACKEND_RE = re.compile(r"^[a-z][a-z0-9-]*(:[A-Za-z0-9_.-]+)?$")
NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+$")


def parse_size(value: object) -> int:
    """Bytes from an int or a string like ``512 MiB``, ``2G``, ``64KB``."""
    if isinstance(value, bool):
        raise ValueError("a size must be a number of bytes or like '2 GiB'")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a size cannot be negative")
        return value
    if isinstance(value, str):
        m = _SIZE_RE.match(value)
        if m:
            return int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    raise ValueError(f"invalid size {value!r} (use bytes or e.g. '512 MiB', '2 GiB')")


def parse_duration(value: object) -> float:
    """Seconds from a number or a string like ``90s``, ``1h30m``, ``01:30:00``."""
    if isinstance(value, bool):
        raise ValueError("a duration must be seconds or like '1h30m'")
    if isinstance(value, int | float):
        if value <= 0 or math.isnan(value):
            raise ValueError("a duration must be positive")
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+:\d{2}(:\d{2})?", text):
            parts = [int(p) for p in text.split(":")]
            if len(parts) == 2:
                parts = [0, *parts]
            seconds = float(parts[0] * 3600 + parts[1] * 60 + parts[2])
        elif re.fullmatch(r"(\s*\d+(?:\.\d+)?\s*[dhmsDHMS])+\s*", text):
            seconds = math.fsum(float(n) * _DUR_SECONDS[u.lower()]
                                for n, u in _DUR_PART_RE.findall(text))
        elif re.fullmatch(r"\d+(\.\d+)?", text):
            seconds = float(text)
        else:
            raise ValueError(f"invalid duration {value!r} (use seconds or e.g. '90s', '2h')")
        if seconds <= 0:
            raise ValueError("a duration must be positive")
        return float(seconds)
    raise ValueError(f"invalid duration {value!r}")


Size = Annotated[int, BeforeValidator(parse_size)]
Duration = Annotated[float, BeforeValidator(parse_duration)]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LocalSchedulerConfig(_Section):
    type: Literal["local"]
    max_concurrent: int = Field(default=2, gt=0, le=1024)


class SlurmSchedulerConfig(_Section):
    type: Literal["slurm"]
    partition: str | None = None
    account: str | None = None
    mirror_licences: bool = False
    licence_names: dict[str, str] = Field(default_factory=dict)
    slurm_conf: str | None = None
    python: str | None = None
    extra_args: list[str] = Field(default_factory=list)
    command_timeout: Duration = 30.0

    @field_validator("partition", "account")
    @classmethod
    def _plain_name(cls, value: str | None) -> str | None:
        if value is not None and not NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a valid Slurm name")
        return value

    @field_validator("licence_names")
    @classmethod
    def _licence_names(cls, value: dict[str, str]) -> dict[str, str]:
        for feature, name in value.items():
            if not NAME_RE.match(feature) or not NAME_RE.match(name):
                raise ValueError(f"invalid licence mapping {feature!r}: {name!r}")
        return value


SchedulerConfig = Annotated[LocalSchedulerConfig | SlurmSchedulerConfig,
                            Field(discriminator="type")]


class WorkspaceConfig(_Section):
    root: Path
    max_upload: Size = 1 << 30
    max_file: Size = 256 << 20
    max_files: int = Field(default=10_000, gt=0)
    keep_days: int = Field(default=14, ge=0)

    @field_validator("root")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        if not value.is_absolute():
            raise ValueError("workspace root must be an absolute path")
        if ".." in value.parts:
            raise ValueError("workspace root must not contain '..'")
        return value


class JobLimitsConfig(_Section):
    wall_time: Duration = 3600.0
    memory: Size | None = 2 << 30
    output: Size = 64 << 20
    file_size: Size | None = 1 << 30
    processes: int = Field(default=256, gt=0)
    cpus: int = Field(default=1, gt=0)
    disk: Size | None = 4 << 30


class UserLimitsConfig(_Section):
    concurrent_jobs: int = Field(default=4, gt=0)
    jobs_per_day: int = Field(default=100, gt=0)


class LimitsConfig(_Section):
    job: JobLimitsConfig = Field(default_factory=JobLimitsConfig)
    user: UserLimitsConfig = Field(default_factory=UserLimitsConfig)


class FarmConfig(_Section):
    scheduler: SchedulerConfig
    workspace: WorkspaceConfig
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    backends: list[str] = Field(default_factory=list)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)

    @field_validator("backends")
    @classmethod
    def _backends(cls, value: list[str]) -> list[str]:
        for name in value:
            if not BACKEND_RE.match(name):
                raise ValueError(f"invalid backend name {name!r}")
        if len(set(value)) != len(value):
            raise ValueError("a backend is listed twice")
        return value

    def backend_enabled(self, name: str) -> bool:
        return name in self.backends

    def staging_limits(self) -> StagingLimits:
        """Upload limits for one job's inputs, from the ``workspace:`` section."""
        ws = self.workspace
        return StagingLimits(max_file_bytes=ws.max_file, max_total_bytes=ws.max_upload,
                             max_files=ws.max_files)

    def job_limits(self, wall_time: float | None = None, memory: int | None = None,
                   cpus: int | None = None) -> JobLimits:
        """The limits for one job: the farm's per-job limits, lowered by what the job asks for.
        Asking for more than the farm allows raises LimitExceeded."""
        cap = self.limits.job
        for label, asked, allowed in (("wall time", wall_time, cap.wall_time),
                                      ("memory", memory, cap.memory),
                                      ("cpus", cpus, cap.cpus)):
            if asked is not None and allowed is not None and asked > allowed:
                raise LimitExceeded(f"{label} {asked:g} exceeds the farm limit of {allowed:g}",
                                    limit=label, requested=asked, allowed=allowed)
            if asked is not None and asked <= 0:
                raise LimitExceeded(f"{label} must be positive", limit=label)
        return JobLimits(wall_seconds=wall_time or cap.wall_time,
                         memory_bytes=memory or cap.memory, output_bytes=cap.output,
                         file_bytes=cap.file_size, max_processes=cap.processes,
                         cpus=cpus or cap.cpus, disk_bytes=cap.disk)


# --- YAML with line numbers -----------------------------------------------------------------


def _construct(node: yaml.Node, path: tuple[str | int, ...],
               lines: dict[tuple[str | int, ...], int], source: str,
               scalars: yaml.constructor.SafeConstructor) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ParseError("mapping keys must be plain scalars", source=source,
                                 line=key_node.start_mark.line + 1)
            key = scalars.construct_object(key_node)
            if key in out:
                raise ParseError(f"duplicate key {key!r}", source=source,
                                 line=key_node.start_mark.line + 1)
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _construct(value_node, (*path, key), lines, source, scalars)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*path, i), lines, source, scalars)
                for i, item in enumerate(node.value)]
    return scalars.construct_object(node)


def _line_for(loc: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]) -> int | None:
    path: tuple[str | int, ...] = ()
    best = lines.get(())
    for part in loc:
        candidate = (*path, part)
        if candidate in lines:
            path = candidate
            best = lines[candidate]
        # parts that are not in the document (union tags, missing fields) are skipped
    return best


def parse_farm_config(text: str, source: str = "farm.yaml") -> FarmConfig:
    """Parse and validate a farm config. Errors are ParseError with ``line`` set."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ParseError(f"invalid YAML: {exc.problem or exc}", source=source,
                         line=mark.line + 1 if mark else None) from exc
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}", source=source) from exc
    if node is None:
        raise ParseError("the farm config is empty", source=source, line=1)
    lines: dict[tuple[str | int, ...], int] = {}
    data = _construct(node, (), lines, source, yaml.constructor.SafeConstructor())
    if not isinstance(data, dict):
        raise ParseError("the farm config must be a mapping", source=source,
                         line=node.start_mark.line + 1)
    try:
        return FarmConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, "type")  # point at the tag itself
        where = ".".join(str(p) for p in loc if p not in ("local", "slurm")) or "(top level)"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise ParseError(f"{where}: {msg}", source=source, line=_line_for(loc, lines),
                         field=where, errors=len(exc.errors())) from exc


def load_farm_config(path: Path) -> FarmConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParseError(f"farm config {path} not found", source=str(path)) from None
    except UnicodeDecodeError as exc:
        raise ParseError("farm config is not UTF-8", source=str(path)) from exc
    return parse_farm_config(text, source=str(path))
