"""The lag arithmetic (`jrp_shared.bus.lag`): behind by what was written after the committed
offset; a group that never committed, or whose offset retention overtook, counts from the
first message kept; "unread by any group" is what the furthest group has not read."""

from jrp_shared.bus.lag import (
    OffsetsSnapshot,
    PartitionExtent,
    PartitionLag,
    group_lags,
    partition_lag,
    unread_by_any_group,
)

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
