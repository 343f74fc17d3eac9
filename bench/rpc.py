"""Round-trip latency of the Hub over SSH, beside its floors, in one run.

    .venv/bin/python bench/rpc.py [--calls 2000] [--soak-seconds 30] [--clients 64]

Measures, on a private loopback sshd and an SQLite centre:
  * RemoteHub: a no-op (system.ping) and a small write (me.set_preference, audited, idempotent);
  * (a) one `ssh` process per call on the same sshd (the naive design);
  * (b) a persistent paramiko channel to a trivial JSON-lines echo behind the same kind of
    forced command (the floor for this design);
  * (c) the same operations in-process (LocalHub, which still round-trips through the codec);
then a soak: N concurrent RemoteHub clients for S seconds, counting errors.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import paramiko

# bench/licensing.py would shadow the licensing package: the project root goes first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hub.centre import open_hub
from hub.clients.local import LocalHub
from hub.clients.remote import RemoteHub, SshTarget, load_private_key
from tests.conftest import make_ssh_centre
from tests.support import services

ECHO = """import sys, json
for line in sys.stdin:
    msg = json.loads(line)
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": msg.get("id"), "result": None}) + "\\n")
    sys.stdout.flush()
"""


def timed(fn: Callable[[int], object], n: int) -> list[float]:
    for i in range(min(50, n)):  # warm up
        fn(i)
    out = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--ssh-calls", type=int, default=20)
    ap.add_argument("--soak-seconds", type=float, default=30)
    ap.add_argument("--clients", type=int, default=64)
    args = ap.parse_args()

    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    work = Path(tempfile.mkdtemp(prefix="cc-bench-rpc-"))
    sshd = services.start_sshd(work / "sshd")
    try:
        url = f"sqlite:///{work / 'centre.sqlite3'}"
        centre = make_ssh_centre(url, sshd, work)
        key = centre.keys["demo.engineer"]
        target = SshTarget("127.0.0.1", sshd.user, sshd.port, key)
        rows: list[tuple[str, list[float]]] = []

        remote = RemoteHub(target, known_hosts=centre.known_hosts)
        rows.append(("RemoteHub no-op (system.ping)",
                     timed(lambda i: remote.call("system.ping"), args.calls)))
        rows.append(("RemoteHub small write (me.set_preference)",
                     timed(lambda i: remote.call("me.set_preference", key="theme",
                                                 value=f"v{i}"), args.calls)))

        # (b) the floor: a persistent channel to a JSON-lines echo behind a forced command.
        echo_key = work / "echo_key"
        line = services.write_keypair(echo_key)
        (work / "echo.py").write_text(ECHO)
        with sshd.authorized_keys.open("a") as handle:
            handle.write(f'command="{sys.executable} {work / "echo.py"}",restrict {line}\n')
        client = paramiko.SSHClient()
        client.load_host_keys(str(centre.known_hosts))
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        client.connect("127.0.0.1", sshd.port, sshd.user, pkey=load_private_key(echo_key),
                       look_for_keys=False, allow_agent=False)
        channel = client.get_transport().open_session()  # type: ignore[union-attr]
        channel.exec_command("echo")
        reader = channel.makefile("rb")

        def echo_call(i: int) -> None:
            channel.sendall(json.dumps({"jsonrpc": "2.0", "id": i, "method": "x",
                                        "params": {}}).encode() + b"\n")
            reader.readline()

        rows.append(("(b) floor: paramiko channel to a JSON-lines echo",
                     timed(echo_call, args.calls)))
        client.close()

        # (a) one ssh per call.
        request = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "system.ping",
                              "params": {}}) + "\n"

        def ssh_call(i: int) -> None:
            subprocess.run(["ssh", "-q", "-i", str(key), "-p", str(sshd.port),
                            "-o", f"UserKnownHostsFile={centre.known_hosts}",
                            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                            f"{sshd.user}@127.0.0.1", "chipcommons-hub rpc"],
                           input=request.encode(), capture_output=True, check=True, timeout=60)

        rows.append(("(a) one ssh per call, no-op", timed(ssh_call, args.ssh_calls)))

        # (c) in process.
        local = LocalHub(open_hub(url), "demo.engineer")
        rows.append(("(c) in-process LocalHub no-op",
                     timed(lambda i: local.call("system.ping"), args.calls)))
        rows.append(("(c) in-process LocalHub small write",
                     timed(lambda i: local.call("me.set_preference", key="theme",
                                                value=f"w{i}"), args.calls)))

        floor = statistics.median(rows[2][1])
        print(f"\n{'operation':<46} {'n':>6} {'p50 ms':>9} {'p99 ms':>9} {'p50/floor':>10}")
        for name, values in rows:
            p50 = pct(values, 0.5)
            print(f"{name:<46} {len(values):>6} {p50:>9.3f} {pct(values, 0.99):>9.3f} "
                  f"{p50 / floor:>10.1f}")
        print("\ntargets: RemoteHub no-op p50 <= 0.5 ms; small write p50 <= 2 ms")
        print("load average: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        remote.close()

        # Soak: many concurrent clients.
        clients = [RemoteHub(SshTarget("127.0.0.1", sshd.user, sshd.port,
                                       centre.keys[login]), known_hosts=centre.known_hosts)
                   for login in [list(centre.keys)[i % len(centre.keys)]
                                 for i in range(args.clients)]]
        for c in clients:  # each connection starts its own hub process: not part of the soak
            c.call("system.ping")
        errors: list[str] = []
        counts = [0] * len(clients)
        stop = time.monotonic() + args.soak_seconds

        def soak(index: int, hub: RemoteHub) -> None:
            i = 0
            while time.monotonic() < stop:
                try:
                    if i % 4 == 0:
                        hub.call("me.set_preference", key="theme", value=f"{index}-{i}")
                    else:
                        hub.call("system.ping")
                    counts[index] += 1
                except Exception as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                i += 1

        threads = [threading.Thread(target=soak, args=(i, c)) for i, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for c in clients:
            c.close()
        total = sum(counts)
        print(f"\nsoak: {args.clients} concurrent clients for {args.soak_seconds:g} s: "
              f"{total} calls ({total / args.soak_seconds:.0f}/s), {len(errors)} errors")
        for err in sorted(set(errors))[:5]:
            print("  ", err)
    finally:
        sshd.stop()


if __name__ == "__main__":
    main()
