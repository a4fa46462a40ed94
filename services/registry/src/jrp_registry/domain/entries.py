"""The registry's projection of list entries, kept from trigger's `list-entries.v1` (issue 13):
what the public lookup shows and what an authorised read will show. No I/O here.

Events arrive as versions. Within one version an entry only moves forward: in force →
suspended (an objection or complaint under verification, DOMAIN.md §7) → revoked or repaired
(final, §8); a new version (a correction, or the period resumed after a rejected objection)
starts again from in force. So an event is taken only when (version, step) is beyond what is
stored: redelivery and late duplicates change nothing (the same rule as appeals' copy,
`jrp_appeals.domain.entries.takes`; the idea is copied, services share no code but `shared/`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jrp_shared.vocabulary import DisclosureClass, ListColour, ListEntryStatus, SubjectType

Status = ListEntryStatus

_STEP = {Status.IN_FORCE: 0, Status.SUSPENDED: 1, Status.REVOKED: 2, Status.REPAIRED: 2}
FINAL = frozenset({Status.REVOKED, Status.REPAIRED})


@dataclass(frozen=True)
class StoredEntry:
    """One list entry as the registry last took it, with the latest `ListEntryInForce`
    payload (JSON) for authorised reads."""

    entry_id: str
    version: int
    status: Status
    subject_code: str
    subject_type: SubjectType
    subject_name: str
    list_type: str
    colour: ListColour
    disclosure_class: DisclosureClass
    initiating_department: str
    period_start: date
    period_end: date
    payload: dict[str, Any]
    updated_at: datetime


def takes(stored: StoredEntry | None, version: int, status: Status) -> bool:
    """Whether an event moving the entry to `status` at `version` changes the projection."""
    if stored is None:
        # Only an entry in force carries what the projection needs; the others follow it on
        # the same partition (keyed by subject), so one arriving first has nothing to change.
        return status is Status.IN_FORCE
    if stored.status in FINAL:
        return False
    return (version, _STEP[status]) > (stored.version, _STEP[stored.status])
