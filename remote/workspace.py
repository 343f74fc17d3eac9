"""Job workspaces and path-safe staging of inputs.

A job's workspace is ``<root>/<job_id>/``::

    inputs/        what the user uploaded (read-only inside the sandbox)
    work/          the job's working directory (writable inside the sandbox)
    out/           results the job leaves behind (writable inside the sandbox)
    stdout.log     written by the wrapper outside the sandbox (capped)
    stderr.log
    job.json       what to run and under which limits (written at submit)
    status.json    the final state, written by the wrapper when the job ends
    .staging/      partial uploads (``<upload_id>.part`` + ``<upload_id>.json``)
    STAGED         written by :func:`seal` once every input is complete; no job runs without it

Uploads arrive in chunks at explicit offsets, so a dropped connection resumes where the last
chunk ended. The declared size is checked against the limits before a byte is accepted, and the
sha256 of the whole file is checked before it moves into ``inputs/``. Names are refused when
absolute, containing ``..``, empty or odd; sources that are symlinks, devices or FIFOs are
refused; archives are unpacked only when every member is a plain file or directory with a safe
name and the total stays under the limits.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import tarfile
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from core.errors import Conflict, InvalidInput, LimitExceeded, NotFound

JOB_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
UPLOAD_ID_RE = re.compile(r"^[0-9a-f]{32}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
ACCEPT_TOKEN_RE = re.compile(r"[0-9a-f]{8,64}")
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 1024
COPY_CHUNK = 1 << 20

Stream = Literal["stdout", "stderr"]


@dataclass(frozen=True)
class StagingLimits:
    """Upload limits for one job. ``max_total_bytes`` bounds inputs/ as a whole."""

    max_file_bytes: int = 256 << 20
    max_total_bytes: int = 1 << 30
    max_files: int = 10_000
    max_chunk_bytes: int = 16 << 20


@dataclass(frozen=True)
class Workspace:
    """The paths of one job's workspace (nothing is created until :meth:`create`)."""

    path: Path

    @property
    def job_id(self) -> str:
        return self.path.name

    @property
    def inputs(self) -> Path:
        return self.path / "inputs"

    @property
    def work(self) -> Path:
        return self.path / "work"

    @property
    def out(self) -> Path:
        return self.path / "out"

    @property
    def staging(self) -> Path:
        return self.path / ".staging"

    @property
    def job_file(self) -> Path:
        return self.path / "job.json"

    @property
    def status_file(self) -> Path:
        return self.path / "status.json"

    @property
    def pid_file(self) -> Path:
        return self.path / "wrapper.pid"

    @property
    def cancel_file(self) -> Path:
        return self.path / "cancel"

    @property
    def sandbox_uid_file(self) -> Path:
        return self.path / "sandbox.uid"

    @property
    def staged_marker(self) -> Path:
        return self.path / "STAGED"

    @property
    def wrapper_log(self) -> Path:
        return self.path / "wrapper.log"

    @property
    def accept_token_file(self) -> Path:
        """The token of a submission started before the hub committed the job (see
        :func:`expect_acceptance`)."""
        return self.path / "accept.token"

    def accepted_marker(self, token: str) -> Path:
        """Present once the hub has committed the submission that carries ``token``."""
        if not ACCEPT_TOKEN_RE.fullmatch(token):
            raise InvalidInput("malformed acceptance token", token=token)
        return self.path / f"accepted.{token}"

    def log(self, stream: Stream) -> Path:
        if stream not in ("stdout", "stderr"):
            raise InvalidInput(f"unknown log stream {stream!r}", stream=stream)
        return self.path / f"{stream}.log"

    @classmethod
    def at(cls, root: Path, job_id: str) -> Workspace:
        check_job_id(job_id)
        return cls(Path(root) / job_id)

    @classmethod
    def create(cls, root: Path, job_id: str) -> Workspace:
        """Create ``<root>/<job_id>/`` with its sub-directories (mode 0700 for the job dir)."""
        ws = cls.at(root, job_id)
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        try:
            ws.path.mkdir(mode=0o700)
        except FileExistsError:
            raise Conflict(f"workspace {job_id} already exists", job_id=job_id) from None
        for sub in (ws.inputs, ws.work, ws.out, ws.staging):
            sub.mkdir(mode=0o755)
        return ws

    def exists(self) -> bool:
        return self.path.is_dir()

    def is_sealed(self) -> bool:
        return self.staged_marker.is_file()


def check_job_id(job_id: str) -> str:
    if not isinstance(job_id, str) or not JOB_ID_RE.match(job_id) or ".." in job_id:
        raise InvalidInput(f"invalid job id {job_id!r}", job_id=str(job_id))
    return job_id


def safe_relpath(name: str) -> PurePosixPath:
    """Check an input name and return it as a relative POSIX path.

    Refused: empty names, absolute paths, ``..`` anywhere, ``.`` components, backslashes,
    NUL and control characters, over-long names, and a leading ``~``.
    """
    if not isinstance(name, str) or not name:
        raise InvalidInput("empty file name", name=str(name))
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise InvalidInput("file name contains control characters", name=name)
    if "\\" in name:
        raise InvalidInput(f"file name {name!r} contains a backslash", name=name)
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise InvalidInput(f"absolute path {name!r} refused", name=name)
    if name.startswith("~"):
        raise InvalidInput(f"path {name!r} starting with ~ refused", name=name)
    if len(name.encode("utf-8", "surrogateescape")) > MAX_PATH_BYTES:
        raise InvalidInput("file name too long", name=name[:80])
    parts = name.split("/")
    cleaned: list[str] = []
    for i, part in enumerate(parts):
        if part == "" and i == len(parts) - 1 and cleaned:
            continue  # a trailing slash (directory entries in archives)
        if part in ("", ".", ".."):
            raise InvalidInput(f"path {name!r} refused (empty, '.' or '..' component)", name=name)
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            raise InvalidInput("file name component too long", name=name[:80])
        cleaned.append(part)
    return PurePosixPath(*cleaned)


def _safe_parent(base: Path, rel: PurePosixPath) -> Path:
    """Create the parents of ``base/rel`` as real directories, refusing symlinks on the way."""
    current = base
    for part in rel.parts[:-1]:
        current = current / part
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            current.mkdir(mode=0o755)
            continue
        if not stat.S_ISDIR(st.st_mode):
            raise InvalidInput(f"{rel} crosses a non-directory ({part})", name=str(rel))
    return current


def _open_new_file(path: Path) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags, 0o644)
    except FileExistsError:
        raise Conflict(f"input {path.name} already exists", name=path.name) from None


def _inputs_usage(ws: Workspace) -> tuple[int, int]:
    """(bytes, files) already in inputs/ plus those declared by pending uploads."""
    total = 0
    files = 0
    for dirpath, _dirs, names in os.walk(ws.inputs):
        for n in names:
            total += os.lstat(os.path.join(dirpath, n)).st_size
            files += 1
    if ws.staging.is_dir():
        for meta in ws.staging.glob("*.json"):
            try:
                total += int(json.loads(meta.read_text())["size"])
                files += 1
            except (ValueError, KeyError, OSError):
                continue
    return total, files


# --- chunked uploads ------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadState:
    upload_id: str
    name: str
    size: int
    sha256: str
    received: int

    @property
    def complete(self) -> bool:
        return self.received == self.size


def _check_sealed(ws: Workspace) -> None:
    if not ws.exists():
        raise NotFound(f"workspace {ws.job_id} not found", job_id=ws.job_id)
    if ws.is_sealed():
        raise Conflict(f"inputs of job {ws.job_id} are sealed", job_id=ws.job_id)


def begin_upload(ws: Workspace, name: str, size: int, sha256: str,
                 limits: StagingLimits = StagingLimits()) -> UploadState:
    """Declare an upload. Size, name and count are checked here, before any byte moves."""
    _check_sealed(ws)
    rel = safe_relpath(name)
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise InvalidInput("upload size must be a non-negative integer", size=str(size))
    sha256 = sha256.lower() if isinstance(sha256, str) else ""
    if not SHA256_RE.match(sha256):
        raise InvalidInput("sha256 must be 64 hex digits", name=name)
    if size > limits.max_file_bytes:
        raise LimitExceeded(f"{name}: {size} bytes exceeds the per-file limit of "
                            f"{limits.max_file_bytes} bytes", name=name, size=size,
                            limit=limits.max_file_bytes)
    used, files = _inputs_usage(ws)
    if used + size > limits.max_total_bytes:
        raise LimitExceeded(f"{name}: inputs would total {used + size} bytes, over the limit of "
                            f"{limits.max_total_bytes} bytes", name=name, size=size,
                            limit=limits.max_total_bytes)
    if files + 1 > limits.max_files:
        raise LimitExceeded(f"too many input files (limit {limits.max_files})",
                            limit=limits.max_files)
    target = ws.inputs / rel
    if os.path.lexists(target):
        raise Conflict(f"input {rel} already exists", name=str(rel))
    for meta in ws.staging.glob("*.json"):
        try:
            if json.loads(meta.read_text())["name"] == str(rel):
                raise Conflict(f"input {rel} is already being uploaded", name=str(rel))
        except (ValueError, KeyError, OSError):
            continue
    upload_id = secrets.token_hex(16)
    part = ws.staging / f"{upload_id}.part"
    os.close(_open_new_file(part))
    _write_json_atomic(ws.staging / f"{upload_id}.json",
                       {"name": str(rel), "size": size, "sha256": sha256})
    return UploadState(upload_id, str(rel), size, sha256, 0)


def _load_upload(ws: Workspace, upload_id: str) -> tuple[dict[str, object], Path]:
    if not isinstance(upload_id, str) or not UPLOAD_ID_RE.match(upload_id):
        raise InvalidInput("invalid upload id", upload_id=str(upload_id))
    meta_path = ws.staging / f"{upload_id}.json"
    part = ws.staging / f"{upload_id}.part"
    try:
        meta = json.loads(meta_path.read_text())
    except FileNotFoundError:
        raise NotFound(f"upload {upload_id} not found", upload_id=upload_id) from None
    return meta, part


def upload_status(ws: Workspace, upload_id: str) -> UploadState:
    """Where a (possibly interrupted) upload stands: resume by sending from ``received``."""
    meta, part = _load_upload(ws, upload_id)
    return UploadState(upload_id, str(meta["name"]), int(str(meta["size"])), str(meta["sha256"]),
                       os.lstat(part).st_size)


def write_chunk(ws: Workspace, upload_id: str, offset: int, data: bytes,
                limits: StagingLimits = StagingLimits()) -> UploadState:
    """Append ``data`` at ``offset``. The offset must equal what was received so far
    (a retried chunk that was already stored is accepted and ignored)."""
    _check_sealed(ws)
    state = upload_status(ws, upload_id)
    if len(data) > limits.max_chunk_bytes:
        raise LimitExceeded(f"chunk of {len(data)} bytes exceeds {limits.max_chunk_bytes}",
                            limit=limits.max_chunk_bytes)
    if offset + len(data) <= state.received and offset >= 0:
        return state  # a duplicate of a chunk already written (retry after a lost reply)
    if offset != state.received:
        raise Conflict(f"chunk offset {offset} but {state.received} bytes received so far",
                       offset=offset, received=state.received)
    if offset + len(data) > state.size:
        raise LimitExceeded(f"upload {state.name} is larger than its declared {state.size} bytes",
                            name=state.name, size=state.size)
    part = ws.staging / f"{upload_id}.part"
    fd = os.open(part, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
    finally:
        os.close(fd)
    return UploadState(upload_id, state.name, state.size, state.sha256, offset + len(data))


def finish_upload(ws: Workspace, upload_id: str) -> Path:
    """Check size and sha256, then move the file into ``inputs/``. A mismatch discards it."""
    _check_sealed(ws)
    state = upload_status(ws, upload_id)
    part = ws.staging / f"{upload_id}.part"
    if not state.complete:
        raise Conflict(f"upload {state.name} incomplete: {state.received} of {state.size} bytes",
                       received=state.received, size=state.size)
    digest = _sha256_file(part)
    if digest != state.sha256:
        abort_upload(ws, upload_id)
        raise InvalidInput(f"sha256 mismatch for {state.name}: expected {state.sha256}, "
                           f"got {digest}", name=state.name)
    rel = PurePosixPath(state.name)
    _safe_parent(ws.inputs, rel)
    target = ws.inputs / rel
    if os.path.lexists(target):
        raise Conflict(f"input {rel} already exists", name=str(rel))
    os.link(part, target)  # fails if target appeared meanwhile; never follows a symlink
    part.unlink()
    (ws.staging / f"{upload_id}.json").unlink()
    return target


def abort_upload(ws: Workspace, upload_id: str) -> None:
    _load_upload(ws, upload_id)
    for suffix in (".part", ".json"):
        (ws.staging / f"{upload_id}{suffix}").unlink(missing_ok=True)


def pending_uploads(ws: Workspace) -> list[UploadState]:
    out = []
    for meta in sorted(ws.staging.glob("*.json")) if ws.staging.is_dir() else []:
        out.append(upload_status(ws, meta.stem))
    return out


def seal(ws: Workspace) -> None:
    """Mark the inputs complete. Refused while any upload is pending, so a job whose upload
    was cut off never runs half-staged."""
    if not ws.exists():
        raise NotFound(f"workspace {ws.job_id} not found", job_id=ws.job_id)
    pending = pending_uploads(ws)
    if pending:
        names = ", ".join(p.name for p in pending)
        raise Conflict(f"uploads not finished: {names}", pending=[p.name for p in pending])
    fd = os.open(ws.staged_marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC |
                 os.O_NOFOLLOW, 0o644)
    try:
        os.write(fd, b"sealed\n")
    finally:
        os.close(fd)


def stage_file(ws: Workspace, name: str, source: Path,
               limits: StagingLimits = StagingLimits()) -> Path:
    """Copy a local file into ``inputs/`` (the embedded centre's path). The source must be a
    regular file — symlinks, devices, FIFOs and sockets are refused."""
    source = Path(source)
    try:
        st = os.lstat(source)
    except FileNotFoundError:
        raise NotFound(f"{source} not found", name=name) from None
    if stat.S_ISLNK(st.st_mode):
        raise InvalidInput(f"{source} is a symlink; refused", name=name)
    if not stat.S_ISREG(st.st_mode):
        raise InvalidInput(f"{source} is not a regular file; refused", name=name)
    digest = _sha256_file(source)
    up = begin_upload(ws, name, st.st_size, digest, limits)
    fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        offset = 0
        while chunk := os.read(fd, min(COPY_CHUNK, limits.max_chunk_bytes)):
            write_chunk(ws, up.upload_id, offset, chunk, limits)
            offset += len(chunk)
    finally:
        os.close(fd)
    return finish_upload(ws, up.upload_id)


# --- archives -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Member:
    name: PurePosixPath
    is_dir: bool
    size: int


def _tar_members(tf: tarfile.TarFile) -> list[tuple[_Member, tarfile.TarInfo]]:
    out = []
    for info in tf.getmembers():
        if info.issym() or info.islnk():
            raise InvalidInput(f"archive member {info.name!r} is a link; refused", name=info.name)
        if not (info.isreg() or info.isdir()):
            raise InvalidInput(f"archive member {info.name!r} is not a file or directory; "
                               "refused", name=info.name)
        out.append((_Member(safe_relpath(info.name), info.isdir(), info.size), info))
    return out


def _zip_members(zf: zipfile.ZipFile) -> list[tuple[_Member, zipfile.ZipInfo]]:
    out = []
    for info in zf.infolist():
        mode = (info.external_attr >> 16) & 0o170000
        if mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            kind = "a symlink" if stat.S_ISLNK(mode) else "not a file or directory"
            raise InvalidInput(f"archive member {info.filename!r} is {kind}; refused",
                               name=info.filename)
        out.append((_Member(safe_relpath(info.filename), info.is_dir(), info.file_size), info))
    return out


def unpack_archive(ws: Workspace, archive_name: str, dest: str = "",
                   limits: StagingLimits = StagingLimits()) -> list[str]:
    """Unpack ``inputs/<archive_name>`` (tar, tar.gz/bz2/xz or zip) into ``inputs/<dest>``.

    Every member is checked before anything is written: safe names only, plain files and
    directories only, member sizes and the total within the limits. Bytes are counted while
    writing too, so a header that lies about its size cannot overrun the limit. Returns the
    relative names written."""
    _check_sealed(ws)
    arc_rel = safe_relpath(archive_name)
    archive = ws.inputs / arc_rel
    st = os.lstat(archive) if os.path.lexists(archive) else None
    if st is None or not stat.S_ISREG(st.st_mode):
        raise NotFound(f"archive {archive_name} not found in inputs", name=archive_name)
    base_rel = safe_relpath(dest) if dest else None
    used, files = _inputs_usage(ws)
    written: list[str] = []

    def check_all(members: list[_Member]) -> None:
        total = sum(m.size for m in members)
        nfiles = sum(1 for m in members if not m.is_dir)
        if files + nfiles > limits.max_files:
            raise LimitExceeded(f"archive has {nfiles} files; limit {limits.max_files}",
                                limit=limits.max_files)
        if used + total > limits.max_total_bytes:
            raise LimitExceeded(f"archive unpacks to {total} bytes; over the input limit",
                                limit=limits.max_total_bytes)
        for m in members:
            if m.size > limits.max_file_bytes:
                raise LimitExceeded(f"archive member {m.name} too large ({m.size} bytes)",
                                    name=str(m.name), limit=limits.max_file_bytes)

    def target_of(member: _Member) -> tuple[PurePosixPath, Path]:
        rel = base_rel / member.name if base_rel else member.name
        return rel, ws.inputs / rel

    def write_stream(member: _Member, src: Iterator[bytes]) -> None:
        rel, target = target_of(member)
        _safe_parent(ws.inputs, rel)
        fd = _open_new_file(target)
        count = 0
        try:
            for block in src:
                count += len(block)
                if count > member.size or count > limits.max_file_bytes:
                    raise LimitExceeded(f"archive member {member.name} is larger than declared",
                                        name=str(member.name))
                os.write(fd, block)
        finally:
            os.close(fd)
        written.append(str(rel))

    def make_dir(member: _Member) -> None:
        rel, _target = target_of(member)
        _safe_parent(ws.inputs, rel / "x")

    def blocks(fileobj: object) -> Iterator[bytes]:
        read = fileobj.read  # type: ignore[attr-defined]
        while chunk := read(COPY_CHUNK):
            yield chunk

    lower = archive.name.lower()
    try:
        if lower.endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                zmembers = _zip_members(zf)
                check_all([m for m, _ in zmembers])
                for member, zinfo in zmembers:
                    if member.is_dir:
                        make_dir(member)
                    else:
                        with zf.open(zinfo) as fh:
                            write_stream(member, blocks(fh))
        elif tarfile.is_tarfile(archive):
            with tarfile.open(archive, "r:*") as tf:
                tmembers = _tar_members(tf)
                check_all([m for m, _ in tmembers])
                for member, tinfo in tmembers:
                    if member.is_dir:
                        make_dir(member)
                    else:
                        tfh = tf.extractfile(tinfo)
                        if tfh is None:
                            raise InvalidInput(f"cannot read archive member {member.name}")
                        with tfh:
                            write_stream(member, blocks(tfh))
        else:
            raise InvalidInput(f"{archive_name} is not a tar or zip archive", name=archive_name)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError) as exc:
        _remove_written(ws, written)
        raise InvalidInput(f"{archive_name}: corrupt archive ({exc})", name=archive_name) from exc
    except Exception:
        _remove_written(ws, written)
        raise
    return written


def _remove_written(ws: Workspace, written: list[str]) -> None:
    for rel in written:
        (ws.inputs / rel).unlink(missing_ok=True)


# --- logs and small helpers -----------------------------------------------------------------


def read_log(ws: Workspace, stream: Stream, offset: int = 0,
             max_bytes: int = 1 << 20) -> tuple[bytes, int, bool]:
    """Read a job's log from ``offset``: ``(data, new_offset, eof)``. ``eof`` is true once the
    job has ended (``status.json`` exists) and everything written has been returned."""
    if offset < 0 or max_bytes <= 0:
        raise InvalidInput("offset must be >= 0 and max_bytes > 0", offset=offset)
    path = ws.log(stream)
    finished = ws.status_file.exists()  # check before reading: no bytes lost to a race
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return b"", offset, finished
    try:
        size = os.fstat(fd).st_size
        data = os.pread(fd, max_bytes, offset) if offset < size else b""
    finally:
        os.close(fd)
    new_offset = offset + len(data)
    return data, new_offset, finished and new_offset >= size


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        while chunk := os.read(fd, COPY_CHUNK):
            h.update(chunk)
    finally:
        os.close(fd)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_json_atomic(path: Path, payload: Mapping[str, object]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(payload, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def write_json_atomic(path: Path, payload: Mapping[str, object]) -> None:
    """Write JSON so readers see either the old file or the whole new one."""
    _write_json_atomic(path, payload)


def expect_acceptance(ws: Workspace) -> str:
    """Start a submission that may reach the scheduler before the hub has committed the job:
    a fresh token, kept in ``accept.token``. The job's wrapper is told the token and runs
    only once :func:`mark_accepted` has written its marker (the hub does that right after
    its commit; a submission whose transaction rolled back, or whose process died before the
    commit, never gets one, so its wrapper refuses to run). Each submission has its own
    token, so a marker never lets another submission of the same workspace run."""
    token = secrets.token_hex(8)
    fd = os.open(ws.accept_token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC |
                 os.O_NOFOLLOW, 0o644)
    try:
        os.write(fd, (token + "\n").encode())
    finally:
        os.close(fd)
    return token


def mark_accepted(ws: Workspace, token: str | None = None) -> bool:
    """The hub has committed the job: let its wrapper run. Without ``token``, the one in
    ``accept.token`` (a process that took over the hand-off, e.g. the worker); False when
    the workspace has none (its submission never waits for a marker)."""
    if token is None:
        try:
            token = ws.accept_token_file.read_text().strip()
        except (FileNotFoundError, NotADirectoryError):
            return False
        if not ACCEPT_TOKEN_RE.fullmatch(token):
            return False
    fd = os.open(ws.accepted_marker(token),
                 os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    os.close(fd)
    return True


def remove_workspace(ws: Workspace) -> None:
    shutil.rmtree(ws.path, ignore_errors=True)
