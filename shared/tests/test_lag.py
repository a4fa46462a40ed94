"""The lag arithmetic (`jrp_shared.bus.lag`): behind by what was written after the committed
offset; a group that never committed, or whose offset retention overtook, counts from the
first message kept; "unread by any group" is what the furthest group has not read."""

from pathlib import Path

from jrp_shared.bus.base import Message
from jrp_shared.bus.embedded import EmbeddedBus
from jrp_shared.bus.lag import (
    OffsetsSnapshot,
    PartitionExtent,
    PartitionLag,
    group_lags,
    partition_lag,
    unread_by_any_group,
)
from jrp_shared.events import topics
from jrp_shared.messaging.lag_watch import SanctionTopicsWatch
from jrp_shared.metrics import ServiceMetrics

FINANCE = "sanctions.v1.finance"
TAX = "sanctions.v1.tax"


def test_lag_is_the_end_minus_the_committed_offset_or_the_start_when_none() -> None:
    extent = PartitionExtent(FINANCE, 0, start=100, end=250)
    assert partition_lag(extent, 240) == 10
    assert partition_lag(extent, 250) == 0
    assert partition_lag(extent, None) == 150  # reads from the earliest kept
    assert partition_lag(extent, 40) == 150  # retention deleted 40..99: gone for it
    assert partition_lag(extent, 260) == 0  # never negative (end read before the commit)


def test_every_group_on_the_topics_it_committed_on() -> None:
    snapshot = OffsetsSnapshot(
        partitions=[
            PartitionExtent(FINANCE, 0, 0, 11_532),
            PartitionExtent(FINANCE, 1, 0, 20),
            PartitionExtent(TAX, 0, 5, 9),
        ],
        committed={
            "finance-agency": {(FINANCE, 1): 20},  # partition 0 never committed
            "tax-agency": {(TAX, 0): 9},
        },
    )
    assert group_lags(snapshot) == [
        PartitionLag("finance-agency", FINANCE, 0, 11_532),
        PartitionLag("finance-agency", FINANCE, 1, 0),
        PartitionLag("tax-agency", TAX, 0, 0),
    ]


def test_named_groups_on_named_topics_even_before_their_first_commit() -> None:
    snapshot = OffsetsSnapshot(
        partitions=[
            PartitionExtent("list-entries.v1", 0, 0, 7),
            PartitionExtent("catalog.v1", 0, 0, 3),
        ],
        committed={"ns.enforcement.list-entries": {("list-entries.v1", 0): 4}},
    )
    reading = {
        "ns.enforcement.list-entries": {"list-entries.v1"},
        "ns.enforcement.catalog-copy": {"catalog.v1"},
    }
    assert group_lags(snapshot, reading) == [
        PartitionLag("ns.enforcement.catalog-copy", "catalog.v1", 0, 3),
        PartitionLag("ns.enforcement.list-entries", "list-entries.v1", 0, 3),
    ]


def test_unread_by_any_group_is_what_the_furthest_group_has_not_read() -> None:
    snapshot = OffsetsSnapshot(
        partitions=[
            PartitionExtent(FINANCE, 0, 0, 100),
            PartitionExtent(FINANCE, 1, 0, 50),
            PartitionExtent(TAX, 0, 10, 30),
        ],
        committed={
            "stalled": {(FINANCE, 0): 10, (FINANCE, 1): 50},
            "live": {(FINANCE, 0): 90},
        },
    )
    # finance: partition 0 read up to 90 by "live", partition 1 up to its end; tax: no group.
    assert unread_by_any_group(snapshot) == {FINANCE: 10, TAX: 20}


async def test_the_sanction_topics_watch_reads_a_new_group_at_once_and_its_lag(
    tmp_path: Path,
) -> None:
    """On the embedded bus: an agency's group that reads its topic shows at once, with its
    lag; a topic nobody reads is all unread."""
    bus = EmbeddedBus("ns", tmp_path / "bus.sqlite3")
    await bus.start()
    metrics = ServiceMetrics("enforcement")
    watch = SanctionTopicsWatch(bus, metrics, interval_seconds=60, recheck_every=10)
    try:
        orders = [Message(topics.sanctions("finance"), "k", (), b"{}") for _ in range(5)]
        await bus.publish([*orders, Message(topics.sanctions("tax"), "k", (), b"{}")])
        lags, unread = await watch.refresh()
        assert (lags, unread) == ([], {FINANCE: 5, TAX: 1})

        agency = bus.subscribe("finance-system", [FINANCE])
        await agency.commit(await agency.poll(max_records=2, timeout_ms=100))
        lags, unread = await watch.refresh()  # a group not seen before: read at once
        assert lags == [PartitionLag("finance-system", FINANCE, 0, 3)]
        assert unread == {FINANCE: 3, TAX: 1}
        sample = metrics.registry.get_sample_value
        assert (
            sample(
                "jrp_sanction_topic_lag",
                {"department": "finance", "group": "finance-system", "partition": "0"},
            )
            == 3
        )
        assert sample("jrp_sanction_topic_unread", {"department": "tax"}) == 1

        await agency.commit(await agency.poll(max_records=10, timeout_ms=100))
        lags, unread = await watch.refresh()  # a known reader: read every time
        assert lags == [PartitionLag("finance-system", FINANCE, 0, 0)]
        assert unread == {FINANCE: 0, TAX: 1}
    finally:
        await bus.stop()
