"""One snapshot per report (issue 9): reports, forms and exports read the ledger in one read
transaction, so an import committing meanwhile cannot mix its before and after."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select

from megaroth_ledger.store.db import Ledger, open_ledger
from megaroth_ledger.store.models import Person


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(Person))


def test_read_session_sees_one_snapshot_while_another_connection_commits(megaroth):
    ledger = open_ledger(str(megaroth.db))  # SQLite WAL read transaction / PostgreSQL REPEATABLE READ
    with ledger.session() as s:
        s.add(Person(name="ann", born=dt.date(1985, 4, 2)))
    with ledger.read_session() as s:
        first = _count(s)
        with ledger.engine.begin() as other:  # an import committing in the middle of a report
            other.execute(insert(Person.__table__).values(name="bob", born=dt.date(1970, 1, 1)))
        assert _count(s) == first == 1
    with ledger.read_session() as s:
        assert _count(s) == 2

    # and reads in separate transactions (each statement on its own connection) do see the
    # commit: the test can fail
    def fresh_count() -> int:
        with ledger.engine.connect() as c:
            return c.execute(select(func.count()).select_from(Person)).scalar()

    before = fresh_count()
    with ledger.engine.begin() as other:
        other.execute(insert(Person.__table__).values(name="cy", born=dt.date(1970, 1, 1)))
    assert fresh_count() == before + 1
    ledger.dispose()


def test_read_session_writes_nothing(megaroth):
    ledger = open_ledger(str(megaroth.db))
    with ledger.read_session() as s:
        s.add(Person(name="ann", born=dt.date(1985, 4, 2)))
        s.flush()
    with ledger.read_session() as s:
        assert _count(s) == 0
    ledger.dispose()


@pytest.mark.parametrize(
    "args",
    [
        ("headroom", "--person", "ann", "--year", "2025"),
        ("form", "1099-r", "--person", "ann", "--year", "2025"),
        ("form", "8606", "--person", "ann", "--year", "2025"),
        ("form", "1040", "--person", "ann", "--year", "2025"),
        ("report", "year", "--person", "ann", "--year", "2025"),
        ("clocks", "--person", "ann", "--as-of", "2025-12-31"),
        ("contribution", "list"),
        ("conversion", "list"),
        ("log",),
    ],
)
def test_reports_read_in_one_read_session(ann, monkeypatch, args):
    ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-15",
        "--source",
        "aftertax",
        "--amount",
        "1000",
    )
    ann("convert", "--plan", "acme-401k", "--date", "2025-03-03", "--amount", "1000", "--to", "in-plan")
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "0")
    calls = []
    real, write = Ledger.read_session, Ledger.session

    def counting(self):
        calls.append("read")
        return real(self)

    def no_write(self):
        calls.append("write")
        return write(self)

    monkeypatch.setattr(Ledger, "read_session", counting)
    monkeypatch.setattr(Ledger, "session", no_write)
    # the full path (the thin one of store.lite reads in one snapshot too: test_fast_path.py)
    monkeypatch.setenv("MEGAROTH_FAST_PATH", "0")
    ann(*args)
    assert calls == ["read"]


def test_export_reads_one_snapshot(ann, monkeypatch, tmp_path):
    ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-15",
        "--source",
        "pretax",
        "--amount",
        "10",
    )
    calls = []
    real = Ledger.read_session
    monkeypatch.setattr(Ledger, "read_session", lambda self: (calls.append(1), real(self))[1])
    ann(
        "export", "--person", "ann", "--year", "2025", "-o", str(tmp_path / "a.xlsx"), "--as-of", "2026-01-31"
    )
    assert calls == [1]


def test_import_list_and_show_read_one_snapshot(ann, monkeypatch):
    from pathlib import Path

    sample = Path(__file__).resolve().parent.parent / "samples" / "2025-acme-generic.csv"
    ann("import", str(sample))
    calls = []
    real = Ledger.read_connection
    monkeypatch.setattr(Ledger, "read_connection", lambda self: (calls.append(1), real(self))[1])
    assert ann.json("import", "list")["imports"][0]["id"] == 1
    assert ann.json("import", "show", "1")["import"]["id"] == 1
    assert calls == [1, 1]
