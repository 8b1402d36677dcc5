"""Issue 10: bounds identical on every backend, one-line errors for file-system and database
mistakes, and terminal safety for stored text."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Megaroth

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def one_line_error(result, *needles: str) -> str:
    out = result.output.strip()
    assert result.exit_code == 2, out
    assert len(out.splitlines()) == 1, out
    assert out.startswith("Error: ") and "Traceback" not in out
    for n in needles:
        assert n in out, out
    return out


# ------------------------------------------------------------------ bounds


@pytest.mark.parametrize(
    "amount",
    ["92233720368547758.07", "1000000000.01", "-1000000000.01", "9" * 5000, "123456789012345678901234567890"],
)
def test_amount_bound_on_options(ann, amount):
    r = ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-15",
        "--source",
        "pretax",
        "--amount",
        amount,
        ok=False,
    )
    one_line_error(r, "±1,000,000,000.00")
    assert ann.json("contribution", "list")["contributions"] == []


def test_the_largest_amount_inside_the_bound_is_accepted(ann):
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
        "1000000000.00",
    )
    assert ann.json("contribution", "list")["total"] == "1000000000.00"
    ann("headroom", "--person", "ann", "--year", "2025")  # and the reports still work


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
def test_date_bound_on_options(ann, date):
    r = ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        date,
        "--source",
        "pretax",
        "--amount",
        "10",
        ok=False,
    )
    one_line_error(r, "1900-01-01..2100-12-31")


def test_birth_date_bounds(megaroth, ann):
    one_line_error(
        megaroth("person", "add", "old", "--born", "0001-01-01", ok=False), "1900-01-01..2100-12-31"
    )
    megaroth("person", "add", "kid", "--born", "2015-06-01")
    megaroth("plan", "add", "kid-401k", "--person", "kid", "--employer", "E")
    r = megaroth(
        "contribution",
        "add",
        "--plan",
        "kid-401k",
        "--date",
        "2025-01-15",
        "--source",
        "pretax",
        "--amount",
        "10",
        ok=False,
    )
    one_line_error(r, "at least 14 years before any contribution")
    r = megaroth(
        "ira",
        "contribute",
        "--person",
        "kid",
        "--date",
        "2025-01-15",
        "--account",
        "roth",
        "--amount",
        "10",
        ok=False,
    )
    one_line_error(r, "at least 14 years")


def test_birth_date_bound_on_imported_rows(megaroth):
    megaroth("person", "add", "kid", "--born", "2020-06-01")
    megaroth("plan", "add", "acme-401k", "--person", "kid", "--employer", "Acme Corp", "--after-tax")
    r = megaroth("import", str(SAMPLES / "2025-acme-generic.csv"), "--plan", "acme-401k", ok=False)
    one_line_error(r, "2025-acme-generic.csv", "at least 14 years", "nothing was imported")
    assert megaroth.json("import", "list")["imports"] == []


@pytest.mark.parametrize(
    "name, why",
    [
        ("", "1-100 printable"),
        ("x" * 101, "1-100 printable"),
        ("a\x1b[31mb", "control"),
        ("tab\there", "control"),
        ("rtl\u202eevil", "control"),
    ],
)
def test_name_bounds(megaroth, name, why):
    r = megaroth("person", "add", name, "--born", "1985-04-02", ok=False)
    assert r.exit_code == 2 and (why in r.output or (not name and "needs a name" in r.output)), r.output
    assert "Traceback" not in r.output
    megaroth("person", "add", "ann", "--born", "1985-04-02")
    r = megaroth("plan", "add", name, "--person", "ann", "--employer", "E", ok=False)
    assert r.exit_code == 2 and why in r.output
    assert megaroth.json("plan", "list")["plans"] == []


def test_a_100_character_name_is_fine(megaroth):
    megaroth("person", "add", "é" * 100, "--born", "1985-04-02")


@pytest.mark.parametrize(
    "cell, why",
    [
        ("92233720368547758.07", "±1,000,000,000.00"),
        ("1000000000.01", "±1,000,000,000.00"),
        ("9" * 5000, "±1,000,000,000.00"),
    ],
)
def test_amount_bound_on_imported_rows(ann, tmp_path, cell, why):
    f = tmp_path / "x.csv"
    f.write_text(f"date,plan,source,type,amount\n2025-01-02,acme-401k,pretax,contribution,{cell}\n")
    r = ann("import", str(f), ok=False)
    assert r.exit_code == 2 and "x.csv:2: amount:" in r.output and why in r.output
    assert ann.json("import", "list")["imports"] == []


@pytest.mark.parametrize(
    "col, cell, why",
    [
        ("date", "0001-01-01", "1900-01-01..2100-12-31"),
        ("date", "9999-12-31", "1900-01-01..2100-12-31"),
        ("payroll_date", "2101-01-01", "1900-01-01..2100-12-31"),
        ("tax_year", "1899", "1900..2100"),
        ("fund_id", "F" * 51, "at most 50"),
        ("shares", "1" * 41, "more than 40"),
        ("external_id", "X" * 191, "at most 190"),
    ],
)
def test_bounds_on_imported_cells(ann, tmp_path, col, cell, why):
    f = tmp_path / "x.csv"
    row = {
        "date": "2025-01-02",
        "plan": "acme-401k",
        "source": "pretax",
        "type": "contribution",
        "amount": "1.00",
        col: cell,
    }
    f.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n")
    r = ann("import", str(f), ok=False)
    assert r.exit_code == 2 and f"x.csv:2: {col}:" in r.output and why in r.output, r.output


def test_a_row_with_an_extra_cell_is_refused_whole(ann, tmp_path):
    f = tmp_path / "f.csv"
    f.write_text(
        "date,plan,source,type,amount,memo\n"
        "2025-01-02,acme-401k,pretax,contribution,1.00,ok,\n"
        "2025-01-03,acme-401k,pretax,contribution,2.00,Smith, J\n"
    )
    r = ann("import", str(f), ok=False)
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    assert "f.csv: 1 bad row; nothing was imported" in r.output
    assert "f.csv:3: column 7: 7 cells but the header has 6 (extra: ' J')" in r.output
    assert ann.json("import", "list")["imports"] == []
    assert ann.sql("select count(*) from entry") == [(0,)]
    f.write_text(f.read_text().replace("Smith, J", '"Smith, J"'))
    assert ann.json("import", str(f))["rows_added"] == 2


def test_ofx_date_and_amount_bounds(ann, tmp_path):
    text = (SAMPLES / "2025-acme.ofx").read_text()
    first = text.index("<DTTRADE>")
    bad = text[:first] + "<DTTRADE>00010101" + text[first + len("<DTTRADE>20250115") :]
    f = tmp_path / "x.ofx"
    f.write_text(bad)
    r = ann("import", str(f), "--plan", "acme-401k", "--map", "OTHERVEST=roth_irr", ok=False)
    assert r.exit_code == 2 and "DTTRADE" in r.output and "1900-01-01..2100-12-31" in r.output


# ------------------------------------------------------------------ file system and database errors


def test_export_into_a_missing_folder_is_one_line(ann, tmp_path):
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
        "1",
    )
    r = ann("export", "--person", "ann", "--year", "2025", "-o", "/no/such/dir/x.xlsx", ok=False)
    one_line_error(r, "/no/such/dir/x.xlsx", "does not exist")


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs /sys (a folder nobody may write, root included)")
def test_export_into_an_unwritable_folder_is_one_line(ann):
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
        "1",
    )
    r = ann("export", "--person", "ann", "--year", "2025", "-o", "/sys/x.xlsx", ok=False)
    one_line_error(r, "/sys/x.xlsx")


@pytest.mark.sqlite_only
def test_db_that_is_not_a_database_is_one_line(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("these are my notes, not a ledger\n" * 100)
    before = junk.read_bytes()
    for args in (["person", "list"], ["person", "add", "ann", "--born", "1985-04-02"]):
        one_line_error(Megaroth(junk)(*args, ok=False), str(junk), "not a megaroth ledger")
    assert junk.read_bytes() == before


@pytest.mark.sqlite_only
def test_db_path_with_percent_and_question_mark(tmp_path):
    for name in ("100%.db", "what?.db", "a#b.db", "%(here)s.db"):
        m = Megaroth(tmp_path / name)
        m("person", "add", "ann", "--born", "1985-04-02")
        assert [(r["name"], r["born"]) for r in m.json("person", "list")["people"]] == [("ann", "1985-04-02")]
        assert (tmp_path / name).is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == sorted(
        ["100%.db", "what?.db", "a#b.db", "%(here)s.db"]
    )


@pytest.mark.sqlite_only
def test_db_that_is_a_folder_is_one_line(tmp_path):
    one_line_error(Megaroth(tmp_path)("person", "list", ok=False), "is a folder")


def test_import_of_a_folder_or_unreadable_file_is_one_line(ann, tmp_path):
    one_line_error(ann("import", str(tmp_path), "--plan", "acme-401k", ok=False), "is a directory")
    one_line_error(ann("import", str(tmp_path / "nope.csv"), "--plan", "acme-401k", ok=False), "no such file")


def _unshare_ok() -> bool:
    if not shutil.which("unshare") or sys.platform != "linux":
        return False
    return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0


@pytest.mark.sqlite_only
@pytest.mark.skipif(not _unshare_ok(), reason="needs user+mount namespaces to make a read-only file system")
def test_ledger_on_a_read_only_file_system(tmp_path, ann):
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
        "1",
    )
    folder = ann.db.parent
    script = (
        f"mount --bind {folder} {folder} && mount -o remount,ro,bind {folder} {folder} && "
        f"cd {ROOT} && for a in 'person list' 'person add bob --born 1990-01-01' "
        f"'export --person ann --year 2025 -o {folder}/x.xlsx'; do "
        f'{sys.executable} -m megaroth_ledger --db {ann.db} $a; echo "rc=$?"; done'
    )
    r = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in r.stderr, r.stderr
    import re

    assert re.findall(r"rc=(\d+)", r.stdout) == ["0", "2", "2"], (r.stdout, r.stderr)
    assert "ann" in r.stdout  # reading works on a read-only disk
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 2 and all("read-only" in e for e in errors), r.stderr


# ------------------------------------------------------------------ terminal safety


NASTY_MEMO = (
    "pay\x1b]0;owned\x07day \x1b[2J\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\ \x9b31m [red]x[/red]"
)


def test_control_characters_in_stored_text_are_escaped_in_tables(ann):
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
        "--memo",
        NASTY_MEMO,
    )
    out = ann("contribution", "list").stdout
    assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out
    assert "\\x1b]0;owned\\x07" in out.replace("\n", "").replace(" ", "") or "\\x1b" in out
    assert "[red]x[/red]" in out.replace("\n", "")  # rich markup in data is shown, not applied
    js = ann("contribution", "list", "--format", "json").stdout
    assert "\x1b" not in js and "\x9b" not in js
    assert json.loads(js)["contributions"][0]["memo"] == NASTY_MEMO  # JSON keeps the exact value


def test_imported_memos_reach_tables_escaped(ann, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text(
        "date,plan,source,type,amount,memo\n2025-01-02,acme-401k,pretax,contribution,1.00,"
        '"a\x1b[2Jb\x1b]0;t\x07"\n',
        encoding="utf-8",
    )
    ann("import", str(f))
    out = ann("contribution", "list").stdout
    assert "\x1b" not in out and "\\x1b[2J" in out


def test_next_hints_are_shell_quoted(megaroth):
    r = megaroth("person", "add", "ann o'neil", "--born", "1985-04-02")
    assert "--person 'ann o'\"'\"'neil'" in r.stdout
    r = megaroth("plan", "add", "my plan;rm", "--person", "ann o'neil", "--employer", "E")
    assert "--plan 'my plan;rm' " in r.stdout
