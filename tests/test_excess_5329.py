"""Form 5329 Parts III and IV in the cases issue 11 left refused: line 10 in a year with Roth IRA
contributions, line 11 with traditional IRA distributions or conversions, and a Roth IRA excess
withdrawn after the due date (``megaroth ira return --account roth --after-due-date``).

Sources: IRC 4973(b)(2) (traditional: last year's excess less (A) distributions included in income
under 408(d)(1), (B) 408(d)(5) withdrawals, (C) the unused 219 limit "(including the amount
contributed to a Roth IRA)"), 4973(f)(2) (Roth: less the year's distributions and the unused Roth
limit); Instructions for Form 5329, line 10 ("the difference, if any, of your contribution limit for
traditional IRAs less your contributions to traditional IRAs and Roth IRAs"), line 11 ("any
withdrawals from your traditional IRAs that are included in your income"), line 20 ("the amount
from Form 8606, line 19, plus any qualified distributions. But if you withdrew the entire balance of
all your Roth IRAs, don't enter less than the amount on Form 5329, line 18", with the IRS's printed
example); Treas. Reg. 1.408A-4 A-1(c), A-7(a) (a conversion is a distribution taxed under 408(d)(1)
and (2)); IRC 408A(d)(4)(B) (Roth IRA ordering: regular contributions first).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from megaroth_ledger.rules import form5329 as f5329


@pytest.mark.parametrize(
    "limit,trad,roth,want",
    [
        ("7000", "0", "4000", "3000"),  # hand-worked: the Roth contribution uses part of the limit
        ("7000", "0", "7500", "0"),  # a Roth contribution at or over the limit leaves nothing
        ("7000", "2000", "3000", "2000"),  # both kinds count (IRC 4973(b)(2)(C) "including ... Roth")
        ("6500", "0", "0", "6500"),  # nothing contributed: the whole limit
    ],
)
def test_line_10_counts_roth_contributions(limit, trad, roth, want):
    assert f5329.line_10(D(limit), D(trad), D(roth)) == D(want)


@pytest.mark.parametrize(
    "dist,conv,want",
    [
        ("1600", "400", "2000"),  # hand-worked: a distribution's and a conversion's taxable parts
        ("0", "0", "0"),
        ("400", "0", "400"),
    ],
)
def test_line_11_is_the_taxable_part(dist, conv, want):
    assert f5329.line_11(D(dist), D(conv)) == D(want)


def test_line_20_whole_balance_printed_example():
    """Instructions for Form 5329, Part IV, line 20, the IRS's example: a 1,000 Roth contribution (the
    only one) found ineligible; the entire balance, 800, withdrawn -> "you enter $1,000 (not $800) on
    line 20, because you withdrew the entire balance"."""
    assert f5329.line_20(D("800"), D("1000"), True) == D("1000")
    assert f5329.line_20(D("800"), D("1000"), False) == D("800")
    assert f5329.line_20(D("0"), D("1000"), True) == D("0")  # nothing withdrawn: the rule does not apply


def _ty(m, person, year, magi, *extra):
    m(
        "tax-year",
        "set",
        "--person",
        person,
        "--year",
        str(year),
        "--filing-status",
        "single",
        "--magi",
        magi,
        *extra,
    )


def _contribute(m, person, on, account, amount, year, *extra):
    m(
        "ira",
        "contribute",
        "--person",
        person,
        "--date",
        on,
        "--account",
        account,
        "--amount",
        amount,
        "--tax-year",
        str(year),
        *extra,
    )


@pytest.fixture
def kim(megaroth):
    """Born 1980 (under 50 through 2029), no workplace plan. 2024: a 8,000 traditional contribution
    against the 7,000 limit -> 1,000 excess (Form 5329 line 15); nondeductible in full."""
    megaroth("person", "add", "kim", "--born", "1980-05-05")
    for y in (2024, 2025):
        _ty(megaroth, "kim", y, "100000", "--compensation", "100000", "--not-covered")
    _contribute(megaroth, "kim", "2024-03-01", "traditional", "8000", 2024, "--nondeductible", "8000")
    megaroth("ira", "value", "--person", "kim", "--year", "2024", "--amount", "8200")
    return megaroth


def test_kim_2024_excess(kim):
    a = kim.json("form", "5329", "--person", "kim", "--year", "2024")["lines"]
    assert (a["15"], a["16"], a["17"]) == ("1000.00", "1000.00", "60.00")


@pytest.mark.parametrize(
    "roth,line10,line14,line17",
    [
        # hand-worked: 2025 limit 7,000; a 5,000 Roth contribution leaves 2,000 -> absorbs the 1,000
        ("5000", "2000.00", "0.00", "0.00"),
        # 6,500 of Roth leaves 500: 1,000 - 500 = 500 stays; 6% x min(500, 9,000) = 30.00
        ("6500", "500.00", "500.00", "30.00"),
        # 7,000 of Roth leaves nothing: the whole 1,000 stays, 60.00 again
        ("7000", "0.00", "1000.00", "60.00"),
    ],
)
def test_line_10_with_roth_contributions(kim, roth, line10, line14, line17):
    """Formerly refused ("how the unused limit is shared is not derived")."""
    _contribute(kim, "kim", "2025-02-01", "roth", roth, 2025)
    kim("ira", "value", "--person", "kim", "--year", "2025", "--amount", "9000")
    b = kim.json("form", "5329", "--person", "kim", "--year", "2025")["lines"]
    assert (b["9"], b["10"], b["11"], b["13"], b["14"], b["16"], b["17"]) == (
        "1000.00",
        line10,
        "0.00",
        line10,
        line14,
        line14,
        line17,
    )


@pytest.mark.parametrize("kind", ["distribute", "convert"])
def test_line_11_with_a_distribution_or_conversion(kim, kind):
    """Formerly refused. Hand-worked: 2025 Roth contribution 7,000 (line 10 = 0); on 2025-06-02 a
    2,000 traditional IRA distribution (or conversion); Dec 31 2025 value 8,000. Form 8606: line 2 =
    8,000 (the 2024 nondeductible contribution, line 14), line 9 = 8,000 + 2,000 = 10,000, line 10 =
    0.800, nontaxable 1,600, taxable 400 (line 15c, or line 18 for a conversion). Form 5329: line 9 =
    1,000, line 11 = 400, 13 = 400, 14 = 600, 16 = 600, 17 = 6% x min(600, 8,000) = 36.00."""
    _contribute(kim, "kim", "2025-02-01", "roth", "7000", 2025)
    if kind == "distribute":
        kim(
            "ira",
            "distribute",
            "--person",
            "kim",
            "--date",
            "2025-06-02",
            "--account",
            "traditional",
            "--amount",
            "2000",
        )
    else:
        kim("ira", "convert", "--person", "kim", "--date", "2025-06-02", "--amount", "2000")
    kim("ira", "value", "--person", "kim", "--year", "2025", "--amount", "8000")
    f8606 = kim.json("form", "8606", "--person", "kim", "--year", "2025")["lines"]
    assert f8606["2"] == "8000.00" and f8606["10"] in ("0.800", "0.80000000")
    assert (f8606["15c"] if kind == "distribute" else f8606["18"]) == "400.00"
    b = kim.json("form", "5329", "--person", "kim", "--year", "2025")["lines"]
    assert (b["9"], b["10"], b["11"], b["12"], b["13"], b["14"], b["16"], b["17"]) == (
        "1000.00",
        "0.00",
        "400.00",
        "0.00",
        "400.00",
        "600.00",
        "600.00",
        "36.00",
    )


def test_carried_excess_in_both_kinds_is_refused(kim):
    """Lines 10 and 19 would both draw on the same year's limit; the instructions do not say how."""
    _contribute(
        kim, "kim", "2024-03-02", "roth", "500", 2024
    )  # 2024 Roth limit 7,000 - 8,000 = 0: 500 excess
    kim("ira", "value", "--person", "kim", "--year", "2024", "--amount", "520", "--account", "roth")
    a = kim.json("form", "5329", "--person", "kim", "--year", "2024")["lines"]
    assert (a["16"], a["24"]) == ("1000.00", "500.00")
    r = kim("form", "5329", "--person", "kim", "--year", "2025", ok=False)
    assert r.exit_code == 3 and "both traditional IRAs" in r.output and "line 18" in r.output


@pytest.fixture
def rob(megaroth):
    """The Form 5329 instructions' line 20 example, moved into the years the ledger's limits cover:
    a 1,000 Roth IRA contribution for 2015 (the only one) at a MAGI of 200,000 (single; the 2015 range
    ends at 131,000) -- all of it an excess; found out in 2017."""
    megaroth("person", "add", "rob", "--born", "1980-05-05")
    for y in (2015, 2016, 2017):
        _ty(megaroth, "rob", y, "200000")
    _contribute(megaroth, "rob", "2015-03-01", "roth", "1000", 2015)
    megaroth("ira", "value", "--person", "rob", "--year", "2015", "--amount", "950", "--account", "roth")
    megaroth("ira", "value", "--person", "rob", "--year", "2016", "--amount", "900", "--account", "roth")
    return megaroth


def _roth_return(m, on, amount, year="2015", ok=True):
    return m(
        "ira",
        "return",
        "--person",
        "rob",
        "--date",
        on,
        "--account",
        "roth",
        "--amount",
        amount,
        "--tax-year",
        year,
        "--after-due-date",
        ok=ok,
    )


def test_roth_excess_withdrawn_after_due_date_whole_balance(rob):
    """The 6% for 2015 and 2016 (6% of the smaller of the excess and the December 31 value: 57.00 and
    54.00); on 2017-09-09 the entire balance, 800, is withdrawn (Roth IRA value 0 at the end of 2017):
    line 18 = 1,000, line 20 = 1,000 (not 800: the entire balance was withdrawn), 22 = 0, 24 = 0, 25 =
    0. As a Roth IRA distribution it comes out of the 1,000 of regular contributions first (Form 8606
    line 19 = 800, line 22 = 1,000, line 23 = 0): not taxable, no 10%; the custodian's 1099-R is an
    ordinary code-J form (under 59 1/2)."""
    a = rob.json("form", "5329", "--person", "rob", "--year", "2015")["lines"]
    assert (a["23"], a["24"], a["25"]) == ("1000.00", "1000.00", "57.00")
    b = rob.json("form", "5329", "--person", "rob", "--year", "2016")["lines"]
    assert (b["18"], b["19"], b["20"], b["24"], b["25"]) == ("1000.00", "0.00", "0.00", "1000.00", "54.00")
    res = rob.json(
        "ira",
        "return",
        "--person",
        "rob",
        "--date",
        "2017-09-09",
        "--account",
        "roth",
        "--amount",
        "800",
        "--tax-year",
        "2015",
        "--after-due-date",
    )
    assert (res["recorded_as"], res["amount"], res["excess"]) == ("distribution", "800.00", "1000.00")
    rob("ira", "value", "--person", "rob", "--year", "2017", "--amount", "0", "--account", "roth")
    c = rob.json("form", "5329", "--person", "rob", "--year", "2017")["lines"]
    assert (c["1"], c["18"], c["19"], c["20"], c["21"], c["22"], c["23"], c["24"], c["25"]) == (
        "0.00",
        "1000.00",
        "0.00",
        "1000.00",
        "1000.00",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
    )
    f8606 = rob.json("form", "8606", "--person", "rob", "--year", "2017")["lines"]
    assert (f8606["19"], f8606["22"], f8606["23"]) == ("800.00", "1000.00", "0.00")
    lines = rob.json("form", "1040", "--person", "rob", "--year", "2017")["lines"]
    assert (lines["4a"], lines["4b"]) == ("800.00", "0.00")
    (f,) = rob.json("form", "1099-r", "--person", "rob", "--year", "2017")["forms"]
    assert (f["payer"], f["box1"], f["box2a"], f["box2b_taxable_not_determined"], f["box7"]) == (
        "roth-ira",
        "800.00",
        None,
        True,
        "J",
    )
    events = rob.json("ira", "event", "list", "--person", "rob")["ira_events"]
    assert [(e["kind"], e["account"], e["amount"]) for e in events][-1] == ("distribution", "roth", "800.00")


def test_roth_excess_partly_withdrawn(rob):
    """Hand-worked: 800 of the 1,000 withdrawn on 2017-09-09, 150 left in at the end of 2017: line 20 =
    800, 22 = 200, 24 = 200, 25 = 6% x min(200, 150) = 9.00 -- the 6% runs until the excess is out."""
    _roth_return(rob, "2017-09-09", "800")
    rob("ira", "value", "--person", "rob", "--year", "2017", "--amount", "150", "--account", "roth")
    c = rob.json("form", "5329", "--person", "rob", "--year", "2017")["lines"]
    assert (c["18"], c["20"], c["22"], c["24"], c["25"]) == ("1000.00", "800.00", "200.00", "200.00", "9.00")


def test_roth_after_due_date_refusals(rob):
    r = _roth_return(rob, "2016-09-01", "800", ok=False)  # before 2016-10-17: return it with its earnings
    assert r.exit_code == 2 and "without --after-due-date" in r.output
    r = _roth_return(rob, "2017-09-09", "1000.01", ok=False)  # more than was contributed
    assert r.exit_code == 2 and "1,000.00" in r.output
    r = _roth_return(rob, "2017-09-09", "100", year="2016", ok=False)  # no 2016 contribution at all
    assert r.exit_code == 2
    assert rob.json("ira", "event", "list", "--person", "rob")["ira_events"][-1]["kind"] == "contribution"


def test_roth_after_due_date_is_limited_to_the_excess(megaroth):
    """Hand-worked, Maximum Roth IRA Contribution Worksheet (Pub 590-A): 2024 single, MAGI 155,000
    in the 146,000-161,000 range: 7,000 x 9,000 / 15,000 = 4,200 reduction -> 2,800 allowed; a 3,000
    contribution has a 200 excess. Withdrawing 300 "as the excess" is refused (the other 100 is an
    ordinary distribution); 200 is recorded as a Roth IRA distribution."""
    megaroth("person", "add", "sue", "--born", "1980-05-05")
    _ty(megaroth, "sue", 2024, "155000")
    _contribute(megaroth, "sue", "2024-03-01", "roth", "3000", 2024)
    assert megaroth.json("tax-year", "show", "--person", "sue", "--year", "2024")["roth_excess"] == "200.00"
    args = [
        "ira",
        "return",
        "--person",
        "sue",
        "--date",
        "2025-12-01",
        "--account",
        "roth",
        "--tax-year",
        "2024",
    ]
    r = megaroth(*args, "--amount", "300", "--after-due-date", ok=False)
    assert r.exit_code == 2 and "excess is 200.00" in r.output and "ira distribute" in r.output
    res = megaroth.json(*args, "--amount", "200", "--after-due-date")
    assert (res["recorded_as"], res["excess"]) == ("distribution", "200.00")
