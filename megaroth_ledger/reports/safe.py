"""Formula-injection safety for text that reaches a spreadsheet (CSV and XLSX), and
terminal safety for text that reaches a terminal.

Memos and fund names come from imported files. A cell beginning with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return may be run as a formula by Excel or LibreOffice (OWASP
"CSV Injection"). Such text is prefixed with a single quote so it shows as text.
Plain numbers such as ``-12.50`` are left alone: they are data, not formulas.

Terminals run escape sequences (ECMA-48): an imported memo holding ``ESC [ 2 J`` clears the
screen, ``ESC ] 0 ;`` sets the window title, ``ESC ] 8 ;;`` makes a fake hyperlink, and C1
controls (U+0080-U+009F, e.g. CSI U+009B) do the same on many terminals. Text shown in a
table is passed through :func:`terminal_text`: every C0/C1 control, DEL and invisible
format character (bidi overrides, zero-width) is shown as a visible escape (``\x1b``,
``\u202e``) and never sent raw.
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


_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)


def _escape(m: re.Match) -> str:
    ch = m.group(0)
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control and invisible format characters shown as escapes (see above)."""
    if keep_newlines:
        return "\n".join(_CONTROL.sub(_escape, part) for part in text.split("\n"))
    return _CONTROL.sub(_escape, text)
