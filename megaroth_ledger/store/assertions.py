"""Balance-assertion differences, figured again from the ledger now (no SQLAlchemy: the thin
path of ``contribution add`` and the importers run this same code, see :mod:`.sqlrun`).

An assertion says "the statement shows X on D"; its ``earnings`` entry (origin ``balance
assert #N``) holds X less what the other rows (and the earlier assertions' differences) add
up to on D. That is a derived figure, so it is re-figured whenever rows change (an import, an
undo, an edit or removal of an earlier row): importing statements in any order, or correcting
a row, never leaves a stale difference. Assertions are taken in date order per source.
"""

from __future__ import annotations

from collections import defaultdict

from ..money import from_cents
from .lite import day
from .sqlrun import Sql, marks

ASSERT_ORIGIN = "balance assert #"

_SUM = "SELECT coalesce(sum(entry.amount_cents), ?) AS coalesce_1 FROM entry WHERE "
_ON_DATE = "entry.plan_id = ? AND entry.source = ? AND entry.status = ? AND entry.date <= ?"
_NOT_ASSERT = "(entry.origin IS NULL OR entry.origin NOT LIKE ? OR entry.type != ?)"


def refresh(sql: Sql, plan_id: int) -> int:
    """Re-figure every assertion difference of the plan; how many difference entries changed.
    A plan without assertions costs one query."""
    asserts = sql.rows(
        "SELECT balance_assertion.id, balance_assertion.date, balance_assertion.source, "
        "balance_assertion.amount_cents, balance_assertion.ledger_cents, balance_assertion.import_id "
        "FROM balance_assertion WHERE balance_assertion.plan_id = ? "
        "ORDER BY balance_assertion.date, balance_assertion.id",
        (plan_id,),
    )
    if not asserts:
        return 0
    origins = sorted(f"{ASSERT_ORIGIN}{a[0]}" for a in asserts)
    # the differences are the assertions' ``earnings`` entries; an ``opening_balance`` recorded
    # from a first statement's balance is a row of the ledger like any other
    current = {
        r[1]: (r[0], r[2])
        for r in sql.rows(
            "SELECT entry.id, entry.origin, entry.amount_cents FROM entry WHERE entry.plan_id = ? "
            f"AND entry.type = ? AND entry.origin IN ({marks(origins)})",
            (plan_id, "earnings", *origins),
        )
    }
    earlier: dict[str, int] = defaultdict(int)  # source -> differences of the assertions before
    changed = 0
    for assert_id, on, source, amount_cents, ledger_cents, import_id in asserts:
        on = day(on)
        origin = f"{ASSERT_ORIGIN}{assert_id}"
        on_date = (plan_id, source, "posted", on)
        base = int(
            sql.value(
                _SUM + _ON_DATE + " AND " + _NOT_ASSERT + " AND (entry.origin IS NULL OR entry.origin != ?)",
                (0, *on_date, f"{ASSERT_ORIGIN}%", "earnings", origin),
            )
        )
        # this assertion's own opening balance (a first statement): part of what it explains
        opening = int(
            sql.value(
                _SUM + _ON_DATE + " AND entry.origin = ? AND entry.type != ?",
                (0, *on_date, origin, "earnings"),
            )
        )
        ledger = base + earlier[source]  # what the ledger says on the date without this assertion
        diff = amount_cents - ledger - opening
        earlier[source] += diff
        if ledger_cents != ledger:
            sql.run(
                "UPDATE balance_assertion SET ledger_cents=? WHERE balance_assertion.id = ?",
                (ledger, assert_id),
            )
        have = current.get(origin)
        memo = f"difference between statement {from_cents(amount_cents)} and ledger {from_cents(ledger)}"
        if diff == 0:
            if have is not None:
                sql.run("DELETE FROM entry WHERE entry.id = ?", (have[0],))
                changed += 1
        elif have is None:
            sql.run(
                "INSERT INTO entry (plan_id, date, tax_year, source, type, amount_cents, memo, status, "
                "import_id, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (plan_id, on, on.year, source, "earnings", diff, memo, "posted", import_id, origin),
            )
            changed += 1
        elif have[1] != diff:
            sql.run(
                "UPDATE entry SET date=?, tax_year=?, source=?, amount_cents=?, memo=? WHERE entry.id = ?",
                (on, on.year, source, diff, memo, have[0]),
            )
            changed += 1
    return changed
