"""Farm commands.

``chipcommons``: ``job submit BACKEND FILE… [--param K=V]…``, ``job list``, ``job show ID``,
``job cancel ID``, ``job logs ID [--follow]``, ``job fetch ID [--out DIR]``, ``job backends``.

``chipcommons-hub``: ``pim run CONFIG [--json]`` (the PIM simulator, in-process).

:func:`upload_file` and :func:`submit_files` are the client side of the chunked upload (the GUI
uses them too): sha256 declared up front, chunks at explicit offsets, resumed from what the hub
has after a dropped connection.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from core.errors import ChipError, InvalidInput
from hub.cli import admin, client
from hub.cli.output import emit
from hub.clients.base import HubClient

SubParsers = argparse._SubParsersAction  # type: ignore[type-arg]
CHUNK = 1 << 20
JOB_COLUMNS = ["id", "name", "user", "backend", "state", "outcome", "score", "attempts",
               "created_at", "ended_at", "reason"]
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip")


def file_sha256(path: Path) -> str:
    """The file's sha256 in hex, as ``jobs.upload_begin`` declares it."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def upload_file(hub: HubClient, job_id: int, path: Path, name: str | None = None, *,
                unpack: bool = False, chunk: int = CHUNK,
                progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Upload one local file as the job's input ``name`` (default: its file name). Symlinks,
    devices and FIFOs are refused here already; the hub checks again."""
    path = Path(path)
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise InvalidInput(f"{path} is a symbolic link; refused", name=str(path))
    if not stat.S_ISREG(st.st_mode):
        raise InvalidInput(f"{path} is not a regular file; refused", name=str(path))
    size = st.st_size
    up = hub.call("jobs.upload_begin", job_id=job_id, name=name or path.name, size=size,
                  sha256=file_sha256(path))
    offset = up.received
    with path.open("rb") as fh:
        while offset < size:
            fh.seek(offset)
            data = fh.read(chunk)
            try:
                state = hub.call("jobs.upload_chunk", job_id=job_id, upload_id=up.upload_id,
                                 offset=offset, data=base64.b64encode(data).decode())
            except ChipError as exc:
                if exc.code != "conflict":
                    raise
                state = hub.call("jobs.upload_status", job_id=job_id, upload_id=up.upload_id)
            offset = state.received
            if progress is not None:
                progress(offset, size)
    names: list[str] = hub.call("jobs.upload_finish", job_id=job_id, upload_id=up.upload_id,
                                unpack=unpack)
    return names


def parse_param(text: str) -> tuple[str, Any]:
    """``K=V``: V is JSON when it parses as JSON (numbers, true, lists), else a string."""
    if "=" not in text:
        raise InvalidInput(f"--param needs K=V, got {text!r}")
    key, value = text.split("=", 1)
    try:
        return key.strip(), json.loads(value)
    except ValueError:
        return key.strip(), value


def submit_files(hub: HubClient, backend: str, files: Sequence[Path], params: dict[str, Any],
                 *, resources: dict[str, Any] | None = None, name: str = "",
                 unpack: bool = True) -> Any:
    """Create a job, upload its files (archives unpacked), submit it; return the JobInfo."""
    job = hub.call("jobs.create", backend=backend, params=params, resources=resources or {},
                   name=name)
    for f in files:
        is_archive = str(f).lower().endswith(ARCHIVE_SUFFIXES)
        upload_file(hub, job.id, Path(f), unpack=unpack and is_archive)
    return hub.call("jobs.submit", job_id=job.id)


def verb_submit(hub: HubClient, args: argparse.Namespace) -> int:
    params = dict(parse_param(p) for p in args.param or [])
    resources = {k: v for k, v in (("wall_time", args.wall_time), ("memory", args.memory),
                                   ("cpus", args.cpus)) if v is not None}
    job = submit_files(hub, args.backend, [Path(f) for f in args.files], params,
                       resources=resources, name=args.name or "", unpack=not args.no_unpack)
    emit(job, as_json=args.json, columns=JOB_COLUMNS)
    if args.wait:
        return _follow(hub, job.id, quiet=args.json)
    return 0


def verb_list(hub: HubClient, args: argparse.Namespace) -> int:
    emit(hub.call("jobs.list", everyone=args.all, states=args.state or None, limit=args.limit),
         as_json=args.json, columns=JOB_COLUMNS)
    return 0


def verb_show(hub: HubClient, args: argparse.Namespace) -> int:
    job = hub.call("jobs.show", job_id=args.job_id)
    if args.json:
        emit(job, as_json=True)
        return 0
    emit(job, as_json=False, columns=JOB_COLUMNS)
    for event in job.events:
        print(f"  {event.at:%Y-%m-%d %H:%M:%S}  {event.state:<10} {event.message}")
    return 0


def verb_cancel(hub: HubClient, args: argparse.Namespace) -> int:
    emit(hub.call("jobs.cancel", job_id=args.job_id), as_json=args.json, columns=JOB_COLUMNS)
    return 0


def _follow(hub: HubClient, job_id: int, *, stream: str = "stdout", follow: bool = True,
            quiet: bool = False, interval: float = 0.5) -> int:
    offset = 0
    out = sys.stdout
    while True:
        chunk = hub.call("jobs.log", job_id=job_id, stream=stream, offset=offset)
        if chunk.text and not quiet:
            out.write(chunk.text)
            out.flush()
        offset = chunk.next_offset
        if chunk.eof or not follow:
            break
        if not chunk.text:
            time.sleep(interval)
    if not follow:
        return 0
    job = hub.call("jobs.show", job_id=job_id)
    return 0 if job.state == "succeeded" else 1


def verb_logs(hub: HubClient, args: argparse.Namespace) -> int:
    return _follow(hub, args.job_id, stream=args.stream, follow=args.follow)


def fetch(hub: HubClient, job_id: int, dest: Path) -> list[Path]:
    """Download results.json, run.json and every artefact of a job into ``dest``."""
    results = hub.call("jobs.results", job_id=job_id)
    written = []
    for name in ("results.json", "run.json", *results.result.artefacts):
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        offset = 0
        with target.open("wb") as fh:
            while True:
                part = hub.call("jobs.artefact", job_id=job_id, name=name, offset=offset)
                data = base64.b64decode(part.data)
                fh.write(data)
                offset += len(data)
                if part.eof or not data:
                    break
        written.append(target)
    return written


def verb_fetch(hub: HubClient, args: argparse.Namespace) -> int:
    dest = Path(args.out or f"job-{args.job_id}")
    files = fetch(hub, args.job_id, dest)
    emit([{"file": str(p), "bytes": p.stat().st_size} for p in files], as_json=args.json,
         columns=["file", "bytes"])
    return 0


def verb_backends(hub: HubClient, args: argparse.Namespace) -> int:
    rows = hub.call("jobs.backends")
    if args.json:
        emit(rows, as_json=True)
    else:
        emit([{"name": b.name, "title": b.title, "features": b.features,
               "templates": list(b.templates)} for b in rows], as_json=False,
             columns=["name", "title", "features", "templates"])
    return 0


def extend_client(sub: SubParsers, add: client.Adder) -> None:
    job = sub.add_parser("job", help="farm jobs: submit, list, show, cancel, logs, fetch")
    jsub = job.add_subparsers(dest="job_verb", required=True)
    p = add("submit", verb_submit, "submit a job: backend, input files, parameters", jsub)
    p.add_argument("backend")
    p.add_argument("files", nargs="+", help="input files (archives are unpacked)")
    p.add_argument("--param", action="append", metavar="K=V", help="a backend parameter")
    p.add_argument("--name")
    p.add_argument("--wall-time", type=float, help="seconds")
    p.add_argument("--memory", type=int, help="bytes")
    p.add_argument("--cpus", type=int)
    p.add_argument("--no-unpack", action="store_true", help="keep archives as they are")
    p.add_argument("--wait", action="store_true", help="follow the log until the job ends")
    p = add("list", verb_list, "your jobs (or --all)", jsub)
    p.add_argument("--all", action="store_true", help="everyone's (admins, instructors)")
    p.add_argument("--state", action="append")
    p.add_argument("--limit", type=int, default=200)
    for name, handler, text in (("show", verb_show, "a job and its history"),
                                ("cancel", verb_cancel, "cancel a job")):
        p = add(name, handler, text, jsub)
        p.add_argument("job_id", type=int)
    p = add("logs", verb_logs, "a job's log (--follow while it runs)", jsub)
    p.add_argument("job_id", type=int)
    p.add_argument("--stream", choices=["stdout", "stderr"], default="stdout")
    p.add_argument("--follow", "-f", action="store_true")
    p = add("fetch", verb_fetch, "download a job's results and artefacts", jsub)
    p.add_argument("job_id", type=int)
    p.add_argument("--out", help="folder (default: job-ID)")
    add("backends", verb_backends, "the farm's backends and their parameters", jsub)


def cmd_pim(args: argparse.Namespace) -> int:
    from remote.pim import cli_main

    argv = ["run", args.config] + (["--json"] if args.json else [])
    return cli_main(argv)


def extend_admin(sub: SubParsers, add: Callable[..., argparse.ArgumentParser]) -> None:
    pim = sub.add_parser("pim", help="the PIM simulator")
    psub = pim.add_subparsers(dest="pim_command", required=True)
    p = add("run", cmd_pim, "run PIM workloads from a run file (YAML)", psub)
    p.add_argument("config")


admin.EXTENSIONS.append(extend_admin)
client.EXTENSIONS.append(extend_client)
