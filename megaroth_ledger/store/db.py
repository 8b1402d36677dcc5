"""Engine, sessions, the write lock and the migration runner.

Where the ledger lives: ``--db PATH|URL``, else ``$MEGAROTH_DB``, else ``ledger.db`` in the
user data directory (platformdirs). A bare path means SQLite; anything with ``://`` is a
SQLAlchemy URL (e.g. ``postgresql+psycopg://...``).

**Missing ledgers.** A command that only reads opens an existing ledger (``write=False``) and
refuses a path where there is none (``no ledger at PATH``), creating nothing; a writing
command may create it (0600 file, missing folders 0700) and is told so
(:attr:`Ledger.created_file`). An existing SQLite ledger that group or others may read is
made 0600 (:attr:`Ledger.notes`). A ledger on a read-only file system opens read-only for
reading commands (SQLite ``immutable``); writing commands are refused in one line.

**Upgrades.** Opening a database creates it or upgrades it to the Alembic head(s). On SQLite
the whole upgrade is *one* transaction: Python's sqlite3 driver would commit before every DDL
statement on its own, so its transaction handling is switched off (``isolation_level=None``)
and SQLAlchemy emits ``BEGIN`` itself from the ``begin`` event, the pysqlite recipe of
SQLAlchemy's SQLite dialect documentation ("Serializable isolation / Savepoints /
Transactional DDL"). A ``kill -9`` at any moment of an upgrade therefore leaves the old schema
or the new one, never a half (SQLite's journal rolls an unfinished transaction back). Foreign
keys are off while the tables are rebuilt (``PRAGMA foreign_keys`` only works outside a
transaction; SQLite's "generalized ALTER TABLE procedure") and ``PRAGMA foreign_key_check``
must be clean before the commit. ``_alembic_tmp_*`` tables left by an older, non-atomic
megaroth that crashed mid-upgrade are dropped in the same transaction. Before upgrading a
database that holds data it is copied to ``<file>.bak-<UTC timestamp>`` beside it: written to
``....part``, fsync-ed, then renamed, so a file named ``.bak-*`` is always a whole backup. A
database stamped with a revision this code does not know (written by a newer megaroth) is
refused with a clear message.

**Writers wait their turn.** A writing command takes the ledger's write lock when it starts
(:func:`begin_write`): ``BEGIN IMMEDIATE`` on SQLite; on PostgreSQL transaction-scoped advisory
locks (``pg_advisory_xact_lock``), one per plan the command names under a shared ledger-wide
one, or the ledger-wide one exclusively. It waits up to ``--wait`` seconds (default 60,
``$MEGAROTH_WAIT``) for another writer, then fails with :class:`LedgerBusy` (exit 75,
``EX_TEMPFAIL`` of sysexits.h). Readers never wait for writers (SQLite WAL; PostgreSQL MVCC).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import UserError
from ..files import create_private_file, fsync_dir, os_error, readable_by_others, tighten
from .lite import (  # noqa: F401  (re-exported: the thin path needs them without SQLAlchemy)
    BUSY_MESSAGE,
    DEFAULT_WAIT_SECONDS,
    ENV_VAR,
    WAIT_ENV_VAR,
    LedgerBusy,
    db_target,
    default_db_path,
    resolve_wait,
    sqlite_file,
)

BUSY_TIMEOUT_MS = int(DEFAULT_WAIT_SECONDS * 1000)
LEFTOVER_PREFIX = "_alembic_tmp_"
#: PostgreSQL advisory lock keys (two int4 keys): (LOCK_NS, 0) is the whole ledger,
#: (LOCK_NS_PLAN, crc32 of the plan name) one plan
LOCK_NS = 0x4D52_0001
LOCK_NS_PLAN = 0x4D52_0002


def resolve_url(db: str | None) -> str:
    """``--db`` value (or None) -> SQLAlchemy URL string (a path's ``%``, ``?``, ``#`` escaped)."""
    target = db_target(db)
    if "://" in target:
        return target
    return URL.create("sqlite", database=str(sqlite_file(target))).render_as_string(hide_password=False)


def migrations_dir() -> Path:
    """The Alembic tree: inside the installed wheel, else the repo's ``migrations/``."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "migrations", here.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise RuntimeError("megaroth: migrations directory not found (broken installation)")


# --------------------------------------------------------------------------- SQLite engine


def _sqlite_connect(busy_ms: int, read_only: bool):
    def on_connect(dbapi_conn, _record) -> None:
        # the pysqlite recipe: the driver never BEGINs or COMMITs on its own (see _sqlite_begin)
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        if not read_only:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    return on_connect


def _sqlite_begin(conn: Connection) -> None:
    """Emit BEGIN ourselves; ``BEGIN IMMEDIATE`` (the write lock, waiting up to the busy
    timeout) when the connection was marked by :func:`begin_write`."""
    if conn.get_execution_options().get("megaroth_write"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def _on_read_only_fs(path: Path) -> bool:
    try:
        return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _prepare_sqlite_file(path: Path, create: bool, notes: list[str]) -> bool:
    """Check/create the SQLite file; True when it was created now."""
    if path.is_dir():
        raise UserError(f"--db {path} is a folder; give a file path")
    if not path.exists():
        if path.is_symlink():
            raise UserError(
                f"--db {path} is a dangling symbolic link; megaroth does not create a "
                "ledger through one: remove it or give the real path"
            )
        if not create:
            raise UserError(f"no ledger at {path}; 'megaroth person add' creates one")
        try:
            return create_private_file(path)
        except OSError as exc:
            raise os_error(exc, path, "create ledger") from None
    if create and _on_read_only_fs(path):
        raise UserError(
            f"cannot write the ledger {path}: it is on a read-only file system; copy it to a "
            "writable disk (reading commands still work here)"
        )
    if readable_by_others(path) and not _on_read_only_fs(path) and tighten(path):
        notes.append(f"note: {path} was readable by other users; made it private (mode 0600)")
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists() and readable_by_others(side):
            tighten(side)
    return False


def make_engine(
    url: str,
    *,
    wait: float | None = None,  # money-ok: seconds to wait
    create: bool = True,  # money-ok: seconds
    notes: list[str] | None = None,
) -> Engine:
    """An engine for ``url``. SQLite: see the module docstring (``create`` allows a new file)."""
    wait = DEFAULT_WAIT_SECONDS if wait is None else wait
    notes = [] if notes is None else notes
    try:
        u = make_url(url)
    except Exception as exc:  # sqlalchemy.exc.ArgumentError: not a URL at all
        raise UserError(f"--db {url!r} is not a database URL or path: {exc}") from None
    if u.get_backend_name() == "sqlite":
        busy_ms = int(wait * 1000)
        read_only = False
        engine_url: str | URL = url
        kwargs: dict = {"connect_args": {"timeout": wait}}
        if u.database and u.database != ":memory:":
            path = Path(u.database)
            created = _prepare_sqlite_file(path, create, notes)
            if not create and _on_read_only_fs(path):
                # nobody can change a file on a read-only file system: read it as immutable
                read_only = True
                uri = path.as_uri() + "?mode=ro&immutable=1"
                kwargs = {
                    "creator": lambda: sqlite3.connect(uri, uri=True, timeout=wait, check_same_thread=False)
                }
                engine_url = "sqlite://"
        else:
            created = False
        try:
            engine = create_engine(engine_url, **kwargs)
        except Exception as exc:  # e.g. an unknown query parameter in the URL
            raise UserError(
                f"cannot use database URL {u.render_as_string(hide_password=True)}: {exc}"
            ) from None
        event.listen(engine, "connect", _sqlite_connect(busy_ms, read_only))
        event.listen(engine, "begin", _sqlite_begin)
        engine.update_execution_options(megaroth_wait=wait)
        engine.megaroth_path = Path(u.database) if u.database and u.database != ":memory:" else None
        engine.megaroth_created = created
        engine.megaroth_read_only = read_only
        return engine
    try:
        engine = create_engine(url)
    except Exception as exc:  # unknown dialect / missing driver
        raise UserError(scrub(f"cannot use database URL {safe_url(u)}: {exc}", u)) from None
    engine.update_execution_options(megaroth_wait=wait)
    engine.megaroth_path = None
    engine.megaroth_created = False
    engine.megaroth_read_only = False
    return engine


def describe(engine: Engine) -> str:
    path = getattr(engine, "megaroth_path", None)
    return str(path) if path is not None else engine.url.render_as_string(hide_password=True)


def _is_locked(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.OperationalError):
        return "database is locked" in str(orig) or "database table is locked" in str(orig)
    return getattr(orig, "sqlstate", None) == "55P03"  # PostgreSQL lock_not_available


def database_error(exc: DBAPIError, engine: Engine) -> UserError | None:
    """A one-line UserError for a database error the user can fix (busy, not a database,
    read-only, unreachable), or None for anything else (a bug: let it propagate)."""
    if _is_locked(exc):
        return LedgerBusy()
    orig = exc.orig
    where = describe(engine)
    if isinstance(orig, sqlite3.DatabaseError):
        msg = str(orig)
        if "file is not a database" in msg:
            return UserError(
                f"{where} is not a megaroth ledger (not an SQLite database); "
                "give the path of a ledger, or a new file name to start one"
            )
        if "malformed" in msg:
            return UserError(f"{where} is damaged ({msg}); restore it from a backup ({where}.bak-*)")
        if "readonly" in msg or "read-only" in msg:
            return UserError(
                f"cannot write the ledger {where}: it is read-only (file permissions or a "
                "read-only disk); copy it somewhere writable or fix its permissions"
            )
        if "unable to open database file" in msg:
            return UserError(
                f"cannot open the ledger {where}: {msg} (check that its folder exists and "
                "that you may write to it)"
            )
        if "disk I/O error" in msg or "database or disk is full" in msg:
            return UserError(f"cannot use the ledger {where}: {msg}; check the disk and try again")
        return None
    return None  # PostgreSQL connection errors: Ledger's _connect_error names the server


# --------------------------------------------------------------------------- write lock


def _plan_key(name: str) -> int:
    key = zlib.crc32(name.encode("utf-8"))
    return key - (1 << 32) if key >= (1 << 31) else key


def begin_write(conn: Connection, plans: Iterable[str] | None = None) -> None:
    """Begin ``conn``'s transaction holding the ledger's write lock (see the module docstring).

    ``plans`` names the plans the command writes (PostgreSQL then only serialises writers of
    the same plans); None means the whole ledger. Raises :class:`LedgerBusy` after the wait.
    """
    wait = conn.get_execution_options().get("megaroth_wait", DEFAULT_WAIT_SECONDS)
    if conn.in_transaction():
        raise RuntimeError("begin_write: the connection is already in a transaction")
    try:
        if conn.dialect.name == "sqlite":
            conn.execution_options(megaroth_write=True)
            try:
                conn.begin()
            finally:
                conn.execution_options(megaroth_write=False)
            return
        conn.begin()
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"SET LOCAL lock_timeout = '{int(wait * 1000)}ms'"))
            if plans is None:
                conn.execute(text("SELECT pg_advisory_xact_lock(:ns, 0)"), {"ns": LOCK_NS})
            else:
                conn.execute(text("SELECT pg_advisory_xact_lock_shared(:ns, 0)"), {"ns": LOCK_NS})
                for key in sorted({_plan_key(p) for p in plans}):
                    conn.execute(
                        text("SELECT pg_advisory_xact_lock(:ns, :k)"), {"ns": LOCK_NS_PLAN, "k": key}
                    )
            conn.execute(text("SET LOCAL lock_timeout = DEFAULT"))
    except DBAPIError as exc:
        if conn.in_transaction():
            conn.rollback()
        if _is_locked(exc):
            raise LedgerBusy() from None
        raise


@contextmanager
def write_connection(engine: Engine, plans: Iterable[str] | None = None) -> Iterator[Connection]:
    """A connection in one transaction holding the write lock: committed on success, rolled
    back on any error."""
    with engine.connect() as conn:
        begin_write(conn, plans)
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


# --------------------------------------------------------------------------- migrations


def _alembic_config():
    from alembic.config import Config

    cfg = Config()
    # the connection is passed in config.attributes; paths go in escaped (ConfigParser
    # interpolation would read a '%' in the install path as a reference)
    cfg.set_main_option("script_location", str(migrations_dir()).replace("%", "%%"))
    return cfg


@dataclass
class MigrationResult:
    created: bool
    upgraded_from: tuple[str, ...]
    backup: Path | None
    leftovers_dropped: list[str] = field(default_factory=list)


def _backup_sqlite(src: Path) -> Path:
    """Copy the SQLite database (consistently, WAL included) to a 0600 timestamped file:
    written to ``.part``, fsync-ed, then renamed (so a ``.bak-*`` is always complete)."""
    for stale in src.parent.glob(f"{src.name}.bak-*.part*"):  # a crash during an earlier backup
        try:
            stale.unlink()
        except OSError:
            pass
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    dest = src.with_name(f"{src.name}.bak-{stamp}")
    part = dest.with_name(dest.name + ".part")
    try:
        create_private_file(part)
        s = sqlite3.connect(src)
        d = sqlite3.connect(part)
        try:
            s.backup(d)
        finally:
            d.close()
            s.close()
        fd = os.open(part, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(part, dest)
    except OSError as exc:
        raise os_error(exc, dest, "write the pre-upgrade backup") from None
    fsync_dir(dest.parent)
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


def _leftovers(conn: Connection) -> list[str]:
    return [t for t in inspect(conn).get_table_names() if t.startswith(LEFTOVER_PREFIX)]


def _drop_leftovers(conn: Connection, engine: Engine) -> list[str]:
    """Drop ``_alembic_tmp_X`` tables of a crashed older, non-atomic upgrade. The copy was
    not finished (X still holds the data) or X was already dropped: then the ledger is
    half-upgraded and only the backup can restore it."""
    dropped = []
    names = set(inspect(conn).get_table_names())
    for table in sorted(t for t in names if t.startswith(LEFTOVER_PREFIX)):
        original = table[len(LEFTOVER_PREFIX) :]
        if original not in names:
            raise UserError(
                f"{describe(engine)} was left half-upgraded by a megaroth that crashed "
                f"(table {original} is missing, {table} holds its rows); restore the backup "
                f"{describe(engine)}.bak-* taken before that upgrade"
            )
        conn.exec_driver_sql(f'DROP TABLE "{table}"')
        dropped.append(table)
    return dropped


def upgrade(engine: Engine) -> MigrationResult:
    """Create or upgrade the database to the head revision(s). See the module docstring."""
    if _schema_is_current(engine):
        from .revision import SCHEMA_HEADS

        return MigrationResult(created=False, upgraded_from=tuple(sorted(SCHEMA_HEADS)), backup=None)
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = _alembic_config()
    script = ScriptDirectory.from_config(cfg)
    heads = set(script.get_heads())
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
            tables = inspect(conn).get_table_names()
            conn.rollback()
        _check_known(engine, script, current, tables)
        if current == heads and not any(t.startswith(LEFTOVER_PREFIX) for t in tables):
            return MigrationResult(created=False, upgraded_from=tuple(sorted(current)), backup=None)
        if getattr(engine, "megaroth_read_only", False):
            raise UserError(
                f"{describe(engine)} needs a schema upgrade but is on a read-only disk; "
                "copy it somewhere writable and run megaroth there"
            )
        if engine.dialect.name == "sqlite":
            return _upgrade_sqlite(engine, cfg, script, heads)
        with write_connection(engine) as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
            _check_known(engine, script, current, inspect(conn).get_table_names())
            if current != heads:
                _run_alembic(cfg, conn)
        return MigrationResult(created=not current, upgraded_from=tuple(sorted(current)), backup=None)
    except DBAPIError as exc:
        err = database_error(exc, engine)
        if err is None:
            raise
        raise err from None


def _upgrade_sqlite(engine: Engine, cfg, script, heads: set[str]) -> MigrationResult:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction: set it before BEGIN
        try:
            begin_write(conn)
            try:
                current = set(MigrationContext.configure(conn).get_current_heads())
                tables = inspect(conn).get_table_names()
                _check_known(engine, script, current, tables)
                dropped = _drop_leftovers(conn, engine)
                backup = None
                if current != heads:
                    path = getattr(engine, "megaroth_path", None)
                    if current and path is not None and _holds_data(conn):
                        backup = _backup_sqlite(path)  # reads the committed state beside our lock
                    _run_alembic(cfg, conn)
                    bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if bad:
                        raise RuntimeError(f"schema upgrade broke foreign keys: {bad[:5]}")
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
    return MigrationResult(
        created=not current, upgraded_from=tuple(sorted(current)), backup=backup, leftovers_dropped=dropped
    )


def _run_alembic(cfg, conn: Connection) -> None:
    from alembic import command

    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "heads")


def _check_known(engine: Engine, script, current: set[str], tables: list[str]) -> None:
    unknown = [rev for rev in current if not _known_revision(script, rev)]
    if unknown:
        raise UserError(
            f"database {describe(engine)} was written by a newer "
            f"megaroth (schema revision {', '.join(sorted(unknown))}); upgrade megaroth to use it"
        )
    if tables and not current:
        raise UserError(
            f"database {describe(engine)} has tables but no "
            "megaroth schema version; it is not a megaroth ledger"
        )


def _known_revision(script, rev: str) -> bool:
    from alembic.util import CommandError

    try:
        return script.get_revision(rev) is not None
    except CommandError:
        return False


def _holds_data(conn: Connection) -> bool:
    for table in inspect(conn).get_table_names():
        if table == "alembic_version" or table.startswith(LEFTOVER_PREFIX):
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


# --------------------------------------------------------------------------- the ledger


class Ledger:
    """An opened (created/upgraded) ledger database: hand out sessions and connections.

    ``write=False`` (a reading command) refuses a missing SQLite file instead of creating it;
    ``wait`` is how long a writer waits for another (:func:`resolve_wait`).
    """

    def __init__(self, url: str, *, write: bool = True, wait: float | str | None = None):  # money-ok: seconds
        self.url = url
        self.wait = resolve_wait(wait)
        self.notes: list[str] = []
        self.engine = make_engine(url, wait=self.wait, create=write, notes=self.notes)
        self.created_file: Path | None = self.engine.megaroth_path if self.engine.megaroth_created else None
        from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

        try:
            self.migration = upgrade(self.engine)
        except (OperationalError, InterfaceError) as exc:
            self.engine.dispose()
            raise _connect_error(url, exc) from None
        except DBAPIError as exc:
            if getattr(getattr(exc, "orig", None), "sqlstate", None) != "42501":
                raise  # anything but PostgreSQL's insufficient_privilege is a bug to see
            # a staff role without DDL rights meeting an older schema (docs/postgresql.md)
            self.engine.dispose()
            detail = " ".join(str(getattr(exc, "orig", exc)).split())
            raise UserError(
                scrub(
                    f"cannot create or upgrade the schema of {safe_url(url)}: {detail} "
                    "(the database owner's role must run megaroth once to upgrade it)",
                    url,
                )
            ) from None
        except UserError as exc:
            self.engine.dispose()
            raise type(exc)(scrub(str(exc), url)) from None
        except BaseException:
            self.engine.dispose()
            raise
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

    @contextmanager
    def write_session(self, plans: Iterable[str] | None = None) -> Iterator[Session]:
        """A session whose transaction holds the write lock from its start (:func:`begin_write`):
        committed on success, rolled back on any error."""
        with write_connection(self.engine, plans) as conn:
            with Session(bind=conn, expire_on_commit=False) as session:
                yield session
                session.flush()

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def _read_connection(engine: Engine):
    """A connection inside one read transaction (see :meth:`Ledger.read_session`)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            # the first statement autobegins: BEGIN from the pysqlite recipe's begin event
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


def open_ledger(
    db: str | None = None,
    *,
    write: bool = True,
    wait: float | str | None = None,  # money-ok: seconds to wait
) -> Ledger:  # money-ok: seconds
    """Resolve ``db`` (see module docstring), then create or upgrade it."""
    return Ledger(resolve_url(db), write=write, wait=wait)
