"""SCALE-Sim topology CSVs: conv and GEMM, writers, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ParseError
from remote.backends.scalesim.topology import (
    ConvLayer,
    GemmLayer,
    expand_depthwise,
    parse_topology,
    parse_topology_text,
    topology_text,
    write_layout_header,
    write_topology,
)

CONV_HEADER = ("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
               "Num Filter, Strides,\n")


def test_reference_topologies(fixtures: Path) -> None:
    conv = parse_topology(fixtures / "conv_small.csv")
    assert conv.kind == "conv" and len(conv.layers) == 3
    conv3 = conv.layers[2]
    assert isinstance(conv3, ConvLayer)
    assert (conv3.name, conv3.channels, conv3.num_filters, conv3.stride) == ("Conv3", 32, 64, 2)
    assert (conv3.ofmap_h, conv3.ofmap_w) == (4, 4)  # SCALE-Sim: ceil((8 - 3 + 2) / 2)
    gemm = parse_topology(fixtures / "gemm_small.csv")
    assert gemm.kind == "gemm"
    assert gemm.layers[1] == GemmLayer(name="GEMV_1x256x256", m=1, n=256, k=256)
    assert len(parse_topology(fixtures / "gemm_medium.csv", kind="gemm").layers) == 2


@pytest.mark.parametrize("name", ["conv_small.csv", "gemm_small.csv", "gemm_medium.csv"])
def test_written_topology_matches_reference_and_round_trips(fixtures: Path, tmp_path: Path,
                                                            name: str) -> None:
    topology = parse_topology(fixtures / name)
    written = write_topology(topology, tmp_path / name)
    assert parse_topology(written) == topology
    for line in written.read_text(encoding="utf-8").splitlines():
        assert line.endswith(",")  # SCALE-Sim drops the last field of every row


def test_spaces_missing_trailing_comma_blank_lines_and_sparsity() -> None:
    text = ("Layer Name,M,N,K\n\n  Fc1 ,  8,16 ,  4  \nFc2, 2, 3, 4, 2:4,\n   \n")
    topology = parse_topology_text(text)
    assert [layer.name for layer in topology.layers] == ["Fc1", "Fc2"]
    assert topology.layers[0] == GemmLayer(name="Fc1", m=8, n=16, k=4)
    assert topology.layers[1].sparsity == "2:4"
    assert "Fc2, 2, 3, 4, 2:4,\n" in topology_text(topology)


def _error(text: str, **kw: object) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_topology_text(text, source="net.csv", **kw)  # type: ignore[arg-type]
    return info.value


@pytest.mark.parametrize(("row", "field"), [
    ("Conv1, 32, 32, 3, 3, 3, 16,", "Strides"),          # one field short
    ("Conv1, 32, 32, 3, 3, three, 16, 1,", "Channels"),   # not a number
    ("Conv1, 32, 32, 3, 3, 3, 0, 1,", "Num Filter"),      # zero
    ("Conv1, 32, 32, 3, 3, 3, -4, 1,", "Num Filter"),     # negative
    ("Conv1, 32, 32, 3, 3.5, 3, 4, 1,", "Filter Width"),  # not an integer
    ("Conv1, 2, 32, 3, 3, 3, 16, 1,", "Filter Height"),   # filter larger than the image
    ("Conv1, 32, 2, 3, 3, 3, 16, 1,", "Filter Width"),
    ("Conv1, 32, 32, 3, 3, 3, 16, 1, 1:4, 9,", "column 10"),
    ("Conv1, 32, 32, 3, 3, 3, 16, 1, 5:4,", "Sparsity"),
    (", 32, 32, 3, 3, 3, 16, 1,", "Layer name"),
])
def test_bad_conv_rows_name_line_and_field(row: str, field: str) -> None:
    err = _error(CONV_HEADER + "Conv0, 8, 8, 1, 1, 1, 1, 1,\n" + row + "\n")
    assert err.line == 3, err.message
    assert err.data["field"] == field, err.message
    assert err.message.startswith("net.csv:3: ")


def test_bad_gemm_rows() -> None:
    err = _error("Layer Name, M, N, K,\nA, 4, 4,\n")
    assert (err.line, err.data["field"]) == (2, "K")
    err = _error("Layer Name, M, N, K,\nA, 4, 4, 4,\nA, 1, 1, 1,\n")
    assert (err.line, err.data["field"]) == (3, "Layer Name") and "line 2" in err.message


def test_bad_files() -> None:
    assert _error("").line == 1
    assert _error("Layer Name, M, N, K,\n\n").line == 3  # header only
    assert _error("name, a, b, c,\nA, 1, 2, 3,\n").data["field"] == "a"
    err = _error("Layer Name, M, N, K,\nA, 1, 2, 3,\n", kind="conv")
    assert err.line == 1 and "gemm" in err.message


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError):
        parse_topology(tmp_path / "absent.csv")


def test_depthwise_layers_expand_per_channel() -> None:
    topology = parse_topology_text(CONV_HEADER + "DP_conv, 8, 8, 3, 3, 3, 1, 1,\n"
                                   "Conv, 8, 8, 3, 3, 3, 4, 1,\n")
    names = [layer.name for layer in expand_depthwise(topology)]
    assert names == ["DP_convChannel_0", "DP_convChannel_1", "DP_convChannel_2", "Conv"]


def test_layout_header_matches_reference(fixtures: Path, tmp_path: Path) -> None:
    ours = write_layout_header(tmp_path / "layout.csv").read_text(encoding="utf-8")
    reference = (fixtures / "layout_header_only.csv").read_text(encoding="utf-8")
    def fields(text: str) -> list[str]:
        return [f.strip() for f in text.strip().split(",") if f.strip()]
    assert fields(ours) == fields(reference)
