"""The year-end Excel workbook (issue #6), written with openpyxl in write-only mode.

The builder takes *plain payload dicts*: the same documents the commands print with
``--format json`` (``headroom``, ``form 1099-r|8606|1040``, ``clocks``, ``project``), plus row
iterables for the ledger-backed sheets (paychecks, conversions, audit). It does no tax math of
its own except the running year-to-date totals of the Paychecks sheet; every other figure is
copied from a payload, so a workbook cell always equals the JSON the user can print.

Design notes:
- The whole workbook is write-only (streamed): the Audit and Paychecks sheets can hold
  hundreds of thousands of rows in bounded memory. Sheets are created up front in display
  order and filled in any order (each write-only sheet streams to its own temporary file).
- Every sheet: a title row, a subtitle row, a frozen header row, fixed column widths,
  currency formats on money cells (which stay numbers: ``Decimal`` values), dates as dates,
  landscape print fitted to one page wide with the header rows repeated on every page.
- Text from imported files (memos, fund names, file names) is written as a string cell with
  the ``quotePrefix`` style when it starts like a formula (:mod:`.safe`), so neither Excel nor
  LibreOffice runs it; characters XML cannot hold are replaced with U+FFFD.
- A sheet whose data is not available (a service not built yet, no ledger rows) says so in
  the sheet instead of showing invented numbers.

openpyxl is imported by this module; CLI code imports this module only inside a command.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from ..vocab import AFTER_TAX_SOURCES, DEFERRAL_SOURCES, EMPLOYER_SOURCES
from .advice import advice_for
from .safe import is_dangerous

MONEY_FORMAT = '"$"#,##0.00_);[Red]-"$"#,##0.00_)'
DATE_FORMAT = "yyyy-mm-dd"
RATIO_FORMAT = "0.000"
INT_FORMAT = "0"

SHEETS = (
    "Summary",
    "Paychecks",
    "Conversions",
    "1099-R",
    "Form 8606",
    "Form 1040 lines",
    "5-Year Clocks",
    "Roth Basis",
    "Projection",
    "Audit",
)

HEADER_FILL = PatternFill("solid", start_color="DDE6F0", end_color="DDE6F0")
SECTION_FILL = PatternFill("solid", start_color="F2F2F2", end_color="F2F2F2")
THIN = Side(style="thin", color="8EA9C1")
TOP = Alignment(vertical="top")


# --------------------------------------------------------------------------------------
# input


@dataclass
class WorkbookData:
    """Everything one workbook shows. Payload dicts use the JSON contract (amounts as
    two-decimal strings or ``Decimal``; dates as ISO strings or ``date``).

    ``paychecks`` rows: ``date, tax_year, plan, plan_kind, employer, source, amount`` (one row
    per pay date x plan x source, sorted by tax year then date). ``conversions`` rows:
    ``tax_year, date, plan, route, destination, gross, basis, earnings, taxable, memo``.
    ``audit`` rows: ``id, date, tax_year, plan, source, type, amount, fund, memo, status,
    file, file_row, import_id, origin`` (an iterator is fine: it is consumed once).
    ``unavailable`` maps a sheet name to the reason its data is missing.
    """

    person: str
    years: list[int]
    generated_on: dt.date
    headroom: dict[int, dict] = field(default_factory=dict)
    form_1099r: dict[int, dict] = field(default_factory=dict)
    received_1099r: dict[int, list[dict]] = field(default_factory=dict)
    form_8606: dict[int, dict] = field(default_factory=dict)
    form_1040: dict[int, dict] = field(default_factory=dict)
    #: ("8606" | "1040" | "1099-r", year) -> {line or box: explanation text}
    explain: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)
    clocks: dict | None = None
    projection: dict | None = None
    conversions: list[dict] = field(default_factory=list)
    paychecks: Iterable[dict] = ()
    audit: Iterable[dict] = ()
    unavailable: dict[str, str] = field(default_factory=dict)


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


class _Sheet:
    """One write-only sheet: title, subtitle, optional frozen header, then streamed rows."""

    def __init__(self, book: _Book, title: str):
        self.book = book
        self.ws = book.wb.create_sheet(title)
        self.row = 0
        self.widths: list[float] = []
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

    def setup(self, widths: Sequence[float], freeze_below: int) -> None:
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
        self._fit_height([(c.header, self.widths[i] if i < len(self.widths) else 10)
                          for i, c in enumerate(cols)])
        self.append([self.cell(c.header, style="header") for c in cols])

    def _fit_height(self, texts: Iterable[tuple[Any, float]]) -> None:
        """Give the next row the height its wrapped text needs (write-only sheets cannot
        auto-fit, and LibreOffice does not grow rows whose height is not stored)."""
        lines = 1
        for text, width in texts:
            if isinstance(text, str) and text:
                # column width is in widths of the digit 0; average text is narrower: a 60-wide
                # column holds about 78 characters in LibreOffice and Excel (measured on a render)
                per_line = max(1, int(width * 1.3) - 2)
                lines = max(lines, sum(-(-len(part) // per_line) or 1 for part in text.split("\n")))
        if lines > 1:
            self.ws.row_dimensions[self.row + 1].height = 13 * lines + 3

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
        """Like :meth:`rows` for the long sheets (Paychecks, Audit): only money cells and text
        that needs quoting become styled cells; dates, integers and plain text go to openpyxl as
        values (dates get openpyxl's ``yyyy-mm-dd`` format), which keeps 100,000 rows cheap."""
        money_style = self.book.style("money")
        ws = self.ws
        kinds = [(c.key, c.kind) for c in cols]
        n = 0
        for r in rows:
            out = []
            for key, kind in kinds:
                v = r.get(key)
                if v is None or v == "":
                    out.append(None)
                elif kind == "money" and isinstance(v, Decimal):
                    c = WriteOnlyCell(ws, v)
                    c._style = copy(money_style)
                    out.append(c)
                elif isinstance(v, str) and kind in ("date", "money", "int", "ratio"):
                    out.append(self.cell(v, kind))  # payload text (ISO date, "12.50") to a typed cell
                elif isinstance(v, str):
                    if ILLEGAL_CHARACTERS_RE.search(v) or is_dangerous(v):
                        out.append(self.cell(v, kind))
                    else:
                        out.append(v)
                elif isinstance(v, (int, dt.date)) and not isinstance(v, bool) and kind != "money":
                    out.append(v)
                else:
                    out.append(self.cell(v, kind))
            ws.append(out)
            self.row += 1
            n += 1
        return n

    def table(self, cols: Sequence[Col], rows: Iterable[Mapping[str, Any]], empty: str, fast: bool = False) -> int:
        self.header(cols)
        n = self.fast_rows(cols, rows) if fast else self.rows(cols, rows)
        if not n:
            self.note(empty)
        return n


class _Book:
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


# --------------------------------------------------------------------------------------
# derived rows


def running_paychecks(rows: Iterable[Mapping[str, Any]], headroom: Mapping[int, dict]) -> Iterator[dict]:
    """Pay rows with running year-to-date totals against §402(g) and §415(c).

    Deferrals (pretax, roth) accumulate per person across all employers against the §402(g)
    limit plus the catch-up the person is eligible for (``headroom[year]["limits"]``); the part
    of a paycheck's deferral above the §402(g) limit, up to the catch-up limit, is catch-up and
    is not an annual addition (IRC 414(v)(3)(A)) - attributed to the paycheck that crosses
    the limit. Annual additions (deferrals without catch-up, employer contributions,
    after-tax) accumulate per employer against that employer's limit from the headroom
    payload (min of §415(c) and compensation). A 457(b) plan's deferrals have their own limit
    (IRC 457(e)(15)) and are tracked per plan, outside §402(g) and §415(c).
    """
    year = None
    for r in rows:
        amount = money(r["amount"])
        if r["tax_year"] != year:
            year = r["tax_year"]
            h = headroom.get(year)
            lim = (h or {}).get("limits") or {}
            g = money(lim.get("elective_deferral"))
            cu = money(lim.get("catch_up")) or Decimal("0.00")
            employer_limit = {}
            for e in (h or {}).get("employers", []):
                employer_limit[e["employer"]] = money(e.get("annual_additions_limit"))
            plan_457_limit = {p["plan"]: money(p.get("limit")) for p in (h or {}).get("plans_457b", [])}
            ytd_def = Decimal("0.00")
            ytd_457: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
            ytd_add: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
        src = r["source"]
        out = dict(r)
        employer = r.get("employer")
        if r.get("plan_kind") == "457b":
            if src in DEFERRAL_SOURCES:
                ytd_457[r["plan"]] += amount
            lim457 = plan_457_limit.get(r["plan"], None if g is None else g + cu)
            out["ytd_deferrals"] = ytd_457[r["plan"]]
            out["deferral_limit"] = lim457
            out["deferral_room"] = None if lim457 is None else lim457 - ytd_457[r["plan"]]
            yield out
            continue
        counted = Decimal("0.00")
        if src in DEFERRAL_SOURCES:
            before = ytd_def
            ytd_def += amount
            catch_up = Decimal("0.00")
            if g is not None:
                catch_up = _clamp(ytd_def - g, cu) - _clamp(before - g, cu)
            counted = amount - catch_up
        elif src in EMPLOYER_SOURCES or src in AFTER_TAX_SOURCES:
            counted = amount
        ytd_add[employer] += counted
        limit = employer_limit.get(employer)
        out["ytd_deferrals"] = ytd_def
        out["deferral_limit"] = None if g is None else g + cu
        out["deferral_room"] = None if g is None else g + cu - ytd_def
        out["ytd_additions"] = ytd_add[employer]
        out["additions_limit"] = limit
        out["additions_room"] = None if limit is None else limit - ytd_add[employer]
        yield out


def _clamp(x: Decimal, hi: Decimal) -> Decimal:
    return min(max(x, Decimal("0.00")), hi)


# --------------------------------------------------------------------------------------
# sheets


def _subtitle(data: WorkbookData, extra: str = "") -> str:
    years = (
        f"tax year {data.years[0]}"
        if len(data.years) == 1
        else f"tax years {data.years[0]}-{data.years[-1]}" if data.years else "no tax years"
    )
    s = f"{data.person} - {years} - generated {data.generated_on.isoformat()} by megaroth"
    return f"{s} - {extra}" if extra else s


PAYCHECK_COLS = (
    Col("Tax year", "tax_year", "int", 9),
    Col("Pay date", "date", "date", 12),
    Col("Plan", "plan", "text", 16),
    Col("Employer", "employer", "text", 18),
    Col("Source", "source", "text", 12),
    Col("Amount", "amount", "money", 14),
    Col("YTD deferrals (all employers)", "ytd_deferrals", "money", 16),
    Col("402(g) + catch-up limit", "deferral_limit", "money", 15),
    Col("Deferral room left", "deferral_room", "money", 15),
    Col("YTD 415(c) additions (employer)", "ytd_additions", "money", 17),
    Col("415(c) limit (employer)", "additions_limit", "money", 15),
    Col("415(c) room left", "additions_room", "money", 15),
)

CONVERSION_COLS = (
    Col("Tax year", "tax_year", "int", 9),
    Col("Date", "date", "date", 12),
    Col("Plan / account", "plan", "text", 16),
    Col("Route", "route", "text", 22),
    Col("Destination", "destination", "text", 26),
    Col("Gross", "gross", "money", 14),
    Col("Basis", "basis", "money", 14),
    Col("Earnings", "earnings", "money", 14),
    Col("Taxable part", "taxable", "money", 14),
    Col("Memo", "memo", "wrap", 30),
)

AUDIT_COLS = (
    Col("Entry id", "id", "int", 9),
    Col("Date", "date", "date", 12),
    Col("Tax year", "tax_year", "int", 9),
    Col("Plan", "plan", "text", 16),
    Col("Source", "source", "text", 12),
    Col("Type", "type", "text", 16),
    Col("Amount", "amount", "money", 14),
    Col("Fund", "fund", "text", 22),
    Col("Memo", "memo", "text", 28),
    Col("Status", "status", "text", 9),
    Col("Source file", "file", "text", 24),
    Col("File row", "file_row", "int", 9),
    Col("Import id", "import_id", "int", 9),
    Col("Origin", "origin", "text", 18),
)

BOX_LABELS = {
    "box1": ("1", "Gross distribution"),
    "box2a": ("2a", "Taxable amount"),
    "box2b_taxable_not_determined": ("2b", "Taxable amount not determined"),
    "box2b_total_distribution": ("2b", "Total distribution"),
    "box4": ("4", "Federal income tax withheld"),
    "box5": ("5", "Employee contributions / designated Roth contributions"),
    "box7": ("7", "Distribution code(s)"),
    "box10": ("10", "Amount allocable to IRR within 5 years"),
    "box11": ("11", "1st year of designated Roth contributions"),
}
MONEY_BOXES = {"box1", "box2a", "box4", "box5", "box10"}

#: Form 8606 line wording in short (2023 form text, see tax-rules.md section (d)).
LINES_8606 = {
    "1": "Nondeductible contributions to traditional IRAs for the year",
    "2": "Total basis in traditional IRAs (prior year's line 14)",
    "3": "Add lines 1 and 2",
    "4": "Contributions on line 1 made Jan 1 - Apr 15 of next year",
    "5": "Line 3 minus line 4",
    "6": "Value of all traditional/SEP/SIMPLE IRAs on Dec 31 (+ outstanding rollovers)",
    "7": "Distributions from traditional/SEP/SIMPLE IRAs (not converted)",
    "8": "Net amount converted to Roth IRAs",
    "9": "Add lines 6, 7 and 8",
    "10": "Line 5 / line 9 (at least 3 places, at most 1.000)",
    "11": "Line 8 x line 10: nontaxable part of conversions",
    "12": "Line 7 x line 10: nontaxable part of distributions",
    "13": "Add lines 11 and 12",
    "14": "Line 3 minus line 13: total basis carried forward",
    "15a": "Line 7 minus line 12",
    "15b": "Part of 15a from qualified disaster distributions",
    "15c": "Taxable amount (to Form 1040 line 4b)",
    "16": "Amount converted to Roth IRAs",
    "17": "Basis in the amount converted",
    "18": "Taxable amount of conversions (to Form 1040 line 4b)",
    "19": "Nonqualified Roth IRA distributions",
    "20": "Qualified first-time homebuyer expenses",
    "21": "Line 19 minus line 20",
    "22": "Basis in regular Roth IRA contributions",
    "23": "Line 21 minus line 22",
    "24": "Basis in conversions and plan rollovers to Roth IRAs",
    "25a": "Line 23 minus line 24",
    "25b": "Part of 25a from qualified disaster distributions",
    "25c": "Taxable amount (to Form 1040 line 4b)",
}
LINES_1040 = {
    "4a": "IRA distributions (gross)",
    "4b": "IRA distributions, taxable amount",
    "5a": "Pensions and annuities (gross)",
    "5b": "Pensions and annuities, taxable amount",
}
FORM_COLS = (
    Col("Tax year", "tax_year", "int", 9),
    Col("Line", "line", "text", 7),
    Col("Form wording (short)", "wording", "wrap", 58),
    Col("Value", "value", "money", 15),
    Col("How it was computed", "explain", "wrap", 70),
)


def _line_sort_key(line: str) -> tuple[int, str]:
    digits = "".join(ch for ch in line if ch.isdigit())
    return (int(digits) if digits else 0, line)


def build_workbook(data: WorkbookData, path: str | Path) -> dict[str, int]:
    """Write the workbook to ``path``; returns the number of data rows per streamed sheet."""
    book = _Book()
    sheets = {name: _Sheet(book, name) for name in SHEETS}
    counts: dict[str, int] = {}

    # Paychecks first: its running totals feed the Summary's totals and first chart.
    totals: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: Decimal("0.00")))

    def tally(rows: Iterable[dict]) -> Iterator[dict]:
        for r in rows:
            totals[r["tax_year"]][r["source"]] += money(r["amount"])
            yield r

    s = sheets["Paychecks"]
    s.setup([c.width for c in PAYCHECK_COLS], 3)
    s.title("Paychecks: contributions by pay date and source, with year-to-date limits", _subtitle(data))
    counts["Paychecks"] = s.table(
        PAYCHECK_COLS,
        running_paychecks(tally(data.paychecks), data.headroom),
        data.unavailable.get("Paychecks", "No contributions recorded for these years."),
        fast=True,
    )

    _summary(sheets["Summary"], data, totals)
    _conversions(sheets["Conversions"], data)
    _form_1099r(sheets["1099-R"], data)
    _form_lines(sheets["Form 8606"], data, "8606", data.form_8606, LINES_8606,
                "Form 8606: nondeductible IRAs, conversions, Roth IRA distributions")
    _form_lines(sheets["Form 1040 lines"], data, "1040", data.form_1040, LINES_1040,
                "Form 1040 lines 4a-5b: IRA distributions, pensions and annuities")
    _clocks(sheets["5-Year Clocks"], data)
    _roth_basis(sheets["Roth Basis"], data)
    _projection(sheets["Projection"], data)

    s = sheets["Audit"]
    s.setup([c.width for c in AUDIT_COLS], 3)
    s.title("Audit: every ledger row behind these years, with its provenance", _subtitle(data))
    counts["Audit"] = s.table(AUDIT_COLS, data.audit,
                              data.unavailable.get("Audit", "No ledger rows for these years."), fast=True)

    book.wb.save(str(path))
    return counts


# -- Summary ----------------------------------------------------------------------------

SUMMARY_WIDTHS = (30, 36, 16, 16, 16, 16, 16, 60)


def _summary(s: _Sheet, data: WorkbookData, totals: Mapping[int, Mapping[str, Decimal]]) -> None:
    s.setup(SUMMARY_WIDTHS, 2)
    s.title(f"Mega Backdoor Roth year-end summary: {data.person}", _subtitle(data))
    n = len(SUMMARY_WIDTHS)
    warnings: list[tuple[int, str, dict]] = []

    for year in data.years:
        s.blank()
        s.section(f"Tax year {year}", n)
        h = data.headroom.get(year)
        s.append([s.cell("Headroom per employer", style="label")])
        if h is None:
            s.note(data.unavailable.get("headroom", "Headroom not available."))
        else:
            warnings += [(year, "headroom", w) for w in h.get("warnings", [])]
            lim = h.get("limits", {})
            s.append([s.cell("§402(g) limit"), s.cell(""), s.cell(lim.get("elective_deferral"), "money"),
                      s.cell("Catch-up limit"), s.cell(lim.get("catch_up"), "money"),
                      s.cell("§415(c) limit"), s.cell(lim.get("annual_additions"), "money")])
            s.append([s.cell("Elective deferrals (all employers)"), s.cell(""),
                      s.cell(h.get("elective_deferrals"), "money"), s.cell("Catch-up used"),
                      s.cell(h.get("catch_up_used"), "money"), s.cell("Excess deferrals"),
                      s.cell(h.get("excess_deferrals"), "money")])
            cols = (
                Col("Employer", "employer"),
                Col("Plans", "plans"),
                Col("415(c) limit", "annual_additions_limit", "money"),
                Col("Deferrals counted", "elective_deferrals_counted", "money"),
                Col("Employer contributions", "employer_contributions", "money"),
                Col("After-tax contributions", "after_tax_contributions", "money"),
                Col("After-tax room", "after_tax_room", "money"),
                Col("After-tax per remaining paycheck", "per_paycheck_after_tax", "money"),
            )
            s.table(cols, h.get("employers", []), "No employers.")

        s.append([s.cell("Contributions by source", style="label")])
        by_src = totals.get(year, {})
        if by_src:
            s.header([Col("Source", ""), Col("Amount", "")])
            for src, amt in sorted(by_src.items()):
                s.append([s.cell(src), s.cell(amt, "money")])
            s.append([s.cell("Total", style="label"), s.cell(sum(by_src.values(), Decimal("0.00")),
                                                             "money", style="money_total")])
        else:
            s.note("No contributions recorded.")

        convs = [c for c in data.conversions if c.get("tax_year") == year]
        s.append([s.cell("Conversions", style="label")])
        if convs:
            gross = sum((money(c.get("gross")) or Decimal(0) for c in convs), Decimal("0.00"))
            taxable = sum((money(c.get("taxable")) or Decimal(0) for c in convs), Decimal("0.00"))
            s.append([s.cell(f"{len(convs)} conversion(s), gross"), s.cell(""), s.cell(gross, "money"),
                      s.cell("Taxable part"), s.cell(taxable, "money")])
        else:
            s.note("No conversions.")

        s.append([s.cell("Taxable amounts (Form 1040)", style="label")])
        f1040 = data.form_1040.get(year)
        if f1040 is None:
            s.note(data.unavailable.get(f"forms:{year}") or data.unavailable.get("forms", "Form 1040 lines not available."))
        else:
            lines = f1040.get("lines", {})
            for line, wording in LINES_1040.items():
                s.append([s.cell(f"Line {line}"), s.cell(wording), s.cell(lines.get(line), "money")])
            warnings += [(year, "Form 1040", w) for w in f1040.get("warnings", [])]
        for name, payload in (("1099-R", data.form_1099r.get(year)), ("Form 8606", data.form_8606.get(year))):
            if payload:
                warnings += [(year, name, w) for w in payload.get("warnings", [])]

    if data.clocks:
        warnings += [(None, "clocks", w) for w in data.clocks.get("warnings", [])]

    s.blank()
    s.section("Warnings and what to do", n)
    s.header([Col("Code", ""), Col("Message", ""), Col("From", ""), Col("Tax year", ""),
              Col("", ""), Col("", ""), Col("", ""), Col("What to do", "")])
    if not warnings:
        s.note("No warnings.")
    for year, origin, w in warnings:
        if isinstance(w, str):
            w = {"code": "NOTE", "message": w}
        advice = advice_for(w)
        s._fit_height([(w.get("message"), SUMMARY_WIDTHS[1]), (advice, SUMMARY_WIDTHS[7])])
        s.append([s.cell(w.get("code"), "wrap"), s.cell(w.get("message"), "wrap"), s.cell(origin),
                  s.cell(year, "int"), None, None, None, s.cell(advice, "wrap")])

    # Chart 1: contributions by source against the §415(c) limit, per year.
    s.blank()
    s.section("Contributions by year (chart data)", n)
    s.header([Col("Year", ""), Col("Pre-tax", ""), Col("Roth", ""), Col("After-tax", ""),
              Col("Employer", ""), Col("§415(c) limit", "")])
    first = s.row + 1
    for year in data.years:
        src = totals.get(year, {})
        pick = lambda keys: sum((v for k, v in src.items() if k in keys), Decimal("0.00"))  # noqa: E731
        lim = ((data.headroom.get(year) or {}).get("limits") or {}).get("annual_additions")
        s.append([s.cell(str(year)), s.cell(pick({"pretax"}), "money"), s.cell(pick({"roth"}), "money"),
                  s.cell(pick(AFTER_TAX_SOURCES), "money"), s.cell(pick(EMPLOYER_SOURCES), "money"),
                  s.cell(lim, "money")])
    last = s.row
    if data.years and any(totals.get(y) for y in data.years):
        _columns_and_line(s, "Contributions by source vs the §415(c) limit", bars=(2, 5), line=6,
                          first=first, last=last, anchor=f"A{last + 2}", stacked=True, line_color="C00000")


def _columns_and_line(s: _Sheet, title: str, *, bars: tuple[int, int], line: int, first: int, last: int,
                      anchor: str, stacked: bool, line_color: str) -> None:
    """A column chart of columns ``bars`` (first..last) with column ``line`` drawn over it as a
    line; categories in column A; series names from the header row above ``first``."""
    bar = BarChart()
    bar.type = "col"
    if stacked:
        bar.grouping = "stacked"
        bar.overlap = 100
    bar.title = title
    bar.y_axis.title = "Dollars"
    bar.y_axis.numFmt = '"$"#,##0'
    bar.y_axis.majorGridlines = None
    bar.add_data(Reference(s.ws, min_col=bars[0], max_col=bars[1], min_row=first - 1, max_row=last),
                 titles_from_data=True)
    bar.set_categories(Reference(s.ws, min_col=1, min_row=first, max_row=last))
    over = LineChart()
    over.add_data(Reference(s.ws, min_col=line, min_row=first - 1, max_row=last), titles_from_data=True)
    over.series[0].graphicalProperties.line.solidFill = line_color
    if stacked:  # a limit: dashed
        over.series[0].graphicalProperties.line.dashStyle = "dash"
        over.series[0].marker.symbol = "dash"
    else:
        over.series[0].marker.symbol = "circle"
    bar += over
    bar.x_axis.delete = False
    bar.y_axis.delete = False
    bar.legend.position = "b"
    bar.height, bar.width = 8, 18
    s.ws.add_chart(bar, anchor)


# -- Conversions ------------------------------------------------------------------------


def _conversions(s: _Sheet, data: WorkbookData) -> None:
    s.setup([c.width for c in CONVERSION_COLS], 3)
    s.title("Conversions: gross, basis, earnings and taxable part of each event", _subtitle(data))
    s.table(CONVERSION_COLS, data.conversions,
            data.unavailable.get("Conversions", "No conversions in these years."))


# -- 1099-R -----------------------------------------------------------------------------

R_COLS = (
    Col("Tax year", "tax_year", "int", 9),
    Col("Payer", "payer", "text", 16),
    Col("Destination", "destination", "text", 16),
    Col("Box", "box", "text", 6),
    Col("Description", "label", "text", 50),
    Col("Expected", "expected", "money", 15),
    Col("Received", "received", "money", 15),
    Col("Difference", "difference", "money", 15),
    Col("How it was computed", "explain", "wrap", 60),
)


def _box_value(box: str, value: Any) -> Any:
    if box in MONEY_BOXES:
        return money(value)
    if isinstance(value, bool):
        return Text("checked" if value else "not checked")
    if isinstance(value, str):
        return Text(value)
    return value


def _box_rows(year: int, payer: str, dest: str, form: Mapping[str, Any], received: Mapping | None,
              explain: Mapping[str, str] | None = None):
    for box, (num, label) in BOX_LABELS.items():
        exp = _box_value(box, form.get(box))
        row = {"tax_year": year, "payer": payer, "destination": dest, "box": num, "label": label,
               "expected": exp, "explain": (explain or {}).get(f"{payer}|{dest}|{box}")}
        if received is not None and box in received:
            rec = _box_value(box, received.get(box))
            row["received"] = rec
            if box in MONEY_BOXES:
                row["difference"] = (rec or Decimal("0.00")) - (exp or Decimal("0.00"))
            elif rec != exp:
                row["difference"] = "differs"
        yield row


def _form_1099r(s: _Sheet, data: WorkbookData) -> None:
    s.setup([c.width for c in R_COLS], 3)
    s.title("Form 1099-R: expected forms box by box, and received forms beside them", _subtitle(data))
    s.header(R_COLS)
    wrote = False
    for year in data.years:
        payload = data.form_1099r.get(year)
        if payload is None:
            if f"forms:{year}" in data.unavailable:
                s.note(data.unavailable[f"forms:{year}"])
            continue
        received = {r.get("payer"): r for r in data.received_1099r.get(year, [])}
        by_payer: dict[str, list[dict]] = defaultdict(list)
        for f in payload.get("forms", []):
            by_payer[f.get("payer")].append(f)
        for payer, forms in by_payer.items():
            rec = received.get(payer)
            single = len(forms) == 1
            for f in forms:
                s.rows(R_COLS, _box_rows(year, payer, f.get("destination"), f, rec if single else None,
                                         data.explain.get(("1099-r", year))))
                wrote = True
            if rec is not None and not single:
                combined = {b: sum((money(f.get(b)) or Decimal(0) for f in forms), Decimal("0.00"))
                            for b in MONEY_BOXES}
                combined["box7"] = Text("/".join(sorted({str(f.get("box7")) for f in forms})))
                s.rows(R_COLS, _box_rows(year, payer, "all forms combined", combined,
                                         {k: v for k, v in rec.items() if k in MONEY_BOXES}))
    if not wrote:
        s.note(data.unavailable.get("forms", "No 1099-R is expected for these years."))


# -- Form 8606 / 1040 -------------------------------------------------------------------


def _form_lines(s: _Sheet, data: WorkbookData, form: str, payloads: Mapping[int, dict],
                wording: Mapping[str, str], title: str) -> None:
    s.setup([c.width for c in FORM_COLS], 3)
    s.title(title, _subtitle(data, "values equal `megaroth form " + form + " --format json`"))
    s.header(FORM_COLS)
    wrote = False
    for year in data.years:
        p = payloads.get(year)
        if p is None:
            if f"forms:{year}" in data.unavailable:
                s.note(data.unavailable[f"forms:{year}"])
            continue
        explain = data.explain.get((form, year), {})
        lines = p.get("lines", {})
        keys = list(wording) + sorted((k for k in lines if k not in wording), key=_line_sort_key)
        for line in keys:
            value = lines.get(line)
            kind = "ratio" if (form == "8606" and line == "10") else "money"
            s._fit_height([(wording.get(line, ""), FORM_COLS[2].width), (explain.get(line), FORM_COLS[4].width)])
            s.append([s.cell(year, "int"), s.cell(line), s.cell(wording.get(line, ""), "wrap"),
                      s.cell(value, kind), s.cell(explain.get(line), "wrap")])
        wrote = True
    if not wrote:
        s.note(data.unavailable.get("forms", f"Form {form} not available."))


# -- 5-Year Clocks and Roth Basis -------------------------------------------------------

CLOCK_COLS = (
    Col("Kind", "kind", "text", 14),
    Col("Plan", "plan", "text", 14),
    Col("Date", "date", "date", 12),
    Col("Tax year", "tax_year", "int", 12),
    Col("Amount", "amount", "money", 14),
    Col("Taxable part", "taxable", "money", 14),
    Col("Nontaxable part", "nontaxable", "money", 14),
    Col("Clock start", "clock_start", "date", 12),
    Col("Penalty-free on", "penalty_free_on", "date", 13),
    Col("Penalty-free?", "penalty_free", "text", 11),
    Col("Days left", "days_left", "int", 9),
    Col("Years on clock", "clock_years", "ratio2", 10),
    Col("Clock start (year)", "clock_start_year", "int", 10),
)
QUALIFIED_COLS = (
    Col("Account", "account"),
    Col("Clock start", "clock_start", "date"),
    Col("Five years on", "five_years_on", "date"),
    Col("Qualified on", "qualified_on", "date"),
    Col("Met?", "met"),
)


def _clock_rows(clocks: Mapping[str, Any]) -> list[dict]:
    out = []
    for c in clocks.get("conversions", []):
        r = dict(c)
        start, free = as_date(c.get("clock_start")), as_date(c.get("penalty_free_on"))
        if start and free:
            r["clock_start_year"] = start.year
            r["clock_years"] = _year_fraction(free) - _year_fraction(start)
        out.append(r)
    return out


def _year_fraction(d: dt.date) -> Decimal:
    """2029-01-01 -> 2029.00; 2044-10-02 -> 2044.75 (for the timeline chart's axis in years)."""
    jan1 = dt.date(d.year, 1, 1)
    days = (dt.date(d.year + 1, 1, 1) - jan1).days
    return (Decimal(d.year) + Decimal((d - jan1).days) / Decimal(days)).quantize(Decimal("0.01"))


def _clocks(s: _Sheet, data: WorkbookData) -> None:
    s.setup([c.width for c in CLOCK_COLS], 3)
    c = data.clocks
    extra = ""
    if c:
        extra = f"as of {c.get('as_of')}; age 59 1/2 on {c.get('age_59_half_on')}"
    s.title("5-year clocks: when each conversion layer becomes penalty-free", _subtitle(data, extra))
    if not c:
        s.header(CLOCK_COLS)
        s.note(data.unavailable.get("clocks", "Clocks not available."))
        return
    rows = _clock_rows(c)
    s.header(CLOCK_COLS)
    first = s.row + 1
    s.rows(CLOCK_COLS, rows)
    last = s.row
    s.note("Only the taxable part of a conversion is exposed to the 10% additional tax within its "
           "five years (IRC 408A(d)(3)(F)); the nontaxable part never is.")
    s.blank()
    s.section("Qualified-distribution clocks", len(CLOCK_COLS))
    s.table(QUALIFIED_COLS, c.get("qualified", []), "None.")
    if c.get("schedule"):
        s.blank()
        s.section("When Roth IRA conversion money becomes penalty-free (ordering rules: oldest year first)",
                  len(CLOCK_COLS))
        s.table(SCHEDULE_COLS, [dict(r, tax_years=", ".join(str(y) for y in r.get("tax_years", [])))
                                for r in c["schedule"]], "None.")
        if c.get("regular_contributions_remaining") is not None:
            s.note(f"Regular Roth IRA contributions (always withdrawable without tax or penalty): "
                   f"{money(c['regular_contributions_remaining']):,.2f}; earnings are not included.")
    if rows:
        # Timeline (Gantt): an invisible bar up to the clock start, then the clock itself.
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = "When each conversion layer becomes penalty-free"
        chart.add_data(Reference(s.ws, min_col=13, min_row=first - 1, max_row=last), titles_from_data=True)
        chart.add_data(Reference(s.ws, min_col=12, min_row=first - 1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(s.ws, min_col=3, min_row=first, max_row=last))
        chart.series[0].graphicalProperties = GraphicalProperties(noFill=True)
        chart.series[0].graphicalProperties.line.noFill = True
        chart.series[1].graphicalProperties.solidFill = "2E75B6"
        starts = [as_date(r.get("clock_start")) for r in rows if r.get("clock_start")]
        ends = [as_date(r.get("penalty_free_on")) for r in rows if r.get("penalty_free_on")]
        if starts:
            chart.y_axis.scaling.min = min(starts).year
        if ends:
            chart.y_axis.scaling.max = max(ends).year + 1
        chart.y_axis.majorUnit = 1
        chart.y_axis.numFmt = "0"
        chart.y_axis.title = "Clock start to penalty-free date"
        chart.x_axis.title = "Conversion date"
        chart.x_axis.scaling.orientation = "maxMin"
        chart.legend = None
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.height, chart.width = max(6, 1.2 * len(rows) + 4), 18
        s.ws.add_chart(chart, f"B{s.row + 2}")


SCHEDULE_COLS = (
    Col("From", "on", "date"),
    Col("Conversion years", "tax_years"),
    Col("Becomes free", "amount", "money"),
    Col("Penalty-free in total", "cumulative", "money"),
)


BASIS_COLS = (
    Col("Kind", "kind", "text", 14),
    Col("Plan", "plan", "text", 14),
    Col("Date", "date", "date", 12),
    Col("Tax year", "tax_year", "int", 9),
    Col("Amount", "amount", "money", 14),
    Col("Taxable part", "taxable", "money", 14),
    Col("Nontaxable part", "nontaxable", "money", 14),
    Col("Remaining taxable", "remaining_taxable", "money", 14),
    Col("Remaining nontaxable", "remaining_nontaxable", "money", 14),
    Col("Remaining", "remaining", "money", 14),
    Col("Penalty-free on", "penalty_free_on", "date", 13),
)


def _roth_basis(s: _Sheet, data: WorkbookData) -> None:
    s.setup([c.width for c in BASIS_COLS], 3)
    s.title("Roth basis: conversion and rollover layers and what remains of them", _subtitle(data))
    s.header(BASIS_COLS)
    if data.clocks:
        rows = []
        for c in data.clocks.get("conversions", []):
            r = dict(c)
            rt, rn = money(c.get("remaining_taxable")), money(c.get("remaining_nontaxable"))
            r["remaining"] = None if rt is None and rn is None else (rt or 0) + (rn or 0)
            rows.append(r)
        if not s.rows(BASIS_COLS, rows):
            s.note("No conversion layers.")
    else:
        s.note(data.unavailable.get("clocks", "Layers not available."))

    lines = [(y, data.form_8606[y].get("lines", {})) for y in data.years if y in data.form_8606]
    lines = [(y, ln) for y, ln in lines if ln.get("22") is not None or ln.get("24") is not None]
    if lines:
        s.blank()
        s.section("Form 8606 Roth basis lines", len(BASIS_COLS))
        s.header([Col("Tax year", ""), Col("Line 22: regular contributions", ""),
                  Col("Line 24: conversions and rollovers", "")])
        for y, ln in lines:
            s.append([s.cell(y, "int"), s.cell(ln.get("22"), "money"), s.cell(ln.get("24"), "money")])

    # Chart 2: conversions and cumulative converted (Roth basis from conversions) per year.
    per_year: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for c in data.conversions:
        per_year[c["tax_year"]] += money(c.get("gross")) or Decimal("0.00")
    s.blank()
    s.section("Conversions per year and cumulative Roth basis from conversions", len(BASIS_COLS))
    s.header([Col("Year", ""), Col("Converted", ""), Col("Cumulative", "")])
    if not per_year:
        s.note("No conversions recorded.")
        return
    first = s.row + 1
    cum = Decimal("0.00")
    for y in range(min(per_year), max(per_year) + 1):
        cum += per_year.get(y, Decimal("0.00"))
        s.append([s.cell(str(y)), s.cell(per_year.get(y, Decimal("0.00")), "money"), s.cell(cum, "money")])
    last = s.row
    _columns_and_line(s, "Conversions and cumulative Roth basis per year", bars=(2, 2), line=3,
                      first=first, last=last, anchor=f"B{last + 2}", stacked=False, line_color="C55A11")


# -- Projection -------------------------------------------------------------------------


def _projection(s: _Sheet, data: WorkbookData) -> None:
    p = data.projection
    conv_years = [str(c["tax_year"]) for c in (p or {}).get("conversions", [])]
    cols = [Col("Year (Dec 31)", "year", "int", 12), Col("Years elapsed", "years_elapsed", "int", 10)]
    cols += [Col(f"{y} conversions", f"y{y}", "money", 15) for y in conv_years]
    cols += [
        Col("Without continued contributions", "without_contributions", "money", 18),
        Col("Continued contributions so far", "contributed", "money", 18),
        Col("With continued contributions", "with_contributions", "money", 18),
    ]
    s.setup([c.width for c in cols], 3)
    if not p:
        s.title("Projection", _subtitle(data))
        s.header(cols)
        s.note(data.unavailable.get("Projection", "No projection requested."))
        return
    extra = (f"{p['rate']}% a year for {p['years']} years from Dec 31 {p['start_year']}; "
             f"continued after-tax {p.get('annual_after_tax') or 'none'} a year")
    s.title("Projection: future value of each year's conversions", _subtitle(data, extra))
    s.header(cols)
    rows = []
    for r in p["rows"]:
        row = dict(r)
        for y, v in r.get("by_conversion_year", {}).items():
            row[f"y{y}"] = v
        rows.append(row)
    s.rows(cols, rows)
    s.note("Convention: " + p.get("convention", ""))
