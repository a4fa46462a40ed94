"""Who must hear, after commit, that list entries or their orders changed.

The order handlers call `announce(uow, entry_ids)` whenever they change an entry, its targets
or its orders; once that unit of work commits, every listener (the must-check index) is told
which entries to reload. Nothing is told about work that rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from jrp_shared.messaging.uow import UnitOfWork

Listener = Callable[[frozenset[str]], None]


class EntryChanges:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def announce(self, uow: UnitOfWork, entry_ids: Iterable[str]) -> None:
        ids = frozenset(entry_ids)
        if not ids:
            return

        def tell() -> None:
            for listener in self._listeners:
                listener(ids)

        uow.after_commit(tell)
