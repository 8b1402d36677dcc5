"""Issue #5: rows imported without a money source make the reports they would change refuse,
saying how to fix it -- never a silent omission."""

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.mark.parametrize(
    "report",
    [
        ["headroom", "--person", "ann", "--year", "2025"],
        ["form", "1099-r", "--person", "ann", "--year", "2025"],
        ["form", "8606", "--person", "ann", "--year", "2025"],
        ["form", "1040", "--person", "ann", "--year", "2025"],
        ["clocks", "--person", "ann", "--as-of", "2026-01-01"],
    ],
)
def test_reports_refuse_while_sources_are_unknown(ann, report):
    ann("import", str(SAMPLES / "2025-acme-fidelity-netbenefits-history.csv"), "--plan", "acme-401k")
    r = ann(*report, ok=False)
    assert r.exit_code == 3, r.output
    assert "source unknown" in r.output and "megaroth import undo 1" in r.output
    assert "Traceback" not in r.output


def test_after_undo_and_a_sourced_import_reports_work(ann):
    ann("import", str(SAMPLES / "2025-acme-fidelity-netbenefits-history.csv"), "--plan", "acme-401k")
    ann("import", "undo", "1")
    ann("import", str(SAMPLES / "2025-acme.ofx"), "--plan", "acme-401k", "--map", "OTHERVEST=roth_irr")
    h = ann.json("headroom", "--person", "ann", "--year", "2025")
    assert h["elective_deferrals"] != "0.00"
    assert ann.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"]
