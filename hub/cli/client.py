"""The ``chipcommons`` verbs: the same client as the GUI, without a window, for scripts.

Every listing takes ``--json``; every failure exits non-zero with a one-line reason.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from core.errors import ChipError
from hub.cli.output import add_subcommand, emit, fail
from hub.clients.base import HubClient

Verb = Callable[[HubClient, argparse.Namespace], int]
Adder = Callable[..., argparse.ArgumentParser]

#: Parts register their verbs here: ``extend(subparsers, add)``.
EXTENSIONS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser], Adder], None]] = []


def verb_whoami(client: HubClient, args: argparse.Namespace) -> int:
    emit(client.call("me.whoami"), as_json=args.json)
    return 0


def verb_ping(client: HubClient, args: argparse.Namespace) -> int:
    emit(client.call("system.ping"), as_json=args.json)
    return 0


def verb_notifications(client: HubClient, args: argparse.Namespace) -> int:
    emit(client.call("notifications.since", after_id=args.after), as_json=args.json,
         columns=["id", "kind", "created_at", "payload"])
    return 0


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--centre", help="ssh://user@host[:port] or a database URL "
                        "(default: the embedded centre)")
    parser.add_argument("--as", dest="as_user", help="act as USER (database centres)")
    parser.add_argument("--key", help="SSH private key (default: ChipCommons' own key)")
    parser.add_argument("--jump", help="ssh://user@host[:port] to jump through (ProxyJump)")
    parser.add_argument("--known-hosts", help="known_hosts file to check host keys against")
    parser.add_argument("--accept-host-key", metavar="SHA256:…",
                        help="trust a first-seen host whose key has this fingerprint")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per call")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--lang", choices=["ko", "en"], help="language of the GUI")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chipcommons", description="ChipCommons client")
    add_common(parser)
    sub = parser.add_subparsers(dest="verb")

    def add(name: str, handler: Verb, help_text: str,
            parent: argparse._SubParsersAction[argparse.ArgumentParser] = sub
            ) -> argparse.ArgumentParser:
        return add_subcommand(parent, name, handler, help_text)

    add("whoami", verb_whoami, "show who you are on the centre")
    add("ping", verb_ping, "check the connection and the centre's clock")
    p = add("notifications", verb_notifications, "list your notifications")
    p.add_argument("--after", type=int, default=0)
    for extend in EXTENSIONS:
        extend(sub, add)
    return parser


def run(args: argparse.Namespace) -> int:
    # Imported here: ``chipcommons-hub serve`` shares this package and needs no SSH client.
    from hub.cli.connect import connect

    try:
        client = connect(args.centre, as_user=args.as_user, key=args.key,
                         accept_fingerprint=args.accept_host_key, jump=args.jump,
                         known_hosts=args.known_hosts, timeout=args.timeout)
    except ChipError as exc:
        return fail(f"chipcommons: {exc.message}")
    try:
        return int(args.handler(client, args))
    except ChipError as exc:
        return fail(f"chipcommons: {exc.message}")
    except (OSError, ValueError) as exc:
        return fail(f"chipcommons: {exc}")
    finally:
        client.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.verb is None:
        build_parser().print_help(sys.stderr)
        return 2
    return run(args)
