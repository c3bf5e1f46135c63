"""Revoked sessions: a signed-out session's id, so that a copy of its cookie no longer signs in.

Revision ID: f1b2revoked01
Revises: e4a9snapshot01
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "f1b2revoked01"
down_revision = "e4a9snapshot01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "revoked_sessions",
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_revoked_sessions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("sid", name=op.f("pk_revoked_sessions")),
    )
    op.create_index(op.f("ix_revoked_sessions_expires_at"), "revoked_sessions", ["expires_at"], unique=False)
    op.create_index(op.f("ix_revoked_sessions_user_id"), "revoked_sessions", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_revoked_sessions_user_id"), table_name="revoked_sessions")
    op.drop_index(op.f("ix_revoked_sessions_expires_at"), table_name="revoked_sessions")
    op.drop_table("revoked_sessions")
