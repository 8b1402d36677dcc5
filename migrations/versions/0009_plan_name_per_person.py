"""plan names are unique per person, not per ledger (issue #13: a preparer's clients)

Revision ID: 0009_plan_name_per_person
Revises: 0008_received_documents
"""

from alembic import op

revision = "0009_plan_name_per_person"
down_revision = "0008_received_documents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every existing ledger satisfies the new constraint: names were unique ledger-wide.
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_constraint("uq_plan_name", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_plan_person_id_name"), ["person_id", "name"])


def downgrade() -> None:
    # Fails (and changes nothing) if two people have plans of the same name.
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_constraint("uq_plan_person_id_name", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_plan_name"), ["name"])
