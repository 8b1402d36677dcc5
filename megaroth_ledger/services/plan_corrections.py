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
from ..money import ZERO, from_cents, to_cents
from ..rules import corrections as rules
from ..store.lookup import get_person, get_plan
from ..store.models import Entry, Plan, PlanCorrection
from ..vocab import CONTRIBUTION_TYPES

ORIGIN = "correction #"


def corrections_for_person(session: Session, person_id: int) -> list[rules.PlanCorrection]:
    plans = {p.id: p.name for p in session.scalars(select(Plan).where(Plan.person_id == person_id))}
    if not plans:
        return []
    out = []
    for c in session.scalars(
        select(PlanCorrection)
        .where(PlanCorrection.plan_id.in_(plans))
        .order_by(PlanCorrection.date, PlanCorrection.id)
    ):
        out.append(
            rules.PlanCorrection(
                plans[c.plan_id],
                c.date,
                c.tax_year,
                c.kind,
                c.source,
                from_cents(c.amount_cents),
                from_cents(c.earnings_cents),
                ref=f"correction #{c.id} {c.date.isoformat()} {c.kind} for {c.tax_year}",
            )
        )
    return out


def corrected_by_year(session: Session, person_id: int, year: int) -> Decimal:
    return sum(
        (
            c.amount
            for c in corrections_for_person(session, person_id)
            if c.tax_year == year and c.kind == "excess-deferral"
        ),
        ZERO,
    )


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
    from . import headroom

    plan = get_plan(session, plan_name, person)
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
                f"plan {plan_name} has {'both pretax and Roth' if used else 'no'} deferrals for {tax_year}: "
                "say which money is distributed with --source pretax|roth"
            )
        source = used.pop()
    c = rules.PlanCorrection(plan.name, on, tax_year, kind, source or "pretax", amount, earnings)
    rules.check(c)
    h = headroom.compute(session, plan.person.name, tax_year)
    already = corrected_by_year(session, plan.person_id, tax_year)
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
    row = PlanCorrection(
        plan_id=plan.id,
        date=on,
        tax_year=tax_year,
        kind=kind,
        source=c.source,
        amount_cents=to_cents(amount),
        earnings_cents=to_cents(earnings),
    )
    session.add(row)
    session.flush()
    paid = amount + earnings
    session.add(
        Entry(
            plan_id=plan.id,
            date=on,
            tax_year=on.year,
            source=c.source,
            type="withdrawal",
            amount_cents=-to_cents(paid),
            origin=f"{ORIGIN}{row.id}",
            memo=f"corrective distribution of the {tax_year} excess deferral (+ earnings {earnings})",
        )
    )
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


def correction_list(session: Session, person_name: str) -> list[dict]:
    person = get_person(session, person_name)
    return [
        {
            "plan": c.plan,
            "date": c.date,
            "kind": c.kind,
            "tax_year": c.tax_year,
            "source": c.source,
            "amount": c.amount,
            "earnings": c.earnings,
            "ref": c.ref,
        }
        for c in corrections_for_person(session, person.id)
    ]


__all__ = [
    "correction_add",
    "correction_list",
    "corrections_for_person",
    "corrected_by_year",
    "UnsupportedSituation",
]
