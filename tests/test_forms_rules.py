"""Pure rules of issue 3: basis split, 1099-R, Form 8606, Form 1040.

Table-driven with the IRS's own worked examples; each row cites where its numbers are
printed. Must-show figures from the issue are the last tables.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from megaroth_ledger.errors import UnsupportedSituation, UserError
from megaroth_ledger.rules.basis import (
    SubAccountState,
    allocate_destinations,
    pro_rata_basis,
    rollover_taxable_first,
    split_distribution,
)
from megaroth_ledger.rules.form1099r import distribution_code, ira_conversion_code
from megaroth_ledger.rules.form8606 import Form8606Input, compute_8606, format_line, roth_part_iii
from megaroth_ledger.rules.tax_history import CarryForward, IraMove, PersonHistory, PlanMove, compute_history

BORN = date(1985, 6, 15)  # under 59 1/2 throughout


# --- IRC 72(e)(8) pro rata, separate contract ---------------------------------------------
PRO_RATA = [
    # (source, amount, basis, balance, expected basis share)
    (
        "IRS 'Rollovers of After-Tax Contributions in Retirement Plans': $100,000 balance, "
        "$20,000 after-tax, $50,000 distribution -> $10,000 after-tax",
        "50000",
        "20000",
        "100000",
        "10000",
    ),
    (
        "Treas. Reg. 1.402A-1 A-7 Example (Employee C): $12,000 from $21,850 investment + $1,150 "
        "income -> $11,400 investment",
        "12000",
        "21850",
        "23000",
        "11400",
    ),
    (
        "REG-146459-05 preamble (quoted in Tax Facts Q 3781): $5,000 from $9,400 contributions + "
        "$600 earnings -> $4,700 contributions",
        "5000",
        "9400",
        "10000",
        "4700",
    ),
    ("issue 3 seed: $20,000 after-tax grown to $20,500, all converted", "20500", "20000", "20500", "20000"),
]


@pytest.mark.parametrize("source,amount,basis,balance,expected", PRO_RATA)
def test_pro_rata_examples(source, amount, basis, balance, expected):
    assert pro_rata_basis(D(amount), D(basis), D(balance)) == D(expected)


def test_reg_1402a1_a7_remaining_contract():
    # Treas. Reg. 1.402A-1 A-7 Example: "Immediately after the distribution, C's designated
    # Roth account consists of $10,450 of investment in the contract and $550 of income."
    split, after = split_distribution(
        SubAccountState(D("23000"), D("21850")), D("12000"), on=date(2025, 1, 2)
    )
    assert (split.basis, split.earnings) == (D("11400"), D("600"))
    assert (after.basis, after.earnings) == (D("10450"), D("550"))


def test_reg_1402a1_a5_rollover_income_first():
    # Treas. Reg. 1.402A-1 A-5(a) Example (Employee B): $14,000 ($11,000 investment, $3,000
    # income); $7,000 rolled over "is deemed to consist of $3,000 of income and $4,000 of
    # investment in the contract".
    assert rollover_taxable_first(D("14000"), D("11000"), D("7000")) == (D("3000"), D("4000"))


def test_faq_multiple_destinations_pretax_to_traditional_aftertax_to_roth():
    # IRS FAQ "Rollovers to multiple destinations": $100,000 = $80,000 pretax + $20,000
    # after-tax; all pretax to a traditional IRA and the after-tax to a Roth IRA.
    split, _ = split_distribution(SubAccountState(D("100000"), D("20000")), D("100000"), on=date(2025, 3, 1))
    parts = allocate_destinations(split, "roth-ira", "traditional-ira")
    got = {p.destination: (p.gross, p.taxable, p.basis) for p in parts}
    assert got == {
        "traditional-ira": (D("80000"), D("0"), D("0")),
        "roth-ira": (D("20000"), D("0"), D("20000")),
    }


def test_amount_above_balance_is_an_error():
    with pytest.raises(UserError, match="above the after-tax sub-account balance"):
        split_distribution(SubAccountState(D("100"), D("100")), D("100.01"), on=date(2025, 1, 1))


def test_basis_override_bounds():
    st = SubAccountState(D("20500"), D("20000"))
    split, after = split_distribution(st, D("20500"), on=date(2025, 1, 1), basis_override=D("19990"))
    assert split.overridden and split.basis == D("19990") and after.basis == D("10")
    with pytest.raises(UserError):
        split_distribution(st, D("20500"), on=date(2025, 1, 1), basis_override=D("20001"))


def test_loss_caps_basis_share_with_warning():
    split, after = split_distribution(SubAccountState(D("900"), D("1000")), D("450"), on=date(2025, 1, 1))
    assert split.basis == D("450") and split.warnings
    assert after.basis == D("550")


# --- 1099-R codes -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "born,on,direct,exception,code",
    [
        (
            date(1985, 1, 1),
            date(2025, 5, 1),
            True,
            None,
            "G",
        ),  # 1099-R instr., Code G (IRR / direct rollover)
        (date(1960, 1, 1), date(2019, 6, 30), False, None, "1"),  # 59 on 2019-01-01, 59 1/2 on 2019-07-01
        (date(1960, 1, 1), date(2019, 7, 1), False, None, "7"),
        (date(1960, 1, 1), date(2019, 6, 30), False, "separation-55", "2"),
        # 1099-R instructions, Guide to Distribution Codes: "Use Code 1 only if the participant has
        # not reached age 59 1/2 and you do not know if any of the exceptions under Code 2, 3, or 4
        # apply. However, use Code 1 even if the distribution is made for medical expenses, health
        # insurance premiums, qualified higher education expenses, a first-time home purchase, or a
        # qualified reservist distribution" (the taxpayer claims those on Form 5329).
        (date(1960, 1, 1), date(2019, 6, 30), False, "first-home", "1"),
        (date(1960, 1, 1), date(2019, 6, 30), False, "education", "1"),
        (date(1960, 1, 1), date(2019, 6, 30), False, "medical", "1"),
        # Code 3 "Disability"; Code 4 "Death": "Use Code 4 regardless of the age of the participant".
        (date(1960, 1, 1), date(2019, 6, 30), False, "disability", "3"),
        (date(1960, 1, 1), date(2019, 6, 30), False, "death", "4"),
        (date(1960, 1, 1), date(2019, 7, 1), False, "death", "4"),
        (date(1960, 1, 1), date(2019, 6, 30), False, "sepp", "2"),
    ],
)
def test_distribution_codes(born, on, direct, exception, code):
    assert distribution_code(born, on, direct_rollover=direct, exception=exception) == code


def test_ira_conversion_code_by_age():
    # "Enter Code 2 or 7 in box 7 depending on the participant's age" (1099-R instructions)
    assert ira_conversion_code(date(1960, 1, 1), date(2019, 6, 30)) == "2"
    assert ira_conversion_code(date(1960, 1, 1), date(2019, 7, 1)) == "7"


# --- Form 8606 ------------------------------------------------------------------------------
def _lines(f):
    return {k: format_line(k, v) for k, v in f.lines.items()}


def test_rose_green_pub_590b_example():
    """Pub 590-B's Rose Green example as printed on the IRS's filled-in Form 8606 images:
    irs.gov/media/168096 (2019 page 1: line 1 500, 2 300, 3 800, 4 0, 5 800, 13 460, 14 340,
    15c 0) and irs.gov/media/168101 (page 2: line 16 5,000, 17 460, 18 4,540).
    Line 6 is not printed on those images; any Dec 31 value that makes line 10 = 0.092
    (line 9 between 8,648.65 and 8,743.16) reproduces them, so 3,700 is used here."""
    f = compute_8606(
        Form8606Input(
            tax_year=2019,
            nondeductible=D("500"),
            prior_basis=D("300"),
            year_end_value=D("3700"),
            conversions=D("5000"),
        )
    )
    ln = _lines(f)
    assert (ln["1"], ln["2"], ln["3"], ln["4"], ln["5"]) == ("500.00", "300.00", "800.00", "0.00", "800.00")
    assert (ln["10"], ln["13"], ln["14"], ln["15c"]) == ("0.092", "460.00", "340.00", "0.00")
    assert (ln["16"], ln["17"], ln["18"]) == ("5000.00", "460.00", "4540.00")
    assert f.carry.traditional_basis == D("340")


BACKDOOR = [
    # issue 3 must-show: $7,000 nondeductible, $0 prior basis, all converted
    (
        "0",
        {
            "1": "7000.00",
            "2": "0.00",
            "3": "7000.00",
            "10": "1.000",
            "16": "7000.00",
            "17": "7000.00",
            "18": "0.00",
            "14": "0.00",
        },
    ),
    (
        "63000",
        {
            "1": "7000.00",
            "3": "7000.00",
            "9": "70000.00",
            "10": "0.100",
            "11": "700.00",
            "16": "7000.00",
            "17": "700.00",
            "18": "6300.00",
            "14": "6300.00",
        },
    ),
]


@pytest.mark.parametrize("value,expected", BACKDOOR)
def test_backdoor_must_show(value, expected):
    f = compute_8606(
        Form8606Input(tax_year=2025, nondeductible=D("7000"), year_end_value=D(value), conversions=D("7000"))
    )
    ln = _lines(f)
    for k, v in expected.items():
        assert ln[k] == v, k
    assert ln["19"] is None and ln["25c"] is None and ln["15b"] is None


def test_line10_capped_and_rounded():
    f = compute_8606(
        Form8606Input(
            tax_year=2025,
            nondeductible=D("7000"),
            prior_basis=D("100"),
            year_end_value=D("0"),
            conversions=D("7000"),
        )
    )
    assert format_line("10", f.lines["10"]) == "1.000"
    f = compute_8606(
        Form8606Input(tax_year=2025, nondeductible=D("1000"), year_end_value=D("2000"), conversions=D("1000"))
    )  # 1000/3000 = 0.3333 -> 0.333
    assert format_line("10", f.lines["10"]) == "0.333" and f.lines["11"] == D("333.00")


def test_no_distribution_lines_1_to_3_and_14_only():
    f = compute_8606(Form8606Input(tax_year=2025, nondeductible=D("7000"), prior_basis=D("500")))
    assert {k for k, v in f.lines.items() if v is not None} == {"1", "2", "3", "14"}
    assert f.lines["14"] == D("7500")


def test_missing_year_end_value_is_a_clear_error():
    with pytest.raises(UserError, match="ira value"):
        compute_8606(Form8606Input(tax_year=2025, nondeductible=D("7000"), conversions=D("7000")))


def test_part_iii_order_regular_then_conversions_then_earnings():
    # Form 8606 lines 19-25c: 10,000 out; 3,000 regular basis; 5,000 conversion basis
    p = roth_part_iii(D("10000"), D("3000"), D("5000"))
    assert (p.lines["21"], p.lines["22"], p.lines["23"], p.lines["24"], p.lines["25a"], p.lines["25c"]) == (
        D("10000"),
        D("3000"),
        D("7000"),
        D("5000"),
        D("2000"),
        D("2000"),
    )
    assert (p.regular_basis_after, p.conversion_basis_after) == (D("0"), D("0"))
    p = roth_part_iii(D("2000"), D("3000"), D("5000"))
    assert p.lines["23"] == D("0") and p.lines["24"] is None and p.taxable == D("0")
    assert p.regular_basis_after == D("1000") and p.conversion_basis_after == D("5000")


# --- whole history: seed example and split --------------------------------------------------
def _seed(to, earnings_to=None):
    return PersonHistory(
        person="ann",
        born=BORN,
        plan_moves=(
            PlanMove("acme-401k", date(2025, 1, 15), "contribution", D("20000"), ref="contrib"),
            PlanMove("acme-401k", date(2025, 3, 1), "earnings", D("500"), ref="earnings"),
            PlanMove(
                "acme-401k",
                date(2025, 3, 3),
                "distribution",
                D("20500"),
                to=to,
                earnings_to=earnings_to,
                ref="conversion #1",
            ),
        ),
    )


def test_seed_in_plan_conversion():
    r = compute_history(_seed("in-plan")).year(2025)
    (f,) = r.forms
    assert (f.box1, f.box2a, f.box5, f.box7, f.destination) == (
        D("20500"),
        D("500"),
        D("20000"),
        "G",
        "in-plan",
    )
    assert f.box4 == D("0") and f.box10 is None and f.box11 is None
    assert (r.f1040.lines["5a"], r.f1040.lines["5b"]) == (D("20500"), D("500"))
    assert r.f1040.lines["4a"] is None
    assert not r.f8606.required


def test_seed_split_roth_ira_earnings_to_traditional():
    h = compute_history(_seed("roth-ira", "traditional-ira"))
    r = h.year(2025)
    got = {f.destination: (f.box1, f.box2a, f.box5, f.box7) for f in r.forms}
    assert got == {
        "traditional-ira": (D("500"), D("0"), D("0"), "G"),
        "roth-ira": (D("20000"), D("0"), D("20000"), "G"),
    }
    assert (r.f1040.lines["5a"], r.f1040.lines["5b"]) == (D("20500"), D("0"))
    # Roth IRA conversion/rollover basis (line 24 tracking) up by the amount rolled into it
    assert r.f8606.carry.roth_conversion_basis == D("20000")
    (layer,) = h.roth_layers
    assert (layer.kind, layer.amount, layer.taxable) == ("plan-rollover", D("20000"), D("0"))


def test_backdoor_history_and_1040():
    hist = PersonHistory(
        person="ann",
        born=BORN,
        ira_moves=(
            IraMove(date(2025, 2, 1), 2025, "contribution", "traditional", D("7000"), D("7000")),
            IraMove(date(2025, 2, 5), 2025, "conversion", "traditional", D("7000")),
        ),
        ira_values={2025: D("63000")},
    )
    h = compute_history(hist)
    r = h.year(2025)
    (f,) = r.forms
    assert (f.payer, f.box1, f.box2a, f.box2b_taxable_not_determined, f.box7) == (
        "traditional-ira",
        D("7000"),
        D("7000"),
        True,
        "2",
    )
    assert (r.f1040.lines["4a"], r.f1040.lines["4b"]) == (D("7000"), D("6300"))
    (layer,) = h.roth_layers
    assert (layer.kind, layer.amount, layer.taxable) == ("ira-conversion", D("7000"), D("6300"))
    assert compute_history(hist, through=2026).year(2026).f8606.carry.traditional_basis == D("6300")


def test_carryforward_feeds_line_2_and_line_24():
    hist = PersonHistory(
        person="ann",
        born=BORN,
        carryforward=CarryForward(
            2022,
            traditional=D("2000"),
            roth_contributions=D("5000"),
            layers=((2016, D("80000"), D("60000")),),
        ),
        ira_moves=(IraMove(date(2023, 6, 1), 2023, "distribution", "roth", D("90000")),),
    )
    r = compute_history(hist).year(2023)
    ln = r.f8606.lines
    assert ln["2"] is None  # no Part I needed: no contributions or traditional distributions
    assert (ln["19"], ln["22"], ln["23"], ln["24"], ln["25a"]) == (
        D("90000"),
        D("5000"),
        D("85000"),
        D("80000"),
        D("5000"),
    )
    assert r.f8606.carry.traditional_basis == D("2000")


def test_notice_split_only_to_roth_ira():
    with pytest.raises(UnsupportedSituation):
        compute_history(_seed("in-plan", "traditional-ira"))


def test_line10_more_places_when_three_would_create_basis():
    # 1.28 / 2,560 = 0.0005: three places give 0.001 and a nontaxable 2.56 > the 1.28 basis.
    # The instructions allow "at least 3 places"; four places give exactly the basis.
    f = compute_8606(
        Form8606Input(tax_year=2025, nondeductible=D("1.28"), year_end_value=D("0"), conversions=D("2560"))
    )
    assert format_line("10", f.lines["10"]) == "0.0005"
    assert (f.lines["11"], f.lines["14"], f.lines["18"]) == (D("1.28"), D("0"), D("2558.72"))
    assert any("4 places" in w for w in f.warnings)


@pytest.mark.parametrize("exception,code", [("death", "4B"), ("medical", "1B"), ("sepp", "2B"), (None, "1B")])
def test_designated_roth_distribution_codes_follow_the_code_1_2_4_rules(exception, code):
    # Code B combines with 1, 2, 4 and 7 (1099-R instructions, Guide to Distribution Codes); the
    # choice among 1/2/4 follows the same rules as distribution_code (death: 4 at any age; medical
    # expenses: Code 1 even though an exception applies; SEPP: 2). Owner born 1980: under 59 1/2.
    from megaroth_ledger.rules.tax_history import DraMove, PersonHistory, compute_history

    h = PersonHistory(
        person="x",
        born=date(1980, 1, 1),
        dra_moves=(
            DraMove("roth-401k", date(2015, 3, 1), "contribution", D("1000.00")),
            DraMove(
                "roth-401k", date(2025, 3, 1), "distribution", D("500.00"), to="cash", exception=exception
            ),
        ),
        plan_first_roth_year={"roth-401k": 2015},
    )
    (f,) = compute_history(h).year(2025).plan_forms
    assert f.box7 == code


def test_form_8606_line_20_keeps_the_10000_lifetime_limit():
    # IRC 72(t)(8)(B): qualified first-time homebuyer distributions are limited to $10,000 over a
    # lifetime. First Roth contribution for 2015 -> five years over from 2020; owner born 1985 is
    # under 59 1/2. 2024: 8,000 first-home -> line 20 = 8,000; 2025: 5,000 first-home -> only the
    # 2,000 left of the limit goes on line 20 (line 21 = 5,000 - 2,000 = 3,000).
    from megaroth_ledger.rules.tax_history import IraMove, PersonHistory, compute_history

    h = PersonHistory(
        person="x",
        born=date(1985, 4, 2),
        ira_moves=(
            IraMove(date(2015, 3, 1), 2015, "contribution", "roth", D("5000.00")),
            IraMove(date(2024, 5, 1), 2024, "distribution", "roth", D("8000.00"), exception="first-home"),
            IraMove(date(2025, 5, 1), 2025, "distribution", "roth", D("5000.00"), exception="first-home"),
        ),
    )
    r = compute_history(h)
    assert r.year(2024).f8606.lines["20"] == D("8000.00")
    assert (r.year(2025).f8606.lines["20"], r.year(2025).f8606.lines["21"]) == (D("2000.00"), D("3000.00"))
