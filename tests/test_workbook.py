"""The year-end workbook builder over payload dicts (reports/workbook/, one module per sheet).

Opens the produced file with openpyxl and checks what a reader relies on: sheet names, the
key cells equal the payloads they come from, number formats, frozen headers, print setup,
charts, formula-injection safety, and 'not available' notes instead of invented numbers.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from megaroth_ledger.reports.workbook import (
    DATE_FORMAT,
    MONEY_FORMAT,
    SHEETS,
    build_workbook,
    running_paychecks,
)
from tests.workbook_fixtures import (
    CLOCKS,
    EVIL,
    FORM_1040_2025,
    FORM_1099R_2025,
    FORM_8606_2025,
    HEADROOM_2025,
    workbook_data,
)

D = Decimal


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "ann-2025.xlsx"
    counts = build_workbook(workbook_data(), path)
    assert counts == {"Paychecks": 9, "Audit": 50}
    return path, openpyxl.load_workbook(path)


def num(value):
    """A number read back from the file as an exact Decimal. openpyxl reads numbers as float;
    the file stores the Decimal's text, and a float's repr gives that text back exactly for
    amounts of up to 15 significant digits."""
    return Decimal(repr(value)) if isinstance(value, float) else value


def rows_of(ws, first=4):
    return [tuple(num(v) for v in r) for r in ws.iter_rows(min_row=first, values_only=True)]


def find_row(ws, **match):
    """The first data row (as a dict keyed by the header row 3) whose values match."""
    header = [c.value for c in ws[3]]
    for cells in ws.iter_rows(min_row=4):
        row = dict(zip(header, cells))
        if all(row.get(k) is not None and row[k].value == v for k, v in match.items()):
            return row
    raise AssertionError(f"no row {match} in {ws.title}")


def test_sheet_names_in_order(book):
    _, wb = book
    assert wb.sheetnames == list(SHEETS)


def test_every_sheet_has_title_frozen_header_and_print_setup(book):
    _, wb = book
    for ws in wb.worksheets:
        assert isinstance(ws["A1"].value, str) and ws["A1"].font.bold, ws.title
        assert ws.freeze_panes in ("A3", "A4"), ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows, ws.title
        assert ws.column_dimensions["A"].width >= 9, ws.title


def test_summary_headroom_equals_headroom_payload(book):
    _, wb = book
    ws = wb["Summary"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    emp = HEADROOM_2025["employers"][0]
    employer_row = next(r for r in ws.iter_rows() if r[0].value == emp["employer"])
    assert num(employer_row[2].value) == D(emp["annual_additions_limit"])
    assert num(employer_row[6].value) == D(emp["after_tax_room"]) == D("16500.00")
    assert employer_row[6].number_format == MONEY_FORMAT
    assert "EXCESS_DEFERRAL" in cells
    advice = next(r[7].value for r in ws.iter_rows() if r[0].value == "EXCESS_DEFERRAL")
    assert "April 15" in advice
    (chart,) = ws._charts
    assert chart.grouping == "stacked"  # contributions by source, stacked, against the 415(c) line
    assert [type(c).__name__ for c in chart._charts] == ["BarChart", "LineChart"]


def test_paychecks_running_totals(book):
    _, wb = book
    ws = wb["Paychecks"]
    last = rows_of(ws)[-1]
    header = [c.value for c in ws[3]]
    row = dict(zip(header, last))
    assert row["YTD deferrals (all employers)"] == D("23500.00")
    assert row["402(g) + catch-up limit"] == D("23500.00")
    assert row["Deferral room left"] == D("0.00")
    # the year-end annual additions equal the headroom payload's employer figures
    emp = HEADROOM_2025["employers"][0]
    additions = sum(
        D(emp[k]) for k in ("elective_deferrals_counted", "employer_contributions", "after_tax_contributions")
    )
    assert row["YTD 415(c) additions (employer)"] == additions == D("53500.00")
    assert row["415(c) room left"] == D("70000.00") - additions
    assert ws.cell(4, 2).number_format == DATE_FORMAT
    assert ws.cell(4, 6).number_format == MONEY_FORMAT


def test_catch_up_is_not_an_annual_addition():
    headroom = {
        2025: {
            "limits": {"elective_deferral": "23500.00", "catch_up": "11250.00"},
            "employers": [{"employer": "E", "annual_additions_limit": "70000.00"}],
        }
    }
    pay = [
        {
            "tax_year": 2025,
            "date": "2025-01-01",
            "plan": "p",
            "employer": "E",
            "source": "pretax",
            "amount": D("20000.00"),
        },
        {
            "tax_year": 2025,
            "date": "2025-02-01",
            "plan": "p",
            "employer": "E",
            "source": "roth",
            "amount": D("14750.00"),
        },
        {
            "tax_year": 2025,
            "date": "2025-03-01",
            "plan": "p",
            "employer": "E",
            "source": "match",
            "amount": D("10000.00"),
        },
    ]
    out = list(running_paychecks(pay, headroom))
    # seed: 61-year-old deferring 34,750 with a 10,000 match -> catch-up 11,250, room 36,500
    assert out[1]["ytd_deferrals"] == D("34750.00")
    assert out[1]["deferral_room"] == D("0.00")
    assert out[-1]["ytd_additions"] == D("33500.00")
    assert out[-1]["additions_room"] == D("36500.00")


def test_457b_deferrals_have_their_own_limit():
    headroom = {
        2025: {
            "limits": {"elective_deferral": "23500.00", "catch_up": "0.00"},
            "employers": [{"employer": "E", "annual_additions_limit": "70000.00"}],
            "plans_457b": [{"plan": "gov-457", "limit": "23500.00"}],
        }
    }
    pay = [
        {
            "tax_year": 2025,
            "date": "2025-01-01",
            "plan": "a-401k",
            "employer": "E",
            "source": "pretax",
            "amount": D("20000.00"),
        },
        {
            "tax_year": 2025,
            "date": "2025-02-01",
            "plan": "gov-457",
            "plan_kind": "457b",
            "employer": "G",
            "source": "pretax",
            "amount": D("20000.00"),
        },
    ]
    a401k, gov = running_paychecks(pay, headroom)
    assert (a401k["ytd_deferrals"], a401k["deferral_room"]) == (D("20000.00"), D("3500.00"))
    assert (gov["ytd_deferrals"], gov["deferral_room"]) == (
        D("20000.00"),
        D("3500.00"),
    )  # not 402(g)-aggregated
    assert "ytd_additions" not in gov


def test_1099r_box_by_box_with_received_and_difference(book):
    _, wb = book
    ws = wb["1099-R"]
    form = FORM_1099R_2025["forms"][0]
    assert num(find_row(ws, Box="1")["Expected"].value) == D(form["box1"])
    box2a = find_row(ws, Box="2a")
    assert num(box2a["Expected"].value) == D("500.00")
    assert num(box2a["Received"].value) == D("450.00")
    assert num(box2a["Difference"].value) == D("-50.00")
    assert box2a["Expected"].number_format == MONEY_FORMAT
    assert num(find_row(ws, Box="5")["Difference"].value) == D("50.00")
    assert find_row(ws, Box="7")["Expected"].value == "G"
    assert find_row(ws, Box="11")["Expected"].value == 2025


def test_form_8606_and_1040_equal_payloads(book):
    _, wb = book
    ws = wb["Form 8606"]
    for line, value in FORM_8606_2025["lines"].items():
        row = find_row(ws, Line=line)
        if value is None:
            assert row["Value"].value is None, line
        elif line == "10":
            assert num(row["Value"].value) == D("1.000") and row["Value"].number_format == "0.000"
        else:
            assert num(row["Value"].value) == D(value), line
            assert row["Value"].number_format == MONEY_FORMAT
    assert find_row(ws, Line="18")["How it was computed"].value.startswith("line 16")
    ws = wb["Form 1040 lines"]
    for line, value in FORM_1040_2025["lines"].items():
        assert num(find_row(ws, Line=line)["Value"].value) == D(value)


def test_clocks_and_roth_basis_equal_clocks_payload(book):
    _, wb = book
    ws = wb["5-Year Clocks"]
    for layer in CLOCKS["conversions"]:
        row = find_row(ws, **{"Tax year": layer["tax_year"]})
        assert num(row["Amount"].value) == D(layer["amount"])
        assert num(row["Taxable part"].value) == D(layer["taxable"])
        assert row["Penalty-free on"].value.date().isoformat() == layer["penalty_free_on"]
        assert row["Penalty-free on"].number_format == DATE_FORMAT
        assert row["Days left"].value == layer["days_left"]
    assert len(ws._charts) == 1
    ws = wb["Roth Basis"]
    row = find_row(ws, **{"Tax year": 2025})
    assert num(row["Remaining"].value) == D("20500.00")
    assert len(ws._charts) == 1


def test_projection_sheet(book):
    _, wb = book
    ws = wb["Projection"]
    header = [c.value for c in ws[3]]
    rows = [dict(zip(header, r)) for r in rows_of(ws) if isinstance(r[0], int)]
    assert [r["Year (Dec 31)"] for r in rows] == list(range(2025, 2046))
    # 20,500 at 7% for 20 years = 20,500 x 1.07^20
    assert rows[-1]["Without continued contributions"] == D("79328.53")
    assert rows[-1]["Continued contributions so far"] == D("730000.00")


def test_formula_injection_is_shown_as_text(book):
    path, wb = book
    ws = wb["Audit"]
    memo = find_row(ws, **{"Entry id": 1})["Memo"]
    assert memo.value == EVIL
    assert memo.data_type == "s" and memo.quotePrefix
    for header, text in (("Fund", "+Fund"), ("Source file", "@evil.csv")):
        c = find_row(ws, **{"Entry id": 1})[header]
        assert c.value == text and c.data_type == "s" and c.quotePrefix
    c = find_row(ws, **{"Entry id": 2})["Memo"]
    assert c.value == "-1+2" and c.quotePrefix
    conv_memo = wb["Conversions"].cell(4, 10)
    assert conv_memo.value == "\tcmd|calc" and conv_memo.quotePrefix
    # no formula anywhere in the file
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


def test_illegal_xml_characters_do_not_break_the_export(tmp_path):
    data = workbook_data(audit=[{"id": 1, "memo": "bell\x07here", "tax_year": 2025}])
    build_workbook(data, tmp_path / "x.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx")["Audit"]
    assert ws.cell(4, 9).value == "bell\ufffdhere"


def test_missing_payloads_say_not_available(tmp_path):
    reason = "not available yet: the forms service is not built"
    data = workbook_data(
        form_1099r={},
        form_8606={},
        form_1040={},
        clocks=None,
        received_1099r={},
        unavailable={"forms": reason, "clocks": "not available yet"},
    )
    build_workbook(data, tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx")
    for name in ("1099-R", "Form 8606", "Form 1040 lines"):
        ws = wb[name]
        assert ws.cell(4, 1).value == reason, name
        assert all(
            c.value is None or not isinstance(c.value, Decimal)
            for row in ws.iter_rows(min_row=4)
            for c in row
        ), name
    assert wb["5-Year Clocks"].cell(4, 1).value == "not available yet"


def test_multi_year_workbook(tmp_path):
    h24 = dict(
        HEADROOM_2025,
        year=2024,
        limits={"elective_deferral": "23000.00", "catch_up": "0.00", "annual_additions": "69000.00"},
        warnings=[],
    )
    pay = [dict(r, tax_year=2024, date=r["date"].replace("2025", "2024")) for r in workbook_data().paychecks]
    data = workbook_data(
        years=[2024, 2025],
        headroom={2024: h24, 2025: HEADROOM_2025},
        paychecks=pay + list(workbook_data().paychecks),
    )
    build_workbook(data, tmp_path / "x.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx")["Paychecks"]
    years = [r[0] for r in ws.iter_rows(min_row=4, values_only=True)]
    assert years == [2024] * 9 + [2025] * 9
    header = [c.value for c in ws[3]]
    first_2025 = dict(zip(header, rows_of(ws, first=13)[0]))
    assert first_2025["YTD deferrals (all employers)"] == D("7833.33")  # reset each year


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_renders_with_libreoffice(book, tmp_path):
    path, _ = book
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "ann-2025.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000
    # LibreOffice shows the injected text as text: its CSV export of the Audit sheet keeps it
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,10",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    audit_csv = next(tmp_path.glob("*Audit*.csv"))
    text = audit_csv.read_text(encoding="utf-8")
    assert 'HYPERLINK(""http://evil.example"",""click"")' in text
    assert "-1+2" in text
