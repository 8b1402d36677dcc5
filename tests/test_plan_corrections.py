"""Plan-side corrective distributions (issue 11): ``megaroth correction add``.

Sources (cited in megaroth_ledger/rules/corrections.py): IRC 402(g)(2)(A)(ii) (distributed by April
15 of the next year), 402(g)(2)(C) (the income taxed in the year distributed, no 72(t) tax); the
1099-R instructions' codes P (taxable in the prior year) and 8 (taxable this year) on separate forms
when the excess is distributed the year after the deferral year, B for designated Roth money with 0
in box 2a for the Roth excess; Form 1040 instructions line 1h. The IRS prints no worked numbers for
these forms: the cases below are hand-worked.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from megaroth_ledger.rules import corrections as rules


@pytest.fixture
def two_jobs(ann):
    """Hand-worked: ann (40 at the end of 2025, limit 23,500, no catch-up) defers 15,000 pretax at Acme
    and 15,000 at Beta: 30,000, an excess of 6,500."""
    ann("plan", "add", "beta-401k", "--person", "ann", "--employer", "Beta Inc")
    ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-06-15",
        "--source",
        "pretax",
        "--amount",
        "15000",
    )
    ann(
        "contribution",
        "add",
        "--plan",
        "beta-401k",
        "--date",
        "2025-09-15",
        "--source",
        "pretax",
        "--amount",
        "15000",
    )
    return ann


def _codes(h):
    return [w["code"] for w in h["warnings"]]


def test_excess_deferral_corrected_next_year_p_and_8(two_jobs):
    m = two_jobs
    assert any(
        c.startswith("EXCESS_DEFERRAL")
        for c in _codes(m.json("headroom", "--person", "ann", "--year", "2025"))
    )
    out = m.json(
        "correction",
        "add",
        "--plan",
        "beta-401k",
        "--date",
        "2026-03-20",
        "--kind",
        "excess-deferral",
        "--tax-year",
        "2025",
        "--amount",
        "6500",
        "--earnings",
        "120.50",
    )
    assert (out["source"], out["paid"], out["corrected"]) == ("pretax", "6620.50", "6500.00")
    forms = m.json("form", "1099-r", "--person", "ann", "--year", "2026")
    got = sorted((f["payer"], f["box7"], f["box1"], f["box2a"]) for f in forms["forms"])
    assert got == [("beta-401k", "8", "120.50", "120.50"), ("beta-401k", "P", "6500.00", "6500.00")]
    l25 = m.json("form", "1040", "--person", "ann", "--year", "2025")["lines"]
    l26 = m.json("form", "1040", "--person", "ann", "--year", "2026")["lines"]
    assert (l25["1h"], l26["1h"]) == ("6500.00", "120.50")
    assert l26["5a"] is None and l26["5b"] is None  # not a pension distribution
    codes = _codes(m.json("headroom", "--person", "ann", "--year", "2025"))
    assert "EXCESS_DEFERRAL_CORRECTED" in codes and "EXCESS_DEFERRAL" not in codes


def test_same_year_correction_is_one_code_8_form(two_jobs):
    m = two_jobs
    m(
        "correction",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-12-10",
        "--kind",
        "excess-deferral",
        "--tax-year",
        "2025",
        "--amount",
        "6500",
        "--earnings",
        "80",
    )
    (f,) = m.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"]
    assert (f["box7"], f["box1"], f["box2a"]) == ("8", "6580.00", "6580.00")
    assert m.json("form", "1040", "--person", "ann", "--year", "2025")["lines"]["1h"] == "6580.00"


def test_roth_excess_deferral_only_its_earnings_are_taxed(ann):
    ann("plan", "add", "beta-401k", "--person", "ann", "--employer", "Beta Inc")
    ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-06-15",
        "--source",
        "roth",
        "--amount",
        "15000",
    )
    ann(
        "contribution",
        "add",
        "--plan",
        "beta-401k",
        "--date",
        "2025-09-15",
        "--source",
        "roth",
        "--amount",
        "15000",
    )
    ann(
        "correction",
        "add",
        "--plan",
        "beta-401k",
        "--date",
        "2026-02-01",
        "--kind",
        "excess-deferral",
        "--tax-year",
        "2025",
        "--amount",
        "6500",
        "--earnings",
        "50",
    )
    got = sorted(
        (f["box7"], f["box1"], f["box2a"])
        for f in ann.json("form", "1099-r", "--person", "ann", "--year", "2026")["forms"]
    )
    assert got == [("8B", "50.00", "50.00"), ("PB", "6500.00", "0.00")]
    assert ann.json("form", "1040", "--person", "ann", "--year", "2026")["lines"]["1h"] == "50.00"
    assert ann.json("form", "1040", "--person", "ann", "--year", "2025")["lines"].get("1h") is None


def test_after_april_15_and_415c_are_refused(two_jobs):
    r = two_jobs(
        "correction",
        "add",
        "--plan",
        "beta-401k",
        "--date",
        "2026-04-16",
        "--kind",
        "excess-deferral",
        "--tax-year",
        "2025",
        "--amount",
        "6500",
        ok=False,
    )
    assert r.exit_code == 3 and "taxed twice" in r.output
    r = two_jobs(
        "correction",
        "add",
        "--plan",
        "beta-401k",
        "--date",
        "2026-03-01",
        "--kind",
        "excess-annual-addition",
        "--tax-year",
        "2025",
        "--amount",
        "100",
        ok=False,
    )
    # a 415(c) correction is supported (tests/test_annual_addition_correction.py), but there is no
    # 415(c) excess here to correct
    assert r.exit_code == 2 and "no 2025 415(c) excess" in r.output
    r = two_jobs(
        "correction",
        "add",
        "--plan",
        "beta-401k",
        "--date",
        "2026-03-01",
        "--kind",
        "excess-deferral",
        "--tax-year",
        "2025",
        "--amount",
        "6500.01",
        ok=False,
    )
    assert r.exit_code == 2 and "6,500.00" in r.output


def test_uncorrected_excess_after_april_15_is_reported_loudly(ann):
    ann("plan", "add", "beta-401k", "--person", "ann", "--employer", "Beta Inc")
    ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2024-06-15",
        "--source",
        "pretax",
        "--amount",
        "15000",
    )
    ann(
        "contribution",
        "add",
        "--plan",
        "beta-401k",
        "--date",
        "2024-09-15",
        "--source",
        "pretax",
        "--amount",
        "15000",
    )
    h = ann.json("headroom", "--person", "ann", "--year", "2024")  # as of today, after April 15, 2025
    (w,) = [w for w in h["warnings"] if w["code"].startswith("EXCESS_DEFERRAL")]
    assert w["code"] == "EXCESS_DEFERRAL" and w["message"].startswith("NOT CORRECTED IN TIME")
    assert "taxed AGAIN" in w["message"]


@pytest.mark.parametrize(
    "corrected,as_of,code",
    [
        ("6500", date(2026, 5, 1), "EXCESS_DEFERRAL_CORRECTED"),
        ("1000", date(2026, 4, 15), "EXCESS_DEFERRAL"),  # April 15 itself is still in time
        ("1000", date(2026, 4, 16), "EXCESS_DEFERRAL"),  # with the NOT CORRECTED IN TIME message
        ("0", date(2026, 1, 10), "EXCESS_DEFERRAL"),
    ],
)
def test_settle_rule(corrected, as_of, code):
    got = rules.settle_excess_deferral(D("6500"), D(corrected), 2025, as_of)
    assert got[0] == code
    assert got[1].startswith("NOT CORRECTED IN TIME") == (as_of > date(2026, 4, 15) and corrected != "6500")
    assert rules.settle_excess_deferral(D("0"), D("0"), 2025, as_of) is None


def test_a_dra_distribution_after_a_roth_excess_correction_is_refused(ann):
    """The corrective distribution's rows are not replayed in the designated Roth account, so a
    later distribution from it would carry the returned excess in its basis: refused (exit 3)."""
    import datetime as dt

    from tests.test_forms_cli import _insert_entries

    ann("plan", "add", "beta-401k", "--person", "ann", "--employer", "Beta Inc", "--first-roth-year", "2025")
    for plan, on in (("acme-401k", "2025-06-15"), ("beta-401k", "2025-09-15")):
        ann("contribution", "add", "--plan", plan, "--date", on, "--source", "roth", "--amount", "15000")
    correction = ("correction", "add", "--plan", "beta-401k", "--date", "2026-02-01")
    ann(
        *correction, "--kind", "excess-deferral", "--tax-year", "2025", "--amount", "6500", "--earnings", "50"
    )
    before = ann.json("form", "1099-r", "--person", "ann", "--year", "2026")["forms"]
    assert sorted(f["box7"] for f in before) == ["8B", "PB"]  # no distribution yet: the forms stand
    _insert_entries(ann.db, [(dt.date(2026, 6, 1), "roth", "withdrawal", -100_000)], plan_name="beta-401k")
    r = ann("form", "1099-r", "--person", "ann", "--year", "2026", ok=False)
    assert r.exit_code == 3, r.output
    assert "after a corrective distribution of excess Roth deferrals" in r.output
    assert "Traceback" not in r.output
