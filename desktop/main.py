"""``chipcommons``: with a verb, the command-line client; without one, the desktop app.

The window path does not import the hub before the window is painted (the client verbs'
parser pulls in the whole hub, which costs seconds): ``desktop.app.gui_arguments`` parses the
options the window takes.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

#: options of the common client parser that take a value (``--opt value``)
VALUE_OPTIONS = frozenset({"--centre", "--as", "--key", "--jump", "--known-hosts",
                           "--accept-host-key", "--timeout", "--lang"})


def verb_given(argv: Sequence[str]) -> bool:
    """True if ``argv`` names a verb (or asks for help), i.e. the command-line client."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("-h", "--help"):
            return True
        elif arg in VALUE_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not verb_given(argv):
        from desktop.app import gui_arguments, run_gui

        return run_gui(gui_arguments(argv))
    from hub import __version__
    from hub.cli import client

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
