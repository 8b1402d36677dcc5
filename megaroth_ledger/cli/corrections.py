"""Corrections (issue 9): ``edit``/``rm``/``list`` for every kind of record a user can add.

The commands join the groups that add the records (``contribution``, ``earnings``,
``balance``, ``wages``, ``basis``, ``reconcile``, ``ira``, ``person``, ``plan``), plus a
``conversion`` group for what ``convert`` records. Edits take the add command's options;
an option not given keeps its value, a ``--no-...`` form clears an optional one. Every
edit and removal is in ``megaroth log`` with the values before and after.
"""

from __future__ import annotations

import click

from .common import AMOUNT, DATE, YEAR, emit, format_option, read_session, write_session
from .forms import reconcile
from .ledger import contribution, person, plan, wages
from .ledger_ops import SOURCE_CHOICE, balance, basis, earnings, ira, ira_value

reason_option = click.option("--reason", help="Why (kept in the change log).")


def _unset():
    from ..services.corrections import UNSET

    return UNSET


def _opt(value, clear: bool):
    """An optional value's new setting: the value, None (``--no-X``) or UNSET (not given)."""
    if clear and value is not None:
        raise click.UsageError("give a value or its --no- form, not both")
    if clear:
        return None
    return _unset() if value is None else value


def _report_edit(res: dict, fmt: str) -> None:
    from ..reports.output import Column, Table
    from ..services.changelog import describe

    before, after = res.get("before") or {}, res.get("after") or {}
    rows = [
        {"field": k, "before": before.get(k), "after": v}
        for k, v in after.items()
        if before.get(k) != v and k not in ("recorded_at",)
    ]
    title = f"edited {res['record']} #{res['id']}" + ("" if rows else ": nothing changed")
    emit(
        res,
        fmt,
        [
            Table(
                title,
                [Column("field", "Field"), Column("before", "Before"), Column("after", "After")],
                rows,
                footer=[describe(after)] if fmt == "table" else [],
            )
        ],
    )


def _report_rm(res: dict, fmt: str) -> None:
    from ..services.changelog import describe

    if fmt == "json":
        emit(res, fmt)
        return
    click.echo(f"removed {res['record']} #{res['id']}: {describe(res['before'])}")
    if res.get("remembered"):
        click.echo("it was imported: importing its file again will not bring it back (see `megaroth log`)")


# ------------------------------------------------------------------------------- contributions
@contribution.command("edit")
@click.argument("entry_id", metavar="ID", type=int)
@click.option("--date", "on", type=DATE, help="Pay date, YYYY-MM-DD.")
@click.option("--amount", type=AMOUNT)
@click.option("--source", type=click.Choice(["pretax", "roth", "aftertax", "match", "nonelective"]))
@click.option("--tax-year", type=YEAR, help="Year the contribution counts toward.")
@click.option("--memo")
@click.option("--no-memo", is_flag=True, help="Clear the memo.")
@format_option
@click.pass_context
def contribution_edit(ctx, entry_id, on, amount, source, tax_year, memo, no_memo, fmt) -> None:
    """Correct a contribution (see `contribution list` for ids); options not given keep their value.

    Example: megaroth contribution edit 12 --amount 930.85
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_entry(
            session,
            "contribution",
            entry_id,
            on=on,
            amount=amount,
            source=source,
            tax_year=tax_year,
            memo=_opt(memo, no_memo),
        )
    _report_edit(res, fmt)


@contribution.command("rm")
@click.argument("entry_id", metavar="ID", type=int)
@reason_option
@format_option
@click.pass_context
def contribution_rm(ctx, entry_id, reason, fmt) -> None:
    """Remove a contribution (an imported one stays removed when its file is imported again).

    Example: megaroth contribution rm 12 --reason "typo: entered twice"
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.remove_entry(session, "contribution", entry_id, reason)
    _report_rm(res, fmt)


# ------------------------------------------------------------------------------- earnings
@earnings.command("list")
@click.option("--person", "person_name", help="Only this person's plans.")
@click.option("--plan", "plan_name", help="Only this plan.")
@click.option("--year", type=YEAR, help="Only this year.")
@format_option
@click.pass_context
def earnings_list(ctx, person_name, plan_name, year, fmt) -> None:
    """List gains, losses, dividends and fees, oldest first, with their ids.

    Example: megaroth earnings list --plan acme-401k --format json
    """
    from ..reports.output import Column, Table
    from ..services import corrections as svc

    with read_session(ctx) as session:
        rows = svc.list_earnings(session, person_name, plan_name, year)
    cols = [
        Column("id", "#"),
        Column("date", "Date"),
        Column("plan", "Plan"),
        Column("type", "Type"),
        Column("source", "Source"),
        Column("amount", "Amount", True),
        Column("memo", "Memo"),
        Column("origin", "Origin"),
    ]
    emit({"earnings": rows}, fmt, Table("Earnings", cols, rows))


@earnings.command("edit")
@click.argument("entry_id", metavar="ID", type=int)
@click.option("--date", "on", type=DATE)
@click.option("--source", type=SOURCE_CHOICE)
@click.option("--amount", type=AMOUNT, help="Gain (positive) or loss (negative).")
@click.option("--memo")
@click.option("--no-memo", is_flag=True, help="Clear the memo.")
@format_option
@click.pass_context
def earnings_edit(ctx, entry_id, on, source, amount, memo, no_memo, fmt) -> None:
    """Correct a gain or loss (see `earnings list` for ids).

    Example: megaroth earnings edit 7 --amount -120.05
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_entry(
            session, "earnings", entry_id, on=on, amount=amount, source=source, memo=_opt(memo, no_memo)
        )
    _report_edit(res, fmt)


@earnings.command("rm")
@click.argument("entry_id", metavar="ID", type=int)
@reason_option
@format_option
@click.pass_context
def earnings_rm(ctx, entry_id, reason, fmt) -> None:
    """Remove a gain or loss.

    Example: megaroth earnings rm 7
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.remove_entry(session, "earnings", entry_id, reason)
    _report_rm(res, fmt)


# ------------------------------------------------------------------------------- balance assertions
@balance.command("list")
@click.option("--person", "person_name", help="Only this person's plans.")
@click.option("--plan", "plan_name", help="Only this plan.")
@format_option
@click.pass_context
def balance_list(ctx, person_name, plan_name, fmt) -> None:
    """List balance assertions with the difference each one recorded as earnings.

    Example: megaroth balance list --plan acme-401k
    """
    from ..reports.output import Column, Table
    from ..services import corrections as svc

    with read_session(ctx) as session:
        rows = svc.list_balances(session, person_name, plan_name)
    cols = [
        Column("id", "#"),
        Column("date", "Date"),
        Column("plan", "Plan"),
        Column("source", "Source"),
        Column("statement", "Statement", True),
        Column("ledger", "Ledger", True),
        Column("difference", "Recorded as earnings", True),
        Column("import_id", "Import"),
    ]
    emit({"balances": rows}, fmt, Table("Balance assertions", cols, rows))


@balance.command("edit")
@click.argument("assertion_id", metavar="ID", type=int)
@click.option("--date", "on", type=DATE)
@click.option("--source", type=SOURCE_CHOICE)
@click.option("--amount", type=AMOUNT, help="The statement balance of the sub-account.")
@format_option
@click.pass_context
def balance_edit(ctx, assertion_id, on, source, amount, fmt) -> None:
    """Correct a balance assertion; its difference entry is figured again.

    Example: megaroth balance edit 3 --amount 20550
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_balance(session, assertion_id, on=on, source=source, amount=amount)
    _report_edit(res, fmt)


@balance.command("rm")
@click.argument("assertion_id", metavar="ID", type=int)
@reason_option
@format_option
@click.pass_context
def balance_rm(ctx, assertion_id, reason, fmt) -> None:
    """Remove a balance assertion and the difference it recorded as earnings.

    Example: megaroth balance rm 3
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.remove_balance(session, assertion_id, reason)
    _report_rm(res, fmt)


# ------------------------------------------------------------------------------- conversions
@click.group("conversion")
def conversion() -> None:
    """Conversions recorded with `convert` or imported: list (basis, earnings and taxable part
    figured from the ledger now), edit, rm."""


@conversion.command("list")
@click.option("--person", "person_name", help="Only this person's plans.")
@click.option("--plan", "plan_name", help="Only this plan.")
@click.option("--year", type=YEAR, help="Only this tax year.")
@format_option
@click.pass_context
def conversion_list(ctx, person_name, plan_name, year, fmt) -> None:
    """List plan conversions with their ids, basis, earnings and taxable part.

    Example: megaroth conversion list --person ann --year 2025 --format json
    """
    from ..reports.output import Column, Table
    from ..services import corrections as svc

    with read_session(ctx) as session:
        rows = svc.list_conversions(session, person_name, plan_name, year)
    cols = [
        Column("id", "#"),
        Column("date", "Date"),
        Column("plan", "Plan"),
        Column("route", "Route"),
        Column("gross", "Gross", True),
        Column("basis", "Basis", True),
        Column("earnings", "Earnings", True),
        Column("taxable", "Taxable", True),
        Column("import_id", "Import"),
        Column("memo", "Memo"),
    ]
    emit({"conversions": rows}, fmt, Table("Conversions", cols, rows))


@conversion.command("edit")
@click.argument("conversion_id", metavar="ID", type=int)
@click.option("--date", "on", type=DATE)
@click.option("--amount", type=AMOUNT, help="Amount taken out of the after-tax sub-account.")
@click.option("--to", "to", type=click.Choice(["in-plan", "roth-ira"]))
@click.option("--earnings-to", type=click.Choice(["traditional-ira"]), help="Notice 2014-54 split.")
@click.option("--no-earnings-to", is_flag=True, help="No longer a Notice 2014-54 split.")
@click.option("--basis", type=AMOUNT, help="Basis stated on the plan's confirmation.")
@click.option("--no-basis", is_flag=True, help="Drop the --basis override: basis pro rata again.")
@click.option("--memo")
@click.option("--no-memo", is_flag=True, help="Clear the memo.")
@format_option
@click.pass_context
def conversion_edit(
    ctx, conversion_id, on, amount, to, earnings_to, no_earnings_to, basis, no_basis, memo, no_memo, fmt
) -> None:
    """Correct a conversion (same checks as `convert`); an imported one takes --basis and --memo only.

    Example: megaroth conversion edit 2 --amount 20500 --basis 20000
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_conversion(
            session,
            conversion_id,
            on=on,
            amount=amount,
            to=to,
            earnings_to=_opt(earnings_to, no_earnings_to),
            basis=_opt(basis, no_basis),
            memo=_opt(memo, no_memo),
        )
    _report_edit(res, fmt)


@conversion.command("rm")
@click.argument("conversion_id", metavar="ID", type=int)
@reason_option
@format_option
@click.pass_context
def conversion_rm(ctx, conversion_id, reason, fmt) -> None:
    """Remove a conversion with its plan-side legs and IRA-side rollovers.

    Example: megaroth conversion rm 2
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.remove_conversion(session, conversion_id, reason)
    _report_rm(res, fmt)


# ------------------------------------------------------------------------------- IRA events and values
@ira.group("event")
def ira_event() -> None:
    """IRA contributions, conversions and distributions: list, edit, rm."""


@ira_event.command("list")
@click.option("--person", "person_name", required=True)
@click.option("--year", type=YEAR, help="Only this tax year.")
@format_option
@click.pass_context
def ira_event_list(ctx, person_name, year, fmt) -> None:
    """List IRA events with their ids (rollovers in from a plan are part of their conversion).

    Example: megaroth ira event list --person ann --format json
    """
    from ..reports.output import Column, Table
    from ..services import corrections as svc

    with read_session(ctx) as session:
        rows = svc.list_ira_events(session, person_name, year)
    cols = [
        Column("id", "#"),
        Column("date", "Date"),
        Column("tax_year", "Tax year"),
        Column("kind", "Kind"),
        Column("account", "Account"),
        Column("amount", "Amount", True),
        Column("nondeductible", "Nondeductible", True),
        Column("exception", "Exception"),
    ]
    emit({"ira_events": rows}, fmt, Table(f"IRA events, {person_name}", cols, rows))


@ira_event.command("edit")
@click.argument("event_id", metavar="ID", type=int)
@click.option("--date", "on", type=DATE)
@click.option("--account", type=click.Choice(["traditional", "roth"]))
@click.option("--amount", type=AMOUNT)
@click.option("--tax-year", type=YEAR, help="Year a contribution is for.")
@click.option("--nondeductible", type=AMOUNT, help="Nondeductible part of a traditional contribution.")
@click.option("--no-nondeductible", is_flag=True, help="Clear the nondeductible part.")
@click.option("--exception", help="A 72(t) exception of a distribution.")
@click.option("--no-exception", is_flag=True, help="Clear the exception.")
@format_option
@click.pass_context
def ira_event_edit(
    ctx,
    event_id,
    on,
    account,
    amount,
    tax_year,
    nondeductible,
    no_nondeductible,
    exception,
    no_exception,
    fmt,
) -> None:
    """Correct an IRA contribution, conversion or distribution.

    Example: megaroth ira event edit 4 --amount 7000 --nondeductible 7000
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_ira_event(
            session,
            event_id,
            on=on,
            amount=amount,
            account=account,
            tax_year=tax_year,
            nondeductible=_opt(nondeductible, no_nondeductible),
            exception=_opt(exception, no_exception),
        )
    _report_edit(res, fmt)


@ira_event.command("rm")
@click.argument("event_id", metavar="ID", type=int)
@reason_option
@format_option
@click.pass_context
def ira_event_rm(ctx, event_id, reason, fmt) -> None:
    """Remove an IRA contribution, conversion or distribution.

    Example: megaroth ira event rm 4
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.remove_ira_event(session, event_id, reason)
    _report_rm(res, fmt)


class DefaultGroup(click.Group):
    """A group whose first argument, when not a subcommand, goes to its ``set`` command, so
    ``ira value --person P --year Y --amount A`` keeps working beside ``ira value list``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["set", *args]
        return super().parse_args(ctx, args)


ira.commands.pop("value", None)


@ira.group("value", cls=DefaultGroup)
def ira_value_group() -> None:
    """December 31 value of all traditional/SEP/SIMPLE IRAs (+ outstanding rollovers): Form 8606 line 6.

    \b
    megaroth ira value --person P --year Y --amount A   (record; same as `ira value set`)
    megaroth ira value list --person P
    megaroth ira value edit ID [--year Y] [--amount A]
    megaroth ira value rm ID

    Example: megaroth ira value --person ann --year 2025 --amount 0
    """


ira_value_group.add_command(ira_value, "set")


@ira_value_group.command("list")
@click.option("--person", "person_name", required=True)
@format_option
@click.pass_context
def ira_value_list(ctx, person_name, fmt) -> None:
    """List the recorded December 31 values with their ids.

    Example: megaroth ira value list --person ann
    """
    from ..reports.output import Column, Table
    from ..services import corrections as svc

    with read_session(ctx) as session:
        rows = svc.list_ira_values(session, person_name)
    emit(
        {"ira_values": rows},
        fmt,
        Table(
            f"December 31 traditional IRA values, {person_name}",
            [Column("id", "#"), Column("year", "Year"), Column("amount", "Value", True)],
            rows,
        ),
    )


@ira_value_group.command("edit")
@click.argument("value_id", metavar="ID", type=int)
@click.option("--year", type=YEAR)
@click.option("--amount", type=AMOUNT)
@format_option
@click.pass_context
def ira_value_edit(ctx, value_id, year, amount, fmt) -> None:
    """Correct a December 31 value.

    Example: megaroth ira value edit 1 --amount 512.33
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_ira_value(session, value_id, year=year, amount=amount)
    _report_edit(res, fmt)


@ira_value_group.command("rm")
@click.argument("value_id", metavar="ID", type=int)
@reason_option
@format_option
@click.pass_context
def ira_value_rm(ctx, value_id, reason, fmt) -> None:
    """Remove a December 31 value.

    Example: megaroth ira value rm 1
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.remove_ira_value(session, value_id, reason)
    _report_rm(res, fmt)


# ------------------------------------------------------------------------------- wages
@wages.command("edit")
@click.argument("wages_id", metavar="ID", type=int)
@click.option("--year", type=YEAR)
@click.option("--compensation", type=AMOUNT, help="415(c)(3) compensation for the year.")
@click.option("--no-compensation", is_flag=True, help="Clear the compensation.")
@click.option("--fica-wages", type=AMOUNT, help="Prior-year Social Security wages (W-2 box 3).")
@click.option("--no-fica-wages", is_flag=True, help="Clear the prior-year FICA wages.")
@format_option
@click.pass_context
def wages_edit(ctx, wages_id, year, compensation, no_compensation, fica_wages, no_fica_wages, fmt) -> None:
    """Correct a wages record (see `wages list` for ids).

    Example: megaroth wages edit 1 --compensation 205000
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_wages(
            session,
            wages_id,
            year=year,
            compensation=_opt(compensation, no_compensation),
            fica_wages=_opt(fica_wages, no_fica_wages),
        )
    _report_edit(res, fmt)


@wages.command("rm")
@click.argument("wages_id", metavar="ID", type=int)
@reason_option
@format_option
@click.pass_context
def wages_rm(ctx, wages_id, reason, fmt) -> None:
    """Remove a wages record.

    Example: megaroth wages rm 1
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.remove_wages(session, wages_id, reason)
    _report_rm(res, fmt)


# ------------------------------------------------------------------------------- carried-forward basis
@basis.command("list")
@click.option("--person", "person_name", required=True)
@format_option
@click.pass_context
def basis_list(ctx, person_name, fmt) -> None:
    """List carried-forward basis records with their ids.

    Example: megaroth basis list --person ann --format json
    """
    from ..reports.output import Column, Table
    from ..services import corrections as svc

    with read_session(ctx) as session:
        rows = svc.list_basis(session, person_name)
    view = [
        {**r, "conversions": ", ".join(f"{c['year']}:{c['gross']}:{c['taxable']}" for c in r["conversions"])}
        for r in rows
    ]
    emit(
        {"basis": rows},
        fmt,
        Table(
            f"Carried-forward basis, {person_name}",
            [
                Column("id", "#"),
                Column("year", "End of year"),
                Column("traditional", "Traditional (8606 line 14)", True),
                Column("roth_contributions", "Roth contributions", True),
                Column("conversions", "Conversion layers YEAR:GROSS:TAXABLE"),
            ],
            view,
        ),
    )


@basis.command("edit")
@click.argument("basis_id", metavar="ID", type=int)
@click.option("--year", type=YEAR, help="The last year these figures cover.")
@click.option("--traditional", type=AMOUNT, help="Traditional IRA basis: that year's Form 8606 line 14.")
@click.option("--no-traditional", is_flag=True, help="Clear the traditional basis.")
@click.option("--roth-contributions", type=AMOUNT, help="Roth IRA regular-contribution basis (line 22).")
@click.option("--no-roth-contributions", is_flag=True, help="Clear the Roth contribution basis.")
@click.option(
    "--conversion",
    "conversions",
    multiple=True,
    metavar="YEAR:GROSS:TAXABLE",
    help="Replace the conversion layers with these; repeat for each year.",
)
@click.option("--no-conversion", "no_conversions", is_flag=True, help="Remove every conversion layer.")
@format_option
@click.pass_context
def basis_edit(
    ctx,
    basis_id,
    year,
    traditional,
    no_traditional,
    roth_contributions,
    no_roth_contributions,
    conversions,
    no_conversions,
    fmt,
) -> None:
    """Correct carried-forward basis.

    Example: megaroth basis edit 1 --traditional 2500
    """
    from ..services import corrections as svc

    if conversions and no_conversions:
        raise click.UsageError("give --conversion or --no-conversion, not both")
    with write_session(ctx) as session:
        res = svc.edit_basis(
            session,
            basis_id,
            year=year,
            traditional=_opt(traditional, no_traditional),
            roth_contributions=_opt(roth_contributions, no_roth_contributions),
            layers=list(conversions),
            no_conversions=no_conversions,
        )
    _report_edit(res, fmt)


@basis.command("rm")
@click.argument("basis_id", metavar="ID", type=int)
@reason_option
@format_option
@click.pass_context
def basis_rm(ctx, basis_id, reason, fmt) -> None:
    """Remove a carried-forward basis record.

    Example: megaroth basis rm 1
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.remove_basis(session, basis_id, reason)
    _report_rm(res, fmt)


# ------------------------------------------------------------------------------- received 1099-Rs
@reconcile.command("list")
@click.option("--person", "person_name", help="Only this person's plans.")
@click.option("--plan", "plan_name", help="Only this plan.")
@click.option("--year", type=YEAR)
@format_option
@click.pass_context
def reconcile_list(ctx, person_name, plan_name, year, fmt) -> None:
    """List the 1099-Rs you entered with `reconcile 1099-r`, with their ids.

    Example: megaroth reconcile list --person ann --format json
    """
    from ..reports.output import Column, Table
    from ..services import corrections as svc

    with read_session(ctx) as session:
        rows = svc.list_received(session, person_name, plan_name, year)
    cols = [
        Column("id", "#"),
        Column("plan", "Plan"),
        Column("year", "Year"),
        Column("box1", "Box 1", True),
        Column("box2a", "Box 2a", True),
        Column("box4", "Box 4", True),
        Column("box5", "Box 5", True),
        Column("box10", "Box 10", True),
        Column("box7", "Box 7"),
        Column("box11", "Box 11"),
    ]
    emit({"received_1099r": rows}, fmt, Table("Received 1099-Rs", cols, rows))


def _box_options(f):
    for box in ("box11", "box10", "box5", "box4", "box2a", "box1"):
        f = click.option(f"--no-{box}", f"no_{box}", is_flag=True, help=f"Clear {box}.")(f)
        f = click.option(f"--{box}", type=YEAR if box == "box11" else AMOUNT)(f)
    f = click.option("--no-code", "no_box7", is_flag=True, help="Clear box 7.")(f)
    f = click.option("--code", "box7", help="Box 7 distribution code(s), e.g. G.")(f)
    return f


@reconcile.command("edit")
@click.argument("received_id", metavar="ID", type=int)
@click.option("--year", type=YEAR)
@_box_options
@format_option
@click.pass_context
def reconcile_edit(ctx, received_id, year, fmt, **boxes) -> None:
    """Correct a received 1099-R (run `reconcile 1099-r` again to compare it).

    Example: megaroth reconcile edit 1 --box2a 500
    """
    from ..services import corrections as svc

    unset = _unset()
    changes: dict = {}
    for box in ("box1", "box2a", "box4", "box5", "box10", "box11", "box7"):
        value = boxes[box]
        if box == "box7" and value:
            value = value.strip().upper()
        v = _opt(value, boxes[f"no_{box}"])
        if v is not unset:
            changes[box] = v
    if year is not None:
        changes["year"] = year
    with write_session(ctx) as session:
        res = svc.edit_received(session, received_id, changes)
    if fmt == "json":
        emit(res, fmt)
    else:
        click.echo(
            f"edited received 1099-R #{received_id}; compare it again with "
            f"`megaroth reconcile 1099-r --plan {res['after']['plan']} --year {res['after']['year']} ...`"
        )


@reconcile.command("rm")
@click.argument("received_id", metavar="ID", type=int)
@reason_option
@format_option
@click.pass_context
def reconcile_rm(ctx, received_id, reason, fmt) -> None:
    """Remove a received 1099-R.

    Example: megaroth reconcile rm 1
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.remove_received(session, received_id, reason)
    _report_rm(res, fmt)


# ------------------------------------------------------------------------------- people and plans
@person.command("edit")
@click.argument("name")
@click.option("--born", type=DATE, help="Birth date, YYYY-MM-DD.")
@click.option("--name", "new_name", help="A new name.")
@format_option
@click.pass_context
def person_edit(ctx, name, born, new_name, fmt) -> None:
    """Correct a person's birth date or name.

    Example: megaroth person edit ann --born 1985-04-20
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_person(session, name, born=born, new_name=new_name)
    _report_edit(res, fmt)


@plan.command("edit")
@click.argument("name")
@click.option(
    "--person",
    "person_name",
    metavar="P",
    help="Whose plan (needed when two people have a plan of that name).",
)
@click.option("--employer", help="Sponsoring employer; plans of one employer share a 415(c) limit.")
@click.option("--kind", type=click.Choice(["401k", "403b", "457b"]))
@click.option(
    "--after-tax/--no-after-tax", default=None, help="The plan accepts after-tax (non-Roth) contributions."
)
@click.option(
    "--in-plan-conversion/--no-in-plan-conversion",
    default=None,
    help="The plan allows in-plan Roth rollovers (IRR).",
)
@click.option(
    "--in-service-withdrawal/--no-in-service-withdrawal",
    default=None,
    help="The plan allows in-service withdrawals of after-tax money.",
)
@click.option(
    "--first-roth-year", type=YEAR, help="First year of designated Roth contributions (1099-R box 11)."
)
@click.option("--no-first-roth-year", is_flag=True, help="Clear the first Roth year.")
@format_option
@click.pass_context
def plan_edit(
    ctx,
    name,
    person_name,
    employer,
    kind,
    after_tax,
    in_plan_conversion,
    in_service_withdrawal,
    first_roth_year,
    no_first_roth_year,
    fmt,
) -> None:
    """Change a plan's employer or features (every `plan add` feature has a --no- form).

    Example: megaroth plan edit acme-401k --after-tax --in-plan-conversion
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_plan(
            session,
            name,
            person=person_name,
            employer=employer,
            kind=kind,
            after_tax=after_tax,
            in_plan_conversion=in_plan_conversion,
            in_service_withdrawal=in_service_withdrawal,
            first_roth_year=_opt(first_roth_year, no_first_roth_year),
        )
    _report_edit(res, fmt)  # with its warnings


COMMANDS = [conversion]
