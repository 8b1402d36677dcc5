"""Derived figures are never stored stale (issue 9): a conversion's basis, earnings and taxable
part are figured from the ledger whenever read, so import order, corrections and undos give the
same figures in every report, form and sheet as entering the rows in date order."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
GENERIC = SAMPLES / "2025-acme-generic.csv"


def statement(tmp_path: Path, name: str, months: tuple[str, ...]) -> Path:
    """A statement file holding the sample year's rows of the given months (2025-MM)."""
    lines = GENERIC.read_text().splitlines()
    body = [line for line in lines[1:] if line[:7] in {f"2025-{m}" for m in months}]
    path = tmp_path / name
    path.write_text("\n".join([lines[0], *body]) + "\n")
    return path


@pytest.fixture
def plan(megaroth):
    megaroth("person", "add", "ann", "--born", "1985-04-02")
    megaroth(
        "plan",
        "add",
        "acme-401k",
        "--person",
        "ann",
        "--employer",
        "Acme Corp",
        "--after-tax",
        "--in-plan-conversion",
    )
    return megaroth


def _sheet_rows(ws, header_row=3):
    header = [c.value for c in ws[header_row]]
    return [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=header_row + 1)]


def _figures(m, tmp_path, tag):
    f = m.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"]
    rep = m.json("report", "year", "--person", "ann", "--year", "2025")
    out = tmp_path / f"{tag}.xlsx"
    m("export", "--person", "ann", "--year", "2025", "-o", str(out), "--as-of", "2026-01-31")
    wb = openpyxl.load_workbook(out)
    sheet = [r for r in _sheet_rows(wb["Conversions"]) if r.get("Route") == "in-plan Roth rollover"]
    summary = [
        row
        for row in wb["Summary"].iter_rows(values_only=True)
        if row and row[0] and str(row[0]).endswith("conversion(s), gross")
    ]
    return f, rep, sheet, summary


def test_story_2_march_then_q1_statement_gives_the_1099r_taxable_part_everywhere(plan, tmp_path):
    m = plan
    march = statement(tmp_path, "march.csv", ("03",))
    q1 = statement(tmp_path, "q1.csv", ("01", "02", "03"))
    assert m.json("import", str(march))["conversions_added"] == 1
    second = m.json("import", str(q1))
    assert second["rows_already_present"] > 0 and second["conversions_added"] == 0
    forms, rep, sheet, summary = _figures(m, tmp_path, "after-q1")
    (form,) = forms
    assert (form["box1"], form["box2a"]) == ("8064.23", "44.99")  # the right figure
    (conv,) = rep["conversions"]
    assert (conv["gross"], conv["taxable"], conv["basis"]) == ("8064.23", "44.99", form["box5"])
    (row,) = sheet
    assert Decimal(str(row["Taxable part"])).quantize(Decimal("0.01")) == Decimal("44.99")
    assert Decimal(str(row["Basis"])).quantize(Decimal("0.01")) == Decimal(form["box5"])
    (srow,) = summary
    assert Decimal(str(srow[4])).quantize(Decimal("0.01")) == Decimal("44.99")
    assert m.json("conversion", "list")["conversions"][0]["taxable"] == "44.99"


def test_import_order_and_undo_give_the_figures_of_date_order(plan, tmp_path, megaroth, new_megaroth):
    """Q1 alone (date order) vs March, then Q1, then undo March and import it again."""
    ref = new_megaroth()
    ref("person", "add", "ann", "--born", "1985-04-02")
    ref(
        "plan",
        "add",
        "acme-401k",
        "--person",
        "ann",
        "--employer",
        "Acme Corp",
        "--after-tax",
        "--in-plan-conversion",
    )
    q1 = statement(tmp_path, "q1.csv", ("01", "02", "03"))
    q2 = statement(tmp_path, "q2.csv", ("04", "05", "06"))
    ref("import", str(q1))
    ref("import", str(q2))
    want = ref.json("conversion", "list")["conversions"]
    want_1099 = ref.json("form", "1099-r", "--person", "ann", "--year", "2025")

    m = plan
    m("import", str(q2))  # the later quarter first: its conversion cannot be figured yet
    first = m.json("import", str(q1))
    got = m.json("conversion", "list")["conversions"]
    strip = [{k: v for k, v in c.items() if k not in ("id", "import_id")} for c in got]
    assert strip == [{k: v for k, v in c.items() if k not in ("id", "import_id")} for c in want]
    assert m.json("form", "1099-r", "--person", "ann", "--year", "2025") == want_1099
    m("import", "undo", str(first["import"]))
    m("import", str(q1))
    assert m.json("form", "1099-r", "--person", "ann", "--year", "2025") == want_1099
    assert [c["taxable"] for c in m.json("conversion", "list")["conversions"]] == [c["taxable"] for c in want]


def test_importers_do_not_import_report_code():
    src = (Path(__file__).resolve().parent.parent / "megaroth_ledger" / "importers").rglob("*.py")
    for path in src:
        text = path.read_text()
        assert "services.forms" not in text and "from ..services" not in text, path


def test_audit_sheet_shows_the_corrections_of_the_year(ann, tmp_path):
    ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-15",
        "--source",
        "pretax",
        "--amount",
        "90385",
    )
    ann("contribution", "edit", "1", "--amount", "903.85")
    ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-02-15",
        "--source",
        "pretax",
        "--amount",
        "903.85",
    )
    ann("contribution", "rm", "2", "--reason", "entered twice")
    out = tmp_path / "a.xlsx"
    ann("export", "--person", "ann", "--year", "2025", "-o", str(out), "--as-of", "2026-01-31")
    rows = [r for r in openpyxl.load_workbook(out)["Audit"].iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("Corrections of these years"))
    header = rows[start + 1]
    body = [dict(zip(header, r)) for r in rows[start + 2 :] if any(v is not None for v in r)]
    assert [(b["Action"], b["Record"], b["Record id"]) for b in body] == [
        ("rm", "contribution", 2),
        ("edit", "contribution", 1),
    ]
    assert "amount=90385.00" in body[1]["Before"] and body[1]["After"] == "amount=903.85"
    assert body[0]["Reason"] == "entered twice"
