"""Issue 9 part B: overlapping statements never double-count.

User stories 3 (the same year as OFX, then generic CSV, then Voya CSV), 4 (March, then Q1,
then `import undo 1`) and 5 (the same OFX into a second plan) as CLI tests; the overlap
matcher's rules; holds and hand-over on undo.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
OFX = str(SAMPLES / "2025-acme.ofx")
MAP = ("--map", "OTHERVEST=roth_irr")


def rows(m, sql, *args):
    return m.sql(sql, *args)  # either backend (tests/conftest.py)


def ledger_rows(m):
    return sorted(rows(m, "select date, source, type, amount_cents from entry"))


def months(tmp_path, name, *wanted):
    """The generic sample's rows dated in the ``wanted`` months ("01", "02", ...)."""
    lines = (SAMPLES / "2025-acme-generic.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    p = tmp_path / name
    p.write_text(lines[0] + "".join(ln for ln in lines[1:] if ln[5:7] in wanted), encoding="utf-8")
    return p


# ---------------------------------------------------------------- user story 3


def test_story3_same_year_in_three_formats_is_counted_once(ann):
    ann("wages", "set", "--plan", "acme-401k", "--year", "2025", "--compensation", "200000")
    ann("import", OFX, "--plan", "acme-401k", *MAP)
    before = ledger_rows(ann)
    for f in ("2025-acme-generic.csv", "2025-acme-voya-activity.csv"):
        res = ann("import", str(SAMPLES / f), "--plan", "acme-401k", ok=False)
        assert res.exit_code == 2, res.output
        err = " ".join(res.stderr.split())
        assert "304 of the 304 rows it would add" in err
        assert "import #1 (2025-acme.ofx, ofx): 304 of its 306 rows" in err
        assert "--allow-overlap" in err and "nothing was imported" in err
    assert ledger_rows(ann) == before
    assert rows(ann, "select count(*) from import_batch") == [(1,)]
    hr = ann.json("headroom", "--person", "ann", "--year", "2025")
    assert "46999.52" not in str(hr) and "EXCESS_DEFERRAL" not in str(hr)
    # a dry run says the same, and writes nothing either
    res = ann("import", str(SAMPLES / "2025-acme-generic.csv"), "--plan", "acme-401k", "--dry-run", ok=False)
    assert res.exit_code == 2 and "import #1" in res.stderr


def test_allow_overlap_imports_it_anyway_and_says_so(ann):
    ann("import", OFX, "--plan", "acme-401k", *MAP)
    out = ann.json("import", str(SAMPLES / "2025-acme-generic.csv"), "--plan", "acme-401k", "--allow-overlap")
    assert out["rows_added"] == 304 and out["overlaps"] == [1]
    assert rows(ann, "select id, overlap_allowed from import_batch order by id") == [(1, 0), (2, 1)]
    listed = ann.json("import", "list")["imports"]
    assert [(i["account_id"], i["overlap_allowed"]) for i in listed] == [
        ("acme-rk.example:091234-0042", False),
        (None, True),
    ]


def test_source_aggregated_and_sourceless_exports_are_overlaps_too(ann):
    ann("import", str(SAMPLES / "2025-acme-generic.csv"))
    for f, n in (
        ("2025-acme-fidelity-netbenefits-sources.txt", 102),
        ("2025-acme-vanguard-retirement.csv", 115),
    ):
        res = ann("import", str(SAMPLES / f), "--plan", "acme-401k", ok=False)
        assert res.exit_code == 2 and f"of the {n} rows it would add" in res.stderr


def test_a_full_year_containing_an_earlier_quarter_in_another_format_is_refused(ann, tmp_path):
    ann("import", str(months(tmp_path, "q1.csv", "01", "02", "03")))
    res = ann("import", OFX, "--plan", "acme-401k", *MAP, ok=False)
    # about a quarter of the OFX's rows, but all of import #1's
    assert res.exit_code == 2 and "import #1 (q1.csv, generic): 69 of its 69 rows" in res.stderr


def test_same_format_overlaps_keep_adding_only_new_rows(ann, tmp_path):
    ann("import", str(months(tmp_path, "march.csv", "03")))
    out = ann.json("import", str(months(tmp_path, "q1.csv", "01", "02", "03")))
    assert out["rows_added"] == 69 - 33 and out["rows_held"] == 33 and out["overlaps"] == []


# ---------------------------------------------------------------- user story 4


def test_story4_undo_march_keeps_the_rows_q1_also_holds(ann, new_megaroth, tmp_path):
    q1 = months(tmp_path, "q1.csv", "01", "02", "03")
    ann("import", str(months(tmp_path, "march.csv", "03")))
    ann("import", str(q1))
    full = ledger_rows(ann)
    out = ann.json("import", "undo", "1")
    assert out["rows_removed"] == 0 and out["rows_kept"] == 33 and out["conversions_kept"] == 1
    assert ledger_rows(ann) == full  # nothing Q1 holds was removed
    listed = {i["id"]: i["undone_at"] for i in ann.json("import", "list")["imports"]}
    assert listed[1] is not None and listed[2] is None  # Q1 still active, and now owns them all
    assert rows(ann, "select distinct import_id from entry") == [(2,)]
    assert rows(ann, "select import_id from conversion") == [(2,)]
    # the same ledger as Q1 imported alone
    alone = new_megaroth()
    alone("person", "add", "ann", "--born", "1985-04-02")
    alone(
        "plan",
        "add",
        "acme-401k",
        "--person",
        "ann",
        "--employer",
        "Acme Corp",
        "--after-tax",
        "--in-plan-conversion",
        "--in-service-withdrawal",
    )
    alone("import", str(q1))
    assert ledger_rows(alone) == ledger_rows(ann)
    assert alone.json("headroom", "--person", "ann", "--year", "2025") == ann.json(
        "headroom", "--person", "ann", "--year", "2025"
    )
    # undoing Q1 now removes everything; the message says what was kept
    res = ann("import", "undo", "2")
    assert rows(ann, "select count(*) from entry") == [(0,)]
    assert "another active import also holds" not in res.output


def test_undo_of_the_later_import_removes_only_its_own_rows(ann, tmp_path):
    ann("import", str(months(tmp_path, "march.csv", "03")))
    ann("import", str(months(tmp_path, "q1.csv", "01", "02", "03")))
    out = ann("import", "undo", "2")
    assert rows(ann, "select count(*), min(date) from entry") == [(33, "2025-03-10")]
    assert rows(ann, "select count(*) from entry_hold") == [(0,)]
    assert "Rows kept" in out.output


def test_undo_says_how_many_it_kept(ann, tmp_path):
    ann("import", str(months(tmp_path, "march.csv", "03")))
    ann("import", str(months(tmp_path, "q1.csv", "01", "02", "03")))
    out = " ".join(ann("import", "undo", "1").output.split())
    assert "kept 33 row(s), 1 conversion(s)" in out


def test_balance_assertions_are_held_and_handed_over(ann, tmp_path):
    text = (
        "Plan name:,ACME\n\nDate,Investment,Transaction Type,Amount,Shares/Unit\n"
        '01/02/2025,FUND A,Balance Forward,"1,000.00","10.000"\n'
    )
    a = tmp_path / "a.csv"
    a.write_text(text, encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text(text + '01/15/2025,FUND A,Contribution,"100.00","1.000"\n', encoding="utf-8")
    ann("import", str(a), "--plan", "acme-401k")
    ann("import", str(b), "--plan", "acme-401k")
    out = ann.json("import", "undo", "1")
    assert out["balance_assertions_kept"] == 1 and out["balance_assertions_removed"] == 0
    assert rows(ann, "select import_id from balance_assertion") == [(2,)]
    assert rows(ann, "select import_id, origin from entry where origin is not null") == [
        (2, "balance assert #1")
    ]


# ---------------------------------------------------------------- user story 5


def test_story5_same_ofx_into_a_second_plan_is_refused(ann):
    ann("plan", "add", "beta-401k", "--person", "ann", "--employer", "Beta Inc")
    ann("import", OFX, "--plan", "acme-401k", *MAP)
    res = ann("import", OFX, "--plan", "beta-401k", *MAP, ok=False)
    assert res.exit_code == 2
    assert "already imported into plan acme-401k as import #1" in " ".join(res.stderr.split())
    # the SGML twin has another hash but the same account id
    res = ann("import", str(SAMPLES / "2025-acme.qfx"), "--plan", "beta-401k", *MAP, ok=False)
    assert res.exit_code == 2
    assert "account acme-rk.example:091234-0042 belongs to plan acme-401k" in " ".join(res.stderr.split())
    assert rows(ann, "select count(*) from entry where plan_id = 2") == [(0,)]
    assert rows(ann, "select source_map from plan where name = 'beta-401k'") == [(None,)]
    assert rows(ann, "select account_id from import_batch") == [("acme-rk.example:091234-0042",)]
    # once the import into the first plan is undone, the file may go into the other plan
    ann("import", "undo", "1")
    assert ann.json("import", OFX, "--plan", "beta-401k", *MAP)["rows_added"] == 306
