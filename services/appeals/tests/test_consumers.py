"""The list-entries consumer on the embedded bus: this service's copy follows trigger's
versions; redelivered and stale events change nothing; revoked and repaired are final."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jrp_appeals.testing import ENTERPRISE, LEGAL_REPRESENTATIVE, AppealsUnderTest, entry_in_force
from jrp_shared.events.payloads import (
    ListEntryRepaired,
    ListEntryRevoked,
    ListEntrySuspended,
    Period,
)
from jrp_shared.testing import eventually
from jrp_shared.vocabulary import CaseKind

pytestmark = pytest.mark.integration


def suspended(version: int, entry_id: str = "entry-1") -> ListEntrySuspended:
    return ListEntrySuspended(
        entry_id=entry_id,
        version=version,
        subject_code=ENTERPRISE,
        case_kind=CaseKind.OBJECTION,
        case_id="case-1",
        suspended_at=datetime.now(UTC),
    )


async def test_a_redelivered_event_changes_nothing(appeals: AppealsUnderTest) -> None:
    entry = entry_in_force()
    message = entry.message("/jrp/trigger")
    await appeals.appeals.runtime.bus.publish([message, message])
    await appeals.entry_reaches("entry-1")
    before = await appeals.entry("entry-1")
    # The same version under a new event id, and the same message once more.
    await appeals.publish(entry)
    await appeals.appeals.runtime.bus.publish([message])
    marker = entry_in_force(entry_id="marker", record_id="marker")
    await appeals.list_entry(marker)  # one partition: everything before it was taken
    assert await appeals.entry("entry-1") == before
    assert await appeals.count("entries") == 2
    assert await appeals.count("entry_linked_persons") == 2
    assert await appeals.count("inbox") >= 3


async def test_the_copy_follows_versions_and_ignores_stale_ones(
    appeals: AppealsUnderTest,
) -> None:
    first = entry_in_force()
    await appeals.list_entry(first)
    await appeals.publish(suspended(1))
    await appeals.entry_reaches("entry-1", status="suspended")
    await appeals.publish(first)  # a late repeat of version 1 does not resume it
    later_end = first.period.end + timedelta(days=10)
    second = entry_in_force(
        version=2,
        period=Period(start=first.period.start, end=later_end),
        linked_persons=[],
    )
    await appeals.publish(second)
    await appeals.entry_reaches("entry-1", version=2, status="in_force")
    await appeals.publish(suspended(1))  # stale: the suspension of the old version
    await appeals.list_entry(entry_in_force(entry_id="marker", record_id="marker"))
    found = await appeals.entry("entry-1")
    assert found is not None
    assert found["status"] == "in_force" and found["period"]["end"] == str(later_end)
    assert found["linked_person_codes"] == []
    # The linked person no longer reaches the entry.
    r = await appeals.client.get(
        "/v1/entries/entry-1", headers=appeals.as_subject(LEGAL_REPRESENTATIVE)
    )
    assert r.status_code == 404


async def test_revoked_and_repaired_are_final(appeals: AppealsUnderTest) -> None:
    await appeals.list_entry()
    await appeals.list_entry(entry_in_force(entry_id="entry-2", record_id="r-2"))
    now = datetime.now(UTC)
    await appeals.publish(
        ListEntryRevoked(
            entry_id="entry-1",
            version=1,
            subject_code=ENTERPRISE,
            reason="撤销",
            revoked_by="tax",
            revoked_at=now,
        ),
        ListEntryRepaired(
            entry_id="entry-2",
            version=1,
            subject_code=ENTERPRISE,
            repair_id="repair-1",
            repaired_by="tax",
            repaired_at=now,
        ),
        ListEntryRevoked(
            entry_id="unknown",
            version=1,
            subject_code=ENTERPRISE,
            reason="撤销",
            revoked_by="tax",
            revoked_at=now,
        ),
    )
    await appeals.entry_reaches("entry-1", status="revoked")
    await appeals.entry_reaches("entry-2", status="repaired")
    await appeals.publish(entry_in_force(version=2), suspended(1, "entry-2"))
    await appeals.list_entry(entry_in_force(entry_id="marker", record_id="marker"))

    async def unchanged() -> bool:
        one, two = await appeals.entry("entry-1"), await appeals.entry("entry-2")
        return bool(one and two and one["status"] == "revoked" and two["status"] == "repaired")

    assert await eventually(unchanged)
    assert await appeals.entry("unknown") is None
    assert await appeals.dead_letters() == []
