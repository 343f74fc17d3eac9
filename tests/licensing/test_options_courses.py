"""Course quotas in the FlexLM options file: a GROUP of the course's people and a MAX for it,
checked against the options-file syntax rules (keywords and arity, defined groups, names,
line lengths, continuation lines)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import InvalidInput
from licensing.flexlm.options import (
    MAX_LINE,
    CourseQuota,
    OrgMembers,
    OrgQuota,
    options_from_policy,
    render_options_file,
    validate_options_file,
)
from licensing.models import Feature, LicenceServer, VendorDaemon
from tests.licensing.conftest import Centre

STUDENT, STUDENT2, ENG = "demo.student", "demo.student2", "demo.engineer"


def _body(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_a_course_quota_becomes_a_group_and_a_max() -> None:
    rules = options_from_policy(
        quotas=[OrgQuota(OrgMembers("Alpha Chips", ("kim", "lee")), "VCS", 3)],
        course_quotas=[CourseQuota("AIS301", ("park", "choi", "kim"), "VCS", 2),
                       CourseQuota("AIS301", ("yoon",), "Verdi", 1),
                       CourseQuota("EE 201/lab", ("han",), "VCS", 1),
                       CourseQuota("NOBODY", (), "VCS", 4)],
        feature_seats={"VCS": 10, "Verdi": 2})
    text = render_options_file("snpslmd", rules)
    assert _body(text) == [
        "GROUP course_ais301 choi kim park yoon",
        "GROUP course_ee_201_lab han",
        "GROUP org_alpha_chips kim lee",
        "MAX 2 VCS GROUP course_ais301",
        "MAX 1 VCS GROUP course_ee_201_lab",
        "MAX 3 VCS GROUP org_alpha_chips",
        "MAX 1 Verdi GROUP course_ais301",
    ]
    assert validate_options_file(text, feature_seats={"VCS": 10, "Verdi": 2}) == []


def test_a_course_with_no_seats_is_excluded_from_the_feature() -> None:
    text = render_options_file("snpslmd", options_from_policy(
        course_quotas=[CourseQuota("AIS301", ("park",), "VCS", 0)]))
    assert _body(text) == ["GROUP course_ais301 park", "EXCLUDE VCS GROUP course_ais301"]
    assert validate_options_file(text) == []


def test_a_large_course_is_split_over_lines_within_the_limit() -> None:
    members = tuple(f"student{i:04d}.lab" for i in range(900))
    text = render_options_file("snpslmd", options_from_policy(
        course_quotas=[CourseQuota("AIS301", members, "VCS", 40)]))
    groups = [line for line in text.splitlines() if line.startswith("GROUP course_ais301 ")]
    assert len(groups) > 1
    assert all(len(line) <= MAX_LINE for line in text.splitlines())
    assert sorted(m for line in groups for m in line.split()[2:]) == sorted(members)
    assert validate_options_file(text) == []
    # The same group written with continuation lines is valid too; a line past the limit is not.
    joined = "GROUP course_ais301 " + " \\\n    ".join(" ".join(members[k:k + 50])
                                                     for k in range(0, 200, 50))
    assert validate_options_file(f"{joined}\nMAX 40 VCS GROUP course_ais301\n") == []
    too_long = "GROUP course_ais301 " + " ".join(members)
    assert any("at most 4000" in p for p in validate_options_file(too_long + "\n"))


def test_course_names_that_cannot_be_told_apart_are_refused() -> None:
    with pytest.raises(InvalidInput, match="same GROUP name"):
        options_from_policy(course_quotas=[CourseQuota("AIS-301", ("a",), "VCS", 1),
                                           CourseQuota("ais_301", ("b",), "VCS", 1)])
    with pytest.raises(InvalidInput):  # a member name an options file cannot hold
        render_options_file("snpslmd", options_from_policy(
            course_quotas=[CourseQuota("AIS301", ("kim lee",), "VCS", 1)]))


def _serve_vcs_by_snpslmd(c: Centre) -> None:
    with c.session() as session:
        server = LicenceServer(name="27020@lic1", kind="flexlm", hosts="lic1", port=27020)
        session.add(server)
        session.flush()
        daemon = VendorDaemon(server_id=server.id, name="snpslmd")
        session.add(daemon)
        session.flush()
        feature = session.scalar(select(Feature).where(Feature.name == "vcs"))
        assert feature is not None
        feature.daemon_id = daemon.id


def test_options_file_from_the_hub_carries_course_quotas(centre: Centre) -> None:
    c = centre
    _serve_vcs_by_snpslmd(c)
    c.call("demo.admin", "quotas.set", scope="course", subject="AIS301", feature="vcs",
           max_concurrent=2)
    c.call("demo.admin", "quotas.set", scope="course", subject="EE201", max_concurrent=1)
    text = c.call("demo.admin", "licensing.options_file", vendor="snpslmd")
    assert "course_" not in text  # nobody has leased for the courses yet
    lease = c.call(STUDENT, "leases.checkout", feature="vcs", course="AIS301")
    c.call(STUDENT, "leases.return", lease_id=lease.id)
    c.call(ENG, "leases.checkout", feature="vcs")  # not for a course
    c.call(STUDENT2, "leases.checkout", feature="vcs", course="AIS301")  # still running
    # a closed day in the rollup, and a lease after it
    c.clock.advance(days=2)
    c.call("demo.admin", "reports.usage")
    c.call("demo.instructor", "leases.checkout", feature="scalesim-slot", course="EE201")
    text = c.call("demo.admin", "licensing.options_file", vendor="snpslmd")
    body = _body(text)
    assert f"GROUP course_ais301 {STUDENT} {STUDENT2}" in body
    assert "MAX 2 vcs GROUP course_ais301" in body
    # EE201's quota covers every feature, but its only user leased scalesim-slot
    assert "GROUP course_ee201 demo.instructor" in body
    assert "MAX 1 vcs GROUP course_ee201" in body
    assert validate_options_file(text, feature_seats={"vcs": 3}) == []
    c.call("demo.admin", "quotas.set", scope="course", subject="AIS301", feature="vcs",
           max_concurrent=0)
    body = _body(c.call("demo.admin", "licensing.options_file", vendor="snpslmd"))
    assert "EXCLUDE vcs GROUP course_ais301" in body
