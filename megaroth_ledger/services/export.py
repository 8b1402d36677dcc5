"""Export, projection and year report (issue #6): gather the payloads other services print
as JSON (headroom, forms, clocks) plus the ledger rows behind a year, for
:mod:`megaroth_ledger.reports.workbook` and the ``report year`` / ``project`` commands.

No tax figure is computed here: headroom, forms and clocks come from their services, so a
workbook cell equals what ``megaroth headroom|form|clocks --format json`` prints. The ledger
rows (paychecks, conversions, audit) are queried here and streamed (``yield_per``) so a year
with 100,000 rows exports in bounded memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import UnsupportedSituation, UserError
from ..money import ZERO, from_cents
from ..rules import projection as proj
from ..store.lookup import get_person
from ..store.models import Conversion, Entry, ImportBatch, IraEvent, Plan
from ..vocab import CONTRIBUTION_TYPES

NOT_YET = "not available yet: {what} ({why})"


def _dollars(cents: int) -> Decimal:
    """Integer cents -> Decimal dollars with two places; the same value as ``money.from_cents``
    without a division and a quantize per row (the Audit sheet converts 100,000 of them)."""
    return Decimal(cents).scaleb(-2)


STREAM_CHUNK = 5000


def person_years(session: Session, person_name: str) -> list[int]:
    """Every tax year with a ledger row (plan entries, conversions or IRA events) for the person."""
    person = get_person(session, person_name)
    plan_ids = select(Plan.id).where(Plan.person_id == person.id)
    years = set(session.scalars(select(Entry.tax_year).where(Entry.plan_id.in_(plan_ids)).distinct()))
    years |= set(
        session.scalars(select(Conversion.tax_year).where(Conversion.plan_id.in_(plan_ids)).distinct())
    )
    years |= set(session.scalars(select(IraEvent.tax_year).where(IraEvent.person_id == person.id).distinct()))
    return sorted(years)


# ------------------------------------------------------------------------------------------
# ledger rows


def paycheck_rows(session: Session, person_id: int, years: list[int]) -> Iterator[dict]:
    """One row per tax year x pay date x plan x source (posted contributions), in date order."""
    pay_date = func.coalesce(Entry.payroll_date, Entry.date)
    stmt = (
        select(
            Entry.tax_year,
            pay_date.label("pay_date"),
            Plan.name,
            Plan.kind,
            Plan.employer,
            Entry.source,
            func.sum(Entry.amount_cents),
        )
        .join(Plan, Plan.id == Entry.plan_id)
        .where(
            Plan.person_id == person_id,
            Entry.tax_year.in_(years),
            Entry.type.in_(sorted(CONTRIBUTION_TYPES)),
            Entry.status == "posted",
        )
        .group_by(Entry.tax_year, pay_date, Plan.name, Plan.kind, Plan.employer, Entry.source)
        .order_by(Entry.tax_year, pay_date, Plan.name, Entry.source)
    )
    for year, on, plan, kind, employer, source, cents in session.execute(
        stmt.execution_options(yield_per=STREAM_CHUNK)
    ):
        yield {
            "tax_year": year,
            "date": on,
            "plan": plan,
            "plan_kind": kind,
            "employer": employer,
            "source": source,
            "amount": from_cents(cents),
        }


def audit_rows(session: Session, person_id: int, years: list[int]) -> Iterator[dict]:
    """Every plan entry and IRA event of the years, with its provenance, streamed."""
    stmt = (
        select(
            Entry.id,
            Entry.date,
            Entry.tax_year,
            Plan.name,
            Entry.source,
            Entry.type,
            Entry.amount_cents,
            Entry.fund,
            Entry.memo,
            Entry.status,
            ImportBatch.file_name,
            Entry.file_row,
            Entry.import_id,
            Entry.origin,
        )
        .join(Plan, Plan.id == Entry.plan_id)
        .outerjoin(ImportBatch, ImportBatch.id == Entry.import_id)
        .where(Plan.person_id == person_id, Entry.tax_year.in_(years))
        .order_by(Entry.tax_year, Entry.date, Entry.id)
    )
    for (
        eid,
        on,
        year,
        plan,
        source,
        typ,
        cents,
        fund,
        memo,
        status,
        file,
        row,
        imp,
        origin,
    ) in session.execute(stmt.execution_options(yield_per=STREAM_CHUNK)):
        yield {
            "id": eid,
            "date": on,
            "tax_year": year,
            "plan": plan,
            "source": source,
            "type": typ,
            "amount": _dollars(cents),
            "fund": fund,
            "memo": memo,
            "status": status,
            "file": file,
            "file_row": row,
            "import_id": imp,
            "origin": origin,
        }
    ira = (
        select(IraEvent, ImportBatch.file_name)
        .outerjoin(ImportBatch, ImportBatch.id == IraEvent.import_id)
        .where(IraEvent.person_id == person_id, IraEvent.tax_year.in_(years))
        .order_by(IraEvent.tax_year, IraEvent.date, IraEvent.id)
    )
    for ev, file in session.execute(ira):
        yield {
            "id": ev.id,
            "date": ev.date,
            "tax_year": ev.tax_year,
            "plan": f"{ev.account} IRA",
            "source": ev.account,
            "type": f"ira {ev.kind}",
            "amount": from_cents(ev.amount_cents),
            "memo": ev.memo,
            "status": "posted",
            "file": file,
            "import_id": ev.import_id,
            "origin": f"ira event #{ev.id}",
        }


def plan_conversion_rows(session: Session, plan: Plan, years: list[int] | None = None) -> list[dict]:
    """One plan's conversions with basis, earnings and taxable part recomputed from the ledger
    (:func:`.forms.conversion_splits`, the replay the 1099-R reads); only the user's explicit
    ``--basis`` is a stored input. ``roth`` is the part that became Roth money."""
    from ..rules.basis import allocate_destinations
    from ..vocab import AFTER_TAX_SOURCES
    from .forms import conversion_splits

    stmt = select(Conversion).where(Conversion.plan_id == plan.id).order_by(Conversion.date, Conversion.id)
    if years is not None:
        stmt = stmt.where(Conversion.tax_year.in_(years))
    convs = session.scalars(stmt).all()
    if not convs:
        return []
    splits = conversion_splits(session, plan) if any(c.source in AFTER_TAX_SOURCES for c in convs) else {}
    rows = []
    for c in convs:
        gross = from_cents(c.amount_cents)
        split = splits.get(c.id)
        if c.source not in AFTER_TAX_SOURCES:
            basis, parts = ZERO, None  # pretax money carries no basis: all of it is taxable
        elif split is not None:
            basis, parts = split.basis, allocate_destinations(split, c.to, c.earnings_to)
        else:
            basis, parts = None, None  # no legs left in the ledger
        if c.to == "in-plan":
            route, dest, roth = "in-plan Roth rollover", f"designated Roth account ({plan.name})", gross
            taxable = None if basis is None else gross - basis
        else:
            route = "rollover to Roth IRA" + (" (Notice 2014-54 split)" if c.earnings_to else "")
            if parts:
                dest = " + ".join(
                    f"{'Roth' if p.destination == 'roth-ira' else 'traditional'} IRA {p.gross:,.2f}"
                    for p in parts
                )
                taxable = sum((p.taxable for p in parts), ZERO)
                roth = sum((p.gross for p in parts if p.destination == "roth-ira"), ZERO)
            else:
                dest, roth = "Roth IRA", gross
                taxable = None if basis is None else gross - basis
        rows.append(
            {
                "id": c.id,
                "tax_year": c.tax_year,
                "date": c.date,
                "plan": plan.name,
                "payer": plan.name,
                "route": route,
                "destination": dest,
                "gross": gross,
                "basis": basis,
                "earnings": None if basis is None else gross - basis,
                "taxable": taxable,
                "roth": roth,
                "memo": c.memo,
                "basis_override": from_cents(c.basis_cents) if c.basis_overridden else None,
                "import_id": c.import_id,
            }
        )
    return rows


def conversion_rows(session: Session, person_id: int, years: list[int] | None = None) -> list[dict]:
    """Plan conversions (IRR, rollover to a Roth IRA, Notice 2014-54 split) and IRA conversions.

    A plan conversion's basis, earnings and taxable part are recomputed from the ledger when
    read (:func:`plan_conversion_rows`): never a figure stored at import or convert time, so
    they agree with the 1099-R whatever order the rows came in. An IRA conversion's taxable
    part is Form 8606 line 18, so it is left to the forms sheets (None here).
    """
    rows = []
    for p in session.scalars(select(Plan).where(Plan.person_id == person_id).order_by(Plan.name)):
        rows += plan_conversion_rows(session, p, years)
    stmt = (
        select(IraEvent)
        .where(IraEvent.person_id == person_id, IraEvent.kind == "conversion")
        .order_by(IraEvent.date, IraEvent.id)
    )
    if years is not None:
        stmt = stmt.where(IraEvent.tax_year.in_(years))
    for ev in session.scalars(stmt):
        amount = from_cents(ev.amount_cents)
        rows.append(
            {
                "id": None,
                "tax_year": ev.tax_year,
                "date": ev.date,
                "plan": "traditional IRA",
                "payer": "traditional-ira",
                "route": "IRA conversion",
                "destination": "Roth IRA",
                "gross": amount,
                "basis": None,
                "earnings": None,
                "taxable": None,
                "roth": amount,
                "memo": ev.memo or "taxable part: Form 8606 line 18",
            }
        )
    rows.sort(key=lambda r: (r["date"], r["route"]))
    return rows


# ------------------------------------------------------------------------------------------
# projection


def projection(
    session: Session,
    person_name: str,
    rate: Decimal,
    years: int,
    annual_after_tax: Decimal | None = None,
    start_year: int | None = None,
    today: dt.date | None = None,
) -> dict:
    """``megaroth project``: each tax year's Roth conversions grown at ``rate`` (see
    :mod:`megaroth_ledger.rules.projection` for the convention)."""
    person = get_person(session, person_name)
    by_year: dict[int, Decimal] = {}
    for r in conversion_rows(session, person.id):
        if start_year is not None and r["tax_year"] > start_year:
            continue
        by_year[r["tax_year"]] = by_year.get(r["tax_year"], ZERO) + r["roth"]
    if start_year is None:
        start_year = max(by_year) if by_year else (today or dt.date.today()).year
    if not by_year and annual_after_tax is None:
        raise UserError(
            f"{person.name} has no conversions to project; give --annual-after-tax to project "
            "future contributions"
        )
    p = proj.project(
        by_year, rate=rate, years=years, start_year=start_year, annual_after_tax=annual_after_tax
    )
    return proj.projection_payload(p, person=person.name)


# ------------------------------------------------------------------------------------------
# forms and clocks (other services; absent ones are reported, never invented)


def _explain_text(item) -> str:
    """One explanation (``{"formula": ..., "rows": [...]}`` or a list of lines) as text."""
    if isinstance(item, dict):
        return "\n".join([str(item.get("formula") or ""), *[f"  {r}" for r in item.get("rows", [])]]).strip()
    if isinstance(item, (list, tuple)):
        return "\n".join(str(x) for x in item)
    return str(item)


def _forms_payloads(
    session: Session, person: str, year: int
) -> tuple[dict[str, dict], dict[str, dict], str | None]:
    """The ``form 1099-r|8606|1040 --format json`` payloads (without their ``explain`` part)
    and, apart, the ``--explain`` text per line or box; or the reason they are missing."""
    try:
        from . import forms
    except ImportError:
        return {}, {}, NOT_YET.format(what="forms", why="the forms service (issue 3) is not in this build")
    out: dict[str, dict] = {}
    explain: dict[str, dict[str, str]] = {}
    for name, fn in (("1099-r", forms.form_1099r), ("8606", forms.form_8606), ("1040", forms.form_1040)):
        try:
            payload = fn(session, person, year, explain=True)
        except UnsupportedSituation as exc:
            if name != "1040":
                raise
            # Form 1040 alone is refused for the year (e.g. a code-E 415(c) correction): the 1099-Rs and
            # Form 8606 still show, the 1040 lines are left out with the reason
            out[name] = {
                "person": person,
                "tax_year": year,
                "lines": {},
                "warnings": [{"code": "form-1040-not-derived", "message": str(exc)}],
                "not_derived": str(exc),
            }
            explain[name] = {}
            continue
        ex = payload.pop("explain", None) or {}
        if name == "1099-r":  # one explanation per form: key it "payer|destination|box"
            explain[name] = {
                f"{f['payer']}|{f['destination']}|{box}": _explain_text(text)
                for f in ex
                for box, text in (f.get("boxes") or {}).items()
            }
        else:
            explain[name] = {line: _explain_text(text) for line, text in ex.items()}
        out[name] = payload
    return out, explain, None


def received_1099r(session: Session, person_id: int, year: int) -> list[dict]:
    """The latest 1099-R the user entered with ``reconcile 1099-r`` for each plan of the year."""
    from ..store.models import Received1099R

    latest: dict[str, dict] = {}
    stmt = (
        select(Received1099R, Plan.name)
        .join(Plan, Plan.id == Received1099R.plan_id)
        .where(Plan.person_id == person_id, Received1099R.year == year)
        .order_by(Received1099R.recorded_at, Received1099R.id)
    )
    for r, plan in session.execute(stmt):
        row = {"payer": plan, "box7": r.box7, "box11": r.box11}
        for box in ("box1", "box2a", "box4", "box5", "box10"):
            cents = getattr(r, f"{box}_cents")
            if cents is not None:
                row[box] = from_cents(cents)
        latest[plan] = {k: v for k, v in row.items() if v is not None}
    return list(latest.values())


def _clocks_payload(session: Session, person: str, as_of: dt.date) -> tuple[dict | None, str | None]:
    try:
        from . import (
            clocks,
            forms,  # noqa: F401  (clocks read their layers from the forms service)
        )
    except ImportError:
        return None, NOT_YET.format(what="5-year clocks", why="they need the forms service (issue 3)")
    return clocks.clocks_payload(session, person, as_of), None


def workbook_data(
    session: Session,
    person_name: str,
    years: list[int],
    *,
    as_of: dt.date,
    projection_args: dict | None = None,
):
    """Everything the workbook shows for ``years`` (ledger rows are streamed, so build the
    workbook inside the same session)."""
    from ..reports.workbook import WorkbookData
    from .forms import history_cache

    person = get_person(session, person_name)
    with history_cache(session):
        return _workbook_data(
            session,
            person,
            years,
            as_of=as_of,
            projection_args=projection_args,
            data=WorkbookData(person=person.name, years=years, generated_on=as_of),
        )


def _workbook_data(session: Session, person, years: list[int], *, as_of: dt.date, projection_args, data):
    from . import headroom

    for y in years:
        try:
            data.headroom[y] = headroom.payload(headroom.compute(session, person.name, y))
        except UserError as exc:  # e.g. a year outside the limits table
            data.unavailable["headroom"] = f"headroom not available for {y}: {exc}"
        try:
            forms, explain, why = _forms_payloads(session, person.name, y)
        except UserError as exc:  # e.g. nothing the forms cover in that year
            data.unavailable[f"forms:{y}"] = f"{y}: no forms ({exc})"
            continue
        if why:
            data.unavailable["forms"] = why
        else:
            data.form_1099r[y], data.form_8606[y], data.form_1040[y] = (
                forms["1099-r"],
                forms["8606"],
                forms["1040"],
            )
            for form, lines in explain.items():
                data.explain[(form, y)] = lines
        data.received_1099r[y] = received_1099r(session, person.id, y)
        data.checks[y] = check_warnings(failing_checks(session, person.name, y))
    try:
        data.clocks, why = _clocks_payload(session, person.name, as_of)
    except UserError as exc:
        data.clocks, why = None, f"clocks not available: {exc}"
    if why:
        data.unavailable["clocks"] = why
    from . import ira_limits

    for y in years:
        res = ira_limits.year_check(session, person.name, y)
        if res is not None:
            data.ira_limits[y] = ira_limits.check_payload(res)
    data.conversions = conversion_rows(session, person.id, years)
    for y, f8606 in data.form_8606.items():  # an IRA conversion's taxable part is Form 8606 line 18
        ira = [r for r in data.conversions if r["tax_year"] == y and r["route"] == "IRA conversion"]
        line18 = (f8606.get("lines") or {}).get("18")
        if len(ira) == 1 and line18 is not None:
            ira[0]["taxable"] = Decimal(str(line18))
            ira[0]["memo"] = "taxable part: Form 8606 line 18"
    if projection_args:
        try:
            data.projection = projection(session, person.name, **projection_args)
        except UserError as exc:
            data.unavailable["Projection"] = f"no projection: {exc}"
    else:
        data.unavailable["Projection"] = "no projection requested"
    data.paychecks = paycheck_rows(session, person.id, years)
    data.audit = audit_rows(session, person.id, years)
    data.corrections = correction_rows(session, person.name, years)
    return data


def correction_rows(session: Session, person_name: str, years: list[int]) -> list[dict]:
    """The change-log entries of the years, newest first: every edit, removal, import and undo
    of a record dated in them (or made during them), for the Audit sheet."""
    from .changelog import describe, list_changes, record_years

    out = []
    for c in list_changes(session, person_name):
        if c["action"] == "add":
            continue  # the additions are the ledger rows themselves (listed above them)
        if not (record_years(c) & set(years)) and c["at"].year not in years:
            continue
        out.append(
            {
                "change": c["change"],
                "at": c["at"].replace(microsecond=0).isoformat(sep=" "),
                "action": c["action"],
                "record": c["record"],
                "id": c["id"],
                "before": describe(c["before"]),
                "after": describe(c["after"], c["before"]),
                "reason": c["reason"],
            }
        )
    return out


# ------------------------------------------------------------------------------------------
# report year


def year_summary(
    session: Session, person_name: str, year: int, *, as_of: dt.date, checks: list[dict] | None = None
) -> dict:
    """``megaroth report year``: the workbook's Summary for one year, as a payload. ``checks``:
    this person-year's ``megaroth check`` results when the caller already ran them."""
    from ..reports.advice import advice_for
    from . import headroom

    person = get_person(session, person_name)
    h = headroom.payload(headroom.compute(session, person.name, year))
    totals = dict(
        session.execute(
            select(Entry.source, func.sum(Entry.amount_cents))
            .join(Plan, Plan.id == Entry.plan_id)
            .where(
                Plan.person_id == person.id,
                Entry.tax_year == year,
                Entry.type.in_(sorted(CONTRIBUTION_TYPES)),
                Entry.status == "posted",
            )
            .group_by(Entry.source)
            .order_by(Entry.source)
        ).all()
    )
    by_source = {src: from_cents(c) for src, c in totals.items()}
    convs = conversion_rows(session, person.id, [year])
    forms, _explain, why_forms = _forms_payloads(session, person.name, year)
    warnings = [dict(w, origin="headroom") for w in h["warnings"]]
    for name, payload in forms.items():
        warnings += [dict(w, origin=f"form {name}") for w in payload.get("warnings", [])]
    from . import ira_limits

    lim = ira_limits.year_check(session, person.name, year)
    lim_payload = ira_limits.check_payload(lim) if lim is not None else None
    if lim_payload is not None:
        warnings += [dict(w, origin="IRA limits") for w in lim_payload["warnings"]]
    if checks is None:
        failed = failing_checks(session, person.name, year)
    else:
        from . import check

        failed = check.failing(checks)
    warnings += [dict(w, origin="megaroth check") for w in check_warnings(failed)]
    for w in warnings:
        w["advice"] = advice_for(w)
    return {
        "person": person.name,
        "year": year,
        "headroom": h,
        "contributions_by_source": by_source,
        "contributions_total": sum(by_source.values(), ZERO),
        "conversions": [
            {
                k: r[k]
                for k in ("date", "plan", "route", "destination", "gross", "basis", "earnings", "taxable")
            }
            for r in convs
        ],
        "form_1040": forms.get("1040", {}).get("lines")
        if not why_forms and not forms.get("1040", {}).get("not_derived")
        else None,
        "not_available": [why_forms]
        if why_forms
        else ([forms["1040"]["not_derived"]] if forms.get("1040", {}).get("not_derived") else []),
        "ira_limits": lim_payload,
        "warnings": warnings,
        "checks": failed,
    }


def failing_checks(session: Session, person_name: str, year: int) -> list[dict]:
    """The `megaroth check` checks that fail for this person-year (issue 9)."""
    from . import check

    return check.failing(check.run(session, person_name, year))


def check_warnings(failed: list[dict]) -> list[dict]:
    """Failing checks as warnings (``CHECK_<NAME>``), for the Summary and ``report year``."""
    return [
        {
            "code": "CHECK_" + c["name"].upper().replace("-", "_"),
            "message": f"check {c['name']}: {c['message']}",
        }
        for c in failed
    ]
