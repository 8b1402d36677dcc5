"""The import benchmarks of ``bench/`` still run (issue 15): they reach into the importer's
internals (the parse workers' fast path, the stored ``entry`` rows), so a change there could
break them unnoticed until someone measures. Tiny inputs, no timing asserted: only that each
script ends well and reports a figure for every case it promises."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
FIGURE = r"\s+(\d+\.\d+)"


def bench(script: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(BENCH.parent)}
    got = subprocess.run(
        [sys.executable, str(BENCH / script), *args], capture_output=True, text=True, env=env, timeout=300
    )
    assert got.returncode == 0, got.stderr[-2000:]
    return got.stdout


@pytest.mark.sqlite_only
def test_parse_cost_reports_every_case():
    out = bench("parse_cost.py", "--rows", "500", "--rounds", "1", "--shapes", "decade,own,ofx")
    for shape in ("decade", "own"):
        for case in ("csv", "bare row", "parse", "pickle"):
            m = re.search(rf"^{shape}\s+{case}{FIGURE} us", out, re.M)
            assert m and float(m.group(1)) > 0, (shape, case, out)
    assert re.search(rf"^ofx\s+ofx reader{FIGURE} us", out, re.M), out


@pytest.mark.sqlite_only
def test_floor_reports_every_variant():
    out = bench("floor.py", "--rows", "500", "--rounds", "1")
    for variant in ("bare", "ledger", "no-raw", "short-id", "lightest"):
        assert re.search(rf"^{variant}{FIGURE}s .* = \d+\.\d+x bare", out, re.M), (variant, out)


@pytest.mark.sqlite_only
def test_run_reports_each_shape_against_both_baselines():
    out = bench("run.py", "--rows", "500", "--repeat", "1", "--shapes", "decade,ofx")
    for shape in ("decade", "ofx"):
        assert re.search(rf"^{shape}\s+bare{FIGURE}s .* indexed{FIGURE}s", out, re.M), (shape, out)
    assert len(re.findall(r"x bare, \d+\.\d+x indexed", out)) == 2, out
