"""The enforcement service's own tables.

`list_entries` is this service's copy of the entries in force (from `list-entries.v1`);
`entry_targets` names everyone an entry reaches (the listed subject and its linked persons),
which is what must-check looks up; `sanction_orders` is one row per implementing department
and target of an entry, with its receipt and feedback state; `measure_feedback` the latest
report per measure; `order_history` every change to an order (the audit trail); `check_audit`
every must-check answered (who asked, when, what was answered; DOMAIN.md §6), sealed into a
hash chain whose head is `check_audit_chain`; `entry_history` and `entry_target_history` keep
every change of an entry as received, so a check can be answered as of a past instant.
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
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)

from jrp_shared.calendar_copy import calendar_copy_table
from jrp_shared.catalog_copy import catalog_copy_tables
from jrp_shared.db import UtcDateTime
from jrp_shared.messaging.tables import messaging_tables
from jrp_shared.reminders import reminders_table

metadata = MetaData()
messaging = messaging_tables(metadata)
catalog_copy = catalog_copy_tables(metadata)
calendar_copy = calendar_copy_table(metadata)
# The reminders and escalations sent for orders past their receipt or feedback due day, one per
# order, revision, kind, level and due day (jrp_shared.reminders; docs/loop.md).
reminders = reminders_table(metadata)

_BIGINT = BigInteger().with_variant(Integer(), "sqlite")

list_entries = Table(
    "list_entries",
    metadata,
    Column("entry_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("subject_code", String(18), nullable=False, index=True),
    Column("list_type", String(100), nullable=False),
    Column("colour", String(10), nullable=False),
    Column("initiating_department", String(32), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False, index=True),
    # in_force | suspended | revoked | expired | repaired (ListEntryStatus)
    Column("status", String(24), nullable=False, index=True),
    Column("payload", JSON, nullable=False, comment="the latest ListEntryInForce"),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("ended_at", UtcDateTime()),
    Column("end_reason", String(24)),
    # Set only while status is suspended (DOMAIN.md §7): the case being verified.
    Column("suspension_case_kind", String(16), comment="CaseKind"),
    Column("suspension_case_id", String(64)),
    Column("suspended_since", UtcDateTime()),
)

entry_targets = Table(
    "entry_targets",
    metadata,
    Column(
        "entry_id",
        String(64),
        ForeignKey("list_entries.entry_id", name="entry_targets_entry_fkey"),
        nullable=False,
    ),
    Column("code", String(18), nullable=False, index=True),
    Column("role", String(40), nullable=False, comment="TargetRole"),
    Column("subject_type", String(24), nullable=False),
    Column("name", String(200), nullable=False),
    PrimaryKeyConstraint("entry_id", "code", "role", name="entry_targets_pkey"),
)

sanction_orders = Table(
    "sanction_orders",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("sequence", Integer, nullable=False, comment="grows with every change"),
    Column("entry_id", String(64), nullable=False, index=True),
    Column("entry_version", Integer, nullable=False),
    Column("department", String(32), nullable=False),
    Column("listed_subject_code", String(18), nullable=False),
    Column("target_code", String(18), nullable=False, index=True),
    Column("target_role", String(40), nullable=False),
    Column("list_type", String(100), nullable=False),
    Column("colour", String(10), nullable=False),
    Column("measures", JSON, nullable=False, comment="list of OrderedMeasure"),
    Column("state", String(16), nullable=False, comment="OrderState"),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("receipt_due", Date, nullable=False),
    Column("feedback_due", Date, nullable=False),
    Column("deadlines_provisional", Boolean, nullable=False),
    Column("received_at", UtcDateTime()),
    Column("receipt_note", Text),
    Column(
        "received_by_officer",
        String(40),
        comment="the officer of department who acknowledged receipt (docs/security.md, Officers)",
    ),
    Column("fed_back_at", UtcDateTime()),
    Column(
        "fed_back_by_officer",
        String(40),
        comment="the officer of department whose report completed the feedback",
    ),
    Column("lifted_at", UtcDateTime()),
    Column("lift_reason", String(16)),
    # The suspension of a suspended order (cleared by a re-issue, kept by a lift).
    Column("suspended_at", UtcDateTime()),
    Column("suspension_case_kind", String(16), comment="CaseKind"),
    Column("suspension_case_id", String(64)),
    Index("sanction_orders_department_state", "department", "state"),
)

measure_feedback = Table(
    "measure_feedback",
    metadata,
    Column("order_id", String(64), nullable=False),
    Column("measure", String(100), nullable=False),
    Column("outcome", String(16), nullable=False, comment="FeedbackOutcome"),
    Column("reason", Text),
    Column("business_reference", String(200)),
    Column("executed_at", UtcDateTime(), nullable=False),
    Column("reported_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("order_id", "measure", name="measure_feedback_pkey"),
)

order_history = Table(
    "order_history",
    metadata,
    Column("id", _BIGINT, primary_key=True, autoincrement=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("change", String(24), nullable=False, comment="issued, received, fed_back, lifted..."),
    Column("by", String(64), nullable=False, comment="department code or this service"),
    Column("detail", JSON, nullable=False),
)

# One row per batch check: what it was for (DOMAIN.md §6) and whether the office should look at
# it (many natural persons); its checks are in check_audit under the same batch_id.
check_batches = Table(
    "check_batches",
    metadata,
    Column("batch_id", String(64), primary_key=True),
    Column("asked_at", UtcDateTime(), nullable=False),
    Column("department", String(32), nullable=False, comment="the department that asked"),
    Column("purpose", String(24), nullable=False),
    Column("business_reference", String(200), nullable=False),
    Column("codes", Integer, nullable=False),
    Column("persons", Integer, nullable=False, comment="codes shaped like a resident ID"),
    Column("listed", Integer, nullable=False),
    Column("flags", JSON, nullable=False, comment="why the office should review it"),
    Column("correlation_id", String(64)),
)
Index("check_batches_asked_at", check_batches.c.asked_at)

check_audit = Table(
    "check_audit",
    metadata,
    Column("id", _BIGINT, primary_key=True, autoincrement=True),
    Column("asked_at", UtcDateTime(), nullable=False),
    Column("department", String(32), nullable=False),
    Column("subject_code", String(18), nullable=False, index=True),
    Column("batch_id", String(64), comment="set when the check came in a batch"),
    Column("correlation_id", String(64)),
    Column("listed", Boolean, nullable=False),
    Column("answer", JSON, nullable=False, comment="entry ids and measure codes answered"),
    # The check's own id (also inside `answer`), and what a single check was for; a batch's
    # checks have theirs on check_batches.
    Column("check_id", String(80)),
    Column("purpose", String(24), comment="CheckPurpose"),
    Column("business_reference", String(200)),
    Column("as_of", UtcDateTime(), comment="set for a check of a past instant"),
    # The hash chain (DOMAIN.md §6: the audit must be provable): set by the one sealer.
    Column("chain_seq", _BIGINT, comment="position in the chain, contiguous from 1"),
    Column("prev_hash", String(64)),
    Column("row_hash", String(64), comment="SHA-256 of prev_hash and the row's fields"),
)
Index("check_audit_check_id", check_audit.c.check_id, unique=True)
Index("check_audit_chain_seq", check_audit.c.chain_seq, unique=True)
Index("check_audit_department_asked_at", check_audit.c.department, check_audit.c.asked_at)
Index(
    "check_audit_unsealed",
    check_audit.c.id,
    postgresql_where=check_audit.c.chain_seq.is_(None),
    sqlite_where=check_audit.c.chain_seq.is_(None),
)

# The chain's head (one row): how far the audit rows are sealed, and the last row's hash.
# The sealer locks it, so one sealer at a time whatever the replicas.
check_audit_chain = Table(
    "check_audit_chain",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", _BIGINT, nullable=False, comment="chain_seq of the last sealed row"),
    Column("head_hash", String(64), nullable=False, comment="row_hash of that row"),
    Column("last_id", _BIGINT, nullable=False, comment="check_audit.id of that row"),
    Column("sealed_at", UtcDateTime(), nullable=False),
)

# Append-only: every change of a list entry as this service received it (receiver's time), so
# a check can be answered as of a past instant (`as_of`). A row carries the document when a
# version was stored; a status change (revoked, suspended, expired, repaired) carries none.
entry_history = Table(
    "entry_history",
    metadata,
    Column("id", _BIGINT, primary_key=True, autoincrement=True),
    Column("entry_id", String(64), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(24), nullable=False, comment="ListEntryStatus"),
    Column("suspension_case_kind", String(16), comment="CaseKind"),
    Column("payload", JSON, comment="the ListEntryInForce of a stored version"),
)

# Append-only: the targets of each stored version of an entry (entry_targets keeps the latest).
entry_target_history = Table(
    "entry_target_history",
    metadata,
    Column("id", _BIGINT, primary_key=True, autoincrement=True),
    Column("entry_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("code", String(18), nullable=False, index=True),
    Column("role", String(40), nullable=False, comment="TargetRole"),
    Column("subject_type", String(24), nullable=False),
    Column("name", String(200), nullable=False),
)
Index(
    "entry_target_history_entry_version",
    entry_target_history.c.entry_id,
    entry_target_history.c.version,
)

# The big-data warning list (DOMAIN.md §11; domain/warning_list.py): one row per stay of a
# subject on it. The open stay has `until` null (at most one per subject); a stay that ended
# keeps its row (history). `key_areas` and `entry_ids` are what counts now (or counted last).
warning_list = Table(
    "warning_list",
    metadata,
    Column("id", _BIGINT, primary_key=True, autoincrement=True),
    Column("subject_code", String(18), nullable=False, index=True),
    Column("key_areas", JSON, nullable=False, comment="sorted distinct key areas"),
    Column("entry_ids", JSON, nullable=False, comment="the watch entries counted"),
    Column("since", UtcDateTime(), nullable=False),
    Column("until", UtcDateTime()),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index(
        "warning_list_open_subject",
        "subject_code",
        unique=True,
        postgresql_where=text("until IS NULL"),
        sqlite_where=text("until IS NULL"),
    ),
)
