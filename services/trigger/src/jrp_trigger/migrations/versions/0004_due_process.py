"""due process: the case suspending an entry and the repair ending it (DOMAIN.md §7, §8)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 23:36:15.098880
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable columns only: existing rows are neither suspended nor repaired. batch_alter_table
    # is a plain ALTER on PostgreSQL and a table copy on SQLite.
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspension_case_kind', sa.String(length=16), nullable=True, comment='CaseKind'))
        batch_op.add_column(sa.Column('suspension_case_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('suspended_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('repair_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('repaired_by', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('repaired_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.drop_column('repaired_at')
        batch_op.drop_column('repaired_by')
        batch_op.drop_column('repair_id')
        batch_op.drop_column('suspended_since')
        batch_op.drop_column('suspension_case_id')
        batch_op.drop_column('suspension_case_kind')
