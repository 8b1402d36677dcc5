"""Every figure of limits.toml against tax-rules.md section (a).

The expected table is written out here (a second, independent copy); a second test also
parses the reference's markdown table when ../shared is present, so a change in either
place fails a test.
"""

from decimal import Decimal
from pathlib import Path

import pytest

from megaroth_ledger.errors import UnsupportedSituation
from megaroth_ledger.rules import limits

# year: (402(g), 414(v) 50+, 60-63, 415(c), IRA, IRA catch-up, Roth catch-up wage threshold)
EXPECTED = {
    2015: (18000, 6000, None, 53000, 5500, 1000, None),
    2016: (18000, 6000, None, 53000, 5500, 1000, None),
    2017: (18000, 6000, None, 54000, 5500, 1000, None),
    2018: (18500, 6000, None, 55000, 5500, 1000, None),
    2019: (19000, 6000, None, 56000, 6000, 1000, None),
    2020: (19500, 6500, None, 57000, 6000, 1000, None),
    2021: (19500, 6500, None, 58000, 6000, 1000, None),
    2022: (20500, 6500, None, 61000, 6000, 1000, None),
    2023: (22500, 7500, None, 66000, 6500, 1000, None),
    2024: (23000, 7500, None, 69000, 7000, 1000, 145000),
    2025: (23500, 7500, 11250, 70000, 7000, 1000, 145000),
    2026: (24500, 8000, 11250, 72000, 7500, 1100, 150000),
}


def _d(v):
    return None if v is None else Decimal(v)


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_every_year_matches_reference(year):
    got = limits.limits_for(year)
    d, c, c6, a, ira, irac, thr = EXPECTED[year]
    assert (
        got.elective_deferral,
        got.catch_up,
        got.catch_up_60_63,
        got.annual_additions,
        got.ira,
        got.ira_catch_up,
        got.roth_catch_up_wage_threshold,
    ) == tuple(map(_d, EXPECTED[year]))
    assert got.sources, "every year cites its sources"
    assert got.roth_catch_up_enforced == (year >= 2026)


def test_table_covers_exactly_2015_2026():
    assert limits.supported_years() == list(range(2015, 2027))


@pytest.mark.parametrize("year", [2014, 2027, 1999])
def test_year_outside_table_names_supported_years(year):
    with pytest.raises(UnsupportedSituation, match="supported tax years are 2015-2026"):
        limits.limits_for(year)


@pytest.mark.parametrize(
    "year, age, expected",
    [
        (2025, 49, 0),
        (2025, 50, 7500),
        (2025, 59, 7500),
        (2025, 60, 11250),
        (2025, 63, 11250),
        (2025, 64, 7500),
        (2024, 61, 7500),
        (2026, 62, 11250),
        (2026, 55, 8000),
        (2015, 70, 6000),
    ],
)
def test_catch_up_for_age(year, age, expected):
    assert limits.limits_for(year).catch_up_for_age(age) == Decimal(expected)


def test_all_sources_are_described():
    srcs = limits.sources()
    for year in limits.supported_years():
        for s in limits.limits_for(year).sources:
            assert srcs[s].strip()


REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "tax-rules.md"


def _money_cell(cell: str):
    token = cell.strip().replace("*", "").split()[0].replace("$", "").replace(",", "")
    return None if token in ("n/a", "") else Decimal(token)


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared/reference not present")
def test_data_file_equals_reference_markdown():
    text = REFERENCE.read_text()
    section_a = text[text.index("## (a)") : text.index("## (b)")]
    rows = [line for line in section_a.splitlines() if line.startswith("| 20")]
    assert len(rows) == 12
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        year = int(cells[0])
        got = limits.limits_for(year)
        assert [_money_cell(c) for c in cells[1:8]] == [
            got.elective_deferral,
            got.catch_up,
            got.catch_up_60_63,
            got.annual_additions,
            got.ira,
            got.ira_catch_up,
            got.roth_catch_up_wage_threshold,
        ], year
