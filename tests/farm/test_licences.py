"""Licensed jobs: a job that needs features waits (through the pool's queue) until the seats are
granted, runs with a signed lease token that chipcommons-run verifies, and its lease ends when
the job ends — on success, failure, cancellation and crash. Infrastructure errors are retried
and never counted as attempts."""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core import claims
from core.errors import Expired, TokenInvalid
from hub import worker
from hub.api import Hub
from hub.cli.jobs import submit_files
from hub.farm import farm_for
from remote import runner
from remote.backends.registry import CommandTemplates
from tests.farm.conftest import TEMPLATES, run_worker_until

FEATURE = "eda-test"


@pytest.fixture
def pool(centre: Hub, as_user: Any) -> None:
    as_user("demo.admin").call("pools.add_local", feature=FEATURE, seats=1, max_lease_hours=4)


@pytest.fixture
def design(tmp_path: Path) -> Path:
    path = tmp_path / "top.v"
    path.write_text("module top(input a, output y); assign y = a; endmodule\n")
    return path


def _leases(client: Any) -> list[Any]:
    return [lease for lease in client.call("leases.list", include_ended=True)
            if lease.feature == FEATURE]


def _free(client: Any) -> int:
    (row,) = client.call("licensing.pools", feature=FEATURE)
    return int(row.free)


def test_licensed_job_waits_for_the_seat_then_runs(centre: Hub, as_user: Any, pool: None,
                                                   design: Path) -> None:
    holder = as_user("demo.student")
    held = holder.call("leases.checkout", feature=FEATURE)
    eng = as_user("demo.trainee")
    job = submit_files(eng, "command", [design], {"template": "licensed-hello",
                                                  "file": "top.v"})
    assert job.state == "waiting" and job.features == {FEATURE: 1}
    assert [q.user for q in eng.call("queue.list")] == ["demo.trainee"]
    worker.tick(centre)
    assert eng.call("jobs.show", job_id=job.id).state == "waiting"
    holder.call("leases.return", lease_id=held.id)
    done = run_worker_until(centre, eng, job.id)
    assert done.state == "succeeded", done.reason
    log = eng.call("jobs.log", job_id=job.id).text
    assert f"lease verified for {FEATURE} x1" in log and "licensed tool on top.v" in log
    (lease,) = _leases(eng)
    assert lease.ended_at is not None and lease.end_reason == "returned"
    assert _free(eng) == 1
    assert eng.call("queue.list") == [] or all(q.status != "waiting"
                                               for q in eng.call("queue.list"))


@pytest.mark.parametrize(("template", "state", "outcome"), [
    ("licensed-fail", "failed", "runtime_error"),
    ("licensed-crash", "failed", "runtime_error"),
])
def test_lease_ends_when_the_job_fails_or_crashes(centre: Hub, as_user: Any, pool: None,
                                                 template: str, state: str, outcome: str,
                                                 design: Path) -> None:
    eng = as_user("demo.trainee")
    job = submit_files(eng, "command", [design], {"template": template})
    assert job.state == "queued"
    assert _free(eng) == 0
    done = run_worker_until(centre, eng, job.id)
    assert (done.state, done.outcome) == (state, outcome), done.reason
    assert done.attempts == 1
    (lease,) = _leases(eng)
    assert lease.ended_at is not None
    assert _free(eng) == 1


def test_lease_ends_when_the_job_is_cancelled(centre: Hub, as_user: Any, pool: None,
                                              design: Path) -> None:
    eng = as_user("demo.trainee")
    job = submit_files(eng, "command", [design], {"template": "licensed-sleep"})
    run_worker_until(centre, eng, job.id, states=("running",))
    assert eng.call("jobs.cancel", job_id=job.id).state == "cancelled"
    (lease,) = _leases(eng)
    assert lease.ended_at is not None and _free(eng) == 1
    # a second job waiting for the seat is cancelled out of the queue
    holder = as_user("demo.student")
    holder.call("leases.checkout", feature=FEATURE)
    waiting = submit_files(eng, "command", [design], {"template": "licensed-sleep"})
    assert waiting.state == "waiting"
    eng.call("jobs.cancel", job_id=waiting.id)
    assert all(q.status != "waiting" for q in eng.call("queue.list"))


def _kill_wrapper(centre: Hub, job_id: int) -> None:
    farm = farm_for(centre)
    from remote.jobs.models import FarmJob

    with centre.sessions() as session:
        job = session.get(FarmJob, job_id)
        assert job is not None
        ws = farm.workspace(job)
    deadline = time.monotonic() + 20
    while not ws.pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = int(json.loads(ws.pid_file.read_text())["pid"])
    os.kill(pid, signal.SIGKILL)


def test_orphaned_job_crash_ends_the_lease(centre: Hub, as_user: Any, pool: None,
                                           design: Path) -> None:
    centre.settings["farm_max_infra_retries"] = 0
    eng = as_user("demo.trainee")
    job = submit_files(eng, "command", [design], {"template": "licensed-sleep"})
    run_worker_until(centre, eng, job.id, states=("running",))
    _kill_wrapper(centre, job.id)
    done = run_worker_until(centre, eng, job.id)
    assert (done.state, done.outcome) == ("failed", "infrastructure_error")
    assert done.attempts == 0, "an infrastructure error is never counted as an attempt"
    (lease,) = _leases(eng)
    assert lease.ended_at is not None and _free(eng) == 1


def test_infrastructure_error_is_retried_not_counted(centre: Hub, as_user: Any,
                                                     design: Path) -> None:
    eng = as_user("demo.trainee")
    job = submit_files(eng, "command", [design], {"template": "sleep", "seconds": 2})
    run_worker_until(centre, eng, job.id, states=("running",))
    _kill_wrapper(centre, job.id)
    done = run_worker_until(centre, eng, job.id)
    assert done.state == "succeeded", done.reason
    assert (done.infra_retries, done.attempts) == (1, 1)
    assert any("retry 1 of" in e.message for e in done.events)


# -- the runner's own check of the lease token ---------------------------------------------------


def _token(key: Any, feature: str = FEATURE, seats: int = 1,
           expires: datetime | None = None) -> str:
    now = datetime.now(UTC)
    return claims.sign({"typ": runner.LEASE_TOKEN_KIND, "lid": 7, "sub": "demo.engineer",
                        "ftr": feature, "n": seats, "iat": int(now.timestamp()),
                        "exp": int((expires or now + timedelta(hours=1)).timestamp()),
                        "ctr": "test"}, key)


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Any, bytes]:
    key_file = tmp_path / "keys" / "lease"
    claims.generate_keypair(key_file)
    return claims.load_private_key(key_file), claims.public_path(key_file).read_bytes()


def test_check_lease_token(keys: tuple[Any, bytes]) -> None:
    key, pem = keys
    now = datetime.now(UTC)
    assert runner.check_lease_token(_token(key), pem, FEATURE, 1, now).lease_id == 7
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    with pytest.raises(TokenInvalid, match="signature"):
        runner.check_lease_token(_token(Ed25519PrivateKey.generate()), pem, FEATURE, 1, now)
    with pytest.raises(TokenInvalid, match="not other"):
        runner.check_lease_token(_token(key, feature="other"), pem, "not other", 1, now)
    with pytest.raises(TokenInvalid, match="seat"):
        runner.check_lease_token(_token(key), pem, FEATURE, 2, now)
    with pytest.raises(Expired):
        runner.check_lease_token(_token(key, expires=now - timedelta(seconds=5)), pem,
                                 FEATURE, 1, now)
    with pytest.raises(TokenInvalid):
        runner.check_lease_token("garbage", pem, FEATURE, 1, now)


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tokens: dict[str, str],
         pem: bytes | None) -> tuple[int, dict[str, Any]]:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    (work / "top.v").write_text("module top; endmodule\n")
    templates = CommandTemplates.model_validate(
        __import__("yaml").safe_load(TEMPLATES.read_text()))
    monkeypatch.setenv("CHIPCOMMONS_COMMAND_TEMPLATES", templates.model_dump_json())
    monkeypatch.setenv("CHIPCOMMONS_JOB_PARAMS", json.dumps({"template": "licensed-hello",
                                                             "file": "top.v"}))
    monkeypatch.setenv("CHIPCOMMONS_LEASE_TOKENS", json.dumps(tokens))
    if pem is not None:
        monkeypatch.setenv("CHIPCOMMONS_LEASE_PUBKEY", pem.decode())
    else:
        monkeypatch.delenv("CHIPCOMMONS_LEASE_PUBKEY", raising=False)
    code = runner.main(["--backend", "command", "--work", str(work), "--out",
                        str(tmp_path / "out")])
    return code, json.loads((tmp_path / "out" / "run.json").read_text())


def test_runner_refuses_to_start_a_licensed_tool_without_a_valid_token(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keys: tuple[Any, bytes]) -> None:
    key, pem = keys
    code, run = _run(tmp_path, monkeypatch, {}, pem)
    assert code == runner.EXIT_REFUSED and "no lease token for eda-test" in run["message"]
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    code, run = _run(tmp_path, monkeypatch, {FEATURE: _token(Ed25519PrivateKey.generate())},
                     pem)
    assert code == runner.EXIT_REFUSED and "forged" in run["message"]
    code, run = _run(tmp_path, monkeypatch, {FEATURE: _token(key)}, None)
    assert code == runner.EXIT_REFUSED and "public key" in run["message"]
    code, run = _run(tmp_path, monkeypatch, {FEATURE: _token(key)}, pem)
    assert code == 0 and run["outcome"] == "success"
