import json
from datetime import date

import pytest

from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope, EnvelopeError
from jrp_shared.events.payloads import EVENT_TYPES, CalendarScheduleLoaded
from jrp_shared.events.schemas import render_schemas


def test_envelope_travels_as_headers_and_json_body() -> None:
    sent = Envelope(
        source="/jrp/registry",
        type=CalendarScheduleLoaded.event_type,
        subject="2027",
        dataschema=CalendarScheduleLoaded.schema_uri(),
        correlationid="abc123",
        data={"year": 2027, "名称": "国庆"},
    )
    headers = sent.to_headers()
    names = dict(headers)
    assert names["ce_specversion"] == b"1.0"
    assert names["ce_type"] == CalendarScheduleLoaded.event_type.encode()
    assert names["ce_dataschema"].decode().endswith(f"{CalendarScheduleLoaded.event_type}.json")
    assert names["content-type"] == b"application/json"
    assert json.loads(sent.body()) == {"year": 2027, "名称": "国庆"}

    received = Envelope.from_wire(headers, sent.body())
    assert received == sent


@pytest.mark.parametrize(
    ("headers", "body", "reason"),
    [
        ([], b"{}", "ce_specversion"),
        ([("ce_specversion", b"1.0"), ("ce_id", b"1"), ("ce_type", b"x")], b"{}", "source"),
        (
            [("ce_specversion", b"1.0"), ("ce_id", b"1"), ("ce_source", b"/s"), ("ce_type", b"x")],
            b"not json",
            "not JSON",
        ),
        (
            [("ce_specversion", b"1.0"), ("ce_id", b"1"), ("ce_source", b"/s"), ("ce_type", b"x")],
            b"[1]",
            "JSON object",
        ),
        (
            [("ce_specversion", b"1.0"), ("content-type", b"text/plain")],
            b"{}",
            "content-type",
        ),
    ],
)
def test_malformed_messages_are_refused_with_a_reason(
    headers: list[tuple[str, bytes]], body: bytes, reason: str
) -> None:
    with pytest.raises(EnvelopeError, match=reason):
        Envelope.from_wire(headers, body)


def test_every_payload_has_a_versioned_type_and_a_known_topic() -> None:
    known = {
        topics.CATALOG,
        topics.SUBJECTS,
        topics.DEPARTMENTS,
        topics.CALENDAR,
        topics.DEAD_LETTER,
        topics.LIST_ENTRY_SUBMISSIONS,
        topics.LIST_ENTRIES,
        topics.DEPARTMENT_REPORTS,
        topics.ORDER_STATUS,
        topics.APPEALS,
        topics.SUBJECT_NOTIFICATIONS,
        topics.PUBLICITY,
        topics.SUPERVISION,
        topics.EXCHANGE,
        topics.EXCHANGE_ACKS,
        topics.SANCTIONS,
        topics.ENFORCEMENT_CHANGES,
    }
    for event_type, model in EVENT_TYPES.items():
        assert event_type.rsplit(".", 1)[-1].startswith("v"), event_type
        assert model.topic in known


def test_json_schemas_are_generated_for_every_event_type() -> None:
    schemas = render_schemas()
    assert set(schemas) == {f"{t}.json" for t in EVENT_TYPES}
    calendar = json.loads(schemas[f"{CalendarScheduleLoaded.event_type}.json"])
    assert calendar["$id"] == CalendarScheduleLoaded.schema_uri()
    assert calendar["x-topic"] == topics.CALENDAR
    assert "holidays" in calendar["required"]


def test_payloads_refuse_unknown_fields() -> None:
    with pytest.raises(ValueError, match="extra"):
        CalendarScheduleLoaded.model_validate(
            {"year": 2027, "source": "s", "holidays": [], "adjusted_workdays": [], "x": 1}
        )
    loaded = CalendarScheduleLoaded(
        year=2027, source="s", holidays=[date(2027, 1, 1)], adjusted_workdays=[]
    )
    assert loaded.partition_key() == "2027"


def test_sanction_topics_are_per_department_and_refuse_unsafe_codes() -> None:
    assert topics.sanctions("tax") == "sanctions.v1.tax"
    with pytest.raises(ValueError):
        topics.sanctions("Tax Bureau")
