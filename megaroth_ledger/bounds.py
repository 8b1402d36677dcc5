"""Sanity bounds on what the ledger stores, identical on every backend (issue 10).

They are not tax rules but the range of values a personal retirement ledger can mean: no
single row moves a billion dollars, every date is in 1900-2100, and a name is a short line of
printable text. Checking them here (Python), not in the database, is what makes SQLite
(which stores any integer and any text length) and PostgreSQL (which would raise on an
over-long ``VARCHAR`` or a ``BIGINT`` overflow) behave the same. Each violation is one line
naming the bound.

The birth-date rule (at least 14 years before any contribution) is a plausibility bound: a
contribution needs compensation from work (IRC 415(c)(3); IRC 219(b)(1)(B) for IRAs), and the
Fair Labor Standards Act's general minimum age for employment is 14 (29 CFR 570.2).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

from .errors import UserError

MAX_AMOUNT = Decimal("1000000000.00")
MAX_AMOUNT_CENTS = 100_000_000_000
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
MIN_YEAR, MAX_YEAR = MIN_DATE.year, MAX_DATE.year
MAX_NAME = 100
MIN_AGE_AT_CONTRIBUTION = 14

AMOUNT_BOUND = "±1,000,000,000.00"
DATE_BOUND = f"{MIN_DATE.isoformat()}..{MAX_DATE.isoformat()}"


class BoundError(UserError):
    """A value outside the ledger's bounds."""


def amount_problem(value: Decimal) -> str | None:
    if abs(value) > MAX_AMOUNT:
        return f"is outside the bound {AMOUNT_BOUND}"
    return None


def cents_problem(cents: int) -> str | None:
    if not -MAX_AMOUNT_CENTS <= cents <= MAX_AMOUNT_CENTS:
        return f"is outside the bound {AMOUNT_BOUND}"
    return None


def date_problem(value: dt.date) -> str | None:
    if not MIN_DATE <= value <= MAX_DATE:
        return f"is outside the bound {DATE_BOUND}"
    return None


def year_problem(year: int) -> str | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return f"is outside the bound {MIN_YEAR}..{MAX_YEAR}"
    return None


def is_printable_text(text: str) -> bool:
    """No control (C0, C1, DEL), format (bidi overrides, zero-width), surrogate, private-use
    or unassigned characters, and no line or paragraph separators."""
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] == "C" or cat in ("Zl", "Zp"):
            return False
    return True


def name_problem(name: str, max_len: int = MAX_NAME) -> str | None:
    if not name:
        return f"must be 1-{max_len} printable characters (it is empty)"
    if len(name) > max_len:
        return f"must be 1-{max_len} printable characters (it has {len(name):,})"
    if not is_printable_text(name):
        return f"must be 1-{max_len} printable characters (it has a control or invisible character)"
    return None


def check_amount(value: Decimal, what: str = "amount") -> Decimal:
    problem = amount_problem(value)
    if problem:
        raise BoundError(f"{what} {value:,.2f} {problem}")
    return value


def check_date(value: dt.date, what: str = "date") -> dt.date:
    problem = date_problem(value)
    if problem:
        raise BoundError(f"{what} {value.isoformat()} {problem}")
    return value


def check_name(name: str, what: str = "name", max_len: int = MAX_NAME) -> str:
    problem = name_problem(name, max_len)
    if problem:
        shown = name if len(name) <= 40 else name[:40] + "…"
        raise BoundError(f"{what} {shown!r} {problem}")
    return name


def check_born_before(born: dt.date, first_contribution: dt.date | None, who: str) -> None:
    """A birth date at least 14 years before ``first_contribution`` (see the module docstring)."""
    if first_contribution is None:
        return
    try:
        limit = born.replace(year=born.year + MIN_AGE_AT_CONTRIBUTION)
    except ValueError:  # 29 February
        limit = dt.date(born.year + MIN_AGE_AT_CONTRIBUTION, 3, 1)
    if first_contribution < limit:
        raise BoundError(
            f"{who}: birth date {born.isoformat()} must be at least {MIN_AGE_AT_CONTRIBUTION} years "
            f"before any contribution (one is on {first_contribution.isoformat()})"
        )
