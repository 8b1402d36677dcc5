"""Issue 4 end to end over issue 3's recording commands: a backdoor conversion and a mega-backdoor
rollover become layers, a what-if withdrawal is priced, the same withdrawal is recorded with
``ira distribute --account roth``, and clocks, a later what-if and Form 8606 Part III agree."""

from __future__ import annotations


def build(m):
    m("ira", "contribute", "--person", "ann", "--date", "2021-02-01", "--account", "traditional",
      "--amount", "6000", "--tax-year", "2021", "--nondeductible", "6000")
    m("ira", "convert", "--person", "ann", "--date", "2021-02-10", "--amount", "6000")
    m("ira", "value", "--person", "ann", "--year", "2021", "--amount", "0")
    m("contribution", "add", "--plan", "acme-401k", "--date", "2022-03-01", "--source", "aftertax", "--amount", "20000")
    m("earnings", "add", "--plan", "acme-401k", "--date", "2022-06-01", "--source", "aftertax", "--amount", "500")
    m("convert", "--plan", "acme-401k", "--date", "2022-07-01", "--amount", "20500", "--to", "roth-ira")
    m("ira", "contribute", "--person", "ann", "--date", "2022-04-01", "--account", "roth", "--amount", "6000",
      "--tax-year", "2022")


def test_layers_from_recorded_conversions(ann):
    build(ann)
    out = ann.json("clocks", "--person", "ann", "--as-of", "2023-01-01")
    assert [(c["kind"], c["tax_year"], c["amount"], c["taxable"], c["penalty_free_on"]) for c in out["conversions"]] == [
        ("ira-conversion", 2021, "6000.00", "0.00", "2026-01-01"),   # Form 8606 line 18 = 0
        ("plan-rollover", 2022, "20500.00", "500.00", "2027-01-01"),  # 1099-R box 2a = 500
    ]
    assert out["qualified"][0]["clock_start"] == "2021-01-01"  # first conversion, 2021
    assert out["regular_contributions_remaining"] == "6000.00"


def test_what_if_then_record_agrees_with_clocks_and_form_8606(ann):
    build(ann)
    what_if = ann.json("withdraw", "--person", "ann", "--amount", "26000", "--date", "2023-05-01")
    assert [(t["source"], t["tax_year"], t["amount"], t["additional_tax"]) for t in what_if["tranches"]] == [
        ("regular", 2022, "6000.00", "0.00"),
        ("conversion-nontaxable", 2021, "6000.00", "0.00"),
        ("conversion-taxable", 2022, "500.00", "50.00"),
        ("conversion-nontaxable", 2022, "13500.00", "0.00"),
    ]
    assert what_if["form_5329"]["1"] == "500.00" and what_if["form_5329"]["4"] == "50.00"
    ann("ira", "distribute", "--person", "ann", "--date", "2023-05-01", "--account", "roth", "--amount", "26000")
    clocks = ann.json("clocks", "--person", "ann", "--as-of", "2023-06-01")
    assert [(c["remaining_taxable"], c["remaining_nontaxable"]) for c in clocks["conversions"]] == [
        ("0.00", "0.00"), ("0.00", "6500.00")]
    assert clocks["regular_contributions_remaining"] == "0.00"
    # issue 3's Form 8606 for the recorded distribution = this issue's what-if Part III
    f8606 = ann.json("form", "8606", "--person", "ann", "--year", "2023")["lines"]
    assert {k: f8606[k] for k in what_if["form_8606_part_iii"]} == what_if["form_8606_part_iii"]
    # a later what-if starts where the recorded distribution left off
    later = ann.json("withdraw", "--person", "ann", "--amount", "7000", "--date", "2024-02-01")
    assert [(t["source"], t["tax_year"], t["amount"]) for t in later["tranches"]] == [
        ("conversion-nontaxable", 2022, "6500.00"), ("earnings", None, "500.00")]
    assert later["totals"] == {"income_tax_base": "500.00", "additional_tax_base": "500.00", "additional_tax": "50.00"}


def test_unknown_recorded_exception_is_named(ann):
    build(ann)
    ann("ira", "distribute", "--person", "ann", "--date", "2023-05-01", "--account", "roth", "--amount", "100",
        "--exception", "vacation")
    r = ann("clocks", "--person", "ann", "--as-of", "2023-06-01", ok=False)
    assert r.exit_code == 2 and "recorded Roth IRA distribution of 2023-05-01" in r.output
