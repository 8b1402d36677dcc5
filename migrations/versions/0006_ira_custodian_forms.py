"""received_ira_1099r (custodians' 1099-Rs entered for reconciliation), plan_correction (402(g)
corrective distributions) and ira_event.deductibility_open (Pub 590-B Worksheet 1-1) (issue 11)

Revision ID: 0006_ira_custodian_forms
Revises: 0005_change_log
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_ira_custodian_forms"
down_revision = "0005_change_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "received_ira_1099r",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("box1_cents", sa.BigInteger(), nullable=True),
        sa.Column("box2a_cents", sa.BigInteger(), nullable=True),
        sa.Column("box4_cents", sa.BigInteger(), nullable=True),
        sa.Column("box7", sa.String(length=4), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_received_ira_1099r_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_ira_1099r")),
    )
    with op.batch_alter_table("received_ira_1099r", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_received_ira_1099r_person_id"), ["person_id"], unique=False)
    op.create_table(
        "plan_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("tax_year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("earnings_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_correction_plan_id_plan"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_correction")),
    )
    with op.batch_alter_table("plan_correction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_correction_plan_id"), ["plan_id"], unique=False)
    with op.batch_alter_table("ira_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deductibility_open", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ira_event", schema=None) as batch_op:
        batch_op.drop_column("deductibility_open")
    with op.batch_alter_table("plan_correction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_correction_plan_id"))
    op.drop_table("plan_correction")
    with op.batch_alter_table("received_ira_1099r", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_received_ira_1099r_person_id"))
    op.drop_table("received_ira_1099r")
