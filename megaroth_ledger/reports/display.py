"""Small display rules shared by the terminal tables and the workbook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

FREE_NOW = "now (nothing taxable left)"


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def free_from(layer: Mapping[str, Any], as_of: Any) -> Any:
    """When a conversion layer (a ``clocks`` payload row) becomes penalty-free, for display: its
    penalty-free date, or :data:`FREE_NOW` when it is already free before that date because
    nothing taxable is left in it (only the taxable part is ever exposed to the 10% additional
    tax, IRC 408A(d)(3)(F)(ii); a fully nontaxable backdoor conversion is free from the start)."""
    on, today = _date(layer.get("penalty_free_on")), _date(as_of)
    if layer.get("penalty_free") and on is not None and today is not None and today < on:
        return FREE_NOW
    return layer.get("penalty_free_on")


#: shown instead of the "becomes penalty-free" schedule when there is no Roth IRA conversion
NO_ROTH_IRA_CONVERSIONS = "Roth IRA conversions: none, so no money waits for a five-year clock"


def has_conversion_years(schedule: Any) -> bool:
    """Whether a ``clocks`` payload's penalty-free schedule holds any Roth IRA conversion year
    (without one its only row is an empty "already free 0.00": shown as a note instead)."""
    return any(row.get("tax_years") for row in schedule or [])
