"""Check out, queue and reserve: each dialog shows the quota and eligibility that apply, and
checks the request inline, before anything is sent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QTime, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from desktop.forms import FormDialog
from desktop.labels import period_label
from desktop.timefmt import CENTRE_ZONE, local_text

translate = QCoreApplication.translate
#: call(method, done, failed=..., **params) — a screen's Hub call
Caller = Callable[..., None]


def quota_lines(uses: Any) -> str:
    """One translated line per quota that applies (concurrent seats, seat-hours)."""
    lines = []
    for use in uses:
        quota = use.quota
        parts = []
        if quota.max_concurrent is not None:
            parts.append(translate("Quota", "{used} of {limit} seats at once").format(
                used=use.concurrent, limit=quota.max_concurrent))
        if quota.seat_hours is not None:
            parts.append(translate("Quota", "{used:.1f} of {limit:.1f} seat-hours this {period} "
                                   "({left:.1f} left)").format(
                used=use.seat_hours_used, limit=quota.seat_hours, period=period_label(quota.period),
                left=use.seat_hours_left or 0.0))
        if parts:
            scope = quota.feature or translate("Quota", "all tools")
            lines.append(translate("Quota", "{who} ({scope}): {what}").format(
                who=use.applies_to, scope=scope, what="; ".join(parts)))
    return "\n".join(lines) or translate("Quota", "No quota limits apply to you here.")


def quota_problem(uses: Any, seats: int, seat_hours: float) -> str | None:
    """Why a request of ``seats`` for ``seat_hours`` would break a quota, or None."""
    for use in uses:
        quota = use.quota
        if quota.max_concurrent is not None and use.concurrent + seats > quota.max_concurrent:
            return translate("Quota", "{who} may hold at most {limit} seats at once; "
                             "{used} are in use.").format(who=use.applies_to,
                                                          limit=quota.max_concurrent,
                                                          used=use.concurrent)
        left = use.seat_hours_left
        if left is not None and seat_hours > left + 1e-9:
            return translate("Quota", "This needs {need:.1f} seat-hours; {who} has {left:.1f} "
                             "left this {period}.").format(
                need=seat_hours, who=use.applies_to, left=left,
                period=period_label(quota.period))
    return None


def pool_lines(pool: Any) -> list[str]:
    """What the pool says about who may use it now."""
    lines = []
    if pool.suspended:
        lines.append(translate("Eligibility", "This pool is suspended: nobody can check out."))
    if pool.expiry is not None:
        lines.append(translate("Eligibility", "The licence is valid until {date}.").format(
            date=local_text(pool.expiry)))
    return lines


def standing_line(standing: Any) -> str:
    """One translated sentence: may the caller's organisation use the pools, and until when."""
    org = standing.org
    if standing.eligible:
        if standing.eligible_until is not None:
            return translate("Eligibility", "Your organisation ({org}) is eligible until "
                             "{date}.").format(org=org, date=local_text(standing.eligible_until))
        return translate("Eligibility", "Your organisation ({org}) is eligible, with no end "
                         "date.").format(org=org)
    reasons = {
        "org_suspended": translate("Eligibility", "Not eligible: your organisation ({org}) is "
                                   "suspended."),
        "suspended": translate("Eligibility", "Not eligible: you are suspended from the "
                               "licence pools."),
        "disabled": translate("Eligibility", "Not eligible: your account is disabled."),
        "not_yet": translate("Eligibility", "Not eligible: your organisation ({org}) is "
                             "eligible from {date}."),
        "ended": translate("Eligibility", "Not eligible: your organisation's ({org}) "
                           "eligibility ended on {date}."),
    }
    when = standing.eligible_from if standing.reason == "not_yet" else standing.eligible_until
    text = reasons.get(standing.reason or "")
    if text is None:
        return translate("Eligibility", "Not eligible: {reason}").format(
            reason=standing.message)
    return text.format(org=org, date=local_text(when))


def eligibility_lines(pool: Any, standing: Any = None) -> str:
    """The pool's state and, once loaded, the caller's own eligibility."""
    lines = pool_lines(pool)
    if standing is None:
        lines.append(translate("Eligibility", "Checking your organisation's eligibility…"))
    else:
        lines.append(standing_line(standing))
    return "\n".join(lines)


class _SeatRequestDialog(FormDialog):
    """Seats and hours for one feature, with the quotas that apply loaded from the centre."""

    def __init__(self, pool: Any, call: Caller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pool = pool
        self.quotas: list[Any] | None = None
        self.standing: Any = None
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.quota_label = QLabel(translate("Quota", "Loading your quota…"), self)
        self.quota_label.setObjectName("quotaLabel")
        self.quota_label.setWordWrap(True)
        self.eligibility = QLabel(eligibility_lines(pool), self)
        self.eligibility.setObjectName("eligibilityLabel")
        self.eligibility.setWordWrap(True)
        self.seats = QSpinBox(self)
        self.seats.setRange(1, max(1, pool.seats))
        self.hours = QDoubleSpinBox(self)
        self.hours.setRange(0.25, 168.0)
        self.hours.setSingleStep(0.5)
        self.hours.setValue(2.0)
        self.hours.setSuffix(translate("SeatRequest", " h"))
        self.form.form.addRow(self.status)
        self.form.add("seats", translate("SeatRequest", "Seats"), self.seats, self._check_seats)
        self.form.add("hours", translate("SeatRequest", "Hours"), self.hours)
        self.form.form.addRow(translate("SeatRequest", "Quota"), self.quota_label)
        self.form.form.addRow(translate("SeatRequest", "Eligibility"), self.eligibility)
        call("quotas.standing", self._standing_loaded, failed=self._quotas_failed,
             feature=pool.feature)

    def _standing_loaded(self, standing: Any) -> None:
        self.standing = standing
        self.quotas = list(standing.quotas)
        self.quota_label.setText(quota_lines(self.quotas))
        self.eligibility.setText(eligibility_lines(self.pool, standing))
        self.form.revalidate()

    def _quotas_failed(self, exc: Exception) -> None:
        self.quotas = []
        self.quota_label.setText(translate("Quota", "Your quota could not be loaded; the centre "
                                           "checks it when you confirm."))
        self.eligibility.setText("\n".join([*pool_lines(self.pool), translate(
            "Eligibility", "The centre checks your organisation's eligibility when you "
            "confirm.")]))
        self.form.revalidate()

    def _check_seats(self, seats: int) -> str | None:
        if self.pool.suspended:
            return translate("SeatRequest", "This pool is suspended.")
        if self.quotas is None:
            return translate("SeatRequest", "Waiting for your quota…")
        if self.standing is not None and not self.standing.eligible:
            return standing_line(self.standing)
        return quota_problem(self.quotas, seats, seats * self.hours.value())

    def params(self) -> dict[str, Any]:
        return {"feature": self.pool.feature, "seats": self.seats.value(),
                "hours": self.hours.value()}


class CheckoutDialog(_SeatRequestDialog):
    def __init__(self, pool: Any, call: Caller, parent: QWidget | None = None) -> None:
        super().__init__(pool, call, parent)
        self.setWindowTitle(translate("SeatRequest", "Check out {feature}").format(
            feature=pool.label or pool.feature))
        self.status.setText(translate("SeatRequest", "{free} of {seats} seats are free now.")
                            .format(free=pool.free, seats=pool.seats))
        self.seats.setValue(1)
        self.finish()


class QueueDialog(_SeatRequestDialog):
    def __init__(self, pool: Any, call: Caller, parent: QWidget | None = None) -> None:
        super().__init__(pool, call, parent)
        self.setWindowTitle(translate("SeatRequest", "Join the queue for {feature}").format(
            feature=pool.label or pool.feature))
        self.status.setText(translate("SeatRequest", "{waiting} requests are waiting; you would "
                                      "be number {position}. When seats free up they are held "
                                      "for you and you are notified.").format(
            waiting=pool.queue_length, position=pool.queue_length + 1))
        self.finish()


def _qdatetime(moment: datetime) -> QDateTime:
    local = moment.astimezone(CENTRE_ZONE)
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))


def _from_qdatetime(value: QDateTime) -> datetime:
    d, t = value.date(), value.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(),
                    tzinfo=CENTRE_ZONE).astimezone(UTC)


class ReserveDialog(FormDialog):
    """Book seats for a window; the centre's preview (quota use, conflicts, approval) is shown
    live and OK stays off until the booking fits."""

    PREVIEW_DELAY_MS = 250

    def __init__(self, pools: list[Any], call: Caller, starts: datetime, ends: datetime,
                 feature: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("Reserve", "Book seats"))
        self.call = call
        self.preview: Any = None
        self.preview_error: str | None = None
        self.standing: Any = None
        self._asked: dict[str, Any] | None = None
        self.feature = QComboBox(self)
        for pool in pools:
            self.feature.addItem(pool.label or pool.feature, pool.feature)
        if feature is not None:
            self.feature.setCurrentIndex(max(0, self.feature.findData(feature)))
        self.starts = QDateTimeEdit(_qdatetime(starts), self)
        self.ends = QDateTimeEdit(_qdatetime(ends), self)
        for edit in (self.starts, self.ends):
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setCalendarPopup(True)
        self.seats = QSpinBox(self)
        self.seats.setRange(1, 500)
        self.weeks = QSpinBox(self)
        self.weeks.setRange(1, 26)
        self.note = QLineEdit(self)
        self.summary = QLabel(translate("Reserve", "Checking with the centre…"), self)
        self.summary.setObjectName("previewLabel")
        self.summary.setWordWrap(True)
        self.form.add("feature", translate("Reserve", "Tool"), self.feature)
        self.form.add("starts", translate("Reserve", "From"), self.starts,
                      read=lambda: _from_qdatetime(self.starts.dateTime()))
        self.form.add("ends", translate("Reserve", "Until"), self.ends, self._check_window,
                      read=lambda: _from_qdatetime(self.ends.dateTime()))
        self.form.add("seats", translate("Reserve", "Seats"), self.seats)
        self.form.add("weeks", translate("Reserve", "Repeat weekly (weeks)"), self.weeks)
        self.form.add("note", translate("Reserve", "Note"), self.note,
                      lambda v: translate("Reserve", "At most 200 characters.")
                      if len(v) > 200 else None)
        self.form.add("preview", translate("Reserve", "What it uses"), self.summary,
                      self._check_preview, read=lambda: self.preview)
        self.eligibility = QLabel(translate("Eligibility", "Checking your organisation's "
                                            "eligibility…"), self)
        self.eligibility.setObjectName("eligibilityLabel")
        self.eligibility.setWordWrap(True)
        self.form.form.addRow(translate("Reserve", "Eligibility"), self.eligibility)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(self.PREVIEW_DELAY_MS)
        self._debounce.timeout.connect(self._ask_preview)
        for signal in (self.feature.currentIndexChanged, self.starts.dateTimeChanged,
                       self.ends.dateTimeChanged, self.seats.valueChanged,
                       self.weeks.valueChanged):
            signal.connect(self._inputs_changed)
        self.finish()
        call("quotas.standing", self._standing_loaded, failed=self._standing_failed)
        self._ask_preview()

    def _standing_loaded(self, standing: Any) -> None:
        self.standing = standing
        self.eligibility.setText(standing_line(standing))
        self.form.revalidate()

    def _standing_failed(self, exc: Exception) -> None:
        self.eligibility.setText(translate("Eligibility", "The centre checks your "
                                           "organisation's eligibility when you confirm."))

    def _check_window(self, _: Any = None) -> str | None:
        starts = _from_qdatetime(self.starts.dateTime())
        ends = _from_qdatetime(self.ends.dateTime())
        if ends <= starts:
            return translate("Reserve", "The booking must end after it starts.")
        if starts < datetime.now(UTC) - timedelta(minutes=5):
            return translate("Reserve", "The booking cannot start in the past.")
        return self._check_eligible_window(starts, ends)

    def _check_eligible_window(self, starts: datetime, ends: datetime) -> str | None:
        """The booking must lie in the organisation's eligibility window (the centre checks
        again); a suspension refuses any booking."""
        standing = self.standing
        if standing is None:
            return None
        if standing.reason in ("org_suspended", "suspended", "disabled"):
            return standing_line(standing)
        first = starts.astimezone(CENTRE_ZONE).date()
        last = (ends - timedelta(seconds=1)).astimezone(CENTRE_ZONE).date()
        if standing.eligible_from is not None and first < standing.eligible_from:
            return translate("Reserve", "Your organisation is eligible only from {date}.").format(
                date=local_text(standing.eligible_from))
        if standing.eligible_until is not None and last > standing.eligible_until:
            return translate("Reserve", "Your organisation is eligible only until {date}."
                             ).format(date=local_text(standing.eligible_until))
        return None

    def _request(self) -> dict[str, Any]:
        return {"feature": self.feature.currentData(),
                "starts": _from_qdatetime(self.starts.dateTime()),
                "ends": _from_qdatetime(self.ends.dateTime()),
                "seats": self.seats.value(), "weeks": self.weeks.value()}

    def _inputs_changed(self, *_: Any) -> None:
        self.preview = None
        self.preview_error = None
        self.summary.setText(translate("Reserve", "Checking with the centre…"))
        self._debounce.start()

    def _ask_preview(self) -> None:
        if self._check_window() is not None or self.feature.currentData() is None:
            self.form.revalidate()
            return
        request = self._request()
        self._asked = request
        self.call("reservations.preview", lambda p: self._previewed(request, p),
                  failed=lambda e: self._preview_failed(request, e), **request)

    def _previewed(self, request: dict[str, Any], preview: Any) -> None:
        if request != self._asked:
            return  # an older answer; a newer question is on its way
        self.preview = preview
        lines = [translate("Reserve", "{seats} seat(s), {count} occurrence(s), {hours:.1f} "
                           "seat-hours in all.").format(seats=preview.seats,
                                                        count=len(preview.occurrences),
                                                        hours=preview.seat_hours)]
        if preview.quotas:
            lines.append(quota_lines(preview.quotas))
        if preview.needs_approval:
            lines.append(translate("Reserve", "An admin must approve this booking."))
        lines += list(preview.conflicts)
        if preview.quota_problem:
            lines.append(preview.quota_problem)
        self.summary.setText("\n".join(lines))
        self.form.revalidate()

    def _preview_failed(self, request: dict[str, Any], exc: Exception) -> None:
        if request != self._asked:
            return
        from desktop.messages import error_text

        self.preview_error = error_text(exc)
        self.summary.setText(self.preview_error)
        self.form.revalidate()

    def _check_preview(self, preview: Any) -> str | None:
        if self.preview_error:
            return translate("Reserve", "The centre cannot book this.")
        if preview is None:
            return translate("Reserve", "Waiting for the centre's check…")
        if not preview.ok:
            return translate("Reserve", "This booking does not fit; change the time or seats.")
        return None

    def params(self) -> dict[str, Any]:
        return {**self._request(), "note": self.note.text().strip()}

    def done(self, result: int) -> None:
        self._debounce.stop()
        super().done(result)
