"""Request and answer examples of the registry's OpenAPI document (issue 17).

One story runs through them: 福州示例科技有限公司 (USCC 91350100M000100Y43, legal representative
张三 with the synthetic resident ID of the tests) registered by the market regulator, put on the
tax black list by the tax service, looked up by the finance bureau before a tender. Catalog
values are the seed catalog's (data/catalog) as the registry publishes them; the tests
(services/registry/tests/test_api_examples.py) hold them to it, and send each request example
through its model.

A model used by one route carries its examples in `json_schema_extra` (`shown`); a model
shared with other services (the catalog payloads), a domain model or a plain dict gets them on
the route (`answer`, `body`).
"""

from __future__ import annotations

from typing import Any

from fastapi.openapi.models import Example
from pydantic.config import JsonDict, JsonValue

from jrp_shared import api_examples

ENTERPRISE = "91350100M000100Y43"
ENTERPRISE_NAME = "福州示例科技有限公司"
REPRESENTATIVE_ID = "11010519491231002X"
"""The synthetic resident ID of the tests (GB 11643 check digit right), never a real one."""
REPRESENTATIVE_MASKED = "110105********002X"
TAX_LIST = "black.tax.major-violation"
ENTRY_ID = "3f0c6a52-8d1e-4b7a-9c2e-5a1d7e6b4c10"
DECISION_ID = "8c4b1f0e-2a7d-4e59-b3c6-9d0e1f2a3b4c"


def shown(*values: JsonValue) -> JsonDict:
    """The `json_schema_extra` of a model: its examples."""
    return {"examples": list(values)}


def answer(value: JsonValue, status: int = 200) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route whose answer model is shared or is a plain dict or list: an
    example of its JSON answer."""
    return {status: {"content": {"application/json": {"example": value}}}}


def body(summary: str, value: JsonValue) -> dict[str, Example]:
    """The `openapi_examples` of a request body whose model is not the route's own."""
    return {"example": Example(summary=summary, value=value)}


# --- authentication ---------------------------------------------------------------------------

ACCESS_TOKEN = (
    "eyJhbGciOiJFZERTQSIsImtpZCI6IkR1Y1dPdW5fYTNnUFFDUHdZc0Z5R1Jrd3hVSjlfdXZBcXhjLVlTMUgxWTgiLCJ0"
    "eXAiOiJKV1QifQ.eyJpc3MiOiJqcnAtcmVnaXN0cnkiLCJhdWQiOiJqcnAiLCJzdWIiOiJ0YXgiLCJyb2xlcyI6WyJpbX"
    "BsZW1lbnRlciIsImluaXRpYXRvciJdLCJpYXQiOjE3OTU5NjMyODQsIm5iZiI6MTc5NTk2MzI4NCwiZXhwIjoxNzk1OTY0"
    "MTg0LCJjdmVyIjoyfQ.X3YR54xAHaKhJurcViXYOI-NiKscVNQLWvMGm420v7BEEYLkeYj_O2AhbVOxygcZkLXAk9gVV7Lk"
    "SntYMnzDg"
)
"""A department's token as the registry signs it (EdDSA; `sub` tax, its roles)."""

TOKEN: JsonDict = {"access_token": ACCESS_TOKEN, "token_type": "bearer", "expires_in": 900}

SUBJECT_TOKEN: JsonDict = {
    "access_token": (
        "eyJhbGciOiJFZERTQSIsImtpZCI6IkR1Y1dPdW5fYTNnUFFDUHdZc0Z5R1Jrd3hVSjlfdXZBcXhjLVlTMUgxWTgi"
        "LCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJqcnAtcmVnaXN0cnkiLCJhdWQiOiJqcnAiLCJzdWIiOiJzdWJqZWN0Ojkx"
        "MzUwMTAwTTAwMDEwMFk0MyIsInJvbGVzIjpbInN1YmplY3QiXSwiaWF0IjoxNzk1OTYzMjg0LCJuYmYiOjE3OTU5"
        "NjMyODQsImV4cCI6MTc5NTk2NDE4NCwiYWN0Ijp7InN1YiI6ImNyZWRpdC1vZmZpY2UifX0.GVYJxE0Z-tEOoaqH"
        "1c0pLkZtOhT1Mda30NBwlJgbQ0vfF5CqZwJyd0q0bp44APb81fHRmiJ2Xzv49G1gbLqLAA"
    ),
    "token_type": "bearer",
    "expires_in": 900,
    "subject_code": ENTERPRISE,
}

KEY_SET: JsonDict = {
    "keys": [
        {
            "crv": "Ed25519",
            "kty": "OKP",
            "x": "WUcDziR0wfe5NfUjOiQlyMbNv86lhncEuftY-Fse5OI",
            "kid": "DucWOun_a3gPQCPwYsFyGRkwxUJ9_uvAqxc-YS1H1Y8",
            "alg": "EdDSA",
            "use": "sig",
        }
    ]
}

# --- subjects ---------------------------------------------------------------------------------

SUBJECT_CREATE: JsonDict = {
    "code": ENTERPRISE,
    "subject_type": "legal_person",
    "name": ENTERPRISE_NAME,
    "linked_persons": [
        {"role": "legal_representative", "name": "张三", "resident_id": REPRESENTATIVE_ID}
    ],
}

PERSON_CREATE: JsonDict = {
    "code": REPRESENTATIVE_ID,
    "subject_type": "natural_person",
    "name": "张三",
    "division_code": "350102",
}

SUBJECT_UPDATE: JsonDict = {
    "name": "福州示例科技股份有限公司",
    "division_code": "350102",
    "linked_persons": [
        {"role": "legal_representative", "name": "张三", "resident_id": REPRESENTATIVE_ID}
    ],
}

LINKED_PERSON_READ: JsonDict = {
    "role": "legal_representative",
    "name": "张三",
    "resident_id_masked": REPRESENTATIVE_MASKED,
}

SUBJECT_READ: JsonDict = {
    "code": ENTERPRISE,
    "subject_type": "legal_person",
    "name": ENTERPRISE_NAME,
    "division_code": "350100",
    "revision": 1,
    "linked_persons": [LINKED_PERSON_READ],
    "warnings": [],
}

SUBJECT_REVISION: JsonDict = {
    "revision": 1,
    "name": ENTERPRISE_NAME,
    "division_code": "350100",
    "linked_persons": [LINKED_PERSON_READ],
    "recorded_at": "2026-03-02T01:30:00Z",
    "recorded_by": "market",
}

CASE: JsonDict = {
    "case_id": "b7e2c1d4-5f60-4a8b-9c1d-2e3f4a5b6c7d",
    "kind": "objection",
    "entry_id": ENTRY_ID,
    "objection_id": None,
    "state": "decided",
    "outcome": "information_right",
    "remedy": None,
    "opened_at": "2026-04-01T02:00:00Z",
    "decision_due": "2026-04-30",
    "decided_at": "2026-04-20T08:00:00Z",
    "last_event_type": "cn.jrp.appeals.objection.decided.v1",
    "updated_at": "2026-04-20T08:00:00Z",
}

# --- credit record and reports ----------------------------------------------------------------

CREDIT_RECORD: JsonDict = {
    "subject_code": ENTERPRISE,
    "subject_type": "legal_person",
    "subject_name": ENTERPRISE_NAME,
    "as_of": "2026-06-01T02:15:00Z",
    "reader": "finance",
    "purpose": "tender",
    "entries": [
        {
            "entry_id": ENTRY_ID,
            "version": 1,
            "status": "in_force",
            "status_zh": "有效",
            "list_type": TAX_LIST,
            "list_type_name": "重大税收违法失信主体",
            "colour": "black",
            "disclosure_class": "public",
            "grounds": "虚开增值税专用发票",
            "legal_basis": "《中华人民共和国税收征收管理法》第六十三条",
            "initiating_department": "tax",
            "department_name": "国家税务总局福州市税务局",
            "decision_number": "闽税稽罚〔2026〕12号",
            "decision_date": "2026-03-20",
            "period_start": "2026-03-25",
            "period_end": "2029-03-24",
            "role": "listed_subject",
        }
    ],
    "withheld": 0,
    "decisions": [
        {
            "decision_id": DECISION_ID,
            "version": 1,
            "kind": "penalty",
            "kind_zh": "行政处罚",
            "department": "market",
            "department_name": "福州市市场监督管理局",
            "decision_number": "榕市监罚〔2026〕15号",
            "decision_date": "2026-03-02",
            "content": "罚款人民币五万元",
            "publication_ends": "2027-03-02",
        }
    ],
}

CREDIT_READ: JsonDict = {
    "read_at": "2026-06-01T02:15:00Z",
    "reader": "finance",
    "reader_kind": "department",
    "agent": None,
    "purpose": "tender",
    "business_reference": "闽采〔2026〕88号招标",
    "what": "record",
    "report_id": None,
    "shown": {
        "entries": [{"entry_id": ENTRY_ID, "version": 1, "status": "in_force"}],
        "withheld": 0,
        "decisions": [{"decision_id": DECISION_ID, "version": 1}],
    },
}

REPORT_VERIFICATION: JsonDict = {
    "report_id": "CRTVYACP2MLGYFBK3L",
    "issued_at": "2026-06-01T02:20:00Z",
    "subject_name": ENTERPRISE_NAME,
    "subject_code": ENTERPRISE,
    "entries": 1,
    "entry_ids": [ENTRY_ID],
    "decision_ids": [DECISION_ID],
    "digest": "389b23010c4e50080829b27ddac7dd617d6c1cafc544b58ca680437d967013a4",
    "issuer": "守信联合激励和失信联合惩戒平台",
}

# --- public lookup ----------------------------------------------------------------------------

PUBLIC_DECISION: JsonDict = {
    "decision_id": DECISION_ID,
    "version": 1,
    "kind": "penalty",
    "department": "market",
    "counterpart": {
        "name": ENTERPRISE_NAME,
        "category": "legal_person",
        "code": ENTERPRISE,
        "legal_representative": "张三",
    },
    "decision_number": "榕市监罚〔2026〕15号",
    "decision_date": "2026-03-02",
    "licence": None,
    "penalty": {
        "illegal_act": "销售不合格产品",
        "provision_violated": "《中华人民共和国产品质量法》第四十九条",
        "legal_basis": "《中华人民共和国产品质量法》第四十九条",
        "penalty_types": ["fine"],
        "content": "罚款人民币五万元",
        "fine_amount": 50000.0,
        "confiscated_amount": None,
        "severity": "general",
    },
    "published_at": "2026-03-03T02:00:00Z",
    "publication_ends": "2027-03-02",
}

PUBLIC_SUBJECT: JsonDict = {
    "code": ENTERPRISE,
    "name": ENTERPRISE_NAME,
    "subject_type": "legal_person",
    "division_code": "350100",
    "entries": [
        {
            "entry_id": ENTRY_ID,
            "list_type": {"code": TAX_LIST, "name": "重大税收违法失信主体"},
            "colour": "black",
            "grounds": "虚开增值税专用发票",
            "legal_basis": "《中华人民共和国税收征收管理法》第六十三条",
            "deciding_department": {"code": "tax", "name": "国家税务总局福州市税务局"},
            "decision_document": {"number": "闽税稽罚〔2026〕12号", "date": "2026-03-20"},
            "period": {"start": "2026-03-25", "end": "2029-03-24"},
            "publication_ends": "2029-03-24",
            "measures": [
                {
                    "content": "依法限制参加政府采购活动：参加政府采购活动前三年内在经营活动中有"
                    "重大违法记录的不得作为供应商；列入政府采购严重违法失信行为记录名单的，在处罚"
                    "决定确定的一至三年内禁止参加政府采购活动",
                    "implementing_department": {"code": "finance", "name": "福州市财政局"},
                    "mandatory": True,
                },
                {
                    "content": "严格限制发票领用，实行发票领用限量供应",
                    "implementing_department": {
                        "code": "tax",
                        "name": "国家税务总局福州市税务局",
                    },
                    "mandatory": True,
                },
            ],
            "court_case": None,
            "legal_representative": "张三",
        }
    ],
    "publicity_decisions": [PUBLIC_DECISION],
}

PUBLIC_FOUND: JsonDict = {
    "code": ENTERPRISE,
    "name": ENTERPRISE_NAME,
    "subject_type": "legal_person",
    "public_entries": 1,
}

# --- departments and officers -----------------------------------------------------------------

DEPARTMENT: JsonDict = {
    "code": "tax",
    "name": "国家税务总局福州市税务局",
    "name_en": "Fuzhou Municipal Tax Service, State Taxation Administration",
    "level": "municipal",
    "region": "350100",
    "domains": ["tax"],
    "initiates": True,
    "implements": True,
    "exchanges": False,
}
"""The tax service as the seed catalog defines it (data/catalog/departments.yaml)."""

DEPARTMENT_READ: JsonDict = {**DEPARTMENT, "active": True, "roles": ["implementer", "initiator"]}

CLIENT_SECRET: JsonDict = {
    "client_id": "tax",
    "client_secret": "jwWkj-nPGQhfe9BXSsESCjWuCGTlH5WMkx4YqXXztGQ",
    "note": "shown once; store it in the department system's secret store",
}

OFFICER: JsonDict = {
    "id": "officer-6cf0722c272c",
    "username": "zhang.wei",
    "display_name": "张伟",
    "department": "tax",
    "roles": ["initiator", "reviewer"],
    "active": True,
    "credential_version": 1,
    "created_at": "2026-02-10T01:00:00Z",
    "updated_at": "2026-02-10T01:00:00Z",
    "last_sign_in_at": "2026-02-10T01:20:00Z",
}

OFFICER_CREATE: JsonDict = {
    "username": "zhang.wei",
    "display_name": "张伟",
    "department": "tax",
    "roles": ["initiator", "reviewer"],
}

OFFICER_CREATED: JsonDict = {
    **OFFICER,
    "last_sign_in_at": None,
    "initial_password": "x-8PfIYv-IKV7vzOrsXdM2Pl",
    "note": "shown once; hand it to the officer, who changes it after the first sign-in",
}

ROLES: JsonDict = {"roles": ["initiator"]}

PASSWORD_CHANGE: JsonDict = {
    "current_password": "x-8PfIYv-IKV7vzOrsXdM2Pl",
    "new_password": "Min-jiang-2026-spring",
}

# --- the measures catalog ---------------------------------------------------------------------

DOMAINS: list[JsonValue] = [
    {"code": "finance", "name": "金融", "name_en": "Finance"},
    {
        "code": "market",
        "name": "市场监管（工商行政管理、产品质量）",
        "name_en": "Market regulation",
    },
    {"code": "tax", "name": "税务", "name_en": "Taxation"},
]

TAX_LIST_TYPE: JsonDict = {
    key: value
    for key, value in api_examples.LIST_TYPE.items()
    if key not in ("version", "effective_from")
}
"""The tax black list as the seed catalog defines it (data/catalog/list_types.yaml)."""

INVOICE_MEASURE: JsonDict = {
    "code": "tax.no-new-invoice-quota",
    "list_types": [TAX_LIST],
    "content": "严格限制发票领用，实行发票领用限量供应",
    "content_en": "Restrict invoice issuance to limited quantities",
    "kind": "punishment",
    "mandatory": True,
    "implementing_department": "tax",
    "legal_basis": "《中华人民共和国税收征收管理法》; 《纳税信用管理办法（试行）》; "
    "《关于对重大税收违法案件当事人实施联合惩戒措施的合作备忘录》",
    "applies_to": ["legal_person", "other_organisation", "individual_business", "natural_person"],
    "sources": ["004 二(二)", "000 (十五)"],
    "conditions": [],
}
"""Two measures of the tax black list as the seed catalog defines them (measures.yaml)."""

GRADE_MEASURE: JsonDict = {
    "code": "tax.direct-d-grade",
    "list_types": [TAX_LIST],
    "content": "纳税信用级别直接判为D级；对其直接责任人员注册登记或者负责经营的其他纳税人，"
    "纳税信用直接判为D级",
    "content_en": "Tax credit grade set directly to D, also for other taxpayers run by the "
    "directly responsible persons",
    "kind": "punishment",
    "mandatory": True,
    "implementing_department": "tax",
    "legal_basis": "《中华人民共和国税收征收管理法》; 《纳税信用管理办法（试行）》; "
    "《重大税收违法失信主体信息公布管理办法》",
    "applies_to": ["legal_person", "other_organisation", "individual_business", "natural_person"],
    "sources": ["000 (十八)", "004 二(二)"],
    "conditions": [],
}

SEED_EDITION = "2026-01-01"
"""The seed catalog's `effective_from`: every seeded list type and measure is its version 1."""
NEXT_EDITION = "2026-12-01"


def published(
    definition: JsonDict, version: int = 1, effective_from: str = SEED_EDITION
) -> JsonDict:
    """A catalog definition as the registry publishes one version of it."""
    return {"code": definition["code"], "version": version, "effective_from": effective_from} | {
        k: v for k, v in definition.items() if k != "code"
    }


def changed(definition: JsonDict) -> JsonDict:
    """A new version of a catalog definition, as the office sends it."""
    return {**definition, "effective_from": NEXT_EDITION}


TAX_LIST_TYPE_DETAIL: JsonDict = published(TAX_LIST_TYPE) | {
    "measures": [published(INVOICE_MEASURE), published(GRADE_MEASURE)],
    "versions": [{"version": 1, "effective_from": SEED_EDITION}],
}

# --- the working-day calendar -----------------------------------------------------------------

SCHEDULE_2026: JsonDict = {
    "year": 2026,
    "source": "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）",
    "holidays": [
        "2026-01-01",
        "2026-01-02",
        "2026-01-03",
        "2026-02-15",
        "2026-02-16",
        "2026-02-17",
        "2026-02-18",
        "2026-02-19",
        "2026-02-20",
        "2026-02-21",
        "2026-02-22",
        "2026-02-23",
        "2026-04-04",
        "2026-04-05",
        "2026-04-06",
        "2026-05-01",
        "2026-05-02",
        "2026-05-03",
        "2026-05-04",
        "2026-05-05",
        "2026-06-19",
        "2026-06-20",
        "2026-06-21",
        "2026-09-25",
        "2026-09-26",
        "2026-09-27",
        "2026-10-01",
        "2026-10-02",
        "2026-10-03",
        "2026-10-04",
        "2026-10-05",
        "2026-10-06",
        "2026-10-07",
    ],
    "adjusted_workdays": [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ],
}
"""The State Council's 2026 schedule: the year as the answer shows it; a request may leave the
year out (the path names it)."""

SCHEDULE_2026_BODY: JsonDict = {k: v for k, v in SCHEDULE_2026.items() if k != "year"}
