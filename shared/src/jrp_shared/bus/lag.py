"""Consumer lag arithmetic: how far each consumer group is behind the end of each partition.

Plain functions over a snapshot of offsets, the same for both buses (no broker client here).

- A partition holds the offsets `start` (the first still kept: retention moves it) up to
  `end` (the next to be written, the high watermark): `end - start` messages.
- A group's committed offset on a partition is the next one it will read (Kafka's convention),
  so its **lag** there is `end - committed`. A group with no committed offset on a partition
  reads it from the earliest kept offset (`auto_offset_reset=earliest`, what our consumers and
  docs/loop.md ask of agencies), so its lag is `end - start`; a committed offset that
  retention has overtaken counts from `start` too (those messages are gone for it).
- **Unread by any group**: `end - max(start, the highest committed offset of any group)` — the
  messages on a partition that no group has read yet. On a department's sanction topic that is
  what the agency has not taken at all (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

TopicPartition = tuple[str, int]
"""(logical topic, partition)."""


@dataclass(frozen=True)
class PartitionExtent:
    topic: str
    partition: int
    start: int
    """The first offset still on the log."""
    end: int
    """The next offset to be written."""


@dataclass(frozen=True)
class OffsetsSnapshot:
    """Where the partitions of some topics end, and where some groups are on them."""

    partitions: Sequence[PartitionExtent]
    committed: Mapping[str, Mapping[TopicPartition, int]]
    """group → (topic, partition) → committed offset (the next it will read)."""


@dataclass(frozen=True)
class PartitionLag:
    group: str
    topic: str
    partition: int
    lag: int


def partition_lag(extent: PartitionExtent, committed: int | None) -> int:
    """Messages on the partition after the group's committed offset (see the module)."""
    read_from = extent.start if committed is None else max(committed, extent.start)
    return max(extent.end - read_from, 0)


def group_lags(
    snapshot: OffsetsSnapshot, reading: Mapping[str, Collection[str]] | None = None
) -> list[PartitionLag]:
    """Each group's lag on each partition. `reading` names the groups and the topics each
    reads (a named group that never committed is behind by everything kept); without it,
    every group in the snapshot, on the topics it has committed on."""
    if reading is None:
        reading = {
            group: {topic for topic, _ in offsets} for group, offsets in snapshot.committed.items()
        }
    lags: list[PartitionLag] = []
    for group in sorted(reading):
        offsets = snapshot.committed.get(group, {})
        for extent in snapshot.partitions:
            if extent.topic not in reading[group]:
                continue
            committed = offsets.get((extent.topic, extent.partition))
            lag = partition_lag(extent, committed)
            lags.append(PartitionLag(group, extent.topic, extent.partition, lag))
    return lags


def unread_by_any_group(snapshot: OffsetsSnapshot) -> dict[str, int]:
    """Per topic: the messages no group has read yet (all kept messages when no group reads
    the topic)."""
    unread: dict[str, int] = {}
    for extent in snapshot.partitions:
        furthest = max(
            (
                offsets[(extent.topic, extent.partition)]
                for offsets in snapshot.committed.values()
                if (extent.topic, extent.partition) in offsets
            ),
            default=None,
        )
        unread[extent.topic] = unread.get(extent.topic, 0) + partition_lag(extent, furthest)
    return unread
