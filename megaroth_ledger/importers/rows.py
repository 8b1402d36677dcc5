"""The canonical row (statement-formats.md section 5) and row-level error reporting.

Every importer turns its input into :class:`CanonicalRow` objects; nothing downstream knows
which format a row came from except through its provenance fields (``line`` and ``raw``).
Amounts are signed integer cents from the participant's sub-account (money in is positive);
``shares`` and ``price`` stay exact decimal text.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from ..errors import UserError

#: Columns of the canonical CSV, in file order (section 5.2). The first five are required.
CANONICAL_COLUMNS = (
    "date",
    "plan",
    "source",
    "type",
    "amount",
    "payroll_date",
    "settle_date",
    "source_label",
    "type_label",
    "fund",
    "fund_id",
    "shares",
    "price",
    "tax_year",
    "irr_year",
    "transfer_group",
    "external_id",
    "reverses",
    "status",
    "memo",
)
REQUIRED_COLUMNS = ("date", "plan", "source", "type", "amount")

#: the encoder of ``raw`` (one, not one per row as ``json.dumps`` with options makes)
_RAW_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

#: Bad rows listed in one error message (the issue's contract).
MAX_REPORTED_ERRORS = 50


@dataclass(slots=True)
class CanonicalRow:
    """One plan-side movement, as section 5.2 describes it, plus provenance.

    ``line`` is the 1-based physical line (or sheet row) the row was read from; ``raw`` maps
    the file's own column names to the raw cell text (the labels kept for audit), either as a
    dict or already encoded as JSON text (the fast path of big files); see :meth:`raw_dict`.
    """

    date: dt.date
    plan: str | None
    source: str
    type: str
    amount_cents: int
    line: int
    payroll_date: dt.date | None = None
    settle_date: dt.date | None = None
    source_label: str | None = None
    type_label: str | None = None
    fund: str | None = None
    fund_id: str | None = None
    shares: str | None = None
    price: str | None = None
    tax_year: int | None = None
    irr_year: int | None = None
    transfer_group: str | None = None
    external_id: str | None = None
    reverses: str | None = None
    status: str = "posted"
    memo: str | None = None
    raw: dict[str, str] | str = field(default_factory=dict)

    def raw_dict(self) -> dict[str, str]:
        return json.loads(self.raw) if isinstance(self.raw, str) else self.raw

    def raw_json(self) -> str:
        if isinstance(self.raw, str):
            return self.raw
        return _RAW_JSON.encode(self.raw)

    def effective_tax_year(self) -> int:
        return self.tax_year if self.tax_year is not None else self.date.year

    def as_canonical(self) -> dict[str, str]:
        """The row as canonical-CSV cells (section 5.1 conventions): golden files use this."""
        cents = self.amount_cents
        sign = "-" if cents < 0 else ""
        amount = f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"

        def s(v):
            if v is None:
                return ""
            if isinstance(v, dt.date):
                return v.isoformat()
            return str(v)

        return {
            "date": s(self.date),
            "plan": s(self.plan),
            "source": self.source,
            "type": self.type,
            "amount": amount,
            "payroll_date": s(self.payroll_date),
            "settle_date": s(self.settle_date),
            "source_label": s(self.source_label),
            "type_label": s(self.type_label),
            "fund": s(self.fund),
            "fund_id": s(self.fund_id),
            "shares": s(self.shares),
            "price": s(self.price),
            "tax_year": s(self.tax_year),
            "irr_year": s(self.irr_year),
            "transfer_group": s(self.transfer_group),
            "external_id": s(self.external_id),
            "reverses": s(self.reverses),
            "status": self.status,
            "memo": s(self.memo),
        }


def full_entry(compact: tuple, plan_id: int, import_id: int, irr_year=None, status: str = "posted") -> tuple:
    """A ``store.COMPACT_COLUMNS`` tuple (identity last) as a ``store.ENTRY_COLUMNS`` one."""
    return compact[:10] + (irr_year, status) + compact[10:12] + (plan_id, import_id, compact[12])


def row_part(row: CanonicalRow) -> tuple:
    """The row's ``entry`` values that do not depend on the database (see store.ENTRY_COLUMNS)."""
    d = row.date
    return (
        d.isoformat(),
        row.payroll_date.isoformat() if row.payroll_date else None,
        row.tax_year if row.tax_year is not None else d.year,
        row.source,
        row.type,
        row.amount_cents,
        row.fund,
        row.fund_id,
        row.shares,
        row.memo,
        row.irr_year,
        row.status,
        row.line,
        row.raw_json(),
    )


#: text limits of the entry columns (store/models.py), checked here so that SQLite (which
#: stores any length) and PostgreSQL (which refuses) agree (megaroth_ledger.bounds)
MAX_FUND = 200
MAX_FUND_ID = 50
MAX_SHARES = 40
MAX_EXTERNAL_ID = 190  # the identity is "fitid:" + the id, String(200)
MAX_TRANSFER_GROUP = 100
MAX_LABEL = 200


def _within_bounds(row: CanonicalRow) -> bool:
    """Whether every value of ``row`` is within bounds (the common case, checked quickly)."""
    from ..bounds import MAX_AMOUNT_CENTS, MAX_DATE, MIN_DATE, year_problem

    return (
        -MAX_AMOUNT_CENTS <= row.amount_cents <= MAX_AMOUNT_CENTS
        and MIN_DATE <= row.date <= MAX_DATE
        and (row.payroll_date is None or MIN_DATE <= row.payroll_date <= MAX_DATE)
        and (row.settle_date is None or MIN_DATE <= row.settle_date <= MAX_DATE)
        and (row.tax_year is None or not year_problem(row.tax_year))
        and (row.irr_year is None or not year_problem(row.irr_year))
        and (row.fund is None or len(row.fund) <= MAX_FUND)
        and (row.fund_id is None or len(row.fund_id) <= MAX_FUND_ID)
        and (row.shares is None or len(row.shares) <= MAX_SHARES)
        and (row.external_id is None or len(row.external_id) <= MAX_EXTERNAL_ID)
        and (row.transfer_group is None or len(row.transfer_group) <= MAX_TRANSFER_GROUP)
        and (row.reverses is None or len(row.reverses) <= MAX_EXTERNAL_ID)
        and (row.source_label is None or len(row.source_label) <= MAX_LABEL)
        and (row.type_label is None or len(row.type_label) <= MAX_LABEL)
        and (row.plan is None or len(row.plan) <= 100)
    )


def check_row_bounds(row: CanonicalRow, label: dict[str, str] | None = None) -> None:
    """Raise :class:`CellError` for a row value outside megaroth_ledger.bounds."""
    if not _within_bounds(row):
        _check_each(row, label)


def _check_each(row: CanonicalRow, label: dict[str, str] | None) -> None:
    from ..bounds import AMOUNT_BOUND, DATE_BOUND, MAX_AMOUNT_CENTS, MAX_DATE, MIN_DATE, year_problem

    label = label or {}
    if not -MAX_AMOUNT_CENTS <= row.amount_cents <= MAX_AMOUNT_CENTS:
        raise CellError(label.get("amount", "amount"), f"amount is outside the bound {AMOUNT_BOUND}")
    for name in ("date", "payroll_date", "settle_date"):
        d = getattr(row, name)
        if d is not None and not MIN_DATE <= d <= MAX_DATE:
            raise CellError(label.get(name, name), f"date {d.isoformat()} is outside the bound {DATE_BOUND}")
    for name in ("tax_year", "irr_year"):
        y = getattr(row, name)
        if y is not None and year_problem(y):
            raise CellError(label.get(name, name), f"year {y} {year_problem(y)}")
    for name, limit in (
        ("fund", MAX_FUND),
        ("fund_id", MAX_FUND_ID),
        ("shares", MAX_SHARES),
        ("external_id", MAX_EXTERNAL_ID),
        ("transfer_group", MAX_TRANSFER_GROUP),
        ("reverses", MAX_EXTERNAL_ID),
        ("source_label", MAX_LABEL),
        ("type_label", MAX_LABEL),
        ("plan", 100),
    ):
        v = getattr(row, name)
        if v is not None and len(v) > limit:
            raise CellError(
                label.get(name, name), f"{name.replace('_', ' ')} has {len(v):,} characters (at most {limit})"
            )


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad row: rendered ``file:line: column: reason``."""

    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.reason}"


class CellError(ValueError):
    """Raised by cell parsers; the importer turns it into a :class:`RowError`."""

    def __init__(self, column: str, reason: str):
        super().__init__(f"{column}: {reason}")
        self.column = column
        self.reason = reason


class ErrorCollector:
    """Collects every bad row of one file; keeps the first :data:`MAX_REPORTED_ERRORS`."""

    def __init__(self, file: str):
        self.file = file
        self.count = 0
        self.errors: list[RowError] = []

    def add(self, line: int, column: str, reason: str) -> None:
        self.count += 1
        if len(reason) > 300:  # a reason quoting a huge cell stays one readable line
            reason = reason[:300] + "…"
        if len(column) > 100:
            column = column[:100] + "…"
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(self.file, line, column, reason))

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_if_any(self) -> None:
        if self.count:
            raise ImportRowErrors(self.file, self.errors, self.count)


class ImportRowErrors(UserError):
    """The file has bad rows: nothing was written. The message lists up to 50 of them."""

    def __init__(self, file: str, errors: list[RowError], total: int):
        self.file = file
        self.errors = errors
        self.total = total
        more = total - len(errors)
        lines = [f"{file}: {total} bad row{'s' if total != 1 else ''}; nothing was imported"]
        lines += _grouped(errors)
        if more > 0:
            lines.append(f"... and {more} more")
        super().__init__("\n".join(lines))


def _grouped(errors: list[RowError]) -> list[str]:
    """One line per distinct (column, reason): the first row as ``file:line: column: reason``,
    and when other rows have the very same problem, how many and which lines (the first ten)."""
    groups: dict[tuple[str, str], list[RowError]] = {}
    for e in errors:
        groups.setdefault((e.column, e.reason), []).append(e)
    out = []
    for same in groups.values():
        line = str(same[0])
        if len(same) > 1:
            shown = ", ".join(str(e.line) for e in same[1:11]) + (", ..." if len(same) > 11 else "")
            line += f" ({len(same) - 1} more row{'s' if len(same) > 2 else ''} with the same problem: lines {shown})"
        out.append(line)
    return out
