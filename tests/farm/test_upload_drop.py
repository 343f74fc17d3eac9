"""The SSH connection dropping during a chunked upload, over the real sshd: the upload resumes
where the hub says it stopped (and the sha256 of the whole file is checked), or it is
abandoned — and a job never runs with a partial input."""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from core.errors import ChipError
from hub.centre import open_hub
from hub.farm import farm_for
from tests.conftest import Connector, SshCentre
from tests.farm.conftest import configure, run_worker_until

CHUNK = 512
NAME = "mac8.tar.gz"


def _process_parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parents[int(entry)] = int(stat[stat.rindex(")") + 2:].split()[1])
    return parents


def _ancestry(pid: int, parents: dict[int, int], stop: int) -> list[int]:
    """``pid`` and its ancestors below ``stop`` (empty if ``stop`` is not an ancestor)."""
    chain = []
    while pid > 1:
        chain.append(pid)
        pid = parents.get(pid, 0)
        if pid == stop:
            return chain
    return []


def _serve_processes(listener: int, parents: dict[int, int]) -> list[list[int]]:
    """Each ``chipcommons-hub … serve`` process under this test's sshd (no one else's), with
    its ancestors up to the listener: [serve, …, the connection's sshd]."""
    found = []
    for pid in parents:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(b"chipcommons-hub") for a in argv) and b"serve" in argv:
            chain = _ancestry(pid, parents, listener)
            if chain:
                found.append(chain)
    return found


def _drop(centre: SshCentre, client: Any, *, what: str) -> None:
    """Drop ``client``'s connection: kill the hub process serving it (``what="serve"``) or the
    SSH connection itself, i.e. its sshd process (``what="connection"``), like a network
    failure; then wait until the client has noticed."""
    chains = _serve_processes(centre.sshd.process.pid, _process_parents())
    assert chains, "no chipcommons-hub serve process found under the test sshd"
    for chain in chains:
        os.kill(chain[0] if what == "serve" else chain[-1], signal.SIGKILL)
    deadline = time.monotonic() + 20
    while client.connected:
        assert time.monotonic() < deadline, "the client did not notice the dropped connection"
        time.sleep(0.05)


def _send(client: Any, job_id: int, upload_id: str, data: bytes, start: int,
          stop: int) -> Any:
    state = None
    for offset in range(start, stop, CHUNK):
        state = client.call("jobs.upload_chunk", job_id=job_id, upload_id=upload_id,
                            offset=offset,
                            data=base64.b64encode(data[offset:offset + CHUNK]).decode())
    return state


def _refused(code: str, client: Any, method: str, **params: Any) -> ChipError:
    with pytest.raises(ChipError) as info:
        client.call(method, **params)
    assert info.value.code == code, info.value
    return info.value


@pytest.fixture
def over_ssh(ssh_centre_sqlite: SshCentre, uid_lock_dir: Path) -> Any:
    connector = Connector("ssh", ssh_centre_sqlite)
    hub = configure(open_hub(ssh_centre_sqlite.url), uid_lock_dir)
    try:
        yield connector, hub
    finally:
        connector.close()


def test_upload_resumes_after_the_server_side_is_killed(
        over_ssh: Any, ssh_centre_sqlite: SshCentre, mac8_tarball: Path,
        mac8_params: dict[str, Any]) -> None:
    connector, hub = over_ssh
    data = mac8_tarball.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert len(data) > 3 * CHUNK
    first = connector("demo.trainee")
    job = first.call("jobs.create", backend="rtl-sim", params=mac8_params, name="drop, resume")
    up = first.call("jobs.upload_begin", job_id=job.id, name=NAME, size=len(data),
                    sha256=digest)
    cut = 2 * CHUNK
    assert _send(first, job.id, up.upload_id, data, 0, cut).received == cut
    _drop(ssh_centre_sqlite, first, what="serve")

    # A new connection (the upload id may be lost with the old client): declaring the same
    # file again finds the unfinished upload and says where it stopped.
    second = connector("demo.trainee")
    again = second.call("jobs.upload_begin", job_id=job.id, name=NAME, size=len(data),
                        sha256=digest)
    assert (again.upload_id, again.received, again.complete) == (up.upload_id, cut, False)
    assert [u.upload_id for u in second.call("jobs.uploads", job_id=job.id)] == [up.upload_id]
    _refused("conflict", second, "jobs.upload_finish", job_id=job.id,
             upload_id=up.upload_id)  # half a file is never kept
    _refused("conflict", second, "jobs.submit", job_id=job.id)

    # a chunk at the wrong offset is refused, the resumed one from ``received`` is taken
    _refused("conflict", second, "jobs.upload_chunk", job_id=job.id,
             upload_id=up.upload_id, offset=cut + CHUNK,
             data=base64.b64encode(data[cut + CHUNK:cut + 2 * CHUNK]).decode())
    done = _send(second, job.id, up.upload_id, data, again.received, len(data))
    assert done.complete and done.received == len(data)
    names = second.call("jobs.upload_finish", job_id=job.id, upload_id=up.upload_id,
                        unpack=True)
    assert sorted(names) == ["design/mac8.v", "reference/mac8_ref.v", "tb/mac8_tb.v"]
    assert second.call("jobs.uploads", job_id=job.id) == []
    second.call("jobs.submit", job_id=job.id)
    ended = run_worker_until(hub, second, job.id)
    assert ended.state == "succeeded", ended.reason
    assert second.call("jobs.results", job_id=job.id).result.results.score == 10.0


def test_abandoned_upload_never_runs_and_is_cleaned_up(
        over_ssh: Any, ssh_centre_sqlite: SshCentre, mac8_tarball: Path,
        mac8_params: dict[str, Any]) -> None:
    connector, hub = over_ssh
    data = mac8_tarball.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    first = connector("demo.trainee")
    job = first.call("jobs.create", backend="rtl-sim", params=mac8_params, name="abandoned")
    up = first.call("jobs.upload_begin", job_id=job.id, name=NAME, size=len(data),
                    sha256=digest)
    _send(first, job.id, up.upload_id, data, 0, 2 * CHUNK)
    # the SSH connection goes away under the client, like a network failure
    _drop(ssh_centre_sqlite, first, what="connection")

    second = connector("demo.trainee")
    ws = farm_for(hub).root / f"job-{job.id:08d}"
    # submitting with the upload unfinished is refused; nothing is sealed, staged or run
    _refused("conflict", second, "jobs.submit", job_id=job.id)
    assert second.call("jobs.show", job_id=job.id).state == "draft"
    assert not (ws / "STAGED").exists() and not (ws / "job.json").exists()

    # resuming with other bytes than the declared file: the sha256 check discards it all
    pending = second.call("jobs.uploads", job_id=job.id)
    assert [(u.upload_id, u.received) for u in pending] == [(up.upload_id, 2 * CHUNK)]
    forged = data[:2 * CHUNK] + bytes(len(data) - 2 * CHUNK)
    _send(second, job.id, up.upload_id, forged, 2 * CHUNK, len(data))
    _refused("invalid_input", second, "jobs.upload_finish", job_id=job.id,
             upload_id=up.upload_id)
    assert second.call("jobs.uploads", job_id=job.id) == []
    assert not list((ws / "inputs").iterdir())

    # an upload abandoned for good: listed after the drop, discarded on request
    up2 = second.call("jobs.upload_begin", job_id=job.id, name=NAME, size=len(data),
                      sha256=digest)
    assert up2.upload_id != up.upload_id and up2.received == 0
    _send(second, job.id, up2.upload_id, data, 0, CHUNK)
    _drop(ssh_centre_sqlite, second, what="serve")
    third = connector("demo.trainee")
    assert third.call("jobs.upload_abort", job_id=job.id, upload_id=up2.upload_id) == []
    assert not [p for p in (ws / ".staging").iterdir()]
    _refused("not_found", third, "jobs.upload_chunk", job_id=job.id,
             upload_id=up2.upload_id, offset=CHUNK,
             data=base64.b64encode(data[CHUNK:2 * CHUNK]).decode())
    # with no inputs at all the backend refuses the job; it never reaches the scheduler
    with pytest.raises(ChipError):
        third.call("jobs.submit", job_id=job.id)
    shown = third.call("jobs.show", job_id=job.id)
    assert shown.state == "draft" and not shown.sched_id
    assert not (ws / "STAGED").exists() and not (ws / "status.json").exists()
