"""What a preparer sees on the workbook's pages (issue 14): rows tall enough for their wrapped
text, codes never broken, a visible §415(c) limit, Conversions totals that tie to the 1099-R,
no blank Form 8606, no empty Projection columns, and "now" for a layer that is already free.

The layout rules are checked on the file openpyxl reads back; the render test at the end turns
the workbook into a PDF with LibreOffice (when installed) and reads the pages' text."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest

from megaroth_ledger.reports.display import FREE_NOW
from megaroth_ledger.reports.workbook import build_workbook
from megaroth_ledger.reports.workbook.writer import LINE_HEIGHT, wrapped_lines
from megaroth_ledger.rules.projection import project, projection_payload
from tests.workbook_fixtures import CLOCKS, FORM_8606_2025, HEADROOM_2025, workbook_data

D = Decimal
LONG_CODE = "ASSUMPTION_IRR_STARTS_DRA_CLOCK"
LONG_MESSAGE = (
    "assumption: plan acme-401k has no first designated Roth contribution year (1099-R box 11) on "
    "record; its designated Roth account clock is started on January 1 of its first in-plan Roth "
    "rollover year (2025). Whether an IRR alone starts the IRC 402A(d)(2)(B) period is "
    "UNCONFIRMED (ENDOFMESSAGE)."
)


def _book(tmp_path, **over):
    path = tmp_path / "ann-2025.xlsx"
    build_workbook(workbook_data(**over), path)
    return path, openpyxl.load_workbook(path)


def _header_row(ws, first_header: str) -> int:
    for row in ws.iter_rows():
        if row[0].value == first_header:
            return row[0].row
    raise AssertionError(first_header)


@pytest.mark.parametrize(
    "text, width, lines",
    [
        # a cell W wide holds W - 1 characters a line (chars_per_width 1.0; one for the cell padding)
        ("", 10, 1),
        ("short", 10, 1),
        ("two words", 6, 2),
        ("two words", 10, 1),
        ("a\nb\nc", 30, 3),
        ("x" * 25, 10, 3),  # a word longer than a line is broken: 9 + 9 + 7
        ("aaaa bbbb cccc", 8, 3),  # greedy: "aaaa" / "bbbb" / "cccc" (a 7-character line cannot take two)
    ],
)
def test_wrapped_lines_is_greedy_word_wrap(text, width, lines):
    assert wrapped_lines(text, width, 1.0) == lines


def test_paychecks_header_row_is_tall_enough_for_three_lines(tmp_path):
    _, wb = _book(tmp_path)
    ws = wb["Paychecks"]
    # "YTD 415(c) additions (employer)" wraps to three lines in its 17-wide column
    assert ws.row_dimensions[3].height >= 3 * LINE_HEIGHT


def test_summary_warning_code_unbroken_and_message_row_tall_enough(tmp_path):
    clocks = dict(CLOCKS, warnings=[{"code": LONG_CODE, "message": LONG_MESSAGE}])
    _, wb = _book(tmp_path, clocks=clocks)
    ws = wb["Summary"]
    row = next(r for r in ws.iter_rows() if r[0].value == LONG_CODE)
    assert not row[0].alignment.wrap_text  # a code is one unbroken word
    assert ws.column_dimensions["A"].width >= len(LONG_CODE) * 1.1
    message = row[1]
    assert message.value == LONG_MESSAGE and message.alignment.wrap_text
    needed = wrapped_lines(LONG_MESSAGE, ws.column_dimensions["B"].width)
    assert needed > 3 and ws.row_dimensions[message.row].height >= needed * LINE_HEIGHT


def test_415c_limit_is_drawn_as_a_wide_marker_with_its_value(tmp_path):
    _, wb = _book(tmp_path)
    chart = wb["Summary"]._charts[0]
    line = next(c for c in chart._charts if c.tagname == "lineChart")
    ser = line.series[0]
    assert ser.marker.symbol == "dash" and ser.marker.size >= 40
    assert ser.dLbls is not None and ser.dLbls.showVal


def test_conversions_totals_tie_to_1099r_boxes(tmp_path):
    _, wb = _book(tmp_path)
    ws = wb["Conversions"]
    assert _header_row(ws, "Tax year") == 3
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    total = next(r for r in rows if r[3] == "total of 1 conversion(s)")
    form = next(r for r in rows if r[3] == "expected 1099-R")
    # gross = box 1, basis = box 5, taxable = box 2a, from the fixture's conversion and 1099-R
    assert [D(repr(v)) for v in (total[5], total[6], total[8])] == [D("20500.00"), D("20000.00"), D("500.00")]
    assert [D(repr(v)) for v in (form[5], form[6], form[8])] == [D("20500.00"), D("20000.00"), D("500.00")]
    assert form[9] == "box 1 ties; box 5 ties; box 2a ties"


def test_conversions_totals_show_a_difference(tmp_path):
    conv = [
        {
            "tax_year": 2025,
            "date": "2025-06-30",
            "plan": "acme-401k",
            "route": "in-plan Roth rollover",
            "destination": "designated Roth (acme-401k)",
            "gross": "20000.00",
            "basis": "20000.00",
            "earnings": "0.00",
            "taxable": "0.00",
            "memo": None,
        }
    ]
    _, wb = _book(tmp_path, conversions=conv)
    rows = [[c.value for c in r] for r in wb["Conversions"].iter_rows(min_row=4)]
    form = next(r for r in rows if r[3] == "expected 1099-R")
    assert form[9].startswith("box 1 differs by 500.00") and "box 5 ties" in form[9]


def test_a_year_without_form_8606_says_not_required(tmp_path):
    blank = dict(FORM_8606_2025, lines={k: None for k in FORM_8606_2025["lines"]})
    _, wb = _book(tmp_path, form_8606={2025: blank}, explain={})
    ws = wb["Form 8606"]
    texts = [c.value for r in ws.iter_rows(min_row=4) for c in r if c.value]
    assert texts == [
        2025,
        "Form 8606 is not required for ann in 2025: no nondeductible traditional IRA "
        "contributions, no conversions to a Roth IRA and no IRA distributions in the ledger.",
    ]


def test_projection_without_continued_contributions_has_no_empty_columns(tmp_path):
    p = projection_payload(
        project({2025: D("20500.00")}, rate=D("7"), years=5, start_year=2025), person="ann"
    )
    _, wb = _book(tmp_path, projection=p)
    ws = wb["Projection"]
    header = [c.value for c in ws[3] if c.value]
    assert header == ["Year (Dec 31)", "Years elapsed", "Value of the conversions"]
    assert "no continued after-tax contributions" in ws["A2"].value and "none a year" not in ws["A2"].value
    for row in ws.iter_rows(min_row=4, max_row=9):
        assert all(c.value is not None for c in row[:3])


def test_projection_with_two_conversion_years_keeps_one_column_each(tmp_path):
    p = projection_payload(
        project(
            {2024: D("1000.00"), 2025: D("2000.00")},
            rate=D("5"),
            years=2,
            start_year=2025,
            annual_after_tax=D("100"),
        ),
        person="ann",
    )
    _, wb = _book(tmp_path, projection=p)
    header = [c.value for c in wb["Projection"][3] if c.value]
    assert header[2:4] == ["2024 conversions", "2025 conversions"]
    assert "Continued contributions so far" in header
    assert "plus continued after-tax contributions of 100.00 a year" in wb["Projection"]["A2"].value


def test_nontaxable_layer_is_free_now(tmp_path):
    layer = {
        "kind": "ira-conversion",
        "plan": None,
        "date": "2025-01-20",
        "tax_year": 2025,
        "amount": "7000.00",
        "taxable": "0.00",
        "nontaxable": "7000.00",
        "remaining_taxable": "0.00",
        "remaining_nontaxable": "7000.00",
        "clock_start": "2025-01-01",
        "penalty_free_on": "2030-01-01",
        "penalty_free": True,
        "days_left": 0,
    }
    _, wb = _book(tmp_path, clocks=dict(CLOCKS, conversions=CLOCKS["conversions"] + [layer]))
    for sheet in ("5-Year Clocks", "Roth Basis"):
        ws = wb[sheet]
        header = [c.value for c in ws[3]]
        rows = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=4, max_row=6)]
        by_date = {r["Date"].date().isoformat(): r for r in rows if r.get("Date")}
        assert by_date["2025-01-20"]["Penalty-free on"] == FREE_NOW, sheet
        # a layer still on its clock keeps its date
        assert by_date["2025-06-30"]["Penalty-free on"].date().isoformat() == "2030-01-01", sheet


def test_audit_and_paycheck_numbers_are_left_aligned_beside_text(tmp_path):
    _, wb = _book(tmp_path)
    ws = wb["Audit"]
    year = ws.cell(4, 3)
    assert year.value == 2025 and year.alignment.horizontal == "left"
    assert ws.cell(4, 2).alignment.horizontal == "left"  # the date


def test_long_audit_memo_wraps_in_its_column(tmp_path):
    memo = "a memo much longer than its column, as recordkeepers write them, with a fund note too"
    _, wb = _book(tmp_path, audit=[{"id": 1, "tax_year": 2025, "memo": memo, "status": "posted"}])
    ws = wb["Audit"]
    cell = ws.cell(4, 9)
    assert cell.value == memo and cell.alignment.wrap_text
    assert ws.row_dimensions[4].height >= 2 * LINE_HEIGHT
    assert ws.cell(4, 10).value == "posted"


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) and poppler (pdftotext) not installed",
)
def test_rendered_pages_show_whole_texts(tmp_path):
    """LibreOffice renders the workbook; the pages' text holds each warning message to its last
    word, the code unbroken, the totals' check and the free-now layer."""
    layer = {
        "kind": "ira-conversion",
        "plan": None,
        "date": "2025-01-20",
        "tax_year": 2025,
        "amount": "7000.00",
        "taxable": "0.00",
        "nontaxable": "7000.00",
        "remaining_taxable": "0.00",
        "remaining_nontaxable": "7000.00",
        "clock_start": "2025-01-01",
        "penalty_free_on": "2030-01-01",
        "penalty_free": True,
        "days_left": 0,
    }
    clocks = dict(
        CLOCKS,
        conversions=CLOCKS["conversions"] + [layer],
        warnings=[{"code": LONG_CODE, "message": LONG_MESSAGE}],
    )
    headroom = dict(
        HEADROOM_2025,
        warnings=HEADROOM_2025["warnings"]
        + [
            {
                "code": "SECOND",
                "message": "a second warning whose text runs on well past the width of its column "
                "and ends with ENDOFSECOND",
            }
        ],
    )
    path, _ = _book(tmp_path, clocks=clocks, headroom={2025: headroom})
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
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "ann-2025.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pages = {p.strip().splitlines()[-1].split(" - page")[0].strip(): p for p in text.split("\f") if p.strip()}
    summary = pages["Summary"]
    assert LONG_CODE in summary  # not broken across lines
    assert "(ENDOFMESSAGE)." in summary and "ENDOFSECOND" in summary  # the last words are on the page
    assert "box 1 ties; box 5 ties; box 2a ties" in " ".join(pages["Conversions"].split())
    assert FREE_NOW in pages["5-Year Clocks"]
    assert "$730,000.00" in pages["Projection"]  # 20 years of the fixture's continued 36,500
