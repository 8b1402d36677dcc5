"""The checks of a profile's TOML (docs/profiles.md): one line per problem.

:func:`check_profile_text` is the first step of ``megaroth profiles check``; each part of a
profile has its own check below, called in the order the problems are listed. Every value is
checked for the type the importers read it as (a string where a list is expected is "must be
a list", never its characters one by one), whatever the profile's kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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
#: the fields ``[const]`` can fix (the importer reads no other)
CONST_FIELDS = ("source", "type")
#: the keys of one ``[sources] map`` / ``[types] map`` rule
SOURCE_RULE_KEYS = frozenset({"match", "source", "irr_year_group"})
TYPE_RULE_KEYS = frozenset({"match", "type", "sign", "when_amount"})
WHEN_AMOUNTS = (None, "<0", ">0", "<=0", ">=0")
DELIMITER_CHOICES = ("auto", ",", "\t", ";")

#: ``say(problem)``: records one problem (the profile's origin is put in front)
Say = Callable[[str], None]


def check_profile_text(text: str, origin: str) -> list[str]:
    """Problems of a profile's TOML, one line each (empty: none found)."""
    data, problems = parse_profile_toml(text, origin)
    return problems if data is None else profile_problems(data, origin)


def parse_profile_toml(text: str, origin: str) -> tuple[dict[str, Any] | None, list[str]]:
    """(the TOML's data, []) or (None, [the one problem]) when it is not TOML."""
    import tomllib

    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        return None, [f"{origin}: invalid TOML: {exc}"]
    except RecursionError:  # tomllib recurses once per nested array or inline table
        return None, [f"{origin}: invalid TOML: arrays or tables nested too deeply"]


def profile_id(data: dict[str, Any] | None) -> str | None:
    """The parsed profile's [profile] id, if it is a non-empty string."""
    meta = data.get("profile") if data is not None else None
    pid = meta.get("id") if isinstance(meta, dict) else None
    return pid if isinstance(pid, str) and pid else None


def profile_problems(data: dict[str, Any], origin: str) -> list[str]:
    """Problems of a profile's parsed TOML, one line each, each starting ``origin: ``."""
    problems: list[str] = []

    def say(problem: str) -> None:
        problems.append(f"{origin}: {problem}")

    _check_sections(data, say)
    kind = _check_meta(_table(data, "profile"), say)
    srcs = _table(data, "sources")
    _check_ofx_sources(srcs.get("ofx"), say)
    det, const = _table(data, "detect"), _table(data, "const")
    canonical = _check_detect(det, say)
    _check_columns(det, _table(data, "columns"), const, kind != "ofx" and not canonical, say)
    _check_const(const, say)
    _check_read(_table(data, "read"), say)
    _check_regexes(data, say)
    _check_date_formats(_table(data, "parse"), say)
    _check_source_rules(srcs, say)
    _check_type_rules(_table(data, "types"), say)
    _check_derive(_table(data, "derive"), say)
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
    """[profile]: the id, title and evidence, and the kind (returned)."""
    pid = meta.get("id")
    if not pid:
        say("[profile] id is required")
    elif not isinstance(pid, str):
        say("[profile] id must be a string (the name --profile takes)")
    for key in ("title", "evidence"):
        if key in meta and not isinstance(meta[key], str):
            say(f"[profile] {key} must be a string")
    kind = meta.get("kind", "table")
    if kind not in ("table", "ofx"):
        say(f'[profile] kind must be "table" or "ofx", not {kind!r}')
    return kind


def _check_ofx_sources(ofx: Any, say: Say) -> None:
    """[sources.ofx]: INV401KSOURCE label -> ledger source."""
    if ofx is None:
        return
    if not isinstance(ofx, dict):
        say('[sources] ofx must be a table of INV401KSOURCE label = source (e.g. { OTHERVEST = "roth_irr" })')
        return
    for label, source in ofx.items():
        if source not in SOURCES:
            say(f"[sources.ofx] {label}: unknown source {source!r}")


def _check_detect(det: dict[str, Any], say: Say) -> bool:
    """[detect] canonical and scan_lines; whether the profile is the canonical CSV's."""
    canonical = det.get("canonical", False)
    if not isinstance(canonical, bool):
        say("[detect] canonical must be true or false")
    scan = det.get("scan_lines", 50)
    if not isinstance(scan, int) or isinstance(scan, bool) or scan < 1:
        say("[detect] scan_lines must be a whole number of lines, at least 1 (e.g. 500)")
    return bool(canonical)


def _check_columns(
    det: dict[str, Any], cols: dict[str, Any], const: dict[str, Any], needed: bool, say: Say
) -> None:
    """[detect] header and [columns]; with ``needed`` (a table profile that is not the canonical
    CSV's), the header and the columns a table needs, each in the header."""
    header = det.get("header")
    cells = isinstance(header, list) and all(isinstance(h, str) for h in header)
    if needed and not (cells and header):
        say("[detect] header must list the header row's cells (or canonical = true)")
    elif header is not None and not cells:
        say("[detect] header must list the header row's cells")
    if needed:
        _check_needed_columns(cols, const, say)
    names = set(header_cells(header)) if needed and cells and header else None
    for f, col in cols.items():
        if not isinstance(col, str):
            say(f"[columns] {f} must be a column name")
        elif names is not None and col.strip().casefold() not in names:
            say(f"[columns] {f} = {col!r} is not in [detect] header")


def _check_needed_columns(cols: dict[str, Any], const: dict[str, Any], say: Say) -> None:
    """The columns a table profile needs: the date, the amount, a type and a source."""
    for need in ("date", "amount"):
        if need not in cols:
            say(f"[columns] {need} is required")
    if not ({"type", "type_label"} & set(cols)) and "type" not in const:
        say("[columns] needs type_label (the activity column) or [const] type")
    if not ({"source", "source_label"} & set(cols)) and "source" not in const:
        say('[columns] needs source_label (the money-source column) or [const] source = "unknown"')


def _check_const(const: dict[str, Any], say: Say) -> None:
    """[const]: a fixed source or type must be a ledger one. The importer fixes no other field,
    so any other is refused rather than ignored (a fixed tax_year or status left out would
    count the rows in another year, or as posted)."""
    if "source" in const and const["source"] not in SOURCES:
        say(f"[const] source {const['source']!r} is not a source ({', '.join(SOURCES)})")
    typ = const.get("type")
    if "type" in const and not (isinstance(typ, str) and typ in PROFILE_TYPES):
        say(f"[const] type {typ!r} is not a type")
    for key in const:
        if key in COLUMN_FIELDS and key not in CONST_FIELDS:
            say(
                f"[const] {key}: only source and type can be given a fixed value; map {key} to a "
                f"column in [columns] instead"
            )


def _check_read(rd: dict[str, Any], say: Say) -> None:
    """[read]: the delimiter, stop_at_blank_row, the sheet, skip_row_regex being a list."""
    if rd.get("delimiter", "auto") not in DELIMITER_CHOICES:
        say('[read] delimiter must be "auto", ",", "\\t" or ";"')
    _check_flag(rd, "read", "stop_at_blank_row", say)
    if "sheet" in rd and not isinstance(rd["sheet"], str):
        say("[read] sheet must be a string (the sheet's name)")
    if "skip_row_regex" in rd and not isinstance(rd["skip_row_regex"], list):
        say("[read] skip_row_regex must be a list of regular expressions")


def _check_derive(derive: dict[str, Any], say: Say) -> None:
    """[derive] pair_transfers: the importer always pairs transfer legs, so ``false`` is refused
    rather than ignored."""
    _check_flag(derive, "derive", "pair_transfers", say)
    if derive.get("pair_transfers") is False:
        say(
            "[derive] pair_transfers = false is not supported: transfer legs are always paired; remove the key"
        )


def _check_flag(table: dict[str, Any], section: str, key: str, say: Say) -> None:
    if key in table and not isinstance(table[key], bool):
        say(f"[{section}] {key} must be true or false")


def _check_regexes(data: dict[str, Any], say: Say) -> None:
    """Every regular expression outside the [sources] and [types] rules, compiled as the
    importer compiles it."""
    rd, parse = _table(data, "read"), _table(data, "parse")
    skip = rd.get("skip_row_regex")
    regexes = [("[read] footer_regex", rd.get("footer_regex"), re.I)]
    if isinstance(skip, list):
        regexes += [(f"[read] skip_row_regex[{i}]", r, re.I) for i, r in enumerate(skip)]
    regexes.append(("[parse] date_strip_regex", parse.get("date_strip_regex"), 0))
    regexes.append(("[sources] strip_prefix_regex", _table(data, "sources").get("strip_prefix_regex"), 0))
    regexes.append(("[funds] code_regex", _table(data, "funds").get("code_regex"), 0))
    for what, rx, flags in regexes:
        if rx is None:
            continue
        c = _regex(rx, flags, what, f"{what}: bad regular expression", say)
        if what == "[funds] code_regex" and c is not None and "code" not in c.groupindex:
            say("[funds] code_regex needs a group named code: (?P<code>...)")


def _regex(rx: Any, flags: int, what: str, bad: str, say: Say) -> re.Pattern | None:
    """``rx`` compiled, or None after saying why not (``what must be a string``, ``bad: why``)."""
    if not isinstance(rx, str):
        say(f"{what} must be a string (a regular expression)")
        return None
    try:
        return re.compile(rx, flags)
    except (re.error, OverflowError) as exc:  # OverflowError: a repeat count like {99999999999}
        say(f"{bad}: {exc}")
    except RecursionError:
        say(f"{bad}: groups nested too deeply")
    return None


def _check_date_formats(parse: dict[str, Any], say: Say) -> None:
    """[parse] date_formats: a list of strptime formats."""
    formats = parse.get("date_formats")
    if formats is None:
        return
    if not isinstance(formats, list):
        say('[parse] date_formats must be a list of strptime formats (e.g. ["%m/%d/%Y"])')
        return
    for fmt in formats:
        if not isinstance(fmt, str) or "%" not in fmt:
            say(f'[parse] date_formats: {fmt!r} is not a strptime format (e.g. "%m/%d/%Y")')


def _rules(table: dict[str, Any], section: str, target: str, say: Say) -> Iterator[tuple[int, dict]]:
    """(index, rule) of a ``map`` list's rules, saying which are not tables as it goes."""
    rules = table.get("map")
    if rules is None:
        return
    if not isinstance(rules, list):
        say(f"[{section}] map must be a list of {{ match = ..., {target} = ... }}")
        return
    for i, rule in enumerate(rules):
        if isinstance(rule, dict):
            yield i, rule
        else:
            say(f"[{section}] map[{i}] must be {{ match = ..., {target} = ... }}")


def _check_source_rules(srcs: dict[str, Any], say: Say) -> None:
    """[sources] map: { match, source, irr_year_group } rules."""
    for i, rule in _rules(srcs, "sources", "source", say):
        where = f"[sources] map[{i}]"
        if rule.get("source") not in SOURCES:
            say(f"{where}: unknown source {rule.get('source')!r} (one of {', '.join(SOURCES)})")
        pat = _regex(rule.get("match", ""), re.I, f"{where}: match", f"{where}: bad match", say)
        if "match" not in rule:
            say(f"{where}: match is required")
        group = rule.get("irr_year_group")
        if group is not None and not isinstance(group, str):
            say(f"{where}: irr_year_group must be a string (a group name of match)")
        elif group is not None and pat is not None and group not in pat.groupindex:
            say(f"{where}: irr_year_group {group!r} is not a named group of match")
        _check_rule_keys(rule, SOURCE_RULE_KEYS, where, say)


def _check_type_rules(types: dict[str, Any], say: Say) -> None:
    """[types] map: { match, type, sign, when_amount } rules."""
    for i, rule in _rules(types, "types", "type", say):
        where = f"[types] map[{i}]"
        typ = rule.get("type")
        if not (isinstance(typ, str) and typ in PROFILE_TYPES):
            say(f"{where}: unknown type {typ!r}")
        if rule.get("sign", "as_is") not in SIGNS:
            say(f"{where}: sign must be one of {', '.join(SIGNS)}")
        if rule.get("when_amount") not in WHEN_AMOUNTS:
            say(f"{where}: when_amount must be <0, >0, <=0 or >=0")
        if "match" not in rule:
            say(f"{where}: match is required")
        else:
            _regex(rule["match"], re.I, f"{where}: match", f"{where}: bad match", say)
        _check_rule_keys(rule, TYPE_RULE_KEYS, where, say)


def _check_rule_keys(rule: dict[str, Any], known: frozenset[str], where: str, say: Say) -> None:
    for key in rule:
        if key not in known:
            say(f"{where}: unknown key {key!r} (see docs/profiles.md)")
