"""Farm config: a full valid file, sizes and durations, and errors that name their line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from core.errors import LimitExceeded, ParseError
from remote.farm_config import (
    LocalSchedulerConfig,
    SlurmSchedulerConfig,
    load_farm_config,
    parse_duration,
    parse_farm_config,
    parse_size,
)
from remote.schedulers import LocalScheduler, SlurmScheduler, make_scheduler

FULL = textwrap.dedent("""\
    # Farm of the fictional Hanbit PIM lab
    scheduler:
      type: slurm
      partition: debug
      account: hanbit-lab
      mirror_licences: true
      licence_names: {vcs: simlic}
    workspace:
      root: /srv/chipcommons/farm
      max_upload: 1 GiB
      max_file: 256MiB
    sandbox:
      unsafe: false
      hide: [/home, /root]
    backends: [rtl-sim, synth, pim, npu-scalesim, "command:vcs"]
    limits:
      job: {wall_time: 1h30m, memory: 4 GiB, output: 64 MiB, processes: 128, disk: 2 GiB}
      user: {concurrent_jobs: 3, jobs_per_day: 50}
""")


def test_full_config_parses(tmp_path: Path) -> None:
    path = tmp_path / "farm.yaml"
    path.write_text(FULL)
    cfg = load_farm_config(path)
    assert isinstance(cfg.scheduler, SlurmSchedulerConfig)
    assert cfg.scheduler.partition == "debug"
    assert cfg.scheduler.licence_names == {"vcs": "simlic"}
    assert cfg.workspace.root == Path("/srv/chipcommons/farm")
    assert cfg.workspace.max_upload == 1 << 30
    assert cfg.workspace.max_file == 256 << 20
    staging = cfg.staging_limits()
    assert (staging.max_file_bytes, staging.max_total_bytes) == (256 << 20, 1 << 30)
    assert cfg.sandbox.hide == ("/home", "/root")
    assert cfg.backend_enabled("pim") and not cfg.backend_enabled("spice")
    assert cfg.limits.job.wall_time == 5400
    assert cfg.limits.user.jobs_per_day == 50
    limits = cfg.job_limits(wall_time=600)
    assert limits.wall_seconds == 600 and limits.memory_bytes == 4 << 30
    assert limits.max_processes == 128
    assert limits.disk_bytes == 2 << 30
    with pytest.raises(LimitExceeded):
        cfg.job_limits(memory=8 << 30)
    sched = make_scheduler(cfg)
    assert isinstance(sched, SlurmScheduler)
    assert sched.licence_spec({"vcs": 2}) == "simlic:2"


def test_minimal_local_config_has_defaults() -> None:
    cfg = parse_farm_config("scheduler: {type: local, max_concurrent: 3}\n"
                            "workspace: {root: /var/lib/cc}\n")
    assert isinstance(cfg.scheduler, LocalSchedulerConfig)
    assert cfg.scheduler.max_concurrent == 3
    assert not cfg.sandbox.unsafe
    assert cfg.limits.job.wall_time == 3600
    assert cfg.job_limits().disk_bytes == 4 << 30
    unlimited = parse_farm_config("scheduler: {type: local}\nworkspace: {root: /var/lib/cc}\n"
                                  "limits: {job: {disk: null}}\n")
    assert unlimited.job_limits().disk_bytes is None
    sched = make_scheduler(cfg)
    assert isinstance(sched, LocalScheduler) and sched.max_concurrent == 3


@pytest.mark.parametrize(("text", "value"), [
    (0, 0), (1024, 1024), ("2 GiB", 2 << 30), ("512M", 512 << 20), ("64KB", 64 << 10),
    ("1.5G", 3 << 29), ("10b", 10),
])
def test_sizes(text: object, value: int) -> None:
    assert parse_size(text) == value


@pytest.mark.parametrize("bad", ["lots", "-1", "2 PB", True, -5, "1e9", None])
def test_bad_sizes(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_size(bad)


@pytest.mark.parametrize(("text", "value"), [
    (90, 90), ("90s", 90), ("30m", 1800), ("2h", 7200), ("1h30m", 5400), ("1d", 86400),
    ("01:30:00", 5400), ("5:00", 300), ("2.5", 2.5),
])
def test_durations(text: object, value: float) -> None:
    assert parse_duration(text) == value


@pytest.mark.parametrize("bad", ["soon", "0s", 0, -3, "1w", True, "1h-5m"])
def test_bad_durations(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)


def _error_line(text: str) -> tuple[int | None, str]:
    with pytest.raises(ParseError) as info:
        parse_farm_config(text, source="farm.yaml")
    return info.value.line, info.value.message


@pytest.mark.parametrize(("old", "new", "line", "words"), [
    ("type: slurm", "type: pbs", 3, "scheduler"),
    ("partition: debug", "partition: 'de bug'", 4, "valid Slurm name"),
    ("root: /srv/chipcommons/farm", "root: relative/farm", 9, "absolute"),
    ("max_file: 256MiB", "max_file: huge", 11, "invalid size"),
    ("unsafe: false", "unsafe: maybe", 13, "unsafe"),
    ("hide: [/home, /root]", "hyde: [/home]", 14, "hyde"),
    ('"command:vcs"]', '"Bad Name"]', 15, "invalid backend"),
    ("wall_time: 1h30m", "wall_time: forever", 17, "invalid duration"),
    ("jobs_per_day: 50", "jobs_per_day: 0", 18, "greater than 0"),
])
def test_errors_name_the_line(old: str, new: str, line: int, words: str) -> None:
    assert old in FULL
    got_line, message = _error_line(FULL.replace(old, new))
    assert got_line == line, message
    assert words in message


def test_yaml_syntax_errors_and_structure() -> None:
    line, message = _error_line("scheduler:\n  type: local\n workspace: [\n")
    assert line is not None and "invalid YAML" in message
    line, message = _error_line("scheduler: {type: local}\nscheduler: {type: slurm}\n")
    assert line == 2 and "duplicate key" in message
    line, message = _error_line("- just\n- a list\n")
    assert line == 1 and "mapping" in message
    line, message = _error_line("")
    assert "empty" in message
    line, message = _error_line("scheduler: {type: local}\n")
    assert "workspace" in message and line == 1


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="not found"):
        load_farm_config(tmp_path / "nope.yaml")
