"""The tax documents users receive, reconciled (issue 12): W-2, 1099-R from a file (CSV and OFX
TAX1099R), Form 5498, and the year's status."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def rows(db, sql, *args):
    with sqlite3.connect(db) as c:
        return c.execute(sql, args).fetchall()


@pytest.fixture
def ledger(ann):
    """ann with the demo's 2025: the OFX sample (26 paychecks, four in-plan conversions)."""
    ann("import", str(SAMPLES / "2025-acme.ofx"), "--plan", "acme-401k", "--map", "OTHERVEST=roth_irr")
    ann("wages", "set", "--plan", "acme-401k", "--year", "2025", "--compensation", "200000")
    return ann


def jout(m, *args):
    res = m(*args, "--format", "json", ok=False)
    return res.exit_code, json.loads(res.stdout)


def test_w2_matching_box12_and_box1_then_box3_stored_for_next_year(ledger):
    # the sample's pre-tax deferrals: 23,499.84 (D); box 1 = 200,000 - 23,499.84
    code, out = jout(
        ledger,
        "reconcile",
        "w2",
        "--person",
        "ann",
        "--employer",
        "acme corp",
        "--year",
        "2025",
        "--box1",
        "176500.16",
        "--box3",
        "200000",
        "--box12",
        "D=23499.84",
    )
    assert code == 0 and out["match"] and out["diff"] == []
    assert out["employer"] == "Acme Corp"
    assert ledger.sql("select w.year, w.fica_wages_cents from wages w order by year") == [
        (2025, None),
        (2026, 20000000),
    ]
    assert any("stored as Acme Corp's FICA wages for the 2026 Roth catch-up test" in n for n in out["notes"])
    assert ledger.sql("select code, amount_cents from received_w2_box12") == [("D", 2349984)]


def test_w2_differences_box_by_box_exit_1(ledger):
    ledger("wages", "set", "--plan", "acme-401k", "--year", "2026", "--fica-wages", "150000")
    code, out = jout(
        ledger,
        "reconcile",
        "w2",
        "--person",
        "ann",
        "--employer",
        "Acme Corp",
        "--year",
        "2025",
        "--box1",
        "170000",
        "--box3",
        "200000",
        "--box12",
        "D=23500",
        "--box12",
        "AA=1000",
    )
    assert code == 1 and not out["match"]
    got = {d["box"]: (d["received"], d["derived"], d["difference"]) for d in out["diff"]}
    assert got == {
        "box12D": ("23500.00", "23499.84", "0.16"),
        "box12AA": ("1000.00", "0.00", "1000.00"),
        "box1": ("170000.00", "176500.16", "-6500.16"),
        "box3": ("200000.00", "150000.00", "50000.00"),
    }
    # the stored FICA wages are compared, not overwritten
    assert ledger.sql("select fica_wages_cents from wages where year = 2026") == [(15000000,)]
    # re-entering replaces the earlier W-2
    ledger(
        "reconcile",
        "w2",
        "--person",
        "ann",
        "--employer",
        "Acme Corp",
        "--year",
        "2025",
        "--box12",
        "D=23499.84",
    )
    assert ledger.sql("select count(*) from received_w2") == [(1,)]
    assert ledger.sql("select code from received_w2_box12") == [("D",)]


def test_w2_bad_input_refused(ledger):
    for args, msg in [
        (["--employer", "Nope Inc", "--box1", "1"], "no plan at employer 'Nope Inc' (employers: Acme Corp)"),
        (["--employer", "Acme Corp", "--box12", "D"], "expected CODE=AMOUNT"),
        (["--employer", "Acme Corp", "--box12", "D=abc"], "--box12 D"),
        (["--employer", "Acme Corp", "--box12", "D=1", "--box12", "d=2"], "given twice"),
        (["--employer", "Acme Corp", "--box12", "9=1"], "not a box 12 code"),
        (["--employer", "Acme Corp"], "enter at least one box"),
    ]:
        res = ledger("reconcile", "w2", "--person", "ann", "--year", "2025", *args, ok=False)
        assert res.exit_code == 2 and msg in res.output, (args, res.output)
        assert "Traceback" not in res.output
    assert ledger.sql("select count(*) from received_w2") == [(0,)]


def _derived_1099r(m):
    out = m.json("form", "1099-r", "--person", "ann", "--year", "2025")
    return out["forms"]


def test_1099r_from_csv_every_form_one_summary(ledger, tmp_path):
    (form,) = _derived_1099r(ledger)
    csv = tmp_path / "forms.csv"
    csv.write_text(
        "payer,year,box1,box2a,box2b_not_determined,box2b_total,box4,box5,box7,box10,box11\n"
        f"acme-401k,2025,{form['box1']},{form['box2a']},,,0,{form['box5']},{form['box7']},,\n"
    )
    code, out = jout(ledger, "reconcile", "1099-r", "--from", str(csv))
    assert code == 0 and out["forms"] == 1 and out["matching"] == 1 and out["match"]
    assert ledger.sql("select count(*) from received_1099r") == [(1,)]
    # a second form that disagrees: one summary, exit 1, both stored
    csv.write_text(csv.read_text() + f"Acme Corp,2025,{form['box1']},1.00,,,,,{form['box7']},,\n")
    code, out = jout(ledger, "reconcile", "1099-r", "--from", str(csv))
    assert code == 1 and out["forms"] == 2 and out["matching"] == 1 and out["differing"] == 1
    bad = out["results"][1]
    assert bad["plan"] == "acme-401k" and bad["diff"][0]["box"] == "box2a"


def test_1099r_from_ofx_tax1099r(ledger, tmp_path):
    (form,) = _derived_1099r(ledger)
    ofx = tmp_path / "tax.ofx"
    ofx.write_text(
        '<?xml version="1.0"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n<OFX><TAX1099MSGSRSV1><TAX1099TRNRS>'
        "<TAX1099RS><TAX1099R_V100><SRVRTID>1</SRVRTID><TAXYEAR>2025</TAXYEAR>"
        f"<GROSSDIST>{form['box1']}</GROSSDIST><TAXAMT>{form['box2a']}</TAXAMT><EMPCONTINS>{form['box5']}</EMPCONTINS>"
        f"<DISTCODE>{form['box7']}</DISTCODE><PAYERADDR><PAYERNAME1>Acme Corp</PAYERNAME1></PAYERADDR>"
        "<PAYERID>12-3456789</PAYERID></TAX1099R_V100></TAX1099RS></TAX1099TRNRS></TAX1099MSGSRSV1></OFX>\n"
    )
    code, out = jout(ledger, "reconcile", "1099-r", "--from", str(ofx))
    assert code == 0 and out["forms"] == 1 and out["results"][0]["plan"] == "acme-401k", out


@pytest.mark.parametrize(
    "text,msg",
    [
        ("payer,year,box1\nnobody,2025,5\n", "forms.csv:2: payer 'nobody' is not a plan"),
        ("payer,year,box1\nacme-401k,20x5,5\n", "forms.csv:2: year: not a year"),
        ("payer,year,box1\nacme-401k,2025,5x\n", "forms.csv:2: box1"),
        ("payer,year,box1,colour\n", "unknown column(s) colour"),
        ("box1\n5\n", "header needs"),
        ("payer,year,box1\n", "no forms"),
        ("payer,year,box2b_total\nacme-401k,2025,maybe\n", "expected Y or N"),
        ("payer,year,box1,box7\nacme-401k,2025,5,GGG\n", "not a distribution code"),
        ("", "empty file"),
    ],
)
def test_1099r_from_bad_files_refused_nothing_stored(ledger, tmp_path, text, msg):
    f = tmp_path / "forms.csv"
    f.write_text(text)
    res = ledger("reconcile", "1099-r", "--from", str(f), ok=False)
    assert res.exit_code == 2 and msg in res.output, res.output
    assert "Traceback" not in res.output
    assert ledger.sql("select count(*) from received_1099r") == [(0,)]


def test_1099r_from_is_all_or_nothing(ledger, tmp_path):
    (form,) = _derived_1099r(ledger)
    f = tmp_path / "forms.csv"
    f.write_text(f"payer,year,box1,box7\nacme-401k,2025,{form['box1']},{form['box7']}\nnobody,2025,5,7\n")
    res = ledger("reconcile", "1099-r", "--from", str(f), ok=False)
    assert res.exit_code == 2 and "forms.csv:3" in res.output
    assert ledger.sql("select count(*) from received_1099r") == [(0,)]
    res = ledger("reconcile", "1099-r", "--from", str(f), "--plan", "acme-401k", ok=False)
    assert res.exit_code == 2 and "--from" in res.output


def test_5498_box5_recorded_then_compared(ann):
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
    ann("ira", "convert", "--person", "ann", "--date", "2025-02-03", "--amount", "7000")
    code, out = jout(
        ann,
        "reconcile",
        "5498",
        "--person",
        "ann",
        "--account",
        "traditional",
        "--year",
        "2025",
        "--box1",
        "7000",
        "--box5",
        "12.34",
    )
    assert code == 0 and out["match"], out
    assert ann.sql("select year, amount_cents from ira_value") == [(2025, 1234)]
    code, out = jout(
        ann,
        "reconcile",
        "5498",
        "--person",
        "ann",
        "--account",
        "roth",
        "--year",
        "2025",
        "--box3",
        "7000",
        "--box10",
        "0",
    )
    assert code == 0 and out["match"], out
    # a later, different box 5 is compared with the value the user recorded
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "20")
    code, out = jout(
        ann,
        "reconcile",
        "5498",
        "--person",
        "ann",
        "--account",
        "traditional",
        "--year",
        "2025",
        "--box1",
        "6000",
        "--box5",
        "12.34",
    )
    assert code == 1
    assert {d["box"]: (d["received"], d["derived"]) for d in out["diff"]} == {
        "box1": ("6000.00", "7000.00"),
        "box5": ("12.34", "20.00"),
    }
    assert ann.sql("select amount_cents from ira_value") == [(2000,)]


def test_status_received_matching_missing(ledger):
    st = ledger.json("reconcile", "status", "--person", "ann", "--year", "2025")
    docs = {(d["document"], d["status"]) for d in st["documents"]}
    assert docs == {("W-2", "missing"), ("1099-R", "missing")}
    assert not st["complete"]
    ledger(
        "reconcile",
        "w2",
        "--person",
        "ann",
        "--employer",
        "Acme Corp",
        "--year",
        "2025",
        "--box12",
        "D=23499.84",
    )
    (form,) = _derived_1099r(ledger)
    ledger(
        "reconcile",
        "1099-r",
        "--plan",
        "acme-401k",
        "--year",
        "2025",
        "--box1",
        form["box1"],
        "--code",
        form["box7"],
        ok=False,
    )
    st = ledger.json("reconcile", "status", "--person", "ann", "--year", "2025")
    got = {d["document"]: d["status"] for d in st["documents"]}
    assert got == {"W-2": "matches", "1099-R": "matches"} and st["complete"]
    ledger(
        "reconcile",
        "w2",
        "--person",
        "ann",
        "--employer",
        "Acme Corp",
        "--year",
        "2025",
        "--box12",
        "D=1",
        ok=False,
    )
    st = ledger.json("reconcile", "status", "--person", "ann", "--year", "2025")
    assert {d["document"]: (d["status"], d["detail"]) for d in st["documents"]}["W-2"] == (
        "differs",
        "box12D",
    )
    # status recomputes; it stores nothing
    assert ledger.sql("select count(*) from received_1099r") == [(1,)]


def _ira_docs(st):
    return {d["issuer"]: (d["status"], d["detail"]) for d in st["documents"] if d["issuer"].endswith(")")}


def test_status_lists_the_ira_custodians_1099rs_per_account(backdoor):
    st = backdoor.json("reconcile", "status", "--person", "ann", "--year", "2025")
    (form,) = backdoor.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"]
    assert (form["payer"], form["box1"], form["box7"]) == ("traditional-ira", "7000.00", "2")
    assert _ira_docs(st) == {
        "traditional IRA custodian (code 2)": ("missing", "the ledger derives box 1 7,000.00")
    }
    assert not st["complete"]
    args = ("reconcile", "1099-r", "--person", "ann", "--account", "traditional", "--year", "2025")
    backdoor(*args, "--box1", "7000", "--code", "2")
    st = backdoor.json("reconcile", "status", "--person", "ann", "--year", "2025")
    assert _ira_docs(st) == {"traditional IRA custodian (code 2)": ("matches", None)}
    assert ("1099-R", "traditional IRA custodian (code 2)", "matches") in {
        (d["document"], d["issuer"], d["status"]) for d in st["documents"]
    }
    # the custodian's form says 6,000: differs, box by box; the Roth IRA's custodian sent one the
    # ledger derives nothing for: differs too, with the reason
    backdoor(*args, "--box1", "6000", "--code", "2", ok=False)
    backdoor(
        "reconcile",
        "1099-r",
        "--person",
        "ann",
        "--account",
        "roth",
        "--year",
        "2025",
        "--box1",
        "100",
        "--code",
        "J",
        ok=False,
    )
    st = backdoor.json("reconcile", "status", "--person", "ann", "--year", "2025")
    docs = _ira_docs(st)
    assert docs["traditional IRA custodian (code 2)"] == ("differs", "box1")
    assert docs["roth IRA custodian (code J)"] == ("differs", "box1, box7")  # the ledger: no such form
    # status compares; it stores nothing and changes nothing
    assert backdoor.sql("select account, box1_cents, box7 from received_ira_1099r order by id") == [
        ("traditional", 600000, "2"),
        ("roth", 10000, "J"),
    ]
    table = backdoor("reconcile", "status", "--person", "ann", "--year", "2025").output
    assert "traditional IRA custodian" in table


def _roth_5498(m, *boxes, ok=False):
    return jout(m, "reconcile", "5498", "--person", "ann", "--account", "roth", "--year", "2025", *boxes)


def test_roth_5498_box5_recorded_then_compared_with_the_roth_ira_value(backdoor):
    # no Roth IRA value recorded: box 5 becomes it (Form 5329 line 25)
    code, out = _roth_5498(backdoor, "--box3", "7000", "--box5", "7012.50")
    assert code == 0 and out["match"], out
    assert backdoor.sql("select year, amount_cents from roth_ira_value") == [(2025, 701250)]
    assert any("December 31, 2025 Roth IRA value (7,012.50)" in n for n in out["notes"])
    # the form entered again with another box 5 corrects the value it recorded
    code, out = _roth_5498(backdoor, "--box3", "7000", "--box5", "7015")
    assert code == 0 and out["match"], out
    assert backdoor.sql("select amount_cents from roth_ira_value") == [(701500,)]
    # a value the user recorded is compared: exit 1, box 5 in the diff
    backdoor("ira", "value", "--person", "ann", "--year", "2025", "--amount", "7100", "--account", "roth")
    code, out = _roth_5498(backdoor, "--box3", "7000", "--box5", "7015")
    assert code == 1 and not out["match"]
    assert out["diff"] == [
        {"box": "box5", "received": "7015.00", "derived": "7100.00", "difference": "-85.00"}
    ]
    assert any("ira value --account roth" in n for n in out["notes"])
    assert backdoor.sql("select amount_cents from roth_ira_value") == [(710000,)]
    res = backdoor(
        "reconcile",
        "5498",
        "--person",
        "ann",
        "--account",
        "roth",
        "--year",
        "2025",
        "--box3",
        "7000",
        "--box5",
        "7015",
        ok=False,
    )
    assert res.exit_code == 1 and "box5" in res.output and "DIFFERS" in res.output
    st = backdoor.json("reconcile", "status", "--person", "ann", "--year", "2025")
    assert {(d["issuer"], d["status"], d["detail"]) for d in st["documents"] if d["document"] == "5498"} >= {
        ("roth IRA", "differs", "box5")
    }
    # the traditional IRA's value is not touched by the Roth IRA's form
    assert backdoor.sql("select amount_cents from ira_value") == [(0,)]


def test_traditional_5498_entered_again_corrects_the_value_it_recorded(ann):
    args = ("reconcile", "5498", "--person", "ann", "--account", "traditional", "--year", "2025")
    ann(*args, "--box5", "100")
    assert ann.sql("select amount_cents from ira_value") == [(10000,)]
    ann(*args, "--box5", "120")
    assert ann.sql("select amount_cents from ira_value") == [(12000,)]
    # two custodians: summed
    ann(*args, "--box5", "30", "--custodian", "other")
    assert ann.sql("select amount_cents from ira_value") == [(15000,)]
