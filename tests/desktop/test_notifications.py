"""Notifications: one sentence per kind the centre sends, in both languages; the reminder
before a booking ends; the tray stays out of the way where there is none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtGui import QIcon

from desktop.notifications import Notifier, describe
from desktop.seat_watch import SeatWatch
from desktop.tasks import HubRunner
from hub.api import Hub
from hub.clients.local import LocalHub
from tests.desktop.conftest import GuiFactory


def test_each_kind_has_its_own_sentence() -> None:
    granted = describe("queue.granted", {"feature": "vcs-runtime", "seats": 2})
    started = describe("reservation.started", {"feature": "vcs-runtime", "seats": 4,
                                               "ends_at": "2026-11-23T08:00:00+00:00"})
    ending = describe("reservation.ending", {"feature": "vcs-runtime", "seats": 4,
                                            "ends_at": "17:00"})
    finished = describe("job.finished", {"job": 12, "state": "succeeded"})
    assert granted[0] == "A seat is yours" and "2 seat(s) of vcs-runtime" in granted[1]
    assert started[0] == "Your booking has started"
    assert "ends at 17:00" in ending[1]
    assert finished[1] == "Job 12 finished: succeeded."
    assert "odd.kind" in describe("odd.kind", {})[1]


def test_notifications_are_korean_in_korean(make_gui: GuiFactory) -> None:
    make_gui("demo.engineer", language="ko")
    title, text = describe("queue.granted", {"feature": "vcs-runtime", "seats": 1})
    assert title == "좌석이 배정되었습니다" and "vcs-runtime" in text


def test_without_a_tray_the_window_shows_it(qtbot: Any) -> None:
    notifier = Notifier(QIcon(), tray_available=lambda: False)
    shown: list[tuple[str, str]] = []
    notifier.shown.connect(lambda t, x: shown.append((t, x)))
    notifier.notify({"kind": "job.finished", "payload": {"job": 3, "state": "failed"}})
    assert notifier.tray is None
    assert shown == [("A job has finished", "Job 3 finished: failed.")]


def test_a_reminder_comes_shortly_before_a_booking_ends(pools: Hub, qtbot: Any) -> None:
    from hub.worker import tick

    now = datetime.now(UTC)
    pools.call("test.engineer", "reservations.create", {
        "feature": "vcs-runtime", "seats": 1, "starts": (now + timedelta(seconds=2)).isoformat(),
        "ends": (now + timedelta(minutes=10)).isoformat()})
    qtbot.wait(2100)
    tick(pools)
    assert pools.call("test.engineer", "reservations.list", {})[0]["status"] == "active"
    client = LocalHub(pools, "test.engineer")
    runner = HubRunner(client)
    watch = SeatWatch(runner)
    reminders: list[dict[str, Any]] = []
    watch.reminder.connect(reminders.append)
    watch.check()
    qtbot.waitUntil(lambda: bool(reminders))
    watch.check()  # once per booking
    qtbot.waitUntil(lambda: runner.in_flight == 0)
    runner.shutdown()
    client.close()
    assert len(reminders) == 1 and reminders[0]["kind"] == "reservation.ending"
    assert describe(reminders[0]["kind"], reminders[0]["payload"])[0] == "Your booking ends soon"
