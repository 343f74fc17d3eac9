"""The analytical model against real SCALE-Sim runs on random small layers.

Every run draws new layers (the seed is in the failure message, and SCALESIM_AGREEMENT_SEED
replays one): all three dataflows, GEMM and conv (strides, windows that overhang the image),
non-square arrays, dimensions that are not multiples of the array, and memory configurations with
and without stalls. Compute cycles (Total − Stall) must agree exactly; mapping efficiency and
compute utilisation to rounding; overall utilisation too when SCALE-Sim reports no stalls.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from remote.backends.scalesim.analytical import estimate_topology
from remote.backends.scalesim.config import (
    Dataflow,
    LayoutConfig,
    ScaleSimConfig,
    write_config,
)
from remote.backends.scalesim.runner import run_scalesim
from remote.backends.scalesim.topology import ConvLayer, GemmLayer, Topology, write_topology

RUNS = 12
LAYERS_PER_RUN = 4


def _config(rng: random.Random, dataflow: Dataflow) -> ScaleSimConfig:
    user = rng.random() < 0.5
    sram_kb = rng.choice([1, 2, 64])  # 1–2 kB makes SCALE-Sim stall
    bank_bw = rng.choice([10, 20])
    return ScaleSimConfig(
        run_name="agreement", array_rows=rng.choice([2, 3, 4, 5, 8, 12, 16]),
        array_cols=rng.choice([2, 3, 4, 6, 7, 8, 16]), ifmap_sram_kb=sram_kb,
        filter_sram_kb=sram_kb, ofmap_sram_kb=sram_kb, dataflow=dataflow,
        bandwidth=(rng.choice([1, 2, 10]),), interface_bandwidth="USER" if user else "CALC",
        layout=LayoutConfig(ifmap_sram_bank_bandwidth=bank_bw,
                            filter_sram_bank_bandwidth=bank_bw))


def _gemm(rng: random.Random, index: int) -> GemmLayer:
    return GemmLayer(name=f"G{index}", m=rng.randint(1, 40), n=rng.randint(1, 40),
                     k=rng.randint(1, 40))


def _conv(rng: random.Random, index: int) -> ConvLayer:
    h, w = rng.randint(1, 12), rng.randint(1, 12)
    return ConvLayer(name=f"C{index}", ifmap_h=h, ifmap_w=w, filter_h=rng.randint(1, min(h, 4)),
                     filter_w=rng.randint(1, min(w, 4)), channels=rng.randint(1, 6),
                     num_filters=rng.randint(1, 20), stride=rng.randint(1, 3))


def test_analytical_model_matches_scalesim_on_random_layers(tmp_path: Path,
                                                            scalesim_python: str) -> None:
    seed = int(os.environ.get("SCALESIM_AGREEMENT_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    compared = stalled = 0
    dataflows: list[Dataflow] = ["os", "ws", "is"]
    for run in range(RUNS):
        dataflow = dataflows[run % 3]
        kind = "gemm" if run % 2 else "conv"
        config = _config(rng, dataflow)
        make = _gemm if kind == "gemm" else _conv
        topology = Topology(kind=kind, layers=tuple(make(rng, i) for i in range(LAYERS_PER_RUN)))
        where = tmp_path / f"run{run}"
        where.mkdir()
        report = run_scalesim(write_config(config, where / "c.cfg"),
                              write_topology(topology, where / "t.csv"), where / "out",
                              timeout=120, python=scalesim_python)
        for est, sim in zip(estimate_topology(topology, config), report.layers, strict=True):
            context = (f"seed {seed}, run {run}: {est.name} of {topology.model_dump()} on "
                       f"{config.array_rows}×{config.array_cols} {dataflow}")
            assert est.compute_cycles == sim.compute_cycles, context
            assert est.mapping_efficiency == pytest.approx(sim.mapping_efficiency), context
            assert est.compute_utilization == pytest.approx(sim.compute_util), context
            if sim.stall_cycles == 0:
                assert est.overall_utilization == pytest.approx(sim.overall_util), context
            compared += 1
            stalled += sim.stall_cycles > 0
    assert compared == RUNS * LAYERS_PER_RUN
    print(f"seed {seed}: {compared} layers agree, {stalled} of them with stalls")
