"""A partial index on the draft events, (id, created_by_id, status): the lessons library reads, at
every search, the drafts its viewer may not see (the TLP rule's facts, app.lessons.visibility
.fact_parts, asking the event rule of each draft) as an index-only scan instead of visiting the
draft rows (issue 19: ~80 heap pages a search on the bench, 0.4 -> 0.1 ms).

Revision ID: s19lessidx0002
Revises: s19lessidx0001
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "s19lessidx0002"
down_revision = "s19lessidx0001"
branch_labels = None
depends_on = None

WHERE = "status = 'draft'"


def upgrade():
    op.create_index("ix_events_drafts", "events", ["id", "created_by_id", "status"],
                    postgresql_where=sa.text(WHERE), sqlite_where=sa.text(WHERE))


def downgrade():
    op.drop_index("ix_events_drafts", table_name="events")
