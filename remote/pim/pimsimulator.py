"""Adapter for Samsung's PIMSimulator (C++ on DRAMSim2), where a farm has it built.

Its PIM benchmarks are gtest cases (``PIMBenchFixture.gemv|add|mul|relu``) with fixed sizes; each
prints a non-PIM and a PIM ``> Cycle : N`` line and a ``> Speed-up : x`` line. This module builds
the command line for a site's binary and parses that output into :class:`PimReport` objects, so a
lab can put PIMSimulator's figures next to ChipCommons' own.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from core.errors import InfrastructureError, InvalidInput, ParseError

from .model import PimReport, SideReport

# The sizes PIMSimulator's stock benchmark cases run (kind -> workload label).
STOCK_CASES: dict[str, str] = {
    "gemv": "GEMV 4096x4096",
    "add": "ADD 1048576",
    "mul": "MUL 2097152",
    "relu": "RELU 4194304",
}

_RUN = re.compile(r"^\[ RUN\s+\]\s+(\S+)\.(\S+)")
_END = re.compile(r"^\[\s+(OK|FAILED)\s+\]\s+(\S+)\.(\S+)(?:\s+\((\d+) ms\))?")
_SIDE = re.compile(r"^\s*(GEMV|ADD|MUL|RELU|BN)\s+\(PIM (enabled|disabled)\)")
_WEIGHT = re.compile(r"Weight data dimension\s*:\s*(\d+)x(\d+)")
_ELT = re.compile(r"Input/output data dimension\s*:\s*(\d+)")
_CYCLE = re.compile(r"^>\s*Cycle\s*:\s*(\d+)")
_SPEEDUP = re.compile(r"^>\s*Speed-up\s*:\s*([0-9.eE+-]+)")


@dataclass(frozen=True)
class PimSimulatorSite:
    """Where a farm keeps PIMSimulator: the ``sim`` binary and the directory it runs from (it
    reads ``ini/`` and ``system_hbm_64ch.ini`` relative to it)."""

    binary: Path
    workdir: Path | None = None
    timeout_s: float = 600.0


def build_command(site: PimSimulatorSite, kinds: list[str]) -> list[str]:
    """The command line that runs PIMSimulator's benchmark cases for ``kinds``."""
    bad = [k for k in kinds if k not in STOCK_CASES]
    if bad or not kinds:
        raise InvalidInput(f"PIMSimulator has benchmark cases only for {sorted(STOCK_CASES)}; "
                           f"got {kinds}", field="kinds")
    tests = ":".join(f"PIMBenchFixture.{k}" for k in kinds)
    return [str(site.binary), f"--gtest_filter={tests}"]


def _tick_us(cycles: int) -> float:
    return round(cycles / 1000.0, 3)  # tCK = 1 ns on its HBM2 platform


def parse_output(text: str, source: str = "PIMSimulator output") -> list[PimReport]:
    """Parse PIMSimulator's gtest output into one report per benchmark case."""
    reports: list[PimReport] = []
    cur: dict[str, object] | None = None
    side = ""
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        m = _RUN.match(line)
        if m:
            cur = {"test": m.group(2), "line": lineno}
            side = ""
            continue
        if cur is None:
            continue
        m = _SIDE.match(line)
        if m:
            cur["kind"] = m.group(1).lower()
            side = "pim" if m.group(2) == "enabled" else "non_pim"
            continue
        m = _WEIGHT.search(line)
        if m:
            cur["label"] = f"GEMV {m.group(1)}x{m.group(2)}"
            continue
        m = _ELT.search(line)
        if m and "kind" in cur:
            cur["label"] = f"{str(cur['kind']).upper()} {m.group(1)}"
            continue
        m = _CYCLE.match(line)
        if m:
            if not side:
                raise ParseError("a cycle count outside a PIM enabled/disabled section",
                                 source=source, line=lineno)
            cur[side] = int(m.group(1))
            continue
        m = _SPEEDUP.match(line)
        if m:
            try:
                cur["speedup"] = float(m.group(1))
            except ValueError:
                raise ParseError(f"bad speed-up value {m.group(1)!r}", source=source,
                                 line=lineno) from None
            continue
        m = _END.match(line)
        if m:
            if "kind" in cur:
                if "pim" not in cur or "non_pim" not in cur:
                    raise ParseError(f"{m.group(2)}.{m.group(3)}: missing a '> Cycle' line",
                                     source=source, line=lineno)
                reports.append(_report(cur, passed=m.group(1) == "OK",
                                       wall_ms=int(m.group(4)) if m.group(4) else None))
            cur = None
    if cur is not None and "kind" in cur:
        raise ParseError("output ends inside a test case (did PIMSimulator crash?)",
                         source=source, line=int(str(cur["line"])))
    if not reports:
        raise ParseError("no PIMSimulator benchmark results found", source=source)
    return reports


def _report(cur: dict[str, object], passed: bool, wall_ms: int | None) -> PimReport:
    non_pim = int(str(cur["non_pim"]))
    pim = int(str(cur["pim"]))
    speedup = float(str(cur["speedup"])) if "speedup" in cur else non_pim / max(1, pim)
    notes = [] if passed else ["PIMSimulator's own expectation (speed-up > 2) failed"]
    if wall_ms is not None:
        notes.append(f"PIMSimulator wall time {wall_ms} ms")
    kind = str(cur["kind"])
    return PimReport(
        workload=str(cur.get("label", kind.upper())), kind=kind,
        platform="PIMSimulator HBM2 64 pseudo-channels", source="pimsimulator",
        non_pim=SideReport(cycles=non_pim, time_us=_tick_us(non_pim)),
        pim=SideReport(cycles=pim, time_us=_tick_us(pim)), speedup=speedup,
        notes=notes)


def run_pimsimulator(site: PimSimulatorSite, kinds: list[str]) -> list[PimReport]:
    """Run the site's PIMSimulator for ``kinds`` and parse its output."""
    cmd = build_command(site, kinds)
    if not site.binary.is_file():
        raise InfrastructureError(f"PIMSimulator binary not found at {site.binary}")
    try:
        proc = subprocess.run(cmd, cwd=site.workdir or site.binary.parent, capture_output=True,
                              text=True, timeout=site.timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise InfrastructureError(f"PIMSimulator did not finish in {site.timeout_s} s") from None
    except OSError as exc:
        raise InfrastructureError(f"cannot run PIMSimulator: {exc}") from None
    # gtest exits 1 when PIMSimulator's own speed-up expectation fails; results are still there
    return parse_output(proc.stdout, source=str(site.binary))
