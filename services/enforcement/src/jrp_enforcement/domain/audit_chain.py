"""The must-check audit as a hash chain (DOMAIN.md §6: who asked about whom, when, and what
was answered, kept so that it can be proven later). No I/O here.

Rows are sealed in order: row n gets `chain_seq` n (contiguous from 1), `prev_hash` the hash
of row n - 1 (`GENESIS` for the first) and `row_hash` = SHA-256 over `prev_hash` and a
canonical encoding of its fields. The head (the last position and hash) is kept apart. So a
row altered after sealing no longer matches its hash; a row removed leaves a gap in the
positions (and the next row's `prev_hash` names a hash no row has); rows removed from the end
leave the head ahead of the rows.

What it does not prove: someone who may write both the rows and the head can rewrite the
chain from the first row they change, consistently. Only a copy of the head kept out of
their reach anchors it (docs/must-check.md, "The audit chain").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import msgspec

_decode = msgspec.json.decode
_encode = msgspec.json.Encoder(order="sorted").encode

GENESIS = "0" * 64
"""The `prev_hash` of the first row."""

HASHED_FIELDS = (
    "id",
    "check_id",
    "asked_at",
    "department",
    "subject_code",
    "purpose",
    "business_reference",
    "batch_id",
    "correlation_id",
    "as_of",
    "listed",
    "answer",
)
"""The fields of a row its hash covers, in this order (with its position and `prev_hash`)."""


def _moment(value: datetime | None) -> str | None:
    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="microseconds")


def _value(name: str, value: Any) -> Any:
    if isinstance(value, datetime):
        return _moment(value)
    if name == "answer" and isinstance(value, str):
        return _decode(value)  # the same answer whether read as text or as JSON
    return value


def canonical(row: Mapping[str, Any], chain_seq: int) -> bytes:
    """The row's fields as the hash sees them: a JSON array in `HASHED_FIELDS` order after
    its position, keys sorted, no spaces, UTF-8; instants in UTC with microseconds. The
    same bytes whether the row was read from PostgreSQL or SQLite."""
    values = [chain_seq, *(_value(name, row.get(name)) for name in HASHED_FIELDS)]
    return _encode(values)


def row_hash(prev_hash: str, row: Mapping[str, Any], chain_seq: int) -> str:
    """SHA-256 (hex) over the previous row's hash and this row's canonical encoding."""
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical(row, chain_seq))
    return digest.hexdigest()


@dataclass(frozen=True)
class Head:
    """The chain's end: the last sealed position and its row's hash."""

    seq: int = 0
    hash: str = GENESIS


@dataclass(frozen=True)
class Seal:
    id: int
    chain_seq: int
    prev_hash: str
    row_hash: str


def seal(head: Head, rows: Iterable[Mapping[str, Any]]) -> tuple[list[Seal], Head]:
    """Seal unsealed rows (in the order given: by id) after `head`; the seals and the new
    head."""
    seals: list[Seal] = []
    seq, prev = head.seq, head.hash
    for row in rows:
        seq += 1
        sealed = row_hash(prev, row, seq)
        seals.append(Seal(int(row["id"]), seq, prev, sealed))
        prev = sealed
    return seals, Head(seq, prev)


class Fault(StrEnum):
    ALTERED = "altered"
    """The row's fields no longer give its hash: changed after it was sealed."""
    REMOVED = "removed"
    """A position is missing, or the row does not follow its predecessor's hash: a row (or
    more) was deleted, or the chain re-linked."""
    TRUNCATED = "truncated"
    """The head is ahead of the last row: rows were removed from the end."""


@dataclass(frozen=True)
class Problem:
    fault: Fault
    chain_seq: int
    """The position at fault (for a removed row: the first missing position)."""
    id: int | None
    """The row found there (for a removed row: the row after the gap; none when truncated)."""
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {
            "fault": self.fault.value,
            "chain_seq": self.chain_seq,
            "id": self.id,
            "detail": self.detail,
        }


@dataclass
class ChainWalk:
    """Verify the chain a chunk of rows at a time, in `chain_seq` order (`feed`), then
    against the head (`finish`). Every problem is kept; the first is the one to look at."""

    problems: list[Problem] = field(default_factory=list)
    verified: int = 0
    """Rows seen whose hash matches."""
    last_seq: int = 0
    last_hash: str = GENESIS

    @property
    def ok(self) -> bool:
        return not self.problems

    def feed(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            seq, row_id = int(row["chain_seq"]), int(row["id"])
            expected = self.last_seq + 1
            if seq != expected:
                self.problems.append(
                    Problem(
                        Fault.REMOVED,
                        expected,
                        row_id,
                        f"positions {expected}..{seq - 1} are missing before row {row_id}",
                    )
                )
            elif row["prev_hash"] != self.last_hash:
                self.problems.append(
                    Problem(
                        Fault.REMOVED,
                        seq,
                        row_id,
                        "the row does not follow its predecessor's hash",
                    )
                )
            if row_hash(str(row["prev_hash"]), row, seq) != row["row_hash"]:
                self.problems.append(
                    Problem(
                        Fault.ALTERED,
                        seq,
                        row_id,
                        "the row's fields do not give its hash: changed after it was sealed",
                    )
                )
            else:
                self.verified += 1
            self.last_seq, self.last_hash = seq, str(row["row_hash"])

    def finish(self, head: Head | None) -> None:
        """Compare the last row with the head (None: nothing sealed yet)."""
        if head is None:
            return
        if head.seq > self.last_seq:
            self.problems.append(
                Problem(
                    Fault.TRUNCATED,
                    self.last_seq + 1,
                    None,
                    f"the head is at position {head.seq} but the rows end at {self.last_seq}",
                )
            )
        elif head.seq == self.last_seq and head.hash != self.last_hash:
            self.problems.append(
                Problem(
                    Fault.ALTERED,
                    head.seq,
                    None,
                    "the last row's hash is not the head's",
                )
            )
