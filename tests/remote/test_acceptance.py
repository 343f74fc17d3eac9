"""A submission started before the hub's commit: its wrapper runs the job only once the hub's
acceptance marker for that very submission (token) is in the workspace, and otherwise ends
having run nothing, saying so."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from core.errors import InvalidInput
from remote.sandbox import NOT_ACCEPTED, RunOutcome, main, read_status, run_job_plain
from remote.schedulers.base import JobSpec, wrapper_args, wrapper_script
from remote.workspace import Workspace, expect_acceptance, mark_accepted
from tests.remote.conftest import MakeJob

WRITE = ["sh", "-c", "echo ran > $CHIPCOMMONS_OUT/ran"]


def test_without_its_marker_the_wrapper_runs_nothing(make_job: MakeJob) -> None:
    ws = make_job("acc-none", WRITE)
    token = expect_acceptance(ws)
    other = expect_acceptance(ws)  # another submission's marker does not count
    mark_accepted(ws, other)
    t0 = time.monotonic()
    status = run_job_plain(ws, token, 0.3)
    assert time.monotonic() - t0 < 5
    assert status["outcome"] == RunOutcome.INFRASTRUCTURE_ERROR.value
    assert NOT_ACCEPTED in str(status["message"])
    assert not (ws.out / "ran").exists()
    final = read_status(ws)
    assert final is not None and final.outcome is RunOutcome.INFRASTRUCTURE_ERROR


def test_the_marker_written_while_it_waits_lets_it_run(make_job: MakeJob) -> None:
    ws = make_job("acc-late", WRITE)
    token = expect_acceptance(ws)
    later = threading.Timer(0.3, mark_accepted, args=(ws,))  # the token from accept.token
    later.start()
    try:
        status = run_job_plain(ws, token, 30)
    finally:
        later.join()
    assert status["outcome"] == RunOutcome.SUCCESS.value, status["message"]
    assert (ws.out / "ran").read_text() == "ran\n"


def test_a_cancel_while_waiting_ends_it_as_cancelled(make_job: MakeJob) -> None:
    ws = make_job("acc-cancel", WRITE)
    token = expect_acceptance(ws)
    ws.cancel_file.write_text("cancelled\n")
    status = run_job_plain(ws, token, 30)
    assert status["outcome"] == RunOutcome.CANCELLED.value
    assert not (ws.out / "ran").exists()


def test_the_batch_script_passes_the_token(make_job: MakeJob) -> None:
    ws = make_job("acc-args", WRITE)
    spec = JobSpec(ws, tuple(WRITE), accept_token="0123456789abcdef", accept_wait=7)
    assert wrapper_args(spec) == ["--accept-token", "0123456789abcdef", "--accept-wait", "7"]
    assert wrapper_args(JobSpec(ws, tuple(WRITE))) == []
    assert wrapper_script(ws, "/usr/bin/python3").rstrip().endswith('"$@"')


@pytest.mark.parametrize("args", [
    ["run"], ["run", "/x", "--accept-token"], ["run", "/x", "--accept-token", "ab", "--x", "1"],
    ["run", "/x", "--accept-token", "abcdef0123", "--accept-wait", "soon"],
])
def test_malformed_wrapper_arguments_are_refused(args: list[str]) -> None:
    assert main(args) == 2


def test_a_malformed_token_is_refused(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, "acc-bad")
    with pytest.raises(InvalidInput):
        ws.accepted_marker("../escape")
    ws.accept_token_file.write_text("not a token\n")
    assert mark_accepted(ws) is False
    assert mark_accepted(Workspace.create(tmp_path, "acc-none")) is False
