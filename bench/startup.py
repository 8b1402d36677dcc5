#!/usr/bin/env python3
"""Start-up benchmark (issue 15): everyday commands against ``sqlite-utils tables`` on the same ledger.

Builds a small ledger (the demo's: one person, one plan, wages, the 2025 OFX sample) and times,
interleaved round by round so a load change on the machine hits every command alike:

- the baseline ``sqlite-utils tables LEDGER`` (install it with ``pip install -e '.[bench]'``);
- read commands: ``person list``, ``headroom``, ``form 1099-r/8606/1040``, ``clocks``,
  ``contribution list``; and ``--help``;
- write commands: ``contribution add`` and ``person add`` (a new row each round).

Each is a fresh process. Reported per command: median wall seconds over the rounds with the
spread (min-max), the ratio of medians to the baseline's (goal <= 1.5), and the same ratio on
CPU seconds (user+sys of the child, less sensitive to other work on the machine).

``--before REF`` also times the same commands on a git ref (e.g. ``main`` or a commit) in the
same run, each on its own ledger built by that code, so before and after sit side by side.
Not a test: nothing here asserts on time.

    python bench/startup.py                       # this tree, 15 rounds
    python bench/startup.py --before fafd901 --rounds 21 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

SETUP = [
    ["person", "add", "ann", "--born", "1985-04-02"],
    [
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
    ],
    [
        "wages",
        "set",
        "--plan",
        "acme-401k",
        "--year",
        "2025",
        "--compensation",
        "200000",
        "--fica-wages",
        "176100",
    ],
    ["import", str(SAMPLES / "2025-acme.ofx"), "--plan", "acme-401k", "--map", "OTHERVEST=roth_irr"],
]

READ = {
    "--help": ["--help"],
    "person list": ["person", "list"],
    "headroom": ["headroom", "--person", "ann", "--year", "2025"],
    "form 1099-r": ["form", "1099-r", "--person", "ann", "--year", "2025"],
    "form 8606": ["form", "8606", "--person", "ann", "--year", "2025"],
    "form 1040": ["form", "1040", "--person", "ann", "--year", "2025"],
    "clocks": ["clocks", "--person", "ann", "--as-of", "2025-12-31"],
    "contribution list": ["contribution", "list", "--person", "ann", "--year", "2025"],
}


def write_command(name: str, round_no: int) -> list[str]:
    """A write that adds a new row each round (the ledger refuses exact duplicates of people)."""
    if name == "contribution add":
        return [
            "contribution",
            "add",
            "--plan",
            "acme-401k",
            "--date",
            "2025-12-31",
            "--source",
            "pretax",
            "--amount",
            "1.00",
            "--memo",
            f"bench round {round_no}",
        ]
    return ["person", "add", f"bench{round_no}", "--born", "1980-01-01"]


WRITE = ["contribution add", "person add"]


class Variant:
    """One megaroth source tree (this one, or a git ref unpacked to a temporary directory)."""

    def __init__(self, label: str, tree: Path, work: Path):
        self.label, self.tree = label, tree
        self.db = work / f"ledger-{label}.db"
        self.env = {**os.environ, "PYTHONPATH": str(tree)}
        # -P: the package comes from PYTHONPATH's tree, never from the current directory
        self.argv = [
            sys.executable,
            "-P",
            "-c",
            "from megaroth_ledger.cli import main; main()",
            "--db",
            str(self.db),
        ]

    def build(self) -> None:
        compile_tree(self.tree)
        where = subprocess.run(
            [sys.executable, "-P", "-c", "import megaroth_ledger; print(megaroth_ledger.__file__)"],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert Path(where.strip()).is_relative_to(self.tree), (where, self.tree)
        for args in SETUP:
            subprocess.run([*self.argv, *args], env=self.env, check=True, capture_output=True)


def compile_tree(tree: Path) -> None:
    """Byte-compile the package, as ``pip install`` does for an installed wheel (a source tree run
    with PYTHONDONTWRITEBYTECODE=1 would otherwise recompile every module in every process)."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(tree / "megaroth_ledger"), str(tree / "migrations")],
        check=True,
    )


def unpack_ref(ref: str, dest: Path) -> Path:
    """``git archive REF`` of this repository, unpacked into ``dest``."""
    archive = dest.with_suffix(".tar")
    subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive), ref], check=True)
    dest.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    archive.unlink()
    return dest


def timed(cmd: list[str], env=None) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+sys) of one child process; exits if it fails."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err.decode()}")
    return wall, ru.ru_utime + ru.ru_stime


def summary(samples: list[tuple[float, float]]) -> dict:
    walls = [w for w, _ in samples]
    cpus = [c for _, c in samples]
    return {
        "wall": statistics.median(walls),
        "wall_min": min(walls),
        "wall_max": max(walls),
        "cpu": statistics.median(cpus),
    }


def measure(variants: list[Variant], baseline: list[str], rounds: int) -> dict:
    """samples[label][command] over ``rounds`` interleaved rounds; the baseline under 'baseline'."""
    samples: dict[str, dict[str, list]] = {"baseline": {"sqlite-utils tables": []}}
    for v in variants:
        samples[v.label] = {name: [] for name in [*READ, *WRITE]}
    for r in range(rounds):
        samples["baseline"]["sqlite-utils tables"].append(timed([*baseline, str(variants[-1].db)]))
        for name in [*READ, *WRITE]:
            for v in variants:
                args = READ[name] if name in READ else write_command(name, r)
                samples[v.label][name].append(timed([*v.argv, *args], v.env))
        print(f"  round {r + 1}/{rounds} done", file=sys.stderr)
    return {label: {name: summary(s) for name, s in cmds.items()} for label, cmds in samples.items()}


def report(results: dict, labels: list[str]) -> None:
    base = results["baseline"]["sqlite-utils tables"]
    print(
        f"baseline sqlite-utils tables: median {base['wall']:.3f}s (spread {base['wall_min']:.3f}-"
        f"{base['wall_max']:.3f}), CPU {base['cpu']:.3f}s"
    )
    head = f"{'command':<20}"
    for label in labels:
        head += f" | {label + ' wall s (min-max)':<26} {'ratio':>6} {'cpu ratio':>9}"
    print(head)
    for name in [*READ, *WRITE]:
        line = f"{name:<20}"
        for label in labels:
            s = results[label][name]
            spread = f"{s['wall']:.3f} ({s['wall_min']:.2f}-{s['wall_max']:.2f})"
            line += f" | {spread:<26} {s['wall'] / base['wall']:>5.2f}x {s['cpu'] / base['cpu']:>8.2f}x"
        print(line)
    print("goal: every everyday command's ratio <= 1.5x")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--before", metavar="REF", help="also time this git ref of the repository (side by side)")
    ap.add_argument("--json", metavar="FILE", help="write the medians and spreads as JSON")
    args = ap.parse_args(argv)
    sqlite_utils = Path(sys.executable).parent / "sqlite-utils"
    if not sqlite_utils.exists():
        found = shutil.which("sqlite-utils")
        if not found:
            sys.exit("sqlite-utils not found: pip install -e '.[bench]' into this venv")
        sqlite_utils = Path(found)
    work = Path(tempfile.mkdtemp(prefix="megaroth-startup-"))
    try:
        variants = []
        if args.before:
            variants.append(Variant("before", unpack_ref(args.before, work / "before"), work))
        variants.append(Variant("after" if args.before else "this", ROOT, work))
        for v in variants:
            v.build()
        results = measure(variants, [str(sqlite_utils), "tables"], args.rounds)
        print(
            f"{args.rounds} rounds, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end"
        )
        report(results, [v.label for v in variants])
        if args.json:
            Path(args.json).write_text(json.dumps({"rounds": args.rounds, "results": results}, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
