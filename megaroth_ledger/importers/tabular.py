"""CSV/TSV and XLSX importer driven by a TOML profile (one instance per profile).

Reading: the header row is found by its signature, scanning past preambles (never "first
row"); CSV parsing starts at that line, so CSV-hostile preambles (Voya's TAB and lone-quote
lines) are never fed to the CSV reader. Rows after a footer match or, when the profile
says so, after a blank row are not read; blank rows are skipped.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from json.encoder import encode_basestring
from pathlib import Path

from ..bounds import year_problem
from ..vocab import SOURCES
from .base import Head, ParseContext, iter_xlsx_rows, split_line
from .derive import identity_base
from .fastcsv import WHOLE_TYPES as _WHOLE_TYPES
from .fastcsv import FastCanonical
from .profiles import PROFILE_TYPES, Profile
from .rows import (
    CANONICAL_COLUMNS,
    CanonicalRow,
    CellError,
    check_row_bounds,
    row_part,
)
from .text import (
    DateParser,
    FileFacts,
    abs_text,
    clean_label,
    header_cells,
    negate_text,
    open_text,
    parse_cents,
    parse_decimal_text,
)

DELIMITERS = (",", "\t", ";")
_CANON = frozenset(CANONICAL_COLUMNS)
_GENERIC_NEEDED = frozenset({"date", "source", "type", "amount"})
STATUSES = ("posted", "pending")
#: canonical columns the fast path handles (any other column: the general path, row by row)
_FAST_COLUMNS = frozenset(
    {
        "date",
        "plan",
        "source",
        "type",
        "amount",
        "payroll_date",
        "fund",
        "fund_id",
        "shares",
        "price",
        "memo",
        "source_label",
        "type_label",
    }
)
#: rows that come back whole (paired at the end of the file), never as ready-made parts


class ProfileImporter:
    """A table-shaped export described by a :class:`Profile`."""

    def __init__(self, profile: Profile):
        self.profile = profile
        self.id = profile.id
        self.title = profile.title
        det = profile.section("detect")
        self.canonical = bool(det.get("canonical"))
        self.header = header_cells(det.get("header", [])) if det.get("header") else []
        self.scan_lines = int(det.get("scan_lines", 50))
        rd = profile.section("read")
        self.delimiter = rd.get("delimiter", "auto")
        self.stop_at_blank = bool(rd.get("stop_at_blank_row", False))
        self.footer = re.compile(rd["footer_regex"], re.I) if rd.get("footer_regex") else None
        self.skip = [re.compile(p, re.I) for p in rd.get("skip_row_regex", [])]
        self.sheet = rd.get("sheet")

    # ------------------------------------------------------------------ detection

    def _match(self, cells: list[str]) -> float:  # money-ok: a detection confidence, not money
        norm = header_cells(cells)
        if not norm:
            return 0.0
        if self.canonical:
            names = set(norm)
            if _GENERIC_NEEDED <= names:
                return 0.9 if names <= _CANON else 0.6
            return 0.0
        return 1.0 if norm == self.header else 0.0

    def _delims(self) -> tuple[str, ...]:
        return DELIMITERS if self.delimiter == "auto" else (self.delimiter,)

    def find_header_in_lines(self, lines) -> tuple[int, str, list[str], float] | None:
        """(1-based line, delimiter, raw header cells, score) of the header, if found."""
        for i, line in enumerate(lines):
            if i >= self.scan_lines:
                break
            if not line.strip():
                continue
            for d in self._delims():
                if d not in line and d != ",":
                    continue
                cells = split_line(line.rstrip("\r\n"), d)
                score = self._match(cells)
                if score:
                    return i + 1, d, cells, score
        return None

    def detect(self, head: Head) -> float:  # money-ok: a detection confidence, not money
        if head.facts.kind == "xlsx":
            for cells in head.rows[: self.scan_lines]:
                score = self._match(cells)
                if score:
                    return score
            return 0.0
        found = self.find_header_in_lines(head.lines)
        return found[3] if found else 0.0

    # ------------------------------------------------------------------ parsing

    def parse(self, path: Path, facts: FileFacts, ctx: ParseContext) -> Iterator[CanonicalRow]:
        if facts.kind == "xlsx":
            yield from self._parse_xlsx(path, ctx)
            return
        with open_text(path, facts.encoding, ctx.on_bytes) as f:
            found = self._scan_header(f)
            if not found:
                ctx.errors.add(
                    1, "header", f"no {self.id} header row found in the first {self.scan_lines} lines"
                )
                return
            header_line, delim, raw_header, _ = found
            reader = csv.reader(f, delimiter=delim)
            yield from self._map_rows(raw_header, _csv_rows(reader, header_line, ctx), ctx)

    def _scan_header(self, f) -> tuple[int, str, list[str], float] | None:
        """Read ``f`` line by line up to the header: (line, delimiter, raw cells, score)."""
        line_no = 0
        while line_no < self.scan_lines:
            line = f.readline()
            if not line:
                return None
            line_no += 1
            hit = self.find_header_in_lines([line])
            if hit:
                return (line_no, hit[1], hit[2], hit[3])
        return None

    def locate_header(self, path: Path, facts: FileFacts) -> tuple[int, str, list[str], str] | None:
        """(header line, delimiter, raw header cells, header line text) of a text file."""
        with open_text(path, facts.encoding) as f:
            found = self._scan_header(f)
        if not found:
            return None
        with open_text(path, facts.encoding) as f:
            for _ in range(found[0]):
                text = f.readline()
        return found[0], found[1], found[2], text

    @staticmethod
    def _fast_canonical(reader, line_base, m: RowMapper) -> Iterator:
        """The canonical CSV's rows through the fast path (:class:`.fastcsv.FastCanonical`)."""
        yield from FastCanonical(m).rows(reader, line_base)

    def _parse_xlsx(self, path: Path, ctx: ParseContext) -> Iterator[CanonicalRow]:
        it = iter_xlsx_rows(path, self.sheet)
        raw_header = None
        for n, cells in it:
            if n > self.scan_lines:
                break
            if self._match(cells):
                raw_header = cells
                break
        if raw_header is None:
            ctx.errors.add(1, "header", f"no {self.id} header row found in the first {self.scan_lines} rows")
            return
        yield from self._map_rows(raw_header, it, ctx, sheet=True)

    def _map_rows(
        self,
        raw_header: list[str],
        rows,
        ctx: ParseContext,
        parts: bool = False,
        reader=None,
        line_base: int = 0,
        sheet: bool = False,
    ) -> Iterator:
        """Canonical rows of ``rows`` ((line, cells) pairs), bad ones reported to ``ctx.errors``.

        With ``parts`` (the worker processes of :mod:`.parallel`), every row except transfer
        legs and balance rows comes out ready to store instead: ``(plan, identity base,
        row_part values)``, exactly what :func:`.derive.identity_base` and
        :func:`.rows.row_part` give for the row; the canonical CSV then takes a fast path
        (:meth:`_fast_canonical`) whose rows come as ``(plan, COMPACT_COLUMNS values)`` (see
        :func:`as_part`).
        ``reader`` (a ``csv.reader`` that ``rows`` wraps, line ``line_base + reader.line_num``)
        lets the fast path read it directly. ``sheet``: the rows are an XLSX sheet's.
        """
        m = RowMapper.build(self, raw_header, ctx)
        if m is None:
            return
        m.sheet = sheet
        if parts and m.fast_ok() and set(m.col) <= _FAST_COLUMNS:
            if reader is None:
                reader, line_base = _Pairs(rows), 0
            yield from self._fast_canonical(reader, line_base, m)
            return
        for row in m.general_rows(rows):
            if parts and row.type not in _WHOLE_TYPES:
                yield row.plan, identity_base(row, row.plan), row_part(row)
            else:
                yield row


def as_part(item: tuple) -> tuple:
    """A ``(plan, values)`` item of :meth:`ProfileImporter._fast_canonical` in the general
    path's form, ``(plan, identity base, row_part values)`` (``(plan, base, part)`` items are
    returned as they are)."""
    if len(item) != 2:
        return item
    plan, v = item
    return plan, v[12][:-2], v[:10] + (None, "posted") + v[10:12]


#: canonical cells stored verbatim in entry columns; ``raw`` keeps the others (plan, labels, ids...)
_STORED_CANONICAL = frozenset(
    {
        "date",
        "source",
        "type",
        "amount",
        "payroll_date",
        "fund",
        "fund_id",
        "shares",
        "tax_year",
        "irr_year",
        "status",
        "memo",
    }
)
#: optional columns, in the order their cells are set on a row
_OPTIONAL = (
    "payroll_date",
    "settle_date",
    "fund",
    "fund_id",
    "shares",
    "price",
    "tax_year",
    "irr_year",
    "transfer_group",
    "external_id",
    "reverses",
    "status",
    "memo",
)


class RowMapper:
    """How one file's cells become canonical rows: its columns found from the header through the
    profile, the parsers, and the caches of source and type labels (one per file). Built by
    :meth:`build`, which reports a header the profile does not fit and gives None."""

    def __init__(self, importer: ProfileImporter, ctx: ParseContext):
        prof = self.profile = importer.profile
        self.importer, self.ctx, self.errors = importer, ctx, ctx.errors
        self.canonical = importer.canonical
        self.const = prof.section("const")
        parse = prof.section("parse")
        self.dates = DateParser(parse.get("date_formats"), parse.get("date_strip_regex"))
        src_cfg = prof.section("sources")
        regex = src_cfg.get("strip_prefix_regex")
        self.strip_prefix = re.compile(regex) if regex else None
        fund_code = prof.section("funds").get("code_regex")
        self.fund_code_re = re.compile(fund_code) if fund_code else None
        self.source_cache: dict[str, tuple[str, int | None]] = {}
        self.type_cache: dict[tuple[str, int], tuple[str, str]] = {}
        self.fund_names: dict[str, str] = {}
        self.plan_override = ctx.plan
        self.const_source, self.const_type = self.const.get("source"), self.const.get("type")
        #: the rows come from a workbook sheet (XLSX), not delimited text
        self.sheet = False

    @classmethod
    def build(cls, importer: ProfileImporter, raw_header: list[str], ctx: ParseContext) -> RowMapper | None:
        m = cls(importer, ctx)
        if not m._columns(raw_header) or not m._const_ok():
            return None
        m.optional = [(m._setter(f), m.col[f]) for f in _OPTIONAL if f in m.col]
        m.raw_keys = m._raw_keys(raw_header)
        return m

    # ------------------------------------------------------------------ the header

    def _columns(self, raw_header: list[str]) -> bool:
        """Find each profile column in the header (False after reporting a missing one)."""
        header = [clean_label(h.replace("\ufeff", "")).strip('"') for h in raw_header]
        while header and not header[-1]:
            header.pop()
        self.header, self.norm = header, header_cells(raw_header)
        self.ncols = len(header)
        index = {h: i for i, h in enumerate(self.norm)}
        if self.canonical:
            columns = {h: h for h in self.norm if h in _CANON}
        else:
            columns = dict(self.profile.section("columns").items())
        self.col: dict[str, int] = {}
        self.label: dict[str, str] = {}
        for field_name, name in columns.items():
            key = name.strip().casefold()
            if key not in index:
                self.errors.add(1, name, f"profile {self.importer.id} expects a column {name!r}")
                return False
            self.col[field_name] = index[key]
            self.label[field_name] = header[index[key]]
        get = self.col.get
        self.i_date, self.i_amount, self.i_plan = get("date"), get("amount"), get("plan")
        self.i_source, self.i_slabel = get("source"), get("source_label")
        self.i_type, self.i_tlabel = get("type"), get("type_label")
        self.label_src = self.label.get("source_label") or self.label.get("source") or "source"
        self.label_typ = self.label.get("type_label") or self.label.get("type") or "type"
        return True

    def _const_ok(self) -> bool:
        source = self.const.get("source")
        if source is not None and source not in SOURCES:
            self.errors.add(
                1, "source", f"profile {self.importer.id}: const source {source!r} is not a source"
            )
            return False
        return True

    def _raw_keys(self, raw_header: list[str]) -> list[str | None]:
        """Each column's JSON key in ``raw`` (encoded once; None: not kept in raw)."""
        keys: list[str | None] = [encode_basestring(h) + ":" for h in self.header]
        if self.canonical:
            keys = [None if h in _STORED_CANONICAL else k for h, k in zip(self.norm, keys)]
        return keys

    def fast_ok(self) -> bool:
        """Whether the file's rows can take :meth:`ProfileImporter._fast_canonical` (the caller
        also checks the columns against ``_FAST_COLUMNS``)."""
        imp = self.importer
        return (
            self.canonical
            and not self.const
            and self.fund_code_re is None
            and imp.footer is None
            and not imp.skip
            and not imp.stop_at_blank
        )

    # ------------------------------------------------------------------ optional cells

    def _setter(self, field_name: str):
        """``setter(row, cell)`` for an optional column (called for non-empty cells only)."""
        label = self.label[field_name]
        if field_name in ("payroll_date", "settle_date"):
            dates = self.dates
            return lambda row, v: setattr(row, field_name, dates(v, label))
        if field_name in ("shares", "price"):
            what = "share count" if field_name == "shares" else "price"
            return lambda row, v: setattr(row, field_name, parse_decimal_text(v, label, what))
        if field_name in ("tax_year", "irr_year"):
            return lambda row, v: setattr(row, field_name, _year_cell(v, label))
        if field_name == "status":
            return lambda row, v: setattr(row, "status", _status_cell(v, label))
        if field_name == "fund":
            return self._set_fund
        return lambda row, v: _set_text(row, field_name, v)

    def _set_fund(self, row: CanonicalRow, v: str) -> None:
        name = self.fund_names.get(v)
        if name is None:
            name = self.fund_names[v] = clean_label(v)
        row.fund = name

    # ------------------------------------------------------------------ sources and types

    def map_source(self, text: str) -> tuple[str, int | None]:
        """A source cell -> (canonical source, IRR year from the label or None)."""
        hit = self.source_cache.get(text)
        if hit is not None:
            return hit
        lab = clean_label(text)
        if self.strip_prefix is not None:
            lab = self.strip_prefix.sub("", lab, count=1)
        result = self._source_of(lab, text)
        if result is None:
            raise self._source_error(lab)
        self.source_cache[text] = result
        return result

    def _source_of(self, lab: str, text: str) -> tuple[str, int | None] | None:
        mapped = self.ctx.mapped_source(lab) or self.ctx.mapped_source(clean_label(text))
        if mapped:
            return mapped, None
        if self.canonical:
            return (lab, None) if lab in SOURCES else None
        for pat, source, group in self.profile.source_rules:
            m = pat.search(lab)
            if m:
                year = m.group(group) if group else None
                return source, _year_cell(year, self.label_src) if year else None
        return None

    def _source_error(self, lab: str) -> CellError:
        if not lab:
            return CellError(self.label_src, "missing money source")
        if self.canonical:
            return CellError(self.label_src, f"unknown source {lab!r} (one of {', '.join(SOURCES)})")
        return CellError(
            self.label_src,
            f"unmapped source label {lab!r}: map it with --map '{lab}=SOURCE' "
            "(saved in the plan's source map) or in the profile's [sources] map",
        )

    def map_type(self, text: str, cents: int) -> tuple[str, str]:
        """A type cell (and the amount's sign) -> (canonical type, sign rule)."""
        sgn = (cents > 0) - (cents < 0)
        hit = self.type_cache.get((text, sgn))
        if hit is not None:
            return hit
        lab = clean_label(text)
        result = self._type_of(lab, cents)
        if result is None:
            if not lab:
                raise CellError(self.label_typ, "missing transaction type")
            raise CellError(
                self.label_typ,
                f"unmapped transaction type {lab!r}"
                + ("" if self.canonical else ": add it to the profile's [types] map"),
            )
        self.type_cache[(text, sgn)] = result
        return result

    def _type_of(self, lab: str, cents: int) -> tuple[str, str] | None:
        if self.canonical:
            return (lab, "as_is") if lab in PROFILE_TYPES else None
        for pat, typ, sign, when in self.profile.type_rules:
            if when is not None and not _when(when, cents):
                continue
            if pat.search(lab):
                return typ, sign
        return None

    # ------------------------------------------------------------------ rows

    def general_rows(self, rows) -> Iterator[CanonicalRow]:
        """The rows of ``rows`` ((line, cells) pairs) through :meth:`general_row`, with the
        profile's blank-line, footer and skip rules."""
        imp = self.importer
        footer, skip, stop_blank = imp.footer, imp.skip, imp.stop_at_blank
        for line, cells in rows:
            if not any(cells) or not "".join(cells).strip():
                if stop_blank:
                    break
                continue
            if footer is not None and footer.search(cells[0]):
                break
            if skip and any(p.search("\t".join(cells)) for p in skip):
                continue
            row = self.general_row(line, cells)
            if row is not None:
                yield row

    def general_row(self, line: int, cells: list[str]) -> CanonicalRow | None:
        """One data row through the profile (the general path): the row, or None after
        reporting it as bad."""
        n = len(cells)
        if n < self.ncols:
            cells = cells + [""] * (self.ncols - n)
        elif n > self.ncols and (extra := self.extra_cells(cells)) is not None:
            self.errors.add(line, *extra)
            return None
        try:
            row = self._row(line, cells)
        except CellError as exc:
            self.errors.add(line, exc.column, exc.reason)
            return None
        row.raw = self.raw(cells)
        return row

    def extra_cells(self, cells: list[str]) -> tuple[str, str] | None:
        """(column, reason) when ``cells`` has non-blank cells past the header's last column,
        else None: blank ones (a trailing comma) are fine, others would be dropped silently."""
        ncols = self.ncols
        filled = [i for i in range(ncols, len(cells)) if cells[i].strip()]
        if not filled:
            return None
        shown = ", ".join(_short(cells[i]) for i in filled[:3]) + (", ..." if len(filled) > 3 else "")
        first = filled[0] + 1
        column = f"column {_column_letter(first)}" if self.sheet else f"column {first}"
        hint = (
            "clear the cells past the header's last column"
            if self.sheet
            else 'quote any cell that contains the delimiter ("Smith, J") or remove the extra cells'
        )
        return column, f"{filled[-1] + 1} cells but the header has {ncols} (extra: {shown}); {hint}"

    def raw(self, cells: list[str]) -> str:
        """The row's cells that have no entry column, as a JSON object."""
        return (
            "{" + ",".join([k + encode_basestring(c) for k, c in zip(self.raw_keys, cells) if c and k]) + "}"
        )

    def _row(self, line: int, cells: list[str]) -> CanonicalRow:
        label = self.label
        d = self.dates(cells[self.i_date], label["date"])
        cents = parse_cents(cells[self.i_amount], label["amount"])
        source, irr_year, slabel = self._source_cells(cells)
        typ, sign, tlabel = self._type_cells(cells, cents)
        if self.plan_override:
            plan = self.plan_override
        else:
            plan = (cells[self.i_plan].strip() or None) if self.i_plan is not None else None
        row = CanonicalRow(
            d,
            plan,
            source,
            typ,
            cents,
            line,
            source_label=slabel or None,
            type_label=tlabel or None,
            irr_year=irr_year,
        )
        for setter, idx in self.optional:
            v = cells[idx]
            if v:
                setter(row, v)
        self._finish(row, sign, cents)
        if plan is None:
            raise CellError(label.get("plan", "plan"), "no plan: give --plan or fill the plan column")
        check_row_bounds(row, label)
        return row

    def _source_cells(self, cells: list[str]) -> tuple[str, int | None, str | None]:
        """(source, IRR year, source label) from the source and/or source label columns."""
        i_source, i_slabel = self.i_source, self.i_slabel
        if i_source is not None:
            source, irr_year = self.map_source(cells[i_source])
            return source, irr_year, cells[i_slabel] if i_slabel is not None else None
        if i_slabel is not None:
            source, irr_year = self.map_source(cells[i_slabel])
            return source, irr_year, clean_label(cells[i_slabel])
        return self.const_source or "unknown", None, None

    def _type_cells(self, cells: list[str], cents: int) -> tuple[str, str, str | None]:
        """(type, sign rule, type label) from the type and/or type label columns."""
        i_type, i_tlabel = self.i_type, self.i_tlabel
        if i_type is not None:
            typ, sign = self.map_type(cells[i_type], cents)
            return typ, sign, cells[i_tlabel] if i_tlabel is not None else None
        if i_tlabel is not None:
            typ, sign = self.map_type(cells[i_tlabel], cents)
            return typ, sign, clean_label(cells[i_tlabel])
        if self.const_type is None:
            raise CellError("type", f"profile {self.importer.id} maps no type column")
        return self.const_type, "as_is", None

    def _finish(self, row: CanonicalRow, sign: str, cents: int) -> None:
        """The profile's sign rule (shares follow the amount, section 5.5), prices without a
        sign, the fund code from the fund's name, an IRR's year."""
        if sign != "as_is":
            row.amount_cents = _apply_sign(sign, cents)
            if (
                row.shares is not None
                and row.amount_cents
                and ((row.amount_cents < 0) != row.shares.startswith("-"))
            ):
                row.shares = negate_text(row.shares)
        if row.price is not None:
            row.price = abs_text(row.price)
        if self.fund_code_re is not None and row.fund and not row.fund_id:
            m = self.fund_code_re.search(row.fund)
            if m:
                row.fund_id = m.group("code")
        if row.type == "conversion_in" and row.source == "roth_irr" and row.irr_year is None:
            row.irr_year = row.date.year


def _short(cell: str) -> str:
    return repr(cell if len(cell) <= 30 else cell[:30] + "…")


def _column_letter(n: int) -> str:
    """A sheet's column letter (1 -> A, 27 -> AA)."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _year_cell(v: str, label: str) -> int:
    v = v.strip()
    if not (v.isascii() and v.isdigit() and len(v) == 4):
        raise CellError(label, f"not a year: {v[:40]!r}")
    year = int(v)
    problem = year_problem(year)
    if problem:
        raise CellError(label, f"year {year} {problem}")
    return year


def _status_cell(v: str, label: str) -> str:
    st = v.strip().lower()
    if st not in STATUSES:
        raise CellError(label, f"status must be posted or pending, not {v!r}")
    return st


def _set_text(row: CanonicalRow, field_name: str, v: str) -> None:
    v = v.strip()
    if v:
        setattr(row, field_name, v)


def _csv_rows(reader, header_line: int, ctx: ParseContext):
    """(line, cells) of a csv.reader; a malformed CSV (the csv module's own error) ends the
    file with a row error instead of a traceback."""
    it = iter(reader)
    while True:
        try:
            cells = next(it)
        except StopIteration:
            return
        except csv.Error as exc:
            ctx.errors.add(header_line + reader.line_num, "csv", f"malformed CSV: {exc}")
            return
        yield header_line + reader.line_num, cells


class _Pairs:
    """(line, cells) pairs read like a ``csv.reader``: iterate cells, then ``line_num``."""

    def __init__(self, rows):
        self.rows = rows
        self.line_num = 0

    def __iter__(self):
        for line, cells in self.rows:
            self.line_num = line
            yield cells


def _when(cond: str, cents: int) -> bool:
    if cond == "<0":
        return cents < 0
    if cond == ">0":
        return cents > 0
    if cond == "<=0":
        return cents <= 0
    return cents >= 0


def _apply_sign(sign: str, cents: int) -> int:
    if sign == "negate":
        return -cents
    if sign == "abs":
        return abs(cents)
    if sign == "neg_abs":
        return -abs(cents)
    return cents
