"""Examples of the enforcement API's bodies and answers, for its OpenAPI document (issue 17).

Taken from what the service answers for the tax black-list entry of its test harness
(`jrp_enforcement.testing.entry_in_force`: 福州示例科技有限公司 on `black.tax.major-violation`
from 2026-11-20, its legal representative linked) and the seed catalog's measures, with the
clock on Monday 2026-11-23 10:00 in Beijing (the receipt and feedback a day later).
tests/test_openapi_examples.py validates every one against its schema.
"""

from __future__ import annotations

from typing import Any


def answer(example: dict[str, Any], status: int = 200) -> dict[int | str, dict[str, Any]]:
    """A route's `responses`: the example of its answer, where the route returns a plain dict
    or its model is shared with other routes (the model's own example shows another state)."""
    return {status: {"content": {"application/json": {"example": example}}}}


ENTERPRISE = "91350100M000100Y43"
OTHER_ENTERPRISE = "91110000802100433B"
LEGAL_REPRESENTATIVE = "11010519491231002X"
"""A synthetic resident ID (the tests' own)."""
ORDER_ID = "8e23c94c-e799-5bf2-bda5-33c4d367faa3"
CHECK_ID = "3e455fd523224baf000000000003"

_NO_FISCAL_FUNDS: dict[str, Any] = {
    "code": "finance.no-fiscal-funds",
    "version": 1,
    "kind": "punishment",
    "mandatory": False,
    "content": "严格限制申请财政性资金项目，限制申请政府补贴资金和社会保障资金支持",
    "content_en": "Strictly restrict applications for fiscal-fund projects, government "
    "subsidies and social-security fund support",
    "legal_basis": "《国务院关于建立完善守信联合激励和失信联合惩戒制度"
    "加快推进社会诚信建设的指导意见》(国发〔2016〕33号); "
    "《关于对失信被执行人实施联合惩戒的合作备忘录》(发改财金〔2016〕141号); "
    "《保障农民工工资支付条例》; 《福建省建立完善守信联合激励和失信联合惩戒制度"
    "加快推进社会诚信建设的实施方案》(闽政〔2017〕3号)",
}
_NO_PROCUREMENT: dict[str, Any] = {
    "code": "finance.no-government-procurement",
    "version": 1,
    "kind": "punishment",
    "mandatory": True,
    "content": "依法限制参加政府采购活动：参加政府采购活动前三年内在经营活动中有重大违法记录的"
    "不得作为供应商；列入政府采购严重违法失信行为记录名单的，在处罚决定确定的一至三年内禁止参加"
    "政府采购活动",
    "content_en": "Bar from government procurement (no supplier with a major violation in the "
    "previous three years; 1-3 year ban for listed suppliers)",
    "legal_basis": "《中华人民共和国政府采购法》; 《中华人民共和国政府采购法实施条例》; "
    "《关于在政府采购活动中查询及使用信用记录有关问题的通知》(财库〔2016〕125号)",
}
_NO_SERVICE_PURCHASE: dict[str, Any] = {
    "code": "finance.no-government-service-purchase",
    "version": 1,
    "kind": "punishment",
    "mandatory": False,
    "content": "在政府购买服务中依法将其信用记录作为承接主体资格审查内容，"
    "限制其承接政府购买服务项目",
    "content_en": "Restrict undertaking government-purchased services",
    "legal_basis": "《政府购买服务管理办法》; 《社会组织信用信息管理办法》; "
    "《国务院关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》"
    "(国发〔2016〕33号)",
}
_FINANCE_MEASURES = [_NO_FISCAL_FUNDS, _NO_PROCUREMENT, _NO_SERVICE_PURCHASE]
_TIGHTER_INSPECTION: dict[str, Any] = {
    "code": "market.tighter-random-inspection",
    "version": 1,
    "kind": "punishment",
    "mandatory": False,
    "content": "在“双随机、一公开”监管中将其列为重点检查对象，提高抽查比例和频次",
    "content_en": "Treat as a priority target in random inspections, with higher sampling "
    "ratio and frequency",
    "legal_basis": "《企业信息公示暂行条例》; 《失信企业协同监管和联合惩戒合作备忘录》; "
    "《国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见》(国办发〔2020〕49号)",
}

_LISTED_SUBJECT = {
    "code": ENTERPRISE,
    "subject_type": "legal_person",
    "name": "福州示例科技有限公司",
}
_DECISION_DOCUMENT = {"number": "闽税稽罚〔2026〕12号", "date": "2026-11-20"}
_PERIOD = {"start": "2026-11-20", "end": "2029-11-19"}
_TAX_LAW = "《中华人民共和国税收征收管理法》第六十三条"


def _due(measure: dict[str, Any], *entry_ids: str) -> dict[str, Any]:
    return {**measure, "entry_ids": list(entry_ids or ["entry-1"])}


def _entry(*measures: dict[str, Any]) -> dict[str, Any]:
    return {
        "entry_id": "entry-1",
        "list_type": "black.tax.major-violation",
        "list_type_name": "重大税收违法失信主体",
        "colour": "black",
        "roles": ["subject"],
        "listed_subject": _LISTED_SUBJECT,
        "decision_document": _DECISION_DOCUMENT,
        "legal_basis": _TAX_LAW,
        "period": _PERIOD,
        "initiating_department": "tax",
        "status": "in_force",
        "note": None,
        "measures": [
            {"code": m["code"], "kind": m["kind"], "mandatory": m["mandatory"]} for m in measures
        ],
    }


# --- must-check ---------------------------------------------------------------------------------

CHECK: dict[str, Any] = {
    "subject_code": ENTERPRISE,
    "check_id": CHECK_ID,
    "listed": True,
    "rewarded": False,
    "suspended": False,
    "entries": [_entry(*_FINANCE_MEASURES)],
    "mandatory_measures": [_due(_NO_PROCUREMENT)],
    "recommended_measures": [_due(_NO_FISCAL_FUNDS), _due(_NO_SERVICE_PURCHASE)],
    "rewards": [],
    "withheld": [],
    "warning": None,
    "checked_at": "2026-11-23T02:00:00+00:00",
    "department": "finance",
    "on": "2026-11-23",
}
"""`GET /v1/checks/91350100M000100Y43?purpose=procurement&business_reference=CG-2026-0042` as
the finance department."""

CHECK_ON_WARNING_LIST: dict[str, Any] = {
    "subject_code": OTHER_ENTERPRISE,
    "check_id": "3e455fd523224baf000000000005",
    "listed": False,
    "rewarded": False,
    "suspended": False,
    "entries": [
        {
            "entry_id": f"watch-{area}",
            "list_type": f"watch.{area}.key-supervision",
            "list_type_name": name,
            "colour": "watch",
            "roles": ["subject"],
            "listed_subject": {
                "code": OTHER_ENTERPRISE,
                "subject_type": "legal_person",
                "name": "北京示例贸易有限公司",
            },
            "decision_document": {"number": number, "date": "2026-11-20"},
            "legal_basis": basis,
            "period": {"start": "2026-11-20", "end": "2027-11-19"},
            "initiating_department": area,
            "status": "in_force",
            "note": None,
            "measures": measures,
        }
        for area, name, number, basis, measures in (
            (
                "environment",
                "生态环境领域重点关注名单",
                "榕环重〔2026〕3号",
                "《企业环境信用评价办法(试行)》",
                [],
            ),
            (
                "market",
                "市场监管领域重点关注名单",
                "榕市监重〔2026〕8号",
                "《企业信息公示暂行条例》",
                [
                    {
                        "code": "market.watch-more-inspections",
                        "kind": "punishment",
                        "mandatory": False,
                    }
                ],
            ),
            ("tax", "税务领域重点关注名单", "闽税重〔2026〕5号", _TAX_LAW, []),
        )
    ],
    "mandatory_measures": [],
    "recommended_measures": [
        {
            "code": "market.watch-more-inspections",
            "version": 1,
            "kind": "punishment",
            "mandatory": False,
            "content": "列为重点监管对象，在“双随机、一公开”监管中提高抽查比例和频次",
            "content_en": "Priority supervision with a higher sampling ratio and frequency in "
            "random inspections",
            "legal_basis": "《企业信息公示暂行条例》; "
            "《关于加强和规范守信联合激励和失信联合惩戒对象名单管理工作的指导意见》"
            "(发改财金规〔2017〕1798号)",
            "entry_ids": ["watch-market"],
        }
    ],
    "rewards": [],
    "withheld": [],
    "warning": {
        "key_areas": ["environment", "market", "tax"],
        "since": "2026-11-23T02:00:00+00:00",
    },
    "checked_at": "2026-11-23T02:00:00+00:00",
    "department": "market",
    "on": "2026-11-23",
}
"""A subject on watch lists of three key areas: neither listed nor rewarded, but on the
big-data warning list (DOMAIN.md §11), as the market department sees it."""

BATCH_REQUEST: dict[str, Any] = {
    "purpose": "licensing",
    "business_reference": "XK-2026-0107",
    "codes": [ENTERPRISE, "91350100MA2XN0XK6U"],
}

BATCH: dict[str, Any] = {
    "batch_id": "8f11d599f5b74a7e8a818c0e062fc087",
    "checked_at": "2026-11-23T02:00:00+00:00",
    "department": "market",
    "on": "2026-11-23",
    "checked": 1,
    "listed": 1,
    "rewarded": 0,
    "suspended": 0,
    "refused": 1,
    "answers": [
        {
            "subject_code": ENTERPRISE,
            "check_id": "8f11d599f5b74a7e8a818c0e062fc087.0",
            "listed": True,
            "rewarded": False,
            "suspended": False,
            "entries": [_entry(_TIGHTER_INSPECTION)],
            "mandatory_measures": [],
            "recommended_measures": [_due(_TIGHTER_INSPECTION)],
            "rewards": [],
            "withheld": [],
            "warning": None,
        },
        {
            "index": 1,
            "subject_code": "91350100MA2XN0XK6U",
            "code": "invalid_input",
            "errors": [
                {
                    "field": "body.codes.1",
                    "reason": "uscc_check_character",
                    "message": "USCC check character (position 18) is 'U' but should be '1'",
                    "position": 18,
                }
            ],
        },
    ],
}
"""The answer to `BATCH_REQUEST` as the market department: a mistyped code is refused on its
own, the others are answered."""

BATCH_RECORD: dict[str, Any] = {
    "batch_id": "8f11d599f5b74a7e8a818c0e062fc087",
    "asked_at": "2026-11-23T02:00:00Z",
    "department": "market",
    "purpose": "licensing",
    "business_reference": "XK-2026-0107",
    "codes": 2,
    "persons": 0,
    "listed": 1,
    "flags": [],
    "correlation_id": "daf167da5e9a4e160000000000000008",
}

INDEX_STATS: dict[str, Any] = {
    "entries": 4,
    "codes": 3,
    "load_seconds": 0.121,
    "rss_bytes": 231600128,
    "rss_growth_bytes_at_load": 0,
    "bytes_per_entry_at_load": 0,
    "index_bytes": 496,
    "reloads": 1,
    "reloaded_entries": 4,
    "ready": True,
    "audit_commits": 6,
    "audit_rows": 6,
}

AUDITED: dict[str, Any] = {
    "check_id": CHECK_ID,
    "asked_at": "2026-11-23T02:00:00Z",
    "department": "finance",
    "subject_code": ENTERPRISE,
    "purpose": "procurement",
    "business_reference": "CG-2026-0042",
    "batch_id": None,
    "correlation_id": "daf167da5e9a4e160000000000000005",
    "as_of": None,
    "listed": True,
    "answer": {
        "check_id": CHECK_ID,
        "department": "finance",
        "on": "2026-11-23",
        "entries": ["entry-1"],
        "rewarded": False,
        "mandatory": ["finance.no-government-procurement"],
        "recommended": ["finance.no-fiscal-funds", "finance.no-government-service-purchase"],
        "rewards": [],
        "entry_versions": {"entry-1": 1},
        "measure_versions": {
            "finance.no-government-procurement": 1,
            "finance.no-fiscal-funds": 1,
            "finance.no-government-service-purchase": 1,
        },
        "list_type_versions": {"black.tax.major-violation": 1},
    },
    "chain_seq": 3,
    "prev_hash": "759f08ebeead4acb9acb95ab54e973ed59412166c56214053b0deee6ce8bf931",
    "row_hash": "ea32a86ed9af47b7a01436ea1e3d8c080547f3b645097ca611bf23f86abfc969",
    "chain_link_verified": True,
}
"""`CHECK` as recorded, sealed in the audit chain, read back by the department that asked."""

# --- sanction orders ----------------------------------------------------------------------------

_ISSUED: dict[str, Any] = {
    "order_id": ORDER_ID,
    "revision": 1,
    "department": "finance",
    "entry_id": "entry-1",
    "entry_version": 1,
    "initiating_department": "tax",
    "listed_subject": _LISTED_SUBJECT,
    "target": {"role": "subject", **_LISTED_SUBJECT},
    "list_type": "black.tax.major-violation",
    "list_type_name": "重大税收违法失信主体",
    "colour": "black",
    "measures": _FINANCE_MEASURES,
    "grounds": "虚开增值税专用发票",
    "legal_basis": _TAX_LAW,
    "decision_document": _DECISION_DOCUMENT,
    "period": _PERIOD,
    "disclosure_class": "public",
    "receipt_due": "2026-11-26",
    "feedback_due": "2026-12-21",
    "deadlines_provisional": False,
    "issued_at": "2026-11-23T02:00:00Z",
}

ORDER: dict[str, Any] = {
    "order_id": ORDER_ID,
    "revision": 1,
    "sequence": 1,
    "department": "finance",
    "entry_id": "entry-1",
    "state": "issued",
    "issued": _ISSUED,
    "receipt_due": "2026-11-26",
    "feedback_due": "2026-12-21",
    "deadlines_provisional": False,
    "received_at": None,
    "receipt_note": None,
    "received_by_officer": None,
    "fed_back_at": None,
    "fed_back_by_officer": None,
    "lifted_at": None,
    "lift_reason": None,
    "suspension": None,
    "measures": [
        {
            "code": m["code"],
            "mandatory": m["mandatory"],
            "outcome": None,
            "reason": None,
            "business_reference": None,
            "executed_at": None,
        }
        for m in _FINANCE_MEASURES
    ],
    "receipt_overdue": False,
    "feedback_overdue": False,
}
"""An order just issued to the finance department: three measures against the enterprise."""

RECEIPT_REQUEST: dict[str, Any] = {
    "received_at": "2026-11-24T10:30:00+08:00",
    "note": "已收到，转政府采购科办理",
}

RECEIVED: dict[str, Any] = {
    **ORDER,
    "state": "received",
    "sequence": 2,
    "received_at": "2026-11-24T02:30:00Z",
    "receipt_note": "已收到，转政府采购科办理",
}

FEEDBACK_REQUEST: dict[str, Any] = {
    "measures": [
        {
            "measure": m["code"],
            "outcome": "applied",
            "business_reference": "CG-2026-0042",
            "executed_at": "2026-11-24T15:00:00+08:00",
        }
        for m in _FINANCE_MEASURES
    ]
}

FED_BACK: dict[str, Any] = {
    **RECEIVED,
    "state": "fed_back",
    "sequence": 3,
    "fed_back_at": "2026-11-24T08:00:00Z",
    "measures": [
        {
            "code": m["code"],
            "mandatory": m["mandatory"],
            "outcome": "applied",
            "reason": None,
            "business_reference": "CG-2026-0042",
            "executed_at": "2026-11-24T07:00:00Z",
        }
        for m in _FINANCE_MEASURES
    ],
}

ORDER_DETAIL: dict[str, Any] = {
    **FED_BACK,
    "history": [
        {
            "at": "2026-11-23T02:00:00Z",
            "change": "issued",
            "by": "enforcement",
            "detail": {
                "message": _ISSUED,
                "receipt_working_days": 3,
                "feedback_working_days": 20,
            },
        },
        {
            "at": "2026-11-24T08:00:00Z",
            "change": "received",
            "by": "finance",
            "detail": {
                "received_at": "2026-11-24T10:30:00+08:00",
                "note": "已收到，转政府采购科办理",
            },
        },
        {
            "at": "2026-11-24T08:00:00Z",
            "change": "fed_back",
            "by": "finance",
            "detail": {
                "measures": [
                    {**feedback, "reason": None} for feedback in FEEDBACK_REQUEST["measures"]
                ],
                "receipt_implied": False,
            },
        },
    ],
}
"""The order after its receipt and its feedback, with its whole history."""

# --- supervision and the warning list -----------------------------------------------------------

STATISTICS: dict[str, Any] = {
    "as_of": "2026-11-24",
    "rows": [
        {
            "department": "finance",
            "list_type": "black.tax.major-violation",
            "issued": 2,
            "received": 1,
            "fed_back": 1,
            "overdue": 0,
            "lifted": 0,
            "lifted_before_feedback": 0,
            "suspended": 0,
            "feedback_rate": 0.5,
        }
    ],
}
"""The finance department's two orders of the entry (the enterprise and its legal
representative), one received and fed back."""

_STAY: dict[str, Any] = {
    "key_areas": ["environment", "market", "tax"],
    "entry_ids": ["watch-environment", "watch-market", "watch-tax"],
    "since": "2026-11-23T02:00:00Z",
    "until": None,
    "updated_at": "2026-11-23T02:00:00Z",
}

WARNING_LIST: dict[str, Any] = {
    "threshold": 3,
    "total": 1,
    "subjects": [{**_STAY, "subject_code": OTHER_ENTERPRISE}],
}

SUBJECT_WARNINGS: dict[str, Any] = {
    "subject_code": OTHER_ENTERPRISE,
    "threshold": 3,
    "on_list": True,
    "current": _STAY,
    "history": [_STAY],
}
