"""The court's list end to end over the real broker (issue 12; DOMAIN.md §11 "Court list").

The court onboards a generated snapshot of its list through the synchronisation feed (historical
entries among them, some already ended), then sends a daily delta with additions, corrections
and deletions. Every department's topic must carry exactly the orders the catalog calls for:
issued once for each entry in force, re-issued (revision 2) for each corrected one, lifted for
each deleted one, and nothing for an entry that arrived expired. The must-check answers before
and after the delta agree with the list.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import pytest
from test_loop_over_kafka import catalog_ready, expected_orders

from bench import court_data
from harness import Mesh
from jrp_enforcement.domain.planning import order_id_for
from jrp_shared.clock import china_date
from jrp_shared.events import topics
from jrp_shared.testing import TopicReader, eventually
from jrp_shared.vocabulary import TargetRole

pytestmark = pytest.mark.integration

COURT_LIST = court_data.LIST_TYPE
ISSUED = "cn.jrp.enforcement.sanction-order.issued.v1"
LIFTED = "cn.jrp.enforcement.sanction-order.lifted.v1"


def ndjson(lines: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(x, ensure_ascii=False).encode() + b"\n" for x in lines)


async def run_feed(
    mesh: Mesh, mode: str, lines: list[dict[str, Any]], **fields: Any
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """One feed of the court: opened, every line sent (results for all lines), completed.
    Returns the completed feed and each record id's result."""
    trigger = mesh.followers["trigger"]
    court = mesh.keys.headers("court", "initiator")
    opened = await trigger.client.post(
        "/v1/sync-feeds", json={"mode": mode, "list_type": COURT_LIST, **fields}, headers=court
    )
    assert opened.status_code == 201, opened.text
    feed_id = opened.json()["feed_id"]
    sent = await trigger.client.post(
        f"/v1/sync-feeds/{feed_id}/lines?results=all",
        content=ndjson(lines),
        headers={**court, "content-type": "application/x-ndjson"},
    )
    assert sent.status_code == 200, sent.text
    answers = [json.loads(x) for x in sent.text.splitlines() if x.strip()]
    results = {a["record_id"]: a for a in answers if "record_id" in a}
    assert "summary" in answers[-1], answers[-1]
    done = await trigger.client.post(f"/v1/sync-feeds/{feed_id}/completion", headers=court)
    assert done.status_code == 200, done.text
    return done.json(), results


def planned(entry_id: str, line: dict[str, Any]) -> set[str]:
    """The order ids the catalog calls for on an entry: one per department and target."""
    subject = line["subject"]
    with_person = bool(line["linked_persons"])
    wanted = expected_orders(
        COURT_LIST, subject_type=subject["subject_type"], with_person=with_person
    )
    codes = {"subject": subject["code"]}
    if with_person:
        codes["legal_representative"] = line["linked_persons"][0]["resident_id"]
    return {
        order_id_for(entry_id, department, TargetRole(role), codes[role])
        for department, role in wanted
    }


async def orders_by_type(mesh: Mesh, reader: TopicReader) -> dict[str, list[dict[str, Any]]]:
    """Every order message on every department's topic, by type."""
    departments = {
        d for d, _ in expected_orders(COURT_LIST, subject_type="legal_person", with_person=True)
    }
    names = [mesh.topic(topics.sanctions(d)) for d in sorted(departments)]
    read = await reader.read_many(names)
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for messages in read.values():
        for m in messages:
            found[m.headers["ce_type"]].append(m.body)
    return found


async def checked(mesh: Mesh, codes: list[str]) -> dict[str, bool]:
    """Finance's must-check answer (`listed`) for each code."""
    enforcement = mesh.followers["enforcement"]
    finance = mesh.keys.headers("finance", "implementer")
    answers = {}
    for code in codes:
        r = await enforcement.client.get(f"/v1/checks/{code}", headers=finance)
        assert r.status_code == 200, r.text
        answers[code] = r.json()["listed"]
    return answers


async def test_the_court_list_onboarded_then_kept_in_step(mesh: Mesh) -> None:
    await catalog_ready(mesh)
    today = china_date(datetime.now(UTC))
    options = court_data.Options(entries=40, seed=12, as_of=today, persons_share=0.6)
    snapshot = list(court_data.snapshot(options))
    delta = list(court_data.delta(options, changes=12))
    outcome = court_data.expected_outcome(snapshot, delta, today)
    assert outcome.created and outcome.expired_on_arrival  # history reaches back to 2014
    assert outcome.added and outcome.corrected and outcome.deleted
    by_record = {line["record_id"]: line for line in snapshot}

    # Onboarding: the snapshot, once; entries decided years ago are recorded under the catalog
    # edition of their day, those already ended arrive expired and issue nothing.
    feed, results = await run_feed(mesh, "snapshot", snapshot, absent_reason="未在法院名单中")
    assert feed["status"] == "completed"
    assert feed["counts"]["rejected"] == 0, feed
    assert set(results) == set(by_record)
    entry_of = {record: r["entry_id"] for record, r in results.items()}
    first_orders: set[str] = set()
    for record in outcome.created:
        first_orders |= planned(entry_of[record], by_record[record])

    async with TopicReader(mesh.kafka_bootstrap) as reader:

        async def onboarded() -> dict[str, list[dict[str, Any]]] | None:
            found = await orders_by_type(mesh, reader)
            return found if len(found[ISSUED]) >= len(first_orders) else None

        found = await eventually(onboarded, within=120)
        assert found is not None
        issued = [o["order_id"] for o in found[ISSUED]]
        assert len(issued) == len(set(issued)) == len(first_orders)  # nothing doubled
        assert set(issued) == first_orders  # exactly the catalog's orders, none for the expired
        assert all(o["revision"] == 1 for o in found[ISSUED])
        assert not found[LIFTED]

        # Must-check before the delta: every entry in force is listed, an expired one is not,
        # a debtor the delta adds is not yet.
        added_codes = [
            line["subject"]["code"] for line in delta if line["record_id"] in outcome.added
        ]
        before = await checked(
            mesh,
            [by_record[r]["subject"]["code"] for r in sorted(outcome.created)][:6]
            + [by_record[r]["subject"]["code"] for r in sorted(outcome.expired_on_arrival)][:4]
            + added_codes[:3],
        )
        for record in sorted(outcome.created)[:6]:
            assert before[by_record[record]["subject"]["code"]] is True
        for record in sorted(outcome.expired_on_arrival)[:4]:
            assert before[by_record[record]["subject"]["code"]] is False
        assert not any(before[code] for code in added_codes[:3])

        # The daily delta: exactly the difference is applied.
        delta_feed, delta_results = await run_feed(mesh, "delta", delta)
        counts = delta_feed["counts"]
        assert counts["rejected"] == 0, delta_feed
        assert counts["corrected"] == len(outcome.corrected)
        assert counts["revoked"] == len(outcome.deleted)
        assert counts["created"] == len(outcome.added)
        delta_lines = {line["record_id"]: line for line in delta}
        new_orders: set[str] = set()
        for record in outcome.added:
            new_orders |= planned(delta_results[record]["entry_id"], delta_lines[record])
        reissued: set[str] = set()
        for record in outcome.corrected:
            reissued |= planned(entry_of[record], by_record[record])
        lifted: set[str] = set()
        for record in outcome.deleted:
            lifted |= planned(entry_of[record], by_record[record])

        async def applied() -> dict[str, list[dict[str, Any]]] | None:
            found = await orders_by_type(mesh, reader)
            issued_now = len(found[ISSUED])
            want = len(first_orders) + len(new_orders) + len(reissued)
            return found if issued_now >= want and len(found[LIFTED]) >= len(lifted) else None

        after = await eventually(applied, within=120)
        assert after is not None
        second = [
            o for o in after[ISSUED] if o["order_id"] not in first_orders or o["revision"] > 1
        ]
        assert {o["order_id"] for o in second if o["revision"] == 1} == new_orders
        assert {o["order_id"] for o in second if o["revision"] == 2} == reissued
        assert len(second) == len(new_orders) + len(reissued)  # nothing doubled
        assert {o["order_id"] for o in after[LIFTED]} == lifted
        assert len(after[LIFTED]) == len(lifted)
        assert all(o["reason"] == "revoked" for o in after[LIFTED])

    # Must-check after the delta: deleted debtors are no longer listed, added ones are.
    deleted_codes = [by_record[r]["subject"]["code"] for r in sorted(outcome.deleted)]
    kept = sorted(outcome.in_force_after & outcome.created)[:4]
    codes = deleted_codes + added_codes + [by_record[r]["subject"]["code"] for r in kept]

    async def caught_up() -> dict[str, bool] | None:
        # The index follows the commit that put the messages on the topics.
        answers = await checked(mesh, codes)
        return answers if not any(answers[code] for code in deleted_codes) else None

    answers = await eventually(caught_up, within=30)
    assert answers is not None
    assert not any(answers[code] for code in deleted_codes)
    assert all(answers[code] for code in added_codes)
    assert all(answers[by_record[r]["subject"]["code"]] for r in kept)
