"""Writers wait their turn (issue 10): a writing command takes the write lock at its start and
waits for another writer (``--wait`` / ``$MEGAROTH_WAIT``, default 60 s), then fails with one
line and exit 75. Real processes, a real ledger."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
BUSY = "Error: ledger is busy: another megaroth is writing; try again"
FILES = [
    "2025-acme-generic.csv",
    "2025-acme-voya-activity.csv",
    "2025-acme-fidelity-netbenefits-history.csv",
    "2025-acme.ofx",
]


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("MEGAROTH_DB", "MEGAROTH_WAIT")}
    env.update(extra)
    return env


def run(db: Path, *args: str, env=None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "megaroth_ledger", "--db", str(db), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env or _env(),
        timeout=300,
        **kw,
    )


def start(db: Path, *args: str, env=None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "megaroth_ledger", "--db", str(db), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or _env(),
    )


@pytest.fixture
def ledger(tmp_path) -> Path:
    from tests.conftest import Megaroth

    db = tmp_path / "ledger.db"
    m = Megaroth(db)  # set up in-process (fast); the tests below use real processes
    m("person", "add", "ann", "--born", "1985-04-02")
    for i in range(1, 5):
        m(
            "plan",
            "add",
            f"p{i}",
            "--person",
            "ann",
            "--employer",
            "Acme Corp",
            "--after-tax",
            "--in-plan-conversion",
            "--in-service-withdrawal",
        )
    return db


@pytest.fixture
def held(ledger):
    """Another writer: a connection holding the ledger's write lock until released."""
    conn = sqlite3.connect(ledger, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    yield conn
    if conn.in_transaction:
        conn.rollback()
    conn.close()


@pytest.mark.slow
def test_four_concurrent_imports_into_one_ledger_all_succeed(ledger):
    procs = [
        start(
            ledger,
            "import",
            str(SAMPLES / name),
            "--plan",
            f"p{i}",
            "--map",
            "OTHERVEST=roth_irr",
            "--format",
            "json",
        )
        for i, name in enumerate(FILES, start=1)
    ]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]
    for code, out, err in results:
        assert code == 0, err
        assert "Traceback" not in err
    import json

    added = {json.loads(out)["plans"][0]: json.loads(out)["rows_added"] for _, out, _ in results}
    assert set(added) == {"p1", "p2", "p3", "p4"} and all(n > 0 for n in added.values())
    with sqlite3.connect(ledger) as c:
        per_plan = dict(
            c.execute(
                "SELECT p.name, count(*) FROM entry e JOIN plan p ON p.id = e.plan_id "
                "WHERE e.origin IS NULL GROUP BY p.name"
            )
        )
    c.close()
    for plan, n in added.items():  # every import's rows are there, none twice
        assert per_plan[plan] <= n
    assert len({json.loads(out)["import"] for _, out, _ in results}) == 4


def test_a_writer_gives_up_after_wait_with_one_line_and_exit_75(ledger, held):
    r = run(ledger, "--wait", "0.3", "person", "add", "bob", "--born", "1990-01-01")
    assert r.returncode == 75
    assert r.stderr.strip() == BUSY
    held.rollback()
    assert "bob" not in run(ledger, "person", "list").stdout


def test_megaroth_wait_from_the_environment(ledger, held):
    r = run(ledger, "import", str(SAMPLES / FILES[0]), "--plan", "p1", env=_env(MEGAROTH_WAIT="0.2"))
    assert (r.returncode, r.stderr.strip()) == (75, BUSY)
    r = run(ledger, "person", "add", "bob", "--born", "1990-01-01", env=_env(MEGAROTH_WAIT="soon"))
    assert r.returncode == 2 and "MEGAROTH_WAIT" in r.stderr and "Traceback" not in r.stderr


def test_a_waiting_writer_goes_ahead_when_the_other_one_finishes(ledger, held):
    proc = start(
        ledger,
        "--wait",
        "120",
        "contribution",
        "add",
        "--plan",
        "p1",
        "--date",
        "2025-01-15",
        "--source",
        "pretax",
        "--amount",
        "100",
    )
    # the writer is waiting for the lock (no timing: we only release once it has started)
    release = threading.Timer(1.0, held.commit)
    release.start()
    code = proc.wait(timeout=300)
    release.join()
    assert code == 0, proc.stderr.read()


def test_readers_do_not_wait_for_a_writer(ledger, held):
    held.execute("INSERT INTO person (name, born) VALUES ('uncommitted', '1990-01-01')")
    r = run(ledger, "--wait", "0", "person", "list", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert "uncommitted" not in r.stdout and "ann" in r.stdout


def test_undo_and_every_add_command_take_the_lock(ledger, held):
    for args in (
        ["import", "undo", "1"],
        ["ira", "value", "--person", "ann", "--year", "2025", "--amount", "0"],
    ):
        r = run(ledger, "--wait", "0", *args)
        assert (r.returncode, r.stderr.strip()) == (75, BUSY), args
