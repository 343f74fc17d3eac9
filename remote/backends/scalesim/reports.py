"""SCALE-Sim's report CSVs: ``COMPUTE_REPORT.csv``, ``BANDWIDTH_REPORT.csv`` and
``DETAILED_ACCESS_REPORT.csv`` in ``OUTDIR/<run_name>/``.

Columns are found by their header names (spaces after commas and the trailing comma are
tolerated), so the extra ``Avg FILTER Metadata SRAM BW`` column of sparse runs is read too.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from core.errors import ParseError

COMPUTE_REPORT = "COMPUTE_REPORT.csv"
BANDWIDTH_REPORT = "BANDWIDTH_REPORT.csv"
DETAILED_ACCESS_REPORT = "DETAILED_ACCESS_REPORT.csv"
SPARSE_REPORT = "SPARSE_REPORT.csv"
REPORT_FILES = (COMPUTE_REPORT, BANDWIDTH_REPORT, DETAILED_ACCESS_REPORT)

_N = TypeVar("_N", int, float)


class LayerReport(BaseModel):
    """One layer's row of the three reports (cycles are SCALE-Sim cycles, bandwidths in words
    per cycle, accesses in words)."""

    model_config = ConfigDict(frozen=True)

    layer_id: int
    name: str = ""
    # COMPUTE_REPORT
    total_cycles_incl_prefetch: int
    total_cycles: int
    stall_cycles: int
    overall_util: float
    mapping_efficiency: float
    compute_util: float
    # BANDWIDTH_REPORT
    avg_ifmap_sram_bw: float
    avg_filter_sram_bw: float
    avg_filter_metadata_sram_bw: float | None = None
    avg_ofmap_sram_bw: float
    avg_ifmap_dram_bw: float
    avg_filter_dram_bw: float
    avg_ofmap_dram_bw: float
    # DETAILED_ACCESS_REPORT
    sram_ifmap_start_cycle: float
    sram_ifmap_stop_cycle: float
    sram_ifmap_reads: int
    sram_filter_start_cycle: float
    sram_filter_stop_cycle: float
    sram_filter_reads: int
    sram_ofmap_start_cycle: float
    sram_ofmap_stop_cycle: float
    sram_ofmap_writes: int
    dram_ifmap_start_cycle: float
    dram_ifmap_stop_cycle: float
    dram_ifmap_reads: int
    dram_filter_start_cycle: float
    dram_filter_stop_cycle: float
    dram_filter_reads: int
    dram_ofmap_start_cycle: float
    dram_ofmap_stop_cycle: float
    dram_ofmap_writes: int

    @property
    def compute_cycles(self) -> int:
        """``Total Cycles − Stall Cycles`` (what the analytical model predicts)."""
        return self.total_cycles - self.stall_cycles

    @property
    def sram_reads(self) -> int:
        return self.sram_ifmap_reads + self.sram_filter_reads

    @property
    def dram_reads(self) -> int:
        return self.dram_ifmap_reads + self.dram_filter_reads


class ScaleSimReport(BaseModel):
    """A whole run's reports."""

    model_config = ConfigDict(frozen=True)

    run_dir: str
    layers: tuple[LayerReport, ...]
    files: tuple[str, ...]  # report files found in run_dir, by name

    @property
    def total_cycles(self) -> int:
        return sum(layer.total_cycles for layer in self.layers)

    @property
    def stall_cycles(self) -> int:
        return sum(layer.stall_cycles for layer in self.layers)

    @property
    def compute_cycles(self) -> int:
        return sum(layer.compute_cycles for layer in self.layers)

    def layer(self, key: int | str) -> LayerReport:
        """A layer by its id or its topology name."""
        for layer in self.layers:
            if (isinstance(key, int) and layer.layer_id == key) or layer.name == key:
                return layer
        raise KeyError(key)


# report -> column header -> (field, type)
_COLUMNS: dict[str, dict[str, tuple[str, type]]] = {
    COMPUTE_REPORT: {
        "Total Cycles (incl. prefetch)": ("total_cycles_incl_prefetch", int),
        "Total Cycles": ("total_cycles", int),
        "Stall Cycles": ("stall_cycles", int),
        "Overall Util %": ("overall_util", float),
        "Mapping Efficiency %": ("mapping_efficiency", float),
        "Compute Util %": ("compute_util", float),
    },
    BANDWIDTH_REPORT: {
        "Avg IFMAP SRAM BW": ("avg_ifmap_sram_bw", float),
        "Avg FILTER SRAM BW": ("avg_filter_sram_bw", float),
        "Avg FILTER Metadata SRAM BW": ("avg_filter_metadata_sram_bw", float),
        "Avg OFMAP SRAM BW": ("avg_ofmap_sram_bw", float),
        "Avg IFMAP DRAM BW": ("avg_ifmap_dram_bw", float),
        "Avg FILTER DRAM BW": ("avg_filter_dram_bw", float),
        "Avg OFMAP DRAM BW": ("avg_ofmap_dram_bw", float),
    },
    DETAILED_ACCESS_REPORT: {
        f"{mem} {op} {what}": (f"{mem.lower()}_{op.lower()}_{field}", kind)
        for mem in ("SRAM", "DRAM")
        for op, verb in (("IFMAP", "Reads"), ("Filter", "Reads"), ("OFMAP", "Writes"))
        for what, field, kind in (("Start Cycle", "start_cycle", float),
                                  ("Stop Cycle", "stop_cycle", float),
                                  (verb, verb.lower(), int))
    },
}
_OPTIONAL = {"avg_filter_metadata_sram_bw"}


def _number(text: str, kind: type[_N]) -> _N:
    if kind is int:
        # Sparse runs scale IFMAP reads by M/N, which can leave a fraction: round it.
        return round(float(text))  # type: ignore[return-value]
    return kind(text)


def _read_csv(path: Path) -> dict[int, dict[str, float | int]]:
    """``{layer_id: {field: value}}`` from one report."""
    columns = _COLUMNS[path.name]
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ParseError(f"cannot read the report: {exc.strerror}", source=str(path)) from None
    if not lines:
        raise ParseError("empty report", source=str(path), line=1)

    def split(line: str) -> list[str]:
        parts = [p.strip() for p in line.split(",")]
        return parts[:-1] if parts and parts[-1] == "" else parts

    header = split(lines[0])
    if not header or header[0] != "LayerID":
        raise ParseError("the header does not start with LayerID", source=str(path), line=1,
                         field=header[0] if header else "")
    for name, (field, _) in columns.items():
        if name not in header and field not in _OPTIONAL:
            raise ParseError(f"missing column {name!r}", source=str(path), line=1, field=name)
    rows: dict[int, dict[str, float | int]] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        values = split(line)
        if len(values) != len(header):
            raise ParseError(f"{len(values)} fields, the header has {len(header)}",
                             source=str(path), line=number)
        try:
            layer_id = int(values[0])
        except ValueError:
            raise ParseError(f"LayerID must be an integer, got {values[0]!r}", source=str(path),
                             line=number, field="LayerID") from None
        row: dict[str, float | int] = {}
        for name, value in zip(header[1:], values[1:], strict=True):
            if name not in columns:
                continue
            field, kind = columns[name]
            try:
                row[field] = _number(value, kind)
            except (ValueError, OverflowError):
                raise ParseError(f"{name} must be a number, got {value!r}", source=str(path),
                                 line=number, field=name) from None
        rows[layer_id] = row
    return rows


def parse_reports(run_dir: Path, layer_names: list[str] | None = None) -> ScaleSimReport:
    """Read the three reports in ``run_dir`` (``OUTDIR/<run_name>``). ``layer_names`` (the
    simulated layers in order, e.g. from :func:`~.topology.expand_depthwise`) names the rows."""
    for name in REPORT_FILES:
        if not (run_dir / name).is_file():
            raise ParseError(f"SCALE-Sim wrote no {name}", source=str(run_dir / name))
    tables = [_read_csv(run_dir / name) for name in REPORT_FILES]
    ids = sorted(tables[0])
    for name, table in zip(REPORT_FILES[1:], tables[1:], strict=True):
        if sorted(table) != ids:
            raise ParseError(f"{name} lists layers {sorted(table)} but {COMPUTE_REPORT} lists "
                             f"{ids}", source=str(run_dir / name))
    if layer_names is not None and len(layer_names) != len(ids):
        raise ParseError(f"the reports list {len(ids)} layers, the topology has "
                         f"{len(layer_names)}", source=str(run_dir / COMPUTE_REPORT))
    layers = []
    for index, layer_id in enumerate(ids):
        merged: dict[str, float | int | str] = {"layer_id": layer_id}
        for table in tables:
            merged.update(table[layer_id])
        if layer_names is not None:
            merged["name"] = layer_names[index]
        layers.append(LayerReport.model_validate(merged))
    files = tuple(sorted(p.name for p in run_dir.iterdir() if p.suffix == ".csv"))
    return ScaleSimReport(run_dir=str(run_dir), layers=tuple(layers), files=files)
