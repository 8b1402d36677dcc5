"""Statement importers: recordkeeper exports -> canonical rows (statement-formats.md s. 5).

Layout:

- :mod:`.rows`      the canonical row dataclass and ``file:line: column: reason`` errors
- :mod:`.text`      encodings, numbers, dates (pure helpers)
- :mod:`.profiles`  TOML mapping profiles (shipped in ``profiles/``, plus the user's dir)
- :mod:`.tabular`   CSV/TSV/XLSX importer driven by a profile
- :mod:`.ofx`       OFX/QFX 401(k) importer (own tolerant SGML/XML reader)
- :mod:`.derive`    transfer pairing, conversion detection, row identities
- :mod:`.store`     writes one parsed file to the database in one transaction

Every importer follows :class:`.base.Importer`: ``detect(head) -> confidence`` and
``parse(path, facts, ctx) -> canonical rows``. Parsing never touches the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from .base import Head, Importer, ParseContext, read_head
from .derive import pair_transfers
from .rows import CanonicalRow, ErrorCollector
from .text import FileFacts, file_facts

MIN_CONFIDENCE = 0.5


def all_importers(user_dir: Path | None = None) -> dict[str, Importer]:
    """Every importer by profile id (shipped and user profiles; ``ofx`` is built in)."""
    from .ofx import OfxImporter
    from .profiles import load_profiles
    from .tabular import ProfileImporter

    out: dict[str, Importer] = {}
    for pid, prof in load_profiles(user_dir).items():
        out[pid] = OfxImporter(prof) if prof.kind == "ofx" else ProfileImporter(prof)
    return out


def choose_importer(head: Head, profile: str | None = None, user_dir: Path | None = None) -> Importer:
    importers = all_importers(user_dir)
    if profile:
        if profile not in importers:
            raise UserError(
                f"unknown profile {profile!r}; see `megaroth profiles list` "
                f"(known: {', '.join(sorted(importers))})"
            )
        return importers[profile]
    scored = sorted(((imp.detect(head), pid) for pid, imp in importers.items()), reverse=True)
    best, pid = scored[0] if scored else (0.0, None)
    if best < MIN_CONFIDENCE or pid is None:
        raise UserError(
            f"{head.path.name}: format not recognised; pick one with --profile (see `megaroth "
            "profiles list`), map its columns for this import with --columns date=COLUMN,amount=COLUMN,"
            "source=COLUMN,type=COLUMN, or write a profile with `megaroth profiles new NAME --from "
            f"{head.path.name}` (docs/profiles.md)"
        )
    return importers[pid]


@dataclass
class ParsedFile:
    """A file being parsed: iterate ``rows`` once, then call ``finish()``."""

    path: Path
    facts: FileFacts
    importer: Importer
    ctx: ParseContext
    rows: Iterator[CanonicalRow]

    def finish(self) -> None:
        """Raise :class:`~.rows.ImportRowErrors` if any row was bad."""
        self.ctx.errors.raise_if_any()


def _refuse_unreadable(path: Path, facts: FileFacts) -> None:
    """An empty file or a PDF gets its own message (not "format not recognised")."""
    if facts.size == 0:
        raise UserError(
            f"{path.name}: the file is empty; export the statement again (CSV, TSV, XLSX or OFX/QFX)"
        )
    with open(path, "rb") as f:
        start = f.read(1024)
    if start.lstrip()[:5] == b"%PDF-":
        raise UserError(
            f"{path.name} is a PDF: megaroth reads the plan website's CSV, TSV, XLSX or OFX/QFX "
            "export, not a printed statement; download the transactions as one of those"
        )
    if not start.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise UserError(f"{path.name}: the file holds only blank lines; export the statement again")


def open_parse(
    path: str | Path,
    *,
    profile: str | None = None,
    plan: str | None = None,
    source_map: dict[str, str] | None = None,
    on_bytes=None,
    user_dir: Path | None = None,
    facts: FileFacts | None = None,
    importer: Importer | None = None,
) -> ParsedFile:
    """Detect (or take ``profile``, or use ``importer``) and start parsing ``path``; pure, no database."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file" if not path.exists() else f"{path}: not a regular file")
    try:
        facts = facts or file_facts(path)
        _refuse_unreadable(path, facts)
        head = read_head(path, facts)
    except OSError as exc:
        from ..files import os_error

        raise os_error(exc, path, "read") from None
    if importer is None:
        importer = choose_importer(head, profile, user_dir)
    ctx = ParseContext(
        file_label=path.name,
        errors=ErrorCollector(path.name),
        plan=plan,
        source_map=dict(source_map or {}),
        on_bytes=on_bytes,
    )
    rows = pair_transfers(importer.parse(path, facts, ctx))
    return ParsedFile(path, facts, importer, ctx, rows)


def parse_file(path: str | Path, **kwargs) -> tuple[str, list[CanonicalRow]]:
    """Parse a whole file into a list (tests, goldens, small files): (profile id, rows)."""
    parsed = open_parse(path, **kwargs)
    rows = list(parsed.rows)
    parsed.finish()
    return parsed.importer.id, rows
