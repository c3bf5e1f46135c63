"""A partial index on the entries awaiting validation (status 'submitted') with every column the TLP rule
reads (event, marking, author, id, status, when marked, created): a coordinator's or an administrator's
library counts, on every page, the submitted entries they may see (app.lessons.listing, the awaiting
figure), which PostgreSQL now reads from the index alone instead of visiting each entry's row (issue 19:
~3,000 entries over 1,600 heap pages, ~3.4 of a coordinator's ~4.5 ms for a search on the bench data).

Revision ID: t19await0001
Revises: s19tally0001
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "t19await0001"
down_revision = "s19tally0001"
branch_labels = None
depends_on = None

WHERE = "status = 'submitted'"
COLUMNS = ["event_id", "tlp", "author_id", "id", "status", "marked_at", "created_at"]


def upgrade():
    op.create_index("ix_lessons_submitted_rule", "lessons", COLUMNS,
                    postgresql_where=sa.text(WHERE), sqlite_where=sa.text(WHERE))


def downgrade():
    op.drop_index("ix_lessons_submitted_rule", table_name="lessons")
