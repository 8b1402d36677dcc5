"""415(c) excess annual additions corrected under EPCRS (issue 11): ``megaroth correction add --kind
excess-annual-addition`` -- after-tax contributions returned with their earnings.

Sources (cited in megaroth_ledger/rules/corrections.py): Instructions for Forms 1099-R and 5498,
"Distributions Under Employee Plans Compliance Resolution System (EPCRS)" -- "For a return of employee
contributions ... plus earnings, enter the gross distribution in box 1, the earnings attributable to
the employee contributions ... being returned in box 2a, and the employee contributions ... being
returned in box 5. Enter Code E in box 7"; "not eligible rollover distributions ... not subject to the
10% early distribution tax under section 72(t)"; "if you made other distributions during the year,
report them on a separate Form 1099-R"; Rev. Proc. 2021-30 sections 6.02(1) and 6.06. The IRS prints
no worked numbers for this form: the case below is hand-worked.

Hand-worked case (ann, 40 at the end of 2025; Acme's 2025 415(c) limit 70,000, no compensation cap
recorded): 2025 pretax deferrals 23,500, match 10,000, after-tax 40,000 -> annual additions 73,500,
an excess of 3,500. After-tax earnings 1,000 in 2025 (sub-account: balance 41,000, basis 40,000). On
2026-02-17 the plan returns 3,500 of after-tax contributions + 150 of earnings: code-E 1099-R box 1 =
3,650, box 2a = 150, box 5 = 3,500. The sub-account keeps balance 37,350, basis 36,500 (earnings 850)
-- a pro-rata split of a plain 3,650 withdrawal would have taken 3,650 x 40,000 / 41,000 = 3,560.98 of
basis instead. An IRR of the whole 37,350 on 2026-03-02: code G, box 1 = 37,350, box 5 = 36,500,
box 2a = 850. 2025 annual additions after the correction: 70,000 -> ANNUAL_ADDITIONS_CORRECTED.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest

from megaroth_ledger.rules import corrections as rules


def _add(m, source, amount, on="2025-06-15", plan="acme-401k"):
    m("contribution", "add", "--plan", plan, "--date", on, "--source", source, "--amount", amount)


@pytest.fixture
def acme(ann):
    _add(ann, "pretax", "23500")
    _add(ann, "match", "10000")
    _add(ann, "aftertax", "40000")
    ann(
        "earnings",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-11-30",
        "--source",
        "aftertax",
        "--amount",
        "1000",
    )
    return ann


def _correct(m, amount="3500", earnings="150", on="2026-02-17", year="2025", ok=True, *extra):
    return m(
        "correction",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        on,
        "--kind",
        "excess-annual-addition",
        "--tax-year",
        year,
        "--amount",
        amount,
        "--earnings",
        earnings,
        *extra,
        ok=ok,
    )


def _limits_check(m):
    r = m("check", "--person", "ann", "--year", "2025", "--format", "json", ok=False)
    (c,) = [c for c in json.loads(r.stdout)["checks"] if c["name"] == "limits"]
    return c["status"]


def _codes(doc):
    return [w["code"] for w in doc["warnings"]]


def test_code_e_form_basis_and_headroom(acme):
    m = acme
    h = m.json("headroom", "--person", "ann", "--year", "2025")
    assert "ANNUAL_ADDITIONS_EXCEEDED" in _codes(h)
    out = m.json(
        "correction",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2026-02-17",
        "--kind",
        "excess-annual-addition",
        "--tax-year",
        "2025",
        "--amount",
        "3500",
        "--earnings",
        "150",
    )
    assert (out["source"], out["paid"], out["annual_additions_excess"], out["corrected"]) == (
        "aftertax",
        "3650.00",
        "3500.00",
        "3500.00",
    )
    h = m.json("headroom", "--person", "ann", "--year", "2025")
    (e,) = h["employers"]
    assert (e["annual_additions"], e["after_tax_returned"], e["after_tax_room"]) == (
        "70000.00",
        "3500.00",
        "0.00",
    )
    assert "ANNUAL_ADDITIONS_CORRECTED" in _codes(h) and "ANNUAL_ADDITIONS_EXCEEDED" not in _codes(h)
    m("convert", "--plan", "acme-401k", "--date", "2026-03-02", "--amount", "37350", "--to", "in-plan")
    doc = m.json("form", "1099-r", "--person", "ann", "--year", "2026")
    got = sorted((f["box7"], f["box1"], f["box2a"], f["box5"]) for f in doc["forms"])
    assert got == [("E", "3650.00", "150.00", "3500.00"), ("G", "37350.00", "850.00", "36500.00")]
    assert "annual-addition-correction-1099r" in _codes(doc)
    # no 10% on a code-E distribution (1099-R instructions); nothing else early in 2026
    assert m.json("form", "5329", "--person", "ann", "--year", "2026")["lines"]["1"] == "0.00"
    # Form 1040 is refused for 2026, with the reason; 2025's is unaffected
    r = m("form", "1040", "--person", "ann", "--year", "2026", ok=False)
    assert r.exit_code == 3 and "line 1h" in r.output and "5a/5b" in r.output
    assert m.json("form", "1040", "--person", "ann", "--year", "2025")["lines"]["5a"] is None


def test_report_year_and_export_keep_the_other_forms(acme, tmp_path):
    _correct(acme)
    s = acme.json("report", "year", "--person", "ann", "--year", "2026")
    assert s["form_1040"] is None and any("line 1h" in n for n in s["not_available"])
    out = tmp_path / "ann.xlsx"
    acme("export", "--person", "ann", "--year", "2026", "-o", str(out))
    assert out.exists()


def test_derive_code_e_and_the_pro_rata_it_replaces():
    """The rule: one code-E form (box 5 = the contributions, 2b unchecked), the returned contributions
    out of that year's annual additions, Form 1040 refused for the year of the distribution, no code 8 /
    P notes. Contrast: the obvious workaround -- a plain after-tax withdrawal of 3,650 -- would split
    pro rata (IRC 72(e)(8)): 3,650 x 40,000 / 41,000 = 3,560.98 of basis, 89.02 taxable."""
    c = rules.PlanCorrection(
        "acme-401k", date(2026, 2, 17), 2025, "excess-annual-addition", "aftertax", D("3500"), D("150")
    )
    res = rules.derive([c])
    (f,) = res.forms[2026]
    assert (f.box7, f.box1, f.box2a, f.box5, f.box2b_taxable_not_determined) == (
        "E",
        D("3650"),
        D("150"),
        D("3500"),
        False,
    )
    assert res.annual_additions_returned == {("acme-401k", 2025): D("3500")}
    assert "line 1h" in res.f1040_refusals[2026]
    assert not res.deferral_years and not res.line1h
    from megaroth_ledger.rules.basis import SubAccountState, split_distribution

    state = SubAccountState(D("41000"), D("40000"))
    pro_rata, _ = split_distribution(state, D("3650"), on=date(2026, 2, 17))
    returned, after = split_distribution(state, D("3650"), on=date(2026, 2, 17), basis_override=D("3500"))
    assert (pro_rata.basis, pro_rata.earnings) == (D("3560.98"), D("89.02"))
    assert (returned.basis, after.balance, after.basis) == (D("3500"), D("37350"), D("36500"))


@pytest.mark.parametrize(
    "amount,earnings,on,code,text",
    [
        ("3500.01", "0", "2026-02-17", 2, "excess at Acme Corp is 3,500.00"),
        ("100", "-5", "2026-02-17", 3, "loss"),
        ("100", "0", "2024-12-31", 2, "cannot be made"),
    ],
)
def test_refusals(acme, amount, earnings, on, code, text):
    r = _correct(acme, amount, earnings, on, ok=False)
    assert r.exit_code == code and text in r.output
    assert acme.json("correction", "list", "--person", "ann")["corrections"] == []


def test_returning_deferrals_for_415c_is_refused(acme):
    r = _correct(acme, "100", "0", "2026-02-17", "2025", False, "--source", "pretax")
    assert r.exit_code == 3 and "elective deferrals" in r.output


def test_no_excess_no_correction(ann):
    _add(ann, "aftertax", "10000")
    r = _correct(ann, "100", "0", ok=False)
    assert r.exit_code == 2 and "no 2025 415(c) excess" in r.output


def test_two_returns_and_the_remaining_excess(acme):
    """Hand-worked: 2,000 returned on 2026-01-20 (1,500 of the excess left, still ANNUAL_ADDITIONS_EXCEEDED
    by 1,500), then 1,500 on 2026-02-17: one code-E form for the year with both (box 1 3,500 + 100 + 50
    earnings = 3,650, box 2a 150, box 5 3,500); a third return is refused (no excess left)."""
    _correct(acme, "2000", "100", "2026-01-20")
    h = acme.json("headroom", "--person", "ann", "--year", "2025")
    assert "ANNUAL_ADDITIONS_EXCEEDED" in _codes(h)
    assert any("1,500.00" in w["message"] and "already returned" in w["message"] for w in h["warnings"])
    assert _limits_check(acme) == "fail"  # megaroth check: the excess is not yet corrected in full
    _correct(acme, "1500", "50", "2026-02-17")
    assert _limits_check(acme) == "ok"
    (f,) = [
        f
        for f in acme.json("form", "1099-r", "--person", "ann", "--year", "2026")["forms"]
        if f["box7"] == "E"
    ]
    assert (f["box1"], f["box2a"], f["box5"]) == ("3650.00", "150.00", "3500.00")
    r = _correct(acme, "1", "0", "2026-03-01", ok=False)
    assert r.exit_code == 2 and "no 2025 415(c) excess" in r.output


def test_nothing_left_in_the_after_tax_sub_account(acme):
    """All of it converted in-plan on 2025-12-15 (41,000): the sub-account cannot pay the return, so
    it is refused and nothing is recorded (which money the plan would take it from is not derived)."""
    acme("convert", "--plan", "acme-401k", "--date", "2025-12-15", "--amount", "41000", "--to", "in-plan")
    r = _correct(acme, ok=False)
    assert r.exit_code == 2 and "after-tax sub-account" in r.output
    assert acme.json("correction", "list", "--person", "ann")["corrections"] == []
    assert (
        acme.json("headroom", "--person", "ann", "--year", "2025")["employers"][0]["after_tax_returned"]
        == "0.00"
    )


def test_a_plain_withdrawal_during_an_excess_is_named(acme, tmp_path):
    """The obvious workaround -- the code-E payment imported as an ordinary after-tax withdrawal -- is
    split pro rata (code 1) and leaves the excess counting; every form of that year names it."""
    csv = tmp_path / "w.csv"
    csv.write_text(
        "date,plan,source,type,amount,payroll_date,fund,fund_id,shares,price,irr_year,transfer_group,memo\n"
        "2026-02-17,acme-401k,aftertax,withdrawal,-3650.00,,,,,,,,\n"
    )
    acme("import", str(csv), "--plan", "acme-401k")
    for form in ("1040", "8606", "1099-r"):
        doc = acme.json("form", form, "--person", "ann", "--year", "2026")
        (w,) = [w for w in doc["warnings"] if w["code"] == "withdrawal-maybe-415-correction"]
        assert "correction add --kind excess-annual-addition" in w["message"], form
    (f,) = acme.json("form", "1099-r", "--person", "ann", "--year", "2026")["forms"]
    assert (f["box7"], f["box5"]) == ("1", "3560.98")  # 3,650 x 40,000 / 41,000, pro rata


def test_edit_and_rm(acme):
    """`correction edit` / `rm` (same checks as add): the code-E form, the headroom and the basis follow.
    Hand-worked: 3,500 + 150 recorded; earnings edited to 200 -> box 1 3,700, box 2a 200; amount edited
    to 3,000 -> 500 of the excess left (ANNUAL_ADDITIONS_EXCEEDED again); an edit to 3,600 is refused
    (the excess is 3,500); removed -> no code-E form, the whole 3,500 excess back."""
    _correct(acme)
    (row,) = acme.json("correction", "list", "--person", "ann")["corrections"]
    acme("correction", "edit", str(row["id"]), "--earnings", "200")
    (f,) = acme.json("form", "1099-r", "--person", "ann", "--year", "2026")["forms"]
    assert (f["box7"], f["box1"], f["box2a"], f["box5"]) == ("E", "3700.00", "200.00", "3500.00")
    acme("correction", "edit", str(row["id"]), "--amount", "3000")
    h = acme.json("headroom", "--person", "ann", "--year", "2025")
    assert h["employers"][0]["annual_additions"] == "70500.00" and "ANNUAL_ADDITIONS_EXCEEDED" in _codes(h)
    r = acme("correction", "edit", str(row["id"]), "--amount", "3600", ok=False)
    assert r.exit_code == 2 and "excess at Acme Corp is 3,500.00" in r.output
    acme("correction", "rm", str(row["id"]))
    assert acme.json("form", "1099-r", "--person", "ann", "--year", "2026")["forms"] == []
    h = acme.json("headroom", "--person", "ann", "--year", "2025")
    assert (
        h["employers"][0]["annual_additions"] == "73500.00"
        and h["employers"][0]["after_tax_returned"] == "0.00"
    )
