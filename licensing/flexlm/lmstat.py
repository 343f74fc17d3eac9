"""``lmutil lmstat -a`` and ``lmstat -i`` output, parsed into frozen records.

The parser is strict by default: every non-blank line must be one it knows (banner, server status,
vendor daemon status, ``Users of`` header, pool header, licence type, ``vendor_string:``, checkout,
queued request, RESERVATION), else :class:`core.errors.ParseError` names the line. A report is
returned whole or not at all. ``strict=False`` turns unknown lines into warnings.

What the server says is kept apart from what it means: ``FeatureBlock.in_use`` is lmstat's own
total (it includes RESERVEd-but-idle seats and excludes queued requests); real usage is the
checkout lines, see :meth:`LmstatReport.checkouts`.

Variants handled (FORMATS.md checklist): ``license``/``licenses``; ``(Uncounted, node-locked)``;
``Cannot get users of X``; ``(Error: ...)``; several pools under one ``Users of``; ``expiry:``
missing; ``nodelocked license, locked to "ID=..."``; blank lines between every line; display
missing or an extra vendor token (Synopsys ``lc…_1``, Siemens ``2029.01``, ``feature=name``,
``PKG:COMPONENT``); ``, N licenses``; ``(linger: n[ / m])``; ``, PID: n`` with trailing space;
tab-indented RESERVATION lines of every type; ``queued for N license(s)``; year-less start times;
mixed-case hosts; ``Error getting status: Cannot connect ...``; ``Cannot read data from license
server system``; non-UTF-8 bytes (pass ``bytes``); upstream fixtures' ``...`` elision lines.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, tzinfo

from core.errors import InfrastructureError, ParseError
from licensing.flexlm.dates import parse_flexlm_date, resolve_start, to_utc
from licensing.reconcile import Checkout, FeatureUsage

RESERVATION_TYPES = ("USER", "HOST", "HOST_GROUP", "DISPLAY", "INTERNET", "GROUP", "PROJECT",
                     "PACKAGE")

_BANNER_RE = re.compile(r"^(lmutil|lmstat|lmgrd)\b.*copyright", re.I)
_STATUS_ON_RE = re.compile(r"^Flexible License Manager status on\s+\w+\s+"
                           r"(\d{1,2})/(\d{1,2})/(\d{2,4})\s+(\d{1,2}):(\d{2})\s*$")
_SERVERS_RE = re.compile(r"^License server status:\s*(.*?)\s*$")
_LICFILE_RE = re.compile(r"^License file\(s\) on (\S+?):\s*(.*?):?\s*$")
_SERVER_UP_RE = re.compile(
    r"^(\S+?): license server (UP|DOWN)(\s+\(MASTER\))?(?:\s+(v[\w.]+))?(\s+\(MASTER\))?\s*$",
    re.I)
_SERVER_ERR_RE = re.compile(r"^(\S+?): (Cannot .*|lmgrd is not running.*|License server machine "
                            r"is down.*)$")
_VENDOR_STATUS_HDR_RE = re.compile(r"^Vendor daemon status \(on (\S+?)\):\s*$")
_VENDOR_RE = re.compile(r"^(\S+?): (UP|DOWN)(?:\s+(v[\w.]+))?\s*$")
_VENDOR_MSG_RE = re.compile(r"^(\S+?): (.*\(-?\d+,-?\d+(?::\d+)?.*\).*)$")
_USERS_OF_RE = re.compile(r"^Users of (.+?):\s+(.*?)\s*$")
_TOTALS_RE = re.compile(r"^\(Total of (\d+) licenses? issued;\s+Total of (\d+) licenses? in use\)$")
_POOL_RE = re.compile(r'^"([^"]+)" v([\w.]+), vendor: ([^,\s]+)(?:, expiry: (.+?))?\s*$')
_TYPE_RE = re.compile(r"^(floating|uncounted nodelocked|nodelocked|uncounted)\s+license\b,?\s*"
                      r"(.*?)\s*$")
_VSTRING_RE = re.compile(r"^vendor_string:\s?(.*)$")
_RESERVE_RE = re.compile(r"^(\d+) RESERVATIONs? for (" + "|".join(RESERVATION_TYPES) +
                         r") (\S+)(?: \((\S+?)/(\S+?)\))?\s*$")
_TAIL_RE = re.compile(r"^(?P<left>.+?) \(v(?P<ver>[\w.]+)\) "
                      r"\((?P<server>[^\s/()]+)/(?P<port>[^\s()]+) (?P<handle>\d+)\)(?P<rest>.*)$")
_START_RE = re.compile(r"^, start (?P<dow>[A-Za-z]{3}) (?P<mon>\d{1,2})/(?P<day>\d{1,2}) "
                       r"(?P<hh>\d{1,2}):(?P<mm>\d{2})(?P<suffix>.*)$")
_QUEUED_RE = re.compile(r"^\s+queued for (\d+) licenses?\s*$")
_SUFFIX_RES = (
    ("licenses", re.compile(r"^, (\d+) licenses?")),
    ("linger", re.compile(r"^\s+\(linger: (\d+)(?: / (\d+))?\)")),
    ("pid", re.compile(r"^, PID: (\d+)")),
)
_ERROR_LINE_RE = re.compile(r"^(Error getting status: .*|Cannot (?:connect|read data|find).*|"
                            r"lmgrd is not running.*|License server machine is down.*)$")
_IGNORED_RE = re.compile(r"^(\[Detecting lmgrd processes\.\.\.\]|Feature usage info:|\.\.\.|"
                         r"Users of features served by \S+:|"
                         r"NOTE: lmstat -i.*|but only reads the license file.*|"
                         r"lmstat -a is recommended instead\.)$")
_HOSTLIKE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_VENDOR_TOKEN_RES = (
    re.compile(r"^\d+(\.\d+)+$"),                       # Siemens: 2029.01
    re.compile(r"^[^=\s]+=\S+$"),                        # feature=name
    re.compile(r"^[A-Za-z0-9_.\-]+:[A-Za-z][A-Za-z0-9_.\-]*$"),  # PKG:COMPONENT
    re.compile(r"^lc[0-9a-f]+_\d+$"),                    # Synopsys
)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class ServerStatus:
    host: str
    up: bool
    master: bool
    version: str | None
    line: int
    message: str | None = None


@dataclass(frozen=True)
class VendorStatus:
    name: str
    up: bool
    version: str | None
    line: int
    message: str | None = None


@dataclass(frozen=True)
class Reservation:
    count: int
    kind: str
    name: str
    line: int
    server: str | None = None


@dataclass(frozen=True)
class UserLine:
    """One checkout (or queued request) line of ``lmstat -a``.

    ``start_*`` fields are the server's local time without a year; use
    :meth:`LmstatReport.checkouts` to get aware UTC datetimes. ``licenses`` is 1 unless the line
    says ``, N licenses``. ``linger`` present means a lingering/borrowed seat.
    """

    feature: str
    user: str
    host: str
    display: str | None
    client_version: str
    server: str
    port: str
    handle: int
    line: int
    licenses: int = 1
    vendor_token: str | None = None
    start_weekday: str | None = None
    start_month: int | None = None
    start_day: int | None = None
    start_hour: int | None = None
    start_minute: int | None = None
    linger: int | None = None
    linger_limit: int | None = None
    pid: int | None = None
    queued: bool = False

    @property
    def borrowed(self) -> bool:
        return self.linger is not None

    @property
    def requested_feature(self) -> str | None:
        """The feature named by a ``feature=NAME`` token (a checkout made under another name; the
        seats still come from the ``Users of`` block's pool)."""
        if self.vendor_token and self.vendor_token.startswith("feature="):
            return self.vendor_token.split("=", 1)[1]
        return None

    @property
    def package_component(self) -> tuple[str, str] | None:
        """``(package, component)`` for a ``PKG:COMPONENT`` token."""
        if self.vendor_token and ":" in self.vendor_token and "=" not in self.vendor_token:
            pkg, comp = self.vendor_token.split(":", 1)
            return pkg, comp
        return None

    @property
    def start_text(self) -> str | None:
        if self.start_month is None:
            return None
        return (f"{self.start_weekday} {self.start_month}/{self.start_day} "
                f"{self.start_hour}:{self.start_minute:02d}")


@dataclass(frozen=True)
class PoolBlock:
    """One ``"FEATURE" vVER, vendor: V, expiry: E`` block (or the implicit pool of a block that has
    checkouts but no pool header)."""

    feature: str | None
    version: str | None
    vendor: str | None
    expiry_text: str | None
    line: int
    license_type: str | None = None
    locked_to: str | None = None
    vendor_string: str | None = None
    users: tuple[UserLine, ...] = ()
    reservations: tuple[Reservation, ...] = ()

    @property
    def expiry(self) -> date | None:
        """None for permanent or not shown; see ``expiry_text``."""
        if not self.expiry_text:
            return None
        try:
            return parse_flexlm_date(self.expiry_text)
        except ValueError:
            return None

    @property
    def checkouts(self) -> tuple[UserLine, ...]:
        return tuple(u for u in self.users if not u.queued)

    @property
    def queued(self) -> tuple[UserLine, ...]:
        return tuple(u for u in self.users if u.queued)


@dataclass(frozen=True)
class FeatureBlock:
    """One ``Users of F:`` block."""

    name: str
    line: int
    issued: int | None
    in_use: int | None
    uncounted: bool = False
    error: str | None = None
    pools: tuple[PoolBlock, ...] = ()

    @property
    def checkouts(self) -> tuple[UserLine, ...]:
        return tuple(u for p in self.pools for u in p.checkouts)

    @property
    def queued(self) -> tuple[UserLine, ...]:
        return tuple(u for p in self.pools for u in p.queued)

    @property
    def reservations(self) -> tuple[Reservation, ...]:
        return tuple(r for p in self.pools for r in p.reservations)

    @property
    def reserved(self) -> int:
        return sum(r.count for r in self.reservations)

    @property
    def seats_checked_out(self) -> int:
        """Seats on the checkout lines, each line counted (no DUP_GROUP sharing)."""
        return sum(u.licenses for u in self.checkouts)

    def seats_with_dup_group(self, dup_group: str | None) -> int:
        """Seats when the pool's DUP_GROUP lets lines share one seat.

        ``dup_group`` is the licence line's value: ``NONE``/None (every line its own seat),
        ``SITE`` (everyone shares), or letters of ``UHDV`` (lines equal in User, Host, Display,
        Vendor-defined share). A shared group holds as many seats as its largest line.
        """
        code = (dup_group or "NONE").upper()
        if code == "NONE":
            return self.seats_checked_out
        groups: dict[tuple[str | None, ...], int] = defaultdict(int)
        for u in self.checkouts:
            key: tuple[str | None, ...] = () if code == "SITE" else (
                u.user.casefold() if "U" in code else None,
                u.host.casefold() if "H" in code else None,
                u.display if "D" in code else None,
                u.vendor_token if "V" in code else None)
            groups[key] = max(groups[key], u.licenses)
        return sum(groups.values())


@dataclass(frozen=True)
class LmstatReport:
    servers: tuple[ServerStatus, ...] = ()
    server_addresses: tuple[str, ...] = ()
    license_files: tuple[str, ...] = ()
    vendors: tuple[VendorStatus, ...] = ()
    features: tuple[FeatureBlock, ...] = ()
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    status_time: datetime | None = None

    @property
    def usable(self) -> bool:
        """False when lmstat could not reach any licence server or vendor daemon: the report then
        says nothing about usage and must not be reconciled (every lease would look idle)."""
        if self.errors and not self.features:
            return False
        if self.servers and not any(s.up for s in self.servers):
            return False
        if self.vendors and not any(v.up for v in self.vendors):
            return False
        return bool(self.features) or not self.errors

    def feature(self, name: str) -> FeatureBlock | None:
        return next((f for f in self.features if f.name == name), None)

    def user_lines(self) -> tuple[UserLine, ...]:
        return tuple(u for f in self.features for u in f.checkouts)

    def checkouts(self, server_tz: tzinfo = UTC, now: datetime | None = None
                  ) -> list[Checkout]:
        """Normalised checkouts (queued requests excluded), start times as aware UTC.

        The year of a start time is taken from the report's own "status on" date when present,
        else from ``now`` (default: the current time), see :func:`resolve_start`.
        Raises InfrastructureError when the report is not usable.
        """
        if not self.usable:
            raise InfrastructureError("lmstat did not reach the licence server: "
                                      + "; ".join(self.errors or ("no server is up",)))
        if self.status_time is not None:
            reference = self.status_time
        else:
            reference = (now or datetime.now(UTC)).astimezone(server_tz).replace(tzinfo=None)
        out = []
        for u in self.user_lines():
            since = None
            if u.start_month is not None:
                local = resolve_start(u.start_weekday, u.start_month, u.start_day or 1,
                                      u.start_hour or 0, u.start_minute or 0, reference)
                since = to_utc(local, server_tz)
            out.append(Checkout(feature=u.feature, user=u.user, host=u.host, seats=u.licenses,
                                since=since, version=u.client_version,
                                server=f"{u.port}@{u.server}"))
        return out

    def usage(self) -> list[FeatureUsage]:
        """The server's totals per ``Users of`` block (repeated blocks are kept as they are)."""
        return [FeatureUsage(feature=f.name, issued=f.issued, in_use=f.in_use,
                             reserved=f.reserved, queued=sum(u.licenses for u in f.queued),
                             uncounted=f.uncounted, error=f.error) for f in self.features]


# --------------------------------------------------------------------------- parsing


def decode_output(data: bytes | str, fallback: str = "latin-1") -> tuple[str, list[str]]:
    """Tool output -> text: UTF-8 when it decodes, else ``fallback`` (Latin-1 maps every byte;
    a centre whose Windows clients send CP949 user names passes ``"cp949"``), with a warning.
    Bytes the fallback cannot decode become U+FFFD."""
    if isinstance(data, str):
        return data, []
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        return (data.decode(fallback, "replace"),
                [f"output is not UTF-8 (byte {exc.start}); read as {fallback}"])


def _looks_like_display(word: str, host: str) -> bool:
    """``/dev/tty``, ``host:0.0``, or the host name itself (Windows prints the computer name)."""
    return word.startswith("/") or ":" in word or word.lower().startswith(host.lower())


def _split_left(left: str) -> tuple[str, str, str | None, str | None]:
    """``user host [display] [vendor-token]`` -> (user, host, display, token).

    User names may contain spaces (Windows); the host is then the last host-like word before the
    display, as flexlm_exporter's tests expect ("John Doe John_D <display>").
    """
    words = left.split()
    if len(words) < 2:
        raise ValueError("a checkout line needs at least a user and a host")
    token = None
    if len(words) >= 4 and any(r.match(words[-1]) for r in _VENDOR_TOKEN_RES):
        token = words.pop()
    elif len(words) == 4 and _looks_like_display(words[2], words[1]):
        token = words.pop()  # an unknown vendor token after a clear display
    if len(words) == 2:
        return words[0], words[1], None, token
    if len(words) == 3:
        return words[0], words[1], words[2], token
    host_at = next((i for i in range(len(words) - 2, 0, -1) if _HOSTLIKE_RE.match(words[i])), 1)
    return (" ".join(words[:host_at]), words[host_at], " ".join(words[host_at + 1:]) or None,
            token)


def _parse_user_line(feature: str, body: str, lineno: int) -> UserLine | None:
    m = _TAIL_RE.match(body)
    if not m:
        return None
    try:
        user, host, display, token = _split_left(m.group("left"))
    except ValueError:
        return None
    common = {"feature": feature, "user": user, "host": host, "display": display,
              "vendor_token": token, "client_version": m.group("ver"),
              "server": m.group("server"), "port": m.group("port"),
              "handle": int(m.group("handle")), "line": lineno}
    rest = m.group("rest")
    q = _QUEUED_RE.match(rest)
    if q:
        return UserLine(**common, licenses=int(q.group(1)), queued=True)  # type: ignore[arg-type]
    s = _START_RE.match(rest)
    if not s:
        return None
    licenses = 1
    linger: int | None = None
    linger_limit: int | None = None
    pid: int | None = None
    seen: set[str] = set()
    suffix = s.group("suffix")
    while suffix.strip():
        for name, rx in _SUFFIX_RES:
            hit = rx.match(suffix)
            if hit and name not in seen:
                seen.add(name)
                if name == "licenses":
                    licenses = int(hit.group(1))
                elif name == "linger":
                    linger = int(hit.group(1))
                    linger_limit = int(hit.group(2)) if hit.group(2) else None
                else:
                    pid = int(hit.group(1))
                suffix = suffix[hit.end():]
                break
        else:
            return None
    if licenses < 1:
        return None
    return UserLine(**common, licenses=licenses,  # type: ignore[arg-type]
                    start_weekday=s.group("dow"), start_month=int(s.group("mon")),
                    start_day=int(s.group("day")), start_hour=int(s.group("hh")),
                    start_minute=int(s.group("mm")), linger=linger, linger_limit=linger_limit,
                    pid=pid)


@dataclass
class _PoolBuild:
    header: PoolBlock
    users: list[UserLine] = field(default_factory=list)
    reservations: list[Reservation] = field(default_factory=list)

    def done(self) -> PoolBlock:
        return replace(self.header, users=tuple(self.users), reservations=tuple(self.reservations))


@dataclass
class _FeatureBuild:
    header: FeatureBlock
    pools: list[_PoolBuild] = field(default_factory=list)

    def pool(self, lineno: int) -> _PoolBuild:
        if not self.pools:
            self.pools.append(_PoolBuild(PoolBlock(None, None, None, None, lineno)))
        return self.pools[-1]

    def done(self) -> FeatureBlock:
        return replace(self.header, pools=tuple(p.done() for p in self.pools))


def _parse_users_of(name: str, rest: str, lineno: int) -> FeatureBlock | None:
    m = _TOTALS_RE.match(rest)
    if m:
        return FeatureBlock(name=name, line=lineno, issued=int(m.group(1)), in_use=int(m.group(2)))
    if rest == "(Uncounted, node-locked)":
        return FeatureBlock(name=name, line=lineno, issued=None, in_use=None, uncounted=True)
    if rest.startswith("(Error:") and rest.endswith(")"):
        return FeatureBlock(name=name, line=lineno, issued=None, in_use=None,
                            error=rest[1:-1].strip())
    if rest.startswith("Cannot get users of"):
        return FeatureBlock(name=name, line=lineno, issued=None, in_use=None, error=rest)
    return None


class _Parser:
    def __init__(self, text: str, strict: bool, source: str) -> None:
        self.text = text
        self.strict = strict
        self.source = source
        self.servers: list[ServerStatus] = []
        self.addresses: list[str] = []
        self.license_files: list[str] = []
        self.vendors: list[VendorStatus] = []
        self.features: list[_FeatureBuild] = []
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.status_time: datetime | None = None
        self.section = "top"

    def fail(self, lineno: int, message: str) -> None:
        if self.strict:
            raise ParseError(message, source=self.source, line=lineno)
        self.warnings.append(f"line {lineno}: {message}")

    def run(self) -> LmstatReport:
        for lineno, raw in enumerate(self.text.splitlines(), start=1):
            if "\x00" in raw:
                raise ParseError("binary data in lmstat output", source=self.source, line=lineno)
            line = raw.strip()
            if line:
                self.line(lineno, raw, line)
        if not (self.features or self.servers or self.errors or self.vendors):
            raise ParseError("no licence server status, vendor daemon or 'Users of' lines: "
                             "not lmstat -a output", source=self.source,
                             line=max(1, len(self.text.splitlines())))
        return LmstatReport(
            servers=tuple(self.servers), server_addresses=tuple(self.addresses),
            license_files=tuple(self.license_files), vendors=tuple(self.vendors),
            features=tuple(f.done() for f in self.features), errors=tuple(self.errors),
            warnings=tuple(self.warnings), status_time=self.status_time)

    def line(self, lineno: int, raw: str, line: str) -> None:
        if self.section == "features" and self.features and raw[:1].isspace() \
                and " (v" in line and self.feature_line(lineno, raw, line):
            return  # fast path: a checkout line
        if _BANNER_RE.match(line) or _IGNORED_RE.match(line):
            return
        m = _STATUS_ON_RE.match(line)
        if m:
            mon, day, year, hh, mm = (int(g) for g in m.groups())
            year += 2000 if year < 100 else 0
            try:
                self.status_time = datetime(year, mon, day, hh, mm)
            except ValueError:
                self.fail(lineno, f"bad status date in {line!r}")
            return
        m = _SERVERS_RE.match(line)
        if m:
            self.section = "servers"
            self.addresses.extend(a for a in m.group(1).split(",") if a)
            return
        m = _LICFILE_RE.match(line)
        if m:
            self.license_files.append(m.group(2))
            return
        m = _VENDOR_STATUS_HDR_RE.match(line)
        if m:
            self.section = "vendors"
            return
        m = _USERS_OF_RE.match(line)
        if m:
            self.section = "features"
            block = _parse_users_of(m.group(1), m.group(2), lineno)
            if block is None:
                self.fail(lineno, f"malformed 'Users of' line: {line[:120]!r}")
                return
            self.features.append(_FeatureBuild(block))
            return
        if _ERROR_LINE_RE.match(line) and self.section in ("top", "features"):
            self.errors.append(line)
            return
        if self.section == "servers" and self.server_line(lineno, line):
            return
        if self.section == "vendors" and self.vendor_line(lineno, line):
            return
        if self.section == "features" and self.features and self.feature_line(lineno, raw, line):
            return
        self.fail(lineno, f"unrecognised line: {line[:120]!r}")

    def server_line(self, lineno: int, line: str) -> bool:
        m = _SERVER_UP_RE.match(line)
        if m:
            self.servers.append(ServerStatus(host=m.group(1), up=m.group(2).upper() == "UP",
                                             master=bool(m.group(3) or m.group(5)),
                                             version=m.group(4), line=lineno))
            return True
        m = _SERVER_ERR_RE.match(line)
        if m:
            self.servers.append(ServerStatus(host=m.group(1), up=False, master=False,
                                             version=None, line=lineno, message=m.group(2)))
            return True
        return False

    def vendor_line(self, lineno: int, line: str) -> bool:
        m = _VENDOR_RE.match(line)
        if m:
            self.vendors.append(VendorStatus(name=m.group(1), up=m.group(2) == "UP",
                                             version=m.group(3), line=lineno))
            return True
        m = _VENDOR_MSG_RE.match(line)
        if m:
            self.vendors.append(VendorStatus(name=m.group(1), up=False, version=None,
                                             line=lineno, message=m.group(2)))
            return True
        return False

    def feature_line(self, lineno: int, raw: str, line: str) -> bool:
        fb = self.features[-1]
        m = _POOL_RE.match(line)
        if m:
            fb.pools.append(_PoolBuild(PoolBlock(
                feature=m.group(1), version=m.group(2), vendor=m.group(3),
                expiry_text=m.group(4), line=lineno)))
            return True
        m = _TYPE_RE.match(line)
        if m:
            pool = fb.pool(lineno)
            locked = m.group(2) or None
            if locked:
                locked = re.sub(r"^locked to\s+", "", locked).strip('"') or None
            pool.header = replace(pool.header, license_type=m.group(1), locked_to=locked)
            return True
        m = _VSTRING_RE.match(line)
        if m:
            pool = fb.pool(lineno)
            pool.header = replace(pool.header, vendor_string=m.group(1))
            return True
        m = _RESERVE_RE.match(line)
        if m:
            server = f"{m.group(5)}@{m.group(4)}" if m.group(4) else None
            fb.pool(lineno).reservations.append(Reservation(
                count=int(m.group(1)), kind=m.group(2), name=m.group(3), line=lineno,
                server=server))
            return True
        if raw[:1].isspace() or "(v" in line:
            user = _parse_user_line(fb.header.name, line.rstrip(), lineno)
            if user is None:
                self.fail(lineno, f"malformed checkout line: {line[:160]!r}")
                return True
            fb.pool(lineno).users.append(user)
            return True
        return False


def parse_lmstat(text: str | bytes, *, strict: bool = True, source: str = "",
                 encoding: str = "latin-1") -> LmstatReport:
    """Parse ``lmutil lmstat -a`` output (whole or not at all). Raises ParseError on a malformed
    line (strict) or on text that is not lmstat output at all. ``encoding`` is the fallback for
    bytes that are not UTF-8."""
    decoded, warnings = decode_output(text, encoding)
    report = _Parser(decoded, strict, source).run()
    if warnings:
        report = replace(report, warnings=(*warnings, *report.warnings))
    return report


# --------------------------------------------------------------------------- lmstat -i


@dataclass(frozen=True)
class IncrementInfo:
    """One row of ``lmstat -i``."""

    feature: str
    version: str
    licenses: int
    expires_text: str
    vendor: str
    line: int

    @property
    def expires(self) -> date | None:
        """None for permanent (``permanent``, ``1-jan-0``, ``01-jan-0000``)."""
        text = self.expires_text.split("(")[0] if self.expires_text.lower().startswith(
            "permanent") else self.expires_text
        return parse_flexlm_date(text)


_I_ROW_RE = re.compile(r"^(\S+)\s+([\d.]+)\s+(\d+)\s+(.+?)\s*$")


def parse_lmstat_i(text: str | bytes, source: str = "") -> list[IncrementInfo]:
    """Parse ``lmstat -i``; both column orders (``... Expires Vendor`` and ``... Vendor Expires``)
    are recognised from the header line."""
    decoded, _ = decode_output(text)
    order: tuple[str, str] | None = None
    rows: list[IncrementInfo] = []
    for lineno, raw in enumerate(decoded.splitlines(), start=1):
        line = raw.strip()
        if not line or _IGNORED_RE.match(line) or _BANNER_RE.match(line) \
                or line.startswith(("NOTE:", "but only", "lmstat -a")):
            continue
        words = line.split()
        if words[0] == "Feature":
            try:
                order = ("expires", "vendor") if words.index("Expires") < words.index("Vendor") \
                    else ("vendor", "expires")
            except ValueError:
                raise ParseError("lmstat -i header lacks Expires or Vendor", source=source,
                                 line=lineno) from None
            continue
        if set(line) <= set("_ "):
            continue
        if order is None:
            raise ParseError("lmstat -i row before the header line", source=source, line=lineno)
        m = _I_ROW_RE.match(line)
        if not m:
            raise ParseError(f"malformed lmstat -i row: {line[:120]!r}", source=source,
                             line=lineno)
        tail = m.group(4)
        if order == ("expires", "vendor"):
            parts = tail.rsplit(None, 1)
            if len(parts) != 2:
                raise ParseError(f"lmstat -i row lacks a vendor: {line!r}", source=source,
                                 line=lineno)
            expires, vendor = parts
        else:
            parts = tail.split(None, 1)
            if len(parts) != 2:
                raise ParseError(f"lmstat -i row lacks an expiry: {line!r}", source=source,
                                 line=lineno)
            vendor, expires = parts
        info = IncrementInfo(feature=m.group(1), version=m.group(2), licenses=int(m.group(3)),
                             expires_text=expires, vendor=vendor, line=lineno)
        try:
            info.expires  # noqa: B018 - validate the date now, not at first use
        except ValueError as exc:
            raise ParseError(f"bad expiry: {exc}", source=source, line=lineno) from None
        rows.append(info)
    if order is None:
        raise ParseError("no 'Feature Version #licenses ...' header: not lmstat -i output",
                         source=source, line=1)
    return rows


def increment_totals(rows: Iterable[IncrementInfo]) -> dict[str, int]:
    """Feature -> licences over all ``lmstat -i`` rows of that feature."""
    totals: dict[str, int] = {}
    for r in rows:
        totals[r.feature] = totals.get(r.feature, 0) + r.licenses
    return totals
