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
import os
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..money import fmt, fmt_table
from .safe import safe_text, terminal_text


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


_C1 = __import__("re").compile("[\x7f-\x9f\u2028\u2029]")


def render_json(payload: Any) -> str:
    """JSON text. json escapes C0 controls itself; C1 controls (a terminal runs U+009B as
    CSI) and line separators are written as ``\\u`` escapes too: the same JSON value."""
    out = json.dumps(jsonable(payload), indent=2, ensure_ascii=False)
    return _C1.sub(lambda m: f"\\u{ord(m.group(0)):04x}", out)


@dataclass
class Column:
    key: str
    header: str
    money: bool = False  # right-aligned, thousands separators in tables (a column of Decimals is too)


@dataclass
class Table:
    """A titled grid: ``rows`` are dicts keyed by ``Column.key``."""

    title: str | None
    columns: Sequence[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    #: printed on its own line under the title when there are no rows ("" prints nothing)
    empty: str = "(none)"
    #: the CSV ``section`` name (default: derived from the title)
    section: str | None = None


_NUMBER = re.compile(r"-?\d+\.\d+")


def _number(value: Any) -> Any:
    """A payload amount given as text ("7000.00", the JSON form) as the Decimal it stands for."""
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return Decimal(value)
    return value


def cell_text(value: Any, money: bool = False) -> str:
    """A table cell. Amounts (Decimals with two places, or their JSON text) always get thousands
    separators, in any column; other Decimals (Form 8606 line 10's three-place ratio) are shown
    as they are."""
    value = _number(value)
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return (
            fmt_table(value)
            if value.as_tuple().exponent == -2 or (money and _is_whole(value))
            else str(value)
        )
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(cell_text(v) for v in value)
    return str(value)


def _is_whole(value: Decimal) -> bool:
    return value.is_finite() and value == value.to_integral_value()


def _csv_value(v: Any) -> str:
    if isinstance(v, Decimal):
        return fmt(v)
    return safe_text(cell_text(v))


def render_csv(table: Table) -> str:
    """CSV of one table: header row of column keys, amounts as plain two-decimal strings."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.key for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(row.get(c.key)) for c in table.columns])
    return buf.getvalue()


def section_name(table: Table, index: int) -> str:
    """A table's CSV section: its ``section``, else its title in lower-case words joined by
    ``_`` (``"Totals by source"`` -> ``totals_by_source``), else ``table<N>``."""
    if table.section:
        return table.section
    if table.title:
        words = re.findall(r"[a-z0-9]+", table.title.lower())
        if words:
            return "_".join(words)
    return f"table{index + 1}"


def csv_sections(tables: Sequence[Table]) -> list[tuple[str, Table]]:
    """The CSV sections of a report: each table, then its footer lines (notes) as a section
    ``<name>_notes`` with one ``note`` column, so nothing a table view prints is left out."""
    out: list[tuple[str, Table]] = []
    seen: dict[str, int] = {}
    for i, t in enumerate(tables):
        name = section_name(t, i)
        if name in seen:  # two tables with one title: number them
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append((name, t))
        if t.footer:
            out.append(
                (f"{name}_notes", Table(None, [Column("note", "note")], [{"note": str(f)} for f in t.footer]))
            )
    return out


def render_csv_sections(sections: Sequence[tuple[str, Table]]) -> str:
    """One CSV of several sections: a ``section`` column first, then every section's column keys
    in the order they first appear (a cell of a column another section owns is empty)."""
    keys: list[str] = []
    for _, t in sections:
        for c in t.columns:
            if c.key not in keys:
                keys.append(c.key)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["section", *keys])
    for name, t in sections:
        own = {c.key for c in t.columns}
        for row in t.rows:
            writer.writerow([name, *[_csv_value(row.get(k)) if k in own else "" for k in keys]])
    return buf.getvalue()


def table_width(is_terminal: bool, terminal_width: int) -> int:
    """The width tables are fitted to: the terminal's; off a terminal ``$COLUMNS`` when it is a
    positive number; else 80."""
    if is_terminal:
        return terminal_width
    env = os.environ.get("COLUMNS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return 80


def _right_aligned(table: Table, c: Column) -> bool:
    if c.money:
        return True
    values = [_number(r.get(c.key)) for r in table.rows if r.get(c.key) is not None]
    return bool(values) and all(isinstance(v, Decimal) for v in values)


#: A word longer than this may be folded across lines of a table cell.
WORD_FOLD = 24
GAP = "  "


def _wrap(text: str, width: int) -> list[str]:
    """``text`` wrapped at spaces to ``width`` (each ``\\n`` a new line; a word longer than the
    width is folded)."""
    import textwrap

    out: list[str] = []
    for part in text.split("\n"):
        out += textwrap.wrap(
            part, width=max(width, 1), break_long_words=True, break_on_hyphens=False, drop_whitespace=True
        ) or [""]
    return out


def _fit(natural: list[int], least: list[int], room: int) -> list[int]:
    """Column widths within ``room``: take one character at a time from the widest column that
    can still give one (text columns shrink, their words and every amount keep their width)."""
    widths = list(natural)
    excess = sum(widths) - room
    while excess > 0:
        slack = [i for i, w in enumerate(widths) if w > least[i]]
        if not slack:
            break  # cannot fit without breaking words: wider than the terminal, nothing cut
        i = max(slack, key=lambda j: (widths[j], -j))
        widths[i] -= 1
        excess -= 1
    return widths


def table_lines(t: Table, width: int, bold=lambda s: s) -> list[str]:
    """One table as lines of at most ``width`` characters where that is possible (see
    :func:`render_tables`); no line ends in a space."""
    lines: list[str] = []
    # stored text (memos, names, file names) is shown with control characters escaped, never raw
    esc = terminal_text
    if t.title:
        lines += [bold(x) for x in _wrap(esc(t.title), width)]
    if t.rows:
        cols = [dataclasses.replace(c, header=esc(c.header)) for c in t.columns]
        cells = [
            [esc(cell_text(row.get(c.key), c.money), keep_newlines=True) for c in cols] for row in t.rows
        ]
        right = [_right_aligned(t, c) for c in cols]
        natural, least = [], []
        for i, c in enumerate(cols):
            texts = [r[i] for r in cells]
            natural.append(max([len(x) for s in texts + [c.header] for x in s.split("\n")] or [1]))
            words = [w for s in texts + [c.header] for w in s.split()]
            least.append(min(max((len(w) for w in words), default=1), WORD_FOLD))
        gap = GAP if sum(least) + len(GAP) * (len(cols) - 1) <= width else " "  # tight: one space
        widths = _fit(natural, least, width - len(gap) * (len(cols) - 1))

        def block(texts: list[str], header: bool = False) -> list[str]:
            wrapped = [_wrap(s, widths[i]) for i, s in enumerate(texts)]
            height = max(len(w) for w in wrapped)
            if header:  # headers sit on the rule: pad them at the top
                wrapped = [[""] * (height - len(w)) + w for w in wrapped]
            out = []
            for k in range(height):
                parts = []
                for i, w in enumerate(wrapped):
                    s = w[k] if k < len(w) else ""
                    parts.append(s.rjust(widths[i]) if right[i] else s.ljust(widths[i]))
                out.append(gap.join(parts).rstrip())
            return out

        lines += [bold(x) for x in block([c.header for c in cols], header=True)]
        lines.append("\u2501" * (sum(widths) + len(gap) * (len(cols) - 1)))
        for r in cells:
            lines += block(r)
    elif t.empty:
        lines += _wrap(esc(t.empty, keep_newlines=True), width)
    for f in t.footer:
        lines += _wrap(esc(str(f), keep_newlines=True), width)
    return [x.rstrip() for x in lines]


def render_tables(tables: Iterable[Table], file=None) -> None:
    """Print tables fitted to :func:`table_width`.

    Text that does not fit wraps at spaces (a word longer than 24 characters folds) instead of
    being cut; amounts, dates and names are never broken, and amounts are right-aligned with
    thousands separators; a title wraps at spaces. When the words alone are wider than the
    terminal the table is printed wider rather than cut. No line ends in a space. On a terminal,
    titles and headers are bold.
    """
    out = file if file is not None else sys.stdout
    terminal = bool(getattr(out, "isatty", lambda: False)())
    width = table_width(terminal, shutil.get_terminal_size((80, 24)).columns if terminal else 80)
    bold = (
        (lambda s: f"\x1b[1m{s}\x1b[0m" if s else s)
        if terminal and not os.environ.get("NO_COLOR")
        else (lambda s: s)
    )
    chunks = []
    for t in tables:
        chunks.append("\n".join(table_lines(t, width, bold)))
    if chunks:
        out.write("\n\n".join(chunks) + "\n")
        out.flush()
