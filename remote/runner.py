"""``chipcommons-run``: the farm-side runner, started inside the sandbox as the job's command.

It copies the job's inputs into its working folder, checks the signed lease token of every
licence feature the backend needs (Ed25519, against the centre's public key) before a licensed
tool starts, runs the backend, and writes ``results.json`` (Gradescope schema) and ``run.json``
(the whole :class:`RunResult`) into the job's ``out/`` folder.

Everything comes from the command line or the environment the job system sets::

    chipcommons-run --backend rtl-sim [--params JSON] [--public-key PEMFILE]
        CHIPCOMMONS_JOB_PARAMS        the backend's parameters (JSON)
        CHIPCOMMONS_LEASE_TOKENS      {"feature": "token", …} (JSON)
        CHIPCOMMONS_LEASE_PUBKEY_FILE the centre's public key (PEM file) …
        CHIPCOMMONS_LEASE_PUBKEY      … or the PEM text itself
        CHIPCOMMONS_COMMAND_TEMPLATES the site's command templates (JSON) for ``command``
        CHIPCOMMONS_INPUTS / _WORK / _OUT, CHIPCOMMONS_WALL_SECONDS

Exit status: 0 success, 1 the run ended with a user's failure, 2 bad usage, 3 the lease was
refused (the tool never started), 4 an infrastructure error.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.errors import ChipError, Expired, TokenInvalid
from remote.backends.registry import BackendRegistry, CommandTemplates
from remote.results import GradescopeResults, Outcome, RunResult

LEASE_TOKEN_KIND = "chipcommons-lease/1"
CLOCK_SKEW_SECONDS = 60
EXIT_REFUSED = 3
EXIT_INFRA = 4


@dataclass(frozen=True)
class VerifiedLease:
    lease_id: int
    user: str
    feature: str
    seats: int
    expires_at: datetime


def check_lease_token(token: str, public_pem: bytes, feature: str, seats: int,
                      now: datetime) -> VerifiedLease:
    """Check a lease token's signature, kind, expiry, feature and seat count.

    Raises :class:`TokenInvalid` (forged, altered, malformed, another feature, too few seats)
    or :class:`Expired`."""
    from core import claims  # cryptography: imported only by jobs that hold leases

    data = claims.verify(token, claims.load_public_key(public_pem))
    if data.get("typ") != LEASE_TOKEN_KIND:
        raise TokenInvalid("this is not a ChipCommons lease token")
    try:
        lease = VerifiedLease(int(data["lid"]), str(data["sub"]), str(data["ftr"]),
                              int(data["n"]), datetime.fromtimestamp(int(data["exp"]), UTC))
        issued = int(data["iat"])
    except (KeyError, TypeError, ValueError) as exc:
        raise TokenInvalid("the lease token lacks a field") from exc
    if now.timestamp() >= lease.expires_at.timestamp():
        raise Expired(f"the lease token for {lease.feature} (lease {lease.lease_id}) has "
                      f"expired", lease=lease.lease_id)
    if issued > now.timestamp() + CLOCK_SKEW_SECONDS:
        raise TokenInvalid("the lease token was issued in the future (check the clocks)")
    if lease.feature != feature:
        raise TokenInvalid(f"the lease token is for {lease.feature}, not {feature}")
    if lease.seats < seats:
        raise TokenInvalid(f"the lease holds {lease.seats} seat(s) of {feature}; the tool "
                           f"needs {seats}")
    return lease


def verify_leases(needed: Mapping[str, int], tokens: Mapping[str, str],
                  public_pem: bytes | None, now: datetime) -> list[VerifiedLease]:
    """Every needed feature must come with a valid token; the first problem is raised."""
    if not needed:
        return []
    if public_pem is None:
        raise TokenInvalid("no centre public key was given to check the lease tokens")
    out = []
    for feature, count in sorted(needed.items()):
        token = tokens.get(feature)
        if not token:
            raise TokenInvalid(f"no lease token for {feature}: the licensed tool may not start")
        out.append(check_lease_token(token, public_pem, feature, count, now))
    return out


def _public_pem(args: argparse.Namespace) -> bytes | None:
    path = args.public_key or os.environ.get("CHIPCOMMONS_LEASE_PUBKEY_FILE")
    if path:
        return Path(path).read_bytes()
    text = os.environ.get("CHIPCOMMONS_LEASE_PUBKEY")
    return text.encode() if text else None


def _copy_inputs(inputs: Path, work: Path) -> None:
    if not inputs.is_dir() or inputs.resolve() == work.resolve():
        return
    for entry in inputs.iterdir():
        target = work / entry.name
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, target, symlinks=True, dirs_exist_ok=True)
        elif entry.is_file() and not entry.is_symlink():
            shutil.copyfile(entry, target)


def _private_tmp(work: Path) -> None:
    """Point TMPDIR at a folder of the job's own when /tmp is not writable (a sandbox's fresh
    /tmp may belong to root while the job runs as an unprivileged uid)."""
    current = os.environ.get("TMPDIR") or "/tmp"
    if os.access(current, os.W_OK | os.X_OK):
        return
    tmp = work / ".tmp"
    tmp.mkdir(mode=0o700, exist_ok=True)
    os.environ["TMPDIR"] = str(tmp)


def _write(result: RunResult, out: Path) -> None:
    result.write(out)
    print(f"chipcommons-run: {result.outcome.value}: {result.message}".rstrip(": "),
          flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="chipcommons-run",
                                     description="run a farm job's backend in its workspace")
    parser.add_argument("--backend", default=env("CHIPCOMMONS_BACKEND"))
    parser.add_argument("--params", default=env("CHIPCOMMONS_JOB_PARAMS", "{}"),
                        help="the backend's parameters (JSON)")
    parser.add_argument("--public-key", help="the centre's lease-token public key (PEM file)")
    parser.add_argument("--inputs", default=env("CHIPCOMMONS_INPUTS"))
    parser.add_argument("--work", default=env("CHIPCOMMONS_WORK", "."))
    parser.add_argument("--out", default=env("CHIPCOMMONS_OUT"))
    parser.add_argument("--wall-seconds", type=float,
                        default=float(env("CHIPCOMMONS_WALL_SECONDS", "3600")))
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parse_args(argv)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else 2
    if not args.backend:
        print("chipcommons-run: no backend given (--backend)", file=sys.stderr)
        return 2
    work = Path(args.work).resolve()
    out = Path(args.out).resolve() if args.out else work / "out"
    try:
        params: dict[str, Any] = json.loads(args.params)
        templates = CommandTemplates.model_validate_json(
            os.environ.get("CHIPCOMMONS_COMMAND_TEMPLATES") or "{}")
        tokens = json.loads(os.environ.get("CHIPCOMMONS_LEASE_TOKENS") or "{}")
        if not isinstance(params, dict) or not isinstance(tokens, dict):
            raise ValueError("parameters and tokens must be JSON objects")
    except ValueError as exc:
        _write(RunResult(outcome=Outcome.INFRASTRUCTURE_ERROR,
                         message=f"the job's description is unreadable: {exc}"), out)
        return EXIT_INFRA
    try:
        backend = BackendRegistry(templates).get(args.backend)
        needed = backend.features(params)
        verify_leases(needed, {str(k): str(v) for k, v in tokens.items()}, _public_pem(args),
                      datetime.now(UTC))
    except (TokenInvalid, Expired) as exc:
        msg = f"lease refused: {exc.message}"
        _write(RunResult(outcome=Outcome.INFRASTRUCTURE_ERROR, message=msg,
                         results=GradescopeResults(output=msg)), out)
        return EXIT_REFUSED
    except (ChipError, OSError) as exc:
        msg = getattr(exc, "message", str(exc))
        _write(RunResult(outcome=Outcome.INFRASTRUCTURE_ERROR, message=msg,
                         results=GradescopeResults(output=msg)), out)
        return EXIT_INFRA
    if needed:
        print(f"chipcommons-run: lease verified for "
              f"{', '.join(f'{f} x{n}' for f, n in sorted(needed.items()))}", flush=True)
    try:
        _private_tmp(work)
        _copy_inputs(Path(args.inputs) if args.inputs else work, work)
        result = backend.run(work, params, timeout=args.wall_seconds)
    except ChipError as exc:
        result = RunResult(outcome=Outcome.COMPILE_ERROR, message=exc.message,
                           results=GradescopeResults(score=0.0, output=exc.message))
    except OSError as exc:
        result = RunResult(outcome=Outcome.INFRASTRUCTURE_ERROR, message=str(exc))
    _write(result, out)
    if result.results.output:
        print(result.results.output[-4000:], flush=True)
    if result.outcome is Outcome.SUCCESS:
        return 0
    return EXIT_INFRA if result.outcome is Outcome.INFRASTRUCTURE_ERROR else 1


if __name__ == "__main__":
    _code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is written: skip the interpreter's teardown (tens of ms with pydantic
    # loaded), which whoever waits for this process to end would wait for too.
    os._exit(_code)
