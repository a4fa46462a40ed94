"""awaiting correction index: every entry event looks up the corrections it may meet, by entry

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 04:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AWAITING_CORRECTION = "correction_due IS NOT NULL AND correction_met_at IS NULL"


def upgrade() -> None:
    op.create_index(
        "cases_awaiting_correction",
        "cases",
        ["entry_id"],
        postgresql_where=sa.text(_AWAITING_CORRECTION),
        sqlite_where=sa.text(_AWAITING_CORRECTION),
    )


def downgrade() -> None:
    op.drop_index("cases_awaiting_correction", table_name="cases")
