"""exit notices: entries.exit_notified_at (claimed once), one exit / 两书同达 notice per recipient

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AWAITING_EXIT = "status = 'in_force' AND exit_notified_at IS NULL"
_EXIT = "about = 'exit'"
_PENALTY_DECISION = "about = 'penalty_decision'"


def upgrade() -> None:
    op.add_column("entries", sa.Column("exit_notified_at", sa.DateTime(timezone=True)))
    op.create_index(
        "entries_awaiting_exit_notice",
        "entries",
        ["period_end"],
        postgresql_where=sa.text(_AWAITING_EXIT),
        sqlite_where=sa.text(_AWAITING_EXIT),
    )
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column(
            "case_id",
            existing_type=sa.String(36),
            type_=sa.String(64),
            existing_nullable=False,
            comment="case, repair, entry or decision",
        )
    op.create_index(
        "notifications_one_exit",
        "notifications",
        ["entry_id", "subject_code"],
        unique=True,
        postgresql_where=sa.text(_EXIT),
        sqlite_where=sa.text(_EXIT),
    )
    op.create_index(
        "notifications_one_penalty_decision",
        "notifications",
        ["case_id", "subject_code"],
        unique=True,
        postgresql_where=sa.text(_PENALTY_DECISION),
        sqlite_where=sa.text(_PENALTY_DECISION),
    )


def downgrade() -> None:
    op.drop_index("notifications_one_penalty_decision", table_name="notifications")
    op.drop_index("notifications_one_exit", table_name="notifications")
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column(
            "case_id",
            existing_type=sa.String(64),
            type_=sa.String(36),
            existing_nullable=False,
            comment=None,
        )
    op.drop_index("entries_awaiting_exit_notice", table_name="entries")
    op.drop_column("entries", "exit_notified_at")
