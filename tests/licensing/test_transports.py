"""Scenario 1 (a startup engineer's first week) on the demo centre, over every transport and
database: in-process and SSH, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest

from core import claims
from core.errors import Forbidden, QuotaExceeded
from core.timeutil import CENTRE_ZONE
from licensing.tokens import verify_lease_token


def test_first_week(connect_as: Any) -> None:
    me = connect_as("demo.engineer")
    pools = {p.feature: p for p in me.call("licensing.pools")}
    vcs = pools["VCSRuntime_Net"]
    assert vcs.seats == 10 and vcs.next_booking is not None
    lease = me.call("leases.checkout", feature="VCSRuntime_Net", seats=1, hours=1)
    try:
        key = claims.load_public_key(me.call("licensing.public_key").encode())
        claim = verify_lease_token(lease.token, key, "VCSRuntime_Net",  # type: ignore[arg-type]
                                   lease.started_at)
        assert claim.lease_id == lease.id and claim.user == "demo.engineer"
        other = connect_as("demo.engineer2")
        with pytest.raises(Forbidden):
            other.call("leases.return", lease_id=lease.id)
    finally:
        me.call("leases.return", lease_id=lease.id)
    day = (datetime.now(CENTRE_ZONE) + timedelta(days=2)).date()
    start = datetime.combine(day, time(9, 0), CENTRE_ZONE)
    preview = me.call("reservations.preview", feature="VCSRuntime_Net", starts=start,
                      ends=start + timedelta(hours=9), seats=2)
    assert preview.seat_hours == 18 and preview.ok
    assert any(q.quota.seat_hours == 40 for q in preview.quotas)
    [booking] = me.call("reservations.create", feature="VCSRuntime_Net", starts=start,
                        ends=start + timedelta(hours=9), seats=2)
    try:
        assert booking.starts_at == start and booking.status == "approved"
        with pytest.raises(QuotaExceeded, match="2 seats at once"):
            me.call("leases.checkout", feature="VCSRuntime_Net", seats=3, hours=1)
    finally:
        me.call("reservations.cancel", reservation_id=booking.id)
