"""the big-data warning list: one row per stay of a subject on it (issue 15, DOMAIN.md §11)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "warning_list",
        sa.Column("id", _BIGINT, primary_key=True, autoincrement=True),
        sa.Column("subject_code", sa.String(length=18), nullable=False),
        sa.Column("key_areas", sa.JSON(), nullable=False, comment="sorted distinct key areas"),
        sa.Column("entry_ids", sa.JSON(), nullable=False, comment="the watch entries counted"),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_warning_list_subject_code", "warning_list", ["subject_code"])
    op.create_index(
        "warning_list_open_subject",
        "warning_list",
        ["subject_code"],
        unique=True,
        postgresql_where=sa.text("until IS NULL"),
        sqlite_where=sa.text("until IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("warning_list_open_subject", table_name="warning_list")
    op.drop_index("ix_warning_list_subject_code", table_name="warning_list")
    op.drop_table("warning_list")
