"""Sending a job: a draft, its input files (chunked, checksummed), then submit — blocking, so it
runs on the runner's pool.

The draft, each file's finish and the submission carry one request id for all their retries, so
a dropped connection never makes two jobs, two files or two submissions. When the connection
drops mid-way the sender reports it (``waiting``), waits — the connection manager reconnects by
itself and the sender picks up the new client — and declares the same file again: the centre
answers with the unfinished upload and how much of it it ``received``, and sending goes on from
there, so nothing the centre has is sent twice. The job is submitted only after every file is
finished (the centre also refuses a job with an unfinished upload). Stopping (``stopped``)
ends the sender between calls with :class:`SendCancelled`, carrying the draft's id so the
caller can discard its unfinished uploads (:func:`abort_unfinished`).
"""

from __future__ import annotations

import base64
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from core.errors import ChipError, LimitExceeded
from desktop.schema_form import MAX_FILE_BYTES
from desktop.tasks import is_retryable
from hub.cli.jobs import file_sha256
from hub.clients.base import HubClient

#: bytes per chunk (the centre's upper bound is larger)
CHUNK = 1 << 20
#: seconds between attempts while the centre cannot be reached (the last one repeats)
WAIT_STEPS = (0.5, 1.0, 2.0, 4.0)

Progress = Callable[[str, int, int], None]
T = TypeVar("T")


class SendCancelled(ChipError):
    """The user stopped sending; ``job_id`` is the draft (None if it was not made yet)."""

    code = "cancelled"

    def __init__(self, job_id: int | None) -> None:
        super().__init__("sending the job was stopped", job_id=job_id)
        self.job_id = job_id


@dataclass
class SendControl:
    """How a send talks to its caller, from the worker thread: where the client is now (it
    changes on reconnect), what to report, and the stop flag."""

    client: Callable[[], HubClient | None]
    progress: Progress | None = None
    #: the connection dropped: the error, and the input being sent ("" before/after the files)
    waiting: Callable[[Exception, str], None] | None = None
    #: the connection is back after a ``waiting``
    resumed: Callable[[], None] | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    #: also stops the send (e.g. the application is closing)
    closing: Callable[[], bool] = lambda: False
    chunk: int = CHUNK

    def stopped(self) -> bool:
        return self.stop.is_set() or self.closing()


class _Sender:
    def __init__(self, control: SendControl) -> None:
        self.control = control
        self.job_id: int | None = None
        self.current = ""

    def _check(self) -> None:
        if self.control.stopped():
            raise SendCancelled(self.job_id)

    def attempt(self, step: Callable[[HubClient], T]) -> T:
        """Run ``step`` until it is answered; a lost connection is reported, waited out and
        tried again; any other error is raised."""
        waits = 0
        while True:
            self._check()
            client = self.control.client()
            try:
                if client is None:
                    raise ConnectionError("not connected")
                result = step(client)
            except (ChipError, ConnectionError) as exc:
                if isinstance(exc, ChipError) and not is_retryable(exc):
                    raise
                if waits == 0 and self.control.waiting is not None:
                    self.control.waiting(exc, self.current)
                delay = WAIT_STEPS[min(waits, len(WAIT_STEPS) - 1)]
                waits += 1
                if self.control.stop.wait(delay) or self.control.closing():
                    raise SendCancelled(self.job_id) from exc
                continue
            if waits and self.control.resumed is not None:
                self.control.resumed()
            return result

    def upload(self, upload_name: str, path: Path) -> None:
        """One file: declared (resumed where the centre stands after every drop), sent from
        the centre's ``received``, finished once."""
        self.current = upload_name
        job_id, size, digest = self.job_id, path.stat().st_size, file_sha256(path)
        finish_id = uuid.uuid4().hex
        with path.open("rb") as fh:
            while True:
                # no fixed request id: declaring the same file again answers the unfinished
                # upload as the centre has it now (a replayed first answer would say 0)
                up = self.attempt(lambda c: c.call("jobs.upload_begin", job_id=job_id,
                                                   name=upload_name, size=size,
                                                   sha256=digest))
                if self._send_from(fh, up, size):
                    break
        upload_id = up.upload_id
        self.attempt(lambda c: c.call("jobs.upload_finish", request_id=finish_id,
                                      job_id=job_id, upload_id=upload_id))
        self.current = ""

    def _send_from(self, fh: Any, up: Any, size: int) -> bool:
        """Send the rest of ``up``; False when the connection dropped (declare again)."""
        offset = up.received
        self._report(offset, size)
        while offset < size:
            self._check()
            fh.seek(offset)
            data = base64.b64encode(fh.read(self.control.chunk)).decode()
            client = self.control.client()
            try:
                if client is None:
                    raise ConnectionError("not connected")
                try:
                    state = client.call("jobs.upload_chunk", job_id=self.job_id,
                                        upload_id=up.upload_id, offset=offset, data=data)
                except ChipError as exc:
                    if exc.code != "conflict":
                        raise
                    state = client.call("jobs.upload_status", job_id=self.job_id,
                                        upload_id=up.upload_id)
            except (ChipError, ConnectionError) as exc:
                if isinstance(exc, ChipError) and not is_retryable(exc):
                    raise
                # report, then wait for the connection through the next declaration
                if self.control.waiting is not None:
                    self.control.waiting(exc, self.current)
                if self.control.stop.wait(WAIT_STEPS[0]) or self.control.closing():
                    raise SendCancelled(self.job_id) from exc
                return False
            offset = state.received
            self._report(offset, size)
        return True

    def _report(self, done: int, total: int) -> None:
        if self.control.progress is not None:
            self.control.progress(self.current, done, total)


def send_job(backend: str, params: dict[str, Any], files: dict[str, Path],
             control: SendControl, *, name: str = "") -> Any:
    """Create, upload and submit; returns the submitted job's JobInfo. Raises
    :class:`SendCancelled` when stopped (the draft stays, its uploads unfinished)."""
    for upload_name, path in files.items():  # the form refuses first; this guards callers
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LimitExceeded(f"{upload_name}: {size} bytes exceeds the per-file limit of "
                                f"{MAX_FILE_BYTES} bytes", name=upload_name, size=size)
    sender = _Sender(control)
    create_id, submit_id = uuid.uuid4().hex, uuid.uuid4().hex
    job = sender.attempt(lambda c: c.call("jobs.create", request_id=create_id, backend=backend,
                                          params=params, name=name))
    sender.job_id = job.id
    for upload_name, path in files.items():
        sender.upload(upload_name, path)
    sender._check()  # stopped after the last file: the job is not submitted
    return sender.attempt(lambda c: c.call("jobs.submit", request_id=submit_id,
                                           job_id=job.id))


def abort_unfinished(client: HubClient, job_id: int) -> int:
    """Discard the draft's unfinished uploads (blocking); returns how many were discarded."""
    pending = client.call("jobs.uploads", job_id=job_id)
    for up in pending:
        client.call("jobs.upload_abort", job_id=job_id, upload_id=up.upload_id)
    return len(pending)
