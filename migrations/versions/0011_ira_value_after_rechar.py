"""ira_value.after_recharacterizations: the recorded December 31 value already takes into account the
year's contributions recharacterized after December 31 (Form 8606 line 6; issue 11)

Revision ID: 0011_ira_value_after_rechar
Revises: 0010_households
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_ira_value_after_rechar"
down_revision = "0010_households"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ira_value", schema=None) as batch_op:
        batch_op.add_column(sa.Column("after_recharacterizations", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ira_value", schema=None) as batch_op:
        batch_op.drop_column("after_recharacterizations")
