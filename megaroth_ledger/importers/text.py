"""Low-level reading helpers shared by the importers: encodings, header cells, numbers, dates.

Everything here is pure (no database) and exact (no float): amounts become integer cents,
share counts stay decimal text.

Real-world mess handled (statement-formats.md section 7): UTF-8 BOM, UTF-16 (Excel
"Unicode Text"), cp1252/latin-1, HTML entities in labels, ``$``, thousands separators,
parentheses, trailing minus, Unicode minus (U+2212) and en/em dashes for negatives.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..bounds import AMOUNT_BOUND, DATE_BOUND, MAX_AMOUNT_CENTS, MAX_DATE, MIN_DATE
from .rows import CellError

CHUNK = 1 << 20

# A CSV field may be as large as the file (a memo column holding a whole page): the csv
# module's default limit of 128 KiB would end the import with _csv.Error. 2**31 - 1 fits a C
# long everywhere (sys.maxsize does not on Windows).
csv.field_size_limit(2**31 - 1)


@dataclass(frozen=True)
class FileFacts:
    """What one pass over the bytes tells us: SHA-256, size, text encoding and kind."""

    sha256: str
    size: int
    encoding: str | None  # None for binary (XLSX)
    kind: str  # "text" | "xlsx"


def file_facts(path: Path) -> FileFacts:
    """Hash the file and pick its encoding in one streaming pass.

    A BOM (UTF-8, UTF-16 LE/BE) or UTF-16's NUL pattern wins if the whole file decodes that
    way. Otherwise the file is UTF-8 if it all decodes as UTF-8, else cp1252 if every byte is
    defined there, else latin-1 (never fails).
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        first = f.read(CHUNK)
        h.update(first)
        size = len(first)
        if first.startswith(b"PK\x03\x04"):
            for chunk in iter(lambda: f.read(CHUNK), b""):
                h.update(chunk)
                size += len(chunk)
            return FileFacts(h.hexdigest(), size, None, "xlsx")
        decoders = _Decoders(first)
        chunk = first
        while chunk:
            decoders.feed(chunk)
            chunk = f.read(CHUNK)
            h.update(chunk)
            size += len(chunk)
    return FileFacts(h.hexdigest(), size, decoders.encoding(path), "text")


def _bom_guess(first: bytes) -> str | None:
    """The encoding a BOM or UTF-16's NUL pattern at the start of the file suggests."""
    if first.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if first.startswith(codecs.BOM_UTF16_LE) or first.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if len(first) >= 4 and first[1:2] == b"\x00" and first[3:4] == b"\x00":
        return "utf-16-le"
    if len(first) >= 4 and first[0:1] == b"\x00" and first[2:3] == b"\x00":
        return "utf-16-be"
    return None


class _Decoders:
    """The candidate encodings of :func:`file_facts`, fed the file chunk by chunk.

    A BOM or a NUL pattern is only a guess: it must decode the whole file (a binary file or a
    truncated one starts the same way), else the usual UTF-8 -> cp1252 -> latin-1."""

    def __init__(self, first: bytes):
        self.first, self.guess = first, _bom_guess(first)
        self.guessed = codecs.getincrementaldecoder(self.guess)() if self.guess else None
        self.utf8 = codecs.getincrementaldecoder("utf-8")()
        self.cp1252_ok = True

    def feed(self, chunk: bytes) -> None:
        if self.guessed is not None:
            try:
                self.guessed.decode(chunk)
            except UnicodeDecodeError:
                self.guessed = None
        if self.utf8 is not None:
            try:
                self.utf8.decode(chunk)
            except UnicodeDecodeError:
                self.utf8 = None
        if self.utf8 is None and self.cp1252_ok:
            try:
                chunk.decode("cp1252")
            except UnicodeDecodeError:
                self.cp1252_ok = False

    def encoding(self, path: Path) -> str:
        """The file's encoding once every chunk was fed."""
        if self.guessed is not None and _ends_well(self.guessed):
            return self.guess
        if self.utf8 is not None and _ends_well(self.utf8):
            return "utf-8-sig" if self.first.startswith(codecs.BOM_UTF8) else "utf-8"
        # cp1252 was only checked from the chunk where UTF-8 failed on; re-check all
        return "cp1252" if self.cp1252_ok and _all_cp1252(path) else "latin-1"


def _ends_well(decoder) -> bool:
    """Whether the file does not end inside a multi-byte sequence of ``decoder``'s encoding."""
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _all_cp1252(path: Path) -> bool:
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            try:
                chunk.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


class CountingReader(io.RawIOBase):
    """A binary reader that reports bytes consumed (drives the progress bar)."""

    def __init__(self, raw, on_bytes: Callable[[int], None] | None):
        self._raw = raw
        self._on = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = self._raw.readinto(b)
        if n and self._on is not None:
            self._on(n)
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_text(path: Path, encoding: str, on_bytes: Callable[[int], None] | None = None):
    """Open ``path`` as text with universal-newline-free reading (what ``csv`` wants)."""
    raw = CountingReader(open(path, "rb", buffering=0), on_bytes)
    buffered = io.BufferedReader(raw, buffer_size=CHUNK)
    return io.TextIOWrapper(buffered, encoding=encoding, newline="")


# --------------------------------------------------------------------------- cells

_WS = re.compile(r"\s+")


def norm_header(cell: str) -> str:
    """A header cell as compared by detection: BOM, quotes, entities, case, spacing."""
    s = html.unescape(cell.replace("\ufeff", "")).strip().strip('"').strip()
    return _WS.sub(" ", s).casefold()


def header_cells(cells: list[str]) -> list[str]:
    """Normalized header cells with trailing empty cells (trailing commas) dropped."""
    out = [norm_header(c) for c in cells]
    while out and not out[-1]:
        out.pop()
    return out


def clean_label(cell: str) -> str:
    """A label as stored: entities unescaped, whitespace collapsed and trimmed."""
    if "&" in cell:
        cell = html.unescape(cell)
    return _WS.sub(" ", cell).strip()


# --------------------------------------------------------------------------- numbers

_PLAIN_AMOUNT = re.compile(r"-?\d+(?:\.\d{1,2})?\Z")
_AMOUNT_BODY = re.compile(r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<frac>\d*))?\Z")
_DASHES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2012": "-"})
_PLAIN_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?\Z")
_DECIMAL_BODY = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?\Z")
BLANK_NUMBERS = frozenset({"", "-", "--", "n/a", "N/A"})


def _sign_and_body(text: str, column: str, what: str) -> tuple[bool, str]:
    s = text.strip().translate(_DASHES).replace(" ", "")
    neg = False
    if s.startswith("(") and s.endswith(")"):
        neg, s = True, s[1:-1]
    elif s.endswith("-") and len(s) > 1:  # trailing minus (paystubs, web views)
        neg, s = True, s[:-1]
    for _ in range(2):  # "-$12", "$-12", "+$12"
        if s and s[0] in "-+":
            if s[0] == "-":
                if neg:
                    raise CellError(column, f"{what} {text!r} has two negative signs")
                neg = True
            s = s[1:]
        elif s[:1] == "$":
            s = s[1:]
    return neg, s


def parse_cents(text: str, column: str = "amount") -> int:
    """Money text -> signed integer cents. Accepts ``1234.56``, ``-1,234.56``, ``$1,234.56``,
    ``-$5``, ``$-5``, ``(12.00)``, ``12.00-``, ``−12.00`` (U+2212) and ``–12.00`` (en dash)."""
    if len(text) > 40:  # more digits than any amount within the bound (and int()'s 4,300-digit limit)
        raise CellError(column, f"amount {_short(text)} is outside the bound {AMOUNT_BOUND}")
    if _PLAIN_AMOUNT.match(text):
        neg = text[0] == "-"
        whole, _, frac = (text[1:] if neg else text).partition(".")
        c = int(whole) * 100 + (int(frac) * (10 if len(frac) == 1 else 1) if frac else 0)
        if c > MAX_AMOUNT_CENTS:
            raise CellError(column, f"amount {text!r} is outside the bound {AMOUNT_BOUND}")
        return -c if neg else c
    if not text.strip():
        raise CellError(column, "missing amount")
    neg, s = _sign_and_body(text, column, "amount")
    m = _AMOUNT_BODY.match(s)
    if not m or (m.group("int") is None and not m.group("frac")):
        raise CellError(column, f"not an amount: {text!r}")
    frac = m.group("frac") or ""
    if len(frac) > 2:
        if frac[2:].strip("0"):
            raise CellError(column, f"amount {text!r} has fractions of a cent")
        frac = frac[:2]
    c = int((m.group("int") or "0").replace(",", "")) * 100 + int((frac + "00")[:2])
    if c > MAX_AMOUNT_CENTS:
        raise CellError(column, f"amount {text!r} is outside the bound {AMOUNT_BOUND}")
    return -c if neg else c


def _short(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:40]) + f"... ({len(text):,} characters)"


def parse_decimal_text(text: str, column: str, what: str = "number") -> str | None:
    """Exact decimal text (shares, prices): signs and separators normalized, value kept
    digit for digit. Blank, ``-`` and ``--`` mean "no value" (None)."""
    s = text.strip()
    if s in BLANK_NUMBERS:
        return None
    if len(s) > 40:
        raise CellError(column, f"{what} {_short(text)} has more than 40 characters")
    if _PLAIN_DECIMAL.match(s):
        return s
    neg, body = _sign_and_body(s, column, what)
    if not body or not _DECIMAL_BODY.match(body):
        raise CellError(column, f"not a {what}: {text!r}")
    body = body.replace(",", "")
    if body.startswith("."):
        body = "0" + body
    return ("-" + body) if neg and body.strip("0.") else body


def negate_text(num: str | None) -> str | None:
    if num is None:
        return None
    if num.startswith("-"):
        return num[1:]
    return num if not num.strip("0.") else "-" + num


def abs_text(num: str | None) -> str | None:
    if num is None:
        return None
    return num[1:] if num.startswith("-") else num


def cents_text(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


# --------------------------------------------------------------------------- dates


class DateParser:
    """Parses dates with a list of ``strptime`` formats, after an optional strip regex.

    ISO ``YYYY-MM-DD`` is always accepted (it is what XLSX date cells become). Results are
    memoized: exports repeat the same few hundred dates across thousands of rows.
    """

    def __init__(self, formats: list[str] | None = None, strip_regex: str | None = None):
        self.formats = formats or ["%Y-%m-%d"]
        self.strip = re.compile(strip_regex) if strip_regex else None
        self.cache: dict[str, dt.date] = {}

    def __call__(self, text: str, column: str) -> dt.date:
        d = self.cache.get(text)
        if d is not None:
            return d
        s = text.strip()
        if self.strip is not None:
            s = self.strip.sub("", s).strip()
        if not s:
            raise CellError(column, "missing date")
        d = None
        if len(s) == 10 and s[4] == "-":
            try:
                d = dt.date.fromisoformat(s)
            except ValueError:
                d = None
        if d is None:
            for fmt in self.formats:
                try:
                    d = dt.datetime.strptime(s, fmt).date()
                    break
                except ValueError:
                    continue
        if d is None:
            raise CellError(column, f"not a date: {_short(text)} (expected {' or '.join(self.formats)})")
        if not MIN_DATE <= d <= MAX_DATE:
            raise CellError(column, f"date {d.isoformat()} is outside the bound {DATE_BOUND}")
        if len(self.cache) < 100_000:
            self.cache[text] = d
        return d
