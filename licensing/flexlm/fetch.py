"""Fetch ``lmutil lmstat -a -c port@host`` from the licence server host.

No SSH here: the caller passes ``run(command, timeout) -> (exit_code, stdout, stderr)`` (the
remote layer's paramiko exec, or a local subprocess), so this module stays pure. The command is
run with ``LANG=C LC_ALL=C`` (lmstat's wording is localised otherwise; ``LC_ALL`` overrides a
remote ``LC_ALL`` that ``LANG`` alone would not) and a timeout.

Errors: :class:`core.errors.InfrastructureError` for a timeout, a non-zero exit, or output that
shows no licence server could be reached ("Cannot connect", "Error getting status");
:class:`core.errors.ParseError` for output that is not lmstat. A triad with one member down is
not an error: the report says which server is down.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
from collections.abc import Callable

from core.errors import InfrastructureError, InvalidInput, ParseError
from licensing.flexlm.lmstat import LmstatReport, parse_lmstat

Runner = Callable[[str, float], tuple[int, str, str]]

DEFAULT_TIMEOUT = 30.0
_SPEC_ITEM_RE = re.compile(r"^(\d{1,5})?@[A-Za-z0-9][A-Za-z0-9.\-]{0,252}$")
_TOOL_RE = re.compile(r"^[A-Za-z0-9_./\-]+$")
_CONNECT_FAILURES = ("Cannot connect to license server", "Error getting status",
                     "Cannot read data from license server", "lmgrd is not running")


def check_license_spec(spec: str) -> str:
    """``port@host`` or a triad ``port@h1,port@h2,port@h3``; anything else (spaces, shell
    characters) is refused, since it goes into a remote command line."""
    items = spec.split(",")
    if not spec or len(items) > 3 or not all(_SPEC_ITEM_RE.match(i) for i in items):
        raise InvalidInput(f"licence server {spec!r} is not port@host (or a comma-separated triad)",
                           spec=spec)
    for item in items:
        port = item.split("@", 1)[0]
        if port and not 1 <= int(port) <= 65535:
            raise InvalidInput(f"port {port} is out of range", spec=spec)
    return spec


def status_command(tool: str, verb: str, license_spec: str) -> str:
    if not _TOOL_RE.match(tool):
        raise InvalidInput(f"tool path {tool!r} has characters a command line cannot hold")
    return (f"LANG=C LC_ALL=C {shlex.quote(tool)} {verb} -a -c "
            f"{shlex.quote(check_license_spec(license_spec))}")


def lmstat_command(license_spec: str, lmutil: str = "lmutil") -> str:
    """``LANG=C LC_ALL=C lmutil lmstat -a -c port@host``."""
    return status_command(lmutil, "lmstat", license_spec)


def run_status_command(run: Runner, command: str, timeout: float, what: str) -> str:
    """Run through the caller's executor; InfrastructureError on timeout or non-zero exit."""
    if timeout <= 0:
        raise InvalidInput("timeout must be positive")
    try:
        code, out, err = run(command, timeout)
    except (TimeoutError, subprocess.TimeoutExpired):
        raise InfrastructureError(f"{what} timed out after {timeout:g} s", command=command,
                                  timeout=timeout) from None
    if code == 124:  # coreutils timeout(1)
        raise InfrastructureError(f"{what} timed out after {timeout:g} s", command=command,
                                  timeout=timeout)
    if code != 0:
        detail = (err.strip() or out.strip()).splitlines()[-1:] or ["no output"]
        if any(f in out or f in err for f in _CONNECT_FAILURES):
            raise InfrastructureError(f"{what}: cannot connect to the licence server: "
                                      f"{detail[0][:200]}", command=command, exit_code=code)
        raise InfrastructureError(f"{what} exited with status {code}: {detail[0][:200]}",
                                  command=command, exit_code=code)
    return out


def fetch_lmstat_text(run: Runner, license_spec: str, *, timeout: float = DEFAULT_TIMEOUT,
                      lmutil: str = "lmutil") -> str:
    """The raw ``lmstat -a`` text (for storing beside the parsed report)."""
    return run_status_command(run, lmstat_command(license_spec, lmutil), timeout, "lmstat")


def fetch_lmstat(run: Runner, license_spec: str, *, timeout: float = DEFAULT_TIMEOUT,
                 lmutil: str = "lmutil") -> LmstatReport:
    """Run and parse ``lmstat -a``; raises unless the report is usable for reconciliation."""
    text = fetch_lmstat_text(run, license_spec, timeout=timeout, lmutil=lmutil)
    try:
        report = parse_lmstat(text, source=f"lmstat -c {license_spec}")
    except ParseError:
        if any(f in text for f in _CONNECT_FAILURES):
            raise InfrastructureError("lmstat: cannot connect to the licence server "
                                      f"{license_spec}") from None
        raise
    if not report.usable:
        reasons = list(report.errors) or [s.message or f"{s.host} down" for s in report.servers]
        raise InfrastructureError(f"lmstat: cannot connect to the licence server {license_spec}: "
                                  + "; ".join(reasons)[:300], spec=license_spec)
    return report


def local_runner(command: str, timeout: float) -> tuple[int, str, str]:
    """A :data:`Runner` that runs the command on this host (``sh -c``), for a licence server
    that is local or for tests. On timeout the whole process group is killed and
    ``subprocess.TimeoutExpired`` is raised. Output is decoded as UTF-8 with replacement."""
    proc = subprocess.Popen(["/bin/sh", "-c", command], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return (proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))
