"""check batches: purpose, business reference and review flags of each batch must-check

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_batches",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "department", sa.String(length=32), nullable=False, comment="the department that asked"
        ),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("business_reference", sa.String(length=200), nullable=False),
        sa.Column("codes", sa.Integer(), nullable=False),
        sa.Column(
            "persons", sa.Integer(), nullable=False, comment="codes shaped like a resident ID"
        ),
        sa.Column("listed", sa.Integer(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False, comment="why the office should review it"),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("batch_id"),
    )
    op.create_index("check_batches_asked_at", "check_batches", ["asked_at"], unique=False)


def downgrade() -> None:
    op.drop_index("check_batches_asked_at", table_name="check_batches")
    op.drop_table("check_batches")
