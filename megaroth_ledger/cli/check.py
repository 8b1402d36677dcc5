"""``megaroth check`` (issue 9): named checks over the ledger, like hledger's ``check`` and
bean-check. Exit 0 when nothing fails, 1 when a check fails (a warning too with --strict)."""

from __future__ import annotations

import click

from .common import YEAR, ledger_session


@click.command("check")
@click.option("--person", "person_name", help="Only this person's plans and IRA (default: everyone).")
@click.option("--year", type=YEAR, help="Only records of this tax year (default: every year).")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format: a readable table, JSON or CSV.",
)
@click.pass_context
def check(ctx, person_name, year, strict, fmt) -> None:
    """Run the ledger's checks; exit 1 if any fails (warnings only with --strict).

    \b
    balances                every balance assertion holds, none out of proportion
    duplicate-statements    the same activity imported from more than one file
    aftertax-allowed        after-tax money in a plan without --after-tax
    employer-names          employer names differing only in case/spacing/punctuation
    ira-year-end-values     IRA conversion/distribution without a December 31 value
    traditional-ira-inflows pre-tax money into a traditional IRA (Form 8606 line 6)
    unconverted-aftertax    after-tax money (and its earnings) not yet converted
    compensation            after-tax money but no compensation (415(c)(1)(B))
    dates                   future dates, years the limits table does not cover
    limits                  excess deferrals, annual additions, IRA contributions
    sources                 rows whose money source is unknown

    Example: megaroth check --person ann --year 2025 --format json
    """
    from ..reports.output import Column, Table
    from ..services import check as svc
    from .common import emit

    with ledger_session(ctx) as session:
        checks = svc.run(session, person_name, year)
    bad = svc.failing(checks, strict)
    summary = (
        (f"{len(bad)} check(s) failed" + (" (warnings count: --strict)" if strict else ""))
        if bad
        else "all checks passed" + ("" if strict else " (warnings do not fail without --strict)")
    )
    rows = [{**c, "records": ", ".join(str(r) for r in c["records"])} for c in checks]
    emit(
        {"checks": checks},
        fmt,
        [
            Table(
                "megaroth check",
                [
                    Column("name", "Check"),
                    Column("status", "Status"),
                    Column("message", "Message"),
                    Column("records", "Records"),
                ],
                rows,
                footer=[summary],
            )
        ],
    )
    if bad:
        ctx.exit(1)


COMMANDS = [check]
