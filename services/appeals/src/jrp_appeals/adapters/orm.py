"""The appeals service's own tables.

`entries` is this service's copy of each list entry (from `list-entries.v1`), with the linked
persons' codes in `entry_linked_persons` so "the cases of subject X" is one indexed query.
`cases` holds objections and complaints (a complaint names its objection), `case_actions`
the history of every case and repair, `expert_draws` the complaint hearings' draws,
`repairs` the repair applications and `notifications` what each subject was told.
`departments_copy` is this service's copy of the departments (departments.v1), and the
`whistleblower_*` tables hold the whistle-blower reports (docs/whistleblowers.md).
"""

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
    LargeBinary,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)

from jrp_shared.calendar_copy import calendar_copy_table
from jrp_shared.catalog_copy import catalog_copy_tables
from jrp_shared.db import UtcDateTime
from jrp_shared.department_copy import department_copy_table
from jrp_shared.messaging.tables import messaging_tables
from jrp_shared.reminders import reminders_table

metadata = MetaData()
messaging = messaging_tables(metadata)
catalog_copy = catalog_copy_tables(metadata)
calendar_copy = calendar_copy_table(metadata)
# The reminders and escalations sent for cases and repair stages past their decision due day,
# one per item, step, kind, level and due day (jrp_shared.reminders; docs/due-process.md).
reminders = reminders_table(metadata)

_BIGINT = BigInteger().with_variant(Integer(), "sqlite")

_AWAITING_EXIT = "status = 'in_force' AND exit_notified_at IS NULL"

entries = Table(
    "entries",
    metadata,
    Column("entry_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("subject_code", String(18), nullable=False, index=True),
    Column("subject_type", String(24), nullable=False),
    Column("subject_name", String(200), nullable=False),
    Column("list_type", String(100), nullable=False),
    Column("list_type_version", Integer, nullable=False),
    Column("colour", String(10), nullable=False),
    Column("initiating_department", String(32), nullable=False, index=True),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    # in_force | suspended | revoked | repaired; expired is computed on reading.
    Column("status", String(24), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # Set once, by whoever sends the exit notice first (the consumer on revoked or repaired,
    # or the expiry sweep): a conditional UPDATE claims it, so one notice per entry, ever.
    Column("exit_notified_at", UtcDateTime()),
    Index(
        "entries_awaiting_exit_notice",
        "period_end",
        postgresql_where=text(_AWAITING_EXIT),
        sqlite_where=text(_AWAITING_EXIT),
    ),
)

entry_linked_persons = Table(
    "entry_linked_persons",
    metadata,
    Column(
        "entry_id",
        String(64),
        ForeignKey("entries.entry_id", name="entry_linked_persons_entry_fkey"),
        nullable=False,
    ),
    Column("resident_id", String(18), nullable=False, index=True),
    PrimaryKeyConstraint("entry_id", "resident_id", name="entry_linked_persons_pkey"),
)

# Which departments hold an order from which entry, from enforcement's order-status.v1: an
# implementing department may object only to an entry it was ordered to apply (DOMAIN.md §7).
order_holders = Table(
    "order_holders",
    metadata,
    Column("entry_id", String(64), nullable=False),
    Column("department", String(32), nullable=False),
    Column("first_seen_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("entry_id", "department", name="order_holders_pkey"),
)

_OPEN = "state = 'open'"
_AWAITING_CORRECTION = "correction_due IS NOT NULL AND correction_met_at IS NULL"
_PENDING = "state = 'pending'"

cases = Table(
    "cases",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("kind", String(16), nullable=False, comment="CaseKind"),
    Column(
        "entry_id",
        String(64),
        ForeignKey("entries.entry_id", name="cases_entry_fkey"),
        nullable=False,
        index=True,
    ),
    Column("entry_version", Integer, nullable=False),
    Column("subject_code", String(18), nullable=False, comment="the listed subject"),
    Column("list_type", String(100), nullable=False),
    Column("provider", String(32), nullable=False, index=True),
    Column("filed_by_kind", String(16), nullable=False, comment="PartyKind"),
    Column("filed_by_code", String(32), nullable=False),
    Column("filed_by_agent", String(32)),
    Column("grounds", Text, nullable=False),
    Column("evidence_references", JSON, nullable=False),
    Column("suspends", Boolean, nullable=False),
    Column("filed_at", UtcDateTime(), nullable=False),
    Column("decision_due", Date, nullable=False),
    Column("due_provisional", Boolean, nullable=False),
    Column("working_days", Integer, nullable=False, comment="the due date's count, to recompute"),
    Column("state", String(16), nullable=False, comment="CaseState"),
    Column(
        "objection_id",
        String(36),
        ForeignKey("cases.case_id", name="cases_objection_fkey"),
        comment="a complaint's objection",
    ),
    Column("outcome", String(24)),
    Column("remedy", String(16)),
    Column("correction", JSON),
    Column("reasons", Text),
    Column("decided_by", String(64)),
    Column(
        "decided_by_officer",
        String(40),
        comment="the officer of decided_by who decided (docs/security.md, Officers)",
    ),
    Column("decided_at", UtcDateTime()),
    Column("restoration_department", String(32)),
    Column("restoration_recorded_at", UtcDateTime()),
    # The list type's own review, as at filing (the court's list, 法释〔2017〕7号 第十二条).
    Column("review", JSON, comment="ObjectionReview; null: the provincial rule (§7)"),
    Column("correction_due", Date, comment="upheld under review: correct by this day"),
    Column("correction_due_provisional", Boolean),
    Column("correction_entry_version", Integer, comment="the version the correction replaces"),
    Column("correction_met_at", UtcDateTime()),
    Column("appeal_window_ends", Date, comment="dismissed under review: appeal until this day"),
    # One open case per entry, one complaint per objection, whatever races past the checks.
    Index(
        "cases_one_open_per_entry",
        "entry_id",
        unique=True,
        postgresql_where=text(_OPEN),
        sqlite_where=text(_OPEN),
    ),
    Index("cases_one_complaint_per_objection", "objection_id", unique=True),
    # Every entry event asks for the corrections it may meet: few rows, looked up by entry.
    Index(
        "cases_awaiting_correction",
        "entry_id",
        postgresql_where=text(_AWAITING_CORRECTION),
        sqlite_where=text(_AWAITING_CORRECTION),
    ),
)

# Appeals to the higher court against a dismissed objection (法释〔2017〕7号 第十二条), one per
# objection; the history goes to case_actions under the objection.
objection_appeals = Table(
    "objection_appeals",
    metadata,
    Column("appeal_id", String(36), primary_key=True),
    Column(
        "objection_id",
        String(36),
        ForeignKey("cases.case_id", name="objection_appeals_objection_fkey"),
        nullable=False,
        unique=True,
    ),
    Column("department", String(32), nullable=False, index=True, comment="the higher court"),
    Column("filed_by_kind", String(16), nullable=False),
    Column("filed_by_code", String(32), nullable=False),
    Column("filed_by_agent", String(32)),
    Column("grounds", Text, nullable=False),
    Column("evidence_references", JSON, nullable=False),
    Column("filed_at", UtcDateTime(), nullable=False),
    Column("decision_due", Date, nullable=False),
    Column("state", String(16), nullable=False, comment="CaseState"),
    Column("outcome", String(16), comment="AppealOutcome"),
    Column("remedy", String(16)),
    Column("correction", JSON),
    Column("reasons", Text),
    Column("decided_by", String(64)),
    Column("decided_at", UtcDateTime()),
    Column(
        "decided_by_officer",
        String(40),
        comment="the officer of decided_by who decided (docs/security.md, Officers)",
    ),
)

case_actions = Table(
    "case_actions",
    metadata,
    Column("id", _BIGINT, primary_key=True, autoincrement=True),
    Column("case_id", String(36), nullable=False, index=True, comment="a case or a repair"),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("detail", JSON, nullable=False),
)

expert_draws = Table(
    "expert_draws",
    metadata,
    Column("id", _BIGINT, primary_key=True, autoincrement=True),
    Column(
        "case_id",
        String(36),
        ForeignKey("cases.case_id", name="expert_draws_case_fkey"),
        nullable=False,
        index=True,
    ),
    Column("seed", JSON, nullable=False, comment="int or string given to random.Random"),
    Column("pool", JSON, nullable=False),
    Column("expert_count", Integer, nullable=False),
    Column("experts", JSON, nullable=False, comment="the draw, in drawing order"),
    Column("drawn_by", String(64), nullable=False),
    Column("drawn_at", UtcDateTime(), nullable=False),
)

_AWAITING_FORWARD = "state = 'pending' AND forwarded_at IS NULL"

repairs = Table(
    "repairs",
    metadata,
    Column("repair_id", String(36), primary_key=True),
    Column(
        "entry_id",
        String(64),
        ForeignKey("entries.entry_id", name="repairs_entry_fkey"),
        nullable=False,
        index=True,
    ),
    Column("subject_code", String(18), nullable=False, comment="the listed subject"),
    Column("applicant", String(18), nullable=False),
    Column("agent", String(32)),
    Column("department", String(32), nullable=False, index=True),
    Column("route", String(32), nullable=False, comment="RepairRoute"),
    Column("evidence", JSON, nullable=False),
    Column("commitment_text", Text, nullable=False),
    Column("commitment_signed_on", Date, nullable=False),
    Column("applied_at", UtcDateTime(), nullable=False),
    Column("tier", String(16), comment="DishonestySeverity"),
    # Stage 1: the credit portal forwards (DOMAIN.md §11).
    Column("forward_due", Date, nullable=False),
    Column("forward_due_provisional", Boolean, nullable=False),
    Column("forward_working_days", Integer, nullable=False),
    Column("forwarded_at", UtcDateTime()),
    Column("forwarded_by", String(64)),
    # Stage 2: the authority decides (the latest possible date until forwarded).
    Column("decision_due", Date, nullable=False),
    Column("due_provisional", Boolean, nullable=False),
    Column("working_days", Integer, nullable=False),
    # Stage 3: the result pushed to the other platforms (at the decision's commit, for now).
    Column("push_working_days", Integer, nullable=False),
    Column("push_due", Date),
    Column("push_due_provisional", Boolean, nullable=False),
    Column("pushed_at", UtcDateTime()),
    Column("state", String(16), nullable=False, comment="RepairState"),
    Column("approved", Boolean),
    Column("reasons", Text),
    Column("decided_by", String(64)),
    Column(
        "decided_by_officer",
        String(40),
        comment="the officer of decided_by who decided (docs/security.md, Officers)",
    ),
    Column("decided_at", UtcDateTime()),
    Index(
        "repairs_by_forward_due",
        "forward_due",
        postgresql_where=text(_AWAITING_FORWARD),
        sqlite_where=text(_AWAITING_FORWARD),
    ),
    Index(
        "repairs_one_pending_per_entry",
        "entry_id",
        unique=True,
        postgresql_where=text(_PENDING),
        sqlite_where=text(_PENDING),
    ),
)

_EXIT = "about = 'exit'"
_PENALTY_DECISION = "about = 'penalty_decision'"
_REPAIR_GUIDANCE = "about = 'repair_guidance'"

notifications = Table(
    "notifications",
    metadata,
    Column("notification_id", String(36), primary_key=True),
    Column("subject_code", String(18), nullable=False, index=True),
    Column("about", String(16), nullable=False),
    Column("case_id", String(64), nullable=False, comment="case, repair, entry or decision"),
    Column("entry_id", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # Whatever races past the claims: one exit notice per entry and recipient, one 两书同达
    # notice per penalty decision and recipient, one repair guidance per entry and recipient.
    Index(
        "notifications_one_exit",
        "entry_id",
        "subject_code",
        unique=True,
        postgresql_where=text(_EXIT),
        sqlite_where=text(_EXIT),
    ),
    Index(
        "notifications_one_penalty_decision",
        "case_id",
        "subject_code",
        unique=True,
        postgresql_where=text(_PENALTY_DECISION),
        sqlite_where=text(_PENALTY_DECISION),
    ),
    Index(
        "notifications_one_repair_guidance",
        "entry_id",
        "subject_code",
        unique=True,
        postgresql_where=text(_REPAIR_GUIDANCE),
        sqlite_where=text(_REPAIR_GUIDANCE),
    ),
)


# --- departments (departments.v1) and whistle-blower reports (DOMAIN.md §9) ---------------------

# Routes whistle-blower reports (jrp_shared.department_copy).
departments_copy = department_copy_table(metadata)

whistleblower_numbers = Table(
    "whistleblower_numbers",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last", Integer, nullable=False, comment="the last report number given that year"),
)

whistleblower_reports = Table(
    "whistleblower_reports",
    metadata,
    Column("report_id", String(36), primary_key=True),
    Column("number", String(24), nullable=False, unique=True, comment="JB-2026-000123"),
    Column("query_code_hash", String(200), nullable=False, comment="scrypt; the code is not kept"),
    Column("subject_code", String(18)),
    Column("subject_name", String(200)),
    Column("domain", String(64), nullable=False),
    Column("facts", Text, nullable=False),
    Column("occurred_on", Date),
    Column("place", String(200)),
    Column("anonymous", Boolean, nullable=False),
    Column("identity_key_id", String(64), comment="the key that sealed the identity"),
    Column("identity_sealed", LargeBinary, comment="AES-GCM nonce + ciphertext; null: anonymous"),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("due", Date, nullable=False),
    Column("due_provisional", Boolean, nullable=False),
    Column("working_days", Integer, nullable=False),
    Column("state", String(16), nullable=False, index=True, comment="ReportState"),
    Column("accepted_by", String(64)),
    Column("accepted_at", UtcDateTime()),
    Column("outcome", String(16), comment="ReportOutcome"),
    Column("reasons", Text),
    Column("entry_id", String(64), comment="substantiated: the entry it led to, if any"),
    Column("reward_amount", Numeric(14, 2)),
    Column("reward_description", Text),
    Column("decided_by", String(64)),
    Column("decided_at", UtcDateTime()),
    Column(
        "accepted_by_officer",
        String(40),
        comment="the officer of accepted_by who accepted it (docs/security.md, Officers)",
    ),
    Column(
        "decided_by_officer",
        String(40),
        comment="the officer of decided_by who decided it (docs/security.md, Officers)",
    ),
)

whistleblower_routes = Table(
    "whistleblower_routes",
    metadata,
    Column(
        "report_id",
        String(36),
        ForeignKey("whistleblower_reports.report_id", name="whistleblower_routes_report_fkey"),
        nullable=False,
    ),
    Column("department", String(32), nullable=False, index=True),
    PrimaryKeyConstraint("report_id", "department", name="whistleblower_routes_pkey"),
)

whistleblower_attachments = Table(
    "whistleblower_attachments",
    metadata,
    Column("id", _BIGINT, primary_key=True, autoincrement=True),
    Column(
        "report_id",
        String(36),
        ForeignKey("whistleblower_reports.report_id", name="whistleblower_attachments_report_fkey"),
        nullable=False,
        index=True,
    ),
    Column("position", Integer, nullable=False),
    Column("filename", String(200), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
)

whistleblower_actions = Table(
    "whistleblower_actions",
    metadata,
    Column("id", _BIGINT, primary_key=True, autoincrement=True),
    Column("report_id", String(36), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("detail", JSON, nullable=False),
)

whistleblower_disclosures = Table(
    "whistleblower_disclosures",
    metadata,
    Column("id", _BIGINT, primary_key=True, autoincrement=True),
    Column("report_id", String(36), nullable=False, index=True),
    Column("disclosed_by", String(64), nullable=False),
    Column(
        "disclosed_by_officer",
        String(40),
        comment="the office's officer who lifted the identity (docs/security.md, Officers)",
    ),
    Column("disclosed_at", UtcDateTime(), nullable=False),
    Column("reason", Text, nullable=False),
)
