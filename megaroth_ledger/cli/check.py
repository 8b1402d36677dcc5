"""``megaroth check`` (issue 9): named checks over the ledger, like hledger's ``check`` and
bean-check. Exit 0 when nothing fails, 1 when a check fails (a warning too with --strict)."""

from __future__ import annotations

import click

from .common import YEAR, format_option, ledger_session, progress


@click.command("check")
@click.option("--person", "person_name", help="Only this person's plans and IRA (default: everyone).")
@click.option(
    "--all-people",
    is_flag=True,
    help="Check each person on their own: one table, a line per person with the checks that fail "
    "or warn; exit 1 if any person fails.",
)
@click.option("--year", type=YEAR, help="Only records of this tax year (default: every year).")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@format_option
@click.pass_context
def check(ctx, person_name, all_people, year, strict, fmt) -> None:
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
    opening-basis           an opening balance whose basis is unknown (basis set --plan)

    With --all-people: a line per person (JSON: {"year", "strict", "people": [{"person",
    "status", "passed", "failing", "warnings", "checks"}], "failed"}).

    Example: megaroth check --person ann --year 2025 --format json

    Example: megaroth check --all-people --year 2025
    """
    from ..reports.output import Column, Table
    from ..services import check as svc
    from .common import emit

    if all_people:
        if person_name is not None:
            raise click.UsageError("give --person NAME or --all-people, not both")
        return _check_all_people(ctx, year, strict, fmt)
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


def _check_all_people(ctx, year, strict: bool, fmt: str) -> None:
    from ..errors import UserError
    from ..reports.output import Column, Table
    from ..services import check as svc
    from ..services import preparer
    from .common import emit

    people = []
    with ledger_session(ctx) as session:
        names = [p.name for p in preparer.people(session)]
        if not names:
            raise UserError("the ledger has no people yet: nothing to check")
        with progress(len(names), "checking") as step:
            for name in names:
                people.append(svc.person_result(name, svc.run(session, name, year), strict))
                step(name)
    failed = [p for p in people if not p["passed"]]
    rows = [
        {
            "person": p["person"],
            "status": p["status"],
            "failing": ", ".join(c["name"] for c in p["failing"]),
            "warnings": ", ".join(c["name"] for c in p["warnings"]),
        }
        for p in people
    ]
    summary = (
        f"{len(failed)} of {len(people)} people failed"
        + (" (warnings count: --strict)" if strict else " (warnings do not fail without --strict)")
        if failed
        else f"all {len(people)} people passed"
        + ("" if strict else " (warnings do not fail without --strict)")
    )
    payload = {"year": year, "strict": strict, "people": people, "failed": len(failed)}
    title = "megaroth check, every person" + (f", {year}" if year is not None else "")
    cols = [
        Column("person", "Person"),
        Column("status", "Status"),
        Column("failing", "Failing checks"),
        Column("warnings", "Warnings"),
    ]
    csv_rows = [
        {"person": p["person"], "check": c["name"], "status": c["status"], "message": c["message"]}
        for p in people
        for c in p["checks"]
    ]
    csv_cols = [
        Column("person", "Person"),
        Column("check", "Check"),
        Column("status", "Status"),
        Column("message", "Message"),
    ]
    footer = [summary] + (["what fails and why: megaroth check --person NAME"] if failed else [])
    emit(payload, fmt, [Table(title, cols, rows, footer=footer)], csv=[Table(title, csv_cols, csv_rows)])
    if failed:
        ctx.exit(1)


COMMANDS = [check]
