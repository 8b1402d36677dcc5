"""What one workbook shows: the payload dicts and row iterables the builder is given."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class WorkbookData:
    """Everything one workbook shows. Payload dicts use the JSON contract (amounts as
    two-decimal strings or ``Decimal``; dates as ISO strings or ``date``).

    ``paychecks`` rows: ``date, tax_year, plan, plan_kind, employer, source, amount`` (one row
    per pay date x plan x source, sorted by tax year then date). ``conversions`` rows:
    ``tax_year, date, plan, route, destination, gross, basis, earnings, taxable, memo``.
    ``audit`` rows: ``id, date, tax_year, plan, source, type, amount, fund, memo, status,
    file, file_row, import_id, origin`` (an iterator is fine: it is consumed once).
    ``unavailable`` maps a sheet name to the reason its data is missing.
    """

    person: str
    years: list[int]
    generated_on: dt.date
    headroom: dict[int, dict] = field(default_factory=dict)
    form_1099r: dict[int, dict] = field(default_factory=dict)
    received_1099r: dict[int, list[dict]] = field(default_factory=dict)
    form_8606: dict[int, dict] = field(default_factory=dict)
    form_1040: dict[int, dict] = field(default_factory=dict)
    #: ("8606" | "1040" | "1099-r", year) -> {line or box: explanation text}
    explain: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)
    clocks: dict | None = None
    #: year -> the IRA limits payload (services.ira_limits.check_payload): limit, excess, warnings
    ira_limits: dict[int, dict] = field(default_factory=dict)
    projection: dict | None = None
    conversions: list[dict] = field(default_factory=list)
    paychecks: Iterable[dict] = ()
    audit: Iterable[dict] = ()
    #: change-log entries (``megaroth log``) that touch these years: ``at, action, record, id,
    #: before, after, reason`` (before/after as one-line text)
    corrections: list[dict] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)
    #: year -> the `megaroth check` checks failing for it, as warnings (code CHECK_<NAME>)
    checks: dict[int, list[dict]] = field(default_factory=dict)


@dataclass
class BuildState:
    """What one sheet hands to another while the workbook is built: the Paychecks sheet's
    per-year totals by source (the Summary's totals and chart) and each streamed sheet's row count."""

    totals: dict[int, dict[str, Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(lambda: Decimal("0.00")))
    )
    counts: dict[str, int] = field(default_factory=dict)
