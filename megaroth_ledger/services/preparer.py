"""Client-level views for a preparer with many people in one ledger (issue 13).

``person list [--year Y]`` gives each person's plans and rows and, for a year, the headline
figures of ``report year`` (elective deferrals, after-tax in, converted, taxable = Form 1040
lines 4b + 5b) with its warnings. No figure is computed here: they come from :func:`services.export.year_summary`,
which gathers them from the headroom and forms services, so a row of ``person list`` equals
that person's ``report year``. A person whose year cannot be computed (an unsupported
situation, say) keeps a row: the figures are empty and ``not_available`` says why.

:func:`safe_file_stem` makes the file name of a person's workbook for ``export --all-people``.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..money import ZERO
from ..store.models import Entry, IraEvent, Person, Plan


def people(session: Session) -> list[Person]:
    return list(session.scalars(select(Person).order_by(Person.name)))


def overview(session: Session, year: int | None = None, step=None) -> list[dict]:
    """One dict per person (sorted by name): plans, ledger rows and, with ``year``, headline
    figures, warnings and the checks of ``megaroth check --person P --year Y`` that fail
    (``failing_checks``) or warn (``check_warnings``). ``step(name)`` is called after each
    person (a progress bar)."""
    from . import check

    plans: dict[int, list[str]] = {}
    for pid, name in session.execute(select(Plan.person_id, Plan.name).order_by(Plan.name)):
        plans.setdefault(pid, []).append(name)
    entry_rows = dict(
        session.execute(
            select(Plan.person_id, func.count(Entry.id))
            .join(Entry, Entry.plan_id == Plan.id)
            .group_by(Plan.person_id)
        ).all()
    )
    ira_rows = dict(
        session.execute(
            select(IraEvent.person_id, func.count(IraEvent.id)).group_by(IraEvent.person_id)
        ).all()
    )
    out = []
    for p in people(session):
        row = {
            "id": p.id,
            "name": p.name,
            "born": p.born,
            "plans": plans.get(p.id, []),
            "rows": int(entry_rows.get(p.id, 0)) + int(ira_rows.get(p.id, 0)),
        }
        if year is not None:
            checks = check.run(session, p.name, year)
            row.update(headline(session, p.name, year, checks))
            checked = check.person_result(p.name, checks)
            row["failing_checks"] = checked["failing"]
            row["check_warnings"] = checked["warnings"]
        out.append(row)
        if step is not None:
            step(p.name)
    return out


def headline(session: Session, person: str, year: int, checks: list[dict] | None = None) -> dict:
    """The year's headline figures of ``report year`` for one person (or why they are missing)."""
    import datetime as dt

    from .export import year_summary

    try:
        s = year_summary(session, person, year, as_of=dt.date.today(), checks=checks)
    except UserError as exc:  # e.g. UnsupportedSituation: unknown money sources
        s = {"error": str(exc)}
    return {"year": year, **headline_of(s)}


def headline_of(summary: dict) -> dict:
    """Headline figures of one ``year_summary`` payload (``{"error": ...}`` when it failed)."""
    if "error" in summary:
        return {
            "elective_deferrals": None,
            "after_tax_in": None,
            "converted": None,
            "taxable": None,
            "warnings": [],
            "not_available": [summary["error"]],
        }
    return {
        "elective_deferrals": summary["headroom"]["elective_deferrals"],
        "after_tax_in": summary["contributions_by_source"].get("aftertax", ZERO),
        "converted": converted(summary),
        "taxable": taxable(summary),
        "warnings": [
            {"code": w["code"], "message": w["message"], "origin": w["origin"]} for w in summary["warnings"]
        ],
        "not_available": summary["not_available"],
    }


def converted(summary: dict) -> Decimal:
    """The year's conversions, gross (plan and IRA), from a ``year_summary`` payload."""
    return sum((c["gross"] or ZERO for c in summary["conversions"]), ZERO)


def taxable(summary: dict) -> Decimal | None:
    """What the year's distributions and conversions add to taxable income: Form 1040 lines
    4b + 5b (None when the forms are not available, e.g. an unsupported situation)."""
    lines = summary["form_1040"]
    if lines is None:
        return None
    return (lines.get("4b") or ZERO) + (lines.get("5b") or ZERO)


_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}


def safe_file_stem(name: str, max_len: int = 80) -> str:
    """A file name stem from a person's name that is safe on any file system: ASCII letters,
    digits, ``.``, ``_`` and ``-`` only (accents folded, anything else a ``-``), no leading
    dot or dash, not a Windows device name (CON, NUL, COM1...), at most ``max_len`` characters.
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", folded)
    stem = re.sub(r"-{2,}", "-", stem).strip("-. ")[:max_len].rstrip("-. ")
    if not stem:
        stem = "person"
    if stem.split(".")[0].lower() in _RESERVED:  # CON.txt is the console device on Windows too
        stem = f"person-{stem}"
    return stem


def workbook_names(names: list[str], suffix: str) -> dict[str, str]:
    """Person name -> file name ``<stem><suffix>``, distinct even on a case-insensitive file
    system (two names with the same stem get ``-2``, ``-3``... in name order)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in sorted(names):
        stem = safe_file_stem(name)
        candidate, n = stem, 1
        while (candidate + suffix).lower() in used:
            n += 1
            candidate = f"{stem}-{n}"
        used.add((candidate + suffix).lower())
        out[name] = candidate + suffix
    return out
