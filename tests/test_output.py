"""Tables and CSV as a user meets them (issue 14): tables fit $COLUMNS (80 when unknown), wrap
identifying text instead of cutting it, one money format, no trailing spaces, titles wrap at
spaces; CSV holds every section of a report."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from megaroth_ledger.reports.output import Column, Table, render_tables, table_lines, table_width

D = Decimal


def _render(tables, monkeypatch, columns=None) -> str:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", str(columns))
    buf = io.StringIO()
    render_tables(tables, file=buf)
    return buf.getvalue()


def test_width_is_columns_off_a_terminal_else_80(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    assert table_width(False, 200) == 100
    assert table_width(True, 132) == 132  # a terminal's own width wins
    monkeypatch.setenv("COLUMNS", "junk")
    assert table_width(False, 200) == 80
    monkeypatch.delenv("COLUMNS")
    assert table_width(False, 200) == 80


FORMS = Table(
    "Form 1099-R, ann, 2025",
    [
        Column("payer", "Payer"),
        Column("destination", "Destination"),
        Column("box1", "Box 1", True),
        Column("box2a", "Box 2a", True),
        Column("box5", "Box 5", True),
        Column("box7", "Box 7"),
    ],
    [
        {
            "payer": "acme-corp-401k-plan",
            "destination": "designated Roth account (in-plan)",
            "box1": D("34930.00"),
            "box2a": D("179.96"),
            "box5": D("34750.04"),
            "box7": "G",
        },
        {
            "payer": "traditional-ira",
            "destination": "roth-ira",
            "box1": D("7000.00"),
            "box2a": D("7000.00"),
            "box5": None,
            "box7": "2",
        },
    ],
)


@pytest.mark.parametrize("columns", [None, 70, 100])
def test_tables_fit_and_never_cut_identifying_text(monkeypatch, columns):
    out = _render([FORMS], monkeypatch, columns)
    width = columns or 80
    lines = out.splitlines()
    assert all(len(line) <= width for line in lines), out
    assert all(line == line.rstrip() for line in lines)  # no trailing spaces
    assert "…" not in out
    words = " ".join(out.split())
    for text in ("acme-corp-401k-plan", "34,930.00", "34,750.04", "7,000.00", "traditional-ira"):
        assert text in words, (text, out)  # whole: not cut, not broken inside the word
    # a wrapped cell keeps every word whole
    assert set("designated Roth account (in-plan)".split()) <= set(out.split())


def test_a_table_whose_words_cannot_fit_is_printed_wider_not_cut(monkeypatch):
    out = _render([FORMS], monkeypatch, 40)
    words = " ".join(out.split())
    assert all(x in words for x in ("acme-corp-401k-plan", "34,930.00", "34,750.04", "traditional-ira"))
    assert all(line == line.rstrip() for line in out.splitlines())


def test_amounts_right_aligned_with_separators_even_without_money_flag(monkeypatch):
    t = Table(
        "Form 8606, ann, 2025",
        [Column("line", "Line"), Column("value", "Amount")],
        [
            {"line": "1", "value": "7000.00"},
            {"line": "10", "value": D("1.000")},
            {"line": "18", "value": D("0.00")},
        ],
    )
    lines = _render([t], monkeypatch).splitlines()
    rows = lines[3:]
    assert rows[0].endswith("7,000.00") and rows[1].endswith("1.000") and rows[2].endswith("0.00")
    assert len({len(r) for r in rows}) == 1  # right-aligned in one column


def test_title_wraps_at_spaces_not_inside_words():
    t = Table(
        "Form 8606, annabelle-longname, 2025: nondeductible contributions and conversions",
        [Column("line", "Line")],
        [{"line": "1"}],
    )
    lines = table_lines(t, 30)
    title = [ln for ln in lines[:4] if not ln.startswith("Line") and "━" not in ln and ln != "1"]
    assert " ".join(title) == t.title
    assert all(len(ln) <= 30 for ln in title)


def test_empty_table_prints_its_empty_text_on_its_own_line(monkeypatch):
    out = _render(
        [Table("1099-R from acme for 2025: matches the ledger", [Column("box", "Box")], [], empty="")],
        monkeypatch,
    )
    assert out == "1099-R from acme for 2025: matches the ledger\n"
    out = _render([Table("People", [Column("name", "Name")], [])], monkeypatch)
    assert out == "People\n(none)\n"


def test_report_year_csv_holds_every_section(ann):
    m = ann
    m("wages", "set", "--plan", "acme-401k", "--year", "2025", "--compensation", "200000")
    m(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-03-14",
        "--source",
        "pretax",
        "--amount",
        "1000",
    )
    m(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-03-14",
        "--source",
        "aftertax",
        "--amount",
        "500",
    )
    m("convert", "--plan", "acme-401k", "--date", "2025-03-20", "--amount", "500", "--to", "in-plan")
    out = m("report", "year", "--person", "ann", "--year", "2025", "--format", "csv").stdout
    sections = {line.split(",")[0] for line in out.splitlines()[1:]}
    assert {"headroom", "headroom_notes", "contributions", "conversions", "form_1040", "warnings"} <= sections
    assert out.splitlines()[0].startswith("section,")


def test_headroom_csv_has_person_limits_expected_amounts_and_explain(ann):
    m = ann
    m("wages", "set", "--plan", "acme-401k", "--year", "2025", "--compensation", "200000")
    m(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-12-05",
        "--source",
        "pretax",
        "--amount",
        "23500",
    )
    out = m(
        "headroom",
        "--person",
        "ann",
        "--year",
        "2025",
        "--remaining-paychecks",
        "2",
        "--expected-employer",
        "1000",
        "--explain",
        "--format",
        "csv",
    ).stdout
    lines = out.splitlines()
    header = lines[0].split(",")
    assert header[0] == "section" and "expected_employer" in header and "formula" in header
    assert (
        "limits,elective_deferral_limit,23500.00" in out and "limits,annual_additions_limit,70000.00" in out
    )
    employers = [dict(zip(header, ln.split(","))) for ln in lines if ln.startswith("employers,")]
    assert (
        employers[0]["expected_employer"] == "1000.00"
        and employers[0]["per_paycheck_after_tax"] == "22750.00"
    )
    assert any(ln.startswith("explain,") and "per paycheck" in ln for ln in lines)
    payload = m.json("headroom", "--person", "ann", "--year", "2025", "--explain")
    assert payload["explain"][1]["employer"] == "Acme Corp"


def test_withdraw_csv_has_8606_part_iii_and_5329(ann):
    m = ann
    m(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2025-01-10",
        "--account",
        "traditional",
        "--amount",
        "7000",
        "--tax-year",
        "2025",
        "--nondeductible",
        "7000",
    )
    m("ira", "convert", "--person", "ann", "--date", "2025-01-20", "--amount", "7000")
    m("ira", "value", "--person", "ann", "--year", "2025", "--amount", "0")
    out = m(
        "withdraw", "--person", "ann", "--amount", "8000", "--date", "2027-06-01", "--format", "csv"
    ).stdout
    sections = [line.split(",")[0] for line in out.splitlines()[1:]]
    assert {"withdrawal", "totals", "form_8606_part_iii", "form_5329"} <= set(sections)
    table = m(
        "withdraw", "--person", "ann", "--amount", "8000", "--date", "2027-06-01", "--exception", EXCEPTION
    ).stdout
    assert "2_exception" not in table and "exception number" in table


EXCEPTION = "disability"


def test_project_has_no_repeated_column(ann):
    m = ann
    m(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-03-14",
        "--source",
        "aftertax",
        "--amount",
        "500",
    )
    m("convert", "--plan", "acme-401k", "--date", "2025-03-20", "--amount", "500", "--to", "in-plan")
    out = m("project", "--person", "ann", "--rate", "7", "--years", "2").stdout
    header = out.splitlines()[1]
    assert "2025 conversions" not in header and "value of the conversions" in header
