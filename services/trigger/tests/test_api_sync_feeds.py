"""Sync feeds through the HTTP API on a real PostgreSQL: snapshots and deltas applied as the
difference against what the department has, resumable uploads, rejections by line number,
progress, and deletion deadlines in working days (issue 12 parts 2 and 3)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bench import court_data
from jrp_shared.calendar import statutory_holidays
from jrp_shared.events.payloads import CalendarScheduleLoaded, DeletionRules
from jrp_shared.testing import eventually
from jrp_trigger.testing import (
    COURT_LIST,
    TriggerUnderTest,
    court_list_type,
    list_type,
    tax_entry,
)

pytestmark = pytest.mark.integration

NDJSON = {"Content-Type": "application/x-ndjson"}
CSV = {"Content-Type": "text/csv"}
IN_FORCE = "cn.jrp.trigger.list-entry.in-force.v1"
REVOKED = "cn.jrp.trigger.list-entry.revoked.v1"
DELETION = DeletionRules(deadline_working_days=3, grounds=["performed", "revoked_judgment"])


def body(lines: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode()


def answer(text: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    lines = [json.loads(x) for x in text.splitlines()]
    assert "summary" in lines[-1], lines[-1]
    return lines[:-1], lines[-1]["summary"]


def entry(today: date, n: int, **changes: Any) -> dict[str, Any]:
    return tax_entry(today, record_id=f"r-{n}", **changes)


async def open_feed(trigger: TriggerUnderTest, **fields: Any) -> dict[str, Any]:
    r = await trigger.client.post(
        "/v1/sync-feeds",
        json={"list_type": "black.tax.major-violation", **fields},
        headers=trigger.as_department(),
    )
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    return found


async def send(
    trigger: TriggerUnderTest, feed_id: str, content: bytes, query: str = "", csv: bool = False
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    r = await trigger.client.post(
        f"/v1/sync-feeds/{feed_id}/lines{query}",
        content=content,
        headers={**trigger.as_department(), **(CSV if csv else NDJSON)},
    )
    assert r.status_code == 200, r.text
    return answer(r.text)


async def complete(trigger: TriggerUnderTest, feed_id: str) -> dict[str, Any]:
    r = await trigger.client.post(
        f"/v1/sync-feeds/{feed_id}/completion", headers=trigger.as_department()
    )
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


async def by_record(trigger: TriggerUnderTest) -> dict[str, dict[str, Any]]:
    r = await trigger.client.get("/v1/list-entries?limit=500", headers=trigger.as_department())
    return {e["record_id"]: e for e in r.json()}


async def test_a_second_snapshot_corrects_revokes_and_creates_exactly_the_difference(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    today = trigger.trigger.today()
    first = await open_feed(
        trigger,
        mode="snapshot",
        feed_ref="court-2026-01",
        absent_reason="不再列入",
        expected_lines=5,
    )
    assert first["status"] == "open" and first["seconds_left"] is None
    _, summary = await send(trigger, first["feed_id"], body([entry(today, n) for n in range(5)]))
    assert summary["counts"]["created"] == 5 and summary["lines_received"] == 5
    assert summary["rate_lines_per_second"] > 0
    assert summary["seconds_left"] == 0
    view = (
        await trigger.client.get(
            f"/v1/sync-feeds/{first['feed_id']}", headers=trigger.as_department()
        )
    ).json()
    assert set(view) == {
        "feed_id",
        "feed_ref",
        "mode",
        "list_type",
        "status",
        "lines_received",
        "counts",
        "absent_revoked",
        "expected_lines",
        "rate_lines_per_second",
        "seconds_left",
        "started_at",
        "updated_at",
        "completed_at",
    }
    assert view["lines_received"] == 5 and view["feed_ref"] == "court-2026-01"
    assert view["expected_lines"] == 5 and view["completed_at"] is None
    done = await complete(trigger, first["feed_id"])
    assert done["status"] == "completed" and done["absent_revoked"] == 0
    assert len(await trigger.outbox(IN_FORCE)) == 5

    second = await open_feed(trigger, mode="snapshot", absent_reason="法院已删除")
    lines = [entry(today, n) for n in (0, 1, 2)]  # r-3 missing
    lines[1] = entry(today, 1, grounds="拒不履行生效判决")  # r-1 changed
    lines.append(entry(today, 9))  # r-9 new
    rows, summary = await send(trigger, second["feed_id"], body(lines), "?results=all")
    assert [(r["line"], r["record_id"], r["status"]) for r in rows] == [
        (1, "r-0", "unchanged"),
        (2, "r-1", "corrected"),
        (3, "r-2", "unchanged"),
        (4, "r-9", "created"),
    ]
    assert summary["counts"] == {
        "created": 1,
        "corrected": 1,
        "unchanged": 2,
        "revoked": 0,
        "rejected": 0,
        "skipped": 0,
    }
    done = await complete(trigger, second["feed_id"])
    assert done["status"] == "completed" and done["absent_revoked"] == 2  # r-3 and r-4
    again = await complete(trigger, second["feed_id"])
    assert again == done

    entries = await by_record(trigger)
    assert {k for k, e in entries.items() if e["status"] == "revoked"} == {"r-3", "r-4"}
    assert entries["r-1"]["version"] == 2 and entries["r-9"]["status"] == "in_force"
    revoked = await trigger.outbox(REVOKED)
    assert sorted(e["reason"] for e in revoked) == ["法院已删除", "法院已删除"]
    sent = await trigger.outbox(IN_FORCE)
    assert len(sent) == 5 + 2  # r-1 version 2, r-9
    detail = (
        await trigger.client.get(
            f"/v1/list-entries/{entries['r-1']['entry_id']}", headers=trigger.as_department()
        )
    ).json()
    assert detail["versions"][-1]["reason"] == f"sync feed {second['feed_id']} line 2"

    # the same ref answers the same feed; after completion no more lines
    r = await trigger.client.post(
        "/v1/sync-feeds",
        json={
            "list_type": "black.tax.major-violation",
            "mode": "snapshot",
            "feed_ref": "court-2026-01",
            "absent_reason": "x",
        },
        headers=trigger.as_department(),
    )
    assert r.status_code == 200 and r.json()["feed_id"] == first["feed_id"]
    r = await trigger.client.post(
        f"/v1/sync-feeds/{first['feed_id']}/lines",
        content=body([entry(today, 20)]),
        headers={**trigger.as_department(), **NDJSON},
    )
    assert r.status_code == 409


async def test_a_delta_upserts_and_deletes_and_refuses_by_line(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    today = trigger.trigger.today()
    base = await open_feed(trigger, mode="delta")
    await send(trigger, base["feed_id"], body([entry(today, n) for n in range(4)]))
    delta = await open_feed(trigger, mode="delta")
    lines: list[dict[str, Any]] = [
        {**entry(today, 0, grounds="更正"), "op": "upsert", "correction_reason": "法院更正"},
        {"record_id": "r-1", "op": "delete", "reason": "已履行"},
        {"record_id": "r-1", "op": "delete", "reason": "已履行"},  # again: unchanged
        {"record_id": "nope", "op": "delete", "reason": "x"},
        entry(today, 5),
        entry(today, 6, list_type="black.other"),
        {"record_id": "r-7", "op": "merge"},
        entry(today, 1, grounds="再次列入"),  # revoked above: closed to a change
        {"record_id": "r-2", "op": "delete"},  # no reason
    ]
    rows, summary = await send(trigger, delta["feed_id"], body(lines))
    rejected = {r["line"]: r["problems"][0]["reason"] for r in rows}
    assert rejected == {
        4: "unknown_record",
        6: "feed_list_type_mismatch",
        7: "unknown_op",
        8: "record_closed",
        9: "missing",
    }
    assert all(r["status"] == "rejected" for r in rows)
    assert summary["counts"] == {
        "created": 1,
        "corrected": 1,
        "unchanged": 1,
        "revoked": 1,
        "rejected": 5,
        "skipped": 0,
    }
    entries = await by_record(trigger)
    assert entries["r-1"]["status"] == "revoked" and entries["r-0"]["version"] == 2
    assert entries["r-5"]["status"] == "in_force"

    r = await trigger.client.get(
        f"/v1/sync-feeds/{delta['feed_id']}/rejections?after_line=5&limit=2",
        headers=trigger.as_department(),
    )
    assert [(x["line"], x["record_id"]) for x in r.json()] == [(6, "r-6"), (7, "r-7")]
    done = await complete(trigger, delta["feed_id"])
    assert done["status"] == "completed" and done["absent_revoked"] == 0
    assert (await by_record(trigger))["r-3"]["status"] == "in_force"  # a delta revokes nothing

    # another department does not see the feed
    other = trigger.as_department("customs")
    r = await trigger.client.get(f"/v1/sync-feeds/{delta['feed_id']}", headers=other)
    assert r.status_code == 404


async def test_a_resumed_upload_counts_each_line_once(trigger: TriggerUnderTest) -> None:
    await trigger.seed(list_type())
    trigger.trigger.settings.__dict__["bulk_chunk_lines"] = 7
    today = trigger.trigger.today()
    feed = await open_feed(trigger, mode="snapshot", absent_reason="absent", expected_lines=30)
    lines = [entry(today, n) for n in range(30)]
    lines[12]["subject"] = {**lines[12]["subject"], "code": "123"}
    _, summary = await send(trigger, feed["feed_id"], body(lines[:15]))
    assert summary["lines_received"] == 15
    assert summary["seconds_left"] is not None

    # the whole file again (from line 1): the first 15 are skipped
    rows, summary = await send(trigger, feed["feed_id"], body(lines), "?results=all&first_line=1")
    assert [r["status"] for r in rows[:15]] == ["skipped"] * 15
    assert summary["lines_received"] == 30
    # and from lines_received + 1: nothing twice
    _, summary = await send(trigger, feed["feed_id"], body(lines[25:]), "?first_line=26")
    assert summary["counts"]["created"] == 29
    assert summary["counts"]["rejected"] == 1
    assert summary["counts"]["skipped"] == 15 + 5
    assert await trigger.count("list_entries") == 29
    assert len(await trigger.outbox(IN_FORCE)) == 29
    r = await trigger.client.get(
        f"/v1/sync-feeds/{feed['feed_id']}/rejections", headers=trigger.as_department()
    )
    assert [(x["line"], x["record_id"]) for x in r.json()] == [(13, "r-12")]

    r = await trigger.client.post(
        f"/v1/sync-feeds/{feed['feed_id']}/lines?first_line=40",
        content=body(lines[:1]),
        headers={**trigger.as_department(), **NDJSON},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["reason"] == "line_gap"
    listed = (await trigger.client.get("/v1/sync-feeds", headers=trigger.as_department())).json()
    assert [f["feed_id"] for f in listed] == [feed["feed_id"]]


async def test_a_csv_feed_carries_deletions(trigger: TriggerUnderTest) -> None:
    await trigger.seed(list_type(deletion=DELETION))
    today = trigger.trigger.today()
    feed = await open_feed(trigger, mode="delta")
    await send(trigger, feed["feed_id"], body([entry(today, 1)]))
    header = (
        "record_id,subject_code,subject_type,subject_name,list_type,grounds,legal_basis,"
        "decision_number,decision_date,period_start,period_end,disclosure_class,op,reason,"
        "deletion_ground,ground_arose_on\n"
    )
    row = f"r-1,,,,,,,,,,,,delete,已履行完毕,performed,{today.isoformat()}\n"
    rows, summary = await send(trigger, feed["feed_id"], (header + row).encode(), csv=True)
    assert rows == [] and summary["counts"]["revoked"] == 1
    assert summary["lines_received"] == 2
    r = await trigger.client.get(
        "/v1/list-entries/deletions?state=on_time", headers=trigger.as_department()
    )
    [deletion] = r.json()
    assert deletion["record_id"] == "r-1" and deletion["ground"] == "performed"
    assert deletion["deleted_on"] == today.isoformat()


async def test_only_an_initiating_department_opens_a_feed(trigger: TriggerUnderTest) -> None:
    await trigger.seed(list_type())
    r = await trigger.client.post(
        "/v1/sync-feeds",
        json={"list_type": "black.tax.major-violation", "mode": "delta"},
        headers=trigger.as_department("customs"),
    )
    assert r.status_code == 403
    r = await trigger.client.post(
        "/v1/sync-feeds",
        json={"list_type": "black.tax.major-violation", "mode": "snapshot"},
        headers=trigger.as_department(),
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["reason"] == "absent_reason_required"


def china_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, tzinfo=UTC)


async def test_deletion_deadlines_in_working_days(trigger: TriggerUnderTest) -> None:
    await trigger.seed(list_type(deletion=DELETION))
    # Friday 2026-03-06: three working days later is Wednesday 2026-03-11.
    friday = date(2026, 3, 6)
    trigger.trigger.clock = lambda: china_noon(friday)
    headers = trigger.as_department()
    ids = []
    for n in range(3):
        r = await trigger.client.post("/v1/list-entries", json=entry(friday, n), headers=headers)
        assert r.status_code == 201, r.text
        ids.append(r.json()["entry_id"])
    for entry_id in ids:
        r = await trigger.client.post(
            f"/v1/list-entries/{entry_id}/deletion-ground",
            json={"ground": "performed", "arose_on": friday.isoformat()},
            headers=headers,
        )
        assert r.status_code == 200, r.text
    r = await trigger.client.post(
        f"/v1/list-entries/{ids[0]}/deletion-ground",
        json={"ground": "lost", "arose_on": (friday + timedelta(days=1)).isoformat()},
        headers=headers,
    )
    assert r.status_code == 422
    assert {p["reason"] for p in r.json()["errors"]} == {
        "unknown_deletion_ground",
        "arose_on_in_future",
    }
    # revoked on Wednesday: on time
    trigger.trigger.clock = lambda: china_noon(date(2026, 3, 11))
    r = await trigger.client.post(
        f"/v1/list-entries/{ids[0]}/revocation", json={"reason": "已履行"}, headers=headers
    )
    assert r.status_code == 200
    # Thursday: the others are overdue; one is revoked, late by one working day
    trigger.trigger.clock = lambda: china_noon(date(2026, 3, 12))
    r = await trigger.client.get("/v1/list-entries/deletions?state=overdue", headers=headers)
    assert sorted(x["entry_id"] for x in r.json()) == sorted(ids[1:])
    assert {x["due"] for x in r.json()} == {"2026-03-11"}
    assert trigger.trigger.deletions_overdue is not None
    assert await trigger.trigger.deletions_overdue.refresh() == 2
    metrics = (await trigger.client.get("/metrics")).text
    assert "jrp_deletions_overdue 2.0" in metrics
    r = await trigger.client.post(
        f"/v1/list-entries/{ids[1]}/revocation", json={"reason": "已履行"}, headers=headers
    )
    assert r.status_code == 200
    r = await trigger.client.get("/v1/list-entries/deletions", headers=headers)
    states = {x["entry_id"]: (x["state"], x["working_days_late"]) for x in r.json()}
    assert states == {
        ids[0]: ("on_time", 0),
        ids[1]: ("late", 1),
        ids[2]: ("overdue", 1),
    }
    office = (
        await trigger.client.get("/v1/list-entries/deletions", headers=trigger.as_office())
    ).json()
    assert len(office) == 3
    assert (
        await trigger.client.get(
            "/v1/list-entries/deletions", headers=trigger.as_department("customs")
        )
    ).json() == []
    # the revocation route records a ground too
    r = await trigger.client.post("/v1/list-entries", json=entry(friday, 7), headers=headers)
    r = await trigger.client.post(
        f"/v1/list-entries/{r.json()['entry_id']}/revocation",
        json={
            "reason": "判决撤销",
            "deletion_ground": "revoked_judgment",
            "ground_arose_on": "2026-03-05",
        },
        headers=headers,
    )
    assert r.status_code == 200, r.text
    late = (
        await trigger.client.get("/v1/list-entries/deletions?state=late", headers=headers)
    ).json()
    # arose Thursday 03-05, due Tuesday 03-10, revoked Thursday 03-12: two working days late
    assert {(x["due"], x["working_days_late"]) for x in late} == {
        ("2026-03-11", 1),
        ("2026-03-10", 2),
    }


async def test_the_lines_route_takes_bodies_beyond_the_usual_limit(
    trigger: TriggerUnderTest,
) -> None:
    """Its path has a parameter; the body limit of the bulk import applies to it all the
    same (jrp_shared.web matches the route's path pattern)."""
    await trigger.seed(list_type())
    today = trigger.trigger.today()
    feed = await open_feed(trigger, mode="delta")
    padding = b"\n" * (trigger.trigger.settings.http_max_body_bytes + 1)
    content = body([entry(today, 1)]) + padding + body([entry(today, 2)])
    rows, summary = await send(trigger, feed["feed_id"], content)
    assert rows == [] and summary["counts"]["created"] == 2 and summary["lines_received"] == 2


async def test_lines_apply_in_order_and_completion_goes_chunk_by_chunk(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    trigger.trigger.settings.__dict__["bulk_chunk_lines"] = 3
    today = trigger.trigger.today()
    feed = await open_feed(trigger, mode="snapshot", absent_reason="不在本次名单")
    lines: list[dict[str, Any]] = [entry(today, n) for n in range(10)]
    lines[1:1] = [
        {"record_id": "r-0", "op": "delete", "reason": "已履行"},  # after its creation
        entry(today, 0, grounds="再次列入"),  # revoked just before: closed to a change
    ]
    rows, summary = await send(trigger, feed["feed_id"], body(lines), "?results=all")
    assert [(r["record_id"], r["status"]) for r in rows[:3]] == [
        ("r-0", "created"),
        ("r-0", "revoked"),
        ("r-0", "rejected"),
    ]
    assert summary["counts"]["created"] == 10 and summary["counts"]["revoked"] == 1

    second = await open_feed(trigger, mode="snapshot", absent_reason="不在本次名单")
    await send(trigger, second["feed_id"], body([entry(today, 8), entry(today, 9)]))
    done = await complete(trigger, second["feed_id"])
    assert done["absent_revoked"] == 7  # r-1 … r-7, three to a transaction
    # the completed snapshot's record ids are forgotten; the open one keeps its ten
    assert await trigger.count("sync_feed_records") == 10
    statuses = {k: e["status"] for k, e in (await by_record(trigger)).items()}
    assert statuses == {
        **{f"r-{n}": "revoked" for n in range(8)},
        "r-8": "in_force",
        "r-9": "in_force",
    }


async def test_a_revocation_gives_the_ground_with_its_date_and_under_the_list_types_rules(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type(deletion=DELETION), list_type("black.tax.other"))
    today = trigger.trigger.today()
    headers = trigger.as_department()
    made = await trigger.client.post("/v1/list-entries", json=entry(today, 1), headers=headers)
    entry_id = made.json()["entry_id"]
    r = await trigger.client.post(
        f"/v1/list-entries/{entry_id}/revocation",
        json={"reason": "已履行", "deletion_ground": "performed"},
        headers=headers,
    )
    assert r.status_code == 422
    assert r.json()["errors"][0] == {
        "field": "body.ground_arose_on",
        "reason": "deletion_ground_incomplete",
        "message": "give deletion_ground and ground_arose_on together, or neither",
    }
    r = await trigger.client.post(
        f"/v1/list-entries/{entry_id}/revocation",
        json={"reason": "已履行", "deletion_ground": "paid", "ground_arose_on": str(today)},
        headers=headers,
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.deletion_ground"
    assert r.json()["errors"][0]["allowed"] == ["performed", "revoked_judgment"]
    # nothing changed: the entry is still in force
    got = await trigger.client.get(f"/v1/list-entries/{entry_id}", headers=headers)
    assert got.json()["status"] == "in_force"
    # a list type without deletion rules takes no ground
    other = await trigger.client.post(
        "/v1/list-entries",
        json=entry(today, 2, list_type="black.tax.other"),
        headers=headers,
    )
    r = await trigger.client.post(
        f"/v1/list-entries/{other.json()['entry_id']}/deletion-ground",
        json={"ground": "performed", "arose_on": str(today)},
        headers=headers,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["reason"] == "no_deletion_rules"
    # only the initiating department records a ground
    r = await trigger.client.post(
        f"/v1/list-entries/{entry_id}/deletion-ground",
        json={"ground": "performed", "arose_on": str(today)},
        headers=trigger.as_department("customs"),
    )
    assert r.status_code == 403


async def test_a_provisional_deletion_deadline_is_counted_again_on_the_official_schedule(
    trigger: TriggerUnderTest,
) -> None:
    """DOMAIN.md §10: a deadline reaching a year without its official schedule is provisional
    (statutory holidays only) and computed again when the registry publishes the schedule."""
    calendar = trigger.trigger.copies.calendar.calendar
    if calendar.source_of(2027) != "provisional":
        pytest.fail("this test needs 2027 to have no schedule yet; pick a later year")
    await trigger.seed(list_type(deletion=DELETION))
    thursday = date(2026, 12, 31)
    trigger.trigger.clock = lambda: china_noon(thursday)
    headers = trigger.as_department()
    made = await trigger.client.post("/v1/list-entries", json=entry(thursday, 1), headers=headers)
    assert made.status_code == 201, made.text
    r = await trigger.client.post(
        f"/v1/list-entries/{made.json()['entry_id']}/deletion-ground",
        json={"ground": "performed", "arose_on": thursday.isoformat()},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    [pending] = (await trigger.client.get("/v1/list-entries/deletions", headers=headers)).json()
    # Friday Jan 1 is New Year's Day; Mon 4, Tue 5, Wed 6
    assert (pending["due"], pending["due_provisional"]) == ("2027-01-06", True)

    # the official schedule adds a bridging day off on Monday Jan 4
    holidays = sorted(statutory_holidays(2027) | {date(2027, 1, 4)})
    await trigger.publish(
        CalendarScheduleLoaded(
            year=2027, source="国办发明电〔2026〕测试", holidays=holidays, adjusted_workdays=[]
        ),
        source="/jrp/registry",
    )

    async def recomputed() -> dict[str, Any] | None:
        [found] = (await trigger.client.get("/v1/list-entries/deletions", headers=headers)).json()
        return found if found["due_provisional"] is False else None

    final = await eventually(recomputed)
    assert final["due"] == "2027-01-07"


async def test_a_generated_court_snapshot_and_delta_give_exactly_the_expected_outcome(
    trigger: TriggerUnderTest,
) -> None:
    """The court-list generator's data (bench/court_data.py) through the feed: every line
    taken, and the delta corrects, revokes and adds exactly the records it names."""
    await trigger.seed(
        court_list_type(
            effective_from=date(2013, 1, 1),
            deletion={"deadline_working_days": 3, "grounds": list(court_data.DELETION_GROUNDS)},
        )
    )
    today = trigger.trigger.today()
    options = court_data.Options(entries=120, seed=7, as_of=today)
    snapshot = list(court_data.snapshot(options))
    changes = list(court_data.delta(options, 40))
    expected = court_data.expected_outcome(snapshot, changes, today)
    court = trigger.as_department("court")

    async def feed(mode: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
        r = await trigger.client.post(
            "/v1/sync-feeds",
            json={"list_type": COURT_LIST, "mode": mode, "absent_reason": "不在全量数据中"},
            headers=court,
        )
        feed_id = r.json()["feed_id"]
        r = await trigger.client.post(
            f"/v1/sync-feeds/{feed_id}/lines", content=body(lines), headers={**court, **NDJSON}
        )
        rows, _ = answer(r.text)
        assert rows == []  # nothing refused
        r = await trigger.client.post(f"/v1/sync-feeds/{feed_id}/completion", headers=court)
        done: dict[str, Any] = r.json()
        return done

    first = await feed("snapshot", snapshot)
    assert first["counts"]["created"] == len(expected.created | expected.expired_on_arrival)
    assert first["absent_revoked"] == 0
    # the same snapshot again (expired entries included) changes nothing and refuses nothing
    again = await feed("snapshot", snapshot)
    assert again["counts"]["unchanged"] == len(snapshot) and again["absent_revoked"] == 0
    second = await feed("delta", changes)
    assert second["counts"] == {
        "created": len(expected.added),
        "corrected": len(expected.corrected),
        "unchanged": 0,
        "revoked": len(expected.deleted),
        "rejected": 0,
        "skipped": 0,
    }
    r = await trigger.client.get(
        "/v1/list-entries/deletions?limit=500", headers=trigger.as_department("court")
    )
    assert {x["record_id"] for x in r.json()} == expected.deleted
    assert {x["state"] for x in r.json()} == {"on_time"}
