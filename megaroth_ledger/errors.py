"""Error types.

``UserError`` is the one exception the CLI turns into a single clear line and a
non-zero exit without a traceback: bad input, unknown names, unsupported tax
situations. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix (bad value, unknown name, unsupported case)."""

    exit_code = 2


class UnsupportedSituation(UserError):
    """A tax situation the ledger refuses to compute rather than guess at."""

    exit_code = 3
