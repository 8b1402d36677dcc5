"""Issue 13: client-level views and batch year-end for a preparer's many people in one ledger."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from megaroth_ledger.services.preparer import safe_file_stem, workbook_names

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
HEADER = "date,plan,source,type,amount,fund,shares\n"


def _client(m, name, born, deferral, aftertax=None, convert=None, tmp_path=None):
    m("person", "add", name, "--born", born)
    m(
        "plan",
        "add",
        "google-401k",
        "--person",
        name,
        "--employer",
        "Google LLC",
        "--after-tax",
        "--in-plan-conversion",
    )
    m(
        "contribution",
        "add",
        "--plan",
        "google-401k",
        "--person",
        name,
        "--date",
        "2025-01-15",
        "--source",
        "pretax",
        "--amount",
        deferral,
    )
    if aftertax:
        m(
            "contribution",
            "add",
            "--plan",
            "google-401k",
            "--person",
            name,
            "--date",
            "2025-01-15",
            "--source",
            "aftertax",
            "--amount",
            aftertax,
        )
    if convert:
        m(
            "earnings",
            "add",
            "--plan",
            "google-401k",
            "--person",
            name,
            "--date",
            "2025-02-01",
            "--source",
            "aftertax",
            "--amount",
            "100",
        )
        m(
            "convert",
            "--plan",
            "google-401k",
            "--person",
            name,
            "--date",
            "2025-02-15",
            "--amount",
            convert,
            "--to",
            "in-plan",
        )


@pytest.fixture
def clients(megaroth):
    m = megaroth
    _client(m, "ann", "1985-04-02", "20000", "10000", "10100")
    _client(m, "bob", "1979-09-30", "23500")
    m("person", "add", "carol", "--born", "1990-01-01")  # no plans, no rows
    return m


def test_person_list_with_year_gives_each_persons_headline_figures(clients):
    m = clients
    plain = m.json("person", "list")["people"]
    assert [(p["name"], p["plans"], p["rows"]) for p in plain] == [
        ("ann", ["google-401k"], 5),
        ("bob", ["google-401k"], 1),
        ("carol", [], 0),
    ]
    doc = m.json("person", "list", "--year", "2025")
    assert doc["year"] == 2025
    ann, bob, carol = doc["people"]
    assert (ann["elective_deferrals"], ann["after_tax_in"], ann["converted"], ann["taxable"]) == (
        "20000.00",
        "10000.00",
        "10100.00",
        "100.00",
    )
    assert (bob["elective_deferrals"], bob["after_tax_in"], bob["converted"], bob["taxable"]) == (
        "23500.00",
        "0.00",
        "0.00",
        "0.00",
    )
    assert carol["elective_deferrals"] == "0.00"
    # each row equals that person's own report year
    for row in doc["people"]:
        rep = m.json("report", "year", "--person", row["name"], "--year", "2025")
        assert row["elective_deferrals"] == rep["headroom"]["elective_deferrals"]
        assert [w["code"] for w in row["warnings"]] == [w["code"] for w in rep["warnings"]]
    table = m("person", "list", "--year", "2025").output
    assert "20,000.00" in table and "10,100.00" in table
    csv = m("person", "list", "--year", "2025", "--format", "csv").output.splitlines()
    assert csv[0].startswith("name,born,plans,rows,elective_deferrals") and csv[1].startswith("ann,")


def test_person_list_keeps_a_person_whose_year_cannot_be_computed(clients, tmp_path):
    m = clients
    f = tmp_path / "h.csv"  # a statement without money sources: headroom refuses it
    f.write_text(
        "Plan name:,ACME\n\nDate,Investment,Transaction Type,Amount,Shares/Unit\n"
        '03/02/2025,FUND A,Contribution,"1,000.00","10.000"\n',
        encoding="utf-8",
    )
    m("import", str(f), "--plan", "google-401k", "--person", "bob")
    doc = m.json("person", "list", "--year", "2025")
    bob = next(p for p in doc["people"] if p["name"] == "bob")
    assert bob["elective_deferrals"] is None and "source unknown" in bob["not_available"][0]
    ann = next(p for p in doc["people"] if p["name"] == "ann")
    assert ann["elective_deferrals"] == "20000.00"


def test_report_year_all_people_equals_each_persons_report(clients):
    m = clients
    doc = m.json("report", "year", "--all-people", "--year", "2025")
    assert doc["year"] == 2025 and [p["person"] for p in doc["people"]] == ["ann", "bob", "carol"]
    for summary in doc["people"]:
        assert summary == m.json("report", "year", "--person", summary["person"], "--year", "2025")
    out = m("report", "year", "--all-people", "--year", "2025").output
    assert "2025: 3 people" in out and "ann, 2025: headroom per employer" in out
    r = m("report", "year", "--year", "2025", ok=False)
    assert r.exit_code == 2 and "one of --person NAME, --all-people or --household NAME" in r.output


def test_export_all_people_one_workbook_each_one_line_each(clients, tmp_path):
    m = clients
    out_dir = tmp_path / "year-end"
    r = m("export", "--all-people", "--year", "2025", "-o", str(out_dir), "--as-of", "2026-01-31")
    lines = r.output.strip().splitlines()
    assert lines[0].startswith(f"wrote {out_dir / 'ann-2025.xlsx'} (ann: 2025;")
    assert lines[1].startswith(f"wrote {out_dir / 'bob-2025.xlsx'} (bob: 2025;")
    assert lines[2] == "skipped carol: no ledger rows in 2025"
    assert lines[3] == f"2 of 3 people exported to {out_dir}"
    assert sorted(p.name for p in out_dir.iterdir()) == ["ann-2025.xlsx", "bob-2025.xlsx"]
    # each file is that person's own export
    single = tmp_path / "ann.xlsx"
    m("export", "--person", "ann", "--year", "2025", "-o", str(single), "--as-of", "2026-01-31")
    a = openpyxl.load_workbook(out_dir / "ann-2025.xlsx")
    b = openpyxl.load_workbook(single)
    assert a.sheetnames == b.sheetnames
    for ws in a.worksheets:
        assert [[c.value for c in row] for row in ws.iter_rows()] == [
            [c.value for c in row] for row in b[ws.title].iter_rows()
        ], ws.title


def test_export_all_people_refuses_a_file_and_bad_combinations(clients, tmp_path):
    m = clients
    f = tmp_path / "x.xlsx"
    r = m("export", "--all-people", "--year", "2025", "-o", str(f), ok=False)
    assert r.exit_code == 2 and "is a folder for the workbooks" in r.output and not f.exists()
    r = m("export", "--person", "ann", "--all-people", "--year", "2025", "-o", str(tmp_path), ok=False)
    assert r.exit_code == 2 and "one of --person NAME, --all-people or --household NAME" in r.output
    r = m("export", "--all-people", "--year", "2025", "-o", "-", ok=False)
    assert r.exit_code == 2 and "writes one person's workbook; give --person NAME" in r.output
    assert r.stdout == ""


def test_export_all_people_names_files_safely(megaroth, tmp_path):
    m = megaroth
    names = ["José O'Brien", "../../etc/passwd", "CON", "Ann", "ann"]
    for i, name in enumerate(names):
        m("person", "add", name, "--born", "1980-01-01")
        m("plan", "add", f"p{i}", "--person", name, "--employer", "E")
        m(
            "contribution",
            "add",
            "--plan",
            f"p{i}",
            "--date",
            "2025-01-15",
            "--source",
            "pretax",
            "--amount",
            "1",
        )
    out_dir = tmp_path / "out"
    m("export", "--all-people", "--year", "2025", "-o", str(out_dir))
    got = sorted(p.name for p in out_dir.iterdir())
    assert got == sorted(
        [
            "Jose-O-Brien-2025.xlsx",
            "etc-passwd-2025.xlsx",
            "person-CON-2025.xlsx",
            "Ann-2025.xlsx",
            "ann-2-2025.xlsx",
        ]
    )
    assert all(p.parent == out_dir for p in out_dir.iterdir())


@pytest.mark.parametrize(
    "name, stem",
    [
        ("ann", "ann"),
        ("José O'Brien", "Jose-O-Brien"),
        ('a/b\\c:d*e?f"g<h>i|j', "a-b-c-d-e-f-g-h-i-j"),
        ("..", "person"),
        ("   ", "person"),
        ("nul.txt", "person-nul.txt"),
        ("LPT9", "person-LPT9"),
        ("-rf", "rf"),
        ("李明", "person"),
        ("x" * 300, "x" * 80),
    ],
)
def test_safe_file_stem(name, stem):
    assert safe_file_stem(name) == stem


def test_workbook_names_are_distinct_case_insensitively():
    got = workbook_names(["Ann", "ann", "a/b", "a b"], "-2025.xlsx")
    assert len({v.lower() for v in got.values()}) == 4
    assert got == {
        "Ann": "Ann-2025.xlsx",
        "a b": "a-b-2025.xlsx",
        "a/b": "a-b-2-2025.xlsx",
        "ann": "ann-2-2025.xlsx",
    }
