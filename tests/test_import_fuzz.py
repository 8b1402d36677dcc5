"""Fuzzing the importers (issue 10): arbitrary bytes and mutations of every file in samples/,
through the real import entry point (:func:`megaroth_ledger.importers.store.import_file`,
what ``megaroth import`` runs), must end in success or a :class:`UserError`, never any other
exception; and a failed import writes nothing.

``make test`` runs a fixed (derandomized) set of cases; ``make fuzz`` runs many random ones
(``MEGAROTH_FUZZ_EXAMPLES``, default there 4000). The last lines of the run report the
case count and time.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from megaroth_ledger.errors import UserError
from megaroth_ledger.importers.store import import_file
from megaroth_ledger.store.db import open_ledger

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (ROOT / "samples").iterdir() if p.name.startswith("2025-"))
SAMPLE_BYTES = {p.name: p.read_bytes() for p in SAMPLES}
EXAMPLES = int(os.environ.get("MEGAROTH_FUZZ_EXAMPLES", "0"))
FUZZING = EXAMPLES > 0

#: cells that broke importers before (issue 10) and their relatives
NASTY = [
    b"$",
    b"-",
    b"--",
    b"+",
    b"()",
    b"(-)",
    b"$-",
    b"-$",
    b".",
    b",",
    b"9" * 5000,
    b"92233720368547758.08",
    b"-92233720368547758.09",
    b"1e999999",
    b"NaN",
    b"Infinity",
    b"0001-01-01",
    b"9999-12-31",
    b"1899-12-31",
    b"2101-01-01",
    b"00000000",
    b"99999999",
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b'"',
    b'""',
    b"\r",
    b"\r\n",
    b"\n\n\n",
    b"\t",
    b";",
    b",,,,,,",
    b"<OFX>",
    b"</OFX>",
    b"<A>" * 3000,
    b"<STMTTRN>" * 500,
    b"x" * 200_000,
    b'"' + b"y" * 150_000 + b'"',
    b"\x1b[2J",
    b"\x9b",
    b"=cmd|' /C calc'!A0",
    b"\xed\xa0\x80",
    b"PK\x03\x04",
    b"\xd8\x00",
    b"&amp;",
    b"&#0;",
    b"&#xffffffff;",
    b"30/02/2025",
    b"2025-02-30",
]


def _ext(name: str) -> str:
    return Path(name).suffix


@st.composite
def mutated(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(SAMPLE_BYTES)))
    data = bytearray(SAMPLE_BYTES[name])
    if name.endswith(".xlsx") and draw(st.booleans()):
        return name, _mutate_inside_zip(draw, bytes(data))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(
            st.sampled_from(["flip", "insert", "delete", "truncate", "nasty", "nasty_cell", "duplicate"])
        )
        n = len(data)
        at = draw(st.integers(0, max(n - 1, 0)))
        if op == "flip" and n:
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete" and n:
            del data[at : at + draw(st.integers(1, 4096))]
        elif op == "truncate":
            del data[at:]
        elif op == "nasty":
            data[at:at] = draw(st.sampled_from(NASTY))
        elif op == "nasty_cell":  # replace one cell (between separators) of a line
            line_start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            end = n if end < 0 else end
            line = bytes(data[line_start:end])
            sep = b"\t" if b"\t" in line else b","
            cells = line.split(sep)
            k = draw(st.integers(0, max(len(cells) - 1, 0)))
            cells[k] = draw(st.sampled_from(NASTY))
            data[line_start:end] = sep.join(cells)
        elif op == "duplicate" and n:
            piece = data[at : at + draw(st.integers(1, 2048))]
            data[at:at] = piece * draw(st.integers(1, 3))
    return name, bytes(data)


def _mutate_inside_zip(draw, data: bytes) -> bytes:
    """Valid zip container, damaged member: broken XML, bad numbers, broken deflate data."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    victim = draw(st.sampled_from(names))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for n in names:
            body = bytearray(src.read(n))
            if n == victim:
                op = draw(st.sampled_from(["flip", "truncate", "nasty", "drop"]))
                at = draw(st.integers(0, max(len(body) - 1, 0)))
                if op == "flip" and body:
                    body[at] = draw(st.integers(0, 255))
                elif op == "truncate":
                    del body[at:]
                elif op == "nasty":
                    body[at:at] = draw(
                        st.sampled_from(
                            NASTY
                            + [
                                b'<c r="A1" t="n"><v>1e999</v></c>',
                                b'<c r="A1" t="d"><v>99999999</v></c>',
                                b'<c r="XFD1048577"><v>1</v></c>',
                            ]
                        )
                    )
                elif op == "drop":
                    continue
            dst.writestr(n, bytes(body))
    raw = bytearray(out.getvalue())
    if draw(st.booleans()) and len(raw) > 200:  # damage the compressed bytes, keep the headers
        at = draw(st.integers(60, len(raw) - 60))
        raw[at] ^= draw(st.integers(1, 255))
    return bytes(raw)


arbitrary = st.tuples(
    st.sampled_from(["x.csv", "x.ofx", "x.qfx", "x.xlsx", "x.txt", "x"]),
    st.one_of(
        st.binary(max_size=2048),
        st.builds(
            lambda head, body: head + body,
            st.sampled_from(
                [
                    b"PK\x03\x04",
                    b"\xef\xbb\xbf",
                    b"\xff\xfe",
                    b"\xfe\xff",
                    b"OFXHEADER:100\n<OFX>",
                    b"date,plan,source,type,amount\n",
                    b"d\x00a\x00t\x00e\x00",
                ]
            ),
            st.binary(max_size=2048),
        ),
    ),
)


@pytest.fixture(scope="module")
def fuzz_ledger(tmp_path_factory):
    from tests.conftest import Megaroth

    db = tmp_path_factory.mktemp("fuzz") / "ledger.db"
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
        "--in-service-withdrawal",
    )
    ledger = open_ledger(str(db))
    from megaroth_ledger.importers.store import save_source_map

    save_source_map(ledger.engine, "acme-401k", {"OTHERVEST": "roth_irr"})
    stats = {"cases": 0, "ok": 0, "user_error": 0, "t0": time.monotonic()}
    yield ledger, tmp_path_factory.mktemp("files"), stats
    ledger.dispose()
    elapsed = time.monotonic() - stats["t0"]
    from tests.conftest import REPORT_LINES

    REPORT_LINES.append(
        f"import fuzz: {stats['cases']} cases in {elapsed:.1f} s ({stats['ok']} imported or "
        f"nothing new, {stats['user_error']} clean user errors, 0 other exceptions)"
    )


def _count(engine) -> tuple[int, int]:
    from sqlalchemy import text

    with engine.connect() as c:
        return (
            c.execute(text("SELECT count(*) FROM entry")).scalar(),
            c.execute(text("SELECT count(*) FROM import_batch")).scalar(),
        )


def _check(fuzz_ledger, name: str, data: bytes) -> None:
    ledger, folder, stats = fuzz_ledger
    path = folder / ("f" + _ext(name) if _ext(name) else "f")
    path.write_bytes(data)
    before = _count(ledger.engine)
    stats["cases"] += 1
    try:
        import_file(ledger.engine, path, plan="acme-401k")
    except UserError as exc:
        assert str(exc).strip(), "a user error says what is wrong"
        assert _count(ledger.engine) == before, "a failed import wrote something"
        stats["user_error"] += 1
        return
    stats["ok"] += 1


def _settings(n_default: int):
    return settings(
        max_examples=EXAMPLES or n_default,
        deadline=None,
        database=None,
        derandomize=not FUZZING,
        suppress_health_check=list(HealthCheck),
    )


@_settings(150)
@given(case=mutated())
def test_mutated_samples_import_or_fail_cleanly(fuzz_ledger, case):
    _check(fuzz_ledger, *case)


@_settings(150)
@given(case=arbitrary)
def test_arbitrary_bytes_import_or_fail_cleanly(fuzz_ledger, case):
    _check(fuzz_ledger, *case)


@pytest.mark.parametrize(
    "name, data",
    [
        (
            "big-field.csv",
            b"date,plan,source,type,amount,memo\n2025-01-02,acme-401k,pretax,contribution,1.00,"
            + b"m" * 300_000
            + b"\n",
        ),
        ("dollar.csv", b"date,plan,source,type,amount\n2025-01-02,acme-401k,pretax,contribution,$\n"),
        ("dash.csv", b"date,plan,source,type,amount\n2025-01-02,acme-401k,pretax,contribution,-\n"),
        (
            "digits.csv",
            b"date,plan,source,type,amount\n2025-01-02,acme-401k,pretax,contribution," + b"9" * 5000 + b"\n",
        ),
        (
            "overflow.csv",
            b"date,plan,source,type,amount\n2025-01-02,acme-401k,pretax,contribution,92233720368547758.08\n",
        ),
        ("deep.ofx", b"OFXHEADER:100\n<OFX>" + b"<A>" * 50_000 + b"<INVSTMTRS>"),
        ("notzip.xlsx", b"PK\x03\x04" + b"\x00" * 200),
        ("bom16.csv", b"\xff\xfe" + b"date,plan\n\xff"),
        ("nul16.csv", b"d\x00a\x00t\x00e\x00\x00\xd8"),
        (
            "bom8.csv",
            b"\xef\xbb\xbf"
            + "date,plan,source,type,amount\n2025-01-02,acme-401k,pretax,contribution,1\n".encode()
            + b"\xff\n",
        ),
    ],
)
def test_each_known_breaker_is_a_clean_result(fuzz_ledger, name, data):
    """The cases issue 10 measured as tracebacks on main."""
    _check(fuzz_ledger, name, data)


def test_a_corrupt_workbook_is_one_line(tmp_path, ann):
    data = bytearray((ROOT / "samples" / "2025-acme-voya-activity.xlsx").read_bytes())
    data[len(data) // 2 : len(data) // 2 + 200] = b"\x00" * 200
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(data))
    r = ann("import", str(bad), "--plan", "acme-401k", ok=False)
    assert r.exit_code == 2 and r.output.startswith("Error: bad.xlsx: not a readable XLSX workbook")
    assert len(r.output.strip().splitlines()) == 1
