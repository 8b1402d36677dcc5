"""The importer protocol, the file "head" detection looks at, and the parse context."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from ..errors import UserError
from .rows import CanonicalRow, ErrorCollector
from .text import FileFacts, file_facts, open_text

HEAD_LINES = 500
HEAD_ROWS = 60


@dataclass
class Head:
    """What detection sees: the first lines of a text file or first rows of a workbook."""

    path: Path
    facts: FileFacts
    lines: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.lines)


def read_head(path: Path, facts: FileFacts | None = None) -> Head:
    facts = facts or file_facts(path)
    head = Head(path=path, facts=facts)
    if facts.kind == "xlsx":
        for i, (_, cells) in enumerate(iter_xlsx_rows(path, None)):
            if i >= HEAD_ROWS:
                break
            head.rows.append(cells)
    else:
        with open_text(path, facts.encoding) as f:
            for i, line in enumerate(f):
                if i >= HEAD_LINES:
                    break
                head.lines.append(line)
    return head


@dataclass
class ParseContext:
    """Everything a parser may use besides the file: no database access here.

    ``plan`` (the ``--plan`` value) fills or overrides the plan of every row;
    ``source_map`` is the plan's map of raw labels (e.g. ``OTHERVEST``) to sources.
    """

    file_label: str
    errors: ErrorCollector
    plan: str | None = None
    source_map: dict[str, str] = field(default_factory=dict)
    on_bytes: Callable[[int], None] | None = None
    notes: list[str] = field(default_factory=list)
    #: statement figures the store checks against the ledger once the rows are in (e.g. an OFX
    #: statement's year-to-date contributions, :class:`.ofx.YearToDate`)
    checks: list = field(default_factory=list)
    #: the statement's own account id when the format has one (OFX ``BROKERID:ACCTID``), set
    #: while parsing: the store refuses one account for two plans
    account_id: str | None = None
    #: what a parser remembers while reading this file (e.g. the OFX reader's source of each label)
    memo: dict = field(default_factory=dict)

    def mapped_source(self, label: str) -> str | None:
        if not self.source_map:
            return None
        key = label.strip().casefold()
        for k, v in self.source_map.items():
            if k.strip().casefold() == key:
                return v
        return None


class Importer(Protocol):
    """One format. ``detect`` returns a confidence in [0, 1]; ``parse`` yields canonical rows
    (reporting bad rows to ``ctx.errors`` and skipping them) and never touches a database."""

    id: str
    title: str

    def detect(self, head: Head) -> float: ...  # money-ok: a detection confidence, not money

    def parse(self, path: Path, facts: FileFacts, ctx: ParseContext) -> Iterator[CanonicalRow]: ...


def xlsx_cell_text(v) -> str:
    """An openpyxl cell value as text, exactly (numbers through ``Decimal``, never float)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, (dt.time, dt.timedelta)):
        return str(v)
    if isinstance(v, float):
        # a binary float from the workbook: its shortest repr is the number Excel displays
        return format(Decimal(repr(v)), "f")
    return str(v)


class CorruptWorkbook(UserError):
    """An XLSX file that openpyxl cannot read (not a zip, damaged parts, broken XML)."""


def _corrupt_types() -> tuple[type[BaseException], ...]:
    """What reading a damaged XLSX raises inside zipfile/zlib/XML/openpyxl: the container or
    its parts are broken (never our code's bug: only the reading calls are wrapped)."""
    import xml.etree.ElementTree as ET
    import zipfile
    import zlib

    from openpyxl.utils.exceptions import InvalidFileException

    return (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        KeyError,
        ValueError,
        TypeError,
        IndexError,
        AttributeError,
        OverflowError,
        ET.ParseError,
        InvalidFileException,
        NotImplementedError,
        RecursionError,
        UnicodeError,
        LookupError,
    )


def iter_xlsx_rows(path: Path, sheet: str | None) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text) of one sheet, read-only and streaming. A damaged workbook
    is a :class:`CorruptWorkbook` (one line naming the file)."""
    import openpyxl  # heavy: only when an XLSX is actually read

    corrupt = _corrupt_types()

    def broken(exc: BaseException) -> CorruptWorkbook:
        why = str(exc).splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        return CorruptWorkbook(
            f"{path.name}: not a readable XLSX workbook ({why}); "
            "open it in a spreadsheet program and save it again as .xlsx"
        )

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except corrupt as exc:
        raise broken(exc) from None
    try:
        try:
            if sheet:
                if sheet not in wb.sheetnames:
                    raise UserError(
                        f"{path.name}: no sheet named {sheet!r} (sheets: {', '.join(wb.sheetnames)})"
                    )
                ws = wb[sheet]
            else:
                if not wb.worksheets:
                    raise UserError(f"{path.name}: the workbook has no worksheet")
                ws = wb.worksheets[0]
            rows = ws.iter_rows(values_only=True)
        except corrupt as exc:
            raise broken(exc) from None
        n = 0
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except corrupt as exc:
                raise broken(exc) from None
            n += 1
            yield n, [xlsx_cell_text(v) for v in row]
    finally:
        try:
            wb.close()
        except corrupt:
            pass


def split_line(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])
