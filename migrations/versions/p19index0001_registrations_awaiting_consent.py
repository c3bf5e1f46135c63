"""A partial index on the registrations awaiting their person's consent: the user loader asks on
every signed-in page whether the person has any (issue 19).

Revision ID: p19index0001
Revises: p19stamps0001
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "p19index0001"
down_revision = "p19stamps0001"
branch_labels = None
depends_on = None

WHERE = "added_by_id IS NOT NULL AND consented_at IS NULL"


def upgrade():
    op.create_index("ix_registrations_awaiting_consent", "registrations", ["user_id"],
                    postgresql_where=sa.text(WHERE), sqlite_where=sa.text(WHERE))


def downgrade():
    op.drop_index("ix_registrations_awaiting_consent", table_name="registrations")
