"""import holds: which imports hold which entry / balance assertion; the statement's account id

Revision ID: 0003_import_holds
Revises: 0002_opening_basis
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_import_holds"
down_revision = "0002_opening_basis"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("overlap_allowed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(batch_op.f("ix_import_batch_account_id"), ["account_id"], unique=False)
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.alter_column("overlap_allowed", server_default=None)
    op.create_table(
        "entry_hold",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entry.id"], name=op.f("fk_entry_hold_entry_id_entry"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["import_batch.id"],
            name=op.f("fk_entry_hold_import_id_import_batch"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "import_id", name=op.f("pk_entry_hold")),
    )
    with op.batch_alter_table("entry_hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entry_hold_import_id"), ["import_id"], unique=False)
    op.create_table(
        "assertion_hold",
        sa.Column("assertion_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assertion_id"],
            ["balance_assertion.id"],
            name=op.f("fk_assertion_hold_assertion_id_balance_assertion"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["import_batch.id"],
            name=op.f("fk_assertion_hold_import_id_import_batch"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assertion_id", "import_id", name=op.f("pk_assertion_hold")),
    )
    with op.batch_alter_table("assertion_hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assertion_hold_import_id"), ["import_id"], unique=False)


def downgrade() -> None:
    op.drop_table("assertion_hold")
    op.drop_table("entry_hold")
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batch_account_id"))
        batch_op.drop_column("overlap_allowed")
        batch_op.drop_column("account_id")
