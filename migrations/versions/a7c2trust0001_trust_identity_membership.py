"""Trust: confirmed email, pending email change, deleted accounts, memberships granted by their
organisation, organisation email domains, when co-organisers were appointed, when an entry's
marking was set, who added a registration and when its needs were erased.

Existing accounts count as confirmed (they signed up before confirmation existed) and their
organisation becomes an approved membership; existing co-organisers count as appointed when the
event was created; existing entries count as marked when created.

Revision ID: a7c2trust0001
Revises: f1b2revoked01
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c2trust0001"
down_revision = "f1b2revoked01"
branch_labels = None
depends_on = None

STATUSES = ("pending", "approved", "rejected", "ended")


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("pending_email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE users SET email_confirmed_at = created_at")

    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum(*STATUSES, name="membership_status", native_enum=False,
                                    create_constraint=True, length=32), nullable=False),
        sa.Column("is_admin", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.current_timestamp(),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.current_timestamp(),
                  nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_memberships_organisation_id_organisations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_memberships_decided_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
    )
    op.create_index(op.f("ix_memberships_user_id"), "memberships", ["user_id"], unique=False)
    op.create_index(op.f("ix_memberships_organisation_id"), "memberships", ["organisation_id"], unique=False)
    op.create_index(op.f("ix_memberships_status"), "memberships", ["status"], unique=False)
    op.execute(
        "INSERT INTO memberships (user_id, organisation_id, status, is_admin, via, requested_at, decided_at,"
        " created_at, updated_at)"
        " SELECT id, organisation_id, 'approved', false, 'admin', created_at, created_at, created_at, created_at"
        " FROM users WHERE organisation_id IS NOT NULL"
    )

    op.create_table(
        "organisation_domains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_organisation_domains_organisation_id_organisations"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_domains")),
        sa.UniqueConstraint("domain", name=op.f("uq_organisation_domains_domain")),
    )
    op.create_index(op.f("ix_organisation_domains_organisation_id"), "organisation_domains", ["organisation_id"],
                    unique=False)

    with op.batch_alter_table("event_organisers") as batch:
        batch.add_column(sa.Column("added_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE event_organisers SET added_at = (SELECT created_at FROM events"
               " WHERE events.id = event_organisers.event_id)")

    with op.batch_alter_table("lessons") as batch:
        batch.add_column(sa.Column("marked_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE lessons SET marked_at = created_at")

    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("added_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("needs_erased_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(op.f("fk_registrations_added_by_id_users"), "users", ["added_by_id"], ["id"],
                                 ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("registrations") as batch:
        batch.drop_constraint(op.f("fk_registrations_added_by_id_users"), type_="foreignkey")
        batch.drop_column("needs_erased_at")
        batch.drop_column("added_by_id")
    with op.batch_alter_table("lessons") as batch:
        batch.drop_column("marked_at")
    with op.batch_alter_table("event_organisers") as batch:
        batch.drop_column("added_at")
    op.drop_index(op.f("ix_organisation_domains_organisation_id"), table_name="organisation_domains")
    op.drop_table("organisation_domains")
    op.drop_index(op.f("ix_memberships_status"), table_name="memberships")
    op.drop_index(op.f("ix_memberships_organisation_id"), table_name="memberships")
    op.drop_index(op.f("ix_memberships_user_id"), table_name="memberships")
    op.drop_table("memberships")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("deleted_at")
        batch.drop_column("pending_email")
        batch.drop_column("email_confirmed_at")
