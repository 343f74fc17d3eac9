"""Run SCALE-Sim once through its Python API, without traces.

This file is run as a script by the interpreter that has ``scalesim`` installed (possibly a venv of
its own, since SCALE-Sim 3.0.0 needs numpy < 2.4), so it imports nothing from ChipCommons — only the
standard library and ``scalesim``::

    python driver.py --config C.cfg --topology T.csv --layout L.csv --outdir OUT --input-type gemm

SCALE-Sim's own command line always writes per-layer traces (hundreds of MB to GB);
``scalesim(save_disk_space=True)`` does not. SCALE-Sim calls ``exit()`` on a missing file and
asserts on bad layers, so everything it raises is caught here and reported as one JSON line on
stdout (``{"ok": false, "error": ...}``) with exit status 2; on success the line is
``{"ok": true, "report_dir": ...}`` and the status 0.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
import traceback


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scalesim-driver")
    parser.add_argument("--config", required=True)
    parser.add_argument("--topology", required=True)
    parser.add_argument("--layout", required=True)
    parser.add_argument("--outdir", required=True)
    parser.add_argument("--input-type", choices=("conv", "gemm"), required=True)
    parser.add_argument("--run-name", required=True,
                        help="the run_name of the config (the report folder's name)")
    return parser.parse_args(argv)


def _emit(payload: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def _forget_own_folder() -> None:
    """Run as a script, this file's folder heads sys.path, and it holds modules named config,
    topology, reports… that must not shadow anything SCALE-Sim or its dependencies import."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]


def _caused_by_memory(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, MemoryError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def run(args: argparse.Namespace) -> dict[str, object]:
    """Run SCALE-Sim; return the JSON-able outcome (never raises)."""
    started = time.perf_counter()
    _forget_own_folder()
    captured = io.StringIO()
    try:
        from scalesim.scale_sim import scalesim
    except Exception as exc:  # ImportError, or numpy's ABI errors
        if _caused_by_memory(exc):
            return {"ok": False, "kind": "memory", "error": "out of memory importing scalesim"}
        return {"ok": False, "kind": "infrastructure",
                "error": f"cannot import scalesim: {type(exc).__name__}: {exc}"}
    outdir = os.path.abspath(args.outdir)
    os.makedirs(outdir, exist_ok=True)
    try:
        with contextlib.redirect_stdout(captured):
            sim = scalesim(save_disk_space=True, verbose=False, config=args.config,
                           topology=args.topology, layout=args.layout,
                           input_type_gemm=args.input_type == "gemm")
            sim.run_scale(top_path=outdir)
    except SystemExit:
        return {"ok": False, "kind": "input",
                "error": "SCALE-Sim exited: " + captured.getvalue().strip().replace("\n", " ")}
    except BaseException as exc:
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {tb[-1].filename}:{tb[-1].lineno}" if tb else ""
        kind = "memory" if _caused_by_memory(exc) else "runtime"
        return {"ok": False, "kind": kind,
                "error": f"{type(exc).__name__}: {exc}{where}".strip()}
    return {"ok": True, "report_dir": os.path.join(outdir, args.run_name),
            "seconds": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> int:
    outcome = run(_parse_args(argv))
    _emit(outcome)
    return 0 if outcome.get("ok") else 2


if __name__ == "__main__":
    sys.exit(main())
