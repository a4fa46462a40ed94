"""order holders: which departments hold an order from which entry (who may object)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_holders",
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "department", name="order_holders_pkey"),
    )


def downgrade() -> None:
    op.drop_table("order_holders")
