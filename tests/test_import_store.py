"""Storing imports: provenance, all-or-nothing, idempotence, overlapping exports, undo,
dry run, conversions like `megaroth convert`, balance assertions; and the CLI surface."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
HEADER = "date,plan,source,type,amount,fund,shares\n"


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_import_stores_rows_with_provenance(ann, tmp_path):
    p = write(tmp_path, "g.csv", HEADER + "2025-01-13,acme-401k,aftertax,contribution,1336.54,Fund A,2.6\n")
    out = ann.json("import", str(p))
    assert out["rows_added"] == 1 and out["import"] == 1 and out["profile"] == "generic"
    (b,) = ann.sql(
        "select id, file_name, file_sha256, profile, rows_read, rows_added, plan_id from import_batch"
    )
    import hashlib

    assert b == (1, "g.csv", hashlib.sha256(p.read_bytes()).hexdigest(), "generic", 1, 1, 1)
    (e,) = ann.sql("select import_id, file_row, raw, shares, amount_cents, date, tax_year from entry")
    assert e[:2] == (1, 2) and json.loads(e[2]) == {"plan": "acme-401k"}  # the rest has columns
    assert e[3:] == ("2.6", 133654, "2025-01-13", 2025)


def test_reimport_adds_nothing_and_says_so(ann):
    first = ann.json("import", str(SAMPLES / "2025-acme-voya-activity.csv"), "--plan", "acme-401k")
    assert first["rows_added"] == 304 and first["conversions_added"] == 4
    again = ann("import", str(SAMPLES / "2025-acme-voya-activity.csv"), "--plan", "acme-401k")
    assert "added 0, 304 already in the ledger; nothing new, nothing recorded" in " ".join(
        again.output.split()
    )
    # the XLSX of the same export is the same rows: nothing new either
    x = ann.json("import", str(SAMPLES / "2025-acme-voya-activity.xlsx"), "--plan", "acme-401k")
    assert x["rows_added"] == 0 and x["import"] is None
    assert ann.sql("select count(*) from entry") == [(304,)]
    assert ann.sql("select count(*) from import_batch") == [(1,)]
    assert ann.sql("select count(*) from conversion") == [(4,)]


def test_identical_rows_in_one_file_both_stay_overlapping_exports_do_not_double(ann, tmp_path):
    row = "2025-01-13,acme-401k,pretax,contribution,100.00,F,1\n"
    other = "2025-02-13,acme-401k,pretax,contribution,100.00,F,1\n"
    late = "2025-03-13,acme-401k,pretax,contribution,100.00,F,1\n"
    a = write(tmp_path, "jan-feb.csv", HEADER + row + row + other)
    b = write(tmp_path, "feb-mar.csv", HEADER + other + late)
    assert ann.json("import", str(a))["rows_added"] == 3
    assert ann.json("import", str(b))["rows_added"] == 1
    assert ann.sql("select date, count(*) from entry group by date order by date") == [
        ("2025-01-13", 2),
        ("2025-02-13", 1),
        ("2025-03-13", 1),
    ]


def test_any_bad_row_writes_nothing(ann, tmp_path):
    good = "2025-01-13,acme-401k,pretax,contribution,100.00,F,1\n"
    p = write(
        tmp_path,
        "bad.csv",
        HEADER
        + good * 3
        + "2025-01-14,acme-401k,pretax,contribution,12.345,F,1\n"
        + "2025-01-15,acme-401k,nowhere,contribution,1.00,F,1\n"
        + good,
    )
    res = ann("import", str(p), ok=False)
    assert res.exit_code != 0
    err = res.stderr
    assert "bad.csv: 2 bad rows; nothing was imported" in err
    assert "bad.csv:5: amount: amount '12.345' has fractions of a cent" in err
    assert "bad.csv:6: source: unknown source 'nowhere'" in err
    assert ann.sql("select count(*) from entry") == [(0,)]
    assert ann.sql("select count(*) from import_batch") == [(0,)]


def test_unknown_plan_is_a_bad_row_or_a_clean_error(ann, tmp_path):
    p = write(tmp_path, "g.csv", HEADER + "2025-01-13,nope-401k,pretax,contribution,1.00,F,1\n")
    res = ann("import", str(p), ok=False)
    assert "g.csv:2: plan: unknown plan 'nope-401k'" in res.stderr
    res = ann("import", str(SAMPLES / "2025-acme-voya-activity.csv"), ok=False)
    assert res.exit_code != 0 and "give --plan" in res.stderr
    res = ann("import", str(SAMPLES / "2025-acme-voya-activity.csv"), "--plan", "x", ok=False)
    assert "unknown plan 'x'" in res.stderr


def test_dry_run_reports_exactly_and_writes_nothing(ann):
    f = str(SAMPLES / "2025-acme-alerus-history.csv")
    dry = ann.json("import", f, "--plan", "acme-401k", "--dry-run")
    assert dry["dry_run"] and dry["rows_added"] == 304 and dry["import"] is None
    added = {(a["type"], a["source"]): a["amount"] for a in dry["added"]}
    assert added[("contribution", "aftertax")] == "34750.04"
    assert ann.sql("select count(*) from entry") == [(0,)]
    assert ann.sql("select count(*) from import_batch") == [(0,)]
    real = ann.json("import", f, "--plan", "acme-401k")
    assert real["added"] == dry["added"]


def test_undo_removes_everything_the_import_added(ann):
    ann("import", str(SAMPLES / "2025-acme.ofx"), "--plan", "acme-401k", "--map", "OTHERVEST=roth_irr")
    out = ann.json("import", "undo", "1")
    assert out == {
        "id": 1,
        "file": "2025-acme.ofx",
        "rows_removed": 306,
        "conversions_removed": 4,
        "balance_assertions_removed": 4,
        "rows_kept": 0,
        "conversions_kept": 0,
        "balance_assertions_kept": 0,
    }
    for table in ("entry", "conversion", "balance_assertion"):
        assert ann.sql(f"select count(*) from {table}") == [(0,)]
    listed = ann.json("import", "list")["imports"]
    assert listed[0]["undone_at"] is not None
    res = ann("import", "undo", "1", ok=False)
    assert "already undone" in res.stderr
    # and it can be imported again (the map was saved with the plan)
    assert ann.json("import", str(SAMPLES / "2025-acme.ofx"), "--plan", "acme-401k")["rows_added"] == 306


def test_map_is_saved_only_after_a_successful_import(ann):
    res = ann("import", str(SAMPLES / "2025-acme.qfx"), "--plan", "acme-401k", ok=False)
    assert "--map OTHERVEST=SOURCE" in res.stderr
    assert ann.sql("select source_map from plan") == [(None,)]
    ann("import", str(SAMPLES / "2025-acme.qfx"), "--plan", "acme-401k", "--map", "OTHERVEST=roth_irr")
    assert json.loads(ann.sql("select source_map from plan")[0][0]) == {"OTHERVEST": "roth_irr"}
    res = ann("import", str(SAMPLES / "2025-acme.qfx"), "--plan", "acme-401k", "--map", "X", ok=False)
    assert "expected LABEL=SOURCE" in res.stderr


def test_imported_conversions_match_megaroth_convert(ann, tmp_path, new_megaroth):
    """The same conversion typed with `megaroth convert` and imported give the same basis."""
    base = (
        "2025-01-13,acme-401k,aftertax,contribution,1000.00,F,\n"
        "2025-02-13,acme-401k,aftertax,contribution,1000.00,F,\n"
        "2025-03-27,acme-401k,aftertax,dividend,100.00,F,\n"
    )
    p = write(
        tmp_path,
        "c.csv",
        HEADER + base + "2025-03-31,acme-401k,aftertax,exchange_out,-700.00,F,\n"
        "2025-03-31,acme-401k,roth_irr,exchange_in,700.00,F,\n",
    )
    ann("import", str(p))
    # issue 9: only what the statement says is stored; the basis is figured from the ledger when read
    (conv,) = ann.sql('select amount_cents, "to", import_id from conversion')
    assert conv == (70000, "in-plan", 1)
    (listed,) = ann.json("conversion", "list")["conversions"]
    assert (listed["gross"], listed["basis"], listed["taxable"]) == (
        "700.00",
        "666.67",
        "33.33",
    )  # 700 x 2000/2100
    assert ann.sql("select type, conversion_id from entry where type like 'conversion%' order by id") == [
        ("conversion_out", 1),
        ("conversion_in", 1),
    ]
    # the same by hand in a second ledger
    other = new_megaroth()
    other("person", "add", "ann", "--born", "1985-04-02")
    other(
        "plan",
        "add",
        "acme-401k",
        "--person",
        "ann",
        "--employer",
        "Acme Corp",
        "--after-tax",
        "--in-plan-conversion",
    )
    other("import", str(write(tmp_path, "base.csv", HEADER + base)))
    typed = other.json(
        "convert", "--plan", "acme-401k", "--date", "2025-03-31", "--amount", "700", "--to", "in-plan"
    )
    assert typed["basis"] == "666.67"


def test_balance_rows_become_assertions_first_statement_opening_later_differences_earnings(ann, tmp_path):
    text = (
        "Plan name:,ACME\n\nDate,Investment,Transaction Type,Amount,Shares/Unit\n"
        '01/02/2025,FUND A,Balance Forward,"1,000.00","10.000"\n'
        '01/02/2025,FUND B,Balance Forward,"500.00","5.000"\n'
    )
    p = write(tmp_path, "history.csv", text)
    out = ann.json("import", str(p), "--plan", "acme-401k")
    assert out["balance_assertions_added"] == 1
    assert ann.sql("select date, source, amount_cents, ledger_cents, import_id from balance_assertion") == [
        ("2025-01-02", "unknown", 150000, 0, 1)
    ]
    # the plan's first statement: what was there before the ledger's history is an opening balance
    assert ann.sql("select type, source, amount_cents, origin from entry") == [
        ("opening_balance", "unknown", 150000, "balance assert #1")
    ]
    assert out["opening_balances"] == [{"source": "unknown", "date": "2025-01-02", "amount": "1500.00"}]
    assert ann.json("import", str(p), "--plan", "acme-401k")["import"] is None  # idempotent too
    # a later statement's difference is that period's earnings
    later = write(
        tmp_path, "later.csv", text.replace("01/02/2025", "02/03/2025").replace('"500.00"', '"600.00"')
    )
    ann.json("import", str(later), "--plan", "acme-401k")
    assert ann.sql("select type, amount_cents, date from entry order by id") == [
        ("opening_balance", 150000, "2025-01-02"),
        ("earnings", 10000, "2025-02-03"),
    ]


def test_no_progress_bar_when_not_a_terminal(ann):
    res = ann("import", str(SAMPLES / "2025-acme-generic.csv"))
    assert "importing" not in res.stderr and res.exit_code == 0


def test_progress_bar_on_big_files_when_asked(tmp_path, monkeypatch):
    from megaroth_ledger.importers import store

    calls = []

    class FakeProgress:
        def __init__(self, *a, **k):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def add_task(self, *a, **k):
            return 1

        def advance(self, task, n):
            calls.append(n)

    import rich.progress

    monkeypatch.setattr(rich.progress, "Progress", FakeProgress)
    with store._progress(True, store.PROGRESS_MIN_BYTES, "x") as cb:
        cb(10)
    with store._progress(True, 10, "small") as cb:
        assert cb is None
    with store._progress(False, 10**9, "notty") as cb:
        assert cb is None
    assert calls == [10]


# ---------------------------------------------------------------- CLI surface


def test_import_list_json_csv_table(ann):
    ann("import", str(SAMPLES / "2025-acme-generic.csv"))
    listed = ann.json("import", "list")["imports"]
    assert listed[0]["file"] == "2025-acme-generic.csv" and listed[0]["plan"] == "acme-401k"
    assert ann("import", "list", "--format", "csv").stdout.startswith("id,file,profile,plan,")
    assert "2025-acme-generic.csv" in ann("import", "list").stdout


def test_file_named_like_a_subcommand_and_options_first(ann, tmp_path, monkeypatch):
    d = tmp_path / "d"
    d.mkdir()
    shutil.copy(SAMPLES / "2025-acme-generic.csv", d / "list")
    monkeypatch.chdir(d)
    assert ann.json("import", "./list")["rows_added"] == 304
    out = ann.json(
        "import",
        "--plan",
        "acme-401k",
        "--dry-run",
        str(SAMPLES / "2025-acme-workplace-activity.csv"),
        "--allow-overlap",
    )  # the same year in another format: refused without it
    assert out["profile"] == "workplace-contribution-activity"


def test_profiles_list_and_show(megaroth):
    ids = [p["id"] for p in megaroth.json("profiles", "list")["profiles"]]
    for pid in (
        "generic",
        "fidelity-netbenefits-history",
        "fidelity-netbenefits-sources",
        "voya-activity",
        "vanguard-retirement-csv",
        "workplace-contribution-activity",
        "alerus-history",
        "ofx",
    ):
        assert pid in ids
    shown = megaroth.json("profiles", "show", "fidelity-netbenefits-history")
    assert shown["header"] == ["Date", "Investment", "Transaction Type", "Amount", "Shares/Unit"]
    assert shown["const"] == {"source": "unknown"}
    assert "[columns]" in megaroth("profiles", "show", "voya-activity").stdout
    assert megaroth("profiles", "show", "voya-activity", "--format", "csv").stdout.startswith("field,column")
    res = megaroth("profiles", "show", "nope", ok=False)
    assert res.exit_code != 0 and "unknown profile" in res.stderr


def test_import_show_totals_per_paycheck_and_source(ann):
    ann(
        "import",
        str(SAMPLES / "2025-acme-voya-activity.xlsx"),
        "--plan",
        "acme-401k",
        "--profile",
        "voya-activity",
    )
    out = ann.json("import", "show", "1")
    assert out["import"]["file"] == "2025-acme-voya-activity.xlsx"
    assert len(out["paychecks"]) == 26 * 3  # three funds per source summed into one line
    first = {p["source"]: (p["rows"], p["amount"]) for p in out["paychecks"][:3]}
    assert out["paychecks"][0]["paycheck"] == "2025-01-13"  # no payroll date in Voya: the trade date
    assert first == {"aftertax": (3, "1336.54"), "match": (3, "451.92"), "pretax": (3, "903.84")}
    csv_out = ann("import", "show", "1", "--format", "csv").stdout
    assert csv_out.startswith("section,paycheck,source,rows,amount,type\npaychecks,")
    assert "\nby_type," in csv_out  # both sections in one CSV
    one = ann("import", "show", "1", "--format", "csv", "--section", "paychecks").stdout
    assert one.startswith("paycheck,source,rows,amount\n")
    assert "no import #9" in ann("import", "show", "9", ok=False).stderr


@pytest.mark.parametrize(
    "args",
    [
        ["import"],
        ["import", "list"],
        ["import", "show"],
        ["import", "undo"],
        ["profiles"],
        ["profiles", "list"],
        ["profiles", "show"],
    ],
)
def test_help_has_an_example(megaroth, args):
    out = megaroth(*args, "--help").stdout
    assert "Example: megaroth" in out


def test_unknown_sources_are_flagged_and_guarded(ann):
    out = ann.json(
        "import", str(SAMPLES / "2025-acme-fidelity-netbenefits-history.csv"), "--plan", "acme-401k"
    )
    assert any("115 row(s) have source unknown" in n and "megaroth import undo 1" in n for n in out["notes"])
    from megaroth_ledger.errors import UnsupportedSituation
    from megaroth_ledger.importers.unknown import require_known_sources, unknown_source_summary
    from megaroth_ledger.store.db import open_ledger
    from megaroth_ledger.store.lookup import get_plan

    ledger = open_ledger(str(ann.db))
    with ledger.session() as s:
        plan = get_plan(s, "acme-401k")
        assert unknown_source_summary(s, plan, 2025) == [
            {"import": 1, "file": "2025-acme-fidelity-netbenefits-history.csv", "rows": 115, "first_row": 6}
        ]
        with pytest.raises(UnsupportedSituation, match=r"Form 8606 needs every row's money source.*115 row"):
            require_known_sources(s, plan, 2025, "Form 8606")
        require_known_sources(s, plan, 2024, "Form 8606")  # nothing unknown that year
    ledger.dispose()
