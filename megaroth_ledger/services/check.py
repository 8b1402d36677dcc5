"""``megaroth check``: named checks over the whole ledger (modelled on hledger's ``check`` and
bean-check). Each check gives ``ok``, ``warn`` or ``fail``, a message and the ids of the
records concerned; the command exits 1 when any check fails (warnings only with --strict).

The checks (names are a promise, issue 9):

- ``balances``: every balance assertion still holds, and none implies a loss or gain out of
  proportion (:func:`~megaroth_ledger.rules.checks.balance_out_of_proportion`);
- ``duplicate-statements``: the same activity held by more than one active import
  (:mod:`megaroth_ledger.importers.overlap`); imported with --allow-overlap: a warning;
- ``aftertax-allowed``: after-tax money in a plan added without --after-tax;
- ``employer-names``: employer names that differ only in case, spacing or punctuation;
- ``ira-year-end-values``: a year with a traditional IRA conversion or distribution but no
  December 31 value (Form 8606 line 6);
- ``traditional-ira-inflows``: the backdoor pro-rata trap (Form 8606 line 6);
- ``unconverted-aftertax``: after-tax money left unconverted in a plan that converts, and the
  earnings it has accrued (taxable when converted: IRC 72(e)(8));
- ``compensation``: a plan-year with after-tax money and no compensation (IRC 415(c)(1)(B));
- ``dates``: records dated in the future or in years the limits table does not cover;
- ``limits``: excess deferrals (IRC 402(g)) and annual additions (415(c)) (the ledger has no
  record of a plan's corrective distribution yet, so every plan excess counts), and IRA
  contributions over the limit not returned (IRC 219(b)(5), 408A(c)(3); services/ira_limits.py);
- ``sources``: rows whose money source is unknown;
- ``opening-basis``: a plan sub-account whose opening balance (a first imported statement's
  balance the rows do not explain) has no recorded basis: the after-tax contributions in it
  (IRC 72(e)(8)(B), 72(e)(6)) or the designated Roth contributions (IRC 402A(d)). The forms
  refuse a conversion or distribution of that money until ``megaroth basis set --plan P
  --aftertax A`` (or ``--roth A``) records it (:mod:`.opening`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from ..errors import UserError
from ..money import from_cents
from ..rules import checks as rules
from ..store.lookup import get_person
from ..store.models import (
    BalanceAssertion,
    Conversion,
    Entry,
    ImportBatch,
    IraEvent,
    IraValue,
    Person,
    Plan,
    Wages,
)
from ..vocab import AFTER_TAX_SOURCES, CONTRIBUTION_TYPES

ZERO = Decimal("0.00")
NAMES = (
    "balances",
    "duplicate-statements",
    "aftertax-allowed",
    "employer-names",
    "ira-year-end-values",
    "traditional-ira-inflows",
    "unconverted-aftertax",
    "compensation",
    "dates",
    "limits",
    "sources",
    "opening-basis",
)
#: headroom warnings (rules/headroom.py) that are an excess over a limit
LIMIT_CODES = frozenset({"EXCESS_DEFERRAL", "ANNUAL_ADDITIONS_EXCEEDED", "EXCESS_DEFERRAL_457B"})
#: IRA-limits findings (services/ira_limits.py) that are an uncorrected excess (IRC 219(b), 408A(c)(3))
IRA_EXCESS_CODES = frozenset({"ira-excess", "roth-income-excess"})
MAX_RECORDS = 200  # ids listed per check (the message gives the full count)


@dataclass
class Check:
    name: str
    status: str = "ok"
    messages: list[str] = field(default_factory=list)
    records: list[int] = field(default_factory=list)

    def add(self, status: str, message: str, records=()) -> None:
        if status == "fail" or (status == "warn" and self.status == "ok"):
            self.status = status
        self.messages.append(message)
        for r in records:
            if len(self.records) < MAX_RECORDS and r not in self.records:
                self.records.append(r)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "status": self.status,
            "message": "; ".join(self.messages) if self.messages else "ok",
            "records": self.records,
        }


@dataclass
class Scope:
    people: list[Person]
    plans: list[Plan]
    year: int | None

    @property
    def plan_ids(self) -> list[int]:
        return [p.id for p in self.plans]

    @property
    def person_ids(self) -> list[int]:
        return [p.id for p in self.people]

    def in_year(self, col):
        return true() if self.year is None else col == self.year


def run(
    session: Session, person: str | None = None, year: int | None = None, today: dt.date | None = None
) -> list[dict]:
    """Every check, in :data:`NAMES` order, as ``{"name", "status", "message", "records"}``."""
    people = (
        [get_person(session, person)]
        if person
        else list(session.scalars(select(Person).order_by(Person.name)))
    )
    plans = list(
        session.scalars(select(Plan).where(Plan.person_id.in_([p.id for p in people])).order_by(Plan.name))
    )
    scope = Scope(people, plans, year)
    today = today or dt.date.today()
    out = []
    for name in NAMES:
        c = Check(name)
        CHECKS[name](session, scope, c, today)
        out.append(c.as_dict())
    return out


def failing(checks: list[dict], strict: bool = False) -> list[dict]:
    bad = {"fail", "warn"} if strict else {"fail"}
    return [c for c in checks if c["status"] in bad]


def person_result(person: str, checks: list[dict], strict: bool = False) -> dict:
    """One person's line of ``check --all-people`` (and ``person list --year``): the checks
    that fail, those that only warn, and whether the person passes (warnings fail only with
    ``strict``, as for ``megaroth check``)."""
    failed = [c for c in checks if c["status"] == "fail"]
    warned = [c for c in checks if c["status"] == "warn"]
    status = "fail" if failed else "warn" if warned else "ok"
    return {
        "person": person,
        "status": status,
        "passed": not failing(checks, strict),
        "failing": [{"name": c["name"], "message": c["message"]} for c in failed],
        "warnings": [{"name": c["name"], "message": c["message"]} for c in warned],
        "checks": checks,
    }


# ------------------------------------------------------------------ the checks


def _year_contributions(session: Session, plan_id: int, source: str, on: dt.date) -> Decimal:
    total = session.scalar(
        select(func.coalesce(func.sum(Entry.amount_cents), 0)).where(
            Entry.plan_id == plan_id,
            Entry.source == source,
            Entry.type.in_(sorted(CONTRIBUTION_TYPES)),
            Entry.status == "posted",
            Entry.date >= dt.date(on.year, 1, 1),
            Entry.date <= on,
        )
    )
    return from_cents(int(total or 0))


def _ledger_balance(session: Session, plan_id: int, source: str, on: dt.date) -> Decimal:
    total = session.scalar(
        select(func.coalesce(func.sum(Entry.amount_cents), 0)).where(
            Entry.plan_id == plan_id, Entry.source == source, Entry.status == "posted", Entry.date <= on
        )
    )
    return from_cents(int(total or 0))


def assertion_suspicion(
    session: Session, plan_id: int, source: str, on: dt.date, difference: Decimal, ledger_before: Decimal
) -> rules.Suspicion | None:
    """The rule's verdict on one booked difference (also used when it is booked)."""
    return rules.balance_out_of_proportion(
        difference, ledger_before, _year_contributions(session, plan_id, source, on)
    )


def check_balances(session: Session, scope: Scope, c: Check, today: dt.date) -> None:
    names = {p.id: p.name for p in scope.plans}
    q = (
        select(BalanceAssertion)
        .where(BalanceAssertion.plan_id.in_(scope.plan_ids))
        .order_by(BalanceAssertion.date, BalanceAssertion.id)
    )
    if scope.year is not None:
        q = q.where(
            BalanceAssertion.date >= dt.date(scope.year, 1, 1),
            BalanceAssertion.date <= dt.date(scope.year, 12, 31),
        )
    dupes = None
    for a in session.scalars(q):
        where = f"assertion #{a.id} ({names[a.plan_id]} {a.source} on {a.date.isoformat()})"
        statement = from_cents(a.amount_cents)
        ledger = _ledger_balance(session, a.plan_id, a.source, a.date)
        if ledger != statement:
            c.add(
                "fail",
                f"{where}: the statement says {statement:,.2f}, the ledger now {ledger:,.2f} "
                f"(difference {statement - ledger:,.2f}): rows changed after it was recorded (a "
                "statement imported or undone since?)",
                [a.id],
            )
        plug = session.scalar(
            select(func.sum(Entry.amount_cents)).where(
                Entry.origin == f"balance assert #{a.id}", Entry.type == "earnings"
            )
        )
        if not plug:
            continue
        found = assertion_suspicion(
            session, a.plan_id, a.source, a.date, from_cents(int(plug)), from_cents(a.ledger_cents)
        )
        if found is None:
            continue
        extra = ""
        if found.cause == "duplicate statement":
            if dupes is None:
                dupes = _overlapping_pairs(session, scope)
            named = sorted({f"#{x} and #{y}" for x, y, _, _, _ in dupes})
            if named:
                extra = f" (imports {', '.join(named)} hold the same activity)"
        c.add("fail", f"{where}: {found.message}{extra}", [a.id])


def _overlapping_pairs(session: Session, scope: Scope) -> list[tuple[int, int, int, bool, str]]:
    """(earlier import, later import, rows matched, later allowed the overlap, plan name)."""
    from ..importers.store import find_overlap

    conn = session.connection()
    batches = session.scalars(
        select(ImportBatch).where(ImportBatch.undone_at.is_(None)).order_by(ImportBatch.id)
    ).all()
    names = {p.id: p.name for p in scope.plans}
    pairs: dict[tuple[int, int], tuple[int, int, int, bool, str]] = {}
    for b in batches:
        plan_ids = sorted(
            {
                pid
                for (pid,) in session.execute(select(Entry.plan_id).where(Entry.import_id == b.id).distinct())
            }
            & set(names)
        )
        if not plan_ids:
            continue
        found, held = find_overlap(conn, b.id, plan_ids)
        for other in found.earlier(held):
            key = (min(b.id, other), max(b.id, other))
            if key not in pairs:
                later = b if b.id > other else session.get(ImportBatch, other)
                pairs[key] = (
                    key[0],
                    key[1],
                    found.by_import[other],
                    bool(later.overlap_allowed),
                    names[plan_ids[0]],
                )
    return sorted(pairs.values())


def check_duplicate_statements(session: Session, scope: Scope, c: Check, today: dt.date) -> None:
    files = {b.id: b.file_name for b in session.scalars(select(ImportBatch))}
    for x, y, n, allowed, plan in _overlapping_pairs(session, scope):
        msg = (
            f"imports #{x} ({files[x]}) and #{y} ({files[y]}) hold the same activity in {plan} "
            f"({n} rows with the same date, source, type and amount)"
        )
        if allowed:
            c.add("warn", msg + f"; #{y} was imported with --allow-overlap", [x, y])
        else:
            c.add(
                "fail", msg + f": it counts twice; `megaroth import undo {y}` removes the later one", [x, y]
            )


def check_aftertax_allowed(session: Session, scope: Scope, c: Check, today: dt.date) -> None:
    for p in scope.plans:
        if p.after_tax:
            continue
        q = (
            select(Entry.id)
            .where(
                Entry.plan_id == p.id,
                Entry.source.in_(sorted(AFTER_TAX_SOURCES)),
                scope.in_year(Entry.tax_year),
            )
            .order_by(Entry.id)
        )
        ids = list(session.scalars(q))
        if ids:
            c.add(
                "fail",
                f"plan {p.name} holds {len(ids)} after-tax row(s) but was added without --after-tax "
                "(does the plan allow after-tax contributions? fix the plan's settings or the rows)",
                ids,
            )


def check_employer_names(session: Session, scope: Scope, c: Check, today: dt.date) -> None:
    for person in scope.people:
        groups: dict[str, dict[str, list[Plan]]] = defaultdict(lambda: defaultdict(list))
        for p in scope.plans:
            if p.person_id == person.id:
                groups[rules.employer_key(p.employer)][p.employer].append(p)
        for spellings in groups.values():
            if len(spellings) > 1:
                plans = [p for ps in spellings.values() for p in ps]
                c.add(
                    "fail",
                    f"{person.name}: employers {' / '.join(repr(s) for s in sorted(spellings))} differ only "
                    f"in case, spacing or punctuation (plans {', '.join(p.name for p in plans)}): one "
                    "employer's plans share one 415(c) limit (IRC 415(c)(1)), but they are counted "
                    "apart; give them the same employer name",
                    [p.id for p in plans],
                )


def _ira_years(session: Session, scope: Scope):
    q = select(IraEvent).where(IraEvent.person_id.in_(scope.person_ids), scope.in_year(IraEvent.tax_year))
    by = defaultdict(list)
    for ev in session.scalars(q.order_by(IraEvent.date, IraEvent.id)):
        by[(ev.person_id, ev.tax_year)].append(ev)
    values = {
        (v.person_id, v.year): v
        for v in session.scalars(select(IraValue).where(IraValue.person_id.in_(scope.person_ids)))
    }
    return by, values


def check_ira_year_end_values(session: Session, scope: Scope, c: Check, today: dt.date) -> None:
    by, values = _ira_years(session, scope)
    names = {p.id: p.name for p in scope.people}
    for (pid, year), events in sorted(by.items()):
        out = [e for e in events if e.account == "traditional" and e.kind in ("conversion", "distribution")]
        if out and (pid, year) not in values:
            c.add(
                "fail",
                f"{names[pid]} {year}: a traditional IRA conversion or distribution but no December 31 "
                f"value (Form 8606 line 6): `megaroth ira value --person {names[pid]} --year {year} "
                "--amount N`",
                [e.id for e in out],
            )


def check_traditional_ira_inflows(session: Session, scope: Scope, c: Check, today: dt.date) -> None:
    by, values = _ira_years(session, scope)
    names = {p.id: p.name for p in scope.people}
    for (pid, year), events in sorted(by.items()):
        ins = [e for e in events if e.account == "traditional" and e.kind == "rollover_in"]
        # the whole value counts in line 6, whatever part of it is taxable when it comes in
        taxable_in = sum((from_cents(e.amount_cents) for e in ins), ZERO)
        converted = sum(
            (
                from_cents(e.amount_cents)
                for e in events
                if e.account == "traditional" and e.kind == "conversion"
            ),
            ZERO,
        )
        v = values.get((pid, year))
        found = rules.traditional_ira_inflows(
            year, taxable_in, from_cents(v.amount_cents) if v else None, converted
        )
        if found:
            c.add(found.status, f"{names[pid]} {found.message}", [e.id for e in ins])


def check_unconverted_aftertax(session: Session, scope: Scope, c: Check, today: dt.date) -> None:
    from .forms import aftertax_replay

    for p in scope.plans:
        if not (p.after_tax and (p.in_plan_conversion or p.in_service_withdrawal)):
            continue
        through = dt.date(scope.year, 12, 31) if scope.year is not None else None
        try:
            state = aftertax_replay(session, p, through=through).final
        except UserError as exc:
            c.add("warn", f"plan {p.name}: the after-tax sub-account cannot be replayed: {exc}")
            continue
        if state.balance > 0:
            earnings = max(state.balance - state.basis, ZERO)
            c.add(
                "warn",
                f"plan {p.name}: {state.balance:,.2f} of after-tax money is unconverted"
                + (f" as of {through.isoformat()}" if through else "")
                + f", {earnings:,.2f} of it earnings (taxable when converted, IRC 72(e)(8)); "
                "converting sooner keeps the taxable earnings small",
                [p.id],
            )


def check_compensation(session: Session, scope: Scope, c: Check, today: dt.date) -> None:
    for p in scope.plans:
        years = sorted(
            y
            for (y,) in session.execute(
                select(Entry.tax_year)
                .where(
                    Entry.plan_id == p.id,
                    Entry.source.in_(sorted(AFTER_TAX_SOURCES)),
                    Entry.type.in_(sorted(CONTRIBUTION_TYPES)),
                    scope.in_year(Entry.tax_year),
                )
                .distinct()
            )
        )
        known = {
            w.year
            for w in session.scalars(
                select(Wages).where(Wages.plan_id == p.id, Wages.compensation_cents.is_not(None))
            )
        }
        for y in years:
            if y not in known:
                c.add(
                    "warn",
                    f"plan {p.name} {y}: after-tax contributions but no compensation recorded, so the "
                    "100%-of-compensation cap (IRC 415(c)(1)(B)) cannot be checked: `megaroth wages set "
                    f"--plan {p.name} --year {y} --compensation N`",
                    [p.id],
                )


def check_dates(session: Session, scope: Scope, c: Check, today: dt.date) -> None:
    from ..rules.limits import supported_years

    years = supported_years()
    lo, hi = years[0], years[-1]
    kinds = (
        (Entry, Entry.plan_id.in_(scope.plan_ids), "row"),
        (Conversion, Conversion.plan_id.in_(scope.plan_ids), "conversion"),
        (IraEvent, IraEvent.person_id.in_(scope.person_ids), "IRA event"),
    )
    for model, where, label in kinds:
        base = select(model.id, model.date).where(where, scope.in_year(model.tax_year))
        future = session.execute(base.where(model.date > today).order_by(model.date)).all()
        if future:
            c.add(
                "fail",
                f"{len(future)} {label}(s) dated after today ({today.isoformat()}), the first "
                f"{future[0].date.isoformat()}",
                [r.id for r in future],
            )
        outside = session.execute(
            base.where((model.tax_year < lo) | (model.tax_year > hi)).order_by(model.date)
        ).all()
        if outside:
            c.add(
                "fail",
                f"{len(outside)} {label}(s) in tax years the limits table does not cover ({lo}-{hi}), "
                f"the first {outside[0].date.isoformat()}",
                [r.id for r in outside],
            )


def check_limits(session: Session, scope: Scope, c: Check, today: dt.date) -> None:
    from ..rules.limits import supported_years
    from . import headroom

    covered = set(supported_years())
    for person in scope.people:
        ids = [p.id for p in scope.plans if p.person_id == person.id]
        years = sorted(
            y
            for (y,) in session.execute(
                select(Entry.tax_year)
                .where(
                    Entry.plan_id.in_(ids),
                    Entry.type.in_(sorted(CONTRIBUTION_TYPES)),
                    scope.in_year(Entry.tax_year),
                )
                .distinct()
            )
            if y in covered
        )
        for y in years:
            try:
                h = headroom.compute(session, person.name, y)
            except UserError:  # unknown sources: the `sources` check names them
                continue
            for w in h.warnings:
                if w.code in LIMIT_CODES:
                    c.add("fail", f"{person.name} {y}: {w.message}", [])
        # IRA contributions: the IRA-limits service's findings (combined limit with catch-up,
        # Roth income phase-out; returned excesses no longer count)
        from . import ira_limits

        for y in ira_limits.years_with_contributions(session, person.name):
            if y not in covered or (scope.year is not None and y != scope.year):
                continue
            for f in ira_limits.findings(session, person.name, y):
                if f["code"] in IRA_EXCESS_CODES:
                    ids = list(
                        session.scalars(
                            select(IraEvent.id).where(
                                IraEvent.person_id == person.id,
                                IraEvent.kind == "contribution",
                                IraEvent.tax_year == y,
                            )
                        )
                    )
                    c.add("fail", f"{person.name} {y}: {f['message']}", ids)


def check_sources(session: Session, scope: Scope, c: Check, today: dt.date) -> None:
    names = {p.id: p.name for p in scope.plans}
    rows = session.execute(
        select(Entry.plan_id, Entry.import_id, func.count(), func.min(Entry.id))
        .where(Entry.plan_id.in_(scope.plan_ids), Entry.source == "unknown", scope.in_year(Entry.tax_year))
        .group_by(Entry.plan_id, Entry.import_id)
    ).all()
    for plan_id, import_id, n, _ in rows:
        ids = list(
            session.scalars(
                select(Entry.id)
                .where(
                    Entry.plan_id == plan_id,
                    Entry.source == "unknown",
                    Entry.import_id.is_(None) if import_id is None else Entry.import_id == import_id,
                    scope.in_year(Entry.tax_year),
                )
                .order_by(Entry.id)
                .limit(MAX_RECORDS)
            )
        )
        where = f" from import #{import_id}" if import_id else ""
        c.add(
            "fail",
            f"plan {names[plan_id]}: {n} row(s) with source unknown{where} (headroom and the forms need "
            "each row's money source: re-import with --map LABEL=SOURCE, or undo the import)",
            ids,
        )


def check_opening_basis(session: Session, scope: Scope, c: Check, today: dt.date) -> None:
    import shlex

    from ..vocab import OPENING_TYPE
    from .opening import missing_basis

    names = {p.id: p.name for p in scope.people}
    plans = {(names[p.person_id], p.name): p for p in scope.plans}  # plan names are per person
    for m in missing_basis(session):
        p = plans.get((m["person"], m["plan"]))
        if p is None or (scope.year is not None and m["date"].year > scope.year):
            continue
        ids = list(
            session.scalars(
                select(Entry.id)
                .where(Entry.plan_id == p.id, Entry.source == m["source"], Entry.type == OPENING_TYPE)
                .order_by(Entry.id)
            )
        )
        what = "after-tax contributions" if m["source"] == "aftertax" else "designated Roth contributions"
        c.add(
            "fail",
            f"plan {p.name}: the {m['source']} opening balance of {m['amount']:,.2f} "
            f"({m['date'].isoformat()}, a first statement's balance) has no known basis, so a conversion "
            f"or distribution of it cannot be figured: run `megaroth basis set --plan {shlex.quote(p.name)} "
            f"--{m['source']} A` (A: the {what} in it, from the plan's records)",
            ids,
        )


CHECKS = {
    "balances": check_balances,
    "duplicate-statements": check_duplicate_statements,
    "aftertax-allowed": check_aftertax_allowed,
    "employer-names": check_employer_names,
    "ira-year-end-values": check_ira_year_end_values,
    "traditional-ira-inflows": check_traditional_ira_inflows,
    "unconverted-aftertax": check_unconverted_aftertax,
    "compensation": check_compensation,
    "dates": check_dates,
    "limits": check_limits,
    "sources": check_sources,
    "opening-basis": check_opening_basis,
}
