"""tax_year.filing_status holds 'single' (six characters): VARCHAR(4) refused it on PostgreSQL

Revision ID: 0007_filing_status_length
Revises: 0006_ira_custodian_forms

SQLite never enforced the length, so its ledgers hold whole values already; PostgreSQL ones
could not have stored 'single' at all. The column is widened to VARCHAR(10).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_filing_status_length"
down_revision = "0006_ira_custodian_forms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tax_year", schema=None) as batch_op:
        batch_op.alter_column(
            "filing_status",
            existing_type=sa.String(length=4),
            type_=sa.String(length=10),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("tax_year", schema=None) as batch_op:
        batch_op.alter_column(
            "filing_status",
            existing_type=sa.String(length=10),
            type_=sa.String(length=4),
            existing_nullable=False,
        )
