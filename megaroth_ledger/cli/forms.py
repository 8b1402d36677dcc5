"""Tax forms and 1099-R reconciliation (issue 3)."""

from __future__ import annotations

import click

from .common import AMOUNT, YEAR, emit, fast, format_option, ledger_session, read_session, write_session


def _form_options(f):
    f = click.option(
        "--round", "rounded", is_flag=True, help="Whole-dollar figures (the IRS allows rounding)."
    )(f)
    f = click.option(
        "--explain", is_flag=True, help="Show each box/line's formula and the ledger rows behind it."
    )(f)
    f = format_option(f)
    f = click.option("--year", type=YEAR, required=True)(f)
    f = click.option("--person", "person_name", required=True)(f)
    return f


@click.group("form")
def form() -> None:
    """Derived tax forms: 1099-R, Form 8606, Form 1040 lines, Form 5329."""


def _read(ctx, build, *args, **kwargs):
    """``build(session, ...)`` on the thin path (store.lite), else in a read session."""
    from ..store.lite import FULL

    payload = fast(ctx, lambda db: build(db, *args, **kwargs))
    if payload is FULL:
        with read_session(ctx) as session:
            payload = build(session, *args, **kwargs)
    return payload


def _explain_table(payload, title):
    from ..reports.output import Column, Table

    rows = [
        {"line": k, "formula": v["formula"], "rows": "; ".join(v["rows"])}
        for k, v in payload.get("explain", {}).items()
    ]
    return Table(
        title,
        [Column("line", "Line"), Column("formula", "Formula"), Column("rows", "Ledger rows")],
        rows,
        section="explain",
    )


@form.command("1099-r")
@_form_options
@click.pass_context
def form_1099r(ctx, person_name, year, fmt, explain, rounded) -> None:
    """The 1099-Rs your plans and IRA custodian should issue: one per payer, code and destination.

    Example: megaroth form 1099-r --person ann --year 2025 --format json
    """
    from ..reports.output import Column, Table
    from ..services import forms as svc

    payload = _read(ctx, svc.form_1099r, person_name, year, explain=explain, rounded=rounded)
    cols = [
        Column("payer", "Payer"),
        Column("destination", "Destination"),
        Column("box1", "Box 1", True),
        Column("box2a", "Box 2a", True),
        Column("box2b_taxable_not_determined", "2b not det."),
        Column("box2b_total_distribution", "2b total"),
        Column("box4", "Box 4", True),
        Column("box5", "Box 5", True),
        Column("box7", "Box 7"),
        Column("box10", "Box 10", True),
        Column("box11", "Box 11"),
    ]
    tables = [Table(f"Form 1099-R, {person_name}, {year}", cols, payload["forms"], section="forms")]
    if explain:
        from ..reports.output import Table as T

        rows = []
        for ex in payload["explain"]:
            for box, lines in ex["boxes"].items():
                rows.append(
                    {
                        "form": f"{ex['payer']} {ex['box7']} {ex['destination']}",
                        "box": box,
                        "how": " ".join(s.strip() for s in lines),
                    }
                )
        tables.append(
            T(
                "How each box is figured",
                [Column("form", "Form"), Column("box", "Box"), Column("how", "Formula and ledger rows")],
                rows,
                section="explain",
            )
        )
    emit(payload, fmt, tables)


def _emit_lines(payload: dict, fmt: str, explain: bool, lines_table) -> None:
    """A line-by-line form: its lines, then (with --explain) how each line is figured."""
    tables = [lines_table]
    if explain:
        tables.append(_explain_table(payload, "How each line is figured"))
    emit(payload, fmt, tables)


@form.command("8606")
@_form_options
@click.pass_context
def form_8606(ctx, person_name, year, fmt, explain, rounded) -> None:
    """Form 8606 Parts I-III for a person-year (blank lines are empty / null).

    Example: megaroth form 8606 --person ann --year 2025 --format json
    """
    from ..reports.output import Column, Table
    from ..services import forms as svc

    payload = _read(ctx, svc.form_8606, person_name, year, explain=explain, rounded=rounded)
    rows = [{"line": k, "value": v} for k, v in payload["lines"].items() if v is not None]
    footer = [] if rows else [f"Form 8606 is not required for {person_name} in {year}."]
    # amounts right-aligned with thousands separators; line 10, a three-place ratio, as it is
    _emit_lines(
        payload,
        fmt,
        explain,
        Table(
            f"Form 8606, {person_name}, {year}",
            [Column("line", "Line"), Column("value", "Amount", True)],
            rows,
            footer,
            empty="",
            section="lines",
        ),
    )


@form.command("1040")
@click.option("--person", "person_name", help="Whose lines (see `megaroth person list`).")
@click.option(
    "--household",
    "household_name",
    help="A joint return: the spouses' lines summed (see `megaroth household add`).",
)
@click.option("--year", type=YEAR, required=True)
@format_option
@click.option("--explain", is_flag=True, help="Show each box/line's formula and the ledger rows behind it.")
@click.option("--round", "rounded", is_flag=True, help="Whole-dollar figures (the IRS allows rounding).")
@click.pass_context
def form_1040(ctx, person_name, household_name, year, fmt, explain, rounded) -> None:
    """Form 1040 lines 4a/4b (IRA distributions) and 5a/5b (pensions and annuities).

    With --household: a joint return, each line the sum of both spouses' lines (each spouse
    keeps their own limits, Form 8606 and clocks), with each spouse's lines beside it.

    Example: megaroth form 1040 --person ann --year 2025 --format json
    """
    from ..errors import UserError
    from ..reports.output import Column, Table
    from ..services import forms as svc

    if (person_name is None) == (household_name is None):
        raise UserError("give either --person NAME or --household NAME")
    if household_name is not None:
        from ..services import household as hh

        with read_session(ctx) as session:
            payload = hh.form_1040(session, household_name, year, explain=explain, rounded=rounded)
        members = payload["members"]
        rows = [
            {
                "line": k,
                "value": v,
                **{f"m{i}": payload["by_member"][m].get(k) for i, m in enumerate(members)},
            }
            for k, v in payload["lines"].items()
        ]
        cols = [Column("line", "Line"), Column("value", "Joint return", True)]
        cols += [Column(f"m{i}", m, True) for i, m in enumerate(members)]
        title = f"Form 1040, household {household_name} (joint), {year}"
        _emit_lines(payload, fmt, explain, Table(title, cols, rows))
        return
    payload = _read(ctx, svc.form_1040, person_name, year, explain=explain, rounded=rounded)
    rows = [{"line": k, "value": v} for k, v in payload["lines"].items()]
    _emit_lines(
        payload,
        fmt,
        explain,
        Table(
            f"Form 1040, {person_name}, {year}",
            [Column("line", "Line"), Column("value", "Amount", True)],
            rows,
            section="lines",
        ),
    )


@form.command("5329")
@click.option("--person", "person_name", required=True)
@click.option("--year", type=YEAR, required=True)
@format_option
@click.pass_context
def form_5329(ctx, person_name, year, fmt) -> None:
    """Form 5329 Part I (10% additional tax on early distributions, lines 1-4) and Parts III/IV
    (6% excise on excess traditional / Roth IRA contributions, lines 9-25, carried while it stays in).

    Example: megaroth form 5329 --person ann --year 2025 --format json
    """
    from ..reports.output import Column, Table
    from ..services import form5329 as svc

    with ledger_session(ctx) as session:
        payload = svc.form_5329(session, person_name, year)
    rows = [{"line": k, "value": v} for k, v in payload["lines"].items() if v is not None]
    emit(
        payload,
        fmt,
        Table(
            f"Form 5329, {person_name}, {year}",
            [Column("line", "Line"), Column("value", "Amount")],
            rows,
            footer=payload["notes"],
        ),
    )


@click.group("reconcile")
def reconcile() -> None:
    """Compare forms you received with what the ledger derives: 1099-r, list, edit, rm."""


@reconcile.command("1099-r")
@click.option(
    "--plan",
    "plan_name",
    help="The plan that issued it (or --person with --account for an IRA custodian; not with --from).",
)
@click.option(
    "--person",
    "person_name",
    help="With --plan: whose plan (needed when two people have a plan of that "
    "name); with --account: a 1099-R from that person's IRA custodian; with --from: only that person's plans.",
)
@click.option(
    "--account", type=click.Choice(["traditional", "roth"]), help="The IRA the custodian's 1099-R is for."
)
@click.option("--year", type=YEAR, help="The tax year (required unless --from).")
@click.option(
    "--from",
    "from_file",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=str),
    help="Every 1099-R in FILE: an OFX tax download (TAX1099R) or a CSV with the columns payer,year,"
    "box1,box2a,box2b_not_determined,box2b_total,box4,box5,box7,box10,box11 (payer: plan or employer).",
)
@click.option("--box1", type=AMOUNT)
@click.option("--box2a", type=AMOUNT)
@click.option("--box4", type=AMOUNT)
@click.option("--box5", type=AMOUNT)
@click.option("--box10", type=AMOUNT)
@click.option("--code", "box7", help="Box 7 distribution code(s), e.g. G.")
@click.option("--box11", type=YEAR)
@format_option
@click.pass_context
def reconcile_1099r(
    ctx, plan_name, person_name, account, year, from_file, box1, box2a, box4, box5, box10, box7, box11, fmt
) -> None:
    """Record the 1099-R a plan or an IRA custodian issued; exit 1 with a box-by-box diff if it disagrees.

    Example: megaroth reconcile 1099-r --plan acme-401k --year 2025 --box1 20500 --box2a 500 --box5 20000 --code G

    Example: megaroth reconcile 1099-r --person ann --account traditional --year 2025 --box1 7000 --code 2

    Example: megaroth reconcile 1099-r --from ~/Downloads/1099r-2025.ofx
    """
    from ..reports.output import Column, Table
    from ..services import forms as svc

    if from_file is not None:
        if (
            plan_name
            or year
            or account
            or any(v is not None for v in (box1, box2a, box4, box5, box10, box7, box11))
        ):
            raise click.UsageError(
                "--from reads every box from FILE; give no --plan, --year or --box options with it"
            )
        from .received import reconcile_1099r_from

        return reconcile_1099r_from(ctx, from_file, person_name, fmt)
    if year is None:
        raise click.UsageError("Missing option '--year'.")
    received = {
        "box1": box1,
        "box2a": box2a,
        "box4": box4,
        "box5": box5,
        "box10": box10,
        "box7": box7.strip().upper() if box7 else None,
        "box11": box11,
    }
    if all(v is None for v in received.values()):
        raise click.UsageError("enter at least one box (e.g. --box1 20500 --code G)")
    if plan_name is not None and account is not None:
        raise click.UsageError(
            "give --plan for a plan's 1099-R, or --person with --account for an IRA custodian's"
        )
    if plan_name is None:
        if person_name is None or account is None:
            raise click.UsageError("give --plan, or --person and --account (traditional|roth)")
        from ..services import ira_reconcile

        with write_session(ctx) as session:
            payload = ira_reconcile.reconcile(session, person_name, account, year, received)
        status = "matches the ledger" if payload["match"] else "DIFFERS from the ledger"
        emit(
            payload,
            fmt,
            [
                Table(
                    f"1099-R from the {account} IRA custodian for {year}: {status}",
                    [
                        Column("box", "Box"),
                        Column("received", "Received"),
                        Column("derived", "Ledger"),
                        Column("difference", "Difference"),
                    ],
                    payload["diff"],
                    footer=payload["notes"],
                )
            ],
        )
        if not payload["match"]:
            ctx.exit(1)
        return
    with write_session(ctx) as session:
        payload = svc.reconcile_1099r(session, plan_name, year, received, person_name)
    diff_cols = [
        Column("box", "Box"),
        Column("received", "Received", True),
        Column("derived", "Ledger", True),
        Column("difference", "Difference", True),
    ]
    status = "matches the ledger" if payload["match"] else "DIFFERS from the ledger"
    tables = [
        Table(
            f"1099-R from {plan_name} for {year}: {status}",
            diff_cols,
            payload["diff"],
            footer=payload["notes"],
            empty="",
            section="diff",
        )
    ]
    if payload["entries"]:
        cols = [
            Column("destination", "Destination"),
            Column("box1", "Box 1", True),
            Column("box2a", "Box 2a", True),
            Column("box5", "Box 5", True),
            Column("box7", "Box 7"),
        ]
        tables.append(
            Table(
                "Combined 1099-R: enter it in tax software as these per-destination entries",
                cols,
                payload["entries"],
                section="entries",
            )
        )
    emit(payload, fmt, tables)
    if not payload["match"]:
        ctx.exit(1)


COMMANDS = [form, reconcile]
