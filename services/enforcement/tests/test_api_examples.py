"""The enforcement API's OpenAPI examples are true to the service (issue 17): each request
example is accepted by the model the route reads it with; each answer example is one its model
gives, unchanged; and, told as the story of entrypoints/http/examples.py on a real PostgreSQL
(the harness's tax black-list entry, the clock on Monday 2026-11-23 10:00 in Beijing), the
service accepts each request example and answers with the fields of the answer's example,
nested ones included, and mostly its very values. tests/test_openapi_examples.py checks every
example against the document's schemas."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from jrp_enforcement.adapters.audit_chain import AuditSealer
from jrp_enforcement.entrypoints.http import examples
from jrp_enforcement.entrypoints.http.checks import (
    AuditedRead,
    BatchIn,
    BatchRead,
    BatchRecordRead,
    CheckRead,
)
from jrp_enforcement.entrypoints.http.orders import FeedbackIn, OrderDetail, OrderRead, ReceiptIn
from jrp_enforcement.entrypoints.http.statistics import StatisticsRead
from jrp_enforcement.entrypoints.http.warning_list import SubjectWarningsRead, WarningListRead
from jrp_enforcement.service_layer.entries import take_entry_in_force
from jrp_enforcement.testing import (
    ENTERPRISE,
    EnforcementUnderTest,
    comparable,
    entry_in_force,
)
from jrp_shared.events.payloads import ListEntryInForce, Period, SubjectReference
from jrp_shared.testing import answered_as_shown, eventually
from jrp_shared.vocabulary import DisclosureClass, ListColour, SubjectType

REQUESTS: list[tuple[type[BaseModel], Any]] = [
    (ReceiptIn, examples.RECEIPT_REQUEST),
    (FeedbackIn, examples.FEEDBACK_REQUEST),
    (BatchIn, examples.BATCH_REQUEST),
]

ANSWERS: list[tuple[type[BaseModel], Any]] = [
    (BatchRecordRead, examples.BATCH_RECORD),
    (AuditedRead, examples.AUDITED),
    (OrderRead, examples.ORDER),
    (OrderRead, examples.RECEIVED),
    (OrderRead, examples.FED_BACK),
    (OrderDetail, examples.ORDER_DETAIL),
    (StatisticsRead, examples.STATISTICS),
    (WarningListRead, examples.WARNING_LIST),
    (SubjectWarningsRead, examples.SUBJECT_WARNINGS),
]


HOT_ANSWERS: list[tuple[type[BaseModel], Any]] = [
    (CheckRead, examples.CHECK),
    (CheckRead, examples.CHECK_ON_WARNING_LIST),
    (BatchRead, examples.BATCH),
]
"""The must-check's answers, which the service writes itself (the hot path, not through the
model): instants as `isoformat()` gives them, `as_of` only when asked as of a past instant."""


@pytest.mark.parametrize(("model", "example"), REQUESTS, ids=lambda v: getattr(v, "__name__", ""))
def test_each_request_example_is_accepted_by_its_model(
    model: type[BaseModel], example: dict[str, Any]
) -> None:
    model.model_validate(example)


@pytest.mark.parametrize(("model", "example"), ANSWERS, ids=lambda v: getattr(v, "__name__", ""))
def test_each_answer_example_is_what_its_model_gives(
    model: type[BaseModel], example: dict[str, Any]
) -> None:
    """Read and written again, the example is unchanged: every field it has is the model's,
    written as the service writes it."""
    assert model.model_validate(example).model_dump(mode="json") == example


def _z(value: Any) -> Any:
    """`isoformat()`'s UTC instants written as pydantic writes them."""
    if isinstance(value, dict):
        return {k: _z(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_z(v) for v in value]
    if isinstance(value, str) and "T" in value and value.endswith("+00:00"):
        return value.removesuffix("+00:00") + "Z"
    return value


@pytest.mark.parametrize(
    ("model", "example"), HOT_ANSWERS, ids=lambda v: getattr(v, "__name__", "")
)
def test_each_must_check_example_is_what_its_model_reads(
    model: type[BaseModel], example: dict[str, Any]
) -> None:
    """Read and written again with only the fields it has, the example is unchanged but for
    how an instant is written: no field is unknown to the model or read as another value."""
    assert model.model_validate(example).model_dump(mode="json", exclude_unset=True) == _z(example)


# --- the story, on the real service -------------------------------------------------------------

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
"""Monday 2026-11-23 10:00 in Beijing: the entry is taken, its orders issued, the checks made."""
NEXT_DAY = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
"""Tuesday 16:00 in Beijing: the finance department records its receipt and its feedback."""
CHECK_QUERY = "purpose=procurement&business_reference=CG-2026-0042"


async def take(service: EnforcementUnderTest, *entries: ListEntryInForce) -> None:
    """The entries in force, as the consumer of trigger's events takes them."""
    async with service.runtime.uow() as uow:
        for entry in entries:
            await take_entry_in_force(uow, service.orders, entry)
        await uow.commit()


def watch_entry(area: str, number: str, basis: str) -> ListEntryInForce:
    """The other enterprise's watch entry in `area` (seed catalog: watch.<area>.key-supervision),
    as `CHECK_ON_WARNING_LIST` shows it."""
    return entry_in_force(
        entry_id=f"watch-{area}",
        record_id=f"watch-{area}-1",
        initiating_department=area,
        subject=SubjectReference(
            code=examples.OTHER_ENTERPRISE,
            subject_type=SubjectType.LEGAL_PERSON,
            name="北京示例贸易有限公司",
        ),
        list_type=f"watch.{area}.key-supervision",
        colour=ListColour.WATCH,
        legal_basis=basis,
        decision_document={"number": number, "date": date(2026, 11, 20)},
        linked_persons=[],
        disclosure_class=DisclosureClass.GOVERNMENT_SHARING,
        period=Period(start=date(2026, 11, 20), end=date(2027, 11, 19)),
    )


def without(answer: Any, *names: str) -> Any:
    """The answer without the fields that differ per request (ids and times of the asking)."""
    if isinstance(answer, dict):
        return {k: without(v, *names) for k, v in answer.items() if k not in names}
    if isinstance(answer, list):
        return [without(v, *names) for v in answer]
    return answer


@pytest.mark.integration
async def test_the_must_check_examples_are_answered_as_shown(
    enforcement: EnforcementUnderTest,
) -> None:
    enforcement.set_time(NOW)
    await take(enforcement, entry_in_force())
    client, finance = enforcement.client, enforcement.as_department("finance")
    market, office = enforcement.as_department("market"), enforcement.as_office()

    url = f"/v1/checks/{ENTERPRISE}?{CHECK_QUERY}"

    async def listed() -> dict[str, Any] | None:
        """The check, once the index has reloaded the entry taken."""
        answer = await answered_as_shown(client, "GET", url, None, finance, examples.CHECK)
        return answer if answer["listed"] else None

    check = await eventually(listed)
    assert comparable(check) == comparable(examples.CHECK)

    batch = await answered_as_shown(
        client, "POST", "/v1/checks/batch", examples.BATCH_REQUEST, market, examples.BATCH
    )
    assert comparable(batch) == comparable(examples.BATCH)
    records = await answered_as_shown(
        client, "GET", "/v1/check-batches", None, office, [examples.BATCH_RECORD]
    )
    shown = without(examples.BATCH_RECORD, "batch_id", "asked_at", "correlation_id")
    assert [without(r, "batch_id", "asked_at", "correlation_id") for r in records] == [shown]

    audit = f"/v1/checks/audit/{check['check_id']}"
    sealer = AuditSealer(enforcement.runtime.db)

    async def sealed() -> dict[str, Any] | None:
        """The check as recorded, once stored and sealed in the chain."""
        while await sealer.seal_once():
            pass
        r = await client.get(audit, headers=finance)
        body: dict[str, Any] = r.json()
        return body if r.status_code == 200 and body["chain_link_verified"] else None

    await eventually(sealed)
    audited = await answered_as_shown(client, "GET", audit, None, finance, examples.AUDITED)
    volatile = ("check_id", "asked_at", "correlation_id", "chain_seq", "prev_hash", "row_hash")
    assert without(audited, *volatile) == without(examples.AUDITED, *volatile)

    await answered_as_shown(client, "GET", "/v1/check-index", None, office, examples.INDEX_STATS)


@pytest.mark.integration
async def test_the_warning_list_examples_are_answered_as_shown(
    enforcement: EnforcementUnderTest,
) -> None:
    enforcement.set_time(NOW)
    shown_entries = {e["entry_id"]: e for e in examples.CHECK_ON_WARNING_LIST["entries"]}
    await take(
        enforcement,
        *(
            watch_entry(area, e["decision_document"]["number"], basis)
            for area, basis in (
                ("environment", "《企业环境信用评价办法(试行)》"),
                ("market", "《企业信息公示暂行条例》"),
                ("tax", "《中华人民共和国税收征收管理法》第六十三条"),
            )
            for e in [shown_entries[f"watch-{area}"]]
        ),
    )
    client, market, office = (
        enforcement.client,
        enforcement.as_department("market"),
        enforcement.as_office(),
    )
    url = f"/v1/checks/{examples.OTHER_ENTERPRISE}"

    async def warned() -> dict[str, Any] | None:
        r = await client.get(url, headers=market)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body if body["warning"] is not None else None

    check = await eventually(warned)
    shown = examples.CHECK_ON_WARNING_LIST
    await answered_as_shown(client, "GET", url, None, market, shown)
    assert comparable(without(check, "since")) == comparable(without(shown, "since"))

    listing = await answered_as_shown(
        client, "GET", "/v1/warning-list", None, office, examples.WARNING_LIST
    )
    times = ("since", "updated_at")
    assert without(listing, *times) == without(examples.WARNING_LIST, *times)
    subject = f"/v1/warning-list/{examples.OTHER_ENTERPRISE}"
    warnings = await answered_as_shown(
        client, "GET", subject, None, office, examples.SUBJECT_WARNINGS
    )
    assert without(warnings, *times) == without(examples.SUBJECT_WARNINGS, *times)


@pytest.mark.integration
async def test_the_receipt_and_feedback_examples_are_taken_and_answered_as_shown(
    enforcement: EnforcementUnderTest,
) -> None:
    enforcement.set_time(NOW)
    await take(enforcement, entry_in_force())
    client, finance = enforcement.client, enforcement.as_department("finance")
    orders = await answered_as_shown(
        client, "GET", "/v1/sanction-orders", None, finance, [examples.ORDER]
    )
    [order] = [o for o in orders if o["issued"]["target"]["role"] == "subject"]
    assert order == examples.ORDER

    enforcement.set_time(NEXT_DAY)
    url = f"/v1/sanction-orders/{order['order_id']}"
    receipt, feedback = examples.RECEIPT_REQUEST, examples.FEEDBACK_REQUEST
    received = await answered_as_shown(
        client, "POST", f"{url}/receipt", receipt, finance, examples.RECEIVED
    )
    assert received == examples.RECEIVED
    fed_back = await answered_as_shown(
        client, "POST", f"{url}/feedback", feedback, finance, examples.FED_BACK
    )
    assert fed_back == examples.FED_BACK
    detail = await answered_as_shown(client, "GET", url, None, finance, examples.ORDER_DETAIL)
    assert detail == examples.ORDER_DETAIL

    statistics = await answered_as_shown(
        client, "GET", "/v1/statistics", None, finance, examples.STATISTICS
    )
    assert statistics == examples.STATISTICS
