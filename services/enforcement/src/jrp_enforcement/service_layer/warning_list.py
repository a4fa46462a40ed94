"""Keeping the big-data warning list (DOMAIN.md §11; domain/warning_list.py;
docs/warning-list.md).

Whenever a unit of work changes list entries it announces them (`EntryChanges.announce`); when
it commits, before its events are written, `WarningListKeeper` recomputes the warning-list
standing of the subjects of the watch entries among them, in the same transaction: the state
change and the entry change commit (or roll back) together. The same announcement reaches every
replica on `enforcement-changes.v1`, and each reloads those subjects' warnings into its
must-check index. The daily review (`review_warning_list`) catches what changes with the day
alone (a period that starts, or ends before the sweep expires the entry).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from jrp_enforcement.adapters.catalog_reads import CachedCatalog
from jrp_enforcement.adapters.warning_list import WarningListRepository, WatchRow
from jrp_enforcement.domain import warning_list as rules
from jrp_shared.clock import Clock, china_date
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork

log = get_logger(__name__)


class WarningListKeeper:
    def __init__(self, catalog: CachedCatalog, clock: Clock, threshold: int) -> None:
        if threshold < 1:
            raise ValueError("the warning threshold is at least one key area")
        self._catalog = catalog
        self._clock = clock
        self.threshold = threshold

    async def entries_changed(self, uow: UnitOfWork, entry_ids: frozenset[str]) -> None:
        """The `EntryChanges` hook: recompute the subjects of the watch entries changed."""
        if not entry_ids:
            return
        codes = await WarningListRepository(uow.session).watch_subjects_of(entry_ids)
        if codes:
            await self.recompute(uow, sorted(codes))

    async def _key_area(self, uow: UnitOfWork, row: WatchRow, on: date) -> str | None:
        found = await self._catalog.list_type_version(uow, row.list_type, row.list_type_version)
        if found is None:
            found = await self._catalog.list_type_in_force(uow, row.list_type, on)
        return None if found is None or found.watch is None else found.watch.key_area

    async def recompute(self, uow: UnitOfWork, codes: Sequence[str]) -> int:
        """Bring these subjects' standing up to date; returns how many moved on or off."""
        now = self._clock()
        today = china_date(now)
        repo = WarningListRepository(uow.session)
        open_stays = await repo.open_of(codes, lock=True)
        entries = await repo.watch_entries(codes)
        moved = 0
        for code in codes:
            watch: list[rules.WatchEntry] = []
            for row in entries.get(code, []):
                area = await self._key_area(uow, row, today)
                if area is None:  # a list type without a key area is not counted (logged)
                    log.warning("watch entry's list type has no key area", entry_id=row.entry_id)
                    continue
                watch.append(
                    rules.WatchEntry(
                        row.entry_id, area, row.status, row.period_start, row.period_end
                    )
                )
            now_counted = rules.counted(watch, today)
            stay = open_stays.get(code)
            move = rules.move(stay.warning if stay else None, now_counted, self.threshold)
            if move is rules.Move.ENTER:
                await repo.enter(code, now_counted, now)
            elif move is rules.Move.CHANGE and stay is not None:
                await repo.change(stay.id, now_counted, now)
            elif move is rules.Move.LEAVE and stay is not None:
                await repo.leave(stay.id, now)
            elif stay is not None and tuple(stay.entry_ids) != now_counted.entry_ids:
                await repo.change(stay.id, now_counted, now)  # same areas, other entries
            if move in (rules.Move.ENTER, rules.Move.LEAVE):
                moved += 1
                log.info(
                    "warning list " + ("entered" if move is rules.Move.ENTER else "left"),
                    key_areas=len(now_counted.key_areas),
                )
        return moved


async def review_warning_list(
    new_uow: Callable[[], UnitOfWork],
    keeper: WarningListKeeper,
    announce: Callable[[UnitOfWork, set[str]], None],
    *,
    batch: int = 500,
) -> int:
    """Once a day: recompute every subject with a watch entry in force or on the list (a
    period that starts today, or ended before the sweep expired the entry). `announce` makes
    every replica reload the subjects that moved (through their watch entries). Commits per
    batch; returns how many subjects moved."""
    async with new_uow() as uow:
        codes = await WarningListRepository(uow.session).subjects_to_review()
    moved = 0
    for at in range(0, len(codes), batch):
        part = codes[at : at + batch]
        async with new_uow() as uow:
            repo = WarningListRepository(uow.session)
            changed = await keeper.recompute(uow, part)
            if changed:
                entries = await repo.watch_entries(part)
                announce(uow, {r.entry_id for rows in entries.values() for r in rows})
            await uow.commit()
        moved += changed
    return moved
