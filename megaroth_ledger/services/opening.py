"""Opening balances: what a plan sub-account held before the ledger's history starts.

A plan's first imported statement can show more money than its rows explain; the import
records that part as an ``opening_balance`` entry (never earnings: see
:mod:`megaroth_ledger.importers.store`). The statement does not say how much of it is basis:

- after-tax (``aftertax``): the investment in the contract, IRC 72(e)(8)(B) and 72(e)(6);
  what a later conversion or withdrawal recovers tax-free pro rata (Notice 2014-54);
- designated Roth (``roth``): the Roth contributions, IRC 402A(d) (the nonqualified
  distribution's tax-free part).

Until ``megaroth basis set --plan P --aftertax AMOUNT`` (or ``--roth``) records it, the forms
refuse (UnsupportedSituation) instead of guessing 0 or the whole balance.

Interface for other modules (e.g. ``megaroth check``):

- :func:`missing_basis` ``(session, person_name=None) -> list[dict]``: every plan/source with an
  opening balance and no recorded basis (keys ``person``, ``plan``, ``source``, ``date``,
  ``amount``, ``fix``);
- :func:`opening_basis` ``(session, plan_id, source) -> Decimal | None``;
- :func:`set_opening_basis` ``(session, plan_name, source, amount) -> dict``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..money import from_cents, to_cents
from ..store.lookup import get_plan
from ..store.models import Entry, OpeningBasis, Person, Plan
from ..vocab import OPENING_TYPE

#: sources whose opening balance has a basis the forms need (see the module docstring)
BASIS_SOURCES = ("aftertax", "roth")


def fix_hint(plan: str, source: str) -> str:
    return f"megaroth basis set --plan {plan} --{source} AMOUNT"


def opening_basis(session: Session, plan_id: int, source: str) -> Decimal | None:
    cents = session.scalar(
        select(OpeningBasis.basis_cents).where(OpeningBasis.plan_id == plan_id, OpeningBasis.source == source)
    )
    return None if cents is None else from_cents(cents)


def opening_total(session: Session, plan_id: int, source: str) -> Decimal:
    cents = session.scalar(
        select(func.coalesce(func.sum(Entry.amount_cents), 0)).where(
            Entry.plan_id == plan_id,
            Entry.source == source,
            Entry.type == OPENING_TYPE,
            Entry.status == "posted",
        )
    )
    return from_cents(int(cents or 0))


def set_opening_basis(
    session: Session,
    plan_name: str,
    source: str,
    amount: Decimal,
    now: dt.datetime | None = None,
    person: str | None = None,
) -> dict:
    """Record (replace) the basis in ``plan_name``'s ``source`` opening balance."""
    if source not in BASIS_SOURCES:
        raise UserError(f"opening basis is kept for {', '.join(BASIS_SOURCES)} money, not {source!r}")
    if amount < 0:
        raise UserError(f"--{source} must not be negative")
    plan = get_plan(session, plan_name, person)
    opening = opening_total(session, plan.id, source)
    if not opening:
        raise UserError(
            f"plan {plan_name} has no {source} opening balance (only a first imported statement "
            "records one); the basis of money the ledger has rows for comes from those rows"
        )
    row = session.scalars(
        select(OpeningBasis).where(OpeningBasis.plan_id == plan.id, OpeningBasis.source == source)
    ).first()
    from .changelog import record_change, snapshot

    before = None if row is None else snapshot(row, plan=plan.name)
    if row is None:
        row = OpeningBasis(plan_id=plan.id, source=source, basis_cents=0)
        session.add(row)
    row.basis_cents = to_cents(amount)
    row.recorded_at = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    session.flush()
    record_change(
        session,
        "add" if before is None else "edit",
        "opening-basis",
        row.id,
        before,
        snapshot(row, plan=plan.name),
        person_id=plan.person_id,
    )
    return {"plan": plan_name, "source": source, "basis": amount, "opening_balance": opening}


def missing_basis(session: Session, person_name: str | None = None) -> list[dict]:
    """Plans/sources with an opening balance whose basis was never recorded."""
    stmt = (
        select(
            Person.name, Plan.name, Plan.id, Entry.source, func.min(Entry.date), func.sum(Entry.amount_cents)
        )
        .join(Plan, Plan.id == Entry.plan_id)
        .join(Person, Person.id == Plan.person_id)
        .where(Entry.type == OPENING_TYPE, Entry.status == "posted", Entry.source.in_(BASIS_SOURCES))
        .group_by(Person.name, Plan.name, Plan.id, Entry.source)
        .order_by(Person.name, Plan.name, Entry.source)
    )
    if person_name is not None:
        stmt = stmt.where(Person.name == person_name)
    out = []
    for person, plan, plan_id, source, first, cents in session.execute(stmt):
        if not cents or opening_basis(session, plan_id, source) is not None:
            continue
        first = first if isinstance(first, dt.date) else dt.date.fromisoformat(str(first))
        out.append(
            {
                "person": person,
                "plan": plan,
                "source": source,
                "date": first,
                "amount": from_cents(int(cents)),
                "fix": fix_hint(plan, source),
            }
        )
    return out


def require_basis(session: Session, plan: Plan, source: str, through: dt.date) -> None:
    """Refuse a distribution of ``source`` money while an earlier opening balance of it has no
    recorded basis (its pro rata share, IRC 72(e)(8)(B), cannot be computed without one)."""
    from ..errors import UnsupportedSituation

    group = "aftertax" if source in ("aftertax", "aftertax_pre87") else "roth"
    sources = ("aftertax", "aftertax_pre87") if group == "aftertax" else ("roth", "employer_roth")
    cents = session.scalar(
        select(func.coalesce(func.sum(Entry.amount_cents), 0)).where(
            Entry.plan_id == plan.id,
            Entry.source.in_(sources),
            Entry.type == OPENING_TYPE,
            Entry.status == "posted",
            Entry.date <= through,
        )
    )
    if cents and opening_basis(session, plan.id, group) is None:
        raise UnsupportedSituation(
            f"plan {plan.name}'s {group} opening balance {from_cents(int(cents)):,.2f} has no known basis (the "
            f"statement does not say how much of it is {'after-tax' if group == 'aftertax' else 'Roth'} "
            f"contributions); record it from the plan's records with `{fix_hint(plan.name, group)}`"
        )
