"""``chipcommons-hub``: the centre side and admin tasks, acting on ``--db URL``."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import shlex
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from types import FrameType

from core import accounts, audit
from core.db import transaction
from core.errors import ChipError, InvalidInput
from hub import authorized_keys
from hub.api import Hub
from hub.broker import BROKER_WORKERS, Broker
from hub.centre import init_centre, open_hub, resolve_db_url
from hub.cli.output import add_subcommand, emit, fail
from hub.relay import relay, socket_path
from hub.server import serve

RPC_COMMANDS = frozenset({"chipcommons-hub rpc"})
Handler = Callable[[argparse.Namespace], int]


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _hub(args: argparse.Namespace) -> Hub:
    return open_hub(args.db)


# -- handlers ----------------------------------------------------------------------------------

def cmd_init(args: argparse.Namespace) -> int:
    hub = init_centre(args.db, with_demo=args.demo)
    url = resolve_db_url(args.db)
    emit({"database": url.split("@")[-1], "home": hub.settings["home"], "demo": args.demo},
         as_json=args.json)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    refusal: ChipError | None = None
    if os.environ.get("SSH_CONNECTION"):
        original = os.environ.get("SSH_ORIGINAL_COMMAND")
        if original is None or original.strip() not in RPC_COMMANDS:
            shown = "an interactive session" if original is None else repr(original[:80])
            sys.stderr.write(f"chipcommons-hub: this key only serves ChipCommons RPC "
                             f"(asked for {shown}); use the ChipCommons client\n")
            return 2
    # The centre's broker answers the connection when it runs; this process then only relays.
    relayed = relay(socket_path(resolve_db_url(args.db)), args.user, args.key or None)
    if relayed is not None:
        return relayed
    try:
        hub = open_hub(args.db)
    except ChipError as exc:
        # Answer every request with the reason, so the client shows it; the refusal means the
        # (unopened) hub is never called.
        hub = Hub.__new__(Hub)
        refusal = exc
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    # With the key, every call (and every notification poll) checks it in the caller's own
    # query: a revoked key is refused from the first call, or the next one once revoked.
    return serve(hub, args.user, refusal=refusal, key=args.key or None)


def cmd_broker(args: argparse.Namespace) -> int:
    """Answer every SSH connection of the centre from this process (see :mod:`hub.broker`)."""
    hub = _hub(args)
    broker = Broker(hub, socket_path(resolve_db_url(args.db)), workers=args.workers)
    broker.bind()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        broker.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    sys.stderr.write(f"chipcommons-hub broker: serving {broker.path}\n")
    sys.stderr.flush()
    broker.serve_forever()
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    hub = _hub(args)
    key = accounts.parse_public_key(Path(args.key).read_text()) if args.key else None
    ak_path = Path(args.authorized_keys) if args.authorized_keys else authorized_keys.default_path()
    prefix = args.serve_command or _default_serve_prefix(args.db)
    if key is not None:
        # Refuse before touching the database if the key is already in authorized_keys.
        authorized_keys.key_line(prefix, args.name, key)
    with transaction(hub.sessions) as session:
        user = accounts.add_user(session, args.name, org=args.org, roles=args.role,
                                 name_en=args.name_en or "", name_ko=args.name_ko or "",
                                 email=args.email or "")
        if key is not None:
            accounts.add_key(session, user, key)
            authorized_keys.add(ak_path, prefix, args.name, key)
        info = accounts.user_info(user)
        audit.record(session, _operator(), "user.add", args.name,
                     after={"roles": list(info.roles), "org": info.org,
                            "key": key.fingerprint if key else None})
    emit(info, as_json=args.json)
    return 0


def cmd_user_key_add(args: argparse.Namespace) -> int:
    hub = _hub(args)
    key = accounts.parse_public_key(Path(args.key).read_text())
    ak_path = Path(args.authorized_keys) if args.authorized_keys else authorized_keys.default_path()
    prefix = args.serve_command or _default_serve_prefix(args.db)
    with transaction(hub.sessions) as session:
        user = accounts.get_user(session, args.name)
        accounts.add_key(session, user, key)
        authorized_keys.add(ak_path, prefix, args.name, key)
        audit.record(session, _operator(), "user.key_add", args.name,
                     after={"fingerprint": key.fingerprint})
    emit({"login": args.name, "fingerprint": key.fingerprint}, as_json=args.json)
    return 0


def cmd_user_key_revoke(args: argparse.Namespace) -> int:
    hub = _hub(args)
    ak_path = Path(args.authorized_keys) if args.authorized_keys else authorized_keys.default_path()
    with transaction(hub.sessions) as session:
        row = accounts.revoke_key(session, args.fingerprint)
        removed = authorized_keys.remove(ak_path, args.fingerprint) if ak_path.exists() else 0
        audit.record(session, _operator(), "user.key_revoke", str(row.user_id),
                     after={"fingerprint": args.fingerprint, "lines_removed": removed})
    emit({"fingerprint": args.fingerprint, "revoked": True, "lines_removed": removed},
         as_json=args.json)
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    hub = _hub(args)
    with transaction(hub.sessions, write=False) as session:
        users = accounts.list_users(session)
    emit(users, as_json=args.json,
         columns=["login", "name_en", "name_ko", "org", "roles", "disabled"])
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    hub = _hub(args)
    with transaction(hub.sessions) as session:
        user = accounts.get_user(session, args.name)
        user.disabled = not args.enable
        audit.record(session, _operator(), "user.enable" if args.enable else "user.disable",
                     args.name)
        info = accounts.user_info(user)
    emit(info, as_json=args.json)
    return 0


def cmd_org_add(args: argparse.Namespace) -> int:
    hub = _hub(args)
    with transaction(hub.sessions) as session:
        org = accounts.add_org(session, args.code, args.name, args.kind, name_ko=args.name_ko or "",
                               eligible_from=_date(args.eligible_from),
                               eligible_until=_date(args.eligible_until))
        info = accounts.org_info(org)
        audit.record(session, _operator(), "org.add", args.code, after={"kind": args.kind})
    emit(info, as_json=args.json)
    return 0


def cmd_org_list(args: argparse.Namespace) -> int:
    hub = _hub(args)
    with transaction(hub.sessions, write=False) as session:
        orgs = accounts.list_orgs(session)
    emit(orgs, as_json=args.json)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from hub.doctor import run_checks

    checks = run_checks(resolve_db_url(args.db))
    emit(checks, as_json=args.json, columns=["check", "ok", "detail"])
    return 0 if all(c["ok"] for c in checks if c.get("required", True)) else 1


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _default_serve_prefix(db: str | None) -> str:
    exe = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else Path("chipcommons-hub")
    if exe.name != "chipcommons-hub":
        found = Path(sys.executable).with_name("chipcommons-hub")
        exe = found if found.exists() else Path("chipcommons-hub")
    url = resolve_db_url(db)
    return f"{exe} --db {shlex.quote(url)}"


# -- parser ------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chipcommons-hub",
                                     description="ChipCommons centre service and admin tasks")
    parser.add_argument("--db", help="database URL (sqlite:///PATH or postgresql://…); "
                        "default $CHIPCOMMONS_DB or the embedded centre")
    parser.add_argument("--json", action="store_true", help="print JSON")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Handler, help_text: str,
            parent: argparse._SubParsersAction[argparse.ArgumentParser] = sub
            ) -> argparse.ArgumentParser:
        return add_subcommand(parent, name, handler, help_text)

    p = add("init", cmd_init, "create or upgrade the centre's database")
    p.add_argument("--demo", action="store_true", help="seed the demo centre")
    p = add("serve", cmd_serve, "serve JSON-RPC on stdin/stdout (the SSH forced command)")
    p.add_argument("--user", required=True)
    p.add_argument("--key", help="fingerprint of the key that was used (refused once revoked)")
    p = add("broker", cmd_broker, "answer every SSH connection from one process (the "
            "forced commands then only relay to it)")
    p.add_argument("--workers", type=int, default=BROKER_WORKERS,
                   help="calls answered at once (default %(default)s)")
    p = add("rpc", cmd_serve, "alias of serve, for local pipes")
    p.add_argument("--user", required=True)
    p.add_argument("--key")

    user = sub.add_parser("user", help="users and their keys")
    usub = user.add_subparsers(dest="user_command", required=True)
    for name, handler in (("add", cmd_user_add), ("key-add", cmd_user_key_add)):
        p = add(name, handler, f"user {name}", usub)
        p.add_argument("name")
        p.add_argument("--authorized-keys", help="the service account's authorized_keys file")
        p.add_argument("--serve-command", help="command prefix for the forced command")
        if name == "add":
            p.add_argument("--role", action="append", required=True,
                           choices=["student", "engineer", "instructor", "admin"])
            p.add_argument("--org", required=True)
            p.add_argument("--key", help="OpenSSH public key file")
            p.add_argument("--name-en")
            p.add_argument("--name-ko")
            p.add_argument("--email")
        else:
            p.add_argument("key", help="OpenSSH public key file")
    p = add("key-revoke", cmd_user_key_revoke, "revoke a key by its SHA256 fingerprint", usub)
    p.add_argument("fingerprint")
    p.add_argument("--authorized-keys")
    add("list", cmd_user_list, "list users", usub)
    p = add("disable", cmd_user_disable, "disable (or --enable) a user", usub)
    p.add_argument("name")
    p.add_argument("--enable", action="store_true")

    org = sub.add_parser("org", help="organisations")
    osub = org.add_subparsers(dest="org_command", required=True)
    p = add("add", cmd_org_add, "add an organisation", osub)
    p.add_argument("code")
    p.add_argument("--name", required=True)
    p.add_argument("--name-ko")
    p.add_argument("--kind", required=True, choices=["university", "startup", "centre", "company"])
    p.add_argument("--eligible-from")
    p.add_argument("--eligible-until")
    add("list", cmd_org_list, "list organisations", osub)

    add("doctor", cmd_doctor, "check the centre's database, keys and tools")
    for extend in EXTENSIONS:
        extend(sub, add)
    return parser


#: Parts that land later register their subcommands here: ``extend(subparsers, add)``.
EXTENSIONS: list[Callable[..., None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except ChipError as exc:
        return fail(f"chipcommons-hub: {exc.message}")
    except (OSError, ValueError) as exc:
        return fail(f"chipcommons-hub: {exc}")
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
