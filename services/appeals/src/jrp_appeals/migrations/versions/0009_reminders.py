"""reminders: the reminders and escalations sent for objections, complaints, objection appeals
and repair stages past their decision due day (issue 15)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("reminder_id", sa.String(length=36), nullable=False),
        sa.Column(
            "item_id",
            sa.String(length=64),
            nullable=False,
            comment="order, case, appeal or repair",
        ),
        sa.Column(
            "step", sa.Integer(), nullable=False, comment="order revision, repair stage, else 1"
        ),
        sa.Column("kind", sa.String(length=24), nullable=False, comment="OverdueKind"),
        sa.Column("level", sa.String(length=16), nullable=False, comment="ReminderLevel"),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("due_provisional", sa.Boolean(), nullable=False),
        sa.Column(
            "escalation_due",
            sa.Date(),
            nullable=True,
            comment="a reminder's: escalated after this day",
        ),
        sa.Column("overdue_working_days", sa.Integer(), nullable=False),
        sa.Column(
            "department",
            sa.String(length=32),
            nullable=False,
            comment="the department that must act",
        ),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("subject_code", sa.String(length=18), nullable=False),
        sa.Column("list_type", sa.String(length=100), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reminder_id"),
        sa.UniqueConstraint("item_id", "step", "kind", "level", "due", name="reminders_once"),
    )
    op.create_index(
        "reminders_department_level", "reminders", ["department", "level"], unique=False
    )


def downgrade() -> None:
    op.drop_index("reminders_department_level", table_name="reminders")
    op.drop_table("reminders")
