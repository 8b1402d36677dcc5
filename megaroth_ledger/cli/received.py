"""Received tax documents (issue 12): ``reconcile w2``, ``reconcile 5498``, ``reconcile status``
(added to the ``reconcile`` group of :mod:`.forms`), and the ``reconcile 1099-r --from FILE``
helper :func:`reconcile_1099r_from` that command calls.
"""

from __future__ import annotations

import click

from .common import AMOUNT, YEAR, emit, format_option, ledger_session
from .forms import reconcile

DIFF_COLUMNS = (("box", "Box"), ("received", "Received"), ("derived", "Ledger"), ("difference", "Difference"))


def _diff_table(title: str, payload: dict):
    from ..reports.output import Column, Table

    return Table(title, [Column(k, h) for k, h in DIFF_COLUMNS], payload["diff"], footer=payload["notes"])


@reconcile.command("w2")
@click.option("--person", "person_name", required=True)
@click.option("--employer", required=True, help="The employer on the W-2 (a plan's --employer).")
@click.option("--year", type=YEAR, required=True)
@click.option("--box1", type=AMOUNT, help="Box 1: wages, tips, other compensation.")
@click.option(
    "--box3", type=AMOUNT, help="Box 3: social security wages (stored for next year's Roth catch-up test)."
)
@click.option(
    "--box12",
    "box12",
    multiple=True,
    metavar="CODE=AMOUNT",
    help="A box 12 entry, e.g. D=23500 or AA=5000 (D/E/G pre-tax 401(k)/403(b)/457(b), AA/BB/EE Roth). "
    "Repeatable.",
)
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
    with ledger_session(ctx) as session:
        payload = svc.reconcile_w2(session, person_name, employer, year, box1, box3, parsed)
    status = "matches the ledger" if payload["match"] else "DIFFERS from the ledger"
    emit(payload, fmt, [_diff_table(f"W-2 from {payload['employer']} for {year}: {status}", payload)])
    if not payload["match"]:
        ctx.exit(1)


@reconcile.command("5498")
@click.option("--person", "person_name", required=True)
@click.option("--account", type=click.Choice(["traditional", "roth"]), required=True)
@click.option("--year", type=YEAR, required=True)
@click.option("--custodian", default="", help="The custodian, when you have several IRAs of this kind.")
@click.option("--box1", type=AMOUNT, help="Box 1: IRA contributions (traditional).")
@click.option("--box2", type=AMOUNT, help="Box 2: rollover contributions.")
@click.option("--box3", type=AMOUNT, help="Box 3: Roth IRA conversion amount.")
@click.option("--box4", type=AMOUNT, help="Box 4: recharacterized contributions.")
@click.option("--box5", type=AMOUNT, help="Box 5: fair market value of the account on December 31.")
@click.option("--box10", type=AMOUNT, help="Box 10: Roth IRA contributions.")
@format_option
@click.pass_context
def reconcile_5498(
    ctx, person_name, account, year, custodian, box1, box2, box3, box4, box5, box10, fmt
) -> None:
    """Record a Form 5498 and compare it with the IRA side of the ledger; exit 1 if it disagrees.

    A traditional IRA's box 5 becomes the year's IRA value (Form 8606 line 6) when none is
    recorded, and is compared with it when one is.

    Example: megaroth reconcile 5498 --person ann --account roth --year 2025 --box3 7000 --box10 7000
    """
    from ..services import received as svc

    boxes = {"box1": box1, "box2": box2, "box3": box3, "box4": box4, "box5": box5, "box10": box10}
    if all(v is None for v in boxes.values()):
        raise click.UsageError("enter at least one box (e.g. --box5 12000)")
    with ledger_session(ctx) as session:
        payload = svc.reconcile_5498(session, person_name, account, year, boxes, custodian=custodian.strip())
    status = "matches the ledger" if payload["match"] else "DIFFERS from the ledger"
    emit(payload, fmt, [_diff_table(f"Form 5498 ({account} IRA) for {year}: {status}", payload)])
    if not payload["match"]:
        ctx.exit(1)


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
