"""Charts with pyqtgraph (QtCharts is deprecated): bars by category, lines over x, stacked
bars. pyqtgraph is imported on first use so the window starts without it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

PALETTE = ("#3b6fb6", "#e39b2d", "#5cb85c", "#8e5cc2", "#c9302c", "#17a2b8", "#6c757d",
           "#d4b106")


MAX_LABELS = 8


def short(text: str, width: int = 10) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


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
        step = max(1, -(-len(names) // MAX_LABELS))
        axis.setTicks([[(i, short(str(n))) for i, n in enumerate(names) if i % step == 0]])

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


class HeatMap(QWidget):
    """A grid of values (rows × columns) as colours, with row and column labels."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pg = _pg()
        self.plot = pg.PlotWidget(self)
        self.plot.setTitle(title)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.plot.invertY(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.values: list[list[float]] = []
        self.setMinimumHeight(220)

    def set_title(self, title: str) -> None:
        self.plot.setTitle(title)

    def show_grid(self, values: Sequence[Sequence[float]], row_names: Sequence[str],
                  column_names: Sequence[str]) -> None:
        import numpy as np

        pg = _pg()
        self.values = [list(map(float, row)) for row in values]
        grid = np.asarray(self.values, dtype=float)
        # ImageItem's first axis is x: columns go across, rows down
        self.image.setImage(grid.T, autoLevels=False,
                            levels=(0.0, max(1e-9, float(grid.max()) if grid.size else 1.0)))
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.plot.getAxis("left").setTicks([[(i + 0.5, n) for i, n in enumerate(row_names)]])
        step = max(1, len(column_names) // 12)
        self.plot.getAxis("bottom").setTicks(
            [[(i + 0.5, n) for i, n in enumerate(column_names) if i % step == 0]])
