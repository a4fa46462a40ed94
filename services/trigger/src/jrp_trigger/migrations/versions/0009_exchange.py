"""exchange with other platforms: exchange records, the department copy, entries' origin
(issue 15 part 3; DOMAIN.md §11; docs/exchange.md)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 09:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'list_entries',
        sa.Column('origin', sa.JSON(), nullable=True, comment="EntryOrigin; null for this platform's own entries"),
    )
    op.create_table('exchange_records',
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('entry_id', sa.String(length=36), nullable=False),
    sa.Column('entry_version', sa.Integer(), nullable=False),
    sa.Column('operation', sa.String(length=16), nullable=False, comment='ExchangeOperation'),
    sa.Column('payload', sa.JSON(), nullable=False, comment='ExchangeRecordPushed of attempt 1'),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('push_due', sa.Date(), nullable=False, comment='working day it must be accepted by'),
    sa.Column('provisional', sa.Boolean(), nullable=False, comment='push_due counted without schedule'),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_pushed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True, comment='our clock, on arrival'),
    sa.Column('acknowledged_by', sa.String(length=32), nullable=True, comment='the partner department'),
    sa.Column('accepted', sa.Boolean(), nullable=True),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('record_id'),
    sa.UniqueConstraint('entry_id', 'entry_version', 'operation', name='exchange_records_entry_operation')
    )
    op.create_index('exchange_records_push_due', 'exchange_records', ['push_due'], unique=False)
    op.create_index(op.f('ix_exchange_records_entry_id'), 'exchange_records', ['entry_id'], unique=False)
    op.create_table('departments_copy',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('credential_version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False, comment='DepartmentPublished, whole'),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False, comment="the event's time: an older event never replaces a newer one"),
    sa.PrimaryKeyConstraint('code'),
    comment="the registry's departments (departments.v1)"
    )


def downgrade() -> None:
    op.drop_table('departments_copy')
    op.drop_index(op.f('ix_exchange_records_entry_id'), table_name='exchange_records')
    op.drop_index('exchange_records_push_due', table_name='exchange_records')
    op.drop_table('exchange_records')
    op.drop_column('list_entries', 'origin')
