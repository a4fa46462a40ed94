"""repair stages: tier, the portal's forwarding, the decision, the result's push, each with its
due date (DOMAIN.md §11; 国办发〔2025〕22号); one repair guidance notice per entry and recipient

Repairs filed before: they went straight to the deciding department, so they count as forwarded
on receipt (their decision due date stays); the decided ones as pushed at their decision.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 06:30:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REPAIR_GUIDANCE = "about = 'repair_guidance'"
_FILLED: dict[str, sa.types.TypeEngine[Any]] = {
    "forward_due": sa.Date(),
    "forward_due_provisional": sa.Boolean(),
    "forward_working_days": sa.Integer(),
    "push_working_days": sa.Integer(),
}


def upgrade() -> None:
    with op.batch_alter_table("repairs") as batch:
        batch.add_column(sa.Column("tier", sa.String(16), comment="DishonestySeverity"))
        batch.add_column(sa.Column("forward_due", sa.Date()))
        batch.add_column(sa.Column("forward_due_provisional", sa.Boolean()))
        batch.add_column(sa.Column("forward_working_days", sa.Integer()))
        batch.add_column(sa.Column("forwarded_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("forwarded_by", sa.String(64)))
        batch.add_column(sa.Column("push_working_days", sa.Integer()))
        batch.add_column(sa.Column("push_due", sa.Date()))
        batch.add_column(
            sa.Column(
                "push_due_provisional", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(sa.Column("pushed_at", sa.DateTime(timezone=True)))
    op.execute(
        "UPDATE repairs SET forward_due = decision_due, forward_due_provisional = due_provisional, "
        "forward_working_days = working_days, push_working_days = 3, "
        "forwarded_at = applied_at, forwarded_by = 'appeals'"
    )
    op.execute(
        "UPDATE repairs SET push_due = CAST(decided_at AS DATE), pushed_at = decided_at "
        "WHERE decided_at IS NOT NULL"
    )
    with op.batch_alter_table("repairs") as batch:
        for name, kind in _FILLED.items():
            batch.alter_column(name, existing_type=kind, nullable=False)
        batch.alter_column("push_due_provisional", server_default=None)
    op.create_index(
        "repairs_by_forward_due",
        "repairs",
        ["forward_due"],
        postgresql_where=sa.text("state = 'pending' AND forwarded_at IS NULL"),
        sqlite_where=sa.text("state = 'pending' AND forwarded_at IS NULL"),
    )
    op.create_index(
        "notifications_one_repair_guidance",
        "notifications",
        ["entry_id", "subject_code"],
        unique=True,
        postgresql_where=sa.text(_REPAIR_GUIDANCE),
        sqlite_where=sa.text(_REPAIR_GUIDANCE),
    )


def downgrade() -> None:
    op.drop_index("notifications_one_repair_guidance", table_name="notifications")
    op.drop_index("repairs_by_forward_due", table_name="repairs")
    with op.batch_alter_table("repairs") as batch:
        for name in (
            "pushed_at",
            "push_due_provisional",
            "push_due",
            "push_working_days",
            "forwarded_by",
            "forwarded_at",
            "forward_working_days",
            "forward_due_provisional",
            "forward_due",
            "tier",
        ):
            batch.drop_column(name)
