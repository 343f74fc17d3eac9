"""The wrapper's pydantic-free reading of job.json and writing of status.json agree with the
models (remote.sandbox_models), and the wrapper process never loads pydantic."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from core.timeutil import utcnow
from remote.sandbox import Confinement, Job, Limits, RunOutcome, status_json
from remote.sandbox_models import FinalStatus, JobFile, JobLimits, SandboxSettings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_match_the_models() -> None:
    assert dataclasses.asdict(Limits()) == JobLimits().model_dump()
    assert dataclasses.asdict(Confinement()) == SandboxSettings().model_dump()


def test_job_round_trip() -> None:
    model = JobFile(job_id="demo-job", command=["echo", "hi"], env={"A": "1"},
                    limits=JobLimits(wall_seconds=5, memory_bytes=None, output_bytes=0),
                    sandbox=SandboxSettings(unsafe=True, hide=("/srv",), ro_binds=("/opt",)))
    job = Job.from_json(model.model_dump_json())
    assert dataclasses.asdict(job) == model.model_dump()


@pytest.mark.parametrize("text", [
    "[]", "not json", '{"command": ["x"]}', '{"job_id": "j", "command": []}',
    '{"job_id": "j", "command": ["x"], "surprise": 1}',
    '{"job_id": "j", "command": ["x"], "env": {"A": 1}}',
    '{"job_id": "j", "command": ["x"], "limits": {"wall_seconds": 0}}',
    '{"job_id": "j", "command": ["x"], "limits": {"output_bytes": -1}}',
    '{"job_id": "j", "command": ["x"], "limits": {"nproc": 3}}',
    '{"job_id": "j", "command": ["x"], "sandbox": {"uid_count": 0}}',
    '{"job_id": "j", "command": ["x"], "sandbox": {"hide": "/home"}}',
])
def test_bad_job_json_is_refused_by_both(text: str) -> None:
    with pytest.raises(ValueError):
        Job.from_json(text)
    with pytest.raises(ValueError):
        JobFile.model_validate_json(text)


@pytest.mark.parametrize("text", [
    '{"job_id": "j", "command": ["x"], "limits": {"cpus": true}}',
    '{"job_id": "j", "command": ["x"], "sandbox": {"unsafe": "yes"}}',
])
def test_wrapper_is_strict_where_pydantic_coerces(text: str) -> None:
    # JobFile.write never produces these; the wrapper refuses rather than guess.
    with pytest.raises(ValueError):
        Job.from_json(text)


def test_status_json_is_what_the_model_writes() -> None:
    now = utcnow()
    plain = status_json(RunOutcome.TIME_LIMIT, now, started=now, message="killed",
                        wall_seconds=2.5, exit_code=None, signal=9, max_rss_kb=1234,
                        stdout_bytes=10, output_truncated=True, sandboxed=True)
    assert FinalStatus.model_validate(plain).model_dump(mode="json") == plain
    with pytest.raises(TypeError):
        status_json(RunOutcome.SUCCESS, now, surprise=1)


def test_wrapper_does_not_load_pydantic(tmp_path: Path) -> None:
    code = ("import sys; sys.argv = ['remote.sandbox']; "
            "import remote.sandbox as s; rc = s.main([]); "
            "print(rc, any(m == 'pydantic' or m.startswith('pydantic.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == ["2", "False"]
