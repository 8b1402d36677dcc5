"""The overlap matcher's rules (megaroth_ledger.importers.overlap), pure."""

from __future__ import annotations

from megaroth_ledger.importers.overlap import match

D = "2025-01-13"


def test_matcher_row_by_row_is_one_to_one():
    new = [(1, D, "pretax", "contribution", 100, 2)]
    old = [(7, 1, D, "pretax", "contribution", 100, 1)]
    got = match(new, old)
    assert (got.new_rows, got.matched, got.by_import) == (2, 1, {7: 1})
    assert got.earlier({7: 1}) == [7]  # half of the new rows


def test_matcher_group_totals_and_unknown_sources():
    new = [(1, D, "pretax", "contribution", 60, 1), (1, D, "pretax", "contribution", 40, 1)]
    old = [(3, 1, D, "pretax", "contribution", 100, 1)]  # a per-source export: one row per source
    assert match(new, old).matched == 2
    new = [(1, D, "unknown", "contribution", 150, 1)]
    old = [(3, 1, D, "pretax", "contribution", 100, 1), (3, 1, D, "aftertax", "contribution", 50, 1)]
    assert match(new, old).matched == 1
    # a known source is not matched to another known source's total
    new = [(1, D, "roth", "contribution", 100, 1)]
    assert match(new, [(3, 1, D, "pretax", "contribution", 100, 1)]).matched == 0


def test_matcher_threshold_is_half_of_the_new_rows_or_of_an_earlier_import():
    new = [(1, f"2025-01-{d:02d}", "pretax", "contribution", 100, 1) for d in range(1, 11)]
    old = [
        (5, 1, "2025-01-01", "pretax", "contribution", 100, 1),
        (5, 1, "2025-01-02", "pretax", "dividend", 3, 1),
    ]
    got = match(new, old)
    assert got.matched == 1
    assert got.earlier({5: 2}) == [5]  # half of import #5's rows
    assert got.earlier({5: 40}) == []  # a coincidence: 1 of 10 new rows, 1 of 40 earlier ones
    assert match(new, []).earlier({}) == []
