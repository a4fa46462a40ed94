"""publicity decisions: the double-publicity (双公示) decisions of publicity.v1 and their
withdrawals, for the public lookup (DOMAIN.md §12)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 06:00:00.000000
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
        "publicity_decisions",
        sa.Column("decision_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="PublicityKind"),
        sa.Column("counterpart_code", sa.String(length=18), nullable=False),
        sa.Column("counterpart_name", sa.String(length=200), nullable=False),
        sa.Column("decision_number", sa.String(length=200), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column(
            "published_on", sa.Date(), nullable=False, comment="published_at, as a date in China"
        ),
        sa.Column(
            "publication_ends",
            sa.Date(),
            nullable=False,
            comment="公示截止期, the last day shown",
        ),
        sa.Column("payload", sa.JSON(), nullable=False, comment="PublicityDecisionPublished"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("decision_id"),
    )
    op.create_index(
        "publicity_decisions_counterpart", "publicity_decisions", ["counterpart_code"]
    )
    op.create_index("publicity_decisions_number", "publicity_decisions", ["decision_number"])
    op.create_index("publicity_decisions_ends", "publicity_decisions", ["publication_ends"])
    op.create_table(
        "publicity_withdrawals",
        sa.Column("decision_id", sa.String(length=64), nullable=False),
        sa.Column(
            "version", sa.Integer(), nullable=False, comment="the version that was withdrawn"
        ),
        sa.Column("reason", sa.String(length=16), nullable=False, comment="PublicationEnd"),
        sa.Column("withdrawn_by", sa.String(length=64), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("decision_id"),
    )


def downgrade() -> None:
    op.drop_table("publicity_withdrawals")
    op.drop_index("publicity_decisions_ends", table_name="publicity_decisions")
    op.drop_index("publicity_decisions_number", table_name="publicity_decisions")
    op.drop_index("publicity_decisions_counterpart", table_name="publicity_decisions")
    op.drop_table("publicity_decisions")
