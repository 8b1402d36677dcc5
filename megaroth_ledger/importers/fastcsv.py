"""The canonical CSV's fast path in the parse workers (:mod:`.parallel`): rows straight from
the cells to ``entry`` values, with the very same parsers and caches as the general path
(:class:`.tabular.RowMapper`) and no row object on the way.

Any row that is not plainly well-formed (short, a non-blank cell past the header's last column,
a bad or unusual cell, a transfer leg or balance, no plan) goes through the general path instead (``RowMapper.general_row``), which
reports it or yields it exactly as the serial path does; so the output is identical to the
general path's, only cheaper. ``tests/test_import_paths_props.py`` checks that on generated
files, ``tests/test_import_parallel.py`` on hand-written messy rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from hashlib import blake2b
from json.encoder import encode_basestring

from ..bounds import MAX_AMOUNT_CENTS
from .derive import TRANSFER_TYPES, identity_base
from .rows import MAX_FUND, MAX_FUND_ID, CellError, row_part
from .text import _PLAIN_DECIMAL, clean_label, parse_cents, parse_decimal_text

#: rows that come back whole (paired at the end of the file), never as ready-made parts
WHOLE_TYPES = TRANSFER_TYPES | {"balance"}
_TWO_DECIMALS = re.compile(r"-?[0-9]+\.[0-9][0-9]\Z")
_plain = _PLAIN_DECIMAL.match
_cents_2 = _TWO_DECIMALS.match
MAX_DAYS, MAX_INTERNED, MAX_REPEATS = 100_000, 10_000, 20_000  # bounds of the caches


class FastCanonical:
    """Rows of one chunk as ``(plan, values)``: the ``store.COMPACT_COLUMNS`` values
    (``row_part`` less irr_year and status, None and ``posted`` for every row here, then the
    identity with occurrence 0; :func:`.tabular.as_part` gives the general path's form);
    transfer legs and balance rows as whole :class:`.rows.CanonicalRow`s; rows the general
    path takes as ``(plan, identity base, row_part values)``."""

    def __init__(self, m):
        col, label = m.col, m.label
        self.m, self.plan_override = m, m.plan_override
        self.map_source, self.map_type = m.map_source, m.map_type
        self.i_date, self.i_amount, self.i_source, self.i_type = (
            col["date"],
            col["amount"],
            col["source"],
            col["type"],
        )
        self.i_plan, self.i_slabel, self.i_tlabel = (
            col.get("plan"),
            col.get("source_label"),
            col.get("type_label"),
        )
        self.i_pay, self.i_fund, self.i_fid = col.get("payroll_date"), col.get("fund"), col.get("fund_id")
        self.i_shares, self.i_price, self.i_memo = col.get("shares"), col.get("price"), col.get("memo")
        self.l_date, self.l_amount, self.l_pay = label["date"], label["amount"], label.get("payroll_date")
        self.l_shares, self.l_price = label.get("shares"), label.get("price")
        self.raw_idx = [(i, k) for i, k in enumerate(m.raw_keys) if k is not None]
        self.day: dict[str, tuple[str, int]] = {}  # date text -> (ISO text, year)
        # one object per distinct plan / fund id: pickled once per chunk, not once per row
        self.interned: dict[str, str] = {}
        self.repeats: dict[str, str] = {}  # the same for raw cells and memos

    def rows(self, reader, line_base: int) -> Iterator:
        """Every row of ``reader`` (a ``csv.reader``; line ``line_base + reader.line_num``)."""
        values, ncols, general_row, extra_cells = (
            self.values,
            self.m.ncols,
            self.m.general_row,
            self.m.extra_cells,
        )
        for cells in reader:
            line = line_base + reader.line_num
            item = None
            n = len(cells)
            if n == ncols or (n > ncols and extra_cells(cells) is None):
                try:
                    item = values(cells, line)
                except CellError:
                    pass
            if item is None:  # the general path decides (and reports) this row
                if not any(cells) or not "".join(cells).strip():
                    continue
                row = general_row(line, cells)
                if row is None:
                    continue
                item = (
                    row
                    if row.type in WHOLE_TYPES
                    else (row.plan, identity_base(row, row.plan), row_part(row))
                )
            yield item

    def values(self, cells: list[str], line: int) -> tuple:
        """One well-formed row's ``(plan, values)``; CellError: the general path takes it."""
        got = self.day.get(cells[self.i_date])
        date_iso, year = got if got is not None else self.date(cells[self.i_date], self.l_date)
        a = cells[self.i_amount]
        if len(a) <= 14 and _cents_2(a):  # 1234.56 or -1234.56 (ASCII digits), within the bound
            cents = int(a[:-3] + a[-2:])
            # the identity's text (derive.cents_text) is the cell unless negative or a leading zero
            amount_text = a if a[0] != "-" and (a[0] != "0" or a[1] == ".") else None
        else:
            cents, amount_text = parse_cents(a, self.l_amount), None
        source = self.map_source(cells[self.i_source])[0]
        typ = self.map_type(cells[self.i_type], cents)[0]
        if typ in WHOLE_TYPES:
            raise CellError("type", "a transfer leg or balance: the general path")
        plan = self.plan_override or self.plan(cells)
        payroll, fund, fund_id, shares, memo = self.optional(cells)
        if (
            (fund is not None and len(fund) > MAX_FUND)
            or (fund_id is not None and len(fund_id) > MAX_FUND_ID)
            or (cents > MAX_AMOUNT_CENTS or cents < -MAX_AMOUNT_CENTS)
        ):
            raise CellError("fund", "a long text or a big amount: the general path reports it")
        slabel = (cells[self.i_slabel] or None) if self.i_slabel is not None else None
        tlabel = (cells[self.i_tlabel] or None) if self.i_tlabel is not None else None
        key = "\x1f".join(
            (
                plan,
                date_iso,
                fund_id or fund or "",
                slabel or source,
                tlabel or typ,
                _norm_shares(shares),
                amount_text if amount_text is not None else _cents_text(cents),
            )
        )
        raw = "{" + ",".join([k + encode_basestring(cells[i]) for i, k in self.raw_idx if cells[i]]) + "}"
        repeats = self.repeats
        if len(repeats) < MAX_REPEATS:  # raw cells and memos repeat a lot in big exports
            raw = repeats.setdefault(raw, raw)
            if memo is not None:
                memo = repeats.setdefault(memo, memo)
        ident = f"h:{date_iso}:{blake2b(key.encode(), digest_size=16).hexdigest()}:0"
        return plan, (
            date_iso,
            payroll,
            year,
            source,
            typ,
            cents,
            fund,
            fund_id,
            shares,
            memo,
            line,
            raw,
            ident,
        )

    def date(self, text: str, column: str) -> tuple[str, int]:
        got = self.day.get(text)
        if got is None:
            d = self.m.dates(text, column)
            got = (d.isoformat(), d.year)
            if len(self.day) < MAX_DAYS:
                self.day[text] = got
        return got

    def plan(self, cells: list[str]) -> str:
        """The row's plan cell (without ``--plan``)."""
        plan = (cells[self.i_plan].strip() or None) if self.i_plan is not None else None
        if plan is None:
            raise CellError("plan", "no plan: the general path reports it")
        return self.interned.setdefault(plan, plan) if len(self.interned) < MAX_INTERNED else plan

    def optional(self, cells: list[str]) -> tuple:
        """(payroll date, fund, fund id, shares, memo) of the row's optional cells; the price is
        validated (it is kept in raw only)."""
        payroll = fund = fund_id = shares = memo = None
        if self.i_pay is not None and (v := cells[self.i_pay]):
            got = self.day.get(v)
            payroll = (got if got is not None else self.date(v, self.l_pay))[0]
        if self.i_fund is not None and (v := cells[self.i_fund]):
            fund = self.m.fund_names.get(v)
            if fund is None:
                fund = self.m.fund_names[v] = clean_label(v)
        if self.i_fid is not None and (v := cells[self.i_fid]):
            fund_id = v.strip() or None
            if fund_id is not None and len(self.interned) < MAX_INTERNED:
                fund_id = self.interned.setdefault(fund_id, fund_id)
        if self.i_shares is not None and (v := cells[self.i_shares]):
            shares = v if _plain(v) else parse_decimal_text(v, self.l_shares, "share count")
        if self.i_price is not None and (v := cells[self.i_price]) and not _plain(v):
            parse_decimal_text(v, self.l_price, "price")
        if self.i_memo is not None and (v := cells[self.i_memo]):
            memo = v.strip() or None
        return payroll, fund, fund_id, shares, memo


def _cents_text(cents: int) -> str:
    a = -cents if cents < 0 else cents
    return f"{'-' if cents < 0 else ''}{a // 100}.{a % 100:02d}"


def _norm_shares(shares: str | None) -> str:
    """Shares as ``derive._norm_num`` compares them."""
    if not shares:
        return ""
    norm = shares.rstrip("0").rstrip(".") if "." in shares else shares
    return "0" if norm in ("", "-", "-0") else norm
