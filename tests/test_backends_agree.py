"""Issue 13 "must show": the README session on SQLite and on PostgreSQL gives byte-identical
JSON for headroom, every form and the clocks (and the year report, the client overview and a
statement import's summary)."""

from __future__ import annotations

import shlex
from pathlib import Path

from tests.conftest import Megaroth

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
SAMPLE = ROOT / "samples" / "2025-acme-generic.csv"

REPORTS = [
    ["headroom", "--person", "ann", "--year", "2025"],
    [
        "headroom",
        "--person",
        "ann",
        "--year",
        "2025",
        "--remaining-paychecks",
        "2",
        "--expected-employer",
        "384.62",
    ],
    ["form", "1099-r", "--person", "ann", "--year", "2025"],
    ["form", "1099-r", "--person", "ann", "--year", "2025", "--explain"],
    ["form", "8606", "--person", "ann", "--year", "2025"],
    ["form", "8606", "--person", "ann", "--year", "2025", "--explain", "--round"],
    ["form", "1040", "--person", "ann", "--year", "2025"],
    ["form", "1040", "--person", "ann", "--year", "2025", "--explain"],
    ["form", "5329", "--person", "ann", "--year", "2025"],
    ["clocks", "--person", "ann", "--as-of", "2027-03-01"],
    ["withdraw", "--person", "ann", "--amount", "8000", "--date", "2027-06-01"],
    ["contribution", "list", "--person", "ann", "--year", "2025"],
    ["report", "year", "--person", "ann", "--year", "2025"],
    # a second client imported from a statement, same plan name as nobody else's
    ["headroom", "--person", "bob", "--year", "2025"],
    ["form", "1099-r", "--person", "bob", "--year", "2025"],
    ["form", "8606", "--person", "bob", "--year", "2025"],
    ["form", "1040", "--person", "bob", "--year", "2025"],
    ["form", "5329", "--person", "bob", "--year", "2025"],
    ["form", "1040", "--household", "ann-and-bob", "--year", "2025", "--explain"],
    ["report", "year", "--household", "ann-and-bob", "--year", "2025"],
    ["clocks", "--person", "bob", "--as-of", "2027-03-01"],
    ["person", "list", "--year", "2025"],
    ["report", "year", "--all-people", "--year", "2025"],
    ["check", "--all-people", "--year", "2025"],
]


def _session(m: Megaroth, workdir: Path, monkeypatch) -> list[str]:
    monkeypatch.chdir(workdir)
    (workdir / "samples").symlink_to(ROOT / "samples")  # the README's commands name samples/...
    out = []
    for line in README.splitlines():
        if line.strip().startswith("$ megaroth "):
            argv = shlex.split(line.strip()[2:])[1:]
            r = m(*argv)
            if "--format" in argv and "json" in argv:
                out.append(r.stdout)
    m("person", "add", "bob", "--born", "1979-09-30")
    m(
        "plan",
        "add",
        "acme-401k",
        "--person",
        "bob",
        "--employer",
        "Acme Corp",
        "--after-tax",
        "--in-plan-conversion",
    )
    imported = m.json("import", str(SAMPLE), "--person", "bob")
    m("household", "add", "ann-and-bob", "--members", "ann,bob")
    imported.pop("sha256")
    out.append(repr(imported))
    for argv in REPORTS:
        out.append(m(*argv, "--format", "json", ok=argv[0] != "check").stdout)
    return out


def test_readme_session_gives_byte_identical_json_on_sqlite_and_postgresql(pg_server, tmp_path, monkeypatch):
    name = pg_server.new_database()
    try:
        pg = Megaroth(pg_server.url(name), backend="postgresql")
        lite = Megaroth(tmp_path / "lite" / "ledger.db")
        (tmp_path / "lite").mkdir()
        (tmp_path / "pg").mkdir()
        on_sqlite = _session(lite, tmp_path / "lite", monkeypatch)
        on_pg = _session(pg, tmp_path / "pg", monkeypatch)
    finally:
        pg_server.drop(name)
    first = len(on_sqlite) - len(REPORTS)  # the README's --format json commands and the import
    json_commands = [
        ln for ln in README.splitlines() if ln.strip().startswith("$ megaroth ") and "--format json" in ln
    ]
    assert first == len(json_commands) + 1 >= 3 and len(on_pg) == len(on_sqlite)
    what = ["README command"] * (first - 1) + ["import"] + [" ".join(r) for r in REPORTS]
    for label, a, b in zip(what, on_sqlite, on_pg):
        assert a == b, label
    assert '"box1": "20500.00"' in on_pg[first + 2]  # not vacuous: the 1099-R has the conversion
    assert "'rows_added': 304" in on_pg[first - 1]
