"""received documents: W-2 (with box 12) and Form 5498 (issue 12)

Revision ID: 0008_received_documents
Revises: 0007_filing_status_length
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_received_documents"
down_revision = "0007_filing_status_length"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "received_w2",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("employer", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("box1_cents", sa.BigInteger(), nullable=True),
        sa.Column("box3_cents", sa.BigInteger(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_received_w2_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_w2")),
        sa.UniqueConstraint(
            "person_id", "employer", "year", name=op.f("uq_received_w2_person_id_employer_year")
        ),
    )
    op.create_table(
        "received_w2_box12",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("w2_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["w2_id"],
            ["received_w2.id"],
            name=op.f("fk_received_w2_box12_w2_id_received_w2"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_w2_box12")),
        sa.UniqueConstraint("w2_id", "code", name=op.f("uq_received_w2_box12_w2_id_code")),
    )
    with op.batch_alter_table("received_w2_box12", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_received_w2_box12_w2_id"), ["w2_id"], unique=False)
    op.create_table(
        "received_5498",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=20), nullable=False),
        sa.Column("custodian", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("box1_cents", sa.BigInteger(), nullable=True),
        sa.Column("box2_cents", sa.BigInteger(), nullable=True),
        sa.Column("box3_cents", sa.BigInteger(), nullable=True),
        sa.Column("box4_cents", sa.BigInteger(), nullable=True),
        sa.Column("box5_cents", sa.BigInteger(), nullable=True),
        sa.Column("box10_cents", sa.BigInteger(), nullable=True),
        sa.Column("set_ira_value", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_received_5498_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_5498")),
        sa.UniqueConstraint(
            "person_id",
            "account",
            "custodian",
            "year",
            name=op.f("uq_received_5498_person_id_account_custodian_year"),
        ),
    )


def downgrade() -> None:
    op.drop_table("received_5498")
    with op.batch_alter_table("received_w2_box12", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_received_w2_box12_w2_id"))
    op.drop_table("received_w2_box12")
    op.drop_table("received_w2")
