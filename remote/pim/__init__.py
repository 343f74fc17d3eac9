"""ChipCommons' PIM simulator: HBM-PIM-class bank-level processing-in-memory with command-level
DRAM timing (the farm's ``pim`` backend), plus an adapter for Samsung's PIMSimulator."""

from .cli import cli_main, run_config
from .config import Platform, load_platform, preset_names
from .grading import report_to_run_result, run_backend
from .model import PimReport, run_workload, sweep_gemv
from .pimsimulator import PimSimulatorSite, build_command, parse_output, run_pimsimulator
from .runconfig import RunConfig, load_run_config
from .workloads import Eltwise, Gemv, Sequence, decoder_layer

__all__ = [
    "Eltwise",
    "Gemv",
    "PimReport",
    "PimSimulatorSite",
    "Platform",
    "RunConfig",
    "Sequence",
    "build_command",
    "cli_main",
    "decoder_layer",
    "load_platform",
    "load_run_config",
    "parse_output",
    "preset_names",
    "report_to_run_result",
    "run_backend",
    "run_config",
    "run_pimsimulator",
    "run_workload",
    "sweep_gemv",
]
