"""Which money a Roth withdrawal comes out of, and what it costs.

Pure functions: no database, no I/O. Inputs are the shared types of :mod:`.layers`.

Roth IRAs: ordering rules (IRC 408A(d)(4)(B); Treas. Reg. 1.408A-6 A-8/A-9; Pub 590-B
"Ordering Rules for Distributions"):

1. regular contributions (including the part of a designated-Roth-account rollover that was
   investment in the contract, Treas. Reg. 1.408A-10 A-3);
2. conversion and rollover contributions, year by year, oldest first; all conversions received in
   one year are aggregated (A-9), and each year's taxable part comes out before its nontaxable
   part (408A(d)(4)(B)(ii), last sentence);
3. earnings.

All distributions of one taxable year are aggregated and set against the regular contributions
*for* that year and earlier and the conversions made in that year and earlier (A-9; the Form 8606
Part III lines 22 and 24 work the same way). Within a year, this module consumes distributions in
date order, so each tranche can carry its own distribution's date and exception for the 10% test;
the year's totals per category are the same as with one aggregated distribution. Within one
conversion year, layers are consumed by date (presentation only: A-9 aggregates them, and every
layer of a year has the same clock, so no tax depends on it).

Taxes per tranche:
- income tax: none on regular contributions or conversion layers (already taxed or basis); the
  earnings of a nonqualified distribution are includible (Treas. Reg. 1.408A-6 A-4; Form 8606
  line 25c). A qualified distribution (408A(d)(2): five taxable years met and 59 1/2, death,
  disability or a first home) is tax-free.
- 10% additional tax (72(t)): on the taxable part of a conversion layer inside its five taxable
  years (408A(d)(3)(F); Reg. 1.408A-6 A-5) and on includible earnings, unless the owner is 59 1/2
  on the distribution date or a 72(t)(2) exception applies. Form 5329 line 1 = the early
  distributions included in income plus these recapture amounts plus a qualified first-time
  homebuyer distribution (Form 5329 instructions, line 1, "Distributions from Roth IRAs").

Designated Roth accounts (Roth 401(k)): nonqualified distributions are pro rata between
investment in the contract and earnings, not ordered (IRC 402A(d)(4), 72(e)(8); IRS "Designated
Roth Accounts - Distributions"; Treas. Reg. 1.402A-1 A-7 example). 1099-R box 10 reports the part
allocable to in-plan Roth rollovers (IRRs) made within their five years (1099-R instructions;
Notice 2010-84 Q&A-13, whose text was not retrieved -- see :data:`ASSUMPTION_DRA_IRR_ALLOCATION`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from ..errors import UnsupportedSituation, UserError
from ..money import CENT, round_cents
from .clocks import QualifiedClock, five_years_on, penalty_free_on, within_recapture_period
from .dates import age_59_half_on
from .form8606 import roth_part_iii
from .layers import RothContribution, RothLayer

ZERO = Decimal("0.00")
ADDITIONAL_TAX_RATE = Decimal("0.10")  # IRC 72(t)(1)
FIRST_HOME_LIFETIME_LIMIT = Decimal("10000.00")  # IRC 72(t)(8)(B)


@dataclass(frozen=True)
class Exception72t:
    """A 72(t)(2) exception: its Form 5329 exception number and where it applies."""

    name: str
    number: str
    ira: bool
    plan: bool
    qualifies: bool = False  # also a qualifying event for a qualified distribution (408A(d)(2)(A))
    limited: str | None = None  # amount limit the user must respect


#: Exceptions with their Form 5329 (Part I line 2) numbers (Form 5329 instructions, line 2 table).
EXCEPTIONS: dict[str, Exception72t] = {
    e.name: e
    for e in (
        Exception72t("separation-55", "01", ira=False, plan=True),
        Exception72t("sepp", "02", ira=True, plan=True),
        Exception72t("disability", "03", ira=True, plan=True, qualifies=True),
        Exception72t("death", "04", ira=True, plan=True, qualifies=True),
        Exception72t(
            "medical", "05", ira=True, plan=True, limited="unreimbursed medical expenses above the AGI floor"
        ),
        Exception72t("qdro", "06", ira=False, plan=True),
        Exception72t(
            "health-insurance",
            "07",
            ira=True,
            plan=False,
            limited="health insurance premiums paid while unemployed",
        ),
        Exception72t("education", "08", ira=True, plan=False, limited="qualified higher education expenses"),
        Exception72t(
            "first-home",
            "09",
            ira=True,
            plan=False,
            qualifies=True,
            limited="$10,000 lifetime (IRC 72(t)(8))",
        ),
        Exception72t("levy", "10", ira=True, plan=True),
        Exception72t("reservist", "11", ira=True, plan=True),
    )
}

ASSUMPTION_DRA_IRR_ALLOCATION = (
    "assumption: the basis part of this designated Roth account distribution is spread over the "
    "account's designated Roth contributions and in-plan Roth rollovers (each rollover's taxable "
    "and nontaxable parts) in proportion to what remains of each; how Notice 2010-84 Q&A-13 "
    "allocates a distribution among several in-plan rollovers is UNCONFIRMED (see docs/five-year-clocks.md)."
)


def exception_for(name: str | None, *, ira: bool) -> Exception72t | None:
    """Look up a 72(t) exception by name, refusing one that does not apply to the account type."""
    if name is None:
        return None
    if "disaster" in name.lower() or "8915" in name:
        from ..errors import UnsupportedSituation

        raise UnsupportedSituation(
            "qualified disaster distributions and their repayments (Form 8915-F; Form 8606 lines 6, 15b and 25b) "
            "are not supported: their income is spread over three years and repayments change the IRA's "
            "basis and value; figure that year with Form 8915-F by hand"
        )
    exc = EXCEPTIONS.get(name)
    if exc is None:
        raise UserError(f"unknown exception {name!r}; expected one of: {', '.join(EXCEPTIONS)}")
    if ira and not exc.ira:
        raise UserError(f"exception {name!r} does not apply to IRAs (Form 5329 line 2 table)")
    if not ira and not exc.plan:
        raise UserError(f"exception {name!r} applies to IRAs only, not to a plan's Roth account")
    return exc


# --------------------------------------------------------------------------------------------
# Roth IRA ordering


@dataclass(frozen=True)
class Distribution:
    """A Roth IRA distribution (recorded or what-if). ``exception`` is a key of EXCEPTIONS."""

    date: date
    amount: Decimal
    exception: str | None = None


@dataclass(frozen=True)
class Tranche:
    """One slice of a distribution.

    ``source``: ``regular`` | ``conversion-taxable`` | ``conversion-nontaxable`` | ``earnings``.
    ``tax_year``: the contribution's year (for regular: the year it is *for*; for a conversion:
    the year it was made); ``layer`` indexes the input layers (conversion tranches only).
    ``income_tax_base``: the part included in gross income; ``additional_tax_base``: the part the
    10% additional tax applies to after exceptions; ``recapture``: the conversion-taxable part
    inside its five years (before exceptions; the Form 5329 line 1 recapture amount).
    """

    source: str
    tax_year: int | None
    layer: int | None
    amount: Decimal
    income_tax_base: Decimal
    additional_tax_base: Decimal
    additional_tax: Decimal
    recapture: Decimal
    note: str


@dataclass(frozen=True)
class DistributionResult:
    distribution: Distribution
    qualified: bool
    early: bool  # before 59 1/2
    exception: Exception72t | None
    tranches: tuple[Tranche, ...]

    @property
    def income_tax_base(self) -> Decimal:
        return sum((t.income_tax_base for t in self.tranches), ZERO)

    @property
    def additional_tax_base(self) -> Decimal:
        return sum((t.additional_tax_base for t in self.tranches), ZERO)

    @property
    def additional_tax(self) -> Decimal:
        """10% of the total base (tranche figures are shown rounded one by one)."""
        return round_cents(self.additional_tax_base * ADDITIONAL_TAX_RATE)

    @property
    def form5329_line1(self) -> Decimal:
        """This distribution's share of Form 5329 line 1 (early distributions only)."""
        if not self.early:
            return ZERO
        amount = sum((t.income_tax_base + t.recapture for t in self.tranches), ZERO)
        if self.qualified and self.exception is not None and self.exception.name == "first-home":
            amount += self.distribution.amount  # qualified first-time homebuyer (8606 line 20)
        return amount


@dataclass
class RothIraState:
    """What remains of each regular contribution and each layer (same order as the inputs)."""

    contributions: list[RothContribution]
    layers: list[RothLayer]
    regular_left: list[Decimal]
    taxable_left: list[Decimal]
    nontaxable_left: list[Decimal]
    earnings_out: Decimal = ZERO
    results: list[DistributionResult] = field(default_factory=list)

    @classmethod
    def start(cls, contributions: Sequence[RothContribution], layers: Sequence[RothLayer]) -> RothIraState:
        for c in contributions:
            if c.amount < 0:
                raise UserError(f"negative Roth contribution {c.amount} on {c.date}")
        for x in layers:
            if x.amount < 0 or x.taxable < 0 or x.taxable > x.amount:
                raise UserError(
                    f"conversion layer of {x.date}: taxable {x.taxable} must be between 0 and {x.amount}"
                )
        return cls(
            contributions=list(contributions),
            layers=list(layers),
            regular_left=[c.amount for c in contributions],
            taxable_left=[x.taxable for x in layers],
            nontaxable_left=[x.nontaxable for x in layers],
        )

    def copy(self) -> RothIraState:
        """An independent copy of the remaining amounts (results are not copied)."""
        return RothIraState(
            self.contributions,
            self.layers,
            list(self.regular_left),
            list(self.taxable_left),
            list(self.nontaxable_left),
            self.earnings_out,
        )

    def regular_remaining(self, year: int | None = None) -> Decimal:
        return sum(
            (
                left
                for c, left in zip(self.contributions, self.regular_left, strict=True)
                if year is None or c.tax_year <= year
            ),
            ZERO,
        )

    def layers_remaining(self, year: int | None = None) -> Decimal:
        return sum(
            (
                t + n
                for x, t, n in zip(self.layers, self.taxable_left, self.nontaxable_left, strict=True)
                if x.kind != "in-plan" and (year is None or x.tax_year <= year)
            ),
            ZERO,
        )


def _is_qualified(
    d: Distribution, clock: QualifiedClock | None, born: date, exc: Exception72t | None
) -> bool:
    """IRC 408A(d)(2): after the five taxable years and on/after 59 1/2, death, disability or for
    a first home (Treas. Reg. 1.408A-6 A-1(b))."""
    if clock is None or not clock.five_years_met(d.date):
        return False
    return d.date >= age_59_half_on(born) or (exc is not None and exc.qualifies)


def _tranche(
    source: str,
    tax_year: int | None,
    layer: int | None,
    amount: Decimal,
    *,
    includible: bool,
    penalised: bool,
    recapture: bool,
    note: str,
) -> Tranche:
    income = amount if includible else ZERO
    base = amount if penalised else ZERO
    return Tranche(
        source=source,
        tax_year=tax_year,
        layer=layer,
        amount=amount,
        income_tax_base=income,
        additional_tax_base=base,
        additional_tax=round_cents(base * ADDITIONAL_TAX_RATE),
        recapture=amount if recapture else ZERO,
        note=note,
    )


def take(
    state: RothIraState, d: Distribution, born: date, clock: QualifiedClock | None
) -> DistributionResult:
    """Consume ``d`` from ``state`` under the ordering rules; returns its tranches.

    ``clock`` is the person's Roth IRA qualified-distribution clock (``rules.clocks.roth_ira_clock``).
    Mutates ``state`` (remaining amounts, earnings taken, results).
    """
    if d.amount <= 0:
        raise UserError(f"a withdrawal must be a positive amount, got {d.amount}")
    exc = exception_for(d.exception, ira=True)
    if exc is not None and exc.name == "first-home" and d.amount > FIRST_HOME_LIFETIME_LIMIT:
        raise UnsupportedSituation(
            f"a first-home withdrawal of {d.amount} exceeds the $10,000 lifetime limit "
            "(IRC 72(t)(8)); split it into the excepted part and the rest"
        )
    year = d.date.year
    qualified = _is_qualified(d, clock, born, exc)
    early = d.date < age_59_half_on(born)
    excepted = exc is not None or not early
    left = d.amount
    out: list[Tranche] = []

    order = sorted(
        range(len(state.contributions)),
        key=lambda i: (state.contributions[i].tax_year, state.contributions[i].date),
    )
    for i in order:
        c = state.contributions[i]
        if left == 0:
            break
        if c.tax_year > year or state.regular_left[i] == 0:
            continue
        amt = min(left, state.regular_left[i])
        state.regular_left[i] -= amt
        left -= amt
        what = "regular contribution" if c.kind == "regular" else "designated Roth rollover basis"
        out.append(
            _tranche(
                "regular",
                c.tax_year,
                None,
                amt,
                includible=False,
                penalised=False,
                recapture=False,
                note=f"{what} for {c.tax_year}: never taxed again",
            )
        )

    idx = [i for i, x in enumerate(state.layers) if x.kind != "in-plan" and x.tax_year <= year]
    for conv_year in sorted({state.layers[i].tax_year for i in idx}):
        year_idx = sorted(
            (i for i in idx if state.layers[i].tax_year == conv_year), key=lambda i: state.layers[i].date
        )
        inside = within_recapture_period(conv_year, d.date)
        free_on = five_years_on(conv_year)
        for part in ("taxable", "nontaxable"):
            pool = state.taxable_left if part == "taxable" else state.nontaxable_left
            for i in year_idx:
                if left == 0 or pool[i] == 0:
                    continue
                amt = min(left, pool[i])
                pool[i] -= amt
                left -= amt
                exposed = part == "taxable" and inside and not qualified
                if part == "nontaxable":
                    note = f"{conv_year} conversion, nontaxable part: never subject to the 10% tax"
                elif not inside:
                    note = f"{conv_year} conversion, taxable part: five years over on {free_on}"
                elif qualified:
                    note = f"{conv_year} conversion, taxable part: qualified distribution"
                elif not early:
                    note = f"{conv_year} conversion, taxable part: within five years, but age 59 1/2"
                elif exc is not None:
                    note = f"{conv_year} conversion, taxable part: within five years, exception {exc.name}"
                else:
                    note = (
                        f"{conv_year} conversion, taxable part: within five years "
                        f"(penalty-free on {penalty_free_on(conv_year, born)})"
                    )
                out.append(
                    _tranche(
                        f"conversion-{part}",
                        conv_year,
                        i,
                        amt,
                        includible=False,
                        penalised=exposed and not excepted,
                        recapture=exposed,
                        note=note,
                    )
                )
    if left > 0:
        state.earnings_out += left
        if qualified:
            note = "earnings: qualified distribution, tax-free"
        elif excepted:
            note = (
                "earnings: taxable, no 10% tax ("
                + (f"exception {exc.name}" if early and exc is not None else "age 59 1/2")
                + ")"
            )
        else:
            note = "earnings: taxable and subject to the 10% tax"
        out.append(
            _tranche(
                "earnings",
                None,
                None,
                left,
                includible=not qualified,
                penalised=not qualified and not excepted,
                recapture=False,
                note=note,
            )
        )
    result = DistributionResult(d, qualified, early, exc, tuple(out))
    state.results.append(result)
    return result


def replay(
    contributions: Sequence[RothContribution],
    layers: Sequence[RothLayer],
    distributions: Sequence[Distribution],
    born: date,
    clock: QualifiedClock | None,
) -> RothIraState:
    """Apply recorded distributions in date order (ties keep their input order)."""
    state = RothIraState.start(contributions, layers)
    for d in sorted(distributions, key=lambda d: d.date):
        take(state, d, born, clock)
    return state


@dataclass(frozen=True)
class YearForms:
    """Form 8606 Part III (lines 19-25c, ``None`` where the form leaves them blank) and Form
    5329 Part I lines 1-4 for a year's Roth IRA distributions."""

    part3: dict[str, Decimal | None]
    form5329: dict[str, Decimal | str | None]


def year_forms(before: RothIraState, results: Sequence[DistributionResult], year: int) -> YearForms:
    """Form 8606 Part III and Form 5329 lines 1-4 for the distributions of ``year``.

    ``before`` is the state at the start of ``year`` (before any of its distributions);
    ``results`` the year's distributions in order.

    Form 8606 Part III lines come from :func:`.form8606.roth_part_iii` (issue 3's pure function):
    line 19 = the year's nonqualified distributions (a qualified first-time homebuyer
    distribution included, its amount on line 20); line 22 / 24 = what remains at the start of the
    year of the regular contributions for the year or earlier / the conversions and plan rollovers
    made in the year or earlier. All lines are ``None`` when every distribution is qualified.

    Form 5329 Part I: line 1 = early distributions included in income + recapture amounts + the
    line-20 first-home amount; line 2 = the part of line 1 an exception covers (with its number);
    3 = 1 - 2; 4 = 10% of line 3.
    """

    def first_home(r: DistributionResult) -> bool:
        return r.qualified and r.exception is not None and r.exception.name == "first-home"

    nonq = [r for r in results if not r.qualified or first_home(r)]
    if nonq:
        # line 20 within the $10,000 lifetime limit (IRC 72(t)(8)(B)), less earlier years' use
        used = min(
            FIRST_HOME_LIFETIME_LIMIT,
            sum((r.distribution.amount for r in before.results if first_home(r)), ZERO),
        )
        part3 = roth_part_iii(
            distributions=sum((r.distribution.amount for r in nonq), ZERO),
            regular_basis=before.regular_remaining(year),
            conversion_basis=before.layers_remaining(year),
            homebuyer=min(
                FIRST_HOME_LIFETIME_LIMIT - used,
                sum((r.distribution.amount for r in nonq if first_home(r)), ZERO),
            ),
        ).lines
    else:
        part3 = dict.fromkeys(("19", "20", "21", "22", "23", "24", "25a", "25b", "25c"))
    line1 = sum((r.form5329_line1 for r in results), ZERO)
    covered = [r for r in results if r.early and r.exception is not None and r.form5329_line1 > 0]
    line2 = sum((r.form5329_line1 for r in covered), ZERO)
    numbers = sorted({r.exception.number for r in covered if r.exception is not None})
    line3 = line1 - line2
    form5329: dict[str, Decimal | str | None] = {
        "1": line1,
        "2": line2,
        "2_exception": (numbers[0] if len(numbers) == 1 else ("12" if numbers else None)),
        "3": line3,
        "4": round_cents(line3 * ADDITIONAL_TAX_RATE),
    }
    return YearForms(part3, form5329)


# --------------------------------------------------------------------------------------------
# Designated Roth accounts: pro rata


def split_pro_rata(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights`` to the cent, shares summing exactly to
    ``total`` (largest remainder). With ``0 <= total <= sum(weights)`` no share exceeds its weight.
    """
    whole = sum(weights, ZERO)
    if whole <= 0:
        if total != 0:
            raise UserError("nothing to allocate the amount to")
        return [ZERO for _ in weights]
    exact = [total * w / whole for w in weights]
    floors = [e.quantize(CENT, rounding=ROUND_FLOOR) for e in exact]
    short = int((total - sum(floors, ZERO)) / CENT)
    order = sorted(range(len(weights)), key=lambda i: (exact[i] - floors[i], -i), reverse=True)
    for i in order[:short]:
        floors[i] += CENT
    return floors


@dataclass(frozen=True)
class IrrPart:
    """What a DRA distribution takes from one in-plan Roth rollover (index into the inputs)."""

    layer: int
    taxable: Decimal
    nontaxable: Decimal
    within_five_years: bool


@dataclass(frozen=True)
class DraResult:
    """A designated Roth account distribution split per IRC 72(e)(8) / 402A(d)(4).

    ``basis``: 1099-R box 5; ``earnings``: the earnings part; ``taxable``: what is includible
    (box 2a; 0 when qualified);
    ``box10``: the part allocable to IRRs made within their five years (blank, ``None``, when a
    72(t) exception -- age 59 1/2 included -- applies or the distribution is qualified);
    ``recapture``: the taxable part of those IRRs, treated as includible for 72(t)
    (402A(c)(4)(D) applying 408A(d)(3)(F)); ``additional_tax``: 10% of (earnings + recapture)
    unless excepted.
    """

    amount: Decimal
    qualified: bool
    early: bool
    exception: Exception72t | None
    basis: Decimal
    earnings: Decimal
    taxable: Decimal
    contributions_part: Decimal
    irr_parts: tuple[IrrPart, ...]
    box10: Decimal | None
    recapture: Decimal
    additional_tax_base: Decimal
    additional_tax: Decimal
    warnings: tuple[str, ...]
    tranches: tuple[Tranche, ...]

    @property
    def form5329_line1(self) -> Decimal:
        """Early distributions included in income plus IRR recapture amounts (Form 5329 line 1)."""
        return self.taxable + self.recapture if self.early else ZERO


def dra_distribution(
    amount: Decimal,
    on: date,
    *,
    balance: Decimal,
    contributions_basis: Decimal,
    irrs: Sequence[tuple[RothLayer, Decimal, Decimal]],
    born: date,
    clock: QualifiedClock | None,
    exception: str | None = None,
) -> DraResult:
    """Split a designated Roth account distribution pro rata (IRC 72(e)(8), 402A(d)(4); Treas.
    Reg. 1.402A-1 A-7 example: $12,000 from $21,850 basis and $1,150 income is $11,400 basis and
    $600 income).

    ``balance``: account value just before the distribution; ``contributions_basis``: remaining
    designated Roth contributions; ``irrs``: ``(layer, taxable_left, nontaxable_left)`` for each
    in-plan Roth rollover (both parts are investment in the contract once rolled). Qualified
    (402A(d)(2)): five taxable years of the plan's clock and 59 1/2, death or disability.
    """
    if amount <= 0:
        raise UserError(f"a withdrawal must be a positive amount, got {amount}")
    if amount > balance:
        raise UserError(f"withdrawal {amount} is more than the designated Roth account balance {balance}")
    exc = exception_for(exception, ira=False)
    basis_total = contributions_basis + sum((t + n for _, t, n in irrs), ZERO)
    if basis_total > balance:
        raise UnsupportedSituation(
            f"designated Roth basis {basis_total} exceeds the account balance {balance} (a loss); "
            "the ledger does not compute that case"
        )
    basis = round_cents(amount * basis_total / balance)
    earnings_part = amount - basis
    early = on < age_59_half_on(born)
    qualified = (
        clock is not None
        and clock.five_years_met(on)
        and (not early or (exc is not None and exc.name in ("death", "disability")))
    )
    weights = [contributions_basis]
    for _, t, n in irrs:
        weights += [t, n]
    shares = split_pro_rata(basis, weights)
    parts = tuple(
        IrrPart(k, shares[1 + 2 * k], shares[2 + 2 * k], within_recapture_period(layer.tax_year, on))
        for k, (layer, _, _) in enumerate(irrs)
    )
    excepted = exc is not None or not early
    in_window = [p for p in parts if p.within_five_years]
    recapture = ZERO if qualified else sum((p.taxable for p in in_window), ZERO)
    box10 = None if (qualified or excepted) else sum((p.taxable + p.nontaxable for p in in_window), ZERO)
    taxable = ZERO if qualified else earnings_part
    base = ZERO if (qualified or excepted) else taxable + recapture
    warnings = (ASSUMPTION_DRA_IRR_ALLOCATION,) if len(irrs) > 0 and not qualified else ()
    why = (
        "qualified distribution"
        if qualified
        else "age 59 1/2"
        if not early
        else f"exception {exc.name}"
        if exc is not None
        else None
    )
    tranches = [
        _tranche(
            "basis",
            None,
            None,
            shares[0],
            includible=False,
            penalised=False,
            recapture=False,
            note="designated Roth contributions (pro rata share of basis)",
        )
    ]
    for p in parts:
        layer = irrs[p.layer][0]
        exposed = p.within_five_years and not qualified
        tail = (
            "five years over"
            if not p.within_five_years
            else f"within five years, {why}"
            if why
            else "within five years: 10% applies"
        )
        tranches.append(
            _tranche(
                "irr-taxable",
                layer.tax_year,
                p.layer,
                p.taxable,
                includible=False,
                penalised=exposed and not excepted,
                recapture=exposed,
                note=f"{layer.tax_year} in-plan rollover, taxable part: {tail}",
            )
        )
        tranches.append(
            _tranche(
                "irr-nontaxable",
                layer.tax_year,
                p.layer,
                p.nontaxable,
                includible=False,
                penalised=False,
                recapture=False,
                note=f"{layer.tax_year} in-plan rollover, nontaxable part",
            )
        )
    tranches.append(
        _tranche(
            "earnings",
            None,
            None,
            earnings_part,
            includible=not qualified,
            penalised=not qualified and not excepted,
            recapture=False,
            note=f"earnings (pro rata){': ' + why if why else ''}",
        )
    )
    return DraResult(
        amount=amount,
        qualified=qualified,
        early=early,
        exception=exc,
        basis=basis,
        earnings=earnings_part,
        taxable=taxable,
        contributions_part=shares[0],
        irr_parts=parts,
        box10=box10,
        recapture=recapture,
        additional_tax_base=base,
        additional_tax=round_cents(base * ADDITIONAL_TAX_RATE),
        warnings=warnings,
        tranches=tuple(t for t in tranches if t.amount != 0),
    )


__all__ = [
    "EXCEPTIONS",
    "Distribution",
    "DistributionResult",
    "DraResult",
    "RothIraState",
    "Tranche",
    "YearForms",
    "dra_distribution",
    "exception_for",
    "replay",
    "split_pro_rata",
    "take",
    "year_forms",
]
