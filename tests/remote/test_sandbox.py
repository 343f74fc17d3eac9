"""The job wrapper under real bubblewrap: isolation, limits, output cap, refusal without a
sandbox, cancellation and log streaming."""

from __future__ import annotations

import socket
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from remote import memcgroup
from remote.sandbox import (
    JobFile,
    RunOutcome,
    SandboxSettings,
    build_bwrap_argv,
    bwrap_sizes_tmpfs,
    disk_usage,
    read_status,
    reap_orphan_sandbox,
    run_job,
    signal_wrapper,
    wrapper_argv,
)
from remote.workspace import Workspace, read_log
from tests.remote.conftest import JOB_PYTHON, REPO, SANDBOX_UIDS, MakeJob, sandbox_processes

PROBE = textwrap.dedent("""
    import os, socket, sys
    victim = sys.argv[1]
    root = os.path.dirname(victim)

    def attempt(label, fn):
        try:
            fn()
            print(label, "ALLOWED")
        except OSError as exc:
            print(label, "DENIED", type(exc).__name__)

    attempt("read-victim-input", lambda: open(victim + "/inputs/secret.v").read())
    attempt("read-victim-out", lambda: open(victim + "/out/result.txt").read())
    attempt("list-victim", lambda: os.listdir(victim))
    attempt("write-victim", lambda: open(victim + "/work/planted", "w").write("x"))
    attempt("write-root", lambda: open(root + "/planted", "w").write("x"))
    attempt("write-etc", lambda: open("/etc/planted", "w").write("x"))
    attempt("write-usr", lambda: open("/usr/planted", "w").write("x"))
    attempt("write-own-inputs", lambda: open("../inputs/planted", "w").write("x"))
    attempt("read-shadow", lambda: open("/etc/shadow").read())
    attempt("write-own-work", lambda: open("mine.txt", "w").write("ok"))
    attempt("write-own-out", lambda: open(os.environ["CHIPCOMMONS_OUT"] + "/r.txt", "w")
            .write("ok"))
    print("siblings", sorted(os.listdir(root)))
    port = int(sys.argv[2])
    def connect_host():
        s = socket.create_connection(("127.0.0.1", port), timeout=3)
        s.sendall(b"leak")
    attempt("connect-host-loopback", connect_host)
    attempt("connect-internet", lambda: socket.create_connection(("1.1.1.1", 53), timeout=3))
    attempt("connect-dns", lambda: socket.getaddrinfo("example.org", 80))
""")


def _results(ws: Workspace) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in ws.log("stdout").read_text().splitlines():
        label, _, verdict = line.partition(" ")
        out[label] = verdict
    return out


def test_job_cannot_touch_other_workspaces_the_system_or_the_network(make_job: MakeJob) -> None:
    victim = make_job("victim-1", ["true"], files={"secret.v": b"module secret; endmodule\n"})
    (victim.out / "result.txt").write_text("victim result\n")
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    thief = make_job("thief-1", [JOB_PYTHON, "-I", "-c", PROBE, str(victim.path), str(port)])
    try:
        status = run_job(thief)
        try:
            conn, _ = listener.accept()
            conn.close()
            leaked = True
        except TimeoutError:
            leaked = False
    finally:
        listener.close()
    assert status.outcome == RunOutcome.SUCCESS, ws_logs(thief)
    assert status.sandboxed
    res = _results(thief)
    for label in ("read-victim-input", "read-victim-out", "list-victim", "write-victim",
                  "write-root", "write-etc", "write-usr", "write-own-inputs", "read-shadow",
                  "connect-host-loopback", "connect-internet", "connect-dns"):
        assert res[label].startswith("DENIED"), (label, res)
    assert res["write-own-work"] == "ALLOWED"
    assert res["write-own-out"] == "ALLOWED"
    assert res["siblings"] == "['thief-1']"  # other workspaces are not even visible
    assert not leaked
    assert not (victim.work / "planted").exists()
    assert not (thief.path.parent / "planted").exists()
    assert (thief.work / "mine.txt").read_text() == "ok"
    assert (thief.out / "r.txt").read_text() == "ok"


def ws_logs(ws: Workspace) -> str:
    return ws.log("stdout").read_text()[-2000:] + ws.log("stderr").read_text()[-2000:]


def test_job_runs_unprivileged_without_capabilities(make_job: MakeJob) -> None:
    ws = make_job("whoami-1", ["sh", "-c", "id -u; grep CapEff /proc/self/status; "
                               "cat /proc/1/cmdline | tr '\\0' ' '; echo; hostname"])
    status = run_job(ws)
    assert status.outcome == RunOutcome.SUCCESS, ws_logs(ws)
    uid, capeff, pid1, host = ws.log("stdout").read_text().splitlines()
    assert int(uid) >= 62100
    assert capeff.split()[1] == "0000000000000000"
    assert "bwrap" in pid1  # its own PID namespace: PID 1 is the sandbox's init
    assert host == "sandbox"


def test_runaway_job_is_killed_at_the_wall_time_limit(make_job: MakeJob) -> None:
    ws = make_job("loop-1", ["sh", "-c", "while :; do :; done"], wall_seconds=1.5)
    t0 = time.monotonic()
    status = run_job(ws)
    assert status.outcome == RunOutcome.TIME_LIMIT
    assert "wall-time limit" in status.message
    assert time.monotonic() - t0 < 10
    assert sandbox_processes() == 0


def test_fork_bomb_is_contained_and_killed(make_job: MakeJob) -> None:
    bomb = ("import os\nwhile True:\n    try:\n        os.fork()\n"
            "    except OSError:\n        pass\n")
    ws = make_job("bomb-1", [JOB_PYTHON, "-I", "-c", bomb], wall_seconds=3,
                  max_processes=40)
    status = run_job(ws)
    assert status.outcome == RunOutcome.TIME_LIMIT
    assert sandbox_processes() == 0
    # the machine is still usable: a process starts at once
    assert subprocess.run(["true"], timeout=10).returncode == 0


def test_memory_hog_is_stopped_and_marked_memory_limit(make_job: MakeJob) -> None:
    ws = make_job("hog-1", [JOB_PYTHON, "-I", "-c", "x = bytearray(3 << 30)"],
                  memory_bytes=512 << 20)
    status = run_job(ws)
    assert status.outcome == RunOutcome.MEMORY_LIMIT, ws_logs(ws)


def test_100_megabytes_of_output_are_capped_and_the_job_finishes(make_job: MakeJob) -> None:
    script = ("import sys\nblock = b'y' * (1 << 20)\n"
              "for _ in range(100):\n    sys.stdout.buffer.write(block)\n"
              "sys.stdout.flush()\nopen('done.txt', 'w').write('finished')\n")
    ws = make_job("chatty-1", [JOB_PYTHON, "-I", "-c", script], output_bytes=1 << 20)
    status = run_job(ws)
    assert status.outcome == RunOutcome.SUCCESS
    assert status.output_truncated
    assert ws.log("stdout").stat().st_size == 1 << 20
    assert status.stdout_bytes == 1 << 20
    assert (ws.work / "done.txt").read_text() == "finished"


def test_file_larger_than_the_limit_fails_the_job(make_job: MakeJob) -> None:
    ws = make_job("bigfile-1", ["sh", "-c", "head -c 4000000 /dev/zero > big.bin"],
                  file_bytes=1 << 20)
    status = run_job(ws)
    assert status.outcome == RunOutcome.RUNTIME_ERROR
    assert (ws.work / "big.bin").stat().st_size <= 1 << 20


def test_exit_code_and_stderr_are_recorded(make_job: MakeJob) -> None:
    ws = make_job("fail-1", ["sh", "-c", "echo oops >&2; exit 3"])
    status = run_job(ws)
    assert status.outcome == RunOutcome.RUNTIME_ERROR
    assert status.exit_code == 3
    assert ws.log("stderr").read_text() == "oops\n"
    assert read_status(ws) == status


def test_without_bubblewrap_the_farm_refuses_unless_unsafe(
        make_job: MakeJob, sandbox_settings: SandboxSettings) -> None:
    missing = sandbox_settings.model_copy(update={"bwrap": "/nonexistent/bwrap"})
    ws = make_job("nobwrap-1", ["sh", "-c", "echo ran > ran.txt"], sandbox=missing)
    status = run_job(ws)
    assert status.outcome == RunOutcome.INFRASTRUCTURE_ERROR
    assert "unsafe: true" in status.message
    assert not (ws.work / "ran.txt").exists()

    unsafe = missing.model_copy(update={"unsafe": True})
    ws2 = make_job("nobwrap-2", ["sh", "-c", "echo ran > ran.txt; id -u"], sandbox=unsafe)
    status2 = run_job(ws2)
    assert status2.outcome == RunOutcome.SUCCESS, ws_logs(ws2)
    assert not status2.sandboxed
    assert (ws2.work / "ran.txt").read_text() == "ran\n"
    assert int(ws2.log("stdout").read_text()) >= 62100  # still not root


def test_unsealed_inputs_never_run(make_job: MakeJob) -> None:
    ws = make_job("unsealed-1", ["sh", "-c", "echo ran > ran.txt"])
    ws.staged_marker.unlink()
    status = run_job(ws)
    assert status.outcome == RunOutcome.INFRASTRUCTURE_ERROR
    assert not (ws.work / "ran.txt").exists()


def _start_wrapper(ws: Workspace) -> subprocess.Popen[bytes]:
    return subprocess.Popen(wrapper_argv(ws), cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _wait_for(predicate: object, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached")


def test_logs_stream_by_offset_while_the_job_runs(make_job: MakeJob) -> None:
    ws = make_job("stream-1", ["sh", "-c", "for i in 1 2 3 4 5; do echo line$i; sleep 0.3; done"])
    proc = _start_wrapper(ws)
    offset = 0
    seen = b""
    reads_before_end = 0
    try:
        while True:
            data, offset, eof = read_log(ws, "stdout", offset, max_bytes=4)
            seen += data
            if eof:
                break
            if data and not ws.status_file.exists():
                reads_before_end += 1
            time.sleep(0.05)
    finally:
        proc.wait(timeout=30)
    assert seen == b"".join(f"line{i}\n".encode() for i in range(1, 6))
    assert reads_before_end >= 2  # bytes arrived while the job was still running
    assert offset == ws.log("stdout").stat().st_size


def test_cancel_signals_the_wrapper_and_records_cancelled(make_job: MakeJob) -> None:
    ws = make_job("cancel-1", ["sleep", "60"])
    proc = _start_wrapper(ws)
    try:
        _wait_for(lambda: ws.pid_file.exists())
        time.sleep(0.3)
        assert signal_wrapper(ws)
        proc.wait(timeout=20)
    finally:
        proc.kill()
    status = read_status(ws)
    assert status is not None and status.outcome == RunOutcome.CANCELLED
    assert sandbox_processes() == 0


def test_bwrap_command_line_hides_the_workspace_root(make_job: MakeJob) -> None:
    ws = make_job("argv-1", ["true"])
    job = JobFile.read(ws)
    argv = build_bwrap_argv("bwrap", ws, job, {}, uid=62101)
    assert ["--tmpfs", str(ws.path.parent)] == argv[argv.index(str(ws.path.parent)) - 1:
                                                     argv.index(str(ws.path.parent)) + 1]
    assert "--unshare-net" in argv and "--die-with-parent" in argv
    assert argv[-1] == "true"
    assert any(a.startswith("--reuid=") for a in argv)
    unpriv = build_bwrap_argv("bwrap", ws, job, {})
    assert "--unshare-all" in unpriv and "--disable-userns" in unpriv
    assert Path(argv[0]).name == "bwrap"


def test_sigkill_from_outside_reads_as_out_of_memory(make_job: MakeJob) -> None:
    # what the kernel's OOM killer (or Slurm's cgroup) does to a job over its memory
    ws = make_job("oomkill-1", ["sh", "-c", "kill -KILL $$"])
    status = run_job(ws)
    assert status.outcome == RunOutcome.MEMORY_LIMIT
    assert status.signal == 9 and "SIGKILL" in status.message


def test_service_account_mode_isolates_too(farm_root: Path,
                                           sandbox_settings: SandboxSettings) -> None:
    """A hub that runs as a service account (not root) uses bwrap's user namespace instead of
    a dedicated uid; the same mounts hide other workspaces and the network."""
    ws = Workspace.create(farm_root, "svc-1")
    other = Workspace.create(farm_root, "svc-2")
    (other.inputs / "secret").write_text("s")
    uid = SANDBOX_UIDS[0] + SANDBOX_UIDS[1] - 1  # plays the service account
    subprocess.run(["chown", "-R", f"{uid}:{uid}", str(farm_root)], check=True)
    script = (f"ls {farm_root}; cat {other.inputs}/secret || echo DENIED; echo hi > x; cat x; "
              f"{JOB_PYTHON} -c 'import socket; socket.create_connection((\"1.1.1.1\", 53), 2)'"
              " 2>/dev/null || echo NO-NET")
    job = JobFile(job_id="svc-1", command=["sh", "-c", script], sandbox=sandbox_settings)
    argv = build_bwrap_argv("bwrap", ws, job, {"PATH": "/usr/bin:/bin"})
    proc = subprocess.run(argv, user=uid, group=uid, extra_groups=[], capture_output=True,
                          text=True, cwd=ws.path, timeout=30, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["svc-1", "DENIED", "hi", "NO-NET"]


def test_job_that_closes_its_output_is_still_killed_at_the_limit(make_job: MakeJob) -> None:
    ws = make_job("quiet-1", ["sh", "-c", "exec >/dev/null 2>&1; sleep 60"], wall_seconds=1.5)
    status = run_job(ws)
    assert status.outcome == RunOutcome.TIME_LIMIT
    assert sandbox_processes() == 0


def test_orphaned_sandbox_processes_are_reaped(make_job: MakeJob,
                                               sandbox_settings: SandboxSettings) -> None:
    ws = make_job("reap-1", ["true"])
    uid = SANDBOX_UIDS[0] + 7
    ws.sandbox_uid_file.write_text(f"{uid}\n")
    stray = subprocess.Popen(["sleep", "60"], user=uid, group=uid, extra_groups=[],
                             start_new_session=True)
    try:
        assert reap_orphan_sandbox(ws, sandbox_settings)
        assert stray.wait(timeout=10) == -9
    finally:
        stray.kill()
    assert sandbox_processes() == 0
    outside = sandbox_settings.model_copy(update={"uid_first": 1, "uid_count": 10})
    assert not reap_orphan_sandbox(ws, outside)  # never sweeps a uid outside the range


# -- disk ------------------------------------------------------------------------------------

FILL_WORK = ("import os, time\nblock = b'z' * (1 << 20)\ni = 0\n"
             "while True:\n"
             "    with open(f'f{i}.bin', 'wb') as f:\n        f.write(block)\n"
             "    i += 1\n    time.sleep(0.01)\n")


def test_job_filling_its_workspace_is_stopped_at_the_disk_limit(make_job: MakeJob) -> None:
    """Many files, each under the file-size limit: the wrapper adds them up and stops it."""
    ws = make_job("diskhog-1", [JOB_PYTHON, "-I", "-c", FILL_WORK], disk_bytes=8 << 20,
                  wall_seconds=60)
    t0 = time.monotonic()
    status = run_job(ws)
    assert status.outcome == RunOutcome.RUNTIME_ERROR, ws_logs(ws)
    assert "disk limit of 8388608 bytes" in status.message
    assert time.monotonic() - t0 < 20  # stopped, not left to the wall time
    held = disk_usage([ws.work, ws.out])
    assert 8 << 20 < held < 400 << 20  # over the limit by what a second of writing adds


def test_job_within_the_disk_limit_succeeds(make_job: MakeJob) -> None:
    script = "open('a.bin', 'wb').write(b'a' * (2 << 20))\n"
    ws = make_job("diskok-1", [JOB_PYTHON, "-I", "-c", script], disk_bytes=8 << 20)
    status = run_job(ws)
    assert status.outcome == RunOutcome.SUCCESS, status.message


def test_what_a_quick_job_leaves_counts_too(make_job: MakeJob) -> None:
    """Written and gone before the first look: the look after the exit still sees it."""
    script = ("import os\nout = os.environ['CHIPCOMMONS_OUT']\n"
              "for i in range(12):\n"
              "    open(f'{out}/r{i}.bin', 'wb').write(b'r' * (1 << 20))\n")
    ws = make_job("diskquick-1", [JOB_PYTHON, "-I", "-c", script], disk_bytes=4 << 20)
    status = run_job(ws)
    assert status.outcome == RunOutcome.RUNTIME_ERROR
    assert "disk limit" in status.message


def test_sandbox_tmp_is_a_tmpfs_no_bigger_than_the_disk_limit(make_job: MakeJob) -> None:
    """/tmp lives in memory (RLIMIT_AS does not count it): it is sized to the disk limit."""
    assert bwrap_sizes_tmpfs("bwrap"), "CI installs bubblewrap >= 0.8"
    script = ("import sys\ntry:\n"
              "    with open('/tmp/big.bin', 'wb') as f:\n"
              "        for _ in range(32):\n            f.write(b't' * (1 << 20))\n"
              "except OSError as exc:\n    print('FULL', exc.errno)\n    sys.exit(0)\n"
              "print('WROTE ALL')\n")
    ws = make_job("tmpfull-1", [JOB_PYTHON, "-I", "-c", script], disk_bytes=4 << 20)
    status = run_job(ws)
    assert status.outcome == RunOutcome.SUCCESS, ws_logs(ws)
    assert read_log(ws, "stdout", 0, 1000)[0].decode().split() == ["FULL", "28"]  # ENOSPC


def test_tmpfs_mounts_carry_their_sizes(make_job: MakeJob) -> None:
    ws = make_job("sizes-1", ["true"], disk_bytes=5 << 20)
    argv = build_bwrap_argv("bwrap", ws, JobFile.read(ws), {}, uid=62101)
    sized = {argv[i + 3]: int(argv[i + 1]) for i, a in enumerate(argv)
             if a == "--size" and argv[i + 2] == "--tmpfs"}
    assert sized["/tmp"] == 5 << 20
    assert sized[str(ws.path.parent)] == 1 << 20
    assert all(size == 1 << 20 for path, size in sized.items() if path != "/tmp")
    unlimited = make_job("sizes-2", ["true"], disk_bytes=None)
    argv = build_bwrap_argv("bwrap", unlimited, JobFile.read(unlimited), {}, uid=62101)
    assert argv[argv.index("/tmp") - 1] == "--tmpfs"  # unsized: the kernel's default


def test_disk_usage_counts_blocks_not_links(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a").write_bytes(b"x" * (1 << 20))
    with open(tmp_path / "sparse", "wb") as f:
        f.truncate(1 << 30)  # a gigabyte of holes holds nothing
    (tmp_path / "link").symlink_to("/usr")
    used = disk_usage([tmp_path])
    assert 1 << 20 <= used < 2 << 20
    assert disk_usage([tmp_path / "missing"]) == 0


# -- memory: a cgroup of the job's own -----------------------------------------------------------

RESERVE = ("import mmap\n"
           "m = mmap.mmap(-1, 8 << 30, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)\n"
           "for i in range(0, 64 << 20, 4096):\n    m[i] = 1\n"
           "print('reserved 8 GiB, used 64 MiB')\n")


def test_memory_is_limited_by_a_cgroup_where_the_wrapper_can_make_one(
        make_job: MakeJob) -> None:
    """A tool that reserves far more address space than it uses runs under a cgroup limit
    (RLIMIT_AS would refuse it); one that really uses too much is stopped by the kernel."""
    cgroups = memcgroup.available()  # root with a memory controller (CI: cgroup v1)
    ws = make_job("reserve-1", [JOB_PYTHON, "-I", "-c", RESERVE], memory_bytes=512 << 20)
    status = run_job(ws)
    if cgroups:
        assert status.outcome == RunOutcome.SUCCESS, ws_logs(ws)
    else:  # RLIMIT_AS: the reservation itself fails
        assert status.outcome != RunOutcome.SUCCESS
    hog = ("block = []\n"
           "while True:\n    block.append(b'h' * (16 << 20))\n")
    ws = make_job("hog-2", [JOB_PYTHON, "-I", "-c", hog], memory_bytes=256 << 20)
    status = run_job(ws)
    assert status.outcome == RunOutcome.MEMORY_LIMIT, ws_logs(ws)
    if cgroups:
        assert "OOM killer" in status.message
    leftovers = [p for _, parent in memcgroup._own_paths() if parent.is_dir()
                 for job in ("reserve-1", "hog-2")
                 for p in parent.glob(f"{memcgroup.PREFIX}{job}-*")]
    assert leftovers == []  # each job's cgroup is removed with it


def test_memory_cgroup_parts(tmp_path: Path) -> None:
    if not memcgroup.available():
        assert memcgroup.MemoryCgroup.create("chipcommons-unit", 64 << 20) is None
        return
    group = memcgroup.MemoryCgroup.create("chipcommons-unit", 64 << 20)
    assert group is not None and group.path.is_dir() and group.oom_kills() == 0
    child = subprocess.Popen(["sleep", "30"], preexec_fn=group.join)
    try:
        assert str(child.pid) in group.procs.read_text().split()
    finally:
        assert group.remove()  # kills what is left, then goes
        child.wait(timeout=10)
    assert not group.path.exists()


def test_cgroups_left_by_killed_wrappers_are_removed() -> None:
    if not memcgroup.available():
        return
    stale = memcgroup.MemoryCgroup.create("chipcommons-stale-1", 64 << 20)
    assert stale is not None
    busy = memcgroup.MemoryCgroup.create("chipcommons-busy-1", 64 << 20)
    assert busy is not None
    child = subprocess.Popen(["sleep", "30"], preexec_fn=busy.join)
    try:
        fresh = memcgroup.MemoryCgroup.create("chipcommons-fresh-1", 64 << 20)
        assert fresh is not None
        assert not stale.path.exists()  # empty: removed
        assert busy.path.exists()  # a job runs in it: kept
        fresh.remove()
    finally:
        busy.remove()
        child.wait(timeout=10)
    with pytest.raises(ValueError):
        memcgroup.MemoryCgroup.create("../escape", 1)
