"""The roster of facilities (issue 22): facilities, their themes, and the facility an event or a
session is held at.

Revision ID: p22facil0001
Revises: c23badge0001
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = 'p22facil0001'
down_revision = "c23badge0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('facilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('training_centre', 'laboratory', 'test_bed', 'demonstration_site', 'border_crossing_point', 'forensic_lab', 'shooting_range', 'cyber_range', 'other', name='facility_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('active', 'archived', name='facility_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('languages', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('capabilities', sa.Text(), nullable=True),
    sa.Column('accessibility', sa.Text(), nullable=True),
    sa.Column('availability', sa.Text(), nullable=True),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 0', name=op.f('ck_facilities_capacity_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_facilities_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_facilities_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facilities'))
    )
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_facilities_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_facilities_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_facilities_status_country', ['status', 'country'], unique=False)

    op.create_table('facility_themes',
    sa.Column('facility_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_facility_themes_facility_id_facilities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_facility_themes_theme_id_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('facility_id', 'theme_id', name=op.f('pk_facility_themes'))
    )
    with op.batch_alter_table('facility_themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_facility_themes_theme_id'), ['theme_id'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facility_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_events_facility_id'), ['facility_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_events_facility_id_facilities'), 'facilities', ['facility_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facility_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_sessions_facility_id'), ['facility_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_sessions_facility_id_facilities'), 'facilities', ['facility_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sessions_facility_id_facilities'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_sessions_facility_id'))
        batch_op.drop_column('facility_id')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_events_facility_id_facilities'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_events_facility_id'))
        batch_op.drop_column('facility_id')

    with op.batch_alter_table('facility_themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_facility_themes_theme_id'))

    op.drop_table('facility_themes')
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.drop_index('ix_facilities_status_country')
        batch_op.drop_index(batch_op.f('ix_facilities_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_facilities_kind'))

    op.drop_table('facilities')
