"""Fills a throw-away demo centre with pools, quotas, seats, a queue and bookings — through Hub
calls, as the demo people — so that the self-test and the README screenshots show real screens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hub.clients.base import HubClient

ClientFor = Callable[[str], HubClient]

POOLS = (("vcs-runtime", 10, "VCS runtime"), ("xcelium", 4, "Xcelium simulator"),
         ("dc-ultra", 2, "Design Compiler Ultra"), ("gpu-share", 8, "GPU share (farm)"))


def populate(client_for: ClientFor) -> None:
    """Needs a centre whose licensing methods exist; skips what is already there."""
    admin = client_for("demo.admin")
    existing = {p.feature for p in admin.call("pools.list")}
    for feature, seats, label in POOLS:
        if feature not in existing:
            admin.call("pools.add_local", feature=feature, seats=seats, label=label,
                       max_seats_per_lease=4, max_lease_hours=24.0)
    admin.call("quotas.set", scope="org_kind", subject="startup", feature="vcs-runtime",
               max_concurrent=4, seat_hours=40.0)
    engineer, other = client_for("demo.engineer"), client_for("demo.engineer2")
    engineer.call("leases.checkout", feature="vcs-runtime", seats=2, hours=3.0)
    other.call("leases.checkout", feature="dc-ultra", seats=2, hours=4.0)
    engineer.call("queue.join", feature="dc-ultra", seats=1, hours=2.0)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0,
                                                               microsecond=0)
    engineer.call("reservations.create", feature="vcs-runtime", seats=2,
                  starts=tomorrow, ends=tomorrow + timedelta(hours=9), note="regression")
    instructor = client_for("demo.instructor")
    instructor.call("reservations.create", feature="vcs-runtime", seats=4,
                    starts=tomorrow + timedelta(days=1, hours=5),
                    ends=tomorrow + timedelta(days=1, hours=8), note="lab session")
