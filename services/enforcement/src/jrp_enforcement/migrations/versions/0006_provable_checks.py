"""provable checks: check ids and purposes on the audit rows, the audit hash chain, and the
history of entries for checks as of a past instant (issue 13)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 06:00:00.000000
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
    with op.batch_alter_table("check_audit") as batch:
        batch.add_column(sa.Column("check_id", sa.String(length=80), nullable=True))
        batch.add_column(
            sa.Column("purpose", sa.String(length=24), nullable=True, comment="CheckPurpose")
        )
        batch.add_column(sa.Column("business_reference", sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column(
                "as_of",
                sa.DateTime(timezone=True),
                nullable=True,
                comment="set for a check of a past instant",
            )
        )
        batch.add_column(
            sa.Column(
                "chain_seq",
                _BIGINT,
                nullable=True,
                comment="position in the chain, contiguous from 1",
            )
        )
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column(
                "row_hash",
                sa.String(length=64),
                nullable=True,
                comment="SHA-256 of prev_hash and the row's fields",
            )
        )
    # Rows stored before: their check id was only inside the answer.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE check_audit SET check_id = answer->>'check_id' WHERE check_id IS NULL")
    else:
        op.execute(
            "UPDATE check_audit SET check_id = json_extract(answer, '$.check_id') "
            "WHERE check_id IS NULL"
        )
    op.create_index("check_audit_check_id", "check_audit", ["check_id"], unique=True)
    op.create_index("check_audit_chain_seq", "check_audit", ["chain_seq"], unique=True)
    op.create_index(
        "check_audit_department_asked_at", "check_audit", ["department", "asked_at"], unique=False
    )
    op.create_index(
        "check_audit_unsealed",
        "check_audit",
        ["id"],
        unique=False,
        postgresql_where=sa.text("chain_seq IS NULL"),
        sqlite_where=sa.text("chain_seq IS NULL"),
    )
    op.create_table(
        "check_audit_chain",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "seq", _BIGINT, nullable=False, comment="chain_seq of the last sealed row"
        ),
        sa.Column(
            "head_hash", sa.String(length=64), nullable=False, comment="row_hash of that row"
        ),
        sa.Column("last_id", _BIGINT, nullable=False, comment="check_audit.id of that row"),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "entry_history",
        sa.Column("id", _BIGINT, autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False, comment="ListEntryStatus"),
        sa.Column("suspension_case_kind", sa.String(length=16), nullable=True, comment="CaseKind"),
        sa.Column(
            "payload", sa.JSON(), nullable=True, comment="the ListEntryInForce of a stored version"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_entry_history_entry_id", "entry_history", ["entry_id"], unique=False)
    op.create_table(
        "entry_target_history",
        sa.Column("id", _BIGINT, autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=18), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False, comment="TargetRole"),
        sa.Column("subject_type", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_entry_target_history_code", "entry_target_history", ["code"], unique=False
    )
    op.create_index(
        "entry_target_history_entry_version",
        "entry_target_history",
        ["entry_id", "version"],
        unique=False,
    )
    # Entries stored before this migration: their current state is their first history row
    # (what happened to them earlier was not kept).
    op.execute(
        "INSERT INTO entry_history (entry_id, at, version, status, suspension_case_kind, payload) "
        "SELECT entry_id, updated_at, version, status, suspension_case_kind, payload "
        "FROM list_entries ORDER BY updated_at, entry_id"
    )
    op.execute(
        "INSERT INTO entry_target_history (entry_id, version, code, role, subject_type, name) "
        "SELECT t.entry_id, e.version, t.code, t.role, t.subject_type, t.name "
        "FROM entry_targets t JOIN list_entries e ON e.entry_id = t.entry_id"
    )


def downgrade() -> None:
    op.drop_index("entry_target_history_entry_version", table_name="entry_target_history")
    op.drop_index("ix_entry_target_history_code", table_name="entry_target_history")
    op.drop_table("entry_target_history")
    op.drop_index("ix_entry_history_entry_id", table_name="entry_history")
    op.drop_table("entry_history")
    op.drop_table("check_audit_chain")
    op.drop_index("check_audit_unsealed", table_name="check_audit")
    op.drop_index("check_audit_department_asked_at", table_name="check_audit")
    op.drop_index("check_audit_chain_seq", table_name="check_audit")
    op.drop_index("check_audit_check_id", table_name="check_audit")
    with op.batch_alter_table("check_audit") as batch:
        for column in (
            "row_hash",
            "prev_hash",
            "chain_seq",
            "as_of",
            "business_reference",
            "purpose",
            "check_id",
        ):
            batch.drop_column(column)
