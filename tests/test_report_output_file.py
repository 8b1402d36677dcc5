"""`-o FILE` on every command with --format (issue 10's gap "CSV with -o"): the report written to
FILE, 0600 whatever the umask, atomically; without --format CSV (JSON for FILE.json); `-o -` is
standard output; a bad FILE is one line, nothing written."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.fixture
def ledger(ann):
    ann("import", str(SAMPLES / "2025-acme-generic.csv"), "--plan", "acme-401k")
    return ann


HEADROOM = ("headroom", "--person", "ann", "--year", "2025")


def test_csv_to_a_file_is_what_stdout_shows(ledger, tmp_path):
    want = ledger(*HEADROOM, "--format", "csv").stdout
    target = tmp_path / "headroom.csv"
    res = ledger(*HEADROOM, "-o", str(target))  # no --format: CSV
    assert res.stdout == ""
    assert target.read_text(encoding="utf-8") == want and want.count("\n") > 3
    assert mode(target) == 0o600
    assert not list(tmp_path.glob("*.part"))
    ledger(*HEADROOM, "--format", "csv", "--section", "employers", "--output", str(target))
    assert target.read_text() == ledger(*HEADROOM, "--format", "csv", "--section", "employers").stdout


def test_json_by_extension_or_format_and_table_when_asked(ledger, tmp_path):
    ledger(*HEADROOM, "-o", str(tmp_path / "h.json"))
    data = json.loads((tmp_path / "h.json").read_text())
    assert data == ledger.json(*HEADROOM)
    ledger(*HEADROOM, "--format", "json", "-o", str(tmp_path / "h.txt"))
    assert json.loads((tmp_path / "h.txt").read_text()) == data
    ledger(*HEADROOM, "--format", "table", "-o", str(tmp_path / "h.table"))
    table = (tmp_path / "h.table").read_text()
    shown = ledger(*HEADROOM).stdout.splitlines(keepends=True)
    cut = next((i for i, line in enumerate(shown) if line.startswith("warning [")), len(shown))
    assert table == "".join(shown[:cut])  # the warnings go to stderr
    assert "Acme" in table and "\x1b[" not in table


def test_dash_is_standard_output(ledger):
    res = ledger("contribution", "list", "--person", "ann", "-o", "-")
    assert res.stdout == ledger("contribution", "list", "--person", "ann", "--format", "csv").stdout
    assert res.stdout.startswith("section,")


def test_other_reports_and_record_commands(ledger, tmp_path):
    for args, name in (
        (("form", "8606", "--person", "ann", "--year", "2025"), "f8606.csv"),
        (("check",), "check.csv"),
        (("log",), "log.json"),
        (("reconcile", "status", "--person", "ann", "--year", "2025"), "status.csv"),
    ):
        res = ledger(*args, "-o", str(tmp_path / name), ok=False)
        assert res.exit_code in (0, 1) and res.stdout == "", args
        assert (tmp_path / name).stat().st_size > 0 and mode(tmp_path / name) == 0o600
    assert (tmp_path / "check.csv").read_text().startswith("name,status,message,records")
    assert isinstance(json.loads((tmp_path / "log.json").read_text()), list)
    # an rm's line goes to the file too
    ledger("contribution", "rm", "1", "--format", "table", "-o", str(tmp_path / "rm.txt"))
    assert (tmp_path / "rm.txt").read_text().startswith("removed contribution #1:")


@pytest.mark.parametrize("target", ["/no/such/dir/x.csv", "DIR"])
def test_a_bad_file_is_one_line_and_nothing_is_written(ledger, tmp_path, target):
    target = str(tmp_path) if target == "DIR" else target
    res = ledger(*HEADROOM, "-o", target, ok=False)
    assert res.exit_code != 0 and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1 and res.output.startswith("Error:")
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.sqlite_only
def test_private_whatever_the_umask(tmp_path):
    db = tmp_path / "ledger.db"
    env = {k: v for k, v in os.environ.items() if k not in ("MEGAROTH_DB", "MEGAROTH_WAIT")}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "megaroth_ledger", "--db", str(db), *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            preexec_fn=lambda: os.umask(0),
            timeout=300,
        )

    assert run("person", "add", "ann", "--born", "1985-04-02").returncode == 0
    r = run("person", "list", "-o", str(tmp_path / "people.csv"))
    assert r.returncode == 0, r.stderr
    assert mode(tmp_path / "people.csv") == 0o600
    assert "ann" in (tmp_path / "people.csv").read_text()
