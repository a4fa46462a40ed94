"""whistle-blower reports (DOMAIN.md §9): the reports, their routes, evidence attachments,
history and identity disclosures, the per-year number counter; the copy of the departments
(departments.v1) that routes them

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "departments_copy",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("credential_version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False, comment="DepartmentPublished, whole"),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="the event's time: an older event never replaces a newer one",
        ),
        comment="the registry's departments (departments.v1)",
    )
    op.create_table(
        "whistleblower_numbers",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column(
            "last", sa.Integer(), nullable=False, comment="the last report number given that year"
        ),
    )
    op.create_table(
        "whistleblower_reports",
        sa.Column("report_id", sa.String(36), primary_key=True),
        sa.Column("number", sa.String(24), nullable=False, unique=True, comment="JB-2026-000123"),
        sa.Column(
            "query_code_hash",
            sa.String(200),
            nullable=False,
            comment="scrypt; the code is not kept",
        ),
        sa.Column("subject_code", sa.String(18)),
        sa.Column("subject_name", sa.String(200)),
        sa.Column("domain", sa.String(64), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("occurred_on", sa.Date()),
        sa.Column("place", sa.String(200)),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("identity_key_id", sa.String(64), comment="the key that sealed the identity"),
        sa.Column(
            "identity_sealed",
            sa.LargeBinary(),
            comment="AES-GCM nonce + ciphertext; null: anonymous",
        ),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("due_provisional", sa.Boolean(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, comment="ReportState"),
        sa.Column("accepted_by", sa.String(64)),
        sa.Column("accepted_at", sa.DateTime(timezone=True)),
        sa.Column("outcome", sa.String(16), comment="ReportOutcome"),
        sa.Column("reasons", sa.Text()),
        sa.Column("entry_id", sa.String(64), comment="substantiated: the entry it led to, if any"),
        sa.Column("reward_amount", sa.Numeric(14, 2)),
        sa.Column("reward_description", sa.Text()),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_whistleblower_reports_state", "whistleblower_reports", ["state"])
    op.create_table(
        "whistleblower_routes",
        sa.Column(
            "report_id",
            sa.String(36),
            sa.ForeignKey(
                "whistleblower_reports.report_id", name="whistleblower_routes_report_fkey"
            ),
            nullable=False,
        ),
        sa.Column("department", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("report_id", "department", name="whistleblower_routes_pkey"),
    )
    op.create_index(
        "ix_whistleblower_routes_department", "whistleblower_routes", ["department"]
    )
    op.create_table(
        "whistleblower_attachments",
        sa.Column("id", _BIGINT, primary_key=True, autoincrement=True),
        sa.Column(
            "report_id",
            sa.String(36),
            sa.ForeignKey(
                "whistleblower_reports.report_id", name="whistleblower_attachments_report_fkey"
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )
    op.create_index(
        "ix_whistleblower_attachments_report_id", "whistleblower_attachments", ["report_id"]
    )
    op.create_table(
        "whistleblower_actions",
        sa.Column("id", _BIGINT, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.String(36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index(
        "ix_whistleblower_actions_report_id", "whistleblower_actions", ["report_id"]
    )
    op.create_table(
        "whistleblower_disclosures",
        sa.Column("id", _BIGINT, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.String(36), nullable=False),
        sa.Column("disclosed_by", sa.String(64), nullable=False),
        sa.Column("disclosed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index(
        "ix_whistleblower_disclosures_report_id", "whistleblower_disclosures", ["report_id"]
    )


def downgrade() -> None:
    op.drop_table("whistleblower_disclosures")
    op.drop_table("whistleblower_actions")
    op.drop_table("whistleblower_attachments")
    op.drop_table("whistleblower_routes")
    op.drop_table("whistleblower_reports")
    op.drop_table("whistleblower_numbers")
    op.drop_table("departments_copy")
