"""Received tax documents (issue 12): ``reconcile w2``, ``reconcile 5498`` (each with ``list``,
``edit ID`` and ``rm ID``), ``reconcile status`` (added to the ``reconcile`` group of
:mod:`.forms`), and the ``reconcile 1099-r --from FILE`` helper :func:`reconcile_1099r_from` that
command calls.
"""

from __future__ import annotations

import click

from .common import (
    AMOUNT,
    YEAR,
    DefaultGroup,
    clearable,
    emit,
    format_option,
    ledger_session,
    opt_value,
    read_session,
    report_edit,
    rm_command,
    write_session,
)
from .forms import reconcile

DIFF_COLUMNS = (("box", "Box"), ("received", "Received"), ("derived", "Ledger"), ("difference", "Difference"))


def _diff_table(title: str, payload: dict):
    from ..reports.output import Column, Table

    return Table(title, [Column(k, h) for k, h in DIFF_COLUMNS], payload["diff"], footer=payload["notes"])


W2_BOXES = (
    ("box1", "Box 1: wages, tips, other compensation."),
    ("box3", "Box 3: social security wages (stored for next year's Roth catch-up test)."),
)
BOX12_HELP = (
    "A box 12 entry, e.g. D=23500 or AA=5000 (D/E/G pre-tax 401(k)/403(b)/457(b), AA/BB/EE Roth). Repeatable."
)
BOXES_5498 = (
    ("box1", "Box 1: IRA contributions (traditional)."),
    ("box2", "Box 2: rollover contributions."),
    ("box3", "Box 3: Roth IRA conversion amount."),
    ("box4", "Box 4: recharacterized contributions."),
    ("box5", "Box 5: fair market value of the account on December 31."),
    ("box10", "Box 10: Roth IRA contributions."),
)


def box_options(boxes, edit: bool):
    """A form's box options, as the command that records it takes them and (``edit``) as its
    edit command does, with a ``--no-BOX`` form that clears each."""

    def deco(f):
        for box, help in reversed(boxes):
            f = (clearable(box, help, AMOUNT) if edit else click.option(f"--{box}", type=AMOUNT, help=help))(
                f
            )
        return f

    return deco


def list_options(f):
    """``--person P [--year Y]`` of the received documents' list commands."""
    f = click.pass_context(f)
    f = format_option(f)
    f = click.option("--year", type=YEAR, help="Only this tax year.")(f)
    return click.option("--person", "person_name", required=True)(f)


def _show(payload: dict, title: str, ctx) -> None:
    status = "matches the ledger" if payload["match"] else "DIFFERS from the ledger"
    emit(payload, ctx.params["fmt"], [_diff_table(f"{title}: {status}", payload)])
    _exit_if_differs(payload, ctx)


def _show_edit(res: dict, ctx) -> None:
    """An edited document, compared again: exit 1 if it differs, as recording it does."""
    report_edit(res, ctx.params["fmt"])
    _exit_if_differs(res, ctx)


def _exit_if_differs(payload: dict, ctx) -> None:
    if not payload["match"]:
        ctx.exit(1)


@reconcile.group("w2", cls=DefaultGroup)
def reconcile_w2_group() -> None:
    """W-2s: record one and compare it with the ledger (exit 1 with a box-by-box diff if it
    disagrees), list, edit, rm.

    \b
    megaroth reconcile w2 --person P --employer E --year Y [--box1 A] [--box3 A] [--box12 CODE=A ...]
          (same as `reconcile w2 add`)
    megaroth reconcile w2 list --person P [--year Y]
    megaroth reconcile w2 edit ID [--box12 CODE=A] [--no-box12 CODE] [--box1 A] ...
    megaroth reconcile w2 rm ID

    Example: megaroth reconcile w2 --person ann --employer "Acme Corp" --year 2025 --box12 D=23500
    """


reconcile_w2_group.default = "add"


@reconcile_w2_group.command("add")
@click.option("--person", "person_name", required=True)
@click.option("--employer", required=True, help="The employer on the W-2 (a plan's --employer).")
@click.option("--year", type=YEAR, required=True)
@box_options(W2_BOXES, edit=False)
@click.option("--box12", "box12", multiple=True, metavar="CODE=AMOUNT", help=BOX12_HELP)
@format_option
@click.pass_context
def reconcile_w2(ctx, person_name, employer, year, box1, box3, box12, fmt) -> None:
    """Record a W-2 and compare it with the ledger; exit 1 with a box-by-box diff if it disagrees.

    Box 12 deferrals are compared with the contributions of that employer's plans (by plan kind,
    Roth or pre-tax), box 1 with the compensation recorded less pre-tax deferrals; box 3 is kept
    as the employer's FICA wages for next year's SECURE 2.0 Roth catch-up test.

    Example: megaroth reconcile w2 --person ann --employer "Acme Corp" --year 2025 --box1 176500 --box3 200000 --box12 D=23500
    """
    from ..services import received as svc

    parsed = svc.parse_box12(box12)
    if box1 is None and box3 is None and not parsed:
        raise click.UsageError("enter at least one box (e.g. --box12 D=23500)")
    with write_session(ctx) as session:
        payload = svc.reconcile_w2(session, person_name, employer, year, box1, box3, parsed)
    _show(payload, f"W-2 from {payload['employer']} for {year}", ctx)


@reconcile_w2_group.command("list")
@list_options
def reconcile_w2_list(ctx, person_name, year, fmt) -> None:
    """List the W-2s you entered, with their ids.

    Example: megaroth reconcile w2 list --person ann --format json
    """
    from ..reports.output import Column, Table
    from ..services import received as svc

    with read_session(ctx) as session:
        rows = svc.list_w2(session, person_name, year)
    view = [{**r, "box12": ", ".join(f"{c}={a}" for c, a in r["box12"].items())} for r in rows]
    cols = [Column("id", "#"), Column("employer", "Employer"), Column("year", "Year")]
    cols += [Column("box1", "Box 1", True), Column("box3", "Box 3", True), Column("box12", "Box 12")]
    emit({"w2": rows}, fmt, Table(f"W-2s, {person_name}", cols, view))


@reconcile_w2_group.command("edit")
@click.argument("w2_id", metavar="ID", type=int)
@click.option("--employer", help="The employer on the W-2 (a plan's --employer).")
@click.option("--year", type=YEAR)
@box_options(W2_BOXES, edit=True)
@click.option("--box12", "box12", multiple=True, metavar="CODE=AMOUNT", help=BOX12_HELP + " Sets that code.")
@click.option(
    "--no-box12", "no_box12", multiple=True, metavar="CODE", help="Remove a box 12 code. Repeatable."
)
@format_option
@click.pass_context
def reconcile_w2_edit(ctx, w2_id, employer, year, box1, no_box1, box3, no_box3, box12, no_box12, fmt) -> None:
    """Correct a W-2 (see `reconcile w2 list` for ids); it is compared with the ledger again.

    Exit 1 with the diff if it differs, as when it was recorded. A corrected box 3 corrects the
    FICA wages it stored for next year's Roth catch-up test; FICA wages you set to another
    figure stay and are compared.

    Example: megaroth reconcile w2 edit 1 --box12 D=23499.84
    """
    from ..services import received as svc

    with write_session(ctx) as session:
        res = svc.edit_w2(
            session,
            w2_id,
            employer=employer,
            year=year,
            box1=opt_value(box1, no_box1),
            box3=opt_value(box3, no_box3),
            box12=svc.parse_box12(box12),
            clear_box12=no_box12,
        )
    _show_edit(res, ctx)


rm_command(
    reconcile_w2_group,
    "Remove a W-2 (the FICA wages its box 3 stored stay: `wages edit`).\n\nExample: megaroth reconcile w2 rm 1",
    "received.remove_w2",
)


@reconcile.group("5498", cls=DefaultGroup)
def reconcile_5498_group() -> None:
    """Forms 5498: record one and compare it with the IRA side of the ledger (exit 1 if it
    disagrees), list, edit, rm.

    \b
    megaroth reconcile 5498 --person P --account traditional|roth --year Y [--box1 A] ... [--box5 A]
          (same as `reconcile 5498 add`)
    megaroth reconcile 5498 list --person P [--year Y]
    megaroth reconcile 5498 edit ID [--box5 A] [--no-box2] ...
    megaroth reconcile 5498 rm ID

    Example: megaroth reconcile 5498 --person ann --account roth --year 2025 --box3 7000 --box5 7012.50
    """


reconcile_5498_group.default = "add"


@reconcile_5498_group.command("add")
@click.option("--person", "person_name", required=True)
@click.option("--account", type=click.Choice(["traditional", "roth"]), required=True)
@click.option("--year", type=YEAR, required=True)
@click.option("--custodian", default="", help="The custodian, when you have several IRAs of this kind.")
@box_options(BOXES_5498, edit=False)
@format_option
@click.pass_context
def reconcile_5498(ctx, person_name, account, year, custodian, fmt, **boxes) -> None:
    """Record a Form 5498 and compare it with the IRA side of the ledger; exit 1 if it disagrees.

    Box 5 becomes the year's December 31 value when none is recorded (traditional IRAs: Form 8606
    line 6; Roth IRAs: Form 5329 line 25), and is compared with it when one is.

    Example: megaroth reconcile 5498 --person ann --account roth --year 2025 --box3 7000 --box10 7000
    """
    from ..services import received as svc

    if all(v is None for v in boxes.values()):
        raise click.UsageError("enter at least one box (e.g. --box5 12000)")
    with write_session(ctx) as session:
        payload = svc.reconcile_5498(session, person_name, account, year, boxes, custodian=custodian.strip())
    _show(payload, f"Form 5498 ({account} IRA) for {year}", ctx)


@reconcile_5498_group.command("list")
@list_options
def reconcile_5498_list(ctx, person_name, year, fmt) -> None:
    """List the Forms 5498 you entered, with their ids.

    Example: megaroth reconcile 5498 list --person ann
    """
    from ..reports.output import Column, Table
    from ..services import received as svc

    with read_session(ctx) as session:
        rows = svc.list_5498(session, person_name, year)
    cols = [
        Column("id", "#"),
        Column("account", "IRA"),
        Column("custodian", "Custodian"),
        Column("year", "Year"),
    ]
    cols += [Column(b, b.replace("box", "Box "), True) for b, _ in BOXES_5498]
    emit({"5498": rows}, fmt, Table(f"Forms 5498, {person_name}", cols, rows))


@reconcile_5498_group.command("edit")
@click.argument("form_id", metavar="ID", type=int)
@click.option("--year", type=YEAR)
@click.option("--custodian", help="The custodian, when you have several IRAs of this kind.")
@box_options(BOXES_5498, edit=True)
@format_option
@click.pass_context
def reconcile_5498_edit(ctx, form_id, year, custodian, fmt, **boxes) -> None:
    """Correct a Form 5498 (see `reconcile 5498 list` for ids); it is compared with the ledger
    again, and a December 31 value its box 5 recorded follows box 5.

    Exit 1 with the diff if it differs, as when it was recorded.

    Example: megaroth reconcile 5498 edit 1 --box5 7015
    """
    from ..services import received as svc
    from ..services.changelog import UNSET

    changes = {b: opt_value(boxes[b], boxes[f"no_{b}"]) for b, _ in BOXES_5498}
    with write_session(ctx) as session:
        res = svc.edit_5498(
            session,
            form_id,
            year=year,
            custodian=custodian,
            changes={b: v for b, v in changes.items() if v is not UNSET},
        )
    _show_edit(res, ctx)


rm_command(
    reconcile_5498_group,
    "Remove a Form 5498 (a December 31 value its box 5 recorded stays: `ira value edit|rm`).\n\n"
    "Example: megaroth reconcile 5498 rm 1",
    "received.remove_5498",
)


@reconcile.command("status")
@click.option("--person", "person_name", required=True)
@click.option("--year", type=YEAR, required=True)
@format_option
@click.pass_context
def reconcile_status(ctx, person_name, year, fmt) -> None:
    """Which tax documents (W-2, 1099-R, 5498) were received for a year, which match, which are missing.

    Example: megaroth reconcile status --person ann --year 2025
    """
    from ..reports.output import Column, Table
    from ..services import received as svc

    with ledger_session(ctx) as session:
        payload = svc.status(session, person_name, year)
    footer = [f"{payload['matches']} matching, {payload['differs']} differing, {payload['missing']} missing"]
    emit(
        payload,
        fmt,
        [
            Table(
                f"Tax documents, {person_name}, {year}",
                [
                    Column("document", "Document"),
                    Column("issuer", "Issuer"),
                    Column("status", "Status"),
                    Column("detail", "Detail"),
                ],
                payload["documents"],
                footer=footer,
            )
        ],
    )


def reconcile_1099r_from(ctx, path: str, person_name: str | None, fmt: str) -> None:
    """``reconcile 1099-r --from FILE``: every form in FILE, one summary; exit 1 if any differs."""
    from pathlib import Path

    from ..reports.output import Column, Table
    from ..services import received as svc

    with ledger_session(ctx) as session:
        payload = svc.reconcile_1099r_file(session, Path(path), person_name)
    rows = [
        {
            "line": r["line"],
            "payer": r["payer"],
            "plan": r["plan"],
            "tax_year": r["tax_year"],
            "box7": r["box7"],
            "status": "matches" if r["match"] else "DIFFERS",
            "diff": "; ".join(f"{d['box']} {d['received']} vs {d['derived']}" for d in r["diff"]),
        }
        for r in payload["results"]
    ]
    emit(
        payload,
        fmt,
        [
            Table(
                f"1099-Rs in {payload['file']}: {payload['matching']} of {payload['forms']} match",
                [
                    Column("line", "Line"),
                    Column("payer", "Payer"),
                    Column("plan", "Plan"),
                    Column("tax_year", "Year"),
                    Column("box7", "Code"),
                    Column("status", "Status"),
                    Column("diff", "Boxes (received vs ledger)"),
                ],
                rows,
            )
        ],
    )
    if not payload["match"]:
        ctx.exit(1)


COMMANDS: list = []  # the commands above join the existing `reconcile` group
