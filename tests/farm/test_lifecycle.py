"""A job's whole life through the Hub: create, upload in chunks, submit, run on the local
scheduler in the sandbox, log, results, artefacts — on SQLite and PostgreSQL, in-process and
over SSH."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.errors import ChipError, Forbidden
from hub.api import Hub
from hub.centre import open_hub
from hub.cli.jobs import fetch, submit_files, upload_file
from hub.clients.local import LocalHub
from hub.farm import ACCEPTED, dispatcher_for
from tests.conftest import Connector, SshCentre
from tests.farm.conftest import TERMINAL, configure, run_worker_until


def _rtl_job(client: Any, tarball: Path, params: dict[str, Any]) -> Any:
    return submit_files(client, "rtl-sim", [tarball], params, name="mac8 lab")


def test_rtl_job_end_to_end(centre_any_db: Hub, mac8_tarball: Path,
                            mac8_params: dict[str, Any], tmp_path: Path) -> None:
    hub = centre_any_db
    student = LocalHub(hub, "demo.student")
    try:
        job = _rtl_job(student, mac8_tarball, mac8_params)
        # accepted: the dispatcher hands it to the scheduler once the call has returned
        assert (job.state, job.sched_id, job.reason) == ("queued", None, ACCEPTED)
        assert dispatcher_for(hub).wait([job.id], timeout=60)
        shown = student.call("jobs.show", job_id=job.id)
        assert shown.scheduler == "local" and shown.sched_id
        done = run_worker_until(hub, student, job.id)
        assert done.state == "succeeded", done.reason
        assert done.outcome == "success" and done.score == 10.0 and done.max_score == 10.0
        assert done.attempts == 1 and done.infra_retries == 0
        assert [e.state for e in done.events] == ["draft", "staged", "queued", "queued",
                                                  "running", "succeeded"]
        assert [e.message for e in done.events][2:4] == [
            "accepted; being handed to the scheduler", "queued on the local scheduler"]
        log = student.call("jobs.log", job_id=job.id)
        assert "All outputs match the reference." in log.text and log.eof
        kinds = [(n.kind, n.payload.get("job")) for n in
                 student.call("notifications.since", after_id=0)]
        assert ("job.finished", job.id) in kinds
        results = student.call("jobs.results", job_id=job.id)
        assert results.result.outcome == "success"
        assert {t.name for t in results.result.results.tests} == {
            "Matches the reference (icarus)", "Verilator lint (-Wall) is clean"} or \
            len(results.result.results.tests) == 2
        files = fetch(student, job.id, tmp_path / "got")
        names = {p.relative_to(tmp_path / "got").as_posix() for p in files}
        assert {"results.json", "run.json", "_build/sim.log"} <= names
        assert "Mismatches: 0" in (tmp_path / "got" / "_build" / "sim.log").read_text()
        mine = student.call("jobs.list")
        assert mine[0].id == job.id and all(j.user == "demo.student" for j in mine)
    finally:
        student.close()


def test_log_streams_by_offset_while_running(centre: Hub, as_user: Any, tmp_path: Path) -> None:
    eng = as_user("demo.engineer")
    src = tmp_path / "x.txt"
    src.write_text("x\n")
    job = submit_files(eng, "command", [src], {"template": "ticker"})
    offset = 0
    text = ""
    seen_running = False
    for _ in range(300):
        from hub import worker

        worker.tick(centre)
        chunk = eng.call("jobs.log", job_id=job.id, offset=offset, max_bytes=7)
        assert chunk.offset == offset
        text += chunk.text
        offset = chunk.next_offset
        seen_running = seen_running or chunk.state == "running"
        if chunk.eof:
            break
        import time

        time.sleep(0.05)
    assert seen_running
    assert [f"tick {i}" for i in range(5)] == [ln for ln in text.splitlines()
                                                if ln.startswith("tick ")]


def test_remote_hub_real_upload_and_run(ssh_centre_sqlite: SshCentre, uid_lock_dir: Path,
                                        mac8_tarball: Path, mac8_params: dict[str, Any]) -> None:
    """Over SSH: the upload crosses the connection in chunks; the worker runs in this process."""
    connector = Connector("ssh", ssh_centre_sqlite)
    hub = configure(open_hub(ssh_centre_sqlite.url), uid_lock_dir)
    try:
        client = connector("demo.trainee")
        job = client.call("jobs.create", backend="rtl-sim", params=mac8_params, name="over ssh")
        names = upload_file(client, job.id, mac8_tarball, unpack=True, chunk=4096)
        assert sorted(names) == ["design/mac8.v", "reference/mac8_ref.v", "tb/mac8_tb.v"]
        client.call("jobs.submit", job_id=job.id)
        done = run_worker_until(hub, client, job.id)
        assert done.state == "succeeded", done.reason
        assert client.call("jobs.results", job_id=job.id).result.results.score == 10.0
    finally:
        connector.close()


def test_request_id_makes_submit_idempotent(centre: Hub, as_user: Any,
                                            mac8_tarball: Path,
                                            mac8_params: dict[str, Any]) -> None:
    client = as_user("demo.student")
    first = client.call("jobs.create", backend="rtl-sim", params=mac8_params,
                        request_id="create-1")
    again = client.call("jobs.create", backend="rtl-sim", params=mac8_params,
                        request_id="create-1")
    assert first.id == again.id
    upload_file(client, first.id, mac8_tarball, unpack=True)
    a = client.call("jobs.submit", job_id=first.id, request_id="submit-1")
    b = client.call("jobs.submit", job_id=first.id, request_id="submit-1")
    assert a.state == b.state == "queued"
    assert [j.id for j in client.call("jobs.list", states=["queued", "running"])] == [first.id]
    client.call("jobs.cancel", job_id=first.id)


def test_users_see_only_their_own_jobs(centre: Hub, as_user: Any, tmp_path: Path) -> None:
    src = tmp_path / "d.v"
    src.write_text("module m; endmodule\n")
    student = as_user("demo.student")
    job = student.call("jobs.create", backend="command", params={"template": "hello",
                                                                  "file": "d.v"})
    other = as_user("demo.student2")
    with pytest.raises(ChipError) as err:
        other.call("jobs.show", job_id=job.id)
    assert err.value.code == "forbidden"
    with pytest.raises(Forbidden):
        other.call("jobs.list", everyone=True)
    with pytest.raises(ChipError):
        other.call("jobs.cancel", job_id=job.id)
    instructor = as_user("demo.instructor")
    assert instructor.call("jobs.show", job_id=job.id).user == "demo.student"
    assert job.id in [j.id for j in instructor.call("jobs.list", everyone=True)]
    with pytest.raises(ChipError):
        instructor.call("jobs.cancel", job_id=job.id)  # seeing is not acting
    admin = as_user("demo.admin")
    assert admin.call("jobs.cancel", job_id=job.id).state == "cancelled"


def test_command_backend_artefacts(centre: Hub, as_user: Any, tmp_path: Path) -> None:
    src = tmp_path / "design.v"
    src.write_text("module top; endmodule\n")
    eng = as_user("demo.engineer")
    job = submit_files(eng, "command", [src], {"template": "hello", "file": "design.v"})
    done = run_worker_until(centre, eng, job.id)
    assert done.state == "succeeded", done.reason
    res = eng.call("jobs.results", job_id=job.id).result
    assert res.artefacts == ["copy.rpt"]
    files = fetch(eng, job.id, tmp_path / "out")
    assert (tmp_path / "out" / "copy.rpt").read_text() == src.read_text()
    assert len(files) == 3
    assert "hello from design.v" in eng.call("jobs.log", job_id=job.id).text
    with pytest.raises(ChipError):
        eng.call("jobs.artefact", job_id=job.id, name="../status.json")
    with pytest.raises(ChipError):
        eng.call("jobs.artefact", job_id=job.id, name="design.v")  # not an artefact


def test_cancel_running_job(centre: Hub, as_user: Any, tmp_path: Path) -> None:
    src = tmp_path / "x"
    src.write_text("x")
    eng = as_user("demo.engineer")
    job = submit_files(eng, "command", [src], {"template": "sleep", "seconds": 60})
    run_worker_until(centre, eng, job.id, states=("running",))
    cancelled = eng.call("jobs.cancel", job_id=job.id)
    assert cancelled.state == "cancelled" and cancelled.attempts == 0
    run_worker_until(centre, eng, job.id, states=TERMINAL)
    with pytest.raises(ChipError) as err:
        eng.call("jobs.cancel", job_id=job.id)
    assert err.value.code == "conflict"


def test_jobs_survive_a_hub_restart(centre: Hub, uid_lock_dir: Path, tmp_path: Path) -> None:
    """The hub goes away while a job runs; a new hub process finds it again and concludes it."""
    src = tmp_path / "x"
    src.write_text("x")
    first = LocalHub(centre, "demo.engineer")
    job = submit_files(first, "command", [src], {"template": "sleep", "seconds": 2})
    run_worker_until(centre, first, job.id, states=("running",))
    first.close()
    url = centre.settings["db_url"]
    centre.engine.dispose()
    del centre
    restarted = configure(open_hub(url), uid_lock_dir)
    again = LocalHub(restarted, "demo.engineer")
    try:
        done = run_worker_until(restarted, again, job.id)
        assert done.state == "succeeded" and done.infra_retries == 0
    finally:
        again.close()
