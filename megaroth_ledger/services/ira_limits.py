"""IRA contribution limits per person-year: the ``tax-year`` facts in the database, the year's
contributions as they finally stand, and :func:`megaroth_ledger.rules.ira_limits.check_year`.

Interface for other modules (``megaroth check``, reports, the workbook):

- :func:`year_check` ``(session, person_name, year) -> IraLimitCheck | None`` -- None when the
  person has no IRA contribution for the year and no tax-year facts;
- :func:`findings` ``(session, person_name, year) -> list[dict]`` -- ``{"code", "message"}`` of every
  excess (``ira-excess``, ``roth-income-excess``) and unchecked/deduction problem of that year;
- :func:`years_with_contributions` ``(session, person_name) -> list[int]``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..money import ZERO, from_cents, to_cents
from ..rules import ira_limits as rules
from ..store.lookup import get_person
from ..store.models import Entry, IraEvent, Person, Plan, TaxYear
from ..vocab import CONTRIBUTION_TYPES

COVERED_ASSUMED_NOTE = (
    "{year}: no plan contribution is recorded for the year, but {person} has a workplace plan in the "
    "ledger, so the IRA deduction is figured as for an active participant (IRC 219(g)(5)); say "
    "`tax-year set --not-covered` if no contribution or forfeiture was allocated to you that year"
)


def apply_tax_year(
    row: TaxYear,
    year: int,
    filing_status: str,
    magi: Decimal,
    covered: bool | None,
    spouse_covered: bool,
    compensation: Decimal | None,
) -> None:
    """Check a tax year's facts (as ``tax-year set`` and ``tax-year edit`` take them) and put them
    on ``row``."""
    if filing_status not in rules.FILING_STATUSES:
        raise UserError(f"--filing-status must be one of {', '.join(rules.FILING_STATUSES)}")
    if magi < 0:
        raise UserError("--magi must not be negative (a MAGI below zero counts as zero)")
    if compensation is not None and compensation < 0:
        raise UserError("--compensation must not be negative")
    if spouse_covered and filing_status not in ("mfj", "mfs"):
        raise UserError("--spouse-covered applies to married filing jointly or separately only")
    from ..rules.limits import limits_for

    limits_for(year)  # a year outside the table is refused with the supported range
    row.year = year
    row.filing_status = filing_status
    row.magi_cents = to_cents(magi)
    row.covered = covered
    row.spouse_covered = spouse_covered
    row.compensation_cents = None if compensation is None else to_cents(compensation)


def tax_year_set(
    session: Session,
    person_name: str,
    year: int,
    filing_status: str,
    magi: Decimal,
    covered: bool | None = None,
    spouse_covered: bool = False,
    compensation: Decimal | None = None,
) -> dict:
    """Record (replace) a person-year's facts; a second ``set`` of the year is logged as an edit."""
    from .changelog import record_change, snapshot

    person = get_person(session, person_name)
    row = session.scalars(select(TaxYear).where(TaxYear.person_id == person.id, TaxYear.year == year)).first()
    before = None if row is None else snapshot(row)
    fresh = row is None
    if row is None:
        row = TaxYear(person_id=person.id)
    apply_tax_year(row, year, filing_status, magi, covered, spouse_covered, compensation)
    if fresh:
        session.add(row)
    session.flush()
    record_change(
        session,
        "add" if before is None else "edit",
        "tax-year",
        row.id,
        before,
        snapshot(row),
        person_id=person.id,
    )
    return year_payload(session, person_name, year)


def tax_year_list(session: Session, person_name: str) -> list[dict]:
    person = get_person(session, person_name)
    out = []
    for r in session.scalars(select(TaxYear).where(TaxYear.person_id == person.id).order_by(TaxYear.year)):
        covered, derived = _covered(session, person, r.year, r)
        out.append(
            {
                "id": r.id,
                "year": r.year,
                "filing_status": r.filing_status,
                "magi": from_cents(r.magi_cents),
                "covered": covered,
                "covered_derived": derived,
                "spouse_covered": r.spouse_covered,
                "compensation": from_cents(r.compensation_cents),
            }
        )
    return out


def _covered(session: Session, person: Person, year: int, row: TaxYear | None) -> tuple[bool, bool]:
    """(covered, derived): the recorded answer, else any plan contribution of the year, else
    "covered" when the person has a plan in the ledger (with :data:`COVERED_ASSUMED_NOTE`)."""
    if row is not None and row.covered is not None:
        return row.covered, False
    plan_ids = list(session.scalars(select(Plan.id).where(Plan.person_id == person.id)))
    if not plan_ids:
        return False, True
    return True, True


def _has_plan_contributions(session: Session, person: Person, year: int) -> bool:
    plan_ids = list(session.scalars(select(Plan.id).where(Plan.person_id == person.id)))
    if not plan_ids:
        return False
    hit = session.scalar(
        select(Entry.id)
        .where(
            Entry.plan_id.in_(plan_ids),
            Entry.type.in_(sorted(CONTRIBUTION_TYPES)),
            Entry.date >= dt.date(year, 1, 1),
            Entry.date <= dt.date(year, 12, 31),
        )
        .limit(1)
    )
    return hit is not None


def facts(session: Session, person: Person, year: int) -> tuple[rules.IraYearFacts, list[str]]:
    row = session.scalars(select(TaxYear).where(TaxYear.person_id == person.id, TaxYear.year == year)).first()
    covered, derived = _covered(session, person, year, row)
    notes = []
    if derived and covered and not _has_plan_contributions(session, person, year):
        notes.append(COVERED_ASSUMED_NOTE.format(year=year, person=person.name))
    if row is None:
        return rules.IraYearFacts(year=year, born=person.born, covered=covered), notes
    return rules.IraYearFacts(
        year=year,
        born=person.born,
        filing_status=row.filing_status,
        magi=from_cents(row.magi_cents),
        covered=covered,
        spouse_covered=row.spouse_covered,
        compensation=from_cents(row.compensation_cents),
    ), notes


def contributions_for(
    session: Session, person: Person, year: int, extra: tuple[str, Decimal] | None = None
) -> tuple[Decimal, Decimal, Decimal]:
    """(traditional, roth, recorded-as-deductible) regular contributions *for* ``year`` as they
    finally stand: a recharacterized amount counts in the second IRA, a contribution returned with
    its net income by the due date counts as not contributed (IRC 408A(d)(6), 408(d)(4)).
    ``extra`` = (account, amount) of a contribution about to be recorded."""
    trad = roth = deductible = ZERO
    for ev in session.scalars(
        select(IraEvent).where(IraEvent.person_id == person.id, IraEvent.tax_year == year)
    ):
        amount = from_cents(ev.amount_cents)
        if ev.kind == "contribution":
            if ev.account == "traditional":
                trad += amount
                if not ev.deductibility_open:  # an open one is figured from the limit, never over it
                    deductible += amount - (from_cents(ev.nondeductible_cents) or ZERO)
            elif ev.account == "roth":
                roth += amount
        elif ev.kind == "recharacterization":
            nd = from_cents(ev.nondeductible_cents) or ZERO
            if ev.account == "roth":  # moved from Roth to traditional
                roth -= amount
                trad += amount
                deductible += amount - nd
            else:  # moved from traditional to Roth
                trad -= amount
                roth += amount
                deductible -= amount - nd
        elif ev.kind == "return" and not ev.after_due_date:
            nd = from_cents(ev.nondeductible_cents) or ZERO
            if ev.account == "roth":
                roth -= amount
            else:
                trad -= amount
                deductible -= amount - nd
    if extra is not None:
        if extra[0] == "traditional":
            trad += extra[1]
        else:
            roth += extra[1]
    return trad, roth, max(ZERO, deductible)


def year_check(
    session: Session, person_name: str, year: int, extra: tuple[str, Decimal, Decimal | None] | None = None
) -> rules.IraLimitCheck | None:
    """The limit check of a person-year (None when there is nothing to check). ``extra`` =
    (account, amount, nondeductible) of a contribution about to be recorded."""
    person = get_person(session, person_name)
    f, notes = facts(session, person, year)
    trad, roth, deductible = contributions_for(session, person, year, extra[:2] if extra else None)
    if extra is not None and extra[0] == "traditional":
        deductible += extra[1] - (extra[2] or ZERO)
    has_row = session.scalar(select(TaxYear.id).where(TaxYear.person_id == person.id, TaxYear.year == year))
    if not trad and not roth and has_row is None:
        return None
    from ..rules.limits import supported_years

    if year not in supported_years():
        return None
    res = rules.check_year(f, trad, roth, deductible if trad else None)
    if notes:
        from dataclasses import replace

        res = replace(res, notes=res.notes + tuple(notes))
    return res


def findings(session: Session, person_name: str, year: int) -> list[dict]:
    res = year_check(session, person_name, year)
    return list(res.findings) if res is not None else []


def years_with_contributions(session: Session, person_name: str) -> list[int]:
    person = get_person(session, person_name)
    years = set(
        session.scalars(
            select(IraEvent.tax_year)
            .where(IraEvent.person_id == person.id, IraEvent.kind == "contribution")
            .distinct()
        )
    )
    years |= set(session.scalars(select(TaxYear.year).where(TaxYear.person_id == person.id)))
    return sorted(years)


def _ws(lines: dict | None, ratio_line: str | None = None) -> dict | None:
    if not lines:
        return None
    return {k: (f"{lines[k]:.5f}" if k == ratio_line else lines[k]) for k in sorted(lines, key=int)}


def check_payload(res: rules.IraLimitCheck) -> dict:
    return {
        "tax_year": res.year,
        "limit": res.limit,
        "traditional": res.traditional,
        "roth": res.roth,
        "roth_allowed": res.roth_allowed,
        "deductible_limit": res.deductible_limit,
        "traditional_excess": res.traditional_excess,
        "roth_excess": res.roth_excess,
        "roth_worksheet": _ws(res.roth_worksheet.lines if res.roth_worksheet else None, "5"),
        "deduction_worksheet": _ws(res.deduction_worksheet.lines if res.deduction_worksheet else None),
        "notes": list(res.notes),
        "warnings": list(res.findings),
    }


def year_payload(session: Session, person_name: str, year: int) -> dict:
    person = get_person(session, person_name)
    row = session.scalars(select(TaxYear).where(TaxYear.person_id == person.id, TaxYear.year == year)).first()
    res = year_check(session, person_name, year)
    f, _ = facts(session, person, year)
    payload = {
        "person": person_name,
        "tax_year": year,
        "filing_status": row.filing_status if row else None,
        "magi": from_cents(row.magi_cents) if row else None,
        "covered": f.covered,
        "spouse_covered": f.spouse_covered,
        "compensation": f.compensation,
    }
    if res is None:
        res = rules.check_year(f, ZERO, ZERO)
    payload.update(check_payload(res))
    return payload
