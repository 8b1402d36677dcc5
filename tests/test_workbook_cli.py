"""export / project / report year through the real CLI: the workbook's cells equal the JSON of
`headroom`, `form 1099-r|8606|1040` and `clocks` for the same ledger."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import openpyxl
import pytest

from megaroth_ledger.reports.workbook import MONEY_FORMAT, SHEETS

D = Decimal
AS_OF = "2026-11-22"
EVIL_MEMO = "=cmd|' /C calc'!A0"


def num(value):
    return Decimal(repr(value)) if isinstance(value, float) else value


def header_rows(ws, header_row=3):
    header = [c.value for c in ws[header_row]]
    return [dict(zip(header, (num(c.value) for c in row))) for row in ws.iter_rows(min_row=header_row + 1)]


@pytest.fixture
def ledger(ann):
    """The seeds' year: $200,000 salary, $23,500 deferrals, 5% match, $20,000 after-tax grown to
    $20,500 and converted in-plan; plus a classic $7,000 backdoor Roth IRA."""
    m = ann
    m(
        "wages",
        "set",
        "--plan",
        "acme-401k",
        "--year",
        "2025",
        "--compensation",
        "200000",
        "--fica-wages",
        "176100",
    )
    for month in range(1, 11):
        d = f"2025-{month:02d}-15"
        m("contribution", "add", "--plan", "acme-401k", "--date", d, "--source", "pretax", "--amount", "2350")
        m("contribution", "add", "--plan", "acme-401k", "--date", d, "--source", "match", "--amount", "1000")
        m(
            "contribution",
            "add",
            "--plan",
            "acme-401k",
            "--date",
            d,
            "--source",
            "aftertax",
            "--amount",
            "2000",
            "--memo",
            EVIL_MEMO,
        )
    m(
        "earnings",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-11-01",
        "--source",
        "aftertax",
        "--amount",
        "500",
    )
    m("convert", "--plan", "acme-401k", "--date", "2025-11-15", "--amount", "20500", "--to", "in-plan")
    m(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2025-02-01",
        "--account",
        "traditional",
        "--amount",
        "7000",
        "--tax-year",
        "2025",
        "--nondeductible",
        "7000",
    )
    m("ira", "convert", "--person", "ann", "--date", "2025-02-10", "--amount", "7000")
    m("ira", "value", "--person", "ann", "--year", "2025", "--amount", "0")
    return m


@pytest.fixture
def exported(ledger, tmp_path):
    out = tmp_path / "ann-2025.xlsx"
    r = ledger("export", "--person", "ann", "--year", "2025", "-o", str(out), "--as-of", AS_OF)
    assert "wrote" in r.stdout and out.exists()
    return ledger, openpyxl.load_workbook(out)


def test_export_sheets(exported):
    _, wb = exported
    assert wb.sheetnames == list(SHEETS)


def test_summary_equals_headroom_json(exported):
    m, wb = exported
    h = m.json("headroom", "--person", "ann", "--year", "2025")
    (e,) = h["employers"]
    row = next(r for r in wb["Summary"].iter_rows() if r[0].value == e["employer"])
    assert num(row[2].value) == D(e["annual_additions_limit"])
    assert num(row[3].value) == D(e["elective_deferrals_counted"]) == D("23500.00")
    assert num(row[4].value) == D(e["employer_contributions"]) == D("10000.00")
    assert num(row[5].value) == D(e["after_tax_contributions"]) == D("20000.00")
    assert num(row[6].value) == D(e["after_tax_room"]) == D("16500.00")
    assert row[6].number_format == MONEY_FORMAT
    # the Paychecks sheet's year-end running totals agree with the same payload
    last = header_rows(wb["Paychecks"])[-1]
    assert last["YTD deferrals (all employers)"] == D(h["elective_deferrals"])
    assert last["415(c) room left"] == D(e["after_tax_room"])


def test_forms_sheets_equal_form_json(exported):
    m, wb = exported
    f8606 = m.json("form", "8606", "--person", "ann", "--year", "2025")
    rows = {r["Line"]: r for r in header_rows(wb["Form 8606"])}
    assert set(f8606["lines"]) <= set(rows)
    for line, value in f8606["lines"].items():
        assert rows[line]["Value"] == (None if value is None else D(value)), line
    assert rows["10"]["Value"] == D("1.000") and rows["18"]["Value"] == D("0.00")

    f1040 = m.json("form", "1040", "--person", "ann", "--year", "2025")
    rows = {r["Line"]: r for r in header_rows(wb["Form 1040 lines"])}
    for line, value in f1040["lines"].items():
        assert rows[line]["Value"] == D(value), line
    assert (rows["5a"]["Value"], rows["5b"]["Value"]) == (D("20500.00"), D("500.00"))  # the seed
    assert "line" in (rows["5b"]["How it was computed"] or "").lower() or rows["5b"]["How it was computed"]

    f1099 = m.json("form", "1099-r", "--person", "ann", "--year", "2025")
    rows = header_rows(wb["1099-R"])
    for form in f1099["forms"]:
        boxes = {
            r["Box"]: r["Expected"]
            for r in rows
            if r["Payer"] == form["payer"] and r["Destination"] == form["destination"]
        }
        for key, box in (("box1", "1"), ("box2a", "2a"), ("box4", "4"), ("box5", "5")):
            assert boxes[box] == (None if form[key] is None else D(form[key])), (form["payer"], key)
        assert boxes["7"] == form["box7"]
    plan_form = next(f for f in f1099["forms"] if f["payer"] == "acme-401k")
    assert (plan_form["box1"], plan_form["box2a"], plan_form["box5"], plan_form["box7"]) == (
        "20500.00",
        "500.00",
        "20000.00",
        "G",
    )


def test_clocks_sheets_equal_clocks_json(exported):
    m, wb = exported
    c = m.json("clocks", "--person", "ann", "--as-of", AS_OF)
    rows = header_rows(wb["5-Year Clocks"])
    free_now = 0
    for layer, row in zip(c["conversions"], rows):
        assert row["Kind"] == layer["kind"]
        assert row["Amount"] == D(layer["amount"]) and row["Taxable part"] == D(layer["taxable"])
        if layer["penalty_free"] and layer["penalty_free_on"] > AS_OF:
            # free before its five years end: nothing taxable in it (IRC 408A(d)(3)(F)(ii))
            assert (
                D(layer["remaining_taxable"]) == 0 and row["Penalty-free on"] == "now (nothing taxable left)"
            )
            free_now += 1
        else:
            assert row["Penalty-free on"].date().isoformat() == layer["penalty_free_on"]
        assert row["Days left"] == layer["days_left"]
    assert free_now, "the ledger has a fully nontaxable (backdoor) conversion layer"
    basis = header_rows(wb["Roth Basis"])
    for layer, row in zip(c["conversions"], basis):
        assert row["Remaining"] == D(layer["remaining_taxable"]) + D(layer["remaining_nontaxable"])


def test_conversions_and_audit_sheets(exported):
    _, wb = exported
    conv = header_rows(wb["Conversions"])
    irr = next(r for r in conv if r["Route"] == "in-plan Roth rollover")
    assert (irr["Gross"], irr["Basis"], irr["Earnings"], irr["Taxable part"]) == (
        D("20500.00"),
        D("20000.00"),
        D("500.00"),
        D("500.00"),
    )
    ira = next(r for r in conv if r["Route"] == "IRA conversion")
    assert ira["Taxable part"] == D("0.00")  # Form 8606 line 18
    audit = wb["Audit"]
    memos = [row for row in audit.iter_rows(min_row=4) if row[8].value == EVIL_MEMO]
    assert len(memos) == 10
    assert all(c[8].data_type == "s" and c[8].quotePrefix for c in memos)
    assert all(c[10].value is None for c in memos)  # entered on the command line: no source file


def test_project_seed_figures(megaroth):
    m = megaroth
    m("person", "add", "cy", "--born", "1990-06-01")
    m(
        "plan",
        "add",
        "cy-401k",
        "--person",
        "cy",
        "--employer",
        "Cy Co",
        "--after-tax",
        "--in-plan-conversion",
    )
    m(
        "contribution",
        "add",
        "--plan",
        "cy-401k",
        "--date",
        "2025-03-01",
        "--source",
        "aftertax",
        "--amount",
        "36500",
    )
    m("convert", "--plan", "cy-401k", "--date", "2025-03-02", "--amount", "36500", "--to", "in-plan")
    p20 = m.json("project", "--person", "cy", "--rate", "7", "--years", "20")
    assert p20["final"] == {"year": 2045, "without_contributions": "141243.48", "with_contributions": None}
    p30 = m.json("project", "--person", "cy", "--rate", "7", "--years", "30", "--annual-after-tax", "36500")
    assert p30["final"]["without_contributions"] == "277847.31"
    assert p30["rows"][1]["with_contributions"] == "75555.00"  # 39,055 grown + 36,500 added
    table = m("project", "--person", "cy", "--rate", "7", "--years", "20").stdout
    assert "141,243.48" in table
    bad = m("project", "--person", "cy", "--rate", "abc", "--years", "20", ok=False)
    assert bad.exit_code != 0 and "Traceback" not in bad.output


def test_all_years_and_errors(ledger, tmp_path):
    m = ledger
    m(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2024-12-15",
        "--source",
        "pretax",
        "--amount",
        "500",
    )
    out = tmp_path / "hist.xlsx"
    m("export", "--person", "ann", "--all-years", "-o", str(out), "--as-of", AS_OF)
    wb = openpyxl.load_workbook(out)
    years = {r["Tax year"] for r in header_rows(wb["Paychecks"])}
    assert years == {2024, 2025}
    titles = [r[0].value for r in wb["Summary"].iter_rows() if isinstance(r[0].value, str)]
    assert "Tax year 2024" in titles and "Tax year 2025" in titles
    for args in (["--year", "2025", "--all-years"], []):
        r = m("export", "--person", "ann", *args, "-o", str(out), ok=False)
        assert r.exit_code != 0 and "Traceback" not in r.output
    r = m("export", "--person", "ann", "--year", "2025", "-o", str(tmp_path / "x.csv"), ok=False)
    assert r.exit_code != 0 and ".xlsx" in r.output
    r = m("export", "--person", "ann", "--year", "2031", "-o", str(out), ok=False)
    assert r.exit_code != 0 and "2024, 2025" in r.output


def test_report_year(ledger):
    out = ledger("report", "year", "--person", "ann", "--year", "2025").stdout
    assert "16,500.00" in out and "Acme Corp" in out and "irr-1040-unconfirmed" in out
    assert out.count("irr-1040-unconfirmed") == 1, "warnings are listed once, in their table"
    data = ledger.json("report", "year", "--person", "ann", "--year", "2025")
    assert data["contributions_by_source"] == {
        "aftertax": "20000.00",
        "match": "10000.00",
        "pretax": "23500.00",
    }
    assert data["form_1040"]["5b"] == "500.00"
    assert all(w["advice"] for w in data["warnings"])


def test_help_does_not_import_openpyxl():
    code = (
        "import sys; from megaroth_ledger.cli import cli\n"
        "try:\n    cli(['export', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'sqlalchemy'))))"
    )
    r = subprocess.run(
        [sys.executable, "-c", "import json\n" + code], capture_output=True, text=True, check=True
    )
    assert json.loads(r.stdout.strip().splitlines()[-1]) == []


def test_audit_amount_conversion_equals_from_cents():
    from hypothesis import given
    from hypothesis import strategies as st

    from megaroth_ledger.money import from_cents
    from megaroth_ledger.services.export import _dollars

    @given(st.integers(min_value=-(10**15), max_value=10**15))
    def check(cents):
        assert str(_dollars(cents)) == str(from_cents(cents))

    check()
