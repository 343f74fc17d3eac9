"""``pim run CONFIG [--json]``: run a run file and print a table or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from core.errors import ChipError

from .model import PimReport, run_workload
from .pimsimulator import STOCK_CASES, PimSimulatorSite, run_pimsimulator
from .runconfig import RunConfig, load_run_config


def _kind_of(w: object) -> str:
    return str(getattr(w, "kind", ""))


def run_config(cfg: RunConfig) -> list[PimReport]:
    if cfg.backend == "pimsimulator":
        if cfg.pimsimulator is None:
            raise ChipError("backend pimsimulator needs a 'pimsimulator: {binary: PATH}' entry")
        kinds = [_kind_of(w) for w in cfg.workloads]
        site = PimSimulatorSite(cfg.pimsimulator.binary, cfg.pimsimulator.workdir,
                                cfg.pimsimulator.timeout_s)
        return run_pimsimulator(site, [k for k in kinds if k in STOCK_CASES])
    return [run_workload(cfg.platform, w) for w in cfg.workloads]


def format_table(reports: list[PimReport], out: TextIO) -> None:
    head = f"{'workload':<28} {'non-PIM cyc':>12} {'PIM cyc':>10} {'speed-up':>9} " \
           f"{'int GB/s':>9} {'ext GB/s':>9} {'util':>6} {'PIM uJ':>9} {'host uJ':>9}"
    out.write(head + "\n" + "-" * len(head) + "\n")
    for r in reports:
        rows = [r, *r.steps]
        for k, x in enumerate(rows):
            name = x.workload if k == 0 else f"  {x.workload}"
            out.write(f"{name[:28]:<28} {x.non_pim.cycles:>12} {x.pim.cycles:>10} "
                      f"{x.speedup:>9.2f} {x.pim.internal_bandwidth_gbs:>9.1f} "
                      f"{x.non_pim.external_bandwidth_gbs:>9.1f} {x.pim_utilisation:>6.1%} "
                      f"{x.pim.energy_uj:>9.2f} {x.non_pim.energy_uj:>9.2f}\n")
    for r in reports:
        if r.pim.phases:
            out.write(f"\n{r.workload}: where the PIM cycles go\n")
            for ph in r.pim.phases:
                out.write(f"  {ph.phase:<16} {ph.cycles:>10} {ph.share:>7.1%}\n")
        for n in r.notes:
            out.write(f"  note: {n}\n")


def cli_main(argv: list[str]) -> int:
    """Entry for ``chipcommons-hub pim run CONFIG [--json]`` (``argv`` may start at ``run``
    or at ``pim``)."""
    args = list(argv)
    if args and args[0] == "pim":
        args = args[1:]
    parser = argparse.ArgumentParser(prog="chipcommons-hub pim")
    sub = parser.add_subparsers(dest="verb", required=True)
    run = sub.add_parser("run", help="run PIM workloads on a platform")
    run.add_argument("config", help="run file (YAML): platform and workloads")
    run.add_argument("--json", action="store_true", help="print JSON")
    try:
        ns = parser.parse_args(args)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    try:
        reports = run_config(load_run_config(ns.config))
    except ChipError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    if ns.json:
        json.dump([r.model_dump(mode="json") for r in reports], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        format_table(reports, sys.stdout)
    return 0
