"""What a list-entry event does to this service's copy of the entry (DOMAIN.md §5, §7, §8).

Entries arrive as versions: a higher version is a correction, an equal or lower one is a
repeat or a late duplicate and changes nothing, so taking them is idempotent and insensitive
to redelivery. A revoked entry is final. An entry whose period has ended leaves the joint
punishment system by itself (002 二(三)1), also when it arrives already ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from jrp_shared.vocabulary import ListEntryStatus


@dataclass(frozen=True)
class StoredEntry:
    entry_id: str
    version: int
    status: ListEntryStatus
    period_end: date


class Outcome(Enum):
    IGNORE = "ignore"
    IN_FORCE = "in_force"
    EXPIRED = "expired"


def on_in_force(stored: StoredEntry | None, version: int, period_end: date, today: date) -> Outcome:
    """Take a version of an entry in force: ignore what is not newer, end what is over."""
    if stored is not None and (
        version <= stored.version or stored.status is ListEntryStatus.REVOKED
    ):
        return Outcome.IGNORE
    # The period's last day is still a day in force (Period.end is inclusive).
    return Outcome.EXPIRED if period_end < today else Outcome.IN_FORCE


def has_expired(period_end: date, today: date) -> bool:
    return period_end < today
