"""The registry's OpenAPI examples are true (issue 17): each request example is accepted by the
model the route reads it with (domain rules included, which JSON Schema cannot say), each
answer example is one its model gives, the catalog examples are the seed catalog's, the
calendar example is the State Council's 2026 schedule, and the document keeps the examples'
nulls. tests/test_openapi_examples.py checks every example against the document's schemas."""

from datetime import date
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest
from fastapi import Body, FastAPI
from pydantic import BaseModel, ConfigDict

from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.app import create_app
from jrp_registry.config import DEFAULT_CATALOG_DIR, RegistrySettings
from jrp_registry.domain.catalog import DepartmentDefinition
from jrp_registry.entrypoints.http import examples
from jrp_registry.entrypoints.http.cases import CaseRead
from jrp_registry.entrypoints.http.catalog import ListTypeChange, ListTypeDetail, MeasureChange
from jrp_registry.entrypoints.http.credit import (
    CreditReadRead,
    CreditRecordRead,
    ReportVerification,
)
from jrp_registry.entrypoints.http.departments import ClientSecret, DepartmentRead
from jrp_registry.entrypoints.http.oauth import KeySet, SubjectTokenResponse, TokenResponse
from jrp_registry.entrypoints.http.officers import (
    OfficerCreate,
    OfficerCreated,
    OfficerRead,
    PasswordChange,
    RolesBody,
)
from jrp_registry.entrypoints.http.public import PublicFoundRead, PublicSubjectRead
from jrp_registry.entrypoints.http.public_decisions import PublicDecisionRead
from jrp_registry.entrypoints.http.subjects import (
    SubjectCreate,
    SubjectRead,
    SubjectRevisionRead,
    SubjectUpdate,
)
from jrp_shared.calendar import YearSchedule
from jrp_shared.events.payloads import ListTypePublished, MeasurePublished
from jrp_shared.identifiers import mask_resident_id, validate_resident_id, validate_uscc
from jrp_shared.openapi_examples import keep_example_nulls
from jrp_shared.testing import Keys

REQUESTS: list[tuple[type[BaseModel], Any]] = [
    (SubjectCreate, examples.SUBJECT_CREATE),
    (SubjectCreate, examples.PERSON_CREATE),
    (SubjectUpdate, examples.SUBJECT_UPDATE),
    (DepartmentDefinition, examples.DEPARTMENT),
    (OfficerCreate, examples.OFFICER_CREATE),
    (RolesBody, examples.ROLES),
    (PasswordChange, examples.PASSWORD_CHANGE),
    (ListTypeChange, examples.changed(examples.TAX_LIST_TYPE)),
    (MeasureChange, examples.changed(examples.INVOICE_MEASURE)),
]

ANSWERS: list[tuple[type[BaseModel], Any]] = [
    (TokenResponse, examples.TOKEN),
    (SubjectTokenResponse, examples.SUBJECT_TOKEN),
    (KeySet, examples.KEY_SET),
    (SubjectRead, examples.SUBJECT_READ),
    (SubjectRevisionRead, examples.SUBJECT_REVISION),
    (CaseRead, examples.CASE),
    (CreditRecordRead, examples.CREDIT_RECORD),
    (CreditReadRead, examples.CREDIT_READ),
    (ReportVerification, examples.REPORT_VERIFICATION),
    (PublicSubjectRead, examples.PUBLIC_SUBJECT),
    (PublicFoundRead, examples.PUBLIC_FOUND),
    (PublicDecisionRead, examples.PUBLIC_DECISION),
    (DepartmentRead, examples.DEPARTMENT_READ),
    (ClientSecret, examples.CLIENT_SECRET),
    (OfficerRead, examples.OFFICER),
    (OfficerCreated, examples.OFFICER_CREATED),
    (ListTypeDetail, examples.TAX_LIST_TYPE_DETAIL),
    (ListTypePublished, examples.published(examples.TAX_LIST_TYPE)),
    (MeasurePublished, examples.published(examples.INVOICE_MEASURE)),
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


def test_the_identifiers_are_valid_and_the_resident_id_shown_is_masked() -> None:
    validate_uscc(examples.ENTERPRISE)
    validate_resident_id(examples.REPRESENTATIVE_ID)
    assert mask_resident_id(examples.REPRESENTATIVE_ID) == examples.REPRESENTATIVE_MASKED


def test_the_catalog_examples_are_the_seed_catalogs() -> None:
    seed = read_catalog(DEFAULT_CATALOG_DIR)
    assert str(seed.effective_from) == examples.SEED_EDITION
    list_types = {t.code: t.model_dump(mode="json") for t in seed.list_types}
    assert list_types[examples.TAX_LIST] == examples.TAX_LIST_TYPE
    measures = {m.code: m.model_dump(mode="json") for m in seed.measures}
    for measure in (examples.INVOICE_MEASURE, examples.GRADE_MEASURE):
        assert measures[str(measure["code"])] == measure
    departments = {d.code: d.model_dump(mode="json") for d in seed.departments}
    assert departments["tax"] == examples.DEPARTMENT
    domains = [d.model_dump(mode="json") for d in seed.domains]
    assert all(d in domains for d in examples.DOMAINS)


def test_the_calendar_example_is_the_state_councils_2026_schedule() -> None:
    """The days off and the weekend working days of 国办发明电〔2025〕7号 as the
    `chinese_calendar` library has them; the route reads the body with the year of its path."""
    schedule = YearSchedule.from_json({**examples.SCHEDULE_2026_BODY, "year": 2026})
    assert schedule.to_json() == examples.SCHEDULE_2026
    assert schedule.holidays == {d for d in chinese_calendar.holidays if d.year == 2026}
    assert schedule.adjusted_workdays == {d for d in chinese_calendar.workdays if d.year == 2026}
    assert date(2026, 10, 7) in schedule.holidays  # National Day: 1 to 7 October off
    assert date(2026, 10, 10) in schedule.adjusted_workdays  # and Saturday 10 October worked


class _Thing(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "甲", "note": None}]})

    name: str
    note: str | None


def test_the_document_keeps_the_examples_nulls() -> None:
    """FastAPI drops None from the whole document; the examples get theirs back, in a model,
    on a route's answer and in a request body."""
    app = FastAPI()

    @app.post(
        "/things",
        response_model=_Thing,
        responses={201: {"content": {"application/json": {"example": {"note": None}}}}},
        status_code=201,
    )
    async def make(
        thing: _Thing = Body(  # noqa: B008 - FastAPI's way of declaring a body
            openapi_examples={"one": {"value": {"name": "乙", "note": None}}}
        ),
    ) -> _Thing:
        return thing

    dropped = app.openapi()["components"]["schemas"]["_Thing"]["examples"]
    assert dropped == [{"name": "甲"}]  # what FastAPI does alone
    app.openapi_schema = None
    keep_example_nulls(app)
    document = app.openapi()
    assert document["components"]["schemas"]["_Thing"]["examples"] == [{"name": "甲", "note": None}]
    post = document["paths"]["/things"]["post"]
    assert post["responses"]["201"]["content"]["application/json"]["example"] == {"note": None}
    request = post["requestBody"]["content"]["application/json"]["examples"]
    assert request == {"one": {"value": {"name": "乙", "note": None}}}


def test_the_registrys_document_keeps_the_nulls(keys: Keys, tmp_path: Path) -> None:
    settings = RegistrySettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}",
        bus="embedded",
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        signing_key_file=keys.private_key_file,
        log_json=False,
    )
    schemas = create_app(settings).openapi()["components"]["schemas"]
    assert schemas["CaseRead"]["examples"] == [examples.CASE]
    assert schemas["OfficerCreated"]["examples"][0]["last_sign_in_at"] is None
