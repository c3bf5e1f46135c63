"""Report snapshots: built reports shared by the web workers and refreshed by the scheduler.

Revision ID: e4a9snapshot01
Revises: e4a1stamps001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "e4a9snapshot01"
down_revision = "e4a1stamps001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_snapshots",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("produced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("refresh_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_report_snapshots")),
    )


def downgrade():
    op.drop_table("report_snapshots")
