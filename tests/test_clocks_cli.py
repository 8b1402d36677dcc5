"""``megaroth clocks`` and ``megaroth withdraw`` through the CLI (CliRunner).

The conversion layers and Roth IRA contributions normally come from issue 3's
``services.forms.roth_history``; here they are hand-made lists patched into the service, so these
tests pin down this issue's behaviour alone. Recorded Roth IRA distributions are real
``IraEvent`` rows (what ``megaroth ira distribute --account roth`` writes)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from megaroth_ledger.cli.clocks import EXCEPTION_NAMES
from megaroth_ledger.money import to_cents
from megaroth_ledger.rules.layers import RothContribution, RothLayer
from megaroth_ledger.rules.ordering import EXCEPTIONS
from megaroth_ledger.services import clocks as svc
from megaroth_ledger.store.db import open_ledger
from megaroth_ledger.store.lookup import get_person, get_plan
from megaroth_ledger.store.models import Entry, IraEvent

date = dt.date


@pytest.fixture
def history(monkeypatch):
    data = {"contributions": [], "layers": []}
    monkeypatch.setattr(
        svc, "_history", lambda session, name: (list(data["contributions"]), list(data["layers"]))
    )
    return data


def add_rows(db_path, *rows_for):
    led = open_ledger(str(db_path))
    try:
        with led.session() as s:
            for make in rows_for:
                s.add(make(s))
    finally:
        led.dispose()


def record_distribution(db_path, day, amount, exception=None, person="ann"):
    add_rows(
        db_path,
        lambda s: IraEvent(
            person_id=get_person(s, person).id,
            date=day,
            tax_year=day.year,
            kind="distribution",
            account="roth",
            amount_cents=to_cents(D(amount)),
            exception=exception,
        ),
    )


def layer(day, amount, taxable, kind="plan-rollover", plan="acme-401k"):
    return RothLayer(kind, plan if kind != "ira-conversion" else None, day, day.year, D(amount), D(taxable))


# --- clocks -------------------------------------------------------------------------------------


def test_clocks_json_contract(ann, history):
    history["layers"] = [layer(date(2021, 3, 10), "10000.00", "500.00")]
    history["contributions"] = [RothContribution("regular", date(2020, 4, 1), 2019, D("6000.00"))]
    out = ann.json("clocks", "--person", "ann", "--as-of", "2027-03-01")
    assert (out["person"], out["as_of"], out["age_59_half_on"]) == ("ann", "2027-03-01", "2044-10-02")
    (c,) = out["conversions"]
    assert c == {
        "kind": "plan-rollover",
        "plan": "acme-401k",
        "date": "2021-03-10",
        "tax_year": 2021,
        "amount": "10000.00",
        "taxable": "500.00",
        "nontaxable": "9500.00",
        "remaining_taxable": "500.00",
        "remaining_nontaxable": "9500.00",
        "clock_start": "2021-01-01",
        "penalty_free_on": "2026-01-01",
        "penalty_free": True,
        "days_left": 0,
        "exposed": "0.00",
    }
    assert out["qualified"] == [
        {
            "account": "roth-ira",
            "clock_start": "2019-01-01",
            "five_years_on": "2024-01-01",
            "qualified_on": "2044-10-02",
            "met": False,
        }
    ]
    assert out["warnings"] == [] and "408A(d)(3)(F)" in out["notes"][0]


@pytest.mark.parametrize("as_of, free, days", [("2025-12-31", False, 1), ("2026-01-01", True, 0)])
def test_clocks_2021_conversion_boundary_through_cli(ann, history, as_of, free, days):
    history["layers"] = [layer(date(2021, 3, 10), "10000.00", "500.00", kind="ira-conversion")]
    (c,) = ann.json("clocks", "--person", "ann", "--as-of", as_of)["conversions"]
    assert (c["penalty_free"], c["days_left"]) == (free, days)
    assert c["exposed"] == ("0.00" if free else "500.00")


def test_clocks_59_half_frees_every_layer(megaroth, history):
    megaroth("person", "add", "cy", "--born", "1965-04-02")  # 59 1/2 on 2024-10-02
    history["layers"] = [
        layer(date(y, 5, 1), "1000.00", "1000.00", kind="ira-conversion") for y in (2020, 2022, 2024)
    ]
    before = megaroth.json("clocks", "--person", "cy", "--as-of", "2024-10-01")
    after = megaroth.json("clocks", "--person", "cy", "--as-of", "2024-10-02")
    assert [c["penalty_free"] for c in before["conversions"]] == [False, False, False]
    assert [c["penalty_free"] for c in after["conversions"]] == [True, True, True]
    assert {c["penalty_free_on"] for c in after["conversions"]} == {"2024-10-02"}
    assert [(r["on"], r["tax_years"], r["why"]) for r in before["schedule"]] == [
        ("2024-10-01", [], "already free"),
        ("2024-10-02", [2020, 2022, 2024], "age 59 1/2"),
    ]


def test_clocks_plan_clock_and_in_plan_layer(megaroth, history):
    megaroth("person", "add", "bo", "--born", "1980-01-15")
    megaroth("plan", "add", "beta-401k", "--person", "bo", "--employer", "Beta", "--first-roth-year", "2016")
    megaroth("plan", "add", "gamma-401k", "--person", "bo", "--employer", "Gamma")
    history["layers"] = [layer(date(2023, 9, 1), "20500.00", "500.00", kind="in-plan", plan="gamma-401k")]
    out = megaroth.json("clocks", "--person", "bo", "--as-of", "2025-01-01")
    assert [(q["account"], q["clock_start"], q["met"]) for q in out["qualified"]] == [
        ("beta-401k", "2016-01-01", False),
        ("gamma-401k", "2023-01-01", False),
    ]
    assert [w["code"] for w in out["warnings"]] == ["ASSUMPTION_IRR_STARTS_DRA_CLOCK"]
    assert out["qualified"][0]["qualified_on"] == "2039-07-15"  # 59 1/2
    table = megaroth("clocks", "--person", "bo", "--as-of", "2025-01-01").stdout
    assert "gamma-401k IRR" in table and "pro rata" in table


def test_recorded_distribution_consumes_layers_in_order(ann, history):
    history["contributions"] = [RothContribution("regular", date(2021, 2, 1), 2021, D("6000.00"))]
    history["layers"] = [
        layer(date(2021, 3, 10), "20500.00", "500.00"),
        layer(date(2022, 3, 10), "30000.00", "1000.00"),
    ]
    record_distribution(
        ann.db, date(2023, 5, 1), "7000.00"
    )  # 6,000 regular + 500 taxable + 500 nontaxable (2021)
    out = ann.json("clocks", "--person", "ann", "--as-of", "2023-06-01")
    assert [(c["remaining_taxable"], c["remaining_nontaxable"]) for c in out["conversions"]] == [
        ("0.00", "19500.00"),
        ("1000.00", "29000.00"),
    ]
    assert out["regular_contributions_remaining"] == "0.00"
    # before the distribution's date nothing is consumed
    early = ann.json("clocks", "--person", "ann", "--as-of", "2023-04-30")
    assert early["conversions"][0]["remaining_taxable"] == "500.00"


def test_clocks_table_shows_year_by_year_schedule(ann, history):
    history["contributions"] = [RothContribution("regular", date(2024, 1, 5), 2024, D("7000.00"))]
    history["layers"] = [layer(date(y, 3, 10), "30000.00", "600.00") for y in (2024, 2025, 2026)]
    out = ann("clocks", "--person", "ann", "--as-of", "2026-06-01").stdout
    assert "When Roth IRA conversion money becomes penalty-free" in out
    for line in ("2029-01-01", "37,000.00", "2030-01-01", "67,000.00", "2031-01-01", "97,000.00"):
        assert line in out
    data = ann.json("clocks", "--person", "ann", "--as-of", "2026-06-01")
    assert [(r["on"], r["tax_years"], r["amount"], r["cumulative"], r["why"]) for r in data["schedule"]] == [
        ("2026-06-01", [], "7000.00", "7000.00", "already free"),
        ("2029-01-01", [2024], "30000.00", "37000.00", "five years over"),
        ("2030-01-01", [2025], "30000.00", "67000.00", "five years over"),
        ("2031-01-01", [2026], "30000.00", "97000.00", "five years over"),
    ]


def test_clocks_csv_is_the_layer_table(ann, history):
    history["layers"] = [layer(date(2021, 3, 10), "10000.00", "500.00")]
    out = ann(
        "clocks", "--person", "ann", "--as-of", "2024-01-01", "--format", "csv", "--section", "layers"
    ).stdout
    header, row = out.splitlines()
    assert header.startswith("kind,plan,date,tax_year,amount,taxable,nontaxable,remaining_taxable")
    assert row.startswith("plan-rollover,acme-401k,2021-03-10,2021,10000.00,500.00,9500.00,500.00")


# --- withdraw: Roth IRA -------------------------------------------------------------------------


def test_withdraw_roth_ira_json(ann, history):
    history["contributions"] = [RothContribution("regular", date(2021, 2, 1), 2021, D("3000.00"))]
    history["layers"] = [
        layer(date(2021, 3, 10), "20500.00", "500.00"),
        layer(date(2023, 3, 10), "5000.00", "5000.00", kind="ira-conversion"),
    ]
    out = ann.json("withdraw", "--person", "ann", "--amount", "8000", "--date", "2024-06-01")
    assert [(t["source"], t["tax_year"], t["amount"], t["additional_tax"]) for t in out["tranches"]] == [
        ("regular", 2021, "3000.00", "0.00"),
        ("conversion-taxable", 2021, "500.00", "50.00"),
        ("conversion-nontaxable", 2021, "4500.00", "0.00"),
    ]
    assert out["totals"] == {
        "income_tax_base": "0.00",
        "additional_tax_base": "500.00",
        "additional_tax": "50.00",
    }
    p3 = out["form_8606_part_iii"]
    assert (p3["19"], p3["22"], p3["23"], p3["24"], p3["25c"]) == (
        "8000.00",
        "3000.00",
        "5000.00",
        "25500.00",
        "0.00",
    )
    assert out["form_5329"] == {"1": "500.00", "2": "0.00", "2_exception": None, "3": "500.00", "4": "50.00"}
    assert (out["qualified"], out["early"]) == (False, True)


def test_withdraw_includes_recorded_same_year_distribution_in_year_forms(ann, history):
    history["layers"] = [layer(date(2021, 3, 10), "20500.00", "500.00")]
    record_distribution(ann.db, date(2024, 2, 1), "400.00")
    out = ann.json("withdraw", "--person", "ann", "--amount", "1000", "--date", "2024-06-01")
    assert [(t["source"], t["amount"]) for t in out["tranches"]] == [
        ("conversion-taxable", "100.00"),
        ("conversion-nontaxable", "900.00"),
    ]
    assert out["recorded_same_year"] == 1
    assert out["form_8606_part_iii"]["19"] == "1400.00"
    assert out["form_5329"]["1"] == "500.00"


def test_withdraw_with_exception_and_earnings(ann, history):
    history["layers"] = [layer(date(2023, 3, 10), "1000.00", "1000.00", kind="ira-conversion")]
    out = ann.json(
        "withdraw", "--person", "ann", "--amount", "1500", "--date", "2024-06-01", "--exception", "disability"
    )
    assert [(t["source"], t["income_tax_base"], t["additional_tax"]) for t in out["tranches"]] == [
        ("conversion-taxable", "0.00", "0.00"),
        ("earnings", "500.00", "0.00"),
    ]
    assert out["form_5329"] == {"1": "1500.00", "2": "1500.00", "2_exception": "03", "3": "0.00", "4": "0.00"}
    assert "EARNINGS_ASSUMED" in [w["code"] for w in out["warnings"]]


def test_withdraw_table_output(ann, history):
    history["layers"] = [layer(date(2023, 3, 10), "1000.00", "1000.00", kind="ira-conversion")]
    out = ann("withdraw", "--person", "ann", "--amount", "200", "--date", "2024-06-01").stdout
    assert (
        "conversion-taxable" in out and "Form 8606 Part III, 2024" in out and "Form 5329 Part I, 2024" in out
    )


def test_withdraw_user_errors_are_one_line(ann, history):
    r = ann(
        "withdraw",
        "--person",
        "ann",
        "--amount",
        "10",
        "--date",
        "2024-06-01",
        "--exception",
        "lottery",
        ok=False,
    )
    assert r.exit_code == 2 and "unknown exception 'lottery'" in r.output and "Traceback" not in r.output
    r = ann(
        "withdraw",
        "--person",
        "ann",
        "--amount",
        "10001",
        "--date",
        "2024-06-01",
        "--exception",
        "first-home",
        ok=False,
    )
    assert r.exit_code == 3 and "10,000" in r.output
    r = ann("withdraw", "--person", "ann", "--amount", "10", "--account", "nope", ok=False)
    assert r.exit_code == 2 and "neither roth-ira nor a plan" in r.output


def test_exception_names_in_help_match_the_rules():
    assert set(EXCEPTION_NAMES) == set(EXCEPTIONS)


# --- withdraw: designated Roth account ----------------------------------------------------------


def entry(plan, day, source, type_, amount):
    return lambda s: Entry(
        plan_id=get_plan(s, plan).id,
        date=day,
        tax_year=day.year,
        source=source,
        type=type_,
        amount_cents=to_cents(D(amount)),
    )


def test_withdraw_from_plan_roth_account_is_pro_rata_with_box_10(ann, history):
    # designated Roth contributions 9,500, an IRR of 20,500 (500 taxable) in 2023, growth 10,000.
    history["layers"] = [layer(date(2023, 6, 1), "20500.00", "500.00", kind="in-plan")]
    add_rows(
        ann.db,
        entry("acme-401k", date(2022, 1, 15), "roth", "contribution", "9500.00"),
        entry("acme-401k", date(2023, 6, 1), "roth_irr", "conversion_in", "20500.00"),
        entry("acme-401k", date(2024, 1, 31), "roth", "earnings", "10000.00"),
    )
    out = ann.json(
        "withdraw", "--person", "ann", "--amount", "4000", "--date", "2024-06-01", "--account", "acme-401k"
    )
    # basis 30,000 of 40,000: 3,000 basis, 1,000 earnings; 3,000 spread 9,500 : 500 : 20,000
    assert [(t["source"], t["amount"]) for t in out["tranches"]] == [
        ("basis", "950.00"),
        ("irr-taxable", "50.00"),
        ("irr-nontaxable", "2000.00"),
        ("earnings", "1000.00"),
    ]
    f = out["form_1099r"]
    assert (f["box1"], f["box2a"], f["box5"], f["box10"], f["box11"], f["recapture"]) == (
        "4000.00",
        "1000.00",
        "3000.00",
        "2050.00",
        2023,
        "50.00",
    )
    assert out["totals"]["additional_tax"] == "105.00"
    assert out["form_5329"]["1"] == "1050.00"
    assert "ASSUMPTION_DRA_IRR_ALLOCATION" in [w["code"] for w in out["warnings"]]


def test_withdraw_from_plan_without_roth_money_is_a_user_error(ann, history):
    r = ann(
        "withdraw",
        "--person",
        "ann",
        "--amount",
        "10",
        "--date",
        "2024-06-01",
        "--account",
        "acme-401k",
        ok=False,
    )
    assert r.exit_code == 2 and "no designated Roth account balance" in r.output


# --- property: recording a withdrawal, then asking for clocks, agrees with the what-if ------------
# (recorded with issue 3's `megaroth ira distribute --account roth`)

money = st.integers(min_value=0, max_value=2_000_000).map(lambda c: D(c) / 100)


@st.composite
def roth_ira(draw):
    n = draw(st.integers(1, 4))
    layers = []
    for _ in range(n):
        y = draw(st.integers(2018, 2024))
        amount = draw(money)
        taxable = D(draw(st.integers(0, int(amount * 100)))) / 100
        layers.append(layer(date(y, draw(st.integers(1, 12)), 15), str(amount), str(taxable)))
    contributions = [
        RothContribution("regular", date(y, 3, 1), y, draw(money))
        for y in draw(st.lists(st.integers(2018, 2024), max_size=3))
    ]
    day = date(draw(st.integers(2019, 2025)), draw(st.integers(1, 12)), 28)
    amount = draw(st.integers(1, 5_000_000).map(lambda c: D(c) / 100))
    return contributions, layers, day, amount


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=roth_ira())
def test_recording_then_clocks_agrees_with_what_if(ann, history, case):
    contributions, layers, day, amount = case
    history["contributions"], history["layers"] = contributions, layers
    what_if = ann.json("withdraw", "--person", "ann", "--amount", str(amount), "--date", day.isoformat())
    assert sum(D(t["amount"]) for t in what_if["tranches"]) == amount
    before = ann.json("clocks", "--person", "ann", "--as-of", day.isoformat())
    ann(
        "ira",
        "distribute",
        "--person",
        "ann",
        "--date",
        day.isoformat(),
        "--account",
        "roth",
        "--amount",
        str(amount),
    )
    try:
        after = ann.json("clocks", "--person", "ann", "--as-of", day.isoformat())
    finally:
        led = open_ledger(str(ann.db))
        with led.session() as s:
            s.query(IraEvent).delete()
        led.dispose()
    # every layer went down by exactly what the what-if said it would take from it
    taken: dict[tuple[int, str], D] = {}
    for t in what_if["tranches"]:
        if t["source"].startswith("conversion-"):
            key = (t["tax_year"], t["source"].removeprefix("conversion-"))
            taken[key] = taken.get(key, D(0)) + D(t["amount"])
    for year in {x.tax_year for x in layers}:
        for part in ("taxable", "nontaxable"):
            drop = sum(
                D(b[f"remaining_{part}"]) - D(a[f"remaining_{part}"])
                for b, a in zip(before["conversions"], after["conversions"], strict=True)
                if b["tax_year"] == year
            )
            assert drop == taken.get((year, part), D(0)), (year, part)
    assert all(
        D(c["remaining_taxable"]) >= 0 and D(c["remaining_nontaxable"]) >= 0 for c in after["conversions"]
    )
    regular_taken = sum(D(t["amount"]) for t in what_if["tranches"] if t["source"] == "regular")
    assert (
        D(before["regular_contributions_remaining"]) - D(after["regular_contributions_remaining"])
        == regular_taken
    )


def test_json_output_is_valid_for_empty_person(ann, history):
    out = json.loads(ann("clocks", "--person", "ann", "--as-of", "2024-01-01", "--format", "json").stdout)
    assert out["conversions"] == [] and out["qualified"] == []


def test_clocks_schedule_reaches_what_a_distribution_on_as_of_could(ann, history):
    # A 7,000 regular contribution for 2025 made on 2026-03-01 (IRC 219(f)(3)) and a backdoor
    # conversion on 2026-03-05 with no taxable part. Treas. Reg. 1.408A-6 A-9: a year's
    # distributions are set against the regular contributions *for* that year and the conversions
    # made in it -- so on 2025-12-31 the 2025 contribution counts (as in `withdraw`) but the 2026
    # conversion does not; on 2026-03-10 both do, penalty-free (the conversion's nontaxable part is
    # never recaptured, 408A(d)(3)(F)(ii)).
    history["contributions"] = [RothContribution("regular", date(2026, 3, 1), 2025, D("7000.00"))]
    history["layers"] = [layer(date(2026, 3, 5), "7000.00", "0.00", kind="ira-conversion")]
    before = ann.json("clocks", "--person", "ann", "--as-of", "2025-12-31")
    assert before["regular_contributions_remaining"] == "7000.00"
    assert [(r["on"], r["tax_years"], r["cumulative"]) for r in before["schedule"]] == [
        ("2025-12-31", [], "7000.00")
    ]
    after = ann.json("clocks", "--person", "ann", "--as-of", "2026-03-10")
    assert [(r["on"], r["tax_years"], r["cumulative"]) for r in after["schedule"]] == [
        ("2026-03-10", [2026], "14000.00")
    ]
    # on 2024-06-01 a contribution for 2025 is out of reach
    assert (
        ann.json("clocks", "--person", "ann", "--as-of", "2024-06-01")["regular_contributions_remaining"]
        == "0.00"
    )


def test_fully_nontaxable_conversion_is_free_now_in_the_table(ann):
    """A backdoor conversion of pure basis is never exposed (IRC 408A(d)(3)(F)(ii)): the table says
    it is free now, not "free from" its five-year date with 0 days left."""
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2025-01-10",
        "--account",
        "traditional",
        "--amount",
        "7000",
        "--tax-year",
        "2025",
        "--nondeductible",
        "7000",
    )
    ann("ira", "convert", "--person", "ann", "--date", "2025-01-20", "--amount", "7000")
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "0")
    layer = ann.json("clocks", "--person", "ann", "--as-of", "2026-06-01")["conversions"][0]
    assert (layer["penalty_free"], layer["days_left"], layer["penalty_free_on"]) == (True, 0, "2030-01-01")
    out = ann("clocks", "--person", "ann", "--as-of", "2026-06-01").stdout
    row = next(line for line in out.splitlines() if "IRA conversion" in line)
    assert "now (nothing taxable left)" in row and "2030-01-01" not in row


@pytest.mark.parametrize("kinds", [(), ("in-plan",)])
def test_clocks_without_a_roth_ira_conversion_say_so_in_one_line(ann, history, tmp_path, kinds):
    """No Roth IRA conversion: no "becomes penalty-free" table with an empty years cell and 0.00."""
    history["layers"] = [layer(date(2025, 3, 10), "8000.00", "45.00", kind=k) for k in kinds]
    out = ann("clocks", "--person", "ann", "--as-of", "2025-12-31").stdout
    assert "becomes penalty-free" not in out and "already free" not in out
    assert "Roth IRA conversions: none, so no money waits for a five-year clock" in out
    assert "regular contributions (always free): 0.00" in out
    data = ann.json("clocks", "--person", "ann", "--as-of", "2025-12-31")  # the data keep the row
    assert [(r["tax_years"], r["cumulative"]) for r in data["schedule"]] == [([], "0.00")]
    # with one the table is there
    history["layers"].append(layer(date(2025, 4, 1), "7000.00", "0.00", kind="ira-conversion"))
    out = ann("clocks", "--person", "ann", "--as-of", "2025-12-31").stdout
    assert "becomes penalty-free" in out and "Roth IRA conversions: none" not in out
    # the workbook's 5-Year Clocks sheet likewise
    import openpyxl

    history["layers"].pop()
    ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-15",
        "--source",
        "pretax",
        "--amount",
        "900",
    )
    ann(
        "export", "--person", "ann", "--year", "2025", "-o", str(tmp_path / "b.xlsx"), "--as-of", "2025-12-31"
    )
    ws = openpyxl.load_workbook(tmp_path / "b.xlsx")["5-Year Clocks"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert any("Roth IRA conversions: none" in t for t in texts)
    assert not any("becomes penalty-free (ordering rules" in t for t in texts)
