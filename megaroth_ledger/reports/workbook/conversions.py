"""The Conversions sheet: gross, basis, earnings and taxable part of each conversion event, then
per tax year and payer the totals beside the expected 1099-R's box 1 (gross), box 5 (basis) and
box 2a (taxable), so a preparer sees they tie (Instructions for Forms 1099-R and 5498: box 1 is
the gross distribution, box 2a its taxable amount, box 5 the employee contributions recovered)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .data import BuildState, WorkbookData
from .writer import Col, Sheet, money, subtitle

CONVERSION_COLS = (
    Col("Tax year", "tax_year", "int", 9),
    Col("Date", "date", "date", 12),
    Col("Plan / account", "plan", "wrap", 16),
    Col("Route", "route", "wrap", 22),
    Col("Destination", "destination", "wrap", 30),
    Col("Gross", "gross", "money", 14),
    Col("Basis", "basis", "money", 14),
    Col("Earnings", "earnings", "money", 14),
    Col("Taxable part", "taxable", "money", 14),
    Col("Memo", "memo", "wrap", 34),
)
TOTAL_COLS = (
    Col("Tax year", "tax_year", "int"),
    Col("", "blank"),
    Col("Payer (1099-R)", "payer", "wrap"),
    Col("What", "what", "wrap"),
    Col("", "blank"),
    Col("Gross / box 1", "gross", "money"),
    Col("Basis / box 5", "basis", "money"),
    Col("Earnings", "earnings", "money"),
    Col("Taxable / box 2a", "taxable", "money"),
    Col("Check", "check", "wrap"),
)
ZERO = Decimal("0.00")


def _sum(rows: Sequence[Mapping[str, Any]], key: str) -> Decimal | None:
    values = [money(r.get(key)) for r in rows]
    if all(v is None for v in values):
        return None
    return sum((v for v in values if v is not None), ZERO)


def payer_of(row: Mapping[str, Any]) -> str:
    """The 1099-R payer a conversion row is reported by: its plan, or the traditional IRA
    custodian for an IRA conversion (the forms service names that payer ``traditional-ira``)."""
    return str(row.get("payer") or row.get("plan") or "")


def _check(total: Mapping[str, Any], form: Mapping[str, Any]) -> str:
    notes = []
    for label, key, box in (
        ("box 1", "gross", "box1"),
        ("box 5", "basis", "box5"),
        ("box 2a", "taxable", "box2a"),
    ):
        ours, theirs = total.get(key), form.get(box)
        if ours is None or theirs is None:
            continue
        if ours == theirs:
            notes.append(f"{label} ties")
        elif key == "taxable" and form.get("undetermined"):
            notes.append(
                f"box 2a is the gross (taxable amount not determined, box 2b); the taxable part "
                f"{ours:,.2f} is figured on Form 8606"
            )
        else:
            notes.append(
                f"{label} differs by {theirs - ours:,.2f} (distributions of this payer that are not "
                "conversions, or a form to check)"
            )
    return "; ".join(notes)


def _totals(data: WorkbookData) -> list[dict]:
    rows: list[dict] = []
    for year in data.years:
        convs = [r for r in data.conversions if r.get("tax_year") == year]
        if not convs:
            continue
        by_payer: dict[str, list] = defaultdict(list)
        for r in convs:
            by_payer[payer_of(r)].append(r)
        forms: dict[str, list] = defaultdict(list)
        for f in (data.form_1099r.get(year) or {}).get("forms", []):
            forms[str(f.get("payer"))].append(f)
        for payer, group in by_payer.items():
            total = {
                "tax_year": year,
                "payer": payer,
                "what": f"total of {len(group)} conversion(s)",
                **{k: _sum(group, k) for k in ("gross", "basis", "earnings", "taxable")},
            }
            rows.append(total)
            fs = forms.get(payer)
            if not fs:
                rows.append(
                    {
                        "tax_year": year,
                        "payer": payer,
                        "what": "expected 1099-R",
                        "check": "no 1099-R expected from this payer",
                    }
                )
                continue
            form = {
                "box1": _sum(fs, "box1"),
                "box5": _sum(fs, "box5"),
                "box2a": _sum(fs, "box2a"),
                "undetermined": any(f.get("box2b_taxable_not_determined") for f in fs),
            }
            rows.append(
                {
                    "tax_year": year,
                    "payer": payer,
                    "what": "expected 1099-R" + (f" ({len(fs)} forms)" if len(fs) > 1 else ""),
                    "gross": form["box1"],
                    "basis": form["box5"],
                    "taxable": form["box2a"],
                    "check": _check(total, form),
                }
            )
    return rows


def write(s: Sheet, data: WorkbookData, state: BuildState) -> None:
    s.setup([c.width for c in CONVERSION_COLS], 3)
    s.title("Conversions: gross, basis, earnings and taxable part of each event", subtitle(data))
    n = s.table(
        CONVERSION_COLS,
        data.conversions,
        data.unavailable.get("Conversions", "No conversions in these years."),
    )
    if not n:
        return
    s.blank()
    s.section(
        "Totals per payer against the expected 1099-R: box 1 = gross, box 5 = basis, box 2a = taxable",
        len(CONVERSION_COLS),
    )
    s.table(TOTAL_COLS, _totals(data), "No totals.")
