"""Per person-year tax facts for the IRA limits (issue 11): ``megaroth tax-year set/list/show/edit/rm``."""

from __future__ import annotations

import click

from .common import AMOUNT, YEAR, emit, format_option, ledger_session, rm_command, write_session

STATUS = click.Choice(["single", "mfj", "mfs", "hoh", "qss"])


@click.group("tax-year")
def tax_year() -> None:
    """Filing status and MAGI per person and year: the IRA contribution and deduction limits
    (set, show, list, edit, rm)."""


def tax_year_options(required: bool):
    """A tax year's facts, as ``tax-year set`` (``required``) and ``tax-year edit`` (each
    optional: one not given keeps its value) take them."""

    def deco(f):
        f = click.option(
            "--compensation",
            type=AMOUNT,
            help="Taxable compensation, if less than the IRA limit (IRC 219(b)(1)(B); joint return: IRC 219(c)).",
        )(f)
        spouse = "Your spouse was covered by a workplace plan (IRC 219(g)(7))."
        if required:
            f = click.option("--spouse-covered", is_flag=True, help=spouse)(f)
        else:
            f = click.option("--spouse-covered/--no-spouse-covered", default=None, help=spouse)(f)
        f = click.option(
            "--covered/--not-covered",
            default=None,
            help="Active participant in a workplace plan that year (default: yes when you have a plan in the "
            "ledger).",
        )(f)
        f = click.option(
            "--magi",
            type=AMOUNT,
            required=required,
            help="Modified AGI for Roth IRA / IRA deduction purposes (Pub 590-A).",
        )(f)
        return click.option(
            "--filing-status",
            type=STATUS,
            required=required,
            help="single, mfj (joint), mfs (separate, lived with the spouse at some time in the year; "
            "if you lived apart all year use single), hoh, qss.",
        )(f)

    return deco


@tax_year.command("set")
@click.option("--person", "person_name", required=True)
@click.option("--year", type=YEAR, required=True)
@tax_year_options(required=True)
@format_option
@click.pass_context
def tax_year_set(
    ctx, person_name, year, filing_status, magi, covered, spouse_covered, compensation, fmt
) -> None:
    """Record a year's filing status and MAGI; prints the IRA limits they give.

    Example: megaroth tax-year set --person ann --year 2025 --filing-status single --magi 210000
    """
    from ..services import ira_limits as svc

    with write_session(ctx) as session:
        payload = svc.tax_year_set(
            session, person_name, year, filing_status, magi, covered, spouse_covered, compensation
        )
    _emit_limits(payload, fmt)


@tax_year.command("show")
@click.option("--person", "person_name", required=True)
@click.option("--year", type=YEAR, required=True)
@format_option
@click.pass_context
def tax_year_show(ctx, person_name, year, fmt) -> None:
    """The IRA limits of a year: combined limit, Roth IRA limit (Worksheet 2-2), deduction limit
    (Worksheet 1-2), the year's contributions and any excess, with what to do about it.

    Example: megaroth tax-year show --person ann --year 2025 --format json
    """
    from ..services import ira_limits as svc

    with ledger_session(ctx) as session:
        payload = svc.year_payload(session, person_name, year)
    _emit_limits(payload, fmt)


@tax_year.command("list")
@click.option("--person", "person_name", required=True)
@format_option
@click.pass_context
def tax_year_list(ctx, person_name, fmt) -> None:
    """The recorded tax years of a person.

    Example: megaroth tax-year list --person ann
    """
    from ..reports.output import Column, Table
    from ..services import ira_limits as svc

    with ledger_session(ctx) as session:
        rows = svc.tax_year_list(session, person_name)
    cols = [
        Column("id", "#"),
        Column("year", "Year"),
        Column("filing_status", "Filing status"),
        Column("magi", "MAGI", True),
        Column("covered", "Covered"),
        Column("spouse_covered", "Spouse covered"),
        Column("compensation", "Compensation", True),
    ]
    emit({"person": person_name, "tax_years": rows}, fmt, Table(f"Tax years, {person_name}", cols, rows))


@tax_year.command("edit")
@click.argument("tax_year_id", metavar="ID", type=int)
@click.option("--year", type=YEAR)
@tax_year_options(required=False)
@click.option(
    "--covered-derived",
    is_flag=True,
    help="Forget --covered/--not-covered: derived from the ledger's plans again.",
)
@click.option("--no-compensation", is_flag=True, help="Clear the compensation (at least the limit).")
@format_option
@click.pass_context
def tax_year_edit(
    ctx,
    tax_year_id,
    year,
    filing_status,
    magi,
    covered,
    spouse_covered,
    compensation,
    covered_derived,
    no_compensation,
    fmt,
) -> None:
    """Correct a year's filing status, MAGI or coverage (see `tax-year list` for ids); options not
    given keep their value.

    Example: megaroth tax-year edit 1 --magi 212500
    """
    from ..services import corrections as svc
    from .common import opt_value, report_edit

    if covered_derived and covered is not None:
        raise click.UsageError("give --covered/--not-covered or --covered-derived, not both")
    with write_session(ctx) as session:
        res = svc.edit_tax_year(
            session,
            tax_year_id,
            year=year,
            filing_status=filing_status,
            magi=magi,
            covered=None if covered_derived else opt_value(covered, False),
            spouse_covered=spouse_covered,
            compensation=opt_value(compensation, no_compensation),
        )
    report_edit(res, fmt)


rm_command(
    tax_year,
    "Remove a year's tax facts (the IRA limits then assume the defaults).\n\nExample: megaroth tax-year rm 1",
    "remove_tax_year",
)


def _emit_limits(payload: dict, fmt: str) -> None:
    from ..reports.output import Column, Table

    rows = [
        {"item": k.replace("_", " "), "value": payload[k]}
        for k in (
            "limit",
            "traditional",
            "roth",
            "roth_allowed",
            "deductible_limit",
            "traditional_excess",
            "roth_excess",
        )
    ]
    tables = [
        Table(
            f"IRA limits, {payload['person']}, {payload['tax_year']}",
            [Column("item", "Item"), Column("value", "Amount", True)],
            rows,
            footer=payload["notes"],
        )
    ]
    for key, title in (
        ("roth_worksheet", "Pub 590-A Worksheet 2-2 (reduced Roth IRA limit)"),
        ("deduction_worksheet", "Pub 590-A Worksheet 1-2 (reduced IRA deduction)"),
    ):
        if payload.get(key):
            tables.append(
                Table(
                    title,
                    [Column("line", "Line"), Column("value", "Amount")],
                    [{"line": k, "value": v} for k, v in payload[key].items()],
                )
            )
    emit(payload, fmt, tables)


COMMANDS = [tax_year]
