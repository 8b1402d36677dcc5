"""Profiles users can write themselves: read a table export and propose a mapping profile.

:func:`propose` reads a CSV/TSV/XLSX file (pure: no database, nothing written) and proposes
everything a profile (docs/profiles.md) needs:

- the header row (past any preamble: the candidate row followed by the longest run of rows
  with a date under a "date" column), its delimiter, and how the table ends (a blank row
  before other content -> ``stop_at_blank_row``; a non-data row after the last data row ->
  ``footer_regex``; non-data rows among the data -> ``skip_row_regex``);
- which column is the date, the amount, the money source, the activity (and fund, shares,
  price, payroll date...): by header words, then by what the values look like (the source
  and activity columns are the ones whose labels map best);
- every source label and activity label seen, each with a proposed canonical value
  (:func:`guess_source`, :func:`guess_type`) and the sign rule the amounts need (a label
  seen with both signs maps by ``when_amount``; an outflow label with positive amounts gets
  ``neg_abs``).

:func:`proposal_toml` renders the proposal as a commented TOML profile; :func:`columns_profile`
builds the one-off profile of ``megaroth import FILE --columns ...``; :func:`check_profile`
validates a profile (and optionally a file) with one line per problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError
from ..vocab import SOURCES
from .base import iter_xlsx_rows, split_line
from .profile_check import (  # noqa: F401 (KNOWN_KEYS re-exported)
    COLUMN_FIELDS,
    KNOWN_KEYS,
    check_profile_text,
    parse_profile_toml,
    profile_id,
)
from .profiles import PROFILE_TYPES, _compile
from .rows import CellError
from .text import clean_label, file_facts, header_cells, open_text, parse_cents

SCAN_LINES = 500
DELIMITERS = (",", "\t", ";")
DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%m-%d-%Y",
    "%d.%m.%Y",
    "%b %d, %Y",
    "%d-%b-%Y",
    "%B %d, %Y",
    "%Y%m%d",
)
TIME_SUFFIX = r"\s+\d{1,2}:\d{2}(:\d{2})?\s*([AaPp][Mm])?$"
_TIME_RE = re.compile(TIME_SUFFIX)

#: ``--columns`` keys: the canonical fields, with ``source``/``type``/``activity`` meaning the
#: column of raw labels (mapped by the proposed rules)
COLUMN_ALIASES = {"source": "source_label", "type": "type_label", "activity": "type_label"}

# ----------------------------------------------------------------------------- guesses

_SOURCE_RULES: tuple[tuple[str, str], ...] = (
    (r"pre[- ]?87", "aftertax_pre87"),
    (r"roth.*(in[- ]?plan|conversion|irr|ipr)|(in[- ]?plan|conversion).*roth", "roth_irr"),
    (r"roth.*rollover|rollover.*roth", "roth_rollover"),
    (r"employer.*roth|roth.*employer|roth.*match", "employer_roth"),
    (r"\broth\b", "roth"),
    (r"after[- ]?tax|post[- ]?tax|voluntary", "aftertax"),
    (r"safe[- ]?harbor", "safe_harbor"),
    (r"match", "match"),
    (r"profit[- ]?shar|discretionary", "profit_sharing"),
    (r"non[- ]?elective|qnec|employer", "nonelective"),
    (r"rollover|roll[- ]?in", "rollover"),
    (r"pre[- ]?tax|deferr|401\s*\(?k\)?|403\s*\(?b\)?|elective|salary|before[- ]?tax|employee", "pretax"),
)
_OUT_WORDS = re.compile(
    r"\bout\b|transferout|withdraw|distribut|redemption|\bsale\b|\bsell|\bfee|expense|charge"
    r"|disburse|\bpaid\b|payout|forfeit",
    re.I,
)
_IN_WORDS = re.compile(r"\bin\b|transferin|\breceipt|\bbuy|purchase|deposit", re.I)
_OUTFLOW_TYPES = frozenset(
    {"fee", "withdrawal", "loan_issue", "forfeiture", "exchange_out", "rollover_out", "conversion_out"}
)
_TYPE_RULES: tuple[tuple[str, str], ...] = (
    (r"balance forward|beginning balance|opening balance|starting balance", "balance"),
    (r"loan.*interest", "loan_interest"),
    (r"loan.*(repay|payment|principal)", "loan_repayment"),
    (r"loan", "loan_issue"),
    (r"true[- ]?up", "contribution_true_up"),
    (r"revenue credit|fee rebate|rebate|revenue sharing", "fee_rebate"),
    (r"fee|expense|charge", "fee"),
    (r"forfeit", "forfeiture"),
    (r"transfer|exchange|rebalanc|realloc|conversion|fund to fund|source to source", "exchange"),
    (r"dividend|\bdiv\b", "dividend"),
    (r"capital gain|cap gain", "capital_gain_dist"),
    (r"interest|cash earning", "interest"),
    (r"change in (market )?value|market value|gain/loss|realized|unrealized", "change_in_value"),
    (r"rollover|roll[- ]?over", "rollover"),
    (r"withdraw|distribut|redemption|\bsale\b|disburse|payout|hardship", "withdrawal"),
    (r"contribut|deferral|purchase|cash receipt|payroll|deposit", "contribution"),
    (r"adjust|misc|correction|other", "adjustment"),
)


def guess_source(label: str) -> str | None:
    """A canonical source for a raw money-source label, or None if nothing fits."""
    lab = clean_label(label).strip()
    low = re.sub(r"^\d+\s*-\s*", "", lab).lower()  # "5 - AFTER-TAX"
    if low in SOURCES:
        return low
    for pat, source in _SOURCE_RULES:
        if re.search(pat, low):
            return source
    return None


def guess_type(label: str, signs: set[int]) -> list[tuple[str, str, str | None]]:
    """[(type, sign, when_amount)] for a raw activity label seen with amounts of ``signs``."""
    lab = clean_label(label).strip()
    low = lab.lower()
    if low in PROFILE_TYPES:
        # a canonical type name: as is, unless an outflow type only ever has positive amounts
        if low in _OUTFLOW_TYPES and signs == {1}:
            return [(low, "neg_abs", None)]
        return [(low, "as_is", None)]
    kind = next((t for pat, t in _TYPE_RULES if re.search(pat, low)), None)
    if kind == "adjustment" and low in ("other", "misc", "miscellaneous") and signs == {-1}:
        return [("fee", "as_is", None)]  # a catch-all label that only ever takes money out: a charge
    if kind is None:
        return []
    outflow = bool(_OUT_WORDS.search(low)) and not _IN_WORDS.search(
        low.replace("in-plan", "").replace("in plan", "")
    )
    inflow = bool(_IN_WORDS.search(low.replace("in-plan", "").replace("in plan", ""))) and not outflow
    both = 1 in signs and -1 in signs
    if kind in ("exchange", "rollover"):
        out_t, in_t = (
            ("exchange_out", "exchange_in") if kind == "exchange" else ("rollover_out", "rollover_in")
        )
        if outflow and not inflow:
            return [(out_t, "neg_abs", None)]
        if inflow and not outflow:
            return [(in_t, "abs", None)]
        return [(out_t, "as_is", "<0"), (in_t, "as_is", None)]
    if kind in ("fee", "withdrawal", "loan_issue", "forfeiture"):
        return [(kind, "as_is" if both else "neg_abs", None)]
    if kind in ("contribution", "loan_repayment", "contribution_true_up") and not both:
        return [(kind, "abs", None)] if signs == {-1} else [(kind, "as_is", None)]
    return [(kind, "as_is", None)]


# ----------------------------------------------------------------------------- reading


@dataclass
class Table:
    """A file's lines as cell lists (text: from the header line on, with line numbers)."""

    path: Path
    kind: str  # "text" | "xlsx"
    encoding: str | None
    header_line: int
    delimiter: str | None
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line, cells) after the header


def _looks_like_date(text: str) -> bool:
    s = _TIME_RE.sub("", text.strip())
    if not s or len(s) > 20:
        return False
    for fmt in DATE_FORMATS:
        try:
            dt.datetime.strptime(s, fmt)
            return True
        except ValueError:
            continue
    return False


def _looks_like_amount(text: str) -> bool:
    try:
        parse_cents(text, "x")
        return True
    except CellError:
        return False


def _header_score(cells: list[str], required: set[str] | None = None) -> bool:
    names = [c for c in header_cells(cells) if c]
    if required:
        return required <= set(names)
    if len(names) < 3:
        return False
    if any(_looks_like_date(c) or _looks_like_amount(c) for c in names):
        return False
    return any("date" in c for c in names)


def _date_columns(header: list[str], date_name: str | None = None) -> list[int]:
    norm = header_cells(header)
    if date_name:
        return [i for i, h in enumerate(norm) if h == date_name]
    return [i for i, h in enumerate(norm) if "date" in h]


def _run_length(header: list[str], rows: list[list[str]], date_name: str | None = None) -> int:
    cols = _date_columns(header, date_name)
    n = 0
    for cells in rows:
        if not any(c.strip() for c in cells):
            break
        if not any(i < len(cells) and _looks_like_date(cells[i]) for i in cols):
            break
        n += 1
    return n


def _xlsx_table(path: Path, required: set[str] | None, date_name: str | None) -> Table:
    """A workbook's first sheet from its header row (the one followed by the most dated rows)."""
    try:
        all_rows = list(iter_xlsx_rows(path, None))
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise UserError(f"{path.name}: not a readable XLSX workbook ({type(exc).__name__})") from None
    best = None
    for k, (n, cells) in enumerate(all_rows[:SCAN_LINES]):
        if _header_score(cells, required):
            run = _run_length(cells, [c for _, c in all_rows[k + 1 : k + 200]], date_name)
            if run and (best is None or run > best[0]):
                best = (run, k)
    if best is None:
        raise UserError(
            f"{path.name}: no header row with "
            + (f"the columns {', '.join(sorted(required))}" if required else "a date column")
            + f" (and dated rows under it) in the first {SCAN_LINES} rows"
        )
    k = best[1]
    return Table(path, "xlsx", None, all_rows[k][0], None, all_rows[k][1], all_rows[k + 1 :])


def _text_lines(path: Path, encoding: str | None) -> list[str]:
    """The file's lines (ends kept); undecodable text and an OFX/QFX statement are errors."""
    with open_text(path, encoding) as f:
        try:
            text = f.read()
        except UnicodeDecodeError:
            raise UserError(f"{path.name}: not readable as {encoding} text") from None
    if "<OFX>" in text[:20000].upper() or "OFXHEADER" in text[:2000].upper():
        raise UserError(
            f"{path.name}: an OFX/QFX statement is read by the built-in ofx adapter; no profile needed "
            "(`megaroth import FILE --plan P`)"
        )
    return text.splitlines(keepends=True)


def _text_header(
    lines: list[str], required: set[str] | None, date_name: str | None
) -> tuple[int, int, str, list[str]] | None:
    """(run, line index, delimiter, cells) of the header line followed by the most dated rows, or None."""
    best = None
    for i, line in enumerate(lines[:SCAN_LINES]):
        if not line.strip():
            continue
        for d in DELIMITERS:
            if d not in line:
                continue
            cells = split_line(line.rstrip("\r\n"), d)
            if not _header_score(cells, required):
                continue
            try:
                following = list(
                    csv.reader(io.StringIO("".join(lines[i + 1 : i + 200]), newline=""), delimiter=d)
                )
            except csv.Error:
                continue
            run = _run_length(cells, following, date_name)
            if run and (best is None or run > best[0]):
                best = (run, i, d, cells)
    return best


def _no_text_header(path: Path, required: set[str] | None) -> UserError:
    """The error for a text file with no header line found (naming the --columns given, if any)."""
    if required:
        return UserError(
            f"{path.name}: no header row with the columns {', '.join(sorted(required))} (and dated "
            f"rows under it) in the first {SCAN_LINES} lines"
        )
    return UserError(
        f"{path.name}: no header row with a date column (and dated rows under it) found in the "
        f"first {SCAN_LINES} lines; map the columns with --columns"
    )


def _csv_rows(path: Path, lines: list[str], i: int, d: str) -> list[tuple[int, list[str]]]:
    """The rows after the header on line index ``i``, each with its line number; bad CSV is an error."""
    reader = csv.reader(io.StringIO("".join(lines[i + 1 :]), newline=""), delimiter=d)
    rows = []
    try:
        for cells_ in reader:
            rows.append((i + 1 + reader.line_num, cells_))
    except csv.Error as exc:
        raise UserError(f"{path.name}:{i + 1 + reader.line_num}: unreadable CSV: {exc}") from None
    return rows


def read_table(path: Path, required: set[str] | None = None, date_name: str | None = None) -> Table:
    """Find the header row and read the rows after it (the whole file). ``required``: the
    (case-folded) column names the header must have (``--columns``); ``date_name`` its date column."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    facts = file_facts(path)
    if facts.kind == "xlsx":
        return _xlsx_table(path, required, date_name)
    lines = _text_lines(path, facts.encoding)
    best = _text_header(lines, required, date_name)
    if best is None:
        raise _no_text_header(path, required)
    _, i, d, cells = best
    return Table(path, "text", facts.encoding, i + 1, d, cells, _csv_rows(path, lines, i, d))


# ----------------------------------------------------------------------------- proposal


@dataclass
class Proposal:
    name: str
    table: Table
    header: list[str]  # cleaned header names (trailing empties dropped)
    columns: dict[str, str]  # canonical field -> header name
    const: dict[str, str] = field(default_factory=dict)
    date_formats: list[str] = field(default_factory=list)
    date_strip_regex: str | None = None
    stop_at_blank_row: bool = False
    footer_regex: str | None = None
    skip_row_regex: list[str] = field(default_factory=list)
    sources: dict[str, str | None] = field(default_factory=dict)  # raw label -> source (None: unknown)
    types: dict[str, list[tuple[str, str, str | None]]] = field(default_factory=dict)
    type_signs: dict[str, set[int]] = field(default_factory=dict)
    fund_code_regex: str | None = None
    notes: list[str] = field(default_factory=list)
    data_rows: int = 0

    @property
    def unmapped_sources(self) -> list[str]:
        return sorted(k for k, v in self.sources.items() if v is None)

    @property
    def unmapped_types(self) -> list[str]:
        return sorted(k for k, v in self.types.items() if not v)


_ROLE_WORDS = {
    "amount": (
        "amount",
        "dollar amount",
        "dollars",
        "value",
        "total value",
        "net amount",
        "transaction amount",
        "total",
        "sum",
        "usd",
        "cash",
        "amt",
    ),
    "source": (
        "money source",
        "source",
        "money type",
        "source name",
        "contribution source",
        "contribution",
        "fund source",
        "account type",
    ),
    "type": (
        "activity",
        "transaction type",
        "type",
        "transaction",
        "action",
        "transaction description",
        "description",
        "activity type",
        "transaction activity",
    ),
    "fund": ("fund", "investment", "investment name", "fund name", "security", "security name", "name"),
    "shares": (
        "shares",
        "units",
        "# of units",
        "shares/unit",
        "transaction shares",
        "share quantity",
        "quantity",
    ),
    "price": ("price", "unit price", "share price", "nav"),
    "payroll_date": ("payroll date", "pay date", "paycheck date", "check date"),
    "settle_date": ("run date", "settlement date", "settle date", "posted date", "post date", "process date"),
    "memo": ("description", "memo", "details", "transaction description"),
    "plan": ("plan",),
    "fund_id": ("ticker", "symbol", "fund id", "fund code"),
    "external_id": ("transaction id", "confirmation number", "reference", "fitid"),
}


def _word_rank(name: str, words: tuple[str, ...]) -> int | None:
    """Lower is better: exact word list position, then containment (+100)."""
    if name in words:
        return words.index(name)
    for k, w in enumerate(words):
        if re.search(rf"\b{re.escape(w)}\b", name):
            return 100 + k
    return None


def _cells_of(rows, idx: int) -> list[str]:
    return [c[idx].strip() for c in rows if idx < len(c) and c[idx].strip()]


def _row_kinds(path: Path, table: Table, date_cols: list[int]) -> list[str]:
    """Each row after the header: "data" (a date under a date column), "blank" or "other"."""
    kinds = []
    for _, cells in table.rows:
        if not any(c.strip() for c in cells):
            kinds.append("blank")
        elif any(i < len(cells) and _looks_like_date(cells[i]) for i in date_cols):
            kinds.append("data")
        else:
            kinds.append("other")
    if "data" not in kinds:
        raise UserError(f"{path.name}: no dated rows under the header on line {table.header_line}")
    return kinds


def _skip_texts(rows: list[tuple[int, list[str]]], kinds: list[str], first: int, last: int) -> list[str]:
    """The distinct texts of the non-data rows among the data (each one a skip_row_regex)."""
    texts: list[str] = []
    for k in range(first, last + 1):
        if kinds[k] == "other":
            text = "\t".join(rows[k][1]).strip()
            if text not in texts:
                texts.append(text)
    return texts


def _table_ending(prop: Proposal, kinds: list[str]) -> None:
    """The rows to skip among the data, and how the table ends: stop_at_blank_row or footer_regex."""
    rows = prop.table.rows
    last = max(k for k, kind in enumerate(kinds) if kind == "data")
    first = kinds.index("data")
    skip_texts = _skip_texts(rows, kinds, first, last)
    prop.skip_row_regex = ["^\\s*" + re.escape(t) + "\\s*$" for t in skip_texts[:20]]
    if all(k == "blank" for k in kinds[last + 1 :]):
        return
    nxt = next(j for j in range(last + 1, len(kinds)) if kinds[j] != "blank")
    if kinds[last + 1] == "blank" and "blank" not in kinds[first : last + 1]:
        prop.stop_at_blank_row = True
        return
    c0 = rows[nxt][1][0].strip() if rows[nxt][1] else ""
    prop.footer_regex = "^\\s*" + re.escape(c0) + "\\s*$" if c0 else None
    if not c0:
        prop.notes.append(
            f"line {rows[nxt][0]}: rows after the data start with an empty cell; "
            "set [read] footer_regex or stop_at_blank_row yourself"
        )


def _pinned_roles(
    path: Path, table: Table, header: list[str], columns: dict[str, str] | None
) -> dict[str, int]:
    """The roles ``columns`` pins (``--columns``): field -> column index; unknown names are errors."""
    index = {h: i for i, h in enumerate(header_cells(header))}
    roles: dict[str, int] = {}
    for key, col in (columns or {}).items():
        fld = COLUMN_ALIASES.get(key, key)
        if fld not in COLUMN_FIELDS:
            raise UserError(
                f"--columns {key}=...: unknown field {key!r}; one of date, amount, source, type, "
                + ", ".join(f for f in COLUMN_FIELDS if f not in ("date", "amount", "source", "type"))
            )
        c = col.strip().casefold()
        if c not in index:
            raise UserError(
                f"--columns {key}={col!r}: {path.name} has no column {col!r} (its header on line "
                f"{table.header_line}: {', '.join(header)})"
            )
        roles[fld] = index[c]
    return roles


def _mostly(pred):
    """A test of a column's values: at least 90% of them pass ``pred``."""
    return lambda vals: sum(1 for v in vals if pred(v)) >= 0.9 * len(vals)


def _texty(vals: list[str]) -> bool:
    """At least 90% of the values are neither amounts nor dates (labels, names, memos)."""
    return sum(1 for v in vals if not _looks_like_amount(v) and not _looks_like_date(v)) >= 0.9 * len(vals)


def _money_like(v: str) -> bool:
    """An amount written with cents ("12.30", "(4.00)", "5.00-")."""
    return re.search(r"\.\d\d\)?-?$", v) is not None and _looks_like_amount(v)


def _number_like(v: str) -> bool:
    """A shares or price value: an amount, a dash for none, or a bare number."""
    return (
        _looks_like_amount(v)
        or v in ("-", "--")
        or re.fullmatch(r"[-\u2212(]?\$?[\d,]*\.?\d+\)?", v) is not None
    )


class _RolePicker:
    """Gives roles their columns, each column to one role: ``roles`` (field -> column) and ``used``."""

    def __init__(self, norm: list[str], data: list[list[str]], roles: dict[str, int]):
        self.norm = norm  # the case-folded header names
        self.data = data  # the data rows' cells
        self.roles = roles
        self.used = set(roles.values())

    def pick(self, role: str, ok) -> int | None:
        """The free column best named for ``role`` whose values pass ``ok`` (now used), or None."""
        best = None
        for i, h in enumerate(self.norm):
            if i in self.used:
                continue
            rank = _word_rank(h, _ROLE_WORDS[role])
            if rank is None:
                continue
            vals = _cells_of(self.data, i)
            if not vals or not ok(vals):
                continue
            if best is None or rank < best[0]:
                best = (rank, i)
        if best is None:
            return None
        self.used.add(best[1])
        return best[1]

    def fill(self, role: str, ok) -> None:
        """An unpinned ``role`` gets the column :meth:`pick` finds, if any."""
        if role not in self.roles:
            i = self.pick(role, ok)
            if i is not None:
                self.roles[role] = i

    def pick_date(self, date_cols: list[int]) -> None:
        """The date: the first free date column (not payroll/settle) dated in 90% of rows, else the first."""
        for i in date_cols:
            h = self.norm[i]
            if (
                i in self.used
                or _word_rank(h, _ROLE_WORDS["payroll_date"]) is not None
                or _word_rank(h, _ROLE_WORDS["settle_date"]) is not None
            ):
                continue
            if sum(_looks_like_date(v) for v in _cells_of(self.data, i)) >= 0.9 * len(self.data):
                break
        else:
            i = date_cols[0]
        self.roles["date"] = i
        self.used.add(i)

    def money_column(self) -> int | None:
        """With no amount-like name: the one free column of money-looking values (not price/shares)."""
        money = [
            j
            for j, h in enumerate(self.norm)
            if j not in self.used
            and _word_rank(h, _ROLE_WORDS["price"]) is None
            and _word_rank(h, _ROLE_WORDS["shares"]) is None
            and _cells_of(self.data, j)
            and _mostly(_money_like)(_cells_of(self.data, j))
        ]
        if len(money) != 1:
            return None
        self.used.add(money[0])
        return money[0]

    def _label_candidates(self, role: str, guess) -> list[tuple[float, int, int]]:
        """(-share of distinct labels ``guess`` maps, header word rank, column) of the free text columns."""
        cands = []
        for i, h in enumerate(self.norm):
            if i in self.used:
                continue
            vals = _cells_of(self.data, i)
            if not vals or not _texty(vals):
                continue
            distinct = set(clean_label(v) for v in vals)
            if len(distinct) > 200:
                continue
            mapped = sum(1 for v in distinct if guess(v))
            rank = _word_rank(h, _ROLE_WORDS["source" if role == "source_label" else "type"])
            if rank is None and not mapped:
                continue
            cands.append((-(mapped / len(distinct)), rank if rank is not None else 1000, i))
        return cands

    def fill_labels(self, role: str, guess) -> None:
        """An unpinned source_label/type_label gets the text column whose labels ``guess`` maps best."""
        if role in self.roles:
            return
        cands = self._label_candidates(role, guess)
        if not cands:
            return
        cands.sort()
        if cands[0][0] == 0 and cands[0][1] >= 1000:
            return
        self.used.add(cands[0][2])
        self.roles[role] = cands[0][2]


def _pick_roles(
    path: Path, header: list[str], date_cols: list[int], data: list[list[str]], roles: dict[str, int]
) -> dict[str, int]:
    """Every role's column past the pinned ``roles``: by header words, then by what the values look like."""
    pk = _RolePicker(header_cells(header), data, roles)
    if "date" not in roles:
        pk.pick_date(date_cols)
    for role in ("payroll_date", "settle_date"):
        pk.fill(role, _mostly(_looks_like_date))
    if "amount" not in roles:
        i = pk.pick("amount", _mostly(_looks_like_amount))
        if i is None:
            i = pk.money_column()
        if i is None:
            raise UserError(
                f"{path.name}: no amount column recognised in {', '.join(header)}; "
                "name it with --columns amount=COLUMN"
            )
        roles["amount"] = i
    for role in ("shares", "price"):
        pk.fill(role, _mostly(_number_like))
    # source and activity: the candidate column whose labels map best
    pk.fill_labels("source_label", guess_source)
    pk.fill_labels("type_label", lambda v: bool(guess_type(v, {1})))
    if "type_label" not in roles and "type" not in roles:
        raise UserError(
            f"{path.name}: no activity (transaction type) column recognised in {', '.join(header)}; "
            "name it with --columns type=COLUMN"
        )
    for role in ("fund", "fund_id", "memo", "external_id", "plan"):
        pk.fill(role, _texty if role != "external_id" else (lambda v: True))
    return roles


def _parses(value: str, fmt: str) -> bool:
    """Whether strptime reads ``value`` with ``fmt``."""
    try:
        dt.datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _date_formats(values: list[str]) -> list[str]:
    """The formats that together read every date value, those reading the most values first."""
    fmts = []
    for fmt in DATE_FORMATS:
        ok = sum(1 for v in values if _parses(v, fmt))
        if ok:
            fmts.append((ok, fmt))
    # formats that together read every value, most values first (US month/day before day/month)
    chosen = []
    left = set(values)
    for _, fmt in sorted(fmts, key=lambda x: (-x[0], DATE_FORMATS.index(x[1]))):
        if not left:
            break
        hit = {v for v in left if _parses(v, fmt)}
        if hit:
            chosen.append(fmt)
            left -= hit
    return chosen or ["%Y-%m-%d"]


def _propose_dates(prop: Proposal, data: list[list[str]], roles: dict[str, int]) -> None:
    """date_strip_regex (if a date has a time after it) and date_formats, from the date columns."""
    dvals = _cells_of(data, roles["date"])
    for extra in ("payroll_date", "settle_date"):
        if extra in roles:
            dvals += _cells_of(data, roles[extra])
    if any(_TIME_RE.search(v) for v in dvals):
        prop.date_strip_regex = TIME_SUFFIX
    prop.date_formats = _date_formats([_TIME_RE.sub("", v) for v in dvals])


def _amount_sign(cells: list[str], amount_idx: int) -> int:
    """The sign of a row's amount: 1, -1, or 0 (zero, no cell, or unreadable)."""
    try:
        c = parse_cents(cells[amount_idx], "amount") if amount_idx < len(cells) else 0
    except CellError:
        return 0
    return (c > 0) - (c < 0)


def _propose_labels(prop: Proposal, data: list[list[str]], roles: dict[str, int]) -> None:
    """Each source label's guessed source; each activity label's amount signs and guessed types."""
    if "source_label" in roles:
        for v in _cells_of(data, roles["source_label"]):
            lab = clean_label(v)
            if lab not in prop.sources:
                prop.sources[lab] = guess_source(lab)
    tcol = roles.get("type_label", roles.get("type"))
    for cells in data:
        if tcol >= len(cells):
            continue
        lab = clean_label(cells[tcol])
        if not lab:
            continue
        prop.type_signs.setdefault(lab, set()).add(_amount_sign(cells, roles["amount"]))
    for lab, signs in prop.type_signs.items():
        prop.types[lab] = guess_type(lab, signs - {0} or {1})


def _fund_code_regex(data: list[list[str]], roles: dict[str, int]) -> str | None:
    """[funds] code_regex if every fund name starts with a code ("0899 Vanguard ..."), made fund_id."""
    if "fund" in roles and "fund_id" not in roles:
        funds = set(_cells_of(data, roles["fund"]))
        if funds and all(re.match(r"^\d{3,6}\s", f) for f in funds):
            return "^(?P<code>\\d{3,6})\\s"
    return None


def propose(path: Path, name: str, columns: dict[str, str] | None = None) -> Proposal:
    """Propose a profile named ``name`` for ``path`` (``columns`` pins roles, as ``--columns``)."""
    required = {c.strip().casefold() for c in columns.values()} if columns else None
    date_name = columns["date"].strip().casefold() if columns and "date" in columns else None
    table = read_table(path, required, date_name)
    header = [clean_label(h.replace("\ufeff", "")).strip('"').strip() for h in table.header]
    while header and not header[-1]:
        header.pop()
    date_cols = _date_columns(header, date_name)
    kinds = _row_kinds(path, table, date_cols)
    prop = Proposal(name=name, table=table, header=header, columns={})
    _table_ending(prop, kinds)
    data = [cells for (_, cells), kind in zip(table.rows, kinds) if kind == "data"]
    prop.data_rows = len(data)
    pinned = _pinned_roles(path, table, header, columns)
    roles = _pick_roles(path, header, date_cols, data, pinned)
    if "source_label" not in roles and "source" not in roles:
        prop.const["source"] = "unknown"
        prop.notes.append(
            "no money-source column: every row is source unknown (headroom and the forms then ask "
            "for the sources: `megaroth import FILE` explains)"
        )
    prop.columns = {f: header[i] for f, i in sorted(roles.items(), key=lambda kv: kv[1])}
    _propose_dates(prop, data, roles)
    _propose_labels(prop, data, roles)
    prop.fund_code_regex = _fund_code_regex(data, roles)
    return prop


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") + '"'


def _label_regex(label: str) -> str:
    return "^" + re.escape(label).replace("\\ ", " ") + "$"


def _toml_head(p: Proposal, origin: str) -> list[str]:
    """The comment on top, [profile], and [detect] (the header; scan_lines if it is far down)."""
    out = [
        f"# Profile proposed by `megaroth profiles new {p.name} --from {origin}`.",
        "# Every key is documented in docs/profiles.md. Check the proposals marked CHECK, then run",
        f"#   megaroth profiles check {p.name} {origin}",
        "",
        "[profile]",
        f"id = {_toml_str(p.name)}",
        f"title = {_toml_str(p.name + ' (from ' + origin + ')')}",
        f"evidence = {_toml_str('proposed from ' + origin + ' by megaroth profiles new')}",
        "",
        "[detect]",
        "header = [" + ", ".join(_toml_str(h) for h in p.header) + "]",
    ]
    if p.table.header_line > 50:
        out.append(f"scan_lines = {p.table.header_line + 50}")
    return out


def _toml_read(p: Proposal) -> list[str]:
    """[read]: the delimiter and how the table ends (stop_at_blank_row, footer_regex, skip_row_regex)."""
    out = ["", "[read]"]
    if p.table.delimiter:
        out.append(f"delimiter = {_toml_str(p.table.delimiter)}")
    if p.stop_at_blank_row:
        out.append("stop_at_blank_row = true")
    if p.footer_regex:
        out.append(f"footer_regex = {_toml_str(p.footer_regex)}")
    if p.skip_row_regex:
        out.append("skip_row_regex = [" + ", ".join(_toml_str(r) for r in p.skip_row_regex) + "]")
    return out


def _toml_columns(p: Proposal) -> list[str]:
    """[columns], [const] if any, and [parse] (date_formats, date_strip_regex)."""
    out = ["", "[columns]"]
    out += [f"{f} = {_toml_str(h)}" for f, h in p.columns.items()]
    if p.const:
        out += ["", "[const]"] + [f"{k} = {_toml_str(v)}" for k, v in p.const.items()]
    out += ["", "[parse]", "date_formats = [" + ", ".join(_toml_str(f) for f in p.date_formats) + "]"]
    if p.date_strip_regex:
        out.append(f"date_strip_regex = {_toml_str(p.date_strip_regex)}")
    return out


def _toml_sources(p: Proposal) -> list[str]:
    """[sources] map: every source label seen with its source (a CHECK comment if none fits)."""
    if not p.sources:
        return []
    out = [
        "",
        "# every money-source label seen in the file, with the proposed ledger source",
        "[sources]",
        "map = [",
    ]
    for lab in sorted(p.sources):
        src = p.sources[lab]
        if src is None:
            out.append(f"  # CHECK: {_toml_str(lab)} matched no source; give it one, e.g.")
            out.append(f'  # {{ match = {_toml_str(_label_regex(lab))}, source = "pretax" }},')
        else:
            out.append(f"  {{ match = {_toml_str(_label_regex(lab))}, source = {_toml_str(src)} }},")
    out.append("]")
    return out


def _toml_types(p: Proposal) -> list[str]:
    """[types] map: every activity label seen with its rules (a CHECK comment if none fits)."""
    out = [
        "",
        "# every activity label seen, with the proposed ledger type and sign rule",
        "[types]",
        "map = [",
    ]
    for lab in sorted(p.types):
        rules = p.types[lab]
        signs = "/".join(
            {1: "+", -1: "-", 0: "0"}[s] for s in sorted(p.type_signs.get(lab, set()), reverse=True)
        )
        if not rules:
            out.append(f"  # CHECK: {_toml_str(lab)} (amounts {signs}) matched no type; give it one, e.g.")
            out.append(f'  # {{ match = {_toml_str(_label_regex(lab))}, type = "adjustment" }},')
            continue
        for typ, sign, when in rules:
            bits = [f"match = {_toml_str(_label_regex(lab))}", f"type = {_toml_str(typ)}"]
            if sign != "as_is":
                bits.append(f"sign = {_toml_str(sign)}")
            if when:
                bits.append(f"when_amount = {_toml_str(when)}")
            out.append("  { " + ", ".join(bits) + " },")
    out.append("]")
    return out


def proposal_toml(p: Proposal, *, origin: str) -> str:
    """The proposal as a commented profile (docs/profiles.md documents every key)."""
    out = _toml_head(p, origin) + _toml_read(p) + _toml_columns(p) + _toml_sources(p) + _toml_types(p)
    if p.fund_code_regex:
        out += ["", "[funds]", f"code_regex = {_toml_str(p.fund_code_regex)}"]
    out += ["", "[derive]", "pair_transfers = true", ""]
    return "\n".join(out)


def columns_profile(path: Path, spec: dict[str, str], name: str = "columns"):
    """The one-off profile of ``import FILE --columns ...``: the given columns, every label
    mapped by the proposal rules (an unmapped label fails its rows as usual)."""
    p = propose(path, name, spec)
    text = proposal_toml(p, origin=Path(path).name)
    prof = _compile(text, f"--columns for {Path(path).name}")
    prof.origin = "--columns"
    return prof, p


def parse_columns_spec(text: str) -> dict[str, str]:
    """``date="Activity Date",amount=Amount,...`` -> {key: column}; commas inside quotes kept."""
    out: dict[str, str] = {}
    parts, cur, quote = [], [], False
    for ch in text:
        if ch == '"':
            quote = not quote
            continue
        if ch == "," and not quote:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    if quote:
        raise UserError(f"--columns {text!r}: unbalanced double quote")
    parts.append("".join(cur))
    for part in parts:
        if not part.strip():
            continue
        key, sep, col = part.partition("=")
        key = key.strip().lower()
        if not sep or not key or not col.strip():
            raise UserError(f'--columns: {part.strip()!r} is not FIELD=COLUMN (e.g. date="Activity Date")')
        if key in out:
            raise UserError(f"--columns: {key} given twice")
        out[key] = col.strip()
    for need in ("date", "amount"):
        if need not in out:
            raise UserError(
                f"--columns needs {need}=COLUMN (and type=COLUMN for the activity; source=COLUMN "
                "for the money source if the file has one)"
            )
    return out


# ----------------------------------------------------------------------------- check
# (the profile's own TOML: :mod:`.profile_check`)


def check_profile_file(profile, path: Path) -> tuple[list[str], int]:
    """Problems parsing ``path`` with ``profile`` (one line per distinct problem), rows read."""
    from . import parse_file
    from .rows import ImportRowErrors

    problems: list[str] = []
    try:
        _, rows = parse_file(path, profile=profile.id, plan="check", user_dir=_profile_dir(profile))
    except ImportRowErrors as exc:
        seen: dict[tuple[str, str], list[int]] = {}
        for e in exc.errors:
            reason = re.sub(r"'[^']*'$", "", e.reason) if e.reason.startswith("not a date") else e.reason
            seen.setdefault((e.column, reason), []).append(e.line)
        for (column, reason), lines in seen.items():
            where = f"line {lines[0]}" + (f" (and {len(lines) - 1} more)" if len(lines) > 1 else "")
            problems.append(f"{path.name}: {where}: {column}: {reason}")
        if exc.total > len(exc.errors):
            problems.append(f"{path.name}: ... {exc.total - len(exc.errors)} more bad rows")
        return problems, 0
    return problems, len(rows)


def _profile_dir(profile) -> Path | None:
    if profile.origin and profile.origin not in ("shipped", "--columns") and Path(profile.origin).exists():
        return Path(profile.origin).parent
    return None


def check_profile(name: str, path: Path | None, user_dir: Path | None = None) -> dict:
    """``profiles check``: find profile ``name`` (user file or shipped), validate it, and read
    ``path`` with it if given. Returns {profile, origin, problems, rows}."""
    origin, text = _find_profile(name, user_dir)
    problems = check_profile_text(text, Path(origin).name if not origin.startswith("shipped:") else origin)
    rows = 0
    if not problems:  # so _compile, which refuses what the check reports, builds it
        prof = _compile(text, origin)
        prof.origin = origin if not origin.startswith("shipped:") else "shipped"
        if path is not None:
            problems += _check_detection(prof, path)
            if not problems:
                more, rows = check_profile_file(prof, path)
                problems += more
    return {"profile": name, "origin": origin, "problems": problems, "ok": not problems, "rows": rows}


def _find_profile(name: str, user_dir: Path | None) -> tuple[str, str]:
    """(origin, TOML text) of profile ``name``: the first user file, then shipped one, whose
    [profile] id is ``name`` (or, without a usable id, whose file is ``name``.toml)."""
    from importlib import resources

    from .profiles import read_profile_file, user_profiles_dir

    udir = user_dir if user_dir is not None else user_profiles_dir()
    candidates: list[tuple[str, str]] = []
    if udir.is_dir():
        candidates += [(str(f), read_profile_file(f)) for f in sorted(udir.glob("*.toml"))]
    pkg = resources.files("megaroth_ledger.importers") / "profiles"
    candidates += [
        (f"shipped:{e.name}", e.read_text(encoding="utf-8"))
        for e in sorted(pkg.iterdir(), key=lambda e: e.name)
        if e.name.endswith(".toml")
    ]
    for origin, text in candidates:
        pid = _profile_id(text)
        if pid == name or (pid is None and Path(origin).stem == name):
            return origin, text
    raise UserError(
        f"no profile {name!r} (in {udir} or shipped); write one with `megaroth profiles new {name} --from FILE`"
    )


def _profile_id(text: str) -> str | None:
    """The profile's [profile] id, if the text is TOML and the id a non-empty string."""
    return profile_id(parse_profile_toml(text, "")[0])


def _check_detection(prof, path: Path) -> list[str]:
    from .base import read_head
    from .ofx import OfxImporter
    from .tabular import ProfileImporter

    try:
        head = read_head(path)
    except (UnicodeDecodeError, OSError) as exc:
        return [f"{path.name}: unreadable: {exc}"]
    except Exception as exc:  # a damaged XLSX: openpyxl raises many kinds
        return [f"{path.name}: unreadable: {type(exc).__name__}"]
    imp = OfxImporter(prof) if prof.kind == "ofx" else ProfileImporter(prof)
    if imp.detect(head) <= 0:
        if prof.kind == "ofx":
            return [f"{path.name}: not an OFX file"]
        header = prof.section("detect").get("header") or []
        return [
            f"{path.name}: no row matching [detect] header ({', '.join(header)}) in the first "
            f"{getattr(imp, 'scan_lines', 50)} lines"
        ]
    return []
