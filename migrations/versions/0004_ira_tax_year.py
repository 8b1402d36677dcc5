"""tax_year (filing status, MAGI, plan coverage, compensation per person-year), roth_ira_value
(Dec 31 Roth IRA value, Form 5329 line 25) and the earnings / after-due-date columns of IRA recharacterizations and returned contributions (issue 11)

Revision ID: 0004_ira_tax_year
Revises: 0003_import_holds
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_ira_tax_year"
down_revision = "0003_import_holds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tax_year",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("filing_status", sa.String(length=4), nullable=False),
        sa.Column("magi_cents", sa.BigInteger(), nullable=False),
        sa.Column("covered", sa.Boolean(), nullable=True),
        sa.Column("spouse_covered", sa.Boolean(), nullable=False),
        sa.Column("compensation_cents", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_tax_year_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_year")),
        sa.UniqueConstraint("person_id", "year", name=op.f("uq_tax_year_person_id_year")),
    )
    op.create_table(
        "roth_ira_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_roth_ira_value_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roth_ira_value")),
        sa.UniqueConstraint("person_id", "year", name=op.f("uq_roth_ira_value_person_id_year")),
    )
    with op.batch_alter_table("ira_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("earnings_cents", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("after_due_date", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ira_event", schema=None) as batch_op:
        batch_op.drop_column("after_due_date")
        batch_op.drop_column("earnings_cents")
    op.drop_table("roth_ira_value")
    op.drop_table("tax_year")
