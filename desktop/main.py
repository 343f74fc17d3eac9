"""``chipcommons``: with a verb, the command-line client; without one, the desktop app."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from hub import __version__
from hub.cli import client


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = client.build_parser()
    parser.add_argument("--self-test", action="store_true",
                        help="open every screen offscreen and exit 0 if all rendered")
    parser.add_argument("--version", action="version", version=f"chipcommons {__version__}")
    args = parser.parse_args(argv)
    if args.verb is not None:
        return client.run(args)
    from desktop.app import run_gui

    return run_gui(args)


if __name__ == "__main__":
    raise SystemExit(main())
