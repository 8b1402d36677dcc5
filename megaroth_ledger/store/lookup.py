"""Name lookups that turn a typo into a clear error listing what exists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UserError
from .models import Person, Plan


def get_person(session: Session, name: str) -> Person:
    person = session.scalars(select(Person).where(Person.name == name)).first()
    if person is None:
        known = session.scalars(select(Person.name).order_by(Person.name)).all()
        hint = f" (known: {', '.join(known)})" if known else "; add one with: megaroth person add NAME --born YYYY-MM-DD"
        raise UserError(f"unknown person {name!r}{hint}")
    return person


def get_plan(session: Session, name: str) -> Plan:
    plan = session.scalars(select(Plan).where(Plan.name == name)).first()
    if plan is None:
        known = session.scalars(select(Plan.name).order_by(Plan.name)).all()
        hint = f" (known: {', '.join(known)})" if known else "; add one with: megaroth plan add NAME --person P --employer E"
        raise UserError(f"unknown plan {name!r}{hint}")
    return plan
