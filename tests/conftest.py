"""Shared fixtures: a CliRunner bound to a fresh ledger, on SQLite and on PostgreSQL.

Every test that uses the ``megaroth`` fixture (directly or through ``ann`` and the like) runs
once per backend: ``test_x[sqlite]`` on a SQLite file in a temp directory, ``test_x[postgresql]``
on a fresh PostgreSQL database copied from a migrated template (``CREATE DATABASE ... TEMPLATE``).
``--backend sqlite|postgresql|both`` (or ``$MEGAROTH_TEST_BACKEND``) picks the backends; the
default is both. Where the PostgreSQL server comes from: tests/pgcluster.py. Without one the
PostgreSQL half is skipped and says why, except under ``CI=true`` (or
``MEGAROTH_TEST_REQUIRE_PG=1``), where it fails: CI must not silently lose it.

A test that is inherently about SQLite (file modes, WAL, backups of the file) is marked
``@pytest.mark.sqlite_only`` and gets no PostgreSQL variant.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from megaroth_ledger.cli import cli

BACKENDS = ("sqlite", "postgresql")


def pytest_addoption(parser):
    parser.addoption(
        "--backend",
        choices=["sqlite", "postgresql", "both"],
        default=os.environ.get("MEGAROTH_TEST_BACKEND", "both"),
        help="ledger backend(s) the ledger-using tests run on (default: both; env MEGAROTH_TEST_BACKEND)",
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sqlite_only: inherently about SQLite (files, WAL, backups); no PostgreSQL variant"
    )
    config.addinivalue_line("markers", "postgresql_only: needs a PostgreSQL server; no SQLite variant")
    config._megaroth_pg = {"ran": 0, "passed": 0, "skip_reason": None}


def _selected(config) -> list[str]:
    chosen = config.getoption("--backend")
    return list(BACKENDS) if chosen == "both" else [chosen]


def pytest_generate_tests(metafunc):
    if "backend" not in metafunc.fixturenames:
        return
    backends = _selected(metafunc.config)
    if metafunc.definition.get_closest_marker("sqlite_only"):
        backends = [b for b in backends if b == "sqlite"]
    if metafunc.definition.get_closest_marker("postgresql_only"):
        backends = [b for b in backends if b == "postgresql"]
    metafunc.parametrize("backend", backends, indirect=True, scope="function")


def require_pg() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("MEGAROTH_TEST_REQUIRE_PG") == "1"


class PgServer:
    """A reachable PostgreSQL server plus a migrated template database for fast fresh copies."""

    def __init__(self, admin_url: str, cluster=None):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.cluster = cluster
        self.admin_url = make_url(admin_url)
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT", poolclass=_null_pool())
        self.prefix = f"megaroth_test_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self._n = itertools.count(1)
        self._exec(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self._exec(f'CREATE DATABASE "{self.template}"')
        from megaroth_ledger.store.db import open_ledger

        open_ledger(self.url(self.template)).dispose()  # create the schema once

    def _exec(self, sql: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as c:
            c.execute(text(sql))

    def url(self, database: str) -> str:
        return self.admin_url.set(database=database).render_as_string(hide_password=False)

    def new_database(self) -> str:
        name = f"{self.prefix}_{next(self._n)}"
        self._exec(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def drop(self, name: str) -> None:
        self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        try:
            self.drop(self.template)
        finally:
            self.admin.dispose()
            if self.cluster is not None:
                self.cluster.stop()


def _null_pool():
    from sqlalchemy.pool import NullPool

    return NullPool


@pytest.fixture(scope="session")
def pg_server(request):
    """The PostgreSQL server of the run (started on first use, stopped at the end)."""
    from tests import pgcluster

    cluster = None
    try:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise pgcluster.Unavailable(
                "the psycopg driver is not installed (pip install 'megaroth-ledger[postgres]')"
            ) from None
        url = os.environ.get("MEGAROTH_TEST_PG_URL")
        if not url:
            cluster = pgcluster.Cluster()
            url = cluster.admin_url
    except pgcluster.Unavailable as exc:
        reason = f"PostgreSQL half skipped: {exc}"
        request.config._megaroth_pg["skip_reason"] = reason
        if require_pg():
            pytest.fail(f"PostgreSQL is required here (CI=true) but unavailable: {exc}", pytrace=False)
        pytest.skip(reason)
    try:
        server = PgServer(url, cluster)  # a failure here is a bug to see, not a reason to skip
    except BaseException:
        if cluster is not None:
            cluster.stop()
        raise
    yield server
    server.close()


@pytest.fixture
def backend(request):
    return request.param


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    on_pg = item.funcargs.get("backend") == "postgresql" or "pg_server" in item.fixturenames
    if rep.when == "call" and on_pg:
        state = item.config._megaroth_pg
        state["ran"] += 1
        state["passed"] += rep.passed


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # lines tests asked to report (kill -9 and fuzz counts); the tests import this file as
    # tests.conftest, pytest may have loaded it as another module
    from tests.conftest import REPORT_LINES as lines

    for line in lines:
        terminalreporter.write_line(line)
    state = config._megaroth_pg
    if "postgresql" not in _selected(config):
        terminalreporter.write_line("PostgreSQL half: not selected (--backend sqlite)")
    elif state["skip_reason"]:
        terminalreporter.write_line(state["skip_reason"], yellow=True)
    else:
        terminalreporter.write_line(
            f"PostgreSQL half: {state['ran']} tests ran on PostgreSQL, {state['passed']} passed"
        )


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class Megaroth:
    """Run ``megaroth --db <ledger> ...`` in-process; ``json()`` parses ``--format json`` output.

    ``db`` is the SQLite file's path or the PostgreSQL URL (created on first use when the
    ledger came from a factory, so tests that never touch the ledger cost no database).
    ``sql()`` runs a query on either backend and gives rows of plain values (dates as ISO
    text, as SQLite's driver returns them).
    """

    def __init__(self, db: Path | str | None = None, *, factory=None, backend: str = "sqlite"):
        self._db = db
        self._factory = factory
        self.backend = backend
        self.runner = CliRunner()

    @property
    def db(self) -> Path | str:
        if self._db is None:
            self._db = self._factory()
        return self._db

    @property
    def url(self) -> str:
        from megaroth_ledger.store.db import resolve_url

        return resolve_url(str(self.db))

    def __call__(self, *args: str, ok: bool = True, input: str | None = None):
        result = self.runner.invoke(cli, ["--db", str(self.db), *args], input=input, catch_exceptions=False)
        if ok and result.exit_code != 0:
            raise AssertionError(f"megaroth {' '.join(args)} exited {result.exit_code}:\n{result.output}")
        return result

    def json(self, *args: str):
        return json.loads(self(*args, "--format", "json").stdout)

    def open(self):
        """The ledger opened in Python (caller disposes it)."""
        from megaroth_ledger.store.db import open_ledger

        return open_ledger(str(self.db))

    def sql(self, query: str, *args):
        """Rows of ``query`` (``?`` placeholders) as tuples of plain values."""
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        engine = create_engine(self.url, poolclass=NullPool)
        try:
            with engine.begin() as c:
                if engine.dialect.name == "postgresql":  # psycopg's paramstyle is %s
                    query = query.replace("%", "%%").replace("?", "%s")
                rows = c.exec_driver_sql(query, tuple(args))
                return [tuple(_plain(v) for v in r) for r in rows.fetchall()] if rows.returns_rows else []
        finally:
            engine.dispose()


@pytest.fixture(autouse=True)
def _table_width(monkeypatch):
    """Tables off a terminal are fitted to $COLUMNS (else 80): tests read them at 120 columns
    unless they set their own width (tests/test_output.py)."""
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A SQLite ledger file's path (for SQLite-only tests; the ledger fixtures use ``megaroth.db``)."""
    return tmp_path / "ledger.db"


@pytest.fixture
def new_megaroth(backend, tmp_path, request):
    """Factory: another fresh, empty ledger on this test's backend."""
    made = []
    counter = itertools.count(1)
    server = request.getfixturevalue("pg_server") if backend == "postgresql" else None

    def make(name: str | None = None) -> Megaroth:
        if backend == "sqlite":
            return Megaroth(tmp_path / (name or f"ledger-{next(counter)}.db"))

        def create():
            db = server.new_database()
            made.append(db)
            return server.url(db)

        return Megaroth(factory=create, backend="postgresql")

    yield make
    for db in made:
        server.drop(db)


@pytest.fixture
def megaroth(new_megaroth, backend) -> Megaroth:
    return new_megaroth("ledger.db")


def add_ann(m: Megaroth) -> Megaroth:
    """The issue's example person and plan, added to ledger ``m`` (the ``ann`` fixture's)."""
    m("person", "add", "ann", "--born", "1985-04-02")
    m(
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
    return m


@pytest.fixture
def ann(megaroth: Megaroth) -> Megaroth:
    """A ledger with the issue's example person and plan."""
    return add_ann(megaroth)


#: lines a test wants shown in the run's summary (counts and times the issue asks to report)
REPORT_LINES: list[str] = []


@pytest.fixture
def bo(megaroth):
    """bo, born 1980, with an after-tax plan that converts in-plan (the OFX statement tests)."""
    megaroth("person", "add", "bo", "--born", "1980-01-01")
    megaroth(
        "plan",
        "add",
        "wid-401k",
        "--person",
        "bo",
        "--employer",
        "Example Widget Works",
        "--after-tax",
        "--in-plan-conversion",
    )
    return megaroth


@pytest.fixture
def backdoor(ann):
    """ann's 2025 backdoor Roth: 7,000 nondeductible into the traditional IRA, converted."""
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2025-02-01",
        "--account",
        "traditional",
        "--amount",
        "7000",
        "--nondeductible",
        "7000",
    )
    ann("ira", "convert", "--person", "ann", "--date", "2025-02-05", "--amount", "7000")
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "0")
    return ann
