"""Households: a married couple filing jointly is one return with two people's forms (issue 13).

``household add NAME --members ann,bob`` records the two spouses. ``form 1040 --household``
sums lines 4a-5b over them (:func:`rules.form1040.joint_lines`, IRC 6013(d)(3)); each spouse
keeps their own limits, Form 8606 and clocks, computed exactly as for ``--person``.
``report year --household`` puts the spouses' year summaries side by side.

A household is for the whole ledger, not per year: a couple that filed separately in some
year is not modelled (use ``--person`` for that year's forms).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..rules.form1040 import joint_lines, joint_lines_rounded
from ..store.changelog import record_change
from ..store.lookup import get_person
from ..store.models import Household, HouseholdMember

SPOUSES = 2


def add_household(session: Session, name: str, members: list[str]) -> Household:
    name = name.strip()
    if not name:
        raise UserError("a household needs a name")
    members = [m.strip() for m in members if m.strip()]
    if len(members) != SPOUSES or len(set(members)) != SPOUSES:
        raise UserError(
            f"--members: a joint return has two spouses; give two different people, "
            f"e.g. --members ann,bob (got {', '.join(members) or 'none'})"
        )
    if session.scalars(select(Household).where(Household.name == name)).first():
        raise UserError(f"household {name!r} already exists")
    people = [get_person(session, m) for m in members]
    for p in people:
        other = session.scalars(
            select(Household).join(HouseholdMember).where(HouseholdMember.person_id == p.id)
        ).first()
        if other is not None:
            raise UserError(f"{p.name} is already in household {other.name!r} (a person files one return)")
    household = Household(name=name, members=[HouseholdMember(person=p) for p in people])
    session.add(household)
    session.flush()
    # one entry for the one change, the household's own (record "household", its id), not one
    # spouse's: each member's `log --person` shows it through the household (list_changes)
    record_change(
        session,
        "add",
        "household",
        household.id,
        None,
        {"name": household.name, "members": [p.name for p in people]},
        person_id=None,
    )
    return household


def get_household(session: Session, name: str) -> Household:
    h = session.scalars(select(Household).where(Household.name == name)).first()
    if h is None:
        known = session.scalars(select(Household.name).order_by(Household.name)).all()
        hint = (
            f" (known: {', '.join(known)})"
            if known
            else "; add one with: megaroth household add NAME --members A,B"
        )
        raise UserError(f"unknown household {name!r}{hint}")
    return h


def member_names(session: Session, name: str) -> list[str]:
    """The household's people, in the order they were given to ``household add``."""
    return [m.person.name for m in get_household(session, name).members]


def list_households(session: Session) -> list[dict]:
    return [
        {"name": h.name, "members": [m.person.name for m in h.members]}
        for h in session.scalars(select(Household).order_by(Household.name))
    ]


def form_1040(
    session: Session, name: str, year: int, *, explain: bool = False, rounded: bool = False
) -> dict:
    """The joint return's lines 4a-5b: the sum of each spouse's ``form 1040 --person`` lines.
    With ``rounded``: the spouses' exact amounts added, then the total rounded (4a, 5a, 5b),
    and the sum of their whole-dollar Forms 8606 for 4b (:func:`rules.form1040.joint_lines_rounded`);
    ``by_member`` shows each spouse's own whole-dollar lines."""
    from . import forms

    members = member_names(session, name)
    per = {m: forms.form_1040(session, m, year, explain=explain, rounded=rounded) for m in members}
    if rounded:
        exact = [forms.form_1040(session, m, year)["lines"] for m in members]
        lines = joint_lines_rounded(exact, [p["lines"] for p in per.values()])
    else:
        lines = joint_lines([p["lines"] for p in per.values()])
    payload: dict = {
        "household": name,
        "tax_year": year,
        "members": members,
        "lines": lines,
        "by_member": {m: p["lines"] for m, p in per.items()},
        "warnings": [
            dict(w, person=m, message=f"{m}: {w['message']}") for m, p in per.items() for w in p["warnings"]
        ],
    }
    if explain:
        payload["explain"] = {
            k: {
                "formula": f"sum of the spouses' line {k} (joint return, IRC 6013(d)(3))",
                "rows": [
                    f"{m} line {k}: {per[m]['lines'].get(k) if per[m]['lines'].get(k) is not None else 'blank'}"
                    for m in members
                ],
            }
            for k in payload["lines"]
        }
    return payload


def year_summaries(session: Session, name: str, year: int, *, as_of) -> dict:
    """``report year --household``: each spouse's ``report year`` side by side, plus the joint
    Form 1040 lines (None when a spouse's forms are not available)."""
    from .export import year_summary

    members = member_names(session, name)
    summaries = [year_summary(session, m, year, as_of=as_of) for m in members]
    joint = None
    if all(s["form_1040"] is not None for s in summaries):
        joint = joint_lines([s["form_1040"] for s in summaries])
    return {"household": name, "year": year, "members": summaries, "form_1040": joint}
