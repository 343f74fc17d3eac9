"""SCALE-Sim topology CSVs (convolution and GEMM layers) and the header-only layout CSV.

SCALE-Sim's own reader skips the first line, splits each row on commas and *always drops the last
field* (it expects every row to end with a comma), so a row without the trailing comma silently
loses its stride or K. This reader accepts rows with or without the trailing comma and with spaces
around fields, names the line and the column of every error, and the writers always end rows with
a comma.

Conv rows: ``Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels,
Num Filter, Strides[, N:M sparsity],``. GEMM rows: ``Layer Name, M, N, K[, N:M sparsity],``
(SCALE-Sim maps GEMM M×K · K×N onto a 1×K filter over an M×K "image" with N filters).
A conv layer whose name contains ``DP`` is depth-wise: SCALE-Sim splits it into one single-channel
layer per channel (see :func:`expand_depthwise`).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.errors import ParseError

TopologyKind = Literal["conv", "gemm"]

CONV_COLUMNS = ("Layer name", "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width",
                "Channels", "Num Filter", "Strides")
GEMM_COLUMNS = ("Layer Name", "M", "N", "K")
SPARSITY_COLUMN = "Sparsity"
_INT_RE = re.compile(r"[0-9]+")

LAYOUT_COLUMNS = (
    "Layer name", "IFMAP Height Intraline Factor", "IFMAP Width Intraline Factor",
    "Filter Height Intraline Factor", "Filter Width Intraline Factor", "Channel Intraline Factor",
    "Num Filter Intraline Factor", "IFMAP Height Intraline Order", "IFMAP Width Intraline Order",
    "Channel Intraline Order", "IFMAP Height Interline Order", "IFMAP Width Interline Order",
    "Channel Interline Order", "Num Filter Intraline Order", "Channel Intraline Order",
    "Filter Height Intraline Order", "Filter Width Intraline Order", "Num Filter Interline Order",
    "Channel Interline Order", "Filter Height Interline Order", "Filter Width Interline Order",
)


class _Layer(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1)
    sparsity: str | None = Field(None, pattern=r"^\d+:\d+$")


class ConvLayer(_Layer):
    """One convolution layer (stride is the same along both axes, as in SCALE-Sim's CSV)."""

    kind: Literal["conv"] = "conv"
    ifmap_h: int = Field(ge=1)
    ifmap_w: int = Field(ge=1)
    filter_h: int = Field(ge=1)
    filter_w: int = Field(ge=1)
    channels: int = Field(ge=1)
    num_filters: int = Field(ge=1)
    stride: int = Field(1, ge=1)

    @property
    def ofmap_h(self) -> int:
        return math.ceil((self.ifmap_h - self.filter_h + self.stride) / self.stride)

    @property
    def ofmap_w(self) -> int:
        return math.ceil((self.ifmap_w - self.filter_w + self.stride) / self.stride)

    @property
    def is_depthwise(self) -> bool:
        return "DP" in self.name


class GemmLayer(_Layer):
    """One GEMM layer: an M×K matrix times a K×N matrix."""

    kind: Literal["gemm"] = "gemm"
    m: int = Field(ge=1)
    n: int = Field(ge=1)
    k: int = Field(ge=1)


Layer = ConvLayer | GemmLayer


class Topology(BaseModel):
    """A network: conv layers or GEMM layers (SCALE-Sim runs one kind per file)."""

    model_config = ConfigDict(frozen=True)

    kind: TopologyKind
    layers: tuple[ConvLayer, ...] | tuple[GemmLayer, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_kind(self) -> Topology:
        if any(layer.kind != self.kind for layer in self.layers):
            raise ValueError(f"a {self.kind} topology holds only {self.kind} layers")
        return self


def expand_depthwise(topology: Topology) -> list[Layer]:
    """The layers SCALE-Sim actually simulates (and numbers 0, 1, … in its reports): a conv layer
    whose name contains ``DP`` becomes one single-channel layer per channel."""
    out: list[Layer] = []
    for layer in topology.layers:
        if isinstance(layer, ConvLayer) and layer.is_depthwise:
            out += [layer.model_copy(update={"name": f"{layer.name}Channel_{c}", "channels": 1})
                    for c in range(layer.channels)]
        else:
            out.append(layer)
    return out


# --------------------------------------------------------------------------------------------
# Reading


def _fields(row: str) -> list[str]:
    parts = [p.strip() for p in row.split(",")]
    if parts and parts[-1] == "":
        parts.pop()  # the trailing comma SCALE-Sim expects
    return parts


def _detect_kind(header: list[str], source: str) -> TopologyKind:
    lowered = [h.lower() for h in header]
    if lowered[1:4] == ["m", "n", "k"]:
        return "gemm"
    if len(lowered) > 1 and "ifmap" in lowered[1]:
        return "conv"
    raise ParseError("the header is neither a conv topology (Layer name, IFMAP Height, …) nor "
                     "a GEMM topology (Layer Name, M, N, K)", source=source, line=1,
                     field=header[1] if len(header) > 1 else (header[0] if header else ""))


def parse_topology_text(text: str, *, source: str = "<topology>",
                        kind: TopologyKind | None = None) -> Topology:
    """Parse a topology CSV; ``kind`` is taken from the header when not given."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ParseError("empty topology: the first line must be the header", source=source,
                         line=1)
    header = _fields(lines[0])
    detected = _detect_kind(header, source)
    if kind is not None and kind != detected:
        raise ParseError(f"expected a {kind} topology, but the header is a {detected} header",
                         source=source, line=1, field=header[1])
    columns = GEMM_COLUMNS if detected == "gemm" else CONV_COLUMNS
    layers: list[ConvLayer | GemmLayer] = []
    names: dict[str, int] = {}
    for number, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        fields = _fields(raw)
        if len(fields) < len(columns):
            missing = columns[len(fields)]
            raise ParseError(f"missing field {missing!r} (expected {len(columns)} fields: "
                             f"{', '.join(columns)})", source=source, line=number,
                             field=missing)
        if len(fields) > len(columns) + 1:
            raise ParseError(f"{len(fields)} fields, expected {len(columns)} (plus an optional "
                             "N:M sparsity ratio)", source=source, line=number,
                             field=f"column {len(columns) + 2}")
        name = fields[0]
        if not name:
            raise ParseError("empty layer name", source=source, line=number, field=columns[0])
        if name in names:
            raise ParseError(f"layer {name!r} already defined on line {names[name]}",
                             source=source, line=number, field=columns[0])
        names[name] = number
        values: list[int] = []
        for column, field in zip(columns[1:], fields[1:len(columns)], strict=True):
            value = int(field) if _INT_RE.fullmatch(field) else 0
            if value < 1:
                raise ParseError(f"{column} must be a positive integer, got {field!r}",
                                 source=source, line=number, field=column)
            values.append(value)
        sparsity: str | None = None
        if len(fields) > len(columns):
            sparsity = fields[len(columns)]
            n_m = sparsity.split(":")
            if (len(n_m) != 2 or not all(p.isdigit() for p in n_m) or int(n_m[0]) < 1
                    or int(n_m[0]) > int(n_m[1])):
                raise ParseError(f"sparsity must be N:M with 1 ≤ N ≤ M, got {sparsity!r}",
                                 source=source, line=number, field=SPARSITY_COLUMN)
        if detected == "gemm":
            m, n, k = values
            layers.append(GemmLayer(name=name, m=m, n=n, k=k, sparsity=sparsity))
        else:
            ih, iw, fh, fw, ch, nf, stride = values
            if fh > ih:
                raise ParseError(f"Filter Height ({fh}) is larger than IFMAP Height ({ih})",
                                 source=source, line=number, field="Filter Height")
            if fw > iw:
                raise ParseError(f"Filter Width ({fw}) is larger than IFMAP Width ({iw})",
                                 source=source, line=number, field="Filter Width")
            layers.append(ConvLayer(name=name, ifmap_h=ih, ifmap_w=iw, filter_h=fh,
                                    filter_w=fw, channels=ch, num_filters=nf, stride=stride,
                                    sparsity=sparsity))
    if not layers:
        raise ParseError("the topology has a header but no layers", source=source,
                         line=len(lines) + 1)
    return Topology(kind=detected, layers=tuple(layers))  # type: ignore[arg-type]


def parse_topology(path: Path, *, kind: TopologyKind | None = None) -> Topology:
    """Parse a topology CSV file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not a UTF-8 text file ({exc.reason})", source=str(path)) from None
    except OSError as exc:
        raise ParseError(f"cannot read the topology: {exc.strerror}", source=str(path)) from None
    return parse_topology_text(text, source=str(path), kind=kind)


# --------------------------------------------------------------------------------------------
# Writing


def _row(fields: list[str]) -> str:
    return ", ".join(fields) + ",\n"


def topology_text(topology: Topology) -> str:
    """CSV text SCALE-Sim reads back (every row ends with a comma)."""
    columns = GEMM_COLUMNS if topology.kind == "gemm" else CONV_COLUMNS
    out = [_row(list(columns))]
    for layer in topology.layers:
        if isinstance(layer, GemmLayer):
            fields = [layer.name, str(layer.m), str(layer.n), str(layer.k)]
        else:
            fields = [layer.name, str(layer.ifmap_h), str(layer.ifmap_w), str(layer.filter_h),
                      str(layer.filter_w), str(layer.channels), str(layer.num_filters),
                      str(layer.stride)]
        if layer.sparsity is not None:
            fields.append(layer.sparsity)
        out.append(_row(fields))
    return "".join(out)


def write_topology(topology: Topology, path: Path) -> Path:
    path.write_text(topology_text(topology), encoding="utf-8")
    return path


def write_layout_header(path: Path) -> Path:
    """A header-only layout CSV: SCALE-Sim needs one even when custom layouts are off."""
    path.write_text(_row(list(LAYOUT_COLUMNS)), encoding="utf-8")
    return path
