"""the officer who acknowledged receipt of an order or completed its feedback (issue 16,
officer accounts)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "sanction_orders",
        sa.Column(
            "received_by_officer",
            sa.String(length=40),
            comment="the officer of department who acknowledged receipt (docs/security.md, "
            "Officers)",
        ),
    )
    op.add_column(
        "sanction_orders",
        sa.Column(
            "fed_back_by_officer",
            sa.String(length=40),
            comment="the officer of department whose report completed the feedback",
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("sanction_orders") as batch:
        batch.drop_column("fed_back_by_officer")
        batch.drop_column("received_by_officer")
