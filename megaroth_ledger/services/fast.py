"""The everyday commands on the thin path (:mod:`megaroth_ledger.store.lite`): plain SQL over
``sqlite3``, no SQLAlchemy (issue 15).

Each function here reads (or writes) exactly what its SQLAlchemy twin in
:mod:`.ledger` / :mod:`.headroom` reads, with the SQL text SQLAlchemy emits for it on SQLite
(same statement, same query plan, same row order), and hands the rows to the same rules and
payload code: no tax figure is worked out here. Anything but the plain case raises
:class:`~megaroth_ledger.store.lite.Unavailable` before it writes, and the command runs its
full path (``tests/test_fast_path.py`` runs every command both ways and compares the output).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from ..money import ZERO, from_cents
from ..store.lite import LiteDb, Unavailable, day
from ..vocab import CONTRIBUTION_TYPES

_CONTRIBUTION_TYPES = sorted(CONTRIBUTION_TYPES)


def _marks(values) -> str:
    return ", ".join("?" for _ in values)


def _one_plan(db: LiteDb, name: str, person: str | None = None):
    """(id, person_id, person's name, born) of the plan ``--plan name [--person person]`` names
    (:func:`megaroth_ledger.store.lookup.get_plan`): a plan name is unique per person, so
    without ``person`` only a name one person has. Anything else (no such plan, several, an
    unknown person) is the full path's to explain."""
    sql = (
        'SELECT "plan".id, "plan".person_id, person.name, person.born FROM "plan" '
        'JOIN person ON person.id = "plan".person_id WHERE "plan".name = ?'
    )
    params: tuple = (name,)
    if person is not None:
        sql, params = sql + " AND person.name = ?", (name, person)
    rows = db.rows(sql + " LIMIT 2", params)
    if len(rows) != 1:
        raise Unavailable("plan lookup")
    return rows[0]


# -- person list ----------------------------------------------------------------------------
def overview(db: LiteDb) -> list[dict]:
    """:func:`.preparer.overview` without a year: each person's plans and ledger rows."""
    plans: dict[int, list[str]] = {}
    for pid, name in db.rows('SELECT "plan".person_id, "plan".name FROM "plan" ORDER BY "plan".name'):
        plans.setdefault(pid, []).append(name)
    entry_rows = dict(
        db.rows(
            'SELECT "plan".person_id, count(entry.id) AS count_1 FROM "plan" '
            'JOIN entry ON entry.plan_id = "plan".id GROUP BY "plan".person_id'
        )
    )
    ira_rows = dict(
        db.rows(
            "SELECT ira_event.person_id, count(ira_event.id) AS count_1 FROM ira_event "
            "GROUP BY ira_event.person_id"
        )
    )
    return [
        {
            "id": pid,
            "name": name,
            "born": day(born),
            "plans": plans.get(pid, []),
            "rows": int(entry_rows.get(pid, 0)) + int(ira_rows.get(pid, 0)),
        }
        for pid, name, born in db.rows(
            "SELECT person.id, person.name, person.born FROM person ORDER BY person.name"
        )
    ]


# -- contribution list ----------------------------------------------------------------------
def list_contributions(
    db: LiteDb, person: str | None = None, plan: str | None = None, year: int | None = None
) -> dict:
    """:func:`.ledger.list_contributions`."""
    sql = (
        'SELECT entry.id, entry.date, entry.tax_year, entry.source, entry.amount_cents, entry.memo, "plan".name '
        'FROM entry JOIN "plan" ON "plan".id = entry.plan_id '
        f"WHERE entry.type IN ({_marks(_CONTRIBUTION_TYPES)}) AND entry.status = ?"
    )
    params: list = [*_CONTRIBUTION_TYPES, "posted"]
    if person:
        sql += ' AND "plan".person_id = ?'
        params.append(db.person(person)[0])
    if plan:
        sql += " AND entry.plan_id = ?"
        params.append(_one_plan(db, plan, person)[0])
    if year:
        sql += " AND entry.tax_year = ?"
        params.append(year)
    rows, totals = [], defaultdict(lambda: ZERO)
    for entry_id, on, tax_year, source, cents, memo, plan_name in db.rows(
        sql + " ORDER BY entry.date, entry.id", params
    ):
        amount = from_cents(cents)
        rows.append(
            {
                "id": entry_id,
                "date": day(on),
                "tax_year": tax_year,
                "plan": plan_name,
                "source": source,
                "amount": amount,
                "memo": memo,
            }
        )
        totals[source] += amount
    return {
        "person": person,
        "plan": plan,
        "year": year,
        "contributions": rows,
        "totals": dict(sorted(totals.items())),
        "total": sum(totals.values(), ZERO),
    }


# -- headroom -------------------------------------------------------------------------------
def headroom(
    db: LiteDb,
    person_name: str,
    year: int,
    remaining_paychecks: int | None = None,
    expected_employer: dict[str, Decimal] | None = None,
    expected_deferrals: dict[str, Decimal] | None = None,
):
    """:func:`.headroom.compute`, for a person-year without unknown sources (the full path names
    the file of one)."""
    from ..rules import headroom as rules

    person_id, name, born = db.person(person_name)
    plans = db.rows(
        'SELECT "plan".id, "plan".name, "plan".employer, "plan".kind, "plan".after_tax '
        'FROM "plan" WHERE "plan".person_id = ? ORDER BY "plan".name',
        (person_id,),
    )
    ids = {p[0]: p[1] for p in plans}
    entries, wages = [], []
    if ids:
        entries = db.rows(
            "SELECT entry.plan_id, entry.date, entry.source, sum(entry.amount_cents) AS amount_cents "
            f"FROM entry WHERE entry.plan_id IN ({_marks(ids)}) AND entry.tax_year = ? "
            f"AND entry.type IN ({_marks(_CONTRIBUTION_TYPES)}) AND entry.status = ? "
            "GROUP BY entry.plan_id, entry.date, entry.source",
            (*ids, year, *_CONTRIBUTION_TYPES, "posted"),
        )
        wages = db.rows(
            "SELECT wages.plan_id, wages.compensation_cents, wages.fica_wages_cents "
            f"FROM wages WHERE wages.plan_id IN ({_marks(ids)}) AND wages.year = ?",
            (*ids, year),
        )
    if any(e[2] == "unknown" for e in entries):
        raise Unavailable("unknown sources: the full path names the file")
    from ..rules.corrections import annual_additions_returned
    from ..store.sqlrun import sql_of
    from .correction_rows import corrections_of

    h = rules.compute_headroom(
        person=name,
        born=day(born),
        year=year,
        plans=[rules.PlanInfo(p[1], p[2], p[3], bool(p[4])) for p in plans],
        contributions=[rules.Contribution(ids[e[0]], day(e[1]), e[2], from_cents(e[3])) for e in entries],
        wages=[rules.PlanWages(ids[w[0]], from_cents(w[1]), from_cents(w[2])) for w in wages],
        remaining_paychecks=remaining_paychecks,
        expected_employer=expected_employer,
        expected_deferrals=expected_deferrals,
        # after-tax contributions returned under EPCRS (415(c)): no longer annual additions
        returned_after_tax=annual_additions_returned(corrections_of(sql_of(db), person_id), year),
    )
    from .headroom import settle_excess_deferral

    settle_excess_deferral(db, person_id, h)
    return h


# -- person add -----------------------------------------------------------------------------
def person_fields(name: str, born: dt.date) -> str:
    """The checks of ``person add`` that need no ledger; the name as stored."""
    from ..bounds import check_date, check_name
    from ..errors import UserError

    name = name.strip()
    if not name:
        raise UserError("a person needs a name")
    check_name(name, "person name")
    check_date(born, "birth date")
    return name


def add_person(db: LiteDb, name: str, born: dt.date) -> int:
    """:func:`.ledger.add_person`: the row and its change-log entry, in the write lock."""
    from ..errors import UserError
    from ..store.logvalues import change_row

    name = person_fields(name, born)
    if db.one("SELECT person.id FROM person WHERE person.name = ? LIMIT 1", (name,)):
        raise UserError(f"person {name!r} already exists")
    if born > dt.date.today():
        raise UserError(f"birth date {born.isoformat()} is in the future")
    person_id = db.insert("INSERT INTO person (name, born) VALUES (?, ?)", (name, born.isoformat()))
    after = {"id": person_id, "name": name, "born": born.isoformat()}
    db.insert(*change_row("add", "person", person_id, None, after, person_id=person_id))
    return person_id


# -- contribution add -----------------------------------------------------------------------
def contribution_checks(
    on: dt.date, source: str, amount: Decimal, tax_year: int | None, born: dt.date, person: str
) -> int:
    """The checks of ``contribution add`` once the plan is known; the tax year it counts toward."""
    from ..bounds import check_amount, check_born_before, check_date
    from ..errors import UserError
    from ..vocab import SOURCES

    if source not in SOURCES:
        raise UserError(f"unknown source {source!r}")
    if amount == 0:
        raise UserError("--amount must not be zero")
    tax_year = tax_year or on.year
    if abs(tax_year - on.year) > 1:
        raise UserError(f"--tax-year {tax_year} is more than a year away from the date {on.isoformat()}")
    check_date(on, "--date")
    check_amount(amount, "--amount")
    check_born_before(born, on, person)
    return tax_year


def add_contribution(
    db: LiteDb,
    plan_name: str,
    on: dt.date,
    source: str,
    amount: Decimal,
    tax_year: int | None = None,
    memo: str | None = None,
    person_name: str | None = None,
) -> int:
    """:func:`.ledger.add_contribution`, with the plan's balance-assertion differences figured
    again by the same code (:func:`megaroth_ledger.store.assertions.refresh`). A plan with a
    rollover to a Roth IRA (whose IRA side follows the replay) is left to the full path."""
    from ..money import to_cents
    from ..store.assertions import refresh
    from ..store.logvalues import change_row, row_snapshot
    from ..store.sqlrun import Sql

    plan_id, person_id, person, born = _one_plan(db, plan_name, person_name)
    tax_year = contribution_checks(on, source, amount, tax_year, day(born), person)
    if db.one("SELECT 1 FROM conversion WHERE plan_id = ? AND \"to\" = 'roth-ira' LIMIT 1", (plan_id,)):
        raise Unavailable("rollovers to a Roth IRA: the full path replays the plan")
    entry_id = db.insert(
        "INSERT INTO entry (plan_id, date, tax_year, source, type, amount_cents, memo, status, origin) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            plan_id,
            on.isoformat(),
            tax_year,
            source,
            "contribution",
            to_cents(amount),
            memo,
            "posted",
            "contribution add",
        ),
    )
    refresh(Sql(db.conn), plan_id)
    cur = db.conn.execute("SELECT * FROM entry WHERE id = ?", (entry_id,))
    after = row_snapshot([c[0] for c in cur.description], cur.fetchone(), plan=plan_name)
    db.insert(*change_row("add", "contribution", entry_id, None, after, person_id=person_id))
    return entry_id
