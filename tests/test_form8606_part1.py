"""Form 8606 Part I only when the form requires it (issue 11).

Source: Form 8606, Part I heading (e.g. the 2017 form: "Complete this part only if one or more of
the following apply. - You made nondeductible contributions to a traditional IRA for 2017. - You
took distributions from a traditional, SEP, or SIMPLE IRA in 2017 and you made nondeductible
contributions to a traditional IRA in 2017 or an earlier year. ... - You converted part, but not
all, of your traditional, SEP, and SIMPLE IRAs to Roth IRAs in 2017 ... and you made nondeductible
contributions to a traditional IRA in 2017 or an earlier year"); Part II line 16 "If you completed
Part I, enter the amount from line 8. Otherwise, enter the net amount you converted" and line 17
"If you completed Part I, enter the amount from line 11. Otherwise, enter your basis in the amount
on line 16" (the 2018 form as printed on irs.gov/media/168101).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from megaroth_ledger.errors import UserError
from megaroth_ledger.rules.form8606 import Form8606Input, compute_8606
from megaroth_ledger.rules.tax_history import CarryForward, IraMove, PersonHistory, compute_history

PART_I = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15a", "15c")


def test_everything_converted_basis_from_earlier_years_no_part_i():
    """Hand-worked (the IRS prints no example): a 2024 nondeductible contribution of 7,000 made
    in December 2024 and not converted (2024 line 14 = 7,000). It grows to 7,123.45 and all of it
    is converted in January 2025; December 31, 2025 value 0; no 2025 contribution and no other
    distribution. None of the three conditions applies, so Part I stays blank: line 16 = 7,123.45,
    line 17 = the basis in it = all 7,000.00, line 18 = 123.45, and no basis is left.
    The ratio path would have given line 10 = 0.98267 (three places give 7,002.35 > 7,000), line 17
    = 6,999.99, line 18 = 123.46 and a stranded cent of basis."""
    f = compute_8606(
        Form8606Input(tax_year=2025, prior_basis=D("7000"), year_end_value=D("0"), conversions=D("7123.45"))
    )
    assert not f.part1
    assert all(f.lines[k] is None for k in PART_I)
    assert (f.lines["16"], f.lines["17"], f.lines["18"]) == (D("7123.45"), D("7000.00"), D("123.45"))
    assert f.carry.traditional_basis == D("0")
    assert "Part I not required" in f.explain["16"]


def test_odd_cents_basis_goes_whole_into_line_17():
    """Hand-worked: basis 6,999.99 carried in, all 7,010.03 converted, nothing left: line 17 =
    6,999.99 exactly, line 18 = 10.04; basis carried 0.00."""
    f = compute_8606(
        Form8606Input(
            tax_year=2025, prior_basis=D("6999.99"), year_end_value=D("0"), conversions=D("7010.03")
        )
    )
    assert (f.lines["17"], f.lines["18"], f.carry.traditional_basis) == (D("6999.99"), D("10.04"), D("0"))


def test_partial_conversion_with_basis_completes_part_i():
    """Condition (c): part, not all, converted and basis from an earlier year: Part I (lines 6-13)
    with the pro-rata ratio. Hand-worked: basis 3,000; 10,000 converted; 20,000 left on Dec 31 ->
    line 9 = 30,000, line 10 = 0.100, line 11 = 1,000, line 18 = 9,000, line 14 = 2,000."""
    f = compute_8606(
        Form8606Input(tax_year=2025, prior_basis=D("3000"), year_end_value=D("20000"), conversions=D("10000"))
    )
    assert f.part1
    assert (f.lines["10"], f.lines["11"], f.lines["17"], f.lines["18"], f.lines["14"]) == (
        D("0.100"),
        D("1000.00"),
        D("1000.00"),
        D("9000.00"),
        D("2000.00"),
    )


def test_distribution_with_basis_completes_part_i():
    """Condition (b): a traditional IRA distribution (not a conversion) while basis is above 0."""
    f = compute_8606(
        Form8606Input(tax_year=2025, prior_basis=D("1000"), year_end_value=D("9000"), distributions=D("1000"))
    )
    assert f.part1 and f.lines["12"] == D("100.00") and f.lines["15c"] == D("900.00")


def test_new_nondeductible_contribution_completes_part_i_even_when_all_converted():
    """Condition (a): the ordinary backdoor still uses Part I (Rose Green and the issue 3 must-show
    figures stay as they were)."""
    f = compute_8606(
        Form8606Input(tax_year=2025, nondeductible=D("7000"), year_end_value=D("0"), conversions=D("7000"))
    )
    assert f.part1 and f.lines["10"] == D("1.000") and f.lines["18"] == D("0.00")


def test_whether_all_was_converted_needs_line_6():
    with pytest.raises(UserError, match="ira value"):
        compute_8606(Form8606Input(tax_year=2025, prior_basis=D("100"), conversions=D("7000")))


def test_loss_leaves_basis_above_the_conversion_warns_and_carries_it():
    """Hand-worked: basis 7,000, the IRA fell to 6,900 and all of it was converted: line 17 is
    capped at line 16 (6,900), line 18 = 0, and the other 100 of basis carries, with a warning."""
    f = compute_8606(
        Form8606Input(tax_year=2025, prior_basis=D("7000"), year_end_value=D("0"), conversions=D("6900"))
    )
    assert (f.lines["17"], f.lines["18"], f.carry.traditional_basis) == (D("6900"), D("0"), D("100"))
    assert any("investment loss" in w for w in f.warnings)


def test_history_full_conversion_of_carried_basis_feeds_1040():
    """The same hand-worked case through the whole-history engine: Form 1040 line 4b = line 18."""
    h = PersonHistory(
        person="ann",
        born=date(1985, 4, 2),
        carryforward=CarryForward(2024, traditional=D("7000")),
        ira_moves=(IraMove(date(2025, 1, 10), 2025, "conversion", "traditional", D("7123.45")),),
        ira_values={2025: D("0")},
    )
    r = compute_history(h).year(2025)
    assert (r.f1040.lines["4a"], r.f1040.lines["4b"]) == (D("7123.45"), D("123.45"))
    assert r.f8606.lines["2"] is None and r.f8606.lines["17"] == D("7000.00")
