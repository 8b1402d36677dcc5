"""Five-year clocks and what-if Roth withdrawals (issue 4): assemble rule inputs from the ledger,
run :mod:`megaroth_ledger.rules.clocks` / :mod:`megaroth_ledger.rules.ordering`, and shape the
JSON payloads of ``megaroth clocks`` and ``megaroth withdraw``.

Inputs:
- conversion layers and Roth IRA contributions: :func:`megaroth_ledger.services.forms.roth_history`
  (issue 3 owns how conversions and rollovers become layers, Form 8606 line 18 included);
- recorded Roth IRA distributions: ``IraEvent`` rows (kind ``distribution``, account ``roth``),
  written by ``megaroth ira distribute --account roth``; they consume the layers under the
  ordering rules, so clocks, what-ifs and Form 8606 Part III agree;
- a plan's designated Roth account for a plan what-if: its ledger entries (sources ``roth``,
  ``employer_roth``, ``roth_irr``) give the balance and the designated Roth contributions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import UnsupportedSituation, UserError
from ..money import ZERO, from_cents
from ..rules import clocks as rc
from ..rules import ordering as ro
from ..rules.dates import age_59_half_on
from ..rules.layers import RothContribution, RothLayer
from ..store.sqlrun import marks, sql_of
from ..vocab import CONTRIBUTION_TYPES

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session

# ``session``: a SQLAlchemy Session or the thin path's LiteDb (store.lite); the inputs of the
# clocks are read with plain SQL either way (services.forms).

#: Plan sources that make up the designated Roth account (statement-formats.md 5.3).
DRA_SOURCES = ("roth", "employer_roth", "roth_irr", "roth_rollover")

RECAPTURE_NOTE = (
    "only the part of a conversion that was taxable when converted is exposed to the 10% "
    "additional tax within its five years (IRC 408A(d)(3)(F)(ii)); the nontaxable part never is"
)
BALANCE_NOTE = (
    "the ledger does not hold the Roth IRA's value: whatever a withdrawal takes beyond the "
    "contributions and conversions is treated as earnings, without checking the account holds it"
)
EXCEPTION_LIMIT_WARNING = "exception {name} is applied to the whole withdrawal; it only covers {limit}"


def _w(code: str, message: str) -> dict:
    return {"code": code, "message": message}


def _history(session: Session, person_name: str) -> tuple[list[RothContribution], list[RothLayer]]:
    """Roth IRA contributions and conversion layers, from issue 3's forms service."""
    try:
        from . import forms
    except ImportError:  # pragma: no cover - until the forms service is installed
        raise UnsupportedSituation(
            "conversion history is not available: the forms service "
            "(megaroth_ledger.services.forms) is missing"
        ) from None

    contributions, layers = forms.roth_history(session, person_name)
    return list(contributions), list(layers)


@dataclass
class RothInputs:
    person: Any  # id, name, born
    contributions: list[RothContribution]
    layers: list[RothLayer]
    distributions: list[ro.Distribution]
    plans: list  # the person's plans (every column)
    clock: rc.QualifiedClock | None
    warnings: list[dict]


def load(session: Session, person_name: str) -> RothInputs:
    from .forms import person_record, plans_of

    sql = sql_of(session)
    person = person_record(sql, person_name)
    contributions, layers = _history(session, person.name)
    events = sql.recs(
        "SELECT ira_event.id, ira_event.date, ira_event.amount_cents, ira_event.exception FROM ira_event "
        "WHERE ira_event.person_id = ? AND ira_event.kind = ? AND ira_event.account = ? "
        "ORDER BY ira_event.date, ira_event.id",
        (person.id, "distribution", "roth"),
    )
    distributions = [ro.Distribution(e.date, from_cents(e.amount_cents), e.exception) for e in events]
    for d in distributions:
        try:
            ro.exception_for(d.exception, ira=True)
        except UserError as exc:
            raise UserError(f"recorded Roth IRA distribution of {d.date.isoformat()}: {exc}") from None
    plans = plans_of(sql, person.id)
    clock, notes = rc.roth_ira_clock(contributions, layers, person.born)
    warnings = [_w("ASSUMPTION_DRA_ROLLOVER_CLOCK", n) for n in notes]
    from . import forms

    warnings += [_w("PROVISIONAL_LINE_6", n) for n in forms.provisional_notes(session, person.name)]
    return RothInputs(person, contributions, layers, distributions, plans, clock, warnings)


def _state_through(inp: RothInputs, through: date) -> ro.RothIraState:
    """Layers and contributions after the recorded Roth IRA distributions dated up to ``through``."""
    return ro.replay(
        inp.contributions,
        inp.layers,
        [d for d in inp.distributions if d.date <= through],
        inp.person.born,
        inp.clock,
    )


# --------------------------------------------------------------------------------------------
# megaroth clocks


def clocks_payload(session: Session, person_name: str, as_of: date) -> dict:
    inp = load(session, person_name)
    born = inp.person.born
    state = _state_through(inp, as_of)
    layer_clocks = [
        rc.layer_clock(x, born, state.taxable_left[i], state.nontaxable_left[i])
        for i, x in enumerate(inp.layers)
    ]
    order = sorted(range(len(inp.layers)), key=lambda i: (inp.layers[i].date, inp.layers[i].kind))
    conversions = []
    for i in order:
        c, x = layer_clocks[i], inp.layers[i]
        free = c.penalty_free(as_of)
        conversions.append(
            {
                "kind": x.kind,
                "plan": x.plan,
                "date": x.date,
                "tax_year": x.tax_year,
                "amount": x.amount,
                "taxable": x.taxable,
                "nontaxable": x.nontaxable,
                "remaining_taxable": c.remaining_taxable,
                "remaining_nontaxable": c.remaining_nontaxable,
                "clock_start": c.clock_start,
                "penalty_free_on": c.penalty_free_on,
                "penalty_free": free,
                "days_left": c.days_left(as_of),
                "exposed": ZERO if free else c.remaining_taxable,
            }
        )
    warnings = list(inp.warnings)
    qualified = []
    if inp.clock is not None:
        qualified.append(_qualified_row(inp.clock, as_of))
    for plan in inp.plans:
        clock, notes = rc.plan_clock(plan.name, plan.first_roth_year, inp.layers, born)
        warnings += [_w("ASSUMPTION_IRR_STARTS_DRA_CLOCK", n) for n in notes]
        if clock is not None:
            qualified.append(_qualified_row(clock, as_of))
    if any(x.kind == "in-plan" for x in inp.layers) and _dra_withdrawals(session, inp.plans, as_of):
        warnings.append(
            _w(
                "DRA_DISTRIBUTIONS_NOT_APPLIED",
                "distributions from a plan's designated Roth account are not applied to its "
                "in-plan rollover layers: their remaining amounts show the whole rollover",
            )
        )
    # regular contributions *for* ``as_of``'s year or earlier: the ones a distribution on that date
    # can reach (Treas. Reg. 1.408A-6 A-9 aggregates by year, as the what-if does)
    regular_now = state.regular_remaining(as_of.year)
    schedule = rc.penalty_free_schedule(layer_clocks, regular_now, as_of)
    return {
        "person": inp.person.name,
        "as_of": as_of,
        "age_59_half_on": age_59_half_on(born),
        "conversions": conversions,
        "qualified": qualified,
        "regular_contributions_remaining": regular_now,
        "schedule": [
            {
                "on": r.on,
                "tax_years": list(r.tax_years),
                "amount": r.amount,
                "cumulative": r.cumulative,
                "why": (
                    "already free"
                    if r.on == as_of
                    else "age 59 1/2"
                    if r.on == age_59_half_on(born)
                    else "five years over"
                ),
            }
            for r in schedule
        ],
        "notes": [RECAPTURE_NOTE],
        "warnings": warnings,
    }


def _qualified_row(clock: rc.QualifiedClock, as_of: date) -> dict:
    return {
        "account": clock.account,
        "clock_start": clock.clock_start,
        "five_years_on": clock.five_years_on,
        "qualified_on": clock.qualified_on,
        "met": clock.met(as_of),
    }


def _dra_withdrawals(session: Session, plans: list, through: date) -> bool:
    ids = [p.id for p in plans]
    if not ids:
        return False
    kinds = ("withdrawal", "rollover_out", "conversion_out")
    return (
        sql_of(session).value(
            f"SELECT entry.id FROM entry WHERE entry.plan_id IN ({marks(ids)}) "
            f"AND entry.source IN ({marks(DRA_SOURCES)}) AND entry.amount_cents < ? "
            f"AND entry.type IN ({marks(kinds)}) AND entry.date <= ? AND entry.status = ? LIMIT ? OFFSET ?",
            (*ids, *DRA_SOURCES, 0, *kinds, through, "posted", 1, 0),
        )
        is not None
    )


# --------------------------------------------------------------------------------------------
# megaroth withdraw


def withdraw_payload(
    session: Session,
    person_name: str,
    amount: Decimal,
    on: date,
    account: str = "roth-ira",
    exception: str | None = None,
) -> dict:
    if account == "roth-ira":
        return _withdraw_roth_ira(session, person_name, amount, on, exception)
    return _withdraw_plan(session, person_name, amount, on, account, exception)


def _tranche_row(t: ro.Tranche) -> dict:
    return {
        "source": t.source,
        "tax_year": t.tax_year,
        "amount": t.amount,
        "income_tax_base": t.income_tax_base,
        "additional_tax_base": t.additional_tax_base,
        "additional_tax": t.additional_tax,
        "note": t.note,
    }


def _withdraw_roth_ira(
    session: Session, person_name: str, amount: Decimal, on: date, exception: str | None
) -> dict:
    inp = load(session, person_name)
    born = inp.person.born
    year = on.year
    before_year = [d for d in inp.distributions if d.date.year < year]
    same_year = [d for d in inp.distributions if d.date.year == year]
    before = ro.replay(inp.contributions, inp.layers, before_year, born, inp.clock)
    start = before.copy()
    what_if = ro.Distribution(on, amount, exception)
    results: list[ro.DistributionResult] = []
    mine: ro.DistributionResult | None = None
    # the year's recorded distributions and the what-if, in date order (what-if last on a tie)
    for d in sorted([*same_year, what_if], key=lambda d: (d.date, d is what_if)):
        r = ro.take(start, d, born, inp.clock)
        results.append(r)
        if d is what_if:
            mine = r
    assert mine is not None
    forms = ro.year_forms(before, results, year)
    warnings = list(inp.warnings)
    if mine.exception is not None and mine.exception.limited:
        warnings.append(
            _w(
                "EXCEPTION_LIMIT",
                EXCEPTION_LIMIT_WARNING.format(name=mine.exception.name, limit=mine.exception.limited),
            )
        )
    if any(t.source == "earnings" for t in mine.tranches):
        warnings.append(_w("EARNINGS_ASSUMED", BALANCE_NOTE))
    return {
        "person": inp.person.name,
        "account": "roth-ira",
        "date": on,
        "amount": amount,
        "exception": exception,
        "age_59_half_on": age_59_half_on(born),
        "qualified": mine.qualified,
        "early": mine.early,
        "tranches": [_tranche_row(t) for t in mine.tranches],
        "totals": {
            "income_tax_base": mine.income_tax_base,
            "additional_tax_base": mine.additional_tax_base,
            "additional_tax": mine.additional_tax,
        },
        "recorded_same_year": len(same_year),
        "form_8606_part_iii": forms.part3,
        "form_5329": forms.form5329,
        "notes": [RECAPTURE_NOTE],
        "warnings": warnings,
    }


def _withdraw_plan(
    session: Session, person_name: str, amount: Decimal, on: date, plan_name: str, exception: str | None
) -> dict:
    from sqlalchemy import select

    from ..store.lookup import get_person
    from ..store.models import Entry, Plan

    person = get_person(session, person_name)
    plan = session.scalars(select(Plan).where(Plan.person_id == person.id, Plan.name == plan_name)).first()
    if plan is None:
        known = [p.name for p in session.scalars(select(Plan).where(Plan.person_id == person.id))]
        raise UserError(
            f"--account {plan_name!r} is neither roth-ira nor a plan of {person.name} "
            f"(plans: {', '.join(known) or 'none'})"
        )
    _, layers = _history(session, person.name)
    irr_layers = [x for x in layers if x.kind == "in-plan" and x.plan == plan.name and x.date <= on]
    rows = session.execute(
        select(Entry.date, Entry.source, Entry.type, Entry.amount_cents).where(
            Entry.plan_id == plan.id,
            Entry.source.in_(DRA_SOURCES),
            Entry.date <= on,
            Entry.status == "posted",
        )
    ).all()
    balance = sum((from_cents(r.amount_cents) for r in rows), ZERO)
    contributions = sum(
        (
            from_cents(r.amount_cents)
            for r in rows
            if r.source in ("roth", "employer_roth") and r.type in CONTRIBUTION_TYPES
        ),
        ZERO,
    )
    if any(r.type == "opening_balance" for r in rows):
        from .opening import fix_hint, opening_basis

        if any(r.type == "opening_balance" and r.source not in ("roth", "employer_roth") for r in rows):
            raise UnsupportedSituation(
                f"plan {plan.name} has an opening balance of in-plan conversion money: its layers and "
                "clocks are not on the statement; not supported"
            )
        basis = opening_basis(session, plan.id, "roth")
        if basis is None:
            raise UnsupportedSituation(
                f"plan {plan.name}'s designated Roth opening balance has no known basis (IRC 402A(d)); "
                f"record it with `{fix_hint(plan.name, 'roth')}`"
            )
        contributions += basis
    if any(r.source == "roth_rollover" for r in rows):
        raise UnsupportedSituation(
            f"plan {plan.name} holds a Roth rollover from another plan: its investment in the contract "
            "is not in the ledger, so the pro rata split cannot be computed"
        )
    if any(
        r.amount_cents < 0
        and r.type not in ("fee",)
        and r.type in ("withdrawal", "rollover_out", "conversion_out", "loan_issue")
        for r in rows
    ):
        raise UnsupportedSituation(
            f"plan {plan.name}'s designated Roth account already had money taken out; the ledger does not "
            "yet track the basis those distributions used, so it cannot split another one"
        )
    if balance <= 0:
        raise UserError(
            f"plan {plan.name} has no designated Roth account balance on {on.isoformat()}; "
            "record contributions, in-plan rollovers or a balance assertion first"
        )
    clock, notes = rc.plan_clock(plan.name, plan.first_roth_year, layers, person.born)
    res = ro.dra_distribution(
        amount,
        on,
        balance=balance,
        contributions_basis=contributions,
        irrs=[(x, x.taxable, x.nontaxable) for x in irr_layers],
        born=person.born,
        clock=clock,
        exception=exception,
    )
    warnings = [_w("ASSUMPTION_IRR_STARTS_DRA_CLOCK", n) for n in notes]
    warnings += [_w("ASSUMPTION_DRA_IRR_ALLOCATION", n) for n in res.warnings]
    if res.exception is not None and res.exception.limited:
        warnings.append(
            _w(
                "EXCEPTION_LIMIT",
                EXCEPTION_LIMIT_WARNING.format(name=res.exception.name, limit=res.exception.limited),
            )
        )
    return {
        "person": person.name,
        "account": plan.name,
        "date": on,
        "amount": amount,
        "exception": exception,
        "age_59_half_on": age_59_half_on(person.born),
        "qualified": res.qualified,
        "early": res.early,
        "balance": balance,
        "basis_before": contributions + sum((x.amount for x in irr_layers), ZERO),
        "tranches": [_tranche_row(t) for t in res.tranches],
        "totals": {
            "income_tax_base": res.taxable,
            "additional_tax_base": res.additional_tax_base,
            "additional_tax": res.additional_tax,
        },
        "form_1099r": {
            "box1": amount,
            "box2a": res.taxable,
            "box5": res.basis,
            "box10": res.box10,
            "box11": clock.clock_start.year if clock is not None else None,
            "recapture": res.recapture,
        },
        "form_5329": {
            "1": res.form5329_line1,
            "2": res.form5329_line1 if res.exception is not None else ZERO,
            "2_exception": res.exception.number if (res.early and res.exception) else None,
            "3": res.additional_tax_base,
            "4": res.additional_tax,
        },
        "notes": [
            "a designated Roth account distribution is pro rata between investment in the contract "
            "and earnings, not ordered like a Roth IRA's (IRC 402A(d)(4), 72(e)(8))"
        ],
        "warnings": warnings,
    }
