"""The big-data warning list (大数据预警名单): DOMAIN.md §11, the 2018 follow-up of
发改财金规〔2017〕1798号. No I/O here.

A subject on watch lists (重点关注名单, colour `watch`) in `threshold` or more distinct key areas
(default 3; setting `JRP_ENFORCEMENT_WARNING_KEY_AREAS`) is on the warning list, automatically,
and leaves it when it falls below. What counts is the subject's own watch entries (as the listed
subject, not as a linked person) that are **in force on the day**:

- a suspended entry does not count: its measures are suspended while an objection or complaint
  is verified (暂不执行, 000 (二十四), DOMAIN.md §7), and so is what follows from it; if the
  objection is rejected the entry is back in force and counts again;
- an expired, revoked or repaired entry does not count: it has left the system (DOMAIN.md §8;
  revocation: wrong information, 000 (二十四));
- an entry whose period has not started, or has ended (before the sweep expires it), does not.

Each key area counts once, however many watch entries it has.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from jrp_shared.vocabulary import ListEntryStatus

DEFAULT_THRESHOLD = 3
"""Three or more key areas (DOMAIN.md §11)."""


@dataclass(frozen=True)
class WatchEntry:
    """One watch-list entry of a subject, with its list type's key area."""

    entry_id: str
    key_area: str
    status: ListEntryStatus
    period_start: date
    period_end: date

    def counts_on(self, day: date) -> bool:
        return (
            self.status is ListEntryStatus.IN_FORCE and self.period_start <= day <= self.period_end
        )


@dataclass(frozen=True)
class Warning:
    """A subject's current stay on the warning list."""

    key_areas: tuple[str, ...]
    since: datetime


@dataclass(frozen=True)
class Counted:
    """What the subject's watch entries add up to on a day."""

    key_areas: tuple[str, ...]
    entry_ids: tuple[str, ...]


def counted(entries: Iterable[WatchEntry], day: date) -> Counted:
    """The distinct key areas of the entries that count on `day` (sorted), and those entries."""
    live = sorted((e for e in entries if e.counts_on(day)), key=lambda e: e.entry_id)
    return Counted(tuple(sorted({e.key_area for e in live})), tuple(e.entry_id for e in live))


class Move(StrEnum):
    STAY_OFF = "stay_off"
    ENTER = "enter"
    """Reached the threshold: a new stay starts now."""
    CHANGE = "change"
    """Still on, but its key areas changed (the stay keeps its `since`)."""
    STAY = "stay"
    LEAVE = "leave"
    """Fell below the threshold: the stay ends now (kept as history)."""


def move(current: Warning | None, now_counted: Counted, threshold: int) -> Move:
    """What the subject's warning-list state must do, given what its entries add up to."""
    if threshold < 1:
        raise ValueError("the warning threshold is at least one key area")
    on = len(now_counted.key_areas) >= threshold
    if current is None:
        return Move.ENTER if on else Move.STAY_OFF
    if not on:
        return Move.LEAVE
    return Move.STAY if current.key_areas == now_counted.key_areas else Move.CHANGE
