"""Ledger additions of issue 3: earnings, balance assertions, conversions, the IRA side and
carried-forward basis. Database in, rule calls, database out; no tax arithmetic here beyond
calling :mod:`megaroth_ledger.rules.basis`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import UnsupportedSituation, UserError
from ..money import from_cents, to_cents
from ..rules import basis as basis_rules
from ..store.lookup import get_person, get_plan
from ..store.models import (
    BalanceAssertion,
    BasisCarryforward,
    BasisLayer,
    Conversion,
    Entry,
    IraEvent,
    Plan,
)
from ..vocab import SOURCES
from .changelog import record_change, snapshot

IRA_ACCOUNTS = ("traditional", "roth")


def _posted_balance(
    session: Session, plan: Plan, source: str, through: dt.date, exclude_origin: str | None = None
) -> Decimal:
    stmt = select(func.coalesce(func.sum(Entry.amount_cents), 0)).where(
        Entry.plan_id == plan.id, Entry.source == source, Entry.status == "posted", Entry.date <= through
    )
    if exclude_origin is not None:  # an assertion being replaced: without its own difference
        stmt = stmt.where((Entry.origin.is_(None)) | (Entry.origin != exclude_origin))
    return from_cents(int(session.scalar(stmt) or 0))


def add_earnings(
    session: Session,
    plan_name: str,
    on: dt.date,
    source: str,
    amount: Decimal,
    memo: str | None = None,
    person: str | None = None,
) -> int:
    """A gain or loss of one sub-account (changes the balance, never the basis)."""
    plan = get_plan(session, plan_name, person)
    if source not in SOURCES:
        raise UserError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    if amount == 0:
        raise UserError("--amount must not be zero")
    if amount < 0:
        # A loss cannot take the sub-account below zero on its date or on any later date (the
        # after-tax replay would refuse every form afterwards).
        rows = session.execute(
            select(Entry.date, Entry.amount_cents).where(
                Entry.plan_id == plan.id, Entry.source == source, Entry.status == "posted"
            )
        ).all()
        for d in sorted({on} | {r.date for r in rows if r.date > on}):
            after = from_cents(sum(r.amount_cents for r in rows if r.date <= d)) + amount
            if after < 0:
                raise UserError(
                    f"a loss of {-amount:,.2f} on {on.isoformat()} would leave the {source} "
                    f"sub-account of {plan_name} at {after:,.2f} on {d.isoformat()}; a loss cannot "
                    "exceed the balance"
                )
    e = Entry(
        plan_id=plan.id,
        date=on,
        tax_year=on.year,
        source=source,
        type="earnings",
        amount_cents=to_cents(amount),
        memo=memo,
        origin="earnings add",
    )
    session.add(e)
    refresh_differences(session, plan.id)
    record_change(
        session, "add", "earnings", e.id, None, snapshot(e, plan=plan.name), person_id=plan.person_id
    )
    return e.id


def assert_balance(
    session: Session,
    plan_name: str,
    on: dt.date,
    source: str,
    amount: Decimal,
    strict: bool = False,
    person: str | None = None,
) -> dict:
    """Compare a statement balance with the ledger on ``on`` (entries dated on or before it).

    A difference is recorded as an ``earnings`` entry whose ``origin`` names the assertion
    (its provenance); with ``strict`` it is an error instead. An earlier assertion for the same
    plan, date and source is replaced (its difference entry re-figured), not added to.
    """
    plan = get_plan(session, plan_name, person)
    if source not in SOURCES:
        raise UserError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    if amount < 0:
        raise UserError("--amount (a balance) must not be negative")
    a = session.scalars(
        select(BalanceAssertion)
        .where(
            BalanceAssertion.plan_id == plan.id,
            BalanceAssertion.date == on,
            BalanceAssertion.source == source,
        )
        .order_by(BalanceAssertion.id)
    ).first()
    ledger = _posted_balance(
        session, plan, source, on, exclude_origin=None if a is None else f"balance assert #{a.id}"
    )
    diff = amount - ledger
    if diff and strict:
        raise UserError(
            f"balance assertion failed for {plan_name} {source} on {on.isoformat()}: statement "
            f"{amount:,.2f}, ledger {ledger:,.2f}, difference {diff:,.2f}"
        )
    before = None
    if a is None:
        a = BalanceAssertion(
            plan_id=plan.id,
            date=on,
            source=source,
            amount_cents=to_cents(amount),
            ledger_cents=to_cents(ledger),
        )
        session.add(a)
        session.flush()
    else:
        before = assertion_snapshot(session, a, plan.name)
        a.amount_cents, a.ledger_cents = to_cents(amount), to_cents(ledger)
    refresh_differences(session, plan.id)  # this one's and every later assertion's difference
    e = assertion_entry(session, a)
    entry_id = None if e is None else e.id
    if e is not None and e.amount_cents != to_cents(diff):  # cannot happen: one rule figures both
        raise AssertionError(f"balance assertion #{a.id}: difference {diff} vs entry {e.amount_cents}")
    record_change(
        session,
        "add" if before is None else "edit",
        "balance",
        a.id,
        before,
        assertion_snapshot(session, a, plan.name),
        person_id=plan.person_id,
    )
    return {
        "assertion": a.id,
        "plan": plan_name,
        "source": source,
        "date": on,
        "statement": amount,
        "ledger": ledger,
        "difference": diff,
        "earnings_entry": entry_id,
        "replaced": before is not None,
        "warnings": _suspicion_warnings(session, plan, source, on, diff, ledger),
    }


def _suspicion_warnings(
    session: Session, plan: Plan, source: str, on: dt.date, diff: Decimal, ledger: Decimal
) -> list[dict]:
    """A difference out of proportion is booked all the same, but said (and `megaroth check` fails)."""
    if not diff:
        return []
    from .check import assertion_suspicion

    found = assertion_suspicion(session, plan.id, source, on, diff, ledger)
    return [] if found is None else [{"code": "BALANCE_OUT_OF_PROPORTION", "message": found.message}]


def assertion_entry(session: Session, a: BalanceAssertion) -> Entry | None:
    return session.scalars(
        select(Entry).where(
            Entry.plan_id == a.plan_id, Entry.type == "earnings", Entry.origin == f"balance assert #{a.id}"
        )
    ).first()


def assertion_snapshot(session: Session, a: BalanceAssertion, plan_name: str) -> dict:
    e = assertion_entry(session, a)
    return snapshot(
        a,
        plan=plan_name,
        difference=None if e is None else from_cents(e.amount_cents),
        earnings_entry=None if e is None else e.id,
    )


def refresh_differences(session: Session, plan_id: int) -> None:
    """Re-figure the plan's balance-assertion differences after rows changed (see
    :func:`megaroth_ledger.importers.store.refresh_assertion_differences`)."""
    from ..importers.store import refresh_assertion_differences

    session.flush()
    if refresh_assertion_differences(session.connection(), plan_id):
        session.expire_all()
    refresh_rollovers_in(session, plan_id)


def refresh_rollovers_in(session: Session, plan_id: int) -> None:
    """The IRA side of the plan's rollovers to IRAs (``rollover_in`` events, kept for the IRA's
    history) follows the split figured from the ledger now, after an earlier row changed. No
    form reads their amounts (the 1099-R and Form 8606 take the plan side), but nothing stored
    is left stale. A ledger that cannot be replayed is left as it is: the caller's check refuses it."""
    from .forms import conversion_splits

    convs = session.scalars(
        select(Conversion).where(Conversion.plan_id == plan_id, Conversion.to == "roth-ira")
    ).all()
    if not convs:
        return
    try:
        splits = conversion_splits(session, session.get(Plan, plan_id))
    except UserError:
        return
    for c in convs:
        split = splits.get(c.id)
        if split is None:
            continue
        parts = {
            ("roth" if p.destination == "roth-ira" else "traditional"): p
            for p in basis_rules.allocate_destinations(split, c.to, c.earnings_to)
        }
        for ev in session.scalars(
            select(IraEvent).where(IraEvent.conversion_id == c.id, IraEvent.kind == "rollover_in")
        ):
            part = parts.get(ev.account)
            if part is not None:
                ev.amount_cents, ev.taxable_cents = to_cents(part.gross), to_cents(part.taxable)
    session.flush()


def convert(
    session: Session,
    plan_name: str,
    on: dt.date,
    amount: Decimal,
    to: str,
    earnings_to: str | None = None,
    basis: Decimal | None = None,
    memo: str | None = None,
    *,
    existing: Conversion | None = None,
    person: str | None = None,
) -> dict:
    """Convert money out of the plan's after-tax sub-account (IRC 72(e)(8), 72(d)(2); Notice
    2014-54). Records the Conversion, the plan-side legs and the IRA-side rollovers in.

    ``existing`` (``conversion edit``): that conversion's legs are replaced and its row updated
    in place (same id); the caller logs the edit."""
    from .forms import aftertax_replay

    plan = (
        session.get(Plan, existing.plan_id) if existing is not None else get_plan(session, plan_name, person)
    )
    if existing is not None:
        for old in session.scalars(select(Entry).where(Entry.conversion_id == existing.id)):
            session.delete(old)
        for old in session.scalars(select(IraEvent).where(IraEvent.conversion_id == existing.id)):
            session.delete(old)
        session.flush()
    if amount <= 0:
        raise UserError("--amount must be positive")
    if to not in ("in-plan", "roth-ira"):
        raise UserError("--to must be in-plan or roth-ira")
    if earnings_to is not None and (earnings_to != "traditional-ira" or to != "roth-ira"):
        raise UserError("--earnings-to traditional-ira goes with --to roth-ira only (Notice 2014-54)")
    if not plan.after_tax:
        raise UserError(
            f"plan {plan_name} has no after-tax source; if it accepts after-tax money, "
            f"record that with: megaroth plan edit {plan_name} --after-tax"
        )
    if to == "in-plan" and not plan.in_plan_conversion:
        raise UserError(
            f"plan {plan_name} does not allow in-plan Roth rollovers; if it does, record that "
            f"with: megaroth plan edit {plan_name} --in-plan-conversion"
        )
    if to == "roth-ira" and not plan.in_service_withdrawal:
        raise UserError(
            f"plan {plan_name} does not allow in-service withdrawals of after-tax money, so it cannot "
            f"roll to a Roth IRA; if it does, record that with: megaroth plan edit {plan_name} "
            "--in-service-withdrawal"
        )
    from .opening import require_basis

    require_basis(session, plan, "aftertax", on)
    rp_on = aftertax_replay(session, plan, through=on)
    state = rp_on.final
    if amount > state.balance:
        later = aftertax_replay(session, plan).final
        if amount <= later.balance:
            raise UserError(
                f"on {on.isoformat()} the after-tax sub-account holds only {state.balance:,.2f}: "
                f"the date is before the money arrived"
            )
        raise UserError(
            f"amount {amount:,.2f} is above the after-tax sub-account balance {state.balance:,.2f} "
            f"on {on.isoformat()}"
        )
    split, _after = basis_rules.split_distribution(state, amount, on=on, basis_override=basis)
    parts = basis_rules.allocate_destinations(split, to, earnings_to)
    # basis_cents is read only as the user's explicit --basis (basis_overridden); the computed
    # columns are a record of what convert printed, never read back: every report recomputes
    # the split from the ledger (issue 9)
    conv = existing if existing is not None else Conversion(plan_id=plan.id)
    conv.plan_id, conv.date, conv.tax_year, conv.source, conv.to = plan.id, on, on.year, "aftertax", to
    conv.earnings_to, conv.amount_cents, conv.basis_cents = (
        earnings_to,
        to_cents(amount),
        to_cents(split.basis),
    )
    conv.basis_computed_cents = to_cents(split.basis_computed)
    conv.basis_overridden = basis is not None
    conv.balance_before_cents, conv.basis_before_cents = to_cents(state.balance), to_cents(state.basis)
    conv.memo = memo
    if existing is None:
        session.add(conv)
    session.flush()
    group = f"conversion-{conv.id}"
    conv.transfer_group = group
    out_type = "conversion_out" if to == "in-plan" else "rollover_out"
    session.add(
        Entry(
            plan_id=plan.id,
            date=on,
            tax_year=on.year,
            source="aftertax",
            type=out_type,
            amount_cents=-to_cents(amount),
            conversion_id=conv.id,
            origin=f"convert #{conv.id}",
            memo=memo,
        )
    )
    if to == "in-plan":
        session.add(
            Entry(
                plan_id=plan.id,
                date=on,
                tax_year=on.year,
                source="roth_irr",
                type="conversion_in",
                amount_cents=to_cents(amount),
                irr_year=on.year,
                conversion_id=conv.id,
                origin=f"convert #{conv.id}",
                memo=memo,
            )
        )
    else:
        for part in parts:
            account = "roth" if part.destination == "roth-ira" else "traditional"
            session.add(
                IraEvent(
                    person_id=plan.person_id,
                    date=on,
                    tax_year=on.year,
                    kind="rollover_in",
                    account=account,
                    amount_cents=to_cents(part.gross),
                    taxable_cents=to_cents(part.taxable),
                    conversion_id=conv.id,
                    memo=f"from {plan_name} (convert #{conv.id})",
                )
            )
    refresh_differences(session, plan.id)
    try:  # a back-dated conversion must leave every later distribution of the sub-account valid
        aftertax_replay(session, plan)
    except UserError as exc:
        raise UserError(
            f"a conversion of {amount:,.2f} on {on.isoformat()} leaves too little for "
            f"what the ledger takes out later: {exc}"
        ) from None
    if existing is None:
        record_change(
            session,
            "add",
            "conversion",
            conv.id,
            None,
            conversion_snapshot(session, conv, plan_name),
            person_id=plan.person_id,
        )
    return {
        "conversion": conv.id,
        "plan": plan_name,
        "date": on,
        "amount": amount,
        "to": to,
        "earnings_to": earnings_to,
        "basis": split.basis,
        "basis_computed": split.basis_computed,
        "earnings": split.earnings,
        "balance_before": state.balance,
        "basis_before": state.basis,
        "parts": [
            {"destination": p.destination, "gross": p.gross, "taxable": p.taxable, "basis": p.basis}
            for p in parts
        ],
        "warnings": [{"code": "basis-cap", "message": w} for w in split.warnings],
    }


def _check_ira_date(on: dt.date, tax_year: int) -> None:
    # IRC 219(f)(3): a contribution made by the return due date (without extensions) may be
    # for the previous year; the due date moves off weekends and DC holidays (IRC 7503).
    from ..rules.dates import ira_contribution_deadline

    if tax_year == on.year:
        return
    deadline = ira_contribution_deadline(tax_year)
    if not (tax_year == on.year - 1 and on <= deadline):
        raise UserError(
            f"a contribution on {on.isoformat()} cannot be for {tax_year}: contributions for a year "
            f"are made during it or by the return due date, {deadline.isoformat()} (IRC 219(f)(3))"
        )


def ira_contribute(
    session: Session,
    person_name: str,
    on: dt.date,
    account: str,
    amount: Decimal,
    tax_year: int | None = None,
    nondeductible: Decimal | None = None,
    deductibility_open: bool = False,
) -> dict:
    person = get_person(session, person_name)
    if account not in IRA_ACCOUNTS:
        raise UserError("--account must be traditional or roth")
    if amount <= 0:
        raise UserError("--amount must be positive")
    tax_year = tax_year or on.year
    _check_ira_date(on, tax_year)
    from ..bounds import check_born_before

    check_born_before(person.born, on, person.name)
    if deductibility_open:
        if account != "traditional":
            raise UserError("--deductibility-open applies to traditional IRA contributions only")
        if nondeductible is not None:
            raise UserError(
                "--deductibility-open and --nondeductible exclude each other: the open contribution's "
                "nondeductible part is figured from the year's deduction limit (tax-year set)"
            )
    if nondeductible is not None:
        if account != "traditional":
            raise UserError("--nondeductible applies to traditional IRA contributions only")
        if nondeductible < 0 or nondeductible > amount:
            raise UserError("--nondeductible must be between 0 and --amount")
    # IRA limits (issue 11): combined limit, Roth income phase-out, deduction phase-out
    from .ira_limits import year_check

    res = year_check(
        session, person_name, tax_year, (account, amount, amount if deductibility_open else nondeductible)
    )
    warnings = list(res.findings) if res is not None else []
    ev = IraEvent(
        person_id=person.id,
        date=on,
        tax_year=tax_year,
        kind="contribution",
        account=account,
        amount_cents=to_cents(amount),
        nondeductible_cents=None if nondeductible is None else to_cents(nondeductible),
        deductibility_open=True if deductibility_open else None,
    )
    session.add(ev)
    session.flush()
    record_change(session, "add", "ira-event", ev.id, None, snapshot(ev), person_id=person.id)
    return {"id": ev.id, "warnings": warnings}


def _conversions_in(session: Session, person_id: int, year: int) -> list[IraEvent]:
    return [
        ev
        for ev in session.scalars(select(IraEvent).where(IraEvent.person_id == person_id))
        if ev.date.year == year
        and (ev.kind == "conversion" or (ev.kind == "rollover_in" and ev.account == "roth"))
    ]


def ira_recharacterize(
    session: Session,
    person_name: str,
    on: dt.date,
    from_account: str,
    amount: Decimal,
    earnings: Decimal,
    tax_year: int,
    nondeductible: Decimal | None = None,
) -> dict:
    """Record a recharacterization of a regular contribution for ``tax_year`` (IRC 408A(d)(6);
    Treas. Reg. 1.408A-5): ``amount`` of the contribution and its net income ``earnings`` (negative
    for a loss) moved from ``from_account`` to the other kind of IRA by the due date of the return
    including extensions. Conversions (and plan-to-Roth-IRA rollovers) made after 2017 cannot be
    recharacterized: IRC 408A(d)(6)(B)(iii), added by the Tax Cuts and Jobs Act (Pub. L. 115-97)
    sec. 13611, effective for tax years beginning after December 31, 2017."""
    from ..rules.dates import extended_due_date
    from .ira_limits import contributions_for, year_check

    person = get_person(session, person_name)
    if from_account not in IRA_ACCOUNTS:
        raise UserError("--from must be traditional or roth")
    if amount <= 0:
        raise UserError("--amount (the contribution recharacterized) must be positive")
    if amount + earnings <= 0:
        raise UserError(f"--amount {amount:,.2f} with --earnings {earnings:,.2f} leaves nothing to move")
    due = extended_due_date(tax_year)
    if on > due or on.year < tax_year:
        raise UserError(
            f"a contribution for {tax_year} can be recharacterized from {tax_year} until the due date of the "
            f"return including extensions, {due.isoformat()} (IRC 408A(d)(6)(A)(ii)); {on.isoformat()} is "
            "outside it -- after it, a Roth excess can only be withdrawn (`megaroth ira return --after-due-date`)"
        )
    trad, roth, _ = contributions_for(session, person, tax_year)
    available = roth if from_account == "roth" else trad
    other = [
        ev
        for ev in session.scalars(
            select(IraEvent).where(
                IraEvent.person_id == person.id,
                IraEvent.kind == "contribution",
                IraEvent.account == from_account,
                IraEvent.tax_year == tax_year,
            )
        )
        if ev.date <= on
    ]
    if amount > available or not other:
        convs = _conversions_in(session, person.id, tax_year) + _conversions_in(session, person.id, on.year)
        if from_account == "roth" and convs:
            if max(ev.date.year for ev in convs) >= 2018:
                raise UnsupportedSituation(
                    f"only {available:,.2f} of regular Roth IRA contributions for {tax_year} can be recharacterized: "
                    "a conversion (or a rollover from a plan to a Roth IRA) made after 2017 cannot be "
                    "recharacterized (IRC 408A(d)(6)(B)(iii), Tax Cuts and Jobs Act sec. 13611)"
                )
            raise UnsupportedSituation(
                "recharacterizing a conversion made before 2018 is not supported (only regular contributions)"
            )
        raise UserError(
            f"only {available:,.2f} of {from_account} IRA contributions for {tax_year} (made by "
            f"{on.isoformat()}) is left to recharacterize, not {amount:,.2f}"
        )
    if nondeductible is not None and not (0 <= nondeductible <= amount):
        raise UserError("--nondeductible must be between 0 and --amount")
    if from_account == "roth":
        nd = amount if nondeductible is None else nondeductible
    else:
        if nondeductible is not None:
            nd = nondeductible
        else:
            nds = {
                (from_cents(ev.nondeductible_cents) or Decimal("0")) == from_cents(ev.amount_cents)
                for ev in other
            }
            all_nd = {(from_cents(ev.nondeductible_cents) or Decimal("0")) == 0 for ev in other}
            if nds == {True}:
                nd = amount
            elif all_nd == {True}:
                nd = Decimal("0.00")
            else:
                raise UserError(
                    f"the {tax_year} traditional IRA contributions are partly deductible: say how much of the "
                    "recharacterized amount was nondeductible with --nondeductible"
                )
    ev = IraEvent(
        person_id=person.id,
        date=on,
        tax_year=tax_year,
        kind="recharacterization",
        account=from_account,
        amount_cents=to_cents(amount),
        nondeductible_cents=to_cents(nd),
        earnings_cents=to_cents(earnings),
        memo=f"recharacterized to {'traditional' if from_account == 'roth' else 'roth'}",
    )
    session.add(ev)
    session.flush()
    record_change(session, "add", "ira-event", ev.id, None, snapshot(ev), person_id=person.id)
    res = year_check(session, person_name, tax_year)
    return {
        "id": ev.id,
        "person": person_name,
        "date": on,
        "tax_year": tax_year,
        "from": from_account,
        "to": "traditional" if from_account == "roth" else "roth",
        "amount": amount,
        "earnings": earnings,
        "moved": amount + earnings,
        "nondeductible": nd,
        "warnings": list(res.findings) if res is not None else [],
    }


def _infer_nondeductible(events: list[IraEvent], amount: Decimal, tax_year: int, what: str) -> Decimal:
    nds = {
        (from_cents(ev.nondeductible_cents) or Decimal("0")) == from_cents(ev.amount_cents) for ev in events
    }
    zeros = {(from_cents(ev.nondeductible_cents) or Decimal("0")) == 0 for ev in events}
    if nds == {True}:
        return amount
    if zeros == {True}:
        return Decimal("0.00")
    raise UserError(
        f"the {tax_year} traditional IRA contributions are partly deductible: say how much of the "
        f"{what} amount was nondeductible with --nondeductible"
    )


def ira_return(
    session: Session,
    person_name: str,
    on: dt.date,
    account: str,
    amount: Decimal,
    earnings: Decimal | None,
    tax_year: int,
    after_due_date: bool = False,
    nondeductible: Decimal | None = None,
) -> dict:
    """Record a contribution for ``tax_year`` paid back to the owner.

    By the due date of the return including extensions, with its net income (IRC 408(d)(4)): treated
    as never contributed; the net income is taxable for ``tax_year`` (and 10% before 59 1/2).
    ``after_due_date``: an excess traditional IRA contribution withdrawn later under IRC 408(d)(5) --
    only when the year's traditional contributions did not exceed the 219(b)(1)(A) dollar amount and
    no deduction was taken for the amount withdrawn; otherwise it is an ordinary (taxable)
    distribution and is refused here. A Roth IRA excess withdrawn after the due date is recorded as
    the Roth IRA distribution it is (:func:`_roth_excess_after_due_date`)."""
    from ..rules.dates import age_at_year_end, extended_due_date
    from ..rules.limits import limits_for
    from .ira_limits import contributions_for, year_check

    person = get_person(session, person_name)
    if account not in IRA_ACCOUNTS:
        raise UserError("--account must be traditional or roth")
    if amount <= 0:
        raise UserError("--amount (the contribution returned) must be positive")
    due = extended_due_date(tax_year)
    if on.year < tax_year:
        raise UserError(
            f"a contribution for {tax_year} cannot be returned on {on.isoformat()}, before {tax_year}"
        )
    trad, roth, _ = contributions_for(session, person, tax_year)
    available = roth if account == "roth" else trad
    events = [
        ev
        for ev in session.scalars(
            select(IraEvent).where(
                IraEvent.person_id == person.id,
                IraEvent.kind == "contribution",
                IraEvent.account == account,
                IraEvent.tax_year == tax_year,
            )
        )
        if ev.date <= on
    ]
    if not events or amount > available:
        raise UserError(
            f"only {available:,.2f} of {account} IRA contributions for {tax_year} (made by "
            f"{on.isoformat()}) is left to return, not {amount:,.2f}"
        )
    if nondeductible is not None and not (0 <= nondeductible <= amount):
        raise UserError("--nondeductible must be between 0 and --amount")
    if after_due_date:
        if on <= due:
            raise UserError(
                f"{on.isoformat()} is not after the due date of the {tax_year} return including extensions "
                f"({due.isoformat()}): return it with its earnings, without --after-due-date (IRC 408(d)(4))"
            )
        if earnings is not None:
            raise UserError(
                "--earnings goes with a return by the due date; an excess withdrawn after it is "
                "withdrawn without its earnings (IRC 408(d)(5))"
            )
        if account == "roth":
            return _roth_excess_after_due_date(session, person, person_name, on, amount, tax_year)
        dollar = limits_for(tax_year).ira_limit_for_age(age_at_year_end(person.born, tax_year))
        nd_events = sum(
            (from_cents(ev.nondeductible_cents) or Decimal("0") for ev in events), Decimal("0.00")
        )
        if trad > dollar:
            raise UnsupportedSituation(
                f"the {tax_year} traditional IRA contributions ({trad:,.2f}) exceeded the {dollar:,.2f} dollar "
                "limit, so an excess withdrawn after the due date is taxable (IRC 408(d)(5)(A)); that case is "
                "not supported"
            )
        nd = amount if nondeductible is None else nondeductible
        if nd != amount or nd > nd_events:
            raise UnsupportedSituation(
                "an excess withdrawn after the due date is tax-free only if no deduction was allowed for it "
                f"(IRC 408(d)(5)); only {nd_events:,.2f} of the {tax_year} contributions is recorded as "
                "nondeductible -- a deducted excess is not supported"
            )
        earnings_v = None
    else:
        if on > due:
            raise UserError(
                f"{on.isoformat()} is after the due date of the {tax_year} return including extensions "
                f"({due.isoformat()}): an excess withdrawn now is --after-due-date (IRC 408(d)(5)), and the 6% "
                "excise of Form 5329 applies for the years it stayed in"
            )
        earnings_v = earnings if earnings is not None else Decimal("0.00")
        if amount + earnings_v < 0:
            raise UserError(f"--amount {amount:,.2f} with --earnings {earnings_v:,.2f} is a negative payment")
        if account == "roth":
            nd = Decimal("0.00")
        else:
            nd = (
                nondeductible
                if nondeductible is not None
                else _infer_nondeductible(events, amount, tax_year, "returned")
            )
    ev = IraEvent(
        person_id=person.id,
        date=on,
        tax_year=tax_year,
        kind="return",
        account=account,
        amount_cents=to_cents(amount),
        nondeductible_cents=to_cents(nd),
        earnings_cents=None if earnings_v is None else to_cents(earnings_v),
        after_due_date=after_due_date,
        memo="excess withdrawn after the due date" if after_due_date else "returned with its net income",
    )
    session.add(ev)
    session.flush()
    record_change(session, "add", "ira-event", ev.id, None, snapshot(ev), person_id=person.id)
    res = year_check(session, person_name, tax_year)
    return {
        "id": ev.id,
        "person": person_name,
        "date": on,
        "tax_year": tax_year,
        "account": account,
        "amount": amount,
        "earnings": earnings_v,
        "after_due_date": after_due_date,
        "paid": amount + (earnings_v or Decimal("0.00")),
        "nondeductible": nd,
        "warnings": list(res.findings) if res is not None else [],
    }


def _roth_excess_after_due_date(
    session: Session, person, person_name: str, on: dt.date, amount: Decimal, tax_year: int
) -> dict:
    """An excess Roth IRA contribution for ``tax_year`` withdrawn after the due date of that year's
    return (including extensions). No rule treats it as not contributed (IRC 408(d)(4) and the 4973(f)
    last sentence cover distributions by the due date only), so it is an ordinary Roth IRA
    distribution, recorded as one:

    - it is taxed under the ordering rules -- regular contributions first (IRC 408A(d)(4)(B); Form 8606
      Part III, line 19 less the line 22 basis, in which the excess contribution is included) -- so
      withdrawing no more than the regular contributions is not taxable, and no earnings come out with
      it (only a distribution by the due date must carry its net income, IRC 408(d)(4)(C));
    - it reduces the excess carried into the year of the withdrawal: IRC 4973(f)(2)(A) ("reduced by
      ... the distributions out of the accounts for the taxable year"), Form 5329 line 20 ("the amount
      from Form 8606, line 19, plus any qualified distributions"); the 6% of IRC 4973(a) is owed for
      every year whose December 31 found the excess in (Form 5329 Part IV, lines 18-25);
    - the custodian reports it with code J, T or Q like any Roth IRA distribution.

    Refused when ``tax_year`` shows no Roth IRA excess, or ``amount`` is above it (the rest is an
    ordinary distribution: ``ira distribute``)."""
    from .ira_limits import year_check

    chk = year_check(session, person_name, tax_year)
    excess = chk.roth_excess if chk is not None else Decimal("0.00")
    if excess <= 0:
        raise UserError(
            f"the ledger shows no {tax_year} Roth IRA excess contribution for {person_name} (check the {tax_year} "
            f"filing status and MAGI with `megaroth tax-year show --year {tax_year}`); a Roth IRA withdrawal that "
            "is not an excess is recorded with `megaroth ira distribute --account roth`"
        )
    if amount > excess:
        raise UserError(
            f"the {tax_year} Roth IRA excess is {excess:,.2f}; {amount:,.2f} is more -- withdraw the excess with "
            "`ira return --after-due-date` and anything else with `ira distribute --account roth`"
        )
    ev = IraEvent(
        person_id=person.id,
        date=on,
        tax_year=on.year,
        kind="distribution",
        account="roth",
        amount_cents=to_cents(amount),
        after_due_date=True,
        memo=(
            f"excess {tax_year} Roth IRA contribution withdrawn after the due date: a Roth IRA distribution "
            "(IRC 408A(d)(4)(B)) reducing the carried excess (IRC 4973(f)(2)(A), Form 5329 line 20)"
        ),
    )
    session.add(ev)
    session.flush()
    record_change(session, "add", "ira-event", ev.id, None, snapshot(ev), person_id=person.id)
    return {
        "id": ev.id,
        "person": person_name,
        "date": on,
        "tax_year": tax_year,
        "account": "roth",
        "amount": amount,
        "earnings": None,
        "after_due_date": True,
        "paid": amount,
        "nondeductible": Decimal("0.00"),
        "recorded_as": "distribution",
        "excess": excess,
        "warnings": [],
    }


def ira_convert(session: Session, person_name: str, on: dt.date, amount: Decimal) -> int:
    person = get_person(session, person_name)
    if amount <= 0:
        raise UserError("--amount must be positive")
    ev = IraEvent(
        person_id=person.id,
        date=on,
        tax_year=on.year,
        kind="conversion",
        account="traditional",
        amount_cents=to_cents(amount),
    )
    session.add(ev)
    session.flush()
    record_change(session, "add", "ira-event", ev.id, None, snapshot(ev), person_id=person.id)
    return ev.id


def ira_distribute(
    session: Session,
    person_name: str,
    on: dt.date,
    account: str,
    amount: Decimal,
    exception: str | None = None,
) -> int:
    person = get_person(session, person_name)
    if account not in IRA_ACCOUNTS:
        raise UserError("--account must be traditional or roth")
    if amount <= 0:
        raise UserError("--amount must be positive")
    if exception is not None:
        from ..rules.ordering import exception_for

        exception_for(exception, ira=True)  # unknown or non-IRA exceptions are refused here
    ev = IraEvent(
        person_id=person.id,
        date=on,
        tax_year=on.year,
        kind="distribution",
        account=account,
        amount_cents=to_cents(amount),
        exception=exception,
    )
    session.add(ev)
    session.flush()
    record_change(session, "add", "ira-event", ev.id, None, snapshot(ev), person_id=person.id)
    return ev.id


def ira_value(
    session: Session,
    person_name: str,
    year: int,
    amount: Decimal,
    account: str = "traditional",
    after_recharacterizations: bool = False,
) -> None:
    """Record (replace) a December 31 value: of the traditional/SEP/SIMPLE IRAs (Form 8606 line 6)
    or, ``account="roth"``, of the Roth IRAs (Form 5329 line 25: the 6% excise on an excess Roth
    IRA contribution is at most 6% of it). Recording a year again is logged as an edit.
    ``after_recharacterizations``: the traditional value already takes into account the year's
    contributions recharacterized after December 31, as the Form 8606 instructions (line 6) ask."""
    from .corrections import YEAR_END_VALUES

    person = get_person(session, person_name)
    if amount < 0:
        raise UserError("--amount must not be negative")
    if after_recharacterizations and account != "traditional":
        raise UserError(
            "--after-recharacterizations applies to the traditional IRAs' value (Form 8606 line 6)"
        )
    if account not in YEAR_END_VALUES:
        raise UserError("--account must be traditional or roth")
    model, record, _ = YEAR_END_VALUES[account]
    row = session.scalars(select(model).where(model.person_id == person.id, model.year == year)).first()
    before = None if row is None else snapshot(row)
    if row is None:
        row = model(person_id=person.id, year=year, amount_cents=0)
        session.add(row)
    row.amount_cents = to_cents(amount)
    if account == "traditional":
        row.after_recharacterizations = True if after_recharacterizations else None
    session.flush()
    record_change(
        session,
        "add" if before is None else "edit",
        record,
        row.id,
        before,
        snapshot(row),
        person_id=person.id,
    )


def parse_layer(text: str) -> tuple[int, Decimal, Decimal]:
    """``YEAR:GROSS:TAXABLE`` -> (year, gross, taxable)."""
    from ..money import parse_amount

    bits = text.split(":")
    if len(bits) != 3 or not bits[0].strip().isdigit():
        raise UserError(f"--conversion {text!r}: expected YEAR:GROSS:TAXABLE, e.g. 2016:80000:60000")
    year = int(bits[0])
    gross = parse_amount(bits[1], what="--conversion gross")
    taxable = parse_amount(bits[2], what="--conversion taxable")
    if gross <= 0 or taxable < 0 or taxable > gross:
        raise UserError(f"--conversion {text!r}: need 0 <= taxable <= gross and gross > 0")
    if not 1998 <= year <= 2200:
        raise UserError(f"--conversion {text!r}: Roth conversions start in 1998")
    return year, gross, taxable


def basis_set(
    session: Session,
    person_name: str,
    year: int,
    traditional: Decimal | None,
    roth_contributions: Decimal | None,
    layers: list[str],
) -> dict:
    """Record (replace) the carryforward figures known at the end of ``year``."""
    person = get_person(session, person_name)
    parsed = [parse_layer(t) for t in layers]
    for y, _, _ in parsed:
        if y > year:
            raise UserError(f"--conversion year {y} is after --year {year}")
    for label, v in (("--traditional", traditional), ("--roth-contributions", roth_contributions)):
        if v is not None and v < 0:
            raise UserError(f"{label} must not be negative")
    if traditional is None and roth_contributions is None and not parsed:
        raise UserError("give --traditional, --roth-contributions and/or --conversion")
    row = session.scalars(
        select(BasisCarryforward).where(
            BasisCarryforward.person_id == person.id, BasisCarryforward.year == year
        )
    ).first()
    before = None if row is None else basis_snapshot(session, row)
    if row is None:
        row = BasisCarryforward(person_id=person.id, year=year)
        session.add(row)
        session.flush()
    if traditional is not None:
        row.traditional_cents = to_cents(traditional)
    if roth_contributions is not None:
        row.roth_contributions_cents = to_cents(roth_contributions)
    if parsed:
        for old in session.scalars(select(BasisLayer).where(BasisLayer.carryforward_id == row.id)):
            session.delete(old)
        for y, g, t in parsed:
            session.add(
                BasisLayer(
                    carryforward_id=row.id, layer_year=y, gross_cents=to_cents(g), taxable_cents=to_cents(t)
                )
            )
    session.flush()
    record_change(
        session,
        "add" if before is None else "edit",
        "basis",
        row.id,
        before,
        basis_snapshot(session, row),
        person_id=person.id,
    )
    return {
        "person": person_name,
        "year": year,
        "traditional": from_cents(row.traditional_cents),
        "roth_contributions": from_cents(row.roth_contributions_cents),
        "conversions": [{"year": y, "gross": g, "taxable": t} for y, g, t in parsed],
    }


def basis_snapshot(session: Session, row: BasisCarryforward) -> dict:
    layers = session.scalars(
        select(BasisLayer)
        .where(BasisLayer.carryforward_id == row.id)
        .order_by(BasisLayer.layer_year, BasisLayer.id)
    ).all()
    return snapshot(
        row,
        conversions=[
            f"{ly.layer_year}:{from_cents(ly.gross_cents)}:{from_cents(ly.taxable_cents)}" for ly in layers
        ],
    )


def conversion_snapshot(session: Session, conv: Conversion, plan_name: str | None = None) -> dict:
    """The conversion's inputs (date, amount, destination, an explicit --basis override, memo):
    its basis and taxable part are derived from the ledger whenever read, so not kept here."""
    return {
        "id": conv.id,
        "plan": plan_name,
        "date": conv.date.isoformat(),
        "tax_year": conv.tax_year,
        "source": conv.source,
        "to": conv.to,
        "earnings_to": conv.earnings_to,
        "amount": f"{from_cents(conv.amount_cents):.2f}",
        "basis_override": f"{from_cents(conv.basis_cents):.2f}" if conv.basis_overridden else None,
        "memo": conv.memo,
        "import_id": conv.import_id,
    }
