"""The autograding contract: one ``results.json`` in the Gradescope autograder schema plus an
outcome. Every backend's parser ends by producing a :class:`RunResult`."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

Visibility = Literal["hidden", "after_due_date", "after_published", "visible"]


class Outcome(enum.StrEnum):
    SUCCESS = "success"
    COMPILE_ERROR = "compile_error"
    RUNTIME_ERROR = "runtime_error"
    TIME_LIMIT = "time_limit"
    MEMORY_LIMIT = "memory_limit"
    INFRASTRUCTURE_ERROR = "infrastructure_error"


class TestResult(BaseModel):
    name: str
    score: float = 0.0
    max_score: float = 0.0
    status: Literal["passed", "failed"] = "passed"
    number: str | None = None
    output: str = ""
    tags: list[str] = Field(default_factory=list)
    visibility: Visibility = "visible"


class LeaderboardEntry(BaseModel):
    name: str
    value: float | str
    order: Literal["asc", "desc"] | None = None


class GradescopeResults(BaseModel):
    """Gradescope's ``results.json`` (the fields ChipCommons writes and reads)."""

    score: float | None = None
    execution_time: float | None = None
    output: str = ""
    visibility: Visibility = "visible"
    stdout_visibility: Visibility = "hidden"
    tests: list[TestResult] = Field(default_factory=list)
    leaderboard: list[LeaderboardEntry] = Field(default_factory=list)


class RunResult(BaseModel):
    """What a backend run yields: the outcome, metrics, artefacts and the autograder results."""

    outcome: Outcome
    metrics: dict[str, Any] = Field(default_factory=dict)
    artefacts: list[str] = Field(default_factory=list)
    results: GradescopeResults = Field(default_factory=GradescopeResults)
    message: str = ""

    def write(self, directory: Path) -> Path:
        """Write ``results.json`` (Gradescope schema) and ``run.json`` (everything) atomically."""
        directory.mkdir(parents=True, exist_ok=True)
        for name, payload in (("results.json", self.results.model_dump(mode="json")),
                              ("run.json", self.model_dump(mode="json"))):
            tmp = directory / f".{name}.tmp"
            tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
            tmp.replace(directory / name)
        return directory / "results.json"

    @classmethod
    def read(cls, directory: Path) -> RunResult:
        return cls.model_validate_json((directory / "run.json").read_text(encoding="utf-8"))
