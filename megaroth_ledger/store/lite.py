"""The thin path to a SQLite ledger: the DB-API (``sqlite3``) without SQLAlchemy (issue 15).

Importing SQLAlchemy and configuring the ORM costs more CPU than ``sqlite-utils tables``'s whole
run, so the everyday commands (``person list``, ``headroom``, ``contribution list``, ``person
add``...) first try this path: one ``sqlite3`` connection with the pragmas of
:mod:`megaroth_ledger.store.db` (foreign keys on, the busy timeout of ``--wait``), one
transaction (``BEGIN`` for a read snapshot, ``BEGIN IMMEDIATE`` for the write lock), and the
schema revision checked in one query against :data:`.revision.SCHEMA_HEADS`.

It serves only the plain case and says so by raising :class:`Unavailable`, after which the
command runs its usual SQLAlchemy path (which then creates, upgrades, tightens or refuses with
its own messages): a PostgreSQL URL, a missing file, a ledger that needs an upgrade, a file
others may read (the full path makes it private and says so), a read-only file system, any
SQLite error while opening. ``$MEGAROTH_FAST_PATH=0`` turns the thin path off (the tests use
it to prove both paths print the same).

Also here, because the thin path needs them without SQLAlchemy: where the ledger lives
(``--db``, ``$MEGAROTH_DB``, the user data directory), ``--wait`` and :class:`LedgerBusy`.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import UserError

ENV_VAR = "MEGAROTH_DB"
WAIT_ENV_VAR = "MEGAROTH_WAIT"
FAST_ENV_VAR = "MEGAROTH_FAST_PATH"
DEFAULT_WAIT_SECONDS = 60.0
BUSY_MESSAGE = "ledger is busy: another megaroth is writing; try again"


class LedgerBusy(UserError):
    """Another writer held the ledger for longer than ``--wait`` seconds."""

    exit_code = 75  # EX_TEMPFAIL (sysexits.h): try again later

    def __init__(self, message: str = BUSY_MESSAGE):
        super().__init__(message)


class Unavailable(Exception):
    """The thin path cannot serve this command on this ledger: run the full (SQLAlchemy) path."""


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("megaroth-ledger", appauthor=False)) / "ledger.db"


def db_target(db: str | None) -> str:
    """``--db`` value (or None) -> the URL or path it names (``$MEGAROTH_DB``, else the default)."""
    return db or os.environ.get(ENV_VAR) or str(default_db_path())


def sqlite_file(target: str) -> Path:
    """A bare path's absolute form (a symlink is not resolved: a dangling one must be seen)."""
    return Path(os.path.abspath(Path(target).expanduser()))


def resolve_wait(value: float | str | None) -> float:  # money-ok: seconds
    """Seconds a writer waits for another: ``--wait``, else ``$MEGAROTH_WAIT``, else 60."""
    what = "--wait"
    if value is None:
        value = os.environ.get(WAIT_ENV_VAR)
        what = f"${WAIT_ENV_VAR}"
        if value is None or not str(value).strip():
            return DEFAULT_WAIT_SECONDS
    try:
        seconds = float(value)  # money-ok: a duration in seconds, not money
    except ValueError:
        raise UserError(f"{what} {value!r}: expected a number of seconds, e.g. 60") from None
    if not 0 <= seconds <= 86_400:
        raise UserError(f"{what} {value!r}: must be between 0 and 86400 seconds")
    return seconds


def unknown_name(table: str, name: str, known: Sequence[str]) -> UserError:
    """The error for a name that is not in the ledger, listing the ones that are."""
    add_hint = {
        "person": "megaroth person add NAME --born YYYY-MM-DD",
        "plan": "megaroth plan add NAME --person P --employer E",
    }
    hint = f" (known: {', '.join(known)})" if known else f"; add one with: {add_hint[table]}"
    return UserError(f"unknown {table} {name!r}{hint}")


def day(value: Any) -> dt.date:
    """A stored ``Date`` (SQLAlchemy keeps ISO text on SQLite)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def stamp(value: dt.datetime) -> str:
    """A ``DateTime`` as SQLAlchemy's SQLite dialect stores it (microseconds always written)."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


class LiteDb:
    """One ``sqlite3`` connection inside one transaction on a ledger whose schema is current."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        from .sqlrun import Sql

        self.conn, self.path = conn, path
        #: plain SQL for the services that take a Session or this (store.sqlrun.sql_of)
        self.sql = Sql(conn)
        #: per-command memo, as ``Session.info`` (services.forms.history_cache)
        self.info: dict = {}

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        cur = self.conn.execute(sql, params)
        assert cur.lastrowid is not None
        return cur.lastrowid

    def person(self, name: str) -> sqlite3.Row:
        """The person row named ``name`` (the error lists who exists)."""
        row = self.one("SELECT id, name, born FROM person WHERE name = ?", (name,))
        if row is None:
            known = [r[0] for r in self.rows("SELECT name FROM person ORDER BY name")]
            raise unknown_name("person", name, known)
        return row


def enabled() -> bool:
    return os.environ.get(FAST_ENV_VAR, "1").strip() not in ("0", "no", "off", "false")


def _usable_file(target: str, write: bool) -> Path:
    if "://" in target or not enabled():
        raise Unavailable("not a plain SQLite path")
    path = sqlite_file(target)
    try:
        st = path.stat()
        ro_fs = bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        raise Unavailable("no such file") from None
    if not path.is_file() or ro_fs or st.st_mode & 0o077:
        raise Unavailable("the full path handles it (folder, read-only disk, permissions)")
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        try:
            if side.stat().st_mode & 0o077:
                raise Unavailable("a side file others may read")
        except FileNotFoundError:
            pass
    return path


@contextmanager
def open_lite(
    db: str | None,
    *,
    write: bool = False,
    wait: float | str | None = None,  # money-ok: seconds to wait
) -> Iterator[LiteDb]:  # money-ok: seconds to wait
    """A :class:`LiteDb` on the ledger ``db`` names, in a read snapshot or holding the write
    lock (``write``): committed when the block ends normally (a read has nothing to commit),
    rolled back on any exception. Raises :class:`Unavailable` before anything is read when
    the full path must serve the ledger."""
    path = _usable_file(db_target(db), write)
    seconds = resolve_wait(wait)
    try:
        conn = sqlite3.connect(path.as_uri() + "?mode=rw", uri=True, timeout=seconds, isolation_level=None)
    except sqlite3.Error:
        raise Unavailable("cannot open") from None
    try:
        conn.row_factory = sqlite3.Row
        try:
            _begin(conn, write, seconds)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise LedgerBusy() from None
            raise Unavailable(str(exc)) from None
        except sqlite3.Error as exc:
            raise Unavailable(str(exc)) from None
        try:
            yield LiteDb(conn, path)
        except BaseException:
            conn.rollback()
            raise
        if conn.in_transaction:
            conn.execute("ROLLBACK" if not write else "COMMIT")
    finally:
        conn.close()


def _begin(conn: sqlite3.Connection, write: bool, seconds: float) -> None:  # money-ok: seconds
    """The pragmas of :func:`megaroth_ledger.store.db._sqlite_connect`, the transaction, and the
    schema check (the snapshot of a read starts at that first read)."""
    from .revision import SCHEMA_HEADS

    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")
    if write:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        stamped = {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.Error:
        stamped = set()
    if stamped != SCHEMA_HEADS:
        conn.rollback()
        raise Unavailable("the schema needs the migration runner")


def attempt(state: dict, fn, *, write: bool = False):
    """``fn(LiteDb)`` on the thin path, or :data:`FULL` when the full path must run instead.

    ``state`` is the CLI root's object (``--db``, ``--wait``). ``fn`` may raise
    :class:`Unavailable` itself (a case it leaves to the full path): its transaction is rolled
    back and nothing is written."""
    if "ledger" in state:  # already opened the full way in this process
        return FULL
    try:
        with open_lite(state.get("db"), write=write, wait=state.get("wait")) as db:
            return fn(db)
    except (Unavailable, sqlite3.Error):  # a database error: the full path explains it
        return FULL


class _Full:
    def __repr__(self) -> str:
        return "FULL"


#: :func:`attempt`'s answer when the full path must run
FULL: Any = _Full()
