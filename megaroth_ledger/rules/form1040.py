"""Form 1040 lines 4a/4b (IRA distributions) and 5a/5b (pensions and annuities).

Sources (reference tax-rules.md section (d) "Form 1040 lines used"):
- Line 4a/4b: all traditional/SEP/SIMPLE/Roth IRA distributions including conversions (4a
  gross); 4b taxable = Form 8606 lines 15c + 18 + 25c (Form 8606 (2023) lines 15c, 18 and
  25c: "also include this amount on Form 1040 ... line 4b"). Without basis (no Part I) a
  traditional IRA distribution is fully taxable.
- Line 5a/5b: distributions from 401(k)/403(b)/457(b) plans including direct rollovers
  (taxable 0), rollovers to Roth IRAs and IRRs (taxable = 1099-R box 2a); Form 8606
  instructions (2023) line 24 footnote 3 ("Amounts rolled over from qualified retirement
  plans to Roth IRAs from your Form 1040 ... line 5a").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..money import ZERO, round_dollars

IRR_WARNING = (
    "UNCONFIRMED: an in-plan Roth rollover is reported on lines 5a/5b from its code-G 1099-R; "
    "the Form 1040 instructions' exact wording for IRRs was not confirmed"
)
BLANK_A_WARNING = (
    "UNCONFIRMED: for a fully taxable {what} the Form 1040 instructions may ask you to leave "
    "line {line}a blank and enter the amount on line {line}b only"
)


@dataclass(frozen=True)
class Form1040Lines:
    lines: dict[str, Decimal | None]
    warnings: tuple[str, ...] = ()
    explain: dict[str, str] = field(default_factory=dict)


def compute_1040(
    *,
    ira_gross: Decimal,
    ira_taxable: Decimal,
    plan_gross: Decimal,
    plan_taxable: Decimal,
    has_irr: bool = False,
    line1h: Decimal | None = None,
) -> Form1040Lines:
    """Lines 4a/4b/5a/5b; a pair is null when there is nothing to report on it.

    ``ira_gross``: IRA custodians' 1099-R box 1 totals (conversions, distributions, Roth
    IRA distributions); ``ira_taxable``: Form 8606 15c (or the full traditional
    distributions when Part I is not needed) + 18 + 25c. ``plan_gross``/``plan_taxable``:
    the plans' 1099-R boxes 1 and 2a.
    """
    warnings: list[str] = []
    lines: dict[str, Decimal | None] = {"4a": None, "4b": None, "5a": None, "5b": None}
    if line1h:
        # Form 1040 instructions, line 1h (other earned income): excess elective deferrals of the year and
        # corrective distributions of excess deferrals (plus earnings) shown on Form 1099-R -- only the
        # amounts the ledger derives from `correction add` (issue 11)
        lines["1h"] = line1h
    if ira_gross > 0:
        lines["4a"], lines["4b"] = ira_gross, ira_taxable
        if ira_taxable == ira_gross:
            warnings.append(BLANK_A_WARNING.format(what="IRA distribution", line=4))
    if plan_gross > 0:
        lines["5a"], lines["5b"] = plan_gross, plan_taxable
        if plan_taxable == plan_gross:
            warnings.append(BLANK_A_WARNING.format(what="pension distribution", line=5))
    if has_irr:
        warnings.append(IRR_WARNING)
    explain = {
        "1h": "corrective distributions of excess deferrals: the pretax excess (code P/8) for its deferral year, "
        "the earnings (code 8) for the year distributed",
        "4a": "sum of the IRA custodians' 1099-R box 1 (conversions and distributions)",
        "4b": "Form 8606 line 15c (or the whole traditional distribution without basis) + line 18 + line 25c",
        "5a": "sum of the plans' 1099-R box 1 (including direct rollovers and IRRs)",
        "5b": "sum of the plans' 1099-R box 2a",
    }
    return Form1040Lines(
        lines, tuple(warnings), {k: v for k, v in explain.items() if lines.get(k) is not None}
    )


def plan_totals(forms: list) -> tuple[Decimal, Decimal]:
    """(box 1 total, box 2a total) of a list of plan 1099-Rs."""
    gross = sum((f.box1 for f in forms), ZERO)
    taxable = sum(((f.box2a or ZERO) for f in forms), ZERO)
    return gross, taxable


def joint_lines(per_spouse: list[dict[str, Decimal | None]]) -> dict[str, Decimal | None]:
    """Form 1040 lines 4a-5b of a joint return: each line is the sum of the spouses' amounts.

    IRC 6013(d)(3): on a joint return the tax is computed on the spouses' aggregate income, so
    each spouse's IRA distributions (4a/4b) and pension/annuity distributions (5a/5b) go on the
    one return's lines. Everything below those lines stays per spouse: each keeps their own
    402(g)/415(c) limits (they apply per individual, IRC 402(g)(1), 415(c)(1)), their own
    Form 8606 (Instructions for Form 8606, Who Must File: if you and your spouse each must
    file it, file a separate form for each of you; the IRC 408(d)(2) aggregation is per
    individual) and their own five-year clocks (IRC 408A(d)(2)(B) counts from the
    individual's first Roth IRA contribution). A line blank for both spouses stays blank.
    """
    keys: list[str] = []
    for lines in per_spouse:
        keys += [k for k in lines if k not in keys]
    out: dict[str, Decimal | None] = {}
    for k in keys:
        values = [v for lines in per_spouse if (v := lines.get(k)) is not None]
        out[k] = sum(values, ZERO) if values else None
    return out


#: Joint lines whose whole-dollar figure is taken from one form per spouse (each spouse's own
#: Form 8606 is already in whole dollars when rounding), so the rounded sum is the sum of them.
FROM_SPOUSE_FORMS = frozenset({"4b"})


def joint_lines_rounded(
    exact: list[dict[str, Decimal | None]], rounded: list[dict[str, Decimal | None]]
) -> dict[str, Decimal | None]:
    """Whole-dollar lines 4a-5b of a joint return.

    Form 1040 instructions, "Rounding Off to Whole Dollars": "If you have to add two or more
    amounts to figure the amount to enter on a line, include cents when adding the amounts and
    round off only the total." So 4a, 5a and 5b (the spouses' 1099-R boxes added up) are the
    rounded sum of the exact amounts, which can differ by a dollar from the sum of each spouse's
    rounded line. Line 4b comes from each spouse's own Form 8606 (a separate form per spouse,
    whole dollars when rounding: Instructions for Form 8606), so it is the sum of the spouses'
    rounded 4b (:data:`FROM_SPOUSE_FORMS`).
    """
    exact_sum = joint_lines(exact)
    rounded_sum = joint_lines(rounded)
    out: dict[str, Decimal | None] = {}
    for k, v in exact_sum.items():
        if k in FROM_SPOUSE_FORMS:
            out[k] = rounded_sum.get(k)
        else:
            out[k] = round_dollars(v) if v is not None else None
    return out
