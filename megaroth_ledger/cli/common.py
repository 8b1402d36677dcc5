"""Shared CLI pieces: parameter types, the ``--format`` option, ``emit()``, ledger access.

Keep this module light (click only at import time): ``megaroth --help`` must not import
SQLAlchemy, openpyxl or rich.

Typical command::

    @click.command("thing")
    @format_option
    @click.pass_context
    def thing(ctx, fmt):
        \"\"\"Do a thing.

        Example: megaroth thing --format json
        \"\"\"
        with ledger_session(ctx) as session:
            payload = build_payload(session)          # a dict (the JSON document)
        emit(payload, fmt, [Table(...)])              # table / json / csv
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session

    from ..reports.output import Table
    from ..store.db import Ledger


class AmountType(click.ParamType):
    """A money amount: ``1234.56``, ``1,234.56``, ``$1,234.56``, ``(12.00)``, ``-12.00`` -> Decimal."""

    name = "amount"

    def convert(self, value: Any, param, ctx) -> Decimal:
        if isinstance(value, Decimal):
            return value
        from ..money import AmountError, parse_amount

        try:
            return parse_amount(value, what=param.opts[0] if param else "amount")
        except AmountError as exc:
            self.fail(str(exc), param, ctx)


class DateType(click.ParamType):
    """An ISO date, ``YYYY-MM-DD``."""

    name = "date"

    def convert(self, value: Any, param, ctx) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date; expected YYYY-MM-DD (e.g. 2025-01-15)", param, ctx)


AMOUNT = AmountType()
DATE = DateType()
YEAR = click.IntRange(1900, 2200)

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format: a readable table, JSON (amounts as strings) or CSV.",
)


def get_ledger(ctx: click.Context) -> Ledger:
    """The ledger named by the global ``--db`` option, opened (and migrated) on first use."""
    root = ctx.find_root()
    state = root.ensure_object(dict)
    if "ledger" not in state:
        from ..store.db import open_ledger

        state["ledger"] = open_ledger(state.get("db"))
        root.call_on_close(state["ledger"].dispose)
        mig = state["ledger"].migration
        if mig.backup is not None:
            click.echo(f"note: upgraded the database schema; backup saved to {mig.backup}", err=True)
    return state["ledger"]


@contextmanager
def ledger_session(ctx: click.Context) -> Iterator[Session]:
    """One session/transaction on the ledger: committed on success, rolled back on error."""
    with get_ledger(ctx).session() as session:
        yield session


@contextmanager
def read_session(ctx: click.Context) -> Iterator[Session]:
    """A read-only session on one snapshot of the ledger, for reports, forms and exports
    (see :meth:`megaroth_ledger.store.db.Ledger.read_session`)."""
    with get_ledger(ctx).read_session() as session:
        yield session


def emit(payload: Any, fmt: str, tables: Table | Sequence[Table] | None = None, *,
         warnings_in_tables: bool = False) -> None:
    """Print ``payload`` as JSON, or its ``tables`` as readable tables / CSV.

    CSV prints the first table only (a CSV file holds one grid). The payload's warnings, if
    any, are printed after the tables (to stderr for CSV, so scripts can still parse stdout),
    unless ``warnings_in_tables`` says one of the tables already lists them.
    """
    from ..reports import output

    if tables is None:
        tables = []
    elif not isinstance(tables, (list, tuple)):
        tables = [tables]
    if fmt == "json":
        click.echo(output.render_json(payload))
        return
    if fmt == "csv":
        if tables:
            click.echo(output.render_csv(tables[0]), nl=False)
    else:
        output.render_tables(tables)
    if warnings_in_tables and fmt == "table":
        return
    warnings = payload.get("warnings") if isinstance(payload, dict) else None
    for w in warnings or []:
        click.echo(f"warning [{w['code']}]: {w['message']}", err=fmt == "csv")
