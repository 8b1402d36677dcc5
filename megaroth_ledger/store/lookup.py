"""Name lookups that turn a typo into a clear error listing what exists.

A plan belongs to a person: its name is unique per person, not per ledger (a preparer's two
clients may both have a ``google-401k``). :func:`get_plan` resolves ``--plan NAME`` within
``--person P`` when given; without it, a name only one person has is that plan, and a name
two or more people share is refused (exit 2) with their names, so nothing is ever written to
the wrong client's plan.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UserError
from .models import Person, Plan

T = TypeVar("T", Person, Plan)

_ADD_HINT = {
    Person: "megaroth person add NAME --born YYYY-MM-DD",
    Plan: "megaroth plan add NAME --person P --employer E",
}


class AmbiguousPlan(UserError):
    """``--plan NAME`` names plans of several people and no ``--person`` says whose."""


def _get(session: Session, model: type[T], name: str) -> T:
    row = session.scalars(select(model).where(model.name == name)).first()
    if row is None:
        known = session.scalars(select(model.name).distinct().order_by(model.name)).all()
        hint = f" (known: {', '.join(known)})" if known else f"; add one with: {_ADD_HINT[model]}"
        raise UserError(f"unknown {model.__tablename__} {name!r}{hint}")
    return row


def get_person(session: Session, name: str) -> Person:
    return _get(session, Person, name)


def plan_owners(session: Session, name: str) -> list[str]:
    """The names of the people who have a plan called ``name``, sorted."""
    stmt = (
        select(Person.name)
        .join(Plan, Plan.person_id == Person.id)
        .where(Plan.name == name)
        .order_by(Person.name)
    )
    return list(session.scalars(stmt))


def ambiguous_plan_error(name: str, owners: list[str]) -> AmbiguousPlan:
    return AmbiguousPlan(
        f"plan {name!r} belongs to several people ({', '.join(owners)}); "
        f"say whose with --person, e.g. --plan {name} --person {owners[0]}"
    )


def get_plan(session: Session, name: str, person: str | Person | None = None) -> Plan:
    """The plan ``name`` of ``person`` (a name or a Person), or the only plan of that name."""
    if person is not None:
        owner = person if isinstance(person, Person) else get_person(session, person)
        plan = session.scalars(select(Plan).where(Plan.person_id == owner.id, Plan.name == name)).first()
        if plan is None:
            theirs = session.scalars(
                select(Plan.name).where(Plan.person_id == owner.id).order_by(Plan.name)
            ).all()
            hint = f" (their plans: {', '.join(theirs)})" if theirs else f"; add one with: {_ADD_HINT[Plan]}"
            raise UserError(f"{owner.name} has no plan {name!r}{hint}")
        return plan
    plans = session.scalars(select(Plan).where(Plan.name == name).limit(2)).all()
    if len(plans) > 1:
        raise ambiguous_plan_error(name, plan_owners(session, name))
    if not plans:
        return _get(session, Plan, name)  # raises with the known names
    return plans[0]
