"""``megaroth import FILE`` below the CLI: the ``--columns`` one-off profile's importer, and the
import's result as the JSON document (issue 5).

The import itself, all or nothing, is :func:`megaroth_ledger.importers.store.import_file`.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError
from ..importers.store import ImportResult
from ..money import from_cents


def columns_importer(path: str, name: str, spec: dict[str, str]):
    """The ``--columns`` profile of the file at ``path`` as an importer that exists only for
    this import (parallel workers cannot rebuild it by id: ``ephemeral``)."""
    from ..importers.propose import columns_profile
    from ..importers.tabular import ProfileImporter

    if not Path(path).is_file():
        raise UserError(f"{name}: no such file")
    prof, _ = columns_profile(Path(path), spec)
    importer = ProfileImporter(prof)
    importer.ephemeral = True
    return importer


def import_payload(res: ImportResult) -> dict:
    """The import's JSON document; its ``added`` list (type, source, rows, amount) is also the
    readable table's rows."""
    return {
        "import": res.import_id,
        "file": res.file,
        "sha256": res.sha256,
        "profile": res.profile,
        "plans": res.plans,
        "dry_run": res.dry_run,
        "rows_read": res.rows_read,
        "rows_added": res.rows_added,
        "rows_already_present": res.rows_skipped,
        "rows_skipped_removed": res.rows_removed_skipped,
        "conversions_added": res.conversions_added,
        "balance_assertions_added": res.balances_added,
        "rows_held": res.rows_held,
        "overlaps": res.overlap_allowed,
        "added": [
            {
                "type": s["type"],
                "source": s["source"],
                "rows": s["rows"],
                "amount": from_cents(s["amount_cents"]),
            }
            for s in res.summary
        ],
        "notes": res.notes,
        "message": res.message(),
        "opening_balances": [
            {"source": o["source"], "date": o["date"], "amount": from_cents(o["amount_cents"])}
            for o in res.opening_balances
        ],
        "statement_checks": res.checks,
    }
