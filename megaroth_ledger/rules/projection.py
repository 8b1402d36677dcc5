"""Growth projection of Roth money: pure Decimal math, no database, no I/O.

Convention (stated once, used everywhere):

- **Annual compounding of a lump sum.** A principal ``P`` left for ``n`` whole years at an
  annual rate ``r`` is worth ``P * (1 + r) ** n`` (future value of a single sum, compounded
  once a year). This is the convention that reproduces the seed's figures: $36,500 at 7% is
  36,500 x 1.07**20 = $141,243.48 after 20 years and 36,500 x 1.07**30 = $277,847.31 after 30
  (the seed's "age 35 to 65" wording is 30 years; the tool computes the number of years asked,
  it does not echo the article). Monthly compounding or a mid-year convention give other
  figures (36,500 x (1 + 0.07/12)**240 = $147,413.97; 19 years of
  growth, i.e. counting the contribution year as year 1, gives $132,003.26), so they are not used.
- **Each year's conversions count at the end of their tax year.** A conversion of tax year
  ``Y`` is principal on December 31 of ``Y`` and is worth ``amount * (1 + r) ** (T - Y)`` at
  the end of calendar year ``T``. Nothing is assumed about growth inside a year. (The ledger
  does not know the Roth account's actual past returns, so a conversion year earlier than the
  projection start is grown at the same assumed rate.)
- **Continued after-tax contributions** of ``N`` a year (converted each year) are added at the
  end of every projected year ``1..n`` (an ordinary annuity): after ``n`` years they are worth
  ``N * ((1 + r) ** n - 1) / r`` (``N * n`` when ``r`` is 0).
- **Rounding.** Every figure is computed with 50 significant digits and rounded half up to
  cents only when reported (:func:`megaroth_ledger.money.round_cents`); a year's figure never
  depends on the rounding of the year before.

Sources: the future-value formulas are the standard compound-interest identities
(FV = PV(1+i)^n; FV of an ordinary annuity = PMT((1+i)^n - 1)/i).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext

from ..errors import UserError
from ..money import round_cents

PRECISION = 50
MAX_YEARS = 100
HUNDRED = Decimal(100)


def parse_rate(text: str | int | Decimal) -> Decimal:
    """An annual rate in percent (``"7"``, ``"6.5"``, ``"-2"``) as a Decimal percentage.

    Rejects non-numbers, NaN/Infinity, exponents and rates at or below -100%.
    """
    s = str(text).strip().rstrip("%").strip()
    try:
        if not s or "e" in s.lower():
            raise ValueError
        rate = Decimal(s)
    except (ValueError, ArithmeticError):
        raise UserError(f"invalid --rate {text!r}: expected a percentage like 7 or 6.5") from None
    if not rate.is_finite():
        raise UserError(f"invalid --rate {text!r}: expected a percentage like 7 or 6.5")
    if rate <= -HUNDRED:
        raise UserError(f"invalid --rate {text!r}: must be above -100")
    return rate


def check_years(years: int) -> int:
    if not 1 <= years <= MAX_YEARS:
        raise UserError(f"invalid --years {years}: expected 1 to {MAX_YEARS}")
    return years


def growth_factor(rate_percent: Decimal, years: int) -> Decimal:
    """``(1 + rate/100) ** years`` with :data:`PRECISION` digits (not rounded)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return (1 + rate_percent / HUNDRED) ** years


def future_value(principal: Decimal, rate_percent: Decimal, years: int) -> Decimal:
    """Lump sum ``principal`` after ``years`` of annual compounding, rounded half up to cents."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return round_cents(principal * growth_factor(rate_percent, years))


def annuity_value(payment: Decimal, rate_percent: Decimal, years: int) -> Decimal:
    """``payment`` added at the end of each of ``years`` years, rounded half up to cents."""
    return round_cents(_annuity(payment, rate_percent, years))


def _annuity(payment: Decimal, rate_percent: Decimal, years: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        if rate_percent == 0:
            return payment * years
        r = rate_percent / HUNDRED
        return payment * ((1 + r) ** years - 1) / r


@dataclass(frozen=True)
class ProjectionRow:
    year: int  # calendar year whose December 31 the figures are for
    years_elapsed: int  # years since the projection start
    contributed: Decimal  # continued after-tax contributions added so far
    by_conversion_year: dict[int, Decimal]  # each conversion year's value (without continued)
    without_contributions: Decimal  # all existing conversions grown
    with_contributions: Decimal | None  # the above plus continued contributions grown


@dataclass(frozen=True)
class Projection:
    rate: Decimal
    years: int
    start_year: int
    annual_after_tax: Decimal | None
    conversions: dict[int, Decimal]
    rows: list[ProjectionRow]

    @property
    def final(self) -> ProjectionRow:
        return self.rows[-1]


def project(
    conversions: Mapping[int, Decimal],
    *,
    rate: Decimal,
    years: int,
    start_year: int,
    annual_after_tax: Decimal | None = None,
) -> Projection:
    """Year-by-year values from December 31 of ``start_year`` for ``years`` years.

    ``conversions`` maps a tax year to the amount converted to Roth that year (years after
    ``start_year`` are refused: the projection starts after the last known conversion).
    Row ``k`` (0..years) is December 31 of ``start_year + k``; row 0 is the starting point.
    """
    check_years(years)
    late = sorted(y for y in conversions if y > start_year)
    if late:
        raise UserError(f"conversions in {late} are after the projection start year {start_year}")
    if annual_after_tax is not None and annual_after_tax < 0:
        raise UserError("--annual-after-tax must not be negative")
    conv = {y: conversions[y] for y in sorted(conversions)}
    rows: list[ProjectionRow] = []
    for k in range(years + 1):
        t = start_year + k
        with localcontext() as ctx:
            ctx.prec = PRECISION
            exact = {y: amt * growth_factor(rate, t - y) for y, amt in conv.items()}
            total_exact = sum(exact.values(), Decimal(0))
            with_c = None
            if annual_after_tax is not None:
                with_c = round_cents(total_exact + _annuity(annual_after_tax, rate, k))
        rows.append(
            ProjectionRow(
                year=t,
                years_elapsed=k,
                contributed=round_cents((annual_after_tax or Decimal(0)) * k),
                by_conversion_year={y: round_cents(v) for y, v in exact.items()},
                without_contributions=round_cents(total_exact),
                with_contributions=with_c,
            )
        )
    return Projection(
        rate=rate,
        years=years,
        start_year=start_year,
        annual_after_tax=annual_after_tax,
        conversions=conv,
        rows=rows,
    )


def projection_payload(p: Projection, *, person: str) -> dict:
    """The JSON shape of ``project --format json`` (amounts as two-decimal strings)."""
    from ..money import fmt

    return {
        "person": person,
        "rate": f"{p.rate:f}",
        "years": p.years,
        "start_year": p.start_year,
        "annual_after_tax": fmt(p.annual_after_tax),
        "conversions": [{"tax_year": y, "amount": fmt(a)} for y, a in p.conversions.items()],
        "convention": (
            "annual compounding; each year's conversions count at December 31 of their tax "
            "year; continued after-tax contributions are added at the end of each projected "
            "year; rounded half up to cents"
        ),
        "rows": [
            {
                "year": r.year,
                "years_elapsed": r.years_elapsed,
                "contributed": fmt(r.contributed),
                "by_conversion_year": {str(y): fmt(v) for y, v in r.by_conversion_year.items()},
                "without_contributions": fmt(r.without_contributions),
                "with_contributions": fmt(r.with_contributions),
            }
            for r in p.rows
        ],
        "final": {
            "year": p.final.year,
            "without_contributions": fmt(p.final.without_contributions),
            "with_contributions": fmt(p.final.with_contributions),
        },
    }
