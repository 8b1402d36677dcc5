"""``megaroth log``: the change log (issue 9), newest first."""

from __future__ import annotations

import click

from .common import DATE, emit, format_option, read_session


@click.command("log")
@click.option(
    "--person", "person_name", help="Only changes to this person's records (and to their household)."
)
@click.option("--since", type=DATE, help="Only changes made on or after this date (YYYY-MM-DD).")
@format_option
@click.pass_context
def log(ctx, person_name, since, fmt) -> None:
    """Every change to the ledger (add, edit, rm, import, undo, plan/person edits), newest first,
    with the record's values before and after.

    Example: megaroth log --person ann --since 2025-01-01 --format json
    """
    from ..reports.output import Column, Table
    from ..services import changelog as svc

    with read_session(ctx) as session:
        rows = svc.list_changes(session, person_name, since)
    view = [
        {
            **r,
            "at": r["at"].replace(microsecond=0),
            "before": svc.describe(r["before"]),
            "after": svc.describe(r["after"], r["before"]),
        }
        for r in rows
    ]
    cols = [
        Column("at", "At (UTC)"),
        Column("action", "Action"),
        Column("record", "Record"),
        Column("id", "Id"),
        Column("before", "Before"),
        Column("after", "After"),
        Column("reason", "Reason"),
    ]
    emit(rows, fmt, [Table("Change log (newest first)", cols, view)])


COMMANDS = [log]
