"""Store one statement file in the ledger: all or nothing, idempotent, with provenance.

:func:`import_file` streams the parsed rows into ``entry`` with driver-level
``executemany`` batches (SQLAlchemy Core for the few other rows) inside **one**
transaction:

- every stored row points at its ``import_batch`` (file name, SHA-256, profile) and keeps
  its ``file_row`` and ``raw`` cells;
- any bad row -> the transaction is rolled back and :class:`~.rows.ImportRowErrors` lists
  up to 50 of them as ``file:line: column: reason``;
- duplicates are skipped by the ``(plan_id, identity)`` unique key (``INSERT OR IGNORE``):
  re-importing a file adds 0 rows (and no batch is kept), overlapping exports add only
  their new rows;
- in-plan conversion legs become a ``conversion`` row, like ``megaroth convert`` records,
  with the legs linked to it (:func:`record_imported_conversion`);
- ``balance`` rows (Balance Forward, OFX INV401KBAL) become balance assertions; on a plan's
  *first* statement for a source (no earlier rows or assertions) the part of the balance the
  ledger cannot explain is an ``opening_balance`` entry dated at the statement's start, never
  earnings (its after-tax basis is unknown until ``megaroth basis set --plan``); later
  differences are earnings, as ``megaroth balance assert`` records them;
- statement figures the parser hands over (an OFX statement's year-to-date contributions)
  are checked against the ledger once the rows are in: a difference is a note, and listed
  in ``ImportResult.checks``;
- ``--dry-run`` runs the very same transaction and rolls it back, so what it reports is
  exactly what a real import would add.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Connection, Engine, bindparam, exists, func, insert, literal, or_, select, update

from ..errors import UserError
from ..money import from_cents
from ..store.assertions import ASSERT_ORIGIN
from ..store.db import begin_write, write_connection
from ..store.lookup import ambiguous_plan_error
from ..store.models import (
    AssertionHold,
    BalanceAssertion,
    Conversion,
    Entry,
    EntryHold,
    ImportBatch,
    Person,
    Plan,
    RemovedRow,
)
from . import open_parse
from .derive import row_identity, with_occurrence
from .rows import CanonicalRow, full_entry, row_part
from .text import FileFacts, file_facts

BATCH = 5000
BULK_CACHE_KIB = 96 * 1024  # SQLite page cache while importing a big file (see _page_cache)
#: files this big have entry's secondary indexes built after their rows (_entry_indexes_deferred)
DEFER_INDEX_MIN_BYTES = 16 << 20
BYTES_PER_ROW_MIN = 100  # a canonical CSV row is 110-160 bytes
INDEX_BUILD_CACHE_KIB = 16 * 1024  # the page cache while they are built (1M rows: peak RSS 312 -> 259 MB)
PROGRESS_MIN_BYTES = 256 * 1024  # about three thousand rows of a typical export
CONVERSION_TYPES = frozenset({"conversion_out", "conversion_in"})
ENTRY_COLUMNS = (
    "date",
    "payroll_date",
    "tax_year",
    "source",
    "type",
    "amount_cents",
    "fund",
    "fund_id",
    "shares",
    "memo",
    "irr_year",
    "status",
    "file_row",
    "raw",  # <- row_part()
    "plan_id",
    "import_id",
    "identity",
)

#: the worker's usual chunk (parallel.COMPACT): ENTRY_COLUMNS less irr_year, status, plan_id,
#: import_id, which every row of the chunk shares
COMPACT_COLUMNS = ENTRY_COLUMNS[:10] + ENTRY_COLUMNS[12:14] + ENTRY_COLUMNS[16:]
T_ENTRY = Entry.__table__
T_BATCH = ImportBatch.__table__
T_CONV = Conversion.__table__
T_ASSERT = BalanceAssertion.__table__
T_PLAN = Plan.__table__
T_HOLD = EntryHold.__table__
T_AHOLD = AssertionHold.__table__
HOLD_CHUNK = 500  # identities per hold statement (SQLite's default variable limit is far above)
T_REMOVED = RemovedRow.__table__
T_PERSON = Person.__table__


@dataclass
class ImportResult:
    file: str
    sha256: str
    profile: str
    plans: list[str]
    rows_read: int = 0
    rows_added: int = 0
    conversions_added: int = 0
    balances_added: int = 0
    #: rows skipped because the user removed them earlier (``... rm ID``: a tombstone)
    rows_removed_skipped: int = 0
    import_id: int | None = None
    dry_run: bool = False
    rows_held: int = 0  # rows already in the ledger (from another import) this import also holds
    overlap_allowed: list[int] = field(default_factory=list)  # earlier imports overlapped (--allow-overlap)
    summary: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    opening_balances: list[dict] = field(default_factory=list)

    @property
    def rows_skipped(self) -> int:
        return self.rows_read - self.rows_added - self.balances_read

    balances_read: int = 0

    def message(self) -> str:
        what = "would add" if self.dry_run else "added"
        base = (
            f"{self.file}: {self.rows_read} rows read ({self.profile}), {what} {self.rows_added}"
            f", {self.rows_skipped} already in the ledger"
        )
        if self.rows_removed_skipped:
            base += f" ({self.rows_removed_skipped} of them removed by you earlier: see `megaroth log`)"
        if self.conversions_added:
            base += f", {what} {self.conversions_added} conversion(s)"
        if self.balances_added:
            base += f", {what} {self.balances_added} balance assertion(s)"
        if self.import_id and not self.dry_run:
            base += f"; import #{self.import_id}"
        elif not self.dry_run and self.rows_added == 0:
            base += "; nothing new, nothing recorded"
        elif self.dry_run:
            base += "; dry run, nothing written"
        return base


def _person_id(conn: Connection, person: str | None) -> int | None:
    """The id of ``--person`` (None when not given); an unknown name is an error listing who exists."""
    if person is None:
        return None
    pid = conn.execute(select(T_PERSON.c.id).where(T_PERSON.c.name == person)).scalar()
    if pid is None:
        known = list(conn.execute(select(T_PERSON.c.name).order_by(T_PERSON.c.name)).scalars())
        raise UserError(f"unknown person {person!r}" + (f" (known: {', '.join(known)})" if known else ""))
    return pid


def _plan_rows(conn: Connection, name: str, person_id: int | None):
    """Plans called ``name`` (of ``person_id`` when given); two or more only without a person."""
    q = select(T_PLAN.c.id, T_PLAN.c.source_map).where(T_PLAN.c.name == name)
    if person_id is not None:
        q = q.where(T_PLAN.c.person_id == person_id)
    rows = conn.execute(q.limit(2)).all()
    if len(rows) > 1:
        raise ambiguous_plan_error(name, _owners(conn, name))
    return rows[0] if rows else None


def _owners(conn: Connection, name: str) -> list[str]:
    return list(
        conn.execute(
            select(T_PERSON.c.name)
            .join(T_PLAN, T_PLAN.c.person_id == T_PERSON.c.id)
            .where(T_PLAN.c.name == name)
            .order_by(T_PERSON.c.name)
        ).scalars()
    )


class _Plans:
    """Plan name -> (id, source map), looked up once per name, within ``--person`` if given
    (a plan name is unique per person; a name two people share needs ``--person``)."""

    def __init__(self, conn: Connection, person: str | None = None):
        self.conn = conn
        self.person = person
        self.person_id = _person_id(conn, person)
        self.cache: dict[str, int | None] = {}

    def get(self, name: str) -> tuple[int, dict[str, str]] | None:
        row = _plan_rows(self.conn, name, self.person_id)
        if row is None:
            return None
        try:
            smap = json.loads(row.source_map) if row.source_map else {}
        except ValueError:
            raise UserError(f"plan {name!r} has a source map that is not valid JSON") from None
        return row.id, smap

    def id(self, name: str) -> int | None:
        if name not in self.cache:
            got = self.get(name)
            self.cache[name] = got[0] if got else None
        return self.cache[name]


@contextmanager
def _progress(enabled: bool, total: int, label: str):
    if not enabled or total < PROGRESS_MIN_BYTES:
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        transient=True,
    ) as prog:
        task = prog.add_task(f"importing {label}", total=total)
        yield lambda n: prog.advance(task, n)


def _entry_tuple(row: CanonicalRow, plan_id: int, import_id: int, identity: str) -> tuple:
    return row_part(row) + (plan_id, import_id, identity)


def import_file(
    engine: Engine,
    path: str | Path,
    *,
    plan: str | None = None,
    person: str | None = None,
    profile: str | None = None,
    dry_run: bool = False,
    progress: bool = False,
    user_dir: Path | None = None,
    now: dt.datetime | None = None,
    extra_source_map: dict[str, str] | None = None,
    allow_overlap: bool = False,
    importer=None,
) -> ImportResult:
    """Import ``path`` into the ledger (see the module docstring for the guarantees)."""
    path = Path(path)
    facts = _facts_of(path)
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    with engine.connect() as conn:
        # the write lock from the start: another import waits its turn (store.db.begin_write)
        begin_write(conn, [plan] if plan is not None else None)
        plans = _Plans(conn, person)
        source_map = _plan_source_map(conn, plans, plan, person, facts.sha256, path.name)
        source_map.update(extra_source_map or {})
        with _progress(progress, facts.size, path.name) as on_bytes:
            parsed = _open_statement(path, facts, plan, profile, source_map, on_bytes, user_dir, importer)
            with _page_cache(conn, facts.size):
                # one transaction, begun with the write lock above
                write = partial(
                    _write, conn, parsed, plans, plan, facts.sha256, path.name, now, user_dir, allow_overlap
                )
                return _all_or_nothing(conn, write, dry_run)


def _facts_of(path: Path) -> FileFacts:
    """The file's :func:`~.text.file_facts` (size, SHA-256, encoding); a missing, irregular or
    unreadable file is a user error."""
    if not path.is_file():
        raise UserError(f"{path}: no such file" if not path.exists() else f"{path}: not a regular file")
    try:
        return file_facts(path)
    except OSError as exc:
        from ..files import os_error

        raise os_error(exc, path, "read") from None


def _open_statement(
    path: Path,
    facts: FileFacts,
    plan: str | None,
    profile: str | None,
    source_map: dict[str, str],
    on_bytes,
    user_dir: Path | None,
    importer,
):
    """Start parsing the file (:func:`~megaroth_ledger.importers.open_parse`: detect or take its
    format); only a canonical-format file (a plan column) names its plans itself: any other
    needs ``--plan``."""
    parsed = open_parse(
        path,
        profile=profile,
        plan=plan,
        source_map=source_map,
        on_bytes=on_bytes,
        user_dir=user_dir,
        facts=facts,
        importer=importer,
    )
    if plan is None and not getattr(parsed.importer, "canonical", False):
        raise UserError(f"{path.name} ({parsed.importer.id}) names no plan: give --plan")
    return parsed


def _plan_source_map(
    conn: Connection, plans: _Plans, plan: str | None, person: str | None, sha: str, file_name: str
) -> dict[str, str]:
    """The source map stored with ``--plan`` ({} without one). An unknown plan is an error, and so
    is a file (same SHA-256) already imported into another plan."""
    if plan is None:
        return {}
    got = plans.get(plan)
    if got is None:
        whose = f"{person} has no plan {plan!r}" if person else f"unknown plan {plan!r}"
        raise UserError(f"{whose}; add it first with `megaroth plan add`")
    _refuse_file_of_another_plan(conn, sha, file_name, got[0], plan)
    return got[1]


def _all_or_nothing(conn: Connection, write: Callable[[], ImportResult], dry_run: bool) -> ImportResult:
    """``write()`` (:func:`_write`) in the import's one transaction (begun by ``begin_write``),
    then its end: rolled back on any error, on ``--dry-run`` and when nothing new was stored (no
    batch kept), else committed."""
    try:
        result = write()
    except BaseException:
        conn.rollback()
        raise
    result.dry_run = dry_run
    if dry_run or (result.rows_added == 0 and not result.balances_added and not result.conversions_added):
        conn.rollback()
        result.import_id = None
    else:
        conn.commit()
    return result


@contextmanager
def _page_cache(conn: Connection, file_size: int):
    """A bigger SQLite page cache for this import, given back afterwards.

    A big file's rows land all over the ``(plan_id, identity)`` unique index (files cycle
    through dates, and the hash orders rows within a date): with a cache that holds the hot
    part of the index, pages are not written out and read back again and again. Pages are
    only allocated as used, so a small import costs nothing. 1M-row bench file: SQLite time
    9.0 s with 32 MB, 8.3 s with 96 MB (the whole process then peaks around 255 MB).
    """
    if conn.dialect.name != "sqlite" or file_size < (1 << 20):
        yield
        return
    dbapi = conn.connection.driver_connection
    before = dbapi.execute("PRAGMA cache_size").fetchone()[0]
    dbapi.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        try:
            dbapi.execute(f"PRAGMA cache_size = {int(before)}")
        except Exception:  # a broken connection: never mask the import's own error
            pass


def _write(
    conn: Connection,
    parsed,
    plans: _Plans,
    plan: str | None,
    sha: str,
    file_name: str,
    now: dt.datetime,
    user_dir: Path | None = None,
    allow_overlap: bool = False,
) -> ImportResult:
    """Store the parsed file's rows, conversions and balances; check and summarise them."""
    w = _Writer(conn, parsed, plans, plan, sha, file_name, now, user_dir)
    with _entry_indexes_deferred(conn, parsed.facts.size):
        added = _pipeline(w.produce, w.insert_many, lambda: bool(w.errors))
    parsed.finish()  # raises ImportRowErrors: the caller rolls back
    added += w.store_conversions()
    w.check(added, allow_overlap)
    w.close(added)
    return w.result


class _SqliteRows:
    """``entry`` inserts through the driver (``INSERT OR IGNORE`` on the unique key)."""

    def __init__(self, conn: Connection, import_id: int, hold_skipped):
        self.cur = conn.connection.driver_connection.cursor()
        self.import_id, self.hold_skipped = import_id, hold_skipped
        self.sql = (
            f"INSERT OR IGNORE INTO entry ({', '.join(ENTRY_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})"
        )
        self.compact_sql: dict[int, str] = {}

    def many(self, batch: list[tuple], one_plan: int | None = None) -> int:
        if one_plan is None:
            self.cur.executemany(self.sql, batch)
        else:  # COMPACT_COLUMNS tuples: the shared values are literals (ints, a fixed word)
            stmt = self.compact_sql.get(one_plan)
            if stmt is None:
                stmt = self.compact_sql[one_plan] = (
                    f"INSERT OR IGNORE INTO entry ({', '.join(COMPACT_COLUMNS)}, irr_year, status, plan_id, "
                    f"import_id) VALUES ({', '.join('?' * len(COMPACT_COLUMNS))}, NULL, 'posted', "
                    f"{int(one_plan)}, {int(self.import_id)})"
                )
            self.cur.executemany(stmt, batch)
        n = self.cur.rowcount
        if n < len(batch):  # some rows were already in the ledger: this import holds them too
            self.hold_skipped(batch, one_plan)
        return n

    def one(self, values: tuple) -> int | None:
        self.cur.execute(self.sql, values)
        return self.cur.lastrowid if self.cur.rowcount == 1 else None


class _PortableRows:
    """``entry`` inserts through SQLAlchemy Core (PostgreSQL): conflicts on (plan_id, identity)
    skipped."""

    def __init__(self, conn: Connection, import_id: int, hold_skipped):
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        if conn.dialect.name != "postgresql":
            raise UserError(f"import supports SQLite and PostgreSQL databases, not {conn.dialect.name}")
        self.conn, self.import_id, self.hold_skipped = conn, import_id, hold_skipped
        self.stmt = pg_insert(T_ENTRY).on_conflict_do_nothing(index_elements=["plan_id", "identity"])

    def many(self, batch: list[tuple], one_plan: int | None = None) -> int:
        full = batch if one_plan is None else [full_entry(t, one_plan, self.import_id) for t in batch]
        # count the RETURNING rows: after a batched ("insertmanyvalues") executemany the
        # driver's rowcount is not the total of rows inserted
        rows = [dict(zip(ENTRY_COLUMNS, t)) for t in full]
        n = len(self.conn.execute(self.stmt.returning(T_ENTRY.c.id), rows).all())
        if n < len(batch):
            self.hold_skipped(batch, one_plan)
        return n

    def one(self, values: tuple) -> int | None:
        got = self.conn.execute(self.stmt.returning(T_ENTRY.c.id), dict(zip(ENTRY_COLUMNS, values))).first()
        return got[0] if got else None


class _Writer:
    """One file's import inside the caller's transaction: the ``import_batch`` row, then
    :meth:`produce` parses (serially or in worker processes) into batches that
    :meth:`insert_many` stores; conversion legs and balances are kept for afterwards."""

    def __init__(self, conn, parsed, plans: _Plans, plan, sha, file_name, now, user_dir):
        self.conn, self.parsed, self.plans, self.plan = conn, parsed, plans, plan
        self.sha, self.file_name, self.now, self.user_dir = sha, file_name, now, user_dir
        self.plan_id_default = plans.id(plan) if plan else None
        self.import_id = conn.execute(
            insert(T_BATCH).values(
                file_name=file_name,
                file_sha256=sha,
                profile=parsed.importer.id,
                plan_id=self.plan_id_default,
                created_at=now,
                rows_read=0,
                rows_added=0,
            )
        ).inserted_primary_key[0]
        self.result = ImportResult(
            file=file_name, sha256=sha, profile=parsed.importer.id, plans=[], import_id=self.import_id
        )
        self.held = 0
        rows_class = _SqliteRows if conn.dialect.name == "sqlite" else _PortableRows
        rows = rows_class(conn, self.import_id, self.hold_skipped)
        self.insert_many, self.insert_one = rows.many, rows.one
        self.removed = _tombstones(conn)
        if self.removed:  # the user removed some imported rows: never insert them again
            self.insert_many = _skip_removed(self.insert_many, self.removed, self.import_id, self.result)
        self.errors = parsed.ctx.errors
        self.seen: set[int] = set()
        self.dupes: dict[int, int] = {}
        self.legs: list[tuple[CanonicalRow, int]] = []
        self.balances: list[tuple[CanonicalRow, int]] = []
        self.plan_names: set[str] = set()
        self.all_plans, self.shared = self._plan_ids()
        self.read = 0
        # the parallel path's bulk rows: their count and (type, source) -> [rows, cents] tally
        self.bulk_rows, self.tally, self.other_rows = 0, None, False
        self.last: tuple = (None, None)  # plan name, plan id
        self.batch: list[tuple] = []

    def _plan_ids(self) -> tuple[dict[str, int], set[str]]:
        """Plan names the file's rows may use: within --person if given; a name two people
        share (without --person) is left out, and a row naming it is an error that says so."""
        q = select(T_PLAN.c.name, T_PLAN.c.id)
        if self.plans.person_id is not None:
            q = q.where(T_PLAN.c.person_id == self.plans.person_id)
        ids_by_name: dict[str, list[int]] = defaultdict(list)
        for r in self.conn.execute(q):
            ids_by_name[r.name].append(r.id)
        one = {name: ids[0] for name, ids in ids_by_name.items() if len(ids) == 1}
        return one, {name for name, ids in ids_by_name.items() if len(ids) > 1}

    # ------------------------------------------------------------ holds

    def hold_identities(self, plan_id: int, idents: list[str]) -> None:
        """Record that this import also holds the ledger's rows with these identities."""
        for i in range(0, len(idents), HOLD_CHUNK):
            self.held += _hold(
                self.conn,
                self.import_id,
                select(T_ENTRY.c.id).where(
                    T_ENTRY.c.plan_id == plan_id,
                    T_ENTRY.c.identity.in_(idents[i : i + HOLD_CHUNK]),
                    or_(T_ENTRY.c.import_id.is_(None), T_ENTRY.c.import_id != self.import_id),
                ),
            )

    def hold_skipped(self, batch: list[tuple], one_plan: int | None) -> None:
        by_plan: dict[int, list[str]] = defaultdict(list)
        for t in batch:  # identity is last; the plan id is the chunk's, or ENTRY_COLUMNS[14]
            by_plan[one_plan if one_plan is not None else t[14]].append(t[-1])
        for pid, idents in by_plan.items():
            self.hold_identities(pid, idents)

    # ------------------------------------------------------------ parsing into batches

    def produce(self, put) -> None:
        """Parse and shape rows into batches for ``put`` (no database access here but the
        plan lookups of errors)."""
        from .parallel import parse_parallel, workers_wanted

        parsed = self.parsed
        par = parse_parallel(
            parsed.path,
            parsed.facts,
            parsed.importer,
            parsed.ctx,
            workers_wanted(parsed.facts),
            self.user_dir,
            self.all_plans,
            self.import_id,
        )
        if par is None:
            for row in parsed.rows:
                self.read += 1
                if not self.errors:  # after a bad row keep parsing to report them all, write nothing
                    self._take(row, put)
        else:
            self._from_workers(par, put)
        if self.batch and not self.errors:
            put(self.batch)

    def _plan_id(self, name: str | None, line: int) -> int | None:
        if name == self.last[0]:
            return self.last[1]
        pid = self.all_plans.get(name)
        if pid is None:
            if name in self.shared:
                reason = str(ambiguous_plan_error(name, _owners(self.conn, name)))
            elif self.plans.person is not None:
                reason = f"{self.plans.person} has no plan {name!r}; add it with `megaroth plan add`"
            else:
                reason = f"unknown plan {name!r}; add it with `megaroth plan add`"
            self.errors.add(line, "plan", reason)
            return None
        self.last = (name, pid)
        self.plan_names.add(name)
        return pid

    def _take(self, row: CanonicalRow, put) -> None:
        self.other_rows = True
        pid = self._plan_id(row.plan, row.line)
        if pid is None:
            return
        if row.type == "balance":
            self.balances.append((row, pid))
        elif row.type in CONVERSION_TYPES:
            self.legs.append((row, pid))
        else:
            identity = row_identity(row, row.plan, self.seen, self.dupes)
            self.batch.append(_entry_tuple(row, pid, self.import_id, identity))
            if len(self.batch) >= BATCH:
                put(self.batch)
                self.batch = []

    def _from_workers(self, par, put) -> None:
        from .derive import pair_transfers

        held: list[CanonicalRow] = []
        self.tally = {}
        for kind, payload in par:
            if kind == "rows":
                self.read += len(payload)
                if not self.errors:
                    held.extend(payload)
                continue
            self.read += payload[2]
            if not self.errors:
                self._chunk(payload, put)
        for row in pair_transfers(held):
            if not self.errors:
                self._take(row, put)

    def _chunk(self, payload, put) -> None:
        """One worker chunk's entry tuples: occurrences set, tallied, handed to ``put``."""
        ready, pos, _n, names, unknown, chunk_tally, keys, one_plan = payload
        if unknown is not None:
            self._plan_id(unknown[1], unknown[0])  # reports it: nothing will be written
            return
        self.plan_names.update(names)
        self._occurrences(ready, pos, keys)
        for k, (rows_n, cents) in chunk_tally.items():
            t = self.tally.get(k)
            if t is None:
                self.tally[k] = [rows_n, cents]
            else:
                t[0] += rows_n
                t[1] += cents
        self.bulk_rows += len(ready)
        put(ready, one_plan)

    def _occurrences(self, ready: list[tuple], pos: list[int] | None, keys) -> None:
        """Occurrence counts need the whole file: a chunk with no twin of an earlier row (or of
        another row of its own) keeps the workers' occurrence 0 throughout (a base's key is
        the hash of its first identity, base + ":0": with_occurrence)."""
        if keys is not None:  # hashed by the (forked) worker, same hash() as here
            hs, distinct = keys
        else:
            hs = [hash(t[-1]) for t in ready] if pos is None else [hash(ready[i][-1]) for i in pos]
            distinct = len(set(hs)) == len(hs)
        if distinct and self.seen.isdisjoint(hs):
            self.seen.update(hs)
            return
        for i in range(len(ready)) if pos is None else pos:
            ident = with_occurrence(ready[i][-1][:-2], self.seen, self.dupes)
            if not ident.endswith(":0"):
                ready[i] = ready[i][:-1] + (ident,)

    # ------------------------------------------------------------ after the bulk rows

    def store_conversions(self) -> int:
        """Conversion legs, group by group in date order (they are few); their split is
        derived when read, never here. Returns the entries added."""
        groups: dict[tuple, list[tuple[CanonicalRow, int]]] = defaultdict(list)
        for row, plan_id in self.legs:
            key = (plan_id, row.transfer_group or f"auto:{row.date.isoformat()}", row.date)
            groups[key].append((row, plan_id))
        added = 0
        for (plan_id, group, date), group_legs in sorted(groups.items(), key=lambda kv: (kv[0][2], kv[0][1])):
            added += self._conversion(plan_id, group, date, group_legs)
        return added

    def _conversion(self, plan_id: int, group: str, date: dt.date, group_legs: list) -> int:
        values = [
            _entry_tuple(r, pid, self.import_id, row_identity(r, r.plan, self.seen, self.dupes))
            for r, pid in group_legs
        ]
        gone = {v[-1] for v in values if (plan_id, v[-1]) in self.removed}  # removed by the user: never again
        self.result.rows_removed_skipped += len(gone)
        new = [
            (r, v)
            for (r, _), v in zip(group_legs, values)
            if v[-1] not in gone and not _exists(self.conn, plan_id, v[-1])
        ]
        if len(new) + len(gone) < len(values):
            self.hold_identities(
                plan_id, [v[-1] for v in values if v[-1] not in gone and all(v is not nv for _, nv in new)]
            )
        if not new:
            return 0
        conv = record_imported_conversion(
            self.conn,
            plan_id=plan_id,
            date=date,
            legs=new,
            import_id=self.import_id,
            transfer_group=group,
            insert_one=self.insert_one,
        )
        if conv is not None:
            self.result.conversions_added += 1
        else:
            self.result.notes.append(f"{date}: conversion legs without an outgoing leg were stored unlinked")
        return len(new)

    def check(self, added: int, allow_overlap: bool) -> None:
        """The checks that need the rows in: births, other plans' files and accounts, overlap;
        then balances and statement totals, and the assertions the new rows change."""
        conn, result, file_name = self.conn, self.result, self.file_name
        plan_ids = sorted({self.all_plans[n] for n in self.plan_names})
        self.plan_ids = plan_ids
        _check_births(conn, plan_ids, file_name)
        self.batch_plan = self.plan_id_default
        if self.batch_plan is None and len(self.plan_names) == 1:
            self.batch_plan = self.plans.id(next(iter(self.plan_names)))
        self.account_id = getattr(self.parsed.ctx, "account_id", None)
        if self.batch_plan is not None:
            _refuse_file_of_another_plan(conn, self.sha, file_name, self.batch_plan, None, self.import_id)
            if self.account_id:
                _refuse_account_of_another_plan(
                    conn, self.account_id, file_name, self.batch_plan, self.import_id
                )
        if added:
            result.overlap_allowed = _check_overlap(conn, self.import_id, plan_ids, file_name, allow_overlap)
        result.balances_read = len(self.balances)
        result.balances_added = _balance_assertions(conn, self.balances, self.import_id, self.removed, result)
        result.notes.extend(self.parsed.ctx.notes)
        for check in self.parsed.ctx.checks:
            _check_year_to_date(conn, check, self.all_plans, result)
        if added:  # the new rows change what earlier assertions of these plans leave unexplained
            for name in sorted(self.plan_names):
                refresh_assertion_differences(conn, self.all_plans[name])
        if added or result.balances_added:
            # a difference out of proportion is booked all the same, but said (and `megaroth check` fails)
            for name in sorted(self.plan_names):
                result.notes.extend(suspicious_assertions(conn, self.all_plans[name]))

    def close(self, added: int) -> None:
        """The result's counts and summary, the batch row's, and the change log's entry."""
        result = self.result
        result.rows_read, result.rows_added, result.rows_held = self.read, added, self.held
        result.plans = sorted(self.plan_names)
        self.conn.execute(
            update(T_BATCH)
            .where(T_BATCH.c.id == self.import_id)
            .values(
                rows_read=self.read,
                rows_added=added,
                plan_id=self.batch_plan,
                account_id=self.account_id,
                overlap_allowed=bool(result.overlap_allowed),
            )
        )
        by_type_source = self._by_type_source(added)
        unknown = sum(n for _, source, n, _ in by_type_source if source == "unknown")
        if unknown:
            from .unknown import fix_hint

            plan = self.plan or (sorted(self.plan_names) or ["PLAN"])[0]
            result.notes.append(
                f"{unknown} row(s) have source unknown (this export has no money source); headroom and the "
                f"forms need sources: {fix_hint(plan, self.import_id)}"
            )
        result.summary = [
            {"type": t, "source": s, "rows": n, "amount_cents": c} for t, s, n, c in by_type_source
        ]
        _log_batch(
            self.conn,
            "import",
            self.import_id,
            {*self.plan_ids, self.batch_plan} - {None},
            self.now,
            {
                "file": self.file_name,
                "sha256": self.sha,
                "profile": self.parsed.importer.id,
                "plans": result.plans,
                "rows_read": self.read,
                "rows_added": added,
                "conversions_added": result.conversions_added,
                "balance_assertions_added": result.balances_added,
            },
        )

    def _by_type_source(self, added: int) -> list[tuple[str, str, int, int]]:
        tally = self.tally
        if tally is not None and not self.other_rows and not self.legs and not self.balances:
            if added == self.bulk_rows:
                # every stored row is one of the bulk rows, all inserted: their tally is what the
                # GROUP BY below would count (without scanning a million rows again)
                return sorted((k[0], k[1], v[0], v[1]) for k, v in tally.items())
        return [
            (r.type, r.source, r.n, int(r.total or 0))
            for r in self.conn.execute(
                select(
                    T_ENTRY.c.type,
                    T_ENTRY.c.source,
                    func.count().label("n"),
                    func.sum(T_ENTRY.c.amount_cents).label("total"),
                )
                .where(T_ENTRY.c.import_id == self.import_id)
                .group_by(T_ENTRY.c.type, T_ENTRY.c.source)
                .order_by(T_ENTRY.c.type, T_ENTRY.c.source)
            )
        ]


@contextmanager
def _entry_indexes_deferred(conn: Connection, file_size: int):
    """For a big file into a small ledger: ``entry``'s secondary indexes are dropped while the
    rows go in and built again afterwards, in the same transaction.

    Building an index once from the stored rows (SQLite sorts them) is cheaper than keeping it
    up to date row by row: 1,000,000 rows of ``bench/run.py``'s decade and own shapes took 8.0
    and 8.5 s of SQLite time with the four indexes kept up, 6.3 and 6.7 s with them built
    afterwards (2.0 s of it the build). A build reads the whole table, so a ledger that already
    holds more rows than the file could bring (one per :data:`BYTES_PER_ROW_MIN` bytes) keeps
    its indexes. The ``(plan_id, identity)`` unique key stays: it decides which rows are new.

    Nothing else reads ``entry`` meanwhile: the statements inside only insert (and look rows
    up by the unique key). The drop and the build are part of the import's transaction: if it
    fails or the process dies, the rollback leaves the indexes as they were; readers in other
    processes keep their snapshot, indexes included. (SQLite only.)
    """
    if conn.dialect.name != "sqlite" or file_size < DEFER_INDEX_MIN_BYTES:
        yield
        return
    dbapi = conn.connection.driver_connection
    rows = dbapi.execute("SELECT max(id) FROM entry").fetchone()[0] or 0
    if rows > file_size // BYTES_PER_ROW_MIN:
        yield
        return
    indexes = dbapi.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entry' "
        "AND sql IS NOT NULL ORDER BY name"
    ).fetchall()
    for name, _ in indexes:
        dbapi.execute(f'DROP INDEX "{name}"')
    yield
    # SQLite's sorter may use as much memory as the page cache: a smaller cache for the build
    # hands the insert's pages over to it (the page cache is restored by _page_cache)
    dbapi.execute(f"PRAGMA cache_size = -{INDEX_BUILD_CACHE_KIB}")
    for _, sql in indexes:
        dbapi.execute(sql)


def _log_batch(
    conn: Connection, action: str, import_id: int, plan_ids: set[int], now: dt.datetime, after: dict
) -> None:
    """One change-log entry per import or undo (never one per row), under the person whose plans
    it touched; touching several people's plans, under none, their names in ``people`` (so that
    ``log --person`` finds it for each of them)."""
    from ..store.changelog import record_change

    people = conn.execute(
        select(T_PERSON.c.id, T_PERSON.c.name)
        .join(T_PLAN, T_PLAN.c.person_id == T_PERSON.c.id)
        .where(T_PLAN.c.id.in_(sorted(plan_ids)))
        .distinct()
        .order_by(T_PERSON.c.name)
    ).all()
    person_id = people[0].id if len(people) == 1 else None
    if len(people) > 1:
        after = {**after, "people": [p.name for p in people]}
    record_change(conn, action, "import", import_id, None, after, person_id=person_id, at=now)


def _check_births(conn: Connection, plan_ids: list[int], file_name: str) -> None:
    """Every participant was born at least 14 years before their first contribution
    (megaroth_ledger.bounds); a file that says otherwise is refused (nothing written).

    A plan's first contribution is read off the ``(plan_id, date)`` index, not by scanning
    its rows (a million-row plan: 0.57 s with the scan)."""
    from ..bounds import BoundError, check_born_before
    from ..store.models import Person
    from ..vocab import CONTRIBUTION_TYPES

    t_person = Person.__table__
    first: dict[tuple[str, dt.date], dt.date] = {}
    for pid in plan_ids:
        got = conn.execute(
            select(T_ENTRY.c.date)
            .where(T_ENTRY.c.plan_id == pid, T_ENTRY.c.type.in_(sorted(CONTRIBUTION_TYPES)))
            .order_by(T_ENTRY.c.date)
            .limit(1)
        ).scalar()
        if got is None:
            continue
        who = conn.execute(
            select(t_person.c.name, t_person.c.born)
            .join(T_PLAN, T_PLAN.c.person_id == t_person.c.id)
            .where(T_PLAN.c.id == pid)
        ).one()
        key = (who.name, who.born)
        first[key] = min(first.get(key, got), got)
    for (name, born), date in sorted(first.items(), key=lambda kv: kv[0][0]):
        try:
            check_born_before(born, date, name)
        except BoundError as exc:
            raise UserError(f"{file_name}: {exc}; nothing was imported") from None


def _pipeline(produce, consume, failed) -> int:
    """Feed every batch ``produce`` yields to ``consume`` (unless a row failed); sum the results.

    (A parse thread overlapping SQLite's writes was measured: no gain under the GIL, more
    memory, so batches are written inline.)
    """
    total = [0]

    def put(batch, one_plan=None):
        if not failed():
            total[0] += consume(batch, one_plan)

    produce(put)
    return total[0]


def _hold(conn: Connection, import_id: int, ids_select, *, table=T_HOLD, column: str = "entry_id") -> int:
    """INSERT (id, import_id) for every id ``ids_select`` yields into a hold table; an existing
    pair is left alone. Returns the number of pairs added."""
    sel = select(ids_select.subquery().c[0], literal(import_id))
    stmt = insert(table).from_select([column, "import_id"], sel)
    if conn.dialect.name == "sqlite":
        stmt = stmt.prefix_with("OR IGNORE")
    else:
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(table).from_select([column, "import_id"], sel).on_conflict_do_nothing()
        # count what RETURNING gives back: psycopg reports rowcount -1 for this INSERT ... SELECT
        return len(conn.execute(stmt.returning(table.c[column])).all())
    return conn.execute(stmt).rowcount or 0


def _active_batches(conn: Connection, exclude: int | None):
    q = select(
        T_BATCH.c.id,
        T_BATCH.c.file_name,
        T_BATCH.c.profile,
        T_BATCH.c.plan_id,
        T_BATCH.c.account_id,
        T_BATCH.c.file_sha256,
    ).where(T_BATCH.c.undone_at.is_(None))
    if exclude is not None:
        q = q.where(T_BATCH.c.id != exclude)
    return q


def _plan_name(conn: Connection, plan_id: int | None) -> str:
    name = conn.execute(select(T_PLAN.c.name).where(T_PLAN.c.id == plan_id)).scalar()
    return name or "(a removed plan)"


def _refuse_file_of_another_plan(
    conn: Connection, sha: str, file_name: str, plan_id: int, plan: str | None, import_id: int | None = None
) -> None:
    """A file (same SHA-256) already imported into one plan is not imported into another."""
    other = conn.execute(
        _active_batches(conn, import_id)
        .where(T_BATCH.c.file_sha256 == sha, T_BATCH.c.plan_id.is_not(None), T_BATCH.c.plan_id != plan_id)
        .order_by(T_BATCH.c.id)
    ).first()
    if other is not None:
        target = plan or _plan_name(conn, plan_id)
        raise UserError(
            f"{file_name}: this file (same SHA-256) was already imported into plan "
            f"{_plan_name(conn, other.plan_id)} as import #{other.id} ({other.file_name}); a statement "
            f"belongs to one plan, so it is not imported into {target}. Nothing was imported. If "
            f"#{other.id} went into the wrong plan: `megaroth import undo {other.id}`, then import it again"
        )


def _refuse_account_of_another_plan(
    conn: Connection, account_id: str, file_name: str, plan_id: int, import_id: int
) -> None:
    """An OFX account (BROKERID:ACCTID) already imported into one plan is not imported into another."""
    other = conn.execute(
        _active_batches(conn, import_id)
        .where(
            T_BATCH.c.account_id == account_id, T_BATCH.c.plan_id.is_not(None), T_BATCH.c.plan_id != plan_id
        )
        .order_by(T_BATCH.c.id)
    ).first()
    if other is not None:
        raise UserError(
            f"{file_name}: its account {account_id} belongs to plan {_plan_name(conn, other.plan_id)} "
            f"(import #{other.id}, {other.file_name}); one account's statements go into one plan. Nothing "
            f"was imported. Give --plan {_plan_name(conn, other.plan_id)}, or if #{other.id} went into the "
            f"wrong plan: `megaroth import undo {other.id}` first"
        )


def find_overlap(conn: Connection, import_id: int, plan_ids: list[int]):
    """(:class:`~.overlap.Overlap`, {earlier import id: rows it holds}) for the rows import
    ``import_id`` inserted, against the rows other active imports hold in the same plans on
    the same dates (rows it holds itself, i.e. skipped as duplicates, and balance plugs left out)."""
    from .overlap import Overlap, match

    others = [
        r.id
        for r in conn.execute(
            _active_batches(conn, import_id).where(
                or_(T_BATCH.c.plan_id.in_(plan_ids), T_BATCH.c.plan_id.is_(None))
            )
        )
    ]
    if not others or not plan_ids:  # nothing to compare with (a first import: no scan at all)
        return Overlap(0, 0), {}
    e = T_ENTRY
    lo, hi = conn.execute(
        select(func.min(e.c.date), func.max(e.c.date)).where(e.c.import_id == import_id, e.c.origin.is_(None))
    ).one()
    if lo is None:
        return Overlap(0, 0), {}
    key = (e.c.plan_id, e.c.date, e.c.source, e.c.type, e.c.amount_cents)
    old = conn.execute(
        select(e.c.import_id, *key, func.count())
        .where(
            e.c.plan_id.in_(plan_ids),
            e.c.date >= lo,
            e.c.date <= hi,
            e.c.import_id.in_(others),
            e.c.origin.is_(None),
            ~exists().where(T_HOLD.c.entry_id == e.c.id, T_HOLD.c.import_id == import_id),
        )
        .group_by(e.c.import_id, *key)
    ).all()
    if not old:
        return Overlap(0, 0), {}
    new = conn.execute(
        select(*key, func.count()).where(e.c.import_id == import_id, e.c.origin.is_(None)).group_by(*key)
    ).all()
    found = match([tuple(r) for r in new], [tuple(r) for r in old])
    ids = sorted(found.by_import)
    held = {i: 0 for i in ids}
    if ids:
        for i, n in conn.execute(
            select(e.c.import_id, func.count())
            .where(e.c.import_id.in_(ids), e.c.origin.is_(None))
            .group_by(e.c.import_id)
        ):
            held[i] += n
        for i, n in conn.execute(
            select(T_HOLD.c.import_id, func.count())
            .where(T_HOLD.c.import_id.in_(ids))
            .group_by(T_HOLD.c.import_id)
        ):
            held[i] += n
    return found, held


def _check_overlap(
    conn: Connection, import_id: int, plan_ids: list[int], file_name: str, allow: bool
) -> list[int]:
    """Refuse an import whose activity other imports already hold (:mod:`.overlap`), unless
    ``allow``; returns the earlier imports it overlaps."""
    found, held = find_overlap(conn, import_id, plan_ids)
    earlier = found.earlier(held)
    if not earlier or allow:
        return earlier
    rows = conn.execute(
        select(T_BATCH.c.id, T_BATCH.c.file_name, T_BATCH.c.profile)
        .where(T_BATCH.c.id.in_(earlier))
        .order_by(T_BATCH.c.id)
    ).all()
    named = "; ".join(
        f"import #{r.id} ({r.file_name}, {r.profile}): {found.by_import[r.id]} of its "
        f"{held.get(r.id, 0)} rows"
        for r in rows
    )
    first = rows[0].id
    raise UserError(
        f"{file_name}: {found.matched} of the {found.new_rows} rows it would add (same plan, date, source, "
        f"type and amount) are already in the ledger from another file: {named}. Importing it would count "
        f"that activity twice, so nothing was imported. If it is the same statement in another format, "
        f"keep one (`megaroth import undo {first}` to replace #{first} with this file); if the activity "
        f"is really distinct, import it with --allow-overlap"
    )


def _ledger_sum(
    conn: Connection,
    plan_id: int,
    sources,
    *,
    through: dt.date,
    types=None,
    exclude_conversion_day: bool = False,
) -> int:
    q = select(func.coalesce(func.sum(T_ENTRY.c.amount_cents), 0)).where(
        T_ENTRY.c.plan_id == plan_id,
        T_ENTRY.c.source.in_(list(sources)),
        T_ENTRY.c.status == "posted",
        T_ENTRY.c.date <= through,
    )
    if types is not None:
        q = q.where(T_ENTRY.c.type.in_(list(types)))
    if exclude_conversion_day:
        q = q.where(~((T_ENTRY.c.date == through) & T_ENTRY.c.type.in_(list(CONVERSION_TYPES))))
    return int(conn.execute(q).scalar_one())


def _exists(conn: Connection, plan_id: int, identity: str) -> bool:
    return (
        conn.execute(
            select(T_ENTRY.c.id).where(T_ENTRY.c.plan_id == plan_id, T_ENTRY.c.identity == identity)
        ).first()
        is not None
    )


def record_imported_conversion(
    conn: Connection,
    *,
    plan_id: int,
    date: dt.date,
    legs: list[tuple[CanonicalRow, tuple]],
    import_id: int,
    transfer_group: str | None,
    insert_one,
) -> int | None:
    """Store one imported in-plan Roth conversion: its legs plus the ``conversion`` row that
    ``megaroth convert`` would record, with the legs linked to it. Returns the conversion id
    (None when no leg takes money out).

    Only what the statement says is stored (date, amount, source). The basis, earnings and
    taxable part are not computed here: every report, form and sheet recomputes them from the
    whole ledger when it reads it (issue 9), so importing statements in any order gives the
    same figures as entering the rows in date order. The importers call no report code.
    """
    outs = [r for r, _ in legs if r.amount_cents < 0]
    amount = -sum(r.amount_cents for r in outs)
    conv_id = None
    if outs:
        source = outs[0].source
        conv_id = conn.execute(
            insert(T_CONV).values(
                plan_id=plan_id,
                date=date,
                tax_year=date.year,
                source=source,
                to="in-plan",
                earnings_to=None,
                amount_cents=amount,
                basis_cents=0,
                basis_computed_cents=0,
                basis_overridden=False,
                balance_before_cents=None,
                basis_before_cents=None,
                memo=None,
                import_id=import_id,
                transfer_group=transfer_group,
            )
        ).inserted_primary_key[0]
    ids = []
    for _, values in legs:
        entry_id = insert_one(values)
        if entry_id is not None:
            ids.append(entry_id)
    if conv_id is not None and ids:
        conn.execute(update(T_ENTRY).where(T_ENTRY.c.id.in_(ids)).values(conversion_id=conv_id))
    return conv_id


def balance_identity(date: dt.date, source: str, cents: int) -> str:
    """The tombstone identity of an imported balance assertion (it has no row identity)."""
    return f"balance:{date.isoformat()}:{source}:{cents}"


def _tombstones(conn: Connection) -> set[tuple[int, str]]:
    """(plan id, identity) of every imported row the user removed (few: one per ``rm``)."""
    return {(r.plan_id, r.identity) for r in conn.execute(select(T_REMOVED.c.plan_id, T_REMOVED.c.identity))}


def _skip_removed(insert_many, removed: set[tuple[int, str]], import_id: int, result: ImportResult):
    """``insert_many`` without the rows the user removed (counted in ``rows_removed_skipped``).
    Only used when there are tombstones, so a plain import pays nothing for it."""

    def insert(batch: list[tuple], one_plan: int | None = None) -> int:
        if one_plan is None:  # ENTRY_COLUMNS tuples: plan_id third from the end, identity last
            kept = [t for t in batch if (t[-3], t[-1]) not in removed]
        else:  # COMPACT_COLUMNS tuples: one plan for the whole chunk, identity last
            kept = [t for t in batch if (one_plan, t[-1]) not in removed]
        result.rows_removed_skipped += len(batch) - len(kept)
        return insert_many(kept, one_plan) if kept else 0

    return insert


def _balance_assertions(
    conn: Connection,
    balances: list[tuple[CanonicalRow, int]],
    import_id: int,
    removed: set[tuple[int, str]] = frozenset(),
    result: ImportResult | None = None,
) -> int:
    """Record the file's ``balance`` rows (summed per plan, date and source) as balance assertions,
    each with its difference entry (:func:`_book_difference`), and refigure the plans' other
    assertions. One the user removed earlier (a tombstone in ``removed``) or already in the
    ledger is not added again. Returns how many were added."""
    totals, starts = _balance_totals(balances)
    added = 0
    opened: set[tuple[int, str]] = set()
    for (plan_id, date, source), cents in sorted(totals.items()):
        if (plan_id, balance_identity(date, source, cents)) in removed:
            if result is not None:
                result.rows_removed_skipped += 1
            continue
        if _assertion_known(conn, plan_id, date, source, cents, import_id):
            continue
        first = (plan_id, source) not in opened and _first_statement(conn, plan_id, source, date, import_id)
        asserted = _add_assertion(conn, plan_id, date, source, cents, import_id)
        first_start = starts.get((plan_id, date, source), date) if first else None
        _book_difference(conn, asserted, import_id, first_start, result)
        opened.add((plan_id, source))
        added += 1
    for plan_id in sorted({p for p, _, _ in totals}):
        refresh_assertion_differences(conn, plan_id)
    return added


def _balance_totals(
    balances: list[tuple[CanonicalRow, int]],
) -> tuple[dict[tuple[int, dt.date, str], int], dict[tuple[int, dt.date, str], dt.date]]:
    """The balance rows summed per (plan id, date, source), and the earliest statement start
    (an OFX ``DTSTART`` in the row's raw cells) of each such key that has one."""
    totals: dict[tuple[int, dt.date, str], int] = defaultdict(int)
    starts: dict[tuple[int, dt.date, str], dt.date] = {}
    for row, plan_id in balances:
        key = (plan_id, row.date, row.source)
        totals[key] += row.amount_cents
        start = row.raw_dict().get("DTSTART") if row.raw else None
        if start:
            try:
                starts[key] = min(starts.get(key, row.date), dt.date.fromisoformat(start))
            except ValueError:
                pass
    return totals, starts


def _assertion_known(
    conn: Connection, plan_id: int, date: dt.date, source: str, cents: int, import_id: int
) -> bool:
    """Whether the ledger has this balance assertion already; one another import added is then
    held by this import too (undoing either keeps it while the other stays)."""
    found = conn.execute(
        select(T_ASSERT.c.id, T_ASSERT.c.import_id).where(
            T_ASSERT.c.plan_id == plan_id,
            T_ASSERT.c.date == date,
            T_ASSERT.c.source == source,
            T_ASSERT.c.amount_cents == cents,
        )
    ).first()
    if not found:
        return False
    if found.import_id is not None and found.import_id != import_id:  # this import holds it too
        _hold(conn, import_id, select(literal(found.id)), table=T_AHOLD, column="assertion_id")
    return True


class _Asserted(NamedTuple):
    """A balance assertion this import added: its id, what it states and what the ledger held."""

    id: int
    plan_id: int
    date: dt.date
    source: str
    cents: int  # the statement's balance
    ledger: int  # the ledger's balance of (plan, source) through the date, before the difference


def _add_assertion(
    conn: Connection, plan_id: int, date: dt.date, source: str, cents: int, import_id: int
) -> _Asserted:
    """Insert the balance assertion, with the ledger's balance through its date beside it."""
    ledger = _ledger_sum(conn, plan_id, [source], through=date)
    aid = conn.execute(
        insert(T_ASSERT).values(
            plan_id=plan_id,
            date=date,
            source=source,
            amount_cents=cents,
            ledger_cents=ledger,
            import_id=import_id,
        )
    ).inserted_primary_key[0]
    return _Asserted(aid, plan_id, date, source, cents, ledger)


def _book_difference(
    conn: Connection,
    a: _Asserted,
    import_id: int,
    first_start: dt.date | None,
    result: ImportResult | None,
) -> None:
    """Book what the ledger lacks of the assertion's balance. ``first_start`` (the statement's
    start) is given only on the plan's first statement for the source: a positive difference is
    then an opening balance (:func:`_book_opening_balance`); any other difference is earnings."""
    diff = a.cents - a.ledger
    if diff > 0 and first_start is not None:
        _book_opening_balance(conn, a, import_id, first_start, result)
    elif diff:
        # like `megaroth balance assert`: the difference becomes earnings, with provenance
        memo = f"difference between statement {from_cents(a.cents)} and ledger {from_cents(a.ledger)}"
        _difference_entry(conn, a, import_id, "earnings", a.date, memo)


def _book_opening_balance(
    conn: Connection, a: _Asserted, import_id: int, start: dt.date, result: ImportResult | None
) -> None:
    """Book the part of the first statement's balance the ledger cannot explain as an
    ``opening_balance`` entry dated at the statement's start, listed in ``result`` (with a note
    when its basis must be recorded before the forms, :data:`OPENING_BASIS_SOURCES`)."""
    # No history before this statement: what the ledger cannot explain was already in the
    # account when the statement begins (an opening balance), not this period's earnings.
    # Its basis (after-tax contributions in it) is not on the statement.
    diff = a.cents - a.ledger
    on = _opening_date(conn, a.plan_id, a.source, import_id, start)
    memo = (
        f"opening balance: statement {from_cents(a.cents)} on {a.date.isoformat()} less the "
        f"{from_cents(a.ledger)} this import explains"
    )
    _difference_entry(conn, a, import_id, "opening_balance", on, memo)
    if result is not None:
        result.opening_balances.append({"source": a.source, "date": on, "amount_cents": diff})
        if a.source in OPENING_BASIS_SOURCES:
            result.notes.append(
                f"{a.source} opening balance {from_cents(diff):,.2f} on {on.isoformat()}: its basis "
                f"is not on the statement; record it with `megaroth basis set --plan "
                f"{_plan_name(conn, a.plan_id)} --{a.source.replace('_', '-')} AMOUNT` before the forms"
            )


def _difference_entry(
    conn: Connection, a: _Asserted, import_id: int, kind: str, on: dt.date, memo: str
) -> None:
    """Insert the assertion's difference (statement less ledger) as a posted ``kind`` entry dated
    ``on``, its origin the assertion (``balance assert #ID``)."""
    conn.execute(
        insert(T_ENTRY).values(
            plan_id=a.plan_id,
            date=on,
            tax_year=on.year,
            source=a.source,
            type=kind,
            amount_cents=a.cents - a.ledger,
            status="posted",
            import_id=import_id,
            origin=f"balance assert #{a.id}",
            memo=memo,
        )
    )


#: sources whose opening balance needs a basis before the forms can use it (IRC 72(e)(8):
#: after-tax contributions; IRC 402A(d): designated Roth contributions)
OPENING_BASIS_SOURCES = ("aftertax", "roth")


def suspicious_assertions(conn: Connection, plan_id: int) -> list[str]:
    """A warning for each balance assertion of the plan whose difference (as figured now) is out
    of proportion (:func:`~megaroth_ledger.rules.checks.balance_out_of_proportion`)."""
    out = []
    asserts = conn.execute(
        select(T_ASSERT.c.id, T_ASSERT.c.date, T_ASSERT.c.source, T_ASSERT.c.ledger_cents)
        .where(T_ASSERT.c.plan_id == plan_id)
        .order_by(T_ASSERT.c.date, T_ASSERT.c.id)
    ).all()
    if not asserts:
        return out
    plugs = dict(
        conn.execute(
            select(T_ENTRY.c.origin, T_ENTRY.c.amount_cents).where(
                T_ENTRY.c.plan_id == plan_id,
                T_ENTRY.c.type == "earnings",
                T_ENTRY.c.origin.in_([f"{ASSERT_ORIGIN}{a.id}" for a in asserts]),
            )
        ).all()
    )
    rows = [(a, plugs[f"{ASSERT_ORIGIN}{a.id}"]) for a in asserts if plugs.get(f"{ASSERT_ORIGIN}{a.id}")]
    for r, plug in rows:
        found = _suspicion(conn, plan_id, r.source, r.date, plug, r.ledger_cents)
        if found is not None:
            out.append(
                f"warning: balance assertion #{r.id} ({_plan_name(conn, plan_id)} {r.source} on "
                f"{r.date.isoformat()}): {found.message}"
            )
    return out


def _suspicion(conn: Connection, plan_id: int, source: str, on: dt.date, diff: int, ledger: int):
    """:func:`~megaroth_ledger.rules.checks.balance_out_of_proportion` of a booked difference."""
    from ..rules.checks import balance_out_of_proportion
    from ..vocab import CONTRIBUTION_TYPES

    contributed = conn.execute(
        select(func.coalesce(func.sum(T_ENTRY.c.amount_cents), 0)).where(
            T_ENTRY.c.plan_id == plan_id,
            T_ENTRY.c.source == source,
            T_ENTRY.c.status == "posted",
            T_ENTRY.c.type.in_(sorted(CONTRIBUTION_TYPES)),
            T_ENTRY.c.date >= dt.date(on.year, 1, 1),
            T_ENTRY.c.date <= on,
        )
    ).scalar_one()
    return balance_out_of_proportion(from_cents(diff), from_cents(ledger), from_cents(int(contributed)))


def _first_statement(conn: Connection, plan_id: int, source: str, date: dt.date, import_id: int) -> bool:
    """No row of (plan, source) on or before ``date`` from anywhere but this import, and no
    balance assertion of it from another import: the ledger knows nothing before this statement."""
    other = (T_ENTRY.c.import_id.is_(None)) | (T_ENTRY.c.import_id != import_id)
    if (
        conn.execute(
            select(T_ENTRY.c.id)
            .where(T_ENTRY.c.plan_id == plan_id, T_ENTRY.c.source == source, T_ENTRY.c.date <= date, other)
            .limit(1)
        ).first()
        is not None
    ):
        return False
    return (
        conn.execute(
            select(T_ASSERT.c.id)
            .where(
                T_ASSERT.c.plan_id == plan_id,
                T_ASSERT.c.source == source,
                (T_ASSERT.c.import_id.is_(None)) | (T_ASSERT.c.import_id != import_id),
            )
            .limit(1)
        ).first()
        is None
    )


def _opening_date(conn: Connection, plan_id: int, source: str, import_id: int, start: dt.date) -> dt.date:
    """The statement's start: its DTSTART, or this import's first row of the plan if earlier."""
    first = conn.execute(
        select(func.min(T_ENTRY.c.date)).where(T_ENTRY.c.plan_id == plan_id, T_ENTRY.c.import_id == import_id)
    ).scalar()
    if first is not None:
        first = first if isinstance(first, dt.date) else dt.date.fromisoformat(str(first))
        return min(first, start)
    return start


def _check_year_to_date(conn: Connection, check, all_plans: dict[str, int], result: ImportResult) -> None:
    """Compare a statement's year-to-date contributions per source with the ledger's
    contributions (``contribution``/``contribution_true_up`` rows dated in the same window)."""
    from ..vocab import CONTRIBUTION_TYPES

    plan_id = all_plans.get(check.plan)
    if plan_id is None:
        return
    rows = conn.execute(
        select(T_ENTRY.c.source, func.coalesce(func.sum(T_ENTRY.c.amount_cents), 0))
        .where(
            T_ENTRY.c.plan_id == plan_id,
            T_ENTRY.c.status == "posted",
            T_ENTRY.c.type.in_(sorted(CONTRIBUTION_TYPES)),
            T_ENTRY.c.date >= check.start,
            T_ENTRY.c.date <= check.end,
        )
        .group_by(T_ENTRY.c.source)
    ).all()
    ledger = {r[0]: int(r[1]) for r in rows}
    sources = sorted(set(check.by_source) | {s for s, c in ledger.items() if c})
    diffs = []
    for source in sources:
        stmt = check.by_source.get(source)
        if stmt is None:
            continue  # the statement does not state this source
        have = ledger.get(source, 0)
        item = {
            "plan": check.plan,
            "from": check.start,
            "to": check.end,
            "source": source,
            "statement": from_cents(stmt),
            "ledger": from_cents(have),
            "difference": from_cents(stmt - have),
            "matches": stmt == have,
        }
        result.checks.append(item)
        if stmt != have:
            diffs.append(f"{source} statement {from_cents(stmt):,.2f} vs ledger {from_cents(have):,.2f}")
    window = f"{check.start.isoformat()}..{check.end.isoformat()}"
    if diffs:
        result.notes.append(
            f"year-to-date contributions {window} differ from the ledger: " + "; ".join(diffs)
        )
    elif result.checks:
        result.notes.append(f"year-to-date contributions {window} match the ledger")
    for label in check.unmapped:
        result.notes.append(
            f"year-to-date {label} contributions not checked: {label} is not mapped for this plan"
        )


def refresh_assertion_differences(conn: Connection, plan_id: int) -> int:
    """Figure every balance assertion's difference entry of the plan again from the ledger now
    (:func:`megaroth_ledger.store.assertions.refresh`, shared with the thin path). Returns how
    many difference entries changed. A plan without assertions costs one query."""
    from ..store.assertions import refresh
    from ..store.sqlrun import Sql

    return refresh(Sql(conn), plan_id)


# ------------------------------------------------------------------ list / undo / maps


def save_source_map(
    engine: Engine, plan: str, mapping: dict[str, str], person: str | None = None
) -> dict[str, str]:
    """Merge ``mapping`` (raw label -> source) into the plan's stored source map."""
    with write_connection(engine, [plan]) as conn:
        row = _plan_rows(conn, plan, _person_id(conn, person))
        if row is None:
            raise UserError(f"unknown plan {plan!r}; add it first with `megaroth plan add`")
        current = json.loads(row.source_map) if row.source_map else {}
        current.update(mapping)
        conn.execute(
            update(T_PLAN).where(T_PLAN.c.id == row.id).values(source_map=json.dumps(current, sort_keys=True))
        )
    return current


@contextmanager
def _reading(db: Engine | Connection):
    """``db`` itself when it is a connection (e.g. a report's read snapshot), else a new one."""
    if isinstance(db, Connection):
        yield db
    else:
        with db.connect() as conn:
            yield conn


def list_imports(engine: Engine | Connection, person: str | None = None) -> list[dict]:
    """Every import, oldest first; with ``person`` only those into that person's plans (the
    batch's plan, or any row it added: a canonical CSV may fill several plans)."""
    with _reading(engine) as conn:
        q = (
            select(T_BATCH, T_PLAN.c.name.label("plan"), T_PERSON.c.name.label("person"))
            .outerjoin(T_PLAN, T_PLAN.c.id == T_BATCH.c.plan_id)
            .outerjoin(T_PERSON, T_PERSON.c.id == T_PLAN.c.person_id)
            .order_by(T_BATCH.c.id)
        )
        if person is not None:
            pid = _person_id(conn, person)
            theirs = select(T_PLAN.c.id).where(T_PLAN.c.person_id == pid)
            via_rows = select(T_ENTRY.c.import_id).where(T_ENTRY.c.plan_id.in_(theirs))
            q = q.where(T_BATCH.c.plan_id.in_(theirs) | T_BATCH.c.id.in_(via_rows))
        rows = conn.execute(q).all()
    return [
        {
            "id": r.id,
            "file": r.file_name,
            "sha256": r.file_sha256,
            "profile": r.profile,
            "plan": r.plan,
            "person": r.person,
            "imported_at": r.created_at,
            "rows_read": r.rows_read,
            "rows_added": r.rows_added,
            "undone_at": r.undone_at,
            "account_id": r.account_id,
            "overlap_allowed": bool(r.overlap_allowed),
        }
        for r in rows
    ]


def show_import(engine: Engine | Connection, import_id: int) -> dict:
    """One import: its provenance, and its contributions totalled per paycheck and source
    (per-fund rows summed: ``COALESCE(payroll_date, date)``, statement-formats.md 5.5)."""
    from ..vocab import CONTRIBUTION_TYPES

    with _reading(engine) as conn:
        batch = conn.execute(
            select(T_BATCH, T_PLAN.c.name.label("plan"))
            .outerjoin(T_PLAN, T_PLAN.c.id == T_BATCH.c.plan_id)
            .where(T_BATCH.c.id == import_id)
        ).first()
        if batch is None:
            raise UserError(f"no import #{import_id}; see `megaroth import list`")
        paycheck = func.coalesce(T_ENTRY.c.payroll_date, T_ENTRY.c.date)
        rows = conn.execute(
            select(
                paycheck.label("paycheck"),
                T_ENTRY.c.source,
                func.count().label("n"),
                func.sum(T_ENTRY.c.amount_cents).label("total"),
            )
            .where(
                T_ENTRY.c.import_id == import_id,
                T_ENTRY.c.type.in_(sorted(CONTRIBUTION_TYPES)),
                T_ENTRY.c.status == "posted",
            )
            .group_by(paycheck, T_ENTRY.c.source)
            .order_by(paycheck, T_ENTRY.c.source)
        ).all()
        by_type = conn.execute(
            select(
                T_ENTRY.c.type,
                T_ENTRY.c.source,
                func.count().label("n"),
                func.sum(T_ENTRY.c.amount_cents).label("total"),
            )
            .where(T_ENTRY.c.import_id == import_id)
            .group_by(T_ENTRY.c.type, T_ENTRY.c.source)
            .order_by(T_ENTRY.c.type, T_ENTRY.c.source)
        ).all()
    return {
        "import": {
            "id": batch.id,
            "file": batch.file_name,
            "sha256": batch.file_sha256,
            "profile": batch.profile,
            "plan": batch.plan,
            "imported_at": batch.created_at,
            "rows_read": batch.rows_read,
            "rows_added": batch.rows_added,
            "undone_at": batch.undone_at,
        },
        "paychecks": [
            {
                "paycheck": dt.date.fromisoformat(str(r.paycheck)),
                "source": r.source,
                "rows": r.n,
                "amount": from_cents(int(r.total)),
            }
            for r in rows
        ],
        "by_type": [
            {"type": r.type, "source": r.source, "rows": r.n, "amount": from_cents(int(r.total or 0))}
            for r in by_type
        ],
    }


def undo_import(engine: Engine, import_id: int, now: dt.datetime | None = None) -> dict:
    """Undo import ``import_id`` in one transaction: remove the rows, conversions and balance
    assertions it added **unless another active import also holds them** (they were in that
    import's file too, e.g. March's rows in the Q1 statement); those are kept and handed to the
    other import. The batch itself stays, marked undone, for the audit trail."""
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    with write_connection(engine) as conn:
        batch = conn.execute(select(T_BATCH).where(T_BATCH.c.id == import_id)).first()
        if batch is None:
            raise UserError(f"no import #{import_id}; see `megaroth import list`")
        if batch.undone_at is not None:
            raise UserError(f"import #{import_id} was already undone at {batch.undone_at:%Y-%m-%d %H:%M}")
        touched = set(
            conn.execute(
                select(T_ENTRY.c.plan_id).where(T_ENTRY.c.import_id == import_id).distinct()
            ).scalars()
        ) | ({batch.plan_id} if batch.plan_id else set())
        res = {"id": import_id, "file": batch.file_name, **_remove_owned(conn, import_id)}
        conn.execute(update(T_BATCH).where(T_BATCH.c.id == import_id).values(undone_at=now))
        for plan_id in sorted(touched):  # other assertions' differences no longer see these rows
            refresh_assertion_differences(conn, plan_id)
        _log_batch(conn, "undo", import_id, touched, now, res)
    return res


def _remove_owned(conn: Connection, import_id: int) -> dict[str, int]:
    """Delete what import ``import_id`` added and no other active import holds; hand the rest
    over. Returns the counts of :func:`undo_import`'s result."""
    # what this import merely held goes with it
    conn.execute(T_HOLD.delete().where(T_HOLD.c.import_id == import_id))
    conn.execute(T_AHOLD.delete().where(T_AHOLD.c.import_id == import_id))
    # balance assertions another import holds: hand them (and their earnings plug) over
    a_kept = _hand_over(conn, T_ASSERT, T_AHOLD, "assertion_id", import_id)
    for aid, new_owner in a_kept:
        conn.execute(
            update(T_ENTRY)
            .where(T_ENTRY.c.import_id == import_id, T_ENTRY.c.origin == f"balance assert #{aid}")
            .values(import_id=new_owner)
        )
    kept = _hand_over(conn, T_ENTRY, T_HOLD, "entry_id", import_id)
    removed = conn.execute(T_ENTRY.delete().where(T_ENTRY.c.import_id == import_id)).rowcount
    c_kept = _keep_conversions(conn, import_id)
    return {
        "rows_removed": removed,
        "conversions_removed": conn.execute(T_CONV.delete().where(T_CONV.c.import_id == import_id)).rowcount,
        "balance_assertions_removed": conn.execute(
            T_ASSERT.delete().where(T_ASSERT.c.import_id == import_id)
        ).rowcount,
        "rows_kept": len(kept),
        "conversions_kept": c_kept,
        "balance_assertions_kept": len(a_kept),
    }


def _keep_conversions(conn: Connection, import_id: int) -> int:
    """A conversion of import ``import_id`` stays while any of its legs stays, owned by the
    legs' (earliest) new owner. Returns how many stay."""
    kept = conn.execute(
        select(T_CONV.c.id, func.min(T_ENTRY.c.import_id))
        .join(T_ENTRY, T_ENTRY.c.conversion_id == T_CONV.c.id)
        .where(T_CONV.c.import_id == import_id)
        .group_by(T_CONV.c.id)
    ).all()
    for conv_id, owner in kept:
        conn.execute(update(T_CONV).where(T_CONV.c.id == conv_id).values(import_id=owner))
    return len(kept)


def _hand_over(conn: Connection, table, holds, column: str, import_id: int) -> list[tuple[int, int]]:
    """Re-point the records of ``table`` owned by ``import_id`` that another import holds to the
    earliest such import (whose hold becomes the ownership). Returns (record id, new owner)."""
    hold_col = holds.c[column]
    pairs = [
        (r[0], r[1])
        for r in conn.execute(
            select(table.c.id, func.min(holds.c.import_id))
            .join(holds, hold_col == table.c.id)
            .where(table.c.import_id == import_id)
            .group_by(table.c.id)
        )
    ]
    if pairs:
        conn.execute(
            update(table).where(table.c.id == bindparam("rid")).values(import_id=bindparam("owner")),
            [{"rid": r, "owner": o} for r, o in pairs],
        )
        conn.execute(
            holds.delete().where(hold_col == bindparam("rid"), holds.c.import_id == bindparam("owner")),
            [{"rid": r, "owner": o} for r, o in pairs],
        )
    return pairs
