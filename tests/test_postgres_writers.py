"""Writers wait their turn on PostgreSQL too (issue 10): per-plan advisory locks under a shared
ledger-wide one (store/db.py begin_write). Runs on the suite's PostgreSQL server (the ``pg_server``
fixture: a throwaway cluster, or $MEGAROTH_TEST_PG_URL), in a fresh database per test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Megaroth

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
BUSY = "Error: ledger is busy: another megaroth is writing; try again"


@pytest.fixture
def pg_url(pg_server):
    db = pg_server.new_database()
    yield pg_server.url(db)
    pg_server.drop(db)


@pytest.fixture
def pg(pg_url):
    m = Megaroth(pg_url)
    m("person", "add", "ann", "--born", "1985-04-02")
    for p in ("p1", "p2"):
        m(
            "plan",
            "add",
            p,
            "--person",
            "ann",
            "--employer",
            "Acme Corp",
            "--after-tax",
            "--in-plan-conversion",
        )
    return m


def _start(url: str, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("MEGAROTH_DB", "MEGAROTH_WAIT")}
    return subprocess.Popen(
        [sys.executable, "-m", "megaroth_ledger", "--db", url, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_overlapping_imports_into_one_plan_all_succeed(pg, pg_url):
    jobs = [
        ("2025-acme-generic.csv", "p1"),
        ("2025-acme-generic.csv", "p1"),
        ("2025-acme-generic.csv", "p1"),
        ("2025-acme-voya-activity.csv", "p2"),
    ]
    procs = [_start(pg_url, "import", str(SAMPLES / f), "--plan", p, "--format", "json") for f, p in jobs]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]
    for code, _, err in results:
        assert code == 0, err
    added = sorted(json.loads(out)["rows_added"] for _, out, _ in results[:3])
    assert added[:2] == [0, 0] and added[2] == 304  # one import stored the file, the others found it there


def test_a_writer_gives_up_after_wait_on_postgresql(pg, pg_url):
    from sqlalchemy import create_engine, text

    from megaroth_ledger.store.db import LOCK_NS

    engine = create_engine(pg_url)
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:ns, 0)"), {"ns": LOCK_NS})  # another writer
        p = _start(pg_url, "--wait", "0.3", "import", str(SAMPLES / "2025-acme-generic.csv"), "--plan", "p1")
        code = p.wait(timeout=300)
        err = p.stderr.read()
        reader = _start(pg_url, "--wait", "0", "person", "list", "--format", "json")
        assert reader.wait(timeout=300) == 0 and "ann" in reader.stdout.read()
        conn.rollback()
    engine.dispose()
    assert (code, err.strip()) == (75, BUSY)


def test_names_and_text_bounds_are_the_same_as_on_sqlite(pg):
    r = pg("person", "add", "x" * 100_000, "--born", "1985-04-02", ok=False)
    assert r.exit_code == 2 and "1-100 printable" in r.output and "Traceback" not in r.output
    r = pg(
        "contribution",
        "add",
        "--plan",
        "p1",
        "--date",
        "2025-01-15",
        "--source",
        "pretax",
        "--amount",
        "92233720368547758.07",
        ok=False,
    )
    assert r.exit_code == 2 and "±1,000,000,000.00" in r.output
