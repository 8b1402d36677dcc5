"""Form 5329 Parts III and IV: the 6% excise on excess contributions to traditional and Roth IRAs,
year after year while an excess stays in (pure functions).

Sources: IRC 4973(a) (6% of the excess, not more than 6% of the value of the account at the end of
the year), 4973(b) (traditional: this year's excess plus last year's, reduced by taxable
distributions, by distributions under 408(d)(5), and by this year's unused limit), 4973(f)
(Roth: this year's excess plus last year's, reduced by the year's Roth IRA distributions and by
this year's unused Roth limit); Form 5329 (2023) lines 9-17 and 18-25:

- 9 / 18: excess contributions from line 16 / 24 of last year's Form 5329 ("If zero, go to line 15 / 23")
- 10 / 19: "If your traditional [Roth] IRA contributions for [the year] are less than your maximum
  allowable contribution, see instructions" -- the unused limit
- 11: traditional IRA distributions included in income; 12: distributions of prior year excess
  contributions (408(d)(5)); 20: distributions from your Roth IRAs
- 13 = 10 + 11 + 12; 14 = 9 - 13 (not below 0); 21 = 19 + 20; 22 = 18 - 21 (not below 0)
- 15 / 23: excess contributions for the year; 16 = 14 + 15; 24 = 22 + 23
- 17 / 25: "Additional tax. Enter 6% (0.06) of the smaller of line 16 [24] or the value of your
  traditional [Roth] IRAs on December 31, [the year] (including [the year's] contributions made in
  [the next year])"
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..errors import UserError
from ..money import CENT, ZERO

RATE = Decimal("0.06")


@dataclass(frozen=True)
class ExcessYear:
    """One year's inputs to Part III or Part IV."""

    year: int
    prior_excess: Decimal  # line 9 / 18
    room: Decimal = ZERO  # line 10 / 19
    distributions: Decimal = ZERO  # line 11 / 20
    prior_excess_withdrawn: Decimal = ZERO  # line 12 (Part III only)
    current_excess: Decimal = ZERO  # line 15 / 23
    year_end_value: Decimal | None = None  # the IRAs' Dec 31 value (+ contributions for the year made later)


def _tax(base: Decimal) -> Decimal:
    return (base * RATE).quantize(CENT, rounding=ROUND_HALF_UP)


def _part(inp: ExcessYear, names: tuple[str, ...], what: str) -> tuple[dict[str, Decimal | None], Decimal]:
    l_prior, l_room, l_dist, l_withdrawn, l_sum, l_left, l_cur, l_total, l_tax = names
    lines: dict[str, Decimal | None] = dict.fromkeys(n for n in names if n)
    lines[l_prior] = inp.prior_excess
    left = ZERO
    if inp.prior_excess > 0:
        room, dist = max(ZERO, inp.room), max(ZERO, inp.distributions)
        withdrawn = max(ZERO, inp.prior_excess_withdrawn)
        lines[l_room], lines[l_dist] = room, dist
        if l_withdrawn:
            lines[l_withdrawn] = withdrawn
        total = room + dist + (withdrawn if l_withdrawn else ZERO)
        lines[l_sum] = total
        left = max(ZERO, inp.prior_excess - total)
        lines[l_left] = left
    lines[l_cur] = inp.current_excess
    total_excess = left + inp.current_excess
    lines[l_total] = total_excess
    if total_excess > 0:
        if inp.year_end_value is None:
            raise UserError(
                f"Form 5329 {inp.year} line {l_tax}: the December 31, {inp.year} value of your {what} is needed "
                f"(6% of the smaller of line {l_total} and that value): record it with "
                f"`megaroth ira value --year {inp.year} --amount X"
                + (" --account roth`" if what == "Roth IRAs" else "`")
            )
        lines[l_tax] = _tax(min(total_excess, max(ZERO, inp.year_end_value)))
    else:
        lines[l_tax] = ZERO
    return lines, total_excess


def part_iii(inp: ExcessYear) -> tuple[dict[str, Decimal | None], Decimal]:
    """Form 5329 Part III (traditional IRAs), lines 9-17; returns the lines and line 16 (next
    year's line 9)."""
    return _part(inp, ("9", "10", "11", "12", "13", "14", "15", "16", "17"), "traditional IRAs")


def part_iv(inp: ExcessYear) -> tuple[dict[str, Decimal | None], Decimal]:
    """Form 5329 Part IV (Roth IRAs), lines 18-25; returns the lines and line 24 (next year's
    line 18)."""
    return _part(inp, ("18", "19", "20", "", "21", "22", "23", "24", "25"), "Roth IRAs")


def line_10(limit: Decimal, traditional: Decimal, roth: Decimal) -> Decimal:
    """Form 5329 line 10, the unused traditional IRA limit that absorbs last year's excess.

    IRC 4973(b)(2)(C): last year's excess is reduced by "the excess (if any) of the maximum amount
    allowable as a deduction under section 219 for the taxable year over the amount contributed
    (determined without regard to section 219(f)(6)) to the accounts or for the annuities (including
    the amount contributed to a Roth IRA) for the taxable year" -- the 219 amount "computed without
    regard to section 219(g)" (the same subsection), i.e. the contribution limit, not the deduction
    phase-out. Instructions for Form 5329, line 10: "Enter the difference, if any, of your contribution
    limit for traditional IRAs less your contributions to traditional IRAs and Roth IRAs for [the
    year]". ``traditional`` / ``roth`` are the year's regular contributions as they finally stand
    (returned ones by the due date count as not contributed, IRC 4973(b) last sentence;
    recharacterized ones in the second IRA).

    Hand-worked: limit 7,000, traditional 0, Roth 4,000 -> 3,000; Roth 7,500 -> 0."""
    return max(ZERO, limit - traditional - roth)


def line_11(distributions_taxable: Decimal, conversions_taxable: Decimal) -> Decimal:
    """Form 5329 line 11: "Enter on line 11 any withdrawals from your traditional IRAs that are
    included in your income. Don't include any withdrawn contributions reported on line 12"
    (Instructions for Form 5329); IRC 4973(b)(2)(A): "the distributions out of the account for the
    taxable year which were included in the gross income of the payee under section 408(d)(1)".

    - ``distributions_taxable``: the taxable part of the year's traditional IRA distributions (Form
      8606 line 15c, or all of them without basis). An excess withdrawn under IRC 408(d)(5) is line
      12, not here; the net income of a contribution returned by the due date is included under
      408(d)(4), not 408(d)(1), and is not here either.
    - ``conversions_taxable``: the taxable part of the year's conversions (Form 8606 line 18): a
      converted amount "is treated as a distribution from the traditional IRA ... for purposes of
      section 408" (Treas. Reg. 1.408A-4 A-1(c)) and "is includible in gross income as a distribution
      according to the rules of section 408(d)(1) and (2)" (A-7(a)); its nontaxable (basis) part is
      not included in income and does not reduce the excess.

    Hand-worked: a 2,000 distribution taxable 1,600 and a 5,000 conversion taxable 400 -> 2,000."""
    return max(ZERO, distributions_taxable) + max(ZERO, conversions_taxable)


def line_20(distributions: Decimal, prior_excess: Decimal, whole_balance_withdrawn: bool) -> Decimal:
    """Form 5329 line 20: "Generally, enter the amount from Form 8606, line 19, plus any qualified
    distributions. But if you withdrew the entire balance of all your Roth IRAs, don't enter less
    than the amount on Form 5329, line 18" (Instructions for Form 5329, Part IV; their example: a
    1,000 excess, the whole balance of 800 withdrawn -> 1,000 on line 20, not 800). IRC
    4973(f)(2)(A): last year's Roth excess is reduced by "the distributions out of the accounts for
    the taxable year". ``distributions`` are the year's Roth IRA distributions (qualified or not; not
    rollovers, recharacterizations or contributions returned under IRC 408(d)(4))."""
    if whole_balance_withdrawn and distributions > 0:
        return max(distributions, prior_excess)
    return distributions


def part_i(items: list[tuple[Decimal, str | None]]) -> dict[str, Decimal | str | None]:
    """Form 5329 Part I from (amount of an early distribution included in income, its exception
    number or None): line 1 = their total; line 2 = the part an exception covers (with the number,
    "12" for several: Form 5329 instructions, line 2); 3 = 1 - 2; 4 = 10% of line 3 (IRC 72(t)(1))."""
    line1 = sum((a for a, _ in items), ZERO)
    covered = [(a, n) for a, n in items if n is not None]
    line2 = sum((a for a, _ in covered), ZERO)
    numbers = sorted({n for _, n in covered})
    line3 = line1 - line2
    return {
        "1": line1,
        "2": line2,
        "2_exception": numbers[0] if len(numbers) == 1 else ("12" if numbers else None),
        "3": line3,
        "4": (line3 * Decimal("0.10")).quantize(CENT, rounding=ROUND_HALF_UP),
    }
