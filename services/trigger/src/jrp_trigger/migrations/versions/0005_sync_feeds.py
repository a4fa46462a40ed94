"""sync feeds and deletion deadlines (issue 12; 法释〔2017〕7号 第十条)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 03:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    # Nullable columns only: no existing entry has a deletion ground.
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deletion_ground', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('deletion_arose_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('deletion_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('deletion_working_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deletion_due_provisional', sa.Boolean(), nullable=True, comment='counted without an official schedule'))
        batch_op.add_column(sa.Column('deletion_met_on', sa.Date(), nullable=True))
    op.create_table('sync_feeds',
    sa.Column('feed_id', sa.String(length=36), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('feed_ref', sa.String(length=100), nullable=True, comment="the department's own id of the feed"),
    sa.Column('mode', sa.String(length=16), nullable=False, comment='snapshot | delta'),
    sa.Column('list_type', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False, comment='open | completing | completed'),
    sa.Column('absent_reason', sa.Text(), nullable=True),
    sa.Column('expected_lines', _BIGINT, nullable=True),
    sa.Column('lines_received', _BIGINT, nullable=False),
    sa.Column('created', _BIGINT, nullable=False),
    sa.Column('corrected', _BIGINT, nullable=False),
    sa.Column('unchanged', _BIGINT, nullable=False),
    sa.Column('revoked', _BIGINT, nullable=False),
    sa.Column('rejected', _BIGINT, nullable=False),
    sa.Column('skipped', _BIGINT, nullable=False),
    sa.Column('absent_revoked', _BIGINT, nullable=False),
    sa.Column('processing_seconds', sa.Float(), nullable=False, comment='time spent on lines'),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('feed_id'),
    sa.UniqueConstraint('department', 'feed_ref', name='sync_feeds_department_ref')
    )
    op.create_index('sync_feeds_department_started', 'sync_feeds', ['department', 'started_at'], unique=False)
    op.create_table('sync_feed_records',
    sa.Column('feed_id', sa.String(length=36), nullable=False),
    sa.Column('record_id', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['feed_id'], ['sync_feeds.feed_id'], name='sync_feed_records_feed_fkey'),
    sa.PrimaryKeyConstraint('feed_id', 'record_id', name='sync_feed_records_pkey'),
    comment='the record ids a snapshot named: what its completion does not revoke'
    )
    op.create_table('sync_feed_rejections',
    sa.Column('feed_id', sa.String(length=36), nullable=False),
    sa.Column('line', _BIGINT, nullable=False),
    sa.Column('record_id', sa.String(length=100), nullable=True),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['feed_id'], ['sync_feeds.feed_id'], name='sync_feed_rejections_feed_fkey'),
    sa.PrimaryKeyConstraint('feed_id', 'line', name='sync_feed_rejections_pkey')
    )


def downgrade() -> None:
    op.drop_table('sync_feed_rejections')
    op.drop_table('sync_feed_records')
    op.drop_index('sync_feeds_department_started', table_name='sync_feeds')
    op.drop_table('sync_feeds')
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.drop_column('deletion_met_on')
        batch_op.drop_column('deletion_due_provisional')
        batch_op.drop_column('deletion_working_days')
        batch_op.drop_column('deletion_due')
        batch_op.drop_column('deletion_arose_on')
        batch_op.drop_column('deletion_ground')
