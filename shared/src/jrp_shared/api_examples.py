"""Examples in the OpenAPI documents for the routes `jrp_shared` gives every service (issue
17; tests/test_openapi_examples.py checks each against its schema): the catalog copy's entries
are the seed catalog's own (`services/registry/catalog`)."""

from __future__ import annotations

from typing import Any, Final

LIST_TYPE: Final[dict[str, Any]] = {
    "code": "black.tax.major-violation",
    "version": 1,
    "effective_from": "2026-01-01",
    "name": "重大税收违法失信主体",
    "name_en": "Parties to major tax violations",
    "colour": "black",
    "domain": "tax",
    "initiating_departments": ["tax"],
    "lawful_area": "fair-market-and-social-order",
    "grounds": (
        "偷税、逃避追缴欠税、骗取出口退税、抗税、虚开增值税专用发票或者虚开其他发票、私自"
        "印制或伪造变造发票等重大税收违法行为，经税务机关依法作出的税务处理决定、行政处罚"
        "决定确定，达到《重大税收违法失信主体信息公布管理办法》规定标准的。"
    ),
    "legal_basis": (
        "《中华人民共和国税收征收管理法》; 《重大税收违法失信主体信息公布管理办法》"
        "; 《关于对重大税收违法案件当事人实施联合惩戒措施的合作备忘录》"
    ),
    "default_period_months": 36,
    "max_period_months": 36,
    "recognition_meeting_required": False,
    "includes_linked_persons": True,
    "suspend_during_objection": True,
    "receipt_deadline_working_days": 3,
    "feedback_deadline_working_days": 20,
    "repair": {
        "repairable": True,
        "earliest_after_months": 12,
        "evidence_required": ["补缴税款、滞纳金和罚款的完税凭证", "信用承诺书"],
        "public_interest_service_route": True,
        "tier": "serious",
        "min_disclosure_months": 12,
        "max_disclosure_months": 36,
        "decided_by": "initiating_department",
        "portal_forward_working_days": 10,
        "authority_decision_working_days": 3,
        "result_push_working_days": 3,
    },
    "sources": ["000 (十四)", "004 二(一)", "002 二(五)1", "DOMAIN §11"],
    "minimum_age_years": None,
    "court_case_required": False,
    "period_extension": None,
    "deletion": None,
    "objection_review": None,
    "publication": {"natural_persons_public": False, "max_disclosure_months": 36},
    "prior_notice": {"required": True, "response_window_working_days": 5},
    "escalation": {"escalate_after_working_days": 5},
    "watch": None,
}

MEASURE: Final[dict[str, Any]] = {
    "code": "finance.no-government-procurement",
    "version": 1,
    "effective_from": "2026-01-01",
    "list_types": [
        "black.judicial.dishonest-judgment-debtor",
        "black.tax.major-violation",
        "black.market.serious-illegal-dishonest",
    ],
    "content": (
        "依法限制参加政府采购活动：参加政府采购活动前三年内在经营活动中有重大违法记录的不"
        "得作为供应商；列入政府采购严重违法失信行为记录名单的，在处罚决定确定的一至三年内"
        "禁止参加政府采购活动"
    ),
    "content_en": (
        "Bar from government procurement (no supplier with a major violation in the previ"
        "ous three years; 1-3 year ban for listed suppliers)"
    ),
    "kind": "punishment",
    "mandatory": True,
    "implementing_department": "finance",
    "legal_basis": (
        "《中华人民共和国政府采购法》; 《中华人民共和国政府采购法实施条例》; 《关"
        "于在政府采购活动中查询及使用信用记录有关问题的通知》(财库〔2016〕125"
        "号)"
    ),
    "applies_to": ["legal_person", "other_organisation", "individual_business", "natural_person"],
    "sources": ["000 (十五)", "004 二(二)", "001 (七)", "003 三(三)1(5)"],
    "conditions": [],
}

DEADLINE: Final[dict[str, Any]] = {
    "start": "2026-09-30",
    "working_days": 5,
    "due": "2026-10-13",
    "provisional": False,
    "provisional_years": [],
}

ALIVE: Final[dict[str, Any]] = {"status": "alive", "service": "enforcement"}


def answer(example: Any, status: int = 200) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a route whose JSON answer is `example`."""
    return {status: {"content": {"application/json": {"example": example}}}}
