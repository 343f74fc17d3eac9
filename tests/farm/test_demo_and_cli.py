"""The demo centre's example jobs (one per backend, real results) and the command lines:
``chipcommons job …`` on a database centre and ``chipcommons-hub pim run``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.api import Hub
from hub.cli import admin, client
from hub.cli.jobs import fetch
from hub.clients.local import LocalHub
from hub.demo_jobs import DEMO_FEATURE, seed_demo_jobs
from tests.farm.conftest import LAB, ROOT, run_worker_until


def test_demo_centre_has_a_finished_job_of_every_backend(centre: Hub, tmp_path: Path) -> None:
    admin_client = LocalHub(centre, "demo.admin")
    try:
        jobs = admin_client.call("jobs.list", everyone=True)
        by_backend = {j.backend: j for j in jobs}
        expected = {"rtl-sim", "synth", "pim", "command", "npu-scalesim"}
        missing = expected - set(by_backend)
        assert missing <= {"npu-scalesim"}, missing  # SCALE-Sim may be absent off CI
        for job in by_backend.values():
            assert job.state == "succeeded" and job.outcome == "success", job
            result = admin_client.call("jobs.results", job_id=job.id).result
            assert result.results.tests
        assert by_backend["rtl-sim"].score == 10.0
        assert by_backend["command"].features == {DEMO_FEATURE: 1}
        pim = admin_client.call("jobs.results", job_id=by_backend["pim"].id).result
        assert pim.metrics["0.speedup"] < 1 < pim.metrics["1.speedup"]
        files = fetch(admin_client, by_backend["synth"].id, tmp_path / "synth")
        assert any(p.name == "netlist.v" for p in files)
        log = admin_client.call("jobs.log", job_id=by_backend["command"].id)
        assert "mac8.v" in log.text and log.eof
        assert seed_demo_jobs(centre) == 0, "seeding twice adds nothing"
        pools = admin_client.call("licensing.pools", feature=DEMO_FEATURE)
        assert pools[0].seats == 4
    finally:
        admin_client.close()


def test_job_verbs(centre: Hub, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The CLI opens the centre by its URL (so its farm has the default command templates)."""
    url = str(centre.engine.url)
    base = ["--centre", url, "--as", "demo.trainee"]
    design = LAB / "design" / "mac8.v"
    assert client.main([*base, "job", "submit", "command", str(design), "--param",
                        "template=line-count", "--param", "file=mac8.v", "--json"]) == 0
    job = json.loads(capsys.readouterr().out)
    assert job["backend"] == "command" and job["state"] in ("queued", "waiting")
    engineer = LocalHub(centre, "demo.trainee")
    try:
        run_worker_until(centre, engineer, job["id"])
    finally:
        engineer.close()
    assert client.main([*base, "job", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["id"] == job["id"] and listed[0]["state"] == "succeeded"
    assert client.main([*base, "job", "show", str(job["id"])]) == 0
    shown = capsys.readouterr().out
    assert "succeeded" in shown and "queued on the local scheduler" in shown
    assert client.main([*base, "job", "logs", str(job["id"])]) == 0
    assert "mac8.v" in capsys.readouterr().out
    out = tmp_path / "fetched"
    assert client.main([*base, "job", "fetch", str(job["id"]), "--out", str(out)]) == 0
    assert json.loads((out / "results.json").read_text())["score"] == 1.0
    capsys.readouterr()
    assert client.main([*base, "job", "cancel", str(job["id"])]) == 1
    assert "already ended" in capsys.readouterr().err
    assert client.main([*base, "job", "submit", "rtl-sim", str(design)]) == 1
    assert "testbench" in capsys.readouterr().err


def test_pim_run_command(capsys: pytest.CaptureFixture[str]) -> None:
    run_file = ROOT / "resources" / "farm" / "demo" / "gemv_1024.yaml"
    assert admin.main(["pim", "run", str(run_file), "--json"]) == 0
    reports = json.loads(capsys.readouterr().out)
    assert [r["workload"] for r in reports] == ["GEMV 1024x1024", "GEMV 4096x4096"]
    assert admin.main(["pim", "run", str(run_file)]) == 0
    assert "speed-up" in capsys.readouterr().out
    assert admin.main(["pim", "run", "/nonexistent.yaml"]) == 1
