"""What the order use cases need besides a unit of work, wired once in the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from jrp_enforcement.adapters.catalog_reads import CachedCatalog
from jrp_enforcement.adapters.repositories import EntryRepository, OrderRepository, WriteBehind
from jrp_enforcement.service_layer.changes import EntryChanges
from jrp_enforcement.service_layer.messages import StatusReports
from jrp_enforcement.service_layer.warning_list import WarningListKeeper
from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.catalog_copy import CatalogCopy
from jrp_shared.clock import Clock, china_date, system_clock
from jrp_shared.messaging.uow import UnitOfWork

SERVICE = "enforcement"
"""Who the order history names when this service itself made a change."""


@dataclass
class OrdersContext:
    catalog: CatalogCopy
    calendar: WorkingDayCalendar
    changes: EntryChanges
    clock: Clock = system_clock
    """Replaceable, so tests can move time (expiry, overdue) without sleeping."""
    cached_catalog: CachedCatalog = field(init=False)
    """The catalog reads of the order handlers, kept across units of work."""
    statuses: StatusReports = field(init=False)
    """What trigger hears of the orders each unit of work changed."""
    warnings: WarningListKeeper | None = None
    """Keeps the big-data warning list (DOMAIN.md §11), wired by the lifecycle."""

    def __post_init__(self) -> None:
        self.cached_catalog = CachedCatalog(self.catalog)
        self.statuses = StatusReports()

    def repositories(self, uow: UnitOfWork) -> tuple[EntryRepository, OrderRepository]:
        """The entry and order repositories of a unit of work, sharing its write-behind:
        the new rows of a whole poll go in with one COPY per table when it commits."""
        writes = uow.local(WriteBehind, lambda: self._write_behind(uow))
        return EntryRepository(uow.session, writes), OrderRepository(uow.session, writes)

    @staticmethod
    def _write_behind(uow: UnitOfWork) -> WriteBehind:
        writes = WriteBehind(uow.session)
        uow.before_commit(writes.flush)
        return writes

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """Today in China (Asia/Shanghai), the day deadlines and periods are judged by."""
        return china_date(self.clock())
