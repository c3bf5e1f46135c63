"""Calendar replies: iTIP METHOD:REPLY emails read from the organiser's mailbox, and what was done with each.

Revision ID: b3itip0001
Revises: b1sched0001
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "b3itip0001"
down_revision = "b1sched0001"
branch_labels = None
depends_on = None

OUTCOMES = ("applied", "pending_confirmation", "confirmed", "ignored_no_match", "ignored_forged",
            "ignored_not_reply", "ignored_not_active", "ignored_unsupported")


def upgrade():
    op.create_table(
        "calendar_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=500), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_address", sa.String(length=320), nullable=True),
        sa.Column("uid", sa.String(length=500), nullable=True),
        sa.Column("attendee", sa.String(length=320), nullable=True),
        sa.Column("partstat", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.Enum(*OUTCOMES, name="calendar_reply_outcome", native_enum=False,
                                     create_constraint=True, length=32), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_calendar_replies_event_id_events"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"],
                                name=op.f("fk_calendar_replies_session_id_sessions"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"],
                                name=op.f("fk_calendar_replies_registration_id_registrations"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_replies")),
        sa.UniqueConstraint("message_id", name=op.f("uq_calendar_replies_message_id")),
    )
    op.create_index("ix_calendar_replies_event_id_outcome", "calendar_replies", ["event_id", "outcome"])
    op.create_index(op.f("ix_calendar_replies_registration_id"), "calendar_replies", ["registration_id"])


def downgrade():
    op.drop_index(op.f("ix_calendar_replies_registration_id"), table_name="calendar_replies")
    op.drop_index("ix_calendar_replies_event_id_outcome", table_name="calendar_replies")
    op.drop_table("calendar_replies")
