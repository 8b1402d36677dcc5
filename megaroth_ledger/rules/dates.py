"""Date helpers for age tests.

Age at year end: IRC 414(v)(5)(A) ("would attain age 50 by the end of the taxable year").
Age 59 1/2: IRC 72(t)(2)(A)(i), 408A(d)(2)(A)(i); the date is six calendar months after the
59th birthday (Pub 590-B: "you reach age 59 1/2 on the date that is 6 months after your
59th birthday").
"""

from __future__ import annotations

import calendar
from datetime import date


def age_at_year_end(born: date, year: int) -> int:
    """Whole years of age on December 31 of ``year``."""
    return year - born.year


def add_months(d: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's last day (Aug 31 + 6 -> Feb 28/29)."""
    total = d.month - 1 + months
    y, m = d.year + total // 12, total % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def date_of_age(born: date, years: int) -> date:
    """The birthday on which someone born on ``born`` turns ``years`` (Feb 29 -> Feb 28)."""
    return add_months(born, 12 * years)


def age_59_half_on(born: date) -> date:
    """The date a person reaches age 59 1/2: six months after the 59th birthday."""
    return add_months(date_of_age(born, 59), 6)
