"""The queue (FIFO within priority, grants held for a grace period) and calendar bookings
(scenario 2: a full pool at lab time), driven by the worker on a settable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    LimitExceeded,
    NotFound,
    QuotaExceeded,
    SeatsUnavailable,
)
from hub import worker
from licensing import seats
from tests.licensing.conftest import T0, Centre

ENG, ENG2, STUDENT = "demo.engineer", "demo.engineer2", "demo.student"
INSTR, ADMIN = "demo.instructor", "demo.admin"
SEOUL = ZoneInfo("Asia/Seoul")


def consistent(c: Centre) -> None:
    with c.session() as s:
        for row in seats.count(s):
            assert row.consistent, row


def run_until(c: Centre, until: datetime, alive: list[tuple[str, int]]) -> None:
    """Move the clock in 5-minute steps, renewing ``alive`` leases and ticking the worker."""
    while c.clock.now < until:
        c.clock.now = min(until, c.clock.now + timedelta(minutes=5))
        for login, lease_id in alive:
            c.call(login, "leases.renew", lease_id=lease_id)
        worker.tick(c.hub)


def kinds(c: Centre, login: str) -> list[str]:
    return [n.kind for n in c.call(login, "notifications.since")]


def test_queue_order_grant_grace_and_lapse(centre: Centre) -> None:
    held = centre.call(ENG, "leases.checkout", feature="vcs", seats=3)
    first = centre.call(ENG2, "queue.join", feature="vcs")
    second = centre.call(STUDENT, "queue.join", feature="vcs")
    assert (first.position, second.position) == (1, 2)
    with pytest.raises(Conflict):
        centre.call(ENG2, "queue.join", feature="vcs")
    with pytest.raises(SeatsUnavailable):
        centre.call(INSTR, "leases.checkout", feature="vcs")
    # Others' names are hidden from non-staff; positions are visible.
    listing = centre.call(STUDENT, "queue.list", feature="vcs")
    assert [(q.user, q.position) for q in listing] == [("", 1), (STUDENT, 2)]
    centre.call(ENG, "leases.return", lease_id=held.id)
    # The head got one seat held; the second is granted too (3 seats freed).
    assert "queue.granted" in kinds(centre, ENG2)
    [vcs] = centre.call(ENG, "licensing.pools", feature="vcs")
    assert vcs.granted == 2 and vcs.free == 1
    lease = centre.call(ENG2, "leases.checkout", feature="vcs")
    assert lease.from_booking
    # The student does not claim in time: the grant lapses.
    centre.clock.advance(minutes=11)
    report = worker.tick(centre.hub)
    assert report.lapsed == 1
    assert "queue.lapsed" in kinds(centre, STUDENT)
    consistent(centre)


def test_queue_head_blocks_and_leave(centre: Centre) -> None:
    lease = centre.call(ENG, "leases.checkout", feature="vcs", seats=2)
    centre.call(ENG2, "leases.checkout", feature="vcs")
    big = centre.call(STUDENT, "queue.join", feature="vcs", seats=2)
    small = centre.call(INSTR, "queue.join", feature="vcs", seats=1)
    assert (big.position, small.position) == (1, 2)
    centre.call(ENG, "leases.return", lease_id=lease.id)
    # 2 seats freed: the head (2 seats) gets them, then nothing left for the next.
    mine = centre.call(INSTR, "queue.list")
    assert mine[0].status == "waiting" and mine[0].position == 1
    left = centre.call(STUDENT, "queue.leave", feature="vcs")
    assert left.status == "left"
    # Leaving released the held seats; the next head gets one.
    assert centre.call(INSTR, "queue.list")[0].status == "granted"
    with pytest.raises(NotFound):
        centre.call(STUDENT, "queue.leave", feature="vcs")
    consistent(centre)


def test_queue_bad_input(centre: Centre) -> None:
    with pytest.raises(InvalidInput):
        centre.call(ENG, "queue.join", feature="vcs", seats=0)
    with pytest.raises(LimitExceeded):
        centre.call(ENG, "queue.join", feature="vcs", seats=4)  # the pool has 3
    with pytest.raises(NotFound):
        centre.call(ENG, "queue.join", feature="nothing")


def test_lab_session_scenario(centre: Centre) -> None:
    """Scenario 2: an instructor books every Tuesday 14:00-17:00; at 14:30 an engineer is
    refused with the reason and queues; no-shows are released at 14:15; an early return at
    16:10 goes to the head of the queue."""
    [pool] = [p for p in centre.call(ADMIN, "pools.list") if p.feature == "vcs"]
    centre.call(ADMIN, "pools.update", pool_id=pool.id, seats=10, max_seats_per_lease=2)
    tue = datetime(2026, 12, 1, 14, 0, tzinfo=SEOUL)
    centre.clock.now = tue - timedelta(days=2)
    booked = centre.call(INSTR, "reservations.create", feature="vcs", starts=tue,
                         ends=tue + timedelta(hours=3), seats=8, weeks=4, course="AIS301",
                         note="the AIS301 lab session")
    assert len(booked) == 4 and booked[1].starts_at == tue + timedelta(weeks=1)
    # An engineer's 4-hour lease on Tuesday morning would run into the session: refused.
    centre.clock.now = tue - timedelta(hours=3)
    with pytest.raises(SeatsUnavailable, match="reserved for the AIS301 lab session"):
        for _ in range(3):
            centre.call(ENG, "leases.checkout", feature="vcs", seats=1, hours=4)
    centre.clock.now = tue
    report = worker.tick(centre.hub)
    assert report.started == 1
    assert "reservation.started" in kinds(centre, INSTR)
    # Six students show up (claims through the course), two seats are never claimed.
    claims = [centre.call(STUDENT, "leases.checkout", feature="vcs", course="AIS301", hours=3)
              for _ in range(6)]
    assert all(c.from_booking for c in claims)
    alive = [(STUDENT, c.id) for c in claims]
    run_until(centre, tue + timedelta(minutes=10), alive)
    centre.clock.now = tue + timedelta(minutes=16)
    report = worker.tick(centre.hub)
    assert report.no_show_released == 2
    assert "reservation.no_show" in kinds(centre, INSTR)
    run_until(centre, tue + timedelta(minutes=30), alive)
    taken = [centre.call(ENG, "leases.checkout", feature="vcs", seats=2, hours=2)
             for _ in range(2)]
    with pytest.raises(SeatsUnavailable) as err:
        centre.call(ENG2, "leases.checkout", feature="vcs", hours=1)
    assert err.value.data["reason"] in {"full", "reserved"}
    q = centre.call(ENG2, "queue.join", feature="vcs")
    assert q.position == 1
    # 16:10: an engineer's seat frees early and goes to the head of the queue. (A student's
    # seat returns to the session's hold instead: it is the course's until 17:00.)
    alive += [(ENG, lease.id) for lease in taken]
    run_until(centre, tue + timedelta(hours=2, minutes=10), alive)
    centre.call(STUDENT, "leases.return", lease_id=claims[0].id)
    assert centre.call(ENG2, "queue.list")[0].status == "waiting"
    centre.call(ENG, "leases.return", lease_id=taken[0].id)
    assert centre.call(ENG2, "queue.list")[0].status == "granted"
    centre.call(ENG2, "leases.checkout", feature="vcs")
    centre.clock.now = tue + timedelta(hours=3)
    report = worker.tick(centre.hub)
    assert report.ended == 1
    consistent(centre)


def test_booking_conflicts_and_capacity(centre: Centre) -> None:
    start = T0 + timedelta(days=1)
    centre.call(INSTR, "reservations.create", feature="vcs", starts=start,
                ends=start + timedelta(hours=2), seats=2)
    with pytest.raises(Conflict, match="fully booked"):
        centre.call(INSTR, "reservations.create", feature="vcs", starts=start + timedelta(hours=1),
                    ends=start + timedelta(hours=3), seats=2)
    with pytest.raises(LimitExceeded, match="only 3 seats"):
        centre.call(INSTR, "reservations.create", feature="vcs", starts=start,
                    ends=start + timedelta(hours=1), seats=4)
    # Back to back is fine.
    centre.call(INSTR, "reservations.create", feature="vcs", starts=start + timedelta(hours=2),
                ends=start + timedelta(hours=4), seats=3)


def test_booking_times_in_utc_and_seoul_are_the_same_instant(centre: Centre) -> None:
    seoul = datetime(2026, 11, 25, 9, 0, tzinfo=SEOUL)
    utc = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
    a = centre.call(ENG, "reservations.create", feature="vcs", starts=seoul,
                    ends=seoul + timedelta(hours=9), seats=2)
    assert a[0].starts_at == utc
    with pytest.raises(Conflict):
        centre.call(ENG2, "reservations.create", feature="vcs", starts=utc.isoformat(),
                    ends=(utc + timedelta(hours=1)).isoformat(), seats=2)


@pytest.mark.parametrize("delta_start, hours, seats_, error", [
    (-1.0, 1, 1, InvalidInput),  # in the past by the centre's clock
    (1.0, -1, 1, InvalidInput),  # ends before it starts
    (1.0, 24 * 8, 1, LimitExceeded),  # longer than a week
    (1.0, 1, 0, InvalidInput),
    (24 * 400, 1, 1, LimitExceeded),  # more than a year ahead
])
def test_booking_bad_input(sqlite_centre: Centre, delta_start: float, hours: float,
                           seats_: int, error: type) -> None:
    start = T0 + timedelta(hours=delta_start)
    with pytest.raises(error):
        sqlite_centre.call(ENG, "reservations.create", feature="vcs", starts=start,
                           ends=start + timedelta(hours=hours), seats=seats_)


def test_naive_times_refused_and_weekly_needs_instructor(sqlite_centre: Centre) -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        sqlite_centre.call(ENG, "reservations.create", feature="vcs",
                           starts="2026-11-25T09:00", ends="2026-11-25T10:00")
    start = T0 + timedelta(days=1)
    with pytest.raises(Forbidden, match="weekly"):
        sqlite_centre.call(ENG, "reservations.create", feature="vcs", starts=start,
                           ends=start + timedelta(hours=1), weeks=3)


def test_approval_and_cancel(sqlite_centre: Centre) -> None:
    c = sqlite_centre
    [pool] = [p for p in c.call(ADMIN, "pools.list") if p.feature == "vcs"]
    c.call(ADMIN, "pools.update", pool_id=pool.id, approval_required=True)
    start = T0 + timedelta(days=1)
    [r] = c.call(ENG, "reservations.create", feature="vcs", starts=start,
                 ends=start + timedelta(hours=1))
    assert r.status == "pending"
    with pytest.raises(Forbidden):
        c.call(ENG, "reservations.decide", reservation_id=r.id, approve=True)
    [r] = c.call(ADMIN, "reservations.decide", reservation_id=r.id, approve=True)
    assert r.status == "approved"
    assert "reservation.approved" in kinds(c, ENG)
    with pytest.raises(Forbidden):
        c.call(ENG2, "reservations.cancel", reservation_id=r.id)
    [r] = c.call(ENG, "reservations.cancel", reservation_id=r.id)
    assert r.status == "cancelled"


def test_booking_that_starts_on_a_busy_pool_tops_up(sqlite_centre: Centre) -> None:
    c = sqlite_centre
    busy = c.call(ENG, "leases.checkout", feature="vcs", seats=3, hours=2)
    start = T0 + timedelta(minutes=10)
    c.call(INSTR, "reservations.create", feature="vcs", starts=start,
           ends=start + timedelta(hours=1), seats=2)
    c.clock.now = start
    c.call(ENG, "leases.renew", lease_id=busy.id)
    worker.tick(c.hub)
    [r] = c.call(INSTR, "reservations.list")
    assert (r.status, r.held) == ("active", 0)
    c.call(ENG, "leases.return", lease_id=busy.id)
    # The freed seats are owed to the running booking: nobody else may take them.
    with pytest.raises(SeatsUnavailable):
        c.call(ENG2, "leases.checkout", feature="vcs", seats=3)
    c.call(ENG2, "leases.checkout", feature="vcs", seats=1)
    assert worker.tick(c.hub).topped_up == 2
    [r] = c.call(INSTR, "reservations.list")
    assert r.held == 2
    consistent(c)


def test_extension_into_a_booking_is_refused(sqlite_centre: Centre) -> None:
    c = sqlite_centre
    start = T0 + timedelta(minutes=30)
    c.call(INSTR, "reservations.create", feature="vcs", starts=start,
           ends=start + timedelta(hours=1), seats=2)
    lease = c.call(ENG, "leases.checkout", feature="vcs", hours=0.25)
    c.call(ENG2, "leases.checkout", feature="vcs", hours=0.25)
    c.call(ENG, "leases.renew", lease_id=lease.id, hours=0.4)  # still ends before
    with pytest.raises(SeatsUnavailable, match="booked"):
        c.call(ENG, "leases.renew", lease_id=lease.id, hours=2)


def test_seat_hour_quota_for_startups(sqlite_centre: Centre) -> None:
    """Scenario 5.2: startups get 2 concurrent seats and 40 seat-hours a month."""
    c = sqlite_centre
    c.call(ADMIN, "pools.update", pool_id=c.call(ADMIN, "pools.list")[1].id, seats=10,
           max_seats_per_lease=4, lease_ttl_minutes=120)
    c.call(ADMIN, "quotas.set", scope="org_kind", subject="startup", feature="vcs",
           max_concurrent=2, seat_hours=40, period="month")
    a = c.call(ENG, "leases.checkout", feature="vcs", seats=2, hours=10)
    with pytest.raises(QuotaExceeded, match="2 seats at once"):
        c.call(ENG, "leases.checkout", feature="vcs", seats=1, hours=1)
    # Another startup has its own allowance.
    c.call(ENG2, "leases.checkout", feature="vcs", seats=2, hours=1)
    c.clock.advance(hours=1)
    c.call(ENG, "leases.return", lease_id=a.id)  # 2 seat-hours used
    start = T0 + timedelta(days=1)
    preview = c.call(ENG, "reservations.preview", feature="vcs", starts=start,
                     ends=start + timedelta(hours=9), seats=2)
    assert preview.seat_hours == 18 and preview.ok
    c.call(ENG, "reservations.create", feature="vcs", starts=start,
           ends=start + timedelta(hours=9), seats=2)
    preview = c.call(ENG, "reservations.preview", feature="vcs", starts=start + timedelta(days=1),
                     ends=start + timedelta(days=1, hours=11), seats=2)
    assert preview.quota_problem and "seat-hours" in preview.quota_problem
    with pytest.raises(QuotaExceeded, match="seat-hours"):
        c.call(ENG, "reservations.create", feature="vcs", starts=start + timedelta(days=1),
               ends=start + timedelta(days=1, hours=11), seats=2)
    [use] = c.call(ENG, "quotas.mine", feature="vcs")
    assert use.applies_to == "neurosilicon" and 18 <= use.seat_hours_used <= 40


def test_reserved_share_keeps_seats_for_a_course(sqlite_centre: Centre) -> None:
    c = sqlite_centre
    c.call(ADMIN, "quotas.set", scope="course", subject="AIS301", feature="vcs",
           reserved_share=2)
    c.call(ENG, "leases.checkout", feature="vcs")
    with pytest.raises(SeatsUnavailable):
        c.call(ENG2, "leases.checkout", feature="vcs")
    c.call(STUDENT, "leases.checkout", feature="vcs", course="AIS301")
    c.call(STUDENT, "leases.checkout", feature="vcs", course="AIS301")
    consistent(c)


def test_priority_goes_first_fifo_within(sqlite_centre: Centre) -> None:
    c = sqlite_centre
    held = c.call(ENG, "leases.checkout", feature="vcs", seats=3)
    c.call(ENG2, "queue.join", feature="vcs")
    with pytest.raises(Forbidden):
        c.call(STUDENT, "queue.join", feature="vcs", priority=5)
    c.call(STUDENT, "queue.join", feature="vcs")
    first = c.call(INSTR, "queue.join", feature="vcs", priority=5)
    assert first.position == 1
    order = [q.position for q in c.call(INSTR, "queue.list", feature="vcs")]
    assert order == [1, 2, 3]
    assert [q.user for q in c.call(INSTR, "queue.list", feature="vcs")] == [INSTR, ENG2, STUDENT]
    c.call(ENG, "leases.return", lease_id=held.id)
    assert [q.status for q in c.call(INSTR, "queue.list", feature="vcs")] == ["granted"] * 3
