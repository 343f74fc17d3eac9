"""The analytical model on its own (the comparison against real SCALE-Sim runs is in
test_agreement.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import InvalidInput
from remote.backends.scalesim.analytical import (
    compute_cycles,
    estimate_files,
    estimate_layer,
    estimate_topology,
    spatio_temporal,
)
from remote.backends.scalesim.config import parse_config
from remote.backends.scalesim.reports import parse_reports
from remote.backends.scalesim.topology import ConvLayer, GemmLayer, parse_topology


def test_reference_run_is_reproduced(fixtures: Path) -> None:
    """out_gemm_example is gemm_small.csv on the 32×32 weight-stationary config."""
    config = parse_config(fixtures / "scale_32x32_ws_calc.cfg")
    topology = parse_topology(fixtures / "gemm_small.csv")
    report = parse_reports(fixtures / "out_gemm_example")
    estimates = estimate_topology(topology, config)
    assert estimates == estimate_files(fixtures / "scale_32x32_ws_calc.cfg",
                                       fixtures / "gemm_small.csv")
    for estimate, layer in zip(estimates, report.layers, strict=True):
        assert estimate.compute_cycles == layer.compute_cycles
        assert estimate.mapping_efficiency == pytest.approx(layer.mapping_efficiency)
        assert estimate.compute_utilization == pytest.approx(layer.compute_util)
        assert estimate.overall_utilization == pytest.approx(layer.overall_util)


def test_weight_stationary_gemm_formula() -> None:
    # ceil(K/R)·ceil(N/C)·(2R + C + M − 2) − 1
    layer = GemmLayer(name="g", m=100, n=70, k=33)
    assert compute_cycles(layer, 16, 8, "ws") == 3 * 9 * (32 + 8 + 100 - 2) - 1
    # os: ceil(M/R)·ceil(N/C)·(K + R + C − 2) − 1 ; is: ceil(K/R)·ceil(M/C)·(2R + C + N − 2) − 1
    assert compute_cycles(layer, 16, 8, "os") == 7 * 9 * (33 + 16 + 8 - 2) - 1
    assert compute_cycles(layer, 16, 8, "is") == 3 * 13 * (32 + 8 + 70 - 2) - 1


def test_conv_maps_to_operand_matrices() -> None:
    conv = ConvLayer(name="c", ifmap_h=10, ifmap_w=12, filter_h=3, filter_w=2, channels=5,
                     num_filters=7, stride=2)
    pixels = 5 * 6  # ceil((10-3+2)/2) × ceil((12-2+2)/2)
    assert spatio_temporal(conv, "os") == (pixels, 7, 30)
    assert spatio_temporal(conv, "ws") == (30, 7, pixels)
    assert spatio_temporal(conv, "is") == (30, pixels, 7)
    estimate = estimate_layer(conv, 4, 4, "os")
    assert estimate.macs == pixels * 30 * 7
    assert estimate.mapping_efficiency == pytest.approx(100 * 30 * 7 / (32 * 8))


def test_full_array_use_is_full_mapping() -> None:
    estimate = estimate_layer(GemmLayer(name="g", m=64, n=64, k=64), 32, 32, "os")
    assert estimate.mapping_efficiency == 100.0 and estimate.folds == 4


def test_bad_arguments(fixtures: Path) -> None:
    layer = GemmLayer(name="g", m=1, n=1, k=1)
    with pytest.raises(InvalidInput):
        compute_cycles(layer, 0, 4, "os")
    with pytest.raises(InvalidInput):
        compute_cycles(layer, 4, 4, "xs")  # type: ignore[arg-type]
    config = parse_config(fixtures / "scale_32x32_ws_calc.cfg")
    sparse = config.model_copy(update={"sparsity": config.sparsity.model_copy(
        update={"support": True})})
    with pytest.raises(InvalidInput, match="sparsity"):
        estimate_topology(parse_topology(fixtures / "gemm_small.csv"), sparse)
