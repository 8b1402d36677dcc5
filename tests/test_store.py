"""Database: migrations agree with the models, files are private, upgrades back up first,
and a database from a newer megaroth is refused."""

import shutil
import sqlite3
import stat
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from megaroth_ledger.errors import UserError
from megaroth_ledger.store import db as store_db
from megaroth_ledger.store import revision as store_revision
from megaroth_ledger.store.models import Base


def test_autogenerate_finds_no_difference(megaroth):
    ledger = megaroth.open()
    with ledger.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    ledger.dispose()
    assert diff == []


@pytest.mark.sqlite_only
def test_new_database_is_private_and_uses_wal_and_foreign_keys(tmp_path):
    path = tmp_path / "sub" / "x.db"
    ledger = store_db.open_ledger(str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with ledger.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == store_db.BUSY_TIMEOUT_MS
    assert ledger.migration.created


def test_reopening_is_a_no_op(tmp_path):
    path = tmp_path / "x.db"
    store_db.open_ledger(str(path)).dispose()
    again = store_db.open_ledger(str(path))
    assert not again.migration.created and again.migration.backup is None


def test_schema_heads_constant_matches_the_migration_tree():
    heads = frozenset(_current_heads_tuple())
    assert store_revision.SCHEMA_HEADS == heads, (
        f"migrations/versions has head(s) {sorted(heads)} but megaroth_ledger/store/revision.py says "
        f"{sorted(store_revision.SCHEMA_HEADS)}: set SCHEMA_HEADS = frozenset({set(sorted(heads))!r}) there "
        "(opening a ledger compares its alembic_version with that constant and skips Alembic when equal)"
    )


def test_opening_a_current_ledger_does_not_import_alembic(tmp_path):
    path = tmp_path / "x.db"
    store_db.open_ledger(str(path)).dispose()
    code = (
        "import sys\nfrom megaroth_ledger.store.db import open_ledger\n"
        f"led = open_ledger({str(path)!r})\n"
        "print('ALEMBIC', [m for m in sys.modules if m.split('.')[0] == 'alembic'], led.migration)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "ALEMBIC []" in out and "created=False" in out


def test_a_stale_stamp_still_goes_through_alembic(tmp_path, monkeypatch):
    """A database stamped with anything but SCHEMA_HEADS is upgraded (or refused) by Alembic."""
    path = tmp_path / "x.db"
    store_db.open_ledger(str(path)).dispose()
    with sqlite3.connect(path) as c:
        c.execute("UPDATE alembic_version SET version_num = 'f00d'")
    c.close()
    with pytest.raises(UserError, match="newer megaroth.*f00d"):
        store_db.open_ledger(str(path))
    assert not store_db._schema_is_current(store_db.make_engine(f"sqlite:///{tmp_path / 'new.db'}"))


def test_env_var_and_default_location(tmp_path, monkeypatch):
    monkeypatch.setenv("MEGAROTH_DB", str(tmp_path / "env.db"))
    assert store_db.resolve_url(None) == f"sqlite:///{tmp_path / 'env.db'}"
    assert store_db.resolve_url("postgresql://u@h/db") == "postgresql://u@h/db"
    monkeypatch.delenv("MEGAROTH_DB")
    assert store_db.resolve_url(None).endswith("ledger.db")


@pytest.fixture
def newer_migrations(tmp_path, monkeypatch):
    """A copy of the migration tree with one extra revision, standing in for a future release."""
    tree = tmp_path / "migrations"
    shutil.copytree(store_db.migrations_dir(), tree, ignore=shutil.ignore_patterns("__pycache__"))
    # the tree's real head(s) (revision ids are descriptive, e.g. "0002_opening_basis", and the
    # chain is linear: the newest revision is the only head)
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(tree))
    heads = list(ScriptDirectory.from_config(cfg).get_heads())
    (tree / "versions" / "9999_future.py").write_text(
        "from alembic import op\nimport sqlalchemy as sa\n"
        f"revision = '9999'\ndown_revision = {tuple(sorted(heads))!r}\nbranch_labels = None\ndepends_on = None\n"
        "def upgrade():\n    op.create_table('future_thing', sa.Column('id', sa.Integer, primary_key=True))\n"
        "def downgrade():\n    op.drop_table('future_thing')\n"
    )
    # a newer release is built with the newer head (store/revision.py says so)
    monkeypatch.setattr(store_revision, "SCHEMA_HEADS", frozenset({"9999"}))
    return tree


def _current_heads_tuple():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(store_db.migrations_dir()))
    return ScriptDirectory.from_config(cfg).get_heads()


@pytest.mark.sqlite_only  # PostgreSQL backups are the firm's pg_dump (docs/postgresql.md)
def test_upgrade_of_a_database_with_data_makes_a_private_backup(tmp_path, monkeypatch, newer_migrations):
    path = tmp_path / "x.db"
    ledger = store_db.open_ledger(str(path))
    with ledger.engine.begin() as conn:
        conn.execute(text("INSERT INTO person (name, born) VALUES ('ann', '1985-04-02')"))
    ledger.dispose()
    monkeypatch.setattr(store_db, "migrations_dir", lambda: newer_migrations)
    upgraded = store_db.open_ledger(str(path))
    backup = upgraded.migration.backup
    assert backup is not None and backup.parent == path.parent and backup.name.startswith("x.db.bak-")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    with sqlite3.connect(backup) as b:
        assert b.execute("SELECT name FROM person").fetchall() == [("ann",)]
        assert b.execute("SELECT version_num FROM alembic_version").fetchall() != [("9999",)]
    with upgraded.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"


@pytest.mark.sqlite_only
def test_upgrade_of_an_empty_database_needs_no_backup(tmp_path, monkeypatch, newer_migrations):
    path = tmp_path / "x.db"
    store_db.open_ledger(str(path)).dispose()
    monkeypatch.setattr(store_db, "migrations_dir", lambda: newer_migrations)
    assert store_db.open_ledger(str(path)).migration.backup is None


def test_database_from_a_newer_megaroth_is_refused(megaroth, monkeypatch, newer_migrations):
    monkeypatch.setattr(store_db, "migrations_dir", lambda: newer_migrations)
    store_db.open_ledger(str(megaroth.db)).dispose()
    monkeypatch.undo()
    with pytest.raises(UserError, match="newer megaroth.*9999"):
        store_db.open_ledger(str(megaroth.db))


@pytest.mark.sqlite_only
def test_foreign_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE stuff (id INTEGER)")
    c.close()
    with pytest.raises(UserError, match="not a megaroth ledger"):
        store_db.open_ledger(str(path))


def test_money_columns_are_integers_never_numeric():
    from sqlalchemy import BigInteger, Float, Numeric

    for table in Base.metadata.tables.values():
        for col in table.columns:
            assert not isinstance(col.type, (Numeric, Float)), f"{table.name}.{col.name}"
            if col.name.endswith("_cents"):
                assert isinstance(col.type, BigInteger), f"{table.name}.{col.name}"
