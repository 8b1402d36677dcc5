"""PostgreSQL-specific behaviour (the whole suite also runs on PostgreSQL: tests/conftest.py).

A password in ``--db``/``$MEGAROTH_DB`` never appears in any message: not when the server
refuses it, not when the database is missing, not when the schema is too new, not when the
driver is missing. These run on the suite's own throwaway cluster, where one role
(``pgcluster.PASSWORD_ROLE``) must give a password.
"""

from __future__ import annotations

import pytest

from tests import pgcluster
from tests.conftest import Megaroth

pytestmark = pytest.mark.postgresql_only


@pytest.fixture
def pw_db(pg_server):
    """A fresh ledger database owned by the password role; yields (url with password, name)."""
    if pg_server.cluster is None:
        pytest.skip("needs the suite's own cluster (its pg_hba asks this role for a password)")
    role, pw = pgcluster.PASSWORD_ROLE, pgcluster.PASSWORD
    pg_server._exec(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN "
        f"CREATE ROLE {role} LOGIN PASSWORD '{pw}'; END IF; END $$"
    )
    name = f"{pg_server.prefix}_pw"
    pg_server.drop(name)
    pg_server._exec(f'CREATE DATABASE "{name}" OWNER {role}')  # empty: megaroth creates the schema
    yield pg_server.cluster, name
    pg_server.drop(name)


def _no_secret(result, *secrets):
    out = result.output  # stdout and stderr
    for secret in secrets:
        assert secret not in out, out
    assert "Traceback" not in out
    return out


def test_the_right_password_works(pw_db):
    cluster, name = pw_db
    m = Megaroth(cluster.url(name, pgcluster.PASSWORD_ROLE, pgcluster.PASSWORD), backend="postgresql")
    m("person", "add", "ann", "--born", "1985-04-02")
    assert [p["name"] for p in m.json("person", "list")["people"]] == ["ann"]


def test_a_wrong_password_is_refused_without_showing_it(pw_db):
    cluster, name = pw_db
    m = Megaroth(cluster.url(name, pgcluster.PASSWORD_ROLE, "Wr0ng-guess-xyz"), backend="postgresql")
    r = m("person", "list", ok=False)
    assert r.exit_code == 2
    out = _no_secret(r, "Wr0ng-guess-xyz")
    assert "password authentication failed" in out and "***" in out and len(out.strip().splitlines()) == 1


def test_a_missing_database_names_it_without_the_password(pw_db):
    cluster, _ = pw_db
    m = Megaroth(cluster.url("no_such_db", pgcluster.PASSWORD_ROLE, pgcluster.PASSWORD), backend="postgresql")
    r = m("person", "list", ok=False)
    out = _no_secret(r, pgcluster.PASSWORD)
    assert r.exit_code == 2 and "no_such_db" in out and "does not exist" in out


def test_a_newer_schema_is_refused_without_the_password(pw_db):
    cluster, name = pw_db
    url = cluster.url(name, pgcluster.PASSWORD_ROLE, pgcluster.PASSWORD)
    m = Megaroth(url, backend="postgresql")
    m("person", "list")
    m.sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    r = m("person", "list", ok=False)
    out = _no_secret(r, pgcluster.PASSWORD)
    assert r.exit_code == 2 and "newer megaroth" in out and "***" in out


def test_password_with_url_escapes_and_a_missing_driver(pg_server, monkeypatch):
    """A %-escaped password (it reaches Alembic's ConfigParser) and an unknown driver."""
    m = Megaroth("postgresql+nosuchdriver://u:p%40ss%25word@/x?host=/tmp", backend="postgresql")
    r = m("person", "list", ok=False)
    out = _no_secret(r, "p%40ss%25word", "p@ss%word")
    assert r.exit_code == 2 and "cannot use database URL" in out
    monkeypatch.setenv("MEGAROTH_DB", "postgresql+psycopg://u:S3cr%2Fet@/x?host=/nonexistent-dir")
    from click.testing import CliRunner

    from megaroth_ledger.cli import cli

    r = CliRunner().invoke(cli, ["person", "list"])
    out = _no_secret(r, "S3cr%2Fet", "S3cr/et")
    assert r.exit_code == 2 and "cannot open database" in out


def test_a_staff_role_without_ddl_rights_gets_one_line_until_the_owner_upgrades(pg_server):
    """docs/postgresql.md: staff roles read and write rows; only the owner changes the schema."""
    from alembic import command
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from megaroth_ledger.store import db as store_db

    name = f"{pg_server.prefix}_staff"
    pg_server.drop(name)
    pg_server._exec(f'CREATE DATABASE "{name}"')
    pg_server._exec(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'megaroth_staff_t') "
        "THEN CREATE ROLE megaroth_staff_t LOGIN; END IF; END $$"
    )
    owner_url = pg_server.url(name)
    engine = create_engine(owner_url, poolclass=NullPool)
    cfg = store_db._alembic_config()
    with engine.begin() as conn:  # the owner's schema is an older megaroth's
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
        conn.execute(text("GRANT USAGE ON SCHEMA public TO megaroth_staff_t"))
        conn.execute(
            text("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO megaroth_staff_t")
        )
        conn.execute(text("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO megaroth_staff_t"))
        # docs/postgresql.md: tables a later upgrade adds inherit the staff's grants
        conn.execute(
            text(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
                "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO megaroth_staff_t"
            )
        )
        conn.execute(
            text(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO megaroth_staff_t"
            )
        )
    engine.dispose()
    staff_url = pg_server.admin_url.set(database=name, username="megaroth_staff_t").render_as_string(
        hide_password=False
    )
    staff = Megaroth(staff_url, backend="postgresql")
    r = staff("person", "list", ok=False)
    assert r.exit_code == 2 and "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1
    assert "the database owner's role must run megaroth once" in r.output
    Megaroth(owner_url, backend="postgresql")("person", "list")  # the owner upgrades
    staff("person", "add", "ann", "--born", "1985-04-02")
    assert [p["name"] for p in staff.json("person", "list")["people"]] == ["ann"]
    pg_server.drop(name)
