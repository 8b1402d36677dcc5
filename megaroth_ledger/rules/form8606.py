"""Form 8606 (Nondeductible IRAs), Parts I (lines 1-15c), II (16-18) and III (19-25c).

Line texts and formulas follow the 2023 Form 8606 and its instructions (reference
tax-rules.md section (d), sources S6/S7); the line numbering is the same on the 2018-2024
forms.

- Part I is completed only when one of the form's three conditions applies (Form 8606 Part I
  heading and its instructions, "Complete Part I only if one or more of the following apply"):
  (a) nondeductible contributions to a traditional IRA for the year (line 1 > 0); (b) a
  distribution from a traditional, SEP or SIMPLE IRA (line 7: not a conversion, rollover,
  recharacterization or returned contribution) while the basis is above zero; (c) a conversion
  of part, but not all, of the traditional IRAs (a December 31 value, line 6, above zero) with
  nondeductible contributions made in the year or earlier (basis above zero). Lines 4-13 only
  when there was a distribution or conversion ("If No, enter the amount from line 3 on line
  14"). Line 10 is "a decimal rounded to at least 3 places. If the result is 1.000 or more,
  enter 1.000"; here it is rounded half-up to three places (more only when three would give
  more nontaxable than basis). Lines 11 and 12 multiply by that rounded figure, to the cent.
- Part II: line 16 = line 8 if Part I was completed, else "the net amount you converted";
  line 17 = line 11 if Part I was completed, else "your basis in the amount on line 16"
  (instructions, lines 16 and 17). Without Part I everything was converted, so the basis in
  it is the whole basis (line 2), exactly, not a rounded ratio of it -- capped at line 16
  when a loss left less than the basis (the rest stays as basis, with a warning); line 18 =
  16 - 17 (taxable; to Form 1040 line 4b).
- Part III (nonqualified Roth IRA distributions only): 21 = 19 - 20; 22 = basis in regular
  Roth IRA contributions; 23 = 21 - 22 (if zero or less, enter 0 and skip 24-25); 24 = basis
  in conversions and in rollovers from qualified plans to Roth IRAs (the 1040 line 5a amount
  of each such rollover); 25a = 23 - 24 (not below 0); 25c = 25a - 25b.
- Line 14 carries to next year's line 2. Roth basis carries too: regular-contribution basis
  less line 19 (line 22 worksheet, "subtract line 3 from line 2"), and
  conversion/rollover basis less the part of line 23 applied to it (line 24 chart).

Qualified-disaster lines 15b and 25b are left blank (null); homebuyer line 20 unless given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..errors import UnsupportedSituation, UserError
from ..money import CENT, ZERO
from .worksheet_1_1 import worksheet_1_1

RATIO_PLACES = Decimal("0.001")
ONE = Decimal("1.000")
HOMEBUYER_LIFETIME_CAP = Decimal("10000.00")

LINES = (
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15a",
    "15b",
    "15c",
    "16",
    "17",
    "18",
    "19",
    "20",
    "21",
    "22",
    "23",
    "24",
    "25a",
    "25b",
    "25c",
)


def _c(v: Decimal) -> Decimal:
    return v.quantize(CENT, rounding=ROUND_HALF_UP)


def line10_ratio(line5: Decimal, line9: Decimal, places: int = 3) -> Decimal:
    """Form 8606 line 10: line 5 / line 9 as a decimal rounded to ``places`` places (three
    unless that would make the nontaxable part exceed the basis), capped at 1.000."""
    if line9 <= 0:
        raise UserError("Form 8606 line 9 is zero: nothing was distributed or converted")
    ratio = (line5 / line9).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return min(ratio, ONE)


@dataclass(frozen=True)
class RothPartIII:
    """Result of :func:`roth_part_iii`; ``lines`` holds 19-25c (None = blank)."""

    lines: dict[str, Decimal | None]
    taxable: Decimal  # line 25c (0 when lines 24-25 are skipped)
    regular_basis_after: Decimal
    conversion_basis_after: Decimal
    applied_to_regular: Decimal
    applied_to_conversions: Decimal
    earnings: Decimal  # the part above both bases (line 25a)


def roth_part_iii(
    distributions: Decimal,
    regular_basis: Decimal,
    conversion_basis: Decimal,
    homebuyer: Decimal = ZERO,
) -> RothPartIII:
    """Form 8606 Part III for nonqualified Roth IRA distributions -- a pure function other
    modules may call for what-if withdrawals.

    Signature: ``roth_part_iii(distributions, regular_basis, conversion_basis, homebuyer=0)``
    with Decimal dollars: ``distributions`` = line 19 (total nonqualified Roth IRA
    distributions of the year); ``regular_basis`` = line 22 (regular contributions through the
    year, plus designated-Roth rollover basis, less earlier distributions applied to them);
    ``conversion_basis`` = line 24 (conversions and qualified-plan rollovers through the year,
    less earlier distributions applied to them); ``homebuyer`` = line 20 (qualified first-time
    homebuyer expenses, 10,000 lifetime cap).

    Returns the lines, the taxable amount (25c), and the bases left for next year. Source:
    Form 8606 (2023) Part III and its instructions for lines 19-25; IRC 408A(d)(4)(B) order
    (regular contributions, then conversions/rollovers, then earnings).
    """
    for name, v in (
        ("distributions", distributions),
        ("regular basis", regular_basis),
        ("conversion basis", conversion_basis),
        ("homebuyer expenses", homebuyer),
    ):
        if v < 0:
            raise UserError(f"Form 8606 Part III: {name} cannot be negative ({v})")
    if homebuyer > HOMEBUYER_LIFETIME_CAP:
        raise UserError("first-time homebuyer expenses are capped at 10,000 (lifetime)")
    lines: dict[str, Decimal | None] = {k: None for k in LINES[LINES.index("19") :]}
    l19 = _c(distributions)
    l20 = _c(homebuyer) if homebuyer else None
    l21 = max(ZERO, l19 - (l20 or ZERO))
    l22 = _c(regular_basis)
    lines.update({"19": l19, "20": l20, "21": l21, "22": l22})
    # Line 22 worksheet (next year's basis): "Subtract line 3 [this form's line 19] from line 2
    # [this form's line 22]. Enter zero if ... less" -- line 19, not 21: a distribution shown on
    # line 20 still uses up regular-contribution basis, as the ordering rules say (the line 24
    # chart, in contrast, subtracts line 23).
    applied_regular = min(l19, l22)
    l23 = l21 - l22
    if l23 <= 0:
        lines["23"] = ZERO
        return RothPartIII(
            lines, ZERO, l22 - applied_regular, _c(conversion_basis), applied_regular, ZERO, ZERO
        )
    l24 = _c(conversion_basis)
    l25a = max(ZERO, l23 - l24)
    lines.update({"23": l23, "24": l24, "25a": l25a, "25b": None, "25c": l25a})
    applied_conv = min(l23, l24)
    return RothPartIII(
        lines, l25a, l22 - applied_regular, l24 - applied_conv, applied_regular, applied_conv, l25a
    )


@dataclass(frozen=True)
class Form8606Input:
    """Everything one person-year of Form 8606 needs (Decimal dollars)."""

    tax_year: int
    nondeductible: Decimal = ZERO  # line 1 (for the year, incl. Jan 1-Apr 15 next year)
    nondeductible_next_year: Decimal = ZERO  # line 4: the part of line 1 made next year
    prior_basis: Decimal = ZERO  # line 2: prior year's line 14 (+ unreported rollover basis)
    year_end_value: Decimal | None = None  # line 6: Dec 31 value + outstanding rollovers
    distributions: Decimal = ZERO  # line 7 (not converted, not rolled over)
    conversions: Decimal = ZERO  # line 8 / 16
    roth_distributions: Decimal = ZERO  # line 19: nonqualified Roth IRA distributions
    homebuyer: Decimal = ZERO  # line 20
    roth_contributions: Decimal = ZERO  # regular Roth IRA contributions for the year
    roth_regular_basis_prior: Decimal = ZERO
    roth_conversion_basis_prior: Decimal = ZERO
    plan_roth_rollovers: Decimal = ZERO  # 1040 line 5a amounts rolled from plans to Roth IRAs
    #: all traditional IRA contributions for the year (deductible or not) when one of them had its
    #: deductibility open: lines 13 and 17 then come from Pub 590-B Worksheet 1-1 (its line 2)
    worksheet_contributions: Decimal | None = None


@dataclass(frozen=True)
class Carry:
    """What one year passes to the next."""

    traditional_basis: Decimal = ZERO  # next year's line 2
    roth_regular_basis: Decimal = ZERO
    roth_conversion_basis: Decimal = ZERO


@dataclass(frozen=True)
class Form8606:
    tax_year: int
    lines: dict[str, Decimal | None]
    carry: Carry
    traditional_taxable: Decimal  # taxable traditional IRA distributions (line 15c or all)
    conversion_taxable: Decimal  # line 18 (or 0)
    roth_taxable: Decimal  # line 25c (or 0)
    part1: bool
    part2: bool
    part3: bool
    warnings: tuple[str, ...] = ()
    explain: dict[str, str] = field(default_factory=dict)
    input: Form8606Input | None = None
    worksheet_1_1: dict[str, Decimal] | None = None  # Pub 590-B Worksheet 1-1 lines, when used

    @property
    def required(self) -> bool:
        return self.part1 or self.part2 or self.part3

    def line(self, key: str) -> Decimal | None:
        return self.lines[key]


EXPLAIN = {
    "1": "nondeductible traditional IRA contributions for the year (incl. Jan 1-Apr 15 next year)",
    "2": "prior year's line 14 (or `basis set --traditional`)",
    "3": "line 1 + line 2",
    "4": "line 1 contributions made Jan 1-Apr 15 of next year",
    "5": "line 3 - line 4",
    "6": "Dec 31 value of all traditional/SEP/SIMPLE IRAs + outstanding rollovers (`ira value`)",
    "7": "traditional IRA distributions not converted or rolled over",
    "8": "amount converted to Roth IRAs during the year",
    "9": "line 6 + line 7 + line 8",
    "10": "line 5 / line 9, rounded to 3 places, at most 1.000",
    "11": "line 8 x line 10 (nontaxable part of conversions)",
    "12": "line 7 x line 10 (nontaxable part of distributions)",
    "13": "line 11 + line 12",
    "14": "line 3 - line 13 (basis carried to next year's line 2)",
    "15a": "line 7 - line 12",
    "15c": "line 15a - line 15b (taxable; Form 1040 line 4b)",
    "16": "line 8 if Part I completed, else the amount converted",
    "17": "line 11 if Part I completed, else the basis in line 16",
    "18": "line 16 - line 17 (taxable; Form 1040 line 4b)",
    "19": "nonqualified Roth IRA distributions",
    "20": "qualified first-time homebuyer expenses",
    "21": "line 19 - line 20",
    "22": "regular Roth IRA contributions through this year, less earlier distributions of them",
    "23": "line 21 - line 22 (0 if less)",
    "24": "conversions (line 16 of earlier forms) + plan-to-Roth-IRA rollovers (1040 line 5a), less earlier distributions of them",
    "25a": "line 23 - line 24 (0 if less)",
    "25c": "line 25a - line 25b (taxable; Form 1040 line 4b)",
}


def part_i_required(inp: Form8606Input, l1: Decimal, l2: Decimal, l7: Decimal, l8: Decimal) -> bool:
    """Whether Part I must be completed: Form 8606 instructions, Part I, "Complete Part I only if
    one or more of the following apply":

    (a) "You made nondeductible contributions to a traditional IRA for [the year]" -- line 1 > 0;
    (b) "You received distributions from a traditional, SEP, or SIMPLE IRA in [the year] and your
        basis in these IRAs was more than zero" (a distribution here excludes conversions,
        rollovers, recharacterizations and returned contributions) -- line 7 > 0 and line 2 > 0;
    (c) "You converted part, but not all, of your traditional, SEP, and SIMPLE IRAs to Roth IRAs
        in [the year] ... and you made nondeductible contributions to a traditional IRA in [the
        year] or an earlier year" -- line 8 > 0, a December 31 value (line 6) above zero, and
        basis above zero (without basis Part I would give the same result: all taxable).

    Deciding (c) needs line 6; without it the usual "record `ira value`" error is raised.
    """
    if l1 > 0:
        return True
    if l2 <= 0:
        return False
    if l7 > 0:
        return True
    if l8 > 0:
        if inp.year_end_value is None:
            raise UserError(
                f"Form 8606 line 6 for {inp.tax_year} needs the December 31 value of all "
                f"traditional, SEP and SIMPLE IRAs (it decides whether part, or all, of them was "
                f"converted): record it with "
                f"`megaroth ira value --person NAME --year {inp.tax_year} --amount X`"
            )
        return inp.year_end_value > 0
    return False


def compute_8606(inp: Form8606Input) -> Form8606:
    """Form 8606 for one person-year. Raises when line 6 is needed but unknown."""
    for name in (
        "nondeductible",
        "nondeductible_next_year",
        "prior_basis",
        "distributions",
        "conversions",
        "roth_distributions",
        "roth_contributions",
        "roth_regular_basis_prior",
        "roth_conversion_basis_prior",
        "plan_roth_rollovers",
    ):
        if getattr(inp, name) < 0:
            raise UserError(f"Form 8606 {inp.tax_year}: {name.replace('_', ' ')} is negative")
    if inp.nondeductible_next_year > inp.nondeductible:
        raise UserError("line 4 cannot exceed line 1")
    lines: dict[str, Decimal | None] = {k: None for k in LINES}
    warnings: list[str] = []
    l1, l2 = _c(inp.nondeductible), _c(inp.prior_basis)
    l7, l8 = _c(inp.distributions), _c(inp.conversions)
    has_basis = l1 > 0 or l2 > 0
    part1 = part_i_required(inp, l1, l2, l7, l8)
    traditional_basis = l1 + l2
    traditional_taxable = l7
    l11 = ZERO
    worksheet: dict[str, Decimal] | None = None
    if part1:
        l3 = l1 + l2
        lines.update({"1": l1, "2": l2, "3": l3})
        if l7 > 0 or l8 > 0:
            if inp.year_end_value is None:
                raise UserError(
                    f"Form 8606 line 6 for {inp.tax_year} needs the December 31 value of all "
                    f"traditional, SEP and SIMPLE IRAs: record it with "
                    f"`megaroth ira value --person NAME --year {inp.tax_year} --amount X`"
                )
            l4 = _c(inp.nondeductible_next_year)
            l5 = l3 - l4
            if inp.worksheet_contributions is not None:
                # Pub 590-B Worksheet 1-1: its line 8 goes to lines 13 and 17; lines 6 and 9-12 stay
                # blank (the IRS's filled-in Rose Green example shows 1-5, 13-15c and 16-18)
                ws = worksheet_1_1(l2, inp.worksheet_contributions, inp.year_end_value, l7, l8)
                l13 = ws.nontaxable
                l14 = l3 - l13
                if l14 < 0:
                    raise UnsupportedSituation(
                        f"Form 8606 {inp.tax_year}: Pub 590-B Worksheet 1-1 gives a nontaxable part ({l13:,.2f}) "
                        f"above the basis on line 3 ({l3:,.2f}) -- most of the year's contributions turned out "
                        "deductible; that case is not supported"
                    )
                l11 = ws.conversion_nontaxable
                lines.update(
                    {
                        "4": l4,
                        "5": l5,
                        "7": l7,
                        "8": l8,
                        "13": l13,
                        "14": l14,
                        "15a": ws.distribution_taxable,
                        "15b": None,
                        "15c": ws.distribution_taxable,
                    }
                )
                traditional_basis = l14
                traditional_taxable = ws.distribution_taxable
                worksheet = ws.lines
            else:
                l6 = _c(inp.year_end_value)
                l9 = l6 + l7 + l8
                places = 3
                while True:
                    l10 = line10_ratio(l5, l9, places)
                    l11 = _c(l8 * l10)
                    l12 = _c(l7 * l10)
                    l13 = l11 + l12
                    if l13 <= l5 or places >= 8:
                        break
                    places += 1  # "rounded to at least 3 places": never more nontaxable than basis
                if l13 > l5:
                    raise UnsupportedSituation(
                        f"Form 8606 {inp.tax_year}: line 13 ({l13}) exceeds line 5 ({l5}) even with "
                        "line 10 rounded to 8 places; figure this year by hand"
                    )
                if places > 3:
                    warnings.append(
                        f"Form 8606 {inp.tax_year} line 10 is rounded to {places} places (the "
                        "instructions say 'at least 3 places'): with 3 places the nontaxable part "
                        "(line 13) would exceed the basis (line 5)"
                    )
                l14 = l3 - l13
                l15a = l7 - l12
                lines.update(
                    {
                        "4": l4,
                        "5": l5,
                        "6": l6,
                        "7": l7,
                        "8": l8,
                        "9": l9,
                        "10": l10,
                        "11": l11,
                        "12": l12,
                        "13": l13,
                        "14": l14,
                        "15a": l15a,
                        "15b": None,
                        "15c": l15a,
                    }
                )
                traditional_basis = l14
                traditional_taxable = l15a
        else:
            lines["14"] = l3
    elif has_basis:
        traditional_basis = l2  # no Part I needed this year; basis carries unchanged
    part2 = l8 > 0
    conversion_taxable = ZERO
    explain = dict(EXPLAIN)
    if worksheet is not None:
        explain["13"] = "Pub 590-B Worksheet 1-1 line 8 (a contribution's deductibility was open)"
        explain["15a"] = "Pub 590-B Worksheet 1-1 line 11 (taxable part of the distributions not converted)"
        explain["17"] = (
            "Pub 590-B Worksheet 1-1: line 8's share of the conversions (line 16 - worksheet line 10)"
        )
        explain["18"] = "line 16 - line 17 (Worksheet 1-1 line 10; taxable; Form 1040 line 4b)"
    if part2:
        if part1:
            l17 = l11
        else:
            # Everything was converted (condition (c) does not apply) and there was no new
            # contribution or other distribution: the basis in the amount converted is all of the
            # basis (line 17 instructions: "your basis in the amount on line 16").
            l17 = min(l2, l8)
            traditional_basis = l2 - l17
            explain["16"] = "net amount converted (Part I not required: everything was converted)"
            explain["17"] = (
                "basis in line 16: the whole basis carried in (prior line 14), since all "
                "traditional IRA money was converted"
            )
            if l2 > l8:
                warnings.append(
                    f"Form 8606 {inp.tax_year}: the basis ({l2:,.2f}) is more than the amount converted "
                    f"({l8:,.2f}) although nothing is left in traditional IRAs (an investment loss); "
                    f"line 17 is capped at line 16 and {l2 - l8:,.2f} of basis is carried to next "
                    "year's line 2"
                )
        l18 = l8 - l17
        lines.update({"16": l8, "17": l17, "18": l18})
        conversion_taxable = l18
    regular_basis = _c(inp.roth_regular_basis_prior + inp.roth_contributions)
    conversion_basis = _c(inp.roth_conversion_basis_prior + l8 + inp.plan_roth_rollovers)
    part3 = inp.roth_distributions > 0
    roth_taxable = ZERO
    if part3:
        p3 = roth_part_iii(inp.roth_distributions, regular_basis, conversion_basis, inp.homebuyer)
        lines.update(p3.lines)
        roth_taxable = p3.taxable
        regular_basis, conversion_basis = p3.regular_basis_after, p3.conversion_basis_after
    return Form8606(
        tax_year=inp.tax_year,
        lines=lines,
        carry=Carry(traditional_basis, regular_basis, conversion_basis),
        traditional_taxable=traditional_taxable,
        conversion_taxable=conversion_taxable,
        roth_taxable=roth_taxable,
        part1=part1,
        part2=part2,
        part3=part3,
        warnings=tuple(warnings),
        explain={k: v for k, v in explain.items() if lines.get(k) is not None},
        input=inp,
        worksheet_1_1=worksheet,
    )


def format_line(key: str, value: Decimal | None) -> str | None:
    """JSON form of a line: line 10 keeps three places ("1.000"); amounts two."""
    if value is None:
        return None
    if key == "10":
        exponent = value.as_tuple().exponent
        return f"{value:.3f}" if isinstance(exponent, int) and exponent >= -3 else str(value)
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def rounded_input(inp: Form8606Input) -> Form8606Input:
    """The same year with every amount rounded to whole dollars first, so that a ``--round``
    form still adds up line by line (Form 8606 instructions: you may round to whole dollars;
    if you do, round all amounts)."""
    from dataclasses import fields, replace

    def r(v):
        return v.quantize(Decimal("1"), rounding=ROUND_HALF_UP).quantize(CENT)

    changes = {
        f.name: r(getattr(inp, f.name)) for f in fields(inp) if isinstance(getattr(inp, f.name), Decimal)
    }
    return replace(inp, **changes)


def round_line(key: str, value: Decimal | None) -> Decimal | None:
    """Whole-dollar figure for ``--round`` (line 10 is a ratio and is not rounded)."""
    if value is None or key == "10":
        return value
    return value.quantize(Decimal("1"), rounding=ROUND_HALF_UP).quantize(CENT)
