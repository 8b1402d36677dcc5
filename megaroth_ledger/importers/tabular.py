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
from pathlib import Path

from ..bounds import MAX_AMOUNT_CENTS, year_problem
from ..vocab import SOURCES
from .base import Head, ParseContext, iter_xlsx_rows, split_line
from .derive import TRANSFER_TYPES, identity_base
from .profiles import PROFILE_TYPES, Profile
from .rows import (
    CANONICAL_COLUMNS,
    MAX_FUND,
    MAX_FUND_ID,
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
_WHOLE_TYPES = TRANSFER_TYPES | {"balance"}


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
    def _fast_canonical(
        reader,
        line_base,
        general_row,
        col,
        label,
        ncols,
        raw_keys,
        dates,
        map_source,
        map_type,
        plan_override,
        fund_names,
    ) -> Iterator:
        """The canonical CSV's rows as ``(plan, identity base, row_part values less irr_year
        and status)`` (None and ``posted`` for every row here), computed straight from the
        cells with the very same parsers and caches as the general path (no row object on
        the way). Any row that is not plainly well-formed (short, a bad
        or unusual cell, a transfer leg or balance, no plan) goes through ``general_row``
        instead, which reports it or yields it exactly as the serial path does; so the
        output is identical to the general path's, only cheaper.
        """
        from hashlib import blake2b
        from json.encoder import encode_basestring

        from .text import _PLAIN_DECIMAL, parse_decimal_text

        i_date, i_amount, i_source, i_type = col["date"], col["amount"], col["source"], col["type"]
        i_plan, i_slabel, i_tlabel = col.get("plan"), col.get("source_label"), col.get("type_label")
        i_pay, i_fund, i_fid = col.get("payroll_date"), col.get("fund"), col.get("fund_id")
        i_shares, i_price, i_memo = col.get("shares"), col.get("price"), col.get("memo")
        l_date, l_amount = label["date"], label["amount"]
        l_pay = label.get("payroll_date")
        l_shares, l_price = label.get("shares"), label.get("price")
        raw_idx = [(i, k) for i, k in enumerate(raw_keys) if k is not None]
        plain = _PLAIN_DECIMAL.match
        cents_2 = _TWO_DECIMALS.match
        whole = _WHOLE_TYPES
        day: dict[str, tuple[str, int]] = {}  # date text -> (ISO text, year)
        # one object per distinct plan / fund id: pickled once per chunk, not once per row
        interned: dict[str, str] = {}
        same = interned.setdefault
        repeats: dict[str, str] = {}  # the same for raw cells and memos
        again = repeats.setdefault

        def iso(text: str, column: str) -> tuple[str, int]:
            got = day.get(text)
            if got is None:
                d = dates(text, column)
                got = (d.isoformat(), d.year)
                if len(day) < 100_000:
                    day[text] = got
            return got

        for cells in reader:
            line = line_base + reader.line_num
            if len(cells) < ncols:
                item = None
            else:
                try:
                    got = day.get(cells[i_date])
                    date_iso, year = got if got is not None else iso(cells[i_date], l_date)
                    a = cells[i_amount]
                    if len(a) <= 14 and cents_2(a):  # 1234.56 or -1234.56 (ASCII digits), within the bound
                        cents = int(a[:-3] + a[-2:])
                        # its text for the identity (derive.cents_text) is the cell itself unless
                        # negative or with a leading zero
                        amount_text = a if a[0] != "-" and (a[0] != "0" or a[1] == ".") else None
                    else:
                        cents = parse_cents(a, l_amount)
                        amount_text = None
                    source = map_source(cells[i_source])[0]
                    typ = map_type(cells[i_type], cents)[0]
                    if typ in whole:
                        raise CellError("type", "a transfer leg or balance: the general path")
                    if plan_override:
                        plan = plan_override
                    else:
                        plan = (cells[i_plan].strip() or None) if i_plan is not None else None
                        if plan is None:
                            raise CellError("plan", "no plan: the general path reports it")
                        if len(interned) < 10_000:
                            plan = same(plan, plan)
                    payroll = fund = fund_id = shares = memo = None
                    if i_pay is not None:
                        v = cells[i_pay]
                        if v:
                            got = day.get(v)
                            payroll = (got if got is not None else iso(v, l_pay))[0]
                    if i_fund is not None:
                        v = cells[i_fund]
                        if v:
                            fund = fund_names.get(v)
                            if fund is None:
                                fund = fund_names[v] = clean_label(v)
                    if i_fid is not None:
                        v = cells[i_fid]
                        if v:
                            fund_id = v.strip() or None
                            if fund_id is not None and len(interned) < 10_000:
                                fund_id = same(fund_id, fund_id)
                    if i_shares is not None:
                        v = cells[i_shares]
                        if v:
                            shares = v if plain(v) else parse_decimal_text(v, l_shares, "share count")
                    if i_price is not None:
                        v = cells[i_price]
                        if v and not plain(v):
                            parse_decimal_text(v, l_price, "price")  # validated; kept in raw only
                    if i_memo is not None:
                        v = cells[i_memo]
                        if v:
                            memo = v.strip() or None
                    slabel = (cells[i_slabel] or None) if i_slabel is not None else None
                    tlabel = (cells[i_tlabel] or None) if i_tlabel is not None else None
                    if (
                        (fund is not None and len(fund) > MAX_FUND)
                        or (fund_id is not None and len(fund_id) > MAX_FUND_ID)
                        or (cents > MAX_AMOUNT_CENTS or cents < -MAX_AMOUNT_CENTS)
                    ):
                        raise CellError("fund", "a long text or a big amount: the general path reports it")
                    if amount_text is None:
                        a = -cents if cents < 0 else cents
                        amount_text = f"{'-' if cents < 0 else ''}{a // 100}.{a % 100:02d}"
                    # shares as derive._norm_num compares them
                    if not shares:
                        norm_shares = ""
                    else:
                        norm_shares = shares.rstrip("0").rstrip(".") if "." in shares else shares
                        if norm_shares in ("", "-", "-0"):
                            norm_shares = "0"
                    key = "\x1f".join(
                        (
                            plan,
                            date_iso,
                            fund_id or fund or "",
                            slabel or source,
                            tlabel or typ,
                            norm_shares,
                            amount_text,
                        )
                    )
                    raw = (
                        "{"
                        + ",".join([k + encode_basestring(cells[i]) for i, k in raw_idx if cells[i]])
                        + "}"
                    )
                    if len(repeats) < 20_000:  # raw cells and memos repeat a lot in big exports
                        raw = again(raw, raw)
                        if memo is not None:
                            memo = again(memo, memo)
                    item = (
                        plan,
                        f"h:{date_iso}:{blake2b(key.encode(), digest_size=16).hexdigest()}",
                        (date_iso, payroll, year, source, typ, cents, fund, fund_id, shares, memo, line, raw),
                    )
                except CellError:
                    item = None
            if item is None:  # the general path decides (and reports) this row
                if not any(cells) or not "".join(cells).strip():
                    continue
                row = general_row(line, cells)
                if row is None:
                    continue
                item = row if row.type in whole else (row.plan, identity_base(row, row.plan), row_part(row))
            yield item

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
        yield from self._map_rows(raw_header, it, ctx)

    def _map_rows(
        self,
        raw_header: list[str],
        rows,
        ctx: ParseContext,
        parts: bool = False,
        reader=None,
        line_base: int = 0,
    ) -> Iterator:
        """Canonical rows of ``rows`` ((line, cells) pairs), bad ones reported to ``ctx.errors``.

        With ``parts`` (the worker processes of :mod:`.parallel`), every row except transfer
        legs and balance rows comes out ready to store instead: ``(plan, identity base,
        row_part values)``, exactly what :func:`.derive.identity_base` and
        :func:`.rows.row_part` give for the row; the canonical CSV then takes a fast path
        (:meth:`_fast_canonical`) whose values leave out irr_year and status (12, not 14).
        ``reader`` (a ``csv.reader`` that ``rows`` wraps, line ``line_base + reader.line_num``)
        lets the fast path read it directly.
        """
        prof = self.profile
        header = [clean_label(h.replace("\ufeff", "")).strip('"') for h in raw_header]
        while header and not header[-1]:
            header.pop()
        norm = header_cells(raw_header)
        index = {h: i for i, h in enumerate(norm)}
        if self.canonical:
            columns = {h: h for h in norm if h in _CANON}
        else:
            columns = {k: v for k, v in prof.section("columns").items()}
        col: dict[str, int] = {}
        label: dict[str, str] = {}
        for field_name, name in columns.items():
            key = name.strip().casefold()
            if key not in index:
                ctx.errors.add(1, name, f"profile {self.id} expects a column {name!r}")
                return
            col[field_name] = index[key]
            label[field_name] = header[index[key]]
        const = prof.section("const")
        for k, v in const.items():
            if k == "source" and v not in SOURCES:
                ctx.errors.add(1, "source", f"profile {self.id}: const source {v!r} is not a source")
                return
        parse = prof.section("parse")
        dates = DateParser(parse.get("date_formats"), parse.get("date_strip_regex"))
        src_cfg = prof.section("sources")
        strip_prefix = (
            re.compile(src_cfg["strip_prefix_regex"]) if src_cfg.get("strip_prefix_regex") else None
        )
        fund_code = prof.section("funds").get("code_regex")
        fund_code_re = re.compile(fund_code) if fund_code else None
        source_cache: dict[str, tuple[str, int | None]] = {}
        type_cache: dict[tuple[str, int], tuple[str, str]] = {}
        errors = ctx.errors
        plan_override = ctx.plan
        footer, skip, stop_blank = self.footer, self.skip, self.stop_at_blank
        ncols = len(header)

        i_date = col.get("date")
        i_amount = col.get("amount")
        i_source = col.get("source")
        i_slabel = col.get("source_label")
        i_type = col.get("type")
        i_tlabel = col.get("type_label")
        i_plan = col.get("plan")

        def set_date(field_name):
            def f(row, v):
                setattr(row, field_name, dates(v, label[field_name]))

            return f

        def set_number(field_name, what):
            def f(row, v):
                setattr(row, field_name, parse_decimal_text(v, label[field_name], what))

            return f

        def set_year(field_name):
            def f(row, v):
                v = v.strip()
                if not (v.isascii() and v.isdigit() and len(v) == 4):
                    raise CellError(label[field_name], f"not a year: {v[:40]!r}")
                year = int(v)
                problem = year_problem(year)
                if problem:
                    raise CellError(label[field_name], f"year {year} {problem}")
                setattr(row, field_name, year)

            return f

        def set_status(row, v):
            st = v.strip().lower()
            if st not in STATUSES:
                raise CellError(label["status"], f"status must be posted or pending, not {v!r}")
            row.status = st

        fund_names: dict[str, str] = {}

        def set_fund(row, v):
            name = fund_names.get(v)
            if name is None:
                name = fund_names[v] = clean_label(v) if len(fund_names) < 10_000 else clean_label(v)
            row.fund = name

        def set_text(field_name):
            def f(row, v):
                v = v.strip()
                if v:
                    setattr(row, field_name, v)

            return f

        setters = {
            "payroll_date": set_date("payroll_date"),
            "settle_date": set_date("settle_date"),
            "shares": set_number("shares", "share count"),
            "price": set_number("price", "price"),
            "tax_year": set_year("tax_year"),
            "irr_year": set_year("irr_year"),
            "status": set_status,
            "fund": set_fund,
        }
        optional = [
            (setters.get(f) or set_text(f), col[f])
            for f in (
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
            if f in col
        ]
        # raw cells as JSON, encoded field by field (C encoder) instead of json.dumps per row
        from json.encoder import encode_basestring

        raw_keys = [encode_basestring(h) + ":" for h in header]
        if self.canonical:
            # the canonical CSV's own cells are stored verbatim in entry columns; raw keeps the
            # ones that have no column there (plan, labels, price, ids, ...)
            stored = {
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
            raw_keys = [None if h in stored else k for h, k in zip(norm, raw_keys)]
        const_source = const.get("source")
        const_type = const.get("type")

        def map_source(text: str) -> tuple[str, int | None]:
            hit = source_cache.get(text)
            if hit is not None:
                return hit
            lab = clean_label(text)
            if strip_prefix is not None:
                lab = strip_prefix.sub("", lab, count=1)
            mapped = ctx.mapped_source(lab) or ctx.mapped_source(clean_label(text))
            result = None
            if mapped:
                result = (mapped, None)
            elif self.canonical:
                if lab in SOURCES:
                    result = (lab, None)
            else:
                for pat, source, group in prof.source_rules:
                    m = pat.search(lab)
                    if m:
                        result = (source, int(m.group(group)) if group and m.group(group) else None)
                        break
            if result is None:
                if not lab:
                    raise CellError(label_src, "missing money source")
                if self.canonical:
                    raise CellError(label_src, f"unknown source {lab!r} (one of {', '.join(SOURCES)})")
                raise CellError(
                    label_src,
                    f"unmapped source label {lab!r}: map it with --map '{lab}=SOURCE' "
                    "(saved in the plan's source map) or in the profile's [sources] map",
                )
            source_cache[text] = result
            return result

        def map_type(text: str, cents: int) -> tuple[str, str]:
            sgn = (cents > 0) - (cents < 0)
            hit = type_cache.get((text, sgn))
            if hit is not None:
                return hit
            lab = clean_label(text)
            result = None
            if self.canonical:
                if lab in PROFILE_TYPES:
                    result = (lab, "as_is")
            else:
                for pat, typ, sign, when in prof.type_rules:
                    if when is not None and not _when(when, cents):
                        continue
                    if pat.search(lab):
                        result = (typ, sign)
                        break
            if result is None:
                if not lab:
                    raise CellError(label_typ, "missing transaction type")
                raise CellError(
                    label_typ,
                    f"unmapped transaction type {lab!r}"
                    + ("" if self.canonical else ": add it to the profile's [types] map"),
                )
            type_cache[(text, sgn)] = result
            return result

        label_src = label.get("source_label") or label.get("source") or "source"
        label_typ = label.get("type_label") or label.get("type") or "type"

        def general_row(line: int, cells: list[str]) -> CanonicalRow | None:
            """One data row through the profile (the general path): the row, or None after
            reporting it as bad."""
            if len(cells) < ncols:
                cells = cells + [""] * (ncols - len(cells))
            try:
                d = dates(cells[i_date], label["date"])
                cents = parse_cents(cells[i_amount], label["amount"])
                if i_source is not None:
                    source, irr_year = map_source(cells[i_source])
                    slabel = cells[i_slabel] if i_slabel is not None else None
                elif i_slabel is not None:
                    slabel = clean_label(cells[i_slabel])
                    source, irr_year = map_source(cells[i_slabel])
                else:
                    source, irr_year, slabel = const_source or "unknown", None, None
                if i_type is not None:
                    typ, sign = map_type(cells[i_type], cents)
                    tlabel = cells[i_tlabel] if i_tlabel is not None else None
                elif i_tlabel is not None:
                    tlabel = clean_label(cells[i_tlabel])
                    typ, sign = map_type(cells[i_tlabel], cents)
                else:
                    typ, sign, tlabel = const_type, "as_is", None
                    if typ is None:
                        raise CellError("type", f"profile {self.id} maps no type column")
                if plan_override:
                    plan = plan_override
                elif i_plan is not None:
                    plan = cells[i_plan].strip() or None
                else:
                    plan = None
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
                for setter, idx in optional:
                    v = cells[idx]
                    if v:
                        setter(row, v)
                if sign != "as_is":
                    row.amount_cents = _apply_sign(sign, cents)
                    # shares follow the amount's sign (section 5.5)
                    if (
                        row.shares is not None
                        and row.amount_cents
                        and ((row.amount_cents < 0) != row.shares.startswith("-"))
                    ):
                        row.shares = negate_text(row.shares)
                if row.price is not None:
                    row.price = abs_text(row.price)
                if fund_code_re is not None and row.fund and not row.fund_id:
                    m = fund_code_re.search(row.fund)
                    if m:
                        row.fund_id = m.group("code")
                if row.type == "conversion_in" and row.source == "roth_irr" and row.irr_year is None:
                    row.irr_year = row.date.year
                if plan is None:
                    raise CellError(label.get("plan", "plan"), "no plan: give --plan or fill the plan column")
                check_row_bounds(row, label)
            except CellError as exc:
                errors.add(line, exc.column, exc.reason)
                return None
            row.raw = (
                "{" + ",".join([k + encode_basestring(c) for k, c in zip(raw_keys, cells) if c and k]) + "}"
            )
            return row

        if (
            parts
            and self.canonical
            and not const
            and fund_code_re is None
            and footer is None
            and not skip
            and not stop_blank
            and set(col) <= _FAST_COLUMNS
        ):
            if reader is None:
                reader, line_base = _Pairs(rows), 0
            yield from self._fast_canonical(
                reader,
                line_base,
                general_row,
                col,
                label,
                ncols,
                raw_keys,
                dates,
                map_source,
                map_type,
                plan_override,
                fund_names,
            )
            return
        for line, cells in rows:
            if not any(cells) or not "".join(cells).strip():
                if stop_blank:
                    break
                continue
            if footer is not None and footer.search(cells[0]):
                break
            if skip and any(p.search("\t".join(cells)) for p in skip):
                continue
            row = general_row(line, cells)
            if row is None:
                continue
            if parts and row.type not in _WHOLE_TYPES:
                yield row.plan, identity_base(row, row.plan), row_part(row)
            else:
                yield row


_TWO_DECIMALS = re.compile(r"-?[0-9]+\.[0-9][0-9]\Z")


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
