"""SCALE-Sim v3 configuration files (``.cfg``, INI): parse, validate, write.

SCALE-Sim reads its config with :mod:`configparser` and no fallbacks, so a missing key surfaces as a
bare ``NoOptionError`` deep in a run, a ``[network_presets]`` section crashes it, and a bad
``InterfaceBandwidth`` silently leaves the config half-read. This module reads the same files
itself, line by line, so that every problem is reported as a :class:`~core.errors.ParseError` that
names the line and the field, and writes back a file that SCALE-Sim 3.0.0 accepts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from core.errors import ParseError

Dataflow = Literal["os", "ws", "is"]
BandwidthMode = Literal["USER", "CALC"]

_T = TypeVar("_T")


class LayoutConfig(BaseModel):
    """The ``[layout]`` section (SRAM banking; custom layouts need a layout CSV)."""

    model_config = ConfigDict(frozen=True)

    ifmap_custom_layout: bool = False
    ifmap_sram_bank_bandwidth: int = Field(10, ge=1)
    ifmap_sram_bank_num: int = Field(10, ge=1)
    ifmap_sram_bank_port: int = Field(2, ge=1)
    filter_custom_layout: bool = False
    filter_sram_bank_bandwidth: int = Field(10, ge=1)
    filter_sram_bank_num: int = Field(10, ge=1)
    filter_sram_bank_port: int = Field(2, ge=1)


class SparsityConfig(BaseModel):
    """The ``[sparsity]`` section."""

    model_config = ConfigDict(frozen=True)

    support: bool = False
    representation: str = "ellpack_block"
    optimized_mapping: bool = False
    block_size: int = Field(8, ge=1)
    random_seed: int = 40


class ScaleSimConfig(BaseModel):
    """One SCALE-Sim architecture and run configuration."""

    model_config = ConfigDict(frozen=True)

    run_name: str = Field(min_length=1, pattern=r"^[^/\\\x00]+$")
    array_rows: int = Field(ge=1)
    array_cols: int = Field(ge=1)
    ifmap_sram_kb: int = Field(ge=1)
    filter_sram_kb: int = Field(ge=1)
    ofmap_sram_kb: int = Field(ge=1)
    ifmap_offset: int = Field(0, ge=0)
    filter_offset: int = Field(10_000_000, ge=0)
    ofmap_offset: int = Field(20_000_000, ge=0)
    dataflow: Dataflow
    bandwidth: tuple[int, ...] = (10,)
    read_request_buffer: int = Field(32, ge=1)
    write_request_buffer: int = Field(32, ge=1)
    memory_banks: int | None = Field(None, ge=1)
    layout: LayoutConfig = Field(default_factory=LayoutConfig)
    sparsity: SparsityConfig = Field(default_factory=SparsityConfig)
    interface_bandwidth: BandwidthMode = "CALC"
    use_ramulator_trace: bool = False


# --------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class _Entry:
    key: str      # as written
    value: str
    line: int


@dataclass(frozen=True)
class _Section:
    name: str
    line: int
    entries: dict[str, _Entry]  # by lower-cased key (configparser's optionxform)


_SECTION_RE = re.compile(r"^\[(?P<name>[^\]]*)\]\s*$")
_BOOL_WORDS = {"1": True, "yes": True, "true": True, "on": True,
               "0": False, "no": False, "false": False, "off": False}


def _split_ini(text: str, source: str) -> dict[str, _Section]:
    sections: dict[str, _Section] = {}
    current: _Section | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if raw[0] in " \t" and current is not None and current.entries:
            raise ParseError("indented continuation lines are not supported in a SCALE-Sim "
                             "config", source=source, line=number)
        match = _SECTION_RE.match(stripped)
        if match:
            name = match.group("name").strip()
            if name in sections:
                raise ParseError(f"section [{name}] appears twice (first on line "
                                 f"{sections[name].line})", source=source, line=number,
                                 field=name)
            current = _Section(name=name, line=number, entries={})
            sections[name] = current
            continue
        cut = min((i for i in (stripped.find(":"), stripped.find("=")) if i >= 0), default=-1)
        if cut <= 0:
            raise ParseError(f"expected 'key: value' or '[section]', got {stripped!r}",
                             source=source, line=number)
        if current is None:
            raise ParseError("key before any [section]", source=source, line=number,
                             field=stripped[:cut].strip())
        key = stripped[:cut].strip()
        lowered = key.lower()
        if lowered in current.entries:
            first = current.entries[lowered].line
            raise ParseError(f"{key} appears twice in [{current.name}] (first on line {first})",
                             source=source, line=number, field=key)
        current.entries[lowered] = _Entry(key=key, value=stripped[cut + 1:].strip(), line=number)
    return sections


class _Reader:
    """Typed access to the parsed sections, raising ParseError with line and field."""

    def __init__(self, sections: dict[str, _Section], source: str) -> None:
        self.sections = sections
        self.source = source

    def section(self, name: str) -> _Section:
        if name not in self.sections:
            raise ParseError(f"missing section [{name}]", source=self.source, field=name)
        return self.sections[name]

    def entry(self, section: str, key: str) -> _Entry:
        sec = self.section(section)
        found = sec.entries.get(key.lower())
        if found is None:
            raise ParseError(f"missing field {key} in [{section}]", source=self.source,
                             line=sec.line, field=key)
        return found

    def has(self, section: str, key: str) -> bool:
        return section in self.sections and key.lower() in self.sections[section].entries

    def convert(self, section: str, key: str, convert: Callable[[str], _T], wanted: str) -> _T:
        found = self.entry(section, key)
        try:
            return convert(found.value)
        except ValueError:
            raise ParseError(f"{key} must be {wanted}, got {found.value!r}", source=self.source,
                             line=found.line, field=key) from None

    def integer(self, section: str, key: str, minimum: int = 1) -> int:
        def convert(text: str) -> int:
            value = int(text)
            if value < minimum:
                raise ValueError(text)
            return value

        wanted = "a positive integer" if minimum == 1 else f"an integer ≥ {minimum}"
        return self.convert(section, key, convert, wanted)

    def boolean(self, section: str, key: str) -> bool:
        def convert(text: str) -> bool:
            if text.lower() not in _BOOL_WORDS:
                raise ValueError(text)
            return _BOOL_WORDS[text.lower()]

        return self.convert(section, key, convert, "True or False")

    def choice(self, section: str, key: str, options: tuple[str, ...]) -> str:
        def convert(text: str) -> str:
            for option in options:
                if text.lower() == option.lower():
                    return option
            raise ValueError(text)

        return self.convert(section, key, convert, " or ".join(options))


def _bandwidths(text: str) -> tuple[int, ...]:
    values = tuple(int(part) for part in text.split(","))
    if not values or any(v < 1 for v in values):
        raise ValueError(text)
    return values


def parse_config_text(text: str, *, source: str = "<config>") -> ScaleSimConfig:
    """Parse and validate the text of a SCALE-Sim ``.cfg`` file."""
    r = _Reader(_split_ini(text, source), source)
    arch = "architecture_presets"
    mode = r.choice("run_presets", "InterfaceBandwidth", ("USER", "CALC"))
    if r.has(arch, "Bandwidth") or mode == "USER":
        bandwidth = r.convert(arch, "Bandwidth", _bandwidths,
                              "one or more positive integers separated by commas")
    else:
        bandwidth = (10,)
    ramulator = r.boolean("run_presets", "UseRamulatorTrace")
    if ramulator:
        raise ParseError("UseRamulatorTrace = True needs Ramulator trace files, which this "
                         "backend does not provide", source=source,
                         line=r.entry("run_presets", "UseRamulatorTrace").line,
                         field="UseRamulatorTrace")
    layout = LayoutConfig(
        ifmap_custom_layout=r.boolean("layout", "IfmapCustomLayout"),
        ifmap_sram_bank_bandwidth=r.integer("layout", "IfmapSRAMBankBandwidth"),
        ifmap_sram_bank_num=r.integer("layout", "IfmapSRAMBankNum"),
        ifmap_sram_bank_port=r.integer("layout", "IfmapSRAMBankPort"),
        filter_custom_layout=r.boolean("layout", "FilterCustomLayout"),
        filter_sram_bank_bandwidth=r.integer("layout", "FilterSRAMBankBandwidth"),
        filter_sram_bank_num=r.integer("layout", "FilterSRAMBankNum"),
        filter_sram_bank_port=r.integer("layout", "FilterSRAMBankPort"),
    )
    if mode == "USER":
        # SCALE-Sim asserts this in its read buffers, after the compute model has run.
        for operand in ("Ifmap", "Filter"):
            bw_key, num_key = f"{operand}SRAMBankBandwidth", f"{operand}SRAMBankNum"
            bw = getattr(layout, f"{operand.lower()}_sram_bank_bandwidth")
            num = getattr(layout, f"{operand.lower()}_sram_bank_num")
            if bw % num:
                raise ParseError(f"{bw_key} ({bw}) must be a multiple of {num_key} ({num}) "
                                 "when InterfaceBandwidth is USER", source=source,
                                 line=r.entry("layout", bw_key).line, field=bw_key)
    support = r.boolean("sparsity", "SparsitySupport")
    if support:
        optimized = r.boolean("sparsity", "OptimizedMapping")
        sparsity = SparsityConfig(
            support=True,
            representation=r.choice("sparsity", "SparseRep", ("ellpack_block", "csr", "csc")),
            optimized_mapping=optimized,
            block_size=r.integer("sparsity", "BlockSize") if optimized else 8,
            random_seed=r.integer("sparsity", "RandomNumberGeneratorSeed", minimum=0),
        )
        if optimized and sparsity.block_size > r.integer(arch, "ArrayHeight"):
            raise ParseError("BlockSize must not exceed ArrayHeight", source=source,
                             line=r.entry("sparsity", "BlockSize").line, field="BlockSize")
    else:
        sparsity = SparsityConfig()
    run_name = r.entry("general", "run_name")
    if not run_name.value or any(c in run_name.value for c in "/\\\x00"):
        raise ParseError(f"run_name must be a plain folder name, got {run_name.value!r}",
                         source=source, line=run_name.line, field="run_name")
    return ScaleSimConfig(
        run_name=run_name.value,
        array_rows=r.integer(arch, "ArrayHeight"),
        array_cols=r.integer(arch, "ArrayWidth"),
        ifmap_sram_kb=r.integer(arch, "IfmapSramSzkB"),
        filter_sram_kb=r.integer(arch, "FilterSramSzkB"),
        ofmap_sram_kb=r.integer(arch, "OfmapSramSzkB"),
        ifmap_offset=r.integer(arch, "IfmapOffset", minimum=0),
        filter_offset=r.integer(arch, "FilterOffset", minimum=0),
        ofmap_offset=r.integer(arch, "OfmapOffset", minimum=0),
        dataflow=r.choice(arch, "Dataflow", ("os", "ws", "is")),  # type: ignore[arg-type]
        bandwidth=bandwidth,
        read_request_buffer=r.integer(arch, "ReadRequestBuffer"),
        write_request_buffer=r.integer(arch, "WriteRequestBuffer"),
        memory_banks=r.integer(arch, "MemoryBanks") if r.has(arch, "MemoryBanks") else None,
        layout=layout,
        sparsity=sparsity,
        interface_bandwidth=mode,  # type: ignore[arg-type]
        use_ramulator_trace=False,
    )


def parse_config(path: Path) -> ScaleSimConfig:
    """Parse and validate a SCALE-Sim ``.cfg`` file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not a UTF-8 text file ({exc.reason})", source=str(path)) from None
    except OSError as exc:
        raise ParseError(f"cannot read the config: {exc.strerror}", source=str(path)) from None
    return parse_config_text(text, source=str(path))


# --------------------------------------------------------------------------------------------
# Writing


def config_text(config: ScaleSimConfig) -> str:
    """The ``.cfg`` text SCALE-Sim 3.0.0 accepts for ``config`` (never a [network_presets])."""
    lay, sp = config.layout, config.sparsity
    lines = [
        "[general]",
        f"run_name = {config.run_name}",
        "",
        "[architecture_presets]",
        f"ArrayHeight : {config.array_rows}",
        f"ArrayWidth : {config.array_cols}",
        f"IfmapSramSzkB : {config.ifmap_sram_kb}",
        f"FilterSramSzkB : {config.filter_sram_kb}",
        f"OfmapSramSzkB : {config.ofmap_sram_kb}",
        f"IfmapOffset : {config.ifmap_offset}",
        f"FilterOffset : {config.filter_offset}",
        f"OfmapOffset : {config.ofmap_offset}",
        f"Bandwidth : {','.join(str(b) for b in config.bandwidth)}",
        f"Dataflow : {config.dataflow}",
    ]
    if config.memory_banks is not None:
        lines.append(f"MemoryBanks : {config.memory_banks}")
    lines += [
        f"ReadRequestBuffer : {config.read_request_buffer}",
        f"WriteRequestBuffer : {config.write_request_buffer}",
        "",
        "[layout]",
        f"IfmapCustomLayout : {lay.ifmap_custom_layout}",
        f"IfmapSRAMBankBandwidth : {lay.ifmap_sram_bank_bandwidth}",
        f"IfmapSRAMBankNum : {lay.ifmap_sram_bank_num}",
        f"IfmapSRAMBankPort : {lay.ifmap_sram_bank_port}",
        f"FilterCustomLayout : {lay.filter_custom_layout}",
        f"FilterSRAMBankBandwidth : {lay.filter_sram_bank_bandwidth}",
        f"FilterSRAMBankNum : {lay.filter_sram_bank_num}",
        f"FilterSRAMBankPort : {lay.filter_sram_bank_port}",
        "",
        "[sparsity]",
        f"SparsitySupport : {'true' if sp.support else 'false'}",
        f"SparseRep : {sp.representation}",
        f"OptimizedMapping : {'true' if sp.optimized_mapping else 'false'}",
        f"BlockSize : {sp.block_size}",
        f"RandomNumberGeneratorSeed : {sp.random_seed}",
        "",
        "[run_presets]",
        f"InterfaceBandwidth : {config.interface_bandwidth}",
        f"UseRamulatorTrace : {config.use_ramulator_trace}",
        "",
    ]
    return "\n".join(lines)


def write_config(config: ScaleSimConfig, path: Path) -> Path:
    """Write ``config`` to ``path`` as a SCALE-Sim ``.cfg``; returns ``path``."""
    path.write_text(config_text(config), encoding="utf-8")
    return path
