"""Consumer lag on /metrics: this service's own consumer groups, and (enforcement) every
department's consumer groups on its sanction topic.

Both read committed offsets and partition ends from the bus itself (`Bus.offsets`), never a
replica's memory: every replica exposes the same answer, and a group stuck in another process
(or an agency's system) shows as well as one of ours. The arithmetic is
`jrp_shared.bus.lag`. A refresh that cannot reach the bus keeps the previous values; the
`jrp_lag_refreshed_timestamp_seconds{scope}` gauge says how old they are (the broker outage
itself is reported by `jrp_shared.bus.health.BrokerWatch`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Mapping

from jrp_shared.bus.base import Bus
from jrp_shared.bus.lag import PartitionLag, group_lags, unread_by_any_group
from jrp_shared.events import topics
from jrp_shared.logging import get_logger
from jrp_shared.metrics import ServiceMetrics
from jrp_shared.transient import is_transient

log = get_logger(__name__)


async def _every(
    seconds: float, refresh: Callable[[], Awaitable[object]], scope: str, *, wait_first: bool
) -> None:
    if wait_first:
        await asyncio.sleep(seconds)
    while True:
        try:
            await refresh()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not is_transient(exc):  # the broker away is BrokerWatch's to report
                log.exception("lag refresh failed; will retry", scope=scope)
        await asyncio.sleep(seconds)


class ConsumerLagWatch:
    """The lag of this service's consumer groups (`jrp_consumer_lag`)."""

    scope = "consumers"

    def __init__(
        self,
        bus: Bus,
        metrics: ServiceMetrics,
        reading: Callable[[], Mapping[str, Collection[str]]],
        *,
        interval_seconds: float,
    ) -> None:
        self._bus = bus
        self._metrics = metrics
        self._reading = reading
        self._interval = interval_seconds

    async def refresh(self) -> list[PartitionLag]:
        reading = self._reading()
        if not reading:
            return []
        wanted = sorted({t for names in reading.values() for t in names})
        snapshot = await self._bus.offsets(wanted, groups=sorted(reading))
        lags = group_lags(snapshot, reading)
        for lag in lags:
            self._metrics.consumer_lag.labels(lag.group, lag.topic, str(lag.partition)).set(lag.lag)
        self._metrics.lag_refreshed.labels(self.scope).set(time.time())
        return lags

    async def run(self) -> None:
        await _every(self._interval, self.refresh, self.scope, wait_first=False)


class SanctionTopicsWatch:
    """Every consumer group reading a department's sanction topic (an agency's system), its
    lag per partition (`jrp_sanction_topic_lag`), and per department the messages no group
    has read (`jrp_sanction_topic_unread`): an agency that stopped reading, or never started,
    shows here (DOMAIN.md §5: monitoring tracks who has responded). Groups are found by
    listing the broker's groups and keeping those with committed offsets on a
    `sanctions.v1.<department>` topic of this namespace.

    Reading a group's offsets is one request to the broker, and a broker serves every
    namespace's and application's groups (1,800 on the shared test broker): so each refresh
    reads the groups known to read a sanction topic and the groups never seen before, and only
    every `recheck_every`-th refresh all the others (a group that turns to a sanction topic
    under a name already seen shows within that many refreshes)."""

    scope = "sanction-topics"

    def __init__(
        self,
        bus: Bus,
        metrics: ServiceMetrics,
        *,
        interval_seconds: float,
        recheck_every: int = 10,
    ) -> None:
        self._bus = bus
        self._metrics = metrics
        self._interval = interval_seconds
        self._recheck_every = recheck_every
        self._refreshes = 0
        self._seen: set[str] = set()
        self._readers: set[str] = set()

    async def refresh(self) -> tuple[list[PartitionLag], dict[str, int]]:
        names = await self._bus.topics_named(topics.SANCTIONS_PREFIX)
        departments = {name: code for name in names if (code := topics.sanctions_department(name))}
        listed = set(await self._bus.consumer_groups())
        everyone = self._refreshes % self._recheck_every == 0
        candidates = {g for g in listed if everyone or g in self._readers or g not in self._seen}
        snapshot = await self._bus.offsets(sorted(departments), among=candidates)
        self._refreshes += 1
        self._seen = listed
        self._readers = (self._readers & listed) | set(snapshot.committed)
        lags = group_lags(snapshot)
        unread = unread_by_any_group(snapshot)
        # Replace the whole picture at once (no await in between): a group that went away
        # or a topic deleted loses its series.
        self._metrics.sanction_topic_lag.clear()
        self._metrics.sanction_topic_unread.clear()
        for lag in lags:
            self._metrics.sanction_topic_lag.labels(
                departments[lag.topic], lag.group, str(lag.partition)
            ).set(lag.lag)
        for topic, count in unread.items():
            self._metrics.sanction_topic_unread.labels(departments[topic]).set(count)
        self._metrics.lag_refreshed.labels(self.scope).set(time.time())
        return lags, unread

    async def run(self) -> None:
        # Listing every group of the broker is the heavier read: not at start, when the
        # service has more urgent work.
        await _every(self._interval, self.refresh, self.scope, wait_first=True)
