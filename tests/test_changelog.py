"""The change log (issue 9): every add, edit, rm, import and undo is kept, newest first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_every_add_command_is_logged(ann):
    m = ann
    m("wages", "set", "--plan", "acme-401k", "--year", "2025", "--compensation", "200000")
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
        "10000",
    )
    m(
        "earnings",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-02-01",
        "--source",
        "aftertax",
        "--amount",
        "50",
    )
    m(
        "balance",
        "assert",
        "--plan",
        "acme-401k",
        "--date",
        "2025-02-15",
        "--source",
        "aftertax",
        "--amount",
        "10100",
    )
    m("convert", "--plan", "acme-401k", "--date", "2025-03-01", "--amount", "10100", "--to", "in-plan")
    m(
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
    m("ira", "convert", "--person", "ann", "--date", "2025-02-05", "--amount", "7000")
    m("ira", "distribute", "--person", "ann", "--date", "2025-06-01", "--account", "roth", "--amount", "100")
    m("ira", "value", "--person", "ann", "--year", "2025", "--amount", "0")
    m("basis", "set", "--person", "ann", "--year", "2020", "--traditional", "100")
    m(
        "reconcile",
        "1099-r",
        "--plan",
        "acme-401k",
        "--year",
        "2025",
        "--box1",
        "10100",
        "--code",
        "G",
        ok=False,
    )
    log = m.json("log")
    assert isinstance(log, list)
    assert all(set(e) >= {"at", "action", "record", "id", "before", "after"} for e in log)
    kinds = [(e["action"], e["record"]) for e in reversed(log)]
    assert kinds == [
        ("add", "person"),
        ("add", "plan"),
        ("add", "wages"),
        ("add", "contribution"),
        ("add", "earnings"),
        ("add", "balance"),
        ("add", "conversion"),
        ("add", "ira-event"),
        ("add", "ira-event"),
        ("add", "ira-event"),
        ("add", "ira-value"),
        ("add", "basis"),
        ("add", "1099-r"),
    ]
    contrib = next(e for e in log if e["record"] == "contribution")
    assert contrib["after"]["amount"] == "10000.00" and contrib["after"]["date"] == "2025-01-15"
    assert contrib["before"] is None
    # newest first
    ats = [e["at"] for e in log]
    assert ats == sorted(ats, reverse=True)


def test_log_filters_and_formats(ann):
    m = ann
    m("person", "add", "bob", "--born", "1970-01-01")
    m("plan", "add", "bob-401k", "--person", "bob", "--employer", "Bob Co")
    m(
        "contribution",
        "add",
        "--plan",
        "bob-401k",
        "--date",
        "2025-01-15",
        "--source",
        "pretax",
        "--amount",
        "5",
    )
    bob = m.json("log", "--person", "bob")
    assert [e["record"] for e in bob] == ["contribution", "plan", "person"]
    assert m.json("log", "--since", (dt.date.today() + dt.timedelta(days=2)).isoformat()) == []
    csv = m("log", "--format", "csv").stdout.splitlines()
    assert csv[0].startswith("at,action,record,id,before,after")
    assert len(csv) == 1 + len(m.json("log"))
    assert m("log", "--person", "nobody", ok=False).exit_code != 0


def test_rerun_of_wages_and_ira_value_is_an_edit_with_before_and_after(ann):
    m = ann
    m("wages", "set", "--plan", "acme-401k", "--year", "2025", "--compensation", "100000")
    m("wages", "set", "--plan", "acme-401k", "--year", "2025", "--compensation", "120000")
    e = m.json("log")[0]
    assert e["action"] == "edit" and e["record"] == "wages"
    assert e["before"]["compensation"] == "100000.00" and e["after"]["compensation"] == "120000.00"


def test_import_and_undo_are_logged_once_per_batch(megaroth):
    m = megaroth
    m("person", "add", "ann", "--born", "1985-04-02")
    m(
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
    res = m.json("import", str(SAMPLES / "2025-acme-voya-activity.csv"), "--plan", "acme-401k")
    imp = m.json("log")[0]
    assert imp["action"] == "import" and imp["record"] == "import" and imp["id"] == res["import"]
    assert imp["after"]["rows_added"] == res["rows_added"] > 10
    assert sum(1 for e in m.json("log") if e["action"] == "import") == 1  # not one per row
    m("import", "undo", str(res["import"]))
    undo = m.json("log", "--person", "ann")[0]
    assert undo["action"] == "undo" and undo["id"] == res["import"]
    assert undo["after"]["rows_removed"] == res["rows_added"]


def test_dry_run_and_failed_commands_log_nothing(ann):
    m = ann
    before = len(m.json("log"))
    m("import", str(SAMPLES / "2025-acme-voya-activity.csv"), "--plan", "acme-401k", "--dry-run")
    m(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-15",
        "--source",
        "pretax",
        "--amount",
        "0",
        ok=False,
    )
    assert len(m.json("log")) == before


def test_household_add_is_logged(megaroth):
    m = megaroth
    for name in ("ann", "bob"):
        m("person", "add", name, "--born", "1980-01-01")
    m("household", "add", "ann-and-bob", "--members", "ann,bob")
    entry = m.json("log")[0]
    assert (entry["action"], entry["record"], entry["before"]) == ("add", "household", None)
    assert entry["after"] == {"name": "ann-and-bob", "members": ["ann", "bob"]}
    r = m("household", "add", "again", "--members", "ann,bob", ok=False)
    assert r.exit_code == 2
    assert [e["record"] for e in m.json("log")].count("household") == 1  # a refused add logs nothing


def test_household_add_is_in_each_members_log(megaroth):
    """The household's own entry, not the first member's: each spouse's `log --person` shows it
    (once), a person outside the household does not."""
    m = megaroth
    for name in ("ann", "bob", "cy"):
        m("person", "add", name, "--born", "1980-01-01")
    m("household", "add", "ann-and-bob", "--members", "bob,ann")
    for name in ("ann", "bob"):
        mine = [e for e in m.json("log", "--person", name) if e["record"] == "household"]
        assert [(e["action"], e["after"]["members"]) for e in mine] == [("add", ["bob", "ann"])], name
        assert "ann-and-bob" in m("log", "--person", name).output
    assert [e["record"] for e in m.json("log", "--person", "cy")] == ["person"]
    assert [e["record"] for e in m.json("log")].count("household") == 1


def _imports_in_log(m, person):
    return [(e["action"], e["id"]) for e in m.json("log", "--person", person) if e["record"] == "import"]


def test_an_import_of_several_plans_is_in_the_log_of_each_person_it_touched(megaroth, tmp_path):
    """One file with rows of ann's two plans is ann's; one with ann's and bob's plans is logged
    once, under no one, naming both, and `log --person` shows it (and its undo) to each of them."""
    m = megaroth
    for name in ("ann", "bob", "cy"):
        m("person", "add", name, "--born", "1980-01-01")
    for plan, person in (("ann-401k", "ann"), ("ann-403b", "ann"), ("bob-401k", "bob"), ("cy-401k", "cy")):
        m("plan", "add", plan, "--person", person, "--employer", "Acme Corp", "--after-tax")
    head = "date,plan,source,type,amount\n"
    own = tmp_path / "own.csv"
    own.write_text(
        head + "2025-01-10,ann-401k,pretax,contribution,100\n2025-01-10,ann-403b,pretax,contribution,50\n"
    )
    first = m.json("import", str(own))["import"]
    assert _imports_in_log(m, "ann") == [("import", first)]
    assert _imports_in_log(m, "bob") == []
    both = tmp_path / "both.csv"
    both.write_text(
        head + "2025-02-10,ann-401k,pretax,contribution,100\n2025-02-10,bob-401k,roth,contribution,70\n"
    )
    second = m.json("import", str(both))["import"]
    entry = next(e for e in m.json("log") if e["record"] == "import" and e["id"] == second)
    assert entry["after"]["people"] == ["ann", "bob"]
    m("import", "undo", str(second))
    for person in ("ann", "bob"):
        assert _imports_in_log(m, person)[:2] == [("undo", second), ("import", second)], person
    assert _imports_in_log(m, "cy") == []
    assert [e["id"] for e in m.json("log") if e["record"] == "import"] == [second, second, first]
