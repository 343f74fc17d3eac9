"""SCALE-Sim config parsing, validation and writing."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ParseError
from remote.backends.scalesim.config import (
    config_text,
    parse_config,
    parse_config_text,
    write_config,
)

REFERENCE = ("google_tpu_v1_os_user.cfg", "scale_32x32_os_user.cfg", "scale_32x32_ws_calc.cfg")


def _text(fixtures: Path, name: str = "scale_32x32_ws_calc.cfg") -> str:
    return (fixtures / name).read_text(encoding="utf-8")


def test_reference_configs_parse(fixtures: Path) -> None:
    tpu = parse_config(fixtures / "google_tpu_v1_os_user.cfg")
    assert (tpu.array_rows, tpu.array_cols, tpu.dataflow) == (256, 256, "os")
    assert (tpu.ifmap_sram_kb, tpu.filter_sram_kb, tpu.ofmap_sram_kb) == (6144, 6144, 2048)
    assert tpu.interface_bandwidth == "USER" and tpu.bandwidth == (10,)
    assert tpu.run_name == "GoogleTPU_v1_os"
    ws = parse_config(fixtures / "scale_32x32_ws_calc.cfg")
    assert (ws.dataflow, ws.interface_bandwidth, ws.memory_banks) == ("ws", "CALC", 1)
    assert ws.layout.ifmap_sram_bank_num == 10 and not ws.sparsity.support


@pytest.mark.parametrize("name", REFERENCE)
def test_write_then_parse_round_trips(fixtures: Path, tmp_path: Path, name: str) -> None:
    config = parse_config(fixtures / name)
    again = parse_config(write_config(config, tmp_path / "again.cfg"))
    assert again == config
    assert "[network_presets]" not in config_text(config)


def test_network_presets_is_read_and_dropped(fixtures: Path) -> None:
    text = _text(fixtures) + '\n[network_presets]\nTopologyCsvLoc = "./topologies/x.csv"\n'
    config = parse_config_text(text)
    assert "network_presets" not in config_text(config)


def test_keys_are_case_insensitive_and_values_normalised(fixtures: Path) -> None:
    text = (_text(fixtures).replace("Dataflow : ws", "dataflow = WS")
            .replace("InterfaceBandwidth: CALC", "interfacebandwidth: calc"))
    config = parse_config_text(text)
    assert config.dataflow == "ws" and config.interface_bandwidth == "CALC"
    assert "Dataflow : ws" in config_text(config)


def _error(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_config_text(text, source="lab.cfg")
    return info.value


def test_missing_field_names_section_line_and_field(fixtures: Path) -> None:
    text = _text(fixtures).replace("ArrayWidth:     32\n", "")
    err = _error(text)
    assert err.line == 4 and err.data["field"] == "ArrayWidth"
    assert "lab.cfg:4" in err.message and "ArrayWidth" in err.message


def test_bad_integer_names_its_line(fixtures: Path) -> None:
    err = _error(_text(fixtures).replace("ArrayHeight:    32", "ArrayHeight:    thirty-two"))
    assert err.line == 5 and err.data["field"] == "ArrayHeight"
    err = _error(_text(fixtures).replace("IfmapSramSzkB:   64", "IfmapSramSzkB:   0"))
    assert err.line == 7 and err.data["field"] == "IfmapSramSzkB"


def test_bad_dataflow_and_mode(fixtures: Path) -> None:
    err = _error(_text(fixtures).replace("Dataflow : ws", "Dataflow : rs"))
    assert err.data["field"] == "Dataflow" and "os or ws or is" in err.message
    err = _error(_text(fixtures).replace("InterfaceBandwidth: CALC", "InterfaceBandwidth: MAX"))
    assert err.data["field"] == "InterfaceBandwidth" and err.line is not None


def test_missing_section(fixtures: Path) -> None:
    text = _text(fixtures)
    err = _error(text[:text.index("[run_presets]")])
    assert err.data["field"] == "run_presets"


def test_user_bandwidth_must_divide_over_banks(fixtures: Path) -> None:
    text = _text(fixtures, "scale_32x32_os_user.cfg").replace(
        "IfmapSRAMBankBandwidth: 10", "IfmapSRAMBankBandwidth: 64")
    err = _error(text)
    assert err.data["field"] == "IfmapSRAMBankBandwidth" and "multiple" in err.message
    lines = text.splitlines()
    assert err.line is not None
    assert lines[err.line - 1].startswith("IfmapSRAMBankBandwidth")


def test_user_mode_needs_bandwidth(fixtures: Path) -> None:
    err = _error(_text(fixtures, "scale_32x32_os_user.cfg").replace("Bandwidth : 10\n", ""))
    assert err.data["field"] == "Bandwidth"
    err = _error(_text(fixtures, "scale_32x32_os_user.cfg").replace("Bandwidth : 10",
                                                                    "Bandwidth : 10,x"))
    assert err.data["field"] == "Bandwidth" and err.line == 13


@pytest.mark.parametrize(("bad", "field"), [
    ("ArrayHeight:    32\nArrayHeight: 16", "ArrayHeight"),
    ("ArrayHeight:    32\nthis is not ini", ""),
])
def test_duplicate_key_and_garbage(fixtures: Path, bad: str, field: str) -> None:
    err = _error(_text(fixtures).replace("ArrayHeight:    32", bad))
    assert err.line == 6
    assert err.data.get("field", "") == field


def test_key_before_section_and_ramulator() -> None:
    assert _error("run_name = x\n").line == 1
    err = _error("[run_presets]\nInterfaceBandwidth: CALC\nUseRamulatorTrace: True\n")
    assert err.data["field"] == "UseRamulatorTrace" and err.line == 3


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError):
        parse_config(tmp_path / "absent.cfg")
    (tmp_path / "bin.cfg").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ParseError):
        parse_config(tmp_path / "bin.cfg")
