"""Issue 13: a plan belongs to a person. Two clients may both have a ``google-401k``; every
``--plan`` command takes ``--person`` and, without it, refuses a name two people share."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
HEADER = "date,plan,source,type,amount,fund,shares\n"


@pytest.fixture
def two(megaroth):
    """ann and bob, both with a plan called google-401k (different employers' plans)."""
    m = megaroth
    m("person", "add", "ann", "--born", "1985-04-02")
    m("person", "add", "bob", "--born", "1979-09-30")
    m(
        "plan",
        "add",
        "google-401k",
        "--person",
        "ann",
        "--employer",
        "Google LLC",
        "--after-tax",
        "--in-plan-conversion",
    )
    m("plan", "add", "google-401k", "--person", "bob", "--employer", "Google LLC (bob's)", "--after-tax")
    return m


def _csv(tmp_path, name, rows):
    p = tmp_path / name
    p.write_text(HEADER + "".join(rows), encoding="utf-8")
    return p


def test_same_plan_name_for_two_people_imported_and_reported_separately(two, tmp_path):
    m = two
    ann_file = _csv(
        tmp_path,
        "ann.csv",
        [
            "2025-01-15,google-401k,pretax,contribution,1000.00,F,1\n",
            "2025-02-15,google-401k,aftertax,contribution,500.00,F,1\n",
        ],
    )
    bob_file = _csv(tmp_path, "bob.csv", ["2025-01-15,google-401k,pretax,contribution,2500.00,F,1\n"])
    a = m.json("import", str(ann_file), "--person", "ann")
    b = m.json("import", str(bob_file), "--plan", "google-401k", "--person", "bob")
    assert (a["rows_added"], b["rows_added"]) == (2, 1)
    assert m.json("headroom", "--person", "ann", "--year", "2025")["elective_deferrals"] == "1000.00"
    assert m.json("headroom", "--person", "bob", "--year", "2025")["elective_deferrals"] == "2500.00"
    ann_rows = m.json("contribution", "list", "--person", "ann")
    assert [(r["plan"], r["amount"]) for r in ann_rows["contributions"]] == [
        ("google-401k", "1000.00"),
        ("google-401k", "500.00"),
    ]
    assert m.json("contribution", "list", "--person", "bob", "--plan", "google-401k")["total"] == "2500.00"
    # typed entries land in the named person's plan only
    m(
        "contribution",
        "add",
        "--plan",
        "google-401k",
        "--person",
        "bob",
        "--date",
        "2025-03-15",
        "--source",
        "pretax",
        "--amount",
        "100",
    )
    assert m.json("headroom", "--person", "bob", "--year", "2025")["elective_deferrals"] == "2600.00"
    assert m.json("headroom", "--person", "ann", "--year", "2025")["elective_deferrals"] == "1000.00"
    m(
        "convert",
        "--plan",
        "google-401k",
        "--person",
        "ann",
        "--date",
        "2025-03-01",
        "--amount",
        "500",
        "--to",
        "in-plan",
    )
    (form,) = m.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"]
    assert (form["payer"], form["box1"]) == ("google-401k", "500.00")
    assert m.json("form", "1099-r", "--person", "bob", "--year", "2025")["forms"] == []
    imports = m.json("import", "list", "--person", "bob")["imports"]
    assert [(i["file"], i["person"], i["plan"]) for i in imports] == [("bob.csv", "bob", "google-401k")]
    assert [i["file"] for i in m.json("import", "list", "--person", "ann")["imports"]] == ["ann.csv"]
    plans = m.json("plan", "list")["plans"]
    assert [(p["name"], p["person"]) for p in plans] == [("google-401k", "ann"), ("google-401k", "bob")]


@pytest.mark.parametrize(
    "argv",
    [
        [
            "contribution",
            "add",
            "--plan",
            "google-401k",
            "--date",
            "2025-01-15",
            "--source",
            "pretax",
            "--amount",
            "100",
        ],
        [
            "earnings",
            "add",
            "--plan",
            "google-401k",
            "--date",
            "2025-01-15",
            "--source",
            "aftertax",
            "--amount",
            "10",
        ],
        [
            "balance",
            "assert",
            "--plan",
            "google-401k",
            "--date",
            "2025-01-15",
            "--source",
            "aftertax",
            "--amount",
            "0",
        ],
        ["convert", "--plan", "google-401k", "--date", "2025-01-15", "--amount", "100", "--to", "in-plan"],
        ["wages", "set", "--plan", "google-401k", "--year", "2025", "--compensation", "100000"],
        ["reconcile", "1099-r", "--plan", "google-401k", "--year", "2025", "--box1", "100"],
        ["contribution", "list", "--plan", "google-401k"],
        ["basis", "set", "--plan", "google-401k", "--aftertax", "100"],
        ["basis", "edit", "1", "--plan", "google-401k", "--aftertax", "100"],
        ["basis", "rm", "1", "--plan", "google-401k"],
        ["basis", "list", "--plan", "google-401k"],
        ["import", str(SAMPLES / "2025-acme.ofx"), "--plan", "google-401k", "--map", "OTHERVEST=roth_irr"],
        ["earnings", "list", "--plan", "google-401k"],
        ["balance", "list", "--plan", "google-401k"],
        ["conversion", "list", "--plan", "google-401k"],
        ["reconcile", "list", "--plan", "google-401k"],
        [
            "correction",
            "add",
            "--plan",
            "google-401k",
            "--date",
            "2026-03-20",
            "--kind",
            "excess-deferral",
            "--tax-year",
            "2025",
            "--amount",
            "100",
        ],
        ["plan", "edit", "google-401k", "--kind", "403b"],
    ],
)
def test_an_ambiguous_plan_is_refused_listing_whose_it_could_be(two, argv):
    before = two.sql("select count(*) from entry")
    plans = two.sql("select id, name, kind, person_id from plan order by id")
    r = two(*argv, ok=False)
    assert r.exit_code == 2
    assert "plan 'google-401k' belongs to several people (ann, bob)" in r.output and "--person" in r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1
    assert two.sql("select count(*) from entry") == before
    assert two.sql("select id, name, kind, person_id from plan order by id") == plans
    # with --person the same command resolves the plan (it may still refuse for its own reasons)
    r = two(*argv, "--person", "bob", ok=False)
    assert "belongs to several people" not in r.output and "Traceback" not in r.output


PLAN_COMMANDS_COVERED = {
    "contribution add",
    "earnings add",
    "balance assert",
    "convert",
    "wages set",
    "reconcile 1099-r",
    "contribution list",
    "basis set",
    "basis edit",
    "basis rm",
    "basis list",
    "import file",
    "earnings list",
    "balance list",
    "conversion list",
    "reconcile list",
    "correction add",
}


def test_every_command_taking_plan_takes_person_and_is_covered_above():
    """Walk the whole CLI: a command with --plan must have --person (issue 13), and the
    ambiguity test above must run it (a new --plan command fails here until it is added)."""
    import click

    from megaroth_ledger.cli import cli

    found = {}

    def walk(cmd, path, parent):
        ctx = click.Context(cmd, info_name=path[-1] if path else "megaroth", parent=parent)
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name), [*path, name], ctx)
            return
        opts = {o for p in cmd.params for o in getattr(p, "opts", [])}
        if "--plan" in opts:
            found[" ".join(path)] = "--person" in opts

    walk(cli, [], None)
    assert found and all(found.values()), [c for c, has in found.items() if not has]
    assert set(found) == PLAN_COMMANDS_COVERED


def test_an_ambiguous_plan_in_an_import_is_refused_and_nothing_written(two, tmp_path):
    f = _csv(tmp_path, "x.csv", ["2025-01-15,google-401k,pretax,contribution,1000.00,F,1\n"])
    r = two("import", str(f), ok=False)
    assert r.exit_code == 2 and "belongs to several people (ann, bob)" in r.output
    r = two("import", str(SAMPLES / "2025-acme.ofx"), "--plan", "google-401k", ok=False)
    assert r.exit_code == 2 and "belongs to several people (ann, bob)" in r.output
    assert two.sql("select count(*) from entry") == [(0,)]
    assert two.sql("select count(*) from import_batch") == [(0,)]
    # with --person the file's plan column is resolved within that person
    assert two.json("import", str(f), "--person", "bob")["rows_added"] == 1
    r = two("import", str(f), "--person", "carol", ok=False)
    assert r.exit_code == 2 and "unknown person 'carol'" in r.output


def test_plan_names_are_unique_per_person(two):
    r = two("plan", "add", "google-401k", "--person", "ann", "--employer", "Google LLC", ok=False)
    assert r.exit_code == 2 and "plan 'google-401k' already exists for ann" in r.output
    r = two(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--person",
        "ann",
        "--date",
        "2025-01-15",
        "--source",
        "pretax",
        "--amount",
        "1",
        ok=False,
    )
    assert r.exit_code == 2 and "ann has no plan 'acme-401k' (their plans: google-401k)" in r.output


def test_single_person_usage_is_unchanged(ann):
    """Without --person, a plan name only one person has works as before."""
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
        "100",
    )
    assert ann.json("contribution", "list", "--plan", "acme-401k")["total"] == "100.00"
    r = ann(
        "contribution",
        "add",
        "--plan",
        "nope",
        "--date",
        "2025-01-15",
        "--source",
        "pretax",
        "--amount",
        "1",
        ok=False,
    )
    assert r.exit_code == 2 and "unknown plan 'nope' (known: acme-401k)" in r.output


def test_migration_carries_an_existing_ledger_over(megaroth):
    """A populated ledger at revision 0001 (plan names unique ledger-wide) upgrades in place,
    losing nothing that hangs off a plan (SQLite rebuilds the plan table)."""
    from alembic import command

    from megaroth_ledger.store import db as store_db

    m = megaroth
    if m.backend == "postgresql":  # the fixture's database is a migrated template copy: empty it
        m.sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine = store_db.make_engine(m.url)
    cfg = store_db._alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    engine.dispose()
    assert m.sql("select version_num from alembic_version") == [("0001",)]
    for sql in [
        "insert into person (id, name, born) values (1, 'ann', '1985-04-02'), (2, 'bob', '1979-09-30')",
        (
            "insert into plan (id, name, person_id, employer, kind, after_tax, in_plan_conversion, "
            "in_service_withdrawal) values (1, 'google-401k', 1, 'Google LLC', '401k', true, false, false)"
        ),
        (
            "insert into entry (plan_id, date, tax_year, source, type, amount_cents, status) "
            "values (1, '2025-01-15', 2025, 'pretax', 'contribution', 10000, 'posted')"
        ),
        "insert into wages (plan_id, year, compensation_cents) values (1, 2025, 15000000)",
        "insert into received_1099r (plan_id, year, box1_cents, recorded_at) values (1, 2025, 0, '2026-01-31')",
    ]:
        m.sql(sql)
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):  # the old schema refuses bob a google-401k
        m.sql(
            "insert into plan (name, person_id, employer, kind, after_tax, in_plan_conversion, "
            "in_service_withdrawal) values ('google-401k', 2, 'G', '401k', false, false, false)"
        )
    tables = ["person", "plan", "entry", "wages", "received_1099r"]
    counts = {t: m.sql(f"select count(*) from {t}") for t in tables}
    # the next command upgrades it, keeping everything
    m("plan", "add", "google-401k", "--person", "bob", "--employer", "Google LLC")
    assert m.sql("select version_num from alembic_version") != [("0001",)]
    assert m.json("contribution", "list", "--person", "ann")["total"] == "100.00"
    assert m.json("wages", "list", "--person", "ann")["wages"][0]["compensation"] == "150000.00"
    assert [p["person"] for p in m.json("plan", "list")["plans"]] == ["ann", "bob"]
    counts["plan"] = [(2,)]
    assert {t: m.sql(f"select count(*) from {t}") for t in tables} == counts
    if m.backend == "sqlite":
        assert m.sql("pragma foreign_key_check") == []
