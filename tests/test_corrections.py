"""Corrections (issue 9): every kind of record can be listed with its id, edited and removed;
every edit and removal is in the change log; a removed imported row stays removed."""

from __future__ import annotations

from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
GENERIC = SAMPLES / "2025-acme-generic.csv"


def _seed(m):
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
        "2025-02-28",
        "--source",
        "aftertax",
        "--amount",
        "20500",
    )
    m("convert", "--plan", "acme-401k", "--date", "2025-03-03", "--amount", "20500", "--to", "in-plan")


# -- user story 1: a typo is not permanent; plan add can be redone ---------------------------
def test_story_1_typo_and_plan_features_can_be_corrected(megaroth):
    m = megaroth
    m("person", "add", "ann", "--born", "1985-04-02")
    m("plan", "add", "acme-401k", "--person", "ann", "--employer", "Acme Corp")  # forgot --after-tax
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
        "90385",
    )  # typo: 903.85
    r = m(
        "convert",
        "--plan",
        "acme-401k",
        "--date",
        "2025-03-03",
        "--amount",
        "500",
        "--to",
        "in-plan",
        ok=False,
    )
    assert r.exit_code == 2
    assert "megaroth plan edit acme-401k --after-tax" in r.output
    # the advice is a real command that works
    m("plan", "edit", "acme-401k", "--after-tax", "--in-plan-conversion")
    plans = m.json("plan", "list")["plans"]
    assert plans[0]["after_tax"] and plans[0]["in_plan_conversion"] and "id" in plans[0]
    cid = m.json("contribution", "list")["contributions"][0]["id"]
    m("contribution", "edit", str(cid), "--amount", "903.85", "--memo", "fixed typo")
    rows = m.json("contribution", "list")["contributions"]
    assert [(r["id"], r["amount"], r["memo"]) for r in rows] == [(cid, "903.85", "fixed typo")]
    m("convert", "--plan", "acme-401k", "--date", "2025-03-03", "--amount", "500", "--to", "in-plan")
    # the corrections are in the log with before and after
    log = m.json("log")
    edit = next(e for e in log if e["action"] == "edit" and e["record"] == "contribution")
    assert (
        edit["id"] == cid and edit["before"]["amount"] == "90385.00" and edit["after"]["amount"] == "903.85"
    )
    plan_edit = next(e for e in log if e["action"] == "plan-edit")
    assert plan_edit["before"]["after_tax"] is False and plan_edit["after"]["after_tax"] is True
    # and can be turned off again (every feature has a --no- form)
    m("plan", "edit", "acme-401k", "--no-in-service-withdrawal", "--employer", "Acme Corporation")
    assert m.json("plan", "list")["plans"][0]["employer"] == "Acme Corporation"


def test_after_tax_warning_names_a_real_command(ann):
    ann("plan", "add", "other", "--person", "ann", "--employer", "Other Inc")
    ann(
        "contribution",
        "add",
        "--plan",
        "other",
        "--date",
        "2025-01-15",
        "--source",
        "aftertax",
        "--amount",
        "100",
    )
    out = ann.json("headroom", "--person", "ann", "--year", "2025")
    msg = next(w["message"] for w in out["warnings"] if w["code"] == "AFTER_TAX_NOT_ALLOWED")
    assert "megaroth plan edit other --after-tax" in msg
    ann("plan", "edit", "other", "--after-tax")
    out = ann.json("headroom", "--person", "ann", "--year", "2025")
    assert not [w for w in out["warnings"] if w["code"] == "AFTER_TAX_NOT_ALLOWED"]


def test_person_edit(ann):
    ann("person", "edit", "ann", "--born", "1960-01-01", "--name", "anne")
    people = ann.json("person", "list")["people"]
    assert [(p["name"], p["born"]) for p in people] == [("anne", "1960-01-01")] and "id" in people[0]
    e = ann.json("log")[0]
    assert e["action"] == "person-edit" and e["before"]["name"] == "ann" and e["after"]["name"] == "anne"
    assert ann("person", "edit", "nobody", "--born", "1960-01-01", ok=False).exit_code == 2


def test_contribution_edit_rm_validate_like_add(ann):
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
        "5",
    )
    assert ann("contribution", "edit", "1", "--amount", "0", ok=False).exit_code == 2
    assert ann("contribution", "edit", "1", "--tax-year", "2030", ok=False).exit_code == 2
    assert ann("contribution", "edit", "99", "--amount", "1", ok=False).exit_code == 2
    ann("contribution", "edit", "1", "--date", "2026-01-02")
    row = ann.json("contribution", "list")["contributions"][0]
    assert (row["date"], row["tax_year"]) == ("2026-01-02", 2026)  # the tax year followed the date
    ann("contribution", "rm", "1", "--reason", "entered twice")
    assert ann.json("contribution", "list")["contributions"] == []
    e = ann.json("log")[0]
    assert (e["action"], e["record"], e["id"], e["after"], e["reason"]) == (
        "rm",
        "contribution",
        1,
        None,
        "entered twice",
    )
    assert e["before"]["amount"] == "5.00"


def test_an_edit_that_breaks_a_later_conversion_is_refused(ann):
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
    ann("convert", "--plan", "acme-401k", "--date", "2025-03-03", "--amount", "20000", "--to", "in-plan")
    r = ann("contribution", "edit", "1", "--amount", "100", ok=False)
    assert r.exit_code == 2 and "above the after-tax sub-account balance" in r.output
    assert ann("contribution", "rm", "1", ok=False).exit_code == 2
    assert ann.json("contribution", "list")["contributions"][0]["amount"] == "20000.00"
    assert [e["action"] for e in ann.json("log")][:1] == ["add"]  # nothing logged for the refusals


def test_a_balance_assertion_difference_follows_an_earlier_correction(ann):
    _seed(ann)  # 20,000 in, statement 20,500 on Feb 28: 500 of earnings
    ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-02-01",
        "--source",
        "aftertax",
        "--amount",
        "100",
    )
    bal = ann.json("balance", "list")["balances"][0]
    assert (bal["ledger"], bal["difference"]) == ("20100.00", "400.00")
    late = ann.json("contribution", "list")["contributions"][-1]
    assert late["date"] == "2025-02-01"
    ann("contribution", "rm", str(late["id"]))
    assert ann.json("balance", "list")["balances"][0]["difference"] == "500.00"


def test_conversion_list_edit_rm_figures_recomputed(ann):
    _seed(ann)
    conv = ann.json("conversion", "list")["conversions"][0]
    assert (conv["gross"], conv["basis"], conv["taxable"]) == ("20500.00", "20000.00", "500.00")
    # an earlier correction shows at once in the conversion, the 1099-R and the report
    ann("contribution", "edit", "1", "--amount", "20100")
    conv = ann.json("conversion", "list")["conversions"][0]
    assert (conv["basis"], conv["taxable"]) == ("20100.00", "400.00")
    f = ann.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"][0]
    assert (f["box2a"], f["box5"]) == ("400.00", "20100.00")
    rep = ann.json("report", "year", "--person", "ann", "--year", "2025")
    assert rep["conversions"][0]["taxable"] == "400.00"
    ann("conversion", "edit", str(conv["id"]), "--basis", "20000")
    assert ann.json("conversion", "list")["conversions"][0]["taxable"] == "500.00"
    ann("conversion", "edit", str(conv["id"]), "--no-basis", "--amount", "10000", "--memo", "half")
    conv = ann.json("conversion", "list")["conversions"][0]
    assert (conv["id"], conv["gross"], conv["memo"]) == (1, "10000.00", "half")
    assert ann("conversion", "edit", "1", "--amount", "99999", ok=False).exit_code == 2
    ann("conversion", "rm", "1")
    assert ann.json("conversion", "list")["conversions"] == []
    assert ann.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"] == []
    actions = [(e["action"], e["record"]) for e in ann.json("log")[:4]]
    assert actions == [
        ("rm", "conversion"),
        ("edit", "conversion"),
        ("edit", "conversion"),
        ("edit", "contribution"),
    ]


def test_balance_assert_replaces_and_edit_rm(ann):
    _seed(ann)
    ann(
        "balance",
        "assert",
        "--plan",
        "acme-401k",
        "--date",
        "2025-02-28",
        "--source",
        "aftertax",
        "--amount",
        "20400",
    )
    bal = ann.json("balance", "list")["balances"]
    assert len(bal) == 1 and bal[0]["difference"] == "400.00" and bal[0]["id"] == 1
    e = ann.json("log")[0]
    assert (e["action"], e["record"], e["before"]["amount"], e["after"]["amount"]) == (
        "edit",
        "balance",
        "20500.00",
        "20400.00",
    )
    # its earnings row cannot be edited on its own
    earn = ann.json("earnings", "list")["earnings"]
    assert len(earn) == 1 and earn[0]["amount"] == "400.00"
    r = ann("earnings", "rm", str(earn[0]["id"]), ok=False)
    assert "balance edit|rm 1" in r.output
    ann("balance", "edit", "1", "--amount", "20600")
    assert ann.json("earnings", "list")["earnings"][0]["amount"] == "600.00"
    # 20,500 of 20,600 converted: basis 20,000 x 20,500 / 20,600 = 19,902.91
    assert ann.json("conversion", "list")["conversions"][0]["taxable"] == "597.09"
    ann("conversion", "edit", "1", "--amount", "20000")
    ann("balance", "rm", "1")
    assert ann.json("balance", "list")["balances"] == [] and ann.json("earnings", "list")["earnings"] == []
    assert ann.json("conversion", "list")["conversions"][0]["taxable"] == "0.00"


def test_balance_rm_refused_when_a_conversion_needs_its_earnings(ann):
    _seed(ann)
    r = ann("balance", "rm", "1", ok=False)
    assert r.exit_code == 2 and "above the after-tax sub-account balance" in r.output
    assert len(ann.json("balance", "list")["balances"]) == 1


def test_earnings_edit_rm(ann):
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
        "-10",
    )
    eid = ann.json("earnings", "list", "--plan", "acme-401k")["earnings"][0]["id"]
    assert ann("earnings", "edit", str(eid), "--amount", "-2000", ok=False).exit_code == 2  # below zero
    ann("earnings", "edit", str(eid), "--amount", "25", "--memo", "gain")
    row = ann.json("earnings", "list")["earnings"][0]
    assert (row["amount"], row["memo"]) == ("25.00", "gain")
    ann("earnings", "rm", str(eid))
    assert ann.json("earnings", "list")["earnings"] == []


def test_ira_events_and_values(ann):
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
    ann("ira", "convert", "--person", "ann", "--date", "2025-02-05", "--amount", "7000")
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "0")
    ev = ann.json("ira", "event", "list", "--person", "ann")["ira_events"]
    assert [(e["id"], e["kind"], e["amount"]) for e in ev] == [
        (1, "contribution", "7000.00"),
        (2, "conversion", "7000.00"),
    ]
    ann("ira", "event", "edit", "2", "--amount", "7010")
    ann("ira", "value", "edit", "1", "--amount", "100")
    lines = ann.json("form", "8606", "--person", "ann", "--year", "2025")["lines"]
    assert lines["6"] == "100.00" and lines["8"] == "7010.00"
    assert ann("ira", "event", "edit", "1", "--nondeductible", "8000", ok=False).exit_code == 2
    assert ann("ira", "event", "edit", "2", "--exception", "disability", ok=False).exit_code == 2
    ann("ira", "event", "rm", "2")
    vals = ann.json("ira", "value", "list", "--person", "ann")["ira_values"]
    assert vals == [
        {"id": 1, "person": "ann", "year": 2025, "amount": "100.00", "after_recharacterizations": False}
    ]
    ann("ira", "value", "rm", "1")
    assert ann.json("ira", "value", "list", "--person", "ann")["ira_values"] == []
    records = [e["record"] for e in ann.json("log")[:4]]
    assert records == ["ira-value", "ira-event", "ira-value", "ira-event"]


def test_rollover_in_events_belong_to_their_conversion(ann):
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
        "2025-03-03",
        "--amount",
        "20500",
        "--to",
        "roth-ira",
        "--earnings-to",
        "traditional-ira",
    )
    assert ann.json("ira", "event", "list", "--person", "ann")["ira_events"] == []
    r = ann("ira", "event", "rm", "1", ok=False)
    assert "conversion edit|rm 1" in r.output
    conv = ann.json("conversion", "list")["conversions"][0]
    assert conv["destination"] == "traditional IRA 500.00 + Roth IRA 20,000.00" and conv["taxable"] == "0.00"
    ann("earnings", "edit", "2", "--amount", "600")  # earlier row corrected: the split follows
    conv = ann.json("conversion", "list")["conversions"][0]
    # 20,500 of 20,600: basis 20,000 x 20,500 / 20,600 = 19,902.91, earnings 597.09
    assert conv["destination"] == "traditional IRA 597.09 + Roth IRA 19,902.91"
    f = {
        x["destination"]: x for x in ann.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"]
    }
    assert (f["traditional-ira"]["box1"], f["roth-ira"]["box1"]) == ("597.09", "19902.91")
    assert ann("earnings", "edit", "2", "--amount", "400", ok=False).exit_code == 2  # 20,500 > 20,400


def test_wages_basis_and_received_1099r(ann):
    _seed(ann)
    ann("wages", "set", "--plan", "acme-401k", "--year", "2025", "--compensation", "200000")
    w = ann.json("wages", "list", "--person", "ann")["wages"]
    assert w[0]["id"] == 1
    ann("wages", "edit", "1", "--compensation", "210000", "--fica-wages", "150000")
    ann("wages", "edit", "1", "--no-fica-wages")
    w = ann.json("wages", "list", "--person", "ann")["wages"][0]
    assert (w["compensation"], w["fica_wages"]) == ("210000.00", None)
    ann("wages", "rm", "1")
    assert ann.json("wages", "list", "--person", "ann")["wages"] == []

    ann(
        "basis",
        "set",
        "--person",
        "ann",
        "--year",
        "2022",
        "--traditional",
        "2000",
        "--conversion",
        "2016:80000:60000",
    )
    b = ann.json("basis", "list", "--person", "ann")["basis"]
    assert b[0]["id"] == 1 and b[0]["conversions"] == [
        {"year": 2016, "gross": "80000.00", "taxable": "60000.00"}
    ]
    ann("basis", "edit", "1", "--traditional", "2500", "--no-conversion")
    b = ann.json("basis", "list", "--person", "ann")["basis"][0]
    assert (b["traditional"], b["conversions"]) == ("2500.00", [])
    assert ann("basis", "edit", "1", "--conversion", "2030:1:1", ok=False).exit_code == 2
    ann("basis", "rm", "1")
    assert ann.json("basis", "list", "--person", "ann")["basis"] == []

    ann(
        "reconcile",
        "1099-r",
        "--plan",
        "acme-401k",
        "--year",
        "2025",
        "--box1",
        "20500",
        "--box2a",
        "5",
        "--code",
        "G",
        ok=False,
    )
    rec = ann.json("reconcile", "list", "--person", "ann")["received_1099r"]
    assert [(r["id"], r["box1"], r["box2a"], r["box7"]) for r in rec] == [(1, "20500.00", "5.00", "G")]
    ann("reconcile", "edit", "1", "--box2a", "500", "--box5", "20000")
    ok = ann(
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
    assert "matches" in ok.output
    assert len(ann.json("reconcile", "list")["received_1099r"]) == 1
    ann("reconcile", "rm", "1")
    assert ann.json("reconcile", "list")["received_1099r"] == []
    assert [e["record"] for e in ann.json("log")[:3]] == ["1099-r", "1099-r", "1099-r"]


def test_every_list_has_ids(ann):
    _seed(ann)
    ann("wages", "set", "--plan", "acme-401k", "--year", "2025", "--compensation", "200000")
    ann(
        "ira", "contribute", "--person", "ann", "--date", "2025-02-01", "--account", "roth", "--amount", "100"
    )
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "0")
    ann("basis", "set", "--person", "ann", "--year", "2020", "--traditional", "1")
    ann(
        "reconcile",
        "1099-r",
        "--plan",
        "acme-401k",
        "--year",
        "2025",
        "--box1",
        "20500",
        "--code",
        "G",
        ok=False,
    )
    for args, key in (
        (("person", "list"), "people"),
        (("plan", "list"), "plans"),
        (("wages", "list", "--person", "ann"), "wages"),
        (("contribution", "list"), "contributions"),
        (("earnings", "list"), "earnings"),
        (("balance", "list"), "balances"),
        (("conversion", "list"), "conversions"),
        (("ira", "event", "list", "--person", "ann"), "ira_events"),
        (("ira", "value", "list", "--person", "ann"), "ira_values"),
        (("basis", "list", "--person", "ann"), "basis"),
        (("reconcile", "list"), "received_1099r"),
    ):
        rows = ann.json(*args)[key]
        assert rows and all(isinstance(r["id"], int) for r in rows), args


def test_help_names_the_corrections(megaroth):
    for group, subs in (
        ("contribution", ("edit", "rm")),
        ("earnings", ("list", "edit", "rm")),
        ("balance", ("list", "edit", "rm")),
        ("conversion", ("list", "edit", "rm")),
        ("wages", ("edit", "rm")),
        ("basis", ("list", "edit", "rm")),
        ("reconcile", ("list", "edit", "rm")),
        ("person", ("edit",)),
        ("plan", ("edit",)),
    ):
        out = megaroth(group, "--help").output
        for sub in subs:
            assert f"  {sub} " in out, (group, sub)
    out = megaroth("ira", "--help").output
    assert "event" in out and "value" in out
    assert "edit" in megaroth("ira", "value", "--help").output
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for cmd in (
        "contribution add/list/edit/rm",
        "conversion list/edit/rm",
        "megaroth log",
        "plan add/list/edit",
    ):
        assert cmd in readme, cmd


# -- removing imported rows: remembered ----------------------------------------------------
def test_removed_imported_row_stays_removed_on_reimport(ann):
    first = ann.json("import", str(GENERIC))
    rows = ann.json("contribution", "list", "--year", "2025")["contributions"]
    victim = next(r for r in rows if r["source"] == "pretax")
    ann("contribution", "rm", str(victim["id"]), "--reason", "not mine")
    again = ann.json("import", str(GENERIC))
    assert again["rows_added"] == 0 and again["rows_skipped_removed"] == 1
    assert "removed by you earlier" in again["message"]
    after = ann.json("contribution", "list", "--year", "2025")["contributions"]
    assert len(after) == len(rows) - 1 and victim["id"] not in {r["id"] for r in after}
    # undo + re-import of the first import: still not back
    ann("import", "undo", str(first["import"]))
    third = ann.json("import", str(GENERIC))
    assert third["rows_skipped_removed"] == 1
    assert len(ann.json("contribution", "list", "--year", "2025")["contributions"]) == len(rows) - 1


def test_removed_imported_conversion_stays_removed(ann):
    ann.json("import", str(GENERIC))
    convs = ann.json("conversion", "list")["conversions"]
    assert convs and all(c["import_id"] for c in convs)
    last = convs[-1]
    assert ann("conversion", "edit", str(last["id"]), "--amount", "1", ok=False).exit_code == 2
    ann("conversion", "edit", str(last["id"]), "--memo", "checked")
    ann("conversion", "rm", str(last["id"]))
    again = ann.json("import", str(GENERIC))
    assert again["rows_added"] == 0 and again["conversions_added"] == 0 and again["rows_skipped_removed"] >= 2
    assert len(ann.json("conversion", "list")["conversions"]) == len(convs) - 1


def test_an_edited_imported_row_keeps_its_correction_on_reimport(ann):
    ann.json("import", str(GENERIC))
    row = next(r for r in ann.json("contribution", "list")["contributions"] if r["source"] == "match")
    ann("contribution", "edit", str(row["id"]), "--amount", "1.23")
    again = ann.json("import", str(GENERIC))
    assert again["rows_added"] == 0
    after = {r["id"]: r["amount"] for r in ann.json("contribution", "list")["contributions"]}
    assert after[row["id"]] == "1.23"


def test_ira_side_of_a_rollover_follows_an_earlier_correction(ann):
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
        "2025-03-03",
        "--amount",
        "20500",
        "--to",
        "roth-ira",
        "--earnings-to",
        "traditional-ira",
    )
    ann("earnings", "edit", "2", "--amount", "600")
    got = ann.sql("select account, amount_cents from ira_event where kind = 'rollover_in' order by account")
    assert got == [("roth", 1990291), ("traditional", 59709)]


def test_later_add_commands_are_logged_too(ann):
    ann(
        "tax-year",
        "set",
        "--person",
        "ann",
        "--year",
        "2025",
        "--filing-status",
        "single",
        "--magi",
        "100000",
    )
    ann("ira", "value", "--person", "ann", "--year", "2025", "--amount", "10", "--account", "roth")
    records = [e["record"] for e in ann.json("log")[:2]]
    assert records == ["roth-ira-value", "tax-year"]
