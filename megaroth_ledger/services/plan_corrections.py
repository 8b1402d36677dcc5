"""Plan-side corrective distributions (issue 11): ``megaroth correction add/list``. The rules are in
:mod:`megaroth_ledger.rules.corrections`; the 1099-Rs and Form 1040 line 1h come out of the forms
service, the settled EXCESS_DEFERRAL warning out of the headroom service.

The money leaves the plan as an :class:`Entry` of type ``withdrawal`` with origin ``correction #ID``,
so balances stay right; the forms service skips those entries (the correction derives its own
1099-Rs with codes P / 8, never a code-1 distribution).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UnsupportedSituation, UserError
from ..money import from_cents, to_cents
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
