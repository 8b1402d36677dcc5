"""Households (issue 13): spouses filing one joint return."""

from __future__ import annotations

import click

from .common import emit, format_option, read_session, write_session


@click.group("household")
def household() -> None:
    """Married couples filing jointly: one return with two people's forms."""


@household.command("add")
@click.argument("name")
@click.option(
    "--members",
    required=True,
    metavar="A,B",
    help="The two spouses, comma-separated (see `megaroth person list`).",
)
@click.pass_context
def household_add(ctx, name: str, members: str) -> None:
    """Record a married couple filing jointly.

    Example: megaroth household add ann-and-bob --members ann,bob
    """
    from ..services import household as svc

    with write_session(ctx) as session:
        h = svc.add_household(session, name, members.split(","))
        people = [m.person.name for m in h.members]
    click.echo(f"added household {name} ({' and '.join(people)})")
    click.echo(f"next: megaroth form 1040 --household {name} --year YYYY")


@household.command("list")
@format_option
@click.pass_context
def household_list(ctx, fmt: str) -> None:
    """List households and their members.

    Example: megaroth household list --format json
    """
    from ..reports.output import Column, Table
    from ..services import household as svc

    with read_session(ctx) as session:
        rows = svc.list_households(session)
    view = [{**r, "members": ", ".join(r["members"])} for r in rows]
    cols = [Column("name", "Household"), Column("members", "Members")]
    emit({"households": rows}, fmt, Table("Households", cols, view))


COMMANDS = [household]
