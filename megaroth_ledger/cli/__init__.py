"""The ``megaroth`` command line.

Commands live in small modules under ``megaroth_ledger/cli/``; each exposes a ``COMMANDS``
list of Click commands/groups. To add a module, append its dotted name to
``COMMAND_MODULES`` below. Modules must import only ``click`` (and ``.common``) at module
level, so that ``megaroth --help`` stays fast: no SQLAlchemy, openpyxl or rich until a
command actually runs.

User errors (:class:`megaroth_ledger.errors.UserError`) become one line on stderr and a
non-zero exit, without a traceback.
"""

from __future__ import annotations

import importlib

import click

from .. import __version__

COMMAND_MODULES = [
    "megaroth_ledger.cli.ledger",
    "megaroth_ledger.cli.headroom",
    "megaroth_ledger.cli.ledger_ops",
    "megaroth_ledger.cli.forms",
    "megaroth_ledger.cli.clocks",
    "megaroth_ledger.cli.export",
    "megaroth_ledger.cli.imports",
    "megaroth_ledger.cli.ira_limits",
    "megaroth_ledger.cli.changes",
    "megaroth_ledger.cli.corrections",
    "megaroth_ledger.cli.plan_corrections",
    "megaroth_ledger.cli.check",
    "megaroth_ledger.cli.received",
    "megaroth_ledger.cli.household",
]


class CliUserError(click.ClickException):
    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


class MegarothGroup(click.Group):
    """Root group: turns UserError (raised anywhere below) into a clean ClickException, and
    prints every error (bad option, missing option, user error) as one line on stderr."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        import sys

        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            hint = ""
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                hint = f" (see '{exc.ctx.command_path} --help')"
            from ..reports.safe import terminal_text  # names from the ledger never reach the terminal raw

            click.echo(terminal_text(f"Error: {exc.format_message()}{hint}", keep_newlines=True), err=True)
            sys.exit(exc.exit_code)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context):
        from ..errors import UserError

        try:
            return super().invoke(ctx)
        except UserError as exc:
            raise CliUserError(str(exc), exc.exit_code) from None
        except Exception as exc:
            # only database errors the user can act on (busy, not a database, read-only):
            # anything else is a bug and keeps its traceback
            err = _database_user_error(exc, ctx)
            if err is None:
                raise
            raise CliUserError(str(err), err.exit_code) from None


def _database_user_error(exc: Exception, ctx: click.Context):
    import sys

    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return None
    from ..store.db import database_error

    ledger = ctx.ensure_object(dict).get("ledger")
    if ledger is None:
        return None
    return database_error(exc, ledger.engine)


@click.group("megaroth", cls=MegarothGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    metavar="PATH|URL",
    help="Ledger database: a file path (SQLite) or a SQLAlchemy URL. "
    "Default: $MEGAROTH_DB, else ledger.db in your user data directory.",
)
@click.option(
    "--wait",
    metavar="SECONDS",
    type=click.FloatRange(0, 86400),
    help="How long a writing command waits while another megaroth writes to the ledger, then "
    "gives up (exit 75). Default: $MEGAROTH_WAIT, else 60.",
)
@click.version_option(__version__, prog_name="megaroth")
@click.pass_context
def cli(ctx: click.Context, db: str | None, wait: float | None) -> None:  # money-ok: seconds
    """megaroth: a tax-reporting ledger for the Mega Backdoor Roth.

    Record paycheck contributions by money source, conversions and the IRA side; get
    402(g)/415(c) headroom, the 1099-Rs your plans should issue, Form 8606 and 5-year clocks.

    Example: megaroth --db ann.db headroom --person ann --year 2025
    """
    state = ctx.ensure_object(dict)
    state["db"] = db
    state["wait"] = wait


def _register() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="megaroth", auto_envvar_prefix=None, windows_expand_args=False)


if __name__ == "__main__":  # pragma: no cover
    main()
