"""The Roth Basis sheet: conversion and rollover layers, Form 8606 lines 22/24 and a chart of
conversions and cumulative basis per year."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .charts import columns_and_line
from .clocks import clock_rows
from .data import BuildState, WorkbookData
from .writer import Col, Sheet, money, subtitle

BASIS_COLS = (
    Col("Kind", "kind", "text", 14),
    Col("Plan", "plan", "text", 14),
    Col("Date", "date", "date", 12),
    Col("Tax year", "tax_year", "int", 9),
    Col("Amount", "amount", "money", 14),
    Col("Taxable part", "taxable", "money", 14),
    Col("Nontaxable part", "nontaxable", "money", 14),
    Col("Remaining taxable", "remaining_taxable", "money", 14),
    Col("Remaining nontaxable", "remaining_nontaxable", "money", 14),
    Col("Remaining", "remaining", "money", 14),
    Col("Penalty-free on", "penalty_free_on", "date", 23),
)


def write(s: Sheet, data: WorkbookData, state: BuildState) -> None:
    s.setup([c.width for c in BASIS_COLS], 3)
    s.title("Roth basis: conversion and rollover layers and what remains of them", subtitle(data))
    s.header(BASIS_COLS)
    if data.clocks:
        rows = []
        for c in clock_rows(data.clocks):
            r = dict(c)
            rt, rn = money(c.get("remaining_taxable")), money(c.get("remaining_nontaxable"))
            r["remaining"] = None if rt is None and rn is None else (rt or 0) + (rn or 0)
            rows.append(r)
        if not s.rows(BASIS_COLS, rows):
            s.note("No conversion layers.")
    else:
        s.note(data.unavailable.get("clocks", "Layers not available."))

    lines = [(y, data.form_8606[y].get("lines", {})) for y in data.years if y in data.form_8606]
    lines = [(y, ln) for y, ln in lines if ln.get("22") is not None or ln.get("24") is not None]
    if lines:
        s.blank()
        s.section("Form 8606 Roth basis lines", len(BASIS_COLS))
        s.header(
            [
                Col("Tax year", ""),
                Col("Line 22: regular contributions", ""),
                Col("Line 24: conversions and rollovers", ""),
            ]
        )
        for y, ln in lines:
            s.append([s.cell(y, "int"), s.cell(ln.get("22"), "money"), s.cell(ln.get("24"), "money")])

    # Chart 2: conversions and cumulative converted (Roth basis from conversions) per year.
    per_year: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for c in data.conversions:
        per_year[c["tax_year"]] += money(c.get("gross")) or Decimal("0.00")
    s.blank()
    s.section("Conversions per year and cumulative Roth basis from conversions", len(BASIS_COLS))
    s.header([Col("Year", ""), Col("Converted", ""), Col("Cumulative", "")])
    if not per_year:
        s.note("No conversions recorded.")
        return
    first = s.row + 1
    cum = Decimal("0.00")
    for y in range(min(per_year), max(per_year) + 1):
        cum += per_year.get(y, Decimal("0.00"))
        s.append([s.cell(str(y)), s.cell(per_year.get(y, Decimal("0.00")), "money"), s.cell(cum, "money")])
    last = s.row
    columns_and_line(
        s,
        "Conversions and cumulative Roth basis per year",
        bars=(2, 2),
        line=3,
        first=first,
        last=last,
        anchor=f"B{last + 2}",
        stacked=False,
        line_color="C55A11",
    )
