"""Charts with pyqtgraph (QtCharts is deprecated): bars by category, lines over x, stacked
bars. pyqtgraph is imported on first use so the window starts without it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

PALETTE = ("#3b6fb6", "#e39b2d", "#5cb85c", "#8e5cc2", "#c9302c", "#17a2b8", "#6c757d")


def _pg() -> Any:
    import pyqtgraph as pg

    pg.setConfigOptions(antialias=True, background="w", foreground="k")
    return pg


class Chart(QWidget):
    """One plot area; ``bars``, ``lines`` and ``stacked`` replace what it shows."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pg = _pg()
        self.plot = pg.PlotWidget(self)
        self.plot.setTitle(title)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.legend = self.plot.addLegend(offset=(10, 10))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.series: dict[str, list[float]] = {}
        self.setMinimumHeight(220)

    def set_title(self, title: str) -> None:
        self.plot.setTitle(title)

    def set_labels(self, left: str, bottom: str) -> None:
        self.plot.setLabel("left", left)
        self.plot.setLabel("bottom", bottom)

    def clear(self) -> None:
        self.plot.clear()
        self.legend.clear()
        self.series = {}

    def _categories(self, names: Sequence[str]) -> None:
        axis = self.plot.getAxis("bottom")
        step = max(1, len(names) // 16)
        axis.setTicks([[(i, str(n)) for i, n in enumerate(names) if i % step == 0]])

    def bars(self, names: Sequence[str], groups: Mapping[str, Sequence[float]]) -> None:
        """Grouped bars: one group of bars per name, one colour per series in ``groups``."""
        pg = _pg()
        self.clear()
        width = 0.8 / max(1, len(groups))
        for k, (label, values) in enumerate(groups.items()):
            xs = [i - 0.4 + width * (k + 0.5) for i in range(len(values))]
            item = pg.BarGraphItem(x=xs, height=list(values), width=width * 0.95,
                                   brush=PALETTE[k % len(PALETTE)], name=label)
            self.plot.addItem(item)  # named items join the legend by themselves
            self.series[label] = [float(v) for v in values]
        self._categories(names)

    def stacked(self, names: Sequence[str], parts: Mapping[str, Sequence[float]]) -> None:
        """Stacked bars: each name's bar is the sum of its parts."""
        pg = _pg()
        self.clear()
        base = [0.0] * len(names)
        for k, (label, values) in enumerate(parts.items()):
            item = pg.BarGraphItem(x=list(range(len(names))), y0=list(base),
                                   height=list(values), width=0.6,
                                   brush=PALETTE[k % len(PALETTE)], name=label)
            self.plot.addItem(item)  # named items join the legend by themselves
            base = [b + float(v) for b, v in zip(base, values, strict=True)]
            self.series[label] = [float(v) for v in values]
        self._categories(names)

    def lines(self, xs: Sequence[float], series: Mapping[str, Sequence[float]], *,
              log_x: bool = False, x_names: Sequence[str] | None = None) -> None:
        pg = _pg()
        self.clear()
        self.plot.setLogMode(x=log_x, y=False)
        for k, (label, values) in enumerate(series.items()):
            pen = pg.mkPen(PALETTE[k % len(PALETTE)], width=2)
            self.plot.plot(list(xs), list(values), pen=pen, symbol="o", symbolSize=6,
                           symbolBrush=PALETTE[k % len(PALETTE)], name=label)
            self.series[label] = [float(v) for v in values]
        if x_names is not None:
            self._categories(x_names)
