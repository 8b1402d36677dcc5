"""People, plans, wages and paycheck contributions: the ledger's foundation records."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..bounds import check_name
from ..errors import UserError
from ..money import ZERO, from_cents, to_cents
from ..store.lookup import get_person, get_plan
from ..store.models import Entry, Person, Plan, Wages
from ..vocab import CONTRIBUTION_TYPES, PLAN_KINDS
from .changelog import record_change, snapshot


def add_person(session: Session, name: str, born: dt.date) -> Person:
    from .fast import person_fields

    name = person_fields(name, born)
    if session.scalars(select(Person).where(Person.name == name)).first():
        raise UserError(f"person {name!r} already exists")
    if born > dt.date.today():
        raise UserError(f"birth date {born.isoformat()} is in the future")
    person = Person(name=name, born=born)
    session.add(person)
    session.flush()
    record_change(session, "add", "person", person.id, None, snapshot(person), person_id=person.id)
    return person


def list_people(session: Session) -> list[dict]:
    return [
        {"id": p.id, "name": p.name, "born": p.born}
        for p in session.scalars(select(Person).order_by(Person.name))
    ]


def add_plan(
    session: Session,
    *,
    name: str,
    person: str,
    employer: str,
    kind: str = "401k",
    after_tax: bool = False,
    in_plan_conversion: bool = False,
    in_service_withdrawal: bool = False,
    first_roth_year: int | None = None,
) -> Plan:
    if kind not in PLAN_KINDS:
        raise UserError(f"unknown plan kind {kind!r}; expected one of {', '.join(PLAN_KINDS)}")
    check_name(name, "plan name")
    owner = get_person(session, person)
    if session.scalars(select(Plan).where(Plan.person_id == owner.id, Plan.name == name)).first():
        raise UserError(f"plan {name!r} already exists for {owner.name}")
    if not employer.strip():
        raise UserError("--employer must not be empty")
    check_name(employer.strip(), "--employer", max_len=200)
    plan = Plan(
        name=name,
        person=owner,
        employer=employer.strip(),
        kind=kind,
        after_tax=after_tax,
        in_plan_conversion=in_plan_conversion,
        in_service_withdrawal=in_service_withdrawal,
        first_roth_year=first_roth_year,
    )
    session.add(plan)
    session.flush()
    record_change(session, "add", "plan", plan.id, None, snapshot(plan), person_id=owner.id)
    return plan


def plan_row(plan: Plan) -> dict:
    return {
        "id": plan.id,
        "name": plan.name,
        "person": plan.person.name,
        "employer": plan.employer,
        "kind": plan.kind,
        "after_tax": plan.after_tax,
        "in_plan_conversion": plan.in_plan_conversion,
        "in_service_withdrawal": plan.in_service_withdrawal,
        "first_roth_year": plan.first_roth_year,
    }


def list_plans(session: Session, person: str | None = None) -> list[dict]:
    stmt = select(Plan).join(Person, Person.id == Plan.person_id).order_by(Plan.name, Person.name)
    if person:
        stmt = stmt.where(Plan.person_id == get_person(session, person).id)
    return [plan_row(p) for p in session.scalars(stmt)]


def set_wages(
    session: Session,
    plan_name: str,
    year: int,
    compensation: Decimal | None,
    fica_wages: Decimal | None,
    person: str | None = None,
) -> Wages:
    plan = get_plan(session, plan_name, person)
    for label, value in (("--compensation", compensation), ("--fica-wages", fica_wages)):
        if value is not None and value < 0:
            raise UserError(f"{label} must not be negative (got {value})")
    return store_wages(session, plan, year, compensation, fica_wages)


def store_wages(
    session: Session,
    plan: Plan,
    year: int,
    compensation: Decimal | None,
    fica_wages: Decimal | None,
    reason: str | None = None,
) -> Wages:
    """Set ``plan``'s wages record of ``year`` (the figures not None; added when there is none),
    logged with its values before and after."""
    row = session.scalars(select(Wages).where(Wages.plan_id == plan.id, Wages.year == year)).first()
    before = None if row is None else snapshot(row, plan=plan.name)
    if row is None:
        row = Wages(plan_id=plan.id, year=year)
        session.add(row)
    if compensation is not None:
        row.compensation_cents = to_cents(compensation)
    if fica_wages is not None:
        row.fica_wages_cents = to_cents(fica_wages)
    session.flush()
    record_change(
        session,
        "add" if before is None else "edit",
        "wages",
        row.id,
        before,
        snapshot(row, plan=plan.name),
        person_id=plan.person_id,
        reason=reason,
    )
    return row


def list_wages(session: Session, person: str) -> list[dict]:
    owner = get_person(session, person)
    stmt = (
        select(Wages, Plan.name)
        .join(Plan, Plan.id == Wages.plan_id)
        .where(Plan.person_id == owner.id)
        .order_by(Plan.name, Wages.year)
    )
    return [
        {
            "id": w.id,
            "plan": name,
            "year": w.year,
            "compensation": from_cents(w.compensation_cents),
            "fica_wages": from_cents(w.fica_wages_cents),
        }
        for w, name in session.execute(stmt)
    ]


def add_contribution(
    session: Session,
    plan_name: str,
    on: dt.date,
    source: str,
    amount: Decimal,
    tax_year: int | None = None,
    memo: str | None = None,
    person: str | None = None,
) -> int:
    from .fast import contribution_checks

    plan = get_plan(session, plan_name, person)
    tax_year = contribution_checks(on, source, amount, tax_year, plan.person.born, plan.person.name)
    entry = Entry(
        plan_id=plan.id,
        date=on,
        tax_year=tax_year,
        source=source,
        type="contribution",
        amount_cents=to_cents(amount),
        memo=memo,
        origin="contribution add",
    )
    session.add(entry)
    from .ledger_ops import refresh_differences

    refresh_differences(session, plan.id)
    record_change(
        session,
        "add",
        "contribution",
        entry.id,
        None,
        snapshot(entry, plan=plan.name),
        person_id=plan.person_id,
    )
    return entry.id


def list_contributions(
    session: Session, person: str | None = None, plan: str | None = None, year: int | None = None
) -> dict:
    stmt = (
        select(Entry, Plan.name)
        .join(Plan, Plan.id == Entry.plan_id)
        .where(Entry.type.in_(sorted(CONTRIBUTION_TYPES)), Entry.status == "posted")
        .order_by(Entry.date, Entry.id)
    )
    if person:
        stmt = stmt.where(Plan.person_id == get_person(session, person).id)
    if plan:
        stmt = stmt.where(Entry.plan_id == get_plan(session, plan, person).id)
    if year:
        stmt = stmt.where(Entry.tax_year == year)
    rows, totals = [], defaultdict(lambda: ZERO)
    for e, plan_name in session.execute(stmt):
        amount = from_cents(e.amount_cents)
        rows.append(
            {
                "id": e.id,
                "date": e.date,
                "tax_year": e.tax_year,
                "plan": plan_name,
                "source": e.source,
                "amount": amount,
                "memo": e.memo,
            }
        )
        totals[e.source] += amount
    return {
        "person": person,
        "plan": plan,
        "year": year,
        "contributions": rows,
        "totals": dict(sorted(totals.items())),
        "total": sum(totals.values(), ZERO),
    }
