"""``rlmutil rlmstat -a`` output, parsed into frozen records.

Shape: the rlm server's status, the "ISV servers" table, per ISV its status, a "license pool
status" block (``product vX`` then ``count: N, # reservations: R, inuse: U, exp: E`` and
``obsolete: O, min_remove: M, total checkouts: T``) and a "license usage status" block of lines
``product vX: user@host N/R at MM/DD HH:MM  (handle: hex)``.

Strict like the FlexLM parser: every non-blank line must be one it knows, else ParseError names
the line; a report is returned whole or not at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, tzinfo

from core.errors import InfrastructureError, ParseError
from licensing.flexlm.dates import parse_flexlm_date, resolve_start, to_utc
from licensing.flexlm.lmstat import decode_output
from licensing.reconcile import Checkout, FeatureUsage

_PATH_RE = re.compile(r"^Setting license file path to (\S+)$")
_VERSION_RE = re.compile(r"^(rlmutil|rlmstat) v[\w.]+$")
_COPYRIGHT_RE = re.compile(r"^Copyright \(C\) .*Reprise Software", re.I)
_RLM_STATUS_RE = re.compile(r"^rlm status on (\S+) \(port (\d+)\)(?:, up (.+))?$")
_ISV_STATUS_RE = re.compile(r"^(\S+) ISV server status on (\S+) \(port (\d+)\)(?:, up (.+))?$")
_POOL_HDR_RE = re.compile(r"^(\S+) license pool status on (\S+) \(port (\d+)\)$")
_USAGE_HDR_RE = re.compile(r"^(\S+) license usage status on (\S+) \(port (\d+)\)$")
_ISV_TABLE_HDR_RE = re.compile(r"^-+ ISV servers -+$")
_ISV_COLUMNS_RE = re.compile(r"^Name\s+Port\s+Running\s+Restarts$")
_ISV_ROW_RE = re.compile(r"^(\S+)\s+(\d+)\s+(Yes|No)\s+(\d+)$", re.I)
_SEPARATOR_RE = re.compile(r"^-{4,}$")
_PRODUCT_RE = re.compile(r"^(\S+) v([\w.]+)$")
_KV_RE = re.compile(r"^[a-z#][a-z_# ]*: [^,]+(, [a-z#][a-z_# ]*: [^,]+)*$")
_USAGE_RE = re.compile(
    r"^(?P<product>\S+) v(?P<ver>[\w.]+): (?P<user>[^@\s]+)@(?P<host>\S+) "
    r"(?P<count>\d+)/(?P<res>\d+) at (?P<mon>\d{1,2})/(?P<day>\d{1,2}) "
    r"(?P<hh>\d{1,2}):(?P<mm>\d{2})\s+\(handle: (?P<handle>[0-9a-fA-F]+)\)"
    r"(?P<rest>.*)$")
_INFO_RE = re.compile(
    r"^((rlm|\S+) (software version|comm version|Debug log filename|Report log filename)"
    r"|Startup time:|Todays Statistics|Recent Statistics|Recent Stats|Messages:|Connections:|"
    r"Checkouts:|Denials:|Removals:|[\dd: ]+$)")
_ERROR_RE = re.compile(r"^(rlmutil|rlmstat)?:?\s*(Error|ERROR|.*(Cannot|cannot|Connection "
                       r"refused|not running|DOWN)).*$")


@dataclass(frozen=True)
class IsvServer:
    name: str
    port: int
    running: bool
    restarts: int
    line: int


@dataclass(frozen=True)
class RlmPool:
    isv: str | None
    product: str
    version: str
    count: int | None
    reservations: int
    in_use: int
    expiry_text: str
    line: int
    obsolete: int = 0
    min_remove: int | None = None
    total_checkouts: int | None = None

    @property
    def uncounted(self) -> bool:
        return self.count is None

    @property
    def expiry(self) -> date | None:
        """None for permanent (``permanent`` or year 0)."""
        return parse_flexlm_date(self.expiry_text)


@dataclass(frozen=True)
class RlmUsage:
    isv: str | None
    product: str
    version: str
    user: str
    host: str
    count: int
    reserved: int
    month: int
    day: int
    hour: int
    minute: int
    handle: str
    line: int
    extra: str | None = None


@dataclass(frozen=True)
class RlmReport:
    license_path: str | None = None
    server_host: str | None = None
    server_port: int | None = None
    isv_servers: tuple[IsvServer, ...] = ()
    pools: tuple[RlmPool, ...] = ()
    usages: tuple[RlmUsage, ...] = ()
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        if self.errors and not (self.pools or self.usages):
            return False
        return not any(not s.running for s in self.isv_servers) or bool(self.pools)

    def pool(self, product: str) -> RlmPool | None:
        return next((p for p in self.pools if p.product == product), None)

    def usage(self) -> list[FeatureUsage]:
        return [FeatureUsage(feature=p.product, issued=p.count, in_use=p.in_use,
                             reserved=p.reservations, uncounted=p.uncounted)
                for p in self.pools]

    def checkouts(self, server_tz: tzinfo = UTC, now: datetime | None = None) -> list[Checkout]:
        """Normalised checkouts; rlmstat omits the year, which is resolved against ``now``."""
        if not self.usable:
            raise InfrastructureError("rlmstat did not reach the licence server: "
                                      + "; ".join(self.errors or ("ISV server down",)))
        reference = (now or datetime.now(UTC)).astimezone(server_tz).replace(tzinfo=None)
        out = []
        for u in self.usages:
            local = resolve_start(None, u.month, u.day, u.hour, u.minute, reference)
            server = (f"{self.server_port}@{self.server_host}" if self.server_host
                      else self.license_path)
            out.append(Checkout(feature=u.product, user=u.user, host=u.host, seats=u.count,
                                since=to_utc(local, server_tz), version=u.version,
                                server=server))
        return out


@dataclass
class _State:
    source: str
    strict: bool
    isv: str | None = None
    section: str = "top"
    license_path: str | None = None
    host: str | None = None
    port: int | None = None
    isvs: list[IsvServer] = field(default_factory=list)
    pools: list[RlmPool] = field(default_factory=list)
    usages: list[RlmUsage] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pending: tuple[str, str, int] | None = None

    def fail(self, lineno: int, message: str) -> None:
        if self.strict:
            raise ParseError(message, source=self.source, line=lineno)
        self.warnings.append(f"line {lineno}: {message}")


def _kv(line: str) -> dict[str, str]:
    out = {}
    for part in line.split(", "):
        key, _, value = part.partition(": ")
        out[key.strip()] = value.strip()
    return out


def _pool_fields(state: _State, lineno: int, line: str) -> bool:
    """A ``count: ...`` or ``obsolete: ...`` line of the current pool."""
    if not _KV_RE.match(line):
        return False
    values = _kv(line)
    try:
        if "count" in values:
            if state.pending is None:
                state.fail(lineno, "pool counts without a product line")
                return True
            product, version, at = state.pending
            state.pending = None
            raw = values["count"]
            count = None if raw.lower() == "uncounted" else int(raw)
            exp = values.get("exp", "permanent")
            parse_flexlm_date(exp)
            if count is not None and count < 0:
                raise ValueError("negative count")
            state.pools.append(RlmPool(
                isv=state.isv, product=product, version=version, count=count,
                reservations=int(values.get("# reservations", "0")),
                in_use=int(values["inuse"]), expiry_text=exp, line=at))
            return True
        if "obsolete" in values or "min_remove" in values:
            if not state.pools or state.pools[-1].line >= lineno or state.pending is not None:
                state.fail(lineno, "pool details without a pool")
                return True
            last = state.pools[-1]
            state.pools[-1] = replace(
                last, obsolete=int(values.get("obsolete", "0")),
                min_remove=int(values["min_remove"]) if "min_remove" in values else None,
                total_checkouts=int(values["total checkouts"])
                if "total checkouts" in values else None)
            return True
    except (KeyError, ValueError) as exc:
        state.fail(lineno, f"malformed pool line ({exc}): {line[:120]!r}")
        return True
    return False


def _line(state: _State, lineno: int, line: str) -> None:
    m = _PATH_RE.match(line)
    if m:
        state.license_path = m.group(1)
        return
    if _VERSION_RE.match(line) or _COPYRIGHT_RE.match(line) or _SEPARATOR_RE.match(line) \
            or _ISV_COLUMNS_RE.match(line):
        return
    m = _RLM_STATUS_RE.match(line)
    if m:
        state.host, state.port, state.section = m.group(1), int(m.group(2)), "rlm"
        return
    if _ISV_TABLE_HDR_RE.match(line):
        state.section = "isv_table"
        return
    m = _ISV_STATUS_RE.match(line)
    if m:
        state.isv, state.section = m.group(1), "isv"
        return
    m = _POOL_HDR_RE.match(line)
    if m:
        state.isv, state.section = m.group(1), "pools"
        return
    m = _USAGE_HDR_RE.match(line)
    if m:
        state.isv, state.section = m.group(1), "usage"
        return
    if _INFO_RE.match(line):
        return
    if state.section == "isv_table":
        m = _ISV_ROW_RE.match(line)
        if m:
            state.isvs.append(IsvServer(m.group(1), int(m.group(2)), m.group(3).lower() == "yes",
                                        int(m.group(4)), lineno))
            return
    m = _USAGE_RE.match(line)
    if m:
        count = int(m.group("count"))
        if count < 1:
            state.fail(lineno, f"usage line with {count} licences: {line[:120]!r}")
            return
        state.usages.append(RlmUsage(
            isv=state.isv, product=m.group("product"), version=m.group("ver"),
            user=m.group("user"), host=m.group("host"), count=count,
            reserved=int(m.group("res")), month=int(m.group("mon")), day=int(m.group("day")),
            hour=int(m.group("hh")), minute=int(m.group("mm")), handle=m.group("handle"),
            line=lineno, extra=m.group("rest").strip() or None))
        return
    if state.section in ("top", "pools", "isv"):
        m = _PRODUCT_RE.match(line)
        if m:
            if state.pending is not None:
                state.fail(state.pending[2], f"pool {state.pending[0]} has no count line")
            state.pending = (m.group(1), m.group(2), lineno)
            return
        if _pool_fields(state, lineno, line):
            return
    if _ERROR_RE.match(line):
        state.errors.append(line)
        return
    if state.pending is not None and state.section in ("top", "pools"):
        state.fail(lineno, f"malformed pool line: {line[:120]!r}")
        return
    state.fail(lineno, f"unrecognised line: {line[:120]!r}")


def parse_rlmstat(text: str | bytes, *, strict: bool = True, source: str = "",
                  encoding: str = "latin-1") -> RlmReport:
    """Parse ``rlmutil rlmstat -a`` output (whole or not at all). ``encoding`` is the fallback for
    bytes that are not UTF-8."""
    decoded, warnings = decode_output(text, encoding)
    state = _State(source=source, strict=strict, warnings=list(warnings))
    lines = decoded.splitlines()
    for lineno, raw in enumerate(lines, start=1):
        if "\x00" in raw:
            raise ParseError("binary data in rlmstat output", source=source, line=lineno)
        line = raw.strip()
        if line:
            _line(state, lineno, line)
    if state.pending is not None:
        state.fail(state.pending[2], f"pool {state.pending[0]} has no count line (truncated?)")
    if not (state.pools or state.usages or state.isvs or state.host or state.errors):
        raise ParseError("no rlm status, pool or usage lines: not rlmstat -a output",
                         source=source, line=max(1, len(lines)))
    return RlmReport(license_path=state.license_path, server_host=state.host,
                     server_port=state.port, isv_servers=tuple(state.isvs),
                     pools=tuple(state.pools), usages=tuple(state.usages),
                     errors=tuple(state.errors), warnings=tuple(state.warnings))
