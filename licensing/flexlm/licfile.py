"""FlexLM licence files: parse into frozen records, or fail with every error and its line.

A licence file is read whole or not at all: :func:`parse_license_file` either returns a complete
:class:`LicenseFile` or raises :class:`core.errors.ParseError` naming the first bad line (all
errors found are in ``error.data["errors"]``), so a malformed file is never imported partially.

Syntax handled: ``SERVER host hostid [port] [options]`` (one server, or three for a redundant
triad), ``VENDOR``/``DAEMON name [path] [[OPTIONS=]file] [[PORT=]port]``, ``USE_SERVER``,
``FEATURE|INCREMENT name vendor version expiry count [legacy-key] [KEY=value | FLAG ...]``,
``UPGRADE name vendor from_version to_version expiry count ...``, ``PACKAGE name vendor [version]
COMPONENTS="a b:1.0 c:1.0:2" ...``; ``\\`` continues a line (blank lines inside a continuation are
skipped), ``#`` starts a comment line, values may be quoted with ``"`` (typographic quotes are taken
as quotes too, as in vendors' PDF-pasted files).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from core.errors import ParseError
from licensing.flexlm.dates import parse_flexlm_date
from licensing.reconcile import FeatureUsage

QUOTES = {'"': '"”“', "“": '"”“', "”": '"”“'}
FEATURE_KINDS = ("FEATURE", "INCREMENT", "UPGRADE")
LINE_KINDS = (*FEATURE_KINDS, "SERVER", "VENDOR", "DAEMON", "USE_SERVER", "PACKAGE", "FEATURESET")

# KEY=value attributes of FEATURE/INCREMENT/UPGRADE/PACKAGE lines (FlexNet 11 licence syntax).
VALUE_KEYWORDS = frozenset({
    "VENDOR_STRING", "HOSTID", "SIGN", "SIGN2", "ISSUER", "ISSUED", "NOTICE", "DUP_GROUP",
    "BORROW", "CK", "START", "SUPERSEDE", "SN", "PLATFORMS", "OVERDRAFT", "TS_OK", "VENDOR_INFO",
    "DIST_INFO", "USER_INFO", "ASSET_INFO", "SORT", "MINIMUM", "TZ", "VM_PLATFORMS", "KEY",
    "AUTH", "COMPONENTS", "OPTIONS", "SERIAL", "TYPE", "LICENSE_KEY", "FLOAT_OK",
})
# Keywords that may stand alone.
FLAG_KEYWORDS = frozenset({
    "SUPERSEDE", "USER_BASED", "HOST_BASED", "BORROW", "CAPACITY", "TS_OK", "FLOAT_OK",
    "ONE_TS_OK",
})
DEFAULT_BORROW_HOURS = 168

_VERSION_RE = re.compile(r"^\d+(\.\d+)*$")
_DUP_GROUP_RE = re.compile(r"^(NONE|SITE|[UHDV]{1,4})$")
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+\-]*$")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class ServerLine:
    host: str
    hostid: str
    port: int | None
    line: int
    options: tuple[tuple[str, str | None], ...] = ()

    @property
    def address(self) -> str:
        """``port@host`` (``@host`` when the file leaves the port to the default range)."""
        return f"{self.port}@{self.host}" if self.port is not None else f"@{self.host}"


@dataclass(frozen=True)
class VendorLine:
    name: str
    daemon_path: str | None
    options_path: str | None
    port: int | None
    line: int
    keyword: str = "VENDOR"


@dataclass(frozen=True)
class FeatureLine:
    """One FEATURE, INCREMENT or UPGRADE line. ``count`` is None for uncounted (``0`` or the word
    ``uncounted``); ``expiry`` is None for permanent."""

    kind: str
    name: str
    vendor: str
    version: str
    expiry: date | None
    expiry_text: str
    count: int | None
    line: int
    attributes: tuple[tuple[str, str], ...] = ()
    flags: tuple[str, ...] = ()
    license_key: str | None = None
    from_version: str | None = None
    issued: date | None = None
    start: date | None = None
    borrow_hours: int | None = None

    def attr(self, key: str) -> str | None:
        key = key.upper()
        for k, v in self.attributes:
            if k == key:
                return v
        return None

    @property
    def uncounted(self) -> bool:
        return self.count is None

    @property
    def permanent(self) -> bool:
        return self.expiry is None

    @property
    def hostid(self) -> str | None:
        return self.attr("HOSTID")

    @property
    def node_locked(self) -> bool:
        """Locked to a host id (``HOSTID=ANY`` included: lmstat calls it "locked to NOTHING")."""
        return self.hostid is not None

    @property
    def floating(self) -> bool:
        return not self.node_locked and not self.uncounted

    @property
    def sign(self) -> str | None:
        return self.attr("SIGN")

    @property
    def sign2(self) -> str | None:
        return self.attr("SIGN2")

    @property
    def vendor_string(self) -> str | None:
        return self.attr("VENDOR_STRING")

    @property
    def issuer(self) -> str | None:
        return self.attr("ISSUER")

    @property
    def notice(self) -> str | None:
        return self.attr("NOTICE")

    @property
    def dup_group(self) -> str | None:
        return self.attr("DUP_GROUP")

    @property
    def ck(self) -> int | None:
        value = self.attr("CK")
        return int(value) if value is not None else None

    @property
    def serial_number(self) -> str | None:
        return self.attr("SN")

    @property
    def platforms(self) -> tuple[str, ...]:
        value = self.attr("PLATFORMS")
        return tuple(value.split()) if value else ()

    @property
    def supersedes(self) -> tuple[str, ...] | None:
        """Feature names this line supersedes (its own name for a bare SUPERSEDE), or None."""
        value = self.attr("SUPERSEDE")
        if value is not None:
            return tuple(value.split())
        return (self.name,) if "SUPERSEDE" in self.flags else None

    @property
    def pool_key(self) -> tuple[object, ...]:
        """Lines with equal keys form one pool (FlexNet: name, version, BORROW, DUP_GROUP,
        FLOAT_OK, HOST_BASED, HOSTID, PLATFORMS, TZ, USER_BASED, VENDOR_STRING, VM_PLATFORMS)."""
        return (self.name, self.vendor, self.version, self.borrow_hours, self.dup_group,
                self.attr("FLOAT_OK") or ("FLOAT_OK" in self.flags), "HOST_BASED" in self.flags,
                self.hostid, self.attr("PLATFORMS"), self.attr("TZ"), "USER_BASED" in self.flags,
                self.vendor_string, self.attr("VM_PLATFORMS"))


@dataclass(frozen=True)
class Component:
    name: str
    version: str | None = None
    count: int = 1


@dataclass(frozen=True)
class PackageLine:
    name: str
    vendor: str
    version: str | None
    components: tuple[Component, ...]
    line: int
    attributes: tuple[tuple[str, str], ...] = ()
    license_key: str | None = None

    def attr(self, key: str) -> str | None:
        key = key.upper()
        return next((v for k, v in self.attributes if k == key), None)

    @property
    def suite(self) -> bool:
        return (self.attr("OPTIONS") or "").upper() == "SUITE"


@dataclass(frozen=True)
class Pool:
    """Seats of one feature that FlexNet counts together."""

    feature: str
    vendor: str
    version: str
    seats: int | None
    node_locked: bool
    expiry: date | None
    dup_group: str | None
    vendor_string: str | None
    hostid: str | None
    lines: tuple[int, ...]

    @property
    def uncounted(self) -> bool:
        return self.seats is None


@dataclass(frozen=True)
class LicenseFile:
    source: str
    servers: tuple[ServerLine, ...]
    vendors: tuple[VendorLine, ...]
    use_server: bool
    features: tuple[FeatureLine, ...]
    packages: tuple[PackageLine, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def triad(self) -> bool:
        return len(self.servers) == 3

    @property
    def server_addresses(self) -> tuple[str, ...]:
        return tuple(s.address for s in self.servers)

    @property
    def license_spec(self) -> str:
        """What ``lmutil lmstat -c`` takes: ``port@h1,port@h2,port@h3`` for a triad."""
        return ",".join(self.server_addresses)

    def vendor(self, name: str) -> VendorLine | None:
        return next((v for v in self.vendors if v.name == name), None)

    def counting_lines(self) -> tuple[FeatureLine, ...]:
        """The lines that give seats: the first FEATURE line of a name (per vendor), every
        INCREMENT line, minus lines superseded by a later-issued SUPERSEDE line. UPGRADE lines
        move seats between versions and add none."""
        seen_feature: set[tuple[str, str]] = set()
        chosen: list[FeatureLine] = []
        for f in self.features:
            if f.kind == "UPGRADE":
                continue
            if f.kind == "FEATURE":
                key = (f.name, f.vendor)
                if key in seen_feature:
                    continue
                seen_feature.add(key)
            chosen.append(f)
        superseding = [f for f in chosen if f.supersedes is not None]
        if not superseding:
            return tuple(chosen)

        def superseded(f: FeatureLine) -> bool:
            for s in superseding:
                if s is f or f.vendor != s.vendor or f.name not in (s.supersedes or ()):
                    continue
                if s.issued is None or f.issued is None or f.issued < s.issued:
                    return True
            return False

        return tuple(f for f in chosen if not superseded(f))

    def seat_totals(self) -> dict[str, int]:
        """Feature name -> counted seats over all its pools (uncounted lines add none)."""
        totals: dict[str, int] = {}
        for f in self.counting_lines():
            totals[f.name] = totals.get(f.name, 0) + (f.count or 0)
        return totals

    def uncounted_features(self) -> frozenset[str]:
        return frozenset(f.name for f in self.counting_lines() if f.uncounted)

    def pools(self) -> tuple[Pool, ...]:
        grouped: dict[tuple[object, ...], list[FeatureLine]] = defaultdict(list)
        for f in self.counting_lines():
            grouped[f.pool_key].append(f)
        pools = []
        for lines in grouped.values():
            first = lines[0]
            counted = [f.count for f in lines if f.count is not None]
            expiries = [f.expiry for f in lines]
            pools.append(Pool(
                feature=first.name, vendor=first.vendor, version=first.version,
                seats=sum(counted) if counted else None, node_locked=first.node_locked,
                expiry=None if None in expiries else max(e for e in expiries if e is not None),
                dup_group=first.dup_group, vendor_string=first.vendor_string,
                hostid=first.hostid, lines=tuple(f.line for f in lines)))
        return tuple(pools)


def issued_mismatches(license_file: LicenseFile, usage: Iterable[FeatureUsage]
                      ) -> dict[str, tuple[int | None, int | None]]:
    """Features whose seats in the licence file differ from what the server says it issued
    (``lmstat``'s "Total of N licenses issued"): name -> (file, server). A feature missing on
    either side shows None there. Uncounted features and error lines are left out."""
    totals = license_file.seat_totals()
    uncounted = license_file.uncounted_features()
    served: dict[str, int] = {}
    for u in usage:
        if u.issued is not None and not u.uncounted:
            served[u.feature] = served.get(u.feature, 0) + u.issued
    out: dict[str, tuple[int | None, int | None]] = {}
    for name in sorted(set(totals) | set(served)):
        if name in uncounted and not totals.get(name):
            continue  # only uncounted lines: nothing to compare
        mine, theirs = totals.get(name), served.get(name)
        if mine != theirs:
            out[name] = (mine, theirs)
    return out


# --------------------------------------------------------------------------- reading


@dataclass
class _Logical:
    text: str
    starts: list[tuple[int, int]] = field(default_factory=list)  # (offset in text, line number)

    @property
    def line(self) -> int:
        return self.starts[0][1]

    def line_at(self, offset: int) -> int:
        number = self.starts[0][1]
        for start, lineno in self.starts:
            if start > offset:
                break
            number = lineno
        return number


@dataclass(frozen=True)
class _Token:
    key: str | None
    value: str
    offset: int
    quoted: bool

    @property
    def raw(self) -> str:
        return f"{self.key}={self.value}" if self.key is not None else self.value


class _Errors:
    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self.items.append((line, message))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        line, message = self.items[0]
        more = len(self.items) - 1
        suffix = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
        raise ParseError(message + suffix, source=self.source, line=line,
                         errors=[{"line": n, "message": m} for n, m in self.items])


class _LineError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _logical_lines(text: str) -> Iterator[_Logical]:
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        logical = _Logical("")
        while True:
            body = lines[i].rstrip()
            cont = body.endswith("\\")
            if cont:
                body = body[:-1].rstrip()
            piece = body.strip()
            if logical.text and piece:
                logical.text += " "
            logical.starts.append((len(logical.text), i + 1))
            logical.text += piece
            if not cont:
                i += 1
                break
            cont_line = i + 1
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            if i >= len(lines):
                raise _LineError(cont_line, "line ends with '\\' but the file ends there "
                                            "(truncated file?)")
        yield logical


_CHUNK_RE = re.compile(r'\s+|[^\s"“”{]+|["“”][^"“”]*["“”]?|\{[^}]*\}?')


def _tokens(logical: _Logical) -> list[_Token]:
    """Whitespace-separated words; a quoted (or braced) part may hold spaces and is joined to
    the word around it (``SIGN="A B"``). ``KEY=`` splits at the first ``=`` outside quotes."""
    text = logical.text
    out: list[_Token] = []
    start = -1
    buf: list[str] = []
    key: str | None = None
    quoted = False
    for m in _CHUNK_RE.finditer(text):
        chunk = m.group(0)
        first = chunk[0]
        if first.isspace():
            if start >= 0:
                out.append(_Token(key, "".join(buf), start, quoted))
                start, buf, key, quoted = -1, [], None, False
            continue
        if start < 0:
            start = m.start()
        if first in QUOTES or first == "{":
            closers = QUOTES.get(first, "}")
            if len(chunk) < 2 or chunk[-1] not in closers:
                opened = text[start:m.start() + 12]
                raise _LineError(logical.line_at(m.start()),
                                 f"unterminated quoted value starting {opened!r}")
            buf.append(" ".join(chunk[1:-1].split()))
            quoted = True
        elif key is None and not quoted and "=" in chunk:
            before, after = chunk.split("=", 1)
            key = "".join(buf) + before
            buf = [after] if after else []
        else:
            buf.append(chunk)
    if start >= 0:
        out.append(_Token(key, "".join(buf), start, quoted))
    return out


def _int(value: str, what: str, line: int, minimum: int = 0) -> int:
    if not re.fullmatch(r"\d+", value) or int(value) < minimum:
        raise _LineError(line, f"{what} must be a whole number >= {minimum}, not {value!r}")
    return int(value)


def _port(value: str, line: int) -> int:
    port = _int(value, "port", line, 1)
    if port > 65535:
        raise _LineError(line, f"port {port} is out of range 1-65535")
    return port


def _date(value: str, what: str, line: int, allow_permanent: bool = True) -> date | None:
    try:
        parsed = parse_flexlm_date(value)
    except ValueError as exc:
        raise _LineError(line, f"bad {what}: {exc}") from None
    if parsed is None and not allow_permanent:
        raise _LineError(line, f"bad {what}: {value!r} is not a calendar date")
    return parsed


def _parse_server(toks: list[_Token], lg: _Logical) -> ServerLine:
    if len(toks) < 3:
        raise _LineError(lg.line, "SERVER line needs a host name and a host id")
    host, hostid = toks[1].raw, toks[2].raw
    port: int | None = None
    options: list[tuple[str, str | None]] = []
    for pos, tok in enumerate(toks[3:], start=3):
        where = lg.line_at(tok.offset)
        positional_port = tok.key is None and pos == 3 and tok.value.isdigit()
        if positional_port or (tok.key or "").upper() == "PORT":
            port = _port(tok.value, where)
        elif tok.key is None and tok.value.upper() == "PRIMARY_IS_MASTER":
            options.append((tok.value.upper(), None))
        elif tok.key is not None and tok.key.upper() == "HEARTBEAT_INTERVAL":
            options.append((tok.key.upper(), str(_int(tok.value, "HEARTBEAT_INTERVAL", where))))
        else:
            raise _LineError(where, f"SERVER line: unexpected {tok.raw!r} (port must be a number)")
    return ServerLine(host=host, hostid=hostid, port=port, line=lg.line, options=tuple(options))


def _parse_vendor(toks: list[_Token], lg: _Logical) -> VendorLine:
    if len(toks) < 2 or toks[1].key is not None:
        raise _LineError(lg.line, f"{toks[0].value} line needs a vendor daemon name")
    name = toks[1].value
    if not _NAME_RE.match(name):
        raise _LineError(lg.line, f"bad vendor daemon name {name!r}")
    positional: list[str] = []
    options_path: str | None = None
    port: int | None = None
    for tok in toks[2:]:
        where = lg.line_at(tok.offset)
        key = tok.key.upper() if tok.key is not None else None
        if key is None:
            positional.append(tok.value)
        elif key == "OPTIONS":
            options_path = tok.value
        elif key == "PORT":
            port = _port(tok.value, where)
        else:
            raise _LineError(where, f"{toks[0].value} line: unknown keyword {tok.key!r}")
    if len(positional) > 3:
        raise _LineError(lg.line, f"{toks[0].value} line has too many fields")
    daemon_path = positional[0] if positional else None
    if len(positional) >= 2:
        options_path = positional[1]
    if len(positional) == 3:
        port = _port(positional[2], lg.line)
    return VendorLine(name=name, daemon_path=daemon_path, options_path=options_path, port=port,
                      line=lg.line, keyword=toks[0].value.upper())


def _attributes(toks: list[_Token], lg: _Logical, allow_key_at: int | None
                ) -> tuple[list[tuple[str, str]], list[str], str | None]:
    attrs: list[tuple[str, str]] = []
    flags: list[str] = []
    legacy_key: str | None = None
    seen: dict[str, int] = {}
    for pos, tok in enumerate(toks):
        where = lg.line_at(tok.offset)
        if tok.key is None:
            word = tok.value
            if word.upper() in FLAG_KEYWORDS:
                flags.append(word.upper())
            elif pos == allow_key_at and re.fullmatch(r"[0-9A-Za-z]{12,}", word):
                legacy_key = word
            else:
                raise _LineError(where, f"unexpected word {word!r} "
                                        "(not a KEY=value or a known flag)")
            continue
        key = "CK" if tok.key == "ck" else tok.key.upper()
        if key not in VALUE_KEYWORDS:
            raise _LineError(where, f"unknown keyword {tok.key!r}")
        if key in seen:
            raise _LineError(where, f"{key} is given twice (first on line {seen[key]})")
        if tok.value == "" and not tok.quoted:
            raise _LineError(where, f"{key}= has no value")
        seen[key] = where
        attrs.append((key, tok.value))
    return attrs, flags, legacy_key


def _check_attributes(attrs: list[tuple[str, str]], lg: _Logical, offsets: dict[str, int]
                      ) -> tuple[date | None, date | None, int | None]:
    values = dict(attrs)
    issued = start = None
    borrow: int | None = None
    if "ISSUED" in values:
        issued = _date(values["ISSUED"], "ISSUED date", offsets["ISSUED"], allow_permanent=False)
    if "START" in values:
        start = _date(values["START"], "START date", offsets["START"], allow_permanent=False)
    if "DUP_GROUP" in values and not _DUP_GROUP_RE.match(values["DUP_GROUP"].upper()):
        raise _LineError(offsets["DUP_GROUP"],
                         f"bad DUP_GROUP {values['DUP_GROUP']!r} (NONE, SITE or letters of UHDV)")
    if "BORROW" in values:
        borrow = _int(values["BORROW"], "BORROW hours", offsets["BORROW"], 1)
    if "CK" in values:
        _int(values["CK"], "ck", offsets["CK"])
    if "OVERDRAFT" in values:
        _int(values["OVERDRAFT"], "OVERDRAFT", offsets["OVERDRAFT"])
    if "HOSTID" in values and not values["HOSTID"].strip():
        raise _LineError(offsets["HOSTID"], "HOSTID is empty")
    return issued, start, borrow


def _parse_feature(toks: list[_Token], lg: _Logical, warnings: list[str]) -> FeatureLine:
    kind = toks[0].value.upper()
    fields = 7 if kind == "UPGRADE" else 6
    names = ("name", "vendor", "from_version", "version", "expiry", "count") if kind == "UPGRADE" \
        else ("name", "vendor", "version", "expiry", "count")
    positional = []
    for tok in toks[1:fields]:
        if tok.key is not None:
            break
        positional.append(tok)
    if len(positional) < len(names):
        missing = ", ".join(names[len(positional):])
        raise _LineError(lg.line, f"{kind} line is missing {missing} "
                                  f"(expected {kind} {' '.join(names)} ...)")
    vals = dict(zip(names, (t.value for t in positional), strict=True))
    where = {n: lg.line_at(t.offset) for n, t in zip(names, positional, strict=True)}
    if not _NAME_RE.match(vals["name"]):
        raise _LineError(where["name"], f"bad feature name {vals['name']!r}")
    if not _NAME_RE.match(vals["vendor"]):
        raise _LineError(where["vendor"], f"bad vendor name {vals['vendor']!r}")
    for vkey in ("version", "from_version"):
        if vkey in vals and not _VERSION_RE.match(vals[vkey]):
            raise _LineError(where[vkey], f"bad version {vals[vkey]!r} (expected digits and dots)")
    expiry = _date(vals["expiry"], "expiry date", where["expiry"])
    raw_count = vals["count"]
    if raw_count.lower() == "uncounted":
        count: int | None = None
    else:
        count = _int(raw_count, "licence count", where["count"]) or None
    rest = toks[1 + len(names):]
    attrs, flags, legacy = _attributes(rest, lg, allow_key_at=0)
    offsets = {(t.key.upper() if t.key != "ck" else "CK"): lg.line_at(t.offset)
               for t in rest if t.key is not None}
    issued, start, borrow = _check_attributes(attrs, lg, offsets)
    if "BORROW" in flags and borrow is None:
        borrow = DEFAULT_BORROW_HOURS
    if not any(k in ("SIGN", "SIGN2", "AUTH", "KEY", "LICENSE_KEY") for k, _ in attrs) \
            and legacy is None:
        raise _LineError(lg.line, f"{kind} {vals['name']} has no signature (SIGN=, AUTH= or a "
                                  "licence key)")
    if count is None and not any(k == "HOSTID" for k, _ in attrs):
        warnings.append(f"line {lg.line}: uncounted {vals['name']} has no HOSTID")
    if start is not None and expiry is not None and start > expiry:
        raise _LineError(lg.line, f"START {start} is after the expiry date {expiry}")
    return FeatureLine(
        kind=kind, name=vals["name"], vendor=vals["vendor"], version=vals["version"],
        expiry=expiry, expiry_text=vals["expiry"], count=count, line=lg.line,
        attributes=tuple(attrs), flags=tuple(flags), license_key=legacy,
        from_version=vals.get("from_version"), issued=issued, start=start, borrow_hours=borrow)


def _parse_components(value: str, line: int) -> tuple[Component, ...]:
    comps = []
    for item in value.split():
        parts = item.split(":")
        if len(parts) > 3 or not _NAME_RE.match(parts[0]):
            raise _LineError(line, f"bad COMPONENTS entry {item!r} (name[:version[:count]])")
        version = parts[1] if len(parts) > 1 else None
        if version is not None and not _VERSION_RE.match(version):
            raise _LineError(line, f"bad version in COMPONENTS entry {item!r}")
        count = _int(parts[2], "component count", line, 1) if len(parts) == 3 else 1
        comps.append(Component(parts[0], version, count))
    if not comps:
        raise _LineError(line, "COMPONENTS is empty")
    return tuple(comps)


def _parse_package(toks: list[_Token], lg: _Logical) -> PackageLine:
    positional = []
    for tok in toks[1:]:
        if tok.key is not None:
            break
        positional.append(tok)
    if len(positional) < 2:
        raise _LineError(lg.line, "PACKAGE line needs a package name and a vendor")
    name, vendor = positional[0].value, positional[1].value
    version: str | None = None
    key_at: int | None = None
    if len(positional) >= 3:
        if _VERSION_RE.match(positional[2].value):
            version = positional[2].value
            key_at = 0 if len(positional) >= 4 else None
        else:
            key_at = 0
    consumed = 3 if version is not None else 2
    rest = toks[1 + consumed:]
    attrs, _flags, legacy = _attributes(rest, lg, allow_key_at=key_at)
    comps_value = dict(attrs).get("COMPONENTS")
    if comps_value is None:
        raise _LineError(lg.line, f"PACKAGE {name} has no COMPONENTS=")
    line_of = next(lg.line_at(t.offset) for t in rest if (t.key or "").upper() == "COMPONENTS")
    components = _parse_components(comps_value, line_of)
    if not any(k in ("SIGN", "SIGN2", "AUTH", "KEY") for k, _ in attrs) and legacy is None:
        raise _LineError(lg.line, f"PACKAGE {name} has no signature")
    return PackageLine(name=name, vendor=vendor, version=version, components=components,
                       line=lg.line, attributes=tuple(attrs), license_key=legacy)


def parse_license_file(text: str, source: str = "") -> LicenseFile:
    """Parse a whole licence file. Raises ParseError (with every error in ``data["errors"]``)."""
    errors = _Errors(source)
    warnings: list[str] = []
    servers: list[ServerLine] = []
    vendors: list[VendorLine] = []
    features: list[FeatureLine] = []
    packages: list[PackageLine] = []
    use_server = False
    if "\x00" in text:
        raise ParseError("binary data, not a licence file", source=source, line=1)
    logicals = _logical_lines(text)
    while True:
        try:
            lg = next(logicals)
        except StopIteration:
            break
        except _LineError as exc:
            errors.add(exc.line, exc.message)
            break
        try:
            toks = _tokens(lg)
            word = toks[0].value if toks and toks[0].key is None else toks[0].raw if toks else ""
            kind = word.upper()
            if kind not in LINE_KINDS:
                raise _LineError(lg.line, f"unknown line type {word[:40]!r} (expected SERVER, "
                                          "VENDOR, USE_SERVER, FEATURE, INCREMENT, PACKAGE, ...)")
            if kind == "SERVER":
                servers.append(_parse_server(toks, lg))
            elif kind in ("VENDOR", "DAEMON"):
                vendors.append(_parse_vendor(toks, lg))
            elif kind == "USE_SERVER":
                if len(toks) > 1:
                    raise _LineError(lg.line, "USE_SERVER takes no arguments")
                use_server = True
            elif kind in FEATURE_KINDS:
                features.append(_parse_feature(toks, lg, warnings))
            elif kind == "PACKAGE":
                packages.append(_parse_package(toks, lg))
            else:
                warnings.append(f"line {lg.line}: {kind} line ignored")
        except _LineError as exc:
            errors.add(exc.line, exc.message)
    if not errors.items:
        if len(servers) not in (0, 1, 3):
            errors.add(servers[1].line, f"{len(servers)} SERVER lines: use one server or a "
                                        "three-server redundant triad")
        ports = {s.port for s in servers}
        if len(servers) == 3 and len(ports) > 1:
            warnings.append("the triad's SERVER lines name different ports")
        if not features and not packages:
            errors.add(1, "no FEATURE, INCREMENT or PACKAGE lines: not a licence file")
        names = {v.name for v in vendors}
        for f in features:
            if names and f.vendor not in names:
                warnings.append(f"line {f.line}: {f.name} names vendor {f.vendor}, which has no "
                                "VENDOR line")
        seen_sign: dict[tuple[str, str, str], int] = {}
        for f in features:
            if f.kind == "INCREMENT" and f.sign:
                key = (f.name, f.vendor, f.sign)
                if key in seen_sign:
                    warnings.append(f"line {f.line}: repeats the INCREMENT on line "
                                    f"{seen_sign[key]} (same SIGN); FlexNet counts both")
                seen_sign.setdefault(key, f.line)
    errors.raise_if_any()
    return LicenseFile(source=source, servers=tuple(servers), vendors=tuple(vendors),
                       use_server=use_server, features=tuple(features), packages=tuple(packages),
                       warnings=tuple(warnings))
