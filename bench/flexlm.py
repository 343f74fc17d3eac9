"""Benchmark the FlexLM/RLM parsers, the options-file renderer and reconciliation.

Run: .venv/bin/python bench/flexlm.py   (prints a table; not part of the test suite)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from licensing.flexlm.licfile import parse_license_file  # noqa: E402
from licensing.flexlm.lmstat import parse_lmstat  # noqa: E402
from licensing.flexlm.options import (  # noqa: E402
    ActiveReservation,
    OrgMembers,
    OrgQuota,
    options_from_policy,
    render_options_file,
    validate_options_file,
)
from licensing.reconcile import Checkout, LeaseView, reconcile  # noqa: E402
from licensing.rlm.rlmstat import parse_rlmstat  # noqa: E402

FIX = ROOT / "tests" / "fixtures"


def timed(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def synthetic_lic(n: int) -> str:
    head = "SERVER lic1 0011aabbccdd 27020\nVENDOR snpslmd\nUSE_SERVER\n"
    lines = [f"INCREMENT feat{i % 300} snpslmd 2026.03 31-dec-2027 {i % 7 + 1} \\\n"
             f"  VENDOR_STRING=\"pool {i % 5}\" ISSUED=1-jan-2026 DUP_GROUP=UHD \\\n"
             f"  SIGN=\"{i:04X} 0000 1111 2222 3333 4444 5555 6666\"\n" for i in range(n)]
    return head + "".join(lines)


def synthetic_lmstat(n: int) -> str:
    out = ["License server status: 27020@lic1", "lic1: license server UP (MASTER) v11.19.7",
           "Vendor daemon status (on lic1):", "  snpslmd: UP v11.19.7"]
    per = 500
    for f in range(n // per):
        out.append(f"Users of feat{f}:  (Total of {per * 2} licenses issued;  Total of {per} "
                   "licenses in use)")
        out.append(f'  "feat{f}" v2026.03, vendor: snpslmd, expiry: 31-dec-2027')
        out.append("  floating license")
        out.append("\t4 RESERVATIONs for GROUP org_alpha (lic1/27020)")
        out.extend(f"    user{i} host{i % 97} /dev/pts/{i % 9} (v2026.03) (lic1/27020 {i}), "
                   f"start Fri 9/25 {i % 24}:{i % 60:02d}, {i % 3 + 1} licenses, PID: {i}"
                   for i in range(per))
    return "\n".join(out) + "\n"


def main() -> None:
    rows: list[tuple[str, str, float, str]] = []
    suwanny = (FIX / "flexlm" / "suwanny_flexlm_license_parser__good.lic").read_text()
    t = timed(lambda: parse_license_file(suwanny), 50)
    rows.append(("parse_license_file", "suwanny good.lic (48 lines)", t, ""))
    big_lic = synthetic_lic(5000)
    t = timed(lambda: parse_license_file(big_lic).seat_totals(), 3)
    rows.append(("parse_license_file", "5000 INCREMENTs (15000 lines)", t,
                 f"{5000 / t:,.0f} INCREMENT lines/s"))

    app1 = (FIX / "flexlm" / "flexlm_exporter__lmstat_app1.txt").read_bytes()
    t = timed(lambda: parse_lmstat(app1), 20)
    rows.append(("parse_lmstat", "app1 (713 lines, 127 checkouts)", t, ""))
    big = synthetic_lmstat(100_000)
    t = timed(lambda: parse_lmstat(big).checkouts(UTC, datetime(2026, 9, 26, tzinfo=UTC)), 3)
    rows.append(("parse_lmstat+checkouts", "100k checkout lines", t,
                 f"{100_000 / t:,.0f} lines/s"))
    rlm = (FIX / "rlm" / "omnivector_lm_agent__rlm_output.txt").read_text()
    t = timed(lambda: parse_rlmstat(rlm), 50)
    rows.append(("parse_rlmstat", "rlm_output (69 lines)", t, ""))

    orgs = [OrgMembers(f"Org {i}", tuple(f"u{i}_{j}" for j in range(50))) for i in range(200)]
    rules = options_from_policy(
        quotas=[OrgQuota(o, f"feat{i % 20}", 5) for i, o in enumerate(orgs)],
        reservations=[ActiveReservation(f"feat{i % 20}", 1, user=f"u{i}_0") for i in range(200)],
        suspended_users=[f"u{i}_1" for i in range(100)])
    text = render_options_file("snpslmd", rules)
    t = timed(lambda: render_options_file("snpslmd", rules), 5)
    rows.append(("render_options_file", "200 orgs x 50 users, 200 RESERVE", t,
                 f"{len(text.splitlines())} lines out"))
    t = timed(lambda: validate_options_file(text), 5)
    rows.append(("validate_options_file", "the file above", t, ""))

    now = datetime(2026, 9, 25, 3, 0, tzinfo=UTC)
    cos = [Checkout(f"feat{i % 50}", f"user{i % 5000}", f"host{i % 97}", 1 + i % 3,
                    now - timedelta(minutes=i % 600)) for i in range(20_000)]
    leases = [LeaseView(f"L{i}", f"USER{i % 5000}", f"feat{i % 50}", 2,
                        now - timedelta(hours=1), now + timedelta(hours=1)) for i in range(20_000)]
    t = timed(lambda: reconcile(cos, leases, [], now), 3)
    rows.append(("reconcile", "20k checkouts vs 20k leases", t, f"{20_000 / t:,.0f} pairs/s"))

    print(f"{'function':<24} {'input':<36} {'best time':>11}  note")
    print("-" * 90)
    for fn, what, secs, note in rows:
        shown = f"{secs * 1000:.2f} ms" if secs < 1 else f"{secs:.2f} s"
        print(f"{fn:<24} {what:<36} {shown:>11}  {note}")


if __name__ == "__main__":
    main()
