"""Missing ledgers and private files (issue 10).

- A reading command refuses a ``--db`` that does not exist, creating nothing (no folders
  either); a writing command creates it and says so on stderr.
- Every file megaroth writes is 0600 whatever the umask, folders it creates are 0700, an
  existing ledger readable by others is tightened with a one-line note, and a dangling
  symlink is never followed to create a file.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Megaroth

pytestmark = pytest.mark.sqlite_only  # files, folders and modes of a SQLite ledger

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def run(*args: str, umask: int = 0o022, env_extra=None, cwd=ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("MEGAROTH_DB", "MEGAROTH_WAIT")}
    env.update(env_extra or {})

    def pre():
        os.umask(umask)

    return subprocess.run(
        [sys.executable, "-m", "megaroth_ledger", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=pre,
        timeout=300,
    )


READERS = [
    ["person", "list"],
    ["plan", "list"],
    ["headroom", "--person", "ann", "--year", "2025"],
    ["contribution", "list"],
    ["import", "list"],
    ["form", "1099-r", "--person", "ann", "--year", "2025"],
    ["clocks", "--person", "ann"],
    ["report", "year", "--person", "ann", "--year", "2025"],
]


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a[:2]))
def test_a_reading_command_refuses_a_missing_ledger_and_creates_nothing(tmp_path, args):
    db = tmp_path / "no" / "such" / "folder" / "ledger.db"
    result = Megaroth(db)(*args, ok=False)
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: no ledger at {db}; 'megaroth person add' creates one"
    assert not (tmp_path / "no").exists()


def test_default_location_is_not_created_by_a_reader(tmp_path):
    data = tmp_path / "xdg"
    r = run("person", "list", env_extra={"XDG_DATA_HOME": str(data)})
    assert r.returncode == 2 and "no ledger at" in r.stderr and not data.exists()
    r = run("person", "add", "ann", "--born", "1985-04-02", umask=0, env_extra={"XDG_DATA_HOME": str(data)})
    assert r.returncode == 0, r.stderr
    ledger = data / "megaroth-ledger" / "ledger.db"
    assert r.stderr.strip() == f"created new ledger at {ledger}"
    assert mode(data) == 0o700 and mode(ledger.parent) == 0o700 and mode(ledger) == 0o600


def test_a_writing_command_creates_the_ledger_and_says_so(tmp_path):
    db = tmp_path / "new" / "ledger.db"
    r = run("--db", str(db), "person", "add", "ann", "--born", "1985-04-02")
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == f"created new ledger at {db}"
    assert "created" not in run("--db", str(db), "person", "list").stderr


def test_every_file_is_private_whatever_the_umask(tmp_path):
    db = tmp_path / "sub" / "ledger.db"
    steps = [
        ["person", "add", "ann", "--born", "1985-04-02"],
        [
            "plan",
            "add",
            "acme-401k",
            "--person",
            "ann",
            "--employer",
            "Acme",
            "--after-tax",
            "--in-plan-conversion",
        ],
        ["import", str(SAMPLES / "2025-acme-generic.csv"), "--plan", "acme-401k"],
        ["export", "--person", "ann", "--year", "2025", "-o", str(tmp_path / "out" / "ann.xlsx")],
    ]
    (tmp_path / "out").mkdir()
    for args in steps:
        r = run("--db", str(db), *args, umask=0)
        assert r.returncode == 0, (args, r.stderr)
        for p in db.parent.iterdir():  # the ledger and its -wal/-shm
            assert mode(p) == 0o600, p
    assert mode(db.parent) == 0o700
    assert mode(tmp_path / "out" / "ann.xlsx") == 0o600
    assert not list((tmp_path / "out").glob("*.part"))


def test_an_existing_ledger_readable_by_others_is_tightened_with_a_note(tmp_path, megaroth):
    megaroth("person", "add", "ann", "--born", "1985-04-02")
    os.chmod(megaroth.db, 0o644)
    r = megaroth("person", "list")
    assert mode(megaroth.db) == 0o600
    assert f"note: {megaroth.db} was readable by other users; made it private (mode 0600)" in r.stderr
    assert "readable" not in megaroth("person", "list").stderr


def test_a_dangling_symlink_is_never_followed_to_create_a_ledger(tmp_path):
    target = tmp_path / "elsewhere" / "ledger.db"
    link = tmp_path / "link.db"
    link.symlink_to(target)
    r = Megaroth(link)("person", "add", "ann", "--born", "1985-04-02", ok=False)
    assert r.exit_code == 2 and "dangling symbolic link" in r.output
    assert not target.exists() and not target.parent.exists()


def test_a_dangling_symlink_is_never_followed_to_write_a_workbook(tmp_path, ann):
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
        "100",
    )
    target = tmp_path / "victim.xlsx"
    link = tmp_path / "out.xlsx"
    link.symlink_to(target)
    r = ann("export", "--person", "ann", "--year", "2025", "-o", str(link), ok=False)
    assert r.exit_code == 2 and "dangling symbolic link" in r.output
    assert not target.exists()


def test_a_stale_part_file_is_replaced_not_trusted(tmp_path, ann):
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
        "100",
    )
    out = tmp_path / "ann.xlsx"
    part = tmp_path / "ann.xlsx.part"
    part.write_bytes(b"junk")
    os.chmod(part, 0o666)
    ann("export", "--person", "ann", "--year", "2025", "-o", str(out))
    assert mode(out) == 0o600 and not part.exists() and out.read_bytes()[:2] == b"PK"
