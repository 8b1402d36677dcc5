"""After-tax sub-account basis and earnings: the pro-rata split of a distribution, and the
allocation of one distribution among several destinations (Notice 2014-54).

Pure functions and frozen dataclasses: no database, no I/O.

Sources
-------
- IRC 72(e)(8)(B): the part of a distribution allocated to the investment in the contract
  (basis) "bears the same ratio to such amount as the investment in the contract bears to
  the account balance", determined "as of the time of the distribution".
- IRC 72(d)(2): "employee contributions (and any income allocable thereto) under a defined
  contribution plan may be treated as a separate contract" -- so the plan's after-tax
  sub-account (after-tax contributions + their earnings) is pro-rated on its own.
- IRS "Rollovers of After-Tax Contributions in Retirement Plans" (irs.gov FAQ): partial
  distributions carry a proportional share of pretax and after-tax amounts; distributions to
  several destinations at the same time are one distribution (Notice 2014-54).
- Notice 2014-54 and IRC 402(c)(2): the pretax amount (here: the earnings on after-tax
  contributions) is assigned first to the direct rollovers the participant names, so the
  earnings can go to a traditional IRA and the after-tax basis to a Roth IRA.
- Treas. Reg. 1.402A-1 A-5(a) example (Employee B): the amount rolled over is deemed to
  consist first of the income (pretax) part.

Rounding: the basis share is rounded half-up to the cent (Form 1099-R reports cents).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from ..errors import UnsupportedSituation, UserError
from ..money import CENT, ZERO

MoveKind = Literal["contribution", "earnings", "distribution"]

#: Destinations of money leaving a plan sub-account.
DESTINATIONS = ("in-plan", "roth-ira", "traditional-ira", "cash")

BASIS_CAP_WARNING = (
    "UNCONFIRMED: the after-tax sub-account's basis exceeded its balance (an investment loss); "
    "the basis recovered was capped at the amount distributed and the rest of the basis stays "
    "in the sub-account"
)


@dataclass(frozen=True)
class SubAccountState:
    """Balance and basis (investment in the contract) of one after-tax sub-account."""

    balance: Decimal = ZERO
    basis: Decimal = ZERO

    @property
    def earnings(self) -> Decimal:
        return self.balance - self.basis


@dataclass(frozen=True)
class SubAccountMove:
    """One event of an after-tax sub-account.

    ``contribution``: after-tax money in (adds to balance and basis), ``amount`` > 0 (a
    negative amount is a correction/refund of contributions and reduces both).
    ``earnings``: investment result, fee, dividend... (balance only), signed.
    ``distribution``: money out (conversion, rollover, withdrawal), ``amount`` > 0 taken out;
    ``basis_override`` is the basis the plan's confirmation states, if the user gave one.
    """

    date: date
    kind: MoveKind
    amount: Decimal
    basis_override: Decimal | None = None
    ref: str = ""


@dataclass(frozen=True)
class DistributionSplit:
    """Basis / earnings split of one distribution (IRC 72(e)(8)(B), 72(d)(2))."""

    date: date
    amount: Decimal
    basis: Decimal  # 1099-R box 5 share
    basis_computed: Decimal
    overridden: bool
    balance_before: Decimal
    basis_before: Decimal
    warnings: tuple[str, ...] = ()
    ref: str = ""

    @property
    def earnings(self) -> Decimal:
        """The pretax part (earnings on after-tax contributions)."""
        return self.amount - self.basis


def pro_rata_basis(amount: Decimal, basis: Decimal, balance: Decimal) -> Decimal:
    """Basis share of a distribution of ``amount`` from a contract with ``basis`` and ``balance``.

    IRC 72(e)(8)(B): ``amount x basis / balance`` as of the distribution, rounded half-up to
    the cent. A full distribution (amount == balance) recovers exactly the basis. When the
    basis exceeds the balance (a loss), the share is capped at ``amount`` (see
    :data:`BASIS_CAP_WARNING`).

    Example, IRS "Rollovers of After-Tax Contributions" FAQ: balance 100,000 with 20,000
    after-tax; a 50,000 distribution carries 10,000 after-tax.
    """
    if amount <= 0:
        raise UserError(f"distribution amount must be positive, got {amount}")
    if balance <= 0:
        raise UserError("the sub-account has no balance to distribute")
    if amount > balance:
        raise UserError(f"amount {amount} is above the sub-account balance {balance}")
    if basis <= 0:
        return ZERO
    if amount == balance:
        share = basis
    else:
        share = (amount * basis / balance).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(share, amount)


def split_distribution(
    state: SubAccountState,
    amount: Decimal,
    *,
    on: date,
    basis_override: Decimal | None = None,
    ref: str = "",
) -> tuple[DistributionSplit, SubAccountState]:
    """Split ``amount`` taken out of a sub-account in ``state`` into basis and earnings.

    Returns the split and the state after the distribution. ``basis_override`` (the figure on
    the plan's confirmation) replaces the computed basis; it must lie between 0 and the
    smaller of ``amount`` and the basis available, so basis is never created or lost.
    """
    if amount > state.balance:
        raise UserError(
            f"amount {amount:,.2f} is above the after-tax sub-account balance "
            f"{state.balance:,.2f} on {on.isoformat()}"
        )
    computed = pro_rata_basis(amount, state.basis, state.balance)
    warnings: list[str] = []
    if state.basis > state.balance and computed == amount:
        warnings.append(BASIS_CAP_WARNING)
    basis = computed
    overridden = False
    if basis_override is not None:
        if basis_override < 0 or basis_override > amount or basis_override > state.basis:
            raise UserError(
                f"--basis {basis_override:,.2f} must be between 0 and the smaller of the amount "
                f"({amount:,.2f}) and the sub-account basis ({state.basis:,.2f})"
            )
        basis = basis_override
        overridden = basis_override != computed
    split = DistributionSplit(
        date=on,
        amount=amount,
        basis=basis,
        basis_computed=computed,
        overridden=overridden,
        balance_before=state.balance,
        basis_before=state.basis,
        warnings=tuple(warnings),
        ref=ref,
    )
    return split, SubAccountState(state.balance - amount, state.basis - basis)


@dataclass(frozen=True)
class ReplayStep:
    move: SubAccountMove
    after: SubAccountState
    split: DistributionSplit | None = None


@dataclass(frozen=True)
class Replay:
    start: SubAccountState
    steps: tuple[ReplayStep, ...] = field(default_factory=tuple)

    @property
    def final(self) -> SubAccountState:
        return self.steps[-1].after if self.steps else self.start

    @property
    def splits(self) -> list[DistributionSplit]:
        return [s.split for s in self.steps if s.split is not None]


def replay(moves: list[SubAccountMove], start: SubAccountState | None = None) -> Replay:
    """Apply ``moves`` in the order given (callers sort by date, contributions and earnings
    before distributions on the same day) and split every distribution pro rata as of its
    date (IRC 72(e)(8)(B)).

    Starting from ``start`` lets a history be replayed in pieces: replaying A then B from
    A's final state gives the same splits as replaying A+B at once.
    """
    state = start or SubAccountState()
    steps: list[ReplayStep] = []
    for m in moves:
        if m.kind == "contribution":
            state = SubAccountState(state.balance + m.amount, state.basis + m.amount)
            if state.basis < 0:
                raise UnsupportedSituation(
                    f"after-tax contributions would become negative on {m.date.isoformat()} "
                    f"({m.ref or 'correction'}); check the ledger"
                )
            steps.append(ReplayStep(m, state))
        elif m.kind == "earnings":
            state = replace(state, balance=state.balance + m.amount)
            steps.append(ReplayStep(m, state))
        elif m.kind == "distribution":
            split, state = split_distribution(
                state, m.amount, on=m.date, basis_override=m.basis_override, ref=m.ref
            )
            steps.append(ReplayStep(m, state, split))
        else:  # pragma: no cover - dataclass typing guards this
            raise ValueError(f"unknown move kind {m.kind!r}")
        if state.balance < 0:
            raise UserError(
                f"the after-tax sub-account balance would be negative ({state.balance:,.2f}) "
                f"on {m.date.isoformat()} ({m.ref or m.kind})"
            )
    return Replay(start=start or SubAccountState(), steps=tuple(steps))


@dataclass(frozen=True)
class DestinationPart:
    """The part of one distribution that went to one destination (one 1099-R each)."""

    destination: str  # in-plan | roth-ira | traditional-ira | cash
    gross: Decimal  # box 1
    taxable: Decimal  # box 2a
    basis: Decimal  # box 5


def allocate_destinations(
    split: DistributionSplit, to: str, earnings_to: str | None = None
) -> list[DestinationPart]:
    """Where the basis and the earnings of ``split`` went.

    - ``in-plan`` (IRR) or ``roth-ira`` alone: one part; taxable = earnings, basis = basis
      (1099-R instructions: direct rollover to a Roth IRA / designated Roth account in the
      same plan: box 1 total, box 2a taxable amount, box 5 basis, code G).
    - ``roth-ira`` with ``earnings_to='traditional-ira'`` (Notice 2014-54): the pretax part
      (earnings) goes first to the traditional IRA (taxable 0: a direct rollover to a
      traditional IRA), the after-tax basis to the Roth IRA (taxable 0).
    - ``cash``: paid to the participant; taxable = earnings.
    """
    if to not in DESTINATIONS:
        raise UserError(f"unknown destination {to!r}; expected one of {', '.join(DESTINATIONS)}")
    if earnings_to is None:
        return [DestinationPart(to, split.amount, split.earnings, split.basis)]
    if earnings_to != "traditional-ira" or to != "roth-ira":
        raise UnsupportedSituation(
            "a Notice 2014-54 split is supported only as --to roth-ira --earnings-to traditional-ira"
        )
    parts: list[DestinationPart] = []
    if split.earnings > 0:
        parts.append(DestinationPart("traditional-ira", split.earnings, ZERO, ZERO))
    if split.basis > 0:
        parts.append(DestinationPart("roth-ira", split.basis, ZERO, split.basis))
    return parts


def rollover_taxable_first(amount: Decimal, basis: Decimal, rolled_over: Decimal) -> tuple[Decimal, Decimal]:
    """IRC 402(c)(2): an amount rolled over from a distribution "shall be treated as
    consisting first of the portion of such distribution that is includible in gross income".

    Returns (income part rolled, basis part rolled). Treas. Reg. 1.402A-1 A-5(a) example:
    14,000 distribution (11,000 basis, 3,000 income), 7,000 rolled -> 3,000 income + 4,000
    basis.
    """
    if rolled_over < 0 or rolled_over > amount:
        raise UserError(f"rolled-over amount {rolled_over} must be between 0 and {amount}")
    income = amount - basis
    income_rolled = min(income, rolled_over) if income > 0 else ZERO
    return income_rolled, rolled_over - income_rolled
