"""Headroom rules (IRC 402(g), 414(v), 415(c)) on plain dataclasses.

Figures from the issue and the seed articles: 2025, 402(g) $23,500, 415(c) $70,000, catch-up
$7,500 / $11,250 at 60-63 (IRS COLA table, Notice 2024-80)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from megaroth_ledger.errors import UnsupportedSituation, UserError
from megaroth_ledger.rules.headroom import Contribution, PlanInfo, PlanWages, compute_headroom

ACME = PlanInfo("acme-401k", "Acme Corp", "401k", after_tax_allowed=True)


def paychecks(plan, year, source, total, n=26):
    """``n`` paychecks adding up to ``total`` exactly (the last one takes the remainder)."""
    per = (D(total) / n).quantize(D("0.01"))
    out = []
    for i in range(n):
        amount = per if i < n - 1 else D(total) - per * (n - 1)
        out.append(Contribution(plan, dt.date(year, 1, 1) + dt.timedelta(days=14 * i), source, amount))
    return out


def run(born, year, contributions, plans=(ACME,), wages=(), **kw):
    return compute_headroom(
        person="p",
        born=born,
        year=year,
        plans=list(plans),
        contributions=contributions,
        wages=list(wages),
        **kw,
    )


def codes(h):
    return [w.code for w in h.warnings]


def test_seed_under_50_full_deferral_and_5000_match():
    h = run(
        dt.date(1985, 4, 2),
        2025,
        paychecks("acme-401k", 2025, "pretax", "23500") + paychecks("acme-401k", 2025, "match", "5000"),
    )
    e = h.employers[0]
    assert (h.age_at_year_end, h.catch_up_used, h.excess_deferrals) == (40, 0, 0)
    assert e.annual_additions_limit == D("70000.00")
    assert e.elective_deferrals_counted == D("23500.00")
    assert e.after_tax_room == D("41500.00")
    assert h.warnings == []


def test_seed_200k_salary_5_percent_match():
    salary = D("200000")
    match = salary * D("0.05")
    h = run(
        dt.date(1985, 4, 2),
        2025,
        paychecks("acme-401k", 2025, "roth", "23500") + paychecks("acme-401k", 2025, "match", match),
        wages=[PlanWages("acme-401k", compensation=salary)],
    )
    assert h.employers[0].after_tax_room == D("36500.00")


def test_61_year_old_2025_super_catch_up():
    h = run(
        dt.date(1964, 6, 1),
        2025,
        paychecks("acme-401k", 2025, "pretax", "34750") + paychecks("acme-401k", 2025, "match", "10000"),
    )
    assert h.age_at_year_end == 61
    assert h.limits["catch_up"] == D("11250.00")
    assert h.excess_deferrals == 0
    assert h.catch_up_used == D("11250.00")
    assert h.employers[0].elective_deferrals_counted == D("23500.00")
    assert h.employers[0].after_tax_room == D("36500.00")
    assert "EXCESS_DEFERRAL" not in codes(h)


def test_two_unrelated_employers_one_excess_deferral_warning():
    a = PlanInfo("a-401k", "Alpha Inc", "401k")
    b = PlanInfo("b-401k", "Beta LLC", "401k")
    h = run(
        dt.date(1985, 4, 2),
        2025,
        paychecks("a-401k", 2025, "pretax", "12500", n=13)
        + paychecks("b-401k", 2025, "pretax", "12500", n=13),
        plans=[a, b],
    )
    assert h.elective_deferrals == D("25000.00")
    assert h.excess_deferrals == D("1500.00")
    excess = [w for w in h.warnings if w.code == "EXCESS_DEFERRAL"]
    assert len(excess) == 1
    assert "1,500.00" in excess[0].message and "April 15, 2026" in excess[0].message
    # each employer keeps its own 415(c) limit
    assert [e.annual_additions_limit for e in h.employers] == [D("70000.00"), D("70000.00")]


def test_two_plans_of_one_employer_share_415c():
    p1 = PlanInfo("acme-401k", "Acme Corp", after_tax_allowed=True)
    p2 = PlanInfo("acme-ps", "Acme Corp")
    h = run(
        dt.date(1985, 4, 2),
        2025,
        paychecks("acme-401k", 2025, "pretax", "23500") + paychecks("acme-ps", 2025, "nonelective", "20000"),
        plans=[p1, p2],
    )
    assert len(h.employers) == 1
    assert h.employers[0].plans == ["acme-401k", "acme-ps"]
    assert h.employers[0].after_tax_room == D("26500.00")


def test_compensation_caps_415c():
    h = run(
        dt.date(1985, 4, 2),
        2025,
        paychecks("acme-401k", 2025, "pretax", "20000"),
        wages=[PlanWages("acme-401k", compensation=D("50000"))],
    )
    e = h.employers[0]
    assert e.annual_additions_limit == D("50000.00")
    assert e.after_tax_room == D("30000.00")


def test_415c_exceeded_warns_and_room_is_never_negative():
    h = run(
        dt.date(1985, 4, 2),
        2025,
        paychecks("acme-401k", 2025, "pretax", "23500") + paychecks("acme-401k", 2025, "aftertax", "50000"),
    )
    assert h.employers[0].after_tax_room == 0
    w = [w for w in h.warnings if w.code == "ANNUAL_ADDITIONS_EXCEEDED"]
    assert len(w) == 1 and "3,500.00" in w[0].message and "code E" in w[0].message


def test_after_tax_in_plan_that_does_not_allow_it():
    plan = PlanInfo("acme-401k", "Acme Corp", after_tax_allowed=False)
    h = run(dt.date(1985, 4, 2), 2025, paychecks("acme-401k", 2025, "aftertax", "1000", n=2), plans=[plan])
    assert "AFTER_TAX_NOT_ALLOWED" in codes(h)


def test_catch_up_excluded_from_415c_only_up_to_its_limit():
    # age 55 in 2025: 23,500 + 7,500 catch-up; 33,000 deferred -> 2,000 excess
    h = run(dt.date(1970, 1, 1), 2025, paychecks("acme-401k", 2025, "pretax", "33000"))
    assert (h.catch_up_used, h.excess_deferrals) == (D("7500.00"), D("2000.00"))
    assert h.employers[0].elective_deferrals_counted == D("25500.00")


def test_age_is_taken_at_december_31():
    # turns 50 on Dec 31, 2025: eligible for the whole year (IRC 414(v)(5)(A))
    h = run(dt.date(1975, 12, 31), 2025, paychecks("acme-401k", 2025, "pretax", "31000"))
    assert (h.age_at_year_end, h.catch_up_used, h.excess_deferrals) == (50, D("7500.00"), 0)


def test_per_paycheck_fills_room_exactly():
    h = run(
        dt.date(1985, 4, 2),
        2025,
        paychecks("acme-401k", 2025, "pretax", "20000", n=20)
        + paychecks("acme-401k", 2025, "match", "4000", n=20),
        remaining_paychecks=6,
        expected_employer={"Acme Corp": D("1200")},
    )
    e = h.employers[0]
    room = D("70000") - D("20000") - D("4000") - D("1200")
    assert e.remaining_room_after_expected == room
    assert e.per_paycheck_after_tax == D("7466.66")
    assert e.per_paycheck_after_tax * 5 + e.last_paycheck_after_tax == room


def test_457b_has_its_own_deferral_limit():
    gov = PlanInfo("city-457", "City", "457b")
    h = run(
        dt.date(1985, 4, 2),
        2025,
        paychecks("acme-401k", 2025, "pretax", "23500") + paychecks("city-457", 2025, "pretax", "23500"),
        plans=[ACME, gov],
    )
    assert h.excess_deferrals == 0 and h.elective_deferrals == D("23500.00")
    assert h.plans_457b[0].elective_deferrals == D("23500.00") and h.plans_457b[0].excess_deferrals == 0
    assert [e.employer for e in h.employers] == ["Acme Corp"]


def test_roth_catch_up_required_from_2026():
    h = run(
        dt.date(1970, 1, 1),
        2026,
        paychecks("acme-401k", 2026, "pretax", "32500"),
        wages=[PlanWages("acme-401k", prior_year_fica_wages=D("176100"))],
    )
    w = [w for w in h.warnings if w.code == "ROTH_CATCH_UP_REQUIRED"]
    assert len(w) == 1 and "8,000.00" in w[0].message


def test_roth_catch_up_satisfied_by_roth_deferrals():
    h = run(
        dt.date(1970, 1, 1),
        2026,
        paychecks("acme-401k", 2026, "pretax", "24500") + paychecks("acme-401k", 2026, "roth", "8000"),
        wages=[PlanWages("acme-401k", prior_year_fica_wages=D("176100"))],
    )
    assert not [c for c in codes(h) if c.startswith("ROTH_CATCH_UP")]


@pytest.mark.parametrize("year", [2024, 2025])
def test_roth_catch_up_only_informs_in_transition_years(year):
    h = run(
        dt.date(1970, 1, 1),
        year,
        paychecks("acme-401k", year, "pretax", "30000"),
        wages=[PlanWages("acme-401k", prior_year_fica_wages=D("176100"))],
    )
    assert "ROTH_CATCH_UP_TRANSITION" in codes(h) and "ROTH_CATCH_UP_REQUIRED" not in codes(h)


def test_roth_catch_up_threshold_equality_is_flagged_for_review():
    h = run(
        dt.date(1970, 1, 1),
        2026,
        paychecks("acme-401k", 2026, "pretax", "30000"),
        wages=[PlanWages("acme-401k", prior_year_fica_wages=D("150000"))],
    )
    assert "ROTH_CATCH_UP_REVIEW" in codes(h) and "ROTH_CATCH_UP_REQUIRED" not in codes(h)


def test_under_threshold_no_roth_catch_up_warning():
    h = run(
        dt.date(1970, 1, 1),
        2026,
        paychecks("acme-401k", 2026, "pretax", "30000"),
        wages=[PlanWages("acme-401k", prior_year_fica_wages=D("149999.99"))],
    )
    assert not [c for c in codes(h) if c.startswith("ROTH_CATCH_UP")]


def test_unknown_source_refuses():
    with pytest.raises(UnsupportedSituation, match="unknown"):
        run(dt.date(1985, 4, 2), 2025, [Contribution("acme-401k", dt.date(2025, 1, 1), "unknown", D("10"))])


def test_conflicting_compensation_between_plans_of_one_employer():
    p2 = PlanInfo("acme-ps", "Acme Corp")
    with pytest.raises(UserError, match="different 2025 compensation"):
        run(
            dt.date(1985, 4, 2),
            2025,
            [],
            plans=[ACME, p2],
            wages=[PlanWages("acme-401k", D("100000")), PlanWages("acme-ps", D("90000"))],
        )


def test_year_outside_table():
    with pytest.raises(UnsupportedSituation, match="2015-2026"):
        run(dt.date(1985, 4, 2), 2027, [])


def test_expected_deferrals_use_room_except_catch_up():
    # age 55, 20,000 deferred so far; 6,000 still to come: 3,500 under 402(g) counts for 415(c),
    # 2,500 is catch-up and does not (IRC 414(v)(3)(A)).
    h = run(
        dt.date(1970, 1, 1),
        2025,
        paychecks("acme-401k", 2025, "pretax", "20000", n=20),
        remaining_paychecks=2,
        expected_deferrals={"Acme Corp": D("6000")},
    )
    e = h.employers[0]
    assert e.remaining_room_after_expected == D("70000") - D("20000") - D("3500")
    assert e.per_paycheck_after_tax == D("23250.00")
