"""Options files: our output validates; hand-written bad files are caught with their line."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from licensing.flexlm.options import (
    AccessRule,
    ActiveReservation,
    Group,
    LimitRule,
    OptionsInput,
    OrgMembers,
    OrgQuota,
    UserQuota,
    group_name_for,
    options_from_policy,
    render_options_file,
    validate_options_file,
)

ALPHA = OrgMembers("Alpha Chips Inc.", ("kim", "lee", "park"))
BETA = OrgMembers("beta-npu", ("choi",))
IDLE_ORG = OrgMembers("Empty Co", ())


def policy() -> OptionsInput:
    return options_from_policy(
        quotas=[OrgQuota(ALPHA, "VCSRuntime_Net", 3), OrgQuota(BETA, "VCSRuntime_Net", 1),
                OrgQuota(IDLE_ORG, "VCSRuntime_Net", 5)],
        user_quotas=[UserQuota("kim", "Verdi", 1)],
        reservations=[ActiveReservation("VCSRuntime_Net", 2, user="lee"),
                      ActiveReservation("Verdi", 1, org=BETA)],
        suspended_users=["mallory"],
        suspended_orgs=[OrgMembers("Gamma Labs", ("eve", "trudy"))],
        ineligible=[("Verdi", ALPHA)],
        feature_seats={"VCSRuntime_Net": 10, "Verdi": 2},
        timeouts={"Verdi": 3600},
        report_log="+/var/log/chipcommons/snpslmd.rl",
        comment="centre: Example Design Centre")


def test_policy_renders_to_the_expected_file() -> None:
    text = render_options_file("snpslmd", policy())
    body = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert body == [
        "GROUP org_alpha_chips_inc kim lee park",
        "GROUP org_beta_npu choi",
        "GROUP org_gamma_labs eve trudy",
        "EXCLUDEALL GROUP org_gamma_labs",
        "EXCLUDEALL USER mallory",
        "EXCLUDE Verdi GROUP org_alpha_chips_inc",
        "RESERVE 2 VCSRuntime_Net USER lee",
        "RESERVE 1 Verdi GROUP org_beta_npu",
        "MAX 3 VCSRuntime_Net GROUP org_alpha_chips_inc",
        "MAX 1 VCSRuntime_Net GROUP org_beta_npu",
        "MAX 1 Verdi USER kim",
        "TIMEOUT Verdi 3600",
        "REPORTLOG +/var/log/chipcommons/snpslmd.rl",
    ]
    assert "# centre: Example Design Centre" in text
    assert validate_options_file(text, feature_seats={"VCSRuntime_Net": 10, "Verdi": 2}) == []
    assert render_options_file("snpslmd", policy()) == text  # deterministic


def test_every_keyword_we_can_emit_validates() -> None:
    rules = OptionsInput(
        groups=(Group("lab_hosts", ("farm1", "farm2.centre.example"), host_group=True),
                Group("staff", ("kim",))),
        max_rules=(LimitRule(2, "VCS", "HOST_GROUP", "lab_hosts", version="2026.03"),),
        reserves=(LimitRule(1, "VCS", "INTERNET", "10.0.*.*"),),
        includes=(AccessRule("GROUP", "staff", feature="Verdi"), AccessRule("PROJECT", "npu")),
        excludes=(AccessRule("DISPLAY", "/dev/tty", feature="VCS"),),
        timeout_all=7200, nolog=("QUEUED", "IN"), debug_log="/var/log/snps.dl",
        group_case_insensitive=True)
    text = render_options_file("snpslmd", rules)
    assert "MAX 2 VCS:VERSION=2026.03 HOST_GROUP lab_hosts" in text
    assert "INCLUDEALL PROJECT npu" in text
    assert "GROUPCASEINSENSITIVE ON" in text
    assert "NOLOG IN\nNOLOG QUEUED" in text
    assert validate_options_file(text) == []


def test_large_group_is_split_into_lines_of_one_name() -> None:
    members = tuple(f"student{i:04d}" for i in range(1500))
    text = render_options_file("cdslmd", OptionsInput(
        groups=(Group("course_ee101", members),),
        max_rules=(LimitRule(40, "Xcelium", "GROUP", "course_ee101"),)))
    group_lines = [line for line in text.splitlines() if line.startswith("GROUP ")]
    assert len(group_lines) > 1
    assert all(len(line) <= 1000 for line in group_lines)
    assert sum(len(line.split()) - 2 for line in group_lines) == 1500
    assert validate_options_file(text) == []


def test_group_name_folding() -> None:
    assert group_name_for("Alpha Chips Inc.") == "org_alpha_chips_inc"
    assert group_name_for("가나다") == "org_unnamed"
    with pytest.raises(InvalidInput, match="fold to the same"):
        options_from_policy(quotas=[OrgQuota(OrgMembers("A-B", ("x",)), "f", 1),
                                    OrgQuota(OrgMembers("a b", ("y",)), "f", 1)])


@pytest.mark.parametrize(("rules", "needle"), [
    (OptionsInput(reserves=(LimitRule(8, "VCS", "USER", "kim"), LimitRule(3, "VCS", "USER", "lee")),
                  feature_seats={"VCS": 10}), "hold 11 seats"),
    (OptionsInput(max_rules=(LimitRule(1, "VCS", "GROUP", "nobody"),)), "not defined"),
    (OptionsInput(max_rules=(LimitRule(0, "VCS", "USER", "kim"),)), "positive"),
    (OptionsInput(max_rules=(LimitRule(1, "VCS", "USER", "John Doe"),)), "cannot"),
    (OptionsInput(max_rules=(LimitRule(1, "VCS", "TEAM", "kim"),)), "not one of"),
    (OptionsInput(max_rules=(LimitRule(1, "bad feature", "USER", "kim"),)), "bad feature"),
    (OptionsInput(groups=(Group("g", ()),)), "no members"),
    (OptionsInput(groups=(Group("g", ('"quoted"',)),)), "cannot"),
    (OptionsInput(timeouts=(("VCS", 60),)), "minimum"),
    (OptionsInput(timeout_all=10), "minimum"),
    (OptionsInput(nolog=("EVERYTHING",)), "NOLOG"),
    (OptionsInput(report_log="/path with spaces/x.rl"), "quoting"),
])
def test_render_rejects_bad_rules(rules: OptionsInput, needle: str) -> None:
    with pytest.raises(InvalidInput, match=needle):
        render_options_file("snpslmd", rules)


def test_reservation_must_name_user_or_org() -> None:
    with pytest.raises(InvalidInput):
        options_from_policy(reservations=[ActiveReservation("VCS", 1)])


@pytest.mark.parametrize(("text", "needle"), [
    ("MAXIMUM 2 VCS USER kim\n", "line 1: unknown keyword"),
    ("MAX 2 VCS USER\n", "line 1: MAX: takes 4 argument(s), not 3"),
    ("MAX two VCS USER kim\n", "line 1: MAX: 'two' is not a whole number"),
    ("RESERVE 0 VCS USER kim\n", "line 1: RESERVE: '0' is not a whole number >= 1"),
    ("# ok\nINCLUDE VCS TEAM kim\n", "line 2: INCLUDE: type 'TEAM'"),
    ("EXCLUDEALL GROUP ghosts\n", "line 1: GROUP ghosts is not defined"),
    ("GROUP g kim\nMAX 1 VCS HOST_GROUP g\n", "line 2: HOST_GROUP g is not defined"),
    ("GROUP g kim\nHOST_GROUP g farm1\n", "line 2: HOST_GROUP: g is already a GROUP"),
    ("GROUP bad!name kim\n", "line 1: GROUP: bad group name"),
    ("GROUP g kim \"lee\n", "line 1: unbalanced quote"),
    ("NOLOG EVERYTHING\n", "line 1: NOLOG: 'EVERYTHING'"),
    ("TIMEOUT VCS 60\n", "line 1: TIMEOUT: '60' is not a whole number >= 900"),
    ("TIMEOUTALL\n", "line 1: TIMEOUTALL: takes 1 argument(s), not 0"),
    ("REPORTLOG /a b\n", "line 1: REPORTLOG: takes 1 argument(s), not 2"),
    ("GROUP g kim \\\n  lee \\\n", "line 1: continued with '\\' but the file ends"),
    ("GROUP g kim \\  \n  lee\n", "line 1: spaces after the continuation"),
    ("GROUP g " + "u" * 4001 + "\n", "line 1: 4009 characters"),
    ("GROUP g " + " \\\n".join(["u" * 900] * 5) + "\n", "once continuations are joined"),
    ("RESERVE 6 VCS USER kim\nRESERVE 6 VCS USER lee\n", "hold 12 seats; the feature has 10"),
    ("\x00\x01garbage\n", "line 1: unknown keyword"),
])
def test_validator_catches_hand_written_bad_files(text: str, needle: str) -> None:
    problems = validate_options_file(text, feature_seats={"VCS": 10})
    assert any(needle in p for p in problems), problems


def test_validator_accepts_hand_written_good_file_with_continuations() -> None:
    text = ("# staff\n"
            "GROUP staff kim \\\n"
            "      lee park\n"
            "\n"
            "HOST_GROUP farm farm1 farm2\n"
            "INCLUDE VCS:VERSION=2026.03 GROUP staff\n"
            "EXCLUDE_BORROW VCS HOST_GROUP farm\n"
            "RESERVE 2 VCS GROUP staff\n"
            "MAX_BORROW_HOURS VCS 24\n"
            "LINGER VCS 60\n"
            "REPORTLOG \"+C:/flexlm/report log.rl\"\n"
            "FQDN_MATCHING lenient\n")
    assert validate_options_file(text, feature_seats={"VCS": 2}) == []
