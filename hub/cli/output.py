"""Printing results for people (aligned tables) or scripts (``--json``)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TextIO

from pydantic import BaseModel

from core.timeutil import CENTRE_ZONE


def plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(CENTRE_ZONE).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple):
        return ",".join(cell(v) for v in value)
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def emit(value: Any, *, as_json: bool, columns: Sequence[str] | None = None,
         out: TextIO | None = None) -> None:
    out = out or sys.stdout
    if as_json:
        json.dump(plain(value), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    rows = value if isinstance(value, list) else [value]
    if not rows:
        out.write("(none)\n")
        return
    dicts = [r if isinstance(r, dict) else
             {f.name: getattr(r, f.name) for f in dataclasses.fields(r)}
             if dataclasses.is_dataclass(r) else r.model_dump() if isinstance(r, BaseModel)
             else {"value": r} for r in rows]
    cols = list(columns or dicts[0].keys())
    table = [[cell(d.get(c)) for c in cols] for d in dicts]
    widths = [max(len(c), *(len(r[i]) for r in table)) for i, c in enumerate(cols)]
    out.write("  ".join(c.upper().ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip()
              + "\n")
    for r in table:
        out.write("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() + "\n")


def fail(message: str, code: int = 1) -> int:
    sys.stderr.write(message.splitlines()[0] if message else "failed")
    sys.stderr.write("\n")
    return code


def add_subcommand(parent: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
                   handler: Callable[..., int], help_text: str) -> argparse.ArgumentParser:
    """A subcommand that runs ``handler`` and, like every listing, takes ``--json``."""
    p = parent.add_parser(name, help=help_text)
    p.set_defaults(handler=handler)
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    return p
