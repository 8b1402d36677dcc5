"""Recharacterizations (issue 11): ``megaroth ira recharacterize``.

IRS printed examples (Instructions for Form 8606, "Recharacterizations"):

- 2010 instructions (formsbank.com copy, page 4), Roth -> traditional: "You are single, covered by
  a retirement plan, and you contributed $4,000 to a new Roth IRA on June 16, 2010. On December 29,
  2010, you determine that your 2010 modified AGI will allow a full traditional IRA deduction. You
  decide to recharacterize the Roth IRA contribution as a traditional IRA contribution and have
  $4,200, the balance in the Roth IRA account ($4,000 contribution plus $200 related earnings),
  transferred ... You deduct the $4,000 traditional IRA contribution on Form 1040. You are not
  required to file Form 8606 ... You include the $4,200 distribution on your 2010 Form 1040, line
  15a" (today's line 4a).
- 2005 instructions (formsbank.com copy, page 4), traditional -> Roth in the next year: "you
  contributed $4,000 to a traditional IRA on May 27, 2005; recharacterized $3,000 of that
  contribution on February 24, 2006, by transferring $3,000 plus $300 of related earnings from
  your traditional IRA to a Roth IRA ...; and that all $1,000 of the remaining traditional IRA
  contribution is deducted on Form 1040. You do not report the $3,300 distribution from your
  traditional IRA on your 2005 Form 1040" -- "If the recharacterization occurred in 2006, report
  the amount transferred only in the attached statement, and not on your 2005 or 2006 tax return."
"""

from __future__ import annotations


def test_form_8606_instructions_2010_roth_to_traditional_deducted(megaroth):
    m = megaroth
    m("person", "add", "sam", "--born", "1970-01-01")
    m(
        "ira",
        "contribute",
        "--person",
        "sam",
        "--date",
        "2010-06-16",
        "--account",
        "roth",
        "--amount",
        "4000",
        "--tax-year",
        "2010",
    )
    r = m(
        "ira",
        "recharacterize",
        "--person",
        "sam",
        "--date",
        "2010-12-29",
        "--from",
        "roth",
        "--amount",
        "4000",
        "--earnings",
        "200",
        "--tax-year",
        "2010",
        "--nondeductible",
        "0",
    )
    assert "roth -> traditional" in r.stdout
    f8606 = m.json("form", "8606", "--person", "sam", "--year", "2010")["lines"]
    assert all(v is None for v in f8606.values())  # "You are not required to file Form 8606"
    forms = m.json("form", "1099-r", "--person", "sam", "--year", "2010")
    (f,) = forms["forms"]
    assert (f["payer"], f["destination"], f["box1"], f["box2a"], f["box7"]) == (
        "roth-ira",
        "traditional-ira",
        "4200.00",
        "0.00",
        "N",
    )
    assert "recharacterization-statement" in [w["code"] for w in forms["warnings"]]
    lines = m.json("form", "1040", "--person", "sam", "--year", "2010")["lines"]
    assert (lines["4a"], lines["4b"]) == ("4200.00", "0.00")
    # treated as made to the traditional IRA (IRC 408A(d)(6)(A)): the Roth IRA holds no regular
    # contribution for 2010 any more -- no line 22 basis and no five-year clock started by it
    clocks = m.json("clocks", "--person", "sam", "--as-of", "2011-01-01")
    assert clocks["qualified"] == [] and clocks["regular_contributions_remaining"] == "0.00"


def test_form_8606_instructions_2005_traditional_to_roth_next_year(megaroth):
    m = megaroth
    m("person", "add", "kim", "--born", "1970-01-01")
    m(
        "ira",
        "contribute",
        "--person",
        "kim",
        "--date",
        "2005-05-27",
        "--account",
        "traditional",
        "--amount",
        "4000",
        "--tax-year",
        "2005",
    )
    m(
        "ira",
        "recharacterize",
        "--person",
        "kim",
        "--date",
        "2006-02-24",
        "--from",
        "traditional",
        "--amount",
        "3000",
        "--earnings",
        "300",
        "--tax-year",
        "2005",
    )
    assert all(
        v is None for v in m.json("form", "8606", "--person", "kim", "--year", "2005")["lines"].values()
    )
    assert m.json("form", "1040", "--person", "kim", "--year", "2005")["lines"]["4a"] is None
    f2006 = m.json("form", "1099-r", "--person", "kim", "--year", "2006")["forms"]
    assert [(f["payer"], f["box1"], f["box2a"], f["box7"]) for f in f2006] == [
        ("traditional-ira", "3300.00", "0.00", "R")
    ]
    assert (
        m.json("form", "1040", "--person", "kim", "--year", "2006")["lines"]["4a"] is None
    )  # statement only


def test_backdoor_fix_roth_excess_recharacterized_then_converted(ann):
    """Hand-worked: single, MAGI 210,000 for 2025 (above the 165,000 end of the Roth range): the
    7,000 Roth contribution is an excess. Recharacterized with 312.40 of earnings (7,312.40 moved),
    nondeductible; converted the same year, nothing left on Dec 31: Form 8606 line 1 = 7,000 (the
    contribution, not its earnings), line 8 = 7,312.40; the excess is gone."""
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
    r = ann(
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
    assert "roth-income-excess" in r.stderr
    out = ann.json(
        "ira",
        "recharacterize",
        "--person",
        "ann",
        "--date",
        "2025-11-03",
        "--from",
        "roth",
        "--amount",
        "7000",
        "--earnings",
        "312.40",
        "--tax-year",
        "2025",
    )
    assert out["moved"] == "7312.40" and out["warnings"] == []
    ann("ira", "convert", "--person", "ann", "--date", "2025-11-10", "--amount", "7312.40")
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "0")
    lines = ann.json("form", "8606", "--person", "ann", "--year", "2025")["lines"]
    assert (lines["1"], lines["8"], lines["16"]) == ("7000.00", "7312.40", "7312.40")
    assert ann.json("tax-year", "show", "--person", "ann", "--year", "2025")["roth_excess"] == "0.00"
    f1040 = ann.json("form", "1040", "--person", "ann", "--year", "2025")["lines"]
    assert f1040["4a"] == "14624.80"  # the code-N transfer and the conversion
    assert f1040["4b"] == lines["18"]


def test_post_2017_conversion_cannot_be_recharacterized(ann):
    """IRC 408A(d)(6)(B)(iii) (Tax Cuts and Jobs Act sec. 13611): a conversion made after 2017
    cannot be recharacterized -- the obvious try (recharacterizing the converted amount as if it
    were a Roth contribution) is refused with the reason."""
    ann(
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
    ann("ira", "convert", "--person", "ann", "--date", "2025-01-20", "--amount", "7000")
    r = ann(
        "ira",
        "recharacterize",
        "--person",
        "ann",
        "--date",
        "2025-06-01",
        "--from",
        "roth",
        "--amount",
        "7000",
        "--earnings",
        "0",
        "--tax-year",
        "2025",
        ok=False,
    )
    assert r.exit_code == 3 and "408A(d)(6)(B)(iii)" in r.output and "after 2017" in r.output


def test_after_the_extended_due_date_is_refused(ann):
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
        "recharacterize",
        "--person",
        "ann",
        "--date",
        "2025-10-16",
        "--from",
        "roth",
        "--amount",
        "7000",
        "--earnings",
        "10",
        "--tax-year",
        "2024",
        ok=False,
    )
    assert r.exit_code == 2 and "2025-10-15" in r.output
    ann(
        "ira",
        "recharacterize",
        "--person",
        "ann",
        "--date",
        "2025-10-15",
        "--from",
        "roth",
        "--amount",
        "7000",
        "--earnings",
        "10",
        "--tax-year",
        "2024",
    )


def test_more_than_was_contributed_is_refused(ann):
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2025-03-01",
        "--account",
        "roth",
        "--amount",
        "3000",
        "--tax-year",
        "2025",
    )
    r = ann(
        "ira",
        "recharacterize",
        "--person",
        "ann",
        "--date",
        "2025-04-01",
        "--from",
        "roth",
        "--amount",
        "3000.01",
        "--earnings",
        "0",
        "--tax-year",
        "2025",
        ok=False,
    )
    assert r.exit_code == 2 and "3,000.00" in r.output
    r = ann(
        "ira",
        "recharacterize",
        "--person",
        "ann",
        "--date",
        "2025-04-01",
        "--from",
        "roth",
        "--amount",
        "1000",
        "--earnings",
        "-1000",
        "--tax-year",
        "2025",
        ok=False,
    )
    assert r.exit_code == 2 and "nothing to move" in r.output


def test_late_recharacterization_in_a_year_needing_line_6(ann):
    """A 2025 Roth contribution recharacterized in 2026 while 2025 also had a conversion. Form 8606
    instructions, line 6: "If you recharacterized any amounts originally contributed ... in [the year],
    enter on line 6 the total value, taking into account all recharacterizations of those amounts,
    including recharacterizations made after December 31" -- the ledger cannot derive that figure (the
    6,100 moved carries net income to March 1, 2026, not to December 31), so it asks for it, and then
    uses it. Hand-worked: the traditional IRA was empty at the end of 2025, the 6,000 Roth contribution
    was worth 6,080 on December 31 (the Roth custodian's statement) -> line 6 = 6,080. Line 1 = 1,000 +
    6,000 (recharacterized as nondeductible) = 7,000 = line 5; line 8 = 1,000; line 9 = 7,080; line 10 =
    7,000 / 7,080 = 0.989 (three places); line 11 = 989.00; line 18 = 11.00; line 14 = 6,011.00."""
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2025-01-10",
        "--account",
        "traditional",
        "--amount",
        "1000",
        "--tax-year",
        "2025",
        "--nondeductible",
        "1000",
    )
    ann("ira", "convert", "--person", "ann", "--date", "2025-01-20", "--amount", "1000")
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "0")
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2025-05-01",
        "--account",
        "roth",
        "--amount",
        "6000",
        "--tax-year",
        "2025",
    )
    ann(
        "ira",
        "recharacterize",
        "--person",
        "ann",
        "--date",
        "2026-03-01",
        "--from",
        "roth",
        "--amount",
        "6000",
        "--earnings",
        "100",
        "--tax-year",
        "2025",
    )
    r = ann("form", "8606", "--person", "ann", "--year", "2025", ok=False)
    assert r.exit_code == 2 and "line 6" in r.output and "--after-recharacterizations" in r.output
    r = ann(
        "ira", "value", "--person", "ann", "--year", "2025", "--amount", "6080", "--after-recharacterizations"
    )
    assert "taking into account recharacterizations" in r.output
    doc = ann.json("form", "8606", "--person", "ann", "--year", "2025")
    f = doc["lines"]
    assert (f["1"], f["5"], f["6"], f["8"], f["9"], f["10"], f["11"], f["14"], f["18"]) == (
        "7000.00",
        "7000.00",
        "6080.00",
        "1000.00",
        "7080.00",
        "0.989",
        "989.00",
        "6011.00",
        "11.00",
    )
    assert "line-6-after-recharacterizations" in [w["code"] for w in doc["warnings"]]
    rows = ann.json("ira", "value", "list", "--person", "ann")["ira_values"]
    assert [(v["year"], v["after_recharacterizations"]) for v in rows] == [(2025, True)]
    # recording the plain value again drops the flag: refused again
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "6080")
    assert ann("form", "8606", "--person", "ann", "--year", "2025", ok=False).exit_code == 2
