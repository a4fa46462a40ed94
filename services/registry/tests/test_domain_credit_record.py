"""Authorised credit records and credit reports: who sees which disclosure class (DOMAIN.md §3,
000 (四)), verification codes, the PDF."""

from datetime import UTC, date, datetime

import pytest

from jrp_registry.adapters import credit_report_pdf
from jrp_registry.domain import credit_record as cr
from jrp_shared.errors import Forbidden, InvalidInput
from jrp_shared.vocabulary import CheckPurpose, DisclosureClass, ListEntryStatus, SubjectType

USCC = "91350100M000100Y43"
PERSON = "11010519491231002X"
AT = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


def _entry(entry_id: str, klass: DisclosureClass, **kw: object) -> cr.RecordedEntry:
    values: dict[str, object] = {
        "entry_id": entry_id,
        "version": 2,
        "status": ListEntryStatus.IN_FORCE,
        "list_type": "black.tax.major-violation",
        "list_type_name": "重大税收违法失信主体",
        "colour": "black",
        "disclosure_class": klass,
        "grounds": "虚开增值税专用发票",
        "legal_basis": "《重大税收违法失信主体信息公布管理办法》",
        "initiating_department": "tax",
        "department_name": "国家税务总局福建省税务局",
        "decision_number": "闽税稽罚〔2026〕12号",
        "decision_date": date(2026, 3, 1),
        "period_start": date(2026, 3, 2),
        "period_end": date(2029, 3, 1),
    }
    values.update(kw)
    return cr.RecordedEntry(**values)  # type: ignore[arg-type]


ENTRIES = [
    _entry("e-public", DisclosureClass.PUBLIC),
    _entry("e-authorised", DisclosureClass.AUTHORISED_QUERY),
    _entry("e-sharing", DisclosureClass.GOVERNMENT_SHARING),
]


def _subject_reader() -> cr.Reader:
    return cr.reader_for(
        caller=f"subject:{USCC}",
        subject_code_of_token=USCC,
        asked_code=USCC,
        purpose=None,
        business_reference=None,
    )


def test_the_subject_sees_public_and_authorised_entries_and_is_told_others_exist() -> None:
    record = cr.credit_record(
        subject_code=USCC,
        subject_type=SubjectType.LEGAL_PERSON,
        subject_name="福州某某科技有限公司",
        entries=ENTRIES,
        reader=_subject_reader(),
        at=AT,
    )
    assert {e.entry_id for e in record.entries} == {"e-public", "e-authorised"}
    assert record.withheld == 1


def test_a_department_with_a_purpose_sees_government_sharing_entries_too() -> None:
    reader = cr.reader_for(
        caller="market",
        subject_code_of_token=None,
        asked_code=USCC,
        purpose=CheckPurpose.TENDER,
        business_reference="闽采〔2026〕88号招标",
    )
    record = cr.credit_record(
        subject_code=USCC,
        subject_type=SubjectType.LEGAL_PERSON,
        subject_name="x",
        entries=ENTRIES,
        reader=reader,
        at=AT,
    )
    assert {e.entry_id for e in record.entries} == {"e-public", "e-authorised", "e-sharing"}
    assert record.withheld == 0
    assert record.summary()["entries"][0]["version"] == 2


def test_a_department_without_a_lawful_purpose_is_refused_naming_both_fields() -> None:
    with pytest.raises(InvalidInput) as refused:
        cr.reader_for(
            caller="market",
            subject_code_of_token=None,
            asked_code=USCC,
            purpose=None,
            business_reference=" ",
        )
    fields = {p.field for p in refused.value.problems}
    assert fields == {"query.purpose", "query.business_reference"}


def test_a_subject_token_reaches_only_its_own_record() -> None:
    with pytest.raises(Forbidden):
        cr.reader_for(
            caller=f"subject:{USCC}",
            subject_code_of_token=USCC,
            asked_code="91110000802100433B",
            purpose=None,
            business_reference=None,
        )


def test_entries_in_force_come_first_then_newest_decisions() -> None:
    ended = _entry(
        "e-old",
        DisclosureClass.PUBLIC,
        status=ListEntryStatus.EXPIRED,
        decision_date=date(2026, 6, 1),
    )
    newer = _entry("e-new", DisclosureClass.PUBLIC, decision_date=date(2026, 5, 1))
    record = cr.credit_record(
        subject_code=USCC,
        subject_type=SubjectType.LEGAL_PERSON,
        subject_name="x",
        entries=[ended, ENTRIES[0], newer],
        reader=_subject_reader(),
        at=AT,
    )
    assert [e.entry_id for e in record.entries] == ["e-new", "e-public", "e-old"]


def test_an_entry_past_its_period_has_expired() -> None:
    assert cr.status_on(ListEntryStatus.IN_FORCE, date(2026, 1, 1), date(2026, 1, 2)) is (
        ListEntryStatus.EXPIRED
    )
    assert cr.status_on(ListEntryStatus.IN_FORCE, date(2026, 1, 2), date(2026, 1, 2)) is (
        ListEntryStatus.IN_FORCE
    )
    assert cr.status_on(ListEntryStatus.REVOKED, date(2026, 1, 1), date(2026, 1, 2)) is (
        ListEntryStatus.REVOKED
    )


def test_verification_codes_are_random_grouped_and_read_back_however_typed() -> None:
    codes = {cr.new_verification_code() for _ in range(200)}
    assert len(codes) == 200
    code = next(iter(codes))
    assert len(code) == 19 and code.count("-") == 3
    typed = code.replace("-", " ").lower()
    assert cr.normalise_verification_code(typed) == code
    with pytest.raises(InvalidInput):
        cr.normalise_verification_code("ABCD-EFGH-IJKL-MNOP")  # I and O are never printed
    with pytest.raises(InvalidInput):
        cr.normalise_verification_code("ABCD")


def test_a_person_s_report_shows_the_masked_id() -> None:
    record = cr.credit_record(
        subject_code=PERSON,
        subject_type=SubjectType.NATURAL_PERSON,
        subject_name="张三",
        entries=[],
        reader=cr.reader_for(
            caller=f"subject:{PERSON}",
            subject_code_of_token=PERSON,
            asked_code=PERSON,
            purpose=None,
            business_reference=None,
        ),
        at=AT,
    )
    assert record.displayed_code == "110105********002X"


def test_the_pdf_carries_the_report_id_and_verification_code() -> None:
    record = cr.credit_record(
        subject_code=USCC,
        subject_type=SubjectType.LEGAL_PERSON,
        subject_name="福州某某科技有限公司",
        entries=ENTRIES,
        reader=_subject_reader(),
        at=AT,
    )
    code = cr.new_verification_code()
    pdf = credit_report_pdf.render(record, report_id="CRTEST", verification_code=code, issued_at=AT)
    assert pdf.startswith(b"%PDF-")
    assert code.encode() in pdf  # in the document's metadata (keywords)
    assert b"CRTEST" in pdf
    assert len(pdf) < 200_000
