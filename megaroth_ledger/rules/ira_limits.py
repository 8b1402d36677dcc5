"""IRA contribution limits for one person-year: the combined traditional + Roth IRA limit, the
Roth IRA income phase-out and the traditional IRA deduction phase-out (pure functions).

Sources
-------
- Combined limit: IRC 219(b)(1) (the lesser of the "deductible amount" and the compensation
  includible in gross income), 219(b)(5)(A) dollar amount and 219(b)(5)(B) catch-up at age 50 by
  the end of the year; 408A(c)(2) applies the same limit to Roth IRAs, reduced by the
  contributions to other IRAs for the year. Figures: ``limits.toml`` (``ira``, ``ira_catch_up``).
- Age 70 1/2 (tax years before 2020): no traditional IRA contributions for the year the owner
  attains age 70 1/2 or later (IRC 219(d)(1), repealed for 2020 and later by the SECURE Act sec. 107).
- Roth IRA phase-out: IRC 408A(c)(3)(A) (the limit is reduced by the amount that bears the same
  ratio to it as the MAGI above the applicable dollar amount bears to $15,000, or $10,000 for a
  joint return / married filing separately); Treas. Reg. 1.408A-3 A-3(b): "the maximum amount is
  rounded up to the next higher multiple of $10 and is not reduced below $200 until completely
  phased out"; the steps of Pub 590-A Worksheet 2-2 (IRS "Amount of Roth IRA Contributions That You
  Can Make for 2024": start with MAGI, subtract the start of the range, divide by the width,
  multiply the maximum contribution limit "before reduction by this adjustment and before
  reduction for any contributions to traditional IRAs", subtract; then the smaller of that and
  the limit less the traditional contributions). The ratio is kept exact (the worksheet asks for
  "at least three places"; exact is the statute's ratio).
- Traditional IRA deduction phase-out for an active participant in a workplace plan: IRC
  219(g)(1)-(3), (g)(7) for a spouse who is not covered but files jointly with one who is; the
  rounding of 219(g)(2)(C) (the reduction rounded down to a multiple of $10, i.e. the deduction
  rounded up) and the $200 floor of 219(g)(2)(B); Pub 590-A Worksheet 1-2 ("If the result isn't a
  multiple of $10, increase it to the next multiple of $10 ... if it's less than $200, enter $200").
- Married filing separately: a person who did not live with the spouse at any time in the year
  is treated as not married (IRC 219(g)(4); Pub 590-A, Tables 1-2 and 2-1: "your filing status is
  considered Single for this purpose") -- give ``single`` for that case.
- Excess contributions: IRC 4973(b) (traditional: contributions above the 219(b)(1) limit,
  figured without 219(g), so nondeductible contributions within the limit are not excess --
  408(o)) and 4973(f) (Roth: contributions above the 408A(c)(2)-(3) limit). A contribution
  returned with its net income by the due date (including extensions) of the return is treated
  as not contributed (408(d)(4), 4973(b) and (f) flush language); a contribution
  recharacterized by that date is treated as made to the other IRA (408A(d)(6)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from ..errors import UserError
from ..money import CENT, ZERO
from .dates import add_months, age_at_year_end, date_of_age
from .limits import limits_for

FILING_STATUSES = ("single", "mfj", "mfs", "hoh", "qss")
MFS_RANGE = (Decimal("0.00"), Decimal("10000.00"))  # 408A(c)(3)(B)(ii), 219(g)(3)(B)(iii)
FLOOR = Decimal("200.00")

DUE_DATE_HINT = (
    "recharacterize it (IRC 408A(d)(6)) or have it returned with its net income (IRC 408(d)(4)) by the "
    "due date of your return including extensions (October 15 when the return is filed on time, "
    "Treas. Reg. 301.9100-2(b)); otherwise a 6% excise tax applies for every year it stays in "
    "(IRC 4973, Form 5329)"
)
BACKDOOR_HINT = (
    "the usual answer for a high income is the backdoor: recharacterize the Roth contribution as a "
    "nondeductible traditional IRA contribution, then convert it "
    "(`megaroth ira recharacterize --from roth ...`)"
)


@dataclass(frozen=True)
class IraYearFacts:
    """What the limits need to know about a person-year (``megaroth tax-year set``)."""

    year: int
    born: date
    filing_status: str | None = None  # single | mfj | mfs | hoh | qss
    magi: Decimal | None = None  # modified AGI for Roth IRA / IRA deduction purposes
    covered: bool = True  # active participant in a workplace plan (IRC 219(g)(5))
    spouse_covered: bool = False  # the spouse is an active participant (IRC 219(g)(7))
    compensation: Decimal | None = None  # taxable compensation; None: taken to be at least the limit


def _ceil10(v: Fraction) -> Decimal:
    return Decimal(math.ceil(v / 10) * 10).quantize(CENT)


def _c(v: Fraction) -> Decimal:
    return (Decimal(v.numerator) / Decimal(v.denominator)).quantize(CENT)


def phased_limit(limit: Decimal, room: Decimal, width: Decimal) -> Decimal:
    """What is left of ``limit`` ``room`` dollars of MAGI below the end of a phase-out range of
    ``width``: ``limit x room / width`` increased to the next multiple of $10, and at least $200
    while above zero (IRC 219(g)(2)(B)-(C) and, through 408A(c)(3)(A), Treas. Reg. 1.408A-3
    A-3(b)). Both worksheets reduce to this: Pub 590-A Worksheet 1-2 line 4 multiplies line 3 (the
    room) by the limit's share of the width, Worksheet 2-2 line 8 subtracts the limit's reduced
    share from the limit.

    IRS printed example: Pub 590 (2002), Appendix B, Worksheet 2 (Computation of Traditional IRA
    Deduction), filled in: line 3 = $4,550, "Multiply line 3 by 30% (.30) (by 35% (.35) if age 50 or
    older ...). If the result is not a multiple of $10, round it to the next highest multiple of
    $10", line 4 = $1,600 ($3,500 limit at 50+, $10,000 range).
    """
    if room <= 0:
        return ZERO
    if room >= width:
        return limit
    out = _ceil10(Fraction(room) * Fraction(limit) / Fraction(width))
    return min(max(out, FLOOR), limit)


def attains_70_half_by_year_end(born: date, year: int) -> bool:
    return add_months(date_of_age(born, 70), 6) <= date(year, 12, 31)


def contribution_limit(facts: IraYearFacts) -> Decimal:
    """IRC 219(b)(1), (b)(5): the dollar limit (+ catch-up at 50 by December 31), or the
    compensation if smaller -- the one limit for traditional and Roth IRAs together."""
    lim = limits_for(facts.year).ira_limit_for_age(age_at_year_end(facts.born, facts.year))
    if facts.compensation is not None:
        lim = min(lim, max(ZERO, facts.compensation))
    return lim


def traditional_limit(facts: IraYearFacts) -> Decimal:
    """The combined limit, or 0 for a year before 2020 in which the owner attains 70 1/2
    (IRC 219(d)(1) before the SECURE Act sec. 107)."""
    if facts.year < 2020 and attains_70_half_by_year_end(facts.born, facts.year):
        return ZERO
    return contribution_limit(facts)


def _need(facts: IraYearFacts) -> tuple[str, Decimal]:
    if facts.filing_status is None or facts.magi is None:
        raise UserError(
            f"no filing status and MAGI recorded for {facts.year}: "
            f"`megaroth tax-year set --person P --year {facts.year} --filing-status S --magi M`"
        )
    if facts.filing_status not in FILING_STATUSES:
        raise UserError(
            f"unknown filing status {facts.filing_status!r}; expected one of {', '.join(FILING_STATUSES)}"
        )
    return facts.filing_status, facts.magi


def roth_range(year: int, status: str) -> tuple[Decimal, Decimal]:
    """Roth IRA phase-out range (IRC 408A(c)(3); figures in limits.toml)."""
    lim = limits_for(year)
    if status == "mfs":
        return MFS_RANGE
    rng = lim.roth_phaseout_joint if status in ("mfj", "qss") else lim.roth_phaseout_single
    if rng is None:  # pragma: no cover - every year of the table has it (tests check)
        raise UserError(f"no Roth IRA phase-out range for {year}")
    return rng


@dataclass(frozen=True)
class RothWorksheet:
    """Pub 590-A Worksheet 2-2 ("Determining Your Reduced Roth IRA Contribution Limit"), lines 1-11
    (line 5 as an exact ratio; the others in dollars)."""

    lines: dict[str, Decimal]
    allowed: Decimal  # line 11 (or the full limit less traditional contributions when not reduced)
    reduced: bool  # MAGI inside or above the range


def roth_worksheet(facts: IraYearFacts, traditional: Decimal) -> RothWorksheet:
    """The most that may go into Roth IRAs for the year (IRC 408A(c)(2)-(3); Treas. Reg.
    1.408A-3 A-3(b)).

    1 MAGI; 2 the range's start; 3 = 1 - 2; 4 the range's width; 5 = 3 / 4 (at most 1); 6 the
    limit (219(b)(1)); 7 = 5 x 6; 8 = 6 - 7 rounded up to a multiple of $10, $200 if between 0 and
    $200; 9 traditional IRA contributions for the year; 10 = 6 - 9 (not below 0); 11 = the smaller
    of 8 and 10.
    """
    status, magi = _need(facts)
    lo, hi = roth_range(facts.year, status)
    l6 = contribution_limit(facts)
    l9 = traditional
    l10 = max(ZERO, l6 - l9)
    l3 = magi - lo
    lines = {"1": magi, "2": lo, "3": l3, "4": hi - lo, "6": l6, "9": l9, "10": l10}
    if l3 <= 0:
        lines.update({"5": Decimal("0"), "7": ZERO, "8": l6, "11": min(l6, l10)})
        return RothWorksheet(lines, min(l6, l10), False)
    ratio = min(Fraction(1), Fraction(l3) / Fraction(hi - lo))
    reduction = ratio * Fraction(l6)
    l8 = phased_limit(l6, hi - magi, hi - lo)
    l11 = min(l8, l10)
    lines.update(
        {
            "5": (Decimal(ratio.numerator) / Decimal(ratio.denominator)).quantize(Decimal("0.00001")),
            "7": _c(reduction),
            "8": l8,
            "11": l11,
        }
    )
    return RothWorksheet(lines, l11, True)


def deduction_range(facts: IraYearFacts) -> tuple[Decimal, Decimal] | None:
    """MAGI range over which the traditional IRA deduction phases out, or None when it does not
    (neither the person nor, on a joint return, the spouse is an active participant)."""
    status, _ = _need(facts)
    lim = limits_for(facts.year)
    if facts.covered:
        if status == "mfs":
            return MFS_RANGE
        return lim.deduction_phaseout_joint if status in ("mfj", "qss") else lim.deduction_phaseout_single
    if facts.spouse_covered:
        if status == "mfs":
            return MFS_RANGE
        if status == "mfj":
            return lim.deduction_phaseout_spouse_covered
    return None


@dataclass(frozen=True)
class DeductionWorksheet:
    """Pub 590-A Worksheet 1-2 ("Figuring Your Reduced IRA Deduction"), lines 1-4 and the
    deductible limit; ``limit`` is the most of the year's traditional contributions that may be
    deducted (before comparing with the contributions)."""

    lines: dict[str, Decimal]
    limit: Decimal
    phased: bool


def deduction_worksheet(facts: IraYearFacts) -> DeductionWorksheet:
    """IRC 219(g): 1 the range's end; 2 MAGI; 3 = 1 - 2 (0 or less: no deduction; the width or
    more: full deduction); 4 = 3 x limit / width, increased to the next multiple of $10, at least
    $200."""
    full = traditional_limit(facts)
    rng = deduction_range(facts)
    _, magi = _need(facts)
    if rng is None:
        return DeductionWorksheet({}, full, False)
    lo, hi = rng
    l3 = hi - magi
    lines = {"1": hi, "2": magi, "3": l3}
    if l3 <= 0:
        lines["4"] = ZERO
        return DeductionWorksheet(lines, ZERO, True)
    if l3 >= hi - lo:
        lines["4"] = full
        return DeductionWorksheet(lines, full, False)
    l4 = phased_limit(full, l3, hi - lo)
    lines["4"] = l4
    return DeductionWorksheet(lines, l4, True)


@dataclass(frozen=True)
class IraLimitCheck:
    """The result of :func:`check_year`; ``findings`` are ``{"code", "message"}`` dicts."""

    year: int
    limit: Decimal
    traditional: Decimal
    roth: Decimal
    traditional_excess: Decimal
    roth_excess: Decimal
    roth_allowed: Decimal | None
    deductible_limit: Decimal | None
    roth_worksheet: RothWorksheet | None = None
    deduction_worksheet: DeductionWorksheet | None = None
    findings: tuple[dict, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = field(default_factory=tuple)  # assumptions, not problems

    @property
    def excess(self) -> Decimal:
        return self.traditional_excess + self.roth_excess


def check_year(
    facts: IraYearFacts, traditional: Decimal, roth: Decimal, deductible_claimed: Decimal | None = None
) -> IraLimitCheck:
    """Excess IRA contributions for one tax year and what to do about them -- a pure function
    other modules (``megaroth check``) may call.

    ``traditional`` / ``roth``: the year's regular contributions as they finally stand (after
    recharacterizations, without contributions returned with their net income by the due date).
    ``deductible_claimed``: the part of the traditional contributions recorded as deductible
    (``None``: not checked). Without MAGI and filing status only the combined limit is checked,
    and a finding says what could not be checked.

    Traditional excess (IRC 4973(b)): above the 219(b)(1) limit (0 for the 70 1/2 rule before 2020).
    Roth excess (4973(f)): above the Roth limit of :func:`roth_worksheet` -- which is already
    reduced by the traditional contributions, so a combined excess lands on the Roth side.
    """
    y = facts.year
    limit = contribution_limit(facts)
    trad_limit = traditional_limit(facts)
    findings: list[dict] = []
    t_excess = max(ZERO, traditional - trad_limit)
    if t_excess:
        why = (
            "the year you reach 70 1/2 or later (IRC 219(d)(1) before 2020)"
            if trad_limit == 0 and limit > 0
            else f"the {limit:,.2f} limit (IRC 219(b)(1), (b)(5))"
        )
        findings.append(
            {
                "code": "ira-excess",
                "message": (
                    f"traditional IRA contributions for {y} of {traditional:,.2f} exceed {why} by {t_excess:,.2f}: "
                    + DUE_DATE_HINT
                ),
            }
        )
    have_magi = facts.filing_status is not None and facts.magi is not None
    rw = roth_worksheet(facts, min(traditional, trad_limit)) if have_magi else None
    if rw is not None:
        roth_allowed = rw.allowed
    else:
        roth_allowed = max(ZERO, limit - min(traditional, trad_limit))
    r_excess = max(ZERO, roth - roth_allowed)
    if r_excess:
        if rw is not None and rw.reduced and roth_allowed < max(ZERO, limit - traditional):
            why = (
                f"the {roth_allowed:,.2f} a MAGI of {facts.magi:,.2f} ({facts.filing_status}) allows "
                f"(IRC 408A(c)(3); Pub 590-A Worksheet 2-2)"
            )
            hint = DUE_DATE_HINT + "; " + BACKDOOR_HINT
            code = "roth-income-excess"
        else:
            why = (
                f"the {roth_allowed:,.2f} left of the {limit:,.2f} IRA limit after "
                f"{min(traditional, trad_limit):,.2f} of traditional IRA contributions (IRC 408A(c)(2))"
            )
            hint = DUE_DATE_HINT
            code = "ira-excess"
        findings.append(
            {
                "code": code,
                "message": (
                    f"Roth IRA contributions for {y} of {roth:,.2f} exceed {why} by {r_excess:,.2f}: " + hint
                ),
            }
        )
    elif roth > 0 and rw is None:
        findings.append(
            {
                "code": "roth-income-unchecked",
                "message": (
                    f"the Roth IRA income limit for {y} is not checked: record your filing status and MAGI with "
                    f"`megaroth tax-year set --year {y}`"
                ),
            }
        )
    dw = None
    ded_limit = None
    if have_magi:
        dw = deduction_worksheet(facts)
        ded_limit = dw.limit
        if deductible_claimed is not None and deductible_claimed > ded_limit:
            findings.append(
                {
                    "code": "ira-deduction-excess",
                    "message": (
                        f"{deductible_claimed:,.2f} of the {y} traditional IRA contributions is recorded as deductible, "
                        f"but at a MAGI of {facts.magi:,.2f} ({facts.filing_status}"
                        + (", covered by a workplace plan" if facts.covered else "")
                        + f") at most {ded_limit:,.2f} is (IRC 219(g); Pub 590-A Worksheet 1-2): record the rest as "
                        "nondeductible (`ira contribute --nondeductible`, Form 8606 line 1)"
                    ),
                }
            )
    elif deductible_claimed:
        findings.append(
            {
                "code": "ira-deduction-unchecked",
                "message": (
                    f"{deductible_claimed:,.2f} of the {y} traditional IRA contributions is recorded as deductible; the "
                    f"deduction phase-out is not checked without `megaroth tax-year set --year {y}`"
                ),
            }
        )
    notes = []
    if facts.compensation is None and (traditional or roth):
        notes.append(
            f"the {y} IRA limit assumes taxable compensation of at least {limit:,.2f} "
            "(IRC 219(b)(1)(B)); give `tax-year set --compensation` if it was less"
        )
    return IraLimitCheck(
        y,
        limit,
        traditional,
        roth,
        t_excess,
        r_excess,
        roth_allowed,
        ded_limit,
        rw,
        dw,
        tuple(findings),
        tuple(notes),
    )
