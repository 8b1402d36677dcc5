"""Ledger entry commands: people, plans, wages, paycheck contributions."""

from __future__ import annotations

import click

from .common import (
    AMOUNT,
    DATE,
    YEAR,
    emit,
    fast,
    filter_options,
    format_option,
    plan_option,
    progress,
    read_session,
    shell_quote,
    write_session,
)


@click.group("person")
def person() -> None:
    """People whose money the ledger tracks: add, list, edit."""


@person.command("add")
@click.argument("name")
@click.option("--born", type=DATE, required=True, help="Birth date, YYYY-MM-DD (catch-up and 59½ tests).")
@click.pass_context
def person_add(ctx, name: str, born) -> None:
    """Add a person.

    Example: megaroth person add ann --born 1985-04-02
    """
    from ..services import fast as fast_svc
    from ..store.lite import FULL

    if fast(ctx, lambda db: fast_svc.add_person(db, name, born), write=True) is FULL:
        from ..services import ledger as svc

        with write_session(ctx) as session:
            svc.add_person(session, name, born)
    click.echo(f"added person {name} (born {born.isoformat()})")
    click.echo(
        f"next: megaroth plan add NAME --person {shell_quote(name.strip())} --employer EMPLOYER --after-tax"
    )


@person.command("list")
@click.option(
    "--year", type=YEAR, help="Add each person's headline figures for this tax year (as `report year`)."
)
@format_option
@click.pass_context
def person_list(ctx, year, fmt: str) -> None:
    """List people: their plans and ledger rows; with --year the year's elective deferrals,
    after-tax in, converted, taxable, warnings, and the checks of `megaroth check --person P
    --year Y` that fail or warn (JSON: failing_checks, check_warnings).

    Example: megaroth person list --year 2025 --format json
    """
    from ..reports.output import Column, Table
    from ..services import fast as fast_svc
    from ..store.lite import FULL

    rows = fast(ctx, fast_svc.overview) if year is None else FULL
    if rows is FULL:
        from ..services import preparer

        with read_session(ctx) as session:
            if year is None:
                rows = preparer.overview(session)
            else:
                with progress(len(preparer.people(session)), "summarising") as step:
                    rows = preparer.overview(session, year, step)
    cols = [Column("name", "Name"), Column("born", "Born"), Column("plans", "Plans"), Column("rows", "Rows")]
    if year is not None:
        cols += [
            Column("elective_deferrals", "Deferrals", True),
            Column("after_tax_in", "After-tax in", True),
            Column("converted", "Converted", True),
            Column("taxable", "Taxable", True),
            Column("warnings", "Warnings"),
            Column("checks", "Checks failing / warning"),
        ]
    view = [
        {
            **r,
            "plans": ", ".join(r["plans"]),  # the table's text; JSON keeps the lists
            "warnings": "; ".join([w["code"] for w in r.get("warnings", [])] + r.get("not_available", [])),
            "checks": "; ".join(
                [f"FAIL {c['name']}" for c in r.get("failing_checks", [])]
                + [f"warn {c['name']}" for c in r.get("check_warnings", [])]
            ),
        }
        for r in rows
    ]
    title = "People" if year is None else f"People, {year}"
    emit({"people": rows} if year is None else {"year": year, "people": rows}, fmt, Table(title, cols, view))


@click.group("plan")
def plan() -> None:
    """Workplace plans (401(k), 403(b), 457(b)) and their features: add, list, edit."""


PLAN_FEATURES = (
    ("after-tax", "The plan accepts after-tax (non-Roth) contributions."),
    ("in-plan-conversion", "The plan allows in-plan Roth rollovers (IRR)."),
    ("in-service-withdrawal", "The plan allows in-service withdrawals of after-tax money."),
)


def plan_options(edit: bool):
    """A plan's employer, kind and features, as ``plan add`` takes them and (``edit``) as ``plan
    edit`` does: each optional, a feature with its ``--no-`` form."""

    def deco(f):
        f = click.option(
            "--first-roth-year",
            type=YEAR,
            help="First year of designated Roth contributions (1099-R box 11).",
        )(f)
        for name, help in reversed(PLAN_FEATURES):
            flag = f"--{name}/--no-{name}" if edit else f"--{name}"
            f = (
                click.option(flag, default=None, help=help)(f)
                if edit
                else click.option(flag, is_flag=True, help=help)(f)
            )
        kind = {} if edit else {"default": "401k", "show_default": True}
        f = click.option("--kind", type=click.Choice(["401k", "403b", "457b"]), **kind)(f)
        return click.option(
            "--employer",
            required=not edit,
            help="Sponsoring employer; plans of one employer share a 415(c) limit.",
        )(f)

    return deco


@plan.command("add")
@click.argument("name")
@click.option("--person", "person_name", required=True, help="Participant (see `megaroth person list`).")
@plan_options(edit=False)
@click.pass_context
def plan_add(
    ctx,
    name,
    person_name,
    employer,
    kind,
    after_tax,
    in_plan_conversion,
    in_service_withdrawal,
    first_roth_year,
) -> None:
    """Add a plan for a person.

    Example: megaroth plan add acme-401k --person ann --employer "Acme Corp" --after-tax --in-plan-conversion
    """
    from ..services import ledger as svc

    with write_session(ctx) as session:
        svc.add_plan(
            session,
            name=name,
            person=person_name,
            employer=employer,
            kind=kind,
            after_tax=after_tax,
            in_plan_conversion=in_plan_conversion,
            in_service_withdrawal=in_service_withdrawal,
            first_roth_year=first_roth_year,
        )
    click.echo(f"added plan {name} ({kind}, {employer}) for {person_name}")
    click.echo(
        f"next: megaroth contribution add --plan {shell_quote(name)} --date YYYY-MM-DD --source pretax "
        "--amount N"
    )


@plan.command("list")
@click.option("--person", "person_name", help="Only this person's plans.")
@format_option
@click.pass_context
def plan_list(ctx, person_name, fmt: str) -> None:
    """List plans and their features.

    Example: megaroth plan list --person ann
    """
    from ..reports.output import Column, Table
    from ..services import ledger as svc

    with read_session(ctx) as session:
        rows = svc.list_plans(session, person_name)
    cols = [
        Column("name", "Plan"),
        Column("person", "Person"),
        Column("employer", "Employer"),
        Column("kind", "Kind"),
        Column("after_tax", "After-tax"),
        Column("in_plan_conversion", "In-plan conv."),
        Column("in_service_withdrawal", "In-service wd."),
        Column("first_roth_year", "First Roth year"),
    ]
    emit({"plans": rows}, fmt, Table("Plans", cols, rows))


@click.group("wages")
def wages() -> None:
    """Compensation and prior-year FICA wages per plan and year: set, list, edit, rm."""


@wages.command("set")
@plan_option()
@click.option("--year", type=YEAR, required=True)
@click.option(
    "--compensation",
    type=AMOUNT,
    help="415(c)(3) compensation from the employer for the year (caps annual additions at 100%).",
)
@click.option(
    "--fica-wages",
    type=AMOUNT,
    help="Prior-year Social Security wages (W-2 box 3) from this employer: the 414(v)(7) Roth catch-up test.",
)
@click.pass_context
def wages_set(ctx, plan_name, person_name, year, compensation, fica_wages) -> None:
    """Record wages for a plan-year (both figures optional; a given one replaces the old).

    Example: megaroth wages set --plan acme-401k --year 2025 --compensation 200000 --fica-wages 176100
    """
    from ..services import ledger as svc

    if compensation is None and fica_wages is None:
        raise click.UsageError("give --compensation and/or --fica-wages")
    with write_session(ctx) as session:
        svc.set_wages(session, plan_name, year, compensation, fica_wages, person_name)
    click.echo(f"wages for {plan_name} {year} recorded")


@wages.command("list")
@click.option("--person", "person_name", required=True)
@format_option
@click.pass_context
def wages_list(ctx, person_name, fmt) -> None:
    """List recorded wages.

    Example: megaroth wages list --person ann --format json
    """
    from ..reports.output import Column, Table
    from ..services import ledger as svc

    with read_session(ctx) as session:
        rows = svc.list_wages(session, person_name)
    cols = [
        Column("id", "#"),
        Column("plan", "Plan"),
        Column("year", "Year"),
        Column("compensation", "Compensation", True),
        Column("fica_wages", "Prior-year FICA wages", True),
    ]
    emit({"wages": rows}, fmt, Table("Wages", cols, rows))


@click.group("contribution")
def contribution() -> None:
    """Paycheck contributions by money source: add, list, edit, rm."""


def contribution_options(required: bool):
    """The fields of a contribution, as ``contribution add`` (``required``) and ``contribution
    edit`` (each optional: one not given keeps its value) take them."""

    def deco(f):
        f = click.option("--memo")(f)
        f = click.option(
            "--tax-year", type=YEAR, help="Year the contribution counts toward (when added: the date's year)."
        )(f)
        f = click.option("--amount", type=AMOUNT, required=required)(f)
        f = click.option(
            "--source",
            type=click.Choice(["pretax", "roth", "aftertax", "match", "nonelective"]),
            required=required,
        )(f)
        return click.option("--date", "on", type=DATE, required=required, help="Pay date, YYYY-MM-DD.")(f)

    return deco


@contribution.command("add")
@plan_option()
@contribution_options(required=True)
@click.pass_context
def contribution_add(ctx, plan_name, person_name, on, source, amount, tax_year, memo) -> None:
    """Record one paycheck contribution.

    Example: megaroth contribution add --plan acme-401k --date 2025-01-15 --source pretax --amount 903.85
    """
    from ..services import fast as fast_svc
    from ..store.lite import FULL

    entry_id = fast(
        ctx,
        lambda db: fast_svc.add_contribution(db, plan_name, on, source, amount, tax_year, memo, person_name),
        write=True,
    )
    if entry_id is FULL:
        from ..services import ledger as svc

        with write_session(ctx) as session:
            entry_id = svc.add_contribution(
                session, plan_name, on, source, amount, tax_year, memo, person_name
            )
    click.echo(f"recorded contribution #{entry_id}: {plan_name} {on.isoformat()} {source} {amount:,.2f}")


@contribution.command("list")
@filter_options
@format_option
@click.pass_context
def contribution_list(ctx, person_name, plan_name, year, fmt) -> None:
    """List contributions, oldest first, with totals by source.

    Example: megaroth contribution list --person ann --year 2025 --format json
    """
    from ..reports.output import Column, Table
    from ..services import fast as fast_svc
    from ..store.lite import FULL

    payload = fast(ctx, lambda db: fast_svc.list_contributions(db, person_name, plan_name, year))
    if payload is FULL:
        from ..services import ledger as svc

        with read_session(ctx) as session:
            payload = svc.list_contributions(session, person_name, plan_name, year)
    cols = [
        Column("id", "#"),
        Column("date", "Date"),
        Column("tax_year", "Tax year"),
        Column("plan", "Plan"),
        Column("source", "Source"),
        Column("amount", "Amount", True),
        Column("memo", "Memo"),
    ]
    totals = Table(
        "Totals by source",
        [Column("source", "Source"), Column("amount", "Amount", True)],
        [{"source": k, "amount": v} for k, v in payload["totals"].items()],
        section="totals",
    )
    emit(
        payload,
        fmt,
        [Table("Contributions", cols, payload["contributions"], section="contributions"), totals],
    )


COMMANDS = [person, plan, wages, contribution]
