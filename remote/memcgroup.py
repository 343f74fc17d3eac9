"""A memory cgroup for one job: the kernel holds the job to its memory limit.

``RLIMIT_AS`` limits address space, not memory. Programs that reserve large virtual ranges and
touch little of them (JVM-based EDA tools, Go programs, sanitizers, some simulators) fail under
it although they fit, and the pages of a tmpfs (the sandbox's ``/tmp``) are not counted at all.
Where the wrapper may make a cgroup, the job runs in a child of the wrapper's own cgroup with
the limit (``memory.limit_in_bytes`` and no swap beyond it on cgroup v1, ``memory.max`` and
``memory.swap.max`` on v2), nested under whatever holds the wrapper (a Slurm job's cgroup, for
one). The kernel's OOM killer then ends the job and the cgroup says so (``oom_kill``).

Where no cgroup can be made (no root, no memory controller, cgroup v2 without the controller
delegated) :meth:`MemoryCgroup.create` returns None and the wrapper limits ``RLIMIT_AS`` as
before. Plain file reads and writes only: the wrapper loads this module for every job.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

PREFIX = "chipcommons-"  # every job cgroup's name starts so
_REMOVE_SECONDS = 5.0


def _own_paths() -> list[tuple[int, Path]]:
    """The wrapper's own cgroup directories that can hold a memory limit: (version, path),
    cgroup v1's memory hierarchy first, then v2's."""
    mounts: dict[str, tuple[str, str]] = {}  # "v1" / "v2" -> (mount point, root in the fs)
    try:
        with open("/proc/self/mountinfo", encoding="utf-8") as info:
            for line in info:
                left, _, right = line.partition(" - ")
                fields, extra = left.split(), right.split()
                if len(fields) < 5 or len(extra) < 3:
                    continue
                if extra[0] == "cgroup" and "memory" in extra[2].split(","):
                    mounts.setdefault("v1", (fields[4], fields[3]))
                elif extra[0] == "cgroup2":
                    mounts.setdefault("v2", (fields[4], fields[3]))
        with open("/proc/self/cgroup", encoding="utf-8") as own:
            lines = own.read().splitlines()
    except OSError:
        return []
    found: list[tuple[int, Path]] = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        key = ("v1" if "memory" in controllers.split(",") else
               "v2" if controllers == "" else None)
        if key is None or key not in mounts:
            continue
        mount, root = mounts[key]
        if root != "/" and (path == root or path.startswith(root + "/")):
            path = path[len(root):] or "/"
        found.append((1 if key == "v1" else 2, Path(mount + path.rstrip("/"))))
    found.sort()
    return found


def _remove_empty(parent: Path) -> None:
    """Remove the job cgroups under ``parent`` that nothing runs in any more (left by wrappers
    that were killed). A cgroup with a process in it cannot be removed, so a running job's is
    safe; one made a moment ago by another wrapper, before its job joined, may go: that job
    then falls back to ``RLIMIT_AS``."""
    try:
        stale = [p for p in parent.iterdir() if p.name.startswith(PREFIX)]
    except OSError:
        return
    for path in stale:
        with contextlib.suppress(OSError):
            path.rmdir()


def _write(path: Path, value: str) -> None:
    with open(path, "w", encoding="ascii") as f:
        f.write(value)


class MemoryCgroup:
    """One job's memory cgroup (see the module)."""

    def __init__(self, version: int, path: Path) -> None:
        self.version = version
        self.path = path
        self.procs = path / "cgroup.procs"

    @classmethod
    def create(cls, name: str, limit: int) -> MemoryCgroup | None:
        """A child cgroup ``name`` (starting with :data:`PREFIX`) of the wrapper's own,
        holding ``limit`` bytes; None where none can be made."""
        if not name.startswith(PREFIX) or "/" in name:
            raise ValueError(f"a job cgroup's name starts with {PREFIX!r}: {name!r}")
        for version, parent in _own_paths():
            path = parent / name
            _remove_empty(parent)
            try:
                path.mkdir()
            except OSError:
                continue
            made = cls(version, path)
            try:
                if version == 1:
                    _write(path / "memory.limit_in_bytes", str(limit))
                    with contextlib.suppress(OSError):  # absent without swap accounting
                        _write(path / "memory.memsw.limit_in_bytes", str(limit))
                else:
                    _write(path / "memory.max", str(limit))
                    with contextlib.suppress(OSError):
                        _write(path / "memory.swap.max", "0")
            except OSError:
                made.remove()
                continue
            return made
        return None

    def join(self) -> None:
        """Move the calling process into the cgroup (in the job's child, before its exec)."""
        _write(self.procs, str(os.getpid()))

    def oom_kills(self) -> int:
        """How many processes of the job the kernel's OOM killer ended."""
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        try:
            text = (self.path / name).read_text(encoding="ascii")
        except OSError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value or 0)
        return 0

    def remove(self) -> bool:
        """Kill what is left in the cgroup and remove it; False if it would not go."""
        deadline = time.monotonic() + _REMOVE_SECONDS
        while True:
            try:
                self.path.rmdir()
                return True
            except FileNotFoundError:
                return True
            except OSError:
                if time.monotonic() > deadline:
                    return False
            with contextlib.suppress(OSError):
                for pid in self.procs.read_text(encoding="ascii").split():
                    with contextlib.suppress(ProcessLookupError, ValueError):
                        os.kill(int(pid), signal.SIGKILL)
            time.sleep(0.01)


def available() -> bool:
    """Whether this process can give a job a memory cgroup."""
    probe = MemoryCgroup.create(f"{PREFIX}probe-{os.getpid()}", 1 << 30)
    if probe is None:
        return False
    probe.remove()
    return True
