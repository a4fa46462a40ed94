"""The entry forms made into trigger's bodies, its refusals placed beside the fields, a bulk
answer numbered as the officer's file, and the must-check answer made into measures due."""

from __future__ import annotations

import json

from jrp_console import i18n
from jrp_console.domain.check import as_code, is_masked, measures_due, shown_code
from jrp_console.domain.entries import (
    bulk_answer,
    bulk_format,
    correction_of,
    form_field_of,
    history_of,
    line_offset,
    may_correct,
    may_revoke,
    problems_of,
    revocation_of,
    submission_of,
)
from jrp_shared.vocabulary import (
    CaseKind,
    CheckPurpose,
    DisclosureClass,
    LinkedPersonRole,
    ListColour,
    ListEntryStatus,
    NoticeChannel,
    OrderState,
    SubjectType,
    TargetRole,
)


def test_the_form_is_a_submission() -> None:
    body = submission_of(
        {
            "record_id": " R-1 ",
            "list_type": "black.tax.major-violation",
            "subject_code": "91350100m000100y43",
            "subject_type": "legal_person",
            "subject_name": "福州示例科技",
            "grounds": "g",
            "legal_basis": "b",
            "decision_number": "n",
            "decision_date": "2026-11-02",
            "period_start": "2026-11-02",
            "period_end": "2029-11-01",
            "disclosure_class": "public",
            "evidence_references": "one\n\n two \n",
            "notice_notified_on": "2026-10-01",
            "notice_channel": "post",
            "notice_document_number": "告〔2026〕1号",
            "notice_response_received": "on",
            "lp_role_1": "legal_representative",
            "lp_name_1": "张三",
            "lp_id_1": "11010519491231002x",
            "lp_role_2": "",
            "lp_name_2": "",
            "lp_id_2": "",
        }
    )
    assert body["record_id"] == "R-1"
    assert body["subject"] == {
        "code": "91350100M000100Y43",
        "subject_type": "legal_person",
        "name": "福州示例科技",
    }
    assert body["decision_document"] == {"number": "n", "date": "2026-11-02"}
    assert body["period"] == {"start": "2026-11-02", "end": "2029-11-01"}
    assert body["evidence_references"] == ["one", "two"]
    assert body["prior_notice"] == {
        "notified_on": "2026-10-01",
        "channel": "post",
        "document_number": "告〔2026〕1号",
        "response_received": True,
    }
    assert body["linked_persons"] == [
        {"role": "legal_representative", "name": "张三", "resident_id": "11010519491231002X"}
    ]
    assert "prior_notice" not in submission_of({"record_id": "R-2"})


def test_a_correction_keeps_who_and_which_list() -> None:
    entry = {
        "subject": {"code": "91350100M000100Y43", "subject_type": "legal_person", "name": "甲"},
        "list_type": "black.tax.major-violation",
        "linked_persons": [{"role": "legal_representative", "name": "张三", "resident_id": "X"}],
        "court_case": None,
    }
    body = correction_of(
        entry, {"subject_code": "OTHER", "list_type": "other", "grounds": "新", "reason": "因"}
    )
    assert body["subject"] == entry["subject"] and body["list_type"] == entry["list_type"]
    assert body["linked_persons"] == entry["linked_persons"]
    assert body["grounds"] == "新" and body["reason"] == "因" and "prior_notice" not in body
    assert revocation_of({"reason": " r ", "deletion_ground": ""}) == {"reason": "r"}


def test_refusals_go_beside_their_fields() -> None:
    assert form_field_of("body.period.end") == "period_end"
    assert form_field_of("body.subject.code") == "subject_code"
    assert form_field_of("body.decision_document.date") == "decision_date"
    assert form_field_of("body.prior_notice") == "notice_notified_on"
    assert form_field_of("body.linked_persons.1.resident_id") == "lp_id_2"
    assert form_field_of("body.linked_persons.0") == "lp_name_1"
    assert form_field_of("body.evidence_references.3") == "evidence_references"
    assert form_field_of("body.court_case.court") is None
    placed = problems_of(
        [
            {"field": "body.period.end", "reason": "period_end_before_start", "message": "ends"},
            {"field": "body.court_case", "reason": "court_case_required", "message": "needs"},
        ]
    )
    assert placed.by_field == {"period_end": ["ends (period_end_before_start)"]}
    assert placed.general == ["needs (court_case_required)"]
    assert problems_of([], "not your list").general == ["not your list"]


def test_a_bulk_answer_is_numbered_as_the_file() -> None:
    answer = "\n".join(
        json.dumps(line)
        for line in [
            {"line": 2, "record_id": "A", "status": "created", "entry_id": "e1", "problems": []},
            {"line": 3, "record_id": "B", "status": "existing", "entry_id": "e2", "problems": []},
            {
                "line": 5,
                "record_id": "C",
                "status": "rejected",
                "entry_id": None,
                "problems": [{"field": "body.subject.code", "message": "bad check character"}],
            },
            {"summary": {"lines": 3, "created": 1, "existing": 1, "rejected": 1}},
        ]
    )
    read = bulk_answer(answer, line_offset("csv", 41))
    assert [(r.line, r.accepted, r.entry_id) for r in read.rows] == [
        (41, True, "e1"),
        (42, True, "e2"),
        (44, False, None),
    ]
    assert read.rows[2].reasons == ("body.subject.code: bad check character",)
    assert read.summary == {"lines": 3, "created": 1, "existing": 1, "rejected": 1}
    assert read.error is None
    assert line_offset("ndjson", 1) == 0 and line_offset("ndjson", 201) == 200
    stopped = bulk_answer('{"error": "too_large", "message": "over", "summary": {"lines": 0}}')
    assert stopped.error == "over" and stopped.rows == []
    assert bulk_format("x.CSV", None) == "csv" and bulk_format("x.ndjson", "") == "ndjson"
    assert bulk_format("upload", "text/csv; charset=utf-8") == "csv"


def test_history_and_who_may_change_an_entry() -> None:
    entry = {
        "initiating_department": "tax",
        "status": "revoked",
        "versions": [
            {"version": 1, "recorded_at": "2026-11-01T01:00:00Z", "recorded_by": "tax"},
            {
                "version": 2,
                "recorded_at": "2026-11-02T01:00:00Z",
                "recorded_by": "tax",
                "recorded_by_officer": "wang",
                "reason": "typo",
            },
        ],
        "in_force_since": "2026-11-01T01:00:01Z",
        "revocation": {"reason": "wrong", "revoked_by": "tax", "revoked_at": "2026-11-03T00:00Z"},
    }
    kinds = [h.kind for h in history_of(entry)]
    assert kinds == ["recorded", "in_force", "corrected", "revoked"]
    assert history_of(entry)[2].by == "tax · wang"
    assert not may_revoke(entry, "tax") and not may_correct(entry, "tax")
    suspended = {**entry, "status": "suspended"}
    assert may_revoke(suspended, "tax") and not may_correct(suspended, "tax")
    in_force = {**entry, "status": "in_force"}
    assert may_correct(in_force, "tax") and not may_correct(in_force, "finance")


def test_the_must_check_input_and_answer() -> None:
    assert as_code(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert as_code("福州示例科技") is None and as_code("9135") is None
    assert shown_code("11010519491231002X") == "110105********002X"
    assert shown_code("91350100M000100Y43") == "91350100M000100Y43"
    assert is_masked("110105********002X") and not is_masked("91350100M000100Y43")
    answer = {
        "entries": [
            {
                "entry_id": "e1",
                "list_type": "black.tax.major-violation",
                "list_type_name": "重大税收违法失信主体",
                "colour": "black",
                "decision_document": {"number": "闽税稽罚〔2026〕12号"},
                "legal_basis": "征管法",
            }
        ],
        "mandatory_measures": [
            {"code": "m1", "kind": "punishment", "content": "限制", "entry_ids": ["e1"]}
        ],
        "recommended_measures": [],
        "rewards": [{"code": "r1", "kind": "reward", "content": "绿色通道", "entry_ids": []}],
    }
    rows = measures_due(answer)
    assert [(r.kind, r.code, r.entry_id, r.list_type_name) for r in rows] == [
        ("mandatory", "m1", "e1", "重大税收违法失信主体"),
        ("reward", "r1", "", ""),
    ]
    assert rows[0].decision_number == "闽税稽罚〔2026〕12号"


def test_every_value_the_pages_name_has_its_words() -> None:
    """The keys the templates build from a value (`['entries.status', s] | join('.')`)."""
    built = [
        *(f"entries.status.{v}" for v in ListEntryStatus),
        *(f"entries.subject_type.{v}" for v in SubjectType),
        *(f"entries.disclosure.{v}" for v in DisclosureClass),
        *(f"entries.channel.{v}" for v in NoticeChannel),
        *(f"entries.role.{v}" for v in LinkedPersonRole),
        *(f"entries.role.{v}" for v in TargetRole),
        *(f"entries.colour.{v}" for v in ListColour),
        *(f"entries.order_state.{v}" for v in OrderState),
        *(f"check.purpose.{v}" for v in CheckPurpose),
        *(f"check.case_kind.{v}" for v in CaseKind),
        *(f"check.kind.{v}" for v in ("mandatory", "recommended", "reward")),
        *(
            f"entries.happened.{v}"
            for v in ("recorded", "corrected", "in_force", "suspended", "revoked", "repaired")
        ),
        "entries.posted",
        "entries.corrected",
        "entries.revoked",
        "bulk.no_file",
        "bulk.not_utf8",
    ]
    assert [k for k in built if k not in i18n.MESSAGES] == []
