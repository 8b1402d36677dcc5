"""Rendering of command output: ``table`` (rich), ``json`` and ``csv``.

Contract (issue #2): JSON amounts are strings with exactly two decimals, dates are ISO
strings, absent values are ``null``. :func:`jsonable` converts ``Decimal``/``date``/
dataclasses recursively. CSV cells that a spreadsheet would run as a formula are
neutralised (:func:`megaroth_ledger.reports.safe.safe_text`).

A command builds one *payload* (the JSON document) and one or more :class:`Table` views
of it; :func:`megaroth_ledger.cli.common.emit` picks the rendering.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..money import fmt, fmt_table
from .safe import safe_text


def jsonable(obj: Any) -> Any:
    """Recursively convert a payload to JSON-ready values (Decimal -> '1234.50', date -> ISO)."""
    if isinstance(obj, Decimal):
        return fmt(obj)
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    return obj


def render_json(payload: Any) -> str:
    return json.dumps(jsonable(payload), indent=2, ensure_ascii=False)


@dataclass
class Column:
    key: str
    header: str
    money: bool = False  # right-aligned, thousands separators in tables


@dataclass
class Table:
    """A titled grid: ``rows`` are dicts keyed by ``Column.key``."""

    title: str | None
    columns: Sequence[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)


def cell_text(value: Any, money: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return fmt_table(value) if money else str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(cell_text(v) for v in value)
    return str(value)


def render_csv(table: Table) -> str:
    """CSV of one table: header row of column keys, amounts as plain two-decimal strings."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.key for c in table.columns])
    for row in table.rows:
        out = []
        for c in table.columns:
            v = row.get(c.key)
            if isinstance(v, Decimal):
                out.append(fmt(v))
            else:
                out.append(safe_text(cell_text(v)))
        writer.writerow(out)
    return buf.getvalue()


def render_tables(tables: Iterable[Table], file=None) -> None:
    """Print tables with rich (imported lazily: it is not needed for --help or JSON)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable

    console = Console(file=file, soft_wrap=False)
    if not console.is_terminal:
        console.width = max(console.width, 120)
    first = True
    for t in tables:
        if not first:
            console.print()
        first = False
        rt = RichTable(title=t.title, box=box.SIMPLE_HEAVY, title_justify="left", title_style="bold")
        for c in t.columns:
            rt.add_column(c.header, justify="right" if c.money else "left", no_wrap=c.money)
        for row in t.rows:
            rt.add_row(*[cell_text(row.get(c.key), c.money) for c in t.columns])
        if not t.rows:
            console.print(f"[bold]{t.title}[/bold]" if t.title else "", "(none)", markup=True)
        else:
            console.print(rt)
        for line in t.footer:
            console.print(line, markup=False, highlight=False)
