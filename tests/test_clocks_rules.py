"""Five-year clocks (rules.clocks): recapture clocks per layer, qualified-distribution clocks,
and the early-retirement schedule. Expected values come from the rules' sources, not the code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from megaroth_ledger.rules.clocks import (
    layer_clock,
    penalty_free_on,
    penalty_free_schedule,
    plan_clock,
    roth_ira_clock,
)
from megaroth_ledger.rules.layers import RothContribution, RothLayer

YOUNG = date(1990, 5, 17)  # 59 1/2 on 2049-11-17: never relevant here
REACHES_59_HALF_2024_10_02 = date(1965, 4, 2)  # 59 on 2024-04-02, plus six months


def conv(
    day: date, amount: str, taxable: str, kind: str = "ira-conversion", plan: str | None = None
) -> RothLayer:
    return RothLayer(kind, plan, day, day.year, D(amount), D(taxable))


# --- must show: a 2021 conversion frees up on 2026-01-01, not a day earlier -------------------


def test_2021_conversion_not_penalty_free_on_2025_12_31_but_on_2026_01_01():
    clock = layer_clock(conv(date(2021, 3, 10), "10000.00", "500.00"), YOUNG)
    assert clock.clock_start == date(2021, 1, 1)
    assert clock.penalty_free_on == date(2026, 1, 1)
    assert clock.penalty_free(date(2025, 12, 31)) is False
    assert clock.days_left(date(2025, 12, 31)) == 1
    assert clock.penalty_free(date(2026, 1, 1)) is True
    assert clock.days_left(date(2026, 1, 1)) == 0


def test_december_conversion_clock_still_starts_january_1():
    # Treas. Reg. 1.408A-6 A-5(c): the period begins with the taxable year of the conversion.
    clock = layer_clock(conv(date(2021, 12, 31), "6000.00", "0.00"), YOUNG)
    assert clock.clock_start == date(2021, 1, 1)
    assert clock.penalty_free_on == date(2026, 1, 1)


# --- must show: reaching 59 1/2 on 2024-10-02 frees every layer that day ----------------------


@pytest.mark.parametrize("year", [2019, 2020, 2021, 2022, 2023, 2024])
def test_every_layer_penalty_free_from_59_half(year):
    layer = conv(date(year, 6, 1), "20000.00", "20000.00")
    clock = layer_clock(layer, REACHES_59_HALF_2024_10_02)
    assert clock.penalty_free(date(2024, 10, 2)) is True
    if year >= 2020:  # the 2019 layer's own five years ended 2024-01-01
        assert clock.penalty_free_on == date(2024, 10, 2)
        assert clock.penalty_free(date(2024, 10, 1)) is False
    else:
        assert clock.penalty_free_on == date(2024, 1, 1)


def test_penalty_free_on_is_earlier_of_five_years_and_59_half():
    assert penalty_free_on(2018, REACHES_59_HALF_2024_10_02) == date(2023, 1, 1)
    assert penalty_free_on(2022, REACHES_59_HALF_2024_10_02) == date(2024, 10, 2)


# --- qualified-distribution clocks ------------------------------------------------------------


def test_roth_ira_clock_regular_contribution_counts_for_the_year_it_is_for():
    # Treas. Reg. 1.408A-6 A-2: "for which" a regular contribution is made; a 2019 contribution
    # made in April 2020 starts the clock on 2019-01-01, before a 2020 conversion.
    contributions = [RothContribution("regular", date(2020, 4, 10), 2019, D("6000.00"))]
    layers = [conv(date(2020, 2, 1), "7000.00", "0.00")]
    clock, warnings = roth_ira_clock(contributions, layers, REACHES_59_HALF_2024_10_02)
    assert clock.clock_start == date(2019, 1, 1)
    assert clock.five_years_on == date(2024, 1, 1)
    assert clock.qualified_on == date(2024, 10, 2)  # later of five years and 59 1/2
    assert not clock.met(date(2024, 10, 1)) and clock.met(date(2024, 10, 2))
    assert warnings == []


def test_roth_ira_clock_conversion_counts_in_the_year_made_and_ignores_in_plan():
    layers = [
        conv(date(2017, 5, 1), "1000.00", "1000.00", kind="in-plan", plan="acme"),
        conv(date(2021, 3, 10), "10000.00", "500.00", kind="plan-rollover", plan="acme"),
    ]
    clock, _ = roth_ira_clock([], layers, YOUNG)
    assert clock.clock_start == date(2021, 1, 1)
    assert clock.qualified_on == date(2049, 11, 17)


def test_roth_ira_clock_none_without_roth_ira_money():
    assert roth_ira_clock([], [conv(date(2020, 1, 2), "5.00", "5.00", "in-plan", "p")], YOUNG) == (None, [])


def test_dra_rollover_as_first_contribution_warns():
    contributions = [RothContribution("dra-rollover", date(2022, 8, 1), 2022, D("30000.00"))]
    clock, warnings = roth_ira_clock(contributions, [], YOUNG)
    assert clock.clock_start == date(2022, 1, 1)
    assert len(warnings) == 1 and "1.408A-10" in warnings[0]


def test_plan_clock_from_first_roth_year_box_11():
    clock, warnings = plan_clock("acme", 2015, [], REACHES_59_HALF_2024_10_02)
    assert (clock.account, clock.clock_start, clock.five_years_on) == (
        "acme",
        date(2015, 1, 1),
        date(2020, 1, 1),
    )
    assert clock.qualified_on == date(2024, 10, 2)
    assert warnings == []


def test_plan_clock_from_irr_alone_is_flagged_unconfirmed():
    layers = [
        conv(date(2023, 9, 1), "20500.00", "500.00", "in-plan", "acme"),
        conv(date(2022, 9, 1), "100.00", "100.00", "in-plan", "other"),
    ]
    clock, warnings = plan_clock("acme", None, layers, YOUNG)
    assert clock.clock_start == date(2023, 1, 1)
    assert len(warnings) == 1 and "UNCONFIRMED" in warnings[0]
    assert plan_clock("acme", None, [], YOUNG) == (None, [])


# --- early-retirement schedule ----------------------------------------------------------------


def test_schedule_frees_years_in_order_and_counts_what_the_ordering_rules_reach():
    # Three mega-backdoor rollovers; on 2026-06-01 the 2021 one is free, 2024/2025 are not.
    layers = [
        conv(date(2021, 3, 10), "20500.00", "500.00", "plan-rollover", "acme"),
        conv(date(2024, 3, 10), "30600.00", "600.00", "plan-rollover", "acme"),
        conv(date(2025, 3, 10), "31000.00", "1000.00", "plan-rollover", "acme"),
        conv(date(2025, 1, 5), "5000.00", "5000.00", "in-plan", "acme"),  # not in the Roth IRA
    ]
    clocks = [layer_clock(x, YOUNG) for x in layers]
    rows = penalty_free_schedule(clocks, D("7000.00"), date(2026, 6, 1))
    got = [(r.on, r.tax_years, r.amount, r.cumulative) for r in rows]
    assert got == [
        (date(2026, 6, 1), (2021,), D("27500.00"), D("27500.00")),  # 7,000 regular + 20,500
        (date(2029, 1, 1), (2024,), D("30600.00"), D("58100.00")),
        (date(2030, 1, 1), (2025,), D("31000.00"), D("89100.00")),
    ]


def test_schedule_collapses_at_59_half():
    layers = [conv(date(2022, 5, 1), "1000.00", "1000.00"), conv(date(2023, 5, 1), "2000.00", "2000.00")]
    clocks = [layer_clock(x, REACHES_59_HALF_2024_10_02) for x in layers]
    rows = penalty_free_schedule(clocks, D("0.00"), date(2024, 1, 1))
    assert [(r.on, r.tax_years, r.cumulative) for r in rows] == [
        (date(2024, 1, 1), (), D("0.00")),
        (date(2024, 10, 2), (2022, 2023), D("3000.00")),
    ]


def test_schedule_backdoor_conversions_with_no_taxable_part_are_free_at_once():
    # Classic backdoor conversions with full basis: Form 8606 line 18 = 0, so nothing of them is
    # includible and nothing is exposed to the recapture (IRC 408A(d)(3)(F)(ii): "only to the
    # extent of the amount ... includible in gross income"). All 3 x 6,000 can come out penalty-free
    # now; the ordering rules reach them because no earlier year has an exposed taxable part.
    layers = [conv(date(y, 1, 20), "6000.00", "0.00") for y in (2022, 2023, 2024)]
    clocks = [layer_clock(x, YOUNG) for x in layers]
    rows = penalty_free_schedule(clocks, D("0.00"), date(2025, 1, 1))
    assert [(r.on, r.tax_years, r.amount, r.cumulative) for r in rows] == [
        (date(2025, 1, 1), (2022, 2023, 2024), D("18000.00"), D("18000.00")),
    ]


def test_schedule_taxable_year_blocks_later_nontaxable_years_until_it_frees():
    # 2022 backdoor (taxable 0) is free now; the 2023 conversion of pre-tax money (all 6,000
    # taxable) is exposed until 2028-01-01 (Jan 1 of 2023 + 5) and, being next in the FIFO order
    # (408A(d)(4)(B)(ii)), blocks the 2024 backdoor behind it. On 2028-01-01 both 2023 and 2024
    # become reachable: 6,000 + 6,000 = 12,000 more, 18,000 in all; 2024's own date adds nothing.
    layers = [
        conv(date(2022, 1, 20), "6000.00", "0.00"),
        conv(date(2023, 1, 20), "6000.00", "6000.00"),
        conv(date(2024, 1, 20), "6000.00", "0.00"),
    ]
    clocks = [layer_clock(x, YOUNG) for x in layers]
    rows = penalty_free_schedule(clocks, D("1000.00"), date(2025, 1, 1))
    assert [(r.on, r.tax_years, r.amount, r.cumulative) for r in rows] == [
        (date(2025, 1, 1), (2022,), D("7000.00"), D("7000.00")),  # 1,000 regular + 6,000
        (date(2028, 1, 1), (2023, 2024), D("12000.00"), D("19000.00")),
    ]


def test_schedule_leaves_out_layers_of_later_years():
    # On 2024-06-01 a 2025 backdoor conversion does not exist yet, and a 2024 distribution cannot
    # reach a later year's conversion (Treas. Reg. 1.408A-6 A-9 aggregates by year): nothing of it
    # is withdrawable then, although once made it has no taxable part. A conversion later in 2024
    # (2024-09-01) is aggregated with 2024's distributions and, with nothing taxable, counts at once.
    layers = [conv(date(2025, 2, 1), "7000.00", "0.00"), conv(date(2024, 9, 1), "6000.00", "0.00")]
    rows = penalty_free_schedule([layer_clock(x, YOUNG) for x in layers], D("0.00"), date(2024, 6, 1))
    assert [(r.on, r.tax_years, r.cumulative) for r in rows] == [(date(2024, 6, 1), (2024,), D("6000.00"))]


def test_layer_with_nothing_taxable_left_is_penalty_free_from_the_start():
    # A classic backdoor conversion (all basis) is never recaptured: IRC 408A(d)(3)(F)(ii) limits
    # the 10% to the part that was includible in income.
    backdoor = layer_clock(conv(date(2025, 1, 20), "7000.00", "0.00"), YOUNG)
    assert backdoor.penalty_free_on == date(2030, 1, 1)  # the clock itself is unchanged
    assert backdoor.penalty_free(date(2025, 1, 20)) is True and backdoor.days_left(date(2025, 1, 20)) == 0
    # a layer whose taxable part was already withdrawn is free too; one with some left is not
    used_up = layer_clock(conv(date(2025, 3, 1), "1000.00", "100.00"), YOUNG, D("0.00"), D("900.00"))
    assert used_up.penalty_free(date(2025, 6, 1)) is True
    partly = layer_clock(conv(date(2025, 3, 1), "1000.00", "100.00"), YOUNG, D("0.01"), D("900.00"))
    # 2025-06-01 -> 2030-01-01: 214 days left in 2025, 365 x 4 + 1 (2028 is a leap year) = 1,675
    assert partly.penalty_free(date(2025, 6, 1)) is False and partly.days_left(date(2025, 6, 1)) == 1675
