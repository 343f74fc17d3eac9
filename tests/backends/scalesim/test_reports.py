"""SCALE-Sim report parsing, on the reference report set and on damaged copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.errors import ParseError
from remote.backends.scalesim.reports import parse_reports


def test_reference_reports(fixtures: Path) -> None:
    report = parse_reports(fixtures / "out_gemm_example",
                           ["GEMM_64x64x64", "GEMV_1x256x256", "GEMM_128x32x256"])
    assert [layer.total_cycles for layer in report.layers] == [631, 6079, 1775]
    first = report.layer("GEMM_64x64x64")
    assert first.total_cycles_incl_prefetch == 1345 and first.stall_cycles == 0
    assert first.compute_cycles == 631
    assert first.mapping_efficiency == 100.0
    assert first.compute_util == pytest.approx(33.86243386243386)
    assert first.avg_ifmap_sram_bw == pytest.approx(12.98256735340729)
    assert first.avg_ofmap_dram_bw == 32.0 and first.avg_filter_metadata_sram_bw is None
    gemv = report.layer(1)
    assert (gemv.sram_filter_reads, gemv.dram_filter_reads, gemv.sram_ofmap_writes) == (
        65536, 65536, 2048)
    assert gemv.dram_filter_start_cycle == -3275.0 and gemv.dram_ofmap_stop_cycle == 6142.0
    assert report.total_cycles == 631 + 6079 + 1775
    assert set(report.files) == {"COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv",
                                 "DETAILED_ACCESS_REPORT.csv"}


def _damaged(fixtures: Path, tmp_path: Path, name: str, old: str, new: str) -> Path:
    run = tmp_path / "run"
    shutil.copytree(fixtures / "out_gemm_example", run)
    path = run / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return run


@pytest.mark.parametrize(("name", "old", "new", "line", "field"), [
    ("COMPUTE_REPORT.csv", "0, 1345, 631,", "0, 1345, lots,", 2, "Total Cycles"),
    ("COMPUTE_REPORT.csv", " Stall Cycles,", " Stalls,", 1, "Stall Cycles"),
    ("BANDWIDTH_REPORT.csv", "1, 0.3368975160388222,", "1,", 3, None),
    ("DETAILED_ACCESS_REPORT.csv", "LayerID,", "Layer,", 1, "Layer"),
    ("DETAILED_ACCESS_REPORT.csv", "\n2, 33.0", "\nx, 33.0", 4, "LayerID"),
])
def test_damaged_reports_name_line_and_field(fixtures: Path, tmp_path: Path, name: str,
                                             old: str, new: str, line: int,
                                             field: str | None) -> None:
    with pytest.raises(ParseError) as info:
        parse_reports(_damaged(fixtures, tmp_path, name, old, new))
    assert info.value.line == line
    assert info.value.source.endswith(name)
    if field is not None:
        assert info.value.data["field"] == field


def test_missing_report_and_mismatched_layers(fixtures: Path, tmp_path: Path) -> None:
    run = _damaged(fixtures, tmp_path, "BANDWIDTH_REPORT.csv", "\n2, 18.46", "\n3, 18.46")
    with pytest.raises(ParseError, match="lists layers"):
        parse_reports(run)
    (run / "COMPUTE_REPORT.csv").unlink()
    with pytest.raises(ParseError, match=r"no COMPUTE_REPORT\.csv"):
        parse_reports(run)
    with pytest.raises(ParseError, match="topology has 2"):
        parse_reports(fixtures / "out_gemm_example", ["a", "b"])
