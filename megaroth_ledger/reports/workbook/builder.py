"""The one builder: creates the sheets in display order and lets each sheet module fill its own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import (
    audit,
    clocks,
    conversions,
    form_1099r,
    forms,
    paychecks,
    projection,
    roth_basis,
    summary,
)
from .data import BuildState, WorkbookData
from .writer import Book, Sheet

Writer = Callable[[Sheet, WorkbookData, BuildState], None]

#: (sheet name, writer) in display order.
SHEET_WRITERS: tuple[tuple[str, Writer], ...] = (
    ("Summary", summary.write),
    ("Paychecks", paychecks.write),
    ("Conversions", conversions.write),
    ("1099-R", form_1099r.write),
    ("Form 8606", forms.write_8606),
    ("Form 1040 lines", forms.write_1040),
    ("5-Year Clocks", clocks.write),
    ("Roth Basis", roth_basis.write),
    ("Projection", projection.write),
    ("Audit", audit.write),
)
SHEETS = tuple(name for name, _ in SHEET_WRITERS)

#: Sheets filled before the others (in this order) because later sheets read what they leave in
#: the build state; every other sheet is filled in display order.
FILL_FIRST = ("Paychecks",)


def build_workbook(data: WorkbookData, path: str | Path) -> dict[str, int]:
    """Write the workbook to ``path``; returns the number of data rows per streamed sheet."""
    book = Book()
    # write-only sheets: created up front in display order, each streams to its own temp file
    sheets = {name: Sheet(book, name) for name in SHEETS}
    writers = dict(SHEET_WRITERS)
    state = BuildState()
    for name in FILL_FIRST + tuple(n for n in SHEETS if n not in FILL_FIRST):
        writers[name](sheets[name], data, state)
    book.wb.save(str(path))
    return state.counts
