"""Change stamps in shards: a table's stamp is its row in change_stamps (shard 0) plus its rows
here, and each writer moves the row of its own shard, so writers to different events no longer
queue on one row per table (issue 19). change_stamps itself is unchanged.

Revision ID: p19stamps0001
Revises: m21apitok001
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "p19stamps0001"
down_revision = "m21apitok001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "change_stamps_shards",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", "shard", name=op.f("pk_change_stamps_shards")),
    )


def downgrade():
    # One row per table again, holding the sum of its rows: no stamp goes back to a value it had.
    op.execute("INSERT INTO change_stamps (name, version) SELECT DISTINCT name, 0 FROM change_stamps_shards "
               "WHERE name NOT IN (SELECT name FROM change_stamps)")
    op.execute("UPDATE change_stamps SET version = version + coalesce((SELECT sum(s.version) FROM "
               "change_stamps_shards s WHERE s.name = change_stamps.name), 0)")
    op.drop_table("change_stamps_shards")
