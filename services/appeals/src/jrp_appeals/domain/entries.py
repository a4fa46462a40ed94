"""This service's copy of each list entry, kept from trigger's `list-entries.v1`.

Cases and repairs are judged against it: who the entry concerns (the listed subject and its
linked persons, DOMAIN.md §3), who provided the information (the initiating department,
000 (二十四)), its list type and whether it is still in force.

Events arrive as versions. Within one version an entry can only move forward: in force →
suspended (an objection or complaint, §7) → revoked or repaired (final, §8); a new version (a
correction, or the period resumed after a rejected objection) starts again from in force. So
an event is taken only when (version, step) is beyond what is stored, which makes taking them
insensitive to redelivery and to late duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from jrp_shared.vocabulary import ListColour, ListEntryStatus, SubjectType

Status = ListEntryStatus

_STEP = {Status.IN_FORCE: 0, Status.SUSPENDED: 1, Status.REVOKED: 2, Status.REPAIRED: 2}
FINAL = frozenset({Status.REVOKED, Status.REPAIRED})


@dataclass(frozen=True)
class EntryCopy:
    entry_id: str
    version: int
    subject_code: str
    subject_type: SubjectType
    subject_name: str
    linked_person_codes: tuple[str, ...]
    list_type: str
    list_type_version: int
    colour: ListColour
    initiating_department: str
    period_start: date
    period_end: date
    status: Status
    updated_at: datetime

    def concerns(self, code: str) -> bool:
        """The listed subject, or a person the listing also reaches (DOMAIN.md §3)."""
        return code == self.subject_code or code in self.linked_person_codes

    def is_natural_person(self, code: str) -> bool:
        """`code` is a person's resident ID on this entry: a listed person or a linked one."""
        listed_person = self.subject_type is SubjectType.NATURAL_PERSON
        return (code == self.subject_code and listed_person) or code in self.linked_person_codes

    def status_on(self, today: date) -> Status:
        """In force past the period's last day is expired (002 二(三)1); a suspended entry
        does not expire, its period is not running (§7)."""
        if self.status is Status.IN_FORCE and today > self.period_end:
            return Status.EXPIRED
        return self.status

    def in_force_on(self, today: date) -> bool:
        """Measures apply, or are only suspended while a case is verified."""
        return self.status_on(today) in (Status.IN_FORCE, Status.SUSPENDED)


def takes(stored: EntryCopy | None, version: int, status: Status) -> bool:
    """Whether an event moving the entry to `status` at `version` changes the copy."""
    if stored is None:
        # Only an entry in force carries what the copy needs; the others follow it on the
        # same partition (keyed by subject), so one arriving first has nothing to change.
        return status is Status.IN_FORCE
    if stored.status in FINAL:
        return False
    return (version, _STEP[status]) > (stored.version, _STEP[stored.status])
