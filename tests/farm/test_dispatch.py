"""The farm's dispatcher: ``jobs.submit`` answers once the job is accepted (sealed, checked,
committed); the dispatcher then hands it to the scheduler outside any transaction, exactly
once — and a job cancelled before that, or accepted by a process that died, is handled."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from threading import Thread
from typing import Any

from sqlalchemy import func, select

from core.db import transaction
from hub import farm as farmops
from hub import worker
from hub.api import Hub
from hub.cli.jobs import upload_file
from hub.clients.local import LocalHub
from remote.jobs import service
from remote.jobs.models import FarmJob, FarmJobEvent
from remote.workspace import Workspace

HELLO = {"template": "hello", "file": "top.v"}


def _draft(client: Any, src: Path) -> int:
    job = client.call("jobs.create", backend="command", params=HELLO)
    upload_file(client, job.id, src)
    return int(job.id)


def _source(tmp_path: Path) -> Path:
    src = tmp_path / "top.v"
    src.write_text("module top; endmodule\n")
    return src


def _accept_without_hand_off(hub: Hub, job_id: int) -> None:
    """What a ``serve`` process killed right after its commit leaves: an accepted job that no
    dispatcher was woken for."""
    farm = farmops.farm_for(hub)
    now = hub.clock()
    with transaction(hub.sessions) as session:
        job = service.get_job(session, job_id)
        farmops.submit(session, farm, job, now, worker.notifier(session, now),
                       hand_off_now=False)
        assert (job.state, job.reason) == ("queued", farmops.ACCEPTED)


def _queued_events(hub: Hub, job_id: int) -> list[str]:
    with transaction(hub.sessions, write=False) as session:
        return list(session.scalars(select(FarmJobEvent.message).where(
            FarmJobEvent.job_id == job_id, FarmJobEvent.state == "queued")
            .order_by(FarmJobEvent.id)))


def test_submit_answers_when_accepted_and_the_dispatcher_hands_it_over(
        centre_any_db: Hub, tmp_path: Path) -> None:
    hub = centre_any_db
    client = LocalHub(hub, "demo.engineer")
    try:
        job = client.call("jobs.submit", job_id=_draft(client, _source(tmp_path)))
        assert (job.state, job.sched_id, job.reason) == ("queued", None, farmops.ACCEPTED)
        assert farmops.dispatcher_for(hub).wait([job.id], timeout=60)
        shown = client.call("jobs.show", job_id=job.id)
        assert shown.scheduler == "local" and shown.sched_id
        assert _queued_events(hub, job.id) == [farmops.ACCEPTED,
                                               "queued on the local scheduler"]
        client.call("jobs.cancel", job_id=job.id)
    finally:
        client.close()


def test_a_burst_is_handed_over_exactly_once(centre_any_db: Hub, tmp_path: Path) -> None:
    hub = centre_any_db
    src = _source(tmp_path)
    logins = ["demo.engineer", "demo.student", "demo.trainee"]
    clients = [LocalHub(hub, login) for login in logins]
    drafts = [[_draft(c, src) for _ in range(3)] for c in clients]
    answers: list[Any] = []

    def submit(client: LocalHub, ids: list[int]) -> None:
        answers.extend(client.call("jobs.submit", job_id=i) for i in ids)

    try:
        threads = [Thread(target=submit, args=pair)
                   for pair in zip(clients, drafts, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        ids = [i for batch in drafts for i in batch]
        assert sorted(a.id for a in answers) == sorted(ids)
        assert {a.state for a in answers} == {"queued"}
        assert farmops.dispatcher_for(hub).wait(ids, timeout=90)
        for job_id in ids:
            assert _queued_events(hub, job_id) == [farmops.ACCEPTED,
                                                   "queued on the local scheduler"]
        with transaction(hub.sessions, write=False) as session:
            assert session.scalar(select(func.count()).select_from(
                select(FarmJob.sched_id).where(FarmJob.id.in_(ids))
                .distinct().subquery())) == len(ids)
        for client, batch in zip(clients, drafts, strict=True):
            for job_id in batch:
                client.call("jobs.cancel", job_id=job_id)
    finally:
        for c in clients:
            c.close()


def test_a_job_cancelled_before_its_hand_off_never_reaches_the_scheduler(
        centre: Hub, tmp_path: Path) -> None:
    client = LocalHub(centre, "demo.engineer")
    try:
        job_id = _draft(client, _source(tmp_path))
        _accept_without_hand_off(centre, job_id)
        shown = client.call("jobs.show", job_id=job_id)
        assert (shown.state, shown.sched_id, shown.reason) == ("queued", None,
                                                                farmops.ACCEPTED)
        assert client.call("jobs.cancel", job_id=job_id).state == "cancelled"
        assert farmops.hand_off(centre, [job_id]) == 0
        ws = Workspace.at(farmops.farm_for(centre).root, service.workspace_name(job_id))
        assert ws.is_sealed() and not ws.job_file.exists()  # never prepared for a scheduler
        assert client.call("jobs.show", job_id=job_id).sched_id is None
    finally:
        client.close()


def test_the_worker_hands_off_a_job_whose_process_died(centre: Hub, tmp_path: Path) -> None:
    client = LocalHub(centre, "demo.engineer")
    try:
        job_id = _draft(client, _source(tmp_path))
        _accept_without_hand_off(centre, job_id)
        worker.tick(centre)  # within the grace: its own process may still be handing it off
        assert client.call("jobs.show", job_id=job_id).sched_id is None
        later = centre.clock() + timedelta(seconds=farmops.HANDOFF_GRACE_SECONDS + 1)
        worker.tick(centre, later)
        shown = client.call("jobs.show", job_id=job_id)
        assert shown.sched_id and shown.scheduler == "local"
        assert _queued_events(centre, job_id) == [farmops.ACCEPTED,
                                                  "queued on the local scheduler"]
        client.call("jobs.cancel", job_id=job_id)
    finally:
        client.close()
