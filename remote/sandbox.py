"""The job wrapper: runs one job in its workspace, confined and limited, and writes its end.

``python -m remote.sandbox run WORKSPACE`` is what every scheduler starts (a detached process
for ``local``, the batch script for ``slurm``). It reads ``job.json``, runs the command and
writes ``status.json`` with the outcome. Confinement:

* bubblewrap: new user, PID, network, IPC and UTS namespaces (no network at all), ``/``
  read-only, fresh ``/proc``, ``/dev`` and ``/tmp``, the workspace root and private host paths
  hidden under empty tmpfs mounts, then only this job's ``inputs/`` (read-only), ``work/`` and
  ``out/`` bound back; ``--die-with-parent`` so killing bwrap kills the whole PID namespace.
* When the wrapper runs as root it drops the job to a dedicated unprivileged uid taken from a
  range (one uid per running job, held by a lock file). ``RLIMIT_NPROC`` is not enforced for
  root (nor for root mapped into a user namespace), so this is what contains a fork bomb.
* Limits: wall time (the wrapper kills the sandbox at the deadline: ``time_limit``), memory
  (a cgroup of the job's own where the wrapper can make one, :mod:`remote.memcgroup`: the
  kernel's OOM killer ends the job, read as ``memory_limit``; elsewhere ``RLIMIT_AS``, where
  an allocation failure reads as ``memory_limit``), processes
  (``RLIMIT_NPROC``), file size (``RLIMIT_FSIZE``), no core files, and output: stdout/stderr
  pass through the wrapper, which keeps the first ``output_bytes`` of each and discards the
  rest, so a chatty job is capped yet still finishes.
* Disk (``disk_bytes``): the wrapper adds up what ``work/`` and ``out/`` hold (allocated
  blocks) every second or so and stops a job over the limit (``runtime_error``, saying so); a
  job can overshoot by what it writes between two looks, at most ``file_bytes`` per file. The
  sandbox's ``/tmp`` is a tmpfs of at most ``disk_bytes`` (it lives in memory, which
  ``RLIMIT_AS`` does not count), and the tmpfs mounts that hide host paths hold next to nothing
  (bubblewrap 0.8's ``--size``; an older bwrap leaves them unsized).

Without bubblewrap the wrapper refuses to run the job (``infrastructure_error``) unless the
farm's config says ``unsafe: true``.

The wrapper starts once per job, so it stays lean: it reads ``job.json`` into plain
dataclasses (:class:`Job`) and writes ``status.json`` with ``json``, never loading pydantic.
The validated models of both files (:class:`JobFile`, :class:`JobLimits`,
:class:`SandboxSettings`, :class:`FinalStatus`) live in :mod:`remote.sandbox_models`; they are
importable from here too, loaded on first use.
"""

from __future__ import annotations

import contextlib
import ctypes
import enum
import errno
import fcntl
import functools
import json
import os
import re
import resource
import select
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from core.errors import InfrastructureError, InvalidInput
from core.timeutil import utcnow
from remote import memcgroup
from remote.memcgroup import MemoryCgroup
from remote.workspace import Workspace, write_json_atomic

if TYPE_CHECKING:
    from remote.sandbox_models import FinalStatus as FinalStatus
    from remote.sandbox_models import JobFile as JobFile
    from remote.sandbox_models import JobLimits as JobLimits
    from remote.sandbox_models import SandboxSettings as SandboxSettings

GiB = 1 << 30
MiB = 1 << 20
TAIL_BYTES = 64 * 1024
KILL_DRAIN_SECONDS = 5.0
DISK_CHECK_SECONDS = 1.0  # how often the wrapper adds up what the job stores (at least)
EMPTY_TMPFS_BYTES = 1 * MiB  # the tmpfs mounts that hide host paths hold next to nothing
PR_SET_PDEATHSIG = 1
MEMORY_PATTERNS = re.compile(
    rb"MemoryError|Cannot allocate memory|std::bad_alloc|[Oo]ut of memory|"
    rb"failed to allocate|memory exhausted|mmap\(\) failed")


class RunOutcome(enum.StrEnum):
    """How a job ended (``success`` … ``infrastructure_error`` match :class:`Outcome`)."""

    SUCCESS = "success"
    RUNTIME_ERROR = "runtime_error"
    TIME_LIMIT = "time_limit"
    MEMORY_LIMIT = "memory_limit"
    CANCELLED = "cancelled"
    INFRASTRUCTURE_ERROR = "infrastructure_error"


DEFAULT_HIDE = ("/home", "/root", "/run", "/var/tmp", "/srv", "/mnt", "/media")
_MODELS = ("JobFile", "JobLimits", "SandboxSettings", "FinalStatus")


def __getattr__(name: str) -> Any:
    """The pydantic models of the wrapper's files, loaded when first asked for."""
    if name in _MODELS:
        from remote import sandbox_models

        return getattr(sandbox_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- job.json without pydantic ----------------------------------------------------------------
# The same fields, defaults and checks as remote.sandbox_models.JobFile (a test keeps them equal).


def _object(data: object, where: str, allowed: Sequence[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: not an object")
    extra = sorted(set(data) - set(allowed))
    if extra:
        raise ValueError(f"{where}.{extra[0]}: extra fields not permitted")
    return data


def _number(data: Mapping[str, Any], key: str, where: str, default: Any, *, integer: bool,
            minimum: float, inclusive: bool = False, optional: bool = False) -> Any:
    value = data.get(key, default)
    if value is None and optional:
        return None
    ok_type = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, ok_type) or \
            (value < minimum if inclusive else value <= minimum):
        raise ValueError(f"{where}.{key}: invalid value {value!r}")
    return value if integer else float(value)


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: must be a list of strings")
    return list(value)


@dataclass(frozen=True)
class Limits:
    """Per-job limits the wrapper enforces (``job.json``'s ``limits``)."""

    wall_seconds: float = 3600.0
    memory_bytes: int | None = 2 * GiB
    output_bytes: int = 64 * MiB
    file_bytes: int | None = 1 * GiB
    max_processes: int = 256
    cpus: int = 1
    disk_bytes: int | None = 4 * GiB

    @classmethod
    def from_dict(cls, raw: object) -> Limits:
        w = "limits"
        d = _object(raw, w, [f for f in cls.__dataclass_fields__])
        return cls(
            wall_seconds=_number(d, "wall_seconds", w, cls.wall_seconds, integer=False,
                                 minimum=0),
            memory_bytes=_number(d, "memory_bytes", w, cls.memory_bytes, integer=True,
                                 minimum=0, optional=True),
            output_bytes=_number(d, "output_bytes", w, cls.output_bytes, integer=True,
                                 minimum=0, inclusive=True),
            file_bytes=_number(d, "file_bytes", w, cls.file_bytes, integer=True, minimum=0,
                               optional=True),
            max_processes=_number(d, "max_processes", w, cls.max_processes, integer=True,
                                  minimum=0),
            cpus=_number(d, "cpus", w, cls.cpus, integer=True, minimum=0),
            disk_bytes=_number(d, "disk_bytes", w, cls.disk_bytes, integer=True, minimum=0,
                               optional=True))


@dataclass(frozen=True)
class Confinement:
    """How the job is confined (``job.json``'s ``sandbox``, from the farm config)."""

    unsafe: bool = False
    bwrap: str = "bwrap"
    uid_first: int = 61000
    uid_count: int = 1000
    lock_dir: str = "/run/chipcommons/sandbox-uids"
    hide: tuple[str, ...] = DEFAULT_HIDE
    ro_binds: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, raw: object) -> Confinement:
        w = "sandbox"
        d = _object(raw, w, [f for f in cls.__dataclass_fields__])
        unsafe = d.get("unsafe", cls.unsafe)
        bwrap = d.get("bwrap", cls.bwrap)
        lock_dir = d.get("lock_dir", cls.lock_dir)
        if not isinstance(unsafe, bool):
            raise ValueError(f"{w}.unsafe: not a boolean")
        if not isinstance(bwrap, str) or not isinstance(lock_dir, str):
            raise ValueError(f"{w}: bwrap and lock_dir must be strings")
        return cls(
            unsafe=unsafe, bwrap=bwrap, lock_dir=lock_dir,
            uid_first=_number(d, "uid_first", w, cls.uid_first, integer=True, minimum=0),
            uid_count=_number(d, "uid_count", w, cls.uid_count, integer=True, minimum=0),
            hide=tuple(_strings(d.get("hide", cls.hide), f"{w}.hide")),
            ro_binds=tuple(_strings(d.get("ro_binds", cls.ro_binds), f"{w}.ro_binds")))


@dataclass(frozen=True)
class Job:
    """``job.json`` as the wrapper reads it."""

    job_id: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    sandbox: Confinement = field(default_factory=Confinement)

    @classmethod
    def from_json(cls, text: str) -> Job:
        d = _object(json.loads(text), "job", [f for f in cls.__dataclass_fields__])
        job_id = d.get("job_id")
        if not isinstance(job_id, str):
            raise ValueError("job.job_id: a string is required")
        command = _strings(d.get("command"), "job.command")
        if not command:
            raise ValueError("job.command: at least one item is required")
        env = d.get("env", {})
        if not isinstance(env, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                for k, v in env.items()):
            raise ValueError("job.env: must map strings to strings")
        return cls(job_id=job_id, command=command, env=dict(env),
                   limits=Limits.from_dict(d.get("limits", {})),
                   sandbox=Confinement.from_dict(d.get("sandbox", {})))

    @classmethod
    def read(cls, ws: Workspace) -> Job:
        return cls.from_json(ws.job_file.read_text(encoding="utf-8"))


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def status_json(outcome: RunOutcome, ended: datetime, *, started: datetime | None = None,
                message: str = "", **fields: object) -> dict[str, object]:
    """``status.json``'s content, field for field as :class:`FinalStatus` writes it."""
    out: dict[str, object] = {
        "outcome": outcome.value, "exit_code": None, "signal": None, "started": _iso(started),
        "ended": _iso(ended), "wall_seconds": None, "max_rss_kb": None, "stdout_bytes": 0,
        "stderr_bytes": 0, "output_truncated": False, "sandboxed": False, "source": "wrapper",
        "message": message}
    unknown = set(fields) - set(out)
    if unknown:
        raise TypeError(f"not a status field: {sorted(unknown)[0]}")
    out.update(fields)
    return out


def read_status(ws: Workspace) -> FinalStatus | None:
    """The job's final status, or None while it has not ended."""
    from remote.sandbox_models import FinalStatus

    try:
        text = ws.status_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return FinalStatus.model_validate_json(text)


def write_status_once(ws: Workspace, status: FinalStatus) -> FinalStatus:
    """Write ``status`` unless a status exists already (the first writer wins)."""
    existing = read_status(ws)
    if existing is not None:
        return existing
    status.write(ws)
    return status


def _read_status_json(ws: Workspace) -> dict[str, object] | None:
    try:
        text = ws.status_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    data = json.loads(text)
    if not isinstance(data, dict) or "outcome" not in data:
        raise ValueError("status.json is not a status")
    return data


def _write_status_json_once(ws: Workspace, status: dict[str, object]) -> dict[str, object]:
    existing = _read_status_json(ws)
    if existing is not None:
        return existing
    write_json_atomic(ws.status_file, status)
    return status


# --- availability -----------------------------------------------------------------------------


def find_bwrap(settings: SandboxSettings | Confinement) -> str | None:
    """The bubblewrap executable, or None if it is absent."""
    if os.sep in settings.bwrap:
        return settings.bwrap if os.access(settings.bwrap, os.X_OK) else None
    return shutil.which(settings.bwrap)


def require_sandbox(settings: SandboxSettings | Confinement) -> str | None:
    """Refuse (InfrastructureError) when bubblewrap is missing and ``unsafe`` is not set.
    Returns the bwrap path, or None when running unsandboxed is allowed."""
    path = find_bwrap(settings)
    if path is None and not settings.unsafe:
        raise InfrastructureError(
            f"bubblewrap ({settings.bwrap}) not found: the farm refuses to run jobs without a "
            "sandbox (set sandbox.unsafe: true in the farm config to allow it)",
            bwrap=settings.bwrap)
    return path


# --- process identity -------------------------------------------------------------------------


def process_starttime(pid: int) -> int | None:
    """Start time (clock ticks since boot) of a live, non-zombie process; None otherwise."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def read_pid_file(ws: Workspace) -> dict[str, object] | None:
    try:
        data = json.loads(ws.pid_file.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def wrapper_alive(ws: Workspace) -> bool | None:
    """True/False for a wrapper on this host; None if there is no pid file or it is another
    host's."""
    info = read_pid_file(ws)
    if info is None or info.get("host") != socket.gethostname():
        return None
    pid = int(str(info["pid"]))
    return process_starttime(pid) == info.get("starttime")


def signal_wrapper(ws: Workspace, signum: int = signal.SIGTERM) -> bool:
    """Signal the wrapper named in the pid file if it is still that process."""
    info = read_pid_file(ws)
    if info is None or info.get("host") != socket.gethostname():
        return False
    pid = int(str(info["pid"]))
    if process_starttime(pid) != info.get("starttime"):
        return False
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        return False
    return True


# --- the wrapper ------------------------------------------------------------------------------


class _UidLease:
    """A dedicated uid for one job, held by an flock on ``<lock_dir>/<uid>.lock``."""

    def __init__(self, settings: SandboxSettings | Confinement, only: int | None = None) -> None:
        lock_dir = Path(settings.lock_dir)
        lock_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        start = os.getpid() % settings.uid_count
        if only is not None:
            candidates = [only]
        else:
            candidates = [settings.uid_first + (start + i) % settings.uid_count
                          for i in range(settings.uid_count)]
        for uid in candidates:
            fd = os.open(lock_dir / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.uid = uid
            self._fd = fd
            self.kill_all()  # leftovers of an earlier holder that died must not share it
            return
        raise InfrastructureError("no free sandbox uid", first=settings.uid_first,
                                  count=settings.uid_count)

    def kill_all(self) -> None:
        """SIGKILL every process running as this uid (it is ours alone while we hold it).

        ``kill -9 -1`` run as the uid reaches exactly that uid's processes (not itself); it is
        spawned with subprocess, which is safe from a multi-threaded hub (a bare fork is not)."""
        if _count_processes(self.uid) == 0:
            return
        subprocess.run([shutil.which("kill") or "/bin/kill", "-9", "-1"],
                       user=self.uid, group=self.uid, extra_groups=[], env={},
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                       timeout=10)

    def release(self) -> None:
        """Kill what still runs as the uid, wait (briefly) until it is gone, unlock it."""
        deadline = time.monotonic() + 5.0
        while True:
            self.kill_all()
            if _count_processes(self.uid) == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        os.close(self._fd)


def reap_orphan_sandbox(ws: Workspace, settings: SandboxSettings) -> bool:
    """After a job's wrapper died: kill whatever still runs as the uid it had leased, unless a
    live wrapper holds that uid now (it cleared leftovers when it took it). Root only.
    Returns True when the uid was swept."""
    try:
        uid = int(ws.sandbox_uid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return False
    if os.geteuid() != 0 or not (settings.uid_first <= uid
                                 < settings.uid_first + settings.uid_count):
        return False
    try:
        lease = _UidLease(settings, only=uid)
    except InfrastructureError:
        return False
    lease.release()
    return True


def _exit_watch(pid: int) -> int | None:
    """A pidfd on our child ``pid`` (readable when it exits), or None without pidfds."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _set_parent_death_signal(signum: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def _count_processes(uid: int) -> int:
    """Live (non-zombie) processes owned by ``uid``."""
    n = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid and process_starttime(int(entry.name)) is not None:
                    n += 1
            except FileNotFoundError:
                continue
    return n


def _chown_tree(path: Path, uid: int) -> None:
    os.chown(path, uid, uid, follow_symlinks=False)
    for dirpath, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(dirpath, name), uid, uid, follow_symlinks=False)


def _job_env(ws: Workspace, job: JobFile | Job) -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(ws.work),
        "TMPDIR": "/tmp",
        "CHIPCOMMONS_JOB_ID": job.job_id,
        "CHIPCOMMONS_INPUTS": str(ws.inputs),
        "CHIPCOMMONS_WORK": str(ws.work),
        "CHIPCOMMONS_OUT": str(ws.out),
    }
    env.update(job.env)
    return env


@functools.lru_cache(maxsize=8)
def bwrap_sizes_tmpfs(bwrap: str) -> bool:
    """Whether this bubblewrap takes ``--size`` for a tmpfs (0.8 and later)."""
    try:
        shown = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=10,
                               check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return "--size" in shown.stdout + shown.stderr


def disk_usage(paths: Sequence[Path]) -> int:
    """Bytes allocated to everything under ``paths`` (blocks: a sparse file counts what it
    holds), symbolic links not followed; what vanishes or cannot be read meanwhile is
    skipped."""
    total = 0
    stack = [str(p) for p in paths]
    while stack:
        top = stack.pop()
        try:
            with os.scandir(top) as entries:
                for entry in entries:
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    total += st.st_blocks * 512
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            continue
    return total


def build_bwrap_argv(bwrap: str, ws: Workspace, job: JobFile | Job, env: dict[str, str],
                     uid: int | None = None) -> list[str]:
    """The bubblewrap command line for ``job`` in ``ws`` (paths inside = paths outside).

    With ``uid`` (the wrapper runs as root) bwrap sets the sandbox up with root's rights and
    ``setpriv`` drops the job to ``uid`` with no capabilities; without it bwrap runs as the
    calling account inside a new user namespace."""
    s = job.sandbox
    argv = [bwrap, "--die-with-parent", "--new-session"]
    if uid is None:
        argv += ["--unshare-all", "--unshare-user", "--disable-userns"]
    else:
        argv += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                 "--unshare-cgroup-try"]
    sized = bwrap_sizes_tmpfs(bwrap)

    def tmpfs(dest: str, size: int | None) -> list[str]:
        return [*(["--size", str(size)] if sized and size else []), "--tmpfs", dest]

    argv += ["--hostname", "sandbox",
             "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", *tmpfs("/tmp", job.limits.disk_bytes)]  # as a /tmp is
    for hidden in s.hide:
        if os.path.isdir(hidden) and not os.path.islink(hidden):
            argv += tmpfs(hidden, EMPTY_TMPFS_BYTES)
    argv += [*tmpfs(str(ws.path.parent), EMPTY_TMPFS_BYTES), "--perms", "0711", "--dir",
             str(ws.path)]
    for extra in s.ro_binds:
        argv += ["--ro-bind-try", extra, extra]
    argv += ["--ro-bind", str(ws.inputs), str(ws.inputs),
             "--bind", str(ws.work), str(ws.work),
             "--bind", str(ws.out), str(ws.out),
             "--chdir", str(ws.work), "--clearenv"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    argv.append("--")
    if uid is not None:
        argv += [shutil.which("setpriv") or "/usr/bin/setpriv", f"--reuid={uid}",
                 f"--regid={uid}", "--clear-groups", "--no-new-privs", "--inh-caps=-all",
                 "--bounding-set=-all", "--"]
    return [*argv, *job.command]


class _CancelFlag:
    """Set by SIGTERM/SIGINT: the scheduler asks the wrapper to stop the job."""

    def __init__(self) -> None:
        self.is_set = False

    def set(self, _signum: int, _frame: FrameType | None) -> None:
        self.is_set = True


class _Runner:
    """One run of the wrapper: state that lives only as long as the job."""

    def __init__(self, ws: Workspace, job: Job, cancel: _CancelFlag) -> None:
        self.ws = ws
        self.job = job
        self.cancel = cancel
        self.timed_out = False
        self.out_bytes = {"stdout": 0, "stderr": 0}
        self.truncated = False
        self.stderr_tail = b""
        self.disk_used: int | None = None  # what work/ and out/ held when found over the limit
        self.disk_check_at = 0.0
        self.started = utcnow()
        self.t0 = time.monotonic()

    def _end(self, outcome: RunOutcome, message: str, **kw: object) -> dict[str, object]:
        return status_json(outcome, utcnow(), started=self.started, message=message,
                           wall_seconds=round(time.monotonic() - self.t0, 3), **kw)

    def limits_preexec(self, nproc: int | None, parent: int,
                       cgroup: MemoryCgroup | None) -> None:
        # If the wrapper dies (killed, OOM, reboot of the hub's session), take the sandbox
        # with it: bwrap's own --die-with-parent only ties the job to bwrap, not bwrap to us.
        _set_parent_death_signal(signal.SIGKILL)
        if os.getppid() != parent:  # the wrapper died before the line above took effect
            os._exit(1)
        lim = self.job.limits
        joined = False
        if cgroup is not None:
            with contextlib.suppress(OSError):
                cgroup.join()
                joined = True
        if lim.memory_bytes is not None and not joined:
            resource.setrlimit(resource.RLIMIT_AS, (lim.memory_bytes, lim.memory_bytes))
        if lim.file_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (lim.file_bytes, lim.file_bytes))
        if nproc is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    def run(self) -> dict[str, object]:
        ws, job = self.ws, self.job
        end = self._end
        if ws.cancel_file.exists() or self.cancel.is_set:
            return end(RunOutcome.CANCELLED, "cancelled before start")
        if not ws.is_sealed():
            return end(RunOutcome.INFRASTRUCTURE_ERROR, "inputs are not sealed (staging "
                       "incomplete); refusing to run")
        try:
            bwrap = require_sandbox(job.sandbox)
        except InfrastructureError as exc:
            return end(RunOutcome.INFRASTRUCTURE_ERROR, exc.message)

        lease: _UidLease | None = None
        popen_kw: dict[str, object] = {}
        env = _job_env(ws, job)
        if os.geteuid() == 0:
            lease = _UidLease(job.sandbox)
            ws.sandbox_uid_file.write_text(f"{lease.uid}\n")
            _chown_tree(ws.work, lease.uid)
            _chown_tree(ws.out, lease.uid)
            nproc: int | None = job.limits.max_processes
            if bwrap is None:  # unsafe mode: drop to the uid directly
                popen_kw = {"user": lease.uid, "group": lease.uid, "extra_groups": []}
                os.chmod(ws.path, 0o711)  # the uid must reach work/ and out/
        else:
            # Without root there is no dedicated uid: the budget sits on top of what this
            # account already runs. The PID namespace and the wall-time kill still apply.
            nproc = _count_processes(os.getuid()) + job.limits.max_processes
        if bwrap is not None:
            argv = build_bwrap_argv(bwrap, ws, job, env, lease.uid if lease else None)
            cwd = str(ws.path)
            run_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        else:
            argv = list(job.command)
            cwd = str(ws.work)
            run_env = env
        cgroup = (MemoryCgroup.create(f"{memcgroup.PREFIX}{job.job_id}-{os.getpid()}",
                                      job.limits.memory_bytes)
                  if job.limits.memory_bytes is not None else None)
        try:
            return self._supervise(argv, cwd, run_env, popen_kw, nproc, lease, bwrap, cgroup)
        finally:
            if cgroup is not None:
                cgroup.remove()
            if lease is not None:
                lease.release()

    def _supervise(self, argv: list[str], cwd: str, env: dict[str, str],
                   popen_kw: dict[str, object], nproc: int | None, lease: _UidLease | None,
                   bwrap: str | None, cgroup: MemoryCgroup | None) -> dict[str, object]:
        ws, lim = self.ws, self.job.limits
        logs = {s: os.open(ws.log(s), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW,
                           0o644) for s in ("stdout", "stderr")}
        me = os.getpid()
        try:
            proc = subprocess.Popen(
                argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, start_new_session=True, close_fds=True,
                preexec_fn=lambda: self.limits_preexec(nproc, me, cgroup), **popen_kw)  # type: ignore[call-overload]
        except OSError as exc:
            for fd in logs.values():
                os.close(fd)
            return self._end(RunOutcome.INFRASTRUCTURE_ERROR, f"cannot start the job: {exc}")
        assert proc.stdout is not None and proc.stderr is not None
        sel = selectors.DefaultSelector()
        for stream, pipe in (("stdout", proc.stdout), ("stderr", proc.stderr)):
            os.set_blocking(pipe.fileno(), False)
            sel.register(pipe.fileno(), selectors.EVENT_READ, stream)
        deadline = time.monotonic() + lim.wall_seconds
        kill_at: float | None = None
        while sel.get_map():
            now = time.monotonic()
            if kill_at is None and self._must_stop(now, deadline):
                self._kill(proc, lease)
                kill_at = now
            if kill_at is not None and now - kill_at > KILL_DRAIN_SECONDS:
                break  # something outside the sandbox holds the pipes; stop waiting
            timeout = max(0.0, min(deadline - now, 0.5)) if kill_at is None else 0.2
            for key, _ in sel.select(timeout):
                self._pump(sel, key.fd, str(key.data), logs)
        for key in list(sel.get_map().values()):
            sel.unregister(key.fd)
        sel.close()
        proc.stdout.close()
        proc.stderr.close()
        for fd in logs.values():
            os.close(fd)
        # The pipes may close long before the job ends (it can close its own stdout), so the
        # limits keep being watched while we wait for the exit.
        rusage: resource.struct_rusage | None = None
        exited = _exit_watch(proc.pid)
        try:
            while True:
                try:
                    pid, wstatus, rusage = os.wait4(proc.pid, os.WNOHANG)
                except ChildProcessError:
                    wstatus, rusage = 0, None
                    break
                if pid:
                    break
                now = time.monotonic()
                if kill_at is None and self._must_stop(now, deadline):
                    self._kill(proc, lease)
                    kill_at = now
                step = max(0.0, min(deadline - now, 0.5)) if kill_at is None else 0.05
                if exited is None:
                    time.sleep(min(step, 0.05))
                else:  # woken by the exit itself, not a tick
                    select.select([exited], [], [], step)
        finally:
            if exited is not None:
                os.close(exited)
        proc.returncode = os.waitstatus_to_exitcode(wstatus)
        if self.disk_used is None and not self.cancel.is_set and not self.timed_out:
            self.disk_check_at = 0.0  # what it left when it ended counts too
            self._over_disk(time.monotonic())
        return self._status(proc.returncode, rusage, bwrap is not None,
                            cgroup.oom_kills() if cgroup is not None else 0)

    def _must_stop(self, now: float, deadline: float) -> bool:
        """Whether the job must be killed now: cancelled, at its wall time (noted in
        ``timed_out``) or over its disk limit (noted in ``disk_used``)."""
        if self.cancel.is_set or now >= deadline:
            self.timed_out = not self.cancel.is_set
            return True
        return self._over_disk(now)

    def _over_disk(self, now: float) -> bool:
        """Whether work/ and out/ hold more than the disk limit (looked at every
        :data:`DISK_CHECK_SECONDS` or so; less often when a look takes long)."""
        most = self.job.limits.disk_bytes
        if most is None or now < self.disk_check_at:
            return False
        used = disk_usage((self.ws.work, self.ws.out))
        spent = time.monotonic() - now
        self.disk_check_at = time.monotonic() + max(DISK_CHECK_SECONDS, 20 * spent)
        if used > most:
            self.disk_used = used
            return True
        return False

    def _pump(self, sel: selectors.BaseSelector, fd: int, stream: str,
              logs: dict[str, int]) -> None:
        try:
            data = os.read(fd, 1 << 16)
        except BlockingIOError:
            return
        except OSError as exc:
            if exc.errno != errno.EIO:
                raise
            data = b""
        if not data:
            sel.unregister(fd)
            return
        if stream == "stderr":
            self.stderr_tail = (self.stderr_tail + data)[-TAIL_BYTES:]
        room = self.job.limits.output_bytes - self.out_bytes[stream]
        if room > 0:
            chunk = data[:room]
            os.write(logs[stream], chunk)
            self.out_bytes[stream] += len(chunk)
        if len(data) > max(room, 0):
            self.truncated = True

    def _kill(self, proc: subprocess.Popen[bytes], lease: _UidLease | None) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        if lease is not None:
            lease.kill_all()

    def _status(self, code: int, rusage: resource.struct_rusage | None,
                sandboxed: bool, oom_kills: int = 0) -> dict[str, object]:
        lim = self.job.limits
        exit_code: int | None = code if code >= 0 else None
        sig: int | None = -code if code < 0 else None
        if sandboxed and code > 128:  # bwrap reports a signalled child as 128 + N
            sig, exit_code = code - 128, None
        extra: dict[str, object] = {
            "exit_code": exit_code, "signal": sig,
            "max_rss_kb": rusage.ru_maxrss if rusage is not None else None,
            "stdout_bytes": self.out_bytes["stdout"], "stderr_bytes": self.out_bytes["stderr"],
            "output_truncated": self.truncated, "sandboxed": sandboxed,
        }
        note = (f"; output capped at {lim.output_bytes} bytes per stream"
                if self.truncated else "")
        finish = self._end
        if self.cancel.is_set:
            return finish(RunOutcome.CANCELLED, "cancelled" + note, **extra)
        if self.timed_out:
            return finish(RunOutcome.TIME_LIMIT,
                          f"killed at the wall-time limit of {lim.wall_seconds:g} s" + note,
                          **extra)
        if self.disk_used is not None:
            return finish(RunOutcome.RUNTIME_ERROR,
                          f"stopped: its work and out folders held {self.disk_used} bytes, over "
                          f"the disk limit of {lim.disk_bytes} bytes" + note, **extra)
        if exit_code == 0:
            return finish(RunOutcome.SUCCESS, "ok" + note, **extra)
        if oom_kills and lim.memory_bytes is not None:
            return finish(RunOutcome.MEMORY_LIMIT, "the kernel stopped it at its memory limit "
                          f"of {lim.memory_bytes} bytes (its cgroup's OOM killer)" + note,
                          **extra)
        if lim.memory_bytes is not None and MEMORY_PATTERNS.search(self.stderr_tail):
            return finish(RunOutcome.MEMORY_LIMIT,
                          f"ran out of memory (limit {lim.memory_bytes} bytes)" + note, **extra)
        if sig == signal.SIGKILL and lim.memory_bytes is not None:
            # nobody here sent it: the kernel's (or the batch system's) OOM killer did
            return finish(RunOutcome.MEMORY_LIMIT, "killed by SIGKILL, most likely out of "
                          f"memory (limit {lim.memory_bytes} bytes)" + note, **extra)
        if sig == signal.SIGXFSZ:
            return finish(RunOutcome.RUNTIME_ERROR,
                          f"a file exceeded the size limit of {lim.file_bytes} bytes" + note,
                          **extra)
        what = f"killed by signal {sig}" if sig is not None else f"exit code {exit_code}"
        return finish(RunOutcome.RUNTIME_ERROR, what + note, **extra)


def run_job(ws: Workspace) -> FinalStatus:
    """Run the job described by ``ws/job.json`` and write ``status.json`` (the wrapper body);
    the status as a model."""
    from remote.sandbox_models import FinalStatus

    return FinalStatus.model_validate(run_job_plain(ws))


NOT_ACCEPTED = "the hub never accepted this submission"


def _await_acceptance(ws: Workspace, token: str, wait: float, cancel: _CancelFlag) -> bool:
    """Wait (at most ``wait`` seconds) for the hub's marker of this submission; False when it
    did not come, or the job was cancelled meanwhile. The hub writes it right after its commit,
    so it is nearly always there before the scheduler starts the job: the first look finds it."""
    marker = ws.accepted_marker(token)
    deadline = time.monotonic() + wait
    pause = 0.005
    while not marker.exists():
        if cancel.is_set or ws.cancel_file.exists() or time.monotonic() >= deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.25)
    return True


def run_job_plain(ws: Workspace, accept_token: str | None = None,
                  accept_wait: float = 0.0) -> dict[str, object]:
    """:func:`run_job` without pydantic: the status as ``status.json`` holds it.

    SIGTERM/SIGINT handlers go in before ``wrapper.pid`` is written, so a cancel that finds
    the pid file is always seen as a cancel; the pid file lets a scheduler tell a live wrapper
    from a dead one.

    With ``accept_token`` (a submission started before the hub committed the job) nothing runs
    until the hub's marker for that token is in the workspace
    (:func:`remote.workspace.mark_accepted`); without it after ``accept_wait`` seconds the
    wrapper ends as an ``infrastructure_error`` that says :data:`NOT_ACCEPTED`, having run
    nothing. The hub never gives such a workspace to a scheduler again (a later submission
    of the job moves to a fresh one), so this status cannot stop a later run."""
    cancel = _CancelFlag()
    signal.signal(signal.SIGTERM, cancel.set)
    signal.signal(signal.SIGINT, cancel.set)
    write_json_atomic(ws.pid_file, {"pid": os.getpid(), "host": socket.gethostname(),
                                    "starttime": process_starttime(os.getpid())})
    existing = _read_status_json(ws)
    if existing is not None:
        return existing  # already ended (e.g. cancelled while queued): never run twice
    if accept_token is not None and not _await_acceptance(ws, accept_token, accept_wait,
                                                          cancel):
        if cancel.is_set or ws.cancel_file.exists():
            status = status_json(RunOutcome.CANCELLED, utcnow(),
                                 message="cancelled before start")
        else:
            status = status_json(RunOutcome.INFRASTRUCTURE_ERROR, utcnow(),
                                 message=f"{NOT_ACCEPTED} (no acceptance within "
                                 f"{accept_wait:g} s); nothing was run")
        return _write_status_json_once(ws, status)
    try:
        job = Job.read(ws)
    except (OSError, ValueError) as exc:
        status = status_json(RunOutcome.INFRASTRUCTURE_ERROR, utcnow(),
                             message=f"unreadable job.json: {exc}")
        return _write_status_json_once(ws, status)
    runner = _Runner(ws, job, cancel)
    try:
        status = runner.run()
    except Exception as exc:  # the wrapper must always leave a status behind
        status = status_json(RunOutcome.INFRASTRUCTURE_ERROR, utcnow(),
                             message=f"wrapper failed: {type(exc).__name__}: {exc}")
    return _write_status_json_once(ws, status)


def wrapper_argv(ws: Workspace, python: str | None = None) -> list[str]:
    """The command line that runs the wrapper for ``ws`` (the same for every scheduler)."""
    return [python or sys.executable, "-m", "remote.sandbox", "run", str(ws.path)]


def package_root() -> Path:
    """The directory that holds the ``remote`` package (goes on the wrapper's PYTHONPATH)."""
    return Path(__file__).resolve().parent.parent


USAGE = "usage: python -m remote.sandbox run WORKSPACE [--accept-token T --accept-wait S]"


def _parse_run(args: Sequence[str]) -> tuple[Path, str | None, float] | None:
    """``run WORKSPACE [--accept-token TOKEN --accept-wait SECONDS]``, or None if malformed."""
    if len(args) not in (2, 6) or args[0] != "run":
        return None
    if len(args) == 2:
        return Path(args[1]), None, 0.0
    opts = dict(zip(args[2::2], args[3::2], strict=True))
    if set(opts) != {"--accept-token", "--accept-wait"}:
        return None
    try:
        wait = float(opts["--accept-wait"])
    except ValueError:
        return None
    return Path(args[1]), opts["--accept-token"], max(0.0, wait)


def main(argv: Sequence[str] | None = None) -> int:
    parsed = _parse_run(list(sys.argv[1:] if argv is None else argv))
    if parsed is None:
        print(USAGE, file=sys.stderr)
        return 2
    path, token, wait = parsed
    if not path.is_dir():
        print(f"remote.sandbox: no workspace at {path}", file=sys.stderr)
        return 2
    try:
        status = run_job_plain(Workspace(path), token, wait)
    except InvalidInput as exc:
        print(f"remote.sandbox: {exc.message}", file=sys.stderr)
        return 2
    print(f"remote.sandbox: {status.get('outcome')}: {status.get('message', '')}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    _code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is written: skip the interpreter's teardown (tens of ms with pydantic
    # loaded), which whoever waits for this process to end would wait for too.
    os._exit(_code)
