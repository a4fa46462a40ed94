"""Every topic name in one place.

Names are logical and versioned (`<name>.v<major>`); the bus prefixes each with the
deployment's namespace (`jrp.catalog.v1`), so several environments can share a broker.
A breaking change to a payload gets a new topic version, never an in-place change.

"Key: the subject code" below means the code as it may travel: the Kafka bus replaces a
resident ID in a key or `ce_subject` with its keyed pseudonym (`jrp_shared.pseudonyms`);
consumers read the subject from the body.
"""

from __future__ import annotations

import re
from typing import Final

CATALOG: Final = "catalog.v1"
"""List types and measures, one snapshot per version (registry → everyone). Key: the code."""

SUBJECTS: Final = "subjects.v1"
"""Subjects registered or updated (registry → everyone). Key: the subject code."""

DEPARTMENTS: Final = "departments.v1"
"""Departments and their powers (registry → everyone). Key: the department code."""

CALENDAR: Final = "calendar.v1"
"""Official working-day schedules loaded by an operator (registry → everyone). Key: the year."""

LIST_ENTRY_SUBMISSIONS: Final = "list-entry-submissions.v1"
"""List entries posted by department systems over Kafka (departments → trigger), the same
payload as `POST /v1/list-entries`. Key: the subject code. Each message carries the
department's bearer token in an `authorization` header; invalid ones are dead-lettered."""

LIST_ENTRIES: Final = "list-entries.v1"
"""List entries in force, corrected, suspended, revoked or repaired (trigger → enforcement,
appeals). Key: the
listed subject's code, so one subject's entries stay in order."""

DEPARTMENT_REPORTS: Final = "department-reports.v1"
"""Receipts and execution feedback from implementing departments' systems (departments →
enforcement), the same payloads as the HTTP API; `authorization` header as above. Key: the
listed subject's code."""

ORDER_STATUS: Final = "order-status.v1"
"""Each sanction order's state after every change (enforcement → trigger), so the initiating
department sees who received and who applied what. Key: the listed subject's code."""

APPEALS: Final = "appeals.v1"
"""Due-process cases and repairs: objections, complaints, repair applications and their
decisions (appeals → trigger, registry). Key: the listed subject's code, so a case's filing
and decision reach the entry's owner in order (DOMAIN.md §7, §8)."""

PUBLICITY: Final = "publicity.v1"
"""Double-publicity records (双公示, DOMAIN.md §9, §12): administrative licence and penalty
decisions as published, and their withdrawal on repair or revocation (trigger → registry, which
serves them in the public lookup; appeals, which delivers a penalty with its repair guidance).
Key: the counterpart's code."""

SUBJECT_NOTIFICATIONS: Final = "subject-notifications.v1"
"""What a subject is told (a case decided, a repair granted or refused), for the portal to
deliver (appeals → portal). Key: the subject's code."""

ENFORCEMENT_CHANGES: Final = "enforcement-changes.v1"
"""Which list entries (their targets, orders or status) and whether the catalog changed in
enforcement's database, one event per committed unit of work (enforcement → every enforcement
replica). Internal to the service: each replica follows it without a consumer group, so its
in-memory must-check index learns every change, whichever replica made it. Key: the
constant `entries` (one partition, total order)."""

SUPERVISION: Final = "supervision.v1"
"""Reminders and escalations for what is past its working-day deadline: an order's receipt or
feedback (enforcement), a case or repair decision (appeals) (DOMAIN.md §5 step 5, 000
(二十七)). Read by trigger (the departments' and the office's reminder inbox, the monthly
reports) and by enforcement, which forwards each to the department's own sanction topic.
Key: the listed subject's code."""

EXCHANGE: Final = "exchange.v1"
"""Exchange records for the upper-level platform (DOMAIN.md §11: every entry, correction,
revocation, repair and exit pushed within 3 working days), in the exchange record layout
(docs/exchange.md); the stand-in where no upper-level platform is configured (trigger → the
upper-level platform). Key: the entry id."""

EXCHANGE_ACKS: Final = "exchange-acks.v1"
"""The upper-level platform's acknowledgement of each exchange record (upper-level platform →
trigger). Key: the entry id."""

DEAD_LETTER: Final = "dead-letter.v1"
"""Messages a consumer could not take, with the reason, for an operator to inspect. Key: the
failed message's own key, or its topic when it had none."""

SANCTIONS: Final = "sanctions.v1.<department>"
"""One topic per implementing department (`sanctions(code)`): its sanction orders, suspensions
and lifts (enforcement → that department). Key: the listed subject's code."""

BROKER_TIMESTAMPED: Final = frozenset({LIST_ENTRY_SUBMISSIONS, DEPARTMENT_REPORTS, EXCHANGE_ACKS})
"""Topics department systems (and exchange partners) post to: created with
`message.timestamp.type=LogAppendTime`, so a record's timestamp is the broker's, never the
sender's (`jrp_shared.messaging.inbound`)."""

SANCTIONS_PREFIX: Final = "sanctions.v1."
"""What every department's sanction topic name starts with."""

_DEPARTMENT_CODE = re.compile(r"^[a-z][a-z0-9-]{1,31}$")


def sanctions(department_code: str) -> str:
    """The topic of one implementing department's sanction orders (`sanctions.v1.<code>`)."""
    if not _DEPARTMENT_CODE.match(department_code):
        raise ValueError(f"not a department code usable in a topic name: {department_code!r}")
    return f"{SANCTIONS_PREFIX}{department_code}"


def sanctions_department(topic: str) -> str | None:
    """The department whose sanction topic this is, or None for any other topic."""
    if not topic.startswith(SANCTIONS_PREFIX):
        return None
    code = topic.removeprefix(SANCTIONS_PREFIX)
    return code if _DEPARTMENT_CODE.match(code) else None


def qualified(namespace: str, topic: str) -> str:
    """The broker-level name of a logical topic."""
    return f"{namespace}.{topic}"
