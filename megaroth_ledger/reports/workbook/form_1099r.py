"""The 1099-R sheet: expected forms box by box, received forms and differences beside them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .data import BuildState, WorkbookData
from .writer import Col, Sheet, Text, money, subtitle

BOX_LABELS = {
    "box1": ("1", "Gross distribution"),
    "box2a": ("2a", "Taxable amount"),
    "box2b_taxable_not_determined": ("2b", "Taxable amount not determined"),
    "box2b_total_distribution": ("2b", "Total distribution"),
    "box4": ("4", "Federal income tax withheld"),
    "box5": ("5", "Employee contributions / designated Roth contributions"),
    "box7": ("7", "Distribution code(s)"),
    "box10": ("10", "Amount allocable to IRR within 5 years"),
    "box11": ("11", "1st year of designated Roth contributions"),
}
MONEY_BOXES = {"box1", "box2a", "box4", "box5", "box10"}


R_COLS = (
    Col("Tax year", "tax_year", "int", 9),
    Col("Payer", "payer", "text", 16),
    Col("Destination", "destination", "text", 16),
    Col("Box", "box", "text", 6),
    Col("Description", "label", "text", 50),
    Col("Expected", "expected", "money", 15),
    Col("Received", "received", "money", 15),
    Col("Difference", "difference", "money", 15),
    Col("How it was computed", "explain", "wrap", 60),
)


def _box_value(box: str, value: Any) -> Any:
    if box in MONEY_BOXES:
        return money(value)
    if isinstance(value, bool):
        return Text("checked" if value else "not checked")
    if isinstance(value, str):
        return Text(value)
    return value


def _box_rows(
    year: int,
    payer: str,
    dest: str,
    form: Mapping[str, Any],
    received: Mapping | None,
    explain: Mapping[str, str] | None = None,
):
    for box, (num, label) in BOX_LABELS.items():
        exp = _box_value(box, form.get(box))
        row = {
            "tax_year": year,
            "payer": payer,
            "destination": dest,
            "box": num,
            "label": label,
            "expected": exp,
            "explain": (explain or {}).get(f"{payer}|{dest}|{box}"),
        }
        if received is not None and box in received:
            rec = _box_value(box, received.get(box))
            row["received"] = rec
            if box in MONEY_BOXES:
                row["difference"] = (rec or Decimal("0.00")) - (exp or Decimal("0.00"))
            elif rec != exp:
                row["difference"] = "differs"
        yield row


def write(s: Sheet, data: WorkbookData, state: BuildState) -> None:
    s.setup([c.width for c in R_COLS], 3)
    s.title("Form 1099-R: expected forms box by box, and received forms beside them", subtitle(data))
    s.header(R_COLS)
    wrote = False
    for year in data.years:
        payload = data.form_1099r.get(year)
        if payload is None:
            if f"forms:{year}" in data.unavailable:
                s.note(data.unavailable[f"forms:{year}"])
            continue
        received = {r.get("payer"): r for r in data.received_1099r.get(year, [])}
        by_payer: dict[str, list[dict]] = defaultdict(list)
        for f in payload.get("forms", []):
            by_payer[f.get("payer")].append(f)
        for payer, forms in by_payer.items():
            rec = received.get(payer)
            single = len(forms) == 1
            for f in forms:
                s.rows(
                    R_COLS,
                    _box_rows(
                        year,
                        payer,
                        f.get("destination"),
                        f,
                        rec if single else None,
                        data.explain.get(("1099-r", year)),
                    ),
                )
                wrote = True
            if rec is not None and not single:
                combined = {
                    b: sum((money(f.get(b)) or Decimal(0) for f in forms), Decimal("0.00"))
                    for b in MONEY_BOXES
                }
                combined["box7"] = Text("/".join(sorted({str(f.get("box7")) for f in forms})))
                s.rows(
                    R_COLS,
                    _box_rows(
                        year,
                        payer,
                        "all forms combined",
                        combined,
                        {k: v for k, v in rec.items() if k in MONEY_BOXES},
                    ),
                )
    if not wrote:
        s.note(data.unavailable.get("forms", "No 1099-R is expected for these years."))
