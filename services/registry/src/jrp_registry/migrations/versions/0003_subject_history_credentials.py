"""subject history (subject_versions) and department credential versions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 00:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    versions = op.create_table(
        "subject_versions",
        sa.Column("code", sa.String(length=18), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column(
            "linked_persons", sa.JSON(), nullable=False, comment="role, name, resident_id"
        ),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["code"], ["subjects.code"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code", "revision", name="subject_versions_pkey"),
    )
    op.add_column(
        "departments",
        sa.Column(
            "credential_version",
            sa.Integer(),
            server_default="1",
            nullable=False,
            comment="grows when a secret is set or the roles or active flag change: older "
            "tokens are revoked (docs/security.md)",
        ),
    )
    # The history starts with each subject's current revision, as last written.
    bind = op.get_bind()
    subjects = sa.table(
        "subjects",
        sa.column("code"),
        sa.column("revision"),
        sa.column("name"),
        sa.column("division_code"),
        sa.column("updated_at"),
        sa.column("updated_by"),
    )
    people = sa.table(
        "linked_persons",
        sa.column("subject_code"),
        sa.column("position"),
        sa.column("role"),
        sa.column("name"),
        sa.column("resident_id"),
    )
    linked: dict[str, list[dict[str, str]]] = {}
    for p in bind.execute(sa.select(people).order_by(people.c.subject_code, people.c.position)):
        linked.setdefault(p.subject_code, []).append(
            {"role": p.role, "name": p.name, "resident_id": p.resident_id}
        )
    rows = [
        {
            "code": s.code,
            "revision": s.revision,
            "name": s.name,
            "division_code": s.division_code,
            "linked_persons": linked.get(s.code, []),
            "recorded_at": s.updated_at or datetime.now(UTC),
            "recorded_by": s.updated_by,
        }
        for s in bind.execute(sa.select(subjects))
    ]
    if rows:
        op.bulk_insert(versions, rows)


def downgrade() -> None:
    op.drop_column("departments", "credential_version")
    op.drop_table("subject_versions")
