"""Every topic name in one place.

Names are logical and versioned (`<name>.v<major>`); the bus prefixes each with the
deployment's namespace (`jrp.catalog.v1`), so several environments can share a broker.
A breaking change to a payload gets a new topic version, never an in-place change.
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

DEAD_LETTER: Final = "dead-letter.v1"
"""Messages a consumer could not take, with the reason, for an operator to inspect."""

_DEPARTMENT_CODE = re.compile(r"^[a-z][a-z0-9-]{1,31}$")


def sanctions(department_code: str) -> str:
    """The topic of one implementing department's sanction orders (`sanctions.v1.<code>`)."""
    if not _DEPARTMENT_CODE.match(department_code):
        raise ValueError(f"not a department code usable in a topic name: {department_code!r}")
    return f"sanctions.v1.{department_code}"


def qualified(namespace: str, topic: str) -> str:
    """The broker-level name of a logical topic."""
    return f"{namespace}.{topic}"
