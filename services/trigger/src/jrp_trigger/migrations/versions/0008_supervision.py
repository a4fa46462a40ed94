"""supervision: due-process facts, reminders inbox, typical cases for monthly reports
(issue 15 part A; DOMAIN.md §5 step 5, §9)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 09:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('supervision_cases',
    sa.Column('kind', sa.String(length=20), nullable=False, comment='OverdueKind: objection, complaint, ...'),
    sa.Column('case_id', sa.String(length=64), nullable=False, comment='the case, appeal or repair id'),
    sa.Column('entry_id', sa.String(length=64), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False, comment='the provider or deciding one'),
    sa.Column('list_type', sa.String(length=100), nullable=False, comment="'' when not known"),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False, comment='China date of filed_at'),
    sa.Column('decision_due', sa.Date(), nullable=False),
    sa.Column('due_provisional', sa.Boolean(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True, comment='China date of decided_at'),
    sa.Column('outcome', sa.String(length=32), nullable=True, comment='ObjectionOutcome, AppealOutcome, approved/refused'),
    sa.PrimaryKeyConstraint('kind', 'case_id', name='supervision_cases_pkey')
    )
    op.create_index('supervision_cases_department', 'supervision_cases', ['department', 'filed_on'], unique=False)
    op.create_index('supervision_cases_decided', 'supervision_cases', ['decided_on'], unique=False)
    op.create_table('supervision_reminders',
    sa.Column('reminder_id', sa.String(length=128), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False, comment='ReminderLevel'),
    sa.Column('kind', sa.String(length=20), nullable=False, comment='OverdueKind'),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('entry_id', sa.String(length=64), nullable=False),
    sa.Column('subject_code', sa.String(length=18), nullable=False),
    sa.Column('list_type', sa.String(length=100), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False, comment='the department that must act'),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('due_provisional', sa.Boolean(), nullable=False),
    sa.Column('overdue_working_days', sa.Integer(), nullable=False),
    sa.Column('escalation_due', sa.Date(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False, comment='China date of issued_at'),
    sa.PrimaryKeyConstraint('reminder_id')
    )
    op.create_index('supervision_reminders_department', 'supervision_reminders', ['department', 'issued_on'], unique=False)
    op.create_table('typical_cases',
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False, comment='YYYY-MM the case is reported for'),
    sa.Column('department', sa.String(length=32), nullable=False, comment='the nominating department'),
    sa.Column('kind', sa.String(length=20), nullable=False, comment='trustworthiness | dishonesty'),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('subject_code', sa.String(length=18), nullable=True),
    sa.Column('entry_id', sa.String(length=64), nullable=True),
    sa.Column('nominated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('nominated_on', sa.Date(), nullable=False, comment='China date of nominated_at'),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('selected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('selected_by', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_index('typical_cases_month', 'typical_cases', ['month', 'department'], unique=False)


def downgrade() -> None:
    op.drop_index('typical_cases_month', table_name='typical_cases')
    op.drop_table('typical_cases')
    op.drop_index('supervision_reminders_department', table_name='supervision_reminders')
    op.drop_table('supervision_reminders')
    op.drop_index('supervision_cases_decided', table_name='supervision_cases')
    op.drop_index('supervision_cases_department', table_name='supervision_cases')
    op.drop_table('supervision_cases')
