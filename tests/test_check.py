"""`megaroth check` (issue 9): clean on every sample that carries money sources, imported
alone; each check names the problem in a ledger built to have it; user story 6 (a balance
assertion implying a loss of a year's deferrals is no longer booked without a word)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from megaroth_ledger.rules.checks import balance_out_of_proportion, employer_key, traditional_ira_inflows
from megaroth_ledger.services.check import NAMES

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SOURCED = [
    "2025-acme-alerus-history.csv",
    "2025-acme-fidelity-netbenefits-sources.txt",
    "2025-acme-generic.csv",
    "2025-acme-voya-activity.csv",
    "2025-acme-voya-activity.xlsx",
    "2025-acme-workplace-activity.csv",
    "2025-acme.ofx",
    "2025-acme.qfx",
]
HEADER = "date,plan,source,type,amount\n"


def run_check(m, *args, code=None):
    res = m("check", "--format", "json", *args, ok=False)
    if code is not None:
        assert res.exit_code == code, res.output
    return {c["name"]: c for c in json.loads(res.stdout)["checks"]}, res.exit_code


def csv(tmp_path, name, *lines):
    p = tmp_path / name
    p.write_text(HEADER + "".join(f"{ln}\n" for ln in lines), encoding="utf-8")
    return str(p)


def test_check_lists_every_named_check_in_order(ann):
    checks, code = run_check(ann, code=0)
    assert list(checks) == list(NAMES)
    assert all(c["status"] == "ok" and c["records"] == [] for c in checks.values())
    table = ann("check")
    assert "all checks passed" in table.output and "duplicate-statements" in table.output
    assert ann("check", "--format", "csv").output.startswith("name,status,message,records")


@pytest.mark.parametrize("sample", SOURCED)
def test_check_is_clean_on_each_sourced_sample_imported_alone(ann, sample):
    ann("wages", "set", "--plan", "acme-401k", "--year", "2025", "--compensation", "200000")
    ann("import", str(SAMPLES / sample), "--plan", "acme-401k", "--map", "OTHERVEST=roth_irr")
    checks, _ = run_check(ann, "--person", "ann", "--year", "2025", code=0)
    assert [n for n, c in checks.items() if c["status"] != "ok"] == []


# ---------------------------------------------------------------- user story 6 / balances


def test_story6_a_loss_of_a_years_deferrals_is_said_and_fails_check(ann):
    for month in range(1, 13):
        for _ in range(2):  # every paycheck typed twice
            ann(
                "contribution",
                "add",
                "--plan",
                "acme-401k",
                "--date",
                f"2025-{month:02d}-15",
                "--source",
                "pretax",
                "--amount",
                "1000",
            )
    res = ann(
        "balance",
        "assert",
        "--plan",
        "acme-401k",
        "--date",
        "2025-12-31",
        "--source",
        "pretax",
        "--amount",
        "12000",
    )
    out = " ".join(res.output.split())
    assert "BALANCE_OUT_OF_PROPORTION" in out and "duplicate statement" in out
    checks, code = run_check(ann)
    assert code == 1 and checks["balances"]["status"] == "fail"
    assert "likely a duplicate statement" in checks["balances"]["message"]
    assert checks["balances"]["records"] == [1]


def test_balances_a_gain_out_of_proportion_names_a_missing_statement(ann):
    for month in (7, 8, 9):
        ann(
            "contribution",
            "add",
            "--plan",
            "acme-401k",
            "--date",
            f"2025-{month:02d}-15",
            "--source",
            "pretax",
            "--amount",
            "1000",
        )
    doc = ann.json(
        "balance",
        "assert",
        "--plan",
        "acme-401k",
        "--date",
        "2025-09-30",
        "--source",
        "pretax",
        "--amount",
        "9100",
    )
    assert doc["warnings"][0]["code"] == "BALANCE_OUT_OF_PROPORTION"
    checks, code = run_check(ann)
    assert code == 1 and "likely a missing statement" in checks["balances"]["message"]


def test_balances_an_assertion_that_no_longer_holds_fails(ann, tmp_path):
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
        "1000",
    )
    ann(
        "balance",
        "assert",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-31",
        "--source",
        "pretax",
        "--amount",
        "1010",
    )
    assert run_check(ann, code=0)[0]["balances"]["status"] == "ok"  # a small gain: the market
    ann("import", csv(tmp_path, "late.csv", "2025-01-20,acme-401k,pretax,contribution,5.00"))
    assert run_check(ann, code=0)[0]["balances"]["status"] == "ok"  # its difference is figured again
    # a difference left stale (e.g. by a ledger written elsewhere)
    ann.sql("update entry set amount_cents = amount_cents + 100 where origin = 'balance assert #1'")
    checks, code = run_check(ann, code=1)
    assert "the ledger now 1,011.00" in checks["balances"]["message"]


def test_import_warns_when_its_balance_implies_a_loss_out_of_proportion(ann, tmp_path):
    ann("import", str(SAMPLES / "2025-acme.ofx"), "--plan", "acme-401k", "--map", "OTHERVEST=roth_irr")
    out = ann.json("import", str(SAMPLES / "2025-acme-generic.csv"), "--allow-overlap", "--dry-run")
    # the OFX's year-end balances, figured again with the generic CSV's rows, imply losses
    warned = [n for n in out["notes"] if n.startswith("warning: balance assertion")]
    assert len(warned) == 3 and all("duplicate statement" in n for n in warned), out["notes"]


# ---------------------------------------------------------------- one ledger per problem


def test_duplicate_statements(ann):
    ann("import", str(SAMPLES / "2025-acme.ofx"), "--plan", "acme-401k", "--map", "OTHERVEST=roth_irr")
    ann("import", str(SAMPLES / "2025-acme-voya-activity.csv"), "--plan", "acme-401k", "--allow-overlap")
    checks, _ = run_check(ann, code=1)  # the OFX's year-end balances no longer hold either
    dup = checks["duplicate-statements"]
    assert dup["status"] == "warn" and dup["records"] == [1, 2] and "--allow-overlap" in dup["message"]
    assert checks["balances"]["status"] == "fail" and checks["balances"]["records"] == [2, 3, 4]
    # an overlap nobody allowed (e.g. imported before megaroth refused them) fails
    ann.sql("update import_batch set overlap_allowed = false")
    checks, _ = run_check(ann, code=1)
    assert checks["duplicate-statements"]["status"] == "fail"
    assert "counts twice" in checks["duplicate-statements"]["message"]


def test_aftertax_allowed(megaroth, tmp_path):
    megaroth("person", "add", "bo", "--born", "1980-01-01")
    megaroth("plan", "add", "plain-401k", "--person", "bo", "--employer", "Plain Co")
    megaroth("import", csv(tmp_path, "a.csv", "2025-01-15,plain-401k,aftertax,contribution,500.00"))
    checks, _ = run_check(megaroth, code=1)
    assert checks["aftertax-allowed"]["status"] == "fail" and checks["aftertax-allowed"]["records"] == [1]
    assert "plain-401k" in checks["aftertax-allowed"]["message"]


def test_employer_names(ann):
    ann("plan", "add", "acme-hsa-401k", "--person", "ann", "--employer", "ACME  corp.")
    checks, _ = run_check(ann, code=1)
    assert checks["employer-names"]["status"] == "fail"
    assert "'ACME  corp.' / 'Acme Corp'" in checks["employer-names"]["message"]
    assert sorted(checks["employer-names"]["records"]) == [1, 2]


def test_ira_year_end_values(ann):
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
        "--nondeductible",
        "7000",
    )
    ann("ira", "convert", "--person", "ann", "--date", "2025-01-20", "--amount", "7000")
    checks, _ = run_check(ann, code=1)
    assert checks["ira-year-end-values"]["status"] == "fail" and checks["ira-year-end-values"]["records"] == [
        2
    ]
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "0")
    assert run_check(ann)[0]["ira-year-end-values"]["status"] == "ok"


def test_traditional_ira_inflows(ann):
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
        "10000",
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
        "500",
    )
    ann(
        "convert",
        "--plan",
        "acme-401k",
        "--date",
        "2025-02-03",
        "--amount",
        "10500",
        "--to",
        "roth-ira",
        "--earnings-to",
        "traditional-ira",
    )
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "0")
    checks, _ = run_check(ann, code=1)
    c = checks["traditional-ira-inflows"]
    assert c["status"] == "fail" and "500.00 was rolled into a traditional IRA" in c["message"]
    assert "Form 8606 line 6" in c["message"] and c["records"]


def test_unconverted_aftertax(ann):
    ann("wages", "set", "--plan", "acme-401k", "--year", "2025", "--compensation", "200000")
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
        "10000",
    )
    ann(
        "earnings",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-06-01",
        "--source",
        "aftertax",
        "--amount",
        "800",
    )
    checks, _ = run_check(ann, code=0)
    c = checks["unconverted-aftertax"]
    assert c["status"] == "warn" and "10,800.00 of after-tax money is unconverted" in c["message"]
    assert "800.00 of it earnings" in c["message"]
    run_check(ann, "--strict", code=1)


def test_compensation(ann):
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
        "100",
    )
    ann("convert", "--plan", "acme-401k", "--date", "2025-01-16", "--amount", "100", "--to", "in-plan")
    checks, _ = run_check(ann, code=0)
    assert checks["compensation"]["status"] == "warn" and "415(c)(1)(B)" in checks["compensation"]["message"]
    ann("wages", "set", "--plan", "acme-401k", "--year", "2025", "--compensation", "200000")
    assert run_check(ann, code=0)[0]["compensation"]["status"] == "ok"


def test_dates(ann, tmp_path):
    soon = dt.date.today() + dt.timedelta(days=30)
    ann(
        "import",
        csv(
            tmp_path,
            "d.csv",
            f"{soon.isoformat()},acme-401k,pretax,contribution,100.00",
            "2009-05-01,acme-401k,pretax,contribution,100.00",
        ),
    )
    checks, _ = run_check(ann, code=1)
    msg = checks["dates"]["message"]
    assert "1 row(s) dated after today" in msg and "limits table does not cover" in msg
    assert sorted(checks["dates"]["records"]) == [1, 2]


def test_limits(ann):
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
        "24000",
    )
    ann(
        "ira",
        "contribute",
        "--person",
        "ann",
        "--date",
        "2025-02-10",
        "--account",
        "roth",
        "--amount",
        "8000",
    )
    checks, _ = run_check(ann, "--person", "ann", "--year", "2025", code=1)
    msg = checks["limits"]["message"]
    assert "excess deferral of 500.00" in msg and "IRA contributions" in msg and "IRC 4973" in msg
    assert run_check(ann, "--year", "2024")[0]["limits"]["status"] == "ok"


def test_sources(ann):
    ann("import", str(SAMPLES / "2025-acme-vanguard-retirement.csv"), "--plan", "acme-401k")
    checks, _ = run_check(ann, code=1)
    assert (
        checks["sources"]["status"] == "fail"
        and "source unknown from import #1" in checks["sources"]["message"]
    )
    assert len(checks["sources"]["records"]) > 0


def test_unknown_person_is_a_clean_error(ann):
    res = ann("check", "--person", "nobody", ok=False)
    assert res.exit_code == 2 and "unknown person" in res.stderr


# ---------------------------------------------------------------- pure rules

D = __import__("decimal").Decimal


def test_balance_rule():
    # a duplicated year: ledger 2x, statement 1x
    assert balance_out_of_proportion(D("-12000"), D("24000"), D("24000")).cause == "duplicate statement"
    # a bad market year on an old balance is not flagged
    assert balance_out_of_proportion(D("-36000"), D("120000"), D("20000")) is None
    # an opening balance (the ledger held nothing) is not flagged
    assert balance_out_of_proportion(D("50000"), D("0"), D("0")) is None
    # a gain without contributions (money sitting there) is the market's
    assert balance_out_of_proportion(D("300"), D("500"), D("0")) is None
    assert balance_out_of_proportion(D("6000"), D("3000"), D("3000")).cause == "missing statement"


def test_employer_key_and_pro_rata_rule():
    assert employer_key("Acme Corp.") == employer_key("ACME  corp") != employer_key("Acme Corporation")
    assert traditional_ira_inflows(2025, D("500"), D("0"), D("0")).status == "fail"
    assert traditional_ira_inflows(2025, D("500"), D("600"), D("7000")).status == "warn"
    assert traditional_ira_inflows(2025, D("500"), D("500"), D("0")) is None
    assert traditional_ira_inflows(2025, D("0"), None, D("7000")) is None


def test_report_year_and_the_summary_sheet_show_failing_checks(ann, tmp_path):
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
        "24000",
    )
    ann("plan", "add", "acme-two-401k", "--person", "ann", "--employer", "ACME corp")
    doc = ann.json("report", "year", "--person", "ann", "--year", "2025")
    assert sorted(c["name"] for c in doc["checks"]) == ["employer-names", "limits"]
    codes = {w["code"]: w for w in doc["warnings"]}
    assert codes["CHECK_EMPLOYER_NAMES"]["origin"] == "megaroth check"
    assert "megaroth check" in codes["CHECK_LIMITS"]["advice"]
    assert "CHECK_EMPLOYER_NAMES" in ann("report", "year", "--person", "ann", "--year", "2025").output
    out = tmp_path / "ann.xlsx"
    ann("export", "--person", "ann", "--year", "2025", "-o", str(out))
    import openpyxl

    ws = openpyxl.load_workbook(out, read_only=True)["Summary"]
    cells = [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert "CHECK_EMPLOYER_NAMES" in cells and "megaroth check" in cells
