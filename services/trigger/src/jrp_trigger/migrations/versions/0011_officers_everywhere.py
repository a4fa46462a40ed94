"""the officer who voted at a recognition meeting, recorded an expert's vote, published or
withdrew a publicity decision, nominated, withdrew or selected a typical case (issue 16,
officer accounts; the escalation decision's officer is in its JSON)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS: tuple[tuple[str, str, str], ...] = (
    (
        "recognition_votes",
        "voted_by_officer",
        "the officer of department who voted (docs/security.md, Officers)",
    ),
    (
        "expert_votes",
        "recorded_by_officer",
        "the office's officer who recorded it (docs/security.md, Officers)",
    ),
    (
        "publicity_decisions",
        "withdrawn_by_officer",
        "the officer of withdrawn_by who withdrew it (docs/security.md, Officers)",
    ),
    (
        "publicity_decisions",
        "published_by_officer",
        "the officer of department who published it (docs/security.md, Officers)",
    ),
    (
        "typical_cases",
        "nominated_by_officer",
        "the officer of department who nominated it (docs/security.md, Officers)",
    ),
    (
        "typical_cases",
        "withdrawn_by_officer",
        "the officer of department who withdrew it (docs/security.md, Officers)",
    ),
    (
        "typical_cases",
        "selected_by_officer",
        "the office's officer who selected it (docs/security.md, Officers)",
    ),
)


def upgrade() -> None:
    for table, column, comment in _COLUMNS:
        op.add_column(table, sa.Column(column, sa.String(length=40), comment=comment))


def downgrade() -> None:
    for table, column, _comment in reversed(_COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
