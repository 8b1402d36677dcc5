"""The year-end Excel workbook (issue #6), written with openpyxl in write-only mode.

One module per sheet (``summary``, ``paychecks``, ``conversions``, ``form_1099r``, ``forms`` for
Form 8606 and Form 1040 lines, ``clocks``, ``roth_basis``, ``projection``, ``audit``), each with a
``write(sheet, data, state)`` function, behind the small builder in :mod:`.builder`. The shared
writer (formats, styles, typed cells, titles, wrapped-row heights) is :mod:`.writer`.

The builder takes *plain payload dicts*: the same documents the commands print with
``--format json`` (``headroom``, ``form 1099-r|8606|1040``, ``clocks``, ``project``), plus row
iterables for the ledger-backed sheets (paychecks, conversions, audit). It does no tax math of
its own except the running year-to-date totals of the Paychecks sheet and sums of payload
figures (totals rows); every other figure is copied from a payload, so a workbook cell always
equals the JSON the user can print.

Design notes:
- The whole workbook is write-only (streamed): the Audit and Paychecks sheets can hold
  hundreds of thousands of rows in bounded memory. Sheets are created up front in display
  order and filled in any order (each write-only sheet streams to its own temporary file).
- Every sheet: a title row, a subtitle row, a frozen header row, fixed column widths,
  currency formats on money cells (which stay numbers: ``Decimal`` values), dates as dates,
  landscape print fitted to one page wide with the header rows repeated on every page.
- Text from imported files (memos, fund names, file names) is written as a string cell with
  the ``quotePrefix`` style when it starts like a formula (:mod:`..safe`), so neither Excel nor
  LibreOffice runs it; characters XML cannot hold are replaced with U+FFFD.
- A sheet whose data is not available (a service not built yet, no ledger rows) says so in
  the sheet instead of showing invented numbers.

openpyxl is imported by this package; CLI code imports it only inside a command.
"""

from __future__ import annotations

from .builder import SHEETS, build_workbook
from .data import WorkbookData
from .paychecks import running_paychecks
from .writer import DATE_FORMAT, INT_FORMAT, MONEY_FORMAT, RATIO_FORMAT

__all__ = [
    "DATE_FORMAT",
    "INT_FORMAT",
    "MONEY_FORMAT",
    "RATIO_FORMAT",
    "SHEETS",
    "WorkbookData",
    "build_workbook",
    "running_paychecks",
]
