"""Reconcile a 1099-R from an IRA custodian (issue 11): ``megaroth reconcile 1099-r --person P
--account traditional|roth --year Y ...`` -- box by box against the form the ledger derives for that
account (:func:`megaroth_ledger.rules.form1099r.ira_forms`: conversions and distributions of
traditional IRAs with codes 1, 2, 7 and box 2b; Roth IRA distributions with J, Q, T;
recharacterizations N / R; returned contributions 8 / P).

A later entry for the same person, account, year and code replaces the earlier one (the form as
received is one document; entering it again corrects it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..money import ZERO, to_cents
from ..store.lookup import get_person
from ..store.models import ReceivedIra1099R
from .changelog import record_change, snapshot

BOXES = ("box1", "box2a", "box4", "box7")


def _same_code(a: str, b: str) -> bool:
    return sorted(a.replace(" ", "").upper()) == sorted(b.replace(" ", "").upper())


def reconcile(session: Session, person_name: str, account: str, year: int, received: dict) -> dict:
    from . import forms

    person = get_person(session, person_name)
    if account not in ("traditional", "roth"):
        raise UserError("--account must be traditional or roth")
    for box in ("box5", "box10", "box11"):
        if received.get(box) is not None:
            raise UserError(
                f"--{box} is a plan's box (after-tax basis / designated Roth); an IRA custodian's "
                "1099-R leaves it blank"
            )
    payer = f"{account}-ira"
    code = received.get("box7")
    q = select(ReceivedIra1099R).where(
        ReceivedIra1099R.person_id == person.id,
        ReceivedIra1099R.account == account,
        ReceivedIra1099R.year == year,
    )
    old = [r for r in session.scalars(q.order_by(ReceivedIra1099R.id)) if (r.box7 or "") == (code or "")]
    for r in old[1:]:
        session.delete(r)
    row = old[0] if old else ReceivedIra1099R(person_id=person.id, account=account, year=year)
    before = snapshot(row) if old else None
    row.box1_cents = _cents(received.get("box1"))
    row.box2a_cents = _cents(received.get("box2a"))
    row.box4_cents = _cents(received.get("box4"))
    row.box7 = code
    row.recorded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if not old:
        session.add(row)
    session.flush()
    # entering the form again corrects it: logged as an edit of the one entered before
    record_change(
        session, "edit" if old else "add", "ira-1099-r", row.id, before, snapshot(row), person_id=person.id
    )
    result = forms.compute(session, person.name, through=year)
    r = result.years.get(year)
    derived_forms = [f for f in (r.ira_forms if r else []) if f.payer == payer]
    if code is None and len({f.box7 for f in derived_forms}) > 1:
        raise UserError(
            f"the {payer} custodian issues several kinds of 1099-R for {year} "
            f"({', '.join(sorted(f.box7 for f in derived_forms))}); give --code"
        )
    group = [f for f in derived_forms if code is None or _same_code(f.box7, code)]
    derived = None
    if group:
        derived = {
            "box1": sum((f.box1 for f in group), ZERO),
            "box2a": None
            if all(f.box2a is None for f in group)
            else sum((f.box2a or ZERO for f in group), ZERO),
            "box4": sum((f.box4 for f in group), ZERO),
            "box7": group[0].box7,
            "box2b_taxable_not_determined": group[0].box2b_taxable_not_determined,
        }
    diffs = []
    for box in BOXES:
        got = received.get(box)
        if got is None:
            continue
        want = derived.get(box) if derived else None
        if box == "box4" and want is not None and want == 0 and got == 0:
            continue
        if box == "box7" and want is not None and _same_code(got, want):
            continue
        if got != want:
            diffs.append(
                {
                    "box": box,
                    "received": got,
                    "derived": want,
                    "difference": (got - want)
                    if isinstance(got, Decimal) and isinstance(want, Decimal)
                    else None,
                }
            )
    notes = []
    if not group:
        notes.append(
            f"the ledger derives no {'code ' + code + ' ' if code else ''}1099-R from the {account} IRA "
            f"custodian for {year}"
        )
    if any(d["box"] == "box4" for d in diffs):
        notes.append("box 4: the ledger does not record withholding on IRA distributions (it shows 0.00)")
    return {
        "person": person_name,
        "account": account,
        "payer": payer,
        "tax_year": year,
        "match": not diffs and bool(group),
        "received": {b: received.get(b) for b in BOXES},
        "derived": derived,
        "diff": diffs,
        "notes": notes,
        "warnings": forms.warning_dicts(r.warnings if r else []),
    }


def _cents(v) -> int | None:
    return None if v is None or not isinstance(v, Decimal) else to_cents(v)
