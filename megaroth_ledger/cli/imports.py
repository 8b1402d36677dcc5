"""Statement import (issue 5): ``megaroth import FILE``, ``import list``, ``import undo``,
``profiles list|show``.

``import`` is both a command taking FILE and a group with ``list``/``undo``:
:class:`ImportGroup` routes any first argument that is not a subcommand name (a path, or an
option such as ``--plan``) to the hidden ``file`` subcommand. So ``megaroth import
history.csv --plan acme-401k`` and ``megaroth import list`` both work; a file literally named
``list``, ``show`` or ``undo`` is imported as ``megaroth import ./list``.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import click

from .common import emit, format_option, get_ledger, out, plan_option

if TYPE_CHECKING:  # pragma: no cover
    from ..importers.store import ImportResult
    from ..reports.output import Table

HELP_OPTIONS = ("--help", "-h")


class ImportGroup(click.Group):
    """A group whose unknown first argument is a file to import (see the module docstring)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in HELP_OPTIONS:
            args = ["file", *args]
        return super().parse_args(ctx, args)

    def format_options(self, ctx, formatter) -> None:
        """Options: the import's own (--plan, --profile, --dry-run, --map, --format), then -h."""
        records = [
            r
            for p in self.commands["file"].get_params(ctx) + self.get_params(ctx)
            if isinstance(p, click.Option)
            and (r := p.get_help_record(ctx)) is not None
            and not r[0].startswith("-h")
        ]
        records += [
            r
            for p in self.get_params(ctx)
            if (r := p.get_help_record(ctx)) is not None and r[0].startswith("-h")
        ]
        if records:
            with formatter.section("Options"):
                formatter.write_dl(records)
        self.format_commands(ctx, formatter)

    def format_usage(self, ctx, formatter) -> None:
        formatter.write_usage(
            ctx.command_path,
            "FILE [--plan NAME] [--person P] [--profile ID] [--dry-run] | list | show ID | undo ID",
        )


@click.group("import", cls=ImportGroup)
def import_group() -> None:
    """Import a statement export (CSV, TSV, XLSX, OFX/QFX) into the ledger, list imports, undo one.

    \b
    megaroth import FILE [--plan NAME] [--person P] [--profile ID] [--dry-run] [--map LABEL=SOURCE]
                         [--allow-overlap]
    megaroth import list [--person P]
    megaroth import show ID      (contributions per paycheck and source)
    megaroth import undo ID

    The format is detected from the file's header row (past any preamble) unless --profile
    names one (see `megaroth profiles list`). FILE - reads the statement from standard input
    (the format is detected from its content; the import is recorded as file "stdin"). All or nothing: if any row is bad nothing is
    written and every bad row (up to 50) is listed as file:line: column: reason. Importing
    the same file again adds nothing; an overlapping export adds only its new rows. The same
    activity from a file in another format is refused (it would count twice; --allow-overlap),
    and so is a file or OFX account already imported into another plan. A file named like a subcommand (list, show, undo): write ./list.

    Example: megaroth import ~/Downloads/history.csv --plan acme-401k --dry-run
    """


def _parse_maps(maps: tuple[str, ...]) -> dict[str, str]:
    from ..errors import UserError
    from ..vocab import SOURCES

    out = {}
    for m in maps:
        label, sep, source = m.partition("=")
        if not sep or not label.strip():
            raise UserError(f"--map {m!r}: expected LABEL=SOURCE, e.g. OTHERVEST=roth_irr")
        if source.strip() not in SOURCES:
            raise UserError(f"--map {m!r}: unknown source {source.strip()!r}; one of {', '.join(SOURCES)}")
        out[label.strip()] = source.strip()
    return out


STDIN_NAMES = ("-", "/dev/stdin")


@contextlib.contextmanager
def _from_stdin(file: str):
    """``-`` (or ``/dev/stdin``, a pipe rather than a file): standard input copied to a private
    temporary file named ``stdin`` (the format is detected from its content, like any file's;
    the import's provenance names it ``stdin``); any other name as it is."""
    import os
    import shutil
    import sys
    import tempfile
    from pathlib import Path

    if file not in STDIN_NAMES or (file == "/dev/stdin" and Path(file).is_file()):
        yield file
        return
    with tempfile.TemporaryDirectory(prefix="megaroth-stdin-") as tmp:
        path = Path(tmp) / "stdin"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out)
        with open(path, "rb") as f:
            if f.read(4) == b"PK\x03\x04":  # a zip: an XLSX workbook (its reader goes by the name)
                path = path.rename(path.with_name("stdin.xlsx"))
        yield str(path)


@import_group.command("file", hidden=True)
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@plan_option(
    required=False,
    help="Ledger plan the rows belong to (fills or overrides the canonical CSV's "
    "plan column; required for every other format).",
    person_help="Whose plans: --plan and the file's plan column are looked up among this person's "
    "plans (needed when two people have a plan of that name).",
)
@click.option(
    "--profile",
    metavar="ID",
    help="Format profile to use instead of detecting it (see `megaroth profiles list`).",
)
@click.option("--dry-run", is_flag=True, help="Show what would be added; write nothing.")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="LABEL=SOURCE",
    help="Map a raw source label (e.g. OTHERVEST, or a label the profile does not know) to "
    "a ledger source; saved in the plan's source map for later imports. Repeatable.",
)
@click.option(
    "--allow-overlap",
    is_flag=True,
    help="Import even though most of its activity (same plan, "
    "date, source, type and amount) is already in the ledger from another file, e.g. the same "
    "statement in another format (refused otherwise: it would count twice).",
)
@click.option(
    "--columns",
    "columns",
    metavar="FIELD=COLUMN,...",
    help='A one-off mapping for a format megaroth does not know: date="Activity Date",amount=Amount,'
    'source="Money Source",type=Activity (also fund, shares, price, payroll_date, memo, ...). '
    "Labels are mapped by the same proposals as `profiles new`; --map fixes a source label.",
)
@format_option
@click.pass_context
def import_file_cmd(
    ctx, file, plan_name, person_name, profile, dry_run, maps, allow_overlap, columns, fmt
) -> None:
    """Import FILE.

    Example: megaroth import statement.qfx --plan acme-401k --map OTHERVEST=roth_irr --dry-run

    Example: megaroth import activity.csv --plan acme-401k --columns date="Activity Date",amount=Amount,source="Money Source",type=Activity
    """
    import sys

    from ..importers.store import import_file, save_source_map
    from ..services import imports as svc

    source_map, spec = _import_options(maps, plan_name, columns, profile)
    ledger = get_ledger(ctx, write=True)
    with _from_stdin(file) as path:
        res = import_file(
            ledger.engine,
            path,
            plan=plan_name,
            person=person_name,
            profile=profile,
            dry_run=dry_run,
            progress=sys.stderr.isatty() and fmt == "table",
            extra_source_map=source_map,
            allow_overlap=allow_overlap,
            importer=None if spec is None else svc.columns_importer(path, file, spec),
        )
    if source_map and not dry_run:  # only once the import went through
        save_source_map(ledger.engine, plan_name, source_map, person_name)
    payload = svc.import_payload(res)
    emit(payload, fmt, [_added_table(res, payload["added"], dry_run)])


def _import_options(
    maps: tuple[str, ...], plan_name: str | None, columns: str | None, profile: str | None
) -> tuple[dict[str, str], dict[str, str] | None]:
    """``--map`` as a source map and ``--columns`` as a spec (None without it), checked before
    the ledger is opened: --map needs --plan, --columns and --profile exclude each other."""
    from ..errors import UserError

    source_map = _parse_maps(maps)
    if source_map and not plan_name:
        raise UserError("--map needs --plan (the map is stored with the plan)")
    if columns is not None and profile:
        raise UserError("--columns and --profile: give one (--columns is a one-off profile)")
    if columns is None:
        return source_map, None
    from ..importers.propose import parse_columns_spec

    return source_map, parse_columns_spec(columns)


def _added_table(res: ImportResult, summary: list[dict], dry_run: bool) -> Table:
    """The readable table of what the import added (would add, with --dry-run) per type and
    source, its message and notes below."""
    from ..reports.output import Column, Table

    return Table(
        "Would add (dry run)" if dry_run else "Added",
        [
            Column("type", "Type"),
            Column("source", "Source"),
            Column("rows", "Rows"),
            Column("amount", "Amount", money=True),
        ],
        summary,
        footer=[res.message(), *res.notes],
    )


@import_group.command("list")
@click.option("--person", "person_name", metavar="P", help="Only imports into this person's plans.")
@format_option
@click.pass_context
def import_list(ctx, person_name, fmt) -> None:
    """List imports with their provenance (file, SHA-256, profile, rows).

    Example: megaroth import list --format json
    """
    from ..importers.store import list_imports
    from ..reports.output import Column, Table

    with get_ledger(ctx).read_connection() as conn:  # one snapshot
        rows = list_imports(conn, person_name)
    cols = [
        Column("id", "Id"),
        Column("file", "File"),
        Column("profile", "Profile"),
        Column("plan", "Plan"),
        Column("person", "Person"),
        Column("imported_at", "Imported at"),
        Column("rows_read", "Read"),
        Column("rows_added", "Added"),
        Column("undone_at", "Undone at"),
    ]
    if fmt == "csv":
        cols.append(Column("sha256", "SHA-256"))
    else:  # keep the table readable: the full hash is in --format json/csv
        cols.append(Column("sha256_short", "SHA-256"))
        view = [
            {
                **r,
                "sha256_short": r["sha256"][:12] + "…",
                "imported_at": r["imported_at"].replace(microsecond=0) if r["imported_at"] else None,
            }
            for r in rows
        ]
    emit({"imports": rows}, fmt, [Table("Imports", cols, rows if fmt == "csv" else view)])


@import_group.command("show")
@click.argument("import_id", metavar="ID", type=int)
@format_option
@click.pass_context
def import_show(ctx, import_id, fmt) -> None:
    """One import's contributions per paycheck and source (per-fund rows totalled).

    Example: megaroth import show 1 --format csv
    """
    from ..importers.store import show_import
    from ..reports.output import Column, Table

    with get_ledger(ctx).read_connection() as conn:  # one snapshot
        res = show_import(conn, import_id)
    b = res["import"]
    emit(
        res,
        fmt,
        [
            Table(
                f"Import #{b['id']}: {b['file']} ({b['profile']}, plan {b['plan']}): contributions per paycheck",
                [
                    Column("paycheck", "Paycheck"),
                    Column("source", "Source"),
                    Column("rows", "Rows"),
                    Column("amount", "Amount", money=True),
                ],
                res["paychecks"],
                section="paychecks",
            ),
            Table(
                "All rows by type and source",
                [
                    Column("type", "Type"),
                    Column("source", "Source"),
                    Column("rows", "Rows"),
                    Column("amount", "Amount", money=True),
                ],
                res["by_type"],
                section="by_type",
            ),
        ],
    )


@import_group.command("undo")
@click.argument("import_id", metavar="ID", type=int)
@format_option
@click.pass_context
def import_undo(ctx, import_id, fmt) -> None:
    """Remove what one import added (rows, conversions, balance assertions), except what another
    active import also holds (e.g. March's rows that the Q1 statement contains too): those are
    kept, now held by that import, and counted as kept.

    Example: megaroth import undo 7
    """
    from ..importers.store import undo_import
    from ..reports.output import Column, Table

    res = undo_import(get_ledger(ctx, write=True).engine, import_id)
    footer = []
    if res["rows_kept"] or res["balance_assertions_kept"]:
        footer.append(
            f"kept {res['rows_kept']} row(s), {res['conversions_kept']} conversion(s) and "
            f"{res['balance_assertions_kept']} balance assertion(s) that another active import also holds"
        )
    emit(
        res,
        fmt,
        [
            Table(
                f"Undid import #{import_id} ({res['file']})",
                [
                    Column("rows_removed", "Rows removed"),
                    Column("rows_kept", "Rows kept"),
                    Column("conversions_removed", "Conversions removed"),
                    Column("balance_assertions_removed", "Balance assertions removed"),
                ],
                [res],
                footer=footer,
            )
        ],
    )


@click.group("profiles")
def profiles_group() -> None:
    """Statement format profiles: shipped ones and your own (TOML files).

    Example: megaroth profiles show voya-activity
    """


@profiles_group.command("list")
@format_option
def profiles_list(fmt) -> None:
    """List the format profiles (shipped, then the ones in your profile directory).

    Example: megaroth profiles list --format json
    """
    from ..importers.profiles import load_profiles, user_profiles_dir
    from ..reports.output import Column, Table

    rows = [
        {"id": p.id, "title": p.title, "kind": p.kind, "origin": p.origin}
        for p in sorted(load_profiles().values(), key=lambda p: p.id)
    ]
    emit(
        {"profiles": rows, "user_dir": str(user_profiles_dir())},
        fmt,
        [
            Table(
                "Profiles",
                [
                    Column("id", "Id"),
                    Column("title", "Title"),
                    Column("kind", "Kind"),
                    Column("origin", "Origin"),
                ],
                rows,
                footer=[f"your own profiles: {user_profiles_dir()}/*.toml"],
            )
        ],
    )


@profiles_group.command("show")
@click.argument("profile_id", metavar="ID")
@format_option
def profiles_show(profile_id, fmt) -> None:
    """Show one profile: its header signature, column mapping and its TOML text.

    Example: megaroth profiles show fidelity-netbenefits-history
    """
    from ..importers.profiles import get_profile
    from ..reports.output import Column, Table

    p = get_profile(profile_id)
    det = p.section("detect")
    cols = p.section("columns")
    payload = {
        "id": p.id,
        "title": p.title,
        "kind": p.kind,
        "origin": p.origin,
        "evidence": p.section("profile").get("evidence"),
        "header": det.get("header"),
        "columns": cols,
        "const": p.section("const"),
        "toml": p.text,
    }
    rows = [{"field": k, "column": v} for k, v in cols.items()]
    rows += [{"field": k, "column": f"(always {v!r})"} for k, v in p.section("const").items()]
    emit(
        payload,
        fmt,
        [
            Table(
                f"{p.id}: {p.title} ({p.origin})",
                [Column("field", "Canonical field"), Column("column", "File column")],
                rows,
                footer=["", p.text.rstrip()] if fmt == "table" else [],
            )
        ],
    )


@profiles_group.command("new")
@click.argument("name")
@click.option(
    "--from",
    "from_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="A CSV/TSV/XLSX export of the format to describe.",
)
@click.option("--force", is_flag=True, help="Replace an existing profile file of that name.")
@click.option("--dry-run", is_flag=True, help="Show the proposal and its TOML; write nothing.")
@format_option
def profiles_new(name, from_file, force, dry_run, fmt) -> None:
    """Propose a profile for a format megaroth does not know, from one of its files.

    Reads the header (past any preamble), proposes which column is the date, the amount, the
    money source and the activity, lists every label seen with a proposed ledger value, and
    writes NAME.toml where `profiles list` looks. Check it with `megaroth profiles check NAME FILE`;
    every key is documented in docs/profiles.md.

    Example: megaroth profiles new my-plan --from ~/Downloads/activity.csv
    """
    import re
    from pathlib import Path

    from ..errors import UserError
    from ..importers.profiles import load_profiles, user_profiles_dir
    from ..importers.propose import proposal_toml, propose
    from ..reports.output import Column, Table

    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,62}", name):
        raise UserError(
            f"profile name {name!r}: use lower-case letters, digits, '.', '_' or '-' (e.g. my-plan)"
        )
    src = Path(from_file)
    if not src.is_file():
        raise UserError(f"{from_file}: no such file")
    prop = propose(src, name)
    text = proposal_toml(prop, origin=src.name)
    target = user_profiles_dir() / f"{name}.toml"
    notes = list(prop.notes)
    try:
        shipped = {p.id for p in load_profiles(Path("/nonexistent-megaroth-profiles")).values()}
    except UserError:
        shipped = set()
    if name in shipped:
        notes.append(f"{name} is also a shipped profile: yours replaces it")
    if not dry_run:
        if target.exists() and not force:
            raise UserError(f"{target} exists; give --force to replace it (or choose another NAME)")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".toml.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    labels = [
        {"kind": "source", "label": k, "proposed": v or "", "check": v is None}
        for k, v in sorted(prop.sources.items())
    ]
    for k, rules in sorted(prop.types.items()):
        proposed = "; ".join(
            t + (f" ({sign})" if sign != "as_is" else "") + (f" when amount {when}" if when else "")
            for t, sign, when in rules
        )
        labels.append({"kind": "activity", "label": k, "proposed": proposed, "check": not rules})
    unmapped = prop.unmapped_sources + prop.unmapped_types
    next_step = f"megaroth profiles check {name} {from_file}"
    payload = {
        "profile": name,
        "path": str(target),
        "written": not dry_run,
        "header_line": prop.table.header_line,
        "columns": prop.columns,
        "const": prop.const,
        "date_formats": prop.date_formats,
        "labels": labels,
        "unmapped": unmapped,
        "data_rows": prop.data_rows,
        "notes": notes,
        "next": next_step,
        "toml": text,
    }
    footer = [f"header on line {prop.table.header_line}; {prop.data_rows} data rows"]
    footer += [f"CHECK: {u!r} got no proposal: edit {target}" for u in unmapped] + notes
    footer.append(("would write " if dry_run else "wrote ") + str(target))
    footer.append(f"next: {next_step}  (keys: docs/profiles.md)")
    if dry_run and fmt == "table":
        footer += ["", text]
    emit(
        payload,
        fmt,
        [
            Table(
                f"Profile {name}: columns",
                [Column("field", "Ledger field"), Column("column", "File column")],
                [{"field": k, "column": v} for k, v in prop.columns.items()]
                + [{"field": k, "column": f"(always {v!r})"} for k, v in prop.const.items()],
            ),
            Table(
                "Labels seen, with the proposed ledger value",
                [Column("kind", "Kind"), Column("label", "Label"), Column("proposed", "Proposed")],
                [{**r, "proposed": r["proposed"] or "CHECK: none"} for r in labels],
                footer=footer,
            ),
        ],
    )


@profiles_group.command("check")
@click.argument("name")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=str))
@format_option
def profiles_check(name, file, fmt) -> None:
    """Validate a profile (and, given FILE, that it reads FILE): one line per problem, exit 1 if any.

    Example: megaroth profiles check my-plan ~/Downloads/activity.csv
    """
    import sys
    from pathlib import Path

    from ..errors import UserError
    from ..importers.propose import check_profile
    from ..reports.output import Column, Table

    if file is not None and not Path(file).is_file():
        raise UserError(f"{file}: no such file")
    res = check_profile(name, Path(file) if file else None)
    problems = res["problems"]
    if fmt == "table":
        for line in problems:
            out(line)
        if not problems:
            out(
                f"profile {name} ({res['origin']}): OK"
                + (f"; reads {Path(file).name}: {res['rows']} rows" if file else "")
            )
    else:
        emit(
            res,
            fmt,
            [Table(f"profile {name}", [Column("problem", "Problem")], [{"problem": p} for p in problems])],
        )
    if problems:
        sys.exit(1)


COMMANDS = [import_group, profiles_group]
