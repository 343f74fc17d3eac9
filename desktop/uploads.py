"""Sending a job: a draft, its input files (the CLI's resumable, checksummed upload), then
submit — blocking, so it runs on the runner's pool. The draft and the submission each carry one
request id for all their retries, so a dropped connection never makes two jobs or two
submissions; chunks are placed by offset and an interrupted upload resumes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.errors import LimitExceeded
from desktop.schema_form import MAX_FILE_BYTES
from hub.cli.jobs import upload_file
from hub.clients.base import HubClient

Progress = Callable[[str, int, int], None]


def send_job(client: HubClient, backend: str, params: dict[str, Any], files: dict[str, Path],
             *, name: str = "", progress: Progress | None = None) -> Any:
    """Create, upload and submit; returns the submitted job's JobInfo."""
    for upload_name, path in files.items():  # the form refuses first; this guards callers
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LimitExceeded(f"{upload_name}: {size} bytes exceeds the per-file limit of "
                                f"{MAX_FILE_BYTES} bytes", name=upload_name, size=size)
    create_id, submit_id = uuid.uuid4().hex, uuid.uuid4().hex
    job = client.call("jobs.create", request_id=create_id, backend=backend, params=params,
                      name=name)
    for upload_name, path in files.items():
        report = None if progress is None else (
            lambda done, total, n=upload_name: progress(n, done, total))
        upload_file(client, job.id, path, upload_name, progress=report)
    return client.call("jobs.submit", request_id=submit_id, job_id=job.id)
