"""the officer who revoked an entry or recorded a version (issue 16, officer accounts)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "list_entries",
        sa.Column(
            "revoked_by_officer",
            sa.String(length=40),
            comment="the officer of revoked_by who revoked (docs/security.md, Officers)",
        ),
    )
    op.add_column(
        "list_entry_versions",
        sa.Column(
            "recorded_by_officer",
            sa.String(length=40),
            comment="the officer of recorded_by who posted or corrected it (docs/security.md)",
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("list_entry_versions") as batch:
        batch.drop_column("recorded_by_officer")
    with op.batch_alter_table("list_entries") as batch:
        batch.drop_column("revoked_by_officer")
