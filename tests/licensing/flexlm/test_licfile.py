"""Licence files: every reference .lic, and malformed variants with the line they fail on."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import ParseError
from licensing.flexlm.licfile import issued_mismatches, parse_license_file
from licensing.reconcile import FeatureUsage
from tests.licensing.flexlm.fixture_files import FIXTURES, read_fixture


def lic(name: str) -> str:
    return read_fixture("flexlm", name)


def parse_err(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_license_file(text, source="t.lic")
    return info.value


def test_every_reference_lic_is_accounted_for() -> None:
    names = sorted(p.name for p in (FIXTURES / "flexlm").glob("*.lic"))
    assert names == [
        "europractice_synopsys_key_skeleton__unibonn_notes.lic",
        "ptc_doc__triad_and_increment_examples.lic",
        "revenera_doc__license_file_syntax_example.lic",
        "revenera_fno_doc__demo_vendor_string_example.lic",
        "suwanny_flexlm_license_parser__good.lic",
    ]


def test_revenera_minimal_syntax_example() -> None:
    lf = parse_license_file(lic("revenera_doc__license_file_syntax_example.lic"))
    assert lf.server_addresses == ("1700@my_server",)
    assert lf.servers[0].hostid == "17007ea8"
    assert [(v.name, v.daemon_path, v.port) for v in lf.vendors] == [("sampled", None, None)]
    assert [(f.kind, f.name, f.version, f.expiry, f.count, f.line) for f in lf.features] == [
        ("FEATURE", "f1", "1.000", date(2020, 12, 31), 10, 5),
        ("FEATURE", "f2", "1.000", date(2020, 12, 31), 10, 7),
    ]
    assert lf.features[0].sign == "<...>"
    assert lf.features[0].floating
    assert lf.seat_totals() == {"f1": 10, "f2": 10}
    assert not lf.use_server


def test_suwanny_increments_add_up_and_uncounted_hostid_any() -> None:
    lf = parse_license_file(lic("suwanny_flexlm_license_parser__good.lic"), source="good.lic")
    assert lf.server_addresses == ("27000@this_host",)
    assert lf.servers[0].hostid == "ANY"
    assert lf.vendors[0].name == "VMWARELM" and lf.vendors[0].port == 27010  # lower-case port=
    assert lf.use_server
    assert [f.name for f in lf.features] == ["PROD_ESX_FULL", "VC_ESXHOST", "PROD_ESX_FULL",
                                             "PROD_ESX_FULL", "PROD_ESX_FULL", "ESX_FULL_BACKUP"]
    assert [f.line for f in lf.features] == [7, 15, 21, 27, 34, 42]
    first = lf.features[0]
    assert first.permanent and first.count == 32 and first.version == "2005.05"
    assert first.vendor_string == \
        "licenseType=Server;capacityType=cpuPackage;gp=14;exclude=BACKUP"
    assert first.notice == "FulfillmentId=1203"
    assert first.issued == date(2006, 7, 6)
    # the SIGN spans four physical lines joined by continuations
    assert first.sign is not None
    assert first.sign.startswith("0778 0B1A C0FB 12DE") and first.sign.endswith("C6EE 641E")
    assert len(first.sign.split()) == 2 + 12 + 13 + 4  # groups of 4 hex digits, by line
    uncounted = lf.features[2]
    assert uncounted.uncounted and uncounted.count is None
    assert uncounted.hostid == "ANY" and uncounted.node_locked and not uncounted.floating
    # two counted INCREMENTs of 32 (the second repeats the first exactly: FlexNet counts both)
    assert lf.seat_totals() == {"PROD_ESX_FULL": 64, "VC_ESXHOST": 32, "ESX_FULL_BACKUP": 0}
    assert lf.uncounted_features() == {"PROD_ESX_FULL", "ESX_FULL_BACKUP"}
    assert any("repeats the INCREMENT on line 7" in w for w in lf.warnings)
    pools = {(p.feature, p.seats) for p in lf.pools()}
    assert pools == {("PROD_ESX_FULL", 64), ("PROD_ESX_FULL", None), ("VC_ESXHOST", 32),
                     ("ESX_FULL_BACKUP", None)}


def test_revenera_fno_typographic_quote_and_blank_continuations() -> None:
    lf = parse_license_file(lic("revenera_fno_doc__demo_vendor_string_example.lic"))
    assert lf.server_addresses == ("@this_host",)  # no port: default range
    assert lf.use_server
    f5, f1 = lf.features
    assert (f5.kind, f5.name, f5.vendor, f5.version, f5.count) == ("INCREMENT", "F5", "demo",
                                                                    "5.0", 1)
    assert f5.permanent
    assert f5.vendor_string == "5.0"
    assert f5.platforms == ("alpha_n", "alpha_l", "amd64_s")
    assert f5.dup_group == "SITE"
    assert f5.issuer == "UNKNOWN_ORG_UNIT" and f5.serial_number == "UNKNOWN_ORG_UNIT"
    assert f5.issued == date(2018, 10, 24) and f5.start == date(2018, 10, 22)
    assert f5.sign == ("003E 53DI 42ID 56ZN 9568 EI41 NM3B 397R 307A 4B4T 9568 "
                       "EI41 NM3B IE35 33ER")
    assert f1.line == 17 and f1.sign is not None and f1.sign.endswith("K3ER")
    assert lf.seat_totals() == {"F5": 1, "F1": 1}


def test_ptc_triad_daemon_legacy_key_and_supersede() -> None:
    lf = parse_license_file(lic("ptc_doc__triad_and_increment_examples.lic"))
    assert lf.triad
    assert lf.server_addresses == ("7788@spock", "7788@kirk", "7788@sulu")
    assert lf.license_spec == "7788@spock,7788@kirk,7788@sulu"
    assert lf.servers[1].hostid == "PTC_HOSTID=72-72-76-50"
    vendor = lf.vendors[0]
    assert (vendor.keyword, vendor.name, vendor.daemon_path) == (
        "DAEMON", "ptc_d", "/opt/ptc/flexlm/hp8k/obj/ptc_d")
    (inc,) = lf.features
    assert inc.line == 7 and inc.permanent and inc.expiry_text == "1-jan-0" and inc.count == 5
    assert inc.license_key == "85739247224342AD332C"
    assert inc.vendor_string == "VSVER=1.0 LO=(0 2 6 7 9 10 17 19 21 22)"
    assert inc.supersedes == ("PROE_366",)
    assert inc.issued == date(1998, 2, 1)
    assert lf.seat_totals() == {"PROE_366": 5}


def test_europractice_skeleton_is_truncated_upstream_and_rejected() -> None:
    err = parse_err(lic("europractice_synopsys_key_skeleton__unibonn_notes.lic"))
    assert err.line == 5
    assert "file ends" in err.message


GOOD = """SERVER lic1 0011AABBCCDD 27020
VENDOR snpslmd /opt/snps/snpslmd OPTIONS=/opt/snps/snpslmd.opt PORT=27021
USE_SERVER
FEATURE VCSRuntime_Net snpslmd 2026.03 31-dec-2027 10 DUP_GROUP=UHD \\
    ISSUER=Europractice ck=123 SIGN="AAAA BBBB"
INCREMENT VCSRuntime_Net snpslmd 2026.03 31-dec-2027 5 BORROW SIGN="CCCC"
INCREMENT VCSRuntime_Net snpslmd 2026.03 31-dec-2027 2 BORROW=24 SIGN="DDDD"
FEATURE VCSRuntime_Net snpslmd 2026.03 31-dec-2027 99 SIGN="EEEE"
UPGRADE VCSRuntime_Net snpslmd 2026.03 2027.09 31-dec-2027 3 SIGN="FFFF"
PACKAGE SynSuite snpslmd 1.0 COMPONENTS="DC:2026.03 VCS:2026.03:2 Verdi" \\
    OPTIONS=SUITE SIGN="9999"
FEATURE Nodelocked snpslmd 1.0 permanent uncounted HOSTID=0011aabbccdd SIGN=1234
"""


def test_hand_written_file_all_line_kinds() -> None:
    lf = parse_license_file(GOOD)
    v = lf.vendors[0]
    assert (v.daemon_path, v.options_path, v.port) == ("/opt/snps/snpslmd",
                                                      "/opt/snps/snpslmd.opt", 27021)
    first = lf.features[0]
    assert first.dup_group == "UHD" and first.ck == 123 and first.issuer == "Europractice"
    assert lf.features[1].borrow_hours == 168 and lf.features[2].borrow_hours == 24
    assert lf.features[4].kind == "UPGRADE" and lf.features[4].from_version == "2026.03"
    # first FEATURE 10 + INCREMENTs 5 + 2; the second FEATURE and the UPGRADE add nothing
    assert lf.seat_totals()["VCSRuntime_Net"] == 17
    (pkg,) = lf.packages
    assert pkg.suite and pkg.version == "1.0" and pkg.line == 10
    assert [(c.name, c.version, c.count) for c in pkg.components] == [
        ("DC", "2026.03", 1), ("VCS", "2026.03", 2), ("Verdi", None, 1)]
    nl = lf.features[-1]
    assert nl.uncounted and nl.node_locked and lf.uncounted_features() == {"Nodelocked"}


@pytest.mark.parametrize(("text", "line", "needle"), [
    # truncated line: count and signature missing
    ("SERVER h 00aa 27000\nVENDOR v\nFEATURE f v 1.0 31-dec-2027\n", 3, "missing count"),
    # bad counts
    ("VENDOR v\nFEATURE f v 1.0 31-dec-2027 -3 SIGN=A\n", 2, "licence count"),
    ("VENDOR v\nFEATURE f v 1.0 31-dec-2027 ten SIGN=A\n", 2, "licence count"),
    # bad dates
    ("VENDOR v\nFEATURE f v 1.0 31-foo-2027 1 SIGN=A\n", 2, "unknown month"),
    ("VENDOR v\nFEATURE f v 1.0 31-feb-2027 1 SIGN=A\n", 2, "not a calendar date"),
    ("VENDOR v\nFEATURE f v 1.0 2027-12-31 1 SIGN=A\n", 2, "not a date"),
    ("VENDOR v\nINCREMENT f v 1.0 permanent 1 \\\n  ISSUED=32-jan-2020 \\\n  SIGN=A\n", 3,
     "ISSUED"),
    ("VENDOR v\nFEATURE f v 1.0 1-jan-2020 1 START=1-feb-2020 SIGN=A\n", 2, "after the expiry"),
    # unknown keyword / stray word / duplicate keyword
    ("VENDOR v\nFEATURE f v 1.0 permanent 1 \\\n   COLOUR=blue SIGN=A\n", 3, "unknown keyword"),
    ("VENDOR v\nFEATURE f v 1.0 permanent 1 SIGN=A banana\n", 2, "unexpected word"),
    ("VENDOR v\nFEATURE f v 1.0 permanent 1 SIGN=A SIGN=B\n", 2, "given twice"),
    ("VENDOR v\nFEATURE f v 1.0 permanent 1 DUP_GROUP=XYZ SIGN=A\n", 2, "DUP_GROUP"),
    ("VENDOR v\nFEATURE f v 1.0 permanent 1 BORROW=soon SIGN=A\n", 2, "BORROW"),
    ("VENDOR v\nFEATURE f v one permanent 1 SIGN=A\n", 2, "bad version"),
    ("VENDOR v\nFEATURE f v 1.0 permanent 1\n", 2, "no signature"),
    # unterminated quote (named at the line where it opens) and dangling continuation
    ("VENDOR v\nFEATURE f v 1.0 permanent 1 \\\n SIGN=\"AAAA \\\n BBBB\n", 3, "unterminated"),
    ("VENDOR v\nFEATURE f v 1.0 permanent 1 SIGN=A \\\n", 2, "file ends"),
    # unknown line types and garbage
    ("VENDOR v\nFEATURE f v 1.0 permanent 1 SIGN=A\nLICENCE everything\n", 3, "unknown line"),
    ("\x7fELF\x02\x01garbage\n", 1, "unknown line"),
    ("# only comments\n\n", 1, "no FEATURE"),
    ("", 1, "no FEATURE"),
    ("SERVER a 00aa 27000\nSERVER b 00bb 27000\nVENDOR v\nFEATURE f v 1.0 permanent 1 SIGN=A\n",
     2, "triad"),
    ("SERVER a 00aa port\nVENDOR v\nFEATURE f v 1.0 permanent 1 SIGN=A\n", 1, "port"),
    ("SERVER a 00aa 99999\nVENDOR v\nFEATURE f v 1.0 permanent 1 SIGN=A\n", 1, "out of range"),
    ("VENDOR v\nPACKAGE p v 1.0 SIGN=A\n", 2, "COMPONENTS"),
    ("VENDOR v\nPACKAGE p v 1.0 COMPONENTS=\"a:1.0:0\" SIGN=A\n", 2, "component count"),
    ("USE_SERVER now\nVENDOR v\nFEATURE f v 1.0 permanent 1 SIGN=A\n", 1, "no arguments"),
])
def test_malformed_files_name_the_line(text: str, line: int, needle: str) -> None:
    err = parse_err(text)
    assert err.line == line, err.message
    assert needle in err.message
    assert err.data["source"] == "t.lic"


def test_all_errors_are_reported_and_nothing_is_returned() -> None:
    text = ("VENDOR v\n"
            "FEATURE good v 1.0 permanent 1 SIGN=A\n"
            "FEATURE bad1 v 1.0 permanent x SIGN=A\n"
            "FEATURE good2 v 1.0 permanent 2 SIGN=A\n"
            "FEATURE bad2 v 1.0 99-jan-2020 1 SIGN=A\n")
    err = parse_err(text)
    assert err.line == 3
    assert "and 1 more error" in err.message
    assert [e["line"] for e in err.data["errors"]] == [3, 5]


def test_zero_count_means_uncounted_and_year_zero_means_permanent() -> None:
    lf = parse_license_file("FEATURE f v 1.0 01-jan-0000 0 HOSTID=ANY SIGN=A\n"
                            "INCREMENT g v 1.0 1-JAN-0 uncounted HOSTID=DEMO SIGN=A\n")
    assert all(f.uncounted and f.permanent for f in lf.features)
    assert lf.uncounted_features() == {"f", "g"}


def test_uncounted_without_hostid_warns() -> None:
    lf = parse_license_file("FEATURE f v 1.0 permanent uncounted SIGN=A\n")
    assert any("no HOSTID" in w for w in lf.warnings)


def test_supersede_drops_older_lines() -> None:
    lf = parse_license_file(
        "VENDOR v\n"
        "INCREMENT f v 1.0 permanent 4 ISSUED=1-jan-2024 SIGN=A\n"
        "INCREMENT f v 1.0 permanent 6 ISSUED=1-jan-2025 SUPERSEDE SIGN=B\n"
        "INCREMENT g v 1.0 permanent 2 ISSUED=1-jan-2024 SIGN=C\n"
        "INCREMENT h v 1.0 permanent 3 ISSUED=1-jun-2025 SUPERSEDE=\"g\" SIGN=D\n")
    assert lf.seat_totals() == {"f": 6, "h": 3}


def test_crlf_and_comment_lines() -> None:
    text = GOOD.replace("\n", "\r\n")
    lf = parse_license_file("# header\r\n" + text)
    assert lf.features[0].line == 5
    assert lf.seat_totals()["VCSRuntime_Net"] == 17


def test_issued_mismatches_against_server_totals() -> None:
    lf = parse_license_file(GOOD)
    usage = [FeatureUsage("VCSRuntime_Net", issued=17, in_use=3),
             FeatureUsage("Nodelocked", issued=None, in_use=None, uncounted=True),
             FeatureUsage("Stray", issued=4, in_use=0)]
    assert issued_mismatches(lf, usage) == {"Stray": (None, 4)}
    usage[0] = FeatureUsage("VCSRuntime_Net", issued=12, in_use=3)
    assert issued_mismatches(lf, usage) == {"Stray": (None, 4), "VCSRuntime_Net": (17, 12)}
