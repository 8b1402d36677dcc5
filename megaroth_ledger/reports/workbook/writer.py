"""The write-only sheet writer every sheet module uses: formats, styles, typed cells, titles,
headers, wrapped-row heights and streamed rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from ..safe import is_dangerous
from .data import WorkbookData

MONEY_FORMAT = '"$"#,##0.00_);[Red]-"$"#,##0.00_)'
DATE_FORMAT = "yyyy-mm-dd"
RATIO_FORMAT = "0.000"
INT_FORMAT = "0"

HEADER_FILL = PatternFill("solid", start_color="DDE6F0", end_color="DDE6F0")
SECTION_FILL = PatternFill("solid", start_color="F2F2F2", end_color="F2F2F2")
THIN = Side(style="thin", color="8EA9C1")
TOP = Alignment(vertical="top")


# --------------------------------------------------------------------------------------
# value helpers


def money(value: Any) -> Decimal | None:
    """A payload amount ("1234.50", Decimal or None) as a Decimal cell value."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def clean_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))


#: Characters of ordinary text per unit of column width (a unit is the width of the digit 0).
#: Measured on LibreOffice renders with its fallback fonts, which are wider than Excel's Calibri,
#: so a row sized for them is never clipped in either program: a 30-wide column holds about 33
#: characters of body text (some 58 in a 48-wide one), a 17-wide one 16 of the bold header text.
TEXT_CHARS_PER_WIDTH = 1.1  # money-ok (a width ratio)
HEADER_CHARS_PER_WIDTH = 1.0  # money-ok (a width ratio)
#: Points per wrapped line of 11-point text (Excel's default row is 15 points for one line).
LINE_HEIGHT = 14.5  # money-ok (a row height in points)


def wrapped_lines(
    text: str,
    width: float,  # money-ok: a column width
    chars_per_width: float = TEXT_CHARS_PER_WIDTH,  # money-ok: column widths
) -> int:  # money-ok: column widths
    """How many lines ``text`` takes in a wrapped cell ``width`` units wide: greedy word wrap, as
    Excel and LibreOffice do (a word longer than the line is broken), each ``\\n`` a new line."""
    per_line = max(1, int(width * chars_per_width) - 1)
    lines = 0
    for part in text.split("\n"):
        n, used = 1, 0
        for word in part.split():
            w = len(word)
            if used and used + 1 + w <= per_line:
                used += 1 + w
                continue
            if used:
                n += 1
            n += (w - 1) // per_line  # a word longer than a line is broken across lines
            used = w - (w - 1) // per_line * per_line
        lines += n
    return max(lines, 1)


class Text(str):
    """A string that stays text even in a money column (a box 7 code such as "2")."""


@dataclass(frozen=True)
class Col:
    header: str
    key: str
    kind: str = "text"  # text | money | date | int | ratio | wrap
    width: float = 14  # money-ok (a column width in characters)


# --------------------------------------------------------------------------------------
# the writer


class Sheet:
    """One write-only sheet: title, subtitle, optional frozen header, then streamed rows."""

    def __init__(self, book: Book, title: str):
        self.book = book
        self.ws = book.wb.create_sheet(title)
        self.row = 0
        self.widths: list[float] = []  # money-ok: column widths
        ws = self.ws
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.oddFooter.center.text = "&A - page &P of &N"
        ws.oddFooter.center.size = 8

    def setup(self, widths: Sequence[float], freeze_below: int) -> None:  # money-ok: column widths
        """Column widths and frozen rows; must come before the first row is written."""
        from openpyxl.utils import get_column_letter

        self.widths = list(widths)
        for i, w in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = w
        self.ws.freeze_panes = f"A{freeze_below + 1}"
        self.ws.print_title_rows = f"1:{freeze_below}"

    def append(self, cells: list) -> int:
        self.ws.append(cells)
        self.row += 1
        return self.row

    # building cells -----------------------------------------------------------------

    def cell(self, value: Any, kind: str = "text", style: str | None = None):
        """A cell for ``value`` shown as ``kind`` (text, money, date, int, ratio, wrap).

        Money and ratios become ``Decimal`` numbers; a non-numeric string or an int in a money
        column (a box 7 code, a box 11 year) is written as what it is. ``None`` is an empty
        cell (``None`` itself unless a ``style`` must show, e.g. a header fill).
        """
        if value is None or value == "":
            if style is None:
                return None
            value = None
        elif isinstance(value, bool):
            value, kind = ("yes" if value else "no"), "text"
        elif isinstance(value, Text):
            value, kind = clean_text(value), ("right" if kind in ("money", "ratio") else kind)
        elif kind in ("money", "ratio", "ratio2"):
            if isinstance(value, int):
                kind = "right"
            elif not isinstance(value, Decimal):
                try:
                    value = Decimal(str(value))
                except ArithmeticError:
                    value, kind = clean_text(value), "right"
        elif kind == "date":
            value = as_date(value)
        elif kind == "int" and isinstance(value, int):
            pass
        elif not isinstance(value, (Decimal, dt.date)):
            value = clean_text(value)
        c = WriteOnlyCell(self.ws, value)
        tpl = self.book.style(style or kind)
        if tpl is not None:
            c._style = copy(tpl)
        if isinstance(value, str) and (c.data_type == "f" or is_dangerous(value)):
            c.data_type = "s"
            c.quotePrefix = True
        return c

    def title(self, text: str, subtitle: str) -> None:
        self.append([self.cell(text, style="title")])
        self.append([self.cell(subtitle, style="subtitle")])

    def header(self, cols: Sequence[Col]) -> None:
        self._fit_height(
            [(c.header, self.widths[i] if i < len(self.widths) else 10) for i, c in enumerate(cols)],
            HEADER_CHARS_PER_WIDTH,
        )
        self.append([self.cell(c.header, style="header") for c in cols])

    def _fit_height(
        self,
        texts: Iterable[tuple[Any, float]],  # money-ok: column widths
        chars_per_width: float = TEXT_CHARS_PER_WIDTH,  # money-ok: column widths
    ) -> None:  # money-ok: column widths
        """Give the next row the height its wrapped text needs (write-only sheets cannot
        auto-fit, and LibreOffice does not grow rows whose height is not stored)."""
        lines = max(
            (
                wrapped_lines(text, width, chars_per_width)
                for text, width in texts
                if isinstance(text, str) and text
            ),
            default=1,
        )
        if lines > 1:
            self.ws.row_dimensions[self.row + 1].height = LINE_HEIGHT * lines + 3

    def section(self, text: str, ncols: int) -> None:
        self.append([self.cell(text, style="section")] + [self.cell("", style="section")] * (ncols - 1))

    def note(self, text: str) -> None:
        self.append([self.cell(text, style="note")])

    def blank(self) -> None:
        self.append([])

    def rows(self, cols: Sequence[Col], rows: Iterable[Mapping[str, Any]]) -> int:
        """Stream ``rows``; returns how many were written."""
        n = 0
        wrap = [(c.key, self.widths[i]) for i, c in enumerate(cols) if c.kind == "wrap"]
        for r in rows:
            if wrap:
                self._fit_height((r.get(k), w) for k, w in wrap)
            self.append([self.cell(r.get(c.key), c.kind) for c in cols])
            n += 1
        return n

    def fast_rows(self, cols: Sequence[Col], rows: Iterable[Mapping[str, Any]]) -> int:
        """Like :meth:`rows` for the long sheets (Paychecks, Audit): plain text goes to openpyxl
        as a value; money, dates and integers become cells sharing one style per kind (dates and
        integers left-aligned, so a year never runs into the text beside it); text in a ``wrap``
        column is wrapped, and its row made taller, only when it is longer than the column."""
        styles = {kind: self.book.style(kind + "_fast") for kind in ("money", "date", "int", "wrap")}
        ws = self.ws
        kinds = [(c.key, c.kind, self.widths[i] if i < len(self.widths) else 10) for i, c in enumerate(cols)]
        n = 0
        for r in rows:
            out = []
            lines = 1
            for key, kind, width in kinds:
                v = r.get(key)
                if v is None or v == "":
                    out.append(None)
                elif isinstance(v, bool):
                    out.append(self.cell(v, kind))
                elif (kind == "money" and isinstance(v, Decimal)) or (
                    kind in ("date", "int") and isinstance(v, (int, dt.date))
                ):
                    c = WriteOnlyCell(ws, v)
                    c._style = copy(styles[kind])
                    out.append(c)
                elif isinstance(v, str) and kind in ("date", "money", "int"):
                    # payload text (ISO date, "12.50") to a typed cell
                    out.append(self.cell(v, kind, style=kind + "_fast"))
                elif isinstance(v, str):
                    if kind == "wrap" and len(v) > width * TEXT_CHARS_PER_WIDTH - 1:
                        lines = max(lines, wrapped_lines(v, width))
                        out.append(self.cell(v, "wrap", style="wrap_fast"))
                    elif ILLEGAL_CHARACTERS_RE.search(v) or is_dangerous(v):
                        out.append(self.cell(v, kind))
                    else:
                        out.append(v)
                elif isinstance(v, (int, dt.date)) and kind != "money":
                    out.append(v)
                else:
                    out.append(self.cell(v, kind))
            if lines > 1:
                ws.row_dimensions[self.row + 1].height = LINE_HEIGHT * lines + 3
            ws.append(out)
            self.row += 1
            n += 1
        return n

    def table(
        self, cols: Sequence[Col], rows: Iterable[Mapping[str, Any]], empty: str, fast: bool = False
    ) -> int:
        self.header(cols)
        n = self.fast_rows(cols, rows) if fast else self.rows(cols, rows)
        if not n:
            self.note(empty)
        return n


class Book:
    def __init__(self):
        self.wb = Workbook(write_only=True)
        self._styles: dict[str, Any] = {}
        # a scratch sheet-less cell for style templates
        self._scratch = self.wb.create_sheet("_styles")
        specs = {
            "title": dict(font=Font(bold=True, size=14, color="1F3864")),
            "subtitle": dict(font=Font(italic=True, size=9, color="595959")),
            "header": dict(
                font=Font(bold=True),
                fill=HEADER_FILL,
                border=Border(bottom=THIN),
                alignment=Alignment(wrap_text=True, vertical="center"),
            ),
            "section": dict(font=Font(bold=True, color="1F3864"), fill=SECTION_FILL),
            "note": dict(font=Font(italic=True, color="7F6000")),
            "money": dict(number_format=MONEY_FORMAT, alignment=TOP),
            "money_total": dict(number_format=MONEY_FORMAT, font=Font(bold=True)),
            "date": dict(number_format=DATE_FORMAT, alignment=Alignment(horizontal="left", vertical="top")),
            "ratio": dict(number_format=RATIO_FORMAT, alignment=TOP),
            "ratio2": dict(number_format="0.00", alignment=TOP),
            "int": dict(number_format=INT_FORMAT, alignment=Alignment(horizontal="left", vertical="top")),
            "wrap": dict(alignment=Alignment(wrap_text=True, vertical="top")),
            "right": dict(alignment=Alignment(horizontal="right", vertical="top")),
            "label": dict(font=Font(bold=True)),
            "text": dict(alignment=TOP),
            # the long sheets' cells keep the default bottom alignment of the plain-text values
            # beside them (fast_rows writes plain text unstyled), so a wrapped row lines up
            "money_fast": dict(number_format=MONEY_FORMAT),
            "date_fast": dict(number_format=DATE_FORMAT, alignment=Alignment(horizontal="left")),
            "int_fast": dict(number_format=INT_FORMAT, alignment=Alignment(horizontal="left")),
            "wrap_fast": dict(alignment=Alignment(wrap_text=True)),
        }
        for name, spec in specs.items():
            if spec is None:
                self._styles[name] = None
                continue
            c = WriteOnlyCell(self._scratch)
            for attr, v in spec.items():
                setattr(c, attr, v)
            self._styles[name] = c._style
        self.wb.remove(self._scratch)

    def style(self, name: str):
        return self._styles.get(name)


def subtitle(data: WorkbookData, extra: str = "") -> str:
    years = (
        f"tax year {data.years[0]}"
        if len(data.years) == 1
        else f"tax years {data.years[0]}-{data.years[-1]}"
        if data.years
        else "no tax years"
    )
    s = f"{data.person} - {years} - generated {data.generated_on.isoformat()} by megaroth"
    return f"{s} - {extra}" if extra else s
