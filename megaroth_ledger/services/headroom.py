"""Headroom: gather a person-year from the ledger, run :mod:`megaroth_ledger.rules.headroom`,
and shape the issue #2 JSON contract."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ..money import from_cents
from ..rules import headroom as rules
from ..vocab import CONTRIBUTION_TYPES

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session


def compute(
    session: Session,
    person_name: str,
    year: int,
    remaining_paychecks: int | None = None,
    expected_employer: dict[str, Decimal] | None = None,
    expected_deferrals: dict[str, Decimal] | None = None,
) -> rules.Headroom:
    from sqlalchemy import func, select

    from ..store.lookup import get_person
    from ..store.models import Entry, Plan, Wages

    person = get_person(session, person_name)
    plans = session.scalars(select(Plan).where(Plan.person_id == person.id).order_by(Plan.name)).all()
    ids = {p.id: p.name for p in plans}
    # one row per plan, pay date and source (per-fund rows summed in SQL): the rules only need
    # the paychecks' totals, in date order
    entries = session.execute(
        select(Entry.plan_id, Entry.date, Entry.source, func.sum(Entry.amount_cents).label("amount_cents"))
        .where(
            Entry.plan_id.in_(ids),
            Entry.tax_year == year,
            Entry.type.in_(sorted(CONTRIBUTION_TYPES)),
            Entry.status == "posted",
        )
        .group_by(Entry.plan_id, Entry.date, Entry.source)
    ).all()
    unknown = [(ids[e.plan_id], e) for e in entries if e.source == "unknown"]
    if unknown:
        _refuse_unknown_sources(session, plans, unknown, year)
    wages = session.scalars(select(Wages).where(Wages.plan_id.in_(ids), Wages.year == year)).all()
    from ..rules.corrections import annual_additions_returned
    from .plan_corrections import corrections_for_person

    h = rules.compute_headroom(
        person=person.name,
        born=person.born,
        year=year,
        plans=[rules.PlanInfo(p.name, p.employer, p.kind, p.after_tax) for p in plans],
        contributions=[
            rules.Contribution(ids[e.plan_id], e.date, e.source, from_cents(e.amount_cents)) for e in entries
        ],
        wages=[
            rules.PlanWages(ids[w.plan_id], from_cents(w.compensation_cents), from_cents(w.fica_wages_cents))
            for w in wages
        ],
        remaining_paychecks=remaining_paychecks,
        expected_employer=expected_employer,
        expected_deferrals=expected_deferrals,
        returned_after_tax=annual_additions_returned(corrections_for_person(session, person.id), year),
    )
    settle_excess_deferral(session, person.id, h)
    return h


def settle_excess_deferral(session, person_id: int, h: rules.Headroom) -> None:
    """Corrective distributions recorded with `correction add` settle the EXCESS_DEFERRAL warning; an
    excess not corrected by April 15 of the next year is reported as taxed twice (issue 11).
    ``session``: a SQLAlchemy Session or the thin path's LiteDb (the corrections are read with
    plain SQL either way)."""
    import datetime as dt

    from ..rules.corrections import settle_excess_deferral as settle
    from ..store.sqlrun import sql_of
    from .correction_rows import excess_corrected

    if h.excess_deferrals <= 0:
        return
    corrected = excess_corrected(sql_of(session), person_id, h.year)
    settled = settle(h.excess_deferrals, corrected, h.year, dt.date.today())
    if settled is None:
        return
    code, message = settled
    for i, w in enumerate(h.warnings):
        if w.code == "EXCESS_DEFERRAL":
            h.warnings[i] = rules.Warning(code, message)


def _refuse_unknown_sources(session: Session, plans, unknown, year: int) -> None:
    """Contributions whose money source the export did not give cannot be put under 402(g) or
    415(c): refuse, naming the file and how to fix it (issue #5)."""
    from ..errors import UnsupportedSituation
    from ..importers.unknown import fix_hint, unknown_source_summary

    plan_name = unknown[0][0]
    plan = next(p for p in plans if p.name == plan_name)
    found = unknown_source_summary(session, plan, year)
    first = found[0] if found else {"import": None, "file": None}
    where = f" from {first['file']} (import #{first['import']})" if first["import"] else ""
    raise UnsupportedSituation(
        f"headroom needs each contribution's money source, but plan {plan_name} has "
        f"{sum(f['rows'] for f in found)} row(s) in {year} with source unknown{where}; "
        f"fix: {fix_hint(plan_name, first['import'])}"
    )


def payload(h: rules.Headroom) -> dict:
    """The JSON document of ``megaroth headroom`` (keys fixed by issue #2; more may be added)."""
    return {
        "person": h.person,
        "year": h.year,
        "age_at_year_end": h.age_at_year_end,
        "limits": dict(h.limits),
        "elective_deferrals": h.elective_deferrals,
        "catch_up_used": h.catch_up_used,
        "excess_deferrals": h.excess_deferrals,
        "remaining_paychecks": h.remaining_paychecks,
        "employers": [
            {
                "employer": e.employer,
                "plans": e.plans,
                "annual_additions_limit": e.annual_additions_limit,
                "elective_deferrals_counted": e.elective_deferrals_counted,
                "employer_contributions": e.employer_contributions,
                "after_tax_contributions": e.after_tax_contributions,
                "after_tax_room": e.after_tax_room,
                "per_paycheck_after_tax": e.per_paycheck_after_tax,
                "last_paycheck_after_tax": e.last_paycheck_after_tax,
                "expected_employer": e.expected_employer,
                "expected_deferrals": e.expected_deferrals,
                "remaining_room_after_expected": e.remaining_room_after_expected,
                "elective_deferrals": e.elective_deferrals,
                "catch_up_portion": e.catch_up_portion,
                "annual_additions": e.annual_additions,
                "compensation": e.compensation,
                "after_tax_returned": e.after_tax_returned,
            }
            for e in h.employers
        ],
        "plans_457b": [
            {
                "plan": p.plan,
                "limit": p.limit,
                "elective_deferrals": p.elective_deferrals,
                "catch_up_used": p.catch_up_used,
                "excess_deferrals": p.excess_deferrals,
            }
            for p in h.plans_457b
        ],
        "warnings": [{"code": w.code, "message": w.message} for w in h.warnings],
    }
