"""The scheduler lease's fencing token: a generation number raised each time another holder takes it.

Revision ID: b1sched0001
Revises: a7c2trust0001
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "b1sched0001"
down_revision = "a7c2trust0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("scheduler_leases") as batch:
        batch.add_column(sa.Column("generation", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("scheduler_leases") as batch:
        batch.drop_column("generation")
