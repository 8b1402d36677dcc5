"""Malformed input through issue 12's new paths: ``profiles new`` (the proposer), ``import
--columns``, ``profiles check FILE``, the OFX 401(k) reader's new elements (loans, YEARTODATE,
balances) and ``reconcile 1099-r --from``. Each mutated file either reads or is refused with a
UserError (one clear line at the CLI); nothing else may escape.

Mutations are seeded (the same cases every run): byte flips, cuts, truncation, duplicated
spans and inserted delimiters/quotes/NULs/OFX tags, over every sample and OFX test file.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from megaroth_ledger.errors import UserError

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(SAMPLES))
import make_samples  # noqa: E402

SEEDS = sorted([SAMPLES / n for n in make_samples.SAMPLES] + list((ROOT / "tests" / "ofx").glob("*")))
INSERTS = [
    b",",
    b"\n",
    b'"',
    b"\t",
    b"\x00",
    b"<",
    b">",
    b"-",
    b"$",
    b"(",
    b"()",
    b"\r\n\r\n",
    b"<OFX>",
    b"</INVBUY>",
    b"<LOANID>1",
    b"<LOANINTEREST>x",
    b"<INV401KBAL>",
    b"<YEARTODATE>",
    b"<DTSTART>2025",
    b"<TAX1099R_V100>",
    b"<GROSSDIST>",
    b"<TAXYEAR>20x5",
    b"payer,year,box1\n",
]
CASES = 48


def mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        if not b:
            b = bytearray(b"x")
        i = rng.randrange(len(b))
        op = rng.random()
        if op < 0.3:
            b[i] = rng.randrange(256)
        elif op < 0.5:
            del b[i : i + rng.randint(1, 200)]
        elif op < 0.7:
            b[i:i] = rng.choice(INSERTS)
        elif op < 0.8:
            b = b[:i]
        else:
            j = rng.randrange(len(b))
            b[i:i] = b[j : j + rng.randint(1, 300)]
    return bytes(b)


def cases(tmp_path):
    rng = random.Random(12)
    for k in range(CASES):
        src = SEEDS[k % len(SEEDS)]
        f = tmp_path / f"f{k}{src.suffix}"
        f.write_bytes(mutate(rng, src.read_bytes()))
        yield src, f


def _clean(fn, *args, **kw):
    try:
        fn(*args, **kw)
    except UserError as exc:
        assert str(exc).strip(), "a UserError needs a message"


def test_proposer_columns_and_check_refuse_cleanly(tmp_path):
    from megaroth_ledger.importers.profiles import _compile
    from megaroth_ledger.importers.propose import (
        check_profile,
        columns_profile,
        parse_columns_spec,
        proposal_toml,
        propose,
    )

    def new(f):
        p = propose(f, "fuzz")
        _compile(proposal_toml(p, origin=f.name), "fuzz")  # whatever is proposed must compile

    n = 0
    for src, f in cases(tmp_path):
        _clean(new, f)
        _clean(columns_profile, f, parse_columns_spec("date=Date,amount=Amount"))
        _clean(check_profile, make_samples.SAMPLES.get(src.name, "ofx"), f, user_dir=tmp_path / "none")
        n += 3
    assert n == 3 * CASES


def test_1099r_files_refuse_cleanly(tmp_path):
    from megaroth_ledger.services.received import read_1099r_file

    seeds = [ROOT / "tests" / "ofx" / "tax1099r-2025.ofx", ROOT / "tests" / "ofx" / "1099r-forms.csv"]
    assert len(read_1099r_file(seeds[0])) == len(read_1099r_file(seeds[1])) == 1
    rng = random.Random(1099)
    for k in range(CASES):
        src = seeds[k % 2]
        f = tmp_path / f"r{k}{src.suffix}"
        f.write_bytes(mutate(rng, src.read_bytes()))
        _clean(read_1099r_file, f)


def test_ofx_reader_new_elements_refuse_cleanly(tmp_path):
    from megaroth_ledger.importers import parse_file

    for src, f in cases(tmp_path):
        if src.suffix not in (".ofx", ".qfx"):
            continue
        _clean(parse_file, f, plan="p", user_dir=tmp_path / "none", source_map={"OTHERVEST": "roth_irr"})


@pytest.mark.parametrize("text", ["()", "(", ")", "-", "$", "$()", "(-)", "--", "+", "-$"])
def test_amount_fragments_are_cell_errors(text):
    from megaroth_ledger.importers.text import CellError, parse_cents

    with pytest.raises(CellError):
        parse_cents(text)
