"""Corrections for the record kinds issues 11 and 12 added (issue 9's gap): tax years, Roth IRA
December 31 values, opening basis, IRA custodians' 1099-Rs, plan corrections, received W-2s and
Forms 5498. Each: listed with its `id`, `edit ID` with the add command's options, `rm ID`, both
in `megaroth log` with the values before and after; entering a document again is logged as an
edit of the one entered before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OFX = ROOT / "tests" / "ofx"


def log(m, record):
    return [c for c in m.json("log") if c["record"] == record]


def jcode(m, *args):
    res = m(*args, "--format", "json", ok=False)
    return res.exit_code, (json.loads(res.stdout) if res.stdout.startswith(("{", "[")) else res.output)


# ------------------------------------------------------------------------------- tax years
def test_tax_year_list_edit_rm(ann):
    args = ("tax-year", "set", "--person", "ann", "--year", "2025", "--filing-status", "single")
    ann(*args, "--magi", "150000")
    (row,) = ann.json("tax-year", "list", "--person", "ann")["tax_years"]
    assert (row["id"], row["magi"], row["filing_status"]) == (1, "150000.00", "single")
    limits = ann.json("tax-year", "show", "--person", "ann", "--year", "2025")
    assert limits["roth_allowed"] == "7000.00"
    # MAGI corrected into the Roth phase-out (2025 single: 150,000-165,000): the limit follows
    res = ann.json("tax-year", "edit", "1", "--magi", "157500")
    assert (res["before"]["magi"], res["after"]["magi"]) == ("150000.00", "157500.00")
    assert res["after"]["filing_status"] == "single"  # not given: kept
    assert ann.json("tax-year", "show", "--person", "ann", "--year", "2025")["roth_allowed"] == "3500.00"
    ann("tax-year", "edit", "1", "--not-covered", "--compensation", "5000")
    assert ann.json("tax-year", "list", "--person", "ann")["tax_years"][0]["covered"] is False
    res = ann.json("tax-year", "edit", "1", "--covered-derived", "--no-compensation")
    assert (res["after"]["covered"], res["after"]["compensation"]) == (None, None)
    # the same checks as `tax-year set`, one line, nothing changed
    res = ann("tax-year", "edit", "1", "--spouse-covered", ok=False)
    assert res.exit_code == 2 and "married filing" in res.output and "Traceback" not in res.output
    res = ann("tax-year", "edit", "1", "--year", "1990", ok=False)  # outside the limits table
    assert res.exit_code == 3 and "1990" in res.output and "Traceback" not in res.output
    assert ann("tax-year", "edit", "9", "--magi", "1", ok=False).output.startswith("Error: no tax year #9")
    ann("tax-year", "set", "--person", "ann", "--year", "2024", "--filing-status", "single", "--magi", "1")
    res = ann("tax-year", "edit", "1", "--year", "2024", ok=False)
    assert res.exit_code == 2 and "tax year #2 already covers 2024" in res.output
    ann("tax-year", "rm", "1", "--reason", "entered for the wrong person")
    assert [r["year"] for r in ann.json("tax-year", "list", "--person", "ann")["tax_years"]] == [2024]
    actions = [(c["action"], c["id"]) for c in log(ann, "tax-year")]
    assert actions == [("rm", 1), ("add", 2), ("edit", 1), ("edit", 1), ("edit", 1), ("add", 1)]
    rm = log(ann, "tax-year")[0]
    assert rm["before"]["magi"] == "157500.00" and rm["after"] is None
    assert rm["reason"] == "entered for the wrong person"


# ------------------------------------------------------------------------------- Roth IRA values
def test_roth_ira_values_list_edit_rm_apart_from_the_traditional_ones(ann):
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "10")
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "7400", "--account", "roth")
    assert ann.json("ira", "value", "list", "--person", "ann")["ira_values"] == [
        {"id": 1, "person": "ann", "year": 2025, "amount": "10.00", "after_recharacterizations": False}
    ]
    roth = ann.json("ira", "value", "list", "--person", "ann", "--account", "roth")["ira_values"]
    assert roth == [{"id": 1, "person": "ann", "year": 2025, "amount": "7400.00"}]
    res = ann.json("ira", "value", "edit", "1", "--amount", "7900", "--account", "roth")
    assert (res["record"], res["before"]["amount"], res["after"]["amount"]) == (
        "roth-ira-value",
        "7400.00",
        "7900.00",
    )
    assert ann.sql("select amount_cents from ira_value") == [(1000,)]  # the traditional one: untouched
    assert ann.sql("select amount_cents from roth_ira_value") == [(790000,)]
    ann("ira", "value", "rm", "1", "--account", "roth")
    assert ann.sql("select count(*) from roth_ira_value") == [(0,)]
    assert ann.sql("select count(*) from ira_value") == [(1,)]
    res = ann("ira", "value", "rm", "1", "--account", "roth", ok=False)
    assert res.exit_code == 2 and "no December 31 Roth IRA value #1" in res.output
    assert [c["action"] for c in log(ann, "roth-ira-value")] == ["rm", "edit", "add"]


# ------------------------------------------------------------------------------- opening basis
@pytest.fixture
def opening(bo):
    """bo's wid-401k with an after-tax opening balance of 14,000 (a first imported statement)."""
    bo("plan", "add", "other-401k", "--person", "bo", "--employer", "Other")
    bo("import", str(OFX / "loan-and-first-statement.ofx"), "--plan", "wid-401k")
    return bo


def test_opening_basis_list_edit_rm(opening):
    bo = opening
    bo("basis", "set", "--plan", "wid-401k", "--aftertax", "12000")
    (row,) = bo.json("basis", "list", "--plan", "wid-401k")["opening_basis"]
    assert (row["id"], row["source"], row["basis"], row["opening_balance"]) == (
        1,
        "aftertax",
        "12000.00",
        "14000.00",
    )
    assert bo.json("basis", "list", "--person", "bo")["opening_basis"] == [row]
    assert bo.json("basis", "list", "--plan", "wid-401k", "--person", "bo") == {"opening_basis": [row]}
    assert bo("basis", "list", ok=False).exit_code == 2
    assert "Basis in plans' opening balances" in bo("basis", "list", "--person", "bo").output
    res = bo.json("basis", "edit", "1", "--plan", "wid-401k", "--aftertax", "13000")
    assert (res["record"], res["before"]["basis"], res["after"]["basis"]) == (
        "opening-basis",
        "12000.00",
        "13000.00",
    )
    conv = bo.json(
        "convert", "--plan", "wid-401k", "--date", "2025-03-03", "--amount", "5000", "--to", "in-plan"
    )
    assert conv["basis_before"] == "14000.00"  # 13,000 opening basis + 1,000 contributed
    # the wrong plan, the wrong source, no plan at all: one line each, nothing changed
    for args, msg in (
        (("--plan", "other-401k", "--aftertax", "1"), "not other-401k's"),
        (("--plan", "wid-401k", "--roth", "1"), "is the aftertax one"),
        (("--aftertax", "1"), "need --plan"),
        (("--plan", "wid-401k", "--aftertax", "1", "--traditional", "5"), "no IRA figures"),
        (("--plan", "wid-401k", "--aftertax", "-1"), "must not be negative"),
    ):
        res = bo("basis", "edit", "1", *args, ok=False)
        assert res.exit_code == 2 and msg in res.output, (args, res.output)
    assert bo.sql("select basis_cents from opening_basis") == [(1300000,)]
    # removed: unknown again, and `check` asks for it
    bo("conversion", "rm", "1")
    bo("basis", "rm", "1", "--plan", "wid-401k")
    assert bo.sql("select count(*) from opening_basis") == [(0,)]
    checks = {c["name"]: c for c in json.loads(bo("check", "--format", "json", ok=False).stdout)["checks"]}
    assert checks["opening-basis"]["status"] == "fail"
    assert [c["action"] for c in log(bo, "opening-basis")] == ["rm", "edit", "add"]
    assert log(bo, "opening-basis")[0]["before"]["plan"] == "wid-401k"


# ------------------------------------------------------------------------------- IRA custodians' 1099-Rs
IRA_1099R = ("reconcile", "1099-r", "--person", "ann", "--account", "traditional", "--year", "2025")


def test_ira_custodian_1099r_list_edit_rm(backdoor):
    m = backdoor
    m(*IRA_1099R, "--box1", "6000", "--code", "2", ok=False)  # a typo: 7,000 on the form
    m(*IRA_1099R, "--box1", "6500", "--code", "2", ok=False)  # entered again: replaces it
    rows = m.json("reconcile", "list", "--account", "traditional")["received_ira_1099r"]
    assert [(r["id"], r["account"], r["box1"], r["box7"]) for r in rows] == [
        (1, "traditional", "6500.00", "2")
    ]
    assert m.json("reconcile", "list")["received_1099r"] == []  # the plans' list is apart
    res = m.json("reconcile", "edit", "1", "--account", "traditional", "--box1", "7000")
    assert (res["record"], res["before"]["box1"], res["after"]["box1"]) == (
        "ira-1099-r",
        "6500.00",
        "7000.00",
    )
    st = m.json("reconcile", "status", "--person", "ann", "--year", "2025")
    assert {d["issuer"]: d["status"] for d in st["documents"]}[
        "traditional IRA custodian (code 2)"
    ] == "matches"
    # an IRA custodian's form has no plan boxes; the wrong account is named
    res = m("reconcile", "edit", "1", "--account", "traditional", "--box5", "1", ok=False)
    assert res.exit_code == 2 and "leaves it blank" in res.output
    res = m("reconcile", "edit", "1", "--account", "roth", "--box1", "1", ok=False)
    assert res.exit_code == 2 and "give --account traditional" in res.output
    res = m("reconcile", "edit", "1", "--account", "traditional", "--no-box1", "--no-code", ok=False)
    assert res.exit_code == 2 and "at least one box" in res.output
    m("reconcile", "rm", "1", "--account", "traditional")
    assert m.sql("select count(*) from received_ira_1099r") == [(0,)]
    assert [c["action"] for c in log(m, "ira-1099-r")] == ["rm", "edit", "edit", "add"]


# ------------------------------------------------------------------------------- plan corrections
@pytest.fixture
def excess(ann):
    """ann defers 30,000 pretax in 2025: 6,500 over the 23,500 limit (IRC 402(g)(1))."""
    for day in ("2025-06-15", "2025-09-15"):
        ann(
            "contribution",
            "add",
            "--plan",
            "acme-401k",
            "--date",
            day,
            "--source",
            "pretax",
            "--amount",
            "15000",
        )
    return ann


CORRECTION = (
    "correction",
    "add",
    "--plan",
    "acme-401k",
    "--date",
    "2026-03-20",
    "--kind",
    "excess-deferral",
    "--tax-year",
    "2025",
)


def test_plan_correction_list_edit_rm_and_its_withdrawal_follows(excess):
    m = excess
    m(*CORRECTION, "--amount", "6000", "--earnings", "100")
    (row,) = m.json("correction", "list", "--person", "ann")["corrections"]
    assert (row["id"], row["amount"], row["earnings"]) == (1, "6000.00", "100.00")
    assert m.sql("select amount_cents, date from entry where origin = 'correction #1'") == [
        (-610000, "2026-03-20")
    ]
    res = m.json("correction", "edit", "1", "--amount", "6500", "--earnings", "120.50")
    assert (res["record"], res["before"]["amount"], res["after"]["amount"]) == (
        "correction",
        "6000.00",
        "6500.00",
    )
    assert m.sql("select amount_cents from entry where origin = 'correction #1'") == [(-662050,)]
    forms = m.json("form", "1099-r", "--person", "ann", "--year", "2026")["forms"]
    assert sorted((f["box7"], f["box1"]) for f in forms) == [("8", "120.50"), ("P", "6500.00")]
    # the same checks as `correction add`: at most the excess (its own amount not counted twice)
    res = m("correction", "edit", "1", "--amount", "6501", ok=False)
    assert res.exit_code == 2 and "at most 6,500.00 more" in res.output
    assert m.sql("select amount_cents from plan_correction") == [(650000,)]
    m("correction", "rm", "1")
    assert m.sql("select count(*) from plan_correction") == [(0,)]
    assert m.sql("select count(*) from entry where origin like 'correction #%'") == [(0,)]
    codes = [w["code"] for w in m.json("headroom", "--person", "ann", "--year", "2025")["warnings"]]
    assert "EXCESS_DEFERRAL" in codes  # uncorrected again
    assert [c["action"] for c in log(m, "correction")] == ["rm", "edit", "add"]
    assert m("correction", "rm", "1", ok=False).output.startswith("Error: no correction #1")


# ------------------------------------------------------------------------------- W-2s
W2 = ("reconcile", "w2", "--person", "ann", "--employer", "Acme Corp", "--year", "2025")


def test_w2_list_edit_rm(ann):
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
    assert ann(*W2, "--box12", "D=990", ok=False).exit_code == 1  # a typo
    assert ann(*W2, "--box12", "D=990", "--box12", "AA=5", ok=False).exit_code == 1  # again: replaces it
    (row,) = ann.json("reconcile", "w2", "list", "--person", "ann")["w2"]
    assert (row["id"], row["employer"], row["box12"]) == (1, "Acme Corp", {"AA": "5.00", "D": "990.00"})
    code, res = jcode(
        ann, "reconcile", "w2", "edit", "1", "--box12", "D=900", "--no-box12", "AA", "--box1", "100"
    )
    assert code == 0 and res["match"] is True and res["diff"] == []
    assert any("box 1 not compared" in n for n in res["notes"])  # no compensation recorded
    assert res["before"]["box12"] == {"AA": "5.00", "D": "990.00"}
    assert res["after"]["box12"] == {"D": "900.00"}
    assert (res["before"]["box1"], res["after"]["box1"]) == (None, "100.00")
    code, res = jcode(ann, "reconcile", "w2", "edit", "1", "--no-box1")
    assert code == 0 and res["match"] is True and res["after"]["box1"] is None
    st = ann.json("reconcile", "status", "--person", "ann", "--year", "2025")
    assert {d["document"]: d["status"] for d in st["documents"]}["W-2"] == "matches"
    assert "it matches the ledger" in ann("reconcile", "w2", "edit", "1", "--box12", "D=900").output
    res = ann("reconcile", "w2", "edit", "1", "--no-box12", "E", ok=False)
    assert res.exit_code == 2 and "has no box 12 code E" in res.output
    res = ann("reconcile", "w2", "edit", "1", "--employer", "Nobody Inc", ok=False)
    assert res.exit_code == 2 and "no plan at employer 'Nobody Inc'" in res.output
    ann("reconcile", "w2", "rm", "1")
    assert ann.sql("select count(*) from received_w2") == [(0,)]
    assert ann.sql("select count(*) from received_w2_box12") == [(0,)]
    assert [c["action"] for c in log(ann, "w2")] == ["rm", "edit", "edit", "edit", "edit", "add"]
    assert log(ann, "w2")[0]["before"]["box12"] == {"D": "900.00"}
    # the old spelling still records one
    assert "W-2 from Acme Corp for 2025" in ann(*W2, "--box12", "D=900").output


def _fica(m):
    return m.sql("select year, fica_wages_cents from wages order by year")


def test_w2_box3_edit_updates_the_fica_wages_it_stored(ann):
    assert ann(*W2, "--box3", "200000").exit_code == 0
    assert _fica(ann) == [(2026, 20000000)]
    (added,) = log(ann, "wages")  # recording logs the FICA wages it stores
    assert (added["action"], added["before"], added["after"]["fica_wages"]) == ("add", None, "200000.00")
    code, res = jcode(ann, "reconcile", "w2", "edit", "1", "--box3", "210000")
    assert code == 0 and res["match"] is True and res["diff"] == []
    assert _fica(ann) == [(2026, 21000000)]  # box 3 corrected: the FICA wages it stored follow
    assert any("210,000.00 stored as Acme Corp's FICA wages for the 2026" in n for n in res["notes"])
    edit = log(ann, "wages")[0]
    assert edit["action"] == "edit" and edit["reason"] == "W-2 #1 box 3"
    assert (edit["before"]["fica_wages"], edit["after"]["fica_wages"]) == ("200000.00", "210000.00")
    # other boxes edited: the FICA wages stay as they are, nothing more logged
    ann("reconcile", "w2", "edit", "1", "--box1", "1")
    assert _fica(ann) == [(2026, 21000000)] and len(log(ann, "wages")) == 2
    # entering the W-2 again with another box 3 replaces it: the same
    assert ann(*W2, "--box3", "205000").exit_code == 0
    assert _fica(ann) == [(2026, 20500000)] and len(log(ann, "wages")) == 3


def test_w2_box3_edit_leaves_fica_wages_set_by_hand(ann):
    ann(*W2, "--box3", "200000")
    ann("wages", "edit", "1", "--fica-wages", "150000")  # the user's own figure
    code, res = jcode(ann, "reconcile", "w2", "edit", "1", "--box3", "210000")
    assert code == 1 and res["match"] is False  # compared, as recording does, not overwritten
    assert [(d["box"], d["received"], d["derived"]) for d in res["diff"]] == [
        ("box3", "210000.00", "150000.00")
    ]
    assert any("fix it with `megaroth wages set" in n for n in res["notes"])
    assert _fica(ann) == [(2026, 15000000)]
    assert [c["action"] for c in log(ann, "wages")] == ["edit", "add"]  # the user's edit and the add
    out = ann("reconcile", "w2", "edit", "1", "--box3", "210000", ok=False)
    assert out.exit_code == 1 and "it DIFFERS from the ledger" in out.output
    assert ann.json("reconcile", "w2", "list", "--person", "ann")["w2"][0]["box3"] == "210000.00"  # kept


def test_w2_and_5498_edits_exit_1_when_they_differ_like_recording(ann):
    assert ann(*W2, "--box12", "D=10", ok=False).exit_code == 1
    assert ann("reconcile", "w2", "edit", "1", "--box12", "D=20", ok=False).exit_code == 1
    assert ann("reconcile", "w2", "edit", "1", "--box12", "D=0").exit_code == 0
    f5498 = ("reconcile", "5498", "--person", "ann", "--account", "traditional", "--year", "2025")
    assert ann(*f5498, "--box1", "7000", ok=False).exit_code == 1
    code, res = jcode(ann, "reconcile", "5498", "edit", "1", "--box1", "6000")
    assert code == 1 and res["match"] is False and res["after"]["box1"] == "6000.00"
    assert ann.json("reconcile", "5498", "list", "--person", "ann")["5498"][0]["box1"] == "6000.00"
    assert ann("reconcile", "5498", "edit", "1", "--box1", "0").exit_code == 0


# ------------------------------------------------------------------------------- Forms 5498
F5498 = ("reconcile", "5498", "--person", "ann", "--account", "roth", "--year", "2025")


def test_5498_list_edit_rm_box5_follows(backdoor):
    m = backdoor
    m(*F5498, "--box3", "7000", "--box5", "7100")
    assert m.sql("select amount_cents from roth_ira_value") == [(710000,)]
    (row,) = m.json("reconcile", "5498", "list", "--person", "ann")["5498"]
    assert (row["id"], row["account"], row["box3"], row["box5"], row["box5_recorded_as_value"]) == (
        1,
        "roth",
        "7000.00",
        "7100.00",
        True,
    )
    code, res = jcode(m, "reconcile", "5498", "edit", "1", "--box5", "7012.50")
    assert code == 0 and res["match"] is True
    assert (res["before"]["box5"], res["after"]["box5"]) == ("7100.00", "7012.50")
    assert m.sql("select amount_cents from roth_ira_value") == [(701250,)]  # the value it recorded follows
    # the value box 5 recorded, and its change, are in the change log like `ira value`'s own
    values = log(m, "roth-ira-value")
    assert [(c["action"], c["reason"]) for c in values] == [
        ("edit", "Form 5498 #1 box 5"),
        ("add", "Form 5498 #1 box 5"),
    ]
    assert (values[0]["before"]["amount"], values[0]["after"]["amount"]) == ("7100.00", "7012.50")
    assert values[1]["before"] is None and values[1]["after"]["amount"] == "7100.00"
    code, res = jcode(m, "reconcile", "5498", "edit", "1", "--box3", "6000")
    assert res["match"] is False and [d["box"] for d in res["diff"]] == ["box3"]
    assert code == 1 and "DIFFERS" in m("reconcile", "5498", "edit", "1", "--box3", "6000", ok=False).output
    m("reconcile", "5498", "edit", "1", "--no-box3")
    assert m.json("reconcile", "5498", "list", "--person", "ann")["5498"][0]["box3"] is None
    res = m("reconcile", "5498", "edit", "1", "--no-box5", "--box5", "1", ok=False)
    assert res.exit_code == 2 and "not both" in res.output
    m("reconcile", "5498", "rm", "1")
    assert m.sql("select count(*) from received_5498") == [(0,)]
    assert m.sql("select amount_cents from roth_ira_value") == [(701250,)]  # the value stays
    assert [c["action"] for c in log(m, "5498")] == ["rm", "edit", "edit", "edit", "edit", "add"]
    res = m("reconcile", "5498", "rm", "1", ok=False)
    assert res.exit_code == 2 and "no Form 5498 #1" in res.output


def test_every_new_list_has_an_id_key(backdoor, tmp_path):
    m = backdoor
    m("tax-year", "set", "--person", "ann", "--year", "2025", "--filing-status", "single", "--magi", "1")
    m("ira", "value", "--person", "ann", "--year", "2025", "--amount", "1", "--account", "roth")
    m(*IRA_1099R, "--box1", "7000", "--code", "2")
    m(*W2, "--box12", "D=0", ok=False)
    m(*F5498, "--box3", "7000")
    lists = {
        "tax_years": ("tax-year", "list", "--person", "ann"),
        "ira_values": ("ira", "value", "list", "--person", "ann", "--account", "roth"),
        "received_ira_1099r": ("reconcile", "list", "--account", "traditional"),
        "w2": ("reconcile", "w2", "list", "--person", "ann"),
        "5498": ("reconcile", "5498", "list", "--person", "ann"),
        "corrections": ("correction", "list", "--person", "ann"),
    }
    for key, args in lists.items():
        rows = m.json(*args)[key]
        assert all(isinstance(r["id"], int) for r in rows), key
        assert key == "corrections" or rows, key
