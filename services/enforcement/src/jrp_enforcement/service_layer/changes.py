"""Who must hear that list entries, their orders or the catalog copy changed: every replica.

The order handlers call `announce(uow, entry_ids)` whenever they change an entry, its targets
or its orders (the catalog copy's hook calls `announce_catalog(uow)`). When that unit of work
commits it also writes one `EntriesChanged` event (in parts of at most
`MAX_CHANGED_ENTRIES` ids) to the outbox, in the same transaction: every enforcement replica
follows `enforcement-changes.v1` and reloads those entries into its must-check index,
whichever replica made the change. The replica that made it does not wait for the round trip:
its own listeners are told right after the commit, and it skips its own events when they come
back. Nothing is told about work that rolled back.

What must follow from changed entries in the same transaction (the warning list, DOMAIN.md
§11) subscribes with `before_commit_of_entries`: it runs when the unit of work commits, after
its rows are written and before its events are.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from jrp_shared.events.payloads import MAX_CHANGED_ENTRIES, EntriesChanged
from jrp_shared.messaging.uow import UnitOfWork

Listener = Callable[[frozenset[str], bool], None]
"""Called with the changed entry ids and whether the catalog copy changed."""
Hook = Callable[[UnitOfWork, frozenset[str]], Awaitable[None]]
"""Run in the unit of work that changed these entries, as it commits."""


@dataclass
class _Pending:
    entry_ids: set[str] = field(default_factory=set)
    catalog: bool = False


class EntryChanges:
    def __init__(self, replica: str | None = None) -> None:
        self.replica = replica or uuid.uuid4().hex
        """This process's name in the events it writes (it skips its own when they return)."""
        self._listeners: list[Listener] = []
        self._hooks: list[Hook] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def before_commit_of_entries(self, hook: Hook) -> None:
        self._hooks.append(hook)

    def announce(self, uow: UnitOfWork, entry_ids: Iterable[str]) -> None:
        ids = set(entry_ids)
        if ids:
            self._of(uow).entry_ids |= ids

    def announce_catalog(self, uow: UnitOfWork) -> None:
        self._of(uow).catalog = True

    def received(self, event: EntriesChanged) -> None:
        """An `EntriesChanged` from the topic: tell the listeners, unless this replica wrote
        it (they were told at its commit)."""
        if event.replica != self.replica:
            self._tell(frozenset(event.entry_ids), event.catalog_changed)

    def _tell(self, ids: frozenset[str], catalog: bool) -> None:
        for listener in self._listeners:
            listener(ids, catalog)

    def _of(self, uow: UnitOfWork) -> _Pending:
        return uow.local(self, lambda: self._start(uow))

    def _start(self, uow: UnitOfWork) -> _Pending:
        """What one unit of work changed, written as events when it commits."""
        pending = _Pending()

        async def emit() -> None:
            for hook in self._hooks:
                await hook(uow, frozenset(pending.entry_ids))
            ids = sorted(pending.entry_ids)
            parts = [
                ids[i : i + MAX_CHANGED_ENTRIES] for i in range(0, len(ids), MAX_CHANGED_ENTRIES)
            ]
            for n, part in enumerate(parts or [[]]):
                uow.emit(
                    EntriesChanged(
                        entry_ids=part,
                        catalog_changed=pending.catalog and n == 0,
                        replica=self.replica,
                    )
                )

        def tell() -> None:
            self._tell(frozenset(pending.entry_ids), pending.catalog)

        uow.before_commit(emit)
        uow.after_commit(tell)
        return pending
