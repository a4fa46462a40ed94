"""The registry's own tables (its database is its own; others keep copies from events)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from jrp_shared.db import UtcDateTime
from jrp_shared.messaging.tables import messaging_tables

metadata = MetaData()
messaging = messaging_tables(metadata)

subjects = Table(
    "subjects",
    metadata,
    Column("code", String(18), primary_key=True),
    Column("subject_type", String(30), nullable=False),
    Column("name", String(300), nullable=False),
    Column("division_code", String(6), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("warnings", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(32), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("updated_by", String(32), nullable=False),
    Column(
        "source",
        String(20),
        nullable=False,
        server_default="registered",
        comment="registered: by a department here; listed: known only from a list entry "
        "(list-entries.v1), until a department registers it (docs/public-lookup.md)",
    ),
)
Index("subjects_name", subjects.c.name)

# Search keys of each subject's name (jrp_registry.domain.names): folded simplified name, full
# pinyin, initials. On PostgreSQL trigram indexes serve the LIKE '%..%' prefilter.
subject_search = Table(
    "subject_search",
    metadata,
    Column("code", String(18), ForeignKey("subjects.code", ondelete="CASCADE"), primary_key=True),
    Column("name_key", String(300), nullable=False),
    Column("pinyin", String(2000), nullable=False),
    Column("initials", String(300), nullable=False),
)
for _column in ("name_key", "pinyin", "initials"):
    Index(
        f"subject_search_{_column}_trgm",
        subject_search.c[_column],
        postgresql_using="gin",
        postgresql_ops={_column: "gin_trgm_ops"},
    )

# The registry's projection of list entries (list-entries.v1): the public lookup reads it, and
# an authorised read will (the latest ListEntryInForce payload is kept whole).
list_entries = Table(
    "list_entries",
    metadata,
    Column("entry_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("subject_code", String(18), nullable=False),
    Column("subject_type", String(30), nullable=False),
    Column("subject_name", String(300), nullable=False),
    Column("list_type", String(100), nullable=False),
    Column("colour", String(10), nullable=False),
    Column("disclosure_class", String(30), nullable=False),
    Column("initiating_department", String(32), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("payload", JSON, nullable=False, comment="the latest ListEntryInForce, as sent"),
    Column("updated_at", UtcDateTime(), nullable=False),
)
Index("list_entries_subject", list_entries.c.subject_code)

linked_persons = Table(
    "linked_persons",
    metadata,
    Column("subject_code", String(18), ForeignKey("subjects.code", ondelete="CASCADE")),
    Column("position", Integer, nullable=False),
    Column("role", String(40), nullable=False),
    Column("name", String(100), nullable=False),
    Column("resident_id", String(18), nullable=False),
    PrimaryKeyConstraint("subject_code", "position", name="linked_persons_pkey"),
)
Index("linked_persons_resident_id", linked_persons.c.resident_id)

# Every revision of a subject as it was written, and by whom (the change history: who may
# change a subject is checked, and what each change did stays visible).
subject_versions = Table(
    "subject_versions",
    metadata,
    Column("code", String(18), ForeignKey("subjects.code", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("name", String(300), nullable=False),
    Column("division_code", String(6), nullable=False),
    Column("linked_persons", JSON, nullable=False, comment="role, name, resident_id"),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("recorded_by", String(32), nullable=False),
    PrimaryKeyConstraint("code", "revision", name="subject_versions_pkey"),
)

domains = Table(
    "domains",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("name_en", String(200), nullable=False),
)

departments = Table(
    "departments",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("definition", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("secret_hash", Text),
    Column(
        "credential_version",
        Integer,
        nullable=False,
        server_default="1",
        comment="grows when a secret is set or the roles or active flag change: older tokens "
        "are revoked (docs/security.md)",
    ),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("updated_by", String(32), nullable=False),
)

officers = Table(
    "officers",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("username", String(40), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("department_code", String(32), ForeignKey("departments.code"), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column(
        "credential_version",
        Integer,
        nullable=False,
        server_default="1",
        comment="grows when the password or roles change or the officer is deactivated",
    ),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("updated_by", String(80), nullable=False),
    Column("last_sign_in_at", UtcDateTime()),
    Index("ix_officers_department_code", "department_code"),
)


def _versions(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("code", String(100), nullable=False),
        Column("version", Integer, nullable=False),
        Column("effective_from", Date, nullable=False),
        Column("definition", JSON, nullable=False),
        Column("recorded_at", UtcDateTime(), nullable=False),
        Column("recorded_by", String(32), nullable=False),
        PrimaryKeyConstraint("code", "version", name=f"{name}_pkey"),
    )


list_type_versions = _versions("list_type_versions")
measure_versions = _versions("measure_versions")

calendar_schedules = Table(
    "calendar_schedules",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("schedule", JSON, nullable=False),
    Column("loaded_at", UtcDateTime(), nullable=False),
    Column("loaded_by", String(32), nullable=False),
)

# Due-process cases as the appeals service reports them (appeals.v1): the registry's per-subject
# timeline, so a portal shows a subject its cases without asking appeals (docs/due-process.md).
subject_cases = Table(
    "subject_cases",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("subject_code", String(18), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("entry_id", String(64), nullable=False),
    Column("objection_id", String(64)),
    Column("state", String(20), nullable=False),
    Column("outcome", String(40)),
    Column("remedy", String(20)),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("decision_due", Date),
    Column("decided_at", UtcDateTime()),
    Column("last_event_type", String(200), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
Index("subject_cases_subject", subject_cases.c.subject_code, subject_cases.c.opened_at)

# Double-publicity decisions (双公示) as trigger publishes them (publicity.v1): the latest
# version of each, with the columns the public lookup filters on, and the whole payload to show
# (DOMAIN.md §12). A withdrawal (repaired or revoked) is its own row: it hides every version.
publicity_decisions = Table(
    "publicity_decisions",
    metadata,
    Column("decision_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("kind", String(16), nullable=False, comment="PublicityKind"),
    Column("counterpart_code", String(18), nullable=False),
    Column("counterpart_name", String(200), nullable=False),
    Column("decision_number", String(200), nullable=False),
    Column("decision_date", Date, nullable=False),
    Column("published_on", Date, nullable=False, comment="published_at, as a date in China"),
    Column("publication_ends", Date, nullable=False, comment="公示截止期, the last day shown"),
    Column("payload", JSON, nullable=False, comment="PublicityDecisionPublished"),
    Column("updated_at", UtcDateTime(), nullable=False),
)
Index("publicity_decisions_counterpart", publicity_decisions.c.counterpart_code)
Index("publicity_decisions_number", publicity_decisions.c.decision_number)
Index("publicity_decisions_ends", publicity_decisions.c.publication_ends)

publicity_withdrawals = Table(
    "publicity_withdrawals",
    metadata,
    Column("decision_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False, comment="the version that was withdrawn"),
    Column("reason", String(16), nullable=False, comment="PublicationEnd"),
    Column("withdrawn_by", String(64), nullable=False),
    Column("withdrawn_at", UtcDateTime(), nullable=False),
)

# Authorised reads of a subject's full credit record (DOMAIN.md §3, 000 (四)): every one is
# recorded (who, about whom, why, which entries were shown); a credit report is kept with its
# verification code and digest, so the public lookup can say what it stated.
_BIGINT = BigInteger().with_variant(Integer(), "sqlite")

credit_record_reads = Table(
    "credit_record_reads",
    metadata,
    Column("id", _BIGINT, primary_key=True, autoincrement=True),
    Column("read_at", UtcDateTime(), nullable=False),
    Column("reader", String(64), nullable=False, comment="department code or subject:<code>"),
    Column("reader_kind", String(16), nullable=False, comment="department | subject"),
    Column("agent", String(32), comment="the portal acting for a subject"),
    Column("subject_code", String(18), nullable=False),
    Column("purpose", String(24)),
    Column("business_reference", String(200)),
    Column("what", String(16), nullable=False, comment="record | report"),
    Column("report_id", String(40)),
    Column("shown", JSON, nullable=False, comment="entry ids and versions shown, withheld count"),
)
Index(
    "credit_record_reads_subject", credit_record_reads.c.subject_code, credit_record_reads.c.read_at
)

credit_reports = Table(
    "credit_reports",
    metadata,
    Column("report_id", String(40), primary_key=True),
    Column("verification_code", String(19), nullable=False, unique=True),
    Column("subject_code", String(18), nullable=False),
    Column("subject_type", String(30), nullable=False),
    Column("subject_name", String(300), nullable=False),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("issued_to", String(64), nullable=False),
    Column("purpose", String(24)),
    Column("summary", JSON, nullable=False, comment="the entries the report stated"),
    Column("digest", String(64), nullable=False, comment="SHA-256 of the PDF"),
)
