"""The Projection sheet: future value of each year's conversions (and of continued after-tax
contributions when the projection has them)."""

from __future__ import annotations

from decimal import Decimal

from .data import BuildState, WorkbookData
from .writer import Col, Sheet, subtitle


def columns(p: dict | None) -> list[Col]:
    """The sheet's columns: one per conversion year only when there are two or more (a single
    year's column would repeat the total), the continued-contribution columns only when the
    projection has continued contributions."""
    conv_years = [str(c["tax_year"]) for c in (p or {}).get("conversions", [])]
    cols = [Col("Year (Dec 31)", "year", "int", 12), Col("Years elapsed", "years_elapsed", "int", 10)]
    if len(conv_years) > 1:
        cols += [Col(f"{y} conversions", f"y{y}", "money", 15) for y in conv_years]
    continued = bool((p or {}).get("annual_after_tax"))
    label = "Without continued contributions" if continued or not conv_years else "Value of the conversions"
    cols.append(Col(label, "without_contributions", "money", 18))
    if continued:
        cols += [
            Col("Continued contributions so far", "contributed", "money", 18),
            Col("With continued contributions", "with_contributions", "money", 18),
        ]
    return cols


def write(s: Sheet, data: WorkbookData, state: BuildState) -> None:
    p = data.projection
    cols = columns(p)
    s.setup([c.width for c in cols], 3)
    if not p:
        s.title("Projection", subtitle(data))
        s.header(cols)
        s.note(data.unavailable.get("Projection", "No projection requested."))
        return
    after_tax = p.get("annual_after_tax")
    extra = f"{p['rate']}% a year for {p['years']} years from Dec 31 {p['start_year']}; " + (
        f"plus continued after-tax contributions of {Decimal(str(after_tax)):,.2f} a year"
        if after_tax
        else "no continued after-tax contributions"
    )
    s.title("Projection: future value of each year's conversions", subtitle(data, extra))
    s.header(cols)
    rows = []
    for r in p["rows"]:
        row = dict(r)
        for y, v in r.get("by_conversion_year", {}).items():
            row[f"y{y}"] = v
        rows.append(row)
    s.rows(cols, rows)
    s.note("Convention: " + p.get("convention", ""))
