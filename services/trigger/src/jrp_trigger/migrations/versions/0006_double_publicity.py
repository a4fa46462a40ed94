"""double publicity decisions (issue 13 part 4; DOMAIN.md §9, §12)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 06:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('publicity_decisions',
    sa.Column('decision_id', sa.String(length=36), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False, comment='the deciding department'),
    sa.Column('record_id', sa.String(length=100), nullable=False, comment="the department's own id"),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False, comment='licence | penalty'),
    sa.Column('state', sa.String(length=16), nullable=False, comment='pending|published|withheld|withdrawn'),
    sa.Column('withheld_reason', sa.String(length=24), nullable=True, comment='privacy | minor_unpublished'),
    sa.Column('counterpart_code', sa.String(length=18), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=True, comment='penalties: DishonestySeverity'),
    sa.Column('decision_date', sa.Date(), nullable=False),
    sa.Column('publication_due', sa.Date(), nullable=False, comment='7 working days after the decision'),
    sa.Column('due_provisional', sa.Boolean(), nullable=False, comment='counted without a schedule'),
    sa.Column('publication_months', sa.Integer(), nullable=False),
    sa.Column('publication_ends', sa.Date(), nullable=False, comment='公示截止期: last day shown'),
    sa.Column('repair_from', sa.Date(), nullable=True, comment='penalties: first day repair may be asked'),
    sa.Column('repair_guidance', sa.Text(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False, comment="the current version's submission"),
    sa.Column('fingerprint', sa.String(length=64), nullable=False, comment='of the current content'),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True, comment='first publication'),
    sa.Column('late', sa.Boolean(), nullable=True, comment='first published after publication_due'),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=32), nullable=True),
    sa.Column('withdrawal_reason', sa.String(length=16), nullable=True, comment='PublicationEnd'),
    sa.Column('withdrawal_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('decision_id'),
    sa.UniqueConstraint('department', 'record_id', name='publicity_decisions_department_record')
    )
    op.create_index('publicity_decisions_due', 'publicity_decisions', ['department', 'state', 'publication_due'], unique=False)
    op.create_index(op.f('ix_publicity_decisions_counterpart_code'), 'publicity_decisions', ['counterpart_code'], unique=False)
    op.create_table('publicity_decision_versions',
    sa.Column('decision_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['publicity_decisions.decision_id'], name='publicity_decision_versions_fkey'),
    sa.PrimaryKeyConstraint('decision_id', 'version', name='publicity_decision_versions_pkey')
    )


def downgrade() -> None:
    op.drop_table('publicity_decision_versions')
    op.drop_index(op.f('ix_publicity_decisions_counterpart_code'), table_name='publicity_decisions')
    op.drop_index('publicity_decisions_due', table_name='publicity_decisions')
    op.drop_table('publicity_decisions')
