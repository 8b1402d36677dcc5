"""Schema upgrades on SQLite are one transaction (issue 10): ``kill -9`` at any moment leaves
the old schema or the new one, never a half; leftovers of an older crash are cleaned up; the
pre-upgrade backup is written under a temporary name, synced, then renamed.

The upgrade runs from the *oldest* revision (populated at that revision) through every
revision that exists plus a test-only one that rebuilds ``entry`` and ``plan`` with
``batch_alter_table(recreate="always")``: the worst case (copy the big table, drop the
original, rename; ``plan`` has children with ON DELETE CASCADE and RESTRICT).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from megaroth_ledger.errors import UserError
from megaroth_ledger.store import db as store_db
from megaroth_ledger.store import revision as store_revision

ROOT = Path(__file__).resolve().parents[1]
#: kills in `make test`; `make killtest` runs many more (MEGAROTH_KILL_TEST_KILLS)
KILLS = int(os.environ.get("MEGAROTH_KILL_TEST_KILLS", "10"))
ENTRY_ROWS = 40_000
SYNTHETIC = "9900_kill_test_rebuild"


def _revisions(tree: Path):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(tree))
    script = ScriptDirectory.from_config(cfg)
    base = [r.revision for r in script.walk_revisions() if r.down_revision is None]
    return script.get_heads(), base


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """The real migrations plus a synthetic head that rebuilds entry and plan."""
    tree = tmp_path_factory.mktemp("mig") / "migrations"
    shutil.copytree(store_db.migrations_dir(), tree, ignore=shutil.ignore_patterns("__pycache__"))
    heads, _ = _revisions(tree)
    (tree / "versions" / f"{SYNTHETIC}.py").write_text(
        textwrap.dedent(f"""
        from alembic import op
        import sqlalchemy as sa

        revision = {SYNTHETIC!r}
        down_revision = {tuple(sorted(heads)) if len(heads) > 1 else heads[0]!r}
        branch_labels = None
        depends_on = None


        def upgrade():
            with op.batch_alter_table("entry", recreate="always") as b:
                b.add_column(sa.Column("kill_test", sa.Integer(), nullable=True))
            with op.batch_alter_table("plan", recreate="always") as b:
                b.add_column(sa.Column("kill_test", sa.Integer(), nullable=True))


        def downgrade():
            with op.batch_alter_table("plan") as b:
                b.drop_column("kill_test")
            with op.batch_alter_table("entry") as b:
                b.drop_column("kill_test")
        """)
    )
    return tree


def _upgrade_to(path: Path, tree: Path, revision: str) -> None:
    from alembic import command

    engine = store_db.make_engine(store_db.resolve_url(str(path)))
    cfg = store_db._alembic_config()
    cfg.set_main_option("script_location", str(tree))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as c:
        out = {
            t: c.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t in ("person", "plan", "wages", "entry", "received_1099r")
        }
        out["entry_sum"] = c.execute("SELECT sum(amount_cents) FROM entry").fetchone()[0]
    c.close()
    return out


@pytest.fixture(scope="module")
def populated(tree, tmp_path_factory) -> Path:
    """A ledger at the oldest revision, populated with raw SQL at that revision's schema."""
    path = tmp_path_factory.mktemp("tpl") / "ledger.db"
    _, base = _revisions(tree)
    _upgrade_to(path, tree, base[0])
    with sqlite3.connect(path) as c:
        c.execute("INSERT INTO person (id, name, born) VALUES (1, 'ann', '1985-04-02')")
        for pid in (1, 2):
            c.execute(
                "INSERT INTO plan (id, name, person_id, employer, kind, after_tax, in_plan_conversion, "
                "in_service_withdrawal) VALUES (?, ?, 1, 'Acme', '401k', 1, 1, 0)",
                (pid, f"p{pid}"),
            )
            c.execute(
                "INSERT INTO wages (plan_id, year, compensation_cents) VALUES (?, 2025, 20000000)", (pid,)
            )
            c.execute(
                "INSERT INTO received_1099r (plan_id, year, box1_cents, recorded_at) "
                "VALUES (?, 2025, 100, '2026-01-01 00:00:00')",
                (pid,),
            )
        c.executemany(
            "INSERT INTO entry (plan_id, date, tax_year, source, type, amount_cents, status, identity, memo) "
            "VALUES (?, ?, 2025, 'aftertax', 'contribution', ?, 'posted', ?, 'paycheck memo text')",
            [
                (1 + i % 2, f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", 100 + i, f"h:{i}")
                for i in range(ENTRY_ROWS)
            ],
        )
    c.close()
    return path


UPGRADER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from megaroth_ledger.store import db, revision
    db.migrations_dir = lambda: Path(sys.argv[2])
    revision.SCHEMA_HEADS = frozenset({sys.argv[3]})
    print("go", flush=True)
    db.open_ledger(sys.argv[1]).dispose()
    print("done", flush=True)
""")


def _start(path: Path, tree: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", UPGRADER, str(path), str(tree), SYNTHETIC],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "go", proc.stderr.read()
    return proc


def _state(path: Path) -> tuple[str, bool, list[str]]:
    """(version, entry has the synthetic column, leftover tables), read without megaroth."""
    with sqlite3.connect(path) as c:
        version = c.execute("SELECT group_concat(version_num) FROM alembic_version").fetchone()[0]
        cols = [r[1] for r in c.execute("PRAGMA table_info(entry)")]
        plan_cols = [r[1] for r in c.execute("PRAGMA table_info(plan)")]
        tables = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    c.close()
    assert ("kill_test" in cols) == ("kill_test" in plan_cols), "half the synthetic revision applied"
    return version, "kill_test" in cols, [t for t in tables if t.startswith("_alembic_tmp_")]


@pytest.mark.slow
def test_kill_9_at_random_points_of_an_upgrade_never_leaves_half_a_schema(tree, populated, tmp_path):
    expected = _counts(populated)
    _, base = _revisions(tree)
    heads, _ = _revisions(store_db.migrations_dir())
    # how long one uninterrupted upgrade takes after "go" (the kills land within it)
    probe = tmp_path / "probe.db"
    shutil.copy(populated, probe)
    proc = _start(probe, tree)
    t0 = time.monotonic()
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    span = time.monotonic() - t0
    assert _state(probe)[:2] == (SYNTHETIC, True) and _counts(probe) == expected
    rng = random.Random(int(os.environ.get("MEGAROTH_KILL_SEED", "10")))
    outcomes = {"old": 0, "new": 0}
    opened = 0
    for i in range(KILLS):
        path = tmp_path / f"k{i}" / "ledger.db"
        path.parent.mkdir()
        shutil.copy(populated, path)
        proc = _start(path, tree)
        time.sleep(rng.uniform(0, span))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        version, rebuilt, leftovers = _state(path)
        assert not leftovers
        if rebuilt:
            assert version == SYNTHETIC
            outcomes["new"] += 1
        else:
            assert version == base[0], version
            outcomes["old"] += 1
        for bak in path.parent.glob("ledger.db.bak-*"):
            if ".part" in bak.name:
                continue  # an interrupted backup keeps its temporary name
            with sqlite3.connect(bak) as b:  # a finished backup is whole
                assert b.execute("SELECT count(*) FROM entry").fetchone()[0] == ENTRY_ROWS
            b.close()
        # megaroth opens it afterwards (finishing the upgrade) and nothing is lost
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(store_db, "migrations_dir", lambda: tree)
            mp.setattr(store_revision, "SCHEMA_HEADS", frozenset({SYNTHETIC}))
            store_db.open_ledger(str(path)).dispose()
        assert _state(path)[:2] == (SYNTHETIC, True)
        assert _counts(path) == expected
        opened += 1
    from tests.conftest import REPORT_LINES

    REPORT_LINES.append(
        f"kill -9 upgrade test: {KILLS} kills at random points ({outcomes['old']} before the "
        f"commit, {outcomes['new']} after), {opened} ledgers open afterwards, nothing lost (upgrade "
        f"{base[0]} -> {', '.join(heads)} -> {SYNTHETIC}, {ENTRY_ROWS} entries, {span:.2f} s)"
    )
    assert opened == KILLS
    assert outcomes["old"] > 0  # some kills did land inside the upgrade


def test_the_upgrade_is_one_transaction(tree, populated, tmp_path, monkeypatch):
    """A failure after the rebuild of entry (in the same upgrade) rolls back everything."""
    path = tmp_path / "ledger.db"
    shutil.copy(populated, path)
    broken = tmp_path / "broken"
    shutil.copytree(tree, broken)
    rev = broken / "versions" / f"{SYNTHETIC}.py"
    rev.write_text(
        rev.read_text().replace(
            'b.add_column(sa.Column("kill_test", sa.Integer(), nullable=True))\n\n\ndef downgrade',
            'b.add_column(sa.Column("kill_test", sa.Integer(), nullable=True))\n    raise RuntimeError("boom")'
            "\n\n\ndef downgrade",
            1,
        )
    )
    assert "boom" in rev.read_text()
    monkeypatch.setattr(store_db, "migrations_dir", lambda: broken)
    monkeypatch.setattr(store_revision, "SCHEMA_HEADS", frozenset({SYNTHETIC}))
    before = _state(path)
    with pytest.raises(RuntimeError, match="boom"):
        store_db.open_ledger(str(path))
    assert _state(path) == before and _counts(path) == _counts(populated)


def test_cascading_children_survive_a_rebuild_of_their_parent(tree, populated, tmp_path, monkeypatch):
    """plan is dropped and renamed back: with foreign keys on, that would delete (CASCADE) the
    wages and 1099-R rows or fail (RESTRICT from entry)."""
    path = tmp_path / "ledger.db"
    shutil.copy(populated, path)
    monkeypatch.setattr(store_db, "migrations_dir", lambda: tree)
    monkeypatch.setattr(store_revision, "SCHEMA_HEADS", frozenset({SYNTHETIC}))
    ledger = store_db.open_ledger(str(path))
    ledger.dispose()
    assert _counts(path) == _counts(populated)
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []
    c.close()


def test_leftover_of_an_older_crash_is_dropped(tree, populated, tmp_path, monkeypatch):
    """What a kill -9 during a non-atomic batch upgrade left: ``_alembic_tmp_entry`` beside
    the intact ``entry``; every command then failed with 'table _alembic_tmp_entry already exists'."""
    path = tmp_path / "ledger.db"
    shutil.copy(populated, path)
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE _alembic_tmp_entry AS SELECT * FROM entry LIMIT 10")
    c.close()
    monkeypatch.setattr(store_db, "migrations_dir", lambda: tree)
    monkeypatch.setattr(store_revision, "SCHEMA_HEADS", frozenset({SYNTHETIC}))
    ledger = store_db.open_ledger(str(path))
    assert ledger.migration.leftovers_dropped == ["_alembic_tmp_entry"]
    ledger.dispose()
    assert _state(path) == (SYNTHETIC, True, []) and _counts(path) == _counts(populated)


def test_leftover_whose_original_is_gone_points_at_the_backup(tree, populated, tmp_path, monkeypatch):
    path = tmp_path / "ledger.db"
    shutil.copy(populated, path)
    with sqlite3.connect(path) as c:
        c.execute("ALTER TABLE received_1099r RENAME TO _alembic_tmp_received_1099r")
    c.close()
    monkeypatch.setattr(store_db, "migrations_dir", lambda: tree)
    monkeypatch.setattr(store_revision, "SCHEMA_HEADS", frozenset({SYNTHETIC}))
    with pytest.raises(UserError, match=r"half-upgraded.*restore the backup"):
        store_db.open_ledger(str(path))


def test_backup_is_written_under_a_temporary_name_then_renamed(tree, populated, tmp_path, monkeypatch):
    path = tmp_path / "ledger.db"
    shutil.copy(populated, path)
    stale = path.with_name("ledger.db.bak-20250101T000000000000Z.part")
    stale.write_bytes(b"half a backup")  # what a kill during an earlier backup left
    stale.with_name(stale.name + "-journal").write_bytes(b"its journal")
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append((Path(src).name, Path(dst).name, Path(src).stat().st_size))
        return real_replace(src, dst)

    monkeypatch.setattr(store_db.os, "replace", spy)
    monkeypatch.setattr(store_db, "migrations_dir", lambda: tree)
    monkeypatch.setattr(store_revision, "SCHEMA_HEADS", frozenset({SYNTHETIC}))
    ledger = store_db.open_ledger(str(path))
    backup = ledger.migration.backup
    ledger.dispose()
    assert (
        len(seen) == 1
        and seen[0][0] == backup.name + ".part"
        and seen[0][1] == backup.name
        and seen[0][2] > 0
    )
    assert not stale.exists() and not list(tmp_path.glob("*.part*"))
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    with sqlite3.connect(backup) as b:
        assert b.execute("SELECT count(*) FROM entry").fetchone()[0] == ENTRY_ROWS
    b.close()
