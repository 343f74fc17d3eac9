"""Fetch ``rlmutil rlmstat -a -c port@host`` through the caller's executor (see
:mod:`licensing.flexlm.fetch` for the executor contract and the errors)."""

from __future__ import annotations

from core.errors import InfrastructureError
from licensing.flexlm.fetch import DEFAULT_TIMEOUT, Runner, run_status_command, status_command
from licensing.rlm.rlmstat import RlmReport, parse_rlmstat


def rlmstat_command(license_spec: str, rlmutil: str = "rlmutil") -> str:
    """``LANG=C LC_ALL=C rlmutil rlmstat -a -c port@host``."""
    return status_command(rlmutil, "rlmstat", license_spec)


def fetch_rlmstat(run: Runner, license_spec: str, *, timeout: float = DEFAULT_TIMEOUT,
                  rlmutil: str = "rlmutil") -> RlmReport:
    text = run_status_command(run, rlmstat_command(license_spec, rlmutil), timeout, "rlmstat")
    report = parse_rlmstat(text, source=f"rlmstat -c {license_spec}")
    if not report.usable:
        raise InfrastructureError(f"rlmstat: cannot reach the licence server {license_spec}: "
                                  + "; ".join(report.errors)[:300], spec=license_spec)
    return report
