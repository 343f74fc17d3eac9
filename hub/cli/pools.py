"""Licence-pool commands.

``chipcommons-hub``: ``pool list|add-local|edit|quota-set|quotas|release|suspend-user|
import-flexlm|options-file|reconcile``, ``report usage`` and ``worker``.

``chipcommons``: ``pools``, ``lease checkout|return|renew|list``, ``queue join|leave|list``,
``reserve`` and ``reservations``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from core import audit
from core.accounts import get_user
from core.db import transaction
from core.errors import InvalidInput
from core.timeutil import parse_when
from hub.cli import admin, client
from hub.cli.output import emit
from hub.clients.base import HubClient
from licensing import catalogue, leases, quotas, suspensions

SubParsers = argparse._SubParsersAction  # type: ignore[type-arg]
AdminAdd = Callable[..., argparse.ArgumentParser]

POOL_COLUMNS = ["id", "feature", "vendor", "version", "expiry", "kind", "seats", "in_use",
                "max_seats_per_lease", "max_lease_hours", "borrow_hours", "suspended"]
AVAIL_COLUMNS = ["feature", "seats", "free", "leased", "reserved", "granted", "queue_length",
                 "mine", "my_queue_position", "next_booking"]
LEASE_COLUMNS = ["id", "feature", "user", "seats", "kind", "started_at", "expires_at",
                 "ends_by", "ended_at", "end_reason"]
QUEUE_COLUMNS = ["id", "feature", "user", "seats", "status", "position", "joined_at",
                 "hold_expires_at"]
RES_COLUMNS = ["id", "feature", "user", "course", "seats", "starts_at", "ends_at", "status",
               "held", "claimed", "note"]
QUOTA_COLUMNS = ["id", "scope", "subject", "feature", "max_concurrent", "seat_hours", "period",
                 "reserved_share"]


def _when(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_when(text)
    except ValueError as exc:
        raise InvalidInput(f"not a time (ISO 8601, e.g. 2026-11-24T14:00 or with +09:00): "
                           f"{text!r}") from exc


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"not a date (YYYY-MM-DD): {text!r}") from exc


# == chipcommons-hub ===========================================================================

def cmd_pool_list(args: argparse.Namespace) -> int:
    hub = admin._hub(args)
    with transaction(hub.sessions, write=False) as session:
        pools = catalogue.list_pools(session)
    emit(pools, as_json=args.json, columns=POOL_COLUMNS)
    return 0


def cmd_pool_add_local(args: argparse.Namespace) -> int:
    hub = admin._hub(args)
    with transaction(hub.sessions) as session:
        pool = catalogue.add_local_pool(session, args.feature, args.seats, label=args.label or "",
                                        max_seats_per_lease=args.max_per_lease,
                                        max_lease_hours=args.max_hours)
        info = catalogue.pool_info(pool)
        audit.record(session, admin._operator(), "pool.add_local", args.feature,
                     after={"seats": args.seats})
    emit(info, as_json=args.json, columns=POOL_COLUMNS)
    return 0


def cmd_pool_edit(args: argparse.Namespace) -> int:
    hub = admin._hub(args)
    changes: dict[str, Any] = {k: v for k, v in {
        "seats": args.seats, "max_seats_per_lease": args.max_per_lease,
        "max_lease_hours": args.max_hours, "lease_ttl_minutes": args.ttl_minutes,
        "queue_grace_minutes": args.queue_grace_minutes,
        "no_show_minutes": args.no_show_minutes, "borrow_hours": args.borrow_hours,
        "approval_required": args.approval, "suspended": args.suspended}.items()
        if v is not None}
    if not changes:
        raise InvalidInput("nothing to change (give --seats, --max-hours, …)")
    with transaction(hub.sessions) as session:
        before, after = catalogue.update_pool(session, args.pool_id, changes)
        audit.record(session, admin._operator(), "pool.update", f"pool:{args.pool_id}",
                     before={k: str(getattr(before, k)) for k in changes},
                     after={k: str(getattr(after, k)) for k in changes})
    emit(after, as_json=args.json, columns=POOL_COLUMNS)
    return 0


def cmd_pool_quota_set(args: argparse.Namespace) -> int:
    hub = admin._hub(args)
    with transaction(hub.sessions) as session:
        _before, info = quotas.set_quota(
            session, args.scope, args.subject, feature=args.feature,
            max_concurrent=args.concurrent, seat_hours=args.seat_hours, period=args.period,
            term_start=_day(args.term_start), term_end=_day(args.term_end),
            reserved_share=args.reserved_share)
        audit.record(session, admin._operator(), "quota.set",
                     f"{args.scope}:{args.subject}:{args.feature or '*'}",
                     after={"max_concurrent": args.concurrent, "seat_hours": args.seat_hours,
                            "period": args.period, "reserved_share": args.reserved_share})
    emit(info, as_json=args.json, columns=QUOTA_COLUMNS)
    return 0


def cmd_pool_quotas(args: argparse.Namespace) -> int:
    hub = admin._hub(args)
    with transaction(hub.sessions, write=False) as session:
        rows = quotas.list_quotas(session)
    emit(rows, as_json=args.json, columns=QUOTA_COLUMNS)
    return 0


def cmd_pool_release(args: argparse.Namespace) -> int:
    from hub.worker import notifier

    hub = admin._hub(args)
    now = hub.clock()
    with transaction(hub.sessions) as session:
        info = leases.force_release(session, args.lease_id, now,
                                    notify=notifier(session, now))
        audit.record(session, admin._operator(), "lease.force_release", f"lease:{args.lease_id}",
                     after={"why": args.reason or ""})
    emit(info, as_json=args.json, columns=LEASE_COLUMNS)
    return 0


def cmd_pool_suspend_user(args: argparse.Namespace) -> int:
    from hub.worker import notifier

    hub = admin._hub(args)
    now = hub.clock()
    with transaction(hub.sessions) as session:
        user = get_user(session, args.login)
        result = (suspensions.unsuspend(session, user) if args.lift else
                  suspensions.suspend(session, user, args.reason or "", now,
                                      notifier(session, now)))
        audit.record(session, admin._operator(),
                     "licensing.unsuspend" if args.lift else "licensing.suspend", args.login,
                     after={"reason": args.reason or ""})
    emit(result, as_json=args.json)
    return 0


def cmd_pool_import_flexlm(args: argparse.Namespace) -> int:
    from licensing import interop

    text = _read_input(args.file)
    hub = admin._hub(args)
    with transaction(hub.sessions) as session:
        result = interop.import_license_file(session, text, args.file)
        audit.record(session, admin._operator(), "licensing.import_flexlm", args.file,
                     after={"server": result.server, "pools_added": result.pools_added,
                            "pools_updated": result.pools_updated})
    emit(result, as_json=args.json)
    return 0


def cmd_pool_options_file(args: argparse.Namespace) -> int:
    from licensing import interop

    hub = admin._hub(args)
    with transaction(hub.sessions, write=False) as session:
        text = interop.options_file(session, args.vendor, hub.clock())
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_pool_reconcile(args: argparse.Namespace) -> int:
    from licensing import interop

    text = _read_input(args.lmstat)
    hub = admin._hub(args)
    with transaction(hub.sessions, write=False) as session:
        report = interop.reconcile_lmstat(session, text, hub.clock(), source=args.lmstat)
    if args.json:
        emit(report, as_json=True)
        return 0
    lines = [f"matched leases: {len(report.matched)}",
             f"seats used without a lease: {report.seats_without_lease}"]
    lines += [f"  {u.user} uses {u.seats} x {u.feature} (leased {u.leased_seats})"
              for u in report.unleased]
    lines.append(f"idle leases: {len(report.idle_leases)}")
    lines += [f"  lease {i.lease.lease_id}: {i.lease.user} {i.lease.seats} x {i.lease.feature}"
              for i in report.idle_leases]
    lines.append(f"bookings sitting idle: {len(report.idle_reservations)} "
                 f"({report.reserved_idle_seats} seats)")
    lines += [f"  booking {r.reservation.reservation_id}: {r.reservation.owner} "
              f"{r.reservation.feature}, {r.seats_in_use} of {r.reservation.seats} seats used"
              for r in report.idle_reservations]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _read_input(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        raise InvalidInput(f"cannot read {name}: {exc.strerror}") from exc


def cmd_report_usage(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from licensing import usage

    hub = admin._hub(args)
    now = hub.clock()
    end = _when(args.end) or now
    start = _when(args.start) or end - timedelta(days=30)
    usage.refresh_rollup(hub.sessions, now)
    with transaction(hub.sessions, write=False) as session:
        report = usage.usage_report(session, start, end, now)
    fmt = "json" if args.json else args.format
    if fmt == "csv":
        sys.stdout.write(usage.to_csv(report))
    elif fmt == "json":
        emit(report, as_json=True)
    else:
        emit(list(report.features), as_json=False, columns=[
            "feature", "seats", "seat_hours", "peak", "utilisation", "denials",
            "queue_wait_p50_minutes", "queue_wait_p95_minutes", "reserved_idle_hours"])
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from hub import worker

    hub = admin._hub(args)
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def show(report: worker.TickReport) -> None:
        if report.changed or args.verbose:
            emit(report, as_json=args.json, columns=[
                "at", "expired", "lapsed", "started", "ended", "no_show_released", "topped_up",
                "granted"])
            sys.stdout.flush()

    if not args.once:
        sys.stderr.write("chipcommons-hub worker: waiting to become the active worker\n")
    worker.run(hub, stop, interval=args.interval, on_tick=show, once=args.once)
    return 0


def extend_admin(sub: SubParsers, add: AdminAdd) -> None:
    pool = sub.add_parser("pool", help="licence pools, quotas and FlexLM interop")
    psub = pool.add_subparsers(dest="pool_command", required=True)
    add("list", cmd_pool_list, "list every pool", psub)
    p = add("add-local", cmd_pool_add_local, "add a pool for a resource without a licence "
            "server (simulator slots, GPU shares)", psub)
    p.add_argument("feature")
    p.add_argument("--seats", type=int, required=True)
    p.add_argument("--label")
    p.add_argument("--max-per-lease", type=int, default=1)
    p.add_argument("--max-hours", type=float, default=12.0)
    p = add("edit", cmd_pool_edit, "edit a pool's seats and limits", psub)
    p.add_argument("pool_id", type=int)
    p.add_argument("--seats", type=int)
    p.add_argument("--max-per-lease", type=int)
    p.add_argument("--max-hours", type=float)
    p.add_argument("--ttl-minutes", type=int)
    p.add_argument("--queue-grace-minutes", type=int)
    p.add_argument("--no-show-minutes", type=int)
    p.add_argument("--borrow-hours", type=int)
    p.add_argument("--approval", action=argparse.BooleanOptionalAction, default=None,
                   help="bookings need an admin's approval")
    p.add_argument("--suspended", action=argparse.BooleanOptionalAction, default=None)
    p = add("quota-set", cmd_pool_quota_set, "set a quota for an organisation, an "
            "organisation kind (e.g. startup) or a course", psub)
    p.add_argument("scope", choices=["org", "org_kind", "course"])
    p.add_argument("subject", help="organisation code, organisation kind or course code")
    p.add_argument("--feature", help="one feature (default: all)")
    p.add_argument("--concurrent", type=int, help="most seats at once")
    p.add_argument("--seat-hours", type=float, help="seat-hours per period")
    p.add_argument("--period", choices=["month", "term", "none"], default="month")
    p.add_argument("--term-start")
    p.add_argument("--term-end")
    p.add_argument("--reserved-share", type=int, default=0, help="seats kept for the subject")
    add("quotas", cmd_pool_quotas, "list quotas", psub)
    p = add("release", cmd_pool_release, "force-release a lease", psub)
    p.add_argument("lease_id", type=int)
    p.add_argument("--reason")
    p = add("suspend-user", cmd_pool_suspend_user, "bar a user from the pools (--lift to undo)",
            psub)
    p.add_argument("login")
    p.add_argument("--reason")
    p.add_argument("--lift", action="store_true")
    p = add("import-flexlm", cmd_pool_import_flexlm, "import a FlexLM licence file (all or "
            "nothing)", psub)
    p.add_argument("file")
    p = add("options-file", cmd_pool_options_file, "print the options file generated for a "
            "vendor daemon", psub)
    p.add_argument("vendor")
    p.add_argument("-o", "--output", help="write it to this file")
    p = add("reconcile", cmd_pool_reconcile, "compare lmstat -a output with leases", psub)
    p.add_argument("--lmstat", required=True, help="lmstat -a output file, or - for stdin")
    for extend in POOL_EXTENSIONS:
        extend(psub, add)
    report = sub.add_parser("report", help="reports")
    rsub = report.add_subparsers(dest="report_command", required=True)
    p = add("usage", cmd_report_usage, "licence usage: seat-hours, peaks, utilisation, "
            "denials, queue waits, idle bookings", rsub)
    p.add_argument("--from", dest="start", help="start (default: 30 days before --to)")
    p.add_argument("--to", dest="end", help="end (default: now)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p = add("worker", cmd_worker, "run the background worker (one active per centre)")
    p.add_argument("--interval", type=float, default=5.0, help="seconds between rounds")
    p.add_argument("--once", action="store_true", help="one round, then exit")
    p.add_argument("--verbose", action="store_true", help="print every round")


#: Further ``pool`` subcommands (FlexLM interop, reports) register here.
POOL_EXTENSIONS: list[Callable[[SubParsers, AdminAdd], None]] = []


# == chipcommons ===============================================================================

def verb_pools(hub: HubClient, args: argparse.Namespace) -> int:
    rows = hub.call("licensing.pools", feature=args.feature)
    if args.json:
        emit(rows, as_json=True)
        return 0
    table = []
    for r in rows:
        booking = r.next_booking
        table.append({**{c: getattr(r, c) for c in AVAIL_COLUMNS if c != "next_booking"},
                      "next_booking": f"{booking.seats} from {_local(booking.starts_at)}"
                      if booking else None})
    emit(table, as_json=False, columns=AVAIL_COLUMNS)
    return 0


def _local(t: datetime) -> str:
    from core.timeutil import CENTRE_ZONE

    return t.astimezone(CENTRE_ZONE).strftime("%m-%d %H:%M")


def verb_lease_checkout(hub: HubClient, args: argparse.Namespace) -> int:
    lease = hub.call("leases.checkout", feature=args.feature, seats=args.seats, hours=args.hours,
                     host=args.host or "", course=args.course, borrow=args.borrow)
    if args.token_file:
        path = Path(args.token_file)
        path.write_text((lease.token or "") + "\n")
        path.chmod(0o600)
    emit(lease, as_json=args.json, columns=LEASE_COLUMNS)
    return 0


def verb_lease_return(hub: HubClient, args: argparse.Namespace) -> int:
    emit(hub.call("leases.return", lease_id=args.lease_id), as_json=args.json,
         columns=LEASE_COLUMNS)
    return 0


def verb_lease_renew(hub: HubClient, args: argparse.Namespace) -> int:
    emit(hub.call("leases.renew", lease_id=args.lease_id, hours=args.hours), as_json=args.json,
         columns=LEASE_COLUMNS)
    return 0


def verb_lease_list(hub: HubClient, args: argparse.Namespace) -> int:
    emit(hub.call("leases.list", everyone=args.all, include_ended=args.ended),
         as_json=args.json, columns=LEASE_COLUMNS)
    return 0


def verb_queue_join(hub: HubClient, args: argparse.Namespace) -> int:
    emit(hub.call("queue.join", feature=args.feature, seats=args.seats, hours=args.hours,
                  priority=args.priority), as_json=args.json, columns=QUEUE_COLUMNS)
    return 0


def verb_queue_leave(hub: HubClient, args: argparse.Namespace) -> int:
    emit(hub.call("queue.leave", feature=args.feature), as_json=args.json, columns=QUEUE_COLUMNS)
    return 0


def verb_queue_list(hub: HubClient, args: argparse.Namespace) -> int:
    emit(hub.call("queue.list", feature=args.feature), as_json=args.json, columns=QUEUE_COLUMNS)
    return 0


def verb_reserve(hub: HubClient, args: argparse.Namespace) -> int:
    params = {"feature": args.feature, "starts": _when(args.start), "ends": _when(args.end),
              "seats": args.seats, "weeks": args.weeks, "course": args.course}
    if args.preview:
        preview = hub.call("reservations.preview", **params)
        emit(preview, as_json=args.json,
             columns=["feature", "seats", "seat_hours", "needs_approval", "conflicts",
                      "quota_problem"])
        return 0 if preview.ok else 1
    rows = hub.call("reservations.create", **params, note=args.note or "")
    emit(rows, as_json=args.json, columns=RES_COLUMNS)
    return 0


def verb_reservations(hub: HubClient, args: argparse.Namespace) -> int:
    if args.cancel is not None:
        rows = hub.call("reservations.cancel", reservation_id=args.cancel, series=args.series)
    else:
        rows = hub.call("reservations.list", everyone=args.all, feature=args.feature,
                        include_done=args.done)
    emit(rows, as_json=args.json, columns=RES_COLUMNS)
    return 0


def extend_client(sub: SubParsers, add: client.Adder) -> None:
    p = add("pools", verb_pools, "licence pools: free, in use, reserved, queued, yours")
    p.add_argument("--feature")
    lease = sub.add_parser("lease", help="check out, return, renew and list seats")
    lsub = lease.add_subparsers(dest="lease_verb", required=True)
    p = add("checkout", verb_lease_checkout, "check out seats of a feature", lsub)
    p.add_argument("feature")
    p.add_argument("-n", "--seats", type=int, default=1)
    p.add_argument("--hours", type=float, default=1.0)
    p.add_argument("--course", help="use your course's lab-session booking")
    p.add_argument("--host", help="the host the tool runs on")
    p.add_argument("--borrow", action="store_true", help="borrow for offline use")
    p.add_argument("--token-file", help="write the signed lease token here (mode 0600)")
    for name, handler in (("return", verb_lease_return), ("renew", verb_lease_renew)):
        p = add(name, handler, f"{name} a lease", lsub)
        p.add_argument("lease_id", type=int)
        if name == "renew":
            p.add_argument("--hours", type=float, help="new end: this many hours from now")
    p = add("list", verb_lease_list, "your leases", lsub)
    p.add_argument("--all", action="store_true", help="everyone's (admins, instructors)")
    p.add_argument("--ended", action="store_true", help="include ended leases")
    q = sub.add_parser("queue", help="wait for seats in line")
    qsub = q.add_subparsers(dest="queue_verb", required=True)
    p = add("join", verb_queue_join, "join the queue for a feature", qsub)
    p.add_argument("feature")
    p.add_argument("-n", "--seats", type=int, default=1)
    p.add_argument("--hours", type=float, default=1.0)
    p.add_argument("--priority", type=int, default=0, help="(instructors) higher goes first")
    p = add("leave", verb_queue_leave, "leave the queue", qsub)
    p.add_argument("feature")
    p = add("list", verb_queue_list, "a feature's queue, or your entries", qsub)
    p.add_argument("feature", nargs="?")
    p = add("reserve", verb_reserve, "book seats for a time window")
    p.add_argument("feature")
    p.add_argument("--from", dest="start", required=True,
                   help="start (ISO 8601; without an offset, the centre's zone)")
    p.add_argument("--to", dest="end", required=True)
    p.add_argument("-n", "--seats", type=int, default=1)
    p.add_argument("--weeks", type=int, default=1, help="repeat weekly (instructors)")
    p.add_argument("--course")
    p.add_argument("--note")
    p.add_argument("--preview", action="store_true", help="show quota use and conflicts only")
    p = add("reservations", verb_reservations, "your bookings (or --all)")
    p.add_argument("--all", action="store_true")
    p.add_argument("--feature")
    p.add_argument("--done", action="store_true", help="include past and cancelled")
    p.add_argument("--cancel", type=int, metavar="ID", help="cancel a booking")
    p.add_argument("--series", action="store_true", help="with --cancel: the rest of the series")


admin.EXTENSIONS.append(extend_admin)
client.EXTENSIONS.append(extend_client)
