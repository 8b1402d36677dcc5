"""The 5-Year Clocks sheet: when each conversion layer becomes penalty-free, the qualified-
distribution clocks, the Roth IRA ordering schedule and a timeline chart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.shapes import GraphicalProperties

from ..display import FREE_NOW, NO_ROTH_IRA_CONVERSIONS, free_from, has_conversion_years
from .data import BuildState, WorkbookData
from .writer import Col, Sheet, Text, as_date, money, subtitle

CLOCK_COLS = (
    Col("Kind", "kind", "text", 14),
    Col("Plan", "plan", "text", 14),
    Col("Date", "date", "date", 12),
    Col("Tax year", "tax_year", "int", 12),
    Col("Amount", "amount", "money", 14),
    Col("Taxable part", "taxable", "money", 14),
    Col("Nontaxable part", "nontaxable", "money", 14),
    Col("Clock start", "clock_start", "date", 12),
    Col("Penalty-free on", "penalty_free_on", "date", 23),
    Col("Penalty-free?", "penalty_free", "text", 11),
    Col("Days left", "days_left", "int", 9),
    Col("Years on clock", "clock_years", "ratio2", 10),
    Col("Clock start (year)", "clock_start_year", "int", 10),
)
QUALIFIED_COLS = (
    Col("Account", "account"),
    Col("Clock start", "clock_start", "date"),
    Col("Five years on", "five_years_on", "date"),
    Col("Qualified on", "qualified_on", "date"),
    Col("Met?", "met"),
)


def clock_rows(clocks: Mapping[str, Any]) -> list[dict]:
    """The payload's layers with the chart columns; a layer already free before its five years
    end (nothing taxable left in it) shows "now" as its penalty-free date and no bar."""
    out = []
    for c in clocks.get("conversions", []):
        r = dict(c)
        start, free = as_date(c.get("clock_start")), as_date(c.get("penalty_free_on"))
        shown = free_from(c, clocks.get("as_of"))
        if start and free:
            r["clock_start_year"] = start.year
            r["clock_years"] = (
                Decimal("0.00") if shown == FREE_NOW else _year_fraction(free) - _year_fraction(start)
            )
        if shown == FREE_NOW:
            r["penalty_free_on"] = Text(FREE_NOW)
        out.append(r)
    return out


def _year_fraction(d: dt.date) -> Decimal:
    """2029-01-01 -> 2029.00; 2044-10-02 -> 2044.75 (for the timeline chart's axis in years)."""
    jan1 = dt.date(d.year, 1, 1)
    days = (dt.date(d.year + 1, 1, 1) - jan1).days
    return (Decimal(d.year) + Decimal((d - jan1).days) / Decimal(days)).quantize(Decimal("0.01"))


def write(s: Sheet, data: WorkbookData, state: BuildState) -> None:
    s.setup([c.width for c in CLOCK_COLS], 3)
    c = data.clocks
    extra = ""
    if c:
        extra = f"as of {c.get('as_of')}; age 59 1/2 on {c.get('age_59_half_on')}"
    s.title("5-year clocks: when each conversion layer becomes penalty-free", subtitle(data, extra))
    if not c:
        s.header(CLOCK_COLS)
        s.note(data.unavailable.get("clocks", "Clocks not available."))
        return
    rows = clock_rows(c)
    s.header(CLOCK_COLS)
    first = s.row + 1
    s.rows(CLOCK_COLS, rows)
    last = s.row
    s.note(
        "Only the taxable part of a conversion is exposed to the 10% additional tax within its "
        "five years (IRC 408A(d)(3)(F)); the nontaxable part never is."
    )
    s.blank()
    s.section("Qualified-distribution clocks", len(CLOCK_COLS))
    s.table(QUALIFIED_COLS, c.get("qualified", []), "None.")
    if c.get("schedule"):
        s.blank()
        if not has_conversion_years(c["schedule"]):  # a note, not an empty "0.00" row
            s.note(NO_ROTH_IRA_CONVERSIONS + ".")
        else:
            s.section(
                "When Roth IRA conversion money becomes penalty-free (ordering rules: oldest year first)",
                len(CLOCK_COLS),
            )
            s.table(
                SCHEDULE_COLS,
                [dict(r, tax_years=", ".join(str(y) for y in r.get("tax_years", []))) for r in c["schedule"]],
                "None.",
            )
        if c.get("regular_contributions_remaining") is not None:
            s.note(
                f"Regular Roth IRA contributions (always withdrawable without tax or penalty): "
                f"{money(c['regular_contributions_remaining']):,.2f}; earnings are not included."
            )
    if rows:
        # Timeline (Gantt): an invisible bar up to the clock start, then the clock itself.
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = "When each conversion layer becomes penalty-free"
        chart.add_data(Reference(s.ws, min_col=13, min_row=first - 1, max_row=last), titles_from_data=True)
        chart.add_data(Reference(s.ws, min_col=12, min_row=first - 1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(s.ws, min_col=3, min_row=first, max_row=last))
        chart.series[0].graphicalProperties = GraphicalProperties(noFill=True)
        chart.series[0].graphicalProperties.line.noFill = True
        chart.series[1].graphicalProperties.solidFill = "2E75B6"
        starts = [as_date(r.get("clock_start")) for r in rows if r.get("clock_start")]
        ends = [
            as_date(r.get("penalty_free_on")) for r in c.get("conversions", []) if r.get("penalty_free_on")
        ]
        if starts:
            chart.y_axis.scaling.min = min(starts).year
        if ends:
            chart.y_axis.scaling.max = max(ends).year + 1
        chart.y_axis.majorUnit = 1
        chart.y_axis.numFmt = "0"
        chart.y_axis.title = "Clock start to penalty-free date"
        chart.x_axis.title = "Conversion date"
        chart.x_axis.scaling.orientation = "maxMin"
        chart.legend = None
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.height, chart.width = max(6, 1.2 * len(rows) + 4), 18
        s.ws.add_chart(chart, f"B{s.row + 2}")


SCHEDULE_COLS = (
    Col("From", "on", "date"),
    Col("Conversion years", "tax_years"),
    Col("Becomes free", "amount", "money"),
    Col("Penalty-free in total", "cumulative", "money"),
)
