"""The change log (issue 9): every add, edit, rm, import and undo, with the record's values
before and after, so nothing a user entered is lost without a trace.

API for the other services::

    record_change(session_or_conn, "edit", "contribution", entry.id, before, after, person_id=...)
    snapshot(model_row)  # -> JSON-safe dict: *_cents columns as "1234.56" strings, dates ISO

``before``/``after`` may be model rows (snapshotted here), dicts (made JSON-safe here) or
None (an add has no before, an rm no after). An import or undo is logged once per batch (id =
the import id, ``after`` = its counts), never once per row: a 1,000,000-row import stays cheap.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, inspect, select

from ..money import from_cents
from ..store.models import ChangeLog

T_LOG = ChangeLog.__table__

#: columns left out of snapshots (bulky provenance; the row's id and identity are kept)
SKIP_COLUMNS = frozenset({"raw"})


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def json_safe(value: Any) -> Any:
    """Decimal -> two-decimal string, date/datetime -> ISO, containers recursively."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def snapshot(row: Any, **extra: Any) -> dict:
    """A model row's columns as a JSON-safe dict: ``amount_cents`` 123456 -> ``amount`` "1234.56"."""
    out: dict[str, Any] = {}
    for attr in inspect(type(row)).column_attrs:
        key = attr.key
        if key in SKIP_COLUMNS:
            continue
        value = getattr(row, key)
        if key.endswith("_cents"):
            key = key[: -len("_cents")]
            value = None if value is None else f"{from_cents(value):.2f}"
        out[key] = json_safe(value)
    out.update(json_safe(extra))
    return out


def _as_json(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        value = snapshot(value)
    return json.dumps(json_safe(value), sort_keys=True)


def record_change(db, action: str, record: str, record_id: int | None, before: Any = None,
                  after: Any = None, person_id: int | None = None, reason: str | None = None,
                  at: dt.datetime | None = None) -> int:
    """Append one change-log entry; ``db`` is a Session or a Connection (same transaction as
    the change itself, so the change and its trace commit or roll back together)."""
    res = db.execute(insert(T_LOG).values(
        at=at or _now(), action=action, record=record, record_id=record_id, person_id=person_id,
        before=_as_json(before), after=_as_json(after), reason=reason))
    return res.inserted_primary_key[0]


def list_changes(session, person: str | None = None, since: dt.date | None = None,
                 year: int | None = None) -> list[dict]:
    """Change-log entries, newest first (``--person``: that person's; ``--since``: on or after)."""
    stmt = select(ChangeLog).order_by(ChangeLog.at.desc(), ChangeLog.id.desc())
    if person is not None:
        from ..store.lookup import get_person

        stmt = stmt.where(ChangeLog.person_id == get_person(session, person).id)
    if since is not None:
        stmt = stmt.where(ChangeLog.at >= dt.datetime.combine(since, dt.time()))
    if year is not None:
        stmt = stmt.where(ChangeLog.at >= dt.datetime(year, 1, 1), ChangeLog.at < dt.datetime(year + 1, 1, 1))
    return [change_dict(c) for c in session.scalars(stmt)]


def change_dict(c: ChangeLog) -> dict:
    return {"at": c.at, "action": c.action, "record": c.record, "id": c.record_id,
            "before": json.loads(c.before) if c.before else None,
            "after": json.loads(c.after) if c.after else None,
            "reason": c.reason, "change": c.id}


HIDDEN = ("id", "identity", "plan_id", "person_id", "recorded_at")


def describe(values: dict | None, other: dict | None = None) -> str:
    """A one-line text of a snapshot, for tables and the workbook's Audit sheet; with ``other``
    (the before of an edit) only the values that differ from it."""
    if not values:
        return ""
    return ", ".join(f"{k}={v}" for k, v in values.items()
                     if k not in HIDDEN and (v is not None or other) and (other is None or other.get(k) != v))
