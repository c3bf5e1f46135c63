"""The lessons' long texts stored after their short columns (PostgreSQL): the library's search reads,
for every entry matching its words, the short columns the TLP rule and the figures need (event,
author, kind, status, marking, created and marked times). PostgreSQL reaches a column by walking
every column stored before it, so with the texts (~700 bytes) in the middle of the row, each match
paid for stepping over them to reach the author and the times (about a third of the matches'
scan for a common word, issue 19). The texts move to the end of the row: each is copied to a new
column (a rewrite of the table), the old ones are dropped and the table is rewritten again (CLUSTER
on its primary key: a dropped column's data stays in a row until the row is written anew). Names, types and values do not
change; the full-text index is built again on the same expression. SQLite: nothing to do (no
search reads its rows so, and its FTS5 table names the columns).

Revision ID: s19lessidx0001
Revises: s19attidx0001
Create Date: 2026-12-06
"""

from alembic import op

revision = "s19lessidx0001"
down_revision = "s19attidx0001"
branch_labels = None
depends_on = None

# (column, type, NOT NULL): in the order the model declares them (app/lessons/models.py).
LONG_TEXTS = (
    ("title", "VARCHAR(200)", True),
    ("observation", "TEXT", False),
    ("analysis", "TEXT", False),
    ("recommendation", "TEXT", False),
    ("problem_addressed", "TEXT", False),
    ("how_it_works", "TEXT", False),
    ("evidence", "TEXT", False),
    ("replication_needs", "TEXT", False),
    ("rejection_reason", "TEXT", False),
)

# As migrations/versions/c3f7lessonfts_lesson_full_text_search.py created it.
FULLTEXT_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_lessons_fulltext ON lessons USING GIN (to_tsvector('english', "
    "coalesce(title, '') || ' ' || coalesce(observation, '') || ' ' || coalesce(analysis, '') || ' ' || "
    "coalesce(recommendation, '') || ' ' || coalesce(problem_addressed, '') || ' ' || "
    "coalesce(how_it_works, '') || ' ' || coalesce(evidence, '') || ' ' || coalesce(replication_needs, '')))"
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_lessons_fulltext")
    op.execute("ALTER TABLE lessons " + ", ".join(f"ADD COLUMN {name}_moved {kind}" for name, kind, _ in LONG_TEXTS))
    # Filled by rewriting the table (not an UPDATE: its old row versions, deleted by this same
    # transaction, would stay in the table through the rewrite below, ~16% more pages to read).
    op.execute("ALTER TABLE lessons " + ", ".join(f"ALTER COLUMN {name}_moved TYPE {kind} USING {name}"
                                                  for name, kind, _ in LONG_TEXTS))
    op.execute("ALTER TABLE lessons " + ", ".join(f"DROP COLUMN {name}" for name, _, _ in LONG_TEXTS))
    for name, _, _ in LONG_TEXTS:
        op.execute(f"ALTER TABLE lessons RENAME COLUMN {name}_moved TO {name}")
    op.execute("ALTER TABLE lessons " + ", ".join(f"ALTER COLUMN {name} SET NOT NULL"
                                                  for name, _, not_null in LONG_TEXTS if not_null))
    # Rewrite every row: the dropped columns' data goes (a rewrite stores them as NULLs).
    op.execute("CLUSTER lessons USING pk_lessons")
    op.execute("ALTER TABLE lessons SET WITHOUT CLUSTER")
    op.execute(FULLTEXT_INDEX)
    op.execute("ANALYZE lessons")


def downgrade():
    # Nothing to undo: the columns keep their names, types and values; only where PostgreSQL stores
    # them changed.
    pass
