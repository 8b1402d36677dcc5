"""Writing the change log (issue 9): the storage half of :mod:`megaroth_ledger.services.changelog`,
here so that the importers (which only store rows) can log an import without service code."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import insert, inspect

from ..money import from_cents
from .logvalues import json_safe
from .logvalues import now as _now
from .models import ChangeLog

T_LOG = ChangeLog.__table__

#: columns left out of snapshots (bulky provenance; the row's id and identity are kept)
SKIP_COLUMNS = frozenset({"raw"})


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


def record_change(
    db,
    action: str,
    record: str,
    record_id: int | None,
    before: Any = None,
    after: Any = None,
    person_id: int | None = None,
    reason: str | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Append one change-log entry; ``db`` is a Session or a Connection (same transaction as
    the change itself, so the change and its trace commit or roll back together)."""
    res = db.execute(
        insert(T_LOG).values(
            at=at or _now(),
            action=action,
            record=record,
            record_id=record_id,
            person_id=person_id,
            before=_as_json(before),
            after=_as_json(after),
            reason=reason,
        )
    )
    return res.inserted_primary_key[0]
