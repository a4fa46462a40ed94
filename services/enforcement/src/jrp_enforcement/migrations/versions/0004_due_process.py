"""due process: suspension of entries and orders while a case is verified (DOMAIN.md §7)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 23:36:43.123680
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable columns only: existing rows are simply not suspended (SQLite and PostgreSQL).
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspension_case_kind', sa.String(length=16), nullable=True, comment='CaseKind'))
        batch_op.add_column(sa.Column('suspension_case_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('suspended_since', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('sanction_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('suspension_case_kind', sa.String(length=16), nullable=True, comment='CaseKind'))
        batch_op.add_column(sa.Column('suspension_case_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sanction_orders', schema=None) as batch_op:
        batch_op.drop_column('suspension_case_id')
        batch_op.drop_column('suspension_case_kind')
        batch_op.drop_column('suspended_at')

    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.drop_column('suspended_since')
        batch_op.drop_column('suspension_case_id')
        batch_op.drop_column('suspension_case_kind')
