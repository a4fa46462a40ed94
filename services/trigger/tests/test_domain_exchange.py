"""Exchange records (DOMAIN.md §11): the record layout, push deadlines in working days, the
retry schedule and the states the office sees."""

from datetime import UTC, date, datetime, timedelta

from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.events.payloads import (
    DecisionDocument,
    DepartmentPublished,
    EntryOrigin,
    ExchangeRecordPushed,
    MeasurePublished,
    Period,
    SubjectReference,
)
from jrp_shared.vocabulary import (
    DepartmentLevel,
    DisclosureClass,
    ExchangeOperation,
    ListColour,
    ListEntryStatus,
    MeasureKind,
    SubjectType,
)
from jrp_trigger.domain.content import EntryContent
from jrp_trigger.domain.exchange import (
    Change,
    RecordState,
    RetryPolicy,
    effect_of,
    layout,
    measures_for,
    push_due,
    state_of,
)
from jrp_trigger.testing import ENTERPRISE, TAX_LIST, list_type

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in China, a Monday


def measure(code: str, *, list_types: list[str], applies_to: list[SubjectType]) -> MeasurePublished:
    return MeasurePublished(
        code=code,
        version=1,
        effective_from=date(2020, 1, 1),
        list_types=list_types,
        content=f"措施 {code}",
        content_en=f"measure {code}",
        kind=MeasureKind.PUNISHMENT,
        mandatory=True,
        implementing_department="market",
        legal_basis="《条例》",
        applies_to=applies_to,
        sources=["DOMAIN §4"],
    )


def change(operation: ExchangeOperation = ExchangeOperation.ENTRY, **changes: object) -> Change:
    content = EntryContent(
        subject=SubjectReference(
            code=ENTERPRISE, subject_type=SubjectType.LEGAL_PERSON, name="福州示例科技"
        ),
        list_type=TAX_LIST,
        grounds="虚开增值税专用发票",
        legal_basis="《中华人民共和国税收征收管理法》第六十三条",
        decision_document=DecisionDocument(number="闽税稽罚〔2026〕12号", date=date(2026, 3, 2)),
        period=Period(start=date(2026, 3, 2), end=date(2029, 3, 1)),
        disclosure_class=DisclosureClass.PUBLIC,
    )
    fields: dict[str, object] = {
        "entry_id": "e-1",
        "entry_version": 1,
        "list_type_version": 1,
        "operation": operation,
        "department": "tax",
        "colour": ListColour.BLACK,
        "status": ListEntryStatus.IN_FORCE,
        "content": content,
        "occurred_at": AT,
    }
    fields.update(changes)
    return Change(**fields)  # type: ignore[arg-type]


def test_the_layout_fills_every_field_from_the_entry_catalog_and_department() -> None:
    measures = [
        measure("m-b", list_types=[TAX_LIST], applies_to=[SubjectType.LEGAL_PERSON]),
        measure("m-a", list_types=[TAX_LIST], applies_to=[SubjectType.LEGAL_PERSON]),
        measure("m-person", list_types=[TAX_LIST], applies_to=[SubjectType.NATURAL_PERSON]),
        measure("m-other", list_types=["black.other"], applies_to=[SubjectType.LEGAL_PERSON]),
    ]
    chosen = measures_for(TAX_LIST, measures, SubjectType.LEGAL_PERSON)
    record = layout(
        change(),
        record_id="r-1",
        list_type=list_type(),
        measures=chosen,
        deciding=DepartmentPublished(
            code="tax",
            name="国家税务总局福州市税务局",
            name_en="Fuzhou Municipal Tax Service, STA",
            level=DepartmentLevel.MUNICIPAL,
            region="350100",
            domains=["tax"],
            initiates=True,
            implements=True,
        ),
        due=date(2026, 3, 5),
        pushed_at=AT,
    )
    assert record.record_id == "r-1" and record.attempt == 1
    assert record.operation is ExchangeOperation.ENTRY
    assert (record.subject_name, record.subject_code) == ("福州示例科技", ENTERPRISE)
    assert record.list_type_name == "重大税收违法失信主体"
    assert record.reward_punishment_type is ListColour.BLACK
    assert record.domain == "tax"
    assert record.behaviour == "虚开增值税专用发票"
    assert record.deciding_department == "tax"
    assert record.deciding_department_name == "国家税务总局福州市税务局"
    assert record.district == "350100"
    # Only the list type's measures that reach a legal person, by code.
    assert [m.code for m in record.measures] == ["m-a", "m-b"]
    assert record.status is ListEntryStatus.IN_FORCE
    assert "2026-03-02 to 2029-03-01" in record.effect
    assert record.push_due == date(2026, 3, 5)
    assert record.origin is None
    # Every field of the contract is there, and it reads back as the contract says.
    assert ExchangeRecordPushed.model_validate(record.model_dump(mode="json")) == record


def test_an_unknown_deciding_department_is_named_by_its_code() -> None:
    record = layout(
        change(),
        record_id="r-1",
        list_type=list_type(),
        measures=[],
        deciding=None,
        due=date(2026, 3, 5),
        pushed_at=AT,
    )
    assert (record.deciding_department_name, record.district) == ("tax", "")


def test_each_operation_says_what_it_does() -> None:
    assert "lifted" in effect_of(change(ExchangeOperation.REVOCATION))
    assert "repaired" in effect_of(change(ExchangeOperation.REPAIR))
    assert "period ended on 2029-03-01" in effect_of(change(ExchangeOperation.EXIT))
    assert "version 2" in effect_of(change(ExchangeOperation.CORRECTION, entry_version=2))


def test_the_origin_travels_in_the_record() -> None:
    origin = EntryOrigin(
        platform="xm-platform",
        region_code="350200",
        department_name="厦门市税务局",
        original_entry_id="XM-1",
    )
    record = layout(
        change(origin=origin),
        record_id="r-1",
        list_type=list_type(),
        measures=[],
        deciding=None,
        due=date(2026, 3, 5),
        pushed_at=AT,
    )
    assert record.origin == origin


def test_push_due_counts_working_days_in_china() -> None:
    calendar = WorkingDayCalendar()
    # Monday 2 March 2026 + 3 working days.
    assert push_due(AT, 3, calendar).due == date(2026, 3, 5)
    # 23:30 UTC on Sunday 1 March is Monday morning in China: the same deadline.
    sunday_night_utc = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert push_due(sunday_night_utc, 3, calendar).due == date(2026, 3, 5)


def test_push_due_skips_the_national_day_holiday() -> None:
    """30 September 2026: National Day and Mid-Autumn run 1-7 October; 8, 9 and the adjusted
    Saturday 10 October are the three working days (the official schedule, DOMAIN.md §10)."""
    on = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    due = push_due(on, 3, WorkingDayCalendar())
    assert due.due == date(2026, 10, 10)
    assert not due.provisional


def test_push_due_into_a_year_without_schedule_is_provisional() -> None:
    on = datetime(2026, 12, 30, 2, 0, tzinfo=UTC)
    due = push_due(on, 3, WorkingDayCalendar())
    assert due.provisional
    # 1 January is a statutory holiday: never counted as a working day.
    assert due.due == date(2027, 1, 5)


def test_the_retry_interval_doubles_up_to_its_cap_and_stops_after_the_last_attempt() -> None:
    policy = RetryPolicy(interval_seconds=300, max_attempts=4, max_interval_seconds=900)
    pushed = AT
    assert policy.next_push(1, pushed) == pushed + timedelta(seconds=300)
    assert policy.next_push(2, pushed) == pushed + timedelta(seconds=600)
    assert policy.next_push(3, pushed) == pushed + timedelta(seconds=900)  # capped
    assert policy.next_push(4, pushed) is None  # every attempt spent


def test_states() -> None:
    due, before, after = date(2026, 3, 5), date(2026, 3, 5), date(2026, 3, 6)
    acked = AT
    assert state_of(acknowledged_at=None, accepted=None, due=due, today=before) is (
        RecordState.PENDING
    )
    assert state_of(acknowledged_at=None, accepted=None, due=due, today=after) is (
        RecordState.OVERDUE
    )
    assert state_of(acknowledged_at=acked, accepted=True, due=due, today=after) is (
        RecordState.ACKNOWLEDGED
    )
    assert state_of(acknowledged_at=acked, accepted=False, due=due, today=before) is (
        RecordState.REFUSED
    )
    # Refused and past due: the platform still does not have it.
    assert state_of(acknowledged_at=acked, accepted=False, due=due, today=after) is (
        RecordState.OVERDUE
    )
