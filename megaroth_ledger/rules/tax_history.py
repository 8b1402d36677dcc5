"""A person's whole history -> every year's 1099-Rs, Form 8606, Form 1040 lines, and the
Roth layers (pure: the service module assembles :class:`PersonHistory` from the database).

Year by year:
1. Each plan's after-tax sub-account is replayed in date order and every distribution is
   split pro rata as of its date (IRC 72(e)(8)(B), 72(d)(2): :mod:`.basis`), then allocated
   to its destinations (Notice 2014-54). Each part becomes a 1099-R leg (:mod:`.form1099r`).
2. The IRA side gives Form 8606 inputs: line 1 nondeductible contributions *for* the year
   (with line 4 = those made Jan 1-Apr 15 of the next year), line 6 the recorded Dec 31
   value, line 7 traditional distributions and line 8 conversions made *in* the year; Part
   III the nonqualified Roth IRA distributions. Line 14 and the Roth bases carry forward.
3. Form 1040 lines from the 1099-R totals and Form 8606.

A Roth IRA distribution is qualified (and left out of Part III, line 19) when made on or
after age 59 1/2 and in or after the fifth taxable year after the first year for which a
Roth IRA contribution (or in which a conversion/rollover) was made: IRC 408A(d)(2)(A)(i),
(d)(2)(B); Treas. Reg. 1.408A-6 A-2 -- or when made after that period because of death or
disability (IRC 408A(d)(2)(A)(ii)-(iii), recorded as the distribution's exception). A
first-home distribution after the five years stays on line 19 with its amount on line 20
(Form 8606 lines 19-20; $10,000 lifetime, IRC 72(t)(8)(B)).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from ..errors import UnsupportedSituation, UserError
from ..money import ZERO
from .basis import (
    DistributionSplit,
    Replay,
    SubAccountMove,
    SubAccountState,
    allocate_destinations,
    replay,
)
from .corrections import ANNUAL_ADDITION_1099R_NOTE, CORRECTION_1099R_WARNING, LINE_1H_NOTE
from .corrections import derive as derive_corrections
from .dates import age_59_half_on
from .form1040 import Form1040Lines, compute_1040, plan_totals
from .form1099r import CODE_1_EXCEPTIONS, Form1099R, IraPayment, PlanPayment, ira_forms, plan_forms
from .form8606 import HOMEBUYER_LIFETIME_CAP, Carry, Form8606, Form8606Input, compute_8606
from .layers import RothContribution, RothLayer
from .ordering import EXCEPTIONS

_RANK = {"contribution": 0, "earnings": 1, "distribution": 2}

#: The Roth IRA custodian's 1099-R. Instructions for Forms 1099-R and 5498 (Roth IRA distributions,
#: as printed in the 2022 instructions): "For distributions from a Roth IRA, report the gross
#: distribution in box 1 but generally leave box 2a blank. Mark the Taxable amount not determined
#: checkbox in 2b. Use code J, T, or Q as appropriate in box 7"; the form's own Instructions for
#: Recipient: "Roth IRAs. For distributions from a Roth IRA, generally the payer isn't required to
#: compute the taxable amount. You must compute any taxable amount on Form 8606" and "Box 2b. If
#: the first box is checked, the payer was unable to determine the taxable amount, and box 2a
#: should be blank". Codes (Guide to Distribution Codes): Q "if you know that the participant meets
#: the 5-year holding period and" 59 1/2, death or disability; T "if you do not know if the 5-year
#: holding period has been met but" 59 1/2, death or disability; J otherwise. (Confirmed in issue
#: 11; formerly flagged UNCONFIRMED.)
ROTH_1099R_WARNING = (
    "the Roth IRA custodian's 1099-R: box 1 = the distribution, box 2a blank and 2b 'taxable amount not "
    "determined' checked, code Q (five years met and 59 1/2, death or disability), T (59 1/2, death or "
    "disability, the five years not known to the custodian) or J (otherwise) (Instructions for Forms 1099-R "
    "and 5498); the taxable part is figured on Form 8606 Part III. A custodian that does not know of your "
    "other Roth IRAs or earlier contributions may use T where the ledger shows Q"
)
QUALIFIED_WARNING = (
    "Roth IRA distributions are treated as nonqualified unless made after the 5-taxable-year "
    "period on or after age 59 1/2, or because of death or disability (recorded with "
    "--exception); a first-home distribution (--exception first-home) after the five years goes "
    "on Form 8606 line 19 with line 20"
)
HOMEBUYER_WARNING = (
    "Form 8606 line 20: each Roth IRA distribution recorded with --exception first-home after the "
    "5-taxable-year period is taken to be spent on qualified first-time homebuyer expenses (up to "
    "the $10,000 lifetime limit, IRC 72(t)(8)); line 20 is an election -- enter less if it is not "
    "to your advantage or the expenses were smaller"
)
#: 72(t) exceptions that also make a Roth IRA distribution after the five years qualified and
#: keep it off Form 8606 line 19 (IRC 408A(d)(2)(A)(ii)-(iii)): the ``qualifies`` events of the one
#: exception table, less first-home, which stays on line 19 with line 20 (handled below).
QUALIFYING_EXCEPTIONS = frozenset(n for n, e in EXCEPTIONS.items() if e.qualifies) - {"first-home"}
TOTAL_DISTRIBUTION_WARNING = (
    "box 2b 'total distribution' is checked because the ledger shows the plan's whole balance "
    "(all sources) paid out this year (1099-R instructions: 'one or more distributions within 1 "
    "tax year in which the entire balance of the account is distributed'); if the ledger does not "
    "hold every source of the plan, disregard it"
)
PROVISIONAL_LINE6_WARNING = (
    "PROVISIONAL: no December 31, {year} value of the traditional IRAs is recorded (Form 8606 line "
    "6), so the taxable part of {year}'s IRA conversions is figured as if it were 0 (no pre-tax IRA "
    "money left at year end); record `megaroth ira value --year {year}` once it is known"
)
CARRY_CLOCK_WARNING = (
    "UNCONFIRMED: the Roth IRA's 5-taxable-year period (Form 8606 line 19, IRC 408A(d)(2)(B)) is "
    "counted from {year}, the `basis set` year, because the ledger does not know the first year "
    "for which a Roth IRA contribution was made before it; if that year is earlier, this "
    "distribution may be qualified and belong off Form 8606 Part III"
)
CARRY_LAYER_DATE_NOTE = (
    "conversion layers entered with `basis set --conversion` are dated January 1 of their year"
)


@dataclass(frozen=True)
class PlanMove:
    """One after-tax sub-account event of a plan. Distributions name where the money went."""

    plan: str
    date: date
    kind: str  # contribution | earnings | distribution
    amount: Decimal
    to: str | None = None  # in-plan | roth-ira | cash | correction (distributions)
    earnings_to: str | None = None  # traditional-ira (Notice 2014-54 split)
    basis_override: Decimal | None = None
    exception: str | None = None
    total_distribution: bool = False
    ref: str = ""


@dataclass(frozen=True)
class DraMove:
    """One designated Roth account (Roth 401(k)) event of a plan, other than an IRR coming in
    (IRRs come from the after-tax replay). ``distribution``: ``to`` is ``cash`` or ``roth-ira``."""

    plan: str
    date: date
    kind: str  # contribution | earnings | distribution
    amount: Decimal
    to: str | None = None
    exception: str | None = None
    ref: str = ""


@dataclass(frozen=True)
class IraMove:
    date: date
    tax_year: int
    kind: str  # contribution | conversion | distribution | rollover_in
    account: str  # traditional | roth
    amount: Decimal
    nondeductible: Decimal | None = None
    exception: str | None = None
    ref: str = ""
    earnings: Decimal | None = None  # recharacterizations / returned contributions: net income moved
    after_due_date: bool = False  # returned contributions: removed after the return's due date
    deductibility_open: bool = False  # a traditional contribution whose deduction is figured later


@dataclass(frozen=True)
class CarryForward:
    """Figures known at the end of ``year`` (``basis set``)."""

    year: int
    traditional: Decimal = ZERO  # that year's Form 8606 line 14
    roth_contributions: Decimal = ZERO  # Part III line 22 basis left
    layers: tuple[tuple[int, Decimal, Decimal], ...] = ()  # (year, gross, taxable)
    roth_conversion_basis: Decimal | None = None  # default: sum of the layers' gross
    first_roth_year: int | None = None


@dataclass(frozen=True)
class PersonHistory:
    person: str
    born: date
    plan_moves: tuple[PlanMove, ...] = ()
    other_plan_payments: tuple[PlanPayment, ...] = ()  # e.g. pretax cash withdrawals
    ira_moves: tuple[IraMove, ...] = ()
    ira_values: dict[int, Decimal] = field(default_factory=dict)
    #: years whose recorded value (Form 8606 line 6) already takes into account that year's
    #: contributions recharacterized after December 31 (``ira value --after-recharacterizations``)
    ira_values_after_recharacterizations: frozenset[int] = frozenset()
    carryforward: CarryForward | None = None
    plan_starts: dict[str, SubAccountState] = field(default_factory=dict)
    dra_moves: tuple[DraMove, ...] = ()
    plan_first_roth_year: dict[str, int | None] = field(default_factory=dict)
    #: (plan, year) pairs whose distributions left the whole plan account (all sources) at zero
    closed_plan_years: frozenset[tuple[str, int]] = frozenset()
    #: tax year -> the most of that year's traditional IRA contributions that is deductible (IRC
    #: 219(g); Pub 590-A Worksheet 1-2), for years with a contribution whose deductibility is open
    deduction_limits: dict[int, Decimal] = field(default_factory=dict)
    #: corrective distributions of 402(g) excess deferrals (rules.corrections)
    plan_corrections: tuple = ()


@dataclass
class YearResult:
    year: int
    plan_forms: list[Form1099R]
    ira_forms: list[Form1099R]
    f8606: Form8606
    f1040: Form1040Lines
    warnings: list[str]
    splits: list[tuple[str, DistributionSplit]]  # (plan, split) of the year
    #: net income of contributions returned by the due date, taxable this year, paid before 59 1/2
    #: (Form 5329 line 1): (distribution date, amount)
    returned_early_earnings: list[tuple[date, Decimal]] = field(default_factory=list)
    #: why this year's Form 1040 lines are not derived (rules.corrections.ANNUAL_ADDITION_1040_REFUSAL)
    f1040_refusal: str | None = None

    @property
    def forms(self) -> list[Form1099R]:
        return self.plan_forms + self.ira_forms


@dataclass
class HistoryResult:
    years: dict[int, YearResult]
    roth_contributions: list[RothContribution]
    roth_layers: list[RothLayer]
    plan_states: dict[str, SubAccountState]
    replays: dict[str, Replay]
    first_roth_year: int | None

    def year(self, y: int) -> YearResult:
        if y in self.years:
            return self.years[y]
        raise KeyError(y)


def _pro_rata_note(split: DistributionSplit) -> str:
    note = (
        f"pro rata on {split.date.isoformat()}: {split.amount:,.2f} x basis "
        f"{split.basis_before:,.2f} / balance {split.balance_before:,.2f} = "
        f"{split.basis_computed:,.2f}"
    )
    if split.overridden:
        note += f"; basis {split.basis:,.2f} from the plan's confirmation (--basis)"
    return note


def _years_span(h: PersonHistory, through: int | None) -> tuple[int | None, int | None]:
    years = [m.date.year for m in h.plan_moves] + [m.tax_year for m in h.ira_moves]
    years += [m.date.year for m in h.ira_moves] + [p.date.year for p in h.other_plan_payments]
    years += [m.date.year for m in h.dra_moves]  # a code-H rollover adds Roth IRA basis (line 22)
    years += list(h.ira_values)
    start = min(years) if years else None
    if h.carryforward is not None:
        start = h.carryforward.year + 1 if start is None else max(start, h.carryforward.year + 1)
    end = max(years) if years else None
    if through is not None:
        end = through if end is None else max(end, through)
    if start is None and end is not None:
        start = end
    return start, end


def compute_history(
    h: PersonHistory, through: int | None = None, *, provisional_line6: bool = False
) -> HistoryResult:
    """Everything for every year from the first event (or the carryforward) to ``through``.

    Events in or before the carryforward year are ignored: the carryforward already holds
    their result (the history "starts mid-way").

    Form 8606 line 6 (the Dec 31 value) is required wherever Part I has a distribution or
    conversion; without it :func:`.form8606.compute_8606` raises. ``provisional_line6=True`` (for
    clocks and what-ifs during a year whose Dec 31 value cannot be known yet) uses 0 instead and
    says so in :data:`PROVISIONAL_LINE6_WARNING` -- the conversion layers' taxable parts are then
    provisional. Tax forms never use it.
    """
    cf = h.carryforward
    cut = cf.year if cf else None

    def after_cut(y: int) -> bool:
        return cut is None or y > cut

    # -- 1. plans -------------------------------------------------------------------------
    by_plan: dict[str, list[PlanMove]] = defaultdict(list)
    for m in h.plan_moves:  # all of them: the sub-account's state needs its whole history
        by_plan[m.plan].append(m)
    plan_payments: dict[int, list[PlanPayment]] = defaultdict(list)
    year_splits: dict[int, list[tuple[str, DistributionSplit]]] = defaultdict(list)
    year_warnings: dict[int, list[str]] = defaultdict(list)
    plan_roth_rollovers: dict[int, Decimal] = defaultdict(lambda: ZERO)
    irr_years: set[int] = set()
    layers: list[RothLayer] = []
    contributions: list[RothContribution] = []
    replays: dict[str, Replay] = {}
    plan_states: dict[str, SubAccountState] = dict(h.plan_starts)
    roth_years: list[int] = []
    for plan in sorted(set(by_plan) | set(h.plan_starts)):
        moves = sorted(by_plan.get(plan, []), key=lambda m: (m.date, _RANK[m.kind]))
        sub_moves = [
            SubAccountMove(m.date, m.kind, m.amount, m.basis_override, m.ref)  # type: ignore[arg-type]
            for m in moves
        ]
        rp = replay(sub_moves, h.plan_starts.get(plan))
        replays[plan] = rp
        plan_states[plan] = rp.final
        for m, step in zip(moves, rp.steps):
            if step.split is None:
                continue
            split = step.split
            y = m.date.year
            if not after_cut(y):
                continue  # covered by the carryforward (`basis set` layers)
            if m.to == "correction":
                # after-tax contributions returned under EPCRS (basis = the contributions, not pro rata):
                # their code-E 1099-R comes from rules.corrections, not from a plan payment
                continue
            year_splits[y].append((plan, split))
            year_warnings[y].extend(w for w in split.warnings if w not in year_warnings[y])
            if m.to is None:
                raise UnsupportedSituation(f"distribution {m.ref} has no destination")
            parts = allocate_destinations(split, m.to, m.earnings_to)
            for part in parts:
                plan_payments[y].append(
                    PlanPayment(
                        payer=plan,
                        date=m.date,
                        destination=part.destination,
                        gross=part.gross,
                        taxable=part.taxable,
                        basis=part.basis,
                        exception=m.exception,
                        total_distribution=m.total_distribution,
                        split=m.earnings_to is not None,
                        refs=(m.ref, _pro_rata_note(split)) if m.ref else (_pro_rata_note(split),),
                    )
                )
                if part.destination == "in-plan":
                    irr_years.add(y)
                    layers.append(RothLayer("in-plan", plan, m.date, y, part.gross, part.taxable))
                elif part.destination == "roth-ira":
                    plan_roth_rollovers[y] += part.gross
                    roth_years.append(y)
                    layers.append(RothLayer("plan-rollover", plan, m.date, y, part.gross, part.taxable))
    for p in h.other_plan_payments:
        if after_cut(p.date.year):
            plan_payments[p.date.year].append(p)
            if p.destination == "in-plan":  # an IRR of pretax money: all of it taxable
                irr_years.add(p.date.year)
                layers.append(RothLayer("in-plan", p.payer, p.date, p.date.year, p.gross, p.taxable))
            elif p.destination == "roth-ira":
                plan_roth_rollovers[p.date.year] += p.gross
                roth_years.append(p.date.year)
                layers.append(RothLayer("plan-rollover", p.payer, p.date, p.date.year, p.gross, p.taxable))

    # -- 2. IRA side ------------------------------------------------------------------------
    nondeductible: dict[int, Decimal] = defaultdict(lambda: ZERO)
    nondeductible_next: dict[int, Decimal] = defaultdict(lambda: ZERO)
    roth_contrib: dict[int, Decimal] = defaultdict(lambda: ZERO)
    conversions: dict[int, list[IraMove]] = defaultdict(list)
    distributions: dict[int, Decimal] = defaultdict(lambda: ZERO)
    roth_dists: dict[int, list[IraMove]] = defaultdict(list)
    ira_payments: dict[int, list[IraPayment]] = defaultdict(list)
    regular_roth: dict[int, Decimal] = defaultdict(lambda: ZERO)
    all_traditional: dict[int, Decimal] = defaultdict(lambda: ZERO)
    fixed_deductible: dict[int, Decimal] = defaultdict(lambda: ZERO)
    open_contrib: dict[int, list[IraMove]] = defaultdict(list)
    recharacterizations: list[IraMove] = []
    returns: list[IraMove] = []
    for im in sorted(h.ira_moves, key=lambda im: im.date):
        if im.kind == "contribution":
            if not after_cut(im.tax_year):
                continue
            if im.account == "traditional":
                all_traditional[im.tax_year] += im.amount
                if im.deductibility_open:
                    open_contrib[im.tax_year].append(im)
                    continue
                nd = im.nondeductible or ZERO
                if nd > im.amount:
                    raise UserError(f"nondeductible part {nd} is above the contribution {im.amount}")
                fixed_deductible[im.tax_year] += im.amount - nd
                nondeductible[im.tax_year] += nd
                if im.date.year > im.tax_year:
                    nondeductible_next[im.tax_year] += nd
            elif im.account == "roth":
                roth_contrib[im.tax_year] += im.amount
                regular_roth[im.tax_year] += im.amount
                contributions.append(RothContribution("regular", im.date, im.tax_year, im.amount))
            else:
                raise UserError(f"unknown IRA account {im.account!r}")
            continue
        if im.kind == "recharacterization":
            if after_cut(im.tax_year):
                recharacterizations.append(im)
            continue
        if im.kind == "return":
            if after_cut(im.tax_year if not im.after_due_date else im.date.year):
                returns.append(im)
            continue
        if not after_cut(im.date.year):
            continue
        y = im.date.year
        if im.kind == "conversion":
            conversions[y].append(im)
            roth_years.append(y)
            ira_payments[y].append(
                IraPayment(im.date, "conversion", im.amount, None, (im.ref,) if im.ref else ())
            )
        elif im.kind == "distribution" and im.account == "traditional":
            distributions[y] += im.amount
            ira_payments[y].append(
                IraPayment(im.date, "distribution", im.amount, im.exception, (im.ref,) if im.ref else ())
            )
        elif im.kind == "distribution" and im.account == "roth":
            roth_dists[y].append(im)
        elif im.kind == "rollover_in":
            continue  # the plan side reports it; the traditional IRA value includes it
        else:
            raise UnsupportedSituation(f"IRA event {im.kind} from {im.account} is not supported")

    # contributions whose deductibility was open: the deductible part is what the year's deduction
    # limit leaves after the contributions recorded as deductible (IRC 219(g); Pub 590-A Worksheet
    # 1-2, with the MAGI that includes the taxable part from Pub 590-B Worksheet 1-1); the rest is
    # nondeductible (Form 8606 line 1)
    for ty, opened in open_contrib.items():
        if any(r.tax_year == ty and r.account == "traditional" for r in recharacterizations + returns):
            raise UnsupportedSituation(
                f"{ty}: a traditional IRA contribution whose deductibility is open was also recharacterized or "
                "returned -- not supported"
            )
        limit = h.deduction_limits.get(ty)
        if limit is None:
            raise UserError(
                f"a {ty} traditional IRA contribution has its deductibility open: record the {ty} filing status "
                f"and MAGI (`megaroth tax-year set --year {ty}`) so the deductible part can be figured"
            )
        total_open = sum((m.amount for m in opened), ZERO)
        deductible_open = max(ZERO, min(total_open, limit - fixed_deductible[ty]))
        nd_open = total_open - deductible_open
        nondeductible[ty] += nd_open
        late = {m.date.year > ty for m in opened}
        if nd_open and late == {True}:
            nondeductible_next[ty] += nd_open
        elif nd_open and len(late) > 1:
            raise UnsupportedSituation(
                f"{ty}: contributions with open deductibility were made partly in {ty} and partly in {ty + 1}; "
                "Form 8606 line 4 depends on which part is nondeductible -- not supported"
            )
    late_rechar = _apply_recharacterizations(
        h,
        recharacterizations,
        nondeductible,
        nondeductible_next,
        roth_contrib,
        regular_roth,
        contributions,
        ira_payments,
        year_warnings,
        after_cut,
    )
    ret = _apply_returns(
        h,
        returns,
        nondeductible,
        nondeductible_next,
        roth_contrib,
        regular_roth,
        contributions,
        ira_payments,
        year_warnings,
        after_cut,
    )
    roth_years.extend(y for y, v in regular_roth.items() if v > 0)

    # -- 2b. designated Roth accounts: nonqualified distributions pro rata (code B), direct
    # rollovers to a Roth IRA (code H; the basis becomes regular contributions there) -------
    _dra(h, layers, after_cut, plan_payments, year_warnings, roth_contrib, contributions, roth_years)

    first_roth_year: int | None = None
    if cf is not None:
        cf_years = [y for y, _, _ in cf.layers]
        if cf.first_roth_year is not None:
            cf_years.append(cf.first_roth_year)
        elif cf.roth_contributions > 0:
            cf_years.append(cf.year)  # unknown first year: the latest possible (conservative)
        roth_years.extend(cf_years)
        for ly, gross, taxable in cf.layers:
            layers.append(RothLayer("ira-conversion", None, date(ly, 1, 1), ly, gross, taxable))
        if cf.roth_contributions > 0:
            contributions.append(
                RothContribution("regular", date(cf.year, 12, 31), cf.year, cf.roth_contributions)
            )
    if roth_years:
        first_roth_year = min(roth_years)
    # the five years counted from the `basis set` year only for want of the real first year
    cf_clock_guess = (
        cf is not None
        and cf.first_roth_year is None
        and cf.roth_contributions > 0
        and first_roth_year == cf.year
    )

    # -- 3. year by year ----------------------------------------------------------------------
    start, end = _years_span(h, through)
    carry = Carry()
    if cf is not None:
        conv_basis = cf.roth_conversion_basis
        if conv_basis is None:
            conv_basis = sum((g for _, g, _ in cf.layers), ZERO)
        carry = Carry(cf.traditional, cf.roth_contributions, conv_basis)
    results: dict[int, YearResult] = {}
    corr = derive_corrections([c for c in h.plan_corrections if after_cut(c.date.year)])
    if start is not None and end is not None and corr.forms:
        end = max(end, max(corr.forms))
    if start is not None and end is not None:
        qualified_from = age_59_half_on(h.born)
        homebuyer_used = ZERO  # Form 8606 line 20 amounts of earlier years (lifetime limit)
        ira_payments_roth: list[IraPayment] = []
        for y in range(start, end + 1):
            warnings = list(year_warnings.get(y, []))
            nonqualified = ZERO
            roth_gross = ZERO
            homebuyer = ZERO
            for d in roth_dists.get(y, []):
                roth_gross += d.amount
                five_years = first_roth_year is not None and y >= first_roth_year + 5
                # IRC 408A(d)(2)(A)(i)-(iii): 59 1/2, death or disability, after the five years.
                # Form 8606 line 19 instructions leave such distributions out of Part III; a
                # first-time-homebuyer distribution stays on line 19 (line 20 subtracts the expenses).
                event = d.date >= qualified_from or (d.exception in QUALIFYING_EXCEPTIONS)
                # the custodian's 1099-R (Instructions for Forms 1099-R and 5498, Guide to Distribution
                # Codes): Q "Qualified distribution from a Roth IRA" (the 5-year holding period met and
                # 59 1/2, death or disability); T "Roth IRA distribution, exception applies" (59 1/2,
                # death or disability, the 5-year period not known to be met); J "Early distribution
                # from a Roth IRA" (when Q or T does not apply)
                code = "Q" if (five_years and event) else ("T" if event else "J")
                if after_cut(y):
                    ira_payments_roth.append(
                        IraPayment(
                            d.date,
                            "roth-distribution",
                            d.amount,
                            d.exception,
                            (d.ref,) if d.ref else (),
                            payer="roth-ira",
                            code=code,
                            destination="cash",
                        )
                    )
                if not (five_years and event):
                    nonqualified += d.amount
                    note = CARRY_CLOCK_WARNING.format(year=first_roth_year)
                    if event and cf_clock_guess and note not in warnings:
                        warnings.append(note)
                    if five_years and d.exception == "first-home":
                        # Qualified special purpose distribution (408A(d)(2)(A)(iv), 72(t)(8)):
                        # Form 8606 line 20, the smaller of line 19 and the expenses, within the
                        # $10,000 lifetime limit (72(t)(8)(B)); the expenses are taken to be at
                        # least the distribution (HOMEBUYER_WARNING). Same as the what-if
                        # (ordering.year_forms).
                        room = HOMEBUYER_LIFETIME_CAP - homebuyer_used - homebuyer
                        homebuyer += max(ZERO, min(d.amount, room))
            if roth_gross:
                warnings.append(ROTH_1099R_WARNING)
                if nonqualified:
                    warnings.append(QUALIFIED_WARNING)
                if homebuyer:
                    warnings.append(HOMEBUYER_WARNING)
            homebuyer_used += homebuyer
            ira_payments[y].extend(ira_payments_roth)
            ira_payments_roth.clear()
            conv_total = sum((c.amount for c in conversions.get(y, [])), ZERO)
            prior_basis = carry.traditional_basis
            withdrawn_basis = ret.basis_withdrawn.get(y, ZERO)
            if withdrawn_basis:
                # "Don't take into account the amount of the withdrawn contributions in figuring line 2"
                # (Form 8606 instructions, excess contributions withdrawn after the due date)
                if withdrawn_basis > prior_basis:
                    raise UnsupportedSituation(
                        f"{y}: {withdrawn_basis:,.2f} of nondeductible excess withdrawn after the due date, but the "
                        f"basis carried into {y} is only {prior_basis:,.2f}; check the ledger"
                    )
                prior_basis -= withdrawn_basis
            inp = Form8606Input(
                tax_year=y,
                nondeductible=nondeductible.get(y, ZERO),
                nondeductible_next_year=nondeductible_next.get(y, ZERO),
                prior_basis=prior_basis,
                year_end_value=h.ira_values.get(y, ZERO if provisional_line6 else None),
                distributions=distributions.get(y, ZERO),
                conversions=conv_total,
                roth_distributions=nonqualified,
                homebuyer=homebuyer,
                roth_contributions=roth_contrib.get(y, ZERO),
                roth_regular_basis_prior=carry.roth_regular_basis,
                roth_conversion_basis_prior=carry.roth_conversion_basis,
                plan_roth_rollovers=plan_roth_rollovers.get(y, ZERO),
                worksheet_contributions=all_traditional.get(y, ZERO) if y in open_contrib else None,
            )
            f8606 = compute_8606(inp)
            if y in late_rechar and f8606.lines["6"] is not None:
                # Form 8606 instructions, line 6: "If you recharacterized any amounts originally contributed
                # ... in [the year], enter on line 6 the total value, taking into account all
                # recharacterizations of those amounts, including recharacterizations made after December 31"
                # -- a figure the custodians' statements give and the ledger cannot derive (the amount moved
                # carries net income to the day it moved, not to December 31): the user records it.
                if y in h.ira_values and y not in h.ira_values_after_recharacterizations:
                    raise UserError(
                        f"{late_rechar[y]}: a {y} contribution recharacterized after December 31, {y}, in a year "
                        f"whose Form 8606 needs line 6 (there were {y} distributions or conversions): line 6 is the "
                        f"total value 'taking into account all recharacterizations of those amounts, including "
                        f"recharacterizations made after December 31, {y}' (Form 8606 instructions, line 6); record "
                        f"that value with `megaroth ira value --year {y} --amount X --after-recharacterizations`"
                    )
                if y in h.ira_values_after_recharacterizations and LATE_RECHAR_LINE6_NOTE not in warnings:
                    warnings.append(LATE_RECHAR_LINE6_NOTE)
            carry = f8606.carry
            if provisional_line6 and y not in h.ira_values and f8606.lines["6"] is not None:
                warnings.append(PROVISIONAL_LINE6_WARNING.format(year=y))
            payments = [
                replace(p, total_distribution=True) if (p.payer, y) in h.closed_plan_years else p
                for p in plan_payments.get(y, [])
            ]
            if any(p.total_distribution for p in payments):
                warnings.append(TOTAL_DISTRIBUTION_WARNING)
            pforms, pw = plan_forms(payments, h.born)
            iforms, iw = ira_forms(ira_payments.get(y, []), h.born)
            warnings.extend(w for w in pw + iw if w not in warnings)
            warnings.extend(w for w in f8606.warnings if w not in warnings)
            pg, pt = plan_totals(pforms)
            # corrective distributions of excess deferrals: their own forms (codes P / 8), on Form 1040
            # line 1h, not lines 5a/5b (Form 1040 instructions, line 1h)
            cforms = corr.forms.get(y, [])
            if y in corr.deferral_years or corr.line1h.get(y):
                for w in (CORRECTION_1099R_WARNING, LINE_1H_NOTE):
                    if w not in warnings:
                        warnings.append(w)
            if any(f.box7 == "E" for f in cforms) and ANNUAL_ADDITION_1099R_NOTE not in warnings:
                warnings.append(ANNUAL_ADDITION_1099R_NOTE)
            pforms = pforms + cforms
            # a recharacterization goes on line 4a only in the year of the contribution (code N);
            # one made the next year (code R) is reported "only in the attached statement"
            # (Form 8606 instructions, Recharacterizations)
            ira_gross = (
                sum(
                    (f.box1 for f in iforms if f.box7 not in ("R", "J", "Q", "T") and not _is_return_form(f)),
                    ZERO,
                )
                + roth_gross
            )
            ira_taxable = f8606.traditional_taxable + f8606.conversion_taxable + f8606.roth_taxable
            # contributions returned with their net income by the due date: on the return of the year
            # they were for -- the amount on line 4a, the net income on line 4b (Form 8606 instructions,
            # Return of IRA Contributions); excess withdrawn after the due date under 408(d)(5): 4a only
            ira_gross += ret.line4a.get(y, ZERO)
            ira_taxable += ret.line4b.get(y, ZERO)
            f1040 = compute_1040(
                ira_gross=ira_gross,
                ira_taxable=ira_taxable,
                plan_gross=pg,
                plan_taxable=pt,
                has_irr=y in irr_years,
                line1h=corr.line1h.get(y),
            )
            # IRA conversion layers: line 18 shared among the year's conversions by amount
            convs = conversions.get(y, [])
            remaining_taxable = f8606.conversion_taxable
            for i, c in enumerate(convs):
                if i == len(convs) - 1:
                    share = remaining_taxable
                else:
                    share = (f8606.conversion_taxable * c.amount / conv_total).quantize(Decimal("0.01"))
                    remaining_taxable -= share
                layers.append(RothLayer("ira-conversion", None, c.date, y, c.amount, share))
            results[y] = YearResult(
                y,
                pforms,
                iforms,
                f8606,
                f1040,
                warnings,
                year_splits.get(y, []),
                ret.early_earnings.get(y, []),
                corr.f1040_refusals.get(y),
            )
    layers.sort(key=lambda layer: (layer.date, layer.kind))
    contributions.sort(key=lambda c: (c.date, c.tax_year))
    return HistoryResult(results, contributions, layers, plan_states, replays, first_roth_year)


LATE_RECHAR_LINE6_NOTE = (
    "Form 8606 line 6: the recorded December 31 value takes into account the year's contributions "
    "recharacterized after December 31 (Form 8606 instructions, line 6; `ira value --after-recharacterizations`)"
)
RECHAR_STATEMENT_WARNING = (
    "a recharacterization: attach a statement to the return explaining it (original contribution, "
    "amounts and dates; Form 8606 instructions, Recharacterizations); the contribution is treated as "
    "made to the second IRA (IRC 408A(d)(6)) -- its net income is not taxed when moved"
)
RECHAR_1099R_WARNING = (
    "UNCONFIRMED: the 1099-R for a recharacterization is shown with box 1 = the amount moved (the "
    "contribution and its net income), box 2a = 0 and code N (recharacterized in the year it is for) or "
    "R (in the next year)"
)


def _original_contributions(h: PersonHistory, r: IraMove) -> list[IraMove]:
    return [
        m
        for m in h.ira_moves
        if m.kind == "contribution"
        and m.account == r.account
        and m.tax_year == r.tax_year
        and m.date <= r.date
    ]


def _apply_recharacterizations(
    h: PersonHistory,
    rechars: list[IraMove],
    nondeductible,
    nondeductible_next,
    roth_contrib,
    regular_roth,
    contributions: list[RothContribution],
    ira_payments,
    year_warnings,
    after_cut,
) -> dict[int, str]:
    """A regular contribution moved, with its net income, to the other kind of IRA by the due date
    (including extensions) "shall be treated as having been made to the transferee plan" (IRC
    408A(d)(6)(A); Treas. Reg. 1.408A-5 A-1 and A-3: as of the date of the original contribution).

    - Roth -> traditional: the amount leaves the year's Roth regular contributions (Form 8606 line 22
      basis, the qualified-distribution clock) and its nondeductible part joins line 1 (line 4 when the
      original contribution was made January 1 - April 15 of the next year).
    - traditional -> Roth: the reverse.
    - The net income moved is neither basis nor taxed (it is earnings of the second IRA).
    - The first IRA's custodian reports it (codes N / R, :data:`RECHAR_1099R_WARNING`); it is not a
      distribution for Form 8606 lines 7 or 19 (instructions: recharacterizations are excluded).

    Returns {tax year: ref} of recharacterizations made after December 31 of their tax year (their
    effect on that year's line 6 is not confirmed: refused where line 6 is needed).
    """
    late: dict[int, str] = {}
    for r in sorted(rechars, key=lambda m: m.date):
        y = r.tax_year
        origs = _original_contributions(h, r)
        if not origs:
            raise UnsupportedSituation(
                f"{r.ref}: no {r.account} IRA contribution for {y} before it to recharacterize"
            )
        next_year = {m.date.year > y for m in origs}
        if len(next_year) > 1:
            raise UnsupportedSituation(
                f"{r.ref}: the {y} {r.account} IRA contributions were made partly in {y} and partly in {y + 1}; "
                "which of them was recharacterized decides Form 8606 line 4 and is not recorded -- not supported"
            )
        orig_next = next_year.pop()
        nd = r.nondeductible if r.nondeductible is not None else ZERO
        if r.account == "roth":
            if r.amount > regular_roth[y]:
                raise UnsupportedSituation(
                    f"{r.ref}: more than the {y} Roth IRA contributions is recharacterized"
                )
            regular_roth[y] -= r.amount
            roth_contrib[y] -= r.amount
            left = r.amount
            for i in range(len(contributions) - 1, -1, -1):  # the latest contributions of the year first
                c = contributions[i]
                if left <= 0:
                    break
                if c.kind == "regular" and c.tax_year == y and c.amount > 0:
                    take = min(left, c.amount)
                    contributions[i] = replace(c, amount=c.amount - take)
                    left -= take
            contributions[:] = [c for c in contributions if c.amount != 0]
            nondeductible[y] += nd
            if orig_next:
                nondeductible_next[y] += nd
            payer, dest = "roth-ira", "traditional-ira"
        else:
            if nd > nondeductible[y]:
                raise UnsupportedSituation(
                    f"{r.ref}: more nondeductible contributions recharacterized than recorded for {y}"
                )
            nondeductible[y] -= nd
            if orig_next:
                nondeductible_next[y] -= nd
            roth_contrib[y] += r.amount
            regular_roth[y] += r.amount
            contributions.append(RothContribution("regular", min(m.date for m in origs), y, r.amount))
            payer, dest = "traditional-ira", "roth-ira"
        code = "N" if r.date.year == y else "R"
        if r.date.year > y:
            late.setdefault(y, r.ref)
        moved = r.amount + (r.earnings or ZERO)
        if after_cut(r.date.year):
            ira_payments[r.date.year].append(
                IraPayment(
                    r.date,
                    "recharacterization",
                    moved,
                    None,
                    (r.ref,) if r.ref else (),
                    payer=payer,
                    code=code,
                    destination=dest,
                )
            )
            warns = year_warnings[r.date.year]
            for w in (RECHAR_STATEMENT_WARNING, RECHAR_1099R_WARNING):
                if w not in warns:
                    warns.append(w)
    return late


RETURN_1099R_WARNING = (
    "UNCONFIRMED: the 1099-R for a contribution returned with its net income is shown with box 1 = the "
    "amount paid, box 2a = the net income, code 8 (returned in the year the contribution is for) or P "
    "(the next year), with 1 (traditional, before 59 1/2) or J (Roth IRA); the return of the year the "
    "contribution was for reports it either way"
)
RETURN_STATEMENT_WARNING = (
    "a contribution returned with its net income by the due date is treated as never contributed (IRC "
    "408(d)(4)): attach a statement explaining the distribution; its net income is taxable for the year "
    "the contribution was for, and before age 59 1/2 the 10% additional tax applies to it (Form 5329 line 1)"
)
LATE_RETURN_WARNING = (
    "an excess contribution withdrawn after the due date under IRC 408(d)(5) (nothing deducted for it, "
    "the year's contributions within the dollar limit): not taxable, not on Form 8606 line 7, and not "
    "counted in line 2 basis; the custodian's 1099-R shows it as an ordinary distribution"
)


def _is_return_form(f: Form1099R) -> bool:
    return f.box7[:1] in ("8", "P")


@dataclass
class _Returns:
    line4a: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    line4b: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    basis_withdrawn: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    early_earnings: dict[int, list[tuple[date, Decimal]]] = field(default_factory=lambda: defaultdict(list))


def _apply_returns(
    h: PersonHistory,
    returns: list[IraMove],
    nondeductible,
    nondeductible_next,
    roth_contrib,
    regular_roth,
    contributions: list[RothContribution],
    ira_payments,
    year_warnings,
    after_cut,
) -> _Returns:
    """Contributions returned to the owner.

    By the due date including extensions, with their net income (IRC 408(d)(4); Treas. Reg.
    1.408-4(c); Form 8606 instructions, "Return of IRA Contributions"): "the returned contributions are
    treated as if they were never contributed. Don't report the contribution or distribution on Form
    8606 or take a deduction for the contribution. However, you must include the amount of the
    distribution of the returned contributions ... and any related earnings on your [year] Form 1040,
    line 4a ... Also include the related earnings on ... line 4b" -- on the return of the year the
    contribution was for, even when returned the next year ("report it on your [year] original or
    amended return"). A loss is not deductible. Before age 59 1/2 the earnings are subject to the 10%
    additional tax (same instructions; Form 5329 line 1).

    After the due date (``after_due_date``), traditional IRA only: IRC 408(d)(5) -- not included in
    income when the year's contributions did not exceed the 219(b)(1)(A) dollar amount and no
    deduction was allowed for the excess (the service checks both); the withdrawn amount does not
    count in Form 8606 line 2 of the year it is withdrawn nor on line 7 (Form 8606 instructions).
    """
    out = _Returns()
    born59 = age_59_half_on(h.born)
    for r in sorted(returns, key=lambda m: m.date):
        y = r.tax_year
        earnings = r.earnings or ZERO
        nd = r.nondeductible if r.nondeductible is not None else ZERO
        if r.after_due_date:
            if r.account != "traditional":
                raise UnsupportedSituation(
                    f"{r.ref}: a Roth IRA excess withdrawn after the due date is not supported"
                )
            paid_year = (
                r.date.year
            )  # on line 4a through the custodian's 1099-R below; not taxable (not line 4b)
            out.basis_withdrawn[paid_year] += nd
            if after_cut(paid_year):
                code = "7" if r.date >= born59 else "1"
                ira_payments[paid_year].append(
                    IraPayment(
                        r.date,
                        "distribution",
                        r.amount,
                        None,
                        (r.ref,) if r.ref else (),
                        payer="traditional-ira",
                        code=code,
                        destination="cash",
                        return_of_excess=True,
                    )
                )
                if LATE_RETURN_WARNING not in year_warnings[paid_year]:
                    year_warnings[paid_year].append(LATE_RETURN_WARNING)
            continue
        origs = _original_contributions(h, r)
        if not origs:
            raise UnsupportedSituation(
                f"{r.ref}: no {r.account} IRA contribution for {y} before it to return"
            )
        next_year = {m.date.year > y for m in origs}
        if len(next_year) > 1 and r.account == "traditional" and nd:
            raise UnsupportedSituation(
                f"{r.ref}: the {y} traditional IRA contributions were made partly in {y} and partly in {y + 1}; "
                "which of them was returned decides Form 8606 line 4 and is not recorded -- not supported"
            )
        orig_next = next_year.pop() if len(next_year) == 1 else False
        if r.account == "roth":
            if r.amount > regular_roth[y]:
                raise UnsupportedSituation(f"{r.ref}: more than the {y} Roth IRA contributions is returned")
            regular_roth[y] -= r.amount
            roth_contrib[y] -= r.amount
            left = r.amount
            for i in range(len(contributions) - 1, -1, -1):
                c = contributions[i]
                if left <= 0:
                    break
                if c.kind == "regular" and c.tax_year == y and c.amount > 0:
                    take = min(left, c.amount)
                    contributions[i] = replace(c, amount=c.amount - take)
                    left -= take
            contributions[:] = [c for c in contributions if c.amount != 0]
        else:
            if nd > nondeductible[y]:
                raise UnsupportedSituation(
                    f"{r.ref}: more nondeductible contributions returned than recorded for {y}"
                )
            nondeductible[y] -= nd
            if orig_next:
                nondeductible_next[y] -= nd
        paid = r.amount + earnings
        out.line4a[y] += paid
        out.line4b[y] += max(ZERO, earnings)
        early = r.date < born59
        if early and earnings > 0:
            out.early_earnings[y].append((r.date, earnings))
        if after_cut(r.date.year):
            code = ("8" if r.date.year == y else "P") + (
                "J" if r.account == "roth" else ("1" if early else "")
            )
            ira_payments[r.date.year].append(
                IraPayment(
                    r.date,
                    "return",
                    paid,
                    None,
                    (r.ref,) if r.ref else (),
                    payer="roth-ira" if r.account == "roth" else "traditional-ira",
                    code=code,
                    destination="cash",
                    taxable=max(ZERO, earnings),
                )
            )
            for w in (RETURN_STATEMENT_WARNING, RETURN_1099R_WARNING):
                if w not in year_warnings[r.date.year]:
                    year_warnings[r.date.year].append(w)
    return out


DRA_H_BOX5_WARNING = (
    "UNCONFIRMED: a direct rollover of a designated Roth account to a Roth IRA (code H) is shown "
    "with the account's basis share in box 5; that share (all of the rollover when the distribution "
    "is qualified) becomes regular-contribution basis in the Roth IRA (Treas. Reg. 1.408A-10 A-3)"
)
DRA_7B_WARNING = (
    "UNCONFIRMED: a designated Roth account distribution at or after age 59 1/2 is shown as code "
    "7B; the 1099-R instructions' own example uses code B alone"
)


def _dra(
    h: PersonHistory,
    layers: list[RothLayer],
    after_cut,
    plan_payments,
    year_warnings,
    roth_contrib,
    contributions,
    roth_years: list[int] | None = None,
) -> None:
    """Replay each plan's designated Roth account: Roth deferrals and IRRs are investment in
    the contract; a distribution is split pro rata (IRC 72(e)(8), 402A(d)(4); Treas. Reg.
    1.402A-1 A-7) by :func:`megaroth_ledger.rules.ordering.dra_distribution`, which also gives
    box 10 (the part allocable to IRRs within their five years).

    A direct rollover to a Roth IRA (code H) becomes a Roth IRA regular contribution (Form 8606
    line 22): its investment-in-the-contract part, or -- when the DRA distribution is qualified
    -- all of it (Treas. Reg. 1.408A-10 A-3(a): "the entire amount of any qualified distribution
    from a designated Roth account that is rolled over into a Roth IRA is treated as a regular
    contribution to the Roth IRA"). The rollover is a contribution to a Roth IRA, so its year
    can start the person's Roth IRA qualified-distribution period (IRC 408A(d)(2)(B); the DRA's
    own years do not carry over, Treas. Reg. 1.408A-10 A-4) -- appended to ``roth_years``, as
    :func:`.clocks.roth_ira_clock` does (with its warning)."""
    if not h.dra_moves:
        return
    from .clocks import plan_clock
    from .ordering import dra_distribution

    by_plan: dict[str, list[tuple[date, int, DraMove | RothLayer]]] = defaultdict(list)
    for m in h.dra_moves:
        by_plan[m.plan].append((m.date, 2 if m.kind == "distribution" else 0, m))
    for layer in layers:
        if layer.kind == "in-plan" and layer.plan in by_plan:
            by_plan[layer.plan].append((layer.date, 1, layer))
    for plan, items in by_plan.items():
        plan_layers = [x for x in layers if x.kind == "in-plan" and x.plan == plan]
        clock, clock_warnings = plan_clock(plan, h.plan_first_roth_year.get(plan), plan_layers, h.born)
        box11 = clock.clock_start.year if clock is not None else None
        balance, contrib_basis = ZERO, ZERO
        irrs: list[list] = []  # [layer, taxable_left, nontaxable_left]
        for on, _rank, item in sorted(items, key=lambda t: (t[0], t[1])):
            if isinstance(item, RothLayer):
                balance += item.amount
                irrs.append([item, item.taxable, item.nontaxable])
                continue
            m = item
            if m.kind == "contribution":
                balance += m.amount
                contrib_basis += m.amount
                continue
            if m.kind == "earnings":
                balance += m.amount
                continue
            res = dra_distribution(
                m.amount,
                m.date,
                balance=balance,
                contributions_basis=contrib_basis,
                irrs=[(item, t, n) for item, t, n in irrs],
                born=h.born,
                clock=clock,
                exception=m.exception,
            )
            balance -= m.amount
            contrib_basis -= res.contributions_part
            for part in res.irr_parts:
                irrs[part.layer][1] -= part.taxable
                irrs[part.layer][2] -= part.nontaxable
            y = m.date.year
            if not after_cut(y):
                continue
            warns = year_warnings[y]
            for w in list(res.warnings) + clock_warnings:
                if w not in warns:
                    warns.append(w)
            if m.to == "roth-ira":
                code, taxable, box10 = "H", ZERO, None
                if DRA_H_BOX5_WARNING not in warns:
                    warns.append(DRA_H_BOX5_WARNING)
                regular = m.amount if res.qualified else res.basis
                roth_contrib[y] += regular
                contributions.append(RothContribution("dra-rollover", m.date, y, regular))
                if roth_years is not None:
                    roth_years.append(y)
            else:
                early = m.date < age_59_half_on(h.born)
                # B with 1/2/4/7 (1099-R instructions, Code B combinations): death is 4B at any
                # age; an exception the payer reports with Code 1 stays 1B (see
                # form1099r.distribution_code); B does not combine with 3, so disability stays 2B.
                if m.exception == "death":
                    code = "4B"
                elif not early:
                    code = "7B"
                elif m.exception and m.exception not in CODE_1_EXCEPTIONS:
                    code = "2B"
                else:
                    code = "1B"
                if not early and DRA_7B_WARNING not in warns:
                    warns.append(DRA_7B_WARNING)
                taxable, box10 = res.taxable, res.box10
            plan_payments[y].append(
                PlanPayment(
                    payer=plan,
                    date=m.date,
                    destination="roth-ira" if m.to == "roth-ira" else "cash",
                    gross=m.amount,
                    taxable=taxable,
                    basis=res.basis,
                    exception=m.exception,
                    refs=(m.ref,) if m.ref else (),
                    code=code,
                    box10=box10,
                    box11=box11,
                )
            )
