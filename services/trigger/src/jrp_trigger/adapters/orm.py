"""The trigger service's own tables.

`list_entries` is one row per entry with what listing and filtering need; the content of every
version (the full history, DOMAIN.md §5 step 1) lives in `list_entry_versions`. Recognition
meetings (002 二(二)2) leave `recognition_votes` and `expert_draws`. The case suspending an
entry and the repair ending it are columns of its row (due process, DOMAIN.md §7, §8).
`order_statuses` is this service's copy of each sanction order's latest state, from
enforcement's `order-status.v1`.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from jrp_shared.calendar_copy import calendar_copy_table
from jrp_shared.catalog_copy import catalog_copy_tables
from jrp_shared.db import UtcDateTime
from jrp_shared.department_copy import department_copy_table
from jrp_shared.messaging.tables import messaging_tables

metadata = MetaData()
messaging = messaging_tables(metadata)
catalog_copy = catalog_copy_tables(metadata)
calendar_copy = calendar_copy_table(metadata)

_BIGINT = BigInteger().with_variant(Integer(), "sqlite")

list_entries = Table(
    "list_entries",
    metadata,
    Column("entry_id", String(36), primary_key=True),
    Column("department", String(32), nullable=False, comment="the initiating department"),
    Column("record_id", String(100), nullable=False, comment="the department's own id"),
    # awaiting_recognition | rejected | in_force | suspended | revoked | repaired; expired is
    # computed on reading.
    Column("status", String(24), nullable=False),
    Column("version", Integer, nullable=False),
    Column("subject_code", String(18), nullable=False, index=True),
    Column("subject_type", String(24), nullable=False),
    Column("subject_name", String(200), nullable=False),
    Column("list_type", String(100), nullable=False, index=True),
    Column("list_type_version", Integer, nullable=False),
    Column("colour", String(10), nullable=False),
    Column("decision_date", Date, nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("recognition_departments", JSON, nullable=False, comment="who must vote; [] if none"),
    Column("warnings", JSON, nullable=False),
    Column("original_hash", String(64), nullable=False, comment="fingerprint of version 1"),
    Column("current_hash", String(64), nullable=False, comment="fingerprint of the current"),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("in_force_since", UtcDateTime(), comment="first sent to enforcement"),
    Column("revoked_at", UtcDateTime()),
    Column("revoked_by", String(32)),
    Column(
        "revoked_by_officer",
        String(40),
        comment="the officer of revoked_by who revoked (docs/security.md, Officers)",
    ),
    Column("revoke_reason", Text),
    # The case suspending it (DOMAIN.md §7); null when not suspended.
    Column("suspension_case_kind", String(16), comment="CaseKind"),
    Column("suspension_case_id", String(64)),
    Column("suspended_since", UtcDateTime()),
    # Credit repair granted (DOMAIN.md §8).
    Column("repair_id", String(64)),
    Column("repaired_by", String(32)),
    Column("repaired_at", UtcDateTime()),
    # Deletion deadline (法释〔2017〕7号 第十条): the ground, when it arose, the working day it
    # is due, and the day (China) the revocation met it.
    Column("deletion_ground", String(100)),
    Column("deletion_arose_on", Date),
    Column("deletion_due", Date),
    Column("deletion_working_days", Integer),
    Column("deletion_due_provisional", Boolean, comment="counted without an official schedule"),
    Column("deletion_met_on", Date),
    # A recognition case spanning several special groups (002 二(二)2), and the office's decision.
    Column("recognition_escalation", JSON, comment="escalated to the joint conference office"),
    # Another region's entry, received through an exchange partner (DOMAIN.md §11).
    Column(
        "origin",
        JSON(none_as_null=True),
        comment="EntryOrigin; null for this platform's own entries",
    ),
    UniqueConstraint("department", "record_id", name="list_entries_department_record"),
)

list_entry_versions = Table(
    "list_entry_versions",
    metadata,
    Column(
        "entry_id",
        String(36),
        ForeignKey("list_entries.entry_id", name="list_entry_versions_entry_fkey"),
        nullable=False,
    ),
    Column("version", Integer, nullable=False),
    Column("list_type_version", Integer, nullable=False),
    Column("content", JSON, nullable=False, comment="the submission without record_id"),
    Column("reason", Text, comment="why it was corrected; null for version 1"),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("recorded_by", String(32), nullable=False),
    Column(
        "recorded_by_officer",
        String(40),
        comment="the officer of recorded_by who posted or corrected it (docs/security.md)",
    ),
    PrimaryKeyConstraint("entry_id", "version", name="list_entry_versions_pkey"),
)

recognition_votes = Table(
    "recognition_votes",
    metadata,
    Column(
        "entry_id",
        String(36),
        ForeignKey("list_entries.entry_id", name="recognition_votes_entry_fkey"),
        nullable=False,
    ),
    Column("entry_version", Integer, nullable=False, comment="the version voted on"),
    Column("department", String(32), nullable=False),
    Column("vote", String(16), nullable=False, comment="RecognitionVote"),
    Column("comment", Text),
    Column("voted_at", UtcDateTime(), nullable=False),
    Column(
        "voted_by_officer",
        String(40),
        comment="the officer of department who voted (docs/security.md, Officers)",
    ),
    PrimaryKeyConstraint("entry_id", "entry_version", "department", name="recognition_votes_pkey"),
)

expert_draws = Table(
    "expert_draws",
    metadata,
    Column("id", _BIGINT, primary_key=True, autoincrement=True),
    Column(
        "entry_id",
        String(36),
        ForeignKey("list_entries.entry_id", name="expert_draws_entry_fkey"),
        nullable=False,
        index=True,
    ),
    Column("seed", JSON, nullable=False, comment="int or string given to random.Random"),
    Column("pool", JSON, nullable=False),
    Column("expert_count", Integer, nullable=False),
    Column("experts", JSON, nullable=False, comment="the draw, in drawing order"),
    Column("drawn_by", String(32), nullable=False),
    Column("drawn_at", UtcDateTime(), nullable=False),
    # From the platform's pools (issue 14): which pool version, who was excluded, why redrawn.
    Column("pool_group", String(100), comment="the special group whose pool was drawn from"),
    Column("pool_version", Integer, comment="the pool version drawn from"),
    Column("excluded", JSON, comment="expert ids left out (the initiating department's)"),
    Column("reason", Text, comment="why the office drew again; null for the first draw"),
)

expert_pools = Table(
    "expert_pools",
    metadata,
    Column("group_code", String(100), nullable=False, comment="the special group (a domain)"),
    Column("version", Integer, nullable=False),
    Column("experts", JSON, nullable=False, comment="[{expert_id, name, department}]"),
    Column("departments", JSON, nullable=False, comment="the group's member departments"),
    Column("changed_by", String(32), nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("group_code", "version", name="expert_pools_pkey"),
)

expert_votes = Table(
    "expert_votes",
    metadata,
    Column(
        "entry_id",
        String(36),
        ForeignKey("list_entries.entry_id", name="expert_votes_entry_fkey"),
        nullable=False,
    ),
    Column("entry_version", Integer, nullable=False, comment="the version voted on"),
    Column("expert_id", String(64), nullable=False),
    Column("vote", String(16), nullable=False, comment="RecognitionVote"),
    Column("comment", Text),
    Column("recorded_by", String(32), nullable=False, comment="the office, from the minutes"),
    Column("voted_at", UtcDateTime(), nullable=False),
    Column(
        "recorded_by_officer",
        String(40),
        comment="the office's officer who recorded it (docs/security.md, Officers)",
    ),
    PrimaryKeyConstraint("entry_id", "entry_version", "expert_id", name="expert_votes_pkey"),
)

order_statuses = Table(
    "order_statuses",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("sequence", Integer, nullable=False, comment="only a higher one replaces the row"),
    Column("entry_id", String(64), nullable=False),
    Column("department", String(32), nullable=False),
    Column("state", String(16), nullable=False, comment="OrderState"),
    Column("payload", JSON, nullable=False, comment="the latest SanctionOrderStatus"),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("order_statuses_entry", "entry_id", "department"),
)

sync_feeds = Table(
    "sync_feeds",
    metadata,
    Column("feed_id", String(36), primary_key=True),
    Column("department", String(32), nullable=False),
    Column("feed_ref", String(100), comment="the department's own id of the feed"),
    Column("mode", String(16), nullable=False, comment="snapshot | delta"),
    Column("list_type", String(100), nullable=False),
    Column("status", String(16), nullable=False, comment="open | completing | completed"),
    Column("absent_reason", Text),
    Column("expected_lines", _BIGINT),
    Column("lines_received", _BIGINT, nullable=False),
    Column("created", _BIGINT, nullable=False),
    Column("corrected", _BIGINT, nullable=False),
    Column("unchanged", _BIGINT, nullable=False),
    Column("revoked", _BIGINT, nullable=False),
    Column("rejected", _BIGINT, nullable=False),
    Column("skipped", _BIGINT, nullable=False),
    Column("absent_revoked", _BIGINT, nullable=False),
    Column("processing_seconds", Float, nullable=False, comment="time spent on lines"),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("completed_at", UtcDateTime()),
    UniqueConstraint("department", "feed_ref", name="sync_feeds_department_ref"),
    Index("sync_feeds_department_started", "department", "started_at"),
)

sync_feed_records = Table(
    "sync_feed_records",
    metadata,
    Column(
        "feed_id",
        String(36),
        ForeignKey("sync_feeds.feed_id", name="sync_feed_records_feed_fkey"),
        nullable=False,
    ),
    Column("record_id", String(100), nullable=False),
    PrimaryKeyConstraint("feed_id", "record_id", name="sync_feed_records_pkey"),
    comment="the record ids a snapshot named: what its completion does not revoke",
)

sync_feed_rejections = Table(
    "sync_feed_rejections",
    metadata,
    Column(
        "feed_id",
        String(36),
        ForeignKey("sync_feeds.feed_id", name="sync_feed_rejections_feed_fkey"),
        nullable=False,
    ),
    Column("line", _BIGINT, nullable=False),
    Column("record_id", String(100)),
    Column("problems", JSON, nullable=False),
    PrimaryKeyConstraint("feed_id", "line", name="sync_feed_rejections_pkey"),
)

# Double publicity (双公示, DOMAIN.md §9, §12): one row per decision with what listing, deadlines
# and publication need; every version's content in `publicity_decision_versions`.
publicity_decisions = Table(
    "publicity_decisions",
    metadata,
    Column("decision_id", String(36), primary_key=True),
    Column("department", String(32), nullable=False, comment="the deciding department"),
    Column("record_id", String(100), nullable=False, comment="the department's own id"),
    Column("version", Integer, nullable=False),
    Column("kind", String(16), nullable=False, comment="licence | penalty"),
    Column("state", String(16), nullable=False, comment="pending|published|withheld|withdrawn"),
    Column("withheld_reason", String(24), comment="privacy | minor_unpublished"),
    Column("counterpart_code", String(18), nullable=False, index=True),
    Column("severity", String(16), comment="penalties: DishonestySeverity"),
    Column("decision_date", Date, nullable=False),
    Column("publication_due", Date, nullable=False, comment="7 working days after the decision"),
    Column("due_provisional", Boolean, nullable=False, comment="counted without a schedule"),
    Column("publication_months", Integer, nullable=False),
    Column("publication_ends", Date, nullable=False, comment="公示截止期: last day shown"),
    Column("repair_from", Date, comment="penalties: first day repair may be asked"),
    Column("repair_guidance", Text),
    Column("content", JSON, nullable=False, comment="the current version's submission"),
    Column("fingerprint", String(64), nullable=False, comment="of the current content"),
    Column("warnings", JSON, nullable=False),
    Column("published_at", UtcDateTime(), comment="first publication"),
    Column("late", Boolean, comment="first published after publication_due"),
    Column("withdrawn_at", UtcDateTime()),
    Column("withdrawn_by", String(32)),
    Column(
        "withdrawn_by_officer",
        String(40),
        comment="the officer of withdrawn_by who withdrew it (docs/security.md, Officers)",
    ),
    Column(
        "published_by_officer",
        String(40),
        comment="the officer of department who published it (docs/security.md, Officers)",
    ),
    Column("withdrawal_reason", String(16), comment="PublicationEnd"),
    Column("withdrawal_note", Text),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("department", "record_id", name="publicity_decisions_department_record"),
    Index("publicity_decisions_due", "department", "state", "publication_due"),
)

publicity_decision_versions = Table(
    "publicity_decision_versions",
    metadata,
    Column(
        "decision_id",
        String(36),
        ForeignKey("publicity_decisions.decision_id", name="publicity_decision_versions_fkey"),
        nullable=False,
    ),
    Column("version", Integer, nullable=False),
    Column("content", JSON, nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("recorded_by", String(32), nullable=False),
    PrimaryKeyConstraint("decision_id", "version", name="publicity_decision_versions_pkey"),
)

# --- supervision (DOMAIN.md §5 step 5, §9; docs/supervision.md) ----------------------------------

supervision_cases = Table(
    "supervision_cases",
    metadata,
    Column("kind", String(20), nullable=False, comment="OverdueKind: objection, complaint, ..."),
    Column("case_id", String(64), nullable=False, comment="the case, appeal or repair id"),
    Column("entry_id", String(64), nullable=False),
    Column("department", String(32), nullable=False, comment="the provider or deciding one"),
    Column("list_type", String(100), nullable=False, comment="'' when not known"),
    Column("filed_at", UtcDateTime(), nullable=False),
    Column("filed_on", Date, nullable=False, comment="China date of filed_at"),
    Column("decision_due", Date, nullable=False),
    Column("due_provisional", Boolean, nullable=False),
    Column("decided_at", UtcDateTime()),
    Column("decided_on", Date, comment="China date of decided_at"),
    Column("outcome", String(32), comment="ObjectionOutcome, AppealOutcome, approved/refused"),
    PrimaryKeyConstraint("kind", "case_id", name="supervision_cases_pkey"),
    Index("supervision_cases_department", "department", "filed_on"),
    Index("supervision_cases_decided", "decided_on"),
)

supervision_reminders = Table(
    "supervision_reminders",
    metadata,
    Column("reminder_id", String(128), primary_key=True),
    Column("level", String(16), nullable=False, comment="ReminderLevel"),
    Column("kind", String(20), nullable=False, comment="OverdueKind"),
    Column("item_id", String(64), nullable=False),
    Column("entry_id", String(64), nullable=False),
    Column("subject_code", String(18), nullable=False),
    Column("list_type", String(100), nullable=False),
    Column("department", String(32), nullable=False, comment="the department that must act"),
    Column("due", Date, nullable=False),
    Column("due_provisional", Boolean, nullable=False),
    Column("overdue_working_days", Integer, nullable=False),
    Column("escalation_due", Date),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("issued_on", Date, nullable=False, comment="China date of issued_at"),
    Index("supervision_reminders_department", "department", "issued_on"),
)

typical_cases = Table(
    "typical_cases",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("month", String(7), nullable=False, comment="YYYY-MM the case is reported for"),
    Column("department", String(32), nullable=False, comment="the nominating department"),
    Column("kind", String(20), nullable=False, comment="trustworthiness | dishonesty"),
    Column("title", String(200), nullable=False),
    Column("summary", Text, nullable=False),
    Column("subject_code", String(18)),
    Column("entry_id", String(64)),
    Column("nominated_at", UtcDateTime(), nullable=False),
    Column("nominated_on", Date, nullable=False, comment="China date of nominated_at"),
    Column("withdrawn_at", UtcDateTime()),
    Column("selected_at", UtcDateTime()),
    Column("selected_by", String(32)),
    Column(
        "nominated_by_officer",
        String(40),
        comment="the officer of department who nominated it (docs/security.md, Officers)",
    ),
    Column(
        "withdrawn_by_officer",
        String(40),
        comment="the officer of department who withdrew it (docs/security.md, Officers)",
    ),
    Column(
        "selected_by_officer",
        String(40),
        comment="the office's officer who selected it (docs/security.md, Officers)",
    ),
    Index("typical_cases_month", "month", "department"),
)

# --- exchange with other platforms (DOMAIN.md §11; docs/exchange.md) ---------------------------

exchange_records = Table(
    "exchange_records",
    metadata,
    Column("record_id", String(36), primary_key=True),
    Column("entry_id", String(36), nullable=False, index=True),
    Column("entry_version", Integer, nullable=False),
    Column("operation", String(16), nullable=False, comment="ExchangeOperation"),
    Column("payload", JSON, nullable=False, comment="ExchangeRecordPushed of attempt 1"),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("push_due", Date, nullable=False, comment="working day it must be accepted by"),
    Column("provisional", Boolean, nullable=False, comment="push_due counted without schedule"),
    Column("attempts", Integer, nullable=False),
    Column("last_pushed_at", UtcDateTime(), nullable=False),
    Column("acknowledged_at", UtcDateTime(), comment="our clock, on arrival"),
    Column("acknowledged_by", String(32), comment="the partner department"),
    Column("accepted", Boolean),
    Column("error_code", String(64)),
    Column("error_message", Text),
    UniqueConstraint(
        "entry_id", "entry_version", "operation", name="exchange_records_entry_operation"
    ),
    Index("exchange_records_push_due", "push_due"),
)

# The registry's departments (departments.v1): an exchange record's deciding department and
# district, whether a sender is an exchange partner (jrp_shared.department_copy).
departments_copy = department_copy_table(metadata)
