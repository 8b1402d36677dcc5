"""Charts shared by the sheets."""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference

from .writer import Sheet


def columns_and_line(s: Sheet, title: str, *, bars: tuple[int, int], line: int, first: int, last: int,
                      anchor: str, stacked: bool, line_color: str) -> None:
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
    bar.add_data(Reference(s.ws, min_col=bars[0], max_col=bars[1], min_row=first - 1, max_row=last),
                 titles_from_data=True)
    bar.set_categories(Reference(s.ws, min_col=1, min_row=first, max_row=last))
    over = LineChart()
    over.add_data(Reference(s.ws, min_col=line, min_row=first - 1, max_row=last), titles_from_data=True)
    over.series[0].graphicalProperties.line.solidFill = line_color
    if stacked:  # a limit: dashed
        over.series[0].graphicalProperties.line.dashStyle = "dash"
        over.series[0].marker.symbol = "dash"
    else:
        over.series[0].marker.symbol = "circle"
    bar += over
    bar.x_axis.delete = False
    bar.y_axis.delete = False
    bar.legend.position = "b"
    bar.height, bar.width = 8, 18
    s.ws.add_chart(bar, anchor)

