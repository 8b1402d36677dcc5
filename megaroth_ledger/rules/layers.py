"""Roth IRA / designated Roth "layers": the shared vocabulary between the forms rules
(which create layers when money is converted or rolled) and the clock/ordering rules
(which consume them when money comes out).

Sources:
- IRC 408A(d)(4)(B) and Treas. Reg. 1.408A-6 A-8/A-9: a Roth IRA distribution comes first
  from regular contributions, then conversion and rollover contributions first-in first-out
  (taxable part of each year before its nontaxable part), then earnings.
- Treas. Reg. 1.408A-10 A-3: the part of a designated-Roth-account rollover that was
  investment in the contract is treated as a regular contribution.
- IRC 408A(d)(3)(F), 402A(c)(4)(D): only the taxable part of a conversion/rollover is exposed
  to the 10% additional tax within its five taxable years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

LayerKind = Literal["ira-conversion", "plan-rollover", "in-plan"]
ContributionKind = Literal["regular", "dra-rollover"]


@dataclass(frozen=True)
class RothLayer:
    """One conversion or rollover contribution.

    ``ira-conversion``: traditional/SEP/SIMPLE IRA -> Roth IRA (taxable = Form 8606 line 18 share).
    ``plan-rollover``: non-Roth plan money (e.g. after-tax sub-account) -> Roth IRA
    (taxable = 1099-R box 2a of that rollover, the Form 1040 line 5b amount).
    ``in-plan``: in-plan Roth rollover (IRR) into the plan's designated Roth account; ``plan`` names it.
    """

    kind: LayerKind
    plan: str | None
    date: date
    tax_year: int
    amount: Decimal
    taxable: Decimal

    @property
    def nontaxable(self) -> Decimal:
        return self.amount - self.taxable


@dataclass(frozen=True)
class RothContribution:
    """A regular Roth IRA contribution (``tax_year`` is the year it is *for*), or the part of
    a designated-Roth-account rollover treated as a regular contribution."""

    kind: ContributionKind
    date: date
    tax_year: int
    amount: Decimal
