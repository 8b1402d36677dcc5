"""Mapping profiles: TOML data files describing one export format each.

Shipped profiles live in ``megaroth_ledger/importers/profiles/*.toml``; users add their own
in ``<user config dir>/megaroth-ledger/profiles/*.toml`` (platformdirs). A user profile with
the same ``id`` as a shipped one replaces it. Every key is documented, with an example, in
``docs/profiles.md`` (kept in step with :data:`.profile_check.KNOWN_KEYS` by a test). A profile
:mod:`.profile_check` finds a problem in is refused when loaded, with the check's message.

Keys understood (everything optional unless noted)::

    [profile]  id (required), title, evidence, kind = "table" | "ofx"
    [detect]   header = [...] (exact header cells, compared trimmed/unescaped/case-folded),
               canonical = true (the generic canonical CSV), scan_lines = 50
    [read]     delimiter = "auto" | "," | "\\t" | ";", stop_at_blank_row, footer_regex
               (first cell; stops reading), skip_row_regex = [...], sheet (XLSX)
    [columns]  canonical field -> header name (date, payroll_date, settle_date, plan,
               source, source_label, type, type_label, fund, fund_id, shares, price, amount,
               tax_year, irr_year, transfer_group, external_id, reverses, status, memo)
    [const]    canonical field -> fixed value (e.g. source = "unknown")
    [parse]    date_formats = [...], date_strip_regex
    [sources]  strip_prefix_regex, map = [{match, source, irr_year_group?}], ofx = {LABEL = source}
    [types]    map = [{match, type, sign = as_is|negate|abs|neg_abs, when_amount = "<0"|">0"}]
    [funds]    code_regex (named group ``code`` becomes fund_id)
    [derive]   pair_transfers = true
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..vocab import ENTRY_TYPES

#: Types a profile may produce: the entry types plus ``balance`` (stored as an assertion).
PROFILE_TYPES = frozenset(ENTRY_TYPES) | {"balance"}
SIGNS = ("as_is", "negate", "abs", "neg_abs")


@dataclass
class Profile:
    id: str
    title: str
    data: dict[str, Any]
    origin: str  # "shipped" or the user file path
    kind: str = "table"
    text: str = ""
    source_rules: list[tuple[re.Pattern, str, str | None]] = field(default_factory=list)
    type_rules: list[tuple[re.Pattern, str, str, str | None]] = field(default_factory=list)

    def section(self, name: str) -> dict[str, Any]:
        return self.data.get(name, {}) or {}


def user_profiles_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("megaroth-ledger", appauthor=False)) / "profiles"


def _compile(text: str, origin: str) -> Profile:
    """The profile of TOML ``text`` (from ``origin``). A profile ``profiles check`` finds a problem
    in is refused with the check's message (the first problem; ``origin`` names the file)."""
    from .profile_check import parse_profile_toml, profile_problems  # it imports this module

    where = f"profile {origin}"
    data, problems = parse_profile_toml(text, where)
    if data is not None:
        problems = profile_problems(data, where)
    if problems or data is None:
        raise UserError(_refusal(problems, data, origin))
    meta = data["profile"]
    prof = Profile(
        id=meta["id"],
        title=meta.get("title", meta["id"]),
        data=data,
        origin=origin,
        kind=meta.get("kind", "table"),
        text=text,
    )
    for rule in data.get("sources", {}).get("map", []):
        pat = re.compile(rule["match"], re.IGNORECASE)
        prof.source_rules.append((pat, rule["source"], rule.get("irr_year_group")))
    for rule in data.get("types", {}).get("map", []):
        pat = re.compile(rule["match"], re.IGNORECASE)
        prof.type_rules.append((pat, rule["type"], rule.get("sign", "as_is"), rule.get("when_amount")))
    return prof


def _refusal(problems: list[str], data: dict[str, Any] | None, origin: str) -> str:
    """The first problem, and how many more ``profiles check`` lists."""
    if len(problems) == 1:
        return problems[0]
    from .profile_check import profile_id

    name = profile_id(data) or Path(origin).stem
    return f"{problems[0]} (and {len(problems) - 1} more: megaroth profiles check {name})"


def load_profiles(user_dir: Path | None = None) -> dict[str, Profile]:
    """All profiles by id: shipped ones, then the user's (which may replace shipped ids)."""
    out: dict[str, Profile] = {}
    pkg = resources.files("megaroth_ledger.importers") / "profiles"
    for entry in sorted(pkg.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            prof = _compile(entry.read_text(encoding="utf-8"), f"shipped:{entry.name}")
            prof.origin = "shipped"
            out[prof.id] = prof
    udir = user_dir if user_dir is not None else user_profiles_dir()
    if udir.is_dir():
        for path in sorted(udir.glob("*.toml")):
            prof = _compile(read_profile_file(path), str(path))
            out[prof.id] = prof
    return out


def read_profile_file(path: Path) -> str:
    """A user profile file's text; one that is not UTF-8 or cannot be read is a UserError naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"profile {path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        from ..files import os_error

        raise os_error(exc, path, "read profile") from None


def get_profile(pid: str, user_dir: Path | None = None) -> Profile:
    profiles = load_profiles(user_dir)
    if pid not in profiles:
        raise UserError(f"unknown profile {pid!r}; known: {', '.join(sorted(profiles))}")
    return profiles[pid]
