"""Property: the canonical CSV's fast path (``ProfileImporter._fast_canonical``, used by the parse
workers) gives exactly what the general path (``_map_rows`` row by row) gives, on generated files:
the same entry values, identities, raw cells, whole rows (transfer legs, balances) and the same
errors in the same order. Cells mix plain values with the odd ones real exports have (spaces,
currency signs, parentheses, trailing minus, other date formats, wrong digits, quotes, commas and
newlines inside fields, short rows, long rows whose cells past the header are blank (trailing
commas: accepted) or not (refused on both paths))."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from megaroth_ledger.importers import all_importers, tabular
from megaroth_ledger.importers.base import ParseContext
from megaroth_ledger.importers.rows import ErrorCollector

COLUMNS = [
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
]


def _mix(plain, odd):
    return st.one_of(plain, plain, plain, odd)


DATES = _mix(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["", " 2025-01-03 ", "01/09/2025", "2025-13-08", "2025-02-30", "20250103", "x"]),
)
AMOUNTS = _mix(
    st.integers(-(10**9), 10**9).map(lambda c: f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}"),
    st.sampled_from(
        [
            "",
            "1.001",
            "$1,234.50",
            "(12.00)",
            "12.00-",
            "\u221212.00",
            "007.50",
            "-00.00",
            "0.05",
            "+5",
            ".50",
            "12.3",
            "1,234",
            "١٢.٣٤",
            " 3.10 ",
            "abc",
            "-0.00",
            "1e3",
        ]
    ),
)
SOURCES = _mix(
    st.sampled_from(["pretax", "aftertax", "match", "roth", "roth_irr", "nonelective"]),
    st.sampled_from(["", "Pre-Tax", " pretax ", "PRETAX", "nosuch", "unknown", "after tax"]),
)
TYPES = _mix(
    st.sampled_from(["contribution", "dividend", "fee", "interest", "withdrawal"]),
    st.sampled_from(["", "Contribution", "exchange_out", "exchange_in", "balance", "nosuch", " fee "]),
)
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
DECIMALS = _mix(
    st.decimals(-(10**6), 10**6, places=4, allow_nan=False).map(str),
    st.sampled_from(["", "1.", ".5", "-", "--", "1.50-", "(2.00)", "1,234.5", "n/a", "0.000", "-0"]),
)
EXTRA = st.lists(
    st.sampled_from(["", "", " ", "\t", "x", " J", "Smith", '"q"', "a,b"]), min_size=1, max_size=4
)
PLANS = st.sampled_from(["acme-401k", "acme-401k", " acme-401k ", "other-401k", ""])
CELL = {
    "date": DATES,
    "plan": PLANS,
    "source": SOURCES,
    "type": TYPES,
    "amount": AMOUNTS,
    "payroll_date": st.one_of(st.just(""), DATES),
    "fund": _mix(st.sampled_from(["Vanguard 500", "Fund &amp; Co"]), TEXT),
    "fund_id": st.one_of(st.just(""), st.sampled_from(["VFIAX", " FB ", " "]), TEXT),
    "shares": DECIMALS,
    "price": DECIMALS,
    "memo": st.one_of(
        st.just(""), TEXT, st.sampled_from(['line one\nline two, "quoted"', "  spaced memo  ", " "])
    ),
    "source_label": st.one_of(st.just(""), TEXT),
    "type_label": st.one_of(st.just(""), TEXT),
}


@st.composite
def files(draw):
    columns = draw(
        st.sampled_from(
            [
                COLUMNS,
                COLUMNS[:11],
                ["date", "source", "type", "amount", "plan", "memo"],
                ["date", "plan", "source", "type", "amount", "fund", "shares"],
            ]
        )
    )
    rows = []
    for _ in range(draw(st.integers(1, 25))):
        row = [draw(CELL[c]) for c in columns]
        cut = draw(st.sampled_from([None] * 8 + [0, 2, len(columns) + 2, -1]))
        if cut == 0:
            row = [""] * len(columns)  # a blank row
        elif cut == len(columns) + 2:
            row = row + ["extra", "cells"]
        elif cut == -1:  # cells past the header: blank ones (trailing commas) are fine, others not
            row = (row if draw(st.booleans()) else [""] * len(columns)) + draw(EXTRA)
        elif cut is not None:
            row = row[:cut]
        rows.append(row)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    w.writerows(rows)
    return out.getvalue()


IMPORTER = all_importers(None)["generic"]


def _items(text: str, plan: str | None, fast: bool):
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    rows = ((1 + reader.line_num, cells) for cells in reader)
    ctx = ParseContext("g.csv", ErrorCollector("g.csv"), plan=plan)
    saved = tabular._FAST_COLUMNS
    if not fast:
        tabular._FAST_COLUMNS = frozenset()  # no column qualifies: every row through the general path
    try:
        got = []
        for item in IMPORTER._map_rows(header, rows, ctx, parts=True):
            if type(item) is not tuple:
                got.append(("whole", item.as_canonical(), item.line, item.raw))
            else:  # the fast path's (plan, values) items in the general form
                got.append(tabular.as_part(item))
    finally:
        tabular._FAST_COLUMNS = saved
    return got, [str(e) for e in ctx.errors.errors]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=files(), plan=st.sampled_from([None, "other-401k"]))
def test_fast_canonical_path_gives_the_general_paths_rows(text, plan):
    calls = []
    real = tabular.ProfileImporter._fast_canonical

    def spy(*args):
        calls.append(1)
        return real(*args)

    tabular.ProfileImporter._fast_canonical = staticmethod(spy)
    try:
        fast = _items(text, plan, fast=True)
    finally:
        tabular.ProfileImporter._fast_canonical = staticmethod(real)
    general = _items(text, plan, fast=False)
    assert calls, "the fast path did not run"
    assert fast == general
    header, *rows = csv.reader(io.StringIO(text, newline=""))
    refused = [r for r in rows if any(c.strip() for c in r[len(header) :])]
    assert sum("cells but the header has" in e for e in fast[1]) == len(refused)
