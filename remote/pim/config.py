"""Platform description (DRAM timing, organisation, PIM units, energy) and its YAML loading.

Errors name the field and, for YAML input, the line: the YAML is composed into a node tree first
(``yaml.compose``) so a pydantic error path such as ``timing.tRCD`` maps back to its line.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.errors import InvalidInput, ParseError

PRESET_DIR = Path(__file__).resolve().parents[2] / "resources" / "pim"

DataType = Literal["fp16", "bf16", "fp32", "int8"]
DTYPE_BITS: dict[str, int] = {"fp16": 16, "bf16": 16, "fp32": 32, "int8": 8}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DramTiming(_Strict):
    """JEDEC-style timing parameters, in memory-clock cycles (tCK in ns)."""

    tCK: float = Field(1.0, gt=0, description="command clock period, ns")
    burst_length: int = Field(4, ge=1)
    data_rate: int = Field(2, ge=1, description="transfers per clock (2 = DDR); a burst holds "
                           "the bus for burst_length / data_rate clocks")
    CL: int = Field(20, ge=1, description="read latency (RL)")
    CWL: int = Field(8, ge=1, description="write latency (WL)")
    tRCD: int = Field(14, ge=1, description="ACT to RD")
    tRCDWR: int | None = Field(10, ge=1, description="ACT to WR (defaults to tRCD)")
    tRP: int = Field(14, ge=1)
    tRAS: int = Field(33, ge=1)
    tRC: int | None = Field(47, ge=1, description="defaults to tRAS + tRP")
    tCCD_S: int = Field(2, ge=1)
    tCCD_L: int = Field(4, ge=1)
    tRRD_S: int = Field(4, ge=1)
    tRRD_L: int = Field(6, ge=1)
    tFAW: int = Field(16, ge=0)
    tRTP: int = Field(5, ge=1, description="read to precharge (long)")
    tWR: int = Field(16, ge=1)
    tWTR_L: int = Field(9, ge=1)
    tWTR_S: int = Field(4, ge=1)
    tRTRS: int = Field(1, ge=0)
    tRFC: int = Field(350, ge=0)
    tREFI: int = Field(3900, ge=0, description="0 disables refresh")

    @model_validator(mode="after")
    def _consistent(self) -> DramTiming:
        if self.tCCD_L < self.tCCD_S:
            raise ValueError("tCCD_L must be at least tCCD_S")
        if self.tRRD_L < self.tRRD_S:
            raise ValueError("tRRD_L must be at least tRRD_S")
        if self.tRC is not None and self.tRC < self.tRAS:
            raise ValueError("tRC must be at least tRAS")
        if self.burst_length % self.data_rate:
            raise ValueError("burst_length must be a multiple of data_rate")
        if self.tREFI and self.tRFC >= self.tREFI:
            raise ValueError("tRFC must be shorter than tREFI")
        return self


class Organisation(_Strict):
    kind: str = Field("HBM2", description="memory kind, informative")
    channels: int = Field(64, ge=1, description="independent (pseudo-)channels")
    ranks: int = Field(2, ge=1, description="ranks per channel (refreshed staggered, tREFI/ranks "
                       "apart); kernels use rank 0")
    bank_groups: int = Field(4, ge=1)
    banks: int = Field(16, ge=1, description="banks per channel")
    rows: int = Field(16384, ge=1)
    columns: int = Field(128, ge=1, description="column addresses per row (bus-width units)")
    bus_width_bits: int = Field(64, ge=8, description="data bus per channel")
    queue_depth: int = Field(64, ge=1, description="controller command queue entries")

    @model_validator(mode="after")
    def _consistent(self) -> Organisation:
        if self.banks % self.bank_groups:
            raise ValueError("banks must be a multiple of bank_groups")
        if self.banks < 2:
            raise ValueError("banks must be at least 2 (PIM units sit between bank pairs)")
        return self


class PimUnits(_Strict):
    units_per_bank_pair: Literal[1, 2] = Field(1, description="1 (HBM-PIM) or 2 (one per bank)")
    simd_lanes: int = Field(16, ge=1)
    data_type: DataType = "fp16"
    grf_a: int = Field(8, ge=1, description="GRF_A registers per unit (input tile)")
    grf_b: int = Field(8, ge=1, description="GRF_B registers per unit (output tile)")
    srf: int = Field(8, ge=0)
    crf: int = Field(32, ge=1, description="instruction slots")
    clock_mhz: float = Field(250.0, gt=0, description="PIM unit clock")


class Energy(_Strict):
    """Per-command energy, picojoules (per channel for row/column commands)."""

    act_pj: float = Field(909.0, ge=0, description="ACT + PRE pair, one bank")
    read_pj: float = Field(1.17 * 256, ge=0, description="column read, array to bank I/O")
    write_pj: float = Field(1.22 * 256, ge=0)
    io_pj_per_bit: float = Field(3.9, ge=0, description="external (host) transfer")
    ref_pj: float = Field(22000.0, ge=0, description="one REF, one channel")
    pim_op_pj: float = Field(96.0, ge=0, description="one SIMD op in one PIM unit")
    background_mw_per_channel: float = Field(30.0, ge=0)


class Platform(_Strict):
    name: str = "platform"
    description: str = ""
    timing: DramTiming = Field(default_factory=DramTiming)
    organisation: Organisation = Field(default_factory=Organisation)
    pim: PimUnits = Field(default_factory=PimUnits)
    energy: Energy = Field(default_factory=Energy)

    @model_validator(mode="after")
    def _consistent(self) -> Platform:
        burst_bits = self.organisation.bus_width_bits * self.timing.burst_length
        lane_bits = DTYPE_BITS[self.pim.data_type]
        if burst_bits % lane_bits:
            raise ValueError(f"pim.data_type {self.pim.data_type} does not divide the "
                             f"{burst_bits}-bit burst")
        per_burst = burst_bits // lane_bits
        if per_burst % self.pim.simd_lanes:
            raise ValueError(f"pim.simd_lanes {self.pim.simd_lanes} does not divide the burst "
                             f"({per_burst} {self.pim.data_type} elements per burst)")
        if self.organisation.columns % self.timing.burst_length:
            raise ValueError("organisation.columns must be a multiple of timing.burst_length")
        return self

    # -- derived quantities ---------------------------------------------------------------------
    @property
    def burst_bytes(self) -> int:
        return self.organisation.bus_width_bits * self.timing.burst_length // 8

    @property
    def elements_per_burst(self) -> int:
        return self.burst_bytes * 8 // DTYPE_BITS[self.pim.data_type]

    @property
    def element_bytes(self) -> float:
        return DTYPE_BITS[self.pim.data_type] / 8

    @property
    def bursts_per_row(self) -> int:
        return self.organisation.columns // self.timing.burst_length

    @property
    def units_per_channel(self) -> int:
        return self.organisation.banks // 2 * self.pim.units_per_bank_pair

    @property
    def capacity_bytes(self) -> int:
        o = self.organisation
        return o.channels * o.ranks * o.banks * o.rows * self.bursts_per_row * self.burst_bytes

    @property
    def pim_op_cycles(self) -> int:
        """Memory cycles one PIM unit needs per burst (lanes and clock)."""
        passes = self.elements_per_burst // self.pim.simd_lanes
        ns = passes * 1000.0 / self.pim.clock_mhz
        return max(1, math.ceil(ns / self.timing.tCK - 1e-9))


def _resolve(root: yaml.Node | None, path: tuple[Any, ...]) -> tuple[int | None, tuple[Any, ...]]:
    """Walk ``path`` through the YAML node tree. Returns the 1-based line of the deepest node
    reached and the path with the parts the document does not have (union tags) left out."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    kept: list[Any] = []
    for key in path:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(key):
                    node = v
                    line = k.start_mark.line + 1
                    kept.append(key)
                    break
            else:
                if not isinstance(key, int) and key not in _TAGS:
                    kept.append(key)  # a missing field: name it, point at its parent
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) \
                and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
            kept.append(key)
        elif key not in _TAGS:
            kept.append(key)
    return line, tuple(kept)


_TAGS = frozenset({"gemv", "add", "mul", "relu", "sequence"})


def node_line(root: yaml.Node | None, path: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at ``path`` (or its deepest existing ancestor)."""
    return _resolve(root, path)[0]


def load_yaml(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML text; return (data, node tree). Malformed YAML raises ParseError with line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ParseError(f"malformed YAML: {exc.problem or exc}", source=source,
                         line=line) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"malformed YAML: {exc}", source=source) from None
    return data, root


def validation_error(exc: ValidationError, root: yaml.Node | None, source: str,
                     prefix: tuple[Any, ...] = ()) -> ParseError:
    """Turn a pydantic error into a ParseError naming the first failing field and its line.
    Cross-field checks name their field as the first word of the message (``a.b must ...``)."""
    err = exc.errors()[0]
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    msg = str(err["msg"]).removeprefix("Value error, ")
    first = msg.split(" ", 1)[0]
    if err["type"] == "value_error" and first.replace("_", "").replace(".", "").isalnum() \
            and first[:1].isalpha() and first not in ("a", "the", "an"):
        loc = loc + tuple(first.split("."))
    line, kept = _resolve(root, prefix + loc)
    field_name = ".".join(str(p) for p in kept) or "(document)"
    return ParseError(f"{field_name}: {msg}", source=source, line=line, field=field_name)


def platform_from_data(data: Any, root: yaml.Node | None = None, source: str = "",
                       prefix: tuple[Any, ...] = ()) -> Platform:
    if not isinstance(data, dict):
        raise ParseError("a platform must be a mapping", source=source,
                         line=node_line(root, prefix))
    try:
        return Platform.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, root, source, prefix) from None


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


def load_platform(path_or_preset: str | Path) -> Platform:
    """Load a platform from a YAML file or a preset name (see :func:`preset_names`)."""
    path = Path(path_or_preset)
    if not path.is_file():
        candidate = PRESET_DIR / f"{path_or_preset}.yaml"
        if not candidate.is_file():
            raise InvalidInput(f"no platform file or preset named {str(path_or_preset)!r} "
                               f"(presets: {', '.join(preset_names())})")
        path = candidate
    text = path.read_text(encoding="utf-8")
    data, root = load_yaml(text, str(path))
    if isinstance(data, dict) and "platform" in data and isinstance(data["platform"], dict):
        return platform_from_data(data["platform"], root, str(path), ("platform",))
    return platform_from_data(data, root, str(path))
