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


#: Return due dates the IRS postponed for IRA contributions (COVID-19): 2019 contributions until
#: July 15, 2020 (Notice 2020-23), 2020 contributions until May 17, 2021 (Notice 2021-21).
POSTPONED_IRA_DEADLINES = {2019: date(2020, 7, 15), 2020: date(2021, 5, 17)}


def ira_contribution_deadline(tax_year: int) -> date:
    """Last day to make an IRA contribution *for* ``tax_year``: the due date of the return,
    without extensions (IRC 219(f)(3), applied to Roth IRAs by 408A(a)): April 15 of the next year,
    moved to the next business day when it falls on a Saturday, Sunday or legal holiday in the
    District of Columbia (IRC 7503) -- Emancipation Day, April 16, is observed on Friday April 15
    when it falls on a Saturday and on Monday April 17 when on a Sunday. Thus April 18, 2016,
    April 18, 2017, April 17, 2018, April 18, 2022 and April 18, 2023 (the Form 8606 line 4
    text of those years). COVID-19 postponements: :data:`POSTPONED_IRA_DEADLINES`. Disaster-area
    postponements are not known to the ledger."""
    if tax_year in POSTPONED_IRA_DEADLINES:
        return POSTPONED_IRA_DEADLINES[tax_year]
    y = tax_year + 1
    emancipation = date(y, 4, 16)
    if emancipation.weekday() == 5:
        emancipation = date(y, 4, 15)
    elif emancipation.weekday() == 6:
        emancipation = date(y, 4, 17)
    due = date(y, 4, 15)
    while due.weekday() >= 5 or due == emancipation:
        due = date.fromordinal(due.toordinal() + 1)
    return due


def extended_due_date(tax_year: int) -> date:
    """The due date of the return *including extensions* (the six-month automatic extension,
    Treas. Reg. 1.6081-4): October 15 of the next year, moved to the next business day when it falls
    on a Saturday or Sunday (IRC 7503; no District of Columbia holiday falls on October 15).
    Recharacterizations (IRC 408A(d)(6), Treas. Reg. 1.408A-5 A-1) and returns of contributions with
    their net income (IRC 408(d)(4); Treas. Reg. 301.9100-2(b) for a return filed on time) must be
    made by it."""
    due = date(tax_year + 1, 10, 15)
    while due.weekday() >= 5:
        due = date.fromordinal(due.toordinal() + 1)
    return due
