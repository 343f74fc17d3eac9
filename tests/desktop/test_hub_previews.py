"""What the desktop's dialogs ask the Hub before anyone commits: a licence file's dry run and
the caller's standing (eligibility and quotas)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from core.db import transaction
from hub.api import Hub
from hub.clients.local import LocalHub
from licensing.interop import ImportResult
from licensing.models import Pool

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "desktop"
LICENCE = FIXTURES / "suwanny_flexlm_license_parser__good.lic"


def _pool_count(hub: Hub) -> int:
    with transaction(hub.sessions, write=False) as session:
        return session.query(Pool).count()


def test_a_dry_run_lists_the_changes_and_writes_nothing(pools: Hub) -> None:
    before = _pool_count(pools)
    audit_before = len(pools.call("demo.admin", "admin.audit", {"limit": 5000}))
    preview = pools.call("demo.admin", "licensing.import_flexlm",
                         {"text": LICENCE.read_text(), "source": "good.lic", "dry_run": True})
    assert preview["dry_run"] and preview["ok"] and not preview["errors"]
    actions = {(c["feature"], c["action"]) for c in preview["changes"]}
    assert ("VC_ESXHOST", "create") in actions
    assert all(c["lines"] for c in preview["changes"])
    assert preview["result"]["pools_added"] == len(preview["changes"])
    assert _pool_count(pools) == before
    assert len(pools.call("demo.admin", "admin.audit", {"limit": 5000})) == audit_before
    # the real import then does what the preview said, and a second preview shows updates
    done = pools.call("demo.admin", "licensing.import_flexlm",
                      {"text": LICENCE.read_text(), "source": "good.lic"})
    assert done["pools_added"] == preview["result"]["pools_added"]
    again = pools.call("demo.admin", "licensing.import_flexlm",
                       {"text": LICENCE.read_text(), "dry_run": True})
    assert {c["action"] for c in again["changes"]} == {"update"}
    assert all(c["seats_before"] is not None for c in again["changes"])


def test_a_dry_run_reports_parse_errors_with_line_numbers(pools: Hub) -> None:
    text = ("SERVER host ANY 27000\nVENDOR snpslmd\n"
            "FEATURE vcs snpslmd 1.0 01-jan-2030 lots SIGN=0\n"
            "FEATURE dc snpslmd 1.0 not-a-date 4 SIGN=0\n")
    preview = pools.call("demo.admin", "licensing.import_flexlm",
                         {"text": text, "source": "bad.lic", "dry_run": True})
    assert not preview["ok"] and not preview["changes"]
    assert [e["line"] for e in preview["errors"]] == [3, 4]
    assert all(e["message"] for e in preview["errors"])


def test_a_dry_run_reports_what_the_import_would_refuse(pools: Hub) -> None:
    pools.call("demo.admin", "licensing.import_flexlm", {"text": LICENCE.read_text()})
    lease = pools.call("test.engineer", "leases.checkout", {"feature": "VC_ESXHOST",
                                                            "seats": 2, "hours": 1.0})
    assert lease["seats"] == 2
    text = LICENCE.read_text()
    start = text.index("INCREMENT VC_ESXHOST")
    smaller = text[:start] + text[start:].replace("permanent 32", "permanent 1", 1)
    preview = pools.call("demo.admin", "licensing.import_flexlm",
                         {"text": smaller, "dry_run": True})
    assert not preview["ok"]
    [error] = preview["errors"]
    assert "in use" in error["message"]
    assert error["line"] == text[:start].count("\n") + 1
    # the lease is untouched and the pool still has its 32 seats
    [esx] = pools.call("test.engineer", "licensing.pools", {"feature": "VC_ESXHOST"})
    assert esx["seats"] == 32 and esx["mine"] == 2


def test_the_client_decodes_either_answer(pools: Hub) -> None:
    from hub.api.licensing import ImportPreview

    client = LocalHub(pools, "demo.admin")
    try:
        preview = client.call("licensing.import_flexlm", text=LICENCE.read_text(),
                              dry_run=True)
        assert isinstance(preview, ImportPreview) and preview.ok
        assert isinstance(preview.result, ImportResult)
        result = client.call("licensing.import_flexlm", text=LICENCE.read_text())
        assert isinstance(result, ImportResult)
    finally:
        client.close()


def _set_window(hub: Hub, org: str, start: date | None, end: date | None) -> None:
    hub.call("demo.admin", "admin.set_eligibility",
             {"code": org, "eligible_from": start, "eligible_until": end})


def test_standing_tells_a_student_when_their_organisation_is_eligible(demo_hub: Hub) -> None:
    student = demo_hub.call("demo.student", "me.whoami")
    org = student["org"]
    today = date.today()
    _set_window(demo_hub, org, today - timedelta(days=10), today + timedelta(days=30))
    standing = demo_hub.call("demo.student", "quotas.standing")
    assert standing["eligible"] and standing["reason"] is None
    assert standing["eligible_until"] == (today + timedelta(days=30)).isoformat()
    assert standing["org"] == org
    _set_window(demo_hub, org, today - timedelta(days=60), today - timedelta(days=2))
    standing = demo_hub.call("demo.student", "quotas.standing")
    assert not standing["eligible"] and standing["reason"] == "ended"
    assert "eligibility ended" in standing["message"]
    _set_window(demo_hub, org, None, None)
    demo_hub.call("demo.admin", "admin.suspend_org", {"code": org})
    standing = demo_hub.call("demo.student", "quotas.standing")
    assert standing["reason"] == "org_suspended"


@pytest.mark.parametrize("login", ["demo.student", "demo.engineer"])
def test_standing_carries_the_same_quotas_as_quotas_mine(demo_hub: Hub, login: str) -> None:
    standing = demo_hub.call(login, "quotas.standing")
    assert standing["quotas"] == demo_hub.call(login, "quotas.mine")
