"""rlmstat -a: both reference samples (counts checked by hand) and malformed variants."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.errors import InfrastructureError, ParseError
from licensing.rlm.rlmstat import parse_rlmstat
from tests.licensing.flexlm.fixture_files import FIXTURES, read_fixture, read_fixture_bytes

FULL = "omnivector_lm_agent__rlm_output.txt"
EXCERPT = "omnivector_lm_agent__another_rlm_output_excerpt.txt"


def test_both_samples_listed() -> None:
    assert sorted(p.name for p in (FIXTURES / "rlm").glob("*.txt")) == [EXCERPT, FULL]


def test_full_output() -> None:
    r = parse_rlmstat(read_fixture_bytes("rlm", FULL), source=FULL)
    assert r.license_path == "10@licserv.server.com"
    assert (r.server_host, r.server_port) == ("licserv.com", 35015)
    assert [(s.name, s.port, s.running, s.restarts) for s in r.isv_servers] == [
        ("csci", 63133, True, 0)]
    assert [(p.product, p.version, p.count, p.in_use, p.total_checkouts) for p in r.pools] == [
        ("converge", "3.0", 1, 0, 0), ("converge_gui", "1.0", 45, 0, 26),
        ("converge_gui_polygonica", "1.0", 1, 0, 26), ("converge_super", "3.0", 1000, 93, 169),
        ("converge_tecplot", "1.0", 45, 0, 16)]
    assert all(p.isv == "csci" and p.min_remove == 120 for p in r.pools)
    assert r.pools[0].expiry_text == "31-jan-2022"
    assert [(u.user, u.host, u.count, u.reserved, u.handle, u.line) for u in r.usages] == [
        ("asdj13", "myserver.example.com", 29, 0, "15a", 67),
        ("cddcp2", "myserver.example.com", 27, 0, "128", 68),
        ("asdj13", "myserver.example.com", 37, 0, "15a", 69)]
    # the usage lines account for the pool's whole "inuse": 29 + 27 + 37 = 93
    pool = r.pool("converge_super")
    assert pool is not None
    assert sum(u.count for u in r.usages) == pool.in_use == 93
    assert r.usable and not r.warnings


def test_excerpt_without_pool_header() -> None:
    r = parse_rlmstat(read_fixture("rlm", EXCERPT))
    assert r.license_path == "1234@licserv0001.com"
    assert len(r.pools) == 22
    assert r.pools[0].isv is None  # the excerpt starts inside the first ISV's pool block
    assert {p.isv for p in r.pools[17:]} == {"tainc"}
    assert r.pool("powerdelta-translate2") is not None
    assert sum(p.in_use for p in r.pools) == 4
    assert [(u.isv, u.product, u.user, u.host) for u in r.usages] == [
        ("exacorp", "powercase", "dfsdgv", "server1"),
        ("exacorp", "powercase", "addvbh", "server2"),
        ("exacorp", "powercase", "wrtgb3", "server3"),
        ("exacorp", "powerdelta", "ghnds2", "server4")]


def test_normalised_shapes() -> None:
    r = parse_rlmstat(read_fixture("rlm", FULL))
    cos = r.checkouts(UTC, now=datetime(2021, 11, 3, 13, 0, tzinfo=UTC))
    assert [(c.feature, c.user, c.seats) for c in cos] == [
        ("converge_super", "asdj13", 29), ("converge_super", "cddcp2", 27),
        ("converge_super", "asdj13", 37)]
    assert cos[0].since == datetime(2021, 11, 1, 9, 1, tzinfo=UTC)
    assert cos[0].server == "35015@licserv.com"
    usage = {u.feature: u for u in r.usage()}
    assert (usage["converge_super"].issued, usage["converge_super"].in_use) == (1000, 93)


HEAD = "rlmutil v12.2\n\n    csci license pool status on lic1 (port 5053)\n\n"


@pytest.mark.parametrize(("text", "line", "needle"), [
    (HEAD + "    prod v1.0\n        count: x, # reservations: 0, inuse: 0, exp: 1-jan-2030\n", 6,
     "malformed pool"),
    (HEAD + "    prod v1.0\n        count: 2, # reservations: 0, inuse: 0, exp: 1-foo-2030\n", 6,
     "malformed pool"),
    (HEAD + "    prod v1.0\n", 5, "no count line"),
    (HEAD + "    prod v1.0\n    garbage here\n", 6, "malformed pool"),
    (HEAD + "        count: 2, # reservations: 0, inuse: 0, exp: 1-jan-2030\n", 5, "without a"),
    (HEAD + "    csci license usage status on lic1 (port 5053)\n"
     "    prod v1.0: u1@h1 1/0 at 11/0\n", 6, "unrecognised"),
    (HEAD + "    csci license usage status on lic1 (port 5053)\n"
     "    prod v1.0: u1@h1 0/0 at 11/01 09:01  (handle: 1a)\n", 6, "0 licences"),
    ("\x01\x02\x03 not rlm\n", 1, "unrecognised"),
    ("", 1, "not rlmstat"),
])
def test_malformed_rlmstat_names_the_line(text: str, line: int, needle: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_rlmstat(text, source="r.txt")
    assert info.value.line == line
    assert needle in info.value.message


def test_connection_error_is_not_usable() -> None:
    r = parse_rlmstat("rlmutil v12.2\nError connecting to \"rlm\" server: Connection refused\n")
    assert not r.usable and r.errors
    with pytest.raises(InfrastructureError):
        r.checkouts()
