"""The command streams of each workload, as one pseudo-channel sees them.

PIM kernels follow the HBM-PIM programming model: park the banks, switch single-bank (SB) to
all-bank (AB) mode, write the PIM program into the CRF, toggle AB-PIM mode, then every column
command to bank 0 or 1 of bank group 0 is broadcast to all even or odd banks and drives the PIM
units; operands move host→GRF with writes to the PIM register row; results go GRF→bank with
writes; finally AB→SB and park out. Every group of commands ends with a fence (barrier), as the
kernel must keep program order. The baseline streams the same operands over the external bus.

All channels run the same stream, so one channel is simulated and the result scaled. Long
streams of identical command groups are simulated for a prefix and the rest is extrapolated from
the measured steady-state period (aligned to whole refresh intervals where possible).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from core.errors import InvalidInput

from .config import Platform
from .dram import COMMAND_NAMES, ChannelSim, ChannelTiming, Request
from .workloads import Eltwise, Gemv

PHASES = (
    "host read",            # 0 baseline: operands over the external bus
    "host write",           # 1 baseline: result over the external bus
    "setup",                # 2 park in, SB->AB mode change, CRF programming
    "mode toggle",          # 3 AB <-> AB-PIM
    "operand to GRF",       # 4 host writes into the PIM register files / bank->GRF fill
    "compute",              # 5 MAC / ADD / MUL / RELU column commands
    "write-back",           # 6 GRF -> bank
    "exit",                 # 7 AB->SB mode change, park out
)
P_HREAD, P_HWRITE, P_SETUP, P_TOGGLE, P_OPERAND, P_COMPUTE, P_WB, P_EXIT = range(8)

# Requests simulated in full before the rest of a stream is extrapolated.
_STREAM_LIMIT = 3200
_TILE_LIMIT = 12000


def channel_timing(p: Platform) -> ChannelTiming:
    t = p.timing
    bl2 = max(1, t.burst_length // t.data_rate)  # clocks a burst holds the data bus
    rcdwr = t.tRCDWR if t.tRCDWR is not None else t.tRCD
    return ChannelTiming(
        tRCDRD=t.tRCD, tRCDWR=rcdwr, tRP=t.tRP, tRAS=t.tRAS,
        tRC=t.tRC if t.tRC is not None else t.tRAS + t.tRP,
        tRRD_S=t.tRRD_S, tRRD_L=t.tRRD_L, tFAW=t.tFAW, tCCD_S=t.tCCD_S, tCCD_L=t.tCCD_L,
        read_to_pre=bl2 + max(t.tRTP, t.tCCD_L) - t.tCCD_L,
        write_to_pre=t.CWL + bl2 + t.tWR,
        read_to_write=max(1, t.CL + bl2 + t.tRTRS - t.CWL),
        write_to_read=t.CWL + bl2 + t.tWTR_L,
        read_latency=t.CL, write_latency=t.CWL, burst_cycles=bl2,
        tRFC=t.tRFC, tREFI=t.tREFI, first_refresh=max(1, t.tREFI // p.organisation.ranks),
        min_column_gap=p.pim_op_cycles,
        queue_depth=p.organisation.queue_depth, banks=p.organisation.banks,
        banks_per_group=p.organisation.banks // p.organisation.bank_groups,
    )


@dataclass
class KernelRun:
    """Cycles and command counts of one kernel on one (representative) channel."""

    cycles: int
    commands: dict[str, int]
    phase_cycles: dict[str, int]
    column_commands: int
    pim_commands: int = 0
    host_bytes: int = 0  # over the external bus, all channels
    internal_bytes: int = 0  # touched inside the banks by PIM commands, all channels
    pim_ops: int = 0  # SIMD operations, all units of all channels
    extrapolated: bool = False
    notes: list[str] = field(default_factory=list)


def _scale(sim: ChannelSim, start: int, factor: float, extra_cycles: int) -> KernelRun:
    st = sim.stats
    cmds = {COMMAND_NAMES[i]: round(n * factor) for i, n in enumerate(st.commands)}
    total_attr = sum(st.phase_cycles.values()) or 1
    cycles = sim.now - start + extra_cycles
    phases = {PHASES[k]: v / total_attr for k, v in st.phase_cycles.items()}
    # Distribute the whole run (including the drain) over phases by their attributed share.
    phase_cycles = {k: round(v * cycles) for k, v in phases.items()}
    col = round((st.commands[0] + st.commands[1]) * factor)
    return KernelRun(cycles=cycles, commands=cmds, phase_cycles=phase_cycles,
                     column_commands=col)


def _refresh_rate(sim: ChannelSim, lo_req: int) -> float | None:
    """Cycles per request averaged over whole refresh intervals after ``lo_req`` requests."""
    refs = [r for r in sim.stats.refreshes if r[1] >= lo_req]
    if len(refs) >= 2 and refs[-1][1] > refs[0][1]:
        return (refs[-1][0] - refs[0][0]) / (refs[-1][1] - refs[0][1])
    return None


# -- the host baseline ---------------------------------------------------------------------------
def _stream(p: Platform, first: int, count: int, write: bool, phase: int) -> Iterator[Request]:
    """``count`` consecutive bursts of one channel from its ``first`` burst on (the controller's
    address map interleaves channels, then banks in a group, then bank groups, then columns)."""
    o = p.organisation
    bpg = o.banks // o.bank_groups
    per_row = p.bursts_per_row
    for i in range(first, first + count):
        b = i % o.banks
        bank = (b % bpg) + (b // bpg) * bpg
        col = (i // o.banks) % per_row
        row = (i // (o.banks * per_row)) % o.rows
        yield Request(write, bank, row, col, phase, mark=i - first)


def _run_stream(sim: ChannelSim, p: Platform, first: int, count: int, write: bool,
                phase: int) -> int:
    """Simulate a streaming transfer; extrapolate past ``_STREAM_LIMIT`` bursts. Returns the
    cycles to add on top of what the simulator advanced (0 when simulated in full)."""
    if count <= _STREAM_LIMIT:
        sim.run(_stream(p, first, count, write, phase))
        return 0
    done_before = sim.stats.requests_done
    sim.run(_stream(p, first, _STREAM_LIMIT, write, phase))
    rate = _refresh_rate(sim, done_before + _STREAM_LIMIT // 4)
    if rate is None:
        m = sim.stats.marks
        lo = _STREAM_LIMIT // 4
        rate = (m[_STREAM_LIMIT - 1] - m[lo]) / (_STREAM_LIMIT - 1 - lo)
    extra = round(rate * (count - _STREAM_LIMIT))
    # keep the per-phase accounting in proportion
    st = sim.stats
    st.phase_cycles[phase] = st.phase_cycles.get(phase, 0) + extra
    factor = count / _STREAM_LIMIT
    kind = 1 if write else 0
    st.commands[kind] += round((factor - 1) * _STREAM_LIMIT)
    return extra


def baseline(p: Platform, w: Gemv | Eltwise) -> KernelRun:
    """The host streams the operands in, then writes the result (two drained transfers)."""
    o = p.organisation
    eb = p.element_bytes
    if isinstance(w, Gemv):
        read_bytes = math.ceil(w.rows * w.cols * eb) + math.ceil(w.cols * eb)
        write_bytes = math.ceil(w.rows * eb)
    else:
        n_in = 1 if w.kind == "relu" else 2
        read_bytes = n_in * math.ceil(w.elements * eb)
        write_bytes = math.ceil(w.elements * eb)
    per_ch = o.channels * p.burst_bytes
    rd = math.ceil(read_bytes / per_ch)
    wr = math.ceil(write_bytes / per_ch)
    sim = ChannelSim(channel_timing(p))
    extra = _run_stream(sim, p, 0, rd, False, P_HREAD)
    extra += _run_stream(sim, p, rd, wr, True, P_HWRITE)
    run = _scale(sim, 0, 1.0, extra)
    run.commands["RD"] = sim.stats.commands[0]
    run.commands["WR"] = sim.stats.commands[1]
    run.column_commands = sim.stats.commands[0] + sim.stats.commands[1]
    run.host_bytes = (rd + wr) * per_ch
    if extra:
        run.extrapolated = True
        run.notes.append("long transfer: steady-state period measured and extrapolated")
    return run


# -- PIM kernels ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Rows:
    """Rows the PIM protocol reserves at the top of every bank."""

    cfg: int  # PIM register/configuration row (GRF, CRF, control)
    to_ab: int  # SB -> AB mode-register row
    to_sb: int  # AB -> SB mode-register row
    park: int  # park row


def _rows(p: Platform) -> _Rows:
    r = p.organisation.rows
    return _Rows(cfg=r - 1, to_ab=r - 2, to_sb=r - 3, park=r - 4)


def _program_writes(p: Platform, n_instr: int) -> int:
    if n_instr > p.pim.crf:
        raise InvalidInput(f"the PIM program needs {n_instr} CRF slots; pim.crf is {p.pim.crf}",
                           field="pim.crf")
    per_write = max(1, p.burst_bytes // 4)  # 32-bit instructions per burst
    return math.ceil(n_instr / per_write)


class _Builder:
    """Collects one channel's request list with fences."""

    def __init__(self, p: Platform) -> None:
        self.p = p
        self.reqs: list[Request] = []
        self.rows = _rows(p)
        o = p.organisation
        self.bpg = o.banks // o.bank_groups
        self.per_row = p.bursts_per_row

    def fence(self) -> None:
        if self.reqs:
            self.reqs[-1].barrier = True

    def add(self, write: bool, bank: int, row: int, col: int, phase: int,
            pim: bool = False, mark: int = -1) -> None:
        row += col // self.per_row
        col %= self.per_row
        self.reqs.append(Request(write, bank, row, col, phase, pim=pim, mark=mark))

    def group(self, write: bool, bank: int, row: int, col: int, n: int, phase: int,
              pim: bool = True) -> None:
        for k in range(n):
            self.add(write, bank, row, col + k, phase, pim)
        self.fence()

    def park(self, phase: int) -> None:
        o = self.p.organisation
        for b in range(self.bpg):
            for g in range(o.bank_groups):
                self.add(False, b + g * self.bpg, self.rows.park, 0, phase)
        self.fence()

    def enter(self, n_instr: int) -> None:
        self.park(P_SETUP)
        o = self.p.organisation
        targets = [0, 1]
        if o.bank_groups > 2:
            half = (o.bank_groups // 2) * self.bpg
            targets += [half, half + 1]
        for b in targets:
            self.add(True, b, self.rows.to_ab, self.per_row - 1, P_SETUP)
        self.fence()
        for k in range(_program_writes(self.p, n_instr)):
            self.add(True, 1, self.rows.cfg, 4 + k, P_SETUP)
        self.fence()

    def toggle(self) -> None:
        self.add(True, 0, self.rows.cfg, 0, P_TOGGLE)
        self.fence()

    def leave(self) -> None:
        self.add(True, 0, self.rows.to_sb, self.per_row - 1, P_EXIT)
        self.add(True, 1, self.rows.to_sb, self.per_row - 1, P_EXIT)
        self.fence()
        self.park(P_EXIT)


def _check_rows(p: Platform, rows_needed: int, what: str) -> None:
    usable = p.organisation.rows - 4
    if rows_needed > usable:
        raise InvalidInput(
            f"{what} needs {rows_needed} rows per bank but the platform has {usable} usable "
            f"(organisation.rows = {p.organisation.rows}); the data does not fit in memory",
            field="organisation.rows")


def _extrapolate(sim: ChannelSim, built_tiles: int, n_tiles: int) -> int:
    if built_tiles >= n_tiles:
        return 0
    m = sim.stats.marks
    lo = max(1, built_tiles // 4)
    hi = built_tiles - 1
    per_tile = (m[hi] - m[lo]) / (hi - lo) if hi > lo else (m[hi] - m.get(0, 0)) / max(hi, 1)
    return round(per_tile * (n_tiles - built_tiles))


def gemv_pim(p: Platform, w: Gemv) -> KernelRun:
    o, u = p.organisation, p.pim
    units = p.units_per_channel
    epb = p.elements_per_burst
    out_per_tile = units * o.channels * u.grf_b
    n_out = math.ceil(w.rows / out_per_tile)
    n_in = math.ceil(math.ceil(w.cols / epb) / u.grf_a)
    split = u.units_per_bank_pair == 1  # even/odd banks take alternate input tiles
    per_tile_cols = u.grf_a * u.grf_b
    tiles_per_bank = math.ceil(n_in / 2) if split else n_in
    weight_cols = n_out * tiles_per_bank * per_tile_cols
    result_cols = n_out * u.grf_b
    _check_rows(p, math.ceil((weight_cols + result_cols) / p.bursts_per_row), f"{w.label()}")
    n_instr = 6 if split else 4
    b = _Builder(p)
    b.enter(n_instr)
    cfg = b.rows.cfg
    # simulate the first output tiles; extrapolate the rest (identical command groups)
    step_cost = n_in * (u.grf_a + per_tile_cols) + u.grf_b + 2
    built = n_out
    if n_out > 2 and n_out * step_cost > _TILE_LIMIT:
        built = 2
    for j in range(built):
        b.toggle()
        b.reqs[-1].mark = j
        order = ([i for i in range(n_in) if i % 2 == 0] + [i for i in range(n_in) if i % 2]
                 ) if split else list(range(n_in))
        for i in order:
            bank = (i % 2) if split else 0
            for g in range(u.grf_a):  # the input tile, host -> GRF_A of every unit
                b.add(True, 1, cfg, 8 + g, P_OPERAND)
            b.fence()
            tile_idx = (i // 2 + j * n_in // 2) if split else (i + j * n_in)
            base = per_tile_cols * tile_idx
            for c in range(0, per_tile_cols, u.grf_b):
                b.group(False, bank, 0, base + c, u.grf_b, P_COMPUTE)
        b.group(True, 1, 0, weight_cols + j * u.grf_b, u.grf_b, P_WB)
        b.toggle()
    b.leave()
    sim = ChannelSim(channel_timing(p))
    sim.run(b.reqs)
    extra = 0
    if built < n_out:
        m = sim.stats.marks
        extra = round((m[1] - m[0]) * (n_out - built))
    factor = (sim.stats.requests_done + (n_out - built) * step_cost) / max(
        1, sim.stats.requests_done)
    run = _scale(sim, 0, factor, extra)
    mac = n_out * n_in * per_tile_cols
    run.pim_commands = mac
    run.extrapolated = extra > 0
    chans = o.channels
    banks_per_cmd = o.banks // 2 if split else o.banks
    run.internal_bytes = mac * banks_per_cmd * p.burst_bytes * chans
    run.pim_ops = mac * units * chans * (epb // u.simd_lanes)
    run.host_bytes = (n_out * n_in * u.grf_a + n_out * 2 + 0) * p.burst_bytes * chans
    if extra:
        run.notes.append(f"{n_out - built} of {n_out} output tiles extrapolated from the "
                         "measured period of one tile")
    return run


def eltwise_pim(p: Platform, w: Eltwise) -> KernelRun:
    o, u = p.organisation, p.pim
    epb = p.elements_per_burst
    grf = u.grf_a  # registers filled per operand stream and tile
    bursts = math.ceil(w.elements / epb)
    per_tile = o.banks * o.channels * grf
    n_tiles = math.ceil(bursts / per_tile)
    cols_per_operand = n_tiles * grf
    region = max(128, math.ceil(cols_per_operand / p.bursts_per_row))
    n_ops = 2 if w.kind != "relu" else 1
    _check_rows(p, region * (n_ops + 1), w.label())
    split = u.units_per_bank_pair == 1
    passes = (0, 1) if split else (0,)
    in0, in1, res = 0, region, 2 * region
    if w.kind == "relu":
        res = region
    n_instr = 14 if w.kind != "relu" else 10
    b = _Builder(p)
    b.enter(n_instr)
    b.toggle()
    per_tile_reqs = len(passes) * grf * (n_ops + 1)
    built = n_tiles
    if n_tiles * per_tile_reqs > _TILE_LIMIT:
        built = max(8, _TILE_LIMIT // per_tile_reqs)
    for i in range(built):
        c = grf * i
        for k, bank in enumerate(passes):
            if w.kind == "relu":
                b.group(False, bank, in0, c, grf, P_COMPUTE)
                if k == 0:
                    b.reqs[-grf].mark = i
                b.group(True, bank, res, c, grf, P_WB)
            else:
                b.group(False, bank, in0, c, grf, P_OPERAND)
                if k == 0:
                    b.reqs[-grf].mark = i
                b.group(False, bank, in1, c, grf, P_COMPUTE)
                b.group(True, bank, res, c, grf, P_WB)
    b.toggle()
    b.leave()
    sim = ChannelSim(channel_timing(p))
    sim.run(b.reqs)
    extra = _extrapolate(sim, built, n_tiles)
    factor = (sim.stats.requests_done + (n_tiles - built) * per_tile_reqs) / max(
        1, sim.stats.requests_done)
    run = _scale(sim, 0, factor, extra)
    pim_cmds = n_tiles * len(passes) * grf * (n_ops + 1)
    run.pim_commands = pim_cmds
    run.extrapolated = extra > 0
    banks_per_cmd = o.banks // 2 if split else o.banks
    run.internal_bytes = pim_cmds * banks_per_cmd * p.burst_bytes * o.channels
    run.pim_ops = n_tiles * len(passes) * grf * n_ops * p.units_per_channel * o.channels * (
        epb // u.simd_lanes)
    run.host_bytes = 0
    if extra:
        run.notes.append(f"{n_tiles - built} of {n_tiles} tiles extrapolated from the measured "
                         "period")
    return run
