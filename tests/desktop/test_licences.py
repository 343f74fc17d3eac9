"""Licence workflows from the desktop: check out and return, queue and be granted, reserve
from the week calendar; dialogs show the quota before anything is sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from desktop.screens.licence_dialogs import CheckoutDialog, QueueDialog, ReserveDialog
from desktop.screens.licences import LicencesScreen
from desktop.timefmt import CENTRE_ZONE
from hub.api import Hub
from tests.desktop.conftest import GuiFactory


def licences(gui: Any, qtbot: Any) -> LicencesScreen:
    screen = gui.window.show_screen("licences")
    assert isinstance(screen, LicencesScreen)
    qtbot.waitUntil(lambda: {"vcs-runtime", "dc-ultra"} <= {p.feature for p in
                                                          screen.pools.records()})
    qtbot.waitUntil(lambda: gui.runner.in_flight == 0)
    return screen


def pool_of(screen: LicencesScreen, feature: str) -> Any:
    return next(p for p in screen.pools.records() if p.feature == feature)


def select_pool(screen: LicencesScreen, feature: str) -> None:
    screen.pools.select_key(feature)
    assert screen.selected_pool().feature == feature


def ok_button(dialog: Any) -> Any:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_check_out_and_return(make_gui: GuiFactory, pools: Hub, qtbot: Any) -> None:
    pools.call("demo.admin", "quotas.set", {"scope": "org", "subject": "test-lab",
                                            "feature": "vcs-runtime", "max_concurrent": 3,
                                            "seat_hours": 40.0})
    gui = make_gui("test.engineer")
    screen = licences(gui, qtbot)
    select_pool(screen, "vcs-runtime")
    dialog = screen.checkout()
    assert isinstance(dialog, CheckoutDialog)
    qtbot.waitUntil(lambda: dialog.quotas is not None)
    assert "40.0 seat-hours" in dialog.quota_label.text()
    dialog.seats.setValue(4)  # the quota allows 3 at once: refused inline, nothing sent
    assert not ok_button(dialog).isEnabled()
    assert "at most 3 seats" in dialog.form.fields["seats"].error.text()
    dialog.hours.setValue(30.0)  # 2 x 30 = 60 seat-hours of the 40 a month
    dialog.seats.setValue(2)
    assert "seat-hours" in dialog.form.fields["seats"].error.text()
    dialog.hours.setValue(2.0)
    dialog.seats.setValue(2)
    assert ok_button(dialog).isEnabled()
    ok_button(dialog).click()
    qtbot.waitUntil(lambda: len(screen.leases.records()) == 1)
    lease = screen.leases.records()[0]
    assert (lease.feature, lease.seats) == ("vcs-runtime", 2)
    qtbot.waitUntil(lambda: pool_of(screen, "vcs-runtime").leased == 2)
    screen.leases.select_key(lease.id)
    screen.return_button.click()
    qtbot.waitUntil(lambda: screen.leases.records() == [])
    assert pools.call("demo.engineer", "leases.list", {}) == []


def test_queue_and_be_granted(make_gui: GuiFactory, pools: Hub, qtbot: Any) -> None:
    other = pools.call("test.holder", "leases.checkout", {"feature": "dc-ultra"})
    gui = make_gui("test.engineer")
    shown: list[str] = []
    gui.window.notifier.shown.connect(lambda title, text: shown.append(title))
    screen = licences(gui, qtbot)
    select_pool(screen, "dc-ultra")
    dialog = screen.checkout()
    qtbot.waitUntil(lambda: dialog.quotas is not None)
    ok_button(dialog).click()
    qtbot.waitUntil(lambda: screen.findChild(QMessageBox, "refusedBox") is not None)
    refused = screen.findChild(QMessageBox, "refusedBox")
    join = next(b for b in refused.buttons()
                if refused.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    join.click()
    qtbot.waitUntil(lambda: screen.findChild(QueueDialog) is not None)
    queue_dialog = screen.findChild(QueueDialog)
    assert "you would be number 1" in queue_dialog.status.text()
    qtbot.waitUntil(lambda: ok_button(queue_dialog).isEnabled())
    ok_button(queue_dialog).click()
    qtbot.waitUntil(lambda: len(screen.queue.records()) == 1)
    assert screen.queue.records()[0].position == 1
    pools.call("test.holder", "leases.return", {"lease_id": other["id"]})
    qtbot.waitUntil(lambda: "A seat is yours" in shown, timeout=10_000)
    qtbot.waitUntil(lambda: screen.queue.records()
                    and screen.queue.records()[0].status == "granted", timeout=10_000)


def test_reserve_from_the_calendar(make_gui: GuiFactory, pools: Hub, qtbot: Any) -> None:
    gui = make_gui("test.engineer")
    screen = licences(gui, qtbot)
    select_pool(screen, "vcs-runtime")
    screen.tabs.setCurrentIndex(4)
    calendar = screen.calendar
    calendar.resize(840, 520)
    next_week = datetime.now(CENTRE_ZONE).date() + timedelta(days=7)
    calendar.set_week(next_week)
    qtbot.waitUntil(lambda: gui.runner.in_flight == 0)
    start, end = calendar.point_for(1, 10.0), calendar.point_for(1, 12.0)
    QTest.mousePress(calendar, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(calendar, QPoint(start.x(), (start.y() + end.y()) // 2))
    QTest.mouseMove(calendar, end)
    QTest.mouseRelease(calendar, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    qtbot.waitUntil(lambda: screen.findChild(ReserveDialog) is not None)
    dialog = screen.findChild(ReserveDialog)
    params = dialog.params()
    tuesday = calendar.week_start + timedelta(days=1)
    assert params["feature"] == "vcs-runtime"
    assert params["starts"] == datetime(tuesday.year, tuesday.month, tuesday.day, 10,
                                        tzinfo=CENTRE_ZONE).astimezone(UTC)
    assert params["ends"] - params["starts"] == timedelta(hours=2)
    qtbot.waitUntil(lambda: dialog.preview is not None)
    assert "4.0 seat-hours" in dialog.summary.text() or "2.0 seat-hours" in dialog.summary.text()
    dialog.seats.setValue(2)
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.preview.seats == 2)
    assert ok_button(dialog).isEnabled()
    ok_button(dialog).click()
    qtbot.waitUntil(lambda: any(b.seats == 2 for b in screen.bookings.records()))
    qtbot.waitUntil(lambda: any(b.user == "test.engineer" for b in calendar.bookings))
    booked = pools.call("test.engineer", "reservations.list", {})
    assert len(booked) == 1 and booked[0]["seats"] == 2


def test_reserve_dialog_refuses_a_window_that_ends_before_it_starts(
        make_gui: GuiFactory, pools: Hub, qtbot: Any) -> None:
    gui = make_gui("test.engineer")
    screen = licences(gui, qtbot)
    later = datetime.now(UTC) + timedelta(days=2)
    dialog = screen.reserve(later, later - timedelta(hours=1))
    assert dialog is not None
    assert not ok_button(dialog).isEnabled()
    assert "end after it starts" in dialog.form.fields["ends"].error.text()
    dialog.reject()


def _student(pools: Hub, start: Any, end: Any) -> None:
    pools.call("demo.admin", "admin.add_user", {"login": "test.student", "org": "test-lab",
                                                "roles": ["student"]})
    pools.call("demo.admin", "admin.set_eligibility",
               {"code": "test-lab", "eligible_from": start, "eligible_until": end})


def test_a_student_sees_until_when_their_organisation_is_eligible(
        make_gui: GuiFactory, pools: Hub, qtbot: Any) -> None:
    today = datetime.now(CENTRE_ZONE).date()
    until = today + timedelta(days=20)
    _student(pools, today - timedelta(days=5), until)
    gui = make_gui("test.student")
    screen = licences(gui, qtbot)
    select_pool(screen, "vcs-runtime")
    dialog = screen.checkout()
    assert isinstance(dialog, CheckoutDialog)
    qtbot.waitUntil(lambda: dialog.standing is not None)
    text = dialog.eligibility.text()
    assert "test-lab" in text and f"eligible until {until.isoformat()}" in text
    assert ok_button(dialog).isEnabled()
    dialog.reject()
    # a booking past the window is refused inline, before the centre is asked
    starts = datetime.combine(until + timedelta(days=1), datetime.min.time(),
                              tzinfo=CENTRE_ZONE).replace(hour=9)
    reserve = screen.reserve(starts, starts + timedelta(hours=2))
    assert isinstance(reserve, ReserveDialog)
    qtbot.waitUntil(lambda: reserve.standing is not None)
    assert f"eligible only until {until.isoformat()}" in \
        reserve.form.fields["ends"].error.text()
    assert not ok_button(reserve).isEnabled()
    reserve.reject()


def test_a_student_of_an_ineligible_organisation_is_told_before_committing(
        make_gui: GuiFactory, pools: Hub, qtbot: Any) -> None:
    today = datetime.now(CENTRE_ZONE).date()
    _student(pools, today - timedelta(days=60), today - timedelta(days=1))
    gui = make_gui("test.student")
    screen = licences(gui, qtbot)
    select_pool(screen, "vcs-runtime")
    dialog = screen.join_queue()
    assert isinstance(dialog, QueueDialog)
    qtbot.waitUntil(lambda: dialog.standing is not None)
    assert "Not eligible" in dialog.eligibility.text()
    assert "ended on" in dialog.form.fields["seats"].error.text()
    assert not ok_button(dialog).isEnabled()
    dialog.reject()
    pools.call("demo.admin", "admin.set_eligibility", {"code": "test-lab"})
    pools.call("demo.admin", "admin.suspend_org", {"code": "test-lab"})
    dialog = screen.checkout()
    assert isinstance(dialog, CheckoutDialog)
    qtbot.waitUntil(lambda: dialog.standing is not None)
    assert "is suspended" in dialog.eligibility.text()
    assert not ok_button(dialog).isEnabled()
    dialog.reject()
