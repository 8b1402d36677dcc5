"""IRA contribution limits (issue 11): the phase-out table 2015-2026, the Roth IRA and deduction
worksheets, excess contributions and how they are reported.

Every figure of the phase-out table is written out here a second time (from the IRS news releases
and notices each year cites in limits.toml), so a typo in either place fails a test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from megaroth_ledger.rules import ira_limits as il
from megaroth_ledger.rules import limits

# year: (Roth single/HoH start, Roth joint start, deduction single start, deduction joint start,
#        deduction spouse-covered start)  -- ends: +15,000 / +10,000 / +10,000 / +20,000 / +10,000
PHASEOUTS = {
    2015: (116000, 183000, 61000, 98000, 183000),  # IR-2014-99
    2016: (117000, 184000, 61000, 98000, 184000),  # IR-2015-118
    2017: (118000, 186000, 62000, 99000, 186000),  # IR-2016-141
    2018: (120000, 189000, 63000, 101000, 189000),  # IR-2017-177
    2019: (122000, 193000, 64000, 103000, 193000),  # IR-2018-211
    2020: (124000, 196000, 65000, 104000, 196000),  # IR-2019-179
    2021: (125000, 198000, 66000, 105000, 198000),  # IR-2020-245
    2022: (129000, 204000, 68000, 109000, 204000),  # IR-2021-216
    2023: (138000, 218000, 73000, 116000, 218000),  # IR-2022-188
    2024: (146000, 230000, 77000, 123000, 230000),  # IR-2023-203
    2025: (150000, 236000, 79000, 126000, 236000),  # IR-2024-285
    2026: (153000, 242000, 81000, 129000, 242000),  # IR-2025-111
}


@pytest.mark.parametrize("year", sorted(PHASEOUTS))
def test_phaseout_table(year):
    rs, rj, ds, dj, sp = PHASEOUTS[year]
    got = limits.limits_for(year)
    assert got.roth_phaseout_single == (D(rs), D(rs + 15000))
    assert got.roth_phaseout_joint == (D(rj), D(rj + 10000))
    assert got.deduction_phaseout_single == (D(ds), D(ds + 10000))
    assert got.deduction_phaseout_joint == (D(dj), D(dj + 20000))
    assert got.deduction_phaseout_spouse_covered == (D(sp), D(sp + 10000))
    srcs = limits.sources()
    assert got.phaseout_sources and all(srcs[s].strip() for s in got.phaseout_sources)
    assert any(s.startswith("R") and str(year) in srcs[s] for s in got.phaseout_sources)


def test_table_covers_every_year():
    assert sorted(PHASEOUTS) == limits.supported_years()


def test_pub_590_2002_appendix_b_worksheet_2_rounding_example():
    """Pub 590 (2002), Appendix B, Worksheet 2 (Computation of Traditional IRA Deduction), the IRS's
    filled-in example: line 3 = $4,550 (64,000 - 59,450), "Multiply line 3 by ... 35% (.35) if age 50
    or older ... If the result is not a multiple of $10, round it to the next highest multiple of
    $10", line 4 = $1,600 (35% = the $3,500 limit over the $10,000 range; 1,592.50 -> 1,600)."""
    assert il.phased_limit(D("3500"), D("4550"), D("10000")) == D("1600.00")


@pytest.mark.parametrize(
    "room,expected",
    [
        ("0", "0.00"),
        ("-5", "0.00"),
        ("10000", "7000.00"),
        ("12000", "7000.00"),
        ("5000", "3500.00"),  # exactly half
        ("10", "200.00"),  # 7.00 -> 10 -> the $200 floor (IRC 219(g)(2)(B))
        ("285.71", "200.00"),
        ("285.72", "210.00"),  # 199.997 -> 200; 200.004 -> 210: always up to $10
    ],
)
def test_phased_limit_rounding_and_floor(room, expected):
    assert il.phased_limit(D("7000"), D(room), D("10000")) == D(expected)


def _facts(year=2025, status="single", magi="155000", born=date(1985, 4, 2), **kw):
    return il.IraYearFacts(year=year, born=born, filing_status=status, magi=D(magi), **kw)


@pytest.mark.parametrize(
    "year,status,magi,born,traditional,allowed",
    [
        # hand-worked (Pub 590-A Worksheet 2-2): 2025 single, MAGI 155,000: (155,000-150,000)/15,000 =
        # 1/3; 7,000 x 1/3 = 2,333.33; 7,000 - 2,333.33 = 4,666.67 -> rounded up to 4,670
        (2025, "single", "155000", date(1985, 4, 2), "0", "4670.00"),
        (2025, "hoh", "155000", date(1985, 4, 2), "0", "4670.00"),
        # the same, 3,000 already in a traditional IRA: line 10 = 7,000 - 3,000 = 4,000 < 4,670
        (2025, "single", "155000", date(1985, 4, 2), "3000", "4000.00"),
        (2025, "single", "150000", date(1985, 4, 2), "0", "7000.00"),  # at the start: full
        (2025, "single", "165000", date(1985, 4, 2), "0", "0.00"),  # at the end: nothing
        (2025, "single", "164990", date(1985, 4, 2), "0", "200.00"),  # 4.67 -> 10 -> $200 minimum
        # 2024 joint, age 55 (limit 8,000): (235,000-230,000)/10,000 = 0.5 -> 4,000
        (2024, "mfj", "235000", date(1969, 1, 1), "0", "4000.00"),
        (2024, "qss", "235000", date(1969, 1, 1), "0", "4000.00"),
        # married filing separately (lived together): $0-$10,000 by statute, every year
        (2025, "mfs", "5000", date(1985, 4, 2), "0", "3500.00"),
        (2016, "mfs", "10000", date(1985, 4, 2), "0", "0.00"),
        # 2026, age 50+: 7,500 + 1,100 = 8,600; single 160,000: 8,600 x 7,000/15,000 = 4,013.33 off
        # -> 4,586.67 -> 4,590
        (2026, "single", "160000", date(1970, 6, 1), "0", "4590.00"),
    ],
)
def test_roth_worksheet(year, status, magi, born, traditional, allowed):
    ws = il.roth_worksheet(_facts(year, status, magi, born), D(traditional))
    assert ws.allowed == D(allowed)
    assert ws.lines["11"] == D(allowed)


@pytest.mark.parametrize(
    "year,status,magi,covered,spouse,born,limit",
    [
        # hand-worked (Pub 590-A Worksheet 1-2): 2025 single, covered, MAGI 84,000: line 3 = 89,000 -
        # 84,000 = 5,000; x 70% (7,000 / 10,000) = 3,500
        (2025, "single", "84000", True, False, date(1985, 4, 2), "3500.00"),
        (2025, "single", "79000", True, False, date(1985, 4, 2), "7000.00"),
        (2025, "single", "89000", True, False, date(1985, 4, 2), "0.00"),
        (2025, "single", "88990", True, False, date(1985, 4, 2), "200.00"),  # 7 -> 10 -> $200
        # 2023 joint, covered, 50+: 136,000 - 130,000 = 6,000 x 37.5% (7,500 / 20,000) = 2,250
        (2023, "mfj", "130000", True, False, date(1970, 1, 1), "2250.00"),
        # not covered, spouse covered, joint 2025: 246,000 - 240,000 = 6,000 x 70% = 4,200
        (2025, "mfj", "240000", False, True, date(1985, 4, 2), "4200.00"),
        (2025, "single", "500000", False, False, date(1985, 4, 2), "7000.00"),  # nobody covered: full
        (2025, "mfs", "2500", True, False, date(1985, 4, 2), "5250.00"),  # 7,500 x 70%
    ],
)
def test_deduction_worksheet(year, status, magi, covered, spouse, born, limit):
    f = _facts(year, status, magi, born, covered=covered, spouse_covered=spouse)
    assert il.deduction_worksheet(f).limit == D(limit)


def test_combined_excess_lands_on_the_roth_side():
    """IRC 408A(c)(2): the Roth limit is reduced by the traditional contributions; 4973(f)."""
    res = il.check_year(_facts(magi="100000"), D("7000"), D("1000"), D("0"))
    assert (res.traditional_excess, res.roth_excess) == (D("0"), D("1000"))
    (f,) = [f for f in res.findings if f["code"] == "ira-excess"]
    assert "recharacterize" in f["message"] and "408(d)(4)" in f["message"] and "4973" in f["message"]


def test_roth_above_the_income_limit_names_the_backdoor():
    res = il.check_year(_facts(magi="210000"), D("0"), D("7000"))
    (f,) = res.findings
    assert f["code"] == "roth-income-excess" and res.roth_excess == D("7000")
    assert "backdoor" in f["message"] and "ira recharacterize" in f["message"]


def test_traditional_above_the_combined_limit():
    res = il.check_year(_facts(magi="100000"), D("7500"), D("0"), D("0"))
    assert res.traditional_excess == D("500")


def test_seventy_and_a_half_before_2020():
    """IRC 219(d)(1) (before the SECURE Act sec. 107): no traditional contribution for the year
    one attains 70 1/2. Born 1948-03-01: 70 1/2 on 2018-09-01."""
    f = il.IraYearFacts(year=2018, born=date(1948, 3, 1))
    assert il.check_year(f, D("1000"), D("0")).traditional_excess == D("1000")
    assert il.check_year(il.IraYearFacts(year=2020, born=date(1948, 3, 1)), D("1000"), D("0")).excess == 0


def test_deduction_recorded_above_the_phaseout_is_flagged():
    res = il.check_year(_facts(magi="155000", covered=True), D("7000"), D("0"), D("7000"))
    (f,) = res.findings
    assert f["code"] == "ira-deduction-excess" and res.deductible_limit == D("0")


def test_compensation_below_the_limit():
    res = il.check_year(_facts(magi="50000", compensation=D("3000")), D("0"), D("3500"))
    assert res.limit == D("3000") and res.roth_excess == D("500")


def test_without_magi_only_the_combined_limit_is_checked():
    f = il.IraYearFacts(year=2025, born=date(1985, 4, 2))
    res = il.check_year(f, D("0"), D("7000"))
    assert res.excess == 0 and [x["code"] for x in res.findings] == ["roth-income-unchecked"]


# --- CLI ----------------------------------------------------------------------------------------
def test_tax_year_set_and_ira_contribute_reports_the_excess(ann):
    out = ann.json(
        "tax-year",
        "set",
        "--person",
        "ann",
        "--year",
        "2025",
        "--filing-status",
        "single",
        "--magi",
        "155000",
    )
    assert out["roth_allowed"] == "4670.00" and out["roth_worksheet"]["5"] == "0.33333"
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
    assert "roth-income-excess" in r.stderr and "2,330.00" in r.stderr
    show = ann.json("tax-year", "show", "--person", "ann", "--year", "2025")
    assert show["roth_excess"] == "2330.00" and show["warnings"][0]["code"] == "roth-income-excess"
    assert ann.json("tax-year", "list", "--person", "ann")["tax_years"][0]["magi"] == "155000.00"


def test_tax_year_set_bad_input(ann):
    r = ann(
        "tax-year",
        "set",
        "--person",
        "ann",
        "--year",
        "2025",
        "--filing-status",
        "married",
        "--magi",
        "1",
        ok=False,
    )
    assert r.exit_code == 2 and "Traceback" not in r.output
    r = ann(
        "tax-year",
        "set",
        "--person",
        "ann",
        "--year",
        "2014",
        "--filing-status",
        "single",
        "--magi",
        "1",
        ok=False,
    )
    assert r.exit_code == 3 and "2015-2026" in r.output
    r = ann(
        "tax-year",
        "set",
        "--person",
        "ann",
        "--year",
        "2025",
        "--filing-status",
        "single",
        "--magi",
        "-1",
        ok=False,
    )
    assert r.exit_code == 2


def test_report_year_and_workbook_show_the_excess(ann, tmp_path):
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
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-15",
        "--source",
        "pretax",
        "--amount",
        "1000",
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
    rep = ann.json("report", "year", "--person", "ann", "--year", "2025")
    assert rep["ira_limits"]["roth_excess"] == "7000.00"
    (w,) = [w for w in rep["warnings"] if w["code"] == "roth-income-excess"]
    assert w["origin"] == "IRA limits" and "backdoor" in w["advice"]
    out = tmp_path / "ann.xlsx"
    ann("export", "--person", "ann", "--year", "2025", "-o", str(out))
    from openpyxl import load_workbook

    cells = [c for row in load_workbook(out)["Summary"].iter_rows(values_only=True) for c in row if c]
    assert "roth-income-excess" in cells and "IRA limit (traditional + Roth)" in cells
