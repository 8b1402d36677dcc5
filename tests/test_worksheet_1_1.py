"""Pub 590-B Worksheet 1-1 (issue 11): a year with a traditional IRA distribution or conversion and a
contribution for that year whose deductibility is still open.

IRS printed example: Pub 590-B (2019), Worksheet 1-1 and the filled-in Form 8606 of Rose Green
(irs.gov/media/168096, page 1: line 1 500, line 2 300, line 3 800, line 4 0, line 5 800, line 13 460
"From Worksheet 1-1 in Pub. 590-B", line 14 340, line 15c 0; irs.gov/media/168101, page 2: line 16
5,000, line 17 460, line 18 4,540). The facts: basis 300 at the end of 2018, a 2,000 contribution
for 2019 whose deductibility depends on MAGI, 5,000 converted, traditional IRAs worth 20,000 at the
end of 2019; Worksheet 1-1: line 3 = 2,300, line 6 = 25,000, line 7 = 0.092, line 8 = 460, line 9 =
4,540, line 10 = 4,540; 1,500 of the contribution is deductible, so line 1 = 500.
"""

from __future__ import annotations

from decimal import Decimal as D

from megaroth_ledger.rules.form8606 import Form8606Input, compute_8606
from megaroth_ledger.rules.worksheet_1_1 import worksheet_1_1


def test_rose_green_worksheet_lines():
    ws = worksheet_1_1(D("300"), D("2000"), D("20000"), D("0"), D("5000"))
    assert {k: str(v) for k, v in ws.lines.items()} == {
        "1": "300.00",
        "2": "2000.00",
        "3": "2300.00",
        "4": "20000.00",
        "5": "5000.00",
        "6": "25000.00",
        "7": "0.092",
        "8": "460.00",
        "9": "4540.00",
        "10": "4540.00",
        "11": "0.00",
    }


def test_rose_green_form_8606_from_the_worksheet():
    f = compute_8606(
        Form8606Input(
            tax_year=2019,
            nondeductible=D("500"),
            prior_basis=D("300"),
            year_end_value=D("20000"),
            conversions=D("5000"),
            worksheet_contributions=D("2000"),
        )
    )
    got = {k: v for k, v in f.lines.items() if v is not None}
    assert got == {
        "1": D("500"),
        "2": D("300"),
        "3": D("800"),
        "4": D("0"),
        "5": D("800"),
        "7": D("0"),
        "8": D("5000"),
        "13": D("460"),
        "14": D("340"),
        "15a": D("0"),
        "15c": D("0"),
        "16": D("5000"),
        "17": D("460"),
        "18": D("4540"),
    }
    assert f.carry.traditional_basis == D("340") and f.worksheet_1_1["7"] == D("0.092")


def test_worksheet_splits_a_distribution_and_a_conversion():
    """Hand-worked (the worksheet's note): basis 1,000, 6,000 contributed, value 13,000 on Dec 31,
    a 2,000 distribution and a 5,000 conversion: line 5 = 7,000, line 6 = 20,000, line 7 = 0.350,
    line 8 = 2,450, line 9 = 4,550, line 10 = 4,550 x 5,000 / 7,000 = 3,250, line 11 = 1,300;
    Form 8606 line 17 = 5,000 - 3,250 = 1,750, line 18 = 3,250, line 15a = 1,300."""
    ws = worksheet_1_1(D("1000"), D("6000"), D("13000"), D("2000"), D("5000"))
    assert (ws.lines["7"], ws.lines["8"], ws.lines["10"], ws.lines["11"]) == (
        D("0.350"),
        D("2450"),
        D("3250"),
        D("1300"),
    )
    assert (ws.conversion_nontaxable, ws.conversion_taxable) == (D("1750"), D("3250"))


def test_cli_rose_green_with_the_deduction_from_magi(megaroth):
    """The same example through the ledger: single, covered by a plan, 2019 MAGI 69,000 (the
    64,000-74,000 range: 74,000 - 69,000 = 5,000 x 60% = 3,000 deductible at most -- more than the
    1,500 of the example, so MAGI 71,500 is used: 2,500 x 60% = 1,500). Line 1 = 2,000 - 1,500 = 500."""
    m = megaroth
    m("person", "add", "rose", "--born", "1975-01-01")
    m("plan", "add", "work", "--person", "rose", "--employer", "Work")
    m("basis", "set", "--person", "rose", "--year", "2018", "--traditional", "300")
    m(
        "tax-year",
        "set",
        "--person",
        "rose",
        "--year",
        "2019",
        "--filing-status",
        "single",
        "--magi",
        "71500",
        "--covered",
    )
    r = m(
        "ira",
        "contribute",
        "--person",
        "rose",
        "--date",
        "2019-03-01",
        "--account",
        "traditional",
        "--amount",
        "2000",
        "--tax-year",
        "2019",
        "--deductibility-open",
    )
    assert "ira-deduction" not in r.stderr
    m("ira", "convert", "--person", "rose", "--date", "2019-06-01", "--amount", "5000")
    m("ira", "value", "--person", "rose", "--year", "2019", "--amount", "20000")
    out = m.json("form", "8606", "--person", "rose", "--year", "2019", "--explain")
    lines = {k: v for k, v in out["lines"].items() if v is not None}
    assert lines == {
        "1": "500.00",
        "2": "300.00",
        "3": "800.00",
        "4": "0.00",
        "5": "800.00",
        "7": "0.00",
        "8": "5000.00",
        "13": "460.00",
        "14": "340.00",
        "15a": "0.00",
        "15c": "0.00",
        "16": "5000.00",
        "17": "460.00",
        "18": "4540.00",
    }
    assert out["worksheet_1_1"]["7"] == "0.092" and out["worksheet_1_1"]["8"] == "460.00"
    assert any("Worksheet 1-1 line 8" in row for row in out["explain"]["13"]["rows"])
    assert m.json("form", "1040", "--person", "rose", "--year", "2019")["lines"]["4b"] == "4540.00"


def test_open_deductibility_needs_the_year_facts(megaroth):
    m = megaroth
    m("person", "add", "rob", "--born", "1975-01-01")
    m(
        "ira",
        "contribute",
        "--person",
        "rob",
        "--date",
        "2019-03-01",
        "--account",
        "traditional",
        "--amount",
        "2000",
        "--tax-year",
        "2019",
        "--deductibility-open",
    )
    r = m("form", "8606", "--person", "rob", "--year", "2019", ok=False)
    assert r.exit_code == 2 and "tax-year set" in r.output
    r = m(
        "ira",
        "contribute",
        "--person",
        "rob",
        "--date",
        "2019-03-01",
        "--account",
        "roth",
        "--amount",
        "2000",
        "--tax-year",
        "2019",
        "--deductibility-open",
        ok=False,
    )
    assert r.exit_code == 2


def test_workbook_shows_the_worksheet(megaroth, tmp_path):
    m = megaroth
    m("person", "add", "rose", "--born", "1975-01-01")
    m("basis", "set", "--person", "rose", "--year", "2018", "--traditional", "300")
    m(
        "tax-year",
        "set",
        "--person",
        "rose",
        "--year",
        "2019",
        "--filing-status",
        "single",
        "--magi",
        "71500",
        "--covered",
    )
    m(
        "ira",
        "contribute",
        "--person",
        "rose",
        "--date",
        "2019-03-01",
        "--account",
        "traditional",
        "--amount",
        "2000",
        "--tax-year",
        "2019",
        "--deductibility-open",
    )
    m("ira", "convert", "--person", "rose", "--date", "2019-06-01", "--amount", "5000")
    m("ira", "value", "--person", "rose", "--year", "2019", "--amount", "20000")
    out = tmp_path / "rose.xlsx"
    m("export", "--person", "rose", "--year", "2019", "-o", str(out))
    from openpyxl import load_workbook

    wb = load_workbook(out)
    text = "\n".join(
        str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c
    )
    assert "Worksheet 1-1 line 8" in text and "Worksheet 1-1 line 7" in text
