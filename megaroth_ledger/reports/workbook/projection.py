"""The Projection sheet: future value of each year's conversions."""

from __future__ import annotations

from .data import BuildState, WorkbookData
from .writer import Col, Sheet, subtitle


def write(s: Sheet, data: WorkbookData, state: BuildState) -> None:
    p = data.projection
    conv_years = [str(c["tax_year"]) for c in (p or {}).get("conversions", [])]
    cols = [Col("Year (Dec 31)", "year", "int", 12), Col("Years elapsed", "years_elapsed", "int", 10)]
    cols += [Col(f"{y} conversions", f"y{y}", "money", 15) for y in conv_years]
    cols += [
        Col("Without continued contributions", "without_contributions", "money", 18),
        Col("Continued contributions so far", "contributed", "money", 18),
        Col("With continued contributions", "with_contributions", "money", 18),
    ]
    s.setup([c.width for c in cols], 3)
    if not p:
        s.title("Projection", subtitle(data))
        s.header(cols)
        s.note(data.unavailable.get("Projection", "No projection requested."))
        return
    extra = (f"{p['rate']}% a year for {p['years']} years from Dec 31 {p['start_year']}; "
             f"continued after-tax {p.get('annual_after_tax') or 'none'} a year")
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
