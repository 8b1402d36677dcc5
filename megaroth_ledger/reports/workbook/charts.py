"""Charts shared by the sheets."""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.marker import Marker
from openpyxl.chart.shapes import GraphicalProperties

from .writer import Sheet


def columns_and_line(
    s: Sheet,
    title: str,
    *,
    bars: tuple[int, int],
    line: int,
    first: int,
    last: int,
    anchor: str,
    stacked: bool,
    line_color: str,
) -> None:
    """A column chart of columns ``bars`` (first..last) with column ``line`` drawn over it as a
    line; categories in column A; series names from the header row above ``first``."""
    bar = BarChart()
    bar.type = "col"
    if stacked:
        bar.grouping = "stacked"
        bar.overlap = 100
    bar.title = title
    bar.y_axis.title = "Dollars"
    bar.y_axis.numFmt = '"$"#,##0'
    bar.y_axis.majorGridlines = None
    bar.add_data(
        Reference(s.ws, min_col=bars[0], max_col=bars[1], min_row=first - 1, max_row=last),
        titles_from_data=True,
    )
    bar.set_categories(Reference(s.ws, min_col=1, min_row=first, max_row=last))
    over = LineChart()
    over.add_data(Reference(s.ws, min_col=line, min_row=first - 1, max_row=last), titles_from_data=True)
    ser = over.series[0]
    ser.graphicalProperties.line.solidFill = line_color
    ser.graphicalProperties.line.width = 28575  # 2.25 pt in EMU
    if stacked:
        # A limit: a dashed line between years, and at each year a wide bar-width dash marker
        # with its value, so a single year (where no line can be drawn) still shows the limit.
        ser.graphicalProperties.line.dashStyle = "dash"
        ser.marker = Marker(symbol="dash", size=60)
        ser.dLbls = DataLabelList(
            showVal=True,
            showSerName=False,
            showCatName=False,
            showLegendKey=False,
            showPercent=False,
            showBubbleSize=False,
            dLblPos="r",
        )
        ser.dLbls.numFmt = '"$"#,##0'
    else:
        ser.marker = Marker(symbol="circle", size=7)
    ser.marker.graphicalProperties = GraphicalProperties(solidFill=line_color)
    ser.marker.graphicalProperties.line.solidFill = line_color
    bar += over
    bar.x_axis.delete = False
    bar.y_axis.delete = False
    bar.legend.position = "b"
    bar.height, bar.width = 9, 18
    s.ws.add_chart(bar, anchor)
