"""Shared CLI pieces: parameter types, the ``--format`` option, ``emit()``, ledger access.

Keep this module light (click only at import time): ``megaroth --help`` must not import
SQLAlchemy, openpyxl or rich.

Typical command::

    @click.command("thing")
    @format_option
    @click.pass_context
    def thing(ctx, fmt):
        \"\"\"Do a thing.

        Example: megaroth thing --format json
        \"\"\"
        with ledger_session(ctx) as session:
            payload = build_payload(session)          # a dict (the JSON document)
        emit(payload, fmt, [Table(...)])              # table / json / csv
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session

    from ..reports.output import Table
    from ..store.db import Ledger


class AmountType(click.ParamType):
    """A money amount: ``1234.56``, ``1,234.56``, ``$1,234.56``, ``(12.00)``, ``-12.00`` -> Decimal."""

    name = "amount"

    def convert(self, value: Any, param, ctx) -> Decimal:
        if isinstance(value, Decimal):
            return value
        from ..money import AmountError, parse_amount

        try:
            return parse_amount(value, what=param.opts[0] if param else "amount")
        except AmountError as exc:
            self.fail(str(exc), param, ctx)


class DateType(click.ParamType):
    """An ISO date, ``YYYY-MM-DD``."""

    name = "date"

    def get_metavar(self, param, ctx=None) -> str:
        return "YYYY-MM-DD"

    def convert(self, value: Any, param, ctx) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date; expected YYYY-MM-DD (e.g. 2025-01-15)", param, ctx)
        from ..bounds import date_problem

        problem = date_problem(day)
        if problem:
            self.fail(f"{day.isoformat()} {problem}", param, ctx)
        return day


AMOUNT = AmountType()
DATE = DateType()
YEAR = click.IntRange(1900, 2100)  # megaroth_ledger.bounds: dates 1900-01-01..2100-12-31


def _remember_section(ctx: click.Context, param, value):
    if value is not None:
        ctx.meta["megaroth.csv_section"] = value.strip()
    return value


def _effective_format(ctx: click.Context, param, value):
    """With ``-o FILE`` and no ``--format``: CSV, or JSON for a FILE ending in ``.json``."""
    target = ctx.meta.get("megaroth.output")
    if target is None:
        return value
    from click.core import ParameterSource

    if ctx.get_parameter_source(param.name) is not ParameterSource.DEFAULT:
        return value
    return "json" if str(target).lower().endswith(".json") else "csv"


_format = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    callback=_effective_format,
    help="Output format: a readable table, JSON (amounts as strings) or CSV.",
)
_section = click.option(
    "--section",
    metavar="NAME",
    expose_value=False,
    callback=_remember_section,
    help="With --format csv: only this section, without the section column (a report of several "
    "sections prints them all in one CSV whose first column names the section).",
)


def _remember_output(ctx: click.Context, param, value):
    if value is not None:
        ctx.meta["megaroth.output"] = value
    return value


_output = click.option(
    "-o",
    "--output",
    metavar="FILE",
    expose_value=False,
    is_eager=True,  # before --format, whose default it decides
    callback=_remember_output,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write the output to FILE (readable by you only, 0600) instead of standard output; without "
    "--format it is CSV (JSON for a FILE ending in .json); - is standard output.",
)


def format_option(f):
    """``--format table|json|csv``, ``--section NAME`` (CSV only) and ``-o FILE``."""
    return _format(_section(_output(f)))


def out(text: str, nl: bool = True) -> None:
    """A command's output: to standard output, or with ``-o FILE`` to FILE (0600, written whole
    and atomically with everything the command printed so far: a second call rewrites it)."""
    ctx = click.get_current_context(silent=True)
    target = ctx.meta.get("megaroth.output") if ctx is not None else None
    if target is None or target == "-":
        click.echo(text, nl=nl)
        return
    from pathlib import Path

    from ..files import write_private_text

    buffer = ctx.meta["megaroth.output_text"] = (
        ctx.meta.get("megaroth.output_text", "") + text + ("\n" if nl else "")
    )
    write_private_text(Path(target), buffer)


PERSON_OF_PLAN_HELP = (
    "Whose plan: --plan is looked up among this person's plans (needed when two people "
    "have a plan of that name)."
)


def plan_option(required: bool = True, help: str | None = None, person_help: str | None = None):
    """``--plan NAME`` plus ``--person P`` to say whose plan it is; the command gets ``plan_name``
    and ``person_name``. Resolve them with ``store.lookup.get_plan(session, plan_name,
    person_name)``: without ``--person`` a name two people share is refused, listing them.

    Example::

        @click.command("thing")
        @plan_option()
        @click.pass_context
        def thing(ctx, plan_name, person_name): ...
    """

    def decorate(f):
        f = click.option("--person", "person_name", metavar="P", help=person_help or PERSON_OF_PLAN_HELP)(f)
        f = click.option(
            "--plan",
            "plan_name",
            metavar="NAME",
            required=required,
            help=help or "The plan (see `megaroth plan list`).",
        )(f)
        return f

    return decorate


def get_ledger(ctx: click.Context, write: bool = False) -> Ledger:
    """The ledger named by the global ``--db`` option, opened (and migrated) on first use.

    A reading command (``write=False``) refuses a ledger that does not exist; a writing one
    creates it and says so on stderr.
    """
    root = ctx.find_root()
    state = root.ensure_object(dict)
    if "ledger" not in state:
        from ..store.db import open_ledger

        state["ledger"] = open_ledger(state.get("db"), write=write, wait=state.get("wait"))
        root.call_on_close(state["ledger"].dispose)
        ledger = state["ledger"]
        for note in ledger.notes:
            click.echo(note, err=True)
        if ledger.created_file is not None:
            click.echo(f"created new ledger at {ledger.created_file}", err=True)
        mig = ledger.migration
        if mig.leftovers_dropped:
            click.echo(
                f"note: removed {', '.join(mig.leftovers_dropped)} left by an interrupted older upgrade",
                err=True,
            )
        if mig.backup is not None:
            click.echo(f"note: upgraded the database schema; backup saved to {mig.backup}", err=True)
    return state["ledger"]


def fast(ctx: click.Context, fn, *, write: bool = False):
    """``fn(db)`` on the thin path to a SQLite ledger (:mod:`megaroth_ledger.store.lite`: the
    DB-API, no SQLAlchemy), or :data:`~megaroth_ledger.store.lite.FULL` when the command must
    take its full path (PostgreSQL, an upgrade due, a case ``fn`` leaves to it)::

        rows = fast(ctx, fast_svc.overview)
        if rows is FULL:
            with read_session(ctx) as session:
                rows = preparer.overview(session)
    """
    from ..store.lite import attempt

    return attempt(ctx.find_root().ensure_object(dict), fn, write=write)


@contextmanager
def ledger_session(ctx: click.Context) -> Iterator[Session]:
    """One session/transaction on the ledger for a command that only reads: committed on
    success, rolled back on error. A missing ledger is refused (never created)."""
    with get_ledger(ctx).session() as session:
        yield session


@contextmanager
def read_session(ctx: click.Context) -> Iterator[Session]:
    """A read-only session on one snapshot of the ledger, for reports, forms and exports
    (see :meth:`megaroth_ledger.store.db.Ledger.read_session`)."""
    with get_ledger(ctx).read_session() as session:
        yield session


@contextmanager
def write_session(ctx: click.Context, plans: Sequence[str] | None = None) -> Iterator[Session]:
    """One session/transaction for a command that writes: it holds the ledger's write lock
    from its start (waiting up to ``--wait`` seconds for another writer, then exit 75), is
    committed on success and rolled back on error. Creates a missing ledger."""
    with get_ledger(ctx, write=True).write_session(plans) as session:
        yield session


def progress_enabled() -> bool:
    """A progress bar is drawn only when stderr is a terminal (never into a file or a pipe)."""
    return sys.stderr.isatty()


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[str], None]]:
    """A transient progress bar on stderr for a batch command (one step per person), shown only
    on a terminal (:func:`progress_enabled`); yields ``step(name)``. stdout is untouched, so
    ``--format json`` output stays clean."""
    if not progress_enabled() or total < 1:
        yield lambda _name: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as prog:
        task = prog.add_task(label, total=total)
        yield lambda name: prog.update(task, advance=1, description=f"{label} {name}")


def shell_quote(value: str) -> str:
    """``value`` quoted for a POSIX shell (names echoed in ``next:`` hints)."""
    import shlex

    return shlex.quote(value)


def emit(
    payload: Any,
    fmt: str,
    tables: Table | Sequence[Table] | None = None,
    *,
    warnings_in_tables: bool = False,
    csv: Sequence[Table] | None = None,
) -> None:
    """Print ``payload`` as JSON, or its ``tables`` as readable tables / CSV.

    CSV holds every section of the report: one table prints as it is (a header row of column
    keys); several print as one CSV whose first column, ``section``, names each row's table
    (:func:`megaroth_ledger.reports.output.csv_sections`; their footer lines become
    ``<name>_notes`` sections); ``--section NAME`` prints one of them alone. ``csv`` gives the CSV its own tables
    when they differ from the readable ones (flat rows with every key instead of item/amount
    lists). The payload's warnings, if any, are printed after the tables (to stderr for CSV, so
    scripts can still parse stdout), unless ``warnings_in_tables`` says a table lists them.
    """
    from ..reports import output
    from ..reports.safe import terminal_text

    if tables is None:
        tables = []
    elif not isinstance(tables, (list, tuple)):
        tables = [tables]
    to_file = click.get_current_context().meta.get("megaroth.output") not in (None, "-")
    if fmt == "json":
        out(output.render_json(payload))
        return
    warnings = payload.get("warnings") if isinstance(payload, dict) else None
    if fmt == "csv":
        grids = list(csv) if csv is not None else list(tables)
        sections = output.csv_sections(grids)
        wanted = click.get_current_context().meta.get("megaroth.csv_section")
        text = ""
        if wanted is not None:
            from ..errors import UserError

            chosen = [t for name, t in sections if name == wanted]
            if not chosen:
                raise UserError(
                    f"--section {wanted}: no such section; this report has: "
                    + ", ".join(name for name, _ in sections)
                )
            text = output.render_csv(chosen[0])
        elif len(grids) == 1:
            text = output.render_csv(grids[0])
        elif sections:
            text = output.render_csv_sections(sections)
        out(text if to_file else _tty_safe(text), nl=False)
    else:
        if to_file:
            import io

            buf = io.StringIO()
            output.render_tables(tables, file=buf)
            out(buf.getvalue(), nl=False)
        else:
            output.render_tables(tables)
        if warnings and not warnings_in_tables:
            import shutil
            import textwrap

            width = output.table_width(sys.stdout.isatty(), shutil.get_terminal_size((80, 24)).columns)
            for w in warnings:
                text = terminal_text(
                    textwrap.fill(
                        f"warning [{w['code']}]: {w['message']}",
                        width=width,
                        break_long_words=False,
                        break_on_hyphens=False,
                    ),
                    keep_newlines=True,
                )
                click.echo(text, err=True) if to_file else click.echo(text)
        return
    for w in warnings or []:
        click.echo(terminal_text(f"warning [{w['code']}]: {w['message']}", keep_newlines=True), err=True)


def _tty_safe(text: str) -> str:
    """CSV for standard output: to a terminal with control characters escaped (never raw), to a
    pipe or file exactly."""
    from ..reports.safe import terminal_text

    return terminal_text(text, keep_newlines=True) if _is_terminal(sys.stdout) else text


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class DefaultGroup(click.Group):
    """A group whose first argument, when not one of its commands, goes to its ``default``
    command, so a command that became a group keeps its old spelling: ``ira value --person P
    ...`` beside ``ira value list``, ``reconcile w2 --person P ...`` beside ``reconcile w2 list``."""

    default = "set"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = [self.default, *args]
        return super().parse_args(ctx, args)


def filter_options(f):
    """``--plan``, ``--person`` and ``--year`` of the list commands (each narrows the list)."""
    f = click.option("--year", type=YEAR, help="Only this tax year.")(f)
    return plan_option(
        required=False, help="Only this plan.", person_help="Only this person's plans (and their --plan)."
    )(f)


def clearable(name: str, help: str, kind: Any = None, clear_help: str | None = None, **kw):
    """An edit command's ``--NAME VALUE`` and ``--no-NAME`` (clears the value) options."""
    dest = name.replace("-", "_")

    def deco(f):
        f = click.option(f"--no-{name}", f"no_{dest}", is_flag=True, help=clear_help or f"Clear --{name}.")(f)
        return click.option(f"--{name}", dest, type=kind, help=help, **kw)(f)

    return deco


# ------------------------------------------------------------------------------- corrections
reason_option = click.option("--reason", help="Why (kept in the change log).")


def opt_value(value, clear: bool):
    """An optional value's new setting in an edit: the value, None (``--no-X``) or UNSET (not given)."""
    if clear and value is not None:
        raise click.UsageError("give a value or its --no- form, not both")
    if clear:
        return None
    from ..services.changelog import UNSET

    return UNSET if value is None else value


def report_edit(res: dict, fmt: str) -> None:
    """An edit's result: the fields that changed, before and after (JSON: the whole result)."""
    from ..reports.output import Column, Table
    from ..services.changelog import describe

    before, after = res.get("before") or {}, res.get("after") or {}
    rows = [
        {"field": k, "before": before.get(k), "after": v}
        for k, v in after.items()
        if before.get(k) != v and k not in ("recorded_at",)
    ]
    title = f"edited {res['record']} #{res['id']}" + ("" if rows else ": nothing changed")
    footer = [describe(after)] if fmt == "table" else []
    if fmt == "table" and "match" in res:  # a received document compared again
        footer += ["it matches the ledger" if res["match"] else "it DIFFERS from the ledger:"]
        footer += [f"{d['box']}: received {d['received']}, ledger {d['derived']}" for d in res["diff"]]
        footer += res.get("notes", [])
    emit(
        res,
        fmt,
        [
            Table(
                title,
                [Column("field", "Field"), Column("before", "Before"), Column("after", "After")],
                rows,
                footer=footer,
            )
        ],
    )


def report_rm(res: dict, fmt: str) -> None:
    from ..services.changelog import describe

    if fmt == "json":
        emit(res, fmt)
        return
    lines = [f"removed {res['record']} #{res['id']}: {describe(res['before'])}"]
    if res.get("remembered"):
        lines.append("it was imported: importing its file again will not bring it back (see `megaroth log`)")
    lines += res.get("notes", [])
    out("\n".join(lines))


def rm_command(group: click.Group, help: str, remove, *options, name: str = "rm") -> click.Command:
    """``GROUP rm ID [--reason TEXT]``: ``remove`` removes the record and gives the result printed
    like every removal. ``remove``: a service function's name (``"remove_wages"`` in
    :mod:`megaroth_ledger.services.corrections`, ``"received.remove_w2"`` in another service
    module), imported when the command runs and called ``(session, ID, reason, **options)``; or
    a callable ``(svc, session, ID, reason, **options)``. ``options``: more click options."""

    def run(ctx, record_id, reason, fmt, **opts):
        from ..services import corrections as svc

        with write_session(ctx) as session:
            if isinstance(remove, str):
                res = _service(remove)(session, record_id, reason, **opts)
            else:
                res = remove(svc, session, record_id, reason, **opts)
        report_rm(res, fmt)

    f = click.pass_context(run)
    for deco in reversed(
        (click.argument("record_id", metavar="ID", type=int), *options, reason_option, format_option)
    ):
        f = deco(f)
    return group.command(name, help=help)(f)


def _service(name: str):
    """A service function by name: ``"list_wages"`` in :mod:`megaroth_ledger.services.corrections`,
    ``"received.list_w2"`` in another service module (imported when a command runs)."""
    import importlib

    module, _, fn = name.rpartition(".")
    return getattr(importlib.import_module(f"megaroth_ledger.services.{module or 'corrections'}"), fn)


def list_command(
    group: click.Group, help: str, lister: str, key: str, title: str, columns, *options, name: str = "list"
) -> click.Command:
    """``GROUP list [options]``: the rows ``lister`` (a service function's name, as for
    :func:`rm_command`) gives, called ``(session, person=..., plan=..., year=...)`` with the
    options (a ``_name`` suffix dropped), as JSON ``{key: rows}`` or a table of ``columns``
    (``(key, header)`` or ``(key, header, True)`` for amounts) titled ``title`` (formatted with
    the options)."""

    def run(ctx, fmt, **opts):
        from ..reports.output import Column, Table

        with read_session(ctx) as session:
            rows = _service(lister)(session, **{k.removesuffix("_name"): v for k, v in opts.items()})
        cols = [Column(*c) for c in columns]
        emit({key: rows}, fmt, Table(title.format(**opts), cols, rows))

    f = click.pass_context(run)
    for deco in reversed((*options, format_option)):
        f = deco(f)
    return group.command(name, help=help)(f)
