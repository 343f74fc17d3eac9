"""The command-line contract: --json listings and one-line failures with non-zero exits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from remote import memcgroup
from remote.sandbox import bwrap_sizes_tmpfs

HUB = str(Path(sys.executable).with_name("chipcommons-hub"))
CLIENT = str(Path(sys.executable).with_name("chipcommons"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120)


def test_init_demo_and_listings(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    assert run(HUB, "--db", url, "init", "--demo").returncode == 0
    users = json.loads(run(HUB, "--db", url, "--json", "user", "list").stdout)
    roles = {r for u in users for r in u["roles"]}
    assert roles == {"student", "engineer", "instructor", "admin"}
    orgs = json.loads(run(HUB, "--db", url, "org", "list", "--json").stdout)
    assert {o["kind"] for o in orgs} == {"university", "startup", "centre", "company"}
    me = json.loads(run(CLIENT, "--centre", url, "--as", "demo.student", "whoami",
                        "--json").stdout)
    assert me["login"] == "demo.student"


def test_failures_are_one_line_and_non_zero(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    run(HUB, "--db", url, "init")
    result = run(HUB, "--db", url, "user", "add", "x", "--role", "student", "--org", "nope")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and "no organisation" in result.stderr
    result = run(CLIENT, "--centre", url, "whoami")
    assert result.returncode != 0 and "--as" in result.stderr
    result = run(CLIENT, "--centre", url, "--as", "ghost", "whoami")
    assert result.returncode != 0 and "not known" in result.stderr


def test_embedded_centre_is_created_with_demo_data_on_first_run() -> None:
    result = run(CLIENT, "whoami", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["login"] == "demo.engineer"


def test_doctor_checks_the_centre_and_says_how_job_limits_are_enforced(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    assert run(HUB, "--db", url, "init").returncode == 0
    result = run(HUB, "--db", url, "doctor", "--json")
    assert result.returncode == 0, result.stderr
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    assert checks["database"]["ok"] and checks["database"]["detail"] == "sqlite"
    assert checks["schema"]["ok"]
    assert checks["tool bwrap"]["ok"] and checks["tool sbatch"]["ok"]  # CI installs both
    # what the doctor says is what the farm's wrapper will find (CI: root, cgroup v1, bwrap 0.8)
    cgroups = memcgroup.available()
    memory = checks["job memory limit"]
    assert (memory["ok"], memory["required"]) == (cgroups, False)
    assert (memory["detail"] == "a memory cgroup per job") is cgroups
    assert checks["job /tmp size limit"]["ok"] is bwrap_sizes_tmpfs("bwrap")


def test_doctor_fails_on_a_database_it_cannot_open(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'c.sqlite3'}"
    result = run(HUB, "--db", url, "doctor", "--json")
    assert result.returncode == 1
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    assert not checks["database"]["ok"]
    assert not checks["job memory limit"]["required"]  # reported, never failing the centre
