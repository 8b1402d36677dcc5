"""Golden tests: every sample in samples/ yields exactly the canonical rows stored in
tests/golden/<sample>.csv (the canonical CSV of statement-formats.md section 5 plus the
source line). Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest
tests/test_import_samples.py`` and review the diff.

Also: the samples are reproducible from samples/make_samples.py, and every format tells the
same story about the year (same per-source totals where the format has sources).
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from megaroth_ledger.importers import parse_file
from megaroth_ledger.importers.rows import CANONICAL_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"
sys.path.insert(0, str(SAMPLES))
import make_samples  # noqa: E402

SOURCE_MAP = {"OTHERVEST": "roth_irr"}  # what the demo's plan maps for the OFX samples


def canonical_text(rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*CANONICAL_COLUMNS, "line"])
    for r in rows:
        d = r.as_canonical()
        w.writerow([*(d[c] for c in CANONICAL_COLUMNS), r.line])
    return buf.getvalue()


@pytest.mark.parametrize("name", sorted(make_samples.SAMPLES))
def test_sample_matches_golden(name):
    profile, rows = parse_file(SAMPLES / name, plan="acme-401k", source_map=SOURCE_MAP)
    assert profile == make_samples.SAMPLES[name]  # detected from the file, no --profile
    got = canonical_text(rows)
    golden = GOLDEN / (name + ".golden.csv")
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"missing {golden}; run with UPDATE_GOLDEN=1"
    assert got == golden.read_text(encoding="utf-8")


def test_every_shipped_profile_has_a_sample():
    from megaroth_ledger.importers.profiles import load_profiles

    assert set(load_profiles(user_dir=Path("/nonexistent"))) == set(make_samples.SAMPLES.values())


def test_samples_are_reproducible(tmp_path):
    make_samples.main(["--out", str(tmp_path)])
    for name in make_samples.SAMPLES:
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name


def _totals(rows):
    out = defaultdict(int)
    for r in rows:
        if r.type != "balance":
            out[(r.type, r.source)] += r.amount_cents
    return dict(out)


def test_all_formats_agree_on_the_year():
    truth = make_samples.truth()
    expected = defaultdict(int)
    for e in truth:
        expected[(e.kind, e.source)] += e.cents
    paychecks = {e.payroll for e in truth if e.payroll}
    assert len(paychecks) == 26
    for name in make_samples.SAMPLES:
        _, rows = parse_file(SAMPLES / name, plan="acme-401k", source_map=SOURCE_MAP)
        got = _totals(rows)
        if any(s == "unknown" for _, s in got):
            # no source column (NetBenefits history, Vanguard CSV): totals per type only
            by_type = defaultdict(int)
            for (t, _), c in expected.items():
                by_type[{"conversion_out": "exchange_out", "conversion_in": "exchange_in"}.get(t, t)] += c
            assert {t: c for (t, _), c in got.items()} == dict(by_type), name
        else:
            assert got == dict(expected), name
