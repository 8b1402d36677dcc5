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

from sqlalchemy import and_, or_, select

from ..store.changelog import T_LOG, json_safe, record_change, snapshot  # noqa: F401  (the API)
from ..store.models import ChangeLog


def list_changes(
    session, person: str | None = None, since: dt.date | None = None, year: int | None = None
) -> list[dict]:
    """Change-log entries, newest first (``--person``: that person's, and their household's;
    ``--since``: on or after)."""
    stmt = select(ChangeLog).order_by(ChangeLog.at.desc(), ChangeLog.id.desc())
    if person is not None:
        from ..store.lookup import get_person
        from ..store.models import HouseholdMember

        pid = get_person(session, person).id
        household = select(HouseholdMember.household_id).where(HouseholdMember.person_id == pid)
        stmt = stmt.where(
            or_(
                ChangeLog.person_id == pid,
                and_(ChangeLog.record == "household", ChangeLog.record_id.in_(household)),
                and_(ChangeLog.record == "import", ChangeLog.person_id.is_(None)),  # filtered below
            )
        )
    if since is not None:
        stmt = stmt.where(ChangeLog.at >= dt.datetime.combine(since, dt.time()))
    if year is not None:
        stmt = stmt.where(ChangeLog.at >= dt.datetime(year, 1, 1), ChangeLog.at < dt.datetime(year + 1, 1, 1))
    rows = session.scalars(stmt)
    if person is not None:  # an import of several people's plans: theirs (importers.store._log_batch)
        rows = (c for c in rows if c.record != "import" or c.person_id == pid or _people_of(c, person))
    return [change_dict(c) for c in rows]


def _people_of(change: ChangeLog, person: str) -> bool:
    """Whether ``person`` is among the people an import's (or undo's) entry logged under no one
    names: it touched several people's plans."""
    after = json.loads(change.after) if change.after else {}
    return person in (after.get("people") or [])


def change_dict(c: ChangeLog) -> dict:
    return {
        "at": c.at,
        "action": c.action,
        "record": c.record,
        "id": c.record_id,
        "before": json.loads(c.before) if c.before else None,
        "after": json.loads(c.after) if c.after else None,
        "reason": c.reason,
        "change": c.id,
    }


UNSET = object()  # an edit option not given on the command line (None: its --no- form, clear it)

HIDDEN = ("id", "identity", "plan_id", "person_id", "recorded_at")


def describe(values: dict | None, other: dict | None = None) -> str:
    """A one-line text of a snapshot, for tables and the workbook's Audit sheet; with ``other``
    (the before of an edit) only the values that differ from it."""
    if not values:
        return ""
    return ", ".join(
        f"{k}={v}"
        for k, v in values.items()
        if k not in HIDDEN and (v is not None or other) and (other is None or other.get(k) != v)
    )


def record_years(change: dict) -> set[int]:
    """The years a change-log entry's record belongs to (tax year, year or date, before and after)."""
    years: set[int] = set()
    for values in (change.get("before"), change.get("after")):
        for key in ("tax_year", "year"):
            if isinstance((values or {}).get(key), int):
                years.add(values[key])
        date = (values or {}).get("date")
        if isinstance(date, str) and len(date) >= 4 and date[:4].isdigit():
            years.add(int(date[:4]))
    return years


def get_record(session, model, record_id: int, what: str, see: str):
    """The ``model`` row ``record_id``, or a one-line error naming the list that shows the ids."""
    from ..errors import UserError

    row = session.get(model, record_id)
    if row is None:
        raise UserError(f"no {what} #{record_id}; see `megaroth {see}`")
    return row


def edited(session, record: str, row, before: dict, person_id: int | None, **extra) -> dict:
    """Finish an edit: flush, log it with the values before and after, and give the result
    (``id``, ``record``, ``before``, ``after``) the edit commands print."""
    session.flush()
    after = snapshot(row, **extra)
    record_change(session, "edit", record, row.id, before, after, person_id=person_id)
    return {"id": row.id, "record": record, "before": before, "after": after}


def removed(
    session, record: str, row, person_id: int | None, reason: str | None, before: dict | None = None
) -> dict:
    """Remove ``row`` (its dependants go with it by the model's cascade), log it with its values
    and give the result (``id``, ``record``, ``before``) the rm commands print."""
    record_id = row.id
    before = snapshot(row) if before is None else before
    session.delete(row)
    session.flush()
    record_change(session, "rm", record, record_id, before, None, person_id=person_id, reason=reason)
    return {"id": record_id, "record": record, "before": before}
