"""Formula-injection safety for text that reaches a spreadsheet (CSV and XLSX).

Memos and fund names come from imported files. A cell beginning with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return may be run as a formula by Excel or LibreOffice (OWASP
"CSV Injection"). Such text is prefixed with a single quote so it shows as text.
Plain numbers such as ``-12.50`` are left alone: they are data, not formulas.
"""

from __future__ import annotations

import re

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def is_dangerous(text: str) -> bool:
    return bool(text) and text.startswith(_DANGEROUS_START) and not _PLAIN_NUMBER.match(text)


def safe_text(text: str) -> str:
    """``text`` unchanged, or prefixed with ``'`` when a spreadsheet could execute it."""
    return "'" + text if is_dangerous(text) else text
