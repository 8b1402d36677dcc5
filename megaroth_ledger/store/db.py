"""Engine, sessions and the migration runner.

Where the ledger lives: ``--db PATH|URL``, else ``$MEGAROTH_DB``, else ``ledger.db`` in the
user data directory (platformdirs). A bare path means SQLite; anything with ``://`` is a
SQLAlchemy URL (e.g. ``postgresql+psycopg://...``).

Opening a database creates it or upgrades it to the Alembic head(s). Before upgrading a
database that already holds data it is copied to ``<file>.bak-<UTC timestamp>`` beside it.
A database stamped with a revision this code does not know (written by a newer megaroth)
is refused with a clear message. SQLite files (and backups) are created with mode 0600:
they hold tax data. SQLite connections get foreign keys, WAL and a busy timeout.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from ..errors import UserError

ENV_VAR = "MEGAROTH_DB"
BUSY_TIMEOUT_MS = 5000


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("megaroth-ledger", appauthor=False)) / "ledger.db"


def resolve_url(db: str | None) -> str:
    """``--db`` value (or None) -> SQLAlchemy URL string."""
    target = db or os.environ.get(ENV_VAR) or str(default_db_path())
    if "://" in target:
        return target
    path = Path(target).expanduser()
    return f"sqlite:///{path.resolve()}"


def migrations_dir() -> Path:
    """The Alembic tree: inside the installed wheel, else the repo's ``migrations/``."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "migrations", here.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise RuntimeError("megaroth: migrations directory not found (broken installation)")


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def _create_private_file(path: Path) -> None:
    """Create an empty file readable only by its owner (tax data), if it does not exist."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def make_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            path = Path(u.database)
            if path.is_dir():
                raise UserError(f"--db {path} is a directory; give a file path")
            try:
                _create_private_file(path)
            except OSError as exc:
                raise UserError(f"cannot create database {path}: {exc.strerror}") from None
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(url)
    except Exception as exc:  # unknown dialect / missing driver
        raise UserError(scrub(f"cannot use database URL {safe_url(u)}: {exc}", u)) from None


def _alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    # ConfigParser interpolates '%': a URL-encoded password or socket path (%2F) must be escaped
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


@dataclass
class MigrationResult:
    created: bool
    upgraded_from: tuple[str, ...]
    backup: Path | None


def _backup_sqlite(engine: Engine) -> Path:
    """Copy the SQLite database (consistently, WAL included) to a 0600 timestamped file."""
    src = Path(engine.url.database)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    dest = src.with_name(f"{src.name}.bak-{stamp}")
    _create_private_file(dest)
    with sqlite3.connect(src) as s, sqlite3.connect(dest) as d:
        s.backup(d)
    s.close()
    d.close()
    return dest


def _schema_is_current(engine: Engine) -> bool:
    """True when the database is stamped with exactly the head revision(s) this package was built
    with (:data:`.revision.SCHEMA_HEADS`): one cheap query, no Alembic import. Anything else
    (no version table, a new file, an older or newer revision) -> False: :func:`upgrade` decides."""
    from sqlalchemy.exc import DBAPIError

    from .revision import SCHEMA_HEADS

    try:
        with engine.connect() as conn:
            stamped = {row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
    except DBAPIError:  # no alembic_version table (new or foreign database)
        return False
    return stamped == SCHEMA_HEADS


def upgrade(engine: Engine) -> MigrationResult:
    """Create or upgrade the database to the head revision(s). See the module docstring."""
    if _schema_is_current(engine):
        from .revision import SCHEMA_HEADS

        return MigrationResult(created=False, upgraded_from=tuple(sorted(SCHEMA_HEADS)), backup=None)
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(engine)
    script = ScriptDirectory.from_config(cfg)
    heads = set(script.get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
        has_tables = bool(inspect(conn).get_table_names())
    unknown = [rev for rev in current if not _known_revision(script, rev)]
    if unknown:
        raise UserError(
            f"database {engine.url.render_as_string(hide_password=True)} was written by a newer "
            f"megaroth (schema revision {', '.join(sorted(unknown))}); upgrade megaroth to use it"
        )
    if current == heads:
        return MigrationResult(created=False, upgraded_from=tuple(sorted(current)), backup=None)
    if has_tables and not current:
        raise UserError(
            f"database {engine.url.render_as_string(hide_password=True)} has tables but no "
            "megaroth schema version; it is not a megaroth ledger"
        )
    backup = None
    if current and engine.url.get_backend_name() == "sqlite" and _holds_data(engine):
        backup = _backup_sqlite(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    return MigrationResult(created=not current, upgraded_from=tuple(sorted(current)), backup=backup)


def _known_revision(script, rev: str) -> bool:
    from alembic.util import CommandError

    try:
        return script.get_revision(rev) is not None
    except CommandError:
        return False


def _holds_data(engine: Engine) -> bool:
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            if table == "alembic_version":
                continue
            if conn.execute(text(f'SELECT 1 FROM "{table}" LIMIT 1')).first():
                return True
    return False


def safe_url(url) -> str:
    """The URL as it may appear in a message: the password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True) if not isinstance(url, Path) else str(url)
    except Exception:  # not parseable as a URL: show nothing of it that could be a secret
        return "<database URL>"


def scrub(text: str, url) -> str:
    """``text`` with the URL's password (raw and URL-encoded) removed, whatever put it there."""
    try:
        password = make_url(url).password
    except Exception:
        return text
    if password:
        from urllib.parse import quote_plus

        for secret in {str(password), quote_plus(str(password))}:
            text = text.replace(secret, "***")
    return text


def _connect_error(url: str, exc: Exception) -> UserError:
    """A database that cannot be reached or refuses us: one line naming it, never the password."""
    orig = getattr(exc, "orig", None) or exc
    detail = " ".join(str(orig).split()) or type(orig).__name__
    detail = detail.removeprefix("connection is bad: ")
    return UserError(scrub(f"cannot open database {safe_url(url)}: {detail}", url))


class Ledger:
    """An opened (created/upgraded) ledger database: hand out sessions and connections."""

    def __init__(self, url: str):
        from sqlalchemy.exc import InterfaceError, OperationalError

        self.url = url
        self.engine = make_engine(url)
        try:
            self.migration = upgrade(self.engine)
        except (OperationalError, InterfaceError) as exc:
            self.engine.dispose()
            raise _connect_error(url, exc) from None
        except UserError as exc:
            self.engine.dispose()
            raise type(exc)(scrub(str(exc), url)) from None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def read_connection(self):
        """A Core connection on one read snapshot (see :meth:`read_session`); rolled back."""
        with _read_connection(self.engine) as conn:
            yield conn

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session that reads one snapshot of the ledger and writes nothing (issue 9).

        Every report, form and export runs in it, so an import committing meanwhile cannot
        mix its before and after. SQLite: one read transaction for the whole block (``BEGIN``
        plus a first read: in WAL mode the snapshot is taken at the first read). PostgreSQL:
        ``REPEATABLE READ``, whose snapshot is taken at the first statement. Always rolled back.
        """
        with _read_connection(self.engine) as conn, Session(bind=conn, expire_on_commit=False) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def _read_connection(engine: Engine):
    """A connection inside one read transaction (see :meth:`Ledger.read_session`)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN")
            conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar()  # the snapshot starts here
            try:
                yield conn
            finally:
                conn.rollback()
        return
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        try:
            yield conn
        finally:
            conn.rollback()


def open_ledger(db: str | None = None) -> Ledger:
    """Resolve ``db`` (see module docstring), then create or upgrade it."""
    return Ledger(resolve_url(db))
