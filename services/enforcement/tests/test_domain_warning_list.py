"""The big-data warning list's rule (DOMAIN.md §11; domain/warning_list.py): pure domain."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jrp_enforcement.domain.warning_list import (
    Counted,
    Move,
    Warning,
    WatchEntry,
    counted,
    move,
)
from jrp_shared.vocabulary import ListEntryStatus

DAY = date(2026, 11, 23)
SINCE = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
IN_FORCE = ListEntryStatus.IN_FORCE


def watch(
    entry_id: str,
    area: str,
    status: ListEntryStatus = IN_FORCE,
    start: date = date(2026, 11, 20),
    end: date = date(2027, 11, 19),
) -> WatchEntry:
    return WatchEntry(entry_id, area, status, start, end)


THREE = [watch("e1", "tax"), watch("e2", "market"), watch("e3", "environment")]


def test_three_key_areas_put_a_subject_on_the_list() -> None:
    found = counted(THREE, DAY)

    assert found == Counted(("environment", "market", "tax"), ("e1", "e2", "e3"))
    assert move(None, found, 3) is Move.ENTER


def test_two_entries_of_one_key_area_count_once() -> None:
    found = counted([watch("e1", "tax"), watch("e2", "tax"), watch("e3", "market")], DAY)

    assert found.key_areas == ("market", "tax")
    assert move(None, found, 3) is Move.STAY_OFF


@pytest.mark.parametrize(
    "status", [ListEntryStatus.SUSPENDED, ListEntryStatus.EXPIRED, ListEntryStatus.REVOKED,
               ListEntryStatus.REPAIRED],
)  # fmt: skip
def test_an_entry_not_in_force_does_not_count(status: ListEntryStatus) -> None:
    entries = [*THREE[:2], watch("e3", "environment", status)]

    assert counted(entries, DAY).key_areas == ("market", "tax")


def test_an_entry_outside_its_period_does_not_count() -> None:
    ended = watch("e3", "environment", end=date(2026, 11, 22))
    not_started = watch("e4", "food-drug", start=date(2026, 11, 24))

    assert counted([*THREE[:2], ended, not_started], DAY).key_areas == ("market", "tax")
    assert counted([*THREE[:2], not_started], date(2026, 11, 24)).key_areas == (
        "food-drug",
        "market",
        "tax",
    )


def test_falling_below_the_threshold_leaves_the_list() -> None:
    on = Warning(("environment", "market", "tax"), SINCE)

    assert move(on, counted(THREE[:2], DAY), 3) is Move.LEAVE


def test_a_fourth_area_changes_the_stay_and_an_unchanged_one_stays() -> None:
    on = Warning(("environment", "market", "tax"), SINCE)
    four = counted([*THREE, watch("e4", "work-safety")], DAY)

    assert move(on, four, 3) is Move.CHANGE
    assert move(on, counted(THREE, DAY), 3) is Move.STAY


def test_the_threshold_is_a_setting() -> None:
    two = counted(THREE[:2], DAY)

    assert move(None, two, 2) is Move.ENTER
    assert move(None, two, 3) is Move.STAY_OFF
    with pytest.raises(ValueError, match="at least one"):
        move(None, two, 0)
