"""Issue 13, batch year-end and client views: ``check --all-people`` (one table, exit 1 when
any person fails), ``person list --year`` with each person's failing and warning checks, the
progress bar of the batch commands on a terminal, and ``--person`` on ``import list``, ``log``
and ``contribution list``."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

HEADER = "date,plan,source,type,amount,fund,shares\n"


def _plan(m, person, born, employer="Google LLC"):
    m("person", "add", person, "--born", born)
    m(
        "plan",
        "add",
        "google-401k",
        "--person",
        person,
        "--employer",
        employer,
        "--after-tax",
        "--in-plan-conversion",
    )


def _contribute(m, person, amount, source="pretax", on="2025-01-15"):
    m(
        "contribution",
        "add",
        "--plan",
        "google-401k",
        "--person",
        person,
        "--date",
        on,
        "--source",
        source,
        "--amount",
        amount,
    )


@pytest.fixture
def firm(megaroth):
    """ann over the 402(g) limit (limits fails), bob with unconverted after-tax money (a
    warning only), carol clean; all three have a plan called google-401k."""
    m = megaroth
    _plan(m, "ann", "1985-04-02")
    _plan(m, "bob", "1979-09-30")
    _plan(m, "carol", "1990-01-01")
    _contribute(m, "ann", "30000")
    _contribute(m, "bob", "1000")
    _contribute(m, "bob", "5000", source="aftertax")
    m(
        "wages",
        "set",
        "--plan",
        "google-401k",
        "--person",
        "bob",
        "--year",
        "2025",
        "--compensation",
        "150000",
    )
    _contribute(m, "carol", "2000")
    return m


def _statuses(doc):
    return {p["person"]: (p["status"], [c["name"] for c in p["failing"]]) for p in doc["people"]}


def test_check_all_people_one_table_exit_1_when_anyone_fails(firm):
    m = firm
    r = m("check", "--all-people", "--year", "2025", ok=False)
    assert r.exit_code == 1
    out = r.stdout
    assert "megaroth check, every person, 2025" in out and "1 of 3 people failed" in out
    lines = {
        ln.split()[0]: ln.split()
        for ln in out.splitlines()
        if ln.split() and ln.split()[0] in {"ann", "bob", "carol"}
    }
    assert lines["ann"][1:3] == ["fail", "limits"]
    assert lines["bob"][1:] == ["warn", "unconverted-aftertax"]
    assert lines["carol"][1:] == ["ok"]
    r = m("check", "--all-people", "--year", "2025", "--format", "json", ok=False)
    import json

    doc = json.loads(r.stdout)
    assert r.exit_code == 1 and doc["year"] == 2025 and doc["failed"] == 1 and doc["strict"] is False
    assert _statuses(doc) == {"ann": ("fail", ["limits"]), "bob": ("warn", []), "carol": ("ok", [])}
    assert [c["name"] for c in doc["people"][1]["warnings"]] == ["unconverted-aftertax"]
    # each person's line is that person's own `megaroth check`
    for p in doc["people"]:
        own = m("check", "--person", p["person"], "--year", "2025", "--format", "json", ok=False)
        assert json.loads(own.stdout)["checks"] == p["checks"]
        assert own.exit_code == (0 if p["passed"] else 1)
    csv = m("check", "--all-people", "--year", "2025", "--format", "csv", ok=False).stdout.splitlines()
    assert csv[0] == "person,check,status,message" and "ann,limits,fail," in "\n".join(csv)
    assert len(csv) == 1 + 3 * len(doc["people"][0]["checks"])


def test_check_all_people_strict_and_passing(firm):
    m = firm
    # without ann's excess everyone passes (exit 0); --strict makes bob's warning fail
    (entry,) = [c["id"] for c in m.json("contribution", "list", "--person", "ann")["contributions"]]
    m("contribution", "rm", str(entry), "--reason", "typo")
    r = m("check", "--all-people", "--year", "2025")
    assert r.exit_code == 0 and "all 3 people passed" in r.stdout
    r = m("check", "--all-people", "--year", "2025", "--strict", "--format", "json", ok=False)
    import json

    doc = json.loads(r.stdout)
    assert r.exit_code == 1 and doc["failed"] == 1 and doc["strict"] is True
    assert [p["person"] for p in doc["people"] if not p["passed"]] == ["bob"]


def test_check_all_people_refuses_person_and_an_empty_ledger(megaroth):
    r = megaroth("check", "--all-people", "--person", "ann", ok=False)
    assert r.exit_code == 2 and "--person NAME or --all-people, not both" in r.output
    megaroth.open().dispose()  # an empty ledger
    r = megaroth("check", "--all-people", ok=False)
    assert r.exit_code == 2 and "no people yet" in r.output


def test_person_list_year_shows_each_persons_failing_and_warning_checks(firm):
    m = firm
    doc = m.json("person", "list", "--year", "2025")
    by = {p["name"]: p for p in doc["people"]}
    assert [c["name"] for c in by["ann"]["failing_checks"]] == ["limits"]
    assert "excess deferral" in by["ann"]["failing_checks"][0]["message"]
    assert by["ann"]["check_warnings"] == [] and by["bob"]["failing_checks"] == []
    assert [c["name"] for c in by["bob"]["check_warnings"]] == ["unconverted-aftertax"]
    assert by["carol"]["failing_checks"] == by["carol"]["check_warnings"] == []
    # the same as `megaroth check --person P --year Y`
    for name, row in by.items():
        import json

        own = json.loads(m("check", "--person", name, "--year", "2025", "--format", "json", ok=False).stdout)
        assert [c["name"] for c in own["checks"] if c["status"] == "fail"] == [
            c["name"] for c in row["failing_checks"]
        ]
        assert [c["name"] for c in own["checks"] if c["status"] == "warn"] == [
            c["name"] for c in row["check_warnings"]
        ]
    table = m("person", "list", "--year", "2025").stdout
    ann_line = next(ln for ln in table.splitlines() if ln.startswith("ann "))
    assert "FAIL limits" in ann_line
    assert "unconverted-aftertax" in table  # (wrapped in its column)
    csv = m("person", "list", "--year", "2025", "--format", "csv").stdout.splitlines()
    assert csv[0].endswith(",warnings,checks") and csv[1].endswith(",FAIL limits")
    # without --year: no figures, no checks (as before)
    assert "failing_checks" not in m.json("person", "list")["people"][0]


def test_import_list_log_and_contribution_list_take_person(firm, tmp_path):
    m = firm
    for who, amount in (("ann", "100.00"), ("bob", "200.00")):
        f = tmp_path / f"{who}.csv"
        f.write_text(HEADER + f"2025-02-15,google-401k,pretax,contribution,{amount},F,1\n", encoding="utf-8")
        m("import", str(f), "--person", who)
    # import list
    assert [(i["file"], i["person"]) for i in m.json("import", "list", "--person", "ann")["imports"]] == [
        ("ann.csv", "ann")
    ]
    assert [i["file"] for i in m.json("import", "list", "--person", "bob")["imports"]] == ["bob.csv"]
    assert m.json("import", "list", "--person", "carol")["imports"] == []
    assert len(m.json("import", "list")["imports"]) == 2
    r = m("import", "list", "--person", "dave", ok=False)
    assert r.exit_code == 2 and "unknown person 'dave'" in r.output
    # log: only the person's own records (their person, plan, contributions, import)
    ann_log = m.json("log", "--person", "ann")
    assert ann_log and {(c["record"], c["action"]) for c in ann_log} == {
        ("person", "add"),
        ("plan", "add"),
        ("contribution", "add"),
        ("import", "import"),
    }
    bob_ids = {c["change"] for c in m.json("log", "--person", "bob")}
    assert bob_ids and not bob_ids & {c["change"] for c in ann_log}
    everyone = m.json("log")
    assert len(everyone) == len(ann_log) + len(bob_ids) + len(m.json("log", "--person", "carol"))
    r = m("log", "--person", "dave", ok=False)
    assert r.exit_code == 2 and "unknown person 'dave'" in r.output
    # contribution list
    ann_rows = m.json("contribution", "list", "--person", "ann")
    assert [r["amount"] for r in ann_rows["contributions"]] == ["30000.00", "100.00"]
    bob_rows = m.json("contribution", "list", "--person", "bob", "--plan", "google-401k")
    assert bob_rows["total"] == "6200.00"
    r = m("contribution", "list", "--plan", "google-401k", ok=False)
    assert r.exit_code == 2 and "belongs to several people (ann, bob, carol)" in r.output


def _on_a_terminal(db, *args):
    """Run megaroth with stderr on a pseudo-terminal (stdout a pipe): (stdout, terminal bytes, rc)."""
    import pty

    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    p = subprocess.Popen(
        [sys.executable, "-m", "megaroth_ledger", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out = p.stdout.read().decode()
    p.wait()
    os.close(master)
    return out, seen, p.returncode


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "argv, label",
    [
        (["export", "--all-people", "--year", "2025", "-o", "{tmp}/out"], b"exporting"),
        (["report", "year", "--all-people", "--year", "2025", "--format", "json"], b"summarising"),
        (["check", "--all-people", "--year", "2025", "--format", "json"], b"checking"),
        (["person", "list", "--year", "2025", "--format", "json"], b"summarising"),
    ],
)
def test_batch_commands_show_progress_on_a_terminal_only(firm, tmp_path, argv, label):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    out, seen, rc = _on_a_terminal(firm.db, *argv)
    assert rc in (0, 1)
    assert label in seen and b"/3" in seen  # the bar: "exporting ... 0/3"
    assert "\x1b" not in out  # stdout keeps its plain lines / JSON
    if "json" in argv:
        import json

        json.loads(out)
    # off a terminal (the test runner's pipes) nothing but the report
    r = firm(*argv, ok=False)
    assert label.decode() not in r.stderr and "\x1b" not in r.output
