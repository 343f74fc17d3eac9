"""Fills a throw-away demo centre with pools, quotas, seats, a queue and bookings — through Hub
calls, as the demo people — so that the self-test and the README screenshots show real screens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from core.errors import ChipError
from hub.clients.base import HubClient

ClientFor = Callable[[str], HubClient]

POOLS = (("vcs-runtime", 10, "VCS runtime"), ("xcelium", 4, "Xcelium simulator"),
         ("dc-ultra", 2, "Design Compiler Ultra"), ("gpu-share", 8, "GPU share (farm)"))


def populate(client_for: ClientFor) -> list[str]:
    """Needs a centre whose licensing methods exist. Best effort: what the centre refuses (a
    quota the demo data has used up, a pool that exists) is skipped; returns those reasons."""
    skipped: list[str] = []

    def attempt(who: str, method: str, **params: Any) -> None:
        try:
            client_for(who).call(method, **params)
        except ChipError as exc:
            skipped.append(f"{who} {method}: {exc.message}")

    admin = client_for("demo.admin")
    existing = {p.feature for p in admin.call("pools.list")}
    for feature, seats, label in POOLS:
        if feature not in existing:
            attempt("demo.admin", "pools.add_local", feature=feature, seats=seats, label=label,
                    max_seats_per_lease=4, max_lease_hours=24.0)
    attempt("demo.instructor", "leases.checkout", feature="vcs-runtime", seats=2, hours=3.0)
    attempt("demo.student", "leases.checkout", feature="dc-ultra", seats=2, hours=4.0)
    attempt("demo.engineer", "leases.checkout", feature="vcs-runtime", seats=1, hours=3.0)
    attempt("demo.engineer", "queue.join", feature="dc-ultra", seats=1, hours=2.0)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0,
                                                               microsecond=0)
    attempt("demo.engineer", "reservations.create", feature="vcs-runtime", seats=1,
            starts=tomorrow, ends=tomorrow + timedelta(hours=9), note="regression")
    attempt("demo.instructor", "reservations.create", feature="vcs-runtime", seats=4,
            starts=tomorrow + timedelta(days=1, hours=5),
            ends=tomorrow + timedelta(days=1, hours=8), note="lab session")
    for who, comment in (("demo.engineer", "engineer@fictional-lab laptop"),
                         ("demo.engineer", "engineer@fictional-lab workstation"),
                         ("demo.student", "student@fictional-university")):
        attempt(who, "me.add_key", key=f"{_public_key()} {comment}")
    keys = client_for("demo.engineer").call("me.keys")
    if keys:
        attempt("demo.engineer", "me.revoke_key", fingerprint=keys[0].fingerprint)
    return skipped


def _public_key() -> str:
    """A fresh Ed25519 public key (its private half is thrown away)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
