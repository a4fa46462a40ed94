"""The appeals API's OpenAPI examples are true to the service (issue 17): each request example
is accepted by the model the route reads it with; each answer example is one its model gives,
unchanged; and, told as the stories of entrypoints/http/examples.py on a real PostgreSQL (the
clock from Monday 2026-11-23 10:00 in Beijing), the service accepts each request example and
answers with the fields of the answer's example, nested ones included, and with its values but
for the ids it draws. tests/test_openapi_examples.py checks every example against the
document's schemas."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from jrp_appeals.cli import MIGRATIONS
from jrp_appeals.config import AppealsSettings
from jrp_appeals.entrypoints.http import examples
from jrp_appeals.entrypoints.http.schemas import (
    AppealDecisionBody,
    AppealRequest,
    ComplaintRead,
    ComplaintRequest,
    ComplaintSummaryRead,
    DecisionRequestBody,
    EntryRead,
    ExpertDrawRead,
    ExpertDrawRequest,
    NotificationRead,
    ObjectionRead,
    ObjectionRequest,
    ObjectionSummaryRead,
    RepairDecisionBody,
    RepairOverdueRead,
    RepairRead,
    RepairRequest,
    RepairSummaryRead,
)
from jrp_appeals.entrypoints.http.whistleblowers import (
    DecisionBody,
    DisclosureAnswer,
    DisclosureBody,
    TransferBody,
    WhistleblowerReportCreate,
    WhistleblowerReportFollowed,
    WhistleblowerReportRead,
    WhistleblowerReportSubmitted,
    WhistleblowerReportSummary,
)
from jrp_appeals.testing import (
    COURT_LIST,
    AppealsUnderTest,
    court_entry,
    entry_in_force,
    running_appeals,
)
from jrp_shared.events.payloads import (
    DecisionDocument,
    DepartmentPublished,
    ListEntryInForce,
    ListTypePublished,
    ObjectionReview,
    Period,
    SubjectReference,
)
from jrp_shared.testing import Keys, PostgresDatabases, answered_as_shown, eventually
from jrp_shared.vocabulary import DepartmentLevel, SubjectType

REQUESTS: list[tuple[type[BaseModel], Any]] = [
    (ObjectionRequest, examples.OBJECTION_REQUEST),
    (DecisionRequestBody, examples.DECISION_RIGHT),
    (DecisionRequestBody, examples.DECISION_REVOKE),
    (DecisionRequestBody, examples.DECISION_CORRECT),
    (ComplaintRequest, examples.COMPLAINT_REQUEST),
    (ExpertDrawRequest, examples.EXPERT_DRAW_REQUEST),
    (AppealRequest, examples.APPEAL_REQUEST),
    (AppealDecisionBody, examples.APPEAL_UPHELD),
    (AppealDecisionBody, examples.APPEAL_DISMISSED),
    (RepairRequest, examples.REPAIR_REQUEST),
    (RepairDecisionBody, examples.REPAIR_APPROVED),
    (RepairDecisionBody, examples.REPAIR_REFUSED),
    (WhistleblowerReportCreate, examples.REPORT_REQUEST),
    (WhistleblowerReportCreate, examples.ANONYMOUS_REPORT_REQUEST),
    (DecisionBody, examples.REPORT_DECISION_REQUEST),
    (DecisionBody, examples.REPORT_UNSUBSTANTIATED_REQUEST),
    (TransferBody, examples.TRANSFER_REQUEST),
    (DisclosureBody, examples.DISCLOSURE_REQUEST),
]

ANSWERS: list[tuple[type[BaseModel], Any]] = [
    (EntryRead, examples.ENTRY),
    (ObjectionSummaryRead, examples.OBJECTION_SUMMARY),
    (ObjectionRead, examples.OBJECTION_FILED),
    (ObjectionRead, examples.OBJECTION_DECIDED),
    (ObjectionRead, examples.COURT_APPEALED),
    (ObjectionRead, examples.COURT_APPEAL_DECIDED),
    (ComplaintSummaryRead, examples.COMPLAINT_SUMMARY),
    (ComplaintRead, examples.COMPLAINT_FILED),
    (ComplaintRead, examples.COMPLAINT_DECIDED),
    (ExpertDrawRead, examples.EXPERT_DRAW),
    (NotificationRead, examples.NOTIFICATION),
    (RepairRead, examples.REPAIR_APPLIED),
    (RepairRead, examples.REPAIR_FORWARDED),
    (RepairRead, examples.REPAIR_DECIDED),
    (RepairSummaryRead, examples.REPAIR_SUMMARY),
    (RepairOverdueRead, examples.REPAIR_OVERDUE),
    (WhistleblowerReportSubmitted, examples.REPORT_SUBMITTED),
    (WhistleblowerReportFollowed, examples.REPORT_RECEIVED_FOLLOWED),
    (WhistleblowerReportFollowed, examples.REPORT_DECIDED_FOLLOWED),
    (WhistleblowerReportSummary, examples.REPORT_SUMMARY),
    (WhistleblowerReportRead, examples.REPORT_HANDLING),
    (WhistleblowerReportRead, examples.REPORT_ACCEPTED),
    (WhistleblowerReportRead, examples.REPORT_DECIDED),
    (WhistleblowerReportRead, examples.REPORT_TRANSFERRED),
    (DisclosureAnswer, examples.DISCLOSURE),
]


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


# --- the stories, on the real service -----------------------------------------------------------


def day(month: int, day: int, hour: int = 2) -> datetime:
    """A moment of the examples' stories (10:00 in Beijing unless told)."""
    return datetime(2026, month, day, hour, tzinfo=UTC)


def without(answer: Any, *names: str) -> Any:
    """The answer without the fields the service draws anew each time (ids, query codes)."""
    if isinstance(answer, dict):
        return {k: without(v, *names) for k, v in answer.items() if k not in names}
    if isinstance(answer, list):
        return [without(v, *names) for v in answer]
    return answer


def the_enterprises_entry() -> ListEntryInForce:
    """The harness's tax black-list entry as the examples have it: from 2026-11-20."""
    return entry_in_force(
        decision_document=DecisionDocument(number="闽税稽罚〔2026〕12号", date=date(2026, 11, 20)),
        period=Period(start=date(2026, 11, 20), end=date(2029, 11, 19)),
        recorded_at=day(11, 20),
    )


@pytest.mark.integration
async def test_the_objection_and_complaint_examples_are_answered_as_shown(
    appeals: AppealsUnderTest,
) -> None:
    appeals.set_time(day(11, 23))
    await appeals.list_entry(the_enterprises_entry())
    client = appeals.client
    subject, office = appeals.as_subject(examples.ENTERPRISE), appeals.as_office()
    tax_officer = appeals.keys.officer_headers("tax", "officer-t0a1b2c3d4e5", "initiator")

    entry = await answered_as_shown(client, "GET", "/v1/entries/entry-1", None, subject)
    assert without(entry, "updated_at") == without(examples.ENTRY, "updated_at")

    ids = ("objection_id", "complaint_id", "case_id", "notification_id")
    body = examples.OBJECTION_REQUEST
    filed = await answered_as_shown(
        client, "POST", "/v1/objections", body, subject, examples.OBJECTION_FILED, 201
    )
    assert without(filed, *ids) == without(examples.OBJECTION_FILED, *ids)
    inbox = await answered_as_shown(
        client, "GET", "/v1/objections", None, appeals.as_department("tax")
    )
    assert without(inbox, *ids) == [without(examples.OBJECTION_SUMMARY, *ids)]

    appeals.set_time(day(11, 26))
    objection = f"/v1/objections/{filed['objection_id']}"
    decided = await answered_as_shown(
        client,
        "POST",
        f"{objection}/decision",
        examples.DECISION_RIGHT,
        tax_officer,
        examples.OBJECTION_DECIDED,
    )
    assert without(decided, *ids) == without(examples.OBJECTION_DECIDED, *ids)
    notes = await appeals.notes(subject)
    assert without(notes, *ids) == [without(examples.NOTIFICATION, *ids)]

    appeals.set_time(day(11, 27))
    complained = await answered_as_shown(
        client,
        "POST",
        f"{objection}/complaint",
        examples.COMPLAINT_REQUEST,
        subject,
        examples.COMPLAINT_FILED,
        201,
    )
    assert without(complained, *ids) == without(examples.COMPLAINT_FILED, *ids)
    complaints = await answered_as_shown(
        client, "GET", "/v1/complaints", None, office, [examples.COMPLAINT_SUMMARY]
    )
    assert without(complaints, *ids) == [without(examples.COMPLAINT_SUMMARY, *ids)]
    complaint = f"/v1/complaints/{complained['complaint_id']}"
    drawn = await answered_as_shown(
        client,
        "POST",
        f"{complaint}/expert-draw",
        examples.EXPERT_DRAW_REQUEST,
        office,
        examples.EXPERT_DRAW,
        201,
    )
    assert drawn == examples.EXPERT_DRAW

    appeals.set_time(day(11, 29))
    revoked = await answered_as_shown(
        client,
        "POST",
        f"{complaint}/decision",
        examples.DECISION_REVOKE,
        office,
        examples.COMPLAINT_DECIDED,
    )
    assert without(revoked, *ids) == without(examples.COMPLAINT_DECIDED, *ids)


@pytest.mark.integration
async def test_the_correction_example_is_decided(appeals: AppealsUnderTest) -> None:
    appeals.set_time(day(11, 23))
    await appeals.list_entry(the_enterprises_entry())
    subject = appeals.as_subject(examples.ENTERPRISE)
    client, tax = appeals.client, appeals.as_department("tax")
    body = examples.OBJECTION_REQUEST
    filed = await answered_as_shown(client, "POST", "/v1/objections", body, subject, status=201)
    decision = f"/v1/objections/{filed['objection_id']}/decision"
    corrected = await answered_as_shown(
        client, "POST", decision, examples.DECISION_CORRECT, tax, examples.OBJECTION_DECIDED
    )
    correction, shown = corrected["decision"]["correction"], examples.DECISION_CORRECT["correction"]
    assert {name: correction[name] for name in shown} == shown
    assert (corrected["outcome"], corrected["decision"]["remedy"]) == (
        "information_wrong",
        "correct",
    )


COURT_REVIEW = ObjectionReview(
    review_days=15,
    correction_working_days=3,
    appeal_window_days=10,
    appeal_decision_days=15,
    appeal_department="high-court",
)
"""The court list's own review (法释〔2017〕7号 第十二条), as the examples show its rules."""


@pytest.mark.integration
async def test_the_court_appeal_examples_are_answered_as_shown(
    appeals: AppealsUnderTest, list_types: list[ListTypePublished]
) -> None:
    [seed] = [t for t in list_types if t.code == COURT_LIST]
    await appeals.seed_catalog(
        [seed.model_copy(update={"version": 2, "objection_review": COURT_REVIEW})]
    )
    appeals.set_time(day(11, 23))
    shown = examples.COURT_APPEALED
    await appeals.list_entry(
        court_entry(
            list_type_version=2,
            decision_document=DecisionDocument(
                number="(2026)闽0102执1234号", date=date(2026, 11, 20)
            ),
            period=Period(start=date(2026, 11, 20), end=date(2029, 11, 19)),
            recorded_at=day(11, 20),
        )
    )
    client, person = appeals.client, appeals.as_subject(examples.PERSON)
    body = {k: shown[k] for k in ("entry_id", "grounds", "evidence_references")}
    filed = await answered_as_shown(client, "POST", "/v1/objections", body, person, status=201)
    objection = f"/v1/objections/{filed['objection_id']}"
    appeals.set_time(day(11, 28))
    dismissed = {"outcome": "information_right", "reasons": shown["decision"]["reasons"]}
    court = appeals.as_department("court")
    await answered_as_shown(client, "POST", f"{objection}/decision", dismissed, court)

    appeals.set_time(day(11, 30))
    ids = ("objection_id", "appeal_id")
    appealed = await answered_as_shown(
        client, "POST", f"{objection}/appeal", examples.APPEAL_REQUEST, person, shown, 201
    )
    assert without(appealed, *ids) == without(shown, *ids)

    appeals.set_time(day(12, 5))
    judge = appeals.keys.officer_headers("high-court", "officer-h19c0c000001", "initiator")
    upheld = await answered_as_shown(
        client,
        "POST",
        f"{objection}/appeal-decision",
        examples.APPEAL_UPHELD,
        judge,
        examples.COURT_APPEAL_DECIDED,
    )
    assert without(upheld, *ids) == without(examples.COURT_APPEAL_DECIDED, *ids)


def the_other_enterprises_entry() -> ListEntryInForce:
    """北京示例贸易有限公司 on the tax black list from 2025-10-10: a year on, it may repair."""
    return entry_in_force(
        entry_id="entry-2",
        record_id="闽税-2025-0107",
        subject=SubjectReference(
            code=examples.OTHER_ENTERPRISE,
            subject_type=SubjectType.LEGAL_PERSON,
            name="北京示例贸易有限公司",
        ),
        decision_document=DecisionDocument(number="闽税稽罚〔2025〕88号", date=date(2025, 10, 10)),
        period=Period(start=date(2025, 10, 10), end=date(2028, 10, 9)),
        linked_persons=[],
        recorded_at=datetime(2025, 10, 10, 2, tzinfo=UTC),
    )


@pytest.mark.integration
async def test_the_repair_examples_are_answered_as_shown(appeals: AppealsUnderTest) -> None:
    appeals.set_time(day(11, 23))
    await appeals.list_entry(the_other_enterprises_entry())
    client, subject = appeals.client, appeals.as_subject(examples.OTHER_ENTERPRISE)
    tax = appeals.as_department("tax")
    applied = await answered_as_shown(
        client,
        "POST",
        "/v1/repairs",
        examples.REPAIR_REQUEST,
        subject,
        examples.REPAIR_APPLIED,
        201,
    )
    assert without(applied, "repair_id") == without(examples.REPAIR_APPLIED, "repair_id")

    appeals.set_time(day(11, 24))
    repair = f"/v1/repairs/{applied['repair_id']}"
    forwarded = await answered_as_shown(
        client, "POST", f"{repair}/forwarding", None, appeals.as_portal(), examples.REPAIR_FORWARDED
    )
    assert without(forwarded, "repair_id") == without(examples.REPAIR_FORWARDED, "repair_id")

    appeals.set_time(day(11, 25))
    approved = examples.REPAIR_APPROVED
    decided = await answered_as_shown(
        client, "POST", f"{repair}/decision", approved, tax, examples.REPAIR_DECIDED
    )
    assert without(decided, "repair_id") == without(examples.REPAIR_DECIDED, "repair_id")
    listed = await answered_as_shown(
        client, "GET", "/v1/repairs", None, tax, [examples.REPAIR_SUMMARY]
    )
    assert without(listed, "repair_id") == [without(examples.REPAIR_SUMMARY, "repair_id")]


@pytest.mark.integration
async def test_a_repair_not_forwarded_in_time_is_listed_as_shown(
    appeals: AppealsUnderTest,
) -> None:
    """`REPAIR_OVERDUE`: applied on Thursday 2026-11-25, due to be forwarded in 10 working
    days (2026-12-09), not forwarded on 2026-12-10."""
    appeals.set_time(day(11, 25))
    await appeals.list_entry(the_other_enterprises_entry())
    client, subject = appeals.client, appeals.as_subject(examples.OTHER_ENTERPRISE)
    body = examples.REPAIR_REQUEST
    await answered_as_shown(client, "POST", "/v1/repairs", body, subject, status=201)
    appeals.set_time(day(12, 10))
    overdue = await answered_as_shown(
        client, "GET", "/v1/repairs/overdue", None, appeals.as_office(), [examples.REPAIR_OVERDUE]
    )
    assert without(overdue, "repair_ids") == [without(examples.REPAIR_OVERDUE, "repair_ids")]


# --- whistle-blower reports ---------------------------------------------------------------------

REPORTS = "/v1/whistleblower-reports"
DEPARTMENTS = [
    ("credit-office", "福州市社会信用体系建设领导小组办公室", [], False),
    ("tax", "国家税务总局福州市税务局", ["tax"], True),
    ("market", "福州市市场监督管理局", ["market", "food-drug"], True),
]
"""The departments the registry publishes, as far as the examples route reports to them."""


@pytest.fixture
async def whistle(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path, list_types: list[ListTypePublished]
) -> AsyncIterator[AppealsUnderTest]:
    """Appeals as the `appeals` fixture, with a key to seal reporters' identities and the
    departments reports are routed to."""
    (tmp_path / "k1").write_text("11" * 32)
    settings = AppealsSettings(
        database_url=await postgres.fresh("appeals", MIGRATIONS),
        bus="embedded",
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        log_level="WARNING",
        whistleblower_identity_key_files={"k1": tmp_path / "k1"},
    )
    async with running_appeals(settings, keys) as service:
        await service.seed_catalog(list_types)
        await service.publish(
            *(
                DepartmentPublished(
                    code=code,
                    name=name,
                    name_en=code,
                    level=DepartmentLevel.MUNICIPAL,
                    region="350100",
                    domains=domains,
                    initiates=initiates,
                    implements=True,
                )
                for code, name, domains, initiates in DEPARTMENTS
            ),
            source="/jrp/registry",
        )

        async def copied() -> bool:
            return await service.count("departments_copy") == len(DEPARTMENTS)

        await eventually(copied, within=20)
        yield service


@pytest.mark.integration
async def test_the_whistle_blower_examples_are_answered_as_shown(
    whistle: AppealsUnderTest,
) -> None:
    whistle.set_time(day(11, 23))
    await whistle.list_entry(the_enterprises_entry())
    client, tax, office = whistle.client, whistle.as_department("tax"), whistle.as_office()
    ids = ("number", "query_code")
    submitted = await answered_as_shown(
        client, "POST", REPORTS, examples.REPORT_REQUEST, {}, examples.REPORT_SUBMITTED, 201
    )
    assert without(submitted, *ids) == without(examples.REPORT_SUBMITTED, *ids)
    number, code = submitted["number"], {"X-Query-Code": submitted["query_code"]}
    report = f"{REPORTS}/{number}"
    received = examples.REPORT_RECEIVED_FOLLOWED
    followed = await answered_as_shown(client, "GET", report, None, code, received)
    assert without(followed, *ids) == without(received, *ids)
    inbox = await answered_as_shown(client, "GET", REPORTS, None, tax, [examples.REPORT_SUMMARY])
    assert without(inbox, *ids) == [without(examples.REPORT_SUMMARY, *ids)]
    handling = await answered_as_shown(
        client, "GET", f"{report}/handling", None, tax, examples.REPORT_HANDLING
    )
    assert without(handling, *ids) == without(examples.REPORT_HANDLING, *ids)

    whistle.set_time(day(11, 24))
    accepted = await answered_as_shown(
        client, "POST", f"{report}/acceptance", None, tax, examples.REPORT_ACCEPTED
    )
    assert without(accepted, *ids) == without(examples.REPORT_ACCEPTED, *ids)
    whistle.set_time(day(12, 13))
    decision = examples.REPORT_DECISION_REQUEST
    decided = await answered_as_shown(
        client, "POST", f"{report}/decision", decision, tax, examples.REPORT_DECIDED
    )
    assert without(decided, *ids) == without(examples.REPORT_DECIDED, *ids)
    shown = examples.REPORT_DECIDED_FOLLOWED
    followed = await answered_as_shown(client, "GET", report, None, code, shown)
    assert without(followed, *ids) == without(shown, *ids)

    officer = whistle.keys.officer_headers("credit-office", "officer-c0ffee000001", "administrator")
    lifted = await answered_as_shown(
        client,
        "POST",
        f"{report}/identity-disclosures",
        examples.DISCLOSURE_REQUEST,
        officer,
        examples.DISCLOSURE,
        201,
    )
    assert without(lifted, *ids) == without(examples.DISCLOSURE, *ids)

    whistle.set_time(day(11, 23))
    anonymous = await answered_as_shown(
        client, "POST", REPORTS, examples.ANONYMOUS_REPORT_REQUEST, {}, status=201
    )
    whistle.set_time(day(11, 23, hour=5))
    transferred = await answered_as_shown(
        client,
        "POST",
        f"{REPORTS}/{anonymous['number']}/transfer",
        examples.TRANSFER_REQUEST,
        office,
        examples.REPORT_TRANSFERRED,
    )
    assert without(transferred, *ids) == without(examples.REPORT_TRANSFERRED, *ids)
