"""Pub 590-B Worksheet 1-1, "Figuring the Taxable Part of Your IRA Distribution" (pure function).

When a year has traditional IRA distributions or conversions *and* a contribution for that year
whose deductibility is still open (the owner is covered by a workplace plan, so the deduction
depends on a MAGI that includes the taxable distribution), Pub 590-B has the taxable part figured
on Worksheet 1-1 first, before the deduction: its line 8 goes to Form 8606 lines 13 and 17 (the
IRS's filled-in example, Rose Green: "13 ... 460 Footnote: From Worksheet 1-1 in Pub. 590-B"; "17
... 460"; "18 ... 4,540", irs.gov/media/168096 and /168101).

Lines:
1. basis in traditional IRAs as of December 31 of the prior year (prior Form 8606 line 14)
2. all contributions to traditional IRAs for the year (made during it and January 1 - April 15 of
   the next year for it), whether or not deductible
3. line 1 + line 2
4. value of all traditional IRAs on December 31 (plus outstanding rollovers)
5. distributions from traditional IRAs during the year, including amounts converted to Roth IRAs
6. line 4 + line 5
7. line 3 / line 6, a decimal rounded to at least three places; 1.000 at most
8. line 5 x line 7: the nontaxable part (Form 8606 lines 13 and 17)
9. line 5 - line 8: the taxable part before the adjustment for conversions
10. the part of line 9 allocable to conversions: line 9 x (amount converted / line 5) (the
    worksheet's note) -- Form 8606 line 18
11. line 9 - line 10: the taxable part of the distributions not converted (Form 1040 line 4b)

Line 7 is rounded half-up to three places, more (up to 8) only when three would make line 8 larger
than line 3 -- the same rule the ledger applies to Form 8606 line 10.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..errors import UnsupportedSituation, UserError
from ..money import CENT

ONE = Decimal("1.000")


@dataclass(frozen=True)
class Worksheet11:
    lines: dict[str, Decimal]
    nontaxable: Decimal  # line 8 (Form 8606 line 13)
    conversion_nontaxable: Decimal  # Form 8606 line 17 (line 8's share of the conversions)
    conversion_taxable: Decimal  # line 10 (Form 8606 line 18)
    distribution_taxable: Decimal  # line 11 (Form 8606 line 15a)


def _c(v: Decimal) -> Decimal:
    return v.quantize(CENT, rounding=ROUND_HALF_UP)


def worksheet_1_1(
    prior_basis: Decimal,
    contributions: Decimal,
    year_end_value: Decimal,
    distributions: Decimal,
    conversions: Decimal,
) -> Worksheet11:
    """Pub 590-B Worksheet 1-1 for one year. ``distributions`` are those not converted (Form 8606
    line 7), ``conversions`` the amount converted (line 8); line 5 is their sum."""
    for name, v in (
        ("basis", prior_basis),
        ("contributions", contributions),
        ("value", year_end_value),
        ("distributions", distributions),
        ("conversions", conversions),
    ):
        if v < 0:
            raise UserError(f"Worksheet 1-1: {name} cannot be negative ({v})")
    l1, l2 = _c(prior_basis), _c(contributions)
    l3 = l1 + l2
    l4 = _c(year_end_value)
    l5 = _c(distributions) + _c(conversions)
    if l5 <= 0:
        raise UserError("Worksheet 1-1 is only for a year with traditional IRA distributions or conversions")
    l6 = l4 + l5
    places = 3
    while True:
        l7 = min((l3 / l6).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), ONE)
        l8 = _c(l5 * l7)
        if l8 <= l3 or places >= 8:
            break
        places += 1
    if l8 > l3:
        raise UnsupportedSituation("Worksheet 1-1: the nontaxable part exceeds the basis even at 8 places")
    l9 = l5 - l8
    conv = _c(conversions)
    l10 = l9 if conv == l5 else _c(l9 * conv / l5)
    l11 = l9 - l10
    conv_nontaxable = conv - l10
    lines = {
        "1": l1,
        "2": l2,
        "3": l3,
        "4": l4,
        "5": l5,
        "6": l6,
        "7": l7,
        "8": l8,
        "9": l9,
        "10": l10,
        "11": l11,
    }
    return Worksheet11(lines, l8, conv_nontaxable, l10, l11)
