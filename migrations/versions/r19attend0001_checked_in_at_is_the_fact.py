"""Registration.checked_in_at becomes the stored fact "attended" (issue 19): the earliest of the
registration's day and session check-ins. Every check-in through the app already kept it; rows
imported with day or session check-ins only (and no checked_in_at) get it here, so the reports read
attendance from registrations alone instead of joining every check-in.

Revision ID: r19attend0001
Revises: p19dash00001
Create Date: 2026-12-06
"""

from alembic import op

revision = "r19attend0001"
down_revision = "p19dash00001"
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE registrations SET checked_in_at = (
    SELECT min(check_ins.at) FROM (
        SELECT checked_in_at AS at FROM attendance_days WHERE registration_id = registrations.id
        UNION ALL
        SELECT checked_in_at FROM session_attendance WHERE registration_id = registrations.id
    ) AS check_ins
)
WHERE checked_in_at IS NULL
  AND (EXISTS (SELECT 1 FROM attendance_days WHERE registration_id = registrations.id)
       OR EXISTS (SELECT 1 FROM session_attendance WHERE registration_id = registrations.id))
"""


def upgrade():
    op.execute(BACKFILL)


def downgrade():
    pass  # the values set are the rows' own check-ins: nothing to undo
