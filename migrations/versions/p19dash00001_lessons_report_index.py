"""The lessons' (event, status) index widened to (event, status, id, tlp), so the dashboard's lesson
figures and the follow-up actions' origin and visibility read the index alone (index-only scans)
instead of every lesson's row with its long texts (issue 19). It serves every use of the narrower
index it replaces (the same leading columns).

Revision ID: p19dash00001
Revises: q23questions01
Create Date: 2026-12-06
"""

from alembic import op

revision = "p19dash00001"
down_revision = "q23questions01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_lessons_event_id_status_id_tlp", "lessons", ["event_id", "status", "id", "tlp"])
    op.drop_index("ix_lessons_event_id_status", table_name="lessons")


def downgrade():
    op.create_index("ix_lessons_event_id_status", "lessons", ["event_id", "status"])
    op.drop_index("ix_lessons_event_id_status_id_tlp", table_name="lessons")
