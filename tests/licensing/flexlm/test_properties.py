"""Property tests: rendered options files always validate; lmstat text we write parses back to the
same checkouts; reconciliation conserves seats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from licensing.flexlm.lmstat import parse_lmstat
from licensing.flexlm.options import (
    ActiveReservation,
    OrgMembers,
    OrgQuota,
    UserQuota,
    options_from_policy,
    render_options_file,
    validate_options_file,
)
from licensing.reconcile import Checkout, LeaseView, reconcile

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
FEATURES = st.sampled_from(["VCSRuntime_Net", "Verdi", "DC-Expert", "Xcelium", "msimhdlsim"])
ORGS = st.builds(OrgMembers, st.from_regex(r"[A-Z][a-z]{2,8}( [A-Z][a-z]{2,8})?", fullmatch=True),
                 st.lists(NAMES, max_size=30).map(tuple))


@settings(max_examples=40, deadline=None)
@given(quotas=st.lists(st.builds(OrgQuota, ORGS, FEATURES, st.integers(1, 50)), max_size=6),
       user_quotas=st.lists(st.builds(UserQuota, NAMES, FEATURES, st.integers(1, 5)), max_size=6),
       reserve_users=st.lists(st.tuples(NAMES, FEATURES), max_size=6),
       suspended=st.lists(NAMES, max_size=5))
def test_rendered_options_always_validate(quotas: list[OrgQuota], user_quotas: list[UserQuota],
                                          reserve_users: list[tuple[str, str]],
                                          suspended: list[str]) -> None:
    seen: dict[str, str] = {}
    unique = []
    for q in quotas:  # organisations whose names fold together are a caller error, tested apart
        key = q.org.org.lower().replace(" ", "_")
        if seen.setdefault(key, q.org.org) == q.org.org:
            unique.append(q)
    reservations = [ActiveReservation(f, 1, user=u) for u, f in reserve_users]
    rules = options_from_policy(quotas=unique, user_quotas=user_quotas, reservations=reservations,
                                suspended_users=suspended,
                                feature_seats={"VCSRuntime_Net": 100, "Verdi": 100})
    text = render_options_file("snpslmd", rules)
    assert validate_options_file(text, feature_seats={"VCSRuntime_Net": 100, "Verdi": 100}) == []


LINE = st.tuples(NAMES, st.from_regex(r"[a-z][a-z0-9\-]{0,10}", fullmatch=True),
                 st.sampled_from(["/dev/tty", "/dev/pts/3", None, "host-01:0.0"]),
                 st.integers(1, 64), st.integers(1, 12), st.integers(1, 28), st.integers(0, 23),
                 st.integers(0, 59), st.booleans())


@settings(max_examples=40, deadline=None)
@given(lines=st.lists(LINE, min_size=1, max_size=25))
def test_lmstat_round_trip(lines: list[tuple[str, str, str | None, int, int, int, int, int,
                                             bool]]) -> None:
    body = []
    for user, host, display, n, mon, day, hh, mm, pid in lines:
        left = f"{user} {host}" + (f" {display}" if display else "")
        tail = f", {n} licenses" if n > 1 else ""
        tail += ", PID: 4242 " if pid else ""
        body.append(f"    {left} (v2026.03) (lic1/27020 {mon * 100 + day}), start Mon "
                    f"{mon}/{day} {hh}:{mm:02d}{tail}")
    total = sum(x[3] for x in lines)
    text = ("License server status: 27020@lic1\n"
            "lic1: license server UP (MASTER) v11.19.7\n"
            f"Users of VCS:  (Total of {total} licenses issued;  Total of {total} licenses in "
            "use)\n" + "\n".join(body) + "\n")
    report = parse_lmstat(text)
    got = [(u.user, u.host, u.display, u.licenses, u.start_month, u.start_day, u.start_hour,
            u.start_minute) for u in report.user_lines()]
    assert got == [(u, h, d, n, mo, da, hh, mi) for u, h, d, n, mo, da, hh, mi, _ in lines]
    assert report.features[0].seats_checked_out == total


NOW = datetime(2026, 9, 25, 3, 0, tzinfo=UTC)


@settings(max_examples=80, deadline=None)
@given(cos=st.lists(st.tuples(st.sampled_from(["kim", "Kim", "lee", "park"]), st.integers(1, 8)),
                    max_size=12),
       leases=st.lists(st.tuples(st.sampled_from(["kim", "lee", "choi"]), st.integers(1, 8)),
                       max_size=8))
def test_reconcile_conserves_seats(cos: list[tuple[str, int]],
                                   leases: list[tuple[str, int]]) -> None:
    checkouts = [Checkout("VCS", u, "farm1", n) for u, n in cos]
    views = [LeaseView(f"L{i}", u, "VCS", n, NOW - timedelta(hours=1), NOW + timedelta(hours=1))
             for i, (u, n) in enumerate(leases)]
    report = reconcile(checkouts, views, [], NOW)
    used = sum(m.seats_used for m in report.matched)
    assert used + report.seats_without_lease == sum(n for _, n in cos)
    assert len(report.matched) + len(report.idle_leases) == len(views)
    for m in report.matched:
        assert 0 < m.seats_used <= m.lease.seats
