"""Plan-side corrective distributions (issue 11): ``megaroth correction add/list``. The rules are in
:mod:`megaroth_ledger.rules.corrections`; the 1099-Rs and Form 1040 line 1h come out of the forms
service, the settled EXCESS_DEFERRAL / ANNUAL_ADDITIONS_EXCEEDED warnings out of the headroom service.

A 415(c) correction (``--kind excess-annual-addition``) returns after-tax contributions with their
earnings: its withdrawal leaves the after-tax sub-account with the contributions as its basis share
(not pro rata), and the contributions no longer count as that year's annual additions.

The money leaves the plan as an :class:`Entry` of type ``withdrawal`` with origin ``correction #ID``,
so balances stay right; the forms service skips those entries (the correction derives its own
1099-Rs with codes P / 8, never a code-1 distribution).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import UnsupportedSituation, UserError
from ..money import ZERO, from_cents, to_cents
from ..rules import corrections as rules
from ..store.lookup import get_person, get_plan
from ..store.models import Entry, Plan, PlanCorrection
from ..vocab import CONTRIBUTION_TYPES

ORIGIN = "correction #"


def corrections_for_person(session: Session, person_id: int) -> list[rules.PlanCorrection]:
    from ..store.sqlrun import sql_of
    from .correction_rows import corrections_of

    return corrections_of(sql_of(session), person_id)


def corrected_by_year(session: Session, person_id: int, year: int) -> Decimal:
    from ..store.sqlrun import sql_of
    from .correction_rows import excess_corrected

    return excess_corrected(sql_of(session), person_id, year)


def apply_correction(
    session: Session,
    plan: Plan,
    row: PlanCorrection | None,
    on: dt.date,
    kind: str,
    tax_year: int,
    amount: Decimal,
    earnings: Decimal | None = None,
    source: str | None = None,
) -> dict:
    """Check a corrective distribution (as ``correction add`` and ``correction edit`` take it)
    and record it: a new one (``row`` None) or ``row`` changed, with the money it takes out of
    the sub-account (its ``correction #ID`` withdrawal entry)."""
    from . import headroom

    earnings = earnings if earnings is not None else Decimal("0.00")
    if kind == "excess-annual-addition":
        return _apply_annual_addition(
            session, plan, row, on, tax_year, amount, earnings, source or "aftertax"
        )
    if kind == "excess-deferral" and source is None:
        used = set(
            session.scalars(
                select(Entry.source)
                .where(
                    Entry.plan_id == plan.id,
                    Entry.tax_year == tax_year,
                    Entry.type.in_(sorted(CONTRIBUTION_TYPES)),
                    Entry.source.in_(("pretax", "roth")),
                )
                .distinct()
            )
        )
        if len(used) != 1:
            raise UserError(
                f"plan {plan.name} has {'both pretax and Roth' if used else 'no'} deferrals for {tax_year}: "
                "say which money is distributed with --source pretax|roth"
            )
        source = used.pop()
    c = rules.PlanCorrection(plan.name, on, tax_year, kind, source or "pretax", amount, earnings)
    rules.check(c)
    h = headroom.compute(session, plan.person.name, tax_year)
    already = corrected_by_year(session, plan.person_id, tax_year)
    if row is not None and row.tax_year == tax_year and row.kind == "excess-deferral":
        already -= from_cents(row.amount_cents)  # the one being changed
    if h.excess_deferrals <= 0:
        raise UserError(
            f"the ledger shows no {tax_year} excess deferral for {plan.person.name} (deferrals "
            f"{h.elective_deferrals:,.2f}); nothing to correct"
        )
    if already + amount > h.excess_deferrals:
        raise UserError(
            f"the {tax_year} excess deferral is {h.excess_deferrals:,.2f}; {already:,.2f} is already "
            f"corrected, so at most {h.excess_deferrals - already:,.2f} more"
        )
    if row is None:
        row = PlanCorrection(plan_id=plan.id)
        session.add(row)
    row.date, row.tax_year, row.kind, row.source = on, tax_year, kind, c.source
    row.amount_cents, row.earnings_cents = to_cents(amount), to_cents(earnings)
    session.flush()
    paid = amount + earnings
    entry = session.scalars(select(Entry).where(Entry.origin == f"{ORIGIN}{row.id}")).first()
    if entry is None:
        entry = Entry(plan_id=plan.id, type="withdrawal", origin=f"{ORIGIN}{row.id}")
        session.add(entry)
    entry.date, entry.tax_year, entry.source = on, on.year, c.source
    entry.amount_cents = -to_cents(paid)
    entry.memo = f"corrective distribution of the {tax_year} excess deferral (+ earnings {earnings})"
    session.flush()
    return {
        "id": row.id,
        "plan": plan.name,
        "date": on,
        "kind": kind,
        "tax_year": tax_year,
        "source": c.source,
        "amount": amount,
        "earnings": earnings,
        "paid": paid,
        "excess_deferrals": h.excess_deferrals,
        "corrected": already + amount,
    }


def _apply_annual_addition(
    session: Session,
    plan: Plan,
    row: PlanCorrection | None,
    on: dt.date,
    tax_year: int,
    amount: Decimal,
    earnings: Decimal,
    source: str,
) -> dict:
    """After-tax contributions for ``tax_year`` returned with their earnings on ``on`` to correct a
    415(c) excess (EPCRS), as ``correction add`` and ``correction edit`` take it. Refused without a
    415(c) excess at the plan's employer for that year, above what is left of it, above the plan's
    after-tax contributions for the year, or when the after-tax sub-account cannot pay it (its later
    distributions are checked too)."""
    from . import headroom
    from .corrections import _check_replay

    c = rules.PlanCorrection(plan.name, on, tax_year, "excess-annual-addition", source, amount, earnings)
    rules.check(c)
    others = [
        x
        for x in session.scalars(
            select(PlanCorrection).where(
                PlanCorrection.plan_id == plan.id,
                PlanCorrection.kind == "excess-annual-addition",
                PlanCorrection.tax_year == tax_year,
            )
        )
        if row is None or x.id != row.id
    ]
    # the one being changed (correction edit) counts as not recorded
    own = (
        from_cents(row.amount_cents)
        if row is not None and row.kind == "excess-annual-addition" and row.tax_year == tax_year
        else ZERO
    )
    h = headroom.compute(session, plan.person.name, tax_year)
    row_e = next((e for e in h.employers if plan.name in e.plans), None)
    if row_e is None:
        raise UserError(f"plan {plan.name} has no 415(c) annual additions for {tax_year}")
    returned_before = row_e.after_tax_returned - own
    excess = row_e.annual_additions + own - row_e.annual_additions_limit
    if excess <= 0:
        raise UserError(
            f"the ledger shows no {tax_year} 415(c) excess at {row_e.employer}: annual additions "
            f"{row_e.annual_additions + own:,.2f} of {row_e.annual_additions_limit:,.2f}"
            + (f" ({returned_before:,.2f} already returned)" if returned_before else "")
            + "; nothing to correct"
        )
    if amount > excess:
        raise UserError(
            f"the {tax_year} 415(c) excess at {row_e.employer} is {excess:,.2f}"
            + (f" after {returned_before:,.2f} already returned" if returned_before else "")
            + f"; {amount:,.2f} is more"
        )
    contributed = from_cents(
        session.scalar(
            select(func.coalesce(func.sum(Entry.amount_cents), 0)).where(
                Entry.plan_id == plan.id,
                Entry.tax_year == tax_year,
                Entry.status == "posted",
                Entry.type.in_(sorted(CONTRIBUTION_TYPES)),
                Entry.source == "aftertax",
            )
        )
    )
    already = sum((from_cents(x.amount_cents) for x in others), ZERO)
    if already + amount > contributed:
        raise UserError(
            f"plan {plan.name} has {contributed:,.2f} of {tax_year} after-tax contributions"
            + (f", {already:,.2f} already returned" if already else "")
            + f"; {amount:,.2f} more cannot be returned from it"
        )
    if row is None:
        row = PlanCorrection(plan_id=plan.id)
        session.add(row)
    row.date, row.tax_year, row.kind, row.source = on, tax_year, "excess-annual-addition", source
    row.amount_cents, row.earnings_cents = to_cents(amount), to_cents(earnings)
    session.flush()
    paid = amount + earnings
    entry = session.scalars(select(Entry).where(Entry.origin == f"{ORIGIN}{row.id}")).first()
    if entry is None:
        entry = Entry(plan_id=plan.id, type="withdrawal", origin=f"{ORIGIN}{row.id}")
        session.add(entry)
    entry.date, entry.tax_year, entry.source = on, on.year, "aftertax"
    entry.amount_cents = -to_cents(paid)
    entry.memo = f"{tax_year} after-tax contributions returned under EPCRS (415(c)) + earnings {earnings}"
    session.flush()
    _check_replay(session, plan, f"returning {paid:,.2f} on {on.isoformat()}")
    return {
        "id": row.id,
        "plan": plan.name,
        "date": on,
        "kind": "excess-annual-addition",
        "tax_year": tax_year,
        "source": source,
        "amount": amount,
        "earnings": earnings,
        "paid": paid,
        "employer": row_e.employer,
        "annual_additions_excess": excess,
        "corrected": returned_before + amount,
    }


def correction_add(
    session: Session,
    plan_name: str,
    on: dt.date,
    kind: str,
    tax_year: int,
    amount: Decimal,
    earnings: Decimal | None = None,
    source: str | None = None,
    person: str | None = None,
) -> dict:
    """``correction add``: ``person`` says whose plan ``plan_name`` is (plan names are per person)."""
    from .changelog import record_change, snapshot

    plan = get_plan(session, plan_name, person)
    res = apply_correction(session, plan, None, on, kind, tax_year, amount, earnings, source)
    row = session.get(PlanCorrection, res["id"])
    record_change(
        session, "add", "correction", row.id, None, snapshot(row, plan=plan.name), person_id=plan.person_id
    )
    return res


def correction_list(session: Session, person_name: str) -> list[dict]:
    person = get_person(session, person_name)
    plans = {p.id: p.name for p in session.scalars(select(Plan).where(Plan.person_id == person.id))}
    return [
        {
            "id": c.id,
            "plan": plans[c.plan_id],
            "date": c.date,
            "kind": c.kind,
            "tax_year": c.tax_year,
            "source": c.source,
            "amount": from_cents(c.amount_cents),
            "earnings": from_cents(c.earnings_cents),
            "ref": f"correction #{c.id} {c.date.isoformat()} {c.kind} for {c.tax_year}",
        }
        for c in session.scalars(
            select(PlanCorrection)
            .where(PlanCorrection.plan_id.in_(list(plans)))
            .order_by(PlanCorrection.date, PlanCorrection.id)
        )
    ]


__all__ = [
    "correction_add",
    "correction_list",
    "corrections_for_person",
    "corrected_by_year",
    "UnsupportedSituation",
]
