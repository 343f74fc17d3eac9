"""Lease tokens (Ed25519, refused when forged, expired or for another feature; the private key
is a 0600 file, never in the database) and the single active worker."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from core import claims
from core.errors import Expired, TokenInvalid
from hub import worker
from licensing.tokens import key_path, verify_lease_token
from tests.licensing.conftest import Centre, make_centre


def public_key(c: Centre) -> object:
    return claims.load_public_key(c.call("demo.engineer", "licensing.public_key").encode())


def test_token_names_lease_and_verifies(sqlite_centre: Centre) -> None:
    c = sqlite_centre
    lease = c.call("demo.engineer", "leases.checkout", feature="vcs", seats=2)
    pub = public_key(c)
    got = verify_lease_token(lease.token, pub, "vcs", c.clock.now)  # type: ignore[arg-type]
    assert (got.lease_id, got.user, got.feature, got.seats) == (lease.id, "demo.engineer",
                                                                 "vcs", 2)
    assert got.expires_at == lease.expires_at.replace(microsecond=0)
    key = key_path(Path(c.hub.settings["home"]))
    assert key.stat().st_mode & 0o777 == 0o600
    # The private key is nowhere in the database.
    pem_body = key.read_text().splitlines()[1]
    with c.hub.engine.connect() as conn:
        dump = " ".join(str(r) for r in conn.execute(text("SELECT * FROM audit_log")))
        dump += " ".join(str(r) for r in conn.execute(text("SELECT * FROM request_records")))
    assert pem_body not in dump


def test_forged_expired_and_wrong_feature_tokens_refused(sqlite_centre: Centre) -> None:
    c = sqlite_centre
    lease = c.call("demo.engineer", "leases.checkout", feature="vcs")
    pub = public_key(c)
    with pytest.raises(TokenInvalid, match="is for vcs, not scalesim-slot"):
        verify_lease_token(lease.token, pub, "scalesim-slot", c.clock.now)  # type: ignore[arg-type]
    with pytest.raises(Expired, match="expired"):
        verify_lease_token(lease.token, pub, "vcs",  # type: ignore[arg-type]
                           c.clock.now + timedelta(minutes=16))
    body, sig = lease.token.split(".")
    forged = claims.sign({"typ": "chipcommons-lease/1", "lid": 1, "sub": "mallory",
                          "ftr": "vcs", "n": 9, "iat": 0, "exp": 4_000_000_000},
                         Ed25519PrivateKey.generate())
    for bad in (forged, body + "." + sig[::-1], "garbage", body[:-2] + "AA." + sig, ""):
        with pytest.raises(TokenInvalid):
            verify_lease_token(bad, pub, "vcs", c.clock.now)  # type: ignore[arg-type]
    renewed = c.call("demo.engineer", "leases.renew", lease_id=lease.id)
    c.clock.advance(minutes=14)
    verify_lease_token(renewed.token, pub, "vcs", c.clock.now)  # type: ignore[arg-type]


def test_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "k"
    claims.generate_keypair(path)
    path.chmod(0o644)
    with pytest.raises(TokenInvalid, match="chmod 600"):
        claims.load_private_key(path)


def test_one_active_worker(sqlite_centre: Centre, tmp_path: Path) -> None:
    c = sqlite_centre
    first = worker.WorkerLock(c.hub)
    assert first.try_acquire()
    second = worker.WorkerLock(c.hub)
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


def test_one_active_worker_postgres(fresh_pg_url: str, tmp_path: Path) -> None:
    c = make_centre(fresh_pg_url, tmp_path / "home")
    first, second = worker.WorkerLock(c.hub), worker.WorkerLock(c.hub)
    assert first.try_acquire() and not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()
    c.hub.engine.dispose()


def test_worker_thread_runs_and_stops(sqlite_centre: Centre) -> None:
    c = sqlite_centre
    lease = c.call("demo.engineer", "leases.checkout", feature="vcs")
    c.clock.advance(minutes=20)
    thread = worker.WorkerThread(c.hub, interval=0.05)
    thread.start()
    done = threading.Event()
    for _ in range(100):
        if c.call("demo.engineer", "leases.list") == []:
            done.set()
            break
        done.wait(0.05)
    thread.stop()
    assert done.is_set(), f"lease {lease.id} was not expired by the worker thread"


def test_repair_fixes_a_broken_counter(sqlite_centre: Centre) -> None:
    c = sqlite_centre
    c.call("demo.engineer", "leases.checkout", feature="vcs", seats=2)
    with c.hub.engine.begin() as conn:
        conn.execute(text("UPDATE pools SET in_use = 0"))
    fixed = worker.repair(c.hub)
    assert len(fixed) == 1
    [vcs] = c.call("demo.engineer", "licensing.pools", feature="vcs")
    assert vcs.free == 1
