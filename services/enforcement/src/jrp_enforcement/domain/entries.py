"""What a list-entry event does to this service's copy of the entry (DOMAIN.md §5, §7, §8).

Entries arrive as versions: a higher version is a correction, an equal or lower one is a
repeat or a late duplicate and changes nothing, so taking them is idempotent and insensitive
to redelivery. A revoked or repaired entry is final. An entry whose period has ended leaves
the joint punishment system by itself (002 二(三)1), also when it arrives already ended.

A suspended entry (an objection or complaint being verified, §7) is still on the list, but
its measures stop and its period does not run; a newer version resumes it (the period's end
moved later by the suspended span, 002 二(三)2), taken like any correction.
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


FINAL = frozenset({ListEntryStatus.REVOKED, ListEntryStatus.REPAIRED})
"""Ended by a decision: no later version brings the entry back (§7 revocation, §8 repair)."""

ONGOING = frozenset({ListEntryStatus.IN_FORCE, ListEntryStatus.SUSPENDED})
"""On the list now (its measures apply, or are suspended while a case is verified)."""


class Outcome(Enum):
    IGNORE = "ignore"
    IN_FORCE = "in_force"
    EXPIRED = "expired"


def on_in_force(stored: StoredEntry | None, version: int, period_end: date, today: date) -> Outcome:
    """Take a version of an entry in force: ignore what is not newer, end what is over."""
    if stored is not None and (version <= stored.version or stored.status in FINAL):
        return Outcome.IGNORE
    # The period's last day is still a day in force (Period.end is inclusive).
    return Outcome.EXPIRED if period_end < today else Outcome.IN_FORCE


def has_expired(period_end: date, today: date) -> bool:
    return period_end < today


def may_suspend(stored: StoredEntry | None, version: int) -> bool:
    """Suspend an entry in force whose stored version the suspension is about (or an older
    one: the measures must stop all the same). Not a repeat, nor an unknown or ended entry."""
    return (
        stored is not None
        and stored.status is ListEntryStatus.IN_FORCE
        and stored.version <= version
    )


def may_repair(stored: StoredEntry | None) -> bool:
    """Repair ends an entry still on the list, suspended or not (000 (二十三)); a repeat, or
    an entry unknown or already ended, changes nothing."""
    return stored is not None and stored.status in ONGOING
