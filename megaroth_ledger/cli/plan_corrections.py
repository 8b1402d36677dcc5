"""Plan-side corrective distributions (issue 11): ``megaroth correction add/list/edit/rm``."""

from __future__ import annotations

import click

from .common import (
    AMOUNT,
    DATE,
    YEAR,
    emit,
    format_option,
    ledger_session,
    out,
    plan_option,
    report_edit,
    rm_command,
    write_session,
)


@click.group("correction")
def correction() -> None:
    """Corrective distributions from a plan (IRC 402(g) excess deferrals; 415(c) excess annual additions
    returned as after-tax contributions under EPCRS): add, list, edit, rm."""


def correction_options(required: bool):
    """A corrective distribution's fields, as ``correction add`` (``required``) and ``correction
    edit`` (each optional: one not given keeps its value) take them."""

    def deco(f):
        f = click.option(
            "--source",
            type=click.Choice(["pretax", "roth", "aftertax"]),
            help=(
                "Which money was distributed: deferrals (when added: the plan's only deferral source that "
                "year); aftertax for an excess annual addition (its default; deferrals returned for 415(c) "
                "are refused)."
            ),
        )(f)
        f = click.option("--earnings", type=AMOUNT, help="The income allocable to it, distributed with it.")(
            f
        )
        f = click.option(
            "--amount",
            type=AMOUNT,
            required=required,
            help="The excess distributed (without its earnings): deferrals, or the after-tax contributions returned.",
        )(f)
        f = click.option("--tax-year", type=YEAR, required=required, help="The year of the excess.")(f)
        f = click.option(
            "--kind", type=click.Choice(["excess-deferral", "excess-annual-addition"]), required=required
        )(f)
        return click.option(
            "--date",
            "on",
            type=DATE,
            required=required,
            help="Date the plan paid the corrective distribution.",
        )(f)

    return deco


@correction.command("add")
@plan_option(help="The plan that paid it (see `megaroth plan list`).")
@correction_options(required=True)
@format_option
@click.pass_context
def correction_add(ctx, plan_name, person_name, on, kind, tax_year, amount, earnings, source, fmt) -> None:
    """Record a corrective distribution: a 402(g) excess deferral paid out by April 15 of the next year
    (1099-R codes P and 8 on separate forms; settles the EXCESS_DEFERRAL warning), or after-tax
    contributions returned with their earnings to correct a 415(c) excess under EPCRS (a code-E
    1099-R: box 2a the earnings, box 5 the contributions; the after-tax basis falls by exactly the
    contributions; they no longer count as annual additions; Form 1040 is not derived for that year).

    Example: megaroth correction add --plan acme-401k --date 2026-03-20 --kind excess-deferral --tax-year 2025 --amount 1500 --earnings 42.10
    """
    from ..services import plan_corrections as svc

    with write_session(ctx) as session:
        res = svc.correction_add(
            session, plan_name, on, kind, tax_year, amount, earnings, source, person=person_name
        )
    if fmt == "json":
        emit(res, fmt)
        return
    if kind == "excess-annual-addition":
        out(
            f"recorded correction #{res['id']}: {plan_name} {on.isoformat()} {kind} for {tax_year}: "
            f"{amount:,.2f} of after-tax contributions + {res['earnings']:,.2f} earnings returned "
            f"({res['corrected']:,.2f} of the {res['annual_additions_excess'] + res['corrected'] - amount:,.2f} "
            f"415(c) excess at {res['employer']} corrected; 1099-R code E)"
        )
        return
    out(
        f"recorded correction #{res['id']}: {plan_name} {on.isoformat()} {kind} for {tax_year}: "
        f"{amount:,.2f} + {res['earnings']:,.2f} earnings ({res['corrected']:,.2f} of the "
        f"{res['excess_deferrals']:,.2f} excess corrected)"
    )


@correction.command("list")
@click.option("--person", "person_name", required=True)
@format_option
@click.pass_context
def correction_list(ctx, person_name, fmt) -> None:
    """Corrective distributions recorded for a person's plans.

    Example: megaroth correction list --person ann
    """
    from ..reports.output import Column, Table
    from ..services import plan_corrections as svc

    with ledger_session(ctx) as session:
        rows = svc.correction_list(session, person_name)
    cols = [
        Column("id", "#"),
        Column("plan", "Plan"),
        Column("date", "Date"),
        Column("kind", "Kind"),
        Column("tax_year", "For"),
        Column("source", "Source"),
        Column("amount", "Amount", True),
        Column("earnings", "Earnings", True),
    ]
    emit({"person": person_name, "corrections": rows}, fmt, Table(f"Corrections, {person_name}", cols, rows))


@correction.command("edit")
@click.argument("correction_id", metavar="ID", type=int)
@correction_options(required=False)
@format_option
@click.pass_context
def correction_edit(ctx, correction_id, on, kind, tax_year, amount, earnings, source, fmt) -> None:
    """Correct a corrective distribution (see `correction list` for ids; same checks as `correction
    add`); the money it took out of the plan follows.

    Example: megaroth correction edit 1 --earnings 40.25
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_correction(
            session,
            correction_id,
            on=on,
            kind=kind,
            tax_year=tax_year,
            amount=amount,
            earnings=earnings,
            source=source,
        )
    report_edit(res, fmt)


rm_command(
    correction,
    "Remove a corrective distribution and the withdrawal it took out of the plan.\n\n"
    "Example: megaroth correction rm 1",
    "remove_correction",
)

COMMANDS = [correction]
