"""Five-year clocks: the 10% recapture clock of each conversion/rollover layer and the
qualified-distribution clocks of the Roth IRA and of each plan's designated Roth account.

Pure functions: no database, no I/O. Inputs are the shared types of :mod:`.layers`.

Sources (see ``../shared/reference/tax-rules.md`` section (e)):

- Recapture: IRC 408A(d)(3)(F) -- a distribution allocable to a qualified rollover (conversion)
  contribution within "the 5-taxable-year period beginning with the taxable year in which such
  contribution was made" is subject to 72(t) "as if such portion were includible in gross
  income", but "only to the extent of the amount ... includible in gross income" at conversion.
  IRC 402A(c)(4)(D) applies the same rule to in-plan Roth rollovers (IRRs).
- Treas. Reg. 1.408A-6 A-5(c): the recapture period is determined separately for each
  conversion contribution. Period = the conversion year and the next four taxable years, so a
  layer is free of recapture on January 1 of year + 5 (Form 5329 instructions (2016) look at
  "conversions or rollovers to your Roth IRAs in 2012 through 2016" for a 2016 distribution).
- Recapture runs through 72(t), so reaching age 59 1/2 (72(t)(2)(A)(i)) ends it for every layer;
  the date is six months after the 59th birthday (Pub 590-B; :func:`.dates.age_59_half_on`).
- Roth IRA qualified-distribution clock: IRC 408A(d)(2)(B) and Treas. Reg. 1.408A-6 A-2 -- one
  period per person, beginning Jan 1 of the first taxable year *for which* a regular contribution
  was made or, if earlier, the first taxable year *in which* a conversion contribution was made.
  Designated-Roth-account years do not carry over on a rollover (Treas. Reg. 1.408A-10 A-4).
- Designated Roth account clock: IRC 402A(d)(2)(B), per plan, from the first taxable year of
  designated Roth contributions -- the year 1099-R box 11 reports (``Plan.first_roth_year``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .dates import age_59_half_on
from .layers import RothContribution, RothLayer

FIVE_YEARS = 5

#: Warning shown when an in-plan Roth rollover is the only thing that could start a plan's
#: designated Roth account clock (tax-rules.md (e): UNCONFIRMED).
ASSUMPTION_IRR_STARTS_DRA_CLOCK = (
    "assumption: plan {plan} has no first designated Roth contribution year (1099-R box 11) on "
    "record; its designated Roth account clock is started on January 1 of its first in-plan Roth "
    "rollover year ({year}). Whether an IRR alone starts the IRC 402A(d)(2)(B) period is "
    "UNCONFIRMED (Notice 2010-84; see docs/five-year-clocks.md)."
)
#: Warning shown when a designated-Roth-account rollover is the earliest Roth IRA contribution.
ASSUMPTION_DRA_ROLLOVER_STARTS_IRA_CLOCK = (
    "assumption: the Roth IRA clock starts with a {year} rollover from a designated Roth account "
    "(a contribution to a Roth IRA, IRC 408A(d)(2)(B)); the years the money spent in the plan do "
    "not count (Treas. Reg. 1.408A-10 A-4). Confirm against your records."
)


def clock_start(tax_year: int) -> date:
    """First day of the 5-taxable-year period that begins with ``tax_year`` (calendar-year
    taxpayer): Treas. Reg. 1.408A-6 A-2 and A-5(c)."""
    return date(tax_year, 1, 1)


def five_years_on(tax_year: int) -> date:
    """First day after the 5-taxable-year period that begins with ``tax_year``: January 1 of
    ``tax_year + 5`` (IRC 408A(d)(3)(F), 408A(d)(2)(B), 402A(d)(2)(B))."""
    return date(tax_year + FIVE_YEARS, 1, 1)


def penalty_free_on(tax_year: int, born: date) -> date:
    """The day a conversion/rollover layer of ``tax_year`` stops being exposed to the 10%
    recapture: the end of its five taxable years, or the day the owner reaches 59 1/2 if that is
    earlier (IRC 408A(d)(3)(F) applies 72(t), whose 72(t)(2)(A)(i) age exception ends it)."""
    return min(five_years_on(tax_year), age_59_half_on(born))


def within_recapture_period(tax_year: int, on: date) -> bool:
    """Whether a distribution on ``on`` falls in the 5-taxable-year period of a layer converted in
    ``tax_year`` (IRC 408A(d)(3)(F)(i)(II), Treas. Reg. 1.408A-6 A-5(c)). Age is not considered."""
    return on < five_years_on(tax_year)


@dataclass(frozen=True)
class LayerClock:
    """One conversion layer's recapture clock, with what is left of it after distributions."""

    layer: RothLayer
    remaining_taxable: Decimal
    remaining_nontaxable: Decimal
    clock_start: date
    penalty_free_on: date

    def penalty_free(self, as_of: date) -> bool:
        """Penalty-free on ``as_of``: its five years are over (or the owner is 59 1/2), or nothing
        taxable is left in it -- only the taxable part is ever recaptured (IRC
        408A(d)(3)(F)(ii)), so a layer of pure basis (a classic backdoor conversion, the Roth IRA
        half of a Notice 2014-54 split) is free from the start."""
        return as_of >= self.penalty_free_on or self.remaining_taxable == 0

    def days_left(self, as_of: date) -> int:
        return 0 if self.penalty_free(as_of) else (self.penalty_free_on - as_of).days

    @property
    def exposed(self) -> Decimal:
        """What of the layer is still exposed to recapture (before its penalty-free date): only
        the remaining *taxable* part, IRC 408A(d)(3)(F)(ii)."""
        return self.remaining_taxable


def layer_clock(
    layer: RothLayer,
    born: date,
    remaining_taxable: Decimal | None = None,
    remaining_nontaxable: Decimal | None = None,
) -> LayerClock:
    """Build the clock of one layer (remaining amounts default to the whole layer)."""
    return LayerClock(
        layer=layer,
        remaining_taxable=layer.taxable if remaining_taxable is None else remaining_taxable,
        remaining_nontaxable=layer.nontaxable if remaining_nontaxable is None else remaining_nontaxable,
        clock_start=clock_start(layer.tax_year),
        penalty_free_on=penalty_free_on(layer.tax_year, born),
    )


@dataclass(frozen=True)
class QualifiedClock:
    """A qualified-distribution clock: ``account`` is ``roth-ira`` or a plan name.

    ``qualified_on`` is the first day on which both the 5-taxable-year period has ended and the
    owner is 59 1/2 (IRC 408A(d)(2)(A)(i), 402A(d)(2)(A)); death, disability and (Roth IRA) a
    first home are event-based and not dated here.
    """

    account: str
    clock_start: date
    five_years_on: date
    qualified_on: date

    def met(self, as_of: date) -> bool:
        return as_of >= self.qualified_on

    def five_years_met(self, on: date) -> bool:
        return on >= self.five_years_on


def _qualified(account: str, first_year: int, born: date) -> QualifiedClock:
    return QualifiedClock(
        account=account,
        clock_start=clock_start(first_year),
        five_years_on=five_years_on(first_year),
        qualified_on=max(five_years_on(first_year), age_59_half_on(born)),
    )


def roth_ira_clock(
    contributions: Iterable[RothContribution], layers: Iterable[RothLayer], born: date
) -> tuple[QualifiedClock | None, list[str]]:
    """The person's single Roth IRA qualified-distribution clock (Treas. Reg. 1.408A-6 A-2).

    Regular contributions count for the year they are *for* (``tax_year``); conversions and
    plan-to-Roth-IRA rollovers for the year *in which* they were made (``tax_year`` of the layer).
    In-plan rollovers belong to a plan's designated Roth account and do not count. Returns
    ``(None, [])`` when the person has no Roth IRA money at all.
    """
    warnings: list[str] = []
    candidates: list[tuple[int, str]] = []
    for c in contributions:
        candidates.append((c.tax_year, c.kind))
    for layer in layers:
        if layer.kind in ("ira-conversion", "plan-rollover"):
            candidates.append((layer.tax_year, layer.kind))
    if not candidates:
        return None, warnings
    first_year = min(y for y, _ in candidates)
    if all(kind == "dra-rollover" for y, kind in candidates if y == first_year):
        warnings.append(ASSUMPTION_DRA_ROLLOVER_STARTS_IRA_CLOCK.format(year=first_year))
    return _qualified("roth-ira", first_year, born), warnings


def plan_clock(
    plan: str, first_roth_year: int | None, layers: Iterable[RothLayer], born: date
) -> tuple[QualifiedClock | None, list[str]]:
    """A plan's designated Roth account clock (IRC 402A(d)(2)(B); 1099-R box 11).

    Without ``first_roth_year`` the earliest in-plan Roth rollover of the plan starts it, with a
    warning naming that UNCONFIRMED assumption; with neither, ``(None, [])``.
    """
    irr_years = [x.tax_year for x in layers if x.kind == "in-plan" and x.plan == plan]
    if first_roth_year is not None:
        return _qualified(plan, first_roth_year, born), []
    if not irr_years:
        return None, []
    year = min(irr_years)
    return _qualified(plan, year, born), [ASSUMPTION_IRR_STARTS_DRA_CLOCK.format(plan=plan, year=year)]


@dataclass(frozen=True)
class ScheduleRow:
    """One row of the early-retirement table: from ``on``, the remaining money of the conversion
    years ``tax_years`` (``amount``) can come out free of the 10% recapture, and ``cumulative`` is
    the most that can then be withdrawn without it (regular contributions included)."""

    on: date
    tax_years: tuple[int, ...]
    amount: Decimal
    cumulative: Decimal


def penalty_free_schedule(
    clocks: Sequence[LayerClock], regular_remaining: Decimal, as_of: date
) -> list[ScheduleRow]:
    """Year by year, how much becomes penalty-free when (for early-retirement planning).

    Only Roth IRA layers (``ira-conversion``/``plan-rollover``) count: a Roth IRA distribution
    comes from regular contributions, then conversion years oldest first, each year's taxable part
    before its nontaxable part (IRC 408A(d)(4)(B), Treas. Reg. 1.408A-6 A-8/A-9). So the most
    that can come out without the 10% recapture is the regular contributions plus every year, oldest
    first, that is *open*: past its penalty-free date (``min(Jan 1 of year+5, age 59 1/2)``), or
    with nothing taxable left in it -- only the part of a conversion that was includible in income
    is exposed (IRC 408A(d)(3)(F)(ii)), so a backdoor conversion with full basis, or the after-tax
    basis of a plan rollover, can come out penalty-free at once. The first year still exposed
    blocks its own nontaxable part and every later year. The first row is ``as_of`` (what is
    free already); then one row per date on which a blocking year frees up, listing the years
    that become reachable then. Earnings are not included, nor layers of years after ``as_of``'s
    (Treas. Reg. 1.408A-6 A-9 aggregates a year's conversions with that year's distributions, so a
    layer of ``as_of``'s own year counts, as in :func:`.ordering.take`).
    """
    by_year: dict[int, list[LayerClock]] = {}
    for c in clocks:
        if c.layer.kind != "in-plan" and c.layer.tax_year <= as_of.year:
            by_year.setdefault(c.layer.tax_year, []).append(c)
    years = sorted(by_year)

    def total(year: int) -> Decimal:
        return sum((c.remaining_taxable + c.remaining_nontaxable for c in by_year[year]), Decimal(0))

    def is_open(year: int, on: date) -> bool:
        exposed = sum((c.remaining_taxable for c in by_year[year]), Decimal(0))
        return exposed == 0 or all(c.penalty_free_on <= on for c in by_year[year])

    def reachable(on: date) -> int:
        n = 0
        while n < len(years) and is_open(years[n], on):
            n += 1
        return n

    n = reachable(as_of)
    running = regular_remaining + sum((total(y) for y in years[:n]), Decimal(0))
    rows = [ScheduleRow(as_of, tuple(years[:n]), running, running)]
    for day in sorted(
        {c.penalty_free_on for y in years[n:] for c in by_year[y] if c.penalty_free_on > as_of}
    ):
        m = reachable(day)
        if m == n:
            continue
        amount = sum((total(y) for y in years[n:m]), Decimal(0))
        running += amount
        rows.append(ScheduleRow(day, tuple(years[n:m]), amount, running))
        n = m
    return rows
