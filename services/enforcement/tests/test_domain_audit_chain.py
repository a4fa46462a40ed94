"""The must-check audit's hash chain, pure (domain/audit_chain.py): sealing in order, and a
walk that names the first row altered, removed, or a tail cut off (DOMAIN.md §6)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from jrp_enforcement.domain.audit_chain import (
    GENESIS,
    ChainWalk,
    Fault,
    Head,
    canonical,
    row_hash,
    seal,
)

ASKED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _rows(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": 10 + i,
            "check_id": f"c{i}",
            "asked_at": ASKED + timedelta(seconds=i),
            "department": "tax",
            "subject_code": "91350100M000100Y43",
            "purpose": "licensing" if i % 2 else None,
            "business_reference": "闽税许〔2026〕1号" if i % 2 else None,
            "batch_id": None,
            "correlation_id": f"corr-{i}",
            "as_of": None,
            "listed": i % 3 == 0,
            "answer": {"check_id": f"c{i}", "entries": ["entry-1"] if i % 3 == 0 else []},
        }
        for i in range(n)
    ]


def _sealed(n: int) -> tuple[list[dict[str, Any]], Head]:
    rows = _rows(n)
    seals, head = seal(Head(), rows)
    for row, s in zip(rows, seals, strict=True):
        row.update(chain_seq=s.chain_seq, prev_hash=s.prev_hash, row_hash=s.row_hash)
    return rows, head


def _walk(rows: list[dict[str, Any]], head: Head | None) -> ChainWalk:
    walk = ChainWalk()
    walk.feed(rows[:3])  # in chunks, as the adapter feeds it
    walk.feed(rows[3:])
    walk.finish(head)
    return walk


def test_rows_are_sealed_in_order_each_after_the_previous_hash() -> None:
    rows, head = _sealed(5)
    assert [r["chain_seq"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["prev_hash"] == GENESIS
    assert all(rows[i]["prev_hash"] == rows[i - 1]["row_hash"] for i in range(1, 5))
    assert head == Head(5, rows[-1]["row_hash"])
    # Sealing more continues from the head.
    more, head2 = seal(head, _rows(1))
    assert more[0].chain_seq == 6 and more[0].prev_hash == head.hash and head2.seq == 6
    walk = _walk(rows, head)
    assert walk.ok and walk.verified == 5


def test_the_encoding_is_the_same_however_the_row_was_read() -> None:
    [row] = _rows(1)
    as_text = {**row, "answer": '{"entries": [], "check_id": "c0"}'}  # JSON as stored text
    naive = {**row, "asked_at": row["asked_at"].replace(tzinfo=None)}  # SQLite reads naive UTC
    shanghai = {**row, "asked_at": row["asked_at"].astimezone(UTC).replace(tzinfo=None)}
    assert canonical(row, 1) == canonical(naive, 1) == canonical(shanghai, 1)
    row["answer"] = {"entries": [], "check_id": "c0"}
    assert canonical(as_text, 1) == canonical(row, 1)
    assert row_hash(GENESIS, row, 1) != row_hash(GENESIS, row, 2)  # the position counts


def test_an_altered_row_is_named_with_its_position_and_id() -> None:
    rows, head = _sealed(6)
    rows[2]["listed"] = not rows[2]["listed"]  # "was not listed" after the fact
    walk = _walk(rows, head)
    [problem] = walk.problems
    assert (problem.fault, problem.chain_seq, problem.id) == (Fault.ALTERED, 3, rows[2]["id"])
    assert walk.verified == 5


def test_a_removed_row_leaves_a_gap_named_at_the_first_missing_position() -> None:
    rows, head = _sealed(6)
    del rows[3]  # position 4
    walk = _walk(rows, head)
    [problem] = walk.problems
    assert (problem.fault, problem.chain_seq, problem.id) == (Fault.REMOVED, 4, rows[3]["id"])


def test_a_row_relinked_after_a_removal_still_breaks_at_the_hash() -> None:
    rows, _ = _sealed(5)
    del rows[1]
    for i, row in enumerate(rows, start=1):  # renumber the positions, leave the hashes
        row["chain_seq"] = i
    walk = _walk(rows, Head(4, rows[-1]["row_hash"]))
    faults = [(p.fault, p.chain_seq) for p in walk.problems]
    assert faults[0] == (Fault.REMOVED, 2)  # its prev_hash names a hash no row before has


def test_a_truncated_tail_is_found_against_the_head() -> None:
    rows, head = _sealed(5)
    walk = _walk(rows[:3], head)
    [problem] = walk.problems
    assert (problem.fault, problem.chain_seq, problem.id) == (Fault.TRUNCATED, 4, None)
    assert not _walk(rows, None).problems  # nothing to compare with: nothing sealed yet
