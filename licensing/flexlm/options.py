"""FlexLM vendor-daemon options files: render one from the hub's policy, and check one's syntax.

FlexLM has no time windows, so the hub regenerates this file whenever quotas, active
reservations or suspensions change and applies it with ``lmutil lmreread -c port@host -vendor V``.

Mapping from hub policy (see :func:`options_from_policy`):

- an organisation's concurrent maximum on a feature -> ``GROUP org_x members...`` and
  ``MAX n feature GROUP org_x`` (MAX for a GROUP caps the whole group);
- a user's concurrent maximum -> ``MAX n feature USER name``;
- a course's concurrent maximum -> ``GROUP course_x members...`` (the people who use the
  course's seats) and ``MAX n feature GROUP course_x``;
- an active reservation -> ``RESERVE n feature USER name`` (or ``GROUP`` for an organisation);
  the sum of RESERVE lines for a feature may not exceed its seats;
- a suspended user -> ``EXCLUDEALL USER name``; a suspended organisation -> ``EXCLUDEALL GROUP``;
  an organisation not eligible for a feature -> ``EXCLUDE feature GROUP org_x``
  (EXCLUDE wins over INCLUDE: a member of both an eligible and an ineligible organisation is
  excluded).

Syntax rules checked by :func:`validate_options_file` (FlexNet licence administration guide):
lines at most 4000 characters (physical and joined), ``\\`` continues a line and must be the last
character, ``#`` starts a comment; every keyword known, with its arity; types USER, HOST,
DISPLAY, INTERNET, PROJECT, GROUP, HOST_GROUP; every GROUP/HOST_GROUP used is defined; names made
of safe characters (no spaces, quotes or backslashes); counts positive; NOLOG one of IN, OUT,
DENIED, QUEUED; the sum of RESERVE per feature within the feature's seats when those are given.
Large groups are written as several GROUP lines of one name (FlexNet joins them).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from core.errors import InvalidInput

MAX_LINE = 4000
GROUP_LINE_BUDGET = 1000  # we keep our own lines far below MAX_LINE
MIN_TIMEOUT = 900
TYPES = ("USER", "HOST", "DISPLAY", "INTERNET", "PROJECT", "GROUP", "HOST_GROUP")
NOLOG_WHAT = ("IN", "OUT", "DENIED", "QUEUED")

_GROUP_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$")
_USER_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@$+~\-]{0,127}$")
_HOST_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,254}$")
_DISPLAY_RE = re.compile(r"^[A-Za-z0-9_/:.\-]{1,128}$")
_INTERNET_RE = re.compile(r"^[0-9*]{1,3}(\.[0-9*]{1,3}){3}$")
_FEATURE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+\-]{0,127}(:[A-Z_]+=[^\s:\"\\]+)*$")
_PATH_RE = re.compile(r'^\+?("[^"\\]+"|[^\s"\\]+)$')

_NAME_RULE = {"USER": _USER_RE, "PROJECT": _USER_RE, "HOST": _HOST_RE, "DISPLAY": _DISPLAY_RE,
              "INTERNET": _INTERNET_RE, "GROUP": _GROUP_NAME_RE, "HOST_GROUP": _GROUP_NAME_RE}


# --------------------------------------------------------------------------- input data


@dataclass(frozen=True)
class Group:
    """``GROUP name members...`` (or ``HOST_GROUP`` with host names)."""

    name: str
    members: tuple[str, ...]
    host_group: bool = False


@dataclass(frozen=True)
class LimitRule:
    """``MAX``/``RESERVE``: ``count`` seats of ``feature`` for one ``kind name``."""

    count: int
    feature: str
    kind: str
    name: str
    version: str | None = None


@dataclass(frozen=True)
class AccessRule:
    """``INCLUDE``/``EXCLUDE`` (``feature`` set) or ``INCLUDEALL``/``EXCLUDEALL`` (None)."""

    kind: str
    name: str
    feature: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class OptionsInput:
    groups: tuple[Group, ...] = ()
    max_rules: tuple[LimitRule, ...] = ()
    reserves: tuple[LimitRule, ...] = ()
    includes: tuple[AccessRule, ...] = ()
    excludes: tuple[AccessRule, ...] = ()
    timeouts: tuple[tuple[str, int], ...] = ()
    timeout_all: int | None = None
    nolog: tuple[str, ...] = ()
    report_log: str | None = None
    debug_log: str | None = None
    feature_seats: Mapping[str, int] = field(default_factory=dict)
    group_case_insensitive: bool = False
    comment: str | None = None


# --------------------------------------------------------------------------- hub policy


@dataclass(frozen=True)
class OrgMembers:
    org: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class OrgQuota:
    """An organisation's concurrent maximum on a feature."""

    org: OrgMembers
    feature: str
    max_seats: int


@dataclass(frozen=True)
class CourseQuota:
    """A course's concurrent maximum on a feature; ``members`` are the people who use the
    course's seats (FlexLM sees users, not courses)."""

    course: str
    members: tuple[str, ...]
    feature: str
    max_seats: int


@dataclass(frozen=True)
class UserQuota:
    user: str
    feature: str
    max_seats: int


@dataclass(frozen=True)
class ActiveReservation:
    """Seats held now for a user, or for an organisation when ``org`` is set."""

    feature: str
    seats: int
    user: str | None = None
    org: OrgMembers | None = None


def group_name_for(org: str, prefix: str = "org") -> str:
    """A stable options-file GROUP name for an organisation: ``org_`` + its name folded to
    letters, digits and ``_`` (at most 64 characters); ``course_`` + the code for a course."""
    slug = re.sub(r"[^A-Za-z0-9]+", "_", org).strip("_").lower() or "unnamed"
    return f"{prefix}_{slug}"[:64]


def options_from_policy(*, quotas: Sequence[OrgQuota] = (), user_quotas: Sequence[UserQuota] = (),
                        course_quotas: Sequence[CourseQuota] = (),
                        reservations: Sequence[ActiveReservation] = (),
                        suspended_users: Iterable[str] = (),
                        suspended_orgs: Sequence[OrgMembers] = (),
                        ineligible: Sequence[tuple[str, OrgMembers]] = (),
                        feature_seats: Mapping[str, int] | None = None,
                        timeouts: Mapping[str, int] | None = None,
                        report_log: str | None = None, debug_log: str | None = None,
                        comment: str | None = None) -> OptionsInput:
    """Turn the hub's quotas, active reservations, suspensions and eligibility into an
    :class:`OptionsInput`. Organisations with no members produce no lines (nobody to cap).
    A course quota becomes ``GROUP course_x members...`` and ``MAX n feature GROUP course_x``;
    a course nobody uses yet produces no lines."""
    groups: dict[str, Group] = {}
    owners: dict[str, str] = {}

    def add_group(kind: str, owner: str, given: Iterable[str]) -> str | None:
        members = tuple(sorted({m for m in given if m}))
        if not members:
            return None
        name = group_name_for(owner, kind)
        if owners.setdefault(name, owner) != owner:
            what = "organisations" if kind == "org" else "courses"
            raise InvalidInput(f"{what} {owners[name]!r} and {owner!r} fold to the same "
                               f"GROUP name {name!r}; rename one")
        known = groups.get(name)
        merged = tuple(sorted(set(members) | set(known.members if known else ())))
        groups[name] = Group(name, merged)
        return name

    def group_for(org: OrgMembers) -> str | None:
        return add_group("org", org.org, org.members)

    max_rules: list[LimitRule] = []
    barred: list[AccessRule] = []  # a maximum of 0 seats: EXCLUDE (MAX needs a count >= 1)

    def cap(g: str | None, feature: str, n: int) -> None:
        if g is not None:
            if n > 0:
                max_rules.append(LimitRule(n, feature, "GROUP", g))
            else:
                barred.append(AccessRule("GROUP", g, feature=feature))

    for q in quotas:
        cap(group_for(q.org), q.feature, q.max_seats)
    for cq in course_quotas:
        cap(add_group("course", cq.course, cq.members), cq.feature, cq.max_seats)
    max_rules.extend(LimitRule(q.max_seats, q.feature, "USER", q.user) for q in user_quotas)
    reserves: list[LimitRule] = []
    for r in reservations:
        if (r.user is None) == (r.org is None):
            raise InvalidInput("a reservation names exactly one of user and org",
                               feature=r.feature)
        if r.org is not None:
            g = group_for(r.org)
            if g is not None:
                reserves.append(LimitRule(r.seats, r.feature, "GROUP", g))
        elif r.user is not None:
            reserves.append(LimitRule(r.seats, r.feature, "USER", r.user))
    excludes = [*(AccessRule("USER", u) for u in sorted(set(suspended_users))), *barred]
    for org in suspended_orgs:
        g = group_for(org)
        if g is not None:
            excludes.append(AccessRule("GROUP", g))
    for feature, org in ineligible:
        g = group_for(org)
        if g is not None:
            excludes.append(AccessRule("GROUP", g, feature=feature))
    return OptionsInput(
        groups=tuple(groups.values()), max_rules=tuple(max_rules), reserves=tuple(reserves),
        excludes=tuple(excludes), timeouts=tuple(sorted((timeouts or {}).items())),
        report_log=report_log, debug_log=debug_log, feature_seats=dict(feature_seats or {}),
        comment=comment)


# --------------------------------------------------------------------------- rendering


def _feature(feature: str, version: str | None) -> str:
    return f"{feature}:VERSION={version}" if version else feature


def _check_name(kind: str, name: str, what: str) -> None:
    if kind not in TYPES:
        raise InvalidInput(f"{what}: type {kind!r} is not one of {', '.join(TYPES)}")
    if not _NAME_RULE[kind].match(name):
        raise InvalidInput(f"{what}: {kind} name {name!r} has characters an options file cannot "
                           "hold (spaces, quotes, backslashes, non-ASCII)", name=name)


def _check_feature(feature: str, version: str | None, what: str) -> None:
    if not _FEATURE_RE.match(_feature(feature, version)):
        raise InvalidInput(f"{what}: bad feature name {feature!r}", feature=feature)


def _group_lines(group: Group) -> list[str]:
    keyword = "HOST_GROUP" if group.host_group else "GROUP"
    head = f"{keyword} {group.name}"
    lines: list[str] = []
    current = head
    for member in group.members:
        if len(current) + 1 + len(member) > GROUP_LINE_BUDGET and current != head:
            lines.append(current)
            current = head
        current += f" {member}"
    lines.append(current)
    return lines


def render_options_file(vendor: str, rules: OptionsInput) -> str:
    """Render the options file for vendor daemon ``vendor``. Deterministic (sorted, no
    timestamps) so regenerations diff cleanly. Raises InvalidInput on rules that cannot be
    written or that FlexLM would reject (unknown group, RESERVE beyond the seats, ...)."""
    if not _USER_RE.match(vendor):
        raise InvalidInput(f"bad vendor daemon name {vendor!r}")
    defined: dict[str, bool] = {}
    for g in rules.groups:
        kind = "HOST_GROUP" if g.host_group else "GROUP"
        _check_name(kind, g.name, "group")
        if not g.members:
            raise InvalidInput(f"{kind} {g.name} has no members")
        for m in g.members:
            _check_name("HOST" if g.host_group else "USER", m, f"{kind} {g.name}")
        if g.name in defined and defined[g.name] != g.host_group:
            raise InvalidInput(f"{g.name} is both a GROUP and a HOST_GROUP")
        defined[g.name] = g.host_group

    def check_target(kind: str, name: str, what: str) -> None:
        _check_name(kind, name, what)
        if kind in ("GROUP", "HOST_GROUP") and defined.get(name) != (kind == "HOST_GROUP"):
            raise InvalidInput(f"{what}: {kind} {name} is not defined", name=name)

    for r in (*rules.max_rules, *rules.reserves):
        what = f"rule for {r.feature}"
        _check_feature(r.feature, r.version, what)
        check_target(r.kind, r.name, what)
        if r.count < 1:
            raise InvalidInput(f"{what}: count must be positive, not {r.count}")
    for a in (*rules.includes, *rules.excludes):
        what = f"access rule for {a.feature or 'all features'}"
        if a.feature is not None:
            _check_feature(a.feature, a.version, what)
        check_target(a.kind, a.name, what)
    reserved: dict[str, int] = defaultdict(int)
    for r in rules.reserves:
        reserved[r.feature] += r.count
    for feature, total in sorted(reserved.items()):
        seats = rules.feature_seats.get(feature)
        if seats is not None and total > seats:
            raise InvalidInput(f"RESERVE lines for {feature} hold {total} seats but the feature "
                               f"has {seats}", feature=feature, reserved=total, seats=seats)
    for feature, secs in rules.timeouts:
        _check_feature(feature, None, "TIMEOUT")
        if secs < MIN_TIMEOUT:
            raise InvalidInput(f"TIMEOUT {feature} {secs}: FlexLM's minimum is {MIN_TIMEOUT} s")
    if rules.timeout_all is not None and rules.timeout_all < MIN_TIMEOUT:
        raise InvalidInput(f"TIMEOUTALL {rules.timeout_all}: FlexLM's minimum is {MIN_TIMEOUT} s")
    for what in rules.nolog:
        if what not in NOLOG_WHAT:
            raise InvalidInput(f"NOLOG {what!r} is not one of {', '.join(NOLOG_WHAT)}")
    for path in (rules.report_log, rules.debug_log):
        if path is not None and not _PATH_RE.match(path):
            raise InvalidInput(f"log path {path!r} needs quoting the options file cannot do")

    out = [f"# Options file for vendor daemon {vendor}, generated by ChipCommons.",
           "# Do not edit: the hub rewrites it and runs lmreread when policy changes."]
    if rules.comment:
        out.extend(f"# {line}".rstrip() for line in rules.comment.splitlines())
    out.append("")
    if rules.group_case_insensitive:
        out.append("GROUPCASEINSENSITIVE ON")
    for g in sorted(rules.groups, key=lambda g: (g.host_group, g.name)):
        out.extend(_group_lines(Group(g.name, tuple(sorted(set(g.members))), g.host_group)))

    def access(keyword: str, items: Iterable[AccessRule]) -> None:
        for a in sorted(items, key=lambda a: (a.feature is not None, a.feature or "", a.kind,
                                              a.name)):
            if a.feature is None:
                out.append(f"{keyword}ALL {a.kind} {a.name}")
            else:
                out.append(f"{keyword} {_feature(a.feature, a.version)} {a.kind} {a.name}")

    access("EXCLUDE", rules.excludes)
    access("INCLUDE", rules.includes)
    for keyword, limits in (("RESERVE", rules.reserves), ("MAX", rules.max_rules)):
        for r in sorted(limits, key=lambda r: (r.feature, r.version or "", r.kind, r.name)):
            out.append(f"{keyword} {r.count} {_feature(r.feature, r.version)} {r.kind} {r.name}")
    if rules.timeout_all is not None:
        out.append(f"TIMEOUTALL {rules.timeout_all}")
    out.extend(f"TIMEOUT {feature} {secs}" for feature, secs in sorted(rules.timeouts))
    out.extend(f"NOLOG {what}" for what in sorted(set(rules.nolog)))
    if rules.report_log:
        out.append(f"REPORTLOG {rules.report_log}")
    if rules.debug_log:
        out.append(f"DEBUGLOG {rules.debug_log}")
    text = "\n".join(out) + "\n"
    problems = validate_options_file(text, feature_seats=rules.feature_seats)
    if problems:  # a bug here, not bad input: the checks above should have caught it
        raise InvalidInput("generated options file is invalid: " + "; ".join(problems))
    return text


# --------------------------------------------------------------------------- validation

# keyword -> (min args, max args); None = unbounded
_ARITY: dict[str, tuple[int, int | None]] = {
    "GROUP": (2, None), "HOST_GROUP": (2, None), "GROUPCASEINSENSITIVE": (1, 1),
    "INCLUDE": (3, 3), "EXCLUDE": (3, 3), "INCLUDE_BORROW": (3, 3), "EXCLUDE_BORROW": (3, 3),
    "INCLUDEALL": (2, 2), "EXCLUDEALL": (2, 2), "RESERVE": (4, 4), "MAX": (4, 4),
    "TIMEOUT": (2, 2), "TIMEOUTALL": (1, 1), "LINGER": (2, 2), "BORROW_LOWWATER": (2, 2),
    "MAX_BORROW_HOURS": (2, 2), "MAX_OVERDRAFT": (2, 2), "NOLOG": (1, 1), "REPORTLOG": (1, 1),
    "DEBUGLOG": (1, 1), "FQDN_MATCHING": (1, 1), "AUTOMATIC_REREAD": (1, 1),
    "DAEMON_SELECT_TIMEOUT": (1, 1),
}


def _logical(text: str) -> tuple[list[tuple[int, str]], list[str]]:
    problems: list[str] = []
    logical: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    lines = text.splitlines()
    for number, raw in enumerate(lines, start=1):
        if len(raw) > MAX_LINE:
            problems.append(f"line {number}: {len(raw)} characters (at most {MAX_LINE})")
        if raw.rstrip() != raw and raw.rstrip().endswith("\\"):
            problems.append(f"line {number}: spaces after the continuation '\\' "
                            "(it must be the last character)")
        stripped = raw.strip()
        if pending is None and (not stripped or stripped.startswith("#")):
            continue
        body = raw.rstrip()
        cont = body.endswith("\\")
        body = body[:-1] if cont else body
        if pending is None:
            pending = (number, body.strip())
        else:
            pending = (pending[0], f"{pending[1]} {body.strip()}")
        if not cont:
            logical.append(pending)
            pending = None
    if pending is not None:
        problems.append(f"line {pending[0]}: continued with '\\' but the file ends")
        logical.append(pending)
    for number, line in logical:
        if len(line) > MAX_LINE:
            problems.append(f"line {number}: {len(line)} characters once continuations are "
                            f"joined (at most {MAX_LINE})")
    return logical, problems


def _split_args(line: str) -> list[str] | None:
    words: list[str] = []
    for m in re.finditer(r'"[^"]*"|\S+', line):
        word = m.group(0)
        if '"' in word and not (word.startswith('"') and word.endswith('"') and len(word) > 1):
            return None
        words.append(word)
    return words


class _Check:
    """Accumulates problems while the lines of one file are checked."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        self.defined: dict[str, str] = {}
        self.uses: list[tuple[int, str, str]] = []
        self.reserved: dict[str, int] = defaultdict(int)
        self.number = 0
        self.where = ""

    def add(self, message: str) -> None:
        self.problems.append(f"{self.where}: {message}")

    def name(self, kind: str, name: str) -> None:
        kind_u = kind.upper()
        if kind_u not in TYPES:
            self.add(f"type {kind!r} is not one of {', '.join(TYPES)}")
        elif not _NAME_RULE[kind_u].match(name):
            self.add(f"bad {kind_u} name {name!r}")
        elif kind_u in ("GROUP", "HOST_GROUP"):
            self.uses.append((self.number, kind_u, name))

    def feature(self, feature: str) -> None:
        if not _FEATURE_RE.match(feature):
            self.add(f"bad feature {feature!r}")

    def count(self, value: str, minimum: int = 1) -> int | None:
        if not value.isdigit() or int(value) < minimum:
            self.add(f"{value!r} is not a whole number >= {minimum}")
            return None
        return int(value)

    def line(self, keyword: str, args: list[str]) -> None:
        if keyword in ("GROUP", "HOST_GROUP"):
            if not _GROUP_NAME_RE.match(args[0]):
                self.add(f"bad group name {args[0]!r}")
            elif self.defined.setdefault(args[0], keyword) != keyword:
                self.add(f"{args[0]} is already a {self.defined[args[0]]}")
            rule = _HOST_RE if keyword == "HOST_GROUP" else _USER_RE
            for member in args[1:]:
                if not rule.match(member):
                    self.add(f"bad member {member!r}")
        elif keyword in ("INCLUDE", "EXCLUDE", "INCLUDE_BORROW", "EXCLUDE_BORROW"):
            self.feature(args[0])
            self.name(args[1], args[2])
        elif keyword in ("INCLUDEALL", "EXCLUDEALL"):
            self.name(args[0], args[1])
        elif keyword in ("RESERVE", "MAX"):
            n = self.count(args[0])
            self.feature(args[1])
            self.name(args[2], args[3])
            if keyword == "RESERVE" and n is not None:
                self.reserved[args[1].split(":")[0]] += n
        elif keyword in ("TIMEOUT", "LINGER", "BORROW_LOWWATER", "MAX_BORROW_HOURS",
                         "MAX_OVERDRAFT"):
            self.feature(args[0])
            self.count(args[1], MIN_TIMEOUT if keyword == "TIMEOUT" else 0)
        elif keyword == "TIMEOUTALL":
            self.count(args[0], MIN_TIMEOUT)
        elif keyword == "NOLOG":
            if args[0].upper() not in NOLOG_WHAT:
                self.add(f"{args[0]!r} is not one of {', '.join(NOLOG_WHAT)}")
        elif keyword in ("REPORTLOG", "DEBUGLOG"):
            if not _PATH_RE.match(args[0]):
                self.add(f"bad path {args[0]!r}")
        elif keyword in ("GROUPCASEINSENSITIVE", "AUTOMATIC_REREAD"):
            if args[0].upper() not in ("ON", "OFF"):
                self.add(f"expected ON or OFF, not {args[0]!r}")
        elif keyword == "FQDN_MATCHING":
            if args[0].lower() not in ("exact", "lenient"):
                self.add(f"expected exact or lenient, not {args[0]!r}")
        else:  # DAEMON_SELECT_TIMEOUT
            self.count(args[0], 0)


def validate_options_file(text: str, feature_seats: Mapping[str, int] | None = None
                          ) -> list[str]:
    """Syntax problems of an options file as ``"line N: ..."`` messages; empty when valid."""
    logical, problems = _logical(text)
    check = _Check(problems)
    for number, line in logical:
        words = _split_args(line)
        if words is None:
            problems.append(f"line {number}: unbalanced quote")
            continue
        keyword, args = words[0].upper(), words[1:]
        if keyword not in _ARITY:
            problems.append(f"line {number}: unknown keyword {words[0][:40]!r}")
            continue
        check.number, check.where = number, f"line {number}: {keyword}"
        low, high = _ARITY[keyword]
        if len(args) < low or (high is not None and len(args) > high):
            want = f"{low}" if low == high else f"at least {low}" if high is None else \
                f"{low}-{high}"
            check.add(f"takes {want} argument(s), not {len(args)}")
            continue
        check.line(keyword, args)
    for number, kind, name in check.uses:
        if check.defined.get(name) != kind:
            problems.append(f"line {number}: {kind} {name} is not defined by a {kind} line")
    for feature, total in sorted(check.reserved.items()):
        seats = (feature_seats or {}).get(feature)
        if seats is not None and total > seats:
            problems.append(f"RESERVE lines for {feature} hold {total} seats; the feature has "
                            f"{seats}")
    return problems
