"""Exact money: ``Decimal`` in Python, integer cents in storage. Never float.

Input accepted by :func:`parse_amount`: ``1234.56``, ``1,234.56``, ``$1,234.56``,
``(12.00)`` (negative), ``-12.00``, ``−12.00`` (Unicode minus), ``+5``. Rejected, with
a message naming the bad value: more than two decimals, exponents, NaN/Infinity,
empty strings, misplaced thousands separators and anything else.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from .bounds import AMOUNT_BOUND, MAX_AMOUNT
from .errors import UserError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

_AMOUNT_RE = re.compile(
    r"""^(?P<sign>[-+\u2212]?)\s*\$?\s*
        (?P<int>\d{1,3}(?:,\d{3})+|\d+)?
        (?:\.(?P<frac>\d*))?$""",
    re.VERBOSE,
)


class AmountError(UserError):
    """An amount string that is not a valid money amount."""


def parse_amount(text: str | int | Decimal, *, what: str = "amount") -> Decimal:
    """Parse a user-supplied money amount into a ``Decimal`` with exactly two places.

    ``what`` names the value in error messages (e.g. ``"--amount"``).
    """
    if isinstance(text, bool):  # bool is an int; never money
        raise AmountError(f"invalid {what} {text!r}: not a money amount")
    if isinstance(text, int):
        if abs(text) > MAX_AMOUNT:
            raise AmountError(f"invalid {what} {text!r}: outside the bound {AMOUNT_BOUND}")
        return Decimal(text).quantize(CENT)
    if isinstance(text, Decimal):
        return _check_decimal(text, str(text), what)
    raw = text
    s = text.strip()
    if len(s) > 100:
        raise AmountError(f"invalid {what} {_short(raw)}: outside the bound {AMOUNT_BOUND}")
    if not s:
        raise AmountError(f"invalid {what} {raw!r}: empty")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative = True
        s = s[1:-1].strip()
        if s[:1] in "-+\u2212":
            raise AmountError(f"invalid {what} {raw!r}: sign inside parentheses")
    m = _AMOUNT_RE.match(s)
    if not m or (m.group("int") is None and not m.group("frac")):
        raise AmountError(
            f"invalid {what} {raw!r}: expected a number like 1234.56, 1,234.56, $1,234.56 or (12.00)"
        )
    frac = m.group("frac") or ""
    if len(frac) > 2:
        raise AmountError(f"invalid {what} {raw!r}: more than two decimal places")
    if m.group("sign") in ("-", "\u2212"):
        if negative:
            raise AmountError(f"invalid {what} {raw!r}: two negative signs")
        negative = True
    digits = (m.group("int") or "0").replace(",", "")
    if len(digits.lstrip("0")) > 10:  # before any arithmetic: Decimal's context has 28 digits
        raise AmountError(f"invalid {what} {_short(raw)}: outside the bound {AMOUNT_BOUND}")
    value = Decimal(f"{digits}.{frac or '0'}").quantize(CENT)
    return _bounded(-value if negative else value, raw, what)


def _short(raw: str) -> str:
    return repr(raw) if len(raw) <= 40 else repr(raw[:40]) + f"... ({len(raw):,} characters)"


def _bounded(value: Decimal, raw: str, what: str) -> Decimal:
    """Amounts a user gives are within ±1,000,000,000.00 (see megaroth_ledger.bounds)."""
    if abs(value) > MAX_AMOUNT:
        raise AmountError(f"invalid {what} {_short(raw)}: outside the bound {AMOUNT_BOUND}")
    return value


def _check_decimal(value: Decimal, raw: str, what: str) -> Decimal:
    if not value.is_finite():
        raise AmountError(f"invalid {what} {raw!r}: not a finite number")
    if value.adjusted() > 10:
        raise AmountError(f"invalid {what} {_short(raw)}: outside the bound {AMOUNT_BOUND}")
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise AmountError(f"invalid {what} {raw!r}: more than two decimal places")
    return _bounded(value.quantize(CENT), raw, what)


def to_cents(value: Decimal) -> int:
    """Decimal dollars -> integer cents. Refuses sub-cent values instead of rounding."""
    if not isinstance(value, Decimal):
        raise TypeError(f"money must be Decimal, got {type(value).__name__}")
    cents = value * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{value} has fractions of a cent")
    return int(cents)


def from_cents(cents: int | None) -> Decimal | None:
    """Integer cents -> Decimal dollars with two places (``None`` stays ``None``)."""
    if cents is None:
        return None
    return (Decimal(int(cents)) / 100).quantize(CENT)


def round_cents(value: Decimal) -> Decimal:
    """Round to the cent, half up (the convention of IRS worksheets)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round_dollars(value: Decimal) -> Decimal:
    """Round to whole dollars as the IRS allows (50 cents and up round up).

    Source: Form 1040 instructions, "Rounding Off to Whole Dollars".
    """
    return value.quantize(Decimal("1"), rounding=ROUND_HALF_UP).quantize(CENT)


def fmt(value: Decimal | None) -> str | None:
    """The JSON form of an amount: a string with exactly two decimals (``None`` -> ``None``)."""
    if value is None:
        return None
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def fmt_table(value: Decimal | None) -> str:
    """Human form for tables: thousands separators, two decimals, '' for None."""
    if value is None:
        return ""
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"
