"""Full-text search over lessons: an FTS5 table kept in sync by triggers (SQLite), a GIN index
over a tsvector expression (PostgreSQL). The statements are copied from app/lessons/models.py
(which creates the same objects for create_all) so this revision never changes.

Revision ID: c3f7lessonfts
Revises: d61b5497530e
Create Date: 2026-11-21
"""

from alembic import op

revision = "c3f7lessonfts"
down_revision = "d61b5497530e"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS lessons_fts USING fts5(title, observation, analysis, recommendation, problem_addressed, how_it_works, evidence, replication_needs, content='lessons', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    'CREATE TRIGGER IF NOT EXISTS lessons_fts_ai AFTER INSERT ON lessons BEGIN INSERT INTO lessons_fts(rowid, title, observation, analysis, recommendation, problem_addressed, how_it_works, evidence, replication_needs) VALUES (new.id, new.title, new.observation, new.analysis, new.recommendation, new.problem_addressed, new.how_it_works, new.evidence, new.replication_needs); END',
    "CREATE TRIGGER IF NOT EXISTS lessons_fts_ad AFTER DELETE ON lessons BEGIN INSERT INTO lessons_fts(lessons_fts, rowid, title, observation, analysis, recommendation, problem_addressed, how_it_works, evidence, replication_needs) VALUES ('delete', old.id, old.title, old.observation, old.analysis, old.recommendation, old.problem_addressed, old.how_it_works, old.evidence, old.replication_needs); END",
    "CREATE TRIGGER IF NOT EXISTS lessons_fts_au AFTER UPDATE ON lessons BEGIN INSERT INTO lessons_fts(lessons_fts, rowid, title, observation, analysis, recommendation, problem_addressed, how_it_works, evidence, replication_needs) VALUES ('delete', old.id, old.title, old.observation, old.analysis, old.recommendation, old.problem_addressed, old.how_it_works, old.evidence, old.replication_needs); INSERT INTO lessons_fts(rowid, title, observation, analysis, recommendation, problem_addressed, how_it_works, evidence, replication_needs) VALUES (new.id, new.title, new.observation, new.analysis, new.recommendation, new.problem_addressed, new.how_it_works, new.evidence, new.replication_needs); END",
    "INSERT INTO lessons_fts(lessons_fts) VALUES ('rebuild')",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS lessons_fts_ai",
    "DROP TRIGGER IF EXISTS lessons_fts_ad",
    "DROP TRIGGER IF EXISTS lessons_fts_au",
    "DROP TABLE IF EXISTS lessons_fts",
]

POSTGRES_UP = [
    "CREATE INDEX IF NOT EXISTS ix_lessons_fulltext ON lessons USING GIN (to_tsvector('english', coalesce(title, '') || ' ' || coalesce(observation, '') || ' ' || coalesce(analysis, '') || ' ' || coalesce(recommendation, '') || ' ' || coalesce(problem_addressed, '') || ' ' || coalesce(how_it_works, '') || ' ' || coalesce(evidence, '') || ' ' || coalesce(replication_needs, '')))",
]

POSTGRES_DOWN = ["DROP INDEX IF EXISTS ix_lessons_fulltext"]


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(POSTGRES_UP)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(POSTGRES_DOWN)
