"""authorised credit-record reads and credit reports (issue 13)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "credit_record_reads",
        sa.Column("id", _BIGINT, primary_key=True, autoincrement=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "reader",
            sa.String(length=64),
            nullable=False,
            comment="department code or subject:<code>",
        ),
        sa.Column(
            "reader_kind", sa.String(length=16), nullable=False, comment="department | subject"
        ),
        sa.Column("agent", sa.String(length=32), comment="the portal acting for a subject"),
        sa.Column("subject_code", sa.String(length=18), nullable=False),
        sa.Column("purpose", sa.String(length=24)),
        sa.Column("business_reference", sa.String(length=200)),
        sa.Column("what", sa.String(length=16), nullable=False, comment="record | report"),
        sa.Column("report_id", sa.String(length=40)),
        sa.Column(
            "shown",
            sa.JSON(),
            nullable=False,
            comment="entry ids and versions shown, withheld count",
        ),
    )
    op.create_index(
        "credit_record_reads_subject", "credit_record_reads", ["subject_code", "read_at"]
    )
    op.create_table(
        "credit_reports",
        sa.Column("report_id", sa.String(length=40), primary_key=True),
        sa.Column("verification_code", sa.String(length=19), nullable=False, unique=True),
        sa.Column("subject_code", sa.String(length=18), nullable=False),
        sa.Column("subject_type", sa.String(length=30), nullable=False),
        sa.Column("subject_name", sa.String(length=300), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_to", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=24)),
        sa.Column("summary", sa.JSON(), nullable=False, comment="the entries the report stated"),
        sa.Column("digest", sa.String(length=64), nullable=False, comment="SHA-256 of the PDF"),
    )


def downgrade() -> None:
    op.drop_table("credit_reports")
    op.drop_index("credit_record_reads_subject", table_name="credit_record_reads")
    op.drop_table("credit_record_reads")
