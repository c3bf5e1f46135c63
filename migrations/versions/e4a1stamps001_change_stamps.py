"""Change stamps: one counter per table, moved by every commit that changes the table.

Rendered fragments are cached under these counters (app/cache). No rows are seeded: a missing
row reads as 0 and the first change inserts it.

Revision ID: e4a1stamps001
Revises: b7e1empact01
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "e4a1stamps001"
down_revision = "b7e1empact01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "change_stamps",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_stamps")),
    )


def downgrade():
    op.drop_table("change_stamps")
