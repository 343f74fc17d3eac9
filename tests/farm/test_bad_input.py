"""Bad input never becomes a job that runs half-staged: malformed configs name the line and the
field, unsafe names and files are refused, size limits are checked before a byte moves, and
runaway jobs are stopped at their limits while the farm carries on."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
from pathlib import Path
from typing import Any

import pytest

from core.errors import ChipError, InvalidInput, LimitExceeded, ParseError
from hub import worker
from hub.api import Hub
from hub.cli.jobs import submit_files, upload_file
from hub.farm import farm_for
from tests.farm.conftest import FIXTURES, ROOT, run_worker_until

SCALESIM = ROOT / "resources" / "scalesim"


def _draft(client: Any, backend: str = "command", **params: Any) -> Any:
    return client.call("jobs.create", backend=backend,
                       params=params or {"template": "hello", "file": "top.v"})


def _no_staged_bytes(centre: Hub, job_id: int) -> bool:
    ws = farm_for(centre).root / f"job-{job_id:08d}"
    return not any((ws / ".staging").iterdir()) and not any((ws / "inputs").iterdir())


def test_malformed_topology_names_the_line_and_field(centre: Hub, as_user: Any,
                                                     tmp_path: Path) -> None:
    topo = tmp_path / "net.csv"
    topo.write_text("Layer Name, M, N, K,\nQKV, 64, x, 128,\n")
    cfg = tmp_path / "npu.cfg"
    cfg.write_text((SCALESIM / "npu_16x16_ws.cfg").read_text())
    student = as_user("demo.student")
    with pytest.raises(ParseError) as err:
        submit_files(student, "npu-scalesim", [cfg, topo],
                     {"config": "npu.cfg", "topology": "net.csv"})
    assert err.value.message == "net.csv:2: N must be a positive integer, got 'x'"
    assert err.value.data["field"] == "N" and err.value.data["line"] == 2
    assert student.call("jobs.list")[0].state == "draft"


def test_malformed_config_names_the_line_and_field(centre: Hub, as_user: Any,
                                                   tmp_path: Path) -> None:
    cfg = tmp_path / "npu.cfg"
    cfg.write_text((SCALESIM / "npu_16x16_ws.cfg").read_text().replace(
        "ArrayWidth : 16", "ArrayWidth : sixteen"))
    topo = tmp_path / "net.csv"
    topo.write_text((SCALESIM / "tiny_transformer_gemm.csv").read_text())
    with pytest.raises(ParseError, match=r"^npu.cfg:7: ArrayWidth must be a positive integer"):
        submit_files(as_user("demo.student"), "npu-scalesim", [cfg, topo],
                     {"config": "npu.cfg", "topology": "net.csv"})


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "a/../../x", "~/x", "a\\b", ""])
def test_unsafe_names_are_refused(centre: Hub, as_user: Any, name: str) -> None:
    client = as_user("demo.student")
    job = _draft(client)
    with pytest.raises(InvalidInput):
        client.call("jobs.upload_begin", job_id=job.id, name=name, size=1,
                    sha256=hashlib.sha256(b"x").hexdigest())
    assert _no_staged_bytes(centre, job.id)


def test_symlinks_and_devices_are_refused(centre: Hub, as_user: Any, tmp_path: Path) -> None:
    client = as_user("demo.student")
    job = _draft(client)
    link = tmp_path / "top.v"
    link.symlink_to("/etc/passwd")
    with pytest.raises(InvalidInput, match="symbolic link"):
        upload_file(client, job.id, link)
    with pytest.raises(InvalidInput, match="not a regular file"):
        upload_file(client, job.id, Path("/dev/null"))
    # an archive that carries a symlink is refused when unpacked, leaving nothing behind
    arc = tmp_path / "evil.tar"
    with tarfile.open(arc, "w") as tf:
        info = tarfile.TarInfo("top.v")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/shadow"
        tf.addfile(info)
        data = b"../../x"
        info = tarfile.TarInfo("../../escape.v")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    with pytest.raises(InvalidInput, match="link"):
        upload_file(client, job.id, arc, unpack=True)
    ws = farm_for(centre).root / f"job-{job.id:08d}"
    assert [p.name for p in (ws / "inputs").iterdir()] in ([], ["evil.tar"])


def test_two_gib_upload_is_refused_before_transfer(centre: Hub, as_user: Any) -> None:
    client = as_user("demo.student")
    job = _draft(client)
    with pytest.raises(LimitExceeded, match="limit"):
        client.call("jobs.upload_begin", job_id=job.id, name="huge.bin", size=2 << 30,
                    sha256="0" * 64)
    assert _no_staged_bytes(centre, job.id)


def test_dropped_upload_never_runs_half_staged_and_resumes(centre: Hub, as_user: Any,
                                                           tmp_path: Path) -> None:
    client = as_user("demo.engineer")
    data = os.urandom(300_000)
    job = _draft(client)
    up = client.call("jobs.upload_begin", job_id=job.id, name="top.v", size=len(data),
                     sha256=hashlib.sha256(data).hexdigest())
    client.call("jobs.upload_chunk", job_id=job.id, upload_id=up.upload_id, offset=0,
                data=base64.b64encode(data[:100_000]).decode())
    # the connection drops here; a submit now must not run anything
    with pytest.raises(ChipError, match=r"uploads not finished: top\.v"):
        client.call("jobs.submit", job_id=job.id)
    worker.tick(centre)
    assert client.call("jobs.show", job_id=job.id).state == "draft"
    # resume from what the hub has; a repeated chunk is harmless
    state = client.call("jobs.upload_status", job_id=job.id, upload_id=up.upload_id)
    assert state.received == 100_000
    client.call("jobs.upload_chunk", job_id=job.id, upload_id=up.upload_id, offset=0,
                data=base64.b64encode(data[:100_000]).decode())
    with pytest.raises(ChipError, match="offset"):
        client.call("jobs.upload_chunk", job_id=job.id, upload_id=up.upload_id,
                    offset=200_000, data=base64.b64encode(data[200_000:]).decode())
    client.call("jobs.upload_chunk", job_id=job.id, upload_id=up.upload_id, offset=100_000,
                data=base64.b64encode(data[100_000:]).decode())
    assert client.call("jobs.upload_finish", job_id=job.id, upload_id=up.upload_id) == ["top.v"]
    assert client.call("jobs.submit", job_id=job.id).state == "queued"
    assert run_worker_until(centre, client, job.id).state == "succeeded"


def test_sha256_mismatch_discards_the_file(centre: Hub, as_user: Any) -> None:
    client = as_user("demo.student")
    job = _draft(client)
    up = client.call("jobs.upload_begin", job_id=job.id, name="top.v", size=3,
                     sha256=hashlib.sha256(b"abc").hexdigest())
    client.call("jobs.upload_chunk", job_id=job.id, upload_id=up.upload_id, offset=0,
                data=base64.b64encode(b"abd").decode())
    with pytest.raises(InvalidInput, match="sha256 mismatch"):
        client.call("jobs.upload_finish", job_id=job.id, upload_id=up.upload_id)
    assert _no_staged_bytes(centre, job.id)


def test_bad_parameters_and_resources_are_refused_at_create(centre: Hub, as_user: Any) -> None:
    client = as_user("demo.student")
    with pytest.raises(InvalidInput, match="unknown backend"):
        client.call("jobs.create", backend="spice", params={})
    with pytest.raises(InvalidInput, match="testbench"):
        client.call("jobs.create", backend="rtl-sim", params={"design_files": ["a.v"]})
    with pytest.raises(InvalidInput, match="template 'rm-rf' is not defined"):
        client.call("jobs.create", backend="command", params={"template": "rm-rf"})
    with pytest.raises(LimitExceeded, match="wall time"):
        client.call("jobs.create", backend="command", params={"template": "spin"},
                    resources={"wall_time": 10 * 86400})
    with pytest.raises(InvalidInput, match="not among the job's inputs"):
        job = _draft(client)
        client.call("jobs.submit", job_id=job.id)


def _sandbox_processes() -> int:
    """Processes running as one of the tests' sandbox uids (see tests/farm/conftest.py)."""
    n = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                uid = entry.stat().st_uid
            except FileNotFoundError:
                continue
            n += 63000 <= uid < 63300
    return n


def _command(client: Any, tmp_path: Path, template: str, **resources: Any) -> Any:
    src = tmp_path / "x"
    src.write_text("x")
    return submit_files(client, "command", [src], {"template": template},
                        resources=resources)


def test_a_job_that_prints_100_mb_is_capped_and_finishes(centre: Hub, as_user: Any,
                                                         tmp_path: Path) -> None:
    client = as_user("demo.engineer")
    job = _command(client, tmp_path, "shout")
    done = run_worker_until(centre, client, job.id, timeout=120)
    assert done.state == "succeeded", done.reason
    ws = farm_for(centre).root / f"job-{job.id:08d}"
    size = (ws / "stdout.log").stat().st_size
    assert size < 100_000_000 and size <= farm_for(centre).config.limits.job.output + 4096
    chunk = client.call("jobs.log", job_id=job.id, offset=size - 200, max_bytes=1000)
    assert chunk.eof


def test_an_infinite_loop_is_killed_at_the_time_limit(centre: Hub, as_user: Any,
                                                      tmp_path: Path) -> None:
    client = as_user("demo.engineer")
    job = _command(client, tmp_path, "spin", wall_time=3)
    done = run_worker_until(centre, client, job.id, timeout=60)
    assert (done.state, done.outcome) == ("failed", "time_limit")
    assert "time limit" in done.reason or "ran out of" in done.reason


def test_a_fork_bomb_is_contained(centre: Hub, as_user: Any, tmp_path: Path) -> None:
    client = as_user("demo.engineer")
    job = _command(client, tmp_path, "fork-bomb", wall_time=5)
    done = run_worker_until(centre, client, job.id, timeout=90)
    assert done.state == "failed" and done.outcome in ("time_limit", "runtime_error")
    assert _sandbox_processes() == 0, "processes of the bomb outlived the job"
    # the farm carries on: the next job runs normally
    ok = submit_files(client, "command", [FIXTURES / "farm" / "test_commands.yaml"],
                      {"template": "hello", "file": "test_commands.yaml"})
    assert run_worker_until(centre, client, ok.id).state == "succeeded"


def test_per_user_job_limits(centre: Hub, as_user: Any, tmp_path: Path) -> None:
    farm_yaml = tmp_path / "farm.yaml"
    farm_yaml.write_text(f"scheduler: {{type: local}}\nworkspace: {{root: {tmp_path / 'farm'}}}\n"
                         "limits: {user: {concurrent_jobs: 1, jobs_per_day: 5}}\n")
    centre.settings["farm_config"] = str(farm_yaml)
    from hub.farm import forget_farm

    forget_farm(centre)
    client = as_user("demo.engineer")
    src = tmp_path / "x"
    src.write_text("x")
    first = submit_files(client, "command", [src], {"template": "sleep", "seconds": 30})
    with pytest.raises(LimitExceeded, match="1 at once"):
        submit_files(client, "command", [src], {"template": "sleep", "seconds": 1})
    client.call("jobs.cancel", job_id=first.id)
