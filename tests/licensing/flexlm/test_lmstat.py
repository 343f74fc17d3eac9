"""lmstat -a / -i: every reference sample (counts checked by hand against the files), the
FORMATS.md variant checklist one test each, and malformed output with line numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.errors import InfrastructureError, ParseError
from licensing.flexlm.lmstat import (
    LmstatReport,
    increment_totals,
    parse_lmstat,
    parse_lmstat_i,
)
from tests.licensing.flexlm.fixture_files import FIXTURES, read_fixture_bytes

SEOUL = ZoneInfo("Asia/Seoul")


def sample(name: str) -> LmstatReport:
    return parse_lmstat(read_fixture_bytes("flexlm", name), source=name)


def block(text: str) -> LmstatReport:
    return parse_lmstat(text, source="t.txt")


HEADER = """lmutil - Copyright (c) 1989-2024 Flexera. All Rights Reserved.
Flexible License Manager status on Fri 9/25/2026 12:15

License server status: 27020@lic1
    License file(s) on lic1: /opt/eda/snps.lic:

lic1: license server UP (MASTER) v11.19.7

Vendor daemon status (on lic1):

   snpslmd: UP v11.19.7
Feature usage info:

"""


# ------------------------------------------------------------------ every reference sample

# (users-of blocks, checkout lines, queued lines, reservation seats, checked-out seats)
EXPECTED = {
    "flexlm_exporter__lmstat_app1.txt": (54, 127, 2, 4309, 2294),
    "flexlm_exporter__lmstat_app2.txt": (10, 38, 0, 0, 38),
    "flexlm_exporter__lmstat_app3.txt": (46, 168, 0, 0, 167 + 39),
    "flexlm_exporter__lmstat_app4.txt": (60, 5, 0, 0, 5),
    "flexlm_exporter__lmstat_app5.txt": (122, 85, 0, 0, 85),
    "flexlm_exporter__lmstat_app6.txt": (53, 106, 0, 6, 106),
    "flexlm_exporter__lmstat_app7_synopsys_snpslmd.txt": (3, 5, 0, 0, 5),
    "flexlm_exporter__lmstat_app8_siemens_saltd.txt": (1, 4, 0, 0, 4),
    "flexlm_exporter__lmstat_server_down.txt": (2, 0, 0, 0, 0),
    "omnivector_lm_agent__flexlm_output_2_feature_eq.txt": (1, 3, 0, 0, 1600),
    "omnivector_lm_agent__flexlm_output_3_multi_pool.txt": (1, 3, 0, 0, 3),
    "omnivector_lm_agent__flexlm_output_4_package_components.txt": (1, 6, 0, 0, 18),
    "omnivector_lm_agent__flexlm_output_bad_conn_refused.txt": (0, 0, 0, 0, 0),
}


def test_every_lmstat_sample_is_listed() -> None:
    names = {p.name for p in (FIXTURES / "flexlm").glob("*.txt") if "lmstat_i_" not in p.name}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reference_sample_counts(name: str) -> None:
    r = sample(name)
    blocks, lines, queued, reserved, seats = EXPECTED[name]
    assert len(r.features) == blocks
    assert len(r.user_lines()) == lines
    assert sum(len(f.queued) for f in r.features) == queued
    assert sum(f.reserved for f in r.features) == reserved
    assert sum(f.seats_checked_out for f in r.features) == seats
    assert not r.warnings


def test_app1_triad_reservations_linger_and_queue() -> None:
    r = sample("flexlm_exporter__lmstat_app1.txt")
    assert r.server_addresses == ("27002@host-1.domain.net", "27002@host2.domain.net",
                                  "27002@host3.domain.net")
    assert [(s.host, s.up, s.master, s.version) for s in r.servers] == [
        ("host-1.domain.net", True, False, "v11.7"), ("host2.domain.net", True, True, "v11.7"),
        ("host3.domain.net", True, False, "v11.7")]
    assert [(v.name, v.up, v.version) for v in r.vendors] == [("VENDOR1", True, "v11.6")]
    assert r.status_time == datetime(2017, 10, 20, 17, 2)
    f11 = r.feature("feature11")
    assert f11 is not None and (f11.issued, f11.in_use) == (16384, 80)
    (u,) = f11.checkouts
    assert (u.user, u.host, u.display, u.licenses) == ("user14", "server067", "/dev/tty", 80)
    f1 = r.feature("feature1")
    assert f1 is not None
    assert f1.pools[0].feature == "feature0"  # the header names another feature; kept as is
    assert [(x.count, x.kind, x.name) for x in f1.reservations[:3]] == [
        (1, "HOST", "HOSTPC11"), (10, "HOST", "HOSTPC12"), (48, "GROUP", "GROUP1")]
    assert f1.reservations[0].server == "27002@host3.domain.net"
    f38 = r.feature("feature38")
    assert f38 is not None and {x.name: x.count for x in f38.reservations}["GROUP10"] == 8
    f31 = r.feature("feature31")
    assert f31 is not None
    lingering = [u for u in f31.checkouts if u.borrowed]
    assert [(u.user, u.licenses, u.linger, u.linger_limit, u.port) for u in lingering] == [
        ("cmfy211", 1, 885098, 1340160, "28000"), ("cmfy212", 16, 885098, 1340160, "28000")]
    f5 = r.feature("feature5")
    assert f5 is not None and len(f5.checkouts) == 2
    assert [(q.user, q.display, q.vendor_token, q.licenses) for q in f5.queued] == [
        ("user3", "fj209fj0", "2017.06", 1), ("user3", "f2jf4_f2_", "2017.06", 1)]
    # users with spaces in their names (flexlm_exporter's own expectations)
    f100 = r.feature("feature100")
    assert f100 is not None
    assert [u.user for u in f100.checkouts] == ["user13", "Administrator", "John Doe",
                                                "Jane Doe Jr."]
    assert [u.host for u in f100.checkouts] == ["server0356", "ServerS1", "John_D", "jane"]
    # feature42 is printed twice; both blocks are kept
    assert [f.name for f in r.features].count("feature42") == 2


def test_app3_two_daemons_and_singular_license() -> None:
    r = sample("flexlm_exporter__lmstat_app3.txt")
    assert [v.name for v in r.vendors] == ["daemon1", "DAEMON2"]
    f5 = r.feature("feature5")
    assert f5 is not None and (f5.issued, f5.in_use) == (1, 1)
    f9 = r.feature("feature9")
    assert f9 is not None and f9.checkouts[0].licenses == 39


def test_app4_uncounted_error_and_permanent_expiry() -> None:
    r = sample("flexlm_exporter__lmstat_app4.txt")
    assert r.server_addresses == ("port@licensevm.domain.example",)
    serial = r.feature("SERIAL")
    assert serial is not None and serial.uncounted and serial.issued is None
    pool = serial.pools[0]
    assert pool.license_type == "uncounted nodelocked"
    assert pool.locked_to == "NOTHING (hostid=ANY)"
    assert pool.expiry_text == "permanent(no expiration date)" and pool.expiry is None
    assert pool.vendor_string == "REDACTED"
    assert serial.checkouts[0].port == "port"
    sub = r.feature("SUBSURFACEFLOW")
    assert sub is not None and sub.error == "Error: 1 licenses, unsupported by licensed server"
    usage = {u.feature: u for u in r.usage()}
    assert usage["SUBSURFACEFLOW"].error is not None
    assert usage["ACDC"].issued == 2 and usage["ACDC"].in_use == 1


def test_app5_pid_suffix_and_trailing_space() -> None:
    r = sample("flexlm_exporter__lmstat_app5.txt")
    matlab = r.feature("MATLAB")
    assert matlab is not None and (matlab.issued, matlab.in_use) == (10000, 61)
    assert matlab.checkouts[0].pid == 2924522
    assert matlab.checkouts[2].pid == 10088  # "PID: 10088 " with a trailing space
    roadrunner = r.feature("RoadRunner")
    assert roadrunner is not None and roadrunner.uncounted


def test_app6_several_pools_nodelocked_and_blank_lines() -> None:
    r = sample("flexlm_exporter__lmstat_app6.txt")
    matlab = r.feature("MATLAB")
    assert matlab is not None
    assert [(p.version, p.license_type, p.expiry_text, len(p.checkouts)) for p in matlab.pools] \
        == [("12", "nodelocked", "01-jan-0000", 0), ("53", "nodelocked", "01-jan-2099", 49),
            ("52", "floating", "01-jan-2099", 10)]
    assert matlab.pools[0].locked_to == "ID=XXXXXX" and matlab.pools[0].expiry is None
    assert [(x.count, x.kind, x.name) for x in matlab.reservations] == [(1, "GROUP", "DED")]
    # "in use" counts the reserved-but-idle seat: 49 + 10 checkouts + 1 reservation
    assert matlab.in_use == 60 == matlab.seats_checked_out + matlab.reserved


def test_app7_synopsys_token_and_missing_display() -> None:
    r = sample("flexlm_exporter__lmstat_app7_synopsys_snpslmd.txt")
    dc = r.feature("DC-Expert")
    assert dc is not None
    (u,) = dc.checkouts
    assert (u.user, u.host, u.display, u.vendor_token) == ("user1", "host-01", "host-01:0.0",
                                                          "lc80a28012593569_1")
    assert (u.client_version, u.server, u.port, u.handle, u.pid) == ("2022.09", "SERVER1",
                                                                     "27020", 24464, 2593569)
    tcm = r.feature("TCM-1-Apex-Pkg")
    assert tcm is not None and all(x.display is None for x in tcm.checkouts)
    assert dc.pools[0].vendor_string == "^1+S"


def test_app8_siemens_version_token() -> None:
    r = sample("flexlm_exporter__lmstat_app8_siemens_saltd.txt")
    f = r.feature("msimhdlsim")
    assert f is not None
    assert [(u.host, u.display, u.vendor_token) for u in f.checkouts] == [
        ("host-01", "host-01:0894483_1", None), ("host-01", "host-01:0895184_3", "2029.01"),
        ("host-02", "host-02:02570346_1", None), ("host-03", "host-03:02594785_3", "2029.01")]


def test_server_down_in_triad_is_still_usable() -> None:
    r = sample("flexlm_exporter__lmstat_server_down.txt")
    down = r.servers[2]
    assert (down.host, down.up, down.version) == ("host3", False, None)
    assert down.message is not None and "-15,570:115" in down.message
    assert r.usable
    f2 = r.feature("feature2")
    assert f2 is not None and f2.pools[0].expiry_text == "1-jan-0" and f2.pools[0].expiry is None


def test_omnivector_feature_eq_and_package_components() -> None:
    r = sample("omnivector_lm_agent__flexlm_output_2_feature_eq.txt")
    f = r.feature("TEST_FEATURE")
    assert f is not None
    assert [u.requested_feature for u in f.checkouts] == ["test_feature", "test_feature_2",
                                                          "test_feature_3"]
    assert [u.licenses for u in f.checkouts] == [100, 1400, 100]
    assert f.in_use == f.seats_checked_out == 1600
    r4 = sample("omnivector_lm_agent__flexlm_output_4_package_components.txt")
    m = r4.feature("MSCONE")
    assert m is not None
    assert m.checkouts[0].package_component == ("MSCONE", "ADAMS_View")
    assert (m.checkouts[0].user, m.checkouts[0].host, m.checkouts[0].display) == (
        "ABCDKK", "ER0037", "SESOR045")
    assert m.in_use == m.seats_checked_out == 18


def test_omnivector_multi_pool_versions() -> None:
    r = sample("omnivector_lm_agent__flexlm_output_3_multi_pool.txt")
    f = r.feature("ccmppower")
    assert f is not None
    assert [(p.version, p.vendor, len(p.checkouts)) for p in f.pools] == [
        ("2025.09", "abc", 1), ("2024.09", "abc", 2)]


def test_connection_refused_is_a_report_that_cannot_be_reconciled() -> None:
    r = sample("omnivector_lm_agent__flexlm_output_bad_conn_refused.txt")
    assert not r.usable and not r.features
    assert "Connection refused" in r.errors[0]
    with pytest.raises(InfrastructureError):
        r.checkouts()


def test_checkouts_normalised_to_utc() -> None:
    r = sample("flexlm_exporter__lmstat_app1.txt")
    cos = r.checkouts(SEOUL)
    assert len(cos) == 127  # queued requests are not checkouts
    first = cos[0]
    assert (first.feature, first.user, first.host, first.seats, first.version, first.server) == (
        "feature1", "USER9", "SERVER45823008", 5, "61.9", "27002@host3.domain.net")
    # Fri 10/20 16:44 Seoul (year from "status on Fri 10/20/2017") = 07:44 UTC
    assert first.since == datetime(2017, 10, 20, 7, 44, tzinfo=UTC)


def test_start_year_from_now_when_no_status_line() -> None:
    r = sample("omnivector_lm_agent__flexlm_output_3_multi_pool.txt")
    cos = r.checkouts(UTC, now=datetime(2024, 3, 12, 9, 0, tzinfo=UTC))
    assert {c.since for c in cos} == {datetime(2024, 3, 11, 12, 17, tzinfo=UTC),
                                      datetime(2024, 3, 11, 22, 36, tzinfo=UTC),
                                      datetime(2024, 3, 10, 10, 41, tzinfo=UTC)}
    # on 2 January, a "Mon 12/30" start is last year's
    late = block(HEADER.replace("Flexible License Manager status on Fri 9/25/2026 12:15\n", "")
                 + "Users of f:  (Total of 2 licenses issued;  Total of 1 license in use)\n"
                 "    u1 h1 /dev/tty (v1.0) (lic1/27020 1), start Mon 12/30 8:00\n")
    (co,) = late.checkouts(UTC, now=datetime(2025, 1, 2, tzinfo=UTC))
    assert co.since == datetime(2024, 12, 30, 8, 0, tzinfo=UTC)


def test_usage_totals() -> None:
    r = sample("flexlm_exporter__lmstat_app6.txt")
    usage = {u.feature: u for u in r.usage()}
    assert (usage["MATLAB"].issued, usage["MATLAB"].in_use, usage["MATLAB"].reserved) == (
        420, 60, 1)
    assert usage["TMW_Archive"].uncounted


# ------------------------------------------------------------------ FORMATS.md variant checklist


def test_variant_singular_and_plural_license() -> None:
    r = block(HEADER + "Users of a:  (Total of 1 license issued;  Total of 1 license in use)\n"
              "Users of b:  (Total of 5 licenses issued;  Total of 0 licenses in use)\n")
    assert [(f.issued, f.in_use) for f in r.features] == [(1, 1), (5, 0)]


def test_variant_uncounted_node_locked() -> None:
    r = block(HEADER + "Users of a:  (Uncounted, node-locked)\n")
    assert r.features[0].uncounted and r.features[0].issued is None


def test_variant_cannot_get_users() -> None:
    r = block(HEADER + "Users of x: Cannot get users of x: No such feature exists. (-5,222)\n")
    assert r.features[0].error is not None and "No such feature" in r.features[0].error


def test_variant_mixed_floating_and_nodelocked_pools() -> None:
    r = block(HEADER + """Users of f:  (Total of 3 licenses issued;  Total of 2 licenses in use)

  "f" v2026.03, vendor: snpslmd, expiry: 1-jan-2028
  nodelocked license, locked to "ID=1234"

    u1 h1 /dev/tty (v2026.03) (lic1/27020 11), start Fri 9/25 8:00

  "f" v2026.03, vendor: snpslmd, expiry: 1-jan-2028
  floating license

    u2 h2 /dev/tty (v2026.03) (lic1/27020 12), start Fri 9/25 9:00
""")
    f = r.features[0]
    assert [(p.license_type, p.locked_to, [u.user for u in p.checkouts]) for p in f.pools] == [
        ("nodelocked", "ID=1234", ["u1"]), ("floating", None, ["u2"])]


def test_variant_expiry_missing_on_old_servers() -> None:
    r = block(HEADER + "Users of f:  (Total of 3 licenses issued;  Total of 1 license in use)\n"
              '  "f" v1.0, vendor: snpslmd\n  floating license\n'
              "    u1 h1 /dev/tty (v1.0) (lic1/27020 11), start Fri 9/25 8:00\n")
    pool = r.features[0].pools[0]
    assert pool.expiry_text is None and pool.vendor == "snpslmd"


def test_variant_blank_lines_between_every_line_windows() -> None:
    text = HEADER + ("Users of f:  (Total of 3 licenses issued;  Total of 1 license in use)\n"
                     '  "f" v1.0, vendor: snpslmd, expiry: 1-jan-2028\n  floating license\n'
                     "    U1 PC-01 PC-01 (v1.0) (LIC1/27020 11), start Fri 9/25 8:00\n")
    spaced = "\r\n\r\n".join(text.splitlines()) + "\r\n"
    r = block(spaced)
    (u,) = r.user_lines()
    assert (u.user, u.host, u.display, u.server) == ("U1", "PC-01", "PC-01", "LIC1")


@pytest.mark.parametrize(("left", "user", "host", "display", "token"), [
    ("u1 h1", "u1", "h1", None, None),
    ("u1 h1 /dev/pts/3", "u1", "h1", "/dev/pts/3", None),
    ("u1 h1 h1:0.0 lc80a28012593569_1", "u1", "h1", "h1:0.0", "lc80a28012593569_1"),
    ("u1 h1 h1:0894483_1 2029.01", "u1", "h1", "h1:0894483_1", "2029.01"),
    ("u1 h1 /dev/tty feature=vcs_mx", "u1", "h1", "/dev/tty", "feature=vcs_mx"),
    ("u1 h1 D1 SUITE:Verdi", "u1", "h1", "D1", "SUITE:Verdi"),
    ("u1 h1 /dev/pts/1 tok_unknown", "u1", "h1", "/dev/pts/1", "tok_unknown"),
    ("u1 PC7 PC7 tok_unknown", "u1", "PC7", "PC7", "tok_unknown"),
    ("Kim Min Su PC7 PC7", "Kim Min Su", "PC7", "PC7", None),
])
def test_variant_display_missing_or_extra_vendor_token(left: str, user: str, host: str,
                                                       display: str | None,
                                                       token: str | None) -> None:
    r = block(HEADER + "Users of f:  (Total of 3 licenses issued;  Total of 1 license in use)\n"
              f"    {left} (v1.0) (lic1/27020 11), start Fri 9/25 8:00\n")
    (u,) = r.user_lines()
    assert (u.user, u.host, u.display, u.vendor_token) == (user, host, display, token)


def test_variant_n_licenses_only_when_more_than_one() -> None:
    r = block(HEADER + "Users of f:  (Total of 9 licenses issued;  Total of 5 licenses in use)\n"
              "    u1 h1 d1 (v1.0) (lic1/27020 11), start Fri 9/25 8:00\n"
              "    u2 h2 d2 (v1.0) (lic1/27020 12), start Fri 9/25 8:00, 4 licenses\n")
    assert [u.licenses for u in r.user_lines()] == [1, 4]


def test_variant_linger_single_and_pair() -> None:
    r = block(HEADER + "Users of f:  (Total of 9 licenses issued;  Total of 3 licenses in use)\n"
              "    u1 h1 d1 (v1.0) (lic1/27020 11), start Fri 9/25 8:00  (linger: 3600)\n"
              "    u2 h2 d2 (v1.0) (lic1/27020 12), start Fri 9/25 8:00, 2 licenses  "
              "(linger: 100 / 604800), PID: 77 \n")
    a, b = r.user_lines()
    assert (a.linger, a.linger_limit, a.borrowed) == (3600, None, True)
    assert (b.linger, b.linger_limit, b.licenses, b.pid) == (100, 604800, 2, 77)


@pytest.mark.parametrize("kind", ["USER", "HOST", "HOST_GROUP", "DISPLAY", "INTERNET", "GROUP",
                                  "PROJECT", "PACKAGE"])
def test_variant_tab_indented_reservations_of_every_type(kind: str) -> None:
    r = block(HEADER + "Users of f:  (Total of 9 licenses issued;  Total of 2 licenses in use)\n"
              '  "f" v1.0, vendor: snpslmd, expiry: 1-jan-2028\n  floating license\n'
              f"\t2 RESERVATIONs for {kind} alpha_lab (lic1/27020)\n")
    (res,) = r.features[0].reservations
    assert (res.count, res.kind, res.name, res.server) == (2, kind, "alpha_lab", "27020@lic1")
    assert r.features[0].reserved == 2 and r.features[0].seats_checked_out == 0


def test_variant_queued_for_n_licenses() -> None:
    r = block(HEADER + "Users of f:  (Total of 1 license issued;  Total of 1 license in use)\n"
              "    u1 h1 d1 (v1.0) (lic1/27020 11), start Fri 9/25 8:00\n"
              "    u2 h2 d2 (v1.0) (lic1/27020 12) queued for 3 licenses\n"
              "    u3 h3 d3 (v1.0) (lic1/27020 13) queued for 1 license\n")
    f = r.features[0]
    assert [(q.user, q.licenses) for q in f.queued] == [("u2", 3), ("u3", 1)]
    assert f.seats_checked_out == 1  # queued requests are not "in use"
    assert r.usage()[0].queued == 4


def test_variant_mixed_case_hosts_kept_verbatim() -> None:
    r = block(HEADER.replace("lic1: license", "LiC1.Example.COM: license") +
              "Users of f:  (Total of 1 license issued;  Total of 1 license in use)\n"
              "    Kim HoSt-7 d1 (v1.0) (LiC1.Example.COM/27020 11), start Fri 9/25 8:00\n")
    assert r.servers[0].host == "LiC1.Example.COM"
    assert r.user_lines()[0].host == "HoSt-7"


def test_variant_error_getting_status_and_cannot_read_data() -> None:
    a = block("lmutil - Copyright (c) 1989-2024 Flexera.\n"
              'Error getting status: Cannot connect to license server (-15,570:111 "Connection '
              'refused")\n')
    assert not a.usable
    b = block("lmutil - Copyright (c) 1989-2024 Flexera.\n"
              "Cannot read data from license server system. (-16,287)\n")
    assert not b.usable and b.errors == ("Cannot read data from license server system. (-16,287)",)


def test_variant_server_cannot_connect_in_status_block() -> None:
    r = block(HEADER.replace("lic1: license server UP (MASTER) v11.19.7",
                             'lic1: Cannot connect to license server system. '
                             '(-15,570:115 "Operation now in progress")'))
    assert not r.servers[0].up and not r.usable


def test_variant_vendor_daemon_down() -> None:
    r = block(HEADER.replace("snpslmd: UP v11.19.7",
                             "snpslmd: The desired vendor daemon is down. (-97,121)"))
    assert [(v.name, v.up) for v in r.vendors] == [("snpslmd", False)]
    assert r.vendors[0].message is not None and "-97,121" in r.vendors[0].message
    assert not r.usable


def test_variant_non_utf8_bytes() -> None:
    text = (HEADER + "Users of f:  (Total of 1 license issued;  Total of 1 license in use)\n"
            "    m\u00fcller h1 d1 (v1.0) (lic1/27020 11), start Fri 9/25 8:00\n")
    r = parse_lmstat(text.encode("latin-1"))
    assert r.user_lines()[0].user == "m\u00fcller"
    assert any("not UTF-8" in w for w in r.warnings)
    korean = parse_lmstat(text.replace("m\u00fcller", "\uae40\ubbfc\uc218").encode("cp949"),
                          encoding="cp949")
    assert korean.user_lines()[0].user == "\uae40\ubbfc\uc218"


def test_users_of_features_served_by_header_is_ignored() -> None:
    r = block(HEADER + "Users of features served by snpslmd:\n"
              "Users of f:  (Total of 1 license issued;  Total of 0 licenses in use)\n")
    assert [f.name for f in r.features] == ["f"]


def test_variant_dup_group_lines_share_seats() -> None:
    r = block(HEADER + "Users of f:  (Total of 4 licenses issued;  Total of 1 license in use)\n"
              "    u1 h1 d1 (v1.0) (lic1/27020 11), start Fri 9/25 8:00\n"
              "    u1 h1 d1 (v1.0) (lic1/27020 12), start Fri 9/25 8:05\n"
              "    U1 h2 d2 (v1.0) (lic1/27020 13), start Fri 9/25 8:05\n")
    f = r.features[0]
    assert f.seats_checked_out == 3
    assert f.seats_with_dup_group("UHD") == 2
    assert f.seats_with_dup_group("U") == 1
    assert f.seats_with_dup_group("SITE") == 1
    assert f.seats_with_dup_group(None) == 3


# ------------------------------------------------------------------ malformed output


@pytest.mark.parametrize(("tail", "line", "needle"), [
    # truncated 'Users of' line
    ("Users of f:  (Total of 10 licenses issued;\n", 14, "malformed 'Users of'"),
    # bad counts
    ("Users of f:  (Total of -1 licenses issued;  Total of 0 licenses in use)\n", 14,
     "malformed 'Users of'"),
    ("Users of f:  (Total of ten licenses issued;  Total of 0 licenses in use)\n", 14,
     "malformed 'Users of'"),
    # truncated checkout line
    ("Users of f:  (Total of 1 license issued;  Total of 1 license in use)\n"
     "    u1 h1 d1 (v1.0) (lic1/270\n", 15, "malformed checkout"),
    ("Users of f:  (Total of 1 license issued;  Total of 1 license in use)\n"
     "    u1 h1 d1 (v1.0) (lic1/27020 11), start Fri 9/25\n", 15, "malformed checkout"),
    ("Users of f:  (Total of 1 license issued;  Total of 1 license in use)\n"
     "    u1 h1 d1 (v1.0) (lic1/27020 11), start Fri 9/25 8:00, 0 licenses\n", 15,
     "malformed checkout"),
    ("Users of f:  (Total of 1 license issued;  Total of 1 license in use)\n"
     "    u1 h1 d1 (v1.0) (lic1/27020 11), start Fri 9/25 8:00, many licenses\n", 15,
     "malformed checkout"),
    # garbage inside a block
    ("Users of f:  (Total of 1 license issued;  Total of 1 license in use)\n"
     "\x1b[31m%%%% garbage\n", 15, "unrecognised"),
])
def test_malformed_lmstat_names_the_line(tail: str, line: int, needle: str) -> None:
    with pytest.raises(ParseError) as info:
        block(HEADER + tail)
    assert info.value.line == line
    assert needle in info.value.message


def test_garbage_is_not_lmstat() -> None:
    with pytest.raises(ParseError) as info:
        parse_lmstat(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert info.value.line == 1
    with pytest.raises(ParseError):
        parse_lmstat("hello world\n")
    with pytest.raises(ParseError) as empty:
        parse_lmstat("")
    assert "not lmstat" in empty.value.message


def test_non_strict_turns_unknown_lines_into_warnings() -> None:
    r = parse_lmstat(HEADER + "Users of f:  (Total of 1 license issued;  Total of 1 license in "
                     "use)\n    something new the parser has not seen\n", strict=False)
    assert r.features[0].name == "f" and r.warnings == (
        "line 15: malformed checkout line: 'something new the parser has not seen'",)


def test_checkout_before_any_users_of_is_an_error() -> None:
    with pytest.raises(ParseError) as info:
        block(HEADER + "    u1 h1 d1 (v1.0) (lic1/27020 11), start Fri 9/25 8:00\n")
    assert info.value.line == 14


# ------------------------------------------------------------------ lmstat -i


def test_lmstat_i_reference_sample() -> None:
    rows = parse_lmstat_i(read_fixture_bytes("flexlm", "flexlm_exporter__lmstat_i_app1.txt"))
    assert len(rows) == 17
    assert (rows[0].feature, rows[0].version, rows[0].licenses, rows[0].vendor) == (
        "feature1", "2018.12", 2, "vendor1")
    assert rows[15].expires_text == "1-jan-0" and rows[15].expires is None
    assert rows[16].expires_text == "01-jan-0000" and rows[16].expires is None
    assert increment_totals(rows)["feature12"] == 52  # two rows: 50 + 2
    assert increment_totals(rows)["feature7"] == 600


def test_lmstat_i_vendor_before_expires() -> None:
    text = """NOTE: lmstat -i does not give information from the server,
      but only reads the license file.  For this reason,
      lmstat -a is recommended instead.

Feature                         Version     #licenses    Vendor        Expires
_______                         _________   _________    ______        ________
VCSRuntime_Net                  2026.03      10          snpslmd       31-dec-2027
Verdi                           15.0         2           snpslmd       permanent(no expiration date)
"""
    rows = parse_lmstat_i(text)
    assert [(r.feature, r.vendor, r.expires_text) for r in rows] == [
        ("VCSRuntime_Net", "snpslmd", "31-dec-2027"),
        ("Verdi", "snpslmd", "permanent(no expiration date)")]
    assert rows[1].expires is None


@pytest.mark.parametrize(("text", "line"), [
    ("Feature Version #licenses Expires Vendor\nf 1.0 x 31-dec-2020 v\n", 2),
    ("Feature Version #licenses Expires Vendor\nf 1.0 2 31-dex-2020 v\n", 2),
    ("f 1.0 2 31-dec-2020 v\n", 1),
    ("nothing here\n", 1),
])
def test_lmstat_i_malformed(text: str, line: int) -> None:
    with pytest.raises(ParseError) as info:
        parse_lmstat_i(text)
    assert info.value.line == line
