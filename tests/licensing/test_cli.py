"""The pool commands of ``chipcommons-hub`` and the ``chipcommons`` verbs, end to end on a
SQLite centre (the same client code serves SSH centres)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core.timeutil import CENTRE_ZONE
from hub.centre import init_centre
from hub.cli import admin, client


@pytest.fixture
def url(tmp_path: Path) -> str:
    u = f"sqlite:///{tmp_path / 'centre.sqlite3'}"
    init_centre(u, with_demo=True)
    assert admin.main(["--db", u, "pool", "add-local", "vcs-cli", "--seats", "2",
                       "--max-per-lease", "2"]) == 0
    return u


def run_client(url: str, who: str, *argv: str) -> int:
    return client.main(["--centre", url, "--as", who, *argv])


def test_checkout_list_renew_return(url: str, capsys: pytest.CaptureFixture[str],
                                    tmp_path: Path) -> None:
    capsys.readouterr()
    token = tmp_path / "token"
    assert run_client(url, "demo.engineer", "--json", "lease", "checkout", "vcs-cli", "-n", "2",
                      "--hours", "2", "--token-file", str(token)) == 0
    lease = json.loads(capsys.readouterr().out)
    assert lease["seats"] == 2 and lease["token"]
    assert token.read_text().strip() == lease["token"] and token.stat().st_mode & 0o777 == 0o600
    assert run_client(url, "demo.engineer", "pools") == 0
    out = capsys.readouterr().out
    assert "vcs-cli" in out and "FREE" in out
    assert run_client(url, "demo.engineer2", "lease", "checkout", "vcs-cli") == 1
    err = capsys.readouterr().err
    assert err.startswith("chipcommons: all 2 seats of vcs-cli are in use")
    assert run_client(url, "demo.engineer2", "--json", "queue", "join", "vcs-cli") == 0
    assert json.loads(capsys.readouterr().out)["position"] == 1
    assert run_client(url, "demo.engineer", "lease", "renew", str(lease["id"])) == 0
    assert run_client(url, "demo.engineer2", "lease", "return", str(lease["id"])) == 1
    assert "not yours" in capsys.readouterr().err
    capsys.readouterr()
    assert run_client(url, "demo.engineer", "lease", "return", str(lease["id"])) == 0
    capsys.readouterr()
    assert run_client(url, "demo.engineer2", "--json", "queue", "list") == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["status"] == "granted"  # the freed seats went to the head of the queue


def test_reserve_in_centre_time_and_cancel(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    start = (datetime.now(CENTRE_ZONE) + timedelta(days=2)).replace(hour=9, minute=0, second=0,
                                                                    microsecond=0)
    end = start + timedelta(hours=3)
    naive = "%Y-%m-%dT%H:%M"
    capsys.readouterr()
    assert run_client(url, "demo.engineer", "reserve", "vcs-cli", "--from",
                      start.strftime(naive), "--to", end.strftime(naive), "-n", "2",
                      "--preview") == 0
    assert run_client(url, "demo.engineer", "--json", "reserve", "vcs-cli", "--from",
                      start.strftime(naive), "--to", end.strftime(naive), "-n", "2") == 0
    capsys.readouterr()
    assert run_client(url, "demo.engineer", "--json", "reservations") == 0
    [booking] = json.loads(capsys.readouterr().out)
    assert datetime.fromisoformat(booking["starts_at"]) == start
    assert run_client(url, "demo.engineer2", "reserve", "vcs-cli", "--from",
                      start.isoformat(), "--to", end.isoformat()) == 1
    assert "fully booked" in capsys.readouterr().err
    assert run_client(url, "demo.engineer", "reservations", "--cancel", str(booking["id"])) == 0
    assert run_client(url, "demo.engineer", "reserve", "vcs-cli", "--from", "tomorrow",
                      "--to", "later") == 1
    assert "not a time" in capsys.readouterr().err


def test_admin_pool_commands(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert admin.main(["--db", url, "--json", "pool", "list"]) == 0
    [pool] = [p for p in json.loads(capsys.readouterr().out) if p["feature"] == "vcs-cli"]
    assert admin.main(["--db", url, "pool", "edit", str(pool["id"]), "--seats", "4",
                       "--approval"]) == 0
    assert admin.main(["--db", url, "pool", "edit", str(pool["id"]), "--seats", "-1"]) == 1
    assert admin.main(["--db", url, "pool", "quota-set", "org_kind", "startup", "--feature",
                       "vcs-cli", "--concurrent", "2", "--seat-hours", "40"]) == 0
    assert admin.main(["--db", url, "pool", "quota-set", "org", "x", "--concurrent",
                       "-3"]) == 1
    assert admin.main(["--db", url, "--json", "pool", "quotas"]) == 0
    out = capsys.readouterr().out
    assert '"subject": "startup"' in out
    assert run_client(url, "demo.engineer", "--json", "lease", "checkout", "vcs-cli") == 0
    lease = json.loads(capsys.readouterr().out)
    assert admin.main(["--db", url, "pool", "release", str(lease["id"]), "--reason",
                       "hung"]) == 0
    assert admin.main(["--db", url, "pool", "suspend-user", "demo.engineer"]) == 0
    assert run_client(url, "demo.engineer", "lease", "checkout", "vcs-cli") == 1
    assert "suspended" in capsys.readouterr().err
    assert admin.main(["--db", url, "pool", "suspend-user", "demo.engineer", "--lift"]) == 0
    assert admin.main(["--db", url, "worker", "--once"]) == 0
