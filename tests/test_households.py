"""Issue 13: households. A married couple filing jointly is one return with two people's forms:
Form 1040 lines 4a-5b summed, each spouse keeping their own limits, Form 8606 and clocks."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest

from megaroth_ledger.rules.form1040 import joint_lines, joint_lines_rounded

D = Decimal


@pytest.fixture
def couple(megaroth):
    m = megaroth
    m("person", "add", "ann", "--born", "1985-04-02")
    m("person", "add", "bob", "--born", "1980-01-01")
    m(
        "plan",
        "add",
        "acme-401k",
        "--person",
        "ann",
        "--employer",
        "Acme",
        "--after-tax",
        "--in-plan-conversion",
    )
    m(
        "plan",
        "add",
        "beta-401k",
        "--person",
        "bob",
        "--employer",
        "Beta",
        "--after-tax",
        "--in-plan-conversion",
    )
    m(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-15",
        "--source",
        "aftertax",
        "--amount",
        "20000",
    )
    m("convert", "--plan", "acme-401k", "--date", "2025-02-01", "--amount", "20000", "--to", "in-plan")
    m(
        "contribution",
        "add",
        "--plan",
        "beta-401k",
        "--date",
        "2025-01-15",
        "--source",
        "pretax",
        "--amount",
        "23500",
    )
    m(
        "contribution",
        "add",
        "--plan",
        "beta-401k",
        "--date",
        "2025-01-15",
        "--source",
        "aftertax",
        "--amount",
        "10000",
    )
    m(
        "earnings",
        "add",
        "--plan",
        "beta-401k",
        "--date",
        "2025-01-20",
        "--source",
        "aftertax",
        "--amount",
        "500",
    )
    m("convert", "--plan", "beta-401k", "--date", "2025-02-01", "--amount", "10500", "--to", "in-plan")
    m(
        "ira",
        "contribute",
        "--person",
        "bob",
        "--date",
        "2025-02-01",
        "--account",
        "traditional",
        "--amount",
        "7000",
        "--nondeductible",
        "7000",
    )
    m("ira", "convert", "--person", "bob", "--date", "2025-02-10", "--amount", "7000")
    m("ira", "value", "--person", "bob", "--year", "2025", "--amount", "0")
    m("household", "add", "ann-and-bob", "--members", "ann,bob")
    return m


def test_household_form_1040_sums_both_spouses_lines(couple):
    m = couple
    ann = m.json("form", "1040", "--person", "ann", "--year", "2025")["lines"]
    bob = m.json("form", "1040", "--person", "bob", "--year", "2025")["lines"]
    joint = m.json("form", "1040", "--household", "ann-and-bob", "--year", "2025")
    assert joint["members"] == ["ann", "bob"] and joint["by_member"] == {"ann": ann, "bob": bob}
    assert joint["lines"] == {"4a": "7000.00", "4b": "0.00", "5a": "30500.00", "5b": "500.00"}
    for line in ("5a", "5b"):
        assert D(joint["lines"][line]) == D(ann[line]) + D(bob[line])
    assert ann["4a"] is None and joint["lines"]["4a"] == bob["4a"]  # blank for ann: bob's alone
    assert {w["person"] for w in joint["warnings"]} == {"ann", "bob"}
    # each spouse keeps their own Form 8606 and limits: unchanged by the household
    assert m.json("form", "8606", "--person", "ann", "--year", "2025")["lines"]["1"] is None
    assert m.json("form", "8606", "--person", "bob", "--year", "2025")["lines"]["1"] == "7000.00"
    assert m.json("headroom", "--person", "bob", "--year", "2025")["elective_deferrals"] == "23500.00"
    assert m.json("headroom", "--person", "ann", "--year", "2025")["elective_deferrals"] == "0.00"
    table = m("form", "1040", "--household", "ann-and-bob", "--year", "2025").output
    assert "Joint return" in table and "30,500.00" in table and "ann: UNCONFIRMED" in table
    explained = m.json("form", "1040", "--household", "ann-and-bob", "--year", "2025", "--explain")
    assert explained["explain"]["5a"]["rows"] == ["ann line 5a: 20000.00", "bob line 5a: 10500.00"]


def test_report_year_and_export_household_side_by_side(couple, tmp_path):
    m = couple
    doc = m.json("report", "year", "--household", "ann-and-bob", "--year", "2025")
    assert [s["person"] for s in doc["members"]] == ["ann", "bob"]
    assert doc["members"][1] == m.json("report", "year", "--person", "bob", "--year", "2025")
    assert doc["form_1040"] == {"4a": "7000.00", "4b": "0.00", "5a": "30500.00", "5b": "500.00"}
    csv = m("report", "year", "--household", "ann-and-bob", "--year", "2025", "--format", "csv").output
    rows = {line.split(",")[0]: line.split(",")[1:] for line in csv.splitlines()}
    assert rows["item"] == ["spouse1", "spouse2", "joint"]
    assert rows["Form 1040 line 5a"] == ["20000.00", "10500.00", "30500.00"]
    assert rows["elective deferrals"] == ["0.00", "23500.00", ""]
    out = tmp_path / "ann-and-bob-2025.xlsx"
    r = m("export", "--household", "ann-and-bob", "--year", "2025", "-o", str(out))
    assert r.output.startswith(f"wrote {out} (household ann-and-bob: ann and bob side by side, 2025")
    ws = openpyxl.load_workbook(out)["Household"]
    assert [c.value for c in ws[3]] == [None, "ann", "bob", "Joint return"]
    cells = {row[0].value: [c.value for c in row[1:]] for row in ws.iter_rows(min_row=4)}
    assert [D(repr(v)) if v is not None else None for v in cells["Form 1040 line 5a"]] == [
        D("20000.00"),
        D("10500.00"),
        D("30500.00"),
    ]
    assert ws["B4"].number_format.startswith('"$"')


@pytest.mark.parametrize(
    "argv, message",
    [
        (["household", "add", "x", "--members", "ann"], "a joint return has two spouses"),
        (["household", "add", "x", "--members", "ann,ann"], "a joint return has two spouses"),
        (["household", "add", "x", "--members", "ann,bob,carol"], "a joint return has two spouses"),
        (["household", "add", "x", "--members", "ann,zed"], "unknown person 'zed'"),
        (
            ["household", "add", "ann-and-bob", "--members", "ann,bob"],
            "household 'ann-and-bob' already exists",
        ),
        (["household", "add", "other", "--members", "bob,ann"], "already in household 'ann-and-bob'"),
        (
            ["form", "1040", "--household", "nope", "--year", "2025"],
            "unknown household 'nope' (known: ann-and-bob)",
        ),
        (
            ["form", "1040", "--household", "ann-and-bob", "--person", "ann", "--year", "2025"],
            "either --person NAME or --household NAME",
        ),
        (["form", "1040", "--year", "2025"], "either --person NAME or --household NAME"),
        (["export", "--household", "ann-and-bob", "--all-years", "-o", "x.xlsx"], "needs --year"),
    ],
)
def test_household_errors_are_one_line(couple, argv, message):
    r = couple(*argv, ok=False)
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output


def test_household_list(couple):
    assert couple.json("household", "list") == {
        "households": [{"name": "ann-and-bob", "members": ["ann", "bob"]}]
    }


def test_joint_lines_rule():
    assert joint_lines([{"4a": None, "5a": D("1.00")}, {"4a": None, "5a": D("2.50")}]) == {
        "4a": None,
        "5a": D("3.50"),
    }
    assert joint_lines([{"4b": D("0.00")}, {"4b": None}]) == {"4b": D("0.00")}
    assert joint_lines([{"4a": D("5")}, {"5b": D("7")}]) == {"4a": D("5"), "5b": D("7")}


def test_joint_lines_rounded_add_cents_then_round_the_total():
    """Form 1040 instructions: add with cents, round only the total (4a, 5a, 5b); 4b is the
    sum of each spouse's own whole-dollar Form 8606."""
    exact = [
        {"4a": D("100.40"), "4b": D("10.40"), "5a": D("0.30"), "5b": None},
        {"4a": D("200.40"), "4b": D("20.40"), "5a": D("0.30"), "5b": None},
    ]
    rounded = [
        {"4a": D("100.00"), "4b": D("10.00"), "5a": D("0.00"), "5b": None},
        {"4a": D("200.00"), "4b": D("20.00"), "5a": D("0.00"), "5b": None},
    ]
    got = joint_lines_rounded(exact, rounded)
    assert got == {"4a": D("301.00"), "4b": D("30.00"), "5a": D("1.00"), "5b": None}
    # the naive sum of rounded lines would be one dollar short on 4a and 5a
    assert joint_lines(rounded)["4a"] == D("300.00") and joint_lines(rounded)["5a"] == D("0.00")


def test_household_form_1040_round_rounds_the_joint_total(couple):
    m = couple
    for plan, person in (("acme-401k", "ann"), ("beta-401k", "bob")):
        m(
            "contribution",
            "add",
            "--plan",
            plan,
            "--date",
            "2025-03-01",
            "--source",
            "aftertax",
            "--amount",
            "1000",
        )
        m(
            "earnings",
            "add",
            "--plan",
            plan,
            "--date",
            "2025-03-02",
            "--source",
            "aftertax",
            "--amount",
            "0.30",
        )
        m("convert", "--plan", plan, "--date", "2025-03-03", "--amount", "1000.30", "--to", "in-plan")
    exact = m.json("form", "1040", "--household", "ann-and-bob", "--year", "2025")["lines"]
    joint = m.json("form", "1040", "--household", "ann-and-bob", "--year", "2025", "--round")
    ann = m.json("form", "1040", "--person", "ann", "--year", "2025", "--round")["lines"]
    bob = m.json("form", "1040", "--person", "bob", "--year", "2025", "--round")["lines"]
    assert joint["by_member"] == {"ann": ann, "bob": bob}
    assert exact["5b"] == "500.60" and joint["lines"]["5b"] == "501.00"  # round(500.30 + 0.30)
    assert D(ann["5b"]) + D(bob["5b"]) == D("500.00")  # each spouse's own line rounds down
    assert exact["5a"] == "32500.60" and joint["lines"]["5a"] == "32501.00"
