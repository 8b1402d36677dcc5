"""Formats users can map themselves (issue 12): ``profiles new``, ``profiles check``,
``import --columns``, the "not recognised" message, docs/profiles.md.

Must show: ``profiles new`` on each table sample in samples/, with the sample's own profile
removed from the search path, writes a profile that imports the sample with the same totals as
the shipped one.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from megaroth_ledger.importers import parse_file
from megaroth_ledger.importers import profiles as profiles_mod

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(SAMPLES))
import make_samples  # noqa: E402

TABLE_SAMPLES = sorted(n for n, pid in make_samples.SAMPLES.items() if pid != "ofx")


@pytest.fixture
def config_home(tmp_path, monkeypatch):
    """The user profile directory (platformdirs follows XDG_CONFIG_HOME) in a temp dir."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config" / "megaroth-ledger" / "profiles"


def totals(rows):
    t = defaultdict(lambda: [0, 0])
    for r in rows:
        t[(r.type, r.source)][0] += 1
        t[(r.type, r.source)][1] += r.amount_cents
    return {k: tuple(v) for k, v in t.items()}


def without(monkeypatch, pid):
    """Remove the shipped profile ``pid`` from the search path."""
    real = profiles_mod.load_profiles

    def load(user_dir=None):
        return {k: v for k, v in real(user_dir).items() if k != pid}

    monkeypatch.setattr(profiles_mod, "load_profiles", load)


@pytest.mark.parametrize("name", TABLE_SAMPLES)
def test_profiles_new_reproduces_the_shipped_profile_totals(name, megaroth, config_home, monkeypatch):
    shipped_id = make_samples.SAMPLES[name]
    _, ref = parse_file(SAMPLES / name, plan="acme-401k", user_dir=Path("/nonexistent"))
    without(monkeypatch, shipped_id)
    out = megaroth.json("profiles", "new", "mine", "--from", str(SAMPLES / name))
    assert out["written"] and Path(out["path"]) == config_home / "mine.toml"
    assert out["unmapped"] == []
    # detected from the file (no --profile), through the profile just written
    profile, got = parse_file(SAMPLES / name, plan="acme-401k", user_dir=config_home)
    assert profile == "mine"
    assert totals(got) == totals(ref)
    assert megaroth("profiles", "check", "mine", str(SAMPLES / name)).exit_code == 0


def test_profiles_new_and_import_store_the_same_as_the_shipped_profile(tmp_path, config_home, monkeypatch):
    from conftest import Megaroth

    def ledger(db):
        m = Megaroth(db)
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
        return m

    a, b = ledger(tmp_path / "a.db"), ledger(tmp_path / "b.db")
    sample = str(SAMPLES / "2025-acme-alerus-history.csv")
    ref = a.json("import", sample, "--plan", "acme-401k")
    without(monkeypatch, "alerus-history")
    b("profiles", "new", "alerus-mine", "--from", sample)
    got = b.json("import", sample, "--plan", "acme-401k")
    assert got["profile"] == "alerus-mine"
    for key in ("added", "rows_added", "conversions_added", "balance_assertions_added"):
        assert got[key] == ref[key], key


def test_profiles_new_reports_labels_and_refuses_to_overwrite(megaroth, config_home, tmp_path):
    f = tmp_path / "odd.csv"
    f.write_text(
        "Report for ACME\n\nPosted,Kind,What,Money,Sum\n"
        "01/10/2025,Payroll Deduction,Fund A,Employee Before-Tax,100.00\n"
        "01/10/2025,Mystery Thing,Fund A,Bonus Bucket,5.00\n"
        "01/24/2025,Payroll Deduction,Fund A,Employee Before-Tax,100.00\n"
    )
    res = megaroth("profiles", "new", "odd", "--from", str(f), "--columns", ok=False)
    assert res.exit_code == 2  # --columns is an import option
    # a header with no column named like a date: say so (the one-off --columns names the date column)
    res = megaroth("profiles", "new", "odd", "--from", str(f), ok=False)
    assert res.exit_code == 2 and "no header row with a date column" in res.output
    f.write_text(f.read_text().replace("Posted,", "Posted Date,"))
    out = megaroth.json("profiles", "new", "odd", "--from", str(f))
    assert out["columns"] == {
        "date": "Posted Date",
        "type_label": "Kind",
        "source_label": "Money",
        "amount": "Sum",
    }
    labels = {(x["kind"], x["label"]): (x["proposed"], x["check"]) for x in out["labels"]}
    assert labels == {
        ("source", "Bonus Bucket"): ("", True),
        ("source", "Employee Before-Tax"): ("pretax", False),
        ("activity", "Mystery Thing"): ("", True),
        ("activity", "Payroll Deduction"): ("contribution", False),
    }
    assert out["unmapped"] == ["Bonus Bucket", "Mystery Thing"]
    text = (config_home / "odd.toml").read_text()
    assert '# CHECK: "Bonus Bucket" matched no source' in text and "docs/profiles.md" in text
    res = megaroth("profiles", "new", "odd", "--from", str(f), ok=False)
    assert res.exit_code == 2 and "exists; give --force" in res.output
    # check with the file: the two labels nobody mapped, one line each, exit 1
    res = megaroth("profiles", "check", "odd", str(f), ok=False)
    assert res.exit_code == 1
    assert res.output.splitlines() == [
        "odd.csv: line 5: Money: unmapped source label 'Bonus Bucket': map it with --map 'Bonus Bucket=SOURCE' "
        "(saved in the plan's source map) or in the profile's [sources] map"
    ]
    # fixing the profile by hand makes it pass
    text = text.replace(
        '  # { match = "^Bonus Bucket$", source = "pretax" },',
        '  { match = "^Bonus Bucket$", source = "profit_sharing" },',
    )
    text = text.replace(
        '  # { match = "^Mystery Thing$", type = "adjustment" },',
        '  { match = "^Mystery Thing$", type = "contribution" },',
    )
    (config_home / "odd.toml").write_text(text)
    res = megaroth("profiles", "check", "odd", str(f))
    assert res.output.strip().endswith("OK; reads odd.csv: 3 rows")


def test_profiles_check_one_line_per_problem(megaroth, config_home):
    config_home.mkdir(parents=True)
    (config_home / "bad.toml").write_text(
        '[profile]\nid = "bad"\n[detect]\nheader = ["Date", "Amount"]\n[read]\nfooter = "x"\n'
        '[columns]\ndate = "Date"\namount = "Amt"\n[const]\nsource = "unknown"\n'
        '[sources]\nmap = [{ match = "(", source = "matchy" }]\n'
        '[types]\nmap = [{ match = "^x$", type = "nope", sign = "up" }]\n[colour]\nx = 1\n'
    )
    res = megaroth("profiles", "check", "bad", ok=False)
    assert res.exit_code == 1
    lines = res.output.splitlines()
    assert lines == [
        "bad.toml: [read] unknown key 'footer' (see docs/profiles.md)",
        "bad.toml: unknown section [colour] (see docs/profiles.md)",
        "bad.toml: [columns] needs type_label (the activity column) or [const] type",
        "bad.toml: [columns] amount = 'Amt' is not in [detect] header",
        "bad.toml: [sources] map[0]: unknown source 'matchy' (one of pretax, roth, aftertax, aftertax_pre87, match, "
        "nonelective, safe_harbor, profit_sharing, employer_roth, roth_irr, rollover, roth_rollover, unknown)",
        "bad.toml: [sources] map[0]: bad match: missing ), unterminated subpattern at position 0",
        "bad.toml: [types] map[0]: unknown type 'nope'",
        "bad.toml: [types] map[0]: sign must be one of as_is, negate, abs, neg_abs",
    ]
    out = json.loads(megaroth("profiles", "check", "bad", "--format", "json", ok=False).stdout)
    assert out["ok"] is False and len(out["problems"]) == 8
    (config_home / "broken.toml").write_text("[profile\nid=")
    res = megaroth("profiles", "check", "broken", ok=False)
    assert res.exit_code == 1 and len(res.output.splitlines()) == 1 and "invalid TOML" in res.output
    res = megaroth("profiles", "check", "nope", ok=False)
    assert res.exit_code == 2 and "profiles new nope --from FILE" in res.output


def test_shipped_profiles_check_clean_against_their_samples(megaroth):
    for name in TABLE_SAMPLES:
        pid = make_samples.SAMPLES[name]
        res = megaroth("profiles", "check", pid, str(SAMPLES / name))
        assert "OK" in res.output, (name, res.output)
    # the OFX sample needs its plan's OTHERVEST mapping: check says so, in one line
    res = megaroth("profiles", "check", "ofx", str(SAMPLES / "2025-acme.ofx"), ok=False)
    assert res.exit_code == 1 and len(res.output.splitlines()) == 1 and "OTHERVEST" in res.output


def test_import_columns_one_off(ann, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text(
        (SAMPLES / "2025-acme-voya-activity.csv")
        .read_text()
        .replace("Activity Date", "When")
        .replace("Money Source", '"Money, Source"')
    )
    res = ann("import", str(odd), "--plan", "acme-401k", ok=False)
    assert res.exit_code == 2
    assert "format not recognised" in res.output and "--columns date=COLUMN" in res.output
    assert "megaroth profiles new NAME --from odd.csv" in res.output
    out = ann.json(
        "import",
        str(odd),
        "--plan",
        "acme-401k",
        "--dry-run",
        "--columns",
        'date=When,amount=Amount,source="Money, Source",type=Activity,fund=Fund',
    )
    ref = ann.json("import", str(SAMPLES / "2025-acme-voya-activity.csv"), "--plan", "acme-401k", "--dry-run")
    assert out["profile"] == "columns" and out["added"] == ref["added"]
    for spec, msg in [
        ("date=When", "--columns needs amount=COLUMN"),
        ("date=When,amount=Nope", "no header row with the columns"),
        ("date=When,amount=Amount,colour=Fund", "unknown field 'colour'"),
        ('date="When,amount=Amount', "unbalanced double quote"),
        ("date=When,amount", "is not FIELD=COLUMN"),
    ]:
        res = ann("import", str(odd), "--plan", "acme-401k", "--columns", spec, ok=False)
        assert res.exit_code == 2 and msg in res.output, (spec, res.output)
        assert "Traceback" not in res.output
    res = ann(
        "import",
        str(odd),
        "--plan",
        "acme-401k",
        "--profile",
        "voya-activity",
        "--columns",
        "date=When,amount=Amount",
        ok=False,
    )
    assert res.exit_code == 2 and "give one" in res.output


def test_docs_document_every_profile_key_and_nothing_points_outside_the_repo():
    from importlib import resources

    from megaroth_ledger.importers.propose import KNOWN_KEYS

    doc = (ROOT / "docs" / "profiles.md").read_text()
    for section, keys in KNOWN_KEYS.items():
        assert f"`[{section}]`" in doc, section
        for key in keys:
            assert f"`{key}`" in doc, (section, key)
    for extra in ("irr_year_group", "when_amount", "sign"):
        assert f"`{extra}`" in doc
    pkg = resources.files("megaroth_ledger.importers") / "profiles"
    for entry in pkg.iterdir():
        if entry.name.endswith(".toml"):
            text = entry.read_text()
            assert "statement-formats" not in text and "shared/reference" not in text, entry.name
            for ref in re.findall(r"docs/[\w./-]+", text):
                assert (ROOT / ref.rstrip(".")).exists(), (entry.name, ref)
    assert "shared/reference" not in (ROOT / "README.md").read_text()
