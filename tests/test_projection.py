"""Growth projection (rules/projection.py): the seed's figures and the conventions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from megaroth_ledger.errors import UserError
from megaroth_ledger.rules.projection import (
    annuity_value,
    future_value,
    parse_rate,
    project,
    projection_payload,
)

D = Decimal


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        (20, D("141243.48")),  # seed: "a single $36.5k ... worth around $141k" over 20 years
        (30, D("277847.31")),  # the seed's "age 35 to 65" is 30 years
        (0, D("36500.00")),
        (1, D("39055.00")),
    ],
)
def test_seed_lump_sum(years, expected):
    assert future_value(D("36500"), D("7"), years) == expected


def test_project_single_conversion_matches_seed():
    p = project({2025: D("36500.00")}, rate=D("7"), years=20, start_year=2025)
    assert [r.year for r in p.rows] == list(range(2025, 2046))
    assert p.rows[0].without_contributions == D("36500.00")
    assert p.final.without_contributions == D("141243.48")
    assert p.final.with_contributions is None
    p30 = project({2025: D("36500.00")}, rate=D("7"), years=30, start_year=2025)
    assert p30.final.without_contributions == D("277847.31")


def test_each_conversion_year_grows_from_its_own_year_end():
    p = project({2023: D("1000.00"), 2025: D("1000.00")}, rate=D("10"), years=2, start_year=2025)
    r0, _, r2 = p.rows
    assert r0.by_conversion_year == {2023: D("1210.00"), 2025: D("1000.00")}
    assert r2.by_conversion_year == {2023: D("1464.10"), 2025: D("1210.00")}
    assert r2.without_contributions == D("2674.10")


def test_continued_contributions_are_an_ordinary_annuity():
    p = project({2025: D("36500.00")}, rate=D("7"), years=20, start_year=2025, annual_after_tax=D("36500.00"))
    # 36,500 x (1.07^20 - 1)/0.07 = 1,496,335.47 (end-of-year additions, 20 of them)
    assert annuity_value(D("36500"), D("7"), 20) == D("1496335.47")
    assert p.final.with_contributions == D("141243.48") + D("1496335.47")
    assert p.final.contributed == D("730000.00")
    assert p.rows[0].with_contributions == D("36500.00")  # nothing added at the start
    assert p.rows[1].with_contributions == D("39055.00") + D("36500.00")


def test_zero_rate():
    p = project({2025: D("100.00")}, rate=D("0"), years=3, start_year=2025, annual_after_tax=D("10"))
    assert p.final.without_contributions == D("100.00")
    assert p.final.with_contributions == D("130.00")


def test_rounding_is_half_up_at_the_end_only():
    # 0.05 at 10% for 1 year = 0.055 -> 0.06 (half up); banker's rounding would give 0.06 too,
    # so also check 0.025 x 1.0 (no growth) is kept and 0.125 -> 0.13 at 0%: exact half up.
    assert future_value(D("0.05"), D("10"), 1) == D("0.06")
    assert future_value(D("0.125"), D("0"), 5) == D("0.13")
    # a rate with a long expansion: rounding every year would drift; the end-only figure is
    # the rounded exact value
    exact = D("1000") * (D("1.0333") ** 40)
    assert future_value(D("1000"), D("3.33"), 40) == exact.quantize(D("0.01"), rounding="ROUND_HALF_UP")


@pytest.mark.parametrize("bad", ["abc", "", "nan", "inf", "1e2", "-100", "-150"])
def test_bad_rates_are_user_errors(bad):
    with pytest.raises(UserError):
        parse_rate(bad)


def test_rate_forms():
    assert parse_rate("7") == D("7")
    assert parse_rate("6.5%") == D("6.5")
    assert parse_rate(D("-2")) == D("-2")


def test_years_bounds_and_late_conversions():
    with pytest.raises(UserError):
        project({}, rate=D(7), years=0, start_year=2025)
    with pytest.raises(UserError):
        project({}, rate=D(7), years=101, start_year=2025)
    with pytest.raises(UserError):
        project({2026: D(1)}, rate=D(7), years=1, start_year=2025)


def test_payload_shape():
    p = project({2025: D("36500.00")}, rate=D("7"), years=20, start_year=2025, annual_after_tax=D("36500"))
    out = projection_payload(p, person="ann")
    assert out["person"] == "ann"
    assert out["rate"] == "7"
    assert out["final"] == {
        "year": 2045,
        "without_contributions": "141243.48",
        "with_contributions": "1637578.95",
    }
    assert out["rows"][20]["by_conversion_year"] == {"2025": "141243.48"}
    assert out["conversions"] == [{"tax_year": 2025, "amount": "36500.00"}]


amounts = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=-50, max_value=30, places=2, allow_nan=False, allow_infinity=False)


@given(amounts, amounts, rates, st.integers(min_value=1, max_value=60))
def test_totals_are_the_rounded_sum_of_exact_parts(a, n, rate, years):
    p = project({2020: a}, rate=rate, years=years, start_year=2020, annual_after_tax=n)
    f = p.final
    assert f.without_contributions == future_value(a, rate, years)
    # one rounding at the end: within a cent of the sum of the separately rounded parts
    parts = future_value(a, rate, years) + annuity_value(n, rate, years)
    assert abs(f.with_contributions - parts) <= D("0.01")
    if rate >= 0:
        assert f.with_contributions >= f.without_contributions
