"""An analytical systolic-array model that gives SCALE-Sim v3's compute cycles instantly.

Derived from SCALE-Sim 3.0.0's compute modules (``scalesim/compute/systolic_compute_{os,ws,is}.py``)
and its memory loop (``double_buffered_scratchpad_mem.service_memory_requests``):

* Every layer is a matrix product of SCALE-Sim's operand matrices: the IFMAP matrix has one row per
  output pixel (``P = ofmap_h · ofmap_w``) and one column per element of the convolution window
  (``W = filter_h · filter_w · channels``); the filter matrix is ``W × F`` (``F`` = number of
  filters). A GEMM ``M, N, K`` is read as an ``M × K`` "image" with a ``1 × K`` filter and ``N``
  filters, so ``P = M``, ``W = K``, ``F = N``.
* The dataflow decides which operand dimension spreads over the array rows (``Sr``), which over the
  columns (``Sc``) and which streams in time (``T``)::

      os: Sr = P, Sc = F, T = W      ws: Sr = W, Sc = F, T = P      is: Sr = W, Sc = P, T = F

* The operands are cut into ``ceil(Sr/R) · ceil(Sc/C)`` folds for an ``R × C`` array. Each fold
  contributes a fixed number of lines to the OFMAP demand matrix: ``T + R + C − 2`` for output
  stationary, ``2R + C + T − 2`` for weight and input stationary (the weights or inputs take ``R``
  cycles to load). SCALE-Sim serves one demand line per cycle; ``Total Cycles − Stall Cycles`` is
  the last line's index, i.e. ``folds · lines_per_fold − 1``.
* Mapping efficiency is the mean over folds of the used fraction of the array, which factorises to
  ``Sr·Sc / (ceil(Sr/R)·R · ceil(Sc/C)·C)``; SCALE-Sim's compute utilisation per fold is
  ``used · T / (R·C · fold_cycles)`` with ``fold_cycles = T + R + C − 2`` (os) or
  ``2R + 2C + T − 3`` (ws, is), so its mean is ``mapping_efficiency · T / fold_cycles``.

Stall cycles (bandwidth, SRAM sizes) and the prefetch-inclusive total come from SCALE-Sim's memory
model and are not modelled here. Sparsity is not modelled.
"""

from __future__ import annotations

import math
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from core.errors import InvalidInput
from remote.backends.scalesim.config import Dataflow, ScaleSimConfig, parse_config
from remote.backends.scalesim.topology import (
    ConvLayer,
    GemmLayer,
    Layer,
    Topology,
    expand_depthwise,
    parse_topology,
)


class OperandDims(BaseModel):
    """A layer as SCALE-Sim's GEMM view: output pixels, window size, filters, MACs."""

    model_config = ConfigDict(frozen=True)

    ofmap_pixels: int
    window: int
    filters: int

    @property
    def macs(self) -> int:
        return self.ofmap_pixels * self.window * self.filters


class LayerEstimate(BaseModel):
    """The analytical model's prediction for one layer on one array."""

    model_config = ConfigDict(frozen=True)

    name: str
    dataflow: Dataflow
    array_rows: int
    array_cols: int
    sr: int
    sc: int
    t: int
    folds: int
    compute_cycles: int
    macs: int
    mapping_efficiency: float   # %, as SCALE-Sim's "Mapping Efficiency %"
    compute_utilization: float  # %, as SCALE-Sim's "Compute Util %"
    overall_utilization: float  # %, SCALE-Sim's "Overall Util %" when there are no stalls


def operand_dims(layer: Layer) -> OperandDims:
    if isinstance(layer, GemmLayer):
        return OperandDims(ofmap_pixels=layer.m, window=layer.k, filters=layer.n)
    if isinstance(layer, ConvLayer):
        return OperandDims(ofmap_pixels=layer.ofmap_h * layer.ofmap_w,
                           window=layer.filter_h * layer.filter_w * layer.channels,
                           filters=layer.num_filters)
    raise InvalidInput(f"not a SCALE-Sim layer: {layer!r}")


def spatio_temporal(layer: Layer, dataflow: Dataflow) -> tuple[int, int, int]:
    """``(Sr, Sc, T)`` of ``layer`` under ``dataflow``."""
    d = operand_dims(layer)
    if dataflow == "os":
        return d.ofmap_pixels, d.filters, d.window
    if dataflow == "ws":
        return d.window, d.filters, d.ofmap_pixels
    if dataflow == "is":
        return d.window, d.ofmap_pixels, d.filters
    raise InvalidInput(f"unknown dataflow {dataflow!r} (os, ws or is)", field="dataflow")


def _check_array(array_rows: int, array_cols: int) -> None:
    if array_rows < 1 or array_cols < 1:
        raise InvalidInput(f"array must be at least 1×1, got {array_rows}×{array_cols}",
                           field="array")


def _lines_per_fold(t: int, rows: int, cols: int, dataflow: Dataflow) -> int:
    return t + rows + cols - 2 if dataflow == "os" else 2 * rows + cols + t - 2


def compute_cycles(layer: Layer, array_rows: int, array_cols: int, dataflow: Dataflow) -> int:
    """SCALE-Sim's ``Total Cycles − Stall Cycles`` for ``layer`` on an ``R × C`` array."""
    _check_array(array_rows, array_cols)
    sr, sc, t = spatio_temporal(layer, dataflow)
    folds = math.ceil(sr / array_rows) * math.ceil(sc / array_cols)
    return folds * _lines_per_fold(t, array_rows, array_cols, dataflow) - 1


def estimate_layer(layer: Layer, array_rows: int, array_cols: int,
                   dataflow: Dataflow) -> LayerEstimate:
    """Cycles, mapping efficiency and utilisation of ``layer`` (no memory stalls)."""
    _check_array(array_rows, array_cols)
    sr, sc, t = spatio_temporal(layer, dataflow)
    row_folds, col_folds = math.ceil(sr / array_rows), math.ceil(sc / array_cols)
    folds = row_folds * col_folds
    cycles = folds * _lines_per_fold(t, array_rows, array_cols, dataflow) - 1
    mapping = (sr * sc) / (row_folds * array_rows * col_folds * array_cols)
    fold_cycles = (t + array_rows + array_cols - 2 if dataflow == "os"
                   else 2 * array_rows + 2 * array_cols + t - 3)
    macs = operand_dims(layer).macs
    return LayerEstimate(
        name=layer.name, dataflow=dataflow, array_rows=array_rows, array_cols=array_cols,
        sr=sr, sc=sc, t=t, folds=folds, compute_cycles=cycles, macs=macs,
        mapping_efficiency=100.0 * mapping,
        compute_utilization=100.0 * mapping * t / fold_cycles,
        overall_utilization=100.0 * macs / (cycles * array_rows * array_cols),
    )


def estimate_topology(topology: Topology, config: ScaleSimConfig) -> list[LayerEstimate]:
    """One estimate per layer SCALE-Sim would report (depth-wise ``DP`` layers split per
    channel, as SCALE-Sim does)."""
    if config.sparsity.support:
        raise InvalidInput("the analytical model does not model sparsity (SparsitySupport is "
                           "true)", field="SparsitySupport")
    return [estimate_layer(layer, config.array_rows, config.array_cols, config.dataflow)
            for layer in expand_depthwise(topology)]


def estimate_files(config_path: Path, topology_path: Path) -> list[LayerEstimate]:
    """The instant preview of a SCALE-Sim job from its input files (validated like a run)."""
    return estimate_topology(parse_topology(Path(topology_path)), parse_config(Path(config_path)))
