"""The checks of a profile's TOML (docs/profiles.md): one line per problem.

:func:`check_profile_text` is the first step of ``megaroth profiles check``; each part of a
profile has its own check below, called in the order the problems are listed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..vocab import SOURCES
from .profiles import PROFILE_TYPES, SIGNS
from .text import header_cells

#: canonical fields a profile's [columns] may name (docs/profiles.md)
COLUMN_FIELDS = (
    "date",
    "payroll_date",
    "settle_date",
    "plan",
    "source",
    "source_label",
    "type",
    "type_label",
    "fund",
    "fund_id",
    "shares",
    "price",
    "amount",
    "tax_year",
    "irr_year",
    "transfer_group",
    "external_id",
    "reverses",
    "status",
    "memo",
)

KNOWN_KEYS = {
    "profile": {"id", "title", "evidence", "kind"},
    "detect": {"header", "canonical", "scan_lines"},
    "read": {"delimiter", "stop_at_blank_row", "footer_regex", "skip_row_regex", "sheet"},
    "columns": set(COLUMN_FIELDS),
    "const": set(COLUMN_FIELDS),
    "parse": {"date_formats", "date_strip_regex"},
    "sources": {"strip_prefix_regex", "map", "ofx"},
    "types": {"map"},
    "funds": {"code_regex"},
    "derive": {"pair_transfers"},
}

#: ``say(problem)``: records one problem (the profile's origin is put in front)
Say = Callable[[str], None]


def check_profile_text(text: str, origin: str) -> list[str]:
    """Problems of a profile's TOML, one line each (empty: none found)."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [f"{origin}: invalid TOML: {exc}"]
    problems: list[str] = []

    def say(problem: str) -> None:
        problems.append(f"{origin}: {problem}")

    _check_sections(data, say)
    kind = _check_meta(_table(data, "profile"), say)
    if kind == "ofx":
        _check_ofx_sources((data.get("sources") or {}).get("ofx") or {}, say)
        return problems
    _check_columns(_table(data, "detect"), _table(data, "columns"), _table(data, "const"), say)
    _check_const(_table(data, "const"), say)
    rd = _table(data, "read")
    if rd.get("delimiter", "auto") not in ("auto", ",", "\t", ";"):
        say('[read] delimiter must be "auto", ",", "\\t" or ";"')
    _check_regexes(data, say)
    _check_date_formats(_table(data, "parse"), say)
    _check_source_rules(_table(data, "sources"), say)
    _check_type_rules(_table(data, "types"), say)
    return problems


def _table(data: dict[str, Any], section: str) -> dict[str, Any]:
    """Section ``section`` of the profile if it is a table, else an empty one."""
    value = data.get(section)
    return value if isinstance(value, dict) else {}


def _check_sections(data: dict[str, Any], say: Say) -> None:
    """Unknown sections and keys, and sections that are not tables."""
    for section, value in data.items():
        if section not in KNOWN_KEYS:
            say(f"unknown section [{section}] (see docs/profiles.md)")
            continue
        if not isinstance(value, dict):
            say(f"[{section}] must be a table")
            continue
        for key in value:
            if key not in KNOWN_KEYS[section]:
                say(f"[{section}] unknown key {key!r} (see docs/profiles.md)")


def _check_meta(meta: dict[str, Any], say: Say) -> Any:
    """[profile]: the id, and the kind (returned)."""
    if not meta.get("id"):
        say("[profile] id is required")
    kind = meta.get("kind", "table")
    if kind not in ("table", "ofx"):
        say(f'[profile] kind must be "table" or "ofx", not {kind!r}')
    return kind


def _check_ofx_sources(ofx: dict[str, Any], say: Say) -> None:
    """[sources.ofx]: INV401KSOURCE label -> ledger source."""
    for label, source in ofx.items():
        if source not in SOURCES:
            say(f"[sources.ofx] {label}: unknown source {source!r}")


def _check_columns(det: dict[str, Any], cols: dict[str, Any], const: dict[str, Any], say: Say) -> None:
    """A table profile's header row and the columns it needs (none with ``canonical``)."""
    if det.get("canonical"):
        return
    header = det.get("header")
    if not isinstance(header, list) or not header or not all(isinstance(h, str) for h in header):
        say("[detect] header must list the header row's cells (or canonical = true)")
        header = None
    for need in ("date", "amount"):
        if need not in cols:
            say(f"[columns] {need} is required")
    if not ({"type", "type_label"} & set(cols)) and "type" not in const:
        say("[columns] needs type_label (the activity column) or [const] type")
    if not ({"source", "source_label"} & set(cols)) and "source" not in const:
        say('[columns] needs source_label (the money-source column) or [const] source = "unknown"')
    if header:
        names = set(header_cells(header))
        for f, col in cols.items():
            if not isinstance(col, str):
                say(f"[columns] {f} must be a column name")
            elif col.strip().casefold() not in names:
                say(f"[columns] {f} = {col!r} is not in [detect] header")


def _check_const(const: dict[str, Any], say: Say) -> None:
    """[const]: a fixed source or type must be a ledger one."""
    if "source" in const and const["source"] not in SOURCES:
        say(f"[const] source {const['source']!r} is not a source ({', '.join(SOURCES)})")
    if "type" in const and const["type"] not in PROFILE_TYPES:
        say(f"[const] type {const['type']!r} is not a type")


def _check_regexes(data: dict[str, Any], say: Say) -> None:
    """Every regular expression outside the [sources] and [types] rules."""
    rd, parse = _table(data, "read"), _table(data, "parse")
    regexes = [("[read] footer_regex", rd.get("footer_regex"))]
    regexes += [(f"[read] skip_row_regex[{i}]", r) for i, r in enumerate(rd.get("skip_row_regex") or [])]
    regexes.append(("[parse] date_strip_regex", parse.get("date_strip_regex")))
    regexes.append(("[sources] strip_prefix_regex", _table(data, "sources").get("strip_prefix_regex")))
    regexes.append(("[funds] code_regex", _table(data, "funds").get("code_regex")))
    for what, rx in regexes:
        if rx is None:
            continue
        try:
            c = re.compile(rx)
        except (re.error, TypeError) as exc:
            say(f"{what}: bad regular expression: {exc}")
            continue
        if what == "[funds] code_regex" and "code" not in c.groupindex:
            say("[funds] code_regex needs a group named code: (?P<code>...)")


def _check_date_formats(parse: dict[str, Any], say: Say) -> None:
    """[parse] date_formats: strptime formats."""
    for fmt in parse.get("date_formats") or []:
        if not isinstance(fmt, str) or "%" not in fmt:
            say(f'[parse] date_formats: {fmt!r} is not a strptime format (e.g. "%m/%d/%Y")')


def _check_source_rules(srcs: dict[str, Any], say: Say) -> None:
    """[sources] map: { match, source, irr_year_group } rules."""
    for i, rule in enumerate(srcs.get("map") or []):
        if not isinstance(rule, dict):
            say(f"[sources] map[{i}] must be {{ match = ..., source = ... }}")
            continue
        if rule.get("source") not in SOURCES:
            say(f"[sources] map[{i}]: unknown source {rule.get('source')!r} (one of {', '.join(SOURCES)})")
        try:
            re.compile(rule.get("match", ""))
        except (re.error, TypeError) as exc:
            say(f"[sources] map[{i}]: bad match: {exc}")
        if "match" not in rule:
            say(f"[sources] map[{i}]: match is required")


def _check_type_rules(types: dict[str, Any], say: Say) -> None:
    """[types] map: { match, type, sign, when_amount } rules."""
    for i, rule in enumerate(types.get("map") or []):
        if not isinstance(rule, dict):
            say(f"[types] map[{i}] must be {{ match = ..., type = ... }}")
            continue
        if rule.get("type") not in PROFILE_TYPES:
            say(f"[types] map[{i}]: unknown type {rule.get('type')!r}")
        if rule.get("sign", "as_is") not in SIGNS:
            say(f"[types] map[{i}]: sign must be one of {', '.join(SIGNS)}")
        if rule.get("when_amount") not in (None, "<0", ">0", "<=0", ">=0"):
            say(f"[types] map[{i}]: when_amount must be <0, >0, <=0 or >=0")
        if "match" not in rule:
            say(f"[types] map[{i}]: match is required")
        else:
            try:
                re.compile(rule["match"])
            except (re.error, TypeError) as exc:
                say(f"[types] map[{i}]: bad match: {exc}")
