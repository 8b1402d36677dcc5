"""Name lookups that turn a typo into a clear error listing what exists."""

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


def _get(session: Session, model: type[T], name: str) -> T:
    row = session.scalars(select(model).where(model.name == name)).first()
    if row is None:
        known = session.scalars(select(model.name).order_by(model.name)).all()
        hint = f" (known: {', '.join(known)})" if known else f"; add one with: {_ADD_HINT[model]}"
        raise UserError(f"unknown {model.__tablename__} {name!r}{hint}")
    return row


def get_person(session: Session, name: str) -> Person:
    return _get(session, Person, name)


def get_plan(session: Session, name: str) -> Plan:
    return _get(session, Plan, name)
