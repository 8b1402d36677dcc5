from decimal import Decimal

import pytest

from megaroth_ledger.money import AmountError, from_cents, parse_amount, round_dollars, to_cents


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1234.56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("$1,234.56", "1234.56"),
        ("(12.00)", "-12.00"),
        ("-12.00", "-12.00"),
        ("\u221212.00", "-12.00"),
        ("+7", "7.00"),
        ("0.5", "0.50"),
        (".5", "0.50"),
        (" 20500 ", "20500.00"),
        ("$ 1,000,000", "1000000.00"),
        ("-$5.25", "-5.25"),
        ("($5.25)", "-5.25"),
    ],
)
def test_accepted_amounts(text, expected):
    assert parse_amount(text) == Decimal(expected)
    assert str(parse_amount(text)) == expected


@pytest.mark.parametrize(
    "text, reason",
    [
        ("1.234", "more than two decimal places"),
        ("1e5", "expected a number"),
        ("1E5", "expected a number"),
        ("NaN", "expected a number"),
        ("Infinity", "expected a number"),
        ("-inf", "expected a number"),
        ("", "empty"),
        ("   ", "empty"),
        ("12,34.00", "expected a number"),
        ("1,2345", "expected a number"),
        ("(-1.00)", "sign inside parentheses"),
        ("--1", "expected a number"),
        ("abc", "expected a number"),
        ("1.2.3", "expected a number"),
        ("$", "expected a number"),
    ],
)
def test_rejected_amounts_name_the_value(text, reason):
    with pytest.raises(AmountError) as exc:
        parse_amount(text, what="--amount")
    assert reason in str(exc.value)
    assert repr(text) in str(exc.value) and "--amount" in str(exc.value)


def test_decimal_with_sub_cent_is_rejected():
    with pytest.raises(AmountError):
        parse_amount(Decimal("1.005"))
    with pytest.raises(AmountError):
        parse_amount(Decimal("NaN"))


def test_cents_round_trip_is_exact():
    for text in ["0.01", "0.10", "903.85", "-12.00", "99999999.99"]:
        assert from_cents(to_cents(Decimal(text))) == Decimal(text)
    assert to_cents(Decimal("903.85")) == 90385
    with pytest.raises(ValueError):
        to_cents(Decimal("0.001"))
    with pytest.raises(TypeError):
        to_cents(0.1)  # money-ok: proves floats are refused


def test_round_dollars_half_up():
    assert round_dollars(Decimal("6300.50")) == Decimal("6301.00")
    assert round_dollars(Decimal("6300.49")) == Decimal("6300.00")
    assert round_dollars(Decimal("-0.50")) == Decimal("-1.00")
