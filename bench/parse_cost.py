#!/usr/bin/env python3
"""The CPU an import spends per row outside SQLite (issue 15), against the bare baseline's.

``run.py`` times whole imports and ``floor.py`` the SQLite side alone. This script times the
other side, in this process, on a generated file of each ``--shapes``, rounds interleaved:

- ``csv``: Python's ``csv`` reader over the file's text, nothing else (the bare baseline pays
  this too);
- ``bare row``: the bare baseline's loop (``run.py``'s ``BASELINE``: ``csv`` reader plus the
  10-cell tuple) without its ``executemany``;
- ``parse``: what a parse worker of the import does with a chunk (``importers.parallel``): the
  same reader, then the canonical fast path into complete ``entry`` tuples (dates, exact cents,
  identities, raw cells), with its chunk bookkeeping;
- ``pickle``: sending those tuples from a worker to the importing process (``pickle.dumps``
  and ``loads``, protocol 5, as ``multiprocessing`` does);
- for ``ofx``: the serial OFX reader (``importers.parse_file``, both passes) per transaction.

Reported: the median microseconds per row (or transaction) and the spread. With two cores, the
rows of a file must be parsed, handed over, inserted, indexed and committed within twice the
bare baseline's wall time; ``bench/README.md`` does that arithmetic with these figures and
``floor.py``'s. Not a test: nothing here asserts on time.

    python bench/parse_cost.py                          # 200,000 rows, decade and ofx, 3 rounds
    python bench/parse_cost.py --rows 100000 --shapes own,decade,plans,funds,ofx --rounds 5
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (this directory's import benchmark: shapes and their files)


def csv_only(text: str) -> int:
    n = 0
    for _ in csv.reader(io.StringIO(text, newline="")):
        n += 1
    return n - 1


def bare_rows(text: str) -> int:
    """``run.py``'s bare loop (its ``BASELINE``) without the database."""
    r = csv.reader(io.StringIO(text, newline=""))
    h = {name: i for i, name in enumerate(next(r))}
    keys = ("date", "payroll_date", "source", "type", "amount", "fund", "fund_id", "shares", "memo")
    i0, i5, i2, i3, i4, i6, i7, i8, i10 = (h[k] for k in keys)
    batch = []
    for n, c in enumerate(r, start=2):
        batch.append((c[i0], c[i5], c[i2], c[i3], c[i4], c[i6], c[i7], c[i8], c[i10], n))
        if len(batch) == 5000:
            batch.clear()
    return n - 1


def worker_parse(text: str) -> list[tuple]:
    """One parse worker's job on the whole text as a single chunk: its ``entry`` tuples."""
    from megaroth_ledger.importers import all_importers
    from megaroth_ledger.importers.base import ParseContext
    from megaroth_ledger.importers.parallel import _Chunk
    from megaroth_ledger.importers.rows import ErrorCollector

    importer = all_importers(None)["generic"]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    ctx = ParseContext("bench", ErrorCollector("bench"), plan=None, source_map=None)
    plans = {name: i + 1 for i, name in enumerate(["bench-401k", *run.PLANS])}
    chunk = _Chunk(plans, 1)
    rows = ((reader.line_num, cells) for cells in reader)
    chunk.add_all(importer._map_rows(header, rows, ctx, parts=True, reader=reader, line_base=0))
    if ctx.errors.errors:
        sys.exit(f"the generated file has bad rows: {ctx.errors.errors[:3]}")
    return chunk.payload(True)[0]


def pickled(rows: list[tuple]) -> int:
    return len(pickle.loads(pickle.dumps(rows, protocol=5)))


def ofx_reader(path: Path) -> int:
    from megaroth_ledger.importers import parse_file

    _, rows = parse_file(path, plan="bench-401k", source_map={"OTHERVEST": "roth"})
    return len(rows)


def timed(fn, arg) -> tuple[float, int]:
    t0 = time.process_time()
    n = fn(arg)
    return time.process_time() - t0, n


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--shapes", default="decade,ofx", help=f"comma-separated, of: {', '.join(run.SHAPES)}")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(run.ROOT))
    shapes = [s for s in args.shapes.split(",") if s]
    for s in shapes:
        if s not in run.SHAPES:
            ap.error(f"unknown shape {s!r}")
    got: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="megaroth-parse-cost-") as tmp:
        for shape in shapes:
            path = Path(tmp) / f"{shape}.{'ofx' if shape == 'ofx' else 'csv'}"
            (run.write_ofx if shape == "ofx" else run.write_csv)(path, run.ROWS[shape](args.rows))
            cases = [("ofx reader", ofx_reader, path)] if shape == "ofx" else []
            if shape != "ofx":
                text = path.read_text(encoding="utf-8")
                tuples = worker_parse(text)
                cases = [
                    ("csv", csv_only, text),
                    ("bare row", bare_rows, text),
                    ("parse", worker_parse, text),
                    ("pickle", pickled, tuples),
                ]
            for r in range(args.rounds):
                for name, fn, arg in cases:
                    seconds, n = timed(fn, arg)
                    n = n if isinstance(n, int) else len(n)
                    got.setdefault((shape, name), []).append(seconds / n * 1e6)
                print(f"[{shape}] round {r + 1}/{args.rounds} done", file=sys.stderr)
    print(
        f"{args.rows:,} rows per shape, {args.rounds} rounds (median, min-max), CPU microseconds per row "
        f"(OFX: per transaction) in one process; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    for (shape, name), us in got.items():
        print(f"{shape:<7} {name:<11} {statistics.median(us):6.2f} us ({min(us):.2f}-{max(us):.2f})")


if __name__ == "__main__":
    main()
