"""Plain SQL on either connection the ledger hands out: a ``sqlite3`` connection (the thin path,
:mod:`.lite`) or a SQLAlchemy ``Connection`` (SQLite or PostgreSQL), so that code needed by both
paths is written once. Statements use ``?`` placeholders (turned into psycopg's ``%s`` on
PostgreSQL); dates are bound as ISO text on SQLite (how SQLAlchemy stores a ``Date`` there)
and as dates on PostgreSQL; read them back with :func:`.lite.day`."""

from __future__ import annotations

import collections
import datetime as dt
import functools
import sqlite3
from collections.abc import Sequence
from typing import Any


class Sql:
    def __init__(self, conn: Any):
        self.conn = conn
        self.native = isinstance(conn, sqlite3.Connection)
        self.pg = not self.native and conn.dialect.name == "postgresql"

    def _params(self, params: Sequence[Any]) -> tuple:
        if self.pg:
            return tuple(params)
        return tuple(p.isoformat() if isinstance(p, dt.date) else p for p in params)

    def _run(self, sql: str, params: Sequence[Any]):
        if self.native:
            return self.conn.execute(sql, self._params(params))
        if self.pg:
            sql = sql.replace("%", "%%").replace("?", "%s")
        return self.conn.exec_driver_sql(sql, self._params(params))

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list:
        return list(self._run(sql, params).fetchall())

    def value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self._run(sql, params).fetchone()
        return None if row is None else row[0]

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._run(sql, params)

    def recs(self, sql: str, params: Sequence[Any] = ()) -> list:
        """Rows as named tuples (``row.date``...), ``Date`` columns (:data:`DATE_COLUMNS`) as dates
        on both backends."""
        cur = self._run(sql, params)
        names = tuple(d[0] for d in cur.description) if self.native else tuple(cur.keys())
        rec = _record(names)
        dates = [i for i, n in enumerate(names) if n in DATE_COLUMNS]
        rows = cur.fetchall()
        if not dates:
            return [rec(*r) for r in rows]
        out = []
        for r in rows:
            values = list(r)
            for i in dates:
                if isinstance(values[i], str):
                    values[i] = dt.date.fromisoformat(values[i])
            out.append(rec(*values))
        return out


#: columns holding a ``Date`` (SQLAlchemy keeps ISO text on SQLite)
DATE_COLUMNS = frozenset({"date", "born", "payroll_date"})


@functools.lru_cache(maxsize=None)
def _record(names: tuple[str, ...]):
    return collections.namedtuple("Rec", names)


def sql_of(session: Any) -> Sql:
    """Plain SQL on what a service was handed: the thin path's ``LiteDb`` or a SQLAlchemy
    Session (flushed first, as its own queries would autoflush)."""
    thin = getattr(session, "sql", None)
    if thin is not None:
        return thin
    session.flush()
    return Sql(session.connection())


def marks(values: Sequence[Any]) -> str:
    """``?, ?, ?`` for an ``IN (...)`` of ``values``."""
    return ", ".join("?" for _ in values)
