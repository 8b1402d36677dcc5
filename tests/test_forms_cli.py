"""Issue 3 commands through click's CliRunner against a temp SQLite ledger.

The must-show figures come from the issue (seed example, backdoor) and are the same numbers
the IRS examples in tests/test_forms_rules.py check at the rule level.
"""

from __future__ import annotations

import json

import pytest


def seed(m, to="in-plan", *extra):
    m(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-15",
        "--source",
        "aftertax",
        "--amount",
        "20000",
    )
    m(
        "balance",
        "assert",
        "--plan",
        "acme-401k",
        "--date",
        "2025-03-01",
        "--source",
        "aftertax",
        "--amount",
        "20500",
    )
    return m(
        "convert", "--plan", "acme-401k", "--date", "2025-03-03", "--amount", "20500", "--to", to, *extra
    )


def test_seed_in_plan_conversion_1099r_and_1040(ann):
    seed(ann)
    doc = ann.json("form", "1099-r", "--person", "ann", "--year", "2025")
    assert doc["person"] == "ann" and doc["tax_year"] == 2025
    assert doc["forms"] == [
        {
            "payer": "acme-401k",
            "destination": "in-plan",
            "box1": "20500.00",
            "box2a": "500.00",
            "box2b_taxable_not_determined": False,
            "box2b_total_distribution": False,
            "box4": "0.00",
            "box5": "20000.00",
            "box7": "G",
            "box10": None,
            "box11": None,
        }
    ]
    f1040 = ann.json("form", "1040", "--person", "ann", "--year", "2025")
    assert f1040["lines"] == {"4a": None, "4b": None, "5a": "20500.00", "5b": "500.00"}
    assert any(w["code"] == "irr-1040-unconfirmed" for w in f1040["warnings"])
    f8606 = ann.json("form", "8606", "--person", "ann", "--year", "2025")
    assert all(v is None for v in f8606["lines"].values())  # an IRR is not on Form 8606


def test_balance_assertion_records_earnings_with_provenance_and_strict(ann):
    ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-15",
        "--source",
        "aftertax",
        "--amount",
        "20000",
    )
    doc = ann.json(
        "balance",
        "assert",
        "--plan",
        "acme-401k",
        "--date",
        "2025-03-01",
        "--source",
        "aftertax",
        "--amount",
        "20500",
    )
    assert (doc["ledger"], doc["difference"]) == ("20000.00", "500.00")
    r = ann(
        "balance",
        "assert",
        "--plan",
        "acme-401k",
        "--date",
        "2025-03-02",
        "--source",
        "aftertax",
        "--amount",
        "20400",
        "--strict",
        ok=False,
    )
    assert r.exit_code != 0 and "difference -100.00" in r.output and "Traceback" not in r.output
    # the same assertion again matches: nothing more is recorded
    doc = ann.json(
        "balance",
        "assert",
        "--plan",
        "acme-401k",
        "--date",
        "2025-03-02",
        "--source",
        "aftertax",
        "--amount",
        "20500",
        "--strict",
    )
    assert doc["difference"] == "0.00"


def test_split_to_roth_ira_and_traditional_ira(ann):
    r = seed(ann, "roth-ira", "--earnings-to", "traditional-ira")
    assert r.exit_code == 0
    doc = ann.json("form", "1099-r", "--person", "ann", "--year", "2025")
    got = {f["destination"]: (f["box1"], f["box2a"], f["box5"], f["box7"]) for f in doc["forms"]}
    assert got == {
        "traditional-ira": ("500.00", "0.00", "0.00", "G"),
        "roth-ira": ("20000.00", "0.00", "20000.00", "G"),
    }
    f1040 = ann.json("form", "1040", "--person", "ann", "--year", "2025")
    assert (f1040["lines"]["5a"], f1040["lines"]["5b"]) == ("20500.00", "0.00")
    # Line 24 tracking: a later nonqualified Roth IRA distribution sees 20,000 of rollover basis
    ann(
        "ira",
        "distribute",
        "--person",
        "ann",
        "--date",
        "2026-06-01",
        "--account",
        "roth",
        "--amount",
        "25000",
    )
    f8606 = ann.json("form", "8606", "--person", "ann", "--year", "2026")
    assert (
        f8606["lines"]["19"],
        f8606["lines"]["22"],
        f8606["lines"]["23"],
        f8606["lines"]["24"],
        f8606["lines"]["25c"],
    ) == ("25000.00", "0.00", "25000.00", "20000.00", "5000.00")


def test_backdoor_8606_and_1040(ann):
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2025-02-01",
        "--account",
        "traditional",
        "--amount",
        "7000",
        "--tax-year",
        "2025",
        "--nondeductible",
        "7000",
    )
    ann("ira", "convert", "--person", "ann", "--date", "2025-02-05", "--amount", "7000")
    r = ann("form", "8606", "--person", "ann", "--year", "2025", ok=False)
    assert r.exit_code != 0 and "ira value" in r.output  # line 6 is never guessed
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "0")
    lines = ann.json("form", "8606", "--person", "ann", "--year", "2025")["lines"]
    assert (lines["1"], lines["2"], lines["3"], lines["10"], lines["16"], lines["17"], lines["18"]) == (
        "7000.00",
        "0.00",
        "7000.00",
        "1.000",
        "7000.00",
        "7000.00",
        "0.00",
    )
    assert lines["25c"] is None and lines["19"] is None
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "63000")
    lines = ann.json("form", "8606", "--person", "ann", "--year", "2025")["lines"]
    assert (lines["10"], lines["18"], lines["14"]) == ("0.100", "6300.00", "6300.00")
    f1040 = ann.json("form", "1040", "--person", "ann", "--year", "2025")["lines"]
    assert (f1040["4a"], f1040["4b"]) == ("7000.00", "6300.00")
    forms = ann.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"]
    assert [
        (f["payer"], f["box1"], f["box2a"], f["box2b_taxable_not_determined"], f["box7"]) for f in forms
    ] == [("traditional-ira", "7000.00", "7000.00", True, "2")]  # ann is under 59 1/2
    # line 14 carries to next year's line 2
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2026-02-01",
        "--account",
        "traditional",
        "--amount",
        "7500",
        "--nondeductible",
        "7500",
    )
    lines = ann.json("form", "8606", "--person", "ann", "--year", "2026")["lines"]
    assert (lines["1"], lines["2"], lines["3"], lines["14"]) == ("7500.00", "6300.00", "13800.00", "13800.00")


def test_round_and_explain(ann):
    ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-15",
        "--source",
        "aftertax",
        "--amount",
        "1000",
    )
    ann(
        "earnings",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-02-01",
        "--source",
        "aftertax",
        "--amount",
        "0.75",
    )
    ann("convert", "--plan", "acme-401k", "--date", "2025-02-02", "--amount", "1000.75", "--to", "in-plan")
    doc = ann.json("form", "1099-r", "--person", "ann", "--year", "2025", "--round")
    assert (doc["forms"][0]["box1"], doc["forms"][0]["box2a"]) == ("1001.00", "1.00")
    doc = ann.json("form", "1099-r", "--person", "ann", "--year", "2025", "--explain")
    boxes = doc["explain"][0]["boxes"]
    assert "72(e)(8)" in " ".join(boxes["box5"]) and "conversion to in-plan #1" in " ".join(boxes["box1"])
    out = ann("form", "1040", "--person", "ann", "--year", "2025", "--explain").output
    assert "box 2a" in out or "2a" in out
    doc = ann.json("form", "1040", "--person", "ann", "--year", "2025", "--explain", "--round")
    assert doc["lines"]["5b"] == "1.00" and "5b" in doc["explain"]


def test_convert_errors(ann, megaroth):
    ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-03-15",
        "--source",
        "aftertax",
        "--amount",
        "1000",
    )
    r = ann(
        "convert",
        "--plan",
        "acme-401k",
        "--date",
        "2025-03-20",
        "--amount",
        "1000.01",
        "--to",
        "in-plan",
        ok=False,
    )
    assert r.exit_code != 0 and "above the after-tax sub-account balance" in r.output
    r = ann(
        "convert",
        "--plan",
        "acme-401k",
        "--date",
        "2025-03-01",
        "--amount",
        "500",
        "--to",
        "in-plan",
        ok=False,
    )
    assert r.exit_code != 0 and "before the money arrived" in r.output
    ann("plan", "add", "strict-401k", "--person", "ann", "--employer", "Other", "--after-tax")
    ann(
        "contribution",
        "add",
        "--plan",
        "strict-401k",
        "--date",
        "2025-03-15",
        "--source",
        "aftertax",
        "--amount",
        "1000",
    )
    for to in ("in-plan", "roth-ira"):
        r = ann(
            "convert",
            "--plan",
            "strict-401k",
            "--date",
            "2025-03-20",
            "--amount",
            "100",
            "--to",
            to,
            ok=False,
        )
        assert r.exit_code != 0 and "does not allow" in r.output and "Traceback" not in r.output
    r = ann(
        "convert",
        "--plan",
        "acme-401k",
        "--date",
        "2025-03-20",
        "--amount",
        "100",
        "--to",
        "in-plan",
        "--earnings-to",
        "traditional-ira",
        ok=False,
    )
    assert r.exit_code != 0


def test_basis_override_shows_in_reconciliation(ann):
    seed(ann, "in-plan", "--basis", "19990")
    doc = ann.json("form", "1099-r", "--person", "ann", "--year", "2025")
    assert (doc["forms"][0]["box2a"], doc["forms"][0]["box5"]) == ("510.00", "19990.00")
    r = ann(
        "reconcile",
        "1099-r",
        "--plan",
        "acme-401k",
        "--year",
        "2025",
        "--box1",
        "20500",
        "--box2a",
        "510",
        "--box5",
        "19990",
        "--code",
        "G",
        "--format",
        "json",
    )
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and doc["match"] is True
    assert any("19,990.00" in n and "20,000.00" in n for n in doc["notes"])


def test_reconcile_diff_exits_nonzero(ann):
    seed(ann)
    r = ann(
        "reconcile",
        "1099-r",
        "--plan",
        "acme-401k",
        "--year",
        "2025",
        "--box1",
        "20500",
        "--box2a",
        "500",
        "--box5",
        "20000",
        "--code",
        "G",
    )
    assert r.exit_code == 0 and "matches" in r.output
    r = ann(
        "reconcile",
        "1099-r",
        "--plan",
        "acme-401k",
        "--year",
        "2025",
        "--box1",
        "20500",
        "--box2a",
        "20500",
        "--code",
        "G",
        "--format",
        "json",
        ok=False,
    )
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["diff"] == [
        {"box": "box2a", "received": "20500.00", "derived": "500.00", "difference": "20000.00"}
    ]
    # issue 9: a second run replaces the earlier record for the plan and year (logged as an edit)
    assert ann.sql("select count(*) from received_1099r") == [(1,)]
    assert ann.sql("select box2a_cents from received_1099r") == [(2050000,)]
    last = ann.json("log")[0]
    assert (last["action"], last["record"], last["before"]["box2a"], last["after"]["box2a"]) == (
        "edit",
        "1099-r",
        "500.00",
        "20500.00",
    )


def test_reconcile_combined_split_prints_per_destination_entries(ann):
    seed(ann, "roth-ira", "--earnings-to", "traditional-ira")
    r = ann(
        "reconcile",
        "1099-r",
        "--plan",
        "acme-401k",
        "--year",
        "2025",
        "--box1",
        "20500",
        "--box2a",
        "0",
        "--box5",
        "20000",
        "--code",
        "G",
        "--format",
        "json",
    )
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and doc["match"]
    entries = {e["destination"]: (e["box1"], e["box2a"], e["box5"]) for e in doc["entries"]}
    assert entries == {
        "traditional-ira": ("500.00", "0.00", "0.00"),
        "roth-ira": ("20000.00", "0.00", "20000.00"),
    }
    out = ann(
        "reconcile",
        "1099-r",
        "--plan",
        "acme-401k",
        "--year",
        "2025",
        "--box1",
        "20500",
        "--box2a",
        "0",
        "--box5",
        "20000",
        "--code",
        "G",
    ).output
    assert "per-destination" in out


def test_basis_set_carryforward(ann):
    ann(
        "basis",
        "set",
        "--person",
        "ann",
        "--year",
        "2022",
        "--traditional",
        "2000",
        "--roth-contributions",
        "5000",
        "--conversion",
        "2016:80000:60000",
    )
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2023-03-01",
        "--account",
        "traditional",
        "--amount",
        "6500",
        "--nondeductible",
        "6500",
    )
    lines = ann.json("form", "8606", "--person", "ann", "--year", "2023")["lines"]
    assert (lines["1"], lines["2"], lines["3"], lines["14"]) == ("6500.00", "2000.00", "8500.00", "8500.00")
    r = ann("basis", "set", "--person", "ann", "--year", "2022", "--conversion", "2016:80000", ok=False)
    assert r.exit_code != 0 and "YEAR:GROSS:TAXABLE" in r.output
    r = ann("form", "8606", "--person", "ann", "--year", "2021", ok=False)
    assert r.exit_code != 0 and "basis set" in r.output


def test_roth_history_interface(ann):
    from megaroth_ledger.services.forms import roth_history
    from megaroth_ledger.store.db import open_ledger

    seed(ann)
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2025-04-01",
        "--account",
        "roth",
        "--amount",
        "7000",
    )
    ledger = open_ledger(str(ann.db))
    try:
        with ledger.session() as s:
            contributions, layers = roth_history(s, "ann")
    finally:
        ledger.dispose()
    assert [(c.kind, str(c.amount), c.tax_year) for c in contributions] == [("regular", "7000.00", 2025)]
    assert [(ly.kind, ly.plan, str(ly.amount), str(ly.taxable)) for ly in layers] == [
        ("in-plan", "acme-401k", "20500.00", "500.00")
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["earnings", "add"],
        ["balance", "assert"],
        ["convert"],
        ["ira", "contribute"],
        ["ira", "convert"],
        ["ira", "distribute"],
        ["ira", "value"],
        ["basis", "set"],
        ["form", "1099-r"],
        ["form", "8606"],
        ["form", "1040"],
        ["reconcile", "1099-r"],
    ],
)
def test_help_has_example(megaroth, args):
    out = megaroth(*args, "--help").output
    assert "Example: megaroth " + " ".join(args) in out


def test_table_and_csv_output(ann):
    seed(ann)
    out = ann("form", "1099-r", "--person", "ann", "--year", "2025").output
    assert "20,500.00" in out
    csv = ann("form", "1099-r", "--person", "ann", "--year", "2025", "--format", "csv").output
    assert csv.splitlines()[0].startswith("payer,destination,box1") and "20500.00" in csv


def _insert_entries(db, rows, plan_name="acme-401k"):
    import datetime as dt

    from megaroth_ledger.store.db import open_ledger
    from megaroth_ledger.store.models import Entry, ImportBatch, Plan

    ledger = open_ledger(str(db))
    try:
        with ledger.session() as s:
            plan = s.query(Plan).filter_by(name=plan_name).one()
            batch = ImportBatch(
                file_name="history.csv",
                file_sha256="0" * 64,
                profile="test",
                plan_id=plan.id,
                created_at=dt.datetime(2025, 12, 1),
                rows_read=len(rows),
            )
            s.add(batch)
            s.flush()
            for i, (on, source, typ, cents) in enumerate(rows, start=2):
                s.add(
                    Entry(
                        plan_id=plan.id,
                        date=on,
                        tax_year=on.year,
                        source=source,
                        type=typ,
                        amount_cents=cents,
                        import_id=batch.id,
                        file_row=i,
                    )
                )
    finally:
        ledger.dispose()


def test_imported_pretax_irr_and_unlinked_aftertax_conversion(ann):
    """Imported rows without a `convert` record: an after-tax conversion_out is an IRR
    (statement-formats 5.4), split pro rata; a pretax IRR is fully taxable (no basis)."""
    import datetime as dt

    _insert_entries(
        ann.db,
        [
            (dt.date(2025, 1, 10), "aftertax", "contribution", 1_000_000),
            (dt.date(2025, 2, 1), "aftertax", "change_in_value", 50_000),
            (dt.date(2025, 2, 3), "aftertax", "conversion_out", -525_000),
            (dt.date(2025, 2, 3), "roth_irr", "conversion_in", 525_000),
            (dt.date(2025, 1, 10), "pretax", "contribution", 300_000),
            (dt.date(2025, 2, 3), "pretax", "conversion_out", -300_000),
            (dt.date(2025, 2, 3), "roth_irr", "conversion_in", 300_000),
        ],
    )
    doc = ann.json("form", "1099-r", "--person", "ann", "--year", "2025", "--explain")
    (f,) = doc["forms"]  # one form: same payer, code and destination
    # after-tax: 5,250 x 10,000 / 10,500 = 5,000 basis, 250 earnings; pretax: 3,000 taxable
    assert (f["destination"], f["box1"], f["box2a"], f["box5"], f["box7"]) == (
        "in-plan",
        "8250.00",
        "3250.00",
        "5000.00",
        "G",
    )
    assert "history.csv row 4" in " ".join(doc["explain"][0]["boxes"]["box1"])
    assert ann.json("form", "1040", "--person", "ann", "--year", "2025")["lines"]["5b"] == "3250.00"


def test_irs_example_designated_roth_nonqualified_distribution(ann):
    """Instructions for Forms 1099-R and 5498, "Designated Roth Accounts" example (quoted on
    benefitslink.com/boards/topic/56696): balance $10,000 = $9,400 designated Roth
    contributions + $600 earnings; a $5,000 nonqualified distribution is reported as box 1
    $5,000, box 2a $300, box 4 $60 (20% of 300), box 5 $4,700, code B, box 11 the first year."""
    import datetime as dt

    ann("plan", "add", "roth-401k", "--person", "ann", "--employer", "Beta", "--first-roth-year", "2024")
    _insert_entries(
        ann.db,
        [
            (dt.date(2024, 3, 1), "roth", "contribution", 940_000),
            (dt.date(2025, 3, 1), "roth", "change_in_value", 60_000),
            (dt.date(2025, 6, 2), "roth", "withdrawal", -500_000),
        ],
        plan_name="roth-401k",
    )
    (f,) = ann.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"]
    assert (f["box1"], f["box2a"], f["box4"], f["box5"], f["box11"]) == (
        "5000.00",
        "300.00",
        "60.00",
        "4700.00",
        2024,
    )
    assert "B" in f["box7"] and f["box7"] == "1B"  # ann is under 59 1/2: codes 1 and B
    assert f["box10"] == "0.00"  # no IRR in the account
    lines = ann.json("form", "1040", "--person", "ann", "--year", "2025")["lines"]
    assert (lines["5a"], lines["5b"]) == ("5000.00", "300.00")


def test_dra_box10_after_irr_and_code_h_rollover(ann):
    """An IRR made this year and then a DRA distribution: box 10 shows the part allocable to the
    IRR within its five years; a DRA direct rollover to a Roth IRA is code H with box 2a 0 and
    its basis becomes Roth IRA regular-contribution basis (Form 8606 line 22)."""
    import datetime as dt

    seed(ann)  # IRR of 20,500 (taxable 500) on 2025-03-03
    _insert_entries(ann.db, [(dt.date(2025, 6, 2), "roth_irr", "withdrawal", -1_025_000)])
    forms = {f["box7"]: f for f in ann.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"]}
    b = forms["1B"]
    assert forms["G"]["box1"] == "20500.00"
    assert (b["box7"], b["box1"], b["box2a"], b["box5"], b["box10"]) == (
        "1B",
        "10250.00",
        "0.00",
        "10250.00",
        "10250.00",
    )
    assert b["box11"] == 2025  # clock started by the IRR (UNCONFIRMED assumption, warned)
    _insert_entries(ann.db, [(dt.date(2026, 1, 5), "roth_irr", "rollover_out", -1_025_000)])
    doc = ann.json("form", "1099-r", "--person", "ann", "--year", "2026")
    (h,) = doc["forms"]
    assert (h["box7"], h["box1"], h["box2a"], h["box5"]) == ("H", "10250.00", "0.00", "10250.00")
    assert any(w["code"] == "dra-h-box5-unconfirmed" for w in doc["warnings"])
    ann(
        "ira",
        "distribute",
        "--person",
        "ann",
        "--date",
        "2026-08-01",
        "--account",
        "roth",
        "--amount",
        "12000",
    )
    lines = ann.json("form", "8606", "--person", "ann", "--year", "2026")["lines"]
    assert (lines["19"], lines["22"], lines["23"], lines["24"]) == ("12000.00", "10250.00", "1750.00", "0.00")


def test_unsupported_rows_fail_loudly(ann):
    import datetime as dt

    _insert_entries(
        ann.db,
        [
            (dt.date(2025, 1, 10), "roth_rollover", "rollover_in", 100_000),
            (dt.date(2025, 2, 3), "roth_rollover", "withdrawal", -50_000),
        ],
    )
    r = ann("form", "1099-r", "--person", "ann", "--year", "2025", ok=False)
    assert r.exit_code == 3 and "not supported" in r.output
    assert "Traceback" not in r.output


def test_reconcile_code_order_does_not_matter(ann):
    import datetime as dt

    ann("plan", "add", "roth-401k", "--person", "ann", "--employer", "Beta", "--first-roth-year", "2024")
    _insert_entries(
        ann.db,
        [
            (dt.date(2024, 3, 1), "roth", "contribution", 940_000),
            (dt.date(2025, 3, 1), "roth", "change_in_value", 60_000),
            (dt.date(2025, 6, 2), "roth", "withdrawal", -500_000),
        ],
        plan_name="roth-401k",
    )
    r = ann(
        "reconcile",
        "1099-r",
        "--plan",
        "roth-401k",
        "--year",
        "2025",
        "--box1",
        "5000",
        "--box2a",
        "300",
        "--box4",
        "60",
        "--box5",
        "4700",
        "--code",
        "B1",
        "--box11",
        "2024",
    )
    assert r.exit_code == 0, r.output


def test_round_8606_from_whole_dollar_inputs(ann):
    """--round rounds the inputs first, so the rounded form still adds up line by line."""
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2025-02-01",
        "--account",
        "traditional",
        "--amount",
        "7000",
        "--nondeductible",
        "7000",
    )
    ann("ira", "convert", "--person", "ann", "--date", "2025-02-05", "--amount", "7000.40")
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "62999.55")
    cents = ann.json("form", "8606", "--person", "ann", "--year", "2025")["lines"]
    assert (cents["8"], cents["9"], cents["11"], cents["18"]) == ("7000.40", "69999.95", "700.04", "6300.36")
    whole = ann.json("form", "8606", "--person", "ann", "--year", "2025", "--round")["lines"]
    assert (whole["6"], whole["8"], whole["9"], whole["10"], whole["11"], whole["18"]) == (
        "63000.00",
        "7000.00",
        "70000.00",
        "0.100",
        "700.00",
        "6300.00",
    )
    f1040 = ann.json("form", "1040", "--person", "ann", "--year", "2025", "--round")["lines"]
    assert (f1040["4a"], f1040["4b"]) == ("7000.00", "6300.00")


def test_traditional_distribution_with_basis_part_i(ann):
    """Part I with a distribution that is not converted: lines 7, 12, 15a, 15c and 1040 4b."""
    ann("basis", "set", "--person", "ann", "--year", "2024", "--traditional", "1000")
    ann(
        "ira",
        "distribute",
        "--person",
        "ann",
        "--date",
        "2025-05-01",
        "--account",
        "traditional",
        "--amount",
        "2000",
    )
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "8000")
    doc = ann.json("form", "8606", "--person", "ann", "--year", "2025", "--explain")
    ln = doc["lines"]
    # 1,000 / (8,000 + 2,000) = 0.100; nontaxable 200; taxable 1,800; basis left 800
    assert (ln["2"], ln["7"], ln["9"], ln["10"], ln["12"], ln["13"], ln["14"], ln["15a"], ln["15c"]) == (
        "1000.00",
        "2000.00",
        "10000.00",
        "0.100",
        "200.00",
        "200.00",
        "800.00",
        "1800.00",
        "1800.00",
    )
    assert ln["16"] is None
    assert any("basis set --year 2024" in r for r in doc["explain"]["2"]["rows"])
    assert any("IRA distribution (traditional)" in r for r in doc["explain"]["7"]["rows"])
    f1040 = ann.json("form", "1040", "--person", "ann", "--year", "2025")["lines"]
    assert (f1040["4a"], f1040["4b"]) == ("2000.00", "1800.00")
    (f,) = ann.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"]
    assert (f["box7"], f["destination"], f["box2b_taxable_not_determined"]) == ("1", "cash", True)


def test_box2b_total_distribution(ann):
    seed(ann, "roth-ira", "--earnings-to", "traditional-ira")
    doc = ann.json("form", "1099-r", "--person", "ann", "--year", "2025")
    assert not any(f["box2b_total_distribution"] for f in doc["forms"])  # only after-tax tracked
    import datetime as dt

    _insert_entries(
        ann.db,
        [
            (dt.date(2025, 1, 15), "pretax", "contribution", 100_000),
            (dt.date(2025, 3, 3), "pretax", "withdrawal", -100_000),
        ],
    )
    doc = ann.json("form", "1099-r", "--person", "ann", "--year", "2025")
    assert all(f["box2b_total_distribution"] for f in doc["forms"]) and len(doc["forms"]) == 3
    assert any(w["code"] == "total-distribution" for w in doc["warnings"])
    cash = [f for f in doc["forms"] if f["destination"] == "cash"][0]
    assert (cash["box1"], cash["box2a"], cash["box4"], cash["box7"]) == ("1000.00", "1000.00", "200.00", "1")


def test_loss_then_partial_conversion_caps_basis_with_warning(ann):
    ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-15",
        "--source",
        "aftertax",
        "--amount",
        "1000",
    )
    ann(
        "earnings",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-20",
        "--source",
        "aftertax",
        "--amount",
        "-100",
    )
    doc = ann.json(
        "convert", "--plan", "acme-401k", "--date", "2025-01-21", "--amount", "450", "--to", "in-plan"
    )
    # 450 x 1,000 / 900 = 500 > 450: the basis recovered is capped at the amount (UNCONFIRMED, warned)
    assert (doc["basis"], doc["earnings"], doc["basis_before"], doc["balance_before"]) == (
        "450.00",
        "0.00",
        "1000.00",
        "900.00",
    )
    assert doc["warnings"][0]["code"] == "basis-cap"
    f = ann.json("form", "1099-r", "--person", "ann", "--year", "2025")
    assert (f["forms"][0]["box2a"], f["forms"][0]["box5"]) == ("0.00", "450.00")
    assert any(w["code"] == "basis-cap" for w in f["warnings"])
    # the remaining 550 of basis stays: converting the rest (450) recovers 450 more, 100 stays
    doc = ann.json(
        "convert", "--plan", "acme-401k", "--date", "2025-01-22", "--amount", "450", "--to", "in-plan"
    )
    assert (doc["basis"], doc["basis_before"]) == ("450.00", "550.00")


def test_ira_distribute_refuses_unknown_or_plan_only_exceptions(ann):
    r = ann(
        "ira",
        "distribute",
        "--person",
        "ann",
        "--date",
        "2026-06-01",
        "--account",
        "roth",
        "--amount",
        "100",
        "--exception",
        "bogus",
        ok=False,
    )
    assert r.exit_code != 0 and "unknown exception 'bogus'" in r.output
    r = ann(
        "ira",
        "distribute",
        "--person",
        "ann",
        "--date",
        "2026-06-01",
        "--account",
        "roth",
        "--amount",
        "100",
        "--exception",
        "separation-55",
        ok=False,
    )
    assert r.exit_code != 0 and "does not apply to IRAs" in r.output


@pytest.mark.parametrize("exception, on_part_iii", [("disability", False), ("death", False), ("sepp", True)])
def test_disability_or_death_after_five_years_is_qualified(ann, exception, on_part_iii):
    # Roth IRA opened by a 2018 regular contribution: the five taxable years end 2022 (IRC 408A(d)(2)(B)).
    # A 2026 distribution at age 41 is qualified if made because of disability or death
    # (IRC 408A(d)(2)(A)(ii)-(iii)) and stays off Form 8606 Part III; a SEPP one is not qualified.
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2018-03-01",
        "--account",
        "roth",
        "--amount",
        "5500",
        "--tax-year",
        "2018",
    )
    ann(
        "ira",
        "distribute",
        "--person",
        "ann",
        "--date",
        "2026-06-01",
        "--account",
        "roth",
        "--amount",
        "3000",
        "--exception",
        exception,
    )
    lines = ann.json("form", "8606", "--person", "ann", "--year", "2026")["lines"]
    assert (lines["19"] is not None and lines["19"] == "3000.00") == on_part_iii


def _qualified_dra_rolled_to_roth_ira(m):
    """cy (born 1960-01-10: 59 1/2 on 2019-07-10) has a Roth 401(k) since 2015 (box 11 2015):
    10,000 designated Roth contributions + 5,000 earnings, all rolled directly to a Roth IRA on
    2025-03-03 (code H). Five taxable years (2015-2019) are over and cy is past 59 1/2, so the
    DRA distribution is qualified (IRC 402A(d)(2)); it is cy's first Roth IRA contribution."""
    import datetime as dt

    m("person", "add", "cy", "--born", "1960-01-10")
    m("plan", "add", "roth-401k", "--person", "cy", "--employer", "Beta", "--first-roth-year", "2015")
    _insert_entries(
        m.db,
        [
            (dt.date(2015, 3, 1), "roth", "contribution", 1_000_000),
            (dt.date(2020, 3, 1), "roth", "change_in_value", 500_000),
            (dt.date(2025, 3, 3), "roth", "rollover_out", -1_500_000),
        ],
        plan_name="roth-401k",
    )


def test_qualified_dra_rollover_is_all_regular_contribution_in_the_roth_ira(megaroth):
    """Treas. Reg. 1.408A-10 A-3(a): "the entire amount of any qualified distribution from a
    designated Roth account that is rolled over into a Roth IRA is treated as a regular
    contribution to the Roth IRA". So a 15,000 nonqualified Roth IRA distribution in 2026 (the
    Roth IRA's own five years started in 2025, Reg. 1.408A-10 A-4) comes wholly out of line 22:
    line 19 = 15,000, line 22 = 15,000 (not just the 10,000 DRA basis), line 23 = 0, nothing
    taxable (25c blank: lines 24-25 are skipped when line 23 is 0)."""
    m = megaroth
    _qualified_dra_rolled_to_roth_ira(m)
    (h,) = m.json("form", "1099-r", "--person", "cy", "--year", "2025")["forms"]
    assert (h["box7"], h["box1"], h["box2a"]) == ("H", "15000.00", "0.00")
    # issue 4's what-if (before recording it): all of it is regular contribution
    what_if = m.json("withdraw", "--person", "cy", "--amount", "15000", "--date", "2026-06-01")
    assert [(t["source"], t["amount"]) for t in what_if["tranches"]] == [("regular", "15000.00")]
    m("ira", "distribute", "--person", "cy", "--date", "2026-06-01", "--account", "roth", "--amount", "15000")
    lines = m.json("form", "8606", "--person", "cy", "--year", "2026")["lines"]
    assert (lines["19"], lines["22"], lines["23"], lines["25c"]) == ("15000.00", "15000.00", "0.00", None)
    assert {k: lines[k] for k in what_if["form_8606_part_iii"]} == what_if["form_8606_part_iii"]
    assert m.json("form", "1040", "--person", "cy", "--year", "2026")["lines"]["4b"] == "0.00"


def test_dra_rollover_starts_the_roth_ira_clock_for_form_8606(megaroth):
    """The code-H rollover in 2025 is cy's first Roth IRA contribution, so the Roth IRA's
    5-taxable-year period runs 2025-2029 (IRC 408A(d)(2)(B); Treas. Reg. 1.408A-6 A-2; the DRA's
    years do not count, Reg. 1.408A-10 A-4). A distribution on 2030-02-01 at age 70 is then
    qualified: not on Form 8606 line 19 (Part III blank), only on 1040 line 4a. `clocks` shows the
    same clock."""
    m = megaroth
    _qualified_dra_rolled_to_roth_ira(m)
    m("ira", "distribute", "--person", "cy", "--date", "2030-02-01", "--account", "roth", "--amount", "20000")
    lines = m.json("form", "8606", "--person", "cy", "--year", "2030")["lines"]
    assert lines["19"] is None and lines["25c"] is None
    f1040 = m.json("form", "1040", "--person", "cy", "--year", "2030")["lines"]
    assert (f1040["4a"], f1040["4b"]) == ("20000.00", "0.00")
    clocks = m.json("clocks", "--person", "cy", "--as-of", "2030-02-01")
    assert [(q["account"], q["clock_start"], q["met"]) for q in clocks["qualified"]] == [
        ("roth-ira", "2025-01-01", True),
        ("roth-401k", "2015-01-01", True),
    ]


def test_first_home_distribution_after_five_years_uses_line_20_like_the_what_if(ann):
    """ann (born 1985, under 59 1/2) made her first Roth IRA contribution for 2015 (5,000), so the
    five taxable years are over from 2020. An 8,000 first-home distribution in 2024 is a qualified
    distribution (IRC 408A(d)(2)(A)(iv), 72(t)(8)); Form 8606 keeps it on line 19 and puts the
    expenses on line 20 (instructions, lines 19-20): 19 = 8,000, 20 = 8,000, 21 = 0, 22 = 5,000,
    23 = 0 -> nothing taxable (lines 24-25 skipped). The what-if of issue 4 gives the same lines.
    Next year's line 22 (line 22 worksheet: prior line 22 5,000 - prior line 19 8,000 -> 0) is 0,
    so a 1,000 distribution in 2025 is all taxable: 25c = 1,000 (1040 line 4b)."""
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2015-03-01",
        "--account",
        "roth",
        "--amount",
        "5000",
    )
    what_if = ann.json(
        "withdraw", "--person", "ann", "--amount", "8000", "--date", "2024-05-01", "--exception", "first-home"
    )
    ann(
        "ira",
        "distribute",
        "--person",
        "ann",
        "--date",
        "2024-05-01",
        "--account",
        "roth",
        "--amount",
        "8000",
        "--exception",
        "first-home",
    )
    doc = ann.json("form", "8606", "--person", "ann", "--year", "2024")
    lines = doc["lines"]
    assert (lines["19"], lines["20"], lines["21"], lines["22"], lines["23"], lines["25c"]) == (
        "8000.00",
        "8000.00",
        "0.00",
        "5000.00",
        "0.00",
        None,
    )
    assert {k: lines[k] for k in what_if["form_8606_part_iii"]} == what_if["form_8606_part_iii"]
    assert any(w["code"] == "homebuyer-line-20" for w in doc["warnings"])
    assert ann.json("form", "1040", "--person", "ann", "--year", "2024")["lines"]["4b"] == "0.00"
    ann(
        "ira",
        "distribute",
        "--person",
        "ann",
        "--date",
        "2025-05-01",
        "--account",
        "roth",
        "--amount",
        "1000",
    )
    lines = ann.json("form", "8606", "--person", "ann", "--year", "2025")["lines"]
    assert (lines["19"], lines["22"], lines["23"], lines["24"], lines["25c"]) == (
        "1000.00",
        "0.00",
        "1000.00",
        "0.00",
        "1000.00",
    )


def test_earnings_loss_above_the_balance_is_refused(ann):
    # A sub-account cannot hold less than nothing. 20,000 contributed on 2025-01-15: a 20,000.01
    # loss on 2025-02-01 is refused (20,000 - 20,000.01 < 0); a 100 loss is fine (19,900 left).
    ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-15",
        "--source",
        "aftertax",
        "--amount",
        "20000",
    )
    r = ann(
        "earnings",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-02-01",
        "--source",
        "aftertax",
        "--amount",
        "-20000.01",
        ok=False,
    )
    assert r.exit_code == 2 and "cannot exceed the balance" in r.output
    ann(
        "earnings",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-02-01",
        "--source",
        "aftertax",
        "--amount",
        "-100",
    )
    # the whole 19,900 converted on 2025-03-03 leaves 0: a further loss dated before it would make
    # the sub-account negative on the conversion date
    ann("convert", "--plan", "acme-401k", "--date", "2025-03-03", "--amount", "19900", "--to", "in-plan")
    r = ann(
        "earnings",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-02-15",
        "--source",
        "aftertax",
        "--amount",
        "-1",
        ok=False,
    )
    assert r.exit_code == 2 and "on 2025-03-03" in r.output
    assert ann.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"]  # the ledger still works


def test_back_dated_conversion_cannot_overdraw_a_later_one(ann):
    # The seed converts the whole 20,500 on 2025-03-03. A 100 conversion dated 2025-03-02 fits the
    # balance on its own date (20,500) but would leave 20,400 for the 20,500 conversion after it.
    seed(ann, "in-plan")
    r = ann(
        "convert",
        "--plan",
        "acme-401k",
        "--date",
        "2025-03-02",
        "--amount",
        "100",
        "--to",
        "in-plan",
        ok=False,
    )
    assert r.exit_code == 2 and "later" in r.output
    (f,) = ann.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"]
    assert f["box1"] == "20500.00"  # nothing was recorded


def test_reconcile_compares_box_10_of_a_designated_roth_distribution(ann):
    # Same facts as test_dra_box10_after_irr_and_code_h_rollover: the IRR of 20,500 made on
    # 2025-03-03 is the whole DRA, so all of a 10,250 distribution in 2025 is allocable to an IRR
    # within its five years: box 10 = 10,250 (1099-R instructions, box 10). A plan form showing
    # exactly that must reconcile; one showing 0 must not.
    import datetime as dt

    seed(ann)
    _insert_entries(ann.db, [(dt.date(2025, 6, 2), "roth_irr", "withdrawal", -1_025_000)])
    ok = ann(
        "reconcile",
        "1099-r",
        "--plan",
        "acme-401k",
        "--year",
        "2025",
        "--box1",
        "10250",
        "--box2a",
        "0",
        "--box5",
        "10250",
        "--box10",
        "10250",
        "--code",
        "1B",
    )
    assert ok.exit_code == 0, ok.output
    bad = ann(
        "reconcile",
        "1099-r",
        "--plan",
        "acme-401k",
        "--year",
        "2025",
        "--box1",
        "10250",
        "--box10",
        "5000",
        "--code",
        "1B",
        "--format",
        "json",
        ok=False,
    )
    assert bad.exit_code == 1
    import json as _json

    assert [d["box"] for d in _json.loads(bad.stdout)["diff"]] == ["box10"]


@pytest.mark.parametrize(
    "on, tax_year, ok",
    [
        ("2023-04-18", "2022", True),  # 2022 Form 8606 line 4: "through April 18, 2023"
        ("2023-04-19", "2022", False),
        ("2020-07-15", "2019", True),  # Notice 2020-23: 2019 IRA contributions until July 15, 2020
        ("2025-04-15", "2024", True),
        ("2025-04-16", "2024", False),
    ],
)
def test_prior_year_ira_contribution_up_to_the_return_due_date(ann, on, tax_year, ok):
    # IRC 219(f)(3): made "not later than the time prescribed by law for filing the return for
    # such taxable year (not including extensions)"; IRC 7503 moves that date off weekends and
    # DC holidays (Emancipation Day): April 15, 2023 was a Saturday, April 17 the observed holiday.
    r = ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        on,
        "--account",
        "traditional",
        "--amount",
        "6000",
        "--tax-year",
        tax_year,
        "--nondeductible",
        "6000",
        ok=ok,
    )
    assert (r.exit_code == 0) is ok
    if ok:
        lines = ann.json("form", "8606", "--person", "ann", "--year", tax_year)["lines"]
        assert (lines["1"], lines["14"]) == ("6000.00", "6000.00")


def test_basis_set_roth_clock_guess_is_warned(megaroth):
    # Someone aged 62 whose history starts after 2022 with 20,000 of Roth contributions: the
    # ledger cannot know whether the Roth IRA's five years (IRC 408A(d)(2)(B)) began before 2022,
    # so it counts them from 2022 -- a 2024 distribution at 59 1/2+ is then nonqualified (line 19)
    # and the output must say that this rests on the missing first year.
    m = megaroth
    m("person", "add", "ida", "--born", "1962-01-01")
    m("basis", "set", "--person", "ida", "--year", "2022", "--roth-contributions", "20000")
    m("ira", "distribute", "--person", "ida", "--date", "2024-06-01", "--account", "roth", "--amount", "5000")
    doc = m.json("form", "8606", "--person", "ida", "--year", "2024")
    assert (doc["lines"]["19"], doc["lines"]["22"]) == ("5000.00", "20000.00")
    assert any("basis set" in w["message"] and "qualified" in w["message"] for w in doc["warnings"])


def test_first_home_lifetime_limit_same_in_what_if_and_form_8606(ann):
    # IRC 72(t)(8)(B): $10,000 lifetime. 8,000 used in 2024, so a 5,000 first-home distribution in
    # 2025 puts only 2,000 on line 20 -- in the what-if and in Form 8606 after recording it.
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2015-03-01",
        "--account",
        "roth",
        "--amount",
        "5000",
    )
    ann(
        "ira",
        "distribute",
        "--person",
        "ann",
        "--date",
        "2024-05-01",
        "--account",
        "roth",
        "--amount",
        "8000",
        "--exception",
        "first-home",
    )
    what_if = ann.json(
        "withdraw", "--person", "ann", "--amount", "5000", "--date", "2025-05-01", "--exception", "first-home"
    )
    assert what_if["form_8606_part_iii"]["20"] == "2000.00"
    ann(
        "ira",
        "distribute",
        "--person",
        "ann",
        "--date",
        "2025-05-01",
        "--account",
        "roth",
        "--amount",
        "5000",
        "--exception",
        "first-home",
    )
    lines = ann.json("form", "8606", "--person", "ann", "--year", "2025")["lines"]
    assert {k: lines[k] for k in what_if["form_8606_part_iii"]} == what_if["form_8606_part_iii"]
