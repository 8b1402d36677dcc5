"""Corrections (issue 9): list, edit and remove every kind of record a user can add.

Every edit and removal is checked with the same rules as the command that adds the record,
and logged with the record's values before and after (:mod:`.changelog`). Removing an
imported row is allowed and remembered: a tombstone (``removed_row``: plan + the row's
identity) keeps a re-import of the same file from bringing it back.

An edit or removal that would leave the after-tax sub-account unable to pay what the ledger
takes out later (a conversion above the balance) is refused, like ``convert`` refuses it.
Figures derived from the rows (a conversion's basis, earnings and taxable part) are never
stored: every report recomputes them, so an edit shows everywhere at once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..importers.store import balance_identity
from ..money import from_cents, to_cents
from ..store.lookup import get_person, get_plan
from ..store.models import (
    BalanceAssertion,
    BasisCarryforward,
    BasisLayer,
    Conversion,
    Entry,
    IraEvent,
    IraValue,
    OpeningBasis,
    Person,
    Plan,
    PlanCorrection,
    Received1099R,
    ReceivedIra1099R,
    RemovedRow,
    RothIraValue,
    TaxYear,
    Wages,
)
from ..vocab import AFTER_TAX_SOURCES, CONTRIBUTION_TYPES, EARNINGS_TYPES, PLAN_KINDS, SOURCES
from .changelog import UNSET, edited, get_record, record_change, removed, snapshot
from .ledger_ops import refresh_differences

#: entry types listed, edited and removed as "earnings" (investment results and adjustments)
EARNINGS_KINDS = EARNINGS_TYPES | {"adjustment"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def tombstone(session: Session, plan_id: int, identity: str | None, change_id: int | None) -> None:
    """Remember a removed imported row so that importing its file again skips it."""
    if not identity:
        return
    exists = session.scalars(
        select(RemovedRow).where(RemovedRow.plan_id == plan_id, RemovedRow.identity == identity)
    ).first()
    if exists is None:
        session.add(RemovedRow(plan_id=plan_id, identity=identity, removed_at=_now(), change_id=change_id))
        session.flush()


def _refresh(session: Session, plan: Plan) -> None:
    """Rows changed: the plan's balance-assertion differences are figured again."""
    refresh_differences(session, plan.id)


def _check_replay(session: Session, plan: Plan, what: str) -> None:
    """After a change: the after-tax sub-account must still support every later distribution."""
    from .forms import aftertax_replay

    try:
        aftertax_replay(session, plan)
    except UserError as exc:
        raise UserError(
            f"{what} would leave the after-tax sub-account of {plan.name} unable to pay what the "
            f"ledger takes out later: {exc}"
        ) from None


# ------------------------------------------------------------------------------- entries
def _entry(session: Session, kind: str, entry_id: int) -> tuple[Entry, Plan]:
    e = session.get(Entry, entry_id)
    types = CONTRIBUTION_TYPES if kind == "contribution" else EARNINGS_KINDS
    if e is None or e.type not in types:
        raise UserError(f"no {kind} #{entry_id}; see `megaroth {kind} list`")
    if e.conversion_id is not None:
        raise UserError(
            f"{kind} #{entry_id} is a leg of conversion #{e.conversion_id}: "
            f"use `megaroth conversion edit|rm {e.conversion_id}`"
        )
    if e.origin and e.origin.startswith("balance assert #"):
        aid = e.origin.removeprefix("balance assert #")
        raise UserError(
            f"{kind} #{entry_id} is the difference recorded by balance assertion #{aid}: use "
            f"`megaroth balance edit|rm {aid}`"
        )
    return e, session.get(Plan, e.plan_id)


def entry_snapshot(e: Entry, plan: Plan) -> dict:
    return snapshot(e, plan=plan.name)


def edit_entry(
    session: Session,
    kind: str,
    entry_id: int,
    *,
    on=None,
    amount=None,
    source=None,
    tax_year=None,
    memo=UNSET,
) -> dict:
    """``contribution edit`` / ``earnings edit``: the given fields change, the rest stay."""
    e, plan = _entry(session, kind, entry_id)
    before = entry_snapshot(e, plan)
    old_date = e.date
    if source is not None:
        if source not in SOURCES:
            raise UserError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
        e.source = source
    if amount is not None:
        if amount == 0:
            raise UserError("--amount must not be zero")
        e.amount_cents = to_cents(amount)
    if on is not None:
        e.date = on
        if tax_year is None and e.tax_year == old_date.year:
            e.tax_year = on.year  # the tax year followed the date: keep it that way
    if tax_year is not None:
        if kind != "contribution":
            raise UserError("--tax-year applies to contributions only")
        e.tax_year = tax_year
    if abs(e.tax_year - e.date.year) > 1:
        raise UserError(f"tax year {e.tax_year} is more than a year away from the date {e.date.isoformat()}")
    if kind == "earnings":
        e.tax_year = e.date.year
    if memo is not UNSET:
        e.memo = memo
    _refresh(session, plan)
    after = entry_snapshot(e, plan)
    if {before["source"], after["source"]} & AFTER_TAX_SOURCES:
        _check_replay(session, plan, f"this edit of {kind} #{entry_id}")
    record_change(session, "edit", kind, e.id, before, after, person_id=plan.person_id)
    return {"id": e.id, "record": kind, "before": before, "after": after}


def remove_entry(session: Session, kind: str, entry_id: int, reason: str | None = None) -> dict:
    e, plan = _entry(session, kind, entry_id)
    before = entry_snapshot(e, plan)
    imported = e.import_id is not None
    identity = e.identity
    session.delete(e)
    _refresh(session, plan)
    if before["source"] in AFTER_TAX_SOURCES:
        _check_replay(session, plan, f"removing {kind} #{entry_id}")
    change = record_change(
        session, "rm", kind, entry_id, before, None, person_id=plan.person_id, reason=reason
    )
    if imported:
        tombstone(session, plan.id, identity, change)
    return {
        "id": entry_id,
        "record": kind,
        "before": before,
        "imported": imported,
        "remembered": bool(imported and identity),
    }


def list_earnings(
    session: Session, person: str | None = None, plan: str | None = None, year: int | None = None
) -> list[dict]:
    stmt = (
        select(Entry, Plan.name)
        .join(Plan, Plan.id == Entry.plan_id)
        .where(Entry.type.in_(sorted(EARNINGS_KINDS)), Entry.status == "posted")
        .order_by(Entry.date, Entry.id)
    )
    if person:
        stmt = stmt.where(Plan.person_id == get_person(session, person).id)
    if plan:
        stmt = stmt.where(Entry.plan_id == get_plan(session, plan, person).id)
    if year:
        stmt = stmt.where(Entry.tax_year == year)
    return [
        {
            "id": e.id,
            "date": e.date,
            "tax_year": e.tax_year,
            "plan": name,
            "type": e.type,
            "source": e.source,
            "amount": from_cents(e.amount_cents),
            "memo": e.memo,
            "import_id": e.import_id,
            "origin": e.origin,
        }
        for e, name in session.execute(stmt)
    ]


# ------------------------------------------------------------------------------- balance assertions
def _assertion(session: Session, aid: int) -> tuple[BalanceAssertion, Plan]:
    a = session.get(BalanceAssertion, aid)
    if a is None:
        raise UserError(f"no balance assertion #{aid}; see `megaroth balance list`")
    return a, session.get(Plan, a.plan_id)


def list_balances(session: Session, person: str | None = None, plan: str | None = None) -> list[dict]:
    from .ledger_ops import assertion_entry

    stmt = (
        select(BalanceAssertion, Plan.name)
        .join(Plan, Plan.id == BalanceAssertion.plan_id)
        .order_by(BalanceAssertion.date, BalanceAssertion.id)
    )
    if person:
        stmt = stmt.where(Plan.person_id == get_person(session, person).id)
    if plan:
        stmt = stmt.where(BalanceAssertion.plan_id == get_plan(session, plan, person).id)
    out = []
    for a, name in session.execute(stmt).all():
        e = assertion_entry(session, a)
        out.append(
            {
                "id": a.id,
                "date": a.date,
                "plan": name,
                "source": a.source,
                "statement": from_cents(a.amount_cents),
                "ledger": from_cents(a.ledger_cents),
                "difference": from_cents(e.amount_cents) if e else from_cents(0),
                "earnings_entry": e.id if e else None,
                "import_id": a.import_id,
            }
        )
    return out


def edit_balance(session: Session, aid: int, *, on=None, source=None, amount=None) -> dict:
    from .ledger_ops import assertion_snapshot

    a, plan = _assertion(session, aid)
    before = assertion_snapshot(session, a, plan.name)
    if source is not None:
        if source not in SOURCES:
            raise UserError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
        a.source = source
    if amount is not None:
        if amount < 0:
            raise UserError("--amount (a balance) must not be negative")
        a.amount_cents = to_cents(amount)
    if on is not None:
        a.date = on
    clash = session.scalars(
        select(BalanceAssertion).where(
            BalanceAssertion.plan_id == a.plan_id,
            BalanceAssertion.date == a.date,
            BalanceAssertion.source == a.source,
            BalanceAssertion.id != a.id,
        )
    ).first()
    if clash is not None:
        raise UserError(
            f"balance assertion #{clash.id} already states {plan.name} {a.source} on "
            f"{a.date.isoformat()}; edit or remove that one"
        )
    session.flush()
    _refresh(session, plan)
    after = assertion_snapshot(session, a, plan.name)
    if {before["source"], after["source"]} & AFTER_TAX_SOURCES:
        _check_replay(session, plan, f"this edit of balance assertion #{aid}")
    record_change(session, "edit", "balance", a.id, before, after, person_id=plan.person_id)
    return {"id": a.id, "record": "balance", "before": before, "after": after}


def remove_balance(session: Session, aid: int, reason: str | None = None) -> dict:
    from .ledger_ops import assertion_snapshot

    a, plan = _assertion(session, aid)
    before = assertion_snapshot(session, a, plan.name)
    # its difference (and an opening balance recorded from a first statement's balance)
    for e in session.scalars(
        select(Entry).where(Entry.plan_id == a.plan_id, Entry.origin == f"balance assert #{a.id}")
    ):
        session.delete(e)
    imported = a.import_id is not None
    ident = balance_identity(a.date, a.source, a.amount_cents)
    session.delete(a)
    _refresh(session, plan)
    if before["source"] in AFTER_TAX_SOURCES:
        _check_replay(session, plan, f"removing balance assertion #{aid}")
    change = record_change(
        session, "rm", "balance", aid, before, None, person_id=plan.person_id, reason=reason
    )
    if imported:
        tombstone(session, plan.id, ident, change)
    return {"id": aid, "record": "balance", "before": before, "imported": imported, "remembered": imported}


# ------------------------------------------------------------------------------- conversions
def _conversion(session: Session, cid: int) -> tuple[Conversion, Plan]:
    c = session.get(Conversion, cid)
    if c is None:
        raise UserError(f"no conversion #{cid}; see `megaroth conversion list`")
    return c, session.get(Plan, c.plan_id)


def list_conversions(
    session: Session, person: str | None = None, plan: str | None = None, year: int | None = None
) -> list[dict]:
    """Plan conversions with their basis, earnings and taxable part recomputed from the ledger."""
    from .export import plan_conversion_rows

    stmt = select(Plan).order_by(Plan.name)
    if person:
        stmt = stmt.where(Plan.person_id == get_person(session, person).id)
    if plan:
        stmt = stmt.where(Plan.id == get_plan(session, plan, person).id)
    rows = []
    for p in session.scalars(stmt).all():
        rows += plan_conversion_rows(session, p, [year] if year else None)
    rows.sort(key=lambda r: (r["date"], r["id"]))
    return rows


def edit_conversion(
    session: Session, cid: int, *, on=None, amount=None, to=None, earnings_to=UNSET, basis=UNSET, memo=UNSET
) -> dict:
    """``conversion edit``: a typed conversion is re-recorded with the merged values (same id,
    same checks as ``convert``); an imported one can change its --basis override and memo only
    (its date and amount are the statement's: remove it and record it with ``convert``)."""
    from .ledger_ops import conversion_snapshot, convert

    c, plan = _conversion(session, cid)
    before = conversion_snapshot(session, c, plan.name)
    if c.import_id is not None:
        if on is not None or amount is not None or to is not None or earnings_to is not UNSET:
            raise UserError(
                f"conversion #{cid} was imported (import #{c.import_id}): its date, amount and "
                "destination are the statement's; give --basis/--no-basis or --memo, or remove it "
                "(`megaroth conversion rm`) and record it with `megaroth convert`"
            )
        if basis is not UNSET:
            c.basis_overridden = basis is not None
            c.basis_cents = to_cents(basis) if basis is not None else 0
        if memo is not UNSET:
            c.memo = memo
        session.flush()
        if c.source in AFTER_TAX_SOURCES:
            _check_basis_override(session, plan, c)
    else:
        old_basis = from_cents(c.basis_cents) if c.basis_overridden else None
        convert(
            session,
            plan.name,
            on or c.date,
            amount if amount is not None else from_cents(c.amount_cents),
            to or c.to,
            c.earnings_to if earnings_to is UNSET else earnings_to,
            old_basis if basis is UNSET else basis,
            c.memo if memo is UNSET else memo,
            existing=c,
        )
    after = conversion_snapshot(session, c, plan.name)
    record_change(session, "edit", "conversion", c.id, before, after, person_id=plan.person_id)
    return {"id": c.id, "record": "conversion", "before": before, "after": after}


def _check_basis_override(session: Session, plan: Plan, c: Conversion) -> None:
    """A --basis override must lie between 0 and the smaller of the amount and the basis then."""
    from .forms import conversion_splits

    try:
        conversion_splits(session, plan)
    except UserError as exc:
        raise UserError(f"conversion #{c.id}: {exc}") from None


def remove_conversion(session: Session, cid: int, reason: str | None = None) -> dict:
    from .ledger_ops import conversion_snapshot

    c, plan = _conversion(session, cid)
    before = conversion_snapshot(session, c, plan.name)
    legs = session.scalars(select(Entry).where(Entry.conversion_id == c.id)).all()
    idents = [e.identity for e in legs if e.import_id is not None and e.identity]
    for e in legs:
        session.delete(e)
    for ev in session.scalars(select(IraEvent).where(IraEvent.conversion_id == c.id)):
        session.delete(ev)
    imported = c.import_id is not None
    session.delete(c)
    _refresh(session, plan)
    _check_replay(session, plan, f"removing conversion #{cid}")
    change = record_change(
        session, "rm", "conversion", cid, before, None, person_id=plan.person_id, reason=reason
    )
    for ident in idents:
        tombstone(session, plan.id, ident, change)
    return {
        "id": cid,
        "record": "conversion",
        "before": before,
        "imported": imported,
        "remembered": bool(idents),
    }


# ------------------------------------------------------------------------------- IRA events and values
def _ira_event(session: Session, eid: int) -> IraEvent:
    ev = session.get(IraEvent, eid)
    if ev is None:
        raise UserError(f"no IRA event #{eid}; see `megaroth ira event list --person P`")
    if ev.conversion_id is not None:
        raise UserError(
            f"IRA event #{eid} is the IRA side of conversion #{ev.conversion_id}: use "
            f"`megaroth conversion edit|rm {ev.conversion_id}`"
        )
    return ev


def list_ira_events(session: Session, person: str, year: int | None = None) -> list[dict]:
    owner = get_person(session, person)
    stmt = (
        select(IraEvent)
        .where(IraEvent.person_id == owner.id, IraEvent.conversion_id.is_(None))
        .order_by(IraEvent.date, IraEvent.id)
    )
    if year:
        stmt = stmt.where(IraEvent.tax_year == year)
    return [
        {
            "id": ev.id,
            "date": ev.date,
            "tax_year": ev.tax_year,
            "kind": ev.kind,
            "account": ev.account,
            "amount": from_cents(ev.amount_cents),
            "nondeductible": from_cents(ev.nondeductible_cents),
            "exception": ev.exception,
            "memo": ev.memo,
            "import_id": ev.import_id,
        }
        for ev in session.scalars(stmt)
    ]


def edit_ira_event(
    session: Session,
    eid: int,
    *,
    on=None,
    amount=None,
    account=None,
    tax_year=None,
    nondeductible=UNSET,
    exception=UNSET,
) -> dict:
    from .ledger_ops import IRA_ACCOUNTS, _check_ira_date

    ev = _ira_event(session, eid)
    before = snapshot(ev)
    old_date = ev.date
    if on is not None:
        ev.date = on
        if tax_year is None and (ev.kind != "contribution" or ev.tax_year == old_date.year):
            ev.tax_year = on.year
    if tax_year is not None:
        if ev.kind != "contribution":
            raise UserError(
                "--tax-year applies to IRA contributions only (other events count in their date's year)"
            )
        ev.tax_year = tax_year
    if amount is not None:
        if amount <= 0:
            raise UserError("--amount must be positive")
        ev.amount_cents = to_cents(amount)
    if account is not None:
        if account not in IRA_ACCOUNTS:
            raise UserError("--account must be traditional or roth")
        if ev.kind == "conversion" and account != "traditional":
            raise UserError("an IRA conversion is from the traditional IRA")
        ev.account = account
    if ev.kind == "contribution":
        _check_ira_date(ev.date, ev.tax_year)
    if nondeductible is not UNSET:
        ev.nondeductible_cents = None if nondeductible is None else to_cents(nondeductible)
    if ev.nondeductible_cents is not None:
        if ev.kind != "contribution" or ev.account != "traditional":
            raise UserError("--nondeductible applies to traditional IRA contributions only")
        if not 0 <= ev.nondeductible_cents <= ev.amount_cents:
            raise UserError("--nondeductible must be between 0 and --amount")
    if exception is not UNSET:
        if exception is not None:
            if ev.kind != "distribution":
                raise UserError("--exception applies to IRA distributions only")
            from ..rules.ordering import exception_for

            exception_for(exception, ira=True)
        ev.exception = exception
    return edited(session, "ira-event", ev, before, ev.person_id)


def remove_ira_event(session: Session, eid: int, reason: str | None = None) -> dict:
    ev = _ira_event(session, eid)
    return removed(session, "ira-event", ev, ev.person_id, reason)


#: December 31 values by IRA kind: (model, change-log record, what it is)
YEAR_END_VALUES = {
    "traditional": (IraValue, "ira-value", "December 31 IRA value"),
    "roth": (RothIraValue, "roth-ira-value", "December 31 Roth IRA value"),
}


def list_ira_values(session: Session, person: str, account: str = "traditional") -> list[dict]:
    model = YEAR_END_VALUES[account][0]
    owner = get_person(session, person)
    return [
        {
            "id": v.id,
            "person": owner.name,
            "year": v.year,
            "amount": from_cents(v.amount_cents),
            # traditional: Form 8606 line 6 taking into account recharacterizations after December 31
            **(
                {"after_recharacterizations": bool(v.after_recharacterizations)}
                if account == "traditional"
                else {}
            ),
        }
        for v in session.scalars(select(model).where(model.person_id == owner.id).order_by(model.year))
    ]


def _ira_value(session: Session, vid: int, account: str):
    model, _, what = YEAR_END_VALUES[account]
    flag = " --account roth" if account == "roth" else ""
    return get_record(session, model, vid, what, f"ira value list --person P{flag}")


def edit_ira_value(
    session: Session, vid: int, *, year=None, amount=None, account: str = "traditional"
) -> dict:
    """``ira value edit``: a December 31 value of the traditional IRAs (Form 8606 line 6) or, with
    ``account="roth"``, of the Roth IRAs (Form 5329 line 25)."""
    model, record, what = YEAR_END_VALUES[account]
    v = _ira_value(session, vid, account)
    before = snapshot(v)
    if amount is not None:
        if amount < 0:
            raise UserError("--amount must not be negative")
        v.amount_cents = to_cents(amount)
    if year is not None and year != v.year:
        clash = session.scalars(
            select(model).where(model.person_id == v.person_id, model.year == year)
        ).first()
        if clash is not None:
            raise UserError(f"{what} #{clash.id} already covers {year}; edit or remove that one")
        v.year = year
    return edited(session, record, v, before, v.person_id)


def remove_ira_value(
    session: Session, vid: int, reason: str | None = None, account: str = "traditional"
) -> dict:
    v = _ira_value(session, vid, account)
    return removed(session, YEAR_END_VALUES[account][1], v, v.person_id, reason)


# ------------------------------------------------------------------------------- wages
def _wages(session: Session, wid: int) -> tuple[Wages, Plan]:
    w = get_record(session, Wages, wid, "wages record", "wages list --person P")
    return w, session.get(Plan, w.plan_id)


def edit_wages(session: Session, wid: int, *, year=None, compensation=UNSET, fica_wages=UNSET) -> dict:
    w, plan = _wages(session, wid)
    before = snapshot(w, plan=plan.name)
    for label, value in (("--compensation", compensation), ("--fica-wages", fica_wages)):
        if value is not UNSET and value is not None and value < 0:
            raise UserError(f"{label} must not be negative (got {value})")
    if compensation is not UNSET:
        w.compensation_cents = None if compensation is None else to_cents(compensation)
    if fica_wages is not UNSET:
        w.fica_wages_cents = None if fica_wages is None else to_cents(fica_wages)
    if year is not None and year != w.year:
        clash = session.scalars(select(Wages).where(Wages.plan_id == w.plan_id, Wages.year == year)).first()
        if clash is not None:
            raise UserError(
                f"wages record #{clash.id} already covers {plan.name} {year}; edit or remove that one"
            )
        w.year = year
    return edited(session, "wages", w, before, plan.person_id, plan=plan.name)


def remove_wages(session: Session, wid: int, reason: str | None = None) -> dict:
    w, plan = _wages(session, wid)
    return removed(session, "wages", w, plan.person_id, reason, snapshot(w, plan=plan.name))


# ------------------------------------------------------------------------------- carried-forward basis
def list_basis(session: Session, person: str) -> list[dict]:
    owner = get_person(session, person)
    out = []
    for row in session.scalars(
        select(BasisCarryforward)
        .where(BasisCarryforward.person_id == owner.id)
        .order_by(BasisCarryforward.year)
    ):
        layers = session.scalars(
            select(BasisLayer)
            .where(BasisLayer.carryforward_id == row.id)
            .order_by(BasisLayer.layer_year, BasisLayer.id)
        ).all()
        out.append(
            {
                "id": row.id,
                "person": owner.name,
                "year": row.year,
                "traditional": from_cents(row.traditional_cents),
                "roth_contributions": from_cents(row.roth_contributions_cents),
                "conversions": [
                    {
                        "year": layer.layer_year,
                        "gross": from_cents(layer.gross_cents),
                        "taxable": from_cents(layer.taxable_cents),
                    }
                    for layer in layers
                ],
            }
        )
    return out


def _basis(session: Session, bid: int) -> BasisCarryforward:
    return get_record(session, BasisCarryforward, bid, "carried-forward basis", "basis list --person P")


def edit_basis(
    session: Session,
    bid: int,
    *,
    year=None,
    traditional=UNSET,
    roth_contributions=UNSET,
    layers: list[str] | None = None,
    no_conversions: bool = False,
) -> dict:
    from .ledger_ops import basis_snapshot, parse_layer

    row = _basis(session, bid)
    before = basis_snapshot(session, row)
    if year is not None and year != row.year:
        clash = session.scalars(
            select(BasisCarryforward).where(
                BasisCarryforward.person_id == row.person_id, BasisCarryforward.year == year
            )
        ).first()
        if clash is not None:
            raise UserError(
                f"carried-forward basis #{clash.id} already covers {year}; edit or remove that one"
            )
        row.year = year
    for label, v in (("--traditional", traditional), ("--roth-contributions", roth_contributions)):
        if v is not UNSET and v is not None and v < 0:
            raise UserError(f"{label} must not be negative")
    if traditional is not UNSET:
        row.traditional_cents = None if traditional is None else to_cents(traditional)
    if roth_contributions is not UNSET:
        row.roth_contributions_cents = None if roth_contributions is None else to_cents(roth_contributions)
    if layers or no_conversions:
        parsed = [parse_layer(t) for t in layers or []]
        for old in session.scalars(select(BasisLayer).where(BasisLayer.carryforward_id == row.id)):
            session.delete(old)
        for y, g, t in parsed:
            session.add(
                BasisLayer(
                    carryforward_id=row.id, layer_year=y, gross_cents=to_cents(g), taxable_cents=to_cents(t)
                )
            )
    session.flush()
    for layer in session.scalars(select(BasisLayer).where(BasisLayer.carryforward_id == row.id)):
        if layer.layer_year > row.year:
            raise UserError(f"--conversion year {layer.layer_year} is after --year {row.year}")
    after = basis_snapshot(session, row)
    record_change(session, "edit", "basis", row.id, before, after, person_id=row.person_id)
    return {"id": row.id, "record": "basis", "before": before, "after": after}


def remove_basis(
    session: Session,
    bid: int,
    reason: str | None = None,
    plan_name: str | None = None,
    person_name: str | None = None,
) -> dict:
    """``basis rm ID``: carried-forward basis, or with ``plan_name`` (``--plan``, ``--person``: whose
    plan) a plan's opening basis."""
    from .ledger_ops import basis_snapshot

    if plan_name is not None:
        return remove_opening_basis(session, bid, plan_name, reason, person_name)
    if person_name is not None:
        raise UserError("--person goes with --plan (whose plan's opening basis)")

    row = _basis(session, bid)
    before = basis_snapshot(session, row)
    for old in session.scalars(select(BasisLayer).where(BasisLayer.carryforward_id == row.id)):
        session.delete(old)
    return removed(session, "basis", row, row.person_id, reason, before)


# ------------------------------------------------------------------------------- received 1099-Rs
RECEIVED_BOXES = ("box1", "box2a", "box4", "box5", "box10")


def received_row(r: Received1099R, plan: str) -> dict:
    row = {"id": r.id, "plan": plan, "year": r.year}
    for box in RECEIVED_BOXES:
        row[box] = from_cents(getattr(r, f"{box}_cents"))
    row.update({"box7": r.box7, "box11": r.box11, "recorded_at": r.recorded_at})
    return row


def list_received(
    session: Session, person: str | None = None, plan: str | None = None, year: int | None = None
) -> list[dict]:
    stmt = (
        select(Received1099R, Plan.name)
        .join(Plan, Plan.id == Received1099R.plan_id)
        .order_by(Received1099R.year, Plan.name, Received1099R.id)
    )
    if person:
        stmt = stmt.where(Plan.person_id == get_person(session, person).id)
    if plan:
        stmt = stmt.where(Received1099R.plan_id == get_plan(session, plan, person).id)
    if year:
        stmt = stmt.where(Received1099R.year == year)
    return [received_row(r, name) for r, name in session.execute(stmt)]


def _received(session: Session, rid: int) -> tuple[Received1099R, Plan]:
    r = get_record(session, Received1099R, rid, "received 1099-R", "reconcile list")
    return r, session.get(Plan, r.plan_id)


def edit_received(session: Session, rid: int, changes: dict) -> dict:
    """``reconcile edit``: the boxes given change (an option's ``--no-`` form clears it)."""
    from .forms import store_received_1099r

    r, plan = _received(session, rid)
    current = {box: from_cents(getattr(r, f"{box}_cents")) for box in RECEIVED_BOXES}
    current.update({"box7": r.box7, "box11": r.box11})
    year = changes.pop("year", None) or r.year
    current.update(changes)
    if all(v is None for v in current.values()):
        raise UserError("a received 1099-R needs at least one box; remove it with `megaroth reconcile rm`")
    if year != r.year:
        clash = session.scalars(
            select(Received1099R).where(Received1099R.plan_id == r.plan_id, Received1099R.year == year)
        ).first()
        if clash is not None:
            raise UserError(
                f"received 1099-R #{clash.id} already covers {plan.name} {year}; edit or remove that one"
            )
    store_received_1099r(session, plan, year, current, row=r)
    return {"id": r.id, "record": "1099-r", "after": received_row(r, plan.name)}


def remove_received(
    session: Session, rid: int, reason: str | None = None, account: str | None = None
) -> dict:
    """``reconcile rm ID``: a plan's 1099-R, or with ``account`` (``--account``) an IRA custodian's."""
    if account is not None:
        return remove_received_ira(session, rid, account, reason)
    r, plan = _received(session, rid)
    return removed(session, "1099-r", r, plan.person_id, reason, snapshot(r, plan=plan.name))


# ------------------------------------------------------------------------------- tax years
def _tax_year(session: Session, tid: int) -> TaxYear:
    return get_record(session, TaxYear, tid, "tax year", "tax-year list --person P")


def edit_tax_year(
    session: Session,
    tid: int,
    *,
    year=None,
    filing_status=None,
    magi=None,
    covered=UNSET,
    spouse_covered=None,
    compensation=UNSET,
) -> dict:
    """``tax-year edit``: the facts given change (same checks as ``tax-year set``)."""
    from .ira_limits import apply_tax_year

    row = _tax_year(session, tid)
    before = snapshot(row)
    year = row.year if year is None else year
    if year != row.year:
        clash = session.scalars(
            select(TaxYear).where(TaxYear.person_id == row.person_id, TaxYear.year == year)
        ).first()
        if clash is not None:
            raise UserError(f"tax year #{clash.id} already covers {year}; edit or remove that one")
    apply_tax_year(
        row,
        year,
        row.filing_status if filing_status is None else filing_status,
        from_cents(row.magi_cents) if magi is None else magi,
        row.covered if covered is UNSET else covered,
        row.spouse_covered if spouse_covered is None else spouse_covered,
        from_cents(row.compensation_cents) if compensation is UNSET else compensation,
    )
    return edited(session, "tax-year", row, before, row.person_id)


def remove_tax_year(session: Session, tid: int, reason: str | None = None) -> dict:
    row = _tax_year(session, tid)
    return removed(session, "tax-year", row, row.person_id, reason)


# ------------------------------------------------------------------------------- opening basis
def list_opening_basis(session: Session, person: str | None = None, plan: str | None = None) -> list[dict]:
    """The basis recorded in plans' opening balances (``basis set --plan``), with the balances."""
    from .opening import opening_total

    stmt = (
        select(OpeningBasis, Plan)
        .join(Plan, Plan.id == OpeningBasis.plan_id)
        .order_by(Plan.name, OpeningBasis.source)
    )
    if person:
        stmt = stmt.where(Plan.person_id == get_person(session, person).id)
    if plan:
        stmt = stmt.where(Plan.id == get_plan(session, plan, person).id)
    return [
        {
            "id": row.id,
            "plan": p.name,
            "source": row.source,
            "basis": from_cents(row.basis_cents),
            "opening_balance": opening_total(session, p.id, row.source),
            "recorded_at": row.recorded_at,
        }
        for row, p in session.execute(stmt)
    ]


def _opening_basis(
    session: Session, oid: int, plan_name: str, person: str | None = None
) -> tuple[OpeningBasis, Plan]:
    plan = get_plan(session, plan_name, person)  # a name several people's plans share is refused
    row = get_record(session, OpeningBasis, oid, "opening basis", f"basis list --plan {plan_name}")
    if row.plan_id != plan.id:
        owner = session.get(Plan, row.plan_id)
        raise UserError(f"opening basis #{oid} is in plan {owner.name}'s opening balance, not {plan_name}'s")
    return row, plan


def edit_opening_basis(
    session: Session, oid: int, plan_name: str, source: str, amount, person: str | None = None
) -> dict:
    """``basis edit ID --plan P --aftertax A`` (or ``--roth A``): the basis in the opening balance."""
    row, plan = _opening_basis(session, oid, plan_name, person)
    if source != row.source:
        raise UserError(f"opening basis #{oid} is the {row.source} one: give --{row.source} AMOUNT")
    if amount < 0:
        raise UserError(f"--{source} must not be negative")
    before = snapshot(row, plan=plan.name)
    row.basis_cents = to_cents(amount)
    row.recorded_at = _now()
    return edited(session, "opening-basis", row, before, plan.person_id, plan=plan.name)


def remove_opening_basis(
    session: Session, oid: int, plan_name: str, reason: str | None = None, person: str | None = None
) -> dict:
    """The basis is unknown again: the forms refuse a distribution of that money until it is set."""
    row, plan = _opening_basis(session, oid, plan_name, person)
    return removed(session, "opening-basis", row, plan.person_id, reason, snapshot(row, plan=plan.name))


# ------------------------------------------------------------------------------- IRA custodians' 1099-Rs
IRA_RECEIVED_BOXES = ("box1", "box2a", "box4")


def received_ira_row(r: ReceivedIra1099R, person: str) -> dict:
    row = {"id": r.id, "person": person, "account": r.account, "year": r.year}
    for box in IRA_RECEIVED_BOXES:
        row[box] = from_cents(getattr(r, f"{box}_cents"))
    row.update({"box7": r.box7, "recorded_at": r.recorded_at})
    return row


def list_received_ira(
    session: Session, person: str | None = None, account: str | None = None, year: int | None = None
) -> list[dict]:
    stmt = (
        select(ReceivedIra1099R, Person.name)
        .join(Person, Person.id == ReceivedIra1099R.person_id)
        .order_by(ReceivedIra1099R.year, Person.name, ReceivedIra1099R.account, ReceivedIra1099R.id)
    )
    if person:
        stmt = stmt.where(ReceivedIra1099R.person_id == get_person(session, person).id)
    if account:
        stmt = stmt.where(ReceivedIra1099R.account == account)
    if year:
        stmt = stmt.where(ReceivedIra1099R.year == year)
    return [received_ira_row(r, name) for r, name in session.execute(stmt)]


def _received_ira(session: Session, rid: int, account: str) -> ReceivedIra1099R:
    r = get_record(
        session, ReceivedIra1099R, rid, "IRA custodian's 1099-R", f"reconcile list --account {account}"
    )
    if r.account != account:
        raise UserError(
            f"received 1099-R #{rid} is from the {r.account} IRA custodian: give --account {r.account}"
        )
    return r


def edit_received_ira(session: Session, rid: int, account: str, changes: dict) -> dict:
    """``reconcile edit ID --account A``: the boxes given change (``--no-`` forms clear them)."""
    r = _received_ira(session, rid, account)
    plan_only = sorted(set(changes) - set(IRA_RECEIVED_BOXES) - {"box7", "year"})
    if plan_only:
        raise UserError(
            f"--{plan_only[0]} is a plan's box (after-tax basis / designated Roth); an IRA custodian's "
            "1099-R leaves it blank"
        )
    before = snapshot(r)
    current = {box: from_cents(getattr(r, f"{box}_cents")) for box in IRA_RECEIVED_BOXES}
    current["box7"] = r.box7
    year = changes.pop("year", None) or r.year
    current.update(changes)
    if all(v is None for v in current.values()):
        raise UserError("a received 1099-R needs at least one box; remove it with `megaroth reconcile rm`")
    code = "".join(sorted((current["box7"] or "").upper()))
    for other in session.scalars(
        select(ReceivedIra1099R).where(
            ReceivedIra1099R.person_id == r.person_id,
            ReceivedIra1099R.account == r.account,
            ReceivedIra1099R.year == year,
            ReceivedIra1099R.id != r.id,
        )
    ):
        if "".join(sorted((other.box7 or "").upper())) == code:
            raise UserError(
                f"received 1099-R #{other.id} already covers the {r.account} IRA {year}"
                + (f" code {current['box7']}" if current["box7"] else "")
                + "; edit or remove that one"
            )
    r.year = year
    for box in IRA_RECEIVED_BOXES:
        setattr(r, f"{box}_cents", None if current[box] is None else to_cents(current[box]))
    r.box7 = current["box7"]
    r.recorded_at = _now()
    return edited(session, "ira-1099-r", r, before, r.person_id)


def remove_received_ira(session: Session, rid: int, account: str, reason: str | None = None) -> dict:
    r = _received_ira(session, rid, account)
    return removed(session, "ira-1099-r", r, r.person_id, reason)


# ------------------------------------------------------------------------------- plan corrections
def _correction(session: Session, cid: int) -> tuple[PlanCorrection, Plan]:
    c = get_record(session, PlanCorrection, cid, "correction", "correction list --person P")
    return c, session.get(Plan, c.plan_id)


def edit_correction(
    session: Session, cid: int, *, on=None, kind=None, tax_year=None, amount=None, earnings=None, source=None
) -> dict:
    """``correction edit``: the values given change, with the same checks as ``correction add``;
    the money it takes out of the plan follows."""
    from .plan_corrections import apply_correction

    c, plan = _correction(session, cid)
    before = snapshot(c, plan=plan.name)
    apply_correction(
        session,
        plan,
        c,
        c.date if on is None else on,
        c.kind if kind is None else kind,
        c.tax_year if tax_year is None else tax_year,
        from_cents(c.amount_cents) if amount is None else amount,
        from_cents(c.earnings_cents) if earnings is None else earnings,
        c.source if source is None else source,
    )
    _refresh(session, plan)
    return edited(session, "correction", c, before, plan.person_id, plan=plan.name)


def remove_correction(session: Session, cid: int, reason: str | None = None) -> dict:
    """Remove a corrective distribution and the withdrawal it took out of the plan."""
    from .plan_corrections import ORIGIN

    c, plan = _correction(session, cid)
    for e in session.scalars(select(Entry).where(Entry.origin == f"{ORIGIN}{c.id}")):
        session.delete(e)
    res = removed(session, "correction", c, plan.person_id, reason, snapshot(c, plan=plan.name))
    _refresh(session, plan)
    return res


# ------------------------------------------------------------------------------- people and plans
def edit_person(session: Session, name: str, *, born=None, new_name=None) -> dict:
    p = get_person(session, name)
    before = snapshot(p)
    if new_name is not None:
        new_name = new_name.strip()
        if not new_name:
            raise UserError("--name must not be empty")
        if new_name != p.name and session.scalars(select(Person).where(Person.name == new_name)).first():
            raise UserError(f"person {new_name!r} already exists")
        p.name = new_name
    if born is not None:
        if born > dt.date.today():
            raise UserError(f"birth date {born.isoformat()} is in the future")
        p.born = born
    session.flush()
    after = snapshot(p)
    record_change(session, "person-edit", "person", p.id, before, after, person_id=p.id)
    return {"id": p.id, "record": "person", "before": before, "after": after}


def edit_plan(
    session: Session,
    name: str,
    *,
    person: str | None = None,
    employer=None,
    kind=None,
    after_tax=None,
    in_plan_conversion=None,
    in_service_withdrawal=None,
    first_roth_year=UNSET,
) -> dict:
    """``plan edit``: the given features change; warnings name rows that no longer fit."""
    from sqlalchemy import func

    p = get_plan(session, name, person)
    before = snapshot(p)
    if employer is not None:
        if not employer.strip():
            raise UserError("--employer must not be empty")
        p.employer = employer.strip()
    if kind is not None:
        if kind not in PLAN_KINDS:
            raise UserError(f"unknown plan kind {kind!r}; expected one of {', '.join(PLAN_KINDS)}")
        p.kind = kind
    for attr, value in (
        ("after_tax", after_tax),
        ("in_plan_conversion", in_plan_conversion),
        ("in_service_withdrawal", in_service_withdrawal),
    ):
        if value is not None:
            setattr(p, attr, value)
    if first_roth_year is not UNSET:
        p.first_roth_year = first_roth_year
    session.flush()
    warnings = []
    if not p.after_tax:
        n = session.scalar(
            select(func.count())
            .select_from(Entry)
            .where(Entry.plan_id == p.id, Entry.source.in_(sorted(AFTER_TAX_SOURCES)))
        )
        if n:
            warnings.append(
                {
                    "code": "aftertax-rows",
                    "message": (
                        f"plan {p.name} holds {n} after-tax row(s) but is now recorded as not accepting after-tax "
                        "money; check the plan document"
                    ),
                }
            )
    if not p.in_plan_conversion:
        n = session.scalar(
            select(func.count())
            .select_from(Conversion)
            .where(Conversion.plan_id == p.id, Conversion.to == "in-plan")
        )
        if n:
            warnings.append(
                {
                    "code": "in-plan-conversions",
                    "message": (
                        f"plan {p.name} holds {n} in-plan Roth rollover(s) but is now recorded as not allowing them"
                    ),
                }
            )
    after = snapshot(p)
    record_change(session, "plan-edit", "plan", p.id, before, after, person_id=p.person_id)
    return {"id": p.id, "record": "plan", "before": before, "after": after, "warnings": warnings}
