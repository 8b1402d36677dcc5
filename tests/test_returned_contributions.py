"""Returned contributions and Form 5329 (issue 11): ``megaroth ira return`` and
``megaroth form 5329``.

IRS printed example -- Instructions for Form 8606 (2015), "Return of IRA Contributions"
(formsbank.com copy, page 5): "On May 28, 2015, you contributed $4,000 to your traditional IRA. The
value of the IRA was $18,000 prior to the contribution. On December 29, 2015, when you are age 57
and the value of the IRA is $23,600, you realize you cannot make the entire contribution because
your taxable compensation for the year will be only $3,000. You decide to have $1,000 of the
contribution returned to you and withdraw $1,073 from your IRA ($1,000 contribution plus $73
earnings). You did not make any other withdrawals or contributions. You do not file Form 8606. You
deduct the $3,000 remaining contribution on Form 1040. You include $1,073 on Form 1040, line 15a,
and $73 on line 15b [today's lines 4a/4b]. ... Because you properly removed the excess
contribution with the related earnings by the due date of your tax return, you are not subject to
the additional 6% tax on excess contributions, reported on Form 5329. However, ... under age 59 1/2
at the time of a distribution with related earnings, you generally are subject to the additional
10% tax on early distributions" -- 10% of $73 = $7.30 on Form 5329 line 4.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from megaroth_ledger.rules import form5329 as f5329


@pytest.fixture
def pat(megaroth):
    megaroth("person", "add", "pat", "--born", "1958-06-01")  # 57 on December 29, 2015
    return megaroth


def test_form_8606_instructions_2015_returned_contribution(pat):
    m = pat
    m(
        "tax-year",
        "set",
        "--person",
        "pat",
        "--year",
        "2015",
        "--filing-status",
        "single",
        "--magi",
        "30000",
        "--compensation",
        "3000",
        "--not-covered",
    )
    r = m(
        "ira",
        "contribute",
        "--person",
        "pat",
        "--date",
        "2015-05-28",
        "--account",
        "traditional",
        "--amount",
        "4000",
        "--tax-year",
        "2015",
    )
    assert "ira-excess" in r.stderr and "1,000.00" in r.stderr
    m(
        "ira",
        "return",
        "--person",
        "pat",
        "--date",
        "2015-12-29",
        "--account",
        "traditional",
        "--amount",
        "1000",
        "--earnings",
        "73",
        "--tax-year",
        "2015",
    )
    assert all(
        v is None for v in m.json("form", "8606", "--person", "pat", "--year", "2015")["lines"].values()
    )
    lines = m.json("form", "1040", "--person", "pat", "--year", "2015")["lines"]
    assert (lines["4a"], lines["4b"]) == ("1073.00", "73.00")
    f5329 = m.json("form", "5329", "--person", "pat", "--year", "2015")["lines"]
    assert (f5329["1"], f5329["3"], f5329["4"]) == ("73.00", "73.00", "7.30")
    assert (f5329["16"], f5329["17"]) == ("0.00", "0.00")  # no 6%: removed by the due date
    show = m.json("tax-year", "show", "--person", "pat", "--year", "2015")
    assert (show["traditional"], show["traditional_excess"]) == ("3000.00", "0.00")
    forms = m.json("form", "1099-r", "--person", "pat", "--year", "2015")
    (f,) = forms["forms"]
    assert (f["payer"], f["box1"], f["box2a"], f["box7"]) == ("traditional-ira", "1073.00", "73.00", "81")


def test_returned_next_year_goes_on_the_year_it_was_for(ann):
    """Form 8606 instructions: "If you made a contribution for 2014 and you had it returned to you in
    2015 ..., do not report the distribution on your 2015 tax return. Instead, report it on your 2014
    original or amended return". Hand-worked: a 2025 Roth contribution of 7,000 above the income
    limit, returned on 2026-03-02 with 150 of net income: 2025 line 4a 7,150 / 4b 150; 2026 nothing;
    the custodian's 2026 1099-R has code PJ."""
    ann(
        "tax-year",
        "set",
        "--person",
        "ann",
        "--year",
        "2025",
        "--filing-status",
        "single",
        "--magi",
        "210000",
    )
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2025-02-01",
        "--account",
        "roth",
        "--amount",
        "7000",
        "--tax-year",
        "2025",
    )
    ann(
        "ira",
        "return",
        "--person",
        "ann",
        "--date",
        "2026-03-02",
        "--account",
        "roth",
        "--amount",
        "7000",
        "--earnings",
        "150",
        "--tax-year",
        "2025",
    )
    l25 = ann.json("form", "1040", "--person", "ann", "--year", "2025")["lines"]
    assert (l25["4a"], l25["4b"]) == ("7150.00", "150.00")
    assert ann.json("form", "1040", "--person", "ann", "--year", "2026")["lines"]["4a"] is None
    (f,) = ann.json("form", "1099-r", "--person", "ann", "--year", "2026")["forms"]
    assert (f["payer"], f["box1"], f["box2a"], f["box7"]) == ("roth-ira", "7150.00", "150.00", "PJ")
    assert ann.json("tax-year", "show", "--person", "ann", "--year", "2025")["roth_excess"] == "0.00"
    assert ann.json("form", "5329", "--person", "ann", "--year", "2025")["lines"]["24"] == "0.00"
    assert (
        ann.json("form", "8606", "--person", "ann", "--year", "2026")["lines"]["19"] is None
    )  # not a distribution


def test_roth_excess_owes_6_percent_every_year_it_stays(ann):
    """Hand-worked, IRC 4973(f) / Form 5329 Part IV: 2024 Roth 7,000 at a MAGI of 200,000 (single,
    range ends at 161,000): excess 7,000. Dec 31 Roth IRA values 7,400 (2024) and 7,900 (2025).
    2024: line 23 = 7,000, 24 = 7,000, 25 = 6% x min(7,000, 7,400) = 420.00.
    2025 (MAGI 200,000 again, no contribution): 18 = 7,000, 19 = 0 (no room at that MAGI), 20 = 0,
    22 = 7,000, 24 = 7,000, 25 = 420.00.
    2026 (MAGI 100,000, no contribution): 19 = the 7,500 limit unused -> 22 = 0, 24 = 0, 25 = 0."""
    for y, magi in ((2024, "200000"), (2025, "200000"), (2026, "100000")):
        ann(
            "tax-year",
            "set",
            "--person",
            "ann",
            "--year",
            str(y),
            "--filing-status",
            "single",
            "--magi",
            magi,
        )
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2024-03-01",
        "--account",
        "roth",
        "--amount",
        "7000",
        "--tax-year",
        "2024",
    )
    ann("ira", "value", "--person", "ann", "--year", "2024", "--amount", "7400", "--account", "roth")
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "7900", "--account", "roth")
    a = ann.json("form", "5329", "--person", "ann", "--year", "2024")["lines"]
    assert (a["23"], a["24"], a["25"]) == ("7000.00", "7000.00", "420.00")
    b = ann.json("form", "5329", "--person", "ann", "--year", "2025")["lines"]
    assert (b["18"], b["19"], b["20"], b["22"], b["23"], b["24"], b["25"]) == (
        "7000.00",
        "0.00",
        "0.00",
        "7000.00",
        "0.00",
        "7000.00",
        "420.00",
    )
    c = ann.json("form", "5329", "--person", "ann", "--year", "2026")["lines"]
    assert (c["18"], c["19"], c["22"], c["24"], c["25"]) == ("7000.00", "7500.00", "0.00", "0.00", "0.00")


def test_line_25_needs_the_roth_value(ann):
    ann(
        "tax-year",
        "set",
        "--person",
        "ann",
        "--year",
        "2024",
        "--filing-status",
        "single",
        "--magi",
        "200000",
    )
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2024-03-01",
        "--account",
        "roth",
        "--amount",
        "7000",
        "--tax-year",
        "2024",
    )
    r = ann("form", "5329", "--person", "ann", "--year", "2024", ok=False)
    assert r.exit_code == 2 and "--account roth" in r.output


def test_traditional_excess_absorbed_next_year():
    """Hand-worked, IRC 4973(b)(2)(C) / Form 5329 Part III: 2024 traditional 8,000 at age 40 (limit
    7,000): line 15 = 1,000; Dec 31 value 8,200 -> line 17 = 60.00. 2025 no contribution: line 9 =
    1,000, line 10 = 7,000 unused, 13 = 7,000, 14 = 0, 16 = 0, 17 = 0."""
    lines, carry = f5329.part_iii(
        f5329.ExcessYear(2024, D("0"), current_excess=D("1000"), year_end_value=D("8200"))
    )
    assert (lines["15"], lines["16"], lines["17"], carry) == (D("1000"), D("1000"), D("60.00"), D("1000"))
    lines, carry = f5329.part_iii(f5329.ExcessYear(2025, carry, room=D("7000"), year_end_value=D("9000")))
    assert (lines["9"], lines["10"], lines["13"], lines["14"], lines["16"], lines["17"]) == (
        D("1000"),
        D("7000"),
        D("7000"),
        D("0"),
        D("0"),
        D("0"),
    )


def test_the_6_percent_is_capped_by_the_year_end_value():
    """IRC 4973(a): not more than 6% of the value of the account at the end of the year."""
    lines, _ = f5329.part_iv(
        f5329.ExcessYear(2025, D("0"), current_excess=D("7000"), year_end_value=D("5000"))
    )
    assert lines["25"] == D("300.00")


def test_after_due_date_withdrawal_of_a_nondeductible_traditional_excess(megaroth):
    """IRC 408(d)(5): an excess withdrawn after the due date is not income when the year's
    contributions were within the dollar limit and nothing was deducted for it. Hand-worked: 2024
    compensation 3,000, a 4,000 nondeductible traditional contribution (excess 1,000, line 17 = 6% x
    1,000 = 60 with a Dec 31 value of 4,100); withdrawn on 2025-12-01: 2025 line 9 = 1,000, line 12 =
    1,000 -> line 16 = 0; the 1,000 leaves line 2 basis (Form 8606 instructions) and 2025 line 4a
    shows it with 4b = 0."""
    m = megaroth
    m("person", "add", "lee", "--born", "1985-01-01")
    m(
        "tax-year",
        "set",
        "--person",
        "lee",
        "--year",
        "2024",
        "--filing-status",
        "single",
        "--magi",
        "30000",
        "--compensation",
        "3000",
        "--not-covered",
    )
    m(
        "ira",
        "contribute",
        "--person",
        "lee",
        "--date",
        "2024-05-01",
        "--account",
        "traditional",
        "--amount",
        "4000",
        "--tax-year",
        "2024",
        "--nondeductible",
        "4000",
    )
    m("ira", "value", "--person", "lee", "--year", "2024", "--amount", "4100")
    assert m.json("form", "5329", "--person", "lee", "--year", "2024")["lines"]["17"] == "60.00"
    r = m(
        "ira",
        "return",
        "--person",
        "lee",
        "--date",
        "2025-10-20",
        "--account",
        "traditional",
        "--amount",
        "1000",
        "--tax-year",
        "2024",
        ok=False,
    )
    assert r.exit_code == 2 and "after the due date" in r.output  # after 2025-10-15: needs --after-due-date
    m(
        "ira",
        "return",
        "--person",
        "lee",
        "--date",
        "2025-12-01",
        "--account",
        "traditional",
        "--amount",
        "1000",
        "--tax-year",
        "2024",
        "--after-due-date",
    )
    m("ira", "value", "--person", "lee", "--year", "2025", "--amount", "3150")
    f = m.json("form", "5329", "--person", "lee", "--year", "2025")["lines"]
    assert (f["9"], f["12"], f["14"], f["16"], f["17"]) == ("1000.00", "1000.00", "0.00", "0.00", "0.00")
    lines = m.json("form", "1040", "--person", "lee", "--year", "2025")["lines"]
    assert (lines["4a"], lines["4b"]) == ("1000.00", "0.00")
    m(
        "ira",
        "contribute",
        "--person",
        "lee",
        "--date",
        "2026-02-01",
        "--account",
        "traditional",
        "--amount",
        "100",
        "--tax-year",
        "2026",
        "--nondeductible",
        "100",
    )
    assert m.json("form", "8606", "--person", "lee", "--year", "2026")["lines"]["2"] == "3000.00"


def test_roth_after_due_date_needs_an_excess(ann):
    """A Roth IRA excess withdrawn after the due date is recorded as a Roth IRA distribution
    (tests/test_excess_5329.py); without a recorded excess for the year (no filing status and MAGI,
    so no phase-out) the command says how to record an ordinary withdrawal instead."""
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2024-03-01",
        "--account",
        "roth",
        "--amount",
        "7000",
        "--tax-year",
        "2024",
    )
    r = ann(
        "ira",
        "return",
        "--person",
        "ann",
        "--date",
        "2025-11-01",
        "--account",
        "roth",
        "--amount",
        "7000",
        "--tax-year",
        "2024",
        "--after-due-date",
        ok=False,
    )
    assert r.exit_code == 2 and "no 2024 Roth IRA excess" in r.output and "ira distribute" in r.output


def test_returned_contribution_recorded_as_a_distribution_is_named(ann):
    """The obvious workaround -- `ira distribute` for the excess paid back -- would tax it and keep the
    6% going; every form of that year names it."""
    ann(
        "tax-year",
        "set",
        "--person",
        "ann",
        "--year",
        "2025",
        "--filing-status",
        "single",
        "--magi",
        "210000",
    )
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2025-02-01",
        "--account",
        "roth",
        "--amount",
        "7000",
        "--tax-year",
        "2025",
    )
    ann(
        "ira",
        "distribute",
        "--person",
        "ann",
        "--date",
        "2026-03-02",
        "--account",
        "roth",
        "--amount",
        "7150",
    )
    for form in ("1040", "8606", "1099-r"):
        codes = [w["code"] for w in ann.json("form", form, "--person", "ann", "--year", "2026")["warnings"]]
        assert "distribution-maybe-return" in codes, form


def test_disaster_distributions_are_refused(ann):
    r = ann(
        "ira",
        "distribute",
        "--person",
        "ann",
        "--date",
        "2025-06-01",
        "--account",
        "traditional",
        "--amount",
        "1000",
        "--exception",
        "disaster",
        ok=False,
    )
    assert r.exit_code == 3 and "8915-F" in r.output and "15b" in r.output
