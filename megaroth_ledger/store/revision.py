"""The schema revision(s) this package was built with: the Alembic head(s) of ``migrations/``.

Opening a ledger compares the database's ``alembic_version`` with :data:`SCHEMA_HEADS` in one
query (:func:`megaroth_ledger.store.db._schema_is_current`) and imports Alembic only when they
differ (an upgrade is due, or the database is new, foreign or from a newer megaroth).

**Adding a migration?** Put its revision id here (in place of the revision it revises).
``tests/test_store.py::test_schema_heads_constant_matches_the_migration_tree`` fails until this
set equals the heads of the Alembic script directory, and says what to write.
"""

SCHEMA_HEADS = frozenset({"0011_ira_value_after_rechar"})
