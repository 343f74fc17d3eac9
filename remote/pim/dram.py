"""One pseudo-channel's memory controller, simulated command by command.

The controller holds a bounded command queue filled in order (one request per cycle), and each
cycle issues at most one DRAM command chosen the way a DRAMSim2-class open-page controller does:

1. a pending refresh first (precharge the open banks, then REF);
2. the oldest column command (RD/WR) whose bank has the right row open and whose timing is met,
   looking no further than the first *barrier* in the queue (PIM kernels fence every group of
   commands, so their order inside the DRAM is the program order);
3. an ACT for the oldest request whose bank is idle;
4. a PRE for a bank whose open row no queued request wants.

Every delay comes from the timing rules in :class:`~remote.pim.config.DramTiming`: tRCD, tRP,
tRAS, tRC, tRRD_S/L, tFAW, tCCD_S/L, tRTP, tWR, tWTR, read-to-write turnaround, tRFC/tREFI.
Time advances from one event to the next (no empty cycles are stepped through).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

# Command kinds, as small ints (the hot loop compares them often).
RD = 0
WR = 1
ACT = 2
PRE = 3
REF = 4
COMMAND_NAMES = ("RD", "WR", "ACT", "PRE", "REF")

_IDLE = 0
_ACTIVE = 1
_CLOSING = 2  # precharging or refreshing: idle once `ready_at` has passed


@dataclass(frozen=True)
class ChannelTiming:
    """The integer timing rules the controller applies (all in command-clock cycles)."""

    tRCDRD: int
    tRCDWR: int
    tRP: int
    tRAS: int
    tRC: int
    tRRD_S: int
    tRRD_L: int
    tFAW: int
    tCCD_S: int
    tCCD_L: int
    read_to_pre: int
    write_to_pre: int
    read_to_write: int
    write_to_read: int
    read_latency: int
    write_latency: int
    burst_cycles: int
    tRFC: int
    tREFI: int
    first_refresh: int  # ranks are refreshed staggered: the simulated rank's first REF is due here
    min_column_gap: int  # a PIM-clock floor on back-to-back all-bank column commands
    queue_depth: int
    banks: int
    banks_per_group: int


@dataclass(slots=True)
class Request:
    """One column access (a burst) as the host or the PIM kernel issues it."""

    write: bool
    bank: int
    row: int
    col: int
    phase: int
    barrier: bool = False
    pim: bool = False  # an all-bank command driving the PIM units (PIM clock floor applies)
    mark: int = -1  # when >= 0, the issue cycle is recorded in ChannelStats.marks


@dataclass
class ChannelStats:
    cycles: int = 0
    commands: list[int] = field(default_factory=lambda: [0, 0, 0, 0, 0])
    phase_cycles: dict[int, int] = field(default_factory=dict)
    phase_commands: dict[int, int] = field(default_factory=dict)
    requests_done: int = 0
    marks: dict[int, int] = field(default_factory=dict)
    refreshes: list[tuple[int, int]] = field(default_factory=list)  # (cycle, requests done)


class _Bank:
    __slots__ = ("next_act", "next_pre", "next_rd", "next_wr", "ready_at", "row", "state")

    def __init__(self) -> None:
        self.state = _IDLE
        self.row = -1
        self.ready_at = 0
        self.next_act = 0
        self.next_pre = 0
        self.next_rd = 0
        self.next_wr = 0


class ChannelSim:
    """Simulate one pseudo-channel. Feed it request batches with :meth:`run`; each batch is
    drained (all its data transferred) before the next batch starts, as a host does when it waits
    for a kernel or a transfer to finish."""

    def __init__(self, timing: ChannelTiming) -> None:
        self.t = timing
        self.banks = [_Bank() for _ in range(timing.banks)]
        self.now = 0
        self.stats = ChannelStats()
        self._next_refresh = timing.first_refresh if timing.tREFI > 0 else 1 << 62
        self._refresh_waiting = False
        self._acts: deque[int] = deque()
        self._pre_ptr = 0
        self._last_issue = 0
        self._last_pim_col = -(1 << 30)
        self._nbar = 0  # barrier requests in the queue
        self._group = [b // timing.banks_per_group for b in range(timing.banks)]
        self._same = [[self._group[i] == self._group[j] for j in range(timing.banks)]
                      for i in range(timing.banks)]
        self._window = (0, 0)  # (column window, ACT window) of the last scheduling attempt

    # -- timing updates -------------------------------------------------------------------------
    def _issue_column(self, req: Request, now: int) -> None:
        t = self.t
        bank = self.banks[req.bank]
        same_group = self._same[req.bank]
        near = now + max(t.tCCD_L, t.burst_cycles)
        far = now + max(t.tCCD_S, t.burst_cycles)
        if req.write:
            if bank.next_pre < now + t.write_to_pre:
                bank.next_pre = now + t.write_to_pre
            turn = now + t.write_to_read
            for b, same in zip(self.banks, same_group, strict=True):
                if b.next_rd < turn:
                    b.next_rd = turn
                g = near if same else far
                if b.next_wr < g:
                    b.next_wr = g
        else:
            if bank.next_pre < now + t.read_to_pre:
                bank.next_pre = now + t.read_to_pre
            turn = now + t.read_to_write
            for b, same in zip(self.banks, same_group, strict=True):
                g = near if same else far
                if b.next_rd < g:
                    b.next_rd = g
                if b.next_wr < turn:
                    b.next_wr = turn
        if req.pim:
            self._last_pim_col = now

    def _issue_act(self, bank_idx: int, row: int, now: int) -> None:
        t = self.t
        bank = self.banks[bank_idx]
        bank.state = _ACTIVE
        bank.row = row
        bank.next_act = max(bank.next_act, now + t.tRC)
        bank.next_pre = max(bank.next_pre, now + t.tRAS)
        bank.next_rd = max(bank.next_rd, now + t.tRCDRD)
        bank.next_wr = max(bank.next_wr, now + t.tRCDWR)
        grp = self._group[bank_idx]
        for i, b in enumerate(self.banks):
            if i != bank_idx:
                gap = t.tRRD_L if self._group[i] == grp else t.tRRD_S
                b.next_act = max(b.next_act, now + gap)
        self._acts.append(now)

    def _issue_pre(self, bank_idx: int, now: int) -> None:
        bank = self.banks[bank_idx]
        bank.state = _CLOSING
        bank.ready_at = now + self.t.tRP
        bank.next_act = max(bank.next_act, now + self.t.tRP)

    def _issue_ref(self, now: int) -> None:
        for b in self.banks:
            b.state = _CLOSING
            b.ready_at = now + self.t.tRFC
            b.next_act = now + self.t.tRFC

    # -- the scheduler --------------------------------------------------------------------------
    def _faw_ok(self, now: int) -> bool:
        acts = self._acts
        while acts and acts[0] + self.t.tFAW <= now:
            acts.popleft()
        return len(acts) < 4

    def _col_ready(self, req: Request, now: int) -> bool:
        b = self.banks[req.bank]
        if b.state != _ACTIVE or b.row != req.row:
            return False
        if now < (b.next_wr if req.write else b.next_rd):
            return False
        return not (req.pim and now < self._last_pim_col + self.t.min_column_gap)

    def _try_issue(self, queue: list[Request], now: int) -> tuple[int, int, Request | None]:
        """Pick the command to issue at ``now``. Returns (kind, bank, request or None) or
        (-1, -1, None) when nothing can issue."""
        banks = self.banks
        for b in banks:
            if b.state == _CLOSING and b.ready_at <= now:
                b.state = _IDLE
        # 1. refresh
        if self._refresh_waiting:
            any_open = False
            for i, b in enumerate(banks):
                if b.state == _ACTIVE:
                    any_open = True
                    if now >= b.next_pre:
                        return PRE, i, None
            if not any_open:
                return REF, -1, None
        # window: requests up to the first barrier (a barrier request itself only at the head)
        n = len(queue)
        if self._nbar:
            first = 0
            while not queue[first].barrier:
                first += 1
            limit = first if first > 0 else 1
            scan_limit = first + 1
            act_limit = first
            if first == 0:
                act_limit = 1
                while act_limit < n and not queue[act_limit].barrier:
                    act_limit += 1
        else:
            limit = act_limit = scan_limit = n
        self._window = (limit, act_limit)
        # 2. oldest ready column command
        rd_row = [b.row if b.state == _ACTIVE and now >= b.next_rd else -2 for b in banks]
        wr_row = [b.row if b.state == _ACTIVE and now >= b.next_wr else -2 for b in banks]
        pim_ok = now >= self._last_pim_col + self.t.min_column_gap
        for i in range(limit):
            req = queue[i]
            if (wr_row if req.write else rd_row)[req.bank] == req.row and (pim_ok or not req.pim):
                dependent = False
                for j in range(i):
                    q = queue[j]
                    if q.bank == req.bank and q.row == req.row and q.col == req.col:
                        dependent = True
                        break
                if not dependent:
                    return (WR if req.write else RD), i, req
        # 3. ACT for the oldest request whose bank is idle
        faw_checked = False
        for i in range(act_limit):
            req = queue[i]
            b = banks[req.bank]
            if b.state == _IDLE and now >= b.next_act:
                if not faw_checked:
                    if not self._faw_ok(now):
                        break
                    faw_checked = True
                return ACT, req.bank, req
        # 4. PRE a bank no queued request wants (looking up to and including the first barrier)
        nb = len(banks)
        wanted = {(q.bank, q.row) for q in queue[:scan_limit]}
        for k in range(nb):
            idx = (self._pre_ptr + k) % nb
            b = banks[idx]
            if b.state != _ACTIVE or now < b.next_pre:
                continue
            if (idx, b.row) not in wanted:
                self._pre_ptr = idx
                return PRE, idx, None
        return -1, -1, None

    def _next_event(self, queue: list[Request], now: int) -> int:
        """The earliest future cycle at which a rule could let a command issue: the timing of
        the banks the scheduling window touches, any bank's precharge or close, the refresh
        clock, the activation window and the PIM clock."""
        best = self._next_refresh
        banks = self.banks
        limit, act_limit = self._window
        gap_end = self._last_pim_col + self.t.min_column_gap
        for i in range(min(len(queue), max(limit, act_limit))):
            q = queue[i]
            b = banks[q.bank]
            v = b.next_wr if q.write else b.next_rd
            if q.pim and gap_end > v:
                v = gap_end
            if now < v < best:
                best = v
            v = b.next_act
            if now < v < best:
                best = v
        for b in banks:
            v = b.next_pre
            if now < v < best:
                best = v
            v = b.ready_at
            if now < v < best:
                best = v
        if self._acts:
            v = self._acts[0] + self.t.tFAW
            if now < v < best:
                best = v
        return best if best > now else now + 1

    def run(self, requests: Iterable[Request]) -> int:
        """Issue ``requests`` (in order) and drain them; return the cycle at which the last
        one's data transfer finished."""
        t = self.t
        stats = self.stats
        source: Iterator[Request] = iter(requests)
        queue: list[Request] = []
        exhausted = False
        now = self.now
        done_at = now
        while True:
            if exhausted and not queue:
                break
            if now >= self._next_refresh:
                self._refresh_waiting = True
                self._next_refresh += t.tREFI
            kind, idx, req = self._try_issue(queue, now) if queue or self._refresh_waiting \
                else (-1, -1, None)
            if kind >= 0:
                stats.commands[kind] += 1
                if kind in (RD, WR):
                    assert req is not None
                    queue.pop(idx)
                    if req.barrier:
                        self._nbar -= 1
                    self._issue_column(req, now)
                    finish = now + (t.write_latency + 1 if kind == WR
                                    else t.read_latency + 2) + t.burst_cycles
                    done_at = max(done_at, finish)
                    phase = req.phase
                    stats.requests_done += 1
                    stats.phase_commands[phase] = stats.phase_commands.get(phase, 0) + 1
                    stats.phase_cycles[phase] = stats.phase_cycles.get(phase, 0) + (
                        now - self._last_issue)
                    self._last_issue = now
                    if req.mark >= 0:
                        stats.marks[req.mark] = now
                elif kind == ACT:
                    assert req is not None
                    self._issue_act(idx, req.row, now)
                elif kind == PRE:
                    self._issue_pre(idx, now)
                else:
                    self._refresh_waiting = False
                    self._issue_ref(now)
                    stats.refreshes.append((now, stats.requests_done))
            # fill: one request per cycle up to the queue depth (visible from the next cycle)
            if not exhausted and len(queue) < t.queue_depth:
                nxt = next(source, None)
                if nxt is None:
                    exhausted = True
                else:
                    queue.append(nxt)
                    if nxt.barrier:
                        self._nbar += 1
                    now += 1
                    continue
            if kind >= 0:
                now += 1
            else:
                if exhausted and not queue:
                    break
                now = self._next_event(queue, now)
        end = max(now, done_at)
        if queue or not exhausted:  # pragma: no cover - defensive
            raise RuntimeError("channel simulation ended with requests left")
        self.now = end
        stats.cycles = end
        return end
