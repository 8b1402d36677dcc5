"""Tax forms from the ledger: assemble a person's history from the database, run the pure
rules (:mod:`megaroth_ledger.rules.tax_history`), and shape the issue-3 JSON payloads.

Interface used by other modules:

- :func:`roth_history` ``(session, person_name) -> (list[RothContribution], list[RothLayer])``
  -- regular Roth IRA contributions, in-plan Roth rollovers (``in-plan``), plan -> Roth IRA
  rollovers (``plan-rollover``, taxable = 1099-R box 2a of the Roth IRA part) and IRA
  conversions (``ira-conversion``, taxable = their share of Form 8606 line 18), plus the
  ``basis set`` carryforward (layers dated January 1 of their year).
- :func:`compute` ``(session, person_name, through_year) -> HistoryResult``.

How ledger rows become after-tax sub-account moves (sources ``aftertax``):
``contribution``/``contribution_true_up`` add basis; investment results (dividends, change in
value, fees, ``earnings``, ``adjustment``) and exchanges change the balance only;
``conversion_out`` (an IRR), ``rollover_out`` and ``withdrawal`` are distributions. A
conversion recorded with ``megaroth convert`` names its destination; an imported
``conversion_out`` without one is an IRR (statement-formats.md 5.4); an imported
``rollover_out`` without one is refused (its destination decides box 2a).

An ``opening_balance`` (a first statement's balance the ledger's rows do not explain) is its
recorded basis as a contribution plus the rest as earnings; with no basis recorded (``megaroth
basis set --plan P --aftertax A``) the forms refuse rather than guess. Participant-loan rows
(``loan_issue``/``loan_repayment``, IRC 72(p)) move money between the funds and the loan note
and ``loan_interest`` is earnings: none of them is a contribution or a distribution. While an
after-tax loan is outstanding the funds are not the whole sub-account, so a distribution then is
refused (its pro rata share under IRC 72(e)(8) would need the note's value).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import UnsupportedSituation, UserError
from ..money import ZERO, from_cents, round_dollars, to_cents
from ..rules import basis as basis_rules
from ..rules import form1040 as f1040_rules
from ..rules import form1099r as f1099_rules
from ..rules import tax_history as th
from ..rules.form8606 import LINES, format_line, round_line
from ..rules.layers import RothContribution, RothLayer
from ..store.sqlrun import Sql, marks, sql_of
from ..vocab import CONTRIBUTION_TYPES, EARNINGS_TYPES, OPENING_TYPE
from .correction_rows import corrections_of

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session

    from ..store.models import Plan, Received1099R

# ``session`` below is a SQLAlchemy Session or the thin path's LiteDb (store.lite): the history
# is read with plain SQL (store.sqlrun) either way, one implementation for both paths.

BALANCE_ONLY_TYPES = EARNINGS_TYPES | {"adjustment", "exchange_in", "exchange_out", "loan_interest"}
LOAN_PRINCIPAL_TYPES = {"loan_issue", "loan_repayment"}
DISTRIBUTION_TYPES = {"conversion_out", "rollover_out", "withdrawal"}
ROTH_SOURCES = {"roth", "roth_irr", "roth_rollover", "employer_roth"}

WARNING_CODES = {
    basis_rules.BASIS_CAP_WARNING: "basis-cap",
    f1099_rules.WITHHOLDING_WARNING: "withholding-assumed",
    f1099_rules.IRA_WITHHOLDING_WARNING: "ira-withholding",
    f1099_rules.IRA_2A_WARNING: "ira-box2a-unconfirmed",
    f1099_rules.SPLIT_FORMS_WARNING: "split-forms-unconfirmed",
    f1040_rules.IRR_WARNING: "irr-1040-unconfirmed",
    th.ROTH_1099R_WARNING: "roth-ira-1099r",
    th.QUALIFIED_WARNING: "qualified-distribution",
    th.HOMEBUYER_WARNING: "homebuyer-line-20",
    th.TOTAL_DISTRIBUTION_WARNING: "total-distribution",
    th.DRA_H_BOX5_WARNING: "dra-h-box5-unconfirmed",
    th.DRA_7B_WARNING: "dra-7b-unconfirmed",
    th.RECHAR_STATEMENT_WARNING: "recharacterization-statement",
    th.RECHAR_1099R_WARNING: "recharacterization-1099r-unconfirmed",
    th.RETURN_STATEMENT_WARNING: "returned-contribution",
    th.CORRECTION_1099R_WARNING: "corrective-distribution-1099r-unconfirmed",
    th.LINE_1H_NOTE: "form-1040-line-1h",
    th.RETURN_1099R_WARNING: "returned-contribution-1099r-unconfirmed",
    th.LATE_RETURN_WARNING: "excess-withdrawn-after-due-date",
    th.ANNUAL_ADDITION_1099R_NOTE: "annual-addition-correction-1099r",
    th.LATE_RECHAR_LINE6_NOTE: "line-6-after-recharacterizations",
}


def warning_dicts(messages) -> list[dict]:
    out = []
    for m in messages:
        code = WARNING_CODES.get(m)
        if code is None:
            code = "unconfirmed" if "UNCONFIRMED" in m else "note"
        out.append({"code": code, "message": m})
    return out


# -- assembling the history --------------------------------------------------------------------
_ENTRY_COLUMNS = (
    "entry.id, entry.plan_id, entry.date, entry.payroll_date, entry.tax_year, entry.source, entry.type, "
    "entry.amount_cents, entry.fund, entry.fund_id, entry.shares, entry.memo, entry.irr_year, entry.status, "
    "entry.conversion_id, entry.import_id, entry.file_row, entry.origin, entry.identity"
)
_IRA_COLUMNS = (
    "ira_event.id, ira_event.person_id, ira_event.date, ira_event.tax_year, ira_event.kind, ira_event.account, "
    "ira_event.amount_cents, ira_event.nondeductible_cents, ira_event.taxable_cents, ira_event.earnings_cents, "
    "ira_event.after_due_date, ira_event.deductibility_open, ira_event.exception, ira_event.conversion_id, "
    "ira_event.memo, ira_event.import_id"
)
_PLAN_COLUMNS = (
    '"plan".id, "plan".name, "plan".person_id, "plan".employer, "plan".kind, "plan".after_tax, '
    '"plan".in_plan_conversion, "plan".in_service_withdrawal, "plan".first_roth_year, "plan".source_map'
)


def person_record(sql: Sql, name: str):
    """The person called ``name`` (id, name, born); the error lists who exists."""
    from ..store.lite import unknown_name

    found = sql.recs("SELECT person.id, person.name, person.born FROM person WHERE person.name = ?", (name,))
    if not found:
        known = [r[0] for r in sql.rows("SELECT person.name FROM person ORDER BY person.name")]
        raise unknown_name("person", name, known)
    return found[0]


def plans_of(sql: Sql, person_id: int) -> list:
    """The person's plans (every column), by name."""
    return sql.recs(
        f'SELECT {_PLAN_COLUMNS} FROM "plan" WHERE "plan".person_id = ? ORDER BY "plan".name', (person_id,)
    )


def _orm(session, why: str):
    """``session`` itself when it is a SQLAlchemy Session; on the thin path the case goes to the
    full one (:class:`~megaroth_ledger.store.lite.Unavailable`)."""
    if getattr(session, "sql", None) is not None:
        from ..store.lite import Unavailable

        raise Unavailable(why)
    return session


def _require_known_sources(session, sql: Sql, plan) -> None:
    """:func:`megaroth_ledger.importers.unknown.require_known_sources` for the forms (one cheap
    query when every row has its source)."""
    if (
        sql.value(
            "SELECT entry.id FROM entry WHERE entry.plan_id = ? AND entry.source = ? AND entry.status = ? "
            "LIMIT ? OFFSET ?",
            (plan.id, "unknown", "posted", 1, 0),
        )
        is None
    ):
        return
    from ..importers.unknown import require_known_sources

    require_known_sources(
        _orm(session, "unknown sources"), plan, None, "the 1099-R, Form 8606/1040 and clocks"
    )


def _batches(session: Session) -> dict[int, str]:
    return {
        r[0]: r[1]
        for r in sql_of(session).rows("SELECT import_batch.id, import_batch.file_name FROM import_batch")
    }


def _ref(
    kind: str,
    row_id: int,
    on: dt.date,
    amount: Decimal,
    import_id: int | None,
    file_row: int | None,
    batches: dict[int, str],
) -> str:
    where = "entered on the command line"
    if import_id is not None:
        where = f"{batches.get(import_id, f'import #{import_id}')}" + (f" row {file_row}" if file_row else "")
    return f"{on.isoformat()} {kind} #{row_id} {amount:,.2f} ({where})"


def aftertax_moves(
    session: Session,
    plan: Plan,
    through: dt.date | None = None,
    batches: dict[int, str] | None = None,
    tags: list | None = None,
) -> list[th.PlanMove]:
    """The plan's after-tax sub-account rows as rule inputs (see the module docstring).

    ``tags``, if given, receives one item per move: the conversion id of a recorded
    conversion's distribution, else None (see :func:`conversion_splits`)."""
    batches = _batches(session) if batches is None else batches
    sql = sql_of(session)
    # plain rows, not ORM objects: a plan may hold hundreds of thousands of entries
    stmt = (
        "SELECT entry.id, entry.date, entry.source, entry.type, entry.amount_cents, entry.import_id, "
        "entry.file_row, entry.conversion_id, entry.origin FROM entry WHERE entry.plan_id = ? "
        "AND entry.status = ? AND entry.source IN (?, ?)"
    )
    params: list[Any] = [plan.id, "posted", "aftertax", "aftertax_pre87"]
    if through is not None:
        stmt += " AND entry.date <= ?"
        params.append(through)
    entries = sql.recs(stmt + " ORDER BY entry.date, entry.id", params)
    convs = {
        c.id: c
        for c in sql.recs(
            'SELECT conversion.id, conversion.date, conversion."to", conversion.earnings_to, '
            "conversion.amount_cents, conversion.basis_cents, conversion.basis_overridden, "
            "conversion.import_id FROM conversion WHERE conversion.plan_id = ?",
            (plan.id,),
        )
    }
    # 415(c) corrections (after-tax contributions returned under EPCRS): their withdrawal's basis share
    corrections = {
        f"correction #{c.id}": c
        for c in sql.recs(
            "SELECT plan_correction.id, plan_correction.date, plan_correction.kind, plan_correction.tax_year, "
            "plan_correction.amount_cents FROM plan_correction WHERE plan_correction.plan_id = ?",
            (plan.id,),
        )
    }
    # A conversion's legs (one per fund in imported statements) are one distribution: all
    # disbursements made at the same time are treated as a single distribution for the
    # section 72 split (Notice 2014-54), so they are split pro rata once, not leg by leg.
    conv_total: dict[int, int] = defaultdict(int)
    for e in entries:
        if e.conversion_id in convs and e.type in DISTRIBUTION_TYPES:
            conv_total[e.conversion_id] += e.amount_cents
    seen_conv: set[int] = set()
    moves: list[th.PlanMove] = []
    loan_cents = 0  # after-tax money out on a loan note (loan_issue negative, repayments positive)
    unknown_basis: UnsupportedSituation | None = None  # an opening balance whose basis is unknown
    for e in entries:
        if e.conversion_id in seen_conv and e.type in DISTRIBUTION_TYPES:
            continue  # a further leg of a conversion already taken whole
        if e.source == "aftertax_pre87":
            raise UnsupportedSituation(
                f"plan {plan.name} has pre-1987 after-tax money (entry #{e.id}); IRC 72(e)(8)(D) "
                "rules for it are not supported"
            )
        amount = from_cents(e.amount_cents)
        if e.conversion_id in conv_total and e.type in DISTRIBUTION_TYPES:
            seen_conv.add(e.conversion_id)
            amount = from_cents(conv_total[e.conversion_id])
        ref = _ref(e.type, e.id, e.date, amount, e.import_id, e.file_row, batches)
        if tags is not None:
            tags.append(
                e.conversion_id if e.conversion_id in convs and e.type in DISTRIBUTION_TYPES else None
            )
        if e.type in CONTRIBUTION_TYPES:
            moves.append(th.PlanMove(plan.name, e.date, "contribution", amount, ref=ref))
        elif e.type in BALANCE_ONLY_TYPES:
            moves.append(th.PlanMove(plan.name, e.date, "earnings", amount, ref=ref))
        elif e.type == OPENING_TYPE:
            try:
                moves.extend(_opening_moves(session, plan, e, amount, ref, th.PlanMove))
            except UnsupportedSituation as exc:  # only a distribution needs the basis
                unknown_basis = unknown_basis or exc
                moves.append(th.PlanMove(plan.name, e.date, "earnings", amount, ref=ref))
        elif e.type in LOAN_PRINCIPAL_TYPES:
            loan_cents += e.amount_cents
            moves.append(th.PlanMove(plan.name, e.date, "earnings", amount, ref=ref))
        elif e.type in DISTRIBUTION_TYPES:
            if unknown_basis is not None:
                raise unknown_basis
            if loan_cents < 0:
                raise UnsupportedSituation(
                    f"{ref}: plan {plan.name} has {from_cents(-loan_cents):,.2f} of after-tax money out on a "
                    "participant loan (IRC 72(p)); the pro rata basis of a distribution while the loan is "
                    "outstanding (IRC 72(e)(8)) needs the loan note's value, which the ledger does not keep"
                )
            if amount >= 0:
                raise UnsupportedSituation(f"{ref}: a {e.type} should be negative (money out)")
            c = convs.get(e.conversion_id) if e.conversion_id else None
            if c is not None:
                cref = _ref(
                    f"conversion to {c.to}" + (" (Notice 2014-54 split)" if c.earnings_to else ""),
                    c.id,
                    c.date,
                    from_cents(c.amount_cents),
                    c.import_id,
                    None,
                    batches,
                )
                moves.append(
                    th.PlanMove(
                        plan.name,
                        e.date,
                        "distribution",
                        -amount,
                        to=c.to,
                        earnings_to=c.earnings_to,
                        basis_override=from_cents(c.basis_cents) if c.basis_overridden else None,
                        ref=cref,
                    )
                )
            elif e.type == "conversion_out":
                moves.append(th.PlanMove(plan.name, e.date, "distribution", -amount, to="in-plan", ref=ref))
            elif e.type == "withdrawal" and e.origin in corrections:
                # after-tax contributions returned under EPCRS (415(c)): box 5 = the contributions returned
                # (1099-R instructions), so the basis recovered is exactly them, not a pro-rata share
                pc = corrections[e.origin]
                moves.append(
                    th.PlanMove(
                        plan.name,
                        e.date,
                        "distribution",
                        -amount,
                        to="correction",
                        basis_override=from_cents(pc.amount_cents),
                        ref=f"{e.origin} {pc.date} {pc.kind} for {pc.tax_year}",
                    )
                )
            elif e.type == "withdrawal":
                moves.append(th.PlanMove(plan.name, e.date, "distribution", -amount, to="cash", ref=ref))
            else:
                raise UnsupportedSituation(
                    f"{ref}: an after-tax rollover_out without a recorded destination; record it "
                    "with `megaroth convert` (box 2a depends on whether it went to a Roth or a "
                    "traditional IRA)"
                )
        else:
            raise UnsupportedSituation(
                f"{ref}: after-tax rows of type {e.type!r} are not supported for basis tracking"
            )
    return moves


def _opening_moves(session: Session, plan: Plan, e, amount: Decimal, ref: str, move) -> list:
    """An opening balance as its recorded basis (a contribution) plus the rest (earnings)."""
    group = "aftertax" if e.source in ("aftertax", "aftertax_pre87") else "roth"
    cents = sql_of(session).value(
        "SELECT opening_basis.basis_cents FROM opening_basis "
        "WHERE opening_basis.plan_id = ? AND opening_basis.source = ?",
        (plan.id, group),
    )
    basis = None if cents is None else from_cents(cents)
    if basis is None:
        from .opening import fix_hint

        raise UnsupportedSituation(
            f"{ref}: plan {plan.name}'s {e.source} opening balance has no known basis (the statement does "
            f"not say how much of it is {'after-tax contributions' if group == 'aftertax' else 'Roth contributions'}); "
            f"record it from the plan's records with `{fix_hint(plan.name, group)}`"
        )
    if basis > amount:
        raise UnsupportedSituation(
            f"{ref}: the recorded {group} basis {basis:,.2f} is above the opening balance {amount:,.2f} "
            "(a loss before the ledger's history); not supported"
        )
    out = [move(plan.name, e.date, "contribution", basis, ref=ref + " basis")] if basis else []
    if amount - basis:
        out.append(move(plan.name, e.date, "earnings", amount - basis, ref=ref + " earnings"))
    return out


def conversion_splits(session: Session, plan: Plan) -> dict[int, basis_rules.DistributionSplit]:
    """Conversion id -> its basis/earnings split, recomputed from the ledger now (issue 9).

    The very replay the 1099-R and Form 8606 read (same moves, same order), so a report,
    form or sheet showing a conversion's basis, earnings or taxable part agrees with them
    whatever order the rows were imported or edited in. Nothing derived is stored."""
    tags: list = []
    moves = aftertax_moves(session, plan, tags=tags)
    order = sorted(range(len(moves)), key=lambda i: (moves[i].date, th._RANK[moves[i].kind]))
    rp = basis_rules.replay(
        [
            basis_rules.SubAccountMove(
                moves[i].date,
                moves[i].kind,
                moves[i].amount,  # type: ignore[arg-type]
                moves[i].basis_override,
                moves[i].ref,
            )
            for i in order
        ]
    )
    return {
        tags[i]: step.split
        for i, step in zip(order, rp.steps)
        if step.split is not None and tags[i] is not None
    }


def aftertax_replay(session: Session, plan: Plan, through: dt.date | None = None) -> basis_rules.Replay:
    moves = sorted(aftertax_moves(session, plan, through), key=lambda m: (m.date, th._RANK[m.kind]))
    return basis_rules.replay(
        [
            basis_rules.SubAccountMove(m.date, m.kind, m.amount, m.basis_override, m.ref)  # type: ignore[arg-type]
            for m in moves
        ]
    )


def _other_plan_payments(
    session: Session, plan: Plan, batches: dict[int, str]
) -> list[f1099_rules.PlanPayment]:
    kinds = sorted(DISTRIBUTION_TYPES)
    rows = sql_of(session).recs(
        f"SELECT {_ENTRY_COLUMNS} FROM entry WHERE entry.plan_id = ? AND entry.status = ? "
        f"AND entry.type IN ({marks(kinds)}) AND (entry.source NOT IN (?, ?)) ORDER BY entry.date, entry.id",
        (plan.id, "posted", *kinds, "aftertax", "aftertax_pre87"),
    )
    out = []
    for e in rows:
        if (e.origin or "").startswith("correction #"):
            continue  # a corrective distribution: its own 1099-Rs (rules.corrections)
        amount = from_cents(e.amount_cents)
        ref = _ref(e.type, e.id, e.date, amount, e.import_id, e.file_row, batches)
        if amount >= 0:
            raise UnsupportedSituation(f"{ref}: a {e.type} should be negative (money out)")
        if e.source in ROTH_SOURCES:
            continue  # designated Roth account: see dra_moves
        if e.type == "rollover_out":
            raise UnsupportedSituation(
                f"{ref}: a {e.source} rollover_out needs its destination; not supported"
            )
        if e.source == "unknown":
            raise UnsupportedSituation(f"{ref}: a {e.type} from an unknown source cannot be taxed")
        # pretax/employer money has no basis: all of it is taxable (IRC 402(a)); an in-plan
        # conversion of it is an IRR (code G, box 2a = box 1), a withdrawal is paid in cash.
        dest = "in-plan" if e.type == "conversion_out" else "cash"
        out.append(
            f1099_rules.PlanPayment(
                payer=plan.name,
                date=e.date,
                destination=dest,
                gross=-amount,
                taxable=-amount,
                basis=ZERO,
                refs=(ref,),
            )
        )
    return out


def dra_moves(session: Session, plan: Plan, batches: dict[int, str]) -> list[th.DraMove]:
    """The plan's designated Roth account rows, when it has any distribution (else none are
    needed). IRRs coming in (``conversion_in``) are skipped: the after-tax/pretax side
    supplies them with their taxable and nontaxable parts. A ``rollover_out`` is taken to be a
    direct rollover to a Roth IRA (code H)."""
    sources = sorted(ROTH_SOURCES)
    rows = sql_of(session).recs(
        f"SELECT {_ENTRY_COLUMNS} FROM entry WHERE entry.plan_id = ? AND entry.status = ? "
        f"AND entry.source IN ({marks(sources)}) ORDER BY entry.date, entry.id",
        (plan.id, "posted", *sources),
    )
    corrected = [e for e in rows if (e.origin or "").startswith("correction #")]  # rules.corrections
    rows = [e for e in rows if not (e.origin or "").startswith("correction #")]
    if not any(e.type in DISTRIBUTION_TYPES for e in rows):
        return []
    first_correction = min((e.date for e in corrected), default=None)
    if first_correction is not None and any(
        e.type in DISTRIBUTION_TYPES and e.date >= first_correction for e in rows
    ):
        # The replay below would still count the returned excess deferrals as investment in the
        # contract and their earnings in the balance, so the distribution's basis (1099-R box 5)
        # and taxable part would be overstated: refuse rather than report them wrongly.
        raise UnsupportedSituation(
            f"{plan.name}: a distribution from the designated Roth account after a corrective "
            f"distribution of excess Roth deferrals ({corrected[0].origin}) is not supported: the "
            "returned deferrals and their earnings must leave the account's basis and balance "
            "(IRC 402(g)(2), 402A(d)(3)) and the ledger does not replay that yet; figure this "
            "distribution's taxable part and box 5 by hand"
        )
    out = []
    for e in rows:
        amount = from_cents(e.amount_cents)
        ref = _ref(f"{e.type} ({e.source})", e.id, e.date, amount, e.import_id, e.file_row, batches)
        if e.type == "conversion_in":
            continue
        if e.source == "roth_rollover":
            raise UnsupportedSituation(
                f"{ref}: designated Roth money rolled in from another plan carries its own basis and "
                "clock; not supported"
            )
        if e.type in CONTRIBUTION_TYPES:
            out.append(th.DraMove(plan.name, e.date, "contribution", amount, ref=ref))
        elif e.type in BALANCE_ONLY_TYPES:
            out.append(th.DraMove(plan.name, e.date, "earnings", amount, ref=ref))
        elif e.type == OPENING_TYPE:
            if e.source not in ("roth", "employer_roth"):
                raise UnsupportedSituation(
                    f"{ref}: an opening balance of {e.source} money carries in-plan conversion layers and "
                    "clocks the statement does not give; not supported"
                )
            out.extend(
                _opening_moves(session, plan, e, amount, ref, th.DraMove)
            )  # only run with distributions
        elif e.type in ("withdrawal", "rollover_out"):
            if amount >= 0:
                raise UnsupportedSituation(f"{ref}: a {e.type} should be negative (money out)")
            out.append(
                th.DraMove(
                    plan.name,
                    e.date,
                    "distribution",
                    -amount,
                    to="roth-ira" if e.type == "rollover_out" else "cash",
                    ref=ref,
                )
            )
        else:
            raise UnsupportedSituation(
                f"{ref}: designated Roth rows of type {e.type!r} are not supported for basis tracking"
            )
    return out


def _closed_plan_years(session: Session, plans: list[Plan]) -> set[tuple[str, int]]:
    """(plan, year) where the year had distributions and the plan's posted balance over all
    sources is zero at the year's end (1099-R box 2b 'total distribution'). Plans whose ledger
    holds nothing but the after-tax sub-account (and its IRRs) are never flagged.
    Aggregates in SQL: a plan may hold hundreds of thousands of rows."""
    out = set()
    sql = sql_of(session)
    kinds = sorted(DISTRIBUTION_TYPES)
    for p in plans:
        sources = {
            r[0]
            for r in sql.rows(
                "SELECT DISTINCT entry.source FROM entry WHERE entry.plan_id = ? AND entry.status = ?",
                (p.id, "posted"),
            )
        }
        if not sources - {"aftertax", "aftertax_pre87", "roth_irr"}:
            continue  # only the after-tax sub-account is tracked: the account's total is unknown
        dist_dates = sql.recs(
            "SELECT DISTINCT entry.date FROM entry WHERE entry.plan_id = ? AND entry.status = ? "
            f"AND entry.type IN ({marks(kinds)})",
            (p.id, "posted", *kinds),
        )
        for y in sorted({d.date.year for d in dist_dates}):
            end = sql.value(
                "SELECT coalesce(sum(entry.amount_cents), ?) AS coalesce_1 FROM entry "
                "WHERE entry.plan_id = ? AND entry.status = ? AND entry.date <= ?",
                (0, p.id, "posted", dt.date(y, 12, 31)),
            )
            if end == 0:
                out.add((p.name, y))
    return out


_CACHE_KEY = "megaroth.history_cache"


@contextmanager
def history_cache(session: Session):
    """Within this block, :func:`load_history` reads each person's history from the database once.

    For read-only report building (the year-end export asks for the 1099-R, 8606, 1040 and
    clocks of the same person, each of which needs the whole history). Never wrap code that
    writes to the ledger in it: the cached history would not see the writes.
    """
    outer = _CACHE_KEY in session.info
    if not outer:
        session.info[_CACHE_KEY] = {}
    try:
        yield
    finally:
        if not outer:
            session.info.pop(_CACHE_KEY, None)


def load_history(session: Session, person_name: str) -> tuple[th.PersonHistory, Any]:
    cache = session.info.get(_CACHE_KEY)
    if cache is not None:
        if person_name not in cache:
            cache[person_name] = _load_history(session, person_name)
        return cache[person_name]
    return _load_history(session, person_name)


def _load_history(session: Session, person_name: str) -> tuple[th.PersonHistory, Any]:
    sql = sql_of(session)
    person = person_record(sql, person_name)
    batches = _batches(session)
    plans = plans_of(sql, person.id)
    moves: list[th.PlanMove] = []
    others: list[f1099_rules.PlanPayment] = []
    dra: list[th.DraMove] = []
    for p in plans:
        # an imported row without a money source could be after-tax or Roth money: every form
        # that reads the plan would be wrong without it, so refuse (issue #5)
        _require_known_sources(session, sql, p)
        moves.extend(aftertax_moves(session, p, batches=batches))
        others.extend(_other_plan_payments(session, p, batches))
        dra.extend(dra_moves(session, p, batches))
    ira = []
    for ev in sql.recs(
        f"SELECT {_IRA_COLUMNS} FROM ira_event WHERE ira_event.person_id = ? ORDER BY ira_event.date, ira_event.id",
        (person.id,),
    ):
        amount = from_cents(ev.amount_cents)
        ira.append(
            th.IraMove(
                ev.date,
                ev.tax_year,
                ev.kind,
                ev.account,
                amount,
                from_cents(ev.nondeductible_cents),
                ev.exception,
                _ref(f"IRA {ev.kind} ({ev.account})", ev.id, ev.date, amount, ev.import_id, None, batches),
                earnings=from_cents(ev.earnings_cents),
                after_due_date=bool(ev.after_due_date),
                deductibility_open=bool(ev.deductibility_open),
            )
        )
    value_rows = sql.rows(
        "SELECT ira_value.year, ira_value.amount_cents, ira_value.after_recharacterizations FROM ira_value "
        "WHERE ira_value.person_id = ?",
        (person.id,),
    )
    values = {v[0]: from_cents(v[1]) for v in value_rows}
    values_after_rechar = frozenset(v[0] for v in value_rows if v[2])
    cf = None
    found = sql.recs(
        "SELECT basis_carryforward.id, basis_carryforward.year, basis_carryforward.traditional_cents, "
        "basis_carryforward.roth_contributions_cents FROM basis_carryforward "
        "WHERE basis_carryforward.person_id = ? ORDER BY basis_carryforward.year DESC LIMIT ? OFFSET ?",
        (person.id, 1, 0),
    )
    row = found[0] if found else None
    if row is not None:
        layers = tuple(
            (layer[0], from_cents(layer[1]), from_cents(layer[2]))
            for layer in sql.rows(
                "SELECT basis_layer.layer_year, basis_layer.gross_cents, basis_layer.taxable_cents "
                "FROM basis_layer WHERE basis_layer.carryforward_id = ? "
                "ORDER BY basis_layer.layer_year, basis_layer.id",
                (row.id,),
            )
        )
        cf = th.CarryForward(
            row.year,
            from_cents(row.traditional_cents) or ZERO,
            from_cents(row.roth_contributions_cents) or ZERO,
            layers,
        )
    deduction_limits = {}
    open_years = sorted({m.tax_year for m in ira if m.deductibility_open})
    if open_years:
        from ..rules.ira_limits import deduction_worksheet
        from ..store.lookup import get_person
        from . import ira_limits

        orm = _orm(session, "an IRA contribution whose deductibility is still open")
        for y in open_years:
            f, _ = ira_limits.facts(orm, get_person(orm, person_name), y)
            if f.filing_status is not None and f.magi is not None:
                deduction_limits[y] = deduction_worksheet(f).limit
    hist = th.PersonHistory(
        person=person.name,
        born=person.born,
        plan_moves=tuple(moves),
        other_plan_payments=tuple(others),
        ira_moves=tuple(ira),
        ira_values=values,
        ira_values_after_recharacterizations=values_after_rechar,
        carryforward=cf,
        dra_moves=tuple(dra),
        plan_first_roth_year={p.name: p.first_roth_year for p in plans},
        closed_plan_years=frozenset(_closed_plan_years(session, plans)),
        deduction_limits=deduction_limits,
        plan_corrections=tuple(corrections_of(sql, person.id)),
    )
    return hist, person


def _history_result(
    session: Session,
    person_name: str,
    hist: th.PersonHistory,
    through: int | None,
    provisional_line6: bool = False,
) -> th.HistoryResult:
    """``compute_history`` of a loaded history, memoised inside :func:`history_cache`."""
    cache = session.info.get(_CACHE_KEY)
    if cache is None:
        return th.compute_history(hist, through, provisional_line6=provisional_line6)
    key = ("result", person_name, through, provisional_line6)
    if key not in cache:
        cache[key] = th.compute_history(hist, through, provisional_line6=provisional_line6)
    return cache[key]


def compute(session: Session, person_name: str, through: int | None = None) -> th.HistoryResult:
    hist, _ = load_history(session, person_name)
    return _history_result(session, person_name, hist, through)


def roth_history(session: Session, person_name: str) -> tuple[list[RothContribution], list[RothLayer]]:
    """A person's Roth contributions and conversion/rollover layers (see module docstring).

    A year whose Dec 31 traditional IRA value is not recorded yet (Form 8606 line 6) does not
    stop clocks and what-ifs: its conversions' taxable parts are figured with line 6 = 0 and
    :func:`provisional_notes` says so."""
    hist, _ = load_history(session, person_name)
    result = _history_result(session, person_name, hist, None, provisional_line6=True)
    return list(result.roth_contributions), list(result.roth_layers)


def provisional_notes(session: Session, person_name: str) -> list[str]:
    """The warnings behind :func:`roth_history`'s provisional figures (Form 8606 line 6 missing)."""
    hist, _ = load_history(session, person_name)
    result = _history_result(session, person_name, hist, None, provisional_line6=True)
    return [w for y in sorted(result.years) for w in result.years[y].warnings if w.startswith("PROVISIONAL")]


def _compute_year(
    session: Session, person_name: str, year: int
) -> tuple[th.YearResult, th.HistoryResult, th.PersonHistory]:
    hist, _ = load_history(session, person_name)
    result = _history_result(session, person_name, hist, year)
    if year not in result.years:
        cf = hist.carryforward
        if cf is not None and year <= cf.year:
            raise UserError(
                f"{year} is covered by `basis set --year {cf.year}`: the ledger's history "
                f"starts in {cf.year + 1}"
            )
        raise UserError(f"nothing recorded for {person_name} in or before {year}")
    return result.years[year], result, hist


def _year(session: Session, person_name: str, year: int) -> th.YearResult:
    return _compute_year(session, person_name, year)[0]


def return_suspects(session: Session, person_name: str, year: int) -> list[str]:
    """IRA distributions of ``year`` that look like an excess contribution being paid back but were
    recorded with ``ira distribute``: dated by the extended due date of a tax year whose contributions
    to the same kind of IRA exceed the limit. As a distribution it is taxed (Form 8606 line 7 / Part
    III) and the excess keeps owing 6% (Form 5329); a return of the excess with its net income is
    neither (IRC 408(d)(4)) -- so each one is named, loudly."""
    from ..rules.dates import extended_due_date

    sql = sql_of(session)
    person = person_record(sql, person_name)
    out = []
    checks: dict[int, object] = {}
    events = sql.recs(
        "SELECT ira_event.id, ira_event.date, ira_event.account, ira_event.amount_cents, "
        "ira_event.after_due_date FROM ira_event "
        "WHERE ira_event.person_id = ? AND ira_event.kind = ? ORDER BY ira_event.date",
        (person.id, "distribution"),
    )
    for ev in events:
        if ev.date.year != year or ev.after_due_date:  # an excess withdrawn after the due date, as recorded
            continue
        session = _orm(session, "an IRA distribution in the year")  # the contribution limits' check
        from . import ira_limits

        for y in (ev.date.year, ev.date.year - 1):
            if y < ev.date.year and ev.date > extended_due_date(y):
                continue
            if y not in checks:
                try:
                    checks[y] = ira_limits.year_check(session, person_name, y)
                except UserError:
                    checks[y] = None
            chk = checks[y]
            if chk is None:
                continue
            excess = chk.roth_excess if ev.account == "roth" else chk.traditional_excess
            if excess > 0:
                out.append(
                    f"the {ev.account} IRA distribution of {from_cents(ev.amount_cents):,.2f} on {ev.date.isoformat()} "
                    f"(#{ev.id}) came while the {y} {ev.account} IRA contributions exceed the limit by {excess:,.2f}: "
                    f"if it paid the excess back it belongs in the ledger as `megaroth ira return --account "
                    f"{ev.account} --tax-year {y}`, not as `ira distribute` -- as a distribution it is taxed "
                    "(Form 8606) and the excess keeps owing 6% a year (Form 5329)"
                )
                break
    return out


def _rounded_8606(r: th.YearResult):
    """Form 8606 recomputed from whole-dollar inputs (see :func:`rules.form8606.rounded_input`)."""
    from ..rules.form8606 import compute_8606, rounded_input

    return compute_8606(rounded_input(r.f8606.input)) if r.f8606.input is not None else r.f8606


# -- payloads ------------------------------------------------------------------------------------
def _money(v: Decimal | None, rounded: bool) -> Decimal | None:
    if v is None:
        return None
    return round_dollars(v) if rounded else v


def form_dict(f: f1099_rules.Form1099R, rounded: bool = False) -> dict:
    return {
        "payer": f.payer,
        "destination": f.destination,
        "box1": _money(f.box1, rounded),
        "box2a": _money(f.box2a, rounded),
        "box2b_taxable_not_determined": f.box2b_taxable_not_determined,
        "box2b_total_distribution": f.box2b_total_distribution,
        "box4": _money(f.box4, rounded),
        "box5": _money(f.box5, rounded),
        "box7": f.box7,
        "box10": _money(f.box10, rounded),
        "box11": f.box11,
    }


def form_1099r(
    session: Session, person_name: str, year: int, *, explain: bool = False, rounded: bool = False
) -> dict:
    r = _year(session, person_name, year)
    payload: dict = {
        "person": person_name,
        "tax_year": year,
        "forms": [form_dict(f, rounded) for f in r.forms],
        "warnings": warning_dicts(r.warnings) + _suspect_dicts(session, person_name, year),
    }
    if explain:
        payload["explain"] = [
            {"payer": f.payer, "destination": f.destination, "box7": f.box7, "boxes": f.explain}
            for f in r.forms
        ]
    return payload


def form_8606(
    session: Session, person_name: str, year: int, *, explain: bool = False, rounded: bool = False
) -> dict:
    r, result, hist = _compute_year(session, person_name, year)
    f = _rounded_8606(r) if rounded else r.f8606
    lines = {k: format_line(k, round_line(k, f.lines[k]) if rounded else f.lines[k]) for k in LINES}
    warnings = [w for w in r.warnings if _concerns_8606(w)]
    warnings += [w for w in f.warnings if w not in warnings]
    payload: dict = {
        "person": person_name,
        "tax_year": year,
        "lines": lines,
        "warnings": warning_dicts(warnings) + _suspect_dicts(session, person_name, year),
    }
    if f.worksheet_1_1 is not None:
        payload["worksheet_1_1"] = {
            k: format_line("10" if k == "7" else k, v) for k, v in f.worksheet_1_1.items()
        }
    if explain:
        payload["explain"] = _explain_8606(f, year, result, hist)
        if f.worksheet_1_1 is not None:
            ws = f.worksheet_1_1
            payload["explain"]["13"]["rows"] = [
                f"Worksheet 1-1 line {k}: {WS11_TEXT[k]}: {format_line('10' if k == '7' else k, v)}"
                for k, v in ws.items()
            ]
    return payload


WS11_TEXT = {
    "1": "basis in traditional IRAs at the end of last year",
    "2": "all traditional IRA contributions for the year",
    "3": "line 1 + line 2",
    "4": "December 31 value of the traditional IRAs",
    "5": "distributions incl. conversions",
    "6": "line 4 + line 5",
    "7": "line 3 / line 6",
    "8": "nontaxable part (Form 8606 lines 13, 17)",
    "9": "taxable part before conversions",
    "10": "taxable part of the conversions (line 18)",
    "11": "taxable part of the other distributions (line 15a)",
}


def annual_addition_suspects(session: Session, person_name: str, year: int) -> list[str]:
    """After-tax withdrawals of ``year`` recorded as plain withdrawals while that year's or the last
    year's annual additions at the plan's employer exceed the 415(c) limit: if the plan paid it to
    correct the excess (code E), a plain withdrawal splits its basis pro rata (IRC 72(e)(8)) where the
    1099-R's box 5 is the contributions returned, and the excess keeps counting -- so each one is
    named (``correction add --kind excess-annual-addition`` records it)."""
    from . import headroom

    sql = sql_of(session)
    person = person_record(sql, person_name)
    plans = {
        p.id: p
        for p in sql.recs(
            "SELECT plan.id, plan.name, plan.employer FROM plan WHERE plan.person_id = ?", (person.id,)
        )
    }
    if not plans:
        return []
    rows = [
        r
        for r in sql.recs(
            "SELECT entry.id, entry.plan_id, entry.date, entry.amount_cents, entry.origin FROM entry "
            "JOIN plan ON plan.id = entry.plan_id WHERE plan.person_id = ? AND entry.status = ? "
            "AND entry.type = ? AND entry.source = ?",
            (person.id, "posted", "withdrawal", "aftertax"),
        )
        if r.date.year == year and not (r.origin or "").startswith("correction #")
    ]
    if not rows:
        return []
    session = _orm(session, "an after-tax withdrawal in the year")  # the 415(c) headroom check
    exceeded: dict[int, set[str]] = {}
    for y in (year - 1, year):
        try:
            h = headroom.compute(session, person.name, y)
        except UserError:
            exceeded[y] = set()
            continue
        exceeded[y] = {
            p for e in h.employers if e.annual_additions > e.annual_additions_limit for p in e.plans
        }
    out = []
    for r in sorted(rows, key=lambda r: (r.date, r.id)):
        plan = plans[r.plan_id]
        for y in (year - 1, year):
            if plan.name in exceeded[y]:
                out.append(
                    f"the after-tax withdrawal of {from_cents(-r.amount_cents):,.2f} from {plan.name} on "
                    f"{r.date.isoformat()} (#{r.id}) came while the {y} annual additions at {plan.employer} exceed "
                    "the 415(c) limit: if the plan paid it to correct that excess (a code-E 1099-R), record it with "
                    "`megaroth correction add --kind excess-annual-addition` instead -- as a withdrawal its basis is "
                    "split pro rata, not the contributions returned (box 5), and the excess keeps counting"
                )
                break
    return out


def _suspect_dicts(session: Session, person_name: str, year: int) -> list[dict]:
    return [
        {"code": "distribution-maybe-return", "message": m}
        for m in return_suspects(session, person_name, year)
    ] + [
        {"code": "withdrawal-maybe-415-correction", "message": m}
        for m in annual_addition_suspects(session, person_name, year)
    ]


def _concerns_8606(w: str) -> bool:
    return w in (th.QUALIFIED_WARNING,) or "8606" in w


def _explain_8606(f, year: int, result: th.HistoryResult, hist: th.PersonHistory) -> dict:
    """Each filled line: its formula and the ledger rows behind it."""
    rows: dict[str, list[str]] = defaultdict(list)
    for m in hist.ira_moves:
        if m.kind == "contribution" and m.account == "traditional" and m.tax_year == year and m.nondeductible:
            rows["1"].append(f"{m.ref}: nondeductible {m.nondeductible:,.2f}")
            if m.date.year > year:
                rows["4"].append(f"{m.ref}: made in {m.date.year} for {year}")
        elif m.kind == "recharacterization" and m.tax_year == year and m.nondeductible:
            sign = "+" if m.account == "roth" else "-"
            rows["1"].append(
                f"{m.ref}: recharacterized {m.account} -> "
                f"{'traditional' if m.account == 'roth' else 'roth'}, nondeductible {sign}{m.nondeductible:,.2f}"
            )
        elif m.kind == "distribution" and m.account == "traditional" and m.date.year == year:
            rows["7"].append(m.ref)
        elif m.kind == "conversion" and m.date.year == year:
            rows["8"].append(m.ref)
            rows["16"].append(m.ref)
        elif m.kind == "distribution" and m.account == "roth" and m.date.year == year:
            rows["19"].append(m.ref)
    if year in hist.ira_values:
        rows["6"].append(
            f"`ira value --year {year}`: {hist.ira_values[year]:,.2f}"
            + (
                " (taking into account recharacterizations after December 31)"
                if year in hist.ira_values_after_recharacterizations
                else ""
            )
        )
    cf = hist.carryforward
    if cf is not None and year == cf.year + 1:
        rows["2"].append(f"`basis set --year {cf.year} --traditional {cf.traditional:,.2f}`")
    elif year - 1 in result.years:
        prior = result.years[year - 1].f8606.carry.traditional_basis
        rows["2"].append(f"{year - 1} basis carried (line 14 or unchanged line 2): {prior:,.2f}")
    for c in result.roth_contributions:
        if c.tax_year <= year:
            rows["22"].append(
                f"{c.kind} Roth contribution for {c.tax_year} ({c.date.isoformat()}): {c.amount:,.2f}"
            )
    for layer in result.roth_layers:
        if layer.tax_year <= year and layer.kind in ("ira-conversion", "plan-rollover"):
            rows["24"].append(
                f"{layer.kind} {layer.date.isoformat()}"
                + (f" from {layer.plan}" if layer.plan else "")
                + f": {layer.amount:,.2f}"
            )
    if f.lines.get("22") is not None or f.lines.get("24") is not None:
        rows["22"].append("less earlier nonqualified distributions applied to it (line 22 worksheet)")
        rows["24"].append("less earlier distributions applied to it (line 24 chart)")
    return {k: {"formula": text, "rows": rows.get(k, [])} for k, text in f.explain.items()}


def form_1040(
    session: Session, person_name: str, year: int, *, explain: bool = False, rounded: bool = False
) -> dict:
    r = _year(session, person_name, year)
    if r.f1040_refusal:
        raise UnsupportedSituation(r.f1040_refusal)
    lines = {k: _money(v, rounded) for k, v in r.f1040.lines.items()}
    f8606 = r.f8606
    if rounded and lines["4b"] is not None:
        # line 4b from the whole-dollar Form 8606 so the two forms agree
        f8606 = _rounded_8606(r)
        lines["4b"] = round_dollars(f8606.traditional_taxable + f8606.conversion_taxable + f8606.roth_taxable)
    payload: dict = {
        "person": person_name,
        "tax_year": year,
        "lines": lines,
        "warnings": warning_dicts(r.f1040.warnings) + _suspect_dicts(session, person_name, year),
    }
    if explain:
        ex = {}
        for k, text in r.f1040.explain.items():
            forms = r.ira_forms if k.startswith("4") else r.plan_forms
            box = "box1" if k.endswith("a") else "box2a"
            rows = [
                f"{f.payer} 1099-R code {f.box7} to {f.destination}: {getattr(f, box) or ZERO:,.2f}"
                for f in forms
            ]
            if k == "4a" and r.f8606.part3:
                rows.append("Roth IRA distributions (Form 8606 line 19 and qualified ones)")
            if k == "4b":
                rows = [
                    f"Form 8606 line {n}: {f8606.lines[n]:,.2f}"
                    for n in ("15c", "18", "25c")
                    if f8606.lines[n] is not None
                ] or rows
            ex[k] = {"formula": text, "rows": rows}
        payload["explain"] = ex
    return payload


# -- reconciliation -----------------------------------------------------------------------------
RECON_BOXES = ("box1", "box2a", "box4", "box5", "box10", "box7", "box11")


def reconcile_1099r(
    session: Session, plan_name: str, year: int, received: dict, person: str | None = None
) -> dict:
    """Store the 1099-R the plan issued and compare it with the derived one(s).

    When several derived forms share the received code (a Notice 2014-54 split reported on a
    single combined 1099-R), they are compared as one combined form and the per-destination
    entries are returned under ``entries`` (boxes summing to the combined form).
    """
    from sqlalchemy import select

    from ..store.lookup import get_plan
    from ..store.models import Conversion

    plan = get_plan(session, plan_name, person)
    store_received_1099r(session, plan, year, received)
    result = compute(session, plan.person.name, through=year)
    r = result.years.get(year)
    derived_forms = [f for f in (r.plan_forms if r else []) if f.payer == plan.name]
    code = received.get("box7")
    group = [f for f in derived_forms if code is None or _same_code(f.box7, code)]
    if code is None and len({f.box7 for f in derived_forms}) > 1:
        raise UserError("the plan issued several kinds of 1099-R this year; give --code")
    derived: dict | None = None
    if group:
        derived = {
            "box1": sum((f.box1 for f in group), ZERO),
            "box2a": sum(((f.box2a or ZERO) for f in group), ZERO),
            "box4": sum((f.box4 for f in group), ZERO),
            "box5": sum(((f.box5 or ZERO) for f in group), ZERO),
            # box 10 only exists on designated Roth account forms (the IRR part within 5 years)
            "box10": (
                None if all(f.box10 is None for f in group) else sum(((f.box10 or ZERO) for f in group), ZERO)
            ),
            "box7": group[0].box7,
            "box11": group[0].box11,
        }
    diffs = []
    for box in RECON_BOXES:
        got = received.get(box)
        if got is None:
            continue  # not entered: not compared
        want = derived.get(box) if derived else None
        if box in ("box4", "box10") and want is None and got == 0:
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
    splits = conversion_splits(session, plan)
    for c in session.scalars(
        select(Conversion).where(Conversion.plan_id == plan.id, Conversion.tax_year == year)
    ):
        sp = splits.get(c.id)
        if sp is not None and sp.basis != sp.basis_computed:
            notes.append(
                f"conversion #{c.id} on {c.date.isoformat()}: basis {sp.basis:,.2f} "
                f"from the plan's confirmation, {sp.basis_computed:,.2f} computed "
                f"pro rata (difference {sp.basis - sp.basis_computed:,.2f})"
            )
    if not group:
        notes.append(
            f"the ledger derives no {'code ' + code + ' ' if code else ''}1099-R for {plan_name} in {year}"
        )
    entries = [form_dict(f) for f in group] if len(group) > 1 else []
    return {
        "plan": plan_name,
        "tax_year": year,
        "match": not diffs and bool(group),
        "received": {b: received.get(b) for b in RECON_BOXES},
        "derived": derived,
        "diff": diffs,
        "entries": entries,
        "notes": notes,
        "warnings": warning_dicts(r.warnings if r else []),
    }


def store_received_1099r(
    session: Session, plan: Plan, year: int, received: dict, row: Received1099R | None = None
) -> Received1099R:
    """Record the received 1099-R: it replaces the one entered earlier for the same plan and
    year (logged as an edit), so running ``reconcile 1099-r`` again does not add a second."""
    from sqlalchemy import select

    from ..store.models import Received1099R
    from .changelog import record_change, snapshot

    if row is None:
        row = session.scalars(
            select(Received1099R)
            .where(Received1099R.plan_id == plan.id, Received1099R.year == year)
            .order_by(Received1099R.recorded_at.desc(), Received1099R.id.desc())
        ).first()
    before = None if row is None else snapshot(row, plan=plan.name)
    if row is None:
        row = Received1099R(plan_id=plan.id, year=year)
        session.add(row)
    row.year = year
    for box in ("box1", "box2a", "box4", "box5", "box10"):
        setattr(row, f"{box}_cents", _cents(received.get(box)))
    row.box7, row.box11 = received.get("box7"), received.get("box11")
    row.recorded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    session.flush()
    record_change(
        session,
        "add" if before is None else "edit",
        "1099-r",
        row.id,
        before,
        snapshot(row, plan=plan.name),
        person_id=plan.person_id,
    )
    return row


def _same_code(a: str, b: str) -> bool:
    """Box 7 holds up to two codes; their order on the form does not matter ("B1" == "1B")."""
    return sorted(a.replace(" ", "").upper()) == sorted(b.replace(" ", "").upper())


def _cents(v) -> int | None:
    return None if v is None or not isinstance(v, Decimal) else to_cents(v)
