"""recognition meetings that cannot be rigged: expert pools, expert votes, escalation
(issue 14 part 3; DOMAIN.md §5 step 2, 002 二(二)2)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 07:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('expert_pools',
    sa.Column('group_code', sa.String(length=100), nullable=False, comment='the special group (a domain)'),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('experts', sa.JSON(), nullable=False, comment='[{expert_id, name, department}]'),
    sa.Column('departments', sa.JSON(), nullable=False, comment="the group's member departments"),
    sa.Column('changed_by', sa.String(length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('group_code', 'version', name='expert_pools_pkey')
    )
    op.create_table('expert_votes',
    sa.Column('entry_id', sa.String(length=36), nullable=False),
    sa.Column('entry_version', sa.Integer(), nullable=False, comment='the version voted on'),
    sa.Column('expert_id', sa.String(length=64), nullable=False),
    sa.Column('vote', sa.String(length=16), nullable=False, comment='RecognitionVote'),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.String(length=32), nullable=False, comment='the office, from the minutes'),
    sa.Column('voted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['list_entries.entry_id'], name='expert_votes_entry_fkey'),
    sa.PrimaryKeyConstraint('entry_id', 'entry_version', 'expert_id', name='expert_votes_pkey')
    )
    op.add_column('expert_draws', sa.Column('pool_group', sa.String(length=100), nullable=True, comment='the special group whose pool was drawn from'))
    op.add_column('expert_draws', sa.Column('pool_version', sa.Integer(), nullable=True, comment='the pool version drawn from'))
    op.add_column('expert_draws', sa.Column('excluded', sa.JSON(), nullable=True, comment="expert ids left out (the initiating department's)"))
    op.add_column('expert_draws', sa.Column('reason', sa.Text(), nullable=True, comment='why the office drew again; null for the first draw'))
    op.add_column('list_entries', sa.Column('recognition_escalation', sa.JSON(), nullable=True, comment='escalated to the joint conference office'))


def downgrade() -> None:
    op.drop_column('list_entries', 'recognition_escalation')
    op.drop_column('expert_draws', 'reason')
    op.drop_column('expert_draws', 'excluded')
    op.drop_column('expert_draws', 'pool_version')
    op.drop_column('expert_draws', 'pool_group')
    op.drop_table('expert_votes')
    op.drop_table('expert_pools')
