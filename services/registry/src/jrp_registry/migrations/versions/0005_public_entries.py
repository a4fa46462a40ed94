"""public side: list entries projection, listed subjects (source), name search keys

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jrp_registry.domain.names import keys_of

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEYS = ("name_key", "pinyin", "initials")


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    op.add_column(
        "subjects",
        sa.Column(
            "source",
            sa.String(length=20),
            server_default="registered",
            nullable=False,
            comment="registered: by a department here; listed: known only from a list entry "
            "(list-entries.v1), until a department registers it (docs/public-lookup.md)",
        ),
    )
    search = op.create_table(
        "subject_search",
        sa.Column("code", sa.String(length=18), nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.Column("pinyin", sa.String(length=2000), nullable=False),
        sa.Column("initials", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["code"], ["subjects.code"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code"),
    )
    if postgres:
        # Trigram indexes serve LIKE '%福%州%' (PostgreSQL only; SQLite scans).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in _KEYS:
            op.create_index(
                f"subject_search_{column}_trgm",
                "subject_search",
                [column],
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )
    op.create_table(
        "list_entries",
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("subject_code", sa.String(length=18), nullable=False),
        sa.Column("subject_type", sa.String(length=30), nullable=False),
        sa.Column("subject_name", sa.String(length=300), nullable=False),
        sa.Column("list_type", sa.String(length=100), nullable=False),
        sa.Column("colour", sa.String(length=10), nullable=False),
        sa.Column("disclosure_class", sa.String(length=30), nullable=False),
        sa.Column("initiating_department", sa.String(length=32), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column(
            "payload", sa.JSON(), nullable=False, comment="the latest ListEntryInForce, as sent"
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    op.create_index("list_entries_subject", "list_entries", ["subject_code"])
    # The subjects registered before: their search keys.
    subjects = sa.table("subjects", sa.column("code"), sa.column("name"))
    rows = []
    for s in bind.execute(sa.select(subjects.c.code, subjects.c.name)):
        keys = keys_of(s.name)
        rows.append(
            {
                "code": s.code,
                "name_key": keys.name_key,
                "pinyin": keys.pinyin,
                "initials": keys.initials,
            }
        )
    if rows:
        op.bulk_insert(search, rows)


def downgrade() -> None:
    op.drop_index("list_entries_subject", table_name="list_entries")
    op.drop_table("list_entries")
    op.drop_table("subject_search")
    op.drop_column("subjects", "source")
