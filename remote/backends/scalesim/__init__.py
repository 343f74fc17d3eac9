"""The ``npu-scalesim`` backend: SCALE-Sim v3 systolic-array NPU simulation (run through its Python
API without traces, possibly in an interpreter of its own) and an analytical model that gives
SCALE-Sim's compute cycles instantly.

Public entry points::

    parse_config(path) -> ScaleSimConfig            write_config(config, path)
    parse_topology(path) -> Topology                write_topology(topology, path)
    compute_cycles(layer, rows, cols, dataflow) -> int
    estimate_layer(layer, rows, cols, dataflow) -> LayerEstimate
    estimate_topology(topology, config) -> list[LayerEstimate]
    estimate_files(config_path, topology_path) -> list[LayerEstimate]
    run_scalesim(config_path, topology_path, outdir, *, timeout) -> ScaleSimReport
    parse_reports(run_dir) -> ScaleSimReport
    to_run_result(report, checks) -> RunResult       load_checks(path) -> list[LayerCheck]
    execute(config_path, topology_path, outdir, *, timeout, checks) -> RunResult
"""

from remote.backends.scalesim.analytical import (
    LayerEstimate,
    compute_cycles,
    estimate_files,
    estimate_layer,
    estimate_topology,
)
from remote.backends.scalesim.config import ScaleSimConfig, parse_config, write_config
from remote.backends.scalesim.reports import LayerReport, ScaleSimReport, parse_reports
from remote.backends.scalesim.runner import (
    LayerCheck,
    execute,
    find_scalesim_python,
    load_checks,
    run_scalesim,
    to_run_result,
)
from remote.backends.scalesim.topology import (
    ConvLayer,
    GemmLayer,
    Topology,
    parse_topology,
    write_topology,
)

__all__ = [
    "ConvLayer", "GemmLayer", "LayerCheck", "LayerEstimate", "LayerReport", "ScaleSimConfig",
    "ScaleSimReport", "Topology", "compute_cycles", "estimate_files", "estimate_layer",
    "estimate_topology",
    "execute", "find_scalesim_python", "load_checks", "parse_config", "parse_reports",
    "parse_topology", "run_scalesim", "to_run_result", "write_config", "write_topology",
]
