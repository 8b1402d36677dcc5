"""The thin path (megaroth_ledger.store.lite + services.fast, issue 15) prints exactly what the
full SQLAlchemy path prints, for every command it serves, in every format, errors included;
and writes the same rows. Nothing here measures time.

Each command runs twice on the same SQLite ledger: as users run it (the thin path serves it)
and with ``MEGAROTH_FAST_PATH=0`` (the full path). A spy on ``store.lite.attempt`` proves the
thin path really served the first run (a thin path that always fell back would pass the
comparison but fail that check)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from megaroth_ledger.cli import cli
from megaroth_ledger.store import lite

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def run(db: Path, args: list[str], monkeypatch, fast: bool):
    monkeypatch.setenv(lite.FAST_ENV_VAR, "1" if fast else "0")
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def served(monkeypatch):
    """Names of the functions the thin path served (not handed to the full path)."""
    seen: list[str] = []
    real = lite.attempt

    def spy(state, fn, *, write=False):
        out = real(state, fn, write=write)
        if out is not lite.FULL:
            seen.append(getattr(fn, "__name__", "?"))
        return out

    monkeypatch.setattr(lite, "attempt", spy)
    return seen


def _cli(db: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> Path:
    """Two people: ann (the demo: OFX sample, wages) and bob (two employers, a 457(b), catch-up
    age, a memo with a control character and a comma, a contribution for the prior tax year)."""
    db = tmp_path_factory.mktemp("fast") / "ledger.db"
    _cli(db, "person", "add", "ann", "--born", "1985-04-02")
    _cli(
        db,
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
    _cli(db, "wages", "set", "--plan", "acme-401k", "--year", "2025", "--compensation", "200000")
    _cli(db, "import", str(SAMPLES / "2025-acme.ofx"), "--plan", "acme-401k", "--map", "OTHERVEST=roth_irr")
    _cli(db, "person", "add", "bob", "--born", "1972-06-30")
    _cli(db, "plan", "add", "b-401k", "--person", "bob", "--employer", "Beta Inc", "--after-tax")
    _cli(db, "plan", "add", "g-457", "--person", "bob", "--employer", "City", "--kind", "457b")
    _cli(db, "plan", "add", "c-403b", "--person", "bob", "--employer", "Gamma", "--kind", "403b")
    _cli(db, "wages", "set", "--plan", "b-401k", "--year", "2025", "--compensation", "90000")
    rows = [
        ("b-401k", "2025-01-15", "pretax", "9000.00", "jan, \x1b[2Jbonus"),
        ("b-401k", "2025-02-15", "roth", "4000.00", None),
        ("b-401k", "2025-02-15", "aftertax", "12000.00", "after-tax"),
        ("b-401k", "2025-02-15", "match", "3000.00", None),
        ("c-403b", "2025-03-01", "pretax", "8000.00", "=SUM(A1)"),
        ("g-457", "2025-03-01", "pretax", "10000.00", None),
        ("b-401k", "2025-01-02", "pretax", "500.00", "for 2024"),
    ]
    for plan, on, source, amount, memo in rows:
        args = ["contribution", "add", "--plan", plan, "--date", on, "--source", source, "--amount", amount]
        if memo:
            args += ["--memo", memo]
        if memo == "for 2024":
            args += ["--tax-year", "2024"]
        _cli(db, *args)
    _cat(db)
    # a plan name two people share (plans are unique per person): --plan needs --person
    _cli(db, "person", "add", "fay", "--born", "1991-01-01")
    _cli(db, "plan", "add", "b-401k", "--person", "fay", "--employer", "Fay LLC")
    _cli(
        db,
        "contribution",
        "add",
        "--plan",
        "b-401k",
        "--person",
        "fay",
        "--date",
        "2025-04-04",
        "--source",
        "pretax",
        "--amount",
        "77",
    )
    _excess(db)
    return db


def _excess(db: Path) -> None:
    """gus and hal defer more than 402(g) allows in 2025; a corrective distribution takes part
    of gus's excess out (the EXCESS_DEFERRAL warning is settled from the recorded corrections)."""
    for who in ("gus", "hal"):
        _cli(db, "person", "add", who, "--born", "1990-01-01")
        _cli(db, "plan", "add", f"{who}-401k", "--person", who, "--employer", f"{who} Inc")
        for on in ("2025-03-01", "2025-09-01"):
            _cli(
                db,
                "contribution",
                "add",
                "--plan",
                f"{who}-401k",
                "--date",
                on,
                "--source",
                "pretax",
                "--amount",
                "12000",
            )
    _cli(
        db,
        "correction",
        "add",
        "--plan",
        "gus-401k",
        "--date",
        "2026-03-20",
        "--kind",
        "excess-deferral",
        "--tax-year",
        "2025",
        "--amount",
        "300",
        "--earnings",
        "10",
    )


def _cat(db: Path) -> None:
    """cat: after-tax contributions over two years with earnings, a Notice 2014-54 split to a Roth
    IRA, a backdoor Roth (nondeductible contribution converted), the IRA's Dec 31 value, basis
    carried in from before the ledger, a DRA withdrawal; dee: a Roth IRA distribution (left to
    the full path by the thin one)."""
    _cli(db, "person", "add", "cat", "--born", "1960-08-01")
    _cli(
        db,
        "plan",
        "add",
        "cat-401k",
        "--person",
        "cat",
        "--employer",
        "Cat Co",
        "--after-tax",
        "--in-plan-conversion",
        "--in-service-withdrawal",
        "--first-roth-year",
        "2019",
    )
    add = ["contribution", "add", "--plan", "cat-401k"]
    _cli(db, *add, "--date", "2024-03-01", "--source", "aftertax", "--amount", "20000")
    _cli(db, *add, "--date", "2025-03-01", "--source", "aftertax", "--amount", "15000")
    _cli(db, *add, "--date", "2025-03-01", "--source", "roth", "--amount", "5000")
    _cli(db, *add, "--date", "2025-03-01", "--source", "pretax", "--amount", "8000")
    earn = ["earnings", "add", "--plan", "cat-401k", "--source"]
    _cli(db, *earn, "aftertax", "--date", "2025-04-01", "--amount", "2500.55")
    _cli(db, *earn, "roth", "--date", "2025-04-01", "--amount", "100")
    _cli(
        db,
        "convert",
        "--plan",
        "cat-401k",
        "--date",
        "2025-05-01",
        "--amount",
        "36500.55",
        "--to",
        "roth-ira",
        "--earnings-to",
        "traditional-ira",
    )
    _cli(db, "convert", "--plan", "cat-401k", "--date", "2024-06-01", "--amount", "1000", "--to", "in-plan")
    _cli(
        db,
        "basis",
        "set",
        "--person",
        "cat",
        "--year",
        "2023",
        "--traditional",
        "1000",
        "--roth-contributions",
        "3000",
        "--conversion",
        "2019:5000:4000",
    )
    _cli(
        db,
        "ira",
        "contribute",
        "--person",
        "cat",
        "--date",
        "2025-02-01",
        "--account",
        "traditional",
        "--amount",
        "8000",
        "--tax-year",
        "2025",
        "--nondeductible",
        "8000",
    )
    _cli(db, "ira", "convert", "--person", "cat", "--date", "2025-02-05", "--amount", "8000")
    _cli(db, "ira", "value", "--person", "cat", "--year", "2025", "--amount", "2640.10")
    _cli(db, "person", "add", "dee", "--born", "1950-01-01")
    _cli(
        db,
        "ira",
        "contribute",
        "--person",
        "dee",
        "--date",
        "2024-02-01",
        "--account",
        "roth",
        "--amount",
        "7000",
        "--tax-year",
        "2024",
    )
    _cli(
        db,
        "ira",
        "distribute",
        "--person",
        "dee",
        "--date",
        "2025-06-01",
        "--account",
        "roth",
        "--amount",
        "600",
    )


FORMS = [
    [*form, "--person", who, "--year", year, *extra]
    for form in (["form", "1099-r"], ["form", "8606"], ["form", "1040"])
    for who, year in (("ann", "2025"), ("cat", "2025"), ("cat", "2024"))
    for extra in ([], ["--explain"], ["--round"])
]

READS = [
    *FORMS,
    ["form", "8606", "--person", "bob", "--year", "2025"],
    ["clocks", "--person", "ann", "--as-of", "2025-12-31"],
    ["clocks", "--person", "cat", "--as-of", "2025-12-31"],
    ["clocks", "--person", "cat", "--as-of", "2031-01-01"],
    ["clocks", "--person", "bob", "--as-of", "2025-06-30"],
    ["clocks", "--person", "dee", "--as-of", "2025-12-31"],
    ["person", "list"],
    ["headroom", "--person", "ann", "--year", "2025"],
    ["headroom", "--person", "ann", "--year", "2025", "--explain"],
    ["headroom", "--person", "ann", "--year", "2025", "--remaining-paychecks", "5"],
    [
        "headroom",
        "--person",
        "ann",
        "--year",
        "2025",
        "--remaining-paychecks",
        "3",
        "--expected-employer",
        "Acme Corp=1200",
    ],
    ["headroom", "--person", "bob", "--year", "2025"],
    ["headroom", "--person", "bob", "--year", "2024"],
    ["headroom", "--person", "bob", "--year", "2026", "--explain"],
    ["headroom", "--person", "gus", "--year", "2025"],
    ["headroom", "--person", "hal", "--year", "2025", "--explain"],
    ["contribution", "list"],
    ["contribution", "list", "--person", "ann", "--year", "2025"],
    ["contribution", "list", "--person", "bob"],
    ["contribution", "list", "--plan", "b-401k", "--person", "bob", "--year", "2024"],
    ["contribution", "list", "--plan", "b-401k", "--person", "fay"],
    ["contribution", "list", "--plan", "c-403b"],
    ["contribution", "list", "--person", "bob", "--plan", "g-457"],
]

#: the thin path leaves these to the full one (an IRA distribution's contribution check); same output
HANDED_OVER = [
    ["person", "list", "--year", "2025"],
    ["form", "1099-r", "--person", "dee", "--year", "2025"],
    ["form", "8606", "--person", "dee", "--year", "2025", "--explain"],
]

ERRORS = [
    ["form", "1040", "--person", "nobody", "--year", "2025"],
    ["form", "1099-r", "--person", "cat", "--year", "2023"],
    ["clocks", "--person", "nobody"],
    ["headroom", "--person", "nobody", "--year", "2025"],
    ["headroom", "--person", "bob", "--year", "2025", "--expected-employer", "Beta Inc=1"],
    ["contribution", "list", "--person", "nobody"],
    ["contribution", "list", "--plan", "nope"],
    ["contribution", "list", "--plan", "b-401k"],  # two people's
    ["contribution", "list", "--plan", "b-401k", "--person", "ann"],  # not ann's
    ["contribution", "list", "--plan", "c-403b", "--person", "nobody"],
]


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
@pytest.mark.parametrize("args", READS, ids=lambda a: " ".join(a))
def test_reads_print_the_same_on_both_paths(ledger, args, fmt, monkeypatch, served):
    argv = [*args, "--format", fmt]
    fast = run(ledger, argv, monkeypatch, fast=True)
    assert served, "the thin path did not serve the command"
    full = run(ledger, argv, monkeypatch, fast=False)
    assert fast == full
    assert fast[0] == 0


@pytest.mark.parametrize("args", HANDED_OVER, ids=lambda a: " ".join(a))
def test_cases_handed_to_the_full_path_print_the_same(ledger, args, monkeypatch, served):
    fast = run(ledger, [*args, "--format", "json"], monkeypatch, fast=True)
    assert not served
    assert fast == run(ledger, [*args, "--format", "json"], monkeypatch, fast=False)
    assert fast[0] == 0


@pytest.mark.parametrize("args", ERRORS, ids=lambda a: " ".join(a))
def test_errors_are_the_same_on_both_paths(ledger, args, monkeypatch, served):
    fast = run(ledger, args, monkeypatch, fast=True)
    full = run(ledger, args, monkeypatch, fast=False)
    assert fast == full
    assert fast[0] != 0 and fast[2].startswith("Error: ")


def _dump(db: Path, table: str, skip: tuple[str, ...] = ()) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in skip]
        return conn.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY id").fetchall()


_ADD = ["contribution", "add", "--plan"]

WRITES = [
    ["person", "add", "cid", "--born", "1990-01-01"],
    ["person", "add", "  dee  ", "--born", "1960-02-29"],
    ["person", "add", "ann", "--born", "1990-01-01"],  # already exists
    ["person", "add", "eve", "--born", "2100-01-01"],  # in the future
    ["person", "add", " ", "--born", "1990-01-01"],  # no name
    # acme-401k holds the OFX's balance assertions: their differences are figured again
    [*_ADD, "acme-401k", "--date", "2025-06-30", "--source", "pretax", "--amount", "100.00"],
    [*_ADD, "acme-401k", "--date", "2025-01-01", "--source", "aftertax", "--amount", "-5", "--memo", "x"],
    [
        *_ADD,
        "b-401k",
        "--person",
        "bob",
        "--date",
        "2025-12-31",
        "--source",
        "roth",
        "--amount",
        "1",
        "--tax-year",
        "2026",
    ],
    [
        *_ADD,
        "g-457",
        "--date",
        "2025-05-05",
        "--source",
        "match",
        "--amount",
        "$1,234.56",
        "--memo",
        "é\u2028",
    ],
    [*_ADD, "b-401k", "--person", "bob", "--date", "2025-01-01", "--source", "pretax", "--amount", "0"],
    [
        *_ADD,
        "b-401k",
        "--person",
        "bob",
        "--date",
        "2025-01-01",
        "--source",
        "pretax",
        "--amount",
        "1",
        "--tax-year",
        "2027",
    ],
    [
        *_ADD,
        "b-401k",
        "--person",
        "bob",
        "--date",
        "1971-01-01",
        "--source",
        "pretax",
        "--amount",
        "1",
    ],  # before birth
    [*_ADD, "nope", "--date", "2025-01-01", "--source", "pretax", "--amount", "1"],
    [*_ADD, "b-401k", "--date", "2025-01-01", "--source", "pretax", "--amount", "1"],  # two people's
    [*_ADD, "b-401k", "--person", "fay", "--date", "2025-01-01", "--source", "roth", "--amount", "2"],
    [*_ADD, "b-401k", "--person", "ann", "--date", "2025-01-01", "--source", "roth", "--amount", "2"],
    # a plan with a rollover to a Roth IRA: the full path (its IRA side follows the replay)
    [*_ADD, "cat-401k", "--date", "2025-01-05", "--source", "aftertax", "--amount", "10"],
]


@pytest.mark.parametrize("args", WRITES, ids=lambda a: " ".join(a))
def test_writes_store_the_same_on_both_paths(ledger, args, tmp_path, monkeypatch, served):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    shutil.copy(ledger, one)
    shutil.copy(ledger, two)
    fast = run(one, args, monkeypatch, fast=True)
    full = run(two, args, monkeypatch, fast=False)
    assert fast == full
    if fast[0] == 0 and "cat-401k" not in args:
        assert served, "the thin path did not serve the write"
    tables = (
        ("person", ()),
        ("change_log", ("at",)),
        ("entry", ()),
        ("balance_assertion", ()),
        ("ira_event", ()),
    )
    for table, skip in tables:
        assert _dump(one, table, skip) == _dump(two, table, skip)
    stamps = [r[0] for r in sqlite3.connect(one).execute("SELECT at FROM change_log")]
    assert all(len(s) == len("2025-01-01 00:00:00.000000") for s in stamps)


def test_thin_path_leaves_what_it_cannot_serve_to_the_full_path(ledger, tmp_path, monkeypatch, served):
    """A ledger others may read (the full path makes it private and says so), a missing one, and
    one whose schema revision is not this package's: never served thin."""
    copy = tmp_path / "shared.db"
    shutil.copy(ledger, copy)
    copy.chmod(0o644)
    code, _, err = run(copy, ["person", "list"], monkeypatch, fast=True)
    assert code == 0 and "made it private" in err and not served
    code, _, err = run(tmp_path / "missing.db", ["person", "list"], monkeypatch, fast=True)
    assert code != 0 and "no ledger at" in err and not served
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'zzzz_from_the_future'")
    code, _, err = run(copy, ["person", "list"], monkeypatch, fast=True)
    assert code != 0 and not served


@pytest.mark.parametrize("args", [READS[0], READS[-1], *READS[-20:-14]], ids=lambda a: " ".join(a))
def test_thin_reads_take_one_read_snapshot(ledger, args, monkeypatch, served):
    """One connection, one read transaction (``BEGIN``, never ``BEGIN IMMEDIATE``), rolled back."""
    opened, statements = [], []
    real = lite.open_lite
    connect = sqlite3.connect

    def spy_open(db, *, write=False, wait=None):
        opened.append(write)
        return real(db, write=write, wait=wait)

    def spy_connect(*a, **k):
        conn = connect(*a, **k)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(lite, "open_lite", spy_open)
    monkeypatch.setattr(lite.sqlite3, "connect", spy_connect)
    code, _, _ = run(ledger, args, monkeypatch, fast=True)
    assert code == 0 and served and opened == [False]
    begins = [s for s in statements if s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))]
    assert begins == ["BEGIN", "ROLLBACK"]
    assert not [s for s in statements if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]
