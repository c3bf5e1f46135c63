"""The badge's check-in token on each registration (issue 23: badges and QR check-in).

Revision ID: c23badge0001
Revises: p19index0001
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "c23badge0001"
down_revision = "p19index0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("badge_token", sa.String(length=32), nullable=True))
        batch.create_unique_constraint("uq_registrations_badge_token", ["badge_token"])


def downgrade():
    with op.batch_alter_table("registrations") as batch:
        batch.drop_constraint("uq_registrations_badge_token", type_="unique")
        batch.drop_column("badge_token")
