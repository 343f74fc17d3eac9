"""Usage reports: utilisation over time, peaks, denials, queue waits and a weekday × hour heat
map, with the tables behind them and CSV export.

The per-feature figures come from the centre's ``reports.usage``, and so does the series over
time (one report per day). The heat map adds up the seat-hours of the latest leases
(``leases.list``, at most HEAT_LEASES of them) hour by hour in the centre's zone — presentation
of the centre's data, no accounting rules of our own.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.models import Column
from desktop.plots import Chart, HeatMap
from desktop.screens.base import AppContext, Screen
from desktop.tables import RecordTable
from desktop.timefmt import CENTRE_ZONE, korean, to_local

translate = QCoreApplication.translate
HEAT_LEASES = 1000
MAX_DAYS = 92
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAYS_KO = ("월", "화", "수", "목", "금", "토", "일")


def spread_seat_hours(leases: Sequence[Any], start: datetime, end: datetime
                      ) -> tuple[dict[Any, float], list[list[float]]]:
    """Seat-hours per local day, and per weekday × hour of day (local), within [start, end)."""
    daily: dict[Any, float] = {}
    grid = [[0.0] * 24 for _ in range(7)]
    now = datetime.now(UTC)
    for lease in leases:
        lo = max(lease.started_at, start)
        hi = min(lease.ended_at or min(lease.ends_by, now), end)
        moment = lo
        while moment < hi:
            local = to_local(moment)
            next_hour = (local.replace(minute=0, second=0, microsecond=0)
                         + timedelta(hours=1)).astimezone(UTC)
            step_end = min(next_hour, hi)
            hours = (step_end - moment).total_seconds() / 3600 * lease.seats
            daily[local.date()] = daily.get(local.date(), 0.0) + hours
            grid[local.weekday()][local.hour] += hours
            moment = step_end
    return daily, grid


class ReportsTab(Screen):
    key = "admin.reports"
    methods = ("reports.usage",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        today = QDate.currentDate()
        self.start = QDateEdit(today.addDays(-30), self)
        self.end = QDateEdit(today, self)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.run_button = QPushButton(self.tr("Show"), self)
        self.run_button.clicked.connect(self.refresh)
        self.export_button = QPushButton(self.tr("Export CSV…"), self)
        self.export_button.clicked.connect(lambda: self.export())
        self.summary = QLabel(self)
        self.summary.setObjectName("reportSummary")
        self.summary.setWordWrap(True)
        self.over_time = Chart(self.tr("Seat-hours per day"), self)
        self.peaks = Chart(self.tr("Peak seats in use and seats"), self)
        self.denials = Chart(self.tr("Denials by reason"), self)
        self.waits = Chart(self.tr("Queue waits (minutes)"), self)
        self.utilisation = Chart(self.tr("Utilisation (%)"), self)
        self.heat = HeatMap(self.tr("Seat-hours by weekday and hour"), self)
        self.features: RecordTable[Any] = RecordTable([
            Column(lambda: self.tr("Tool"), lambda f: f.feature),
            Column(lambda: self.tr("Seats"), lambda f: f.seats, numeric=True),
            Column(lambda: self.tr("Seat-hours"), lambda f: f.seat_hours,
                   lambda f: f"{f.seat_hours:.1f}", numeric=True),
            Column(lambda: self.tr("Utilisation"), lambda f: f.utilisation,
                   lambda f: f"{f.utilisation:.1%}", numeric=True),
            Column(lambda: self.tr("Peak"), lambda f: f.peak, numeric=True),
            Column(lambda: self.tr("Denials"), lambda f: f.denials, numeric=True),
            Column(lambda: self.tr("Queue waits"), lambda f: f.queue_waits, numeric=True),
            Column(lambda: self.tr("Median wait (min)"), lambda f: f.queue_wait_p50_minutes,
                   lambda f: "" if f.queue_wait_p50_minutes is None
                   else f"{f.queue_wait_p50_minutes:.0f}", numeric=True),
            Column(lambda: self.tr("Booked but idle (h)"), lambda f: f.reserved_idle_hours,
                   lambda f: f"{f.reserved_idle_hours:.1f}", numeric=True),
        ], key=lambda f: f.feature, parent=self)
        self.groups: RecordTable[tuple[str, Any]] = RecordTable([
            Column(lambda: self.tr("Kind"), lambda g: g[0]),
            Column(lambda: self.tr("Who"), lambda g: g[1].key),
            Column(lambda: self.tr("Seat-hours"), lambda g: g[1].seat_hours,
                   lambda g: f"{g[1].seat_hours:.1f}", numeric=True),
            Column(lambda: self.tr("Leases"), lambda g: g[1].leases, numeric=True),
            Column(lambda: self.tr("Denials"), lambda g: g[1].denials, numeric=True),
        ], key=lambda g: (g[0], g[1].key), parent=self)
        self.report: Any = None
        self.daily: dict[Any, float] = {}
        self.grid: list[list[float]] = []
        self._generation = 0
        charts = QWidget(self)
        grid = QGridLayout(charts)
        for i, chart in enumerate((self.over_time, self.utilisation, self.peaks, self.denials,
                                   self.waits, self.heat)):
            grid.addWidget(chart, i // 3, i % 3)
        tabs = QTabWidget(self)
        tabs.addTab(charts, self.tr("Charts"))
        tabs.addTab(self.features, self.tr("By tool"))
        tabs.addTab(self.groups, self.tr("By organisation, user and course"))
        row = QHBoxLayout()
        for w in (QLabel(self.tr("From"), self), self.start, QLabel(self.tr("until"), self),
                  self.end, self.run_button, self.export_button):
            row.addWidget(w)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(tabs, 1)

    def _range(self) -> tuple[datetime, datetime]:
        first, last = self.start.date(), self.end.date()
        start = datetime(first.year(), first.month(), first.day(), tzinfo=CENTRE_ZONE)
        end = datetime(last.year(), last.month(), last.day(), tzinfo=CENTRE_ZONE)
        return start.astimezone(UTC), (end + timedelta(days=1)).astimezone(UTC)

    def refresh(self) -> None:
        start, end = self._range()
        if end <= start:
            self.summary.setText(self.tr("The range ends before it starts."))
            return
        self.call("reports.usage", self._show_report, start=start, end=end)
        days = min(MAX_DAYS, max(1, round((end - start).total_seconds() / 86400)))
        first = end - timedelta(days=days)
        self.daily = {}
        self._generation += 1
        for i in range(days):
            day_start = first + timedelta(days=i)
            self.call("reports.usage", self._day_filler(to_local(day_start).date(), days),
                      start=day_start, end=day_start + timedelta(days=1))
        if self.ctx.may("leases.list"):
            self.call("leases.list", lambda rows: self._show_leases(rows, start, end),
                      everyone=True, include_ended=True, limit=HEAT_LEASES)

    def _show_report(self, report: Any) -> None:
        self.report = report
        features = list(report.features)
        self.features.set_records(features)
        groups = [(self.tr("organisation"), g) for g in report.organisations]
        groups += [(self.tr("user"), g) for g in report.users]
        groups += [(self.tr("course"), g) for g in report.courses]
        self.groups.set_records(groups)
        names = [f.feature for f in features]
        total = sum(f.seat_hours for f in features)
        self.summary.setText(self.tr("{hours:.1f} seat-hours on {tools} tools; {denials} "
                                     "denials; {waits} queue waits.").format(
            hours=total, tools=len(features), denials=sum(f.denials for f in features),
            waits=sum(f.queue_waits for f in features)))
        self.utilisation.bars(names, {self.tr("Utilisation"):
                                      [f.utilisation * 100 for f in features]})
        self.peaks.bars(names, {self.tr("Peak"): [float(f.peak) for f in features],
                                self.tr("Seats"): [float(f.seats) for f in features]})
        reasons = sorted({r for f in features for r in f.denials_by_reason})
        self.denials.stacked(names, {r: [float(f.denials_by_reason.get(r, 0)) for f in features]
                                     for r in reasons} or {self.tr("Denials"):
                                                           [0.0] * len(names)})
        self.waits.bars(names, {
            self.tr("Median"): [f.queue_wait_p50_minutes or 0.0 for f in features],
            self.tr("95th percentile"): [f.queue_wait_p95_minutes or 0.0 for f in features]})

    def _day_filler(self, day: Any, expected: int) -> Callable[[Any], None]:
        generation = self._generation
        return lambda report: self._day_loaded(day, report, expected, generation)

    def _day_loaded(self, day: Any, report: Any, expected: int, generation: int) -> None:
        if generation != self._generation:
            return  # an answer to an older range
        self.daily[day] = sum(f.seat_hours for f in report.features)
        if len(self.daily) == expected:
            days = sorted(self.daily)
            self.over_time.lines(list(range(len(days))), {self.tr("Seat-hours"):
                                                          [self.daily[d] for d in days]},
                                 x_names=[d.strftime("%m-%d") for d in days])

    def _show_leases(self, leases: list[Any], start: datetime, end: datetime) -> None:
        _, self.grid = spread_seat_hours(leases, start, end)
        names = WEEKDAYS_KO if korean() else WEEKDAYS_EN
        if len(leases) >= HEAT_LEASES:
            self.heat.set_title(self.tr("Seat-hours by weekday and hour (latest {count} "
                                        "leases)").format(count=len(leases)))
        self.heat.show_grid(self.grid, names, [f"{h:02d}" for h in range(24)])

    def export(self, path: Path | None = None) -> Path | None:
        """Write the report's tables to one CSV file (UTF-8 with BOM, for spreadsheets)."""
        if self.report is None:
            return None
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, self.tr("Export the usage report"),
                                                  "usage.csv", "CSV (*.csv)")
            if not name:
                return None
            path = Path(name)
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["section", "key", "seats", "seat_hours", "utilisation", "peak",
                          "leases", "denials", "queue_waits", "queue_wait_p50_minutes",
                          "queue_wait_p95_minutes", "reserved_idle_hours"])
            for f in self.report.features:
                out.writerow(["feature", f.feature, f.seats, f"{f.seat_hours:.3f}",
                              f"{f.utilisation:.4f}", f.peak, f.leases, f.denials,
                              f.queue_waits, f.queue_wait_p50_minutes or "",
                              f.queue_wait_p95_minutes or "", f"{f.reserved_idle_hours:.3f}"])
            for section, rows in (("organisation", self.report.organisations),
                                  ("user", self.report.users),
                                  ("course", self.report.courses)):
                for g in rows:
                    out.writerow([section, g.key, "", f"{g.seat_hours:.3f}", "", "", g.leases,
                                  g.denials, "", "", "", ""])
            for day in sorted(self.daily):
                out.writerow(["day", day.isoformat(), "", f"{self.daily[day]:.3f}", "", "",
                              "", "", "", "", "", ""])
        return path
