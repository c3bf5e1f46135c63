"""Change stamps in shards: a table's stamp is the sum of its rows, and each writer moves the row of
its own shard, so writers to different events no longer queue on one row per table (issue 19).

Revision ID: p19stamps0001
Revises: m18mail00001
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "p19stamps0001"
down_revision = "m18mail00001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("change_stamps") as batch:
        batch.add_column(sa.Column("shard", sa.SmallInteger(), nullable=False, server_default="0"))
        batch.drop_constraint("pk_change_stamps", type_="primary")
        batch.create_primary_key("pk_change_stamps", ["name", "shard"])


def downgrade():
    # One row per table again: each table keeps the sum of its shards (its stamp does not go back).
    op.execute("CREATE TABLE change_stamps_sum AS SELECT name, SUM(version) AS version FROM change_stamps GROUP BY name")
    op.execute("DELETE FROM change_stamps")
    with op.batch_alter_table("change_stamps") as batch:
        batch.drop_constraint("pk_change_stamps", type_="primary")
        batch.drop_column("shard")
        batch.create_primary_key("pk_change_stamps", ["name"])
    op.execute("INSERT INTO change_stamps (name, version) SELECT name, version FROM change_stamps_sum")
    op.execute("DROP TABLE change_stamps_sum")
