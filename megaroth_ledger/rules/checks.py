"""Pure parts of ``megaroth check`` (issue 9): what makes a ledger figure suspicious.

No database here: :mod:`megaroth_ledger.services.check` gathers the figures. Two of these are
tax rules (each cites its source); the balance heuristic is bookkeeping, not tax law, and
says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0.00")

#: A balance difference larger than this share of the ledger's balance is out of proportion
#: (a diversified account rarely moves more in a statement period: the S&P 500's worst
#: calendar year since 1937 was 2008, -37%; money contributed during the year is exposed
#: for less than the whole year).
BALANCE_SHARE = Decimal("0.40")
#: ... and larger than this share of the year's contributions to the sub-account: a duplicate
#: statement makes the ledger hold the year's contributions twice, so the statement implies
#: a loss of (at least) half of what the ledger shows as contributed; a missing statement
#: implies a gain of the contributions it held.
CONTRIBUTION_SHARE = Decimal("0.50")


@dataclass(frozen=True)
class Suspicion:
    cause: str  # "duplicate statement" | "missing statement"
    message: str


def balance_out_of_proportion(
    difference: Decimal, ledger_balance: Decimal, year_contributions: Decimal
) -> Suspicion | None:
    """Is a balance assertion's difference (statement less ledger, booked as earnings) out of
    proportion, i.e. more likely a bookkeeping error than the market?

    Bookkeeping heuristic (no tax rule): out of proportion when ``|difference|`` is at least
    :data:`CONTRIBUTION_SHARE` of the year's contributions to that sub-account (through the
    assertion's date) **and** more than :data:`BALANCE_SHARE` of the ledger's balance (so a
    large old balance moving with the market is not flagged). A sub-account the ledger held
    nothing in is an opening balance, never suspicious. A loss points to a duplicate
    statement (the same activity imported twice), a gain to a missing statement.
    """
    if not difference or ledger_balance <= 0:
        return None
    size = abs(difference)
    if size < CONTRIBUTION_SHARE * max(year_contributions, ZERO) or size <= BALANCE_SHARE * ledger_balance:
        return None
    if year_contributions <= 0 and difference > 0:
        return None  # no contributions this year: a gain on what is there is the market's
    if difference < 0:
        return Suspicion(
            "duplicate statement",
            (
                f"a loss of {size:,.2f} on a ledger balance of {ledger_balance:,.2f} (the year's contributions "
                f"so far: {year_contributions:,.2f}) is out of proportion: likely a duplicate statement (the same "
                "activity imported twice; see `megaroth check` duplicate-statements and `megaroth import list`)"
            ),
        )
    return Suspicion(
        "missing statement",
        (
            f"a gain of {size:,.2f} on a ledger balance of {ledger_balance:,.2f} (the year's contributions so "
            f"far: {year_contributions:,.2f}) is out of proportion: likely a missing statement (activity the "
            "ledger does not have yet: import the statement that covers it)"
        ),
    )


def employer_key(name: str) -> str:
    """An employer name without case, spacing or punctuation: ``Acme Corp.`` and ``ACME  corp``
    agree. Plans of one employer share one IRC 415(c) limit (IRC 415(c)(1); 414(b)/(c)), so
    names that differ only so are probably one employer typed twice."""
    return re.sub(r"[\W_]+", "", name.casefold())


@dataclass(frozen=True)
class ProRata:
    status: str  # "fail" | "warn"
    message: str


def traditional_ira_inflows(
    year: int, inflows: Decimal, dec31_value: Decimal | None, converted: Decimal
) -> ProRata | None:
    """Money rolled into a traditional IRA during ``year`` (a Notice 2014-54 earnings leg, a
    rollover) and the backdoor Roth's pro-rata rule.

    Form 8606 line 6 is the value of all traditional, SEP and SIMPLE IRAs on December 31 plus
    outstanding rollovers (Instructions for Form 8606, line 6; IRC 408(d)(2)), so pre-tax money
    that arrives any time in the year of a conversion makes part of the conversion taxable.

    - fail: the December 31 value is below what came in (and was not converted): line 6 then
      understates the pre-tax money and the conversion's taxable part is too low;
    - warn: a conversion in the same year as pre-tax inflows (the trap itself: line 6 includes
      them and the conversion is taxable pro rata).
    """
    if inflows <= 0:
        return None
    if dec31_value is not None and dec31_value + converted < inflows:
        return ProRata(
            "fail",
            (
                f"{year}: {inflows:,.2f} was rolled into a traditional IRA but the December 31 value is "
                f"{dec31_value:,.2f} (and {converted:,.2f} was converted): Form 8606 line 6 must include it "
                "(Instructions for Form 8606, line 6); check `megaroth ira value`"
            ),
        )
    if converted > 0:
        return ProRata(
            "warn",
            (
                f"{year}: {inflows:,.2f} of pre-tax money came into a traditional IRA in a year with a "
                f"conversion of {converted:,.2f}: it counts in the December 31 value (Form 8606 line 6), so "
                "the conversion is taxable pro rata (the backdoor pro-rata trap); rolling it into a workplace "
                "plan by December 31 keeps it out of line 6"
            ),
        )
    return None
