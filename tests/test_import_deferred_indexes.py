"""A big file into a small SQLite ledger: ``entry``'s secondary indexes are dropped while its
rows go in and built again afterwards, inside the import's one transaction
(``importers.store._entry_indexes_deferred``). What is stored, the schema, a failed import
and a ``kill -9`` in the middle must all come out as without it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import event

from megaroth_ledger.importers import store
from megaroth_ledger.importers.store import import_file
from megaroth_ledger.store.db import make_engine
from tests.conftest import add_ann

pytestmark = pytest.mark.sqlite_only  # SQLite's indexes and transactional DDL

HEADER = "date,plan,source,type,amount,fund,shares,memo\n"
ROOT = Path(__file__).resolve().parent.parent


def rows_csv(path: Path, n: int, bad_at: int | None = None, start: int = 0) -> Path:
    lines = [HEADER]
    for i in range(start, start + n):
        day = f"20{15 + i % 10}-{(i // 28) % 12 + 1:02d}-{i % 28 + 1:02d}"
        amount = "1.234" if i == bad_at else f"{i % 900 + 1}.{i % 100:02d}"
        lines.append(
            f"{day},acme-401k,{('pretax', 'aftertax', 'match')[i % 3]},contribution,{amount},F{i % 4},1,m{i}\n"
        )
        if i % 500 == 0:  # twins: identical rows in one file
            lines.append("2020-01-01,acme-401k,pretax,dividend,0.07,F0,0.001,\n" * 2)
    path.write_text("".join(lines), encoding="utf-8")
    return path


def schema(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as c:
        return c.execute(
            "select type, name, sql from sqlite_master where tbl_name = 'entry' order by name"
        ).fetchall()


def stored(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as c:
        return c.execute(
            "select id, plan_id, date, payroll_date, tax_year, source, type, amount_cents, fund, shares, "
            "memo, irr_year, status, import_id, file_row, raw, identity from entry order by id"
        ).fetchall()


def statements(engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "connect")
    def trace(dbapi_conn, _record):
        dbapi_conn.set_trace_callback(seen.append)

    return seen


def import_with(ann, path: Path, defer: bool, monkeypatch) -> tuple[list[str], object]:
    monkeypatch.setenv("MEGAROTH_IMPORT_WORKERS", "0")
    monkeypatch.setattr(store, "DEFER_INDEX_MIN_BYTES", 0 if defer else 1 << 62)
    engine = make_engine(f"sqlite:///{ann.db}")
    seen = statements(engine)
    try:
        return seen, import_file(engine, path)
    finally:
        engine.dispose()


def test_deferred_indexes_store_the_same_rows_and_schema(ann, new_megaroth, tmp_path, monkeypatch):
    f = rows_csv(tmp_path / "a.csv", 3000)
    plain_seen, plain = import_with(ann, f, defer=False, monkeypatch=monkeypatch)
    other = add_ann(new_megaroth())
    seen, deferred = import_with(other, f, defer=True, monkeypatch=monkeypatch)
    drops = [s for s in seen if s.startswith("DROP INDEX")]
    assert len(drops) == 4 and not any(s.startswith("DROP INDEX") for s in plain_seen)
    assert deferred.rows_added == plain.rows_added == 3000 + 12
    assert stored(other.db) == stored(ann.db)
    assert schema(other.db) == schema(ann.db)
    assert len([r for r in schema(other.db) if r[0] == "index"]) == 5  # 4 built again + the unique key
    with sqlite3.connect(other.db) as c:
        assert c.execute("pragma integrity_check").fetchall() == [("ok",)]
        plan = " ".join(
            str(r)
            for r in c.execute(
                "explain query plan select * from entry where plan_id = 1 and date > '2020-01-01'"
            )
        )
        assert "ix_entry_plan_id_date" in plan
    # the same file again: nothing new, and the unique key still decides
    again = import_with(other, f, defer=True, monkeypatch=monkeypatch)[1]
    assert again.rows_added == 0


def test_a_failed_import_leaves_the_indexes(ann, tmp_path, monkeypatch):
    before = schema(ann.db)
    f = rows_csv(tmp_path / "bad.csv", 3000, bad_at=2990)
    with pytest.raises(Exception, match="bad row"):
        import_with(ann, f, defer=True, monkeypatch=monkeypatch)
    assert schema(ann.db) == before
    assert stored(ann.db) == []


def test_a_ledger_bigger_than_the_file_keeps_its_indexes(ann, tmp_path, monkeypatch):
    import_with(ann, rows_csv(tmp_path / "first.csv", 3000), defer=False, monkeypatch=monkeypatch)
    small = rows_csv(tmp_path / "small.csv", 50, start=10_000)
    assert small.stat().st_size // store.BYTES_PER_ROW_MIN < 3000
    seen, result = import_with(ann, small, defer=True, monkeypatch=monkeypatch)
    assert result.rows_added == 50
    assert not any(s.startswith("DROP INDEX") for s in seen)


KILLED_IMPORT = r"""
import sys
from megaroth_ledger.importers import store
store.DEFER_INDEX_MIN_BYTES = 0
real = store._pipeline
def slow(produce, consume, failed):
    def put(batch, one_plan=None):
        print("writing", flush=True)
        import time; time.sleep(0.2)
        return consume(batch, one_plan)
    return real(produce, put, failed)
store._pipeline = slow
sys.argv = ["megaroth", "--db", sys.argv[1], "import", sys.argv[2]]
from megaroth_ledger.cli import main
main()
"""


def test_kill_9_while_the_indexes_are_dropped(ann, tmp_path):
    """The indexes are dropped inside the import's transaction: killed mid-import, the ledger
    opens with every index and no row."""
    before = schema(ann.db)
    f = rows_csv(tmp_path / "k.csv", 30_000)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MEGAROTH_IMPORT_WORKERS": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, str(ann.db), str(f)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        for _ in range(3):  # a few batches are in: the indexes are gone inside the transaction
            line = proc.stdout.readline()
            assert line == b"writing\n", proc.stderr.read().decode()
        assert schema(ann.db) == before  # another reader still sees every index (its snapshot)
        time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert schema(ann.db) == before
    assert stored(ann.db) == []
    with sqlite3.connect(ann.db) as c:
        assert c.execute("pragma integrity_check").fetchall() == [("ok",)]
    assert ann.json("import", str(f))["rows_added"] == 30_000 + 120
