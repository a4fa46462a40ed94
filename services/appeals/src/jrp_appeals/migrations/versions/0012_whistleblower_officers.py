"""the officer who accepted or decided a whistle-blower report, or lifted its reporter's
identity, and the higher court's officer who decided an objection appeal (issue 16, officer
accounts)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS: tuple[tuple[str, str, str], ...] = (
    (
        "objection_appeals",
        "decided_by_officer",
        "the officer of decided_by who decided (docs/security.md, Officers)",
    ),
    (
        "whistleblower_reports",
        "accepted_by_officer",
        "the officer of accepted_by who accepted it (docs/security.md, Officers)",
    ),
    (
        "whistleblower_reports",
        "decided_by_officer",
        "the officer of decided_by who decided it (docs/security.md, Officers)",
    ),
    (
        "whistleblower_disclosures",
        "disclosed_by_officer",
        "the office's officer who lifted the identity (docs/security.md, Officers)",
    ),
)


def upgrade() -> None:
    for table, column, comment in _COLUMNS:
        op.add_column(table, sa.Column(column, sa.String(length=40), comment=comment))


def downgrade() -> None:
    for table, column, _comment in reversed(_COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
