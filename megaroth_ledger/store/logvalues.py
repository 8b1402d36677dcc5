"""Change-log values without SQLAlchemy: JSON-safe snapshots and the row the thin path
(:mod:`megaroth_ledger.store.lite`) appends. :mod:`.changelog` is the SQLAlchemy side."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any


def now() -> dt.datetime:
    """The change log's clock: UTC, stored without a zone."""
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


def dict_json(value: dict | None) -> str | None:
    """A snapshot dict as the change log stores it."""
    return None if value is None else json.dumps(json_safe(value), sort_keys=True)


def row_snapshot(names: list[str], values, **extra: Any) -> dict:
    """A stored row as :func:`megaroth_ledger.store.changelog.snapshot` gives its model object
    (``raw`` left out, ``*_cents`` as two-decimal ``amount`` strings), plus ``extra``."""
    from ..money import from_cents

    out: dict[str, Any] = {}
    for key, value in zip(names, values):
        if key == "raw":
            continue
        if key.endswith("_cents"):
            key = key[: -len("_cents")]
            value = None if value is None else f"{from_cents(value):.2f}"
        out[key] = json_safe(value)
    out.update(json_safe(extra))
    return out


def change_row(
    action: str,
    record: str,
    record_id: int | None,
    before: dict | None,
    after: dict | None,
    person_id: int | None = None,
    reason: str | None = None,
) -> tuple[str, tuple]:
    """The ``INSERT`` of one change-log entry on SQLite (``at`` as SQLAlchemy stores a DateTime)."""
    from .lite import stamp

    return (
        "INSERT INTO change_log (at, action, record, record_id, person_id, before, after, reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (stamp(now()), action, record, record_id, person_id, dict_json(before), dict_json(after), reason),
    )
