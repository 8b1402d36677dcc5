"""Property (issue 9): a random ledger split into random overlapping statements, imported in
random order, with random undos of imports that are then imported again, gives the same
ledger and the same headroom, Form 1099-R / 8606 / 1040 and clocks as entering the rows
once, in date order.

After each undo, the ledger holds exactly the rows of the statements whose imports are still
active (nothing another import holds is lost). Statements are canonical CSVs covering whole days (a statement period never cuts a day in
two), overlapping by whole days. The rows are contributions and dividends of four sources
in two funds, identical twins included, and in-plan Roth conversions of after-tax money
(their basis, earnings and taxable part are figured from the ledger when read, so the order in
which statements arrive cannot change them); a conversion typed after the imports (the same in
both ledgers) comes on top.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from megaroth_ledger.importers.store import import_file, list_imports, undo_import
from megaroth_ledger.reports.output import render_json
from megaroth_ledger.store.db import open_ledger

SOURCES = ("pretax", "roth", "aftertax", "match")
FUNDS = ("Fund A", "Fund B")
HEADER = "date,plan,source,type,amount,fund,shares,transfer_group\n"
YEAR = 2025


@st.composite
def scenarios(draw):
    days = sorted(draw(st.sets(st.integers(0, 300), min_size=3, max_size=9)))
    by_day: list[list[tuple]] = []
    aftertax = 0  # the after-tax sub-account's balance so far, in date order
    for d in days:
        on = dt.date(YEAR, 1, 2) + dt.timedelta(days=d)
        rows = []
        for _ in range(draw(st.integers(1, 4))):
            row = (
                on,
                draw(st.sampled_from(SOURCES)),
                draw(st.sampled_from(("contribution",) * 3 + ("dividend",))),
                draw(st.integers(1, 150_000)),
                draw(st.sampled_from(FUNDS)),
            )
            rows.append(row)
            if draw(st.integers(0, 9)) == 0:
                rows.append(row)  # an identical twin: both stay
        aftertax += sum(r[3] for r in rows if r[1] == "aftertax")
        if aftertax > 100 and draw(st.integers(0, 2)) == 0:  # an in-plan Roth conversion that day
            part = draw(st.integers(1, aftertax))
            rows.append((on, "aftertax", "conversion_out", -part, "Fund A"))
            rows.append((on, "roth_irr", "conversion_in", part, "Fund A"))
            aftertax -= part
        by_day.append(rows)
    n = len(days)
    cuts = sorted(draw(st.sets(st.integers(1, n - 1), min_size=1, max_size=min(3, n - 1))))
    bounds = [0, *cuts, n]
    segments = list(zip(bounds, bounds[1:]))
    statements = []
    for i, (lo, hi) in enumerate(segments):  # each segment, maybe widened into its neighbours
        widen = st.sampled_from((False, True, True))
        if draw(widen) and i > 0:
            lo = segments[i - 1][0] + draw(st.integers(0, segments[i - 1][1] - segments[i - 1][0] - 1))
        if draw(widen) and i + 1 < len(segments):
            hi = segments[i + 1][0] + draw(st.integers(1, segments[i + 1][1] - segments[i + 1][0]))
        statements.append((lo, hi))
    order = draw(st.permutations(range(len(statements))))
    undos = draw(
        st.lists(st.tuples(st.integers(0, len(statements) - 1), st.integers(0, 50)), min_size=1, max_size=3)
    )
    return by_day, statements, list(order), undos


def _write(path: Path, days: list[list[tuple]]) -> Path:
    lines = [HEADER]
    for rows in days:
        for on, source, typ, cents, fund in rows:
            group = f"conv-{on.isoformat()}" if typ.startswith("conversion") else ""
            sign, cents = ("-", -cents) if cents < 0 else ("", cents)
            lines.append(
                f"{on.isoformat()},acme-401k,{source},{typ},{sign}{cents // 100}.{cents % 100:02d},{fund},1,"
                f"{group}\n"
            )
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _template(tmp: Path) -> Path:
    from tests.conftest import Megaroth

    db = tmp / "template.db"
    if not db.exists():
        m = Megaroth(db)
        m("person", "add", "ann", "--born", "1985-04-02")
        m(
            "plan",
            "add",
            "acme-401k",
            "--person",
            "ann",
            "--employer",
            "Acme Corp",
            "--after-tax",
            "--in-plan-conversion",
            "--in-service-withdrawal",
        )
        m("wages", "set", "--plan", "acme-401k", "--year", str(YEAR), "--compensation", "250000")
    return db


def _ledger(tmp: Path, name: str):
    db = tmp / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(_template(tmp), db)
    return open_ledger(str(db))


def _key(row: tuple) -> tuple:
    on, source, typ, cents, fund = row
    return (on.isoformat(), source, typ, cents, fund)


def _rows(engine) -> list[tuple]:
    from sqlalchemy import text

    with engine.connect() as c:
        return sorted(
            tuple(r) for r in c.execute(text("select date, source, type, amount_cents, fund from entry"))
        )


def _convert_and_report(ledger) -> dict:
    """The same typed conversion in both ledgers, then every form and report as JSON text."""
    from sqlalchemy import func, select

    from megaroth_ledger.money import from_cents
    from megaroth_ledger.services import clocks, forms, headroom, ledger_ops
    from megaroth_ledger.store.models import Entry

    with ledger.session() as s:
        aftertax = s.scalar(
            select(func.coalesce(func.sum(Entry.amount_cents), 0)).where(Entry.source == "aftertax")
        )
        if aftertax > 1:
            ledger_ops.convert(s, "acme-401k", dt.date(YEAR, 12, 31), from_cents(aftertax // 2), "in-plan")
    out = {}
    with ledger.session() as s:
        out["rows"] = sorted(
            (str(r.date), r.source, r.type, r.amount_cents, r.fund or "")
            for r in s.execute(select(Entry.date, Entry.source, Entry.type, Entry.amount_cents, Entry.fund))
        )
        out["headroom"] = headroom.payload(headroom.compute(s, "ann", YEAR))
        out["1099-r"] = forms.form_1099r(s, "ann", YEAR)
        out["8606"] = forms.form_8606(s, "ann", YEAR)
        out["1040"] = forms.form_1040(s, "ann", YEAR)
        out["clocks"] = clocks.clocks_payload(s, "ann", dt.date(YEAR + 1, 12, 31))
    return json.loads(render_json(out))


@pytest.fixture
def fast_dir(tmp_path):
    """A directory in memory when the machine has one (each import commits: no disk syncs)."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    d = Path(tempfile.mkdtemp(prefix="megaroth-props-", dir=shm))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenarios())
def test_overlapping_statements_in_any_order_with_undos_equal_entering_the_rows_once(fast_dir, scenario):
    tmp_path = fast_dir
    by_day, statements, order, undos = scenario
    files = [_write(tmp_path / f"s{i}.csv", by_day[lo:hi]) for i, (lo, hi) in enumerate(statements)]

    reference = _ledger(tmp_path, "reference")
    import_file(reference.engine, _write(tmp_path / "all.csv", by_day))
    want = _convert_and_report(reference)
    reference.dispose()

    ledger = _ledger(tmp_path, "split")
    engine = ledger.engine
    again: list[Path] = []
    for step, i in enumerate(order):
        import_file(engine, files[i])  # never refused: the same rows in the same format
        for when, pick in undos:
            if when == step:
                active = [b for b in list_imports(engine) if b["undone_at"] is None]
                if active:
                    b = active[pick % len(active)]
                    undo_import(engine, b["id"])
                    again.append(tmp_path / b["file"])
                    # what is left is exactly what the still active imports' statements hold
                    held = set()
                    for a in list_imports(engine):
                        if a["undone_at"] is None:
                            lo, hi = statements[int(a["file"][1:-4])]
                            held.update(range(lo, hi))
                    assert _rows(engine) == sorted(_key(r) for d in sorted(held) for r in by_day[d])
    for path in reversed(again):  # every undone statement is imported again
        import_file(engine, path)
    got = _convert_and_report(ledger)
    ledger.dispose()
    assert got["rows"] == want["rows"]
    for key in ("headroom", "1099-r", "8606", "1040", "clocks"):
        assert got[key] == want[key], key
