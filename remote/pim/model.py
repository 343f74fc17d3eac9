"""Running workloads: PIM kernel against the host baseline, and the report a student reads."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from core.errors import InvalidInput

from .config import Platform
from .kernels import KernelRun, baseline, eltwise_pim, gemv_pim
from .workloads import Eltwise, Gemv, Sequence


class PhaseRow(BaseModel):
    phase: str
    cycles: int
    share: float


class SideReport(BaseModel):
    """One way of running the workload (PIM kernel or host baseline)."""

    cycles: int
    time_us: float
    commands: dict[str, int] = Field(default_factory=dict, description="per channel")
    phases: list[PhaseRow] = Field(default_factory=list)
    external_bandwidth_gbs: float = 0.0
    internal_bandwidth_gbs: float = 0.0
    energy_uj: float = 0.0


class PimReport(BaseModel):
    workload: str
    kind: str
    platform: str
    source: str = "chipcommons"  # or "pimsimulator" when parsed from PIMSimulator output
    non_pim: SideReport
    pim: SideReport
    speedup: float
    pim_utilisation: float = Field(0.0, description="share of PIM cycles the units compute")
    pim_ops: int = 0
    extrapolated: bool = False
    notes: list[str] = Field(default_factory=list)
    steps: list[PimReport] = Field(default_factory=list)

    @property
    def pim_cycles(self) -> int:
        return self.pim.cycles

    @property
    def non_pim_cycles(self) -> int:
        return self.non_pim.cycles


def _energy_uj(p: Platform, run: KernelRun, pim: bool) -> float:
    e = p.energy
    ch = p.organisation.channels
    c = run.commands
    pj = ch * (c.get("ACT", 0) * e.act_pj + c.get("REF", 0) * e.ref_pj)
    if pim:
        # every all-bank column command reads/writes one burst in each participating bank
        banks = p.organisation.banks // (2 if p.pim.units_per_bank_pair == 1 else 1)
        pj += run.internal_bytes / p.burst_bytes * e.read_pj
        # mode/operand/host writes of the PIM protocol still cross the external bus
        other = run.column_commands - run.pim_commands
        pj += ch * max(0, other) * (e.write_pj + p.burst_bytes * 8 * e.io_pj_per_bit)
        pj += run.pim_ops * e.pim_op_pj
        # ACT in all-bank mode opens every participating bank
        pj += ch * c.get("ACT", 0) * e.act_pj * (banks - 1)
    else:
        pj += ch * c.get("RD", 0) * e.read_pj + ch * c.get("WR", 0) * e.write_pj
        pj += run.host_bytes * 8 * e.io_pj_per_bit
    seconds = run.cycles * p.timing.tCK * 1e-9
    pj += e.background_mw_per_channel * 1e-3 * ch * seconds * 1e12
    return pj * 1e-6


def _side(p: Platform, run: KernelRun, pim: bool) -> SideReport:
    ns = run.cycles * p.timing.tCK
    total = sum(run.phase_cycles.values()) or 1
    phases = [PhaseRow(phase=k, cycles=v, share=round(v / total, 4))
              for k, v in run.phase_cycles.items() if v > 0]
    ext = run.host_bytes / ns if ns else 0.0
    internal = run.internal_bytes / ns if ns else 0.0
    return SideReport(cycles=run.cycles, time_us=round(ns / 1000, 3), commands=run.commands,
                      phases=phases, external_bandwidth_gbs=round(ext, 2),
                      internal_bandwidth_gbs=round(internal, 2),
                      energy_uj=round(_energy_uj(p, run, pim), 3))


def _check_fits(p: Platform, w: Gemv | Eltwise) -> None:
    eb = p.element_bytes
    need = (w.rows * w.cols + w.rows + w.cols) * eb if isinstance(w, Gemv) else (
        (3 if w.kind != "relu" else 2) * w.elements * eb)
    if need > p.capacity_bytes:
        raise InvalidInput(f"{w.label()} needs {need / 2**20:.1f} MiB but the platform holds "
                           f"{p.capacity_bytes / 2**20:.1f} MiB", field="workload")


def _run_kernel(p: Platform, w: Gemv | Eltwise) -> PimReport:
    _check_fits(p, w)
    base = baseline(p, w)
    pim = gemv_pim(p, w) if isinstance(w, Gemv) else eltwise_pim(p, w)
    util = min(1.0, pim.pim_commands * max(p.timing.tCCD_L, p.pim_op_cycles) / max(1, pim.cycles))
    return PimReport(
        workload=w.label(), kind=w.kind, platform=p.name, non_pim=_side(p, base, False),
        pim=_side(p, pim, True), speedup=round(base.cycles / max(1, pim.cycles), 4),
        pim_utilisation=round(util, 4), pim_ops=pim.pim_ops,
        extrapolated=base.extrapolated or pim.extrapolated, notes=base.notes + pim.notes)


def _combine(p: Platform, seq: Sequence, steps: list[PimReport]) -> PimReport:
    def side(get: str) -> SideReport:
        parts = [getattr(s, get) for s in steps]
        cycles = sum(x.cycles for x in parts)
        cmds: dict[str, int] = {}
        phases: dict[str, int] = {}
        for x in parts:
            for k, v in x.commands.items():
                cmds[k] = cmds.get(k, 0) + v
            for ph in x.phases:
                phases[ph.phase] = phases.get(ph.phase, 0) + ph.cycles
        total = sum(phases.values()) or 1
        ext = sum(x.external_bandwidth_gbs * x.cycles for x in parts) / max(1, cycles)
        internal = sum(x.internal_bandwidth_gbs * x.cycles for x in parts) / max(1, cycles)
        return SideReport(
            cycles=cycles, time_us=round(cycles * p.timing.tCK / 1000, 3), commands=cmds,
            phases=[PhaseRow(phase=k, cycles=v, share=round(v / total, 4))
                    for k, v in phases.items()],
            external_bandwidth_gbs=round(ext, 2), internal_bandwidth_gbs=round(internal, 2),
            energy_uj=round(sum(x.energy_uj for x in parts), 3))

    non_pim, pim = side("non_pim"), side("pim")
    util = sum(s.pim_utilisation * s.pim.cycles for s in steps) / max(1, pim.cycles)
    return PimReport(workload=seq.label(), kind="sequence", platform=p.name, non_pim=non_pim,
                     pim=pim, speedup=round(non_pim.cycles / max(1, pim.cycles), 4),
                     pim_utilisation=round(util, 4), pim_ops=sum(s.pim_ops for s in steps),
                     extrapolated=any(s.extrapolated for s in steps), steps=steps)


def run_workload(platform: Platform, workload: Gemv | Eltwise | Sequence) -> PimReport:
    """Run one workload as a PIM kernel and as the host baseline; report both."""
    if isinstance(workload, Sequence):
        steps = [_run_kernel(platform, s) for s in workload.steps]
        return _combine(platform, workload, steps)
    return _run_kernel(platform, workload)


def sweep_gemv(platform: Platform, shapes: Iterable[tuple[int, int]]) -> list[PimReport]:
    """Run GEMV for each (rows, cols) shape."""
    return [run_workload(platform, Gemv(rows=r, cols=c)) for r, c in shapes]
