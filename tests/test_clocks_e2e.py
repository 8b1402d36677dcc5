"""Issue 4 end to end over issue 3's recording commands: a backdoor conversion and a mega-backdoor
rollover become layers, a what-if withdrawal is priced, the same withdrawal is recorded with
``ira distribute --account roth``, and clocks, a later what-if and Form 8606 Part III agree."""

from __future__ import annotations


def build(m):
    m(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2021-02-01",
        "--account",
        "traditional",
        "--amount",
        "6000",
        "--tax-year",
        "2021",
        "--nondeductible",
        "6000",
    )
    m("ira", "convert", "--person", "ann", "--date", "2021-02-10", "--amount", "6000")
    m("ira", "value", "--person", "ann", "--year", "2021", "--amount", "0")
    m(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2022-03-01",
        "--source",
        "aftertax",
        "--amount",
        "20000",
    )
    m(
        "earnings",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2022-06-01",
        "--source",
        "aftertax",
        "--amount",
        "500",
    )
    m("convert", "--plan", "acme-401k", "--date", "2022-07-01", "--amount", "20500", "--to", "roth-ira")
    m(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2022-04-01",
        "--account",
        "roth",
        "--amount",
        "6000",
        "--tax-year",
        "2022",
    )


def test_layers_from_recorded_conversions(ann):
    build(ann)
    out = ann.json("clocks", "--person", "ann", "--as-of", "2023-01-01")
    assert [
        (c["kind"], c["tax_year"], c["amount"], c["taxable"], c["penalty_free_on"])
        for c in out["conversions"]
    ] == [
        ("ira-conversion", 2021, "6000.00", "0.00", "2026-01-01"),  # Form 8606 line 18 = 0
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
    ann(
        "ira",
        "distribute",
        "--person",
        "ann",
        "--date",
        "2023-05-01",
        "--account",
        "roth",
        "--amount",
        "26000",
    )
    clocks = ann.json("clocks", "--person", "ann", "--as-of", "2023-06-01")
    assert [(c["remaining_taxable"], c["remaining_nontaxable"]) for c in clocks["conversions"]] == [
        ("0.00", "0.00"),
        ("0.00", "6500.00"),
    ]
    assert clocks["regular_contributions_remaining"] == "0.00"
    # issue 3's Form 8606 for the recorded distribution = this issue's what-if Part III
    f8606 = ann.json("form", "8606", "--person", "ann", "--year", "2023")["lines"]
    assert {k: f8606[k] for k in what_if["form_8606_part_iii"]} == what_if["form_8606_part_iii"]
    # a later what-if starts where the recorded distribution left off
    later = ann.json("withdraw", "--person", "ann", "--amount", "7000", "--date", "2024-02-01")
    assert [(t["source"], t["tax_year"], t["amount"]) for t in later["tranches"]] == [
        ("conversion-nontaxable", 2022, "6500.00"),
        ("earnings", None, "500.00"),
    ]
    assert later["totals"] == {
        "income_tax_base": "500.00",
        "additional_tax_base": "500.00",
        "additional_tax": "50.00",
    }


def test_unknown_recorded_exception_is_named(ann):
    build(ann)
    # `ira distribute` refuses an unknown exception when it is recorded (commit 55411f6) ...
    r = ann(
        "ira",
        "distribute",
        "--person",
        "ann",
        "--date",
        "2023-05-01",
        "--account",
        "roth",
        "--amount",
        "100",
        "--exception",
        "vacation",
        ok=False,
    )
    assert r.exit_code == 2 and "unknown exception 'vacation'" in r.output
    # ... and a row that got into the ledger another way is named by `clocks`
    import datetime

    from megaroth_ledger.store.db import open_ledger
    from megaroth_ledger.store.lookup import get_person
    from megaroth_ledger.store.models import IraEvent

    led = open_ledger(str(ann.db))
    try:
        with led.session() as s:
            s.add(
                IraEvent(
                    person_id=get_person(s, "ann").id,
                    date=datetime.date(2023, 5, 1),
                    tax_year=2023,
                    kind="distribution",
                    account="roth",
                    amount_cents=10000,
                    exception="vacation",
                )
            )
    finally:
        led.dispose()
    r = ann("clocks", "--person", "ann", "--as-of", "2023-06-01", ok=False)
    assert r.exit_code == 2 and "recorded Roth IRA distribution of 2023-05-01" in r.output


def test_plan_roth_account_what_if_over_recorded_irr(megaroth):
    m = megaroth
    m("person", "add", "ann", "--born", "1985-04-02")
    m(
        "plan",
        "add",
        "acme-401k",
        "--person",
        "ann",
        "--employer",
        "Acme",
        "--after-tax",
        "--in-plan-conversion",
        "--first-roth-year",
        "2022",
    )
    m(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2022-03-01",
        "--source",
        "roth",
        "--amount",
        "9500",
    )
    m(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2023-01-10",
        "--source",
        "aftertax",
        "--amount",
        "20000",
    )
    m(
        "earnings",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2023-02-01",
        "--source",
        "aftertax",
        "--amount",
        "500",
    )
    m("convert", "--plan", "acme-401k", "--date", "2023-03-01", "--amount", "20500", "--to", "in-plan")
    m(
        "earnings",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2024-01-31",
        "--source",
        "roth",
        "--amount",
        "10000",
    )
    clocks = m.json("clocks", "--person", "ann", "--as-of", "2024-06-01")
    assert [
        (c["kind"], c["plan"], c["amount"], c["taxable"], c["penalty_free_on"]) for c in clocks["conversions"]
    ] == [("in-plan", "acme-401k", "20500.00", "500.00", "2028-01-01")]
    assert [(q["account"], q["clock_start"]) for q in clocks["qualified"]] == [("acme-401k", "2022-01-01")]
    out = m.json(
        "withdraw", "--person", "ann", "--amount", "4000", "--date", "2024-06-01", "--account", "acme-401k"
    )
    # balance 40,000 = 9,500 Roth + 20,500 IRR + 10,000 growth; basis 30,000 -> 3/4 of 4,000 is basis
    f = out["form_1099r"]
    assert (f["box1"], f["box2a"], f["box5"], f["box10"], f["box11"]) == (
        "4000.00",
        "1000.00",
        "3000.00",
        "2050.00",
        2022,
    )
    assert out["totals"]["additional_tax"] == "105.00"  # 10% of 1,000 earnings + 50 IRR recapture


def test_conversion_before_its_year_end_value_is_known(megaroth):
    # A backdoor conversion on 2026-01-12; the Dec 31, 2026 traditional IRA value (Form 8606 line 6)
    # cannot be known in June 2026. Form 8606 rightly refuses without it, but clocks and withdraw
    # still answer, with the layer's taxable part figured on line 6 = 0 (7,500 basis / 7,500 ->
    # line 10 = 1.000, taxable 0) and a PROVISIONAL warning naming the year.
    m = megaroth
    m("person", "add", "gus", "--born", "1982-09-30")
    m(
        "ira",
        "contribute",
        "--person",
        "gus",
        "--date",
        "2026-01-10",
        "--account",
        "traditional",
        "--amount",
        "7500",
        "--nondeductible",
        "7500",
    )
    m("ira", "convert", "--person", "gus", "--date", "2026-01-12", "--amount", "7500")
    assert m("form", "8606", "--person", "gus", "--year", "2026", ok=False).exit_code == 2
    out = m.json("clocks", "--person", "gus", "--as-of", "2026-06-01")
    (c,) = out["conversions"]
    assert (c["amount"], c["taxable"]) == ("7500.00", "0.00")
    assert [w["code"] for w in out["warnings"]] == ["PROVISIONAL_LINE_6"] and "2026" in out["warnings"][0][
        "message"
    ]
    w = m.json("withdraw", "--person", "gus", "--amount", "1000", "--date", "2026-06-01")
    assert w["totals"]["additional_tax"] == "0.00"
    m("ira", "value", "--person", "gus", "--year", "2026", "--amount", "0")
    assert m.json("clocks", "--person", "gus", "--as-of", "2026-06-01")["warnings"] == []
