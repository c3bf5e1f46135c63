"""Mail server states: failures of the SMTP server itself in a row, and until when delivery backs off.

Revision ID: m18mail00001
Revises: b3itip0001
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "m18mail00001"
down_revision = "b3itip0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_server_states",
        sa.Column("server", sa.String(length=255), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("backoff_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("server", name=op.f("pk_mail_server_states")),
    )


def downgrade():
    op.drop_table("mail_server_states")
