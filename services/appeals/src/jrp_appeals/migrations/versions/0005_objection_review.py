"""objection review: a list type's own review of objections (the court's list), the correction
deadline after an upheld request and appeals to the higher court (法释〔2017〕7号 第十二条)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "cases",
        sa.Column(
            "review", sa.JSON(), comment="ObjectionReview; null: the provincial rule (§7)"
        ),
    )
    op.add_column(
        "cases",
        sa.Column("correction_due", sa.Date(), comment="upheld under review: correct by this day"),
    )
    op.add_column("cases", sa.Column("correction_due_provisional", sa.Boolean()))
    op.add_column(
        "cases",
        sa.Column(
            "correction_entry_version",
            sa.Integer(),
            comment="the version the correction replaces",
        ),
    )
    op.add_column("cases", sa.Column("correction_met_at", sa.DateTime(timezone=True)))
    op.add_column(
        "cases",
        sa.Column(
            "appeal_window_ends", sa.Date(), comment="dismissed under review: appeal until this day"
        ),
    )
    op.create_table(
        "objection_appeals",
        sa.Column("appeal_id", sa.String(length=36), nullable=False),
        sa.Column("objection_id", sa.String(length=36), nullable=False),
        sa.Column(
            "department", sa.String(length=32), nullable=False, comment="the higher court"
        ),
        sa.Column("filed_by_kind", sa.String(length=16), nullable=False),
        sa.Column("filed_by_code", sa.String(length=32), nullable=False),
        sa.Column("filed_by_agent", sa.String(length=32)),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("evidence_references", sa.JSON(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision_due", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False, comment="CaseState"),
        sa.Column("outcome", sa.String(length=16), comment="AppealOutcome"),
        sa.Column("remedy", sa.String(length=16)),
        sa.Column("correction", sa.JSON()),
        sa.Column("reasons", sa.Text()),
        sa.Column("decided_by", sa.String(length=64)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(
            ["objection_id"], ["cases.case_id"], name="objection_appeals_objection_fkey"
        ),
        sa.PrimaryKeyConstraint("appeal_id"),
        sa.UniqueConstraint("objection_id"),
    )
    op.create_index(
        op.f("ix_objection_appeals_department"), "objection_appeals", ["department"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_objection_appeals_department"), table_name="objection_appeals")
    op.drop_table("objection_appeals")
    for column in (
        "appeal_window_ends",
        "correction_met_at",
        "correction_entry_version",
        "correction_due_provisional",
        "correction_due",
        "review",
    ):
        op.drop_column("cases", column)
