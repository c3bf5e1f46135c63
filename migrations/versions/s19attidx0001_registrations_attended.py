"""A partial index on the attended registrations (confirmed, checked in), (user_id, event_id): the
lessons library reads, at every search, the events the viewer's organisation attended (the TLP rule's
facts, app.lessons.visibility.fact_parts) as an index-only scan instead of visiting every registration
of each colleague (issue 19: ~380 heap pages a search for the bench member).

Revision ID: s19attidx0001
Revises: r19attend0001
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "s19attidx0001"
down_revision = "r19attend0001"
branch_labels = None
depends_on = None

WHERE = "status = 'confirmed' AND checked_in_at IS NOT NULL"


def upgrade():
    op.create_index("ix_registrations_attended", "registrations", ["user_id", "event_id"],
                    postgresql_where=sa.text(WHERE), sqlite_where=sa.text(WHERE))


def downgrade():
    op.drop_index("ix_registrations_attended", table_name="registrations")
