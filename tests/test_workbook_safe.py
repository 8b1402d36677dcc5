"""safe_text: the CSV side of formula-injection safety."""

from __future__ import annotations

import pytest

from megaroth_ledger.reports.safe import is_dangerous, safe_text


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1", '=HYPERLINK("http://x","y")', "-", "="],
)
def test_dangerous_text_is_quoted(text):
    assert is_dangerous(text)
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Vanguard 500", "", "a=b", " =1", "'=1", "12.50", "1=1"])
def test_harmless_text_unchanged(text):
    assert safe_text(text) == text


@pytest.mark.parametrize("text", ["-120.50", "-7", "-0.01", "+5"])
def test_negative_numbers_stay_numbers(text):
    assert safe_text(text) == text


def test_empty_is_harmless():
    assert not is_dangerous("")
