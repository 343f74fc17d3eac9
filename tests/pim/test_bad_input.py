"""Impossible platforms and malformed files get errors that name the field and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import InvalidInput, ParseError
from remote.pim import Eltwise, Gemv, load_platform, load_run_config, run_workload

GOOD = """\
name: fictional-lab-board
timing:
  tCK: 1.0
  tRCD: 14
  tRP: 14
organisation:
  channels: 8
  bank_groups: 4
  banks: 16
pim:
  simd_lanes: 16
  data_type: fp16
"""


def _write(tmp_path: Path, text: str, name: str = "plat.yaml") -> Path:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


def test_good_platform_loads(tmp_path: Path) -> None:
    p = load_platform(_write(tmp_path, GOOD))
    assert p.organisation.channels == 8 and p.name == "fictional-lab-board"


@pytest.mark.parametrize(("old", "new", "field", "line"), [
    ("  banks: 16", "  banks: 0", "organisation.banks", 9),
    ("  tRP: 14", "  tRP: -3", "timing.tRP", 5),
    ("  simd_lanes: 16", "  simd_lanes: 3", "simd_lanes", 11),
    ("  channels: 8", "  channels: many", "organisation.channels", 7),
    ("  tCK: 1.0", "  tCK: 1.0\n  tFOO: 2", "timing.tFOO", 4),
])
def test_impossible_platform_names_field_and_line(tmp_path: Path, old: str, new: str,
                                                  field: str, line: int) -> None:
    with pytest.raises(ParseError) as err:
        load_platform(_write(tmp_path, GOOD.replace(old, new)))
    assert field in str(err.value)
    assert err.value.line == line
    assert f":{line}:" in str(err.value)


def test_banks_not_multiple_of_groups(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="bank_groups"):
        load_platform(_write(tmp_path, GOOD.replace("  banks: 16", "  banks: 6")))


def test_malformed_yaml_has_line(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as err:
        load_platform(_write(tmp_path, GOOD.replace("  tRP: 14", "  tRP: [14")))
    assert err.value.line is not None and err.value.line >= 5
    assert "malformed YAML" in str(err.value)


def test_unknown_preset() -> None:
    with pytest.raises(InvalidInput, match="preset"):
        load_platform("no-such-board")


def test_matrix_larger_than_memory(tmp_path: Path) -> None:
    p = load_platform(_write(tmp_path, GOOD.replace("  channels: 8", "  channels: 1")))
    with pytest.raises(InvalidInput, match=r"does not fit|holds"):
        run_workload(p, Gemv(rows=65536, cols=65536))
    with pytest.raises(InvalidInput):
        run_workload(p, Eltwise(kind="add", elements=1 << 31))


def test_negative_shape_rejected() -> None:
    with pytest.raises(ValueError):
        Gemv(rows=-1, cols=4)


RUN = """\
platform: samsung-hbm-pim
workloads:
  - {kind: gemv, rows: 512, cols: 512}
  - kind: add
    elements: -5
"""


def test_run_file_errors_name_workload_field_and_line(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as err:
        load_run_config(_write(tmp_path, RUN, "run.yaml"))
    assert "workloads.1" in str(err.value) and "elements" in str(err.value)
    assert err.value.line == 5


def test_run_file_unknown_kind_and_key(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as err:
        load_run_config(_write(tmp_path, RUN.replace("kind: add", "kind: conv"), "run.yaml"))
    assert "workloads.1" in str(err.value)
    with pytest.raises(ParseError) as err2:
        load_run_config(_write(tmp_path, "platfrom: x\nworkloads: []\n", "run2.yaml"))
    assert "platfrom" in str(err2.value) and err2.value.line == 1


def test_inline_platform_error_line(tmp_path: Path) -> None:
    text = "platform:\n  organisation:\n    banks: 0\nworkloads:\n  - {kind: relu, elements: 64}\n"
    with pytest.raises(ParseError) as err:
        load_run_config(_write(tmp_path, text, "run.yaml"))
    assert "platform.organisation.banks" in str(err.value) and err.value.line == 3
