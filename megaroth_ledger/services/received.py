"""The tax documents users receive, reconciled with the ledger (issue 12).

- **W-2** (:func:`reconcile_w2`): box 12 codes against the ledger's elective deferrals of that
  employer's plans in the year, by plan kind and Roth/pre-tax: D = 401(k), E = 403(b),
  G = 457(b) pre-tax deferrals; AA, BB, EE = designated Roth contributions to a 401(k), 403(b),
  governmental 457(b) (General Instructions for Forms W-2 and W-3, box 12 codes; IRC 402(g)(3),
  402A, 457(b)). Box 12 includes catch-up contributions. This is the comparison the IRS itself
  makes for the 402(g) limit. Box 3 (social security wages) is stored as that employer's FICA
  wages for the *next* year's SECURE 2.0 Roth catch-up test (IRC 414(v)(7): prior-year FICA
  wages from the employer sponsoring the plan) when none is stored, and compared when one is;
  a W-2 edited or entered again takes the FICA wages its earlier box 3 stored with it (in the
  change log), FICA wages set to another figure by hand stay and are compared.
  Box 1 is compared with the compensation recorded less the pre-tax deferrals (IRC 415(c)(3)(D)
  counts elective deferrals in compensation; box 1 excludes pre-tax ones, W-2 instructions box
  1); section 125 and other pre-tax reductions the ledger does not know can explain a difference.
- **1099-R from a file** (:func:`reconcile_1099r_file`): an OFX tax download (``TAX1099R``, the
  OFX tax extension) or a CSV with one row per form
  (``payer,year,box1,box2a,box2b_not_determined,box2b_total,box4,box5,box7,box10,box11``);
  every form goes through :func:`.forms.reconcile_1099r`, all or nothing.
- **Form 5498** (:func:`reconcile_5498`): box 1 (traditional IRA contributions for the year),
  box 2 (rollovers received in the calendar year), box 3 (Roth conversions received), box 4
  (recharacterized), box 10 (Roth IRA contributions for the year) against the IRA side of the
  ledger (Instructions for Forms 1099-R and 5498, Form 5498 boxes 1-5, 10); box 5 (fair market
  value on December 31) of the traditional IRAs is recorded as the year's IRA value for Form
  8606 line 6 when none is recorded, and compared when one is (Form 8606 instructions, line 6:
  the value of all traditional, SEP and SIMPLE IRAs, plus outstanding rollovers); a Roth IRA's
  box 5 likewise with the December 31 value of all Roth IRAs (Form 5329 line 25: the 6% excise
  on excess Roth IRA contributions is at most 6% of it, IRC 4973(a), (f)).
- **Status** (:func:`status`): which documents were received, which match, which are missing:
  the W-2s, the plans' 1099-Rs, the IRA custodians' 1099-Rs (per account) and the 5498s.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..money import ZERO, from_cents, parse_amount, to_cents
from ..store.lookup import get_person
from ..store.models import (
    Entry,
    IraEvent,
    IraValue,
    Person,
    Plan,
    Received1099R,
    Received5498,
    ReceivedIra1099R,
    ReceivedW2,
    ReceivedW2Box12,
    RothIraValue,
    Wages,
)
from ..vocab import CONTRIBUTION_TYPES
from .changelog import UNSET, edited, get_record, record_change, removed, snapshot
from .corrections import YEAR_END_VALUES
from .ledger import store_wages

#: W-2 box 12 codes the ledger can check: code -> (plan kind, Roth?)
BOX12 = {
    "D": ("401k", False),
    "E": ("403b", False),
    "G": ("457b", False),
    "AA": ("401k", True),
    "BB": ("403b", True),
    "EE": ("457b", True),
}
ROTH_DEFERRAL_SOURCES = ("roth",)
PRETAX_DEFERRAL_SOURCES = ("pretax",)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _diff(box: str, received: Decimal | None, derived: Decimal | None) -> dict:
    return {
        "box": box,
        "received": received,
        "derived": derived,
        "difference": (received - derived) if received is not None and derived is not None else None,
    }


# ------------------------------------------------------------------------------------------ W-2


def _employer_plans(session: Session, person, employer: str) -> list[Plan]:
    plans = [p for p in person.plans if p.employer.strip().casefold() == employer.strip().casefold()]
    if not plans:
        known = sorted({p.employer for p in person.plans})
        raise UserError(
            f"{person.name} has no plan at employer {employer!r}"
            + (f" (employers: {', '.join(known)})" if known else "; add one with `megaroth plan add`")
        )
    return plans


def _deferrals(session: Session, plans: list[Plan], year: int) -> dict[str, Decimal]:
    """Box 12 code -> the ledger's deferrals of ``plans`` for ``year`` (contribution rows)."""
    out = {code: ZERO for code in BOX12}
    by_kind = {p.id: p.kind for p in plans}
    rows = session.execute(
        select(Entry.plan_id, Entry.source, func.sum(Entry.amount_cents))
        .where(
            Entry.plan_id.in_(list(by_kind)),
            Entry.tax_year == year,
            Entry.status == "posted",
            Entry.type.in_(sorted(CONTRIBUTION_TYPES)),
            Entry.source.in_(PRETAX_DEFERRAL_SOURCES + ROTH_DEFERRAL_SOURCES),
        )
        .group_by(Entry.plan_id, Entry.source)
    ).all()
    for plan_id, source, cents in rows:
        roth = source in ROTH_DEFERRAL_SOURCES
        code = next(c for c, (kind, r) in BOX12.items() if kind == by_kind[plan_id] and r == roth)
        out[code] += from_cents(int(cents or 0))
    return out


def _compare_w2(
    session: Session,
    person,
    employer: str,
    year: int,
    box1,
    box3,
    box12: dict[str, Decimal],
    store_box3: bool,
    w2: ReceivedW2 | None = None,
    earlier_box3: int | None = None,
) -> tuple[list[dict], list[str]]:
    """The W-2's differences from the ledger and notes; with ``store_box3``, box 3 stored as the
    employer's FICA wages for ``year + 1`` when none are stored, or when those stored are still
    ``earlier_box3`` (cents: the box 3 of the same employer's W-2 for ``year`` that ``w2``, being
    edited or entered again, had before); FICA wages set to another figure are compared."""
    plans = _employer_plans(session, person, employer)
    ledger = _deferrals(session, plans, year)
    diffs, notes = [], []
    for code in sorted(set(box12) | {c for c, v in ledger.items() if v}):
        got = box12.get(code, ZERO if code in BOX12 else None)
        if code not in BOX12:
            notes.append(
                f"box 12 code {code} ({box12[code]:,.2f}) is not a plan deferral code the ledger checks"
            )
            continue
        want = ledger.get(code, ZERO)
        if got != want:
            diffs.append(_diff(f"box12{code}", got, want))
    comp = sorted(
        {
            w.compensation_cents
            for w in session.scalars(
                select(Wages).where(Wages.plan_id.in_([p.id for p in plans]), Wages.year == year)
            )
            if w.compensation_cents is not None
        }
    )
    if box1 is not None:
        if comp:
            pretax = ledger["D"] + ledger["E"] + ledger["G"]
            want = from_cents(comp[-1]) - pretax
            if len(comp) > 1:
                notes.append(
                    f"{employer}'s plans record different {year} compensation; compared with the largest"
                )
            if box1 != want:
                diffs.append(_diff("box1", box1, want))
                notes.append(
                    f"box 1 is compared with the {year} compensation recorded ({from_cents(comp[-1]):,.2f}) "
                    f"less the ledger's pre-tax deferrals ({pretax:,.2f}); section 125, HSA or other "
                    "pre-tax reductions the ledger does not know also lower box 1"
                )
        else:
            notes.append(
                f"no {year} compensation recorded for {employer}'s plans: box 1 not compared "
                f"(record it with `megaroth wages set --plan {plans[0].name} --year {year} --compensation N`)"
            )
    if box3 is not None:
        rows = list(
            session.scalars(
                select(Wages).where(Wages.plan_id.in_([p.id for p in plans]), Wages.year == year + 1)
            )
        )
        stored = sorted({w.fica_wages_cents for w in rows if w.fica_wages_cents is not None})
        follows = store_box3 and stored == [earlier_box3] and to_cents(box3) != earlier_box3
        if stored and not follows:
            if to_cents(box3) not in stored or len(stored) > 1:
                diffs.append(_diff("box3", box3, from_cents(stored[0])))
                notes.append(
                    f"box 3 is compared with the FICA wages stored for the {year + 1} catch-up test "
                    f"(IRC 414(v)(7)); fix it with `megaroth wages set --plan {plans[0].name} "
                    f"--year {year + 1} --fica-wages {box3}`"
                )
        elif store_box3:
            for p in plans:  # in the change log like `wages set`, the W-2 as the reason
                store_wages(
                    session, p, year + 1, None, box3, f"W-2 #{w2.id} box 3" if w2 is not None else None
                )
            notes.append(
                f"box 3 {box3:,.2f} stored as {employer}'s FICA wages for the {year + 1} Roth catch-up "
                "test (IRC 414(v)(7), SECURE 2.0 section 603)"
            )
    return diffs, notes


def w2_snapshot(w2: ReceivedW2) -> dict:
    return snapshot(w2, box12={b.code: from_cents(b.amount_cents) for b in w2.box12})


def _store_w2(
    session: Session,
    person,
    row: ReceivedW2 | None,
    employer: str,
    year: int,
    box1: Decimal | None,
    box3: Decimal | None,
    box12: dict[str, Decimal],
) -> tuple[ReceivedW2, dict | None, dict]:
    """Record a W-2 (``row`` None: a new one, or the one already entered for that employer and
    year; else ``row`` changed) and compare it: (row, its values before or None, the payload)."""
    plans = _employer_plans(session, person, employer)
    employer = plans[0].employer
    for label, v in [("--box1", box1), ("--box3", box3), *((f"--box12 {c}", a) for c, a in box12.items())]:
        if v is not None and v < 0:
            raise UserError(f"{label} must not be negative")
    if box1 is None and box3 is None and not box12:
        raise UserError("a W-2 needs at least one box (e.g. --box12 D=23500)")
    same = session.scalars(
        select(ReceivedW2).where(
            ReceivedW2.person_id == person.id,
            ReceivedW2.year == year,
            func.lower(ReceivedW2.employer) == employer.lower(),
        )
    ).first()
    notes = []
    if row is None and same is not None:  # entered again: it replaces the earlier one
        row = same
        notes.append(f"replaced the {year} W-2 from {employer} recorded on {row.recorded_at:%Y-%m-%d}")
    elif row is not None and same is not None and same.id != row.id:
        raise UserError(f"W-2 #{same.id} already covers {employer} {year}; edit or remove that one")
    before = None if row is None else w2_snapshot(row)
    # the box 3 this W-2 had for the same employer and year: the FICA wages it stored follow box 3
    earlier_box3 = (
        row.box3_cents
        if row is not None and row.year == year and row.employer.casefold() == employer.casefold()
        else None
    )
    if row is None:
        row = ReceivedW2(person_id=person.id)
        session.add(row)
    row.employer, row.year, row.recorded_at = employer, year, _now()
    row.box1_cents = to_cents(box1) if box1 is not None else None
    row.box3_cents = to_cents(box3) if box3 is not None else None
    row.box12.clear()
    session.flush()
    row.box12 = [ReceivedW2Box12(code=c, amount_cents=to_cents(a)) for c, a in sorted(box12.items())]
    session.flush()
    diffs, more = _compare_w2(
        session, person, employer, year, box1, box3, box12, store_box3=True, w2=row, earlier_box3=earlier_box3
    )
    payload = {
        "id": row.id,
        "person": person.name,
        "employer": employer,
        "tax_year": year,
        "match": not diffs,
        "received": {"box1": box1, "box3": box3, "box12": dict(sorted(box12.items()))},
        "derived": {f"box12{c}": v for c, v in _deferrals(session, plans, year).items()},
        "diff": diffs,
        "notes": notes + more,
    }
    return row, before, payload


def reconcile_w2(
    session: Session,
    person_name: str,
    employer: str,
    year: int,
    box1: Decimal | None,
    box3: Decimal | None,
    box12: dict[str, Decimal],
) -> dict:
    """Store the W-2 (replacing an earlier one of that employer and year) and compare it."""
    person = get_person(session, person_name)
    row, before, payload = _store_w2(session, person, None, employer, year, box1, box3, box12)
    record_change(
        session,
        "add" if before is None else "edit",
        "w2",
        row.id,
        before,
        w2_snapshot(row),
        person_id=person.id,
    )
    return {**payload, "person": person_name}


def _received_rows(session: Session, model, person_name: str, year: int | None, order, row) -> list[dict]:
    """A person's received documents of one kind (``model``), of ``year`` or every year, as ``row``
    makes them (each with its ``id``)."""
    person = get_person(session, person_name)
    stmt = select(model).where(model.person_id == person.id)
    if year is not None:
        stmt = stmt.where(model.year == year)
    return [
        {"id": r.id, "person": person.name, **row(r)}
        for r in session.scalars(stmt.order_by(*order, model.id))
    ]


def list_w2(session: Session, person_name: str, year: int | None = None) -> list[dict]:
    return _received_rows(
        session,
        ReceivedW2,
        person_name,
        year,
        (ReceivedW2.year, ReceivedW2.employer),
        lambda w: {
            "employer": w.employer,
            "year": w.year,
            "box1": from_cents(w.box1_cents),
            "box3": from_cents(w.box3_cents),
            "box12": {b.code: from_cents(b.amount_cents) for b in w.box12},
            "recorded_at": w.recorded_at,
        },
    )


def edit_w2(
    session: Session,
    wid: int,
    *,
    employer: str | None = None,
    year: int | None = None,
    box1=UNSET,
    box3=UNSET,
    box12: dict[str, Decimal] | None = None,
    clear_box12: tuple[str, ...] = (),
) -> dict:
    """``reconcile w2 edit``: the boxes given change (``--box12 CODE=A`` sets one code,
    ``--no-box12 CODE`` removes it), then the W-2 is compared again."""
    row = get_record(session, ReceivedW2, wid, "W-2", "reconcile w2 list --person P")
    person = session.get(Person, row.person_id)
    codes = {b.code: from_cents(b.amount_cents) for b in row.box12}
    for code in clear_box12:
        code = code.strip().upper()
        if code not in codes:
            raise UserError(f"--no-box12 {code}: W-2 #{wid} has no box 12 code {code}")
        del codes[code]
    codes.update(box12 or {})
    _, before, payload = _store_w2(
        session,
        person,
        row,
        row.employer if employer is None else employer,
        row.year if year is None else year,
        from_cents(row.box1_cents) if box1 is UNSET else box1,
        from_cents(row.box3_cents) if box3 is UNSET else box3,
        codes,
    )
    res = edited(session, "w2", row, before, person.id, box12=codes)
    return {**res, **{k: payload[k] for k in ("match", "diff", "notes")}}


def remove_w2(session: Session, wid: int, reason: str | None = None) -> dict:
    row = get_record(session, ReceivedW2, wid, "W-2", "reconcile w2 list --person P")
    return removed(session, "w2", row, row.person_id, reason, w2_snapshot(row))


def parse_box12(items: tuple[str, ...]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for item in items:
        code, sep, amount = item.partition("=")
        code = code.strip().upper()
        if not sep or not code:
            raise UserError(f"--box12 {item!r}: expected CODE=AMOUNT, e.g. D=23500")
        if not code.isalpha() or len(code) > 2:
            raise UserError(f"--box12 {item!r}: {code!r} is not a box 12 code (D, E, G, AA, BB, EE, ...)")
        if code in out:
            raise UserError(f"--box12 {code} given twice")
        out[code] = parse_amount(amount, what=f"--box12 {code}")
    return out


# ---------------------------------------------------------------------------------------- 5498


def _ira_sums(session: Session, person, account: str, year: int) -> dict[str, Decimal]:
    def total(*conds) -> Decimal:
        cents = session.scalar(
            select(func.coalesce(func.sum(IraEvent.amount_cents), 0)).where(
                IraEvent.person_id == person.id, *conds
            )
        )
        return from_cents(int(cents or 0))

    in_year = (IraEvent.date >= dt.date(year, 1, 1), IraEvent.date <= dt.date(year, 12, 31))
    contributions = total(
        IraEvent.kind == "contribution", IraEvent.account == account, IraEvent.tax_year == year
    )
    out = {
        "box2": total(IraEvent.kind == "rollover_in", IraEvent.account == account, *in_year),
        "box4": total(IraEvent.kind == "recharacterization", IraEvent.account != account, *in_year),
    }
    if account == "traditional":
        out["box1"] = contributions
        out["box3"] = ZERO
    else:
        out["box10"] = contributions
        out["box3"] = total(IraEvent.kind == "conversion", *in_year)  # conversions land in the Roth IRA
    return out


BOXES_5498 = ("box1", "box2", "box3", "box4", "box5", "box10")


def _store_5498(
    session: Session,
    person,
    row: Received5498 | None,
    account: str,
    year: int,
    boxes: dict[str, Decimal | None],
    custodian: str,
) -> tuple[Received5498, dict | None, dict]:
    """Record a Form 5498 (``row`` None: a new one, or the one already entered for that IRA kind,
    custodian and year; else ``row`` changed), box 5 as the year's value where it applies, and
    compare it: (row, its values before or None, the payload)."""
    if account not in ("traditional", "roth"):
        raise UserError("--account must be traditional or roth")
    for box, v in boxes.items():
        if v is not None and v < 0:
            raise UserError(f"--{box} must not be negative")
    if all(v is None for v in boxes.values()):
        raise UserError("a Form 5498 needs at least one box (e.g. --box5 12000)")
    same = session.scalars(
        select(Received5498).where(
            Received5498.person_id == person.id,
            Received5498.account == account,
            Received5498.year == year,
            Received5498.custodian == custodian,
        )
    ).first()
    notes = []
    if row is None and same is not None:  # entered again: it replaces the earlier one
        row = same
        notes.append(
            f"replaced the {year} Form 5498 ({account}{', ' + custodian if custodian else ''}) recorded on "
            f"{row.recorded_at:%Y-%m-%d}"
        )
    elif row is not None and same is not None and same.id != row.id:
        raise UserError(
            f"Form 5498 #{same.id} already covers the {account} IRA{' at ' + custodian if custodian else ''} "
            f"for {year}; edit or remove that one"
        )
    before = None if row is None else snapshot(row)
    # what the form was before, for box 5: did it record the year's value, and which
    earlier = (
        None if row is None else SimpleNamespace(set_ira_value=row.set_ira_value, box5_cents=row.box5_cents)
    )
    if row is None:
        row = Received5498(person_id=person.id, account=account)
        session.add(row)
    row.custodian, row.year, row.recorded_at, row.set_ira_value = custodian, year, _now(), False
    for b in BOXES_5498:
        v = boxes.get(b)
        setattr(row, f"{b}_cents", to_cents(v) if v is not None else None)
    session.flush()
    if boxes.get("box5") is not None:
        notes += _record_box5(session, person, account, year, row, replaced=earlier)
    diffs, more = _compare_5498(session, person, account, year, custodian)
    payload = {
        "id": row.id,
        "person": person.name,
        "account": account,
        "custodian": custodian or None,
        "tax_year": year,
        "match": not diffs,
        "received": boxes,
        "derived": _ira_sums(session, person, account, year),
        "diff": diffs,
        "notes": notes + more,
    }
    return row, before, payload


def reconcile_5498(
    session: Session,
    person_name: str,
    account: str,
    year: int,
    boxes: dict[str, Decimal | None],
    custodian: str = "",
) -> dict:
    person = get_person(session, person_name)
    row, before, payload = _store_5498(session, person, None, account, year, boxes, custodian)
    record_change(
        session,
        "add" if before is None else "edit",
        "5498",
        row.id,
        before,
        snapshot(row),
        person_id=person.id,
    )
    return {**payload, "person": person_name}


def list_5498(session: Session, person_name: str, year: int | None = None) -> list[dict]:
    return _received_rows(
        session,
        Received5498,
        person_name,
        year,
        (Received5498.year, Received5498.account, Received5498.custodian),
        lambda f: {
            "account": f.account,
            "custodian": f.custodian or None,
            "year": f.year,
            **{b: from_cents(getattr(f, f"{b}_cents")) for b in BOXES_5498},
            "box5_recorded_as_value": f.set_ira_value,
            "recorded_at": f.recorded_at,
        },
    )


def edit_5498(
    session: Session, fid: int, *, year: int | None = None, custodian: str | None = None, changes: dict
) -> dict:
    """``reconcile 5498 edit``: the boxes given change (``--no-boxN`` clears one), then the form is
    compared again (box 5 corrects the year's value it recorded, as entering it again does)."""
    row = get_record(session, Received5498, fid, "Form 5498", "reconcile 5498 list --person P")
    person = session.get(Person, row.person_id)
    boxes = {b: from_cents(getattr(row, f"{b}_cents")) for b in BOXES_5498}
    boxes.update(changes)
    _, before, payload = _store_5498(
        session,
        person,
        row,
        row.account,
        row.year if year is None else year,
        boxes,
        row.custodian if custodian is None else custodian.strip(),
    )
    res = edited(session, "5498", row, before, person.id)
    return {**res, **{k: payload[k] for k in ("match", "diff", "notes")}}


def remove_5498(session: Session, fid: int, reason: str | None = None) -> dict:
    """Remove a Form 5498; a year's value its box 5 recorded stays (``ira value edit|rm``)."""
    row = get_record(session, Received5498, fid, "Form 5498", "reconcile 5498 list --person P")
    return removed(session, "5498", row, row.person_id, reason)


#: the ledger's December 31 value a 5498's box 5 is recorded as / compared with, per IRA kind:
#: (model, what it covers, the command that records it, where the forms use it)
YEAR_END_VALUE = {
    "traditional": (
        IraValue,
        "traditional IRA",
        "megaroth ira value",
        "Form 8606 line 6: all traditional, SEP and SIMPLE IRAs, plus outstanding rollovers",
    ),
    "roth": (
        RothIraValue,
        "Roth IRA",
        "megaroth ira value --account roth",
        "Form 5329 line 25: all Roth IRAs; the 6% excise is at most 6% of it",
    ),
}


def _record_box5(
    session: Session, person, account: str, year: int, row: Received5498, replaced: Received5498 | None
) -> list[str]:
    """Box 5 (fair market value on December 31, Instructions for Form 5498, box 5) of ``row``:
    recorded as the year's value of that IRA kind when none is recorded, or when the value
    recorded is still the one earlier 5498s of that year put there (the other custodians' box 5
    summed, or the box 5 of the form ``row`` replaces); a value the user recorded is left to the
    comparison."""
    model, label, command, line = YEAR_END_VALUE[account]
    value = session.scalars(select(model).where(model.person_id == person.id, model.year == year)).first()
    mine = _forms_5498(session, person, account, year)
    earlier = [r for r in mine if r.id != row.id] + ([replaced] if replaced is not None else [])
    if value is not None:
        ours = (
            bool(earlier)
            and all(r.set_ira_value for r in earlier)
            and value.amount_cents == sum((r.box5_cents or 0) for r in earlier)
        )
        if not ours:
            return []
    total = sum((r.box5_cents or 0) for r in mine)
    before = None if value is None else snapshot(value)
    if value is None:
        value = model(person_id=person.id, year=year, amount_cents=total)
        session.add(value)
    value.amount_cents = total
    for r in mine:
        r.set_ira_value = True
    session.flush()
    if before is None or before["amount"] != snapshot(value)["amount"]:  # logged as `ira value` is
        record_change(
            session,
            "add" if before is None else "edit",
            YEAR_END_VALUES[account][1],
            value.id,
            before,
            snapshot(value),
            person_id=person.id,
            reason=f"Form 5498 #{row.id} box 5",
        )
    return [
        f"box 5 recorded as the December 31, {year} {label} value ({from_cents(total):,.2f}"
        f"{', all custodians' if len(mine) > 1 else ''}) for {line.split(':')[0]}; add any outstanding "
        f"rollover with `{command}`"
    ]


def _forms_5498(session: Session, person, account: str, year: int) -> list[Received5498]:
    """Every custodian's Form 5498 of that IRA kind and year."""
    return list(
        session.scalars(
            select(Received5498).where(
                Received5498.person_id == person.id,
                Received5498.account == account,
                Received5498.year == year,
            )
        )
    )


def _compare_5498(
    session: Session, person, account: str, year: int, custodian: str
) -> tuple[list[dict], list[str]]:
    """Compare the stored 5498(s) of (person, account, year): all custodians' boxes summed."""
    forms = _forms_5498(session, person, account, year)
    ledger = _ira_sums(session, person, account, year)
    diffs, notes = [], []
    if len(forms) > 1:
        notes.append(
            f"{len(forms)} Forms 5498 for the {account} IRAs in {year}: compared summed with the ledger"
        )
    for box in ("box1", "box2", "box3", "box4", "box10"):
        vals = [getattr(f, f"{box}_cents") for f in forms if getattr(f, f"{box}_cents") is not None]
        if not vals:
            continue
        got = from_cents(sum(vals))
        want = ledger.get(box)
        if want is None:
            if got:
                notes.append(f"{box} {got:,.2f} is not reported on a {account} IRA's 5498 (checked: none)")
                diffs.append(_diff(box, got, ZERO))
            continue
        if got != want:
            diffs.append(_diff(box, got, want))
    box5 = [f.box5_cents for f in forms if f.box5_cents is not None]
    if box5:
        got = from_cents(sum(box5))
        model, label, command, line = YEAR_END_VALUE[account]
        value = session.scalar(
            select(model.amount_cents).where(model.person_id == person.id, model.year == year)
        )
        if value is not None and to_cents(got) != value:
            diffs.append(_diff("box5", got, from_cents(value)))
            notes.append(
                f"box 5 is compared with the December 31, {year} value recorded with `{command}` "
                f"({line}; a difference can be a rollover in transit or another {label})"
            )
    return diffs, notes


# ---------------------------------------------------------------------------- 1099-R from a file

CSV_COLUMNS = (
    "payer",
    "year",
    "box1",
    "box2a",
    "box2b_not_determined",
    "box2b_total",
    "box4",
    "box5",
    "box7",
    "box10",
    "box11",
)


def _plan_for_payer(person_plans: list[Plan], payer: str, where: str = "") -> Plan | None:
    """The plan a 1099-R's payer names (a plan name, else the one plan of that employer).

    A name or employer that several people's plans share is refused (issue 13): the form would
    otherwise land on one client's plan by chance; ``--person`` says whose it is."""
    p = payer.strip().casefold()
    by_name = [x for x in person_plans if x.name.casefold() == p]
    by_employer = [x for x in person_plans if x.employer.strip().casefold() == p]
    for found in (by_name, by_employer):
        owners = sorted({x.person.name for x in found})
        if len(owners) > 1:
            raise UserError(
                f"{where}payer {payer!r} matches plans of several people ({', '.join(owners)}); "
                f"say whose with --person, e.g. --person {owners[0]}"
            )
    if by_name:
        return by_name[0]
    return by_employer[0] if len(by_employer) == 1 else None


def _flag(text: str, where: str, column: str) -> bool | None:
    t = text.strip().upper()
    if not t:
        return None
    if t in ("Y", "YES", "X", "TRUE", "1"):
        return True
    if t in ("N", "NO", "FALSE", "0"):
        return False
    raise UserError(f"{where}: {column}: expected Y or N (a checkbox), not {text!r}")


def read_1099r_file(path: Path) -> list[dict]:
    """The forms in an OFX tax download or a CSV: [{line, payer, year, box1...}] (amounts Decimal)."""
    from ..importers.text import file_facts

    if not path.is_file():
        raise UserError(f"{path}: no such file")
    facts = file_facts(path)
    if facts.kind != "text":
        raise UserError(f"{path.name}: expected an OFX tax download (TAX1099R) or a CSV, not a workbook")
    raw = path.read_bytes()
    text = raw.decode(facts.encoding or "utf-8", errors="replace")
    if "<OFX>" in text.upper() or "OFXHEADER" in text[:2000].upper():
        return _read_ofx_1099r(path, text)
    return _read_csv_1099r(path, text)


def _amount(text: str | None, where: str, column: str) -> Decimal | None:
    if text is None or not text.strip():
        return None
    try:
        return parse_amount(text.strip().replace("$", "").replace(",", ""), what=column)
    except UserError as exc:
        raise UserError(f"{where}: {column}: {exc}") from None


def _year(text: str | None, where: str, column: str, required: bool) -> int | None:
    if text is None or not text.strip():
        if required:
            raise UserError(f"{where}: {column}: missing")
        return None
    t = text.strip()
    if not (t.isdigit() and len(t) == 4 and 1900 < int(t) < 2200):
        raise UserError(f"{where}: {column}: not a year: {text!r}")
    return int(t)


def _read_csv_1099r(path: Path, text: str) -> list[dict]:
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    except csv.Error as exc:
        raise UserError(f"{path.name}: unreadable CSV: {exc}") from None
    rows = [(n, r) for n, r in enumerate(rows, start=1) if any(c.strip() for c in r)]
    if not rows:
        raise UserError(f"{path.name}: empty file")
    n0, header = rows[0]
    names = [h.strip().lower() for h in header]
    missing = [c for c in ("payer", "year") if c not in names]
    if missing:
        raise UserError(
            f"{path.name}:{n0}: header needs {', '.join(CSV_COLUMNS)} (missing {', '.join(missing)})"
        )
    unknown = [h for h in names if h and h not in CSV_COLUMNS]
    if unknown:
        raise UserError(
            f"{path.name}:{n0}: unknown column(s) {', '.join(unknown)}; expected {', '.join(CSV_COLUMNS)}"
        )
    forms = []
    for n, cells in rows[1:]:
        where = f"{path.name}:{n}"
        if len(cells) > len(names):
            raise UserError(f"{where}: {len(cells)} cells, the header has {len(names)}")
        cell = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(names)}
        form = {
            "line": n,
            "payer": cell.get("payer", "").strip(),
            "year": _year(cell.get("year"), where, "year", True),
        }
        if not form["payer"]:
            raise UserError(f"{where}: payer: missing")
        for box in ("box1", "box2a", "box4", "box5", "box10"):
            form[box] = _amount(cell.get(box), where, box)
        form["box2b_not_determined"] = _flag(
            cell.get("box2b_not_determined", ""), where, "box2b_not_determined"
        )
        form["box2b_total"] = _flag(cell.get("box2b_total", ""), where, "box2b_total")
        code = cell.get("box7", "").strip().upper().replace(" ", "")
        if code and (len(code) > 2 or not code.isalnum()):
            raise UserError(f"{where}: box7: not a distribution code: {cell.get('box7')!r}")
        form["box7"] = code or None
        form["box11"] = _year(cell.get("box11"), where, "box11", False)
        forms.append(form)
    if not forms:
        raise UserError(f"{path.name}: no forms (only a header)")
    return forms


def _read_ofx_1099r(path: Path, text: str) -> list[dict]:
    from ..importers.ofx import parse_tree

    root = parse_tree(text)
    forms = []
    nodes = [n for n in root.iter("TAX1099R_V100")] or [n for n in root.iter("TAX1099R")]
    for node in nodes:
        if node.value is not None:
            continue
        where = f"{path.name}:{node.line}"
        payer = node.get("PAYERADDR/PAYERNAME1") or node.get("PAYERNAME1") or node.get("PAYERNAME") or ""
        form = {
            "line": node.line,
            "payer": payer.strip(),
            "year": _year(node.get("TAXYEAR"), where, "TAXYEAR", True),
        }
        if not form["payer"]:
            raise UserError(f"{where}: PAYERADDR/PAYERNAME1: missing")
        for box, tag in (
            ("box1", "GROSSDIST"),
            ("box2a", "TAXAMT"),
            ("box4", "FEDTAXWH"),
            ("box5", "EMPCONTINS"),
            ("box10", "AMTALLOCABLEIRR"),
        ):
            form[box] = _amount(node.get(tag), where, tag)
        form["box2b_not_determined"] = _flag(node.get("TAXAMTND") or "", where, "TAXAMTND")
        form["box2b_total"] = _flag(node.get("TOTALDIST") or "", where, "TOTALDIST")
        code = (node.get("DISTCODE") or "").strip().upper()
        if code and (len(code) > 2 or not code.isalnum()):
            raise UserError(f"{where}: DISTCODE: not a distribution code: {code!r}")
        form["box7"] = code or None
        form["box11"] = _year(node.get("FIRSTYEARDESIGROTH"), where, "FIRSTYEARDESIGROTH", False)
        forms.append(form)
    if not forms:
        raise UserError(f"{path.name}: no TAX1099R form in this OFX file")
    return forms


def reconcile_1099r_file(session: Session, path: Path, person_name: str | None = None) -> dict:
    """Reconcile every 1099-R in ``path`` as ``reconcile 1099-r`` does (all stored, or none)."""
    from .forms import reconcile_1099r

    forms = read_1099r_file(path)
    plans = list(session.scalars(select(Plan)))
    if person_name is not None:
        person = get_person(session, person_name)
        plans = [p for p in plans if p.person_id == person.id]
    results = []
    for f in forms:
        plan = _plan_for_payer(plans, f["payer"], f"{path.name}:{f['line']}: ")
        if plan is None:
            raise UserError(
                f"{path.name}:{f['line']}: payer {f['payer']!r} is not a plan in the ledger (give the plan "
                f"name or its employer; plans: {', '.join(sorted(p.name for p in plans)) or 'none'})"
            )
        received = {k: f[k] for k in ("box1", "box2a", "box4", "box5", "box10", "box7", "box11")}
        if all(v is None for v in received.values()):
            raise UserError(f"{path.name}:{f['line']}: the form has no boxes filled in")
        payload = reconcile_1099r(session, plan.name, f["year"], received, plan.person)
        derived_flags = _derived_2b(session, plan, f["year"], f["box7"])
        for flag, key in (
            ("box2b_not_determined", "box2b_taxable_not_determined"),
            ("box2b_total", "box2b_total_distribution"),
        ):
            if f[flag] is not None and derived_flags is not None and bool(derived_flags.get(key)) != f[flag]:
                payload["diff"].append(
                    {
                        "box": flag,
                        "received": f[flag],
                        "derived": bool(derived_flags.get(key)),
                        "difference": None,
                    }
                )
                payload["match"] = False
        results.append(
            {
                "line": f["line"],
                "payer": f["payer"],
                "plan": plan.name,
                "tax_year": f["year"],
                "box7": f["box7"],
                "match": payload["match"],
                "diff": payload["diff"],
                "notes": payload["notes"],
            }
        )
    return {
        "file": path.name,
        "forms": len(results),
        "matching": sum(r["match"] for r in results),
        "differing": sum(not r["match"] for r in results),
        "match": all(r["match"] for r in results),
        "results": results,
    }


def _derived_2b(session: Session, plan: Plan, year: int, code: str | None) -> dict | None:
    from .forms import compute, form_dict

    r = compute(session, plan.person.name, through=year).years.get(year)
    forms = [
        form_dict(f)
        for f in (r.plan_forms if r else [])
        if f.payer == plan.name and (code is None or sorted(f.box7 or "") == sorted(code))
    ]
    if not forms:
        return None
    return {
        "box2b_taxable_not_determined": any(f["box2b_taxable_not_determined"] for f in forms),
        "box2b_total_distribution": any(f["box2b_total_distribution"] for f in forms),
    }


# -------------------------------------------------------------------------------------- status


def _code(box7: str | None) -> str:
    return "".join(sorted((box7 or "").replace(" ", "").upper()))


def _ira_1099r_status(session: Session, person, year: int, ira_forms: list) -> list[dict]:
    """The IRA custodians' 1099-Rs, per account (traditional, roth): each received one compared as
    ``reconcile 1099-r --person P --account A`` compares it; each form the ledger derives (by
    code) and nobody entered, missing (custodians send them by January 31: Instructions for
    Forms 1099-R and 5498, "When to file")."""
    from .ira_reconcile import reconcile as reconcile_ira

    docs: list[dict] = []
    for account in ("traditional", "roth"):
        payer = f"{account}-ira"
        issuer = f"{account} IRA custodian"
        derived: dict[str, object] = {}
        for f in ira_forms:
            if f.payer == payer:
                derived.setdefault(_code(f.box7), f)
        latest: dict[str, ReceivedIra1099R] = {}
        for rec in session.scalars(
            select(ReceivedIra1099R)
            .where(
                ReceivedIra1099R.person_id == person.id,
                ReceivedIra1099R.account == account,
                ReceivedIra1099R.year == year,
            )
            .order_by(ReceivedIra1099R.id)
        ):
            latest[_code(rec.box7)] = rec
        for code, rec in sorted(latest.items()):
            boxes = {
                "box1": from_cents(rec.box1_cents),
                "box2a": from_cents(rec.box2a_cents),
                "box4": from_cents(rec.box4_cents),
                "box7": rec.box7,
            }
            sp = session.begin_nested()
            try:
                payload = reconcile_ira(session, person.name, account, year, boxes)
            except UserError as exc:
                payload = {"match": False, "diff": [], "notes": [str(exc)]}
            finally:
                sp.rollback()
            docs.append(
                {
                    "document": "1099-R",
                    "issuer": issuer + (f" (code {rec.box7})" if rec.box7 else ""),
                    "status": "matches" if payload["match"] else "differs",
                    "detail": ", ".join(d["box"] for d in payload["diff"])
                    or ("; ".join(payload["notes"]) if not payload["match"] else None),
                }
            )
        for code, f in sorted(derived.items()):
            if code in latest or "" in latest:  # a form entered without a code stands for them all
                continue
            docs.append(
                {
                    "document": "1099-R",
                    "issuer": issuer + (f" (code {f.box7})" if f.box7 else ""),
                    "status": "missing",
                    "detail": f"the ledger derives box 1 {f.box1:,.2f}",
                }
            )
    return docs


def status(session: Session, person_name: str, year: int) -> dict:
    """Which documents were received for ``year``, which match the ledger, which are missing."""
    from .forms import compute, reconcile_1099r

    person = get_person(session, person_name)
    docs: list[dict] = []
    # W-2: one per employer whose plans had deferrals or wages recorded for the year
    employers: dict[str, list[Plan]] = {}
    for p in person.plans:
        employers.setdefault(p.employer, []).append(p)
    w2s = {
        w.employer.casefold(): w
        for w in session.scalars(
            select(ReceivedW2).where(ReceivedW2.person_id == person.id, ReceivedW2.year == year)
        )
    }
    for employer, plans in sorted(employers.items()):
        ids = [p.id for p in plans]
        active = (
            session.scalar(
                select(func.count())
                .select_from(Entry)
                .where(
                    Entry.plan_id.in_(ids), Entry.tax_year == year, Entry.type.in_(sorted(CONTRIBUTION_TYPES))
                )
            )
            or 0
        )
        wages = (
            session.scalar(
                select(func.count()).select_from(Wages).where(Wages.plan_id.in_(ids), Wages.year == year)
            )
            or 0
        )
        w2 = w2s.pop(employer.casefold(), None)
        if w2 is None:
            if active or wages:
                docs.append({"document": "W-2", "issuer": employer, "status": "missing", "detail": None})
            continue
        box12 = {b.code: from_cents(b.amount_cents) for b in w2.box12}
        diffs, _ = _compare_w2(
            session,
            person,
            employer,
            year,
            from_cents(w2.box1_cents),
            from_cents(w2.box3_cents),
            box12,
            store_box3=False,
        )
        docs.append(
            {
                "document": "W-2",
                "issuer": employer,
                "status": "differs" if diffs else "matches",
                "detail": ", ".join(d["box"] for d in diffs) or None,
            }
        )
    for w2 in w2s.values():
        docs.append(
            {"document": "W-2", "issuer": w2.employer, "status": "received", "detail": "no plan there"}
        )
    # plan 1099-Rs: the derived forms (by payer and code) against the received ones
    r = compute(session, person.name, through=year).years.get(year)
    derived = {}
    for f in r.plan_forms if r else []:
        derived.setdefault((f.payer, "".join(sorted(f.box7 or ""))), f)
    plan_by_name = {p.name: p for p in person.plans}
    received = list(
        session.scalars(
            select(Received1099R)
            .where(Received1099R.plan_id.in_([p.id for p in person.plans]), Received1099R.year == year)
            .order_by(Received1099R.id)
        )
    )
    latest: dict[tuple[int, str], Received1099R] = {}
    for rec in received:
        latest[(rec.plan_id, "".join(sorted(rec.box7 or "")))] = rec
    seen = set()
    for (plan_id, code), rec in sorted(latest.items()):
        plan = next(p for p in person.plans if p.id == plan_id)
        boxes = {
            "box1": from_cents(rec.box1_cents),
            "box2a": from_cents(rec.box2a_cents),
            "box4": from_cents(rec.box4_cents),
            "box5": from_cents(rec.box5_cents),
            "box10": from_cents(rec.box10_cents),
            "box7": rec.box7,
            "box11": rec.box11,
        }
        sp = session.begin_nested()
        try:
            payload = reconcile_1099r(session, plan.name, year, boxes, plan.person)
        except UserError as exc:
            payload = {"match": False, "diff": [], "notes": [str(exc)]}
        finally:
            sp.rollback()
        seen.add((plan.name, code))
        docs.append(
            {
                "document": "1099-R",
                "issuer": plan.name + (f" (code {rec.box7})" if rec.box7 else ""),
                "status": "matches" if payload["match"] else "differs",
                "detail": ", ".join(d["box"] for d in payload["diff"])
                or ("; ".join(payload["notes"]) if not payload["match"] else None),
            }
        )
    for (payer, code), f in sorted(derived.items()):
        if (
            payer in plan_by_name
            and (payer, code) not in seen
            and not any(s[0] == payer and not s[1] for s in seen)
        ):
            docs.append(
                {
                    "document": "1099-R",
                    "issuer": payer + (f" (code {f.box7})" if f.box7 else ""),
                    "status": "missing",
                    "detail": f"the ledger derives box 1 {f.box1:,.2f}",
                }
            )
    docs += _ira_1099r_status(session, person, year, r.ira_forms if r else [])
    # 5498: the IRA kinds with activity for the year (or a value recorded), against the received ones
    for account in ("traditional", "roth"):
        forms = _forms_5498(session, person, account, year)
        sums = _ira_sums(session, person, account, year)
        expected = any(v for v in sums.values())
        model = YEAR_END_VALUE[account][0]
        expected = expected or session.scalar(
            select(model.amount_cents).where(model.person_id == person.id, model.year == year)
        ) not in (None, 0)
        if not forms:
            if expected:
                docs.append(
                    {
                        "document": "5498",
                        "issuer": f"{account} IRA",
                        "status": "missing",
                        "detail": "sent by the custodian by May 31 (June 1)",
                    }
                )
            continue
        diffs, _ = _compare_5498(session, person, account, year, "")
        docs.append(
            {
                "document": "5498",
                "issuer": f"{account} IRA",
                "status": "differs" if diffs else "matches",
                "detail": ", ".join(d["box"] for d in diffs) or None,
            }
        )
    counts = {
        s: sum(1 for d in docs if d["status"] == s) for s in ("matches", "differs", "missing", "received")
    }
    return {
        "person": person_name,
        "tax_year": year,
        "documents": docs,
        **counts,
        "complete": not counts["differs"] and not counts["missing"],
    }
