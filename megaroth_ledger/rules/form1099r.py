"""Form 1099-R as the plan or the IRA custodian should issue it, derived from the ledger.

One form per payer, distribution code and destination, per calendar year (the differing box
2a rules make separate forms the safe default for a Notice 2014-54 split: "If part of a
distribution is paid in a direct rollover and part is not, you must file a separate Form
1099-R for each part"; whether two *direct* rollovers need separate forms is UNCONFIRMED).

Sources (Instructions for Forms 1099-R and 5498; reference tax-rules.md section (c)):
- Box 1 gross distribution, including direct rollovers and IRRs.
- Box 2a: direct rollover to a traditional IRA: 0; direct rollover of a non-Roth amount to a
  Roth IRA or to a designated Roth account in the same plan (IRR): the taxable amount; an IRA
  distribution or conversion: the amount, with 2b "taxable amount not determined" checked
  ("You must report a traditional, SEP, or SIMPLE IRA distribution that you know is converted
  this year to a Roth IRA in boxes 1 and 2a (checking box 2b 'Taxable amount not determined'
  ...). Enter Code 2 or 7 in box 7 depending on the participant's age.").
- Box 4: no withholding on a direct rollover; 20% of the taxable part of an eligible
  rollover distribution paid to the participant (IRC 3405(c)).
- Box 5: employee after-tax contributions recovered tax free (the basis share).
- Box 7: G direct rollover (including IRRs); 1 early, no known exception (or one the taxpayer
  claims on Form 5329); 2 early, exception applies; 3 disability; 4 death; 7 normal (age 59 1/2
  or over; also an IRA conversion at 59 1/2 or over).
- Boxes 10 and 11 concern designated Roth account distributions only (left blank here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..errors import UnsupportedSituation
from ..money import CENT, ZERO
from .dates import age_59_half_on

DIRECT_ROLLOVER_DESTINATIONS = ("in-plan", "roth-ira", "traditional-ira")

WITHHOLDING_WARNING = (
    "box 4 for a distribution paid to you assumes the mandatory 20% withholding on its taxable "
    "part (IRC 3405(c)); the plan may have withheld more at your request"
)
IRA_WITHHOLDING_WARNING = (
    "box 4 of the IRA custodian's 1099-R is shown as 0.00: the ledger does not record "
    "withholding elected on IRA distributions or conversions"
)
IRA_2A_WARNING = (
    "UNCONFIRMED: for a traditional IRA distribution that is not converted, the custodian is "
    "assumed to report box 2a = box 1 with box 2b 'taxable amount not determined' checked"
)
SPLIT_FORMS_WARNING = (
    "UNCONFIRMED: a Notice 2014-54 split is shown as one 1099-R per destination; the plan may "
    "issue a single combined form (use `megaroth reconcile 1099-r` to compare)"
)


@dataclass(frozen=True)
class PlanPayment:
    """One leg of a plan distribution to one destination (non-Roth sources only)."""

    payer: str
    date: date
    destination: str  # in-plan | roth-ira | traditional-ira | cash
    gross: Decimal
    taxable: Decimal
    basis: Decimal
    exception: str | None = None  # a known 72(t) exception (cash distributions only)
    total_distribution: bool = False
    split: bool = False  # part of a Notice 2014-54 split
    refs: tuple[str, ...] = ()
    code: str | None = None  # set for designated Roth account payments (H, 1B, 2B, 7B)
    box10: Decimal | None = None
    box11: int | None = None


@dataclass(frozen=True)
class IraPayment:
    """A traditional IRA conversion or distribution, reported by the IRA custodian."""

    date: date
    kind: str  # conversion | distribution | recharacterization
    amount: Decimal
    exception: str | None = None
    refs: tuple[str, ...] = ()
    payer: str = "traditional-ira"  # the account whose custodian reports it: traditional-ira | roth-ira
    code: str | None = None  # recharacterizations: N or R; returned contributions: 8/P (+1 or J)
    destination: str | None = None
    taxable: Decimal | None = None  # returned contributions: the net income (box 2a)
    return_of_excess: bool = False  # an excess withdrawn after the due date (IRC 408(d)(5))


@dataclass
class Form1099R:
    payer: str
    destination: str
    box1: Decimal
    box2a: Decimal | None
    box2b_taxable_not_determined: bool
    box2b_total_distribution: bool
    box4: Decimal
    box5: Decimal | None
    box7: str
    box10: Decimal | None = None
    box11: int | None = None
    explain: dict[str, list[str]] = field(default_factory=dict)


#: 72(t) exceptions the payer does not report with Code 2: the 1099-R instructions (Guide to
#: Distribution Codes, Code 1) say "use Code 1 even if the distribution is made for medical
#: expenses, health insurance premiums, qualified higher education expenses, a first-time home
#: purchase, or a qualified reservist distribution under section 72(t)(2)(B), (D), (E), (F), or
#: (G)" -- the taxpayer claims those on Form 5329.
CODE_1_EXCEPTIONS = frozenset({"medical", "health-insurance", "education", "first-home", "reservist"})


def distribution_code(born: date, on: date, *, direct_rollover: bool, exception: str | None) -> str:
    """Box 7 code (1099-R instructions, Guide to Distribution Codes).

    - G for a direct rollover (Code G: "Use Code G for a direct rollover from a qualified plan
      ... to an eligible retirement plan ... Also, use Code G ... for IRRs that are direct
      rollovers").
    - 4 for a payment because of death ("Use Code 4 regardless of the age of the participant to
      indicate payment to a decedent's beneficiary").
    - 7 at or after age 59 1/2 (Pub 590-B: the date six months after the 59th birthday).
    - 3 for disability; 1 when no exception is known or the exception is one of
      :data:`CODE_1_EXCEPTIONS` ("Use Code 1 only if ... you do not know if any of the
      exceptions under Code 2, 3, or 4 apply. However, use Code 1 even if ..."); otherwise 2
      (separation from service at 55, SEPP, IRS levy, QDRO: "Any other distribution that is not
      required to be reported using Code 1, 3, or 4").
    """
    if direct_rollover:
        return "G"
    if exception == "death":
        return "4"
    if on >= age_59_half_on(born):
        return "7"
    if exception == "disability":
        return "3"
    if exception is None or exception in CODE_1_EXCEPTIONS:
        return "1"
    return "2"


def ira_conversion_code(born: date, on: date) -> str:
    """IRA -> Roth IRA conversion: "Enter Code 2 or 7 in box 7 depending on the
    participant's age" (1099-R instructions): 7 at or after 59 1/2, otherwise 2."""
    return "7" if on >= age_59_half_on(born) else "2"


def _withholding(taxable: Decimal) -> Decimal:
    return (taxable * Decimal("0.20")).quantize(CENT, rounding=ROUND_HALF_UP)


def plan_forms(payments: list[PlanPayment], born: date) -> tuple[list[Form1099R], list[str]]:
    """The plan's 1099-Rs for one calendar year: one per (payer, code, destination)."""
    forms: dict[tuple[str, str, str], Form1099R] = {}
    warnings: list[str] = []
    for p in sorted(payments, key=lambda p: (p.payer, p.date)):
        direct = p.destination in DIRECT_ROLLOVER_DESTINATIONS
        if not direct and p.destination != "cash":
            raise UnsupportedSituation(f"unknown destination {p.destination!r}")
        code = p.code or distribution_code(born, p.date, direct_rollover=direct, exception=p.exception)
        if p.destination == "traditional-ira" and p.taxable != 0:
            raise UnsupportedSituation(
                "a direct rollover to a traditional IRA has a zero taxable amount; the ledger "
                f"computed {p.taxable} for {p.refs}"
            )
        box4 = ZERO if direct else _withholding(p.taxable)
        if not direct and box4 and WITHHOLDING_WARNING not in warnings:
            warnings.append(WITHHOLDING_WARNING)
        if p.split and SPLIT_FORMS_WARNING not in warnings:
            warnings.append(SPLIT_FORMS_WARNING)
        key = (p.payer, code, p.destination)
        f = forms.get(key)
        if f is None:
            f = forms[key] = Form1099R(
                box11=p.box11,
                payer=p.payer,
                destination=p.destination,
                box1=ZERO,
                box2a=ZERO,
                box2b_taxable_not_determined=False,
                box2b_total_distribution=False,
                box4=ZERO,
                box5=ZERO,
                box7=code,
                explain={
                    "box1": ["sum of the amounts distributed to this destination:"],
                    "box2a": [
                        "0 for a direct rollover to a traditional IRA"
                        if p.destination == "traditional-ira"
                        else "taxable part = amount - basis share (IRC 72(e)(8)):"
                    ],
                    "box4": [
                        "0: no withholding on a direct rollover"
                        if direct
                        else "20% of the taxable part (IRC 3405(c))"
                    ],
                    "box5": ["basis share = amount x basis / balance on the date (IRC 72(e)(8)(B)):"],
                    "box7": [
                        f"{code}: designated Roth account (1099-R instructions, Codes B and H; "
                        "box 10 = part allocable to IRRs within 5 years, box 11 = first Roth year)"
                        if p.code
                        else "G: direct rollover (1099-R instructions, Code G)"
                        if direct
                        else f"{code}: by age 59 1/2 on the distribution date"
                    ],
                },
            )
        f.box1 += p.gross
        f.box2a = (f.box2a or ZERO) + p.taxable
        f.box4 += box4
        f.box5 = (f.box5 or ZERO) + p.basis
        if p.box10 is not None:
            f.box10 = (f.box10 or ZERO) + p.box10
        f.box2b_total_distribution = f.box2b_total_distribution or p.total_distribution
        for i, ref in enumerate(p.refs):  # the ledger row first, then notes on it
            if i == 0:
                f.explain["box1"].append(f"  {ref}: {p.gross:,.2f}")
                f.explain["box2a"].append(f"  {ref}: {p.taxable:,.2f}")
                f.explain["box5"].append(f"  {ref}: {p.basis:,.2f}")
            else:
                f.explain["box2a"].append(f"  ({ref})")
                f.explain["box5"].append(f"  ({ref})")
    return list(forms.values()), warnings


def ira_forms(payments: list[IraPayment], born: date) -> tuple[list[Form1099R], list[str]]:
    """The traditional IRA custodian's 1099-Rs for one year (conversions and distributions)."""
    forms: dict[tuple[str, str, str], Form1099R] = {}
    warnings: list[str] = []
    for p in sorted(payments, key=lambda p: p.date):
        if p.kind == "recharacterization":
            # Recharacterized IRA contributions: code N (recharacterized in the year the contribution
            # is for) or R (in the next year); box 2a 0 (see tax_history.RECHAR_1099R_WARNING)
            key = (p.payer, p.code or "N", p.destination or "")
            f = forms.get(key)
            if f is None:
                f = forms[key] = Form1099R(
                    payer=p.payer,
                    destination=p.destination or "",
                    box1=ZERO,
                    box2a=ZERO,
                    box2b_taxable_not_determined=False,
                    box2b_total_distribution=False,
                    box4=ZERO,
                    box5=None,
                    box7=p.code or "N",
                    explain={
                        "box1": ["amount moved to the other IRA (contribution + its net income):"],
                        "box2a": ["0: a recharacterization is not taxed"],
                        "box7": [f"{p.code}: recharacterized IRA contribution (N: same year, R: next year)"],
                    },
                )
            f.box1 += p.amount
            for ref in p.refs:
                f.explain["box1"].append(f"  {ref}: {p.amount:,.2f}")
            continue
        if p.kind == "roth-distribution":
            # a Roth IRA distribution: codes J / Q / T (see tax_history.ROTH_1099R_WARNING)
            key = ("roth-ira", p.code or "J", "cash")
            f = forms.get(key)
            if f is None:
                f = forms[key] = Form1099R(
                    payer="roth-ira",
                    destination="cash",
                    box1=ZERO,
                    box2a=None,
                    box2b_taxable_not_determined=True,
                    box2b_total_distribution=False,
                    box4=ZERO,
                    box5=None,
                    box7=p.code or "J",
                    explain={
                        "box1": ["Roth IRA distributions:"],
                        "box2a": ["blank: the taxable part is figured on Form 8606 Part III"],
                        "box4": ["not recorded by the ledger"],
                        "box7": [
                            f"{p.code}: Q qualified, T 59 1/2 / death / disability without the five "
                            "years known, J otherwise (1099-R instructions)"
                        ],
                    },
                )
            f.box1 += p.amount
            for ref in p.refs:
                f.explain["box1"].append(f"  {ref}: {p.amount:,.2f}")
            continue
        if p.kind == "return":
            # a contribution returned with its net income (see tax_history.RETURN_1099R_WARNING)
            key = (p.payer, p.code or "8", "cash")
            f = forms.get(key)
            if f is None:
                f = forms[key] = Form1099R(
                    payer=p.payer,
                    destination="cash",
                    box1=ZERO,
                    box2a=ZERO,
                    box2b_taxable_not_determined=False,
                    box2b_total_distribution=False,
                    box4=ZERO,
                    box5=None,
                    box7=p.code or "8",
                    explain={
                        "box1": ["contribution returned + its net income:"],
                        "box2a": ["the net income (taxable for the year the contribution was for)"],
                        "box7": [
                            f"{p.code}: 8 = returned in the year it is for, P = the next year; "
                            "1 before 59 1/2, J for a Roth IRA"
                        ],
                    },
                )
            f.box1 += p.amount
            f.box2a = (f.box2a or ZERO) + (p.taxable or ZERO)
            for ref in p.refs:
                f.explain["box1"].append(f"  {ref}: {p.amount:,.2f}")
            continue
        if p.kind == "conversion":
            code, dest = ira_conversion_code(born, p.date), "roth-ira"
        elif p.kind == "distribution":
            code = distribution_code(born, p.date, direct_rollover=False, exception=p.exception)
            dest = "cash"
            if IRA_2A_WARNING not in warnings:
                warnings.append(IRA_2A_WARNING)
        else:
            raise UnsupportedSituation(f"IRA event kind {p.kind!r} has no 1099-R rule here")
        if IRA_WITHHOLDING_WARNING not in warnings:
            warnings.append(IRA_WITHHOLDING_WARNING)
        f = forms.get((p.payer, code, dest))
        if f is None:
            f = forms[(p.payer, code, dest)] = Form1099R(
                payer="traditional-ira",
                destination=dest,
                box1=ZERO,
                box2a=ZERO,
                box2b_taxable_not_determined=True,
                box2b_total_distribution=False,
                box4=ZERO,
                box5=None,
                box7=code,
                explain={
                    "box1": ["sum of the IRA amounts:"],
                    "box2a": ["= box 1; taxable part is figured on Form 8606 (2b 'not determined')"],
                    "box4": ["not recorded by the ledger"],
                    "box7": [f"{code}: by age 59 1/2 on the date (1099-R instructions)"],
                },
            )
        f.box1 += p.amount
        f.box2a = (f.box2a or ZERO) + p.amount
        for ref in p.refs:
            f.explain["box1"].append(f"  {ref}: {p.amount:,.2f}")
    return list(forms.values()), warnings
