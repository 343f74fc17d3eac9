"""Fetching lmstat/rlmstat through an executor: a real shell runs a stand-in ``lmutil`` script
that checks its locale and arguments and prints a reference sample."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from core.errors import InfrastructureError, InvalidInput, ParseError
from licensing.flexlm.fetch import fetch_lmstat, fetch_lmstat_text, lmstat_command, local_runner
from licensing.rlm.fetch import fetch_rlmstat, rlmstat_command
from tests.licensing.flexlm.fixture_files import FIXTURES


def stand_in(tmp_path: Path, name: str, verb: str, spec: str, body: str) -> str:
    script = tmp_path / name
    script.write_text(
        "#!/bin/sh\n"
        '[ "$LANG" = C ] && [ "$LC_ALL" = C ] || { echo "locale is not C" >&2; exit 3; }\n'
        f'[ "$*" = "{verb} -a -c {spec}" ] || {{ echo "bad arguments: $*" >&2; exit 2; }}\n'
        f"{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_command_shape() -> None:
    assert lmstat_command("27020@lic1") == "LANG=C LC_ALL=C lmutil lmstat -a -c 27020@lic1"
    assert lmstat_command("27002@h1,27002@h2,27002@h3", "/opt/flexlm/lmutil") == (
        "LANG=C LC_ALL=C /opt/flexlm/lmutil lmstat -a -c 27002@h1,27002@h2,27002@h3")
    assert rlmstat_command("5053@lic1") == "LANG=C LC_ALL=C rlmutil rlmstat -a -c 5053@lic1"
    assert lmstat_command("@lic1").endswith("-c @lic1")


@pytest.mark.parametrize("spec", ["lic1", "27020@lic1; rm -rf /", "27020@lic 1", "",
                                  "99999@lic1", "1@a,1@b,1@c,1@d", "$(id)@lic1"])
def test_bad_license_spec_refused(spec: str) -> None:
    with pytest.raises(InvalidInput):
        lmstat_command(spec)


def test_bad_tool_path_refused() -> None:
    with pytest.raises(InvalidInput):
        lmstat_command("27020@lic1", "lmutil; reboot")


def test_fetch_parses_the_sample(tmp_path: Path) -> None:
    sample = FIXTURES / "flexlm" / "flexlm_exporter__lmstat_app7_synopsys_snpslmd.txt"
    tool = stand_in(tmp_path, "lmutil", "lmstat", "27020@SERVER1", f"cat '{sample}'")
    report = fetch_lmstat(local_runner, "27020@SERVER1", timeout=10, lmutil=tool)
    assert [f.name for f in report.features] == ["DC-Expert", "TCM-1-Apex-Pkg", "refocus"]
    text = fetch_lmstat_text(local_runner, "27020@SERVER1", timeout=10, lmutil=tool)
    assert text == sample.read_text()


def test_fetch_triad_with_one_server_down_is_fine(tmp_path: Path) -> None:
    sample = FIXTURES / "flexlm" / "flexlm_exporter__lmstat_server_down.txt"
    spec = "28000@host1,28000@host2,28000@host3"
    tool = stand_in(tmp_path, "lmutil", "lmstat", spec, f"cat '{sample}'")
    report = fetch_lmstat(local_runner, spec, timeout=10, lmutil=tool)
    assert [s.up for s in report.servers] == [True, True, False]


def test_cannot_connect_is_an_infrastructure_error(tmp_path: Path) -> None:
    sample = FIXTURES / "flexlm" / "omnivector_lm_agent__flexlm_output_bad_conn_refused.txt"
    tool = stand_in(tmp_path, "lmutil", "lmstat", "27000@lic1", f"cat '{sample}'")
    with pytest.raises(InfrastructureError, match="Connection refused"):
        fetch_lmstat(local_runner, "27000@lic1", timeout=10, lmutil=tool)


def test_cannot_connect_with_nonzero_exit(tmp_path: Path) -> None:
    tool = stand_in(tmp_path, "lmutil", "lmstat", "27000@lic1",
                    'echo "Error getting status: Cannot connect to license server (-15,10:146)"'
                    "; exit 1")
    with pytest.raises(InfrastructureError, match="cannot connect"):
        fetch_lmstat(local_runner, "27000@lic1", timeout=10, lmutil=tool)


def test_nonzero_exit(tmp_path: Path) -> None:
    tool = stand_in(tmp_path, "lmutil", "lmstat", "27000@lic1", 'echo "boom" >&2; exit 7')
    with pytest.raises(InfrastructureError, match="status 7: boom"):
        fetch_lmstat(local_runner, "27000@lic1", timeout=10, lmutil=tool)


def test_missing_tool() -> None:
    with pytest.raises(InfrastructureError, match="status 127"):
        fetch_lmstat(local_runner, "27000@lic1", timeout=10, lmutil="/nonexistent/lmutil")


def test_timeout(tmp_path: Path) -> None:
    tool = stand_in(tmp_path, "lmutil", "lmstat", "27000@lic1", "sleep 30; echo late")
    with pytest.raises(InfrastructureError, match=r"timed out after 0\.3 s"):
        fetch_lmstat(local_runner, "27000@lic1", timeout=0.3, lmutil=tool)


def test_runner_reporting_timeout_exit_code() -> None:
    def runner(command: str, timeout: float) -> tuple[int, str, str]:
        return 124, "", ""

    with pytest.raises(InfrastructureError, match="timed out"):
        fetch_lmstat(runner, "27000@lic1", timeout=5)


def test_garbage_output_is_a_parse_error(tmp_path: Path) -> None:
    tool = stand_in(tmp_path, "lmutil", "lmstat", "27000@lic1", "echo 'Welcome to bash'")
    with pytest.raises(ParseError):
        fetch_lmstat(local_runner, "27000@lic1", timeout=10, lmutil=tool)


def test_fetch_rlmstat(tmp_path: Path) -> None:
    sample = FIXTURES / "rlm" / "omnivector_lm_agent__rlm_output.txt"
    tool = stand_in(tmp_path, "rlmutil", "rlmstat", "5053@lic1", f"cat '{sample}'")
    report = fetch_rlmstat(local_runner, "5053@lic1", timeout=10, rlmutil=tool)
    assert len(report.pools) == 5 and len(report.usages) == 3
    down = stand_in(tmp_path, "rlmdown", "rlmstat", "5053@lic1",
                    "echo 'rlmutil v12.2'; echo 'Error connecting to \"rlm\" server: refused'")
    with pytest.raises(InfrastructureError):
        fetch_rlmstat(local_runner, "5053@lic1", timeout=10, rlmutil=down)
