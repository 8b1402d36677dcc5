"""Writers wait their turn on PostgreSQL too (issue 10): per-plan advisory locks under a shared
ledger-wide one (store/db.py begin_write). Runs when MEGAROTH_TEST_PG_URL names a scratch
database (see tests/test_postgres.py); skipped otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Megaroth

PG_URL = os.environ.get("MEGAROTH_TEST_PG_URL")
ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
BUSY = "Error: ledger is busy: another megaroth is writing; try again"

pytestmark = pytest.mark.skipif(not PG_URL, reason="MEGAROTH_TEST_PG_URL not set (no PostgreSQL server)")


@pytest.fixture
def pg():
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    m = Megaroth(PG_URL)
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


def _start(*args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("MEGAROTH_DB", "MEGAROTH_WAIT")}
    return subprocess.Popen(
        [sys.executable, "-m", "megaroth_ledger", "--db", PG_URL, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_overlapping_imports_into_one_plan_all_succeed(pg):
    jobs = [
        ("2025-acme-generic.csv", "p1"),
        ("2025-acme-generic.csv", "p1"),
        ("2025-acme-generic.csv", "p1"),
        ("2025-acme-voya-activity.csv", "p2"),
    ]
    procs = [_start("import", str(SAMPLES / f), "--plan", p, "--format", "json") for f, p in jobs]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]
    for code, _, err in results:
        assert code == 0, err
    added = sorted(json.loads(out)["rows_added"] for _, out, _ in results[:3])
    assert added[:2] == [0, 0] and added[2] == 304  # one import stored the file, the others found it there


def test_a_writer_gives_up_after_wait_on_postgresql(pg):
    from sqlalchemy import create_engine, text

    from megaroth_ledger.store.db import LOCK_NS

    engine = create_engine(PG_URL)
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:ns, 0)"), {"ns": LOCK_NS})  # another writer
        p = _start("--wait", "0.3", "import", str(SAMPLES / "2025-acme-generic.csv"), "--plan", "p1")
        code = p.wait(timeout=300)
        err = p.stderr.read()
        reader = _start("--wait", "0", "person", "list", "--format", "json")
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
