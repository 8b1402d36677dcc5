"""The Conversions sheet: gross, basis, earnings and taxable part of each conversion event."""

from __future__ import annotations

from .data import BuildState, WorkbookData
from .writer import Col, Sheet, subtitle

CONVERSION_COLS = (
    Col("Tax year", "tax_year", "int", 9),
    Col("Date", "date", "date", 12),
    Col("Plan / account", "plan", "text", 16),
    Col("Route", "route", "text", 22),
    Col("Destination", "destination", "text", 26),
    Col("Gross", "gross", "money", 14),
    Col("Basis", "basis", "money", 14),
    Col("Earnings", "earnings", "money", 14),
    Col("Taxable part", "taxable", "money", 14),
    Col("Memo", "memo", "wrap", 30),
)


def write(s: Sheet, data: WorkbookData, state: BuildState) -> None:
    s.setup([c.width for c in CONVERSION_COLS], 3)
    s.title("Conversions: gross, basis, earnings and taxable part of each event", subtitle(data))
    s.table(CONVERSION_COLS, data.conversions,
            data.unavailable.get("Conversions", "No conversions in these years."))

