"""opening_basis: the basis in a plan sub-account's opening balance (issue 12)

Revision ID: 0002_opening_basis
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_opening_basis"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "opening_basis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("basis_cents", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_opening_basis_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening_basis")),
        sa.UniqueConstraint("plan_id", "source", name=op.f("uq_opening_basis_plan_id_source")),
    )


def downgrade() -> None:
    op.drop_table("opening_basis")
