"""The examples of the trigger's OpenAPI document (issue 17): requests a caller would send and
what the service answers to them, taken from its API tests' flows on the seed catalog.

One story runs through them: tax (国家税务总局福州市税务局) lists 福州示例科技有限公司 on the
major tax violation black list on 2026-11-23; market and finance receive their orders; the
court lists a judgment debtor; a public resource trading case goes through a recognition
meeting; market publishes a penalty and a licence (双公示). The synthetic resident IDs are those
of the tests (`jrp_trigger.testing`), never a real person's.
"""

from __future__ import annotations

from typing import Any

ENTERPRISE = "91350100M000100Y43"
ENTERPRISE_NAME = "福州示例科技有限公司"
LEGAL_REPRESENTATIVE_ID = "11010519491231002X"
DEBTOR_ID = "350102198001010011"
TAX_LIST = "black.tax.major-violation"
COURT_LIST = "black.judicial.dishonest-judgment-debtor"
TRADING_LIST = "black.trading.serious-dishonesty"

ENTRY_ID = "3f6d2a4e-8b1c-4f0a-9d27-5c8e1b7a6f01"
TRADING_ENTRY_ID = "7a1c9e52-3d4b-4e8f-a6b0-2f9d8c1e5b37"
COURT_ENTRY_ID = "c41e7b08-9f2a-4d6c-8e35-1b7a0d9f4c62"
POSTED_AT = "2026-11-23T01:30:12.204518Z"
"""When tax posted the entry (09:30 in China)."""

# --- list entries -------------------------------------------------------------------------------

_TAX_SUBJECT = {"code": ENTERPRISE, "subject_type": "legal_person", "name": ENTERPRISE_NAME}
_TAX_CONTENT: dict[str, Any] = {
    "subject": _TAX_SUBJECT,
    "list_type": TAX_LIST,
    "grounds": "2025年度虚开增值税专用发票38份，价税合计人民币412万元",
    "legal_basis": "《中华人民共和国税收征收管理法》第六十三条；"
    "《重大税收违法失信主体信息公布管理办法》第六条",
    "decision_document": {"number": "闽税稽罚〔2026〕12号", "date": "2026-11-20"},
    "period": {"start": "2026-11-20", "end": "2029-11-19"},
    "disclosure_class": "public",
    "linked_persons": [
        {"role": "legal_representative", "name": "张三", "resident_id": LEGAL_REPRESENTATIVE_ID}
    ],
    "evidence_references": ["闽税稽检〔2026〕12号 税务稽查报告"],
    "prior_notice": {
        "notified_on": "2026-11-02",
        "channel": "in_person",
        "document_number": "闽税稽告〔2026〕12号",
        "response_received": True,
    },
}

TAX_SUBMISSION: dict[str, Any] = {"record_id": "闽税稽-2026-0012", **_TAX_CONTENT}
"""A black-list entry of an organisation, its legal representative and the prior notice."""

COURT_SUBMISSION: dict[str, Any] = {
    "record_id": "闽01执-2026-0123",
    "subject": {"code": DEBTOR_ID, "subject_type": "natural_person", "name": "李四"},
    "list_type": COURT_LIST,
    "grounds": "有履行能力而拒不履行生效法律文书确定的义务",
    "legal_basis": "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
    "decision_document": {"number": "(2026)闽01执123号之一", "date": "2026-11-20"},
    "period": {"start": "2026-11-20", "end": "2028-11-20"},
    "disclosure_class": "public",
    "court_case": {
        "court": "福州市中级人民法院",
        "case_number": "(2026)闽01执123号",
        "filing_date": "2026-03-16",
        "enforcement_basis": {"issuer": "福州市中级人民法院", "number": "(2025)闽01民初45号"},
        "obligation": "偿还借款本金人民币五十万元及利息",
        "performance": "none",
    },
}
"""The court's list (DOMAIN.md §11): a natural person, with the court's record of the case."""

SUBMISSIONS: dict[str, dict[str, Any]] = {
    "tax": {
        "summary": "a black-list entry of an organisation (tax)",
        "value": TAX_SUBMISSION,
    },
    "court": {
        "summary": "a dishonest judgment debtor on the court's list (court)",
        "value": COURT_SUBMISSION,
    },
}
"""`POST /v1/list-entries` (ListEntrySubmission is the bus's payload too: shown on the route)."""

CORRECTION: dict[str, Any] = {
    **_TAX_CONTENT,
    "grounds": "2025年度虚开增值税专用发票36份，价税合计人民币398万元",
    "reason": "稽查复核更正发票份数与金额",
}

REVOCATIONS: list[dict[str, Any]] = [
    {"reason": "原处罚决定已被行政复议决定撤销（闽税复决〔2026〕7号）"},
    {
        "reason": "被执行人已全部履行生效法律文书确定的义务",
        "deletion_ground": "obligations_performed",
        "ground_arose_on": "2026-11-25",
    },
]

DELETION_GROUND: dict[str, Any] = {"ground": "obligations_performed", "arose_on": "2026-11-25"}

DELETION: dict[str, Any] = {
    "entry_id": COURT_ENTRY_ID,
    "record_id": "闽01执-2026-0123",
    "department": "court",
    "list_type": COURT_LIST,
    "ground": "obligations_performed",
    "arose_on": "2026-11-25",
    "due": "2026-11-30",
    "due_provisional": False,
    "deleted_on": "2026-11-27",
    "state": "on_time",
    "working_days_late": 0,
}


def _order(order_id: str, measure: str, *, received_at: str | None, state: str) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "target_role": "subject",
        "state": state,
        "revision": 1,
        "entry_version": 1,
        "issued_at": "2026-11-23T09:30:14+08:00",
        "received_at": received_at,
        "receipt_due": "2026-11-26",
        "feedback_due": "2026-12-21",
        "receipt_overdue": False,
        "feedback_overdue": False,
        "lifted_at": None,
        "lift_reason": None,
        "measures": [
            {
                "code": measure,
                "mandatory": True,
                "outcome": None,
                "reason": None,
                "business_reference": None,
                "executed_at": None,
            }
        ],
    }


ENTRY: dict[str, Any] = {
    **_TAX_CONTENT,
    "court_case": None,
    "entry_id": ENTRY_ID,
    "record_id": "闽税稽-2026-0012",
    "initiating_department": "tax",
    "initiated_by_officer": None,
    "status": "in_force",
    "version": 1,
    "list_type_version": 1,
    "colour": "black",
    "warnings": [],
    "personal_data_masked": False,
    "created_at": POSTED_AT,
    "updated_at": POSTED_AT,
    "in_force_since": POSTED_AT,
    "revocation": None,
    "suspension": None,
    "repair": None,
    "deletion": None,
    "recognition": None,
    "origin": None,
    "versions": [
        {
            **_TAX_CONTENT,
            "court_case": None,
            "version": 1,
            "list_type_version": 1,
            "reason": None,
            "recorded_at": POSTED_AT,
            "recorded_by": "tax",
            "recorded_by_officer": None,
        }
    ],
    "departments": [
        {
            "department": "finance",
            "orders": [
                _order(
                    "5b0e6c2d-1f3a-4e7b-9c8d-0a2f4e6b8d13",
                    "finance.no-government-procurement",
                    received_at=None,
                    state="issued",
                )
            ],
        },
        {
            "department": "trading",
            "orders": [
                _order(
                    "9e2a7f41-6c5d-4b3e-8a1f-7d0c2b4e6a58",
                    "trading.restrict-public-resource-trading",
                    received_at="2026-11-24T10:12:00+08:00",
                    state="received",
                )
            ],
        },
    ],
}
"""Tax's entry as read by tax: in force, its two implementing departments' orders."""

_DRAW: dict[str, Any] = {
    "experts": ["expert-03", "expert-04", "expert-05"],
    "seed": "d2f343ad86c433d5fec53ac2488ece7d",
    "pool": ["expert-00", "expert-01", "expert-02", "expert-03", "expert-04", "expert-05"],
    "count": 3,
    "drawn_by": "finance",
    "drawn_at": "2026-11-24T02:05:41.930657Z",
    "pool_group": "trading",
    "pool_version": 1,
    "excluded": ["expert-00"],
    "candidates": ["expert-01", "expert-02", "expert-03", "expert-04", "expert-05"],
    "reason": None,
}
EXPERT_DRAW = _DRAW
"""A draw: `random.Random(seed).sample(candidates, count)` gives `experts` again."""

_TRADING_CONTENT: dict[str, Any] = {
    "subject": {
        "code": "91110000802100433B",
        "subject_type": "legal_person",
        "name": "北京示例建设工程有限公司",
    },
    "list_type": TRADING_LIST,
    "grounds": "在福州市政府采购项目（闽榕采〔2026〕58号）中与其他投标人串通投标",
    "legal_basis": "《中华人民共和国招标投标法》第五十三条",
    "decision_document": {"number": "榕公管罚〔2026〕9号", "date": "2026-11-16"},
    "period": {"start": "2026-11-16", "end": "2029-11-15"},
    "disclosure_class": "public",
    "linked_persons": [],
    "evidence_references": ["榕公管调〔2026〕9号 调查报告"],
    "court_case": None,
    "prior_notice": None,
}


def _vote(department: str, at: str) -> dict[str, Any]:
    return {
        "department": department,
        "vote": "approve",
        "comment": "同意认定",
        "entry_version": 1,
        "voted_at": at,
        "voted_by_officer": None,
    }


def _expert_vote(expert_id: str, at: str) -> dict[str, Any]:
    return {
        "expert_id": expert_id,
        "vote": "approve",
        "comment": "证据充分",
        "entry_version": 1,
        "recorded_by": "credit-office",
        "voted_at": at,
        "recorded_by_officer": None,
    }


RECOGNISED_ENTRY: dict[str, Any] = {
    **_TRADING_CONTENT,
    "entry_id": TRADING_ENTRY_ID,
    "record_id": "闽公管-2026-0031",
    "initiating_department": "trading",
    "initiated_by_officer": None,
    "status": "in_force",
    "version": 1,
    "list_type_version": 1,
    "colour": "black",
    "warnings": [],
    "personal_data_masked": False,
    "created_at": "2026-11-24T01:58:02.842920Z",
    "updated_at": "2026-11-26T07:40:12.468093Z",
    "in_force_since": "2026-11-26T07:40:12.468093Z",
    "revocation": None,
    "suspension": None,
    "repair": None,
    "deletion": None,
    "recognition": {
        "departments": ["trading", "finance", "construction"],
        "pending": [],
        "votes": [
            _vote("trading", "2026-11-25T01:10:40.047973Z"),
            _vote("finance", "2026-11-25T01:12:40.108571Z"),
            _vote("construction", "2026-11-25T01:15:40.210119Z"),
        ],
        "expert_draws": [_DRAW],
        "experts": ["expert-03", "expert-04", "expert-05"],
        "experts_pending": [],
        "expert_votes": [
            _expert_vote("expert-03", "2026-11-25T03:20:40.295723Z"),
            _expert_vote("expert-04", "2026-11-25T03:21:40.347831Z"),
            _expert_vote("expert-05", "2026-11-25T03:22:40.416968Z"),
        ],
        "rule": "spans several special groups: the joint conference office decides (002 二(二)2)",
        "escalation": {
            "group": "trading",
            "outside_departments": ["construction"],
            "escalated_at": "2026-11-24T02:05:41.930657Z",
            "decision": "approve",
            "reason": "联席会议办公室认定：跨专题组案件，同意列入",
            "decided_by": "credit-office",
            "decided_at": "2026-11-26T07:40:12.468093Z",
            "decided_by_officer": None,
        },
    },
    "origin": None,
    "versions": [
        {
            **_TRADING_CONTENT,
            "version": 1,
            "list_type_version": 1,
            "reason": None,
            "recorded_at": "2026-11-24T01:58:02.842920Z",
            "recorded_by": "trading",
            "recorded_by_officer": None,
        }
    ],
    "departments": [],
}
"""A recognition meeting decided: departments and experts voted, the office decided the case
spanning two special groups; read by trading (its orders not issued yet)."""

ENTRY_SUMMARY: dict[str, Any] = {
    "entry_id": ENTRY_ID,
    "record_id": "闽税稽-2026-0012",
    "initiating_department": "tax",
    "status": "in_force",
    "version": 1,
    "subject": _TAX_SUBJECT,
    "list_type": TAX_LIST,
    "colour": "black",
    "decision_date": "2026-11-20",
    "period": {"start": "2026-11-20", "end": "2029-11-19"},
    "created_at": POSTED_AT,
    "updated_at": POSTED_AT,
    "suspension": None,
    "repair": None,
}

# --- recognition --------------------------------------------------------------------------------

VOTE: dict[str, Any] = {"vote": "approve", "comment": "同意认定"}
EXPERT_DRAW_REQUESTS: list[dict[str, Any]] = [
    {"count": 3},
    {"count": 3, "reason": "专家王敏申请回避，重新抽取"},
]
EXPERT_VOTE: dict[str, Any] = {"expert_id": "expert-03", "vote": "approve", "comment": "证据充分"}
ESCALATION_DECISION: dict[str, Any] = {
    "decision": "approve",
    "reason": "联席会议办公室认定：跨专题组案件，同意列入",
}

_EXPERTS = [
    {"id": "expert-00", "name": "王敏", "department": "trading"},
    {"id": "expert-01", "name": "陈磊", "department": "finance"},
    {"id": "expert-02", "name": "林芳", "department": "福州大学"},
    {"id": "expert-03", "name": "黄伟", "department": "福州大学"},
    {"id": "expert-04", "name": "吴静", "department": "福建示例律师事务所"},
    {"id": "expert-05", "name": "郑强", "department": "福建师范大学"},
]
EXPERT_POOL_PUT: dict[str, Any] = {"experts": _EXPERTS, "departments": ["trading", "finance"]}
EXPERT_POOL: dict[str, Any] = {
    "group": "trading",
    "version": 1,
    "experts": _EXPERTS,
    "departments": ["finance", "trading"],
    "changed_by": "credit-office",
    "changed_at": "2026-11-20T06:30:39.758193Z",
}

# --- sync feeds ---------------------------------------------------------------------------------

FEED_CREATES: list[dict[str, Any]] = [
    {
        "mode": "delta",
        "list_type": TAX_LIST,
        "feed_ref": "闽税-2026-11-delta",
        "expected_lines": 2,
    },
    {
        "mode": "snapshot",
        "list_type": COURT_LIST,
        "feed_ref": "闽01执-2026-11-30-snapshot",
        "expected_lines": 12000,
        "absent_reason": "福州市中级人民法院失信被执行人名单全量同步：名单中已删除",
    },
]
FEED: dict[str, Any] = {
    "feed_id": "d3c9a7f2-7a00-420b-beb1-446b955738b4",
    "feed_ref": "闽税-2026-11-delta",
    "mode": "delta",
    "list_type": TAX_LIST,
    "status": "completed",
    "lines_received": 2,
    "counts": {
        "created": 1,
        "corrected": 0,
        "unchanged": 0,
        "revoked": 0,
        "rejected": 1,
        "skipped": 0,
    },
    "absent_revoked": 0,
    "expected_lines": 2,
    "rate_lines_per_second": 72.3,
    "seconds_left": 0.0,
    "started_at": "2026-11-27T08:00:40.977242Z",
    "updated_at": "2026-11-27T08:00:41.280659Z",
    "completed_at": "2026-11-27T08:00:41.280659Z",
}
REJECTION: dict[str, Any] = {
    "line": 2,
    "record_id": "闽税稽-2026-0021",
    "problems": [
        {"field": "body.subject", "reason": "missing", "message": "Field required"},
        {"field": "body.period", "reason": "missing", "message": "Field required"},
    ],
}

# --- double publicity ---------------------------------------------------------------------------

PENALTY_SUBMISSION: dict[str, Any] = {
    "record_id": "闽市监罚-2026-0001",
    "kind": "penalty",
    "counterpart": {
        "name": ENTERPRISE_NAME,
        "category": "legal_person",
        "code": ENTERPRISE,
        "legal_representative": "张三",
    },
    "decision_number": "榕市监罚〔2026〕12号",
    "decision_date": "2026-11-18",
    "penalty": {
        "illegal_act": "发布虚假广告",
        "provision_violated": "《中华人民共和国广告法》第二十八条",
        "legal_basis": "《中华人民共和国广告法》第五十五条",
        "penalty_types": ["fine"],
        "content": "罚款人民币五万元",
        "fine_amount": 50000,
        "severity": "general",
    },
}
LICENCE_SUBMISSION: dict[str, Any] = {
    "record_id": "闽市监许-2026-0001",
    "kind": "licence",
    "counterpart": {"name": ENTERPRISE_NAME, "category": "legal_person", "code": ENTERPRISE},
    "decision_number": "榕市监许〔2026〕3号",
    "decision_date": "2026-11-19",
    "licence": {
        "document_name": "食品经营许可决定书",
        "category": "ordinary",
        "certificate_name": "食品经营许可证",
        "certificate_number": "JY13501000000001",
        "content": "预包装食品销售",
        "valid_from": "2026-11-19",
    },
    "publish": False,
}
DECISION_SUBMISSIONS: dict[str, dict[str, Any]] = {
    "penalty": {"summary": "a general penalty, published at once", "value": PENALTY_SUBMISSION},
    "licence": {
        "summary": "a licence, recorded now and published later (`publish: false`)",
        "value": LICENCE_SUBMISSION,
    },
}

DECISION: dict[str, Any] = {
    "decision_id": "a9d24061-c39d-4856-aa16-3dd5ffc7a19b",
    "record_id": "闽市监罚-2026-0001",
    "department": "market",
    "version": 1,
    "kind": "penalty",
    "state": "published",
    "withheld_reason": None,
    "counterpart": PENALTY_SUBMISSION["counterpart"],
    "decision_number": "榕市监罚〔2026〕12号",
    "decision_date": "2026-11-18",
    "licence": None,
    "penalty": {
        **PENALTY_SUBMISSION["penalty"],
        "fine_amount": 50000.0,
        "confiscated_amount": None,
    },
    "involves_privacy": False,
    "publication_due": "2026-11-27",
    "due_provisional": False,
    "published_at": "2026-11-19T02:40:40.592413Z",
    "published_by_officer": None,
    "late": False,
    "punctuality": None,
    "working_days_late": 0,
    "publication_months": 12,
    "publication_ends": "2027-11-18",
    "shown": True,
    "repair_from": "2027-02-18",
    "repair_guidance": "本行政处罚信息属一般失信行为信息，自2026年11月18日作出决定起公示。"
    "自2027年2月18日起（最短公示期届满后），您可以申请信用修复，条件为：（一）已纠正失信行为；"
    "（二）已履行行政处罚决定规定的义务；（三）已作出公开信用承诺。请向作出处罚决定的部门（market）"
    "或经信用中国网站提出申请；信用修复后停止公示，并停止共享和使用。",
    "warnings": [],
    "withdrawal": None,
    "created_at": "2026-11-19T02:40:40.592413Z",
    "updated_at": "2026-11-19T02:40:40.592413Z",
}
"""A penalty published on the day after its decision, shown for 12 months."""

WITHDRAWN_DECISION: dict[str, Any] = {
    "decision_id": "c2cae5ac-7f83-41af-9e48-2a5f5c5ca416",
    "record_id": "闽市监许-2026-0001",
    "department": "market",
    "version": 1,
    "kind": "licence",
    "state": "withdrawn",
    "withheld_reason": None,
    "counterpart": {**LICENCE_SUBMISSION["counterpart"], "legal_representative": None},
    "decision_number": "榕市监许〔2026〕3号",
    "decision_date": "2026-11-19",
    "licence": {**LICENCE_SUBMISSION["licence"], "valid_to": None},
    "penalty": None,
    "involves_privacy": False,
    "publication_due": "2026-11-30",
    "due_provisional": False,
    "published_at": "2026-11-24T03:10:40.676587Z",
    "published_by_officer": None,
    "late": False,
    "punctuality": None,
    "working_days_late": 0,
    "publication_months": 36,
    "publication_ends": "2029-11-19",
    "shown": False,
    "repair_from": None,
    "repair_guidance": None,
    "warnings": [],
    "withdrawal": {
        "reason": "revoked",
        "note": "许可决定已依法撤销",
        "withdrawn_by": "market",
        "withdrawn_by_officer": None,
        "withdrawn_at": "2026-11-27T06:00:40.833840Z",
    },
    "created_at": "2026-11-19T08:15:40.643793Z",
    "updated_at": "2026-11-27T06:00:40.833840Z",
}
"""A licence recorded unpublished, published later, then withdrawn."""

WITHDRAWALS: list[dict[str, Any]] = [
    {"reason": "revoked", "note": "许可决定已依法撤销"},
    {"reason": "repaired", "note": "当事人已完成信用修复（榕市监修〔2027〕5号）"},
]

DECISIONS_BULK: list[dict[str, Any]] = [
    PENALTY_SUBMISSION,
    {
        **PENALTY_SUBMISSION,
        "record_id": "闽市监罚-2026-0002",
        "decision_number": "榕市监罚〔2026〕13号",
        "decision_date": "2026-11-23",
    },
    {"record_id": "闽市监罚-2026-0003", "kind": "penalty"},
]
"""A JSON array of decisions; the third is refused by itself."""

DECISIONS_BULK_ANSWER: dict[str, Any] = {
    "results": [
        {
            "line": 1,
            "record_id": "闽市监罚-2026-0001",
            "status": "unchanged",
            "decision_id": "a9d24061-c39d-4856-aa16-3dd5ffc7a19b",
            "version": 1,
            "state": "published",
        },
        {
            "line": 2,
            "record_id": "闽市监罚-2026-0002",
            "status": "created",
            "decision_id": "3d7d65f2-66fc-4682-8b79-bab971f882b5",
            "version": 1,
            "state": "published",
        },
        {
            "line": 3,
            "record_id": "闽市监罚-2026-0003",
            "status": "rejected",
            "problems": [
                {"field": "body.counterpart", "reason": "missing", "message": "Field required"},
                {"field": "body.decision_number", "reason": "missing", "message": "Field required"},
                {"field": "body.decision_date", "reason": "missing", "message": "Field required"},
            ],
        },
    ],
    "summary": {"lines": 3, "unchanged": 1, "created": 1, "rejected": 1},
}

# --- supervision --------------------------------------------------------------------------------

TYPICAL_CASE_CREATE: dict[str, Any] = {
    "kind": "dishonesty",
    "title": "福州示例科技有限公司虚开增值税专用发票案",
    "summary": "该公司2025年度虚开增值税专用发票36份，被列入重大税收违法失信主体名单，"
    "联合惩戒措施已由各部门落实。",
    "subject_code": ENTERPRISE,
    "entry_id": ENTRY_ID,
}
TYPICAL_CASE: dict[str, Any] = {
    "case_id": "47b54d72-33b5-42a8-88f2-cc5a79719cf7",
    "month": "2026-11",
    **TYPICAL_CASE_CREATE,
    "department": "tax",
    "nominated_at": "2026-11-26T02:40:41.584779Z",
    "withdrawn_at": None,
    "selected_at": "2026-11-27T06:40:41.819827Z",
    "selected_by": "credit-office",
    "nominated_by_officer": None,
    "withdrawn_by_officer": None,
    "selected_by_officer": None,
}

REMINDER: dict[str, Any] = {
    "reminder_id": "rem-2026-11-0007",
    "level": "reminder",
    "kind": "receipt",
    "item_id": "5b0e6c2d-1f3a-4e7b-9c8d-0a2f4e6b8d13",
    "entry_id": ENTRY_ID,
    "subject_code": ENTERPRISE,
    "list_type": TAX_LIST,
    "department": "finance",
    "due": "2026-11-26",
    "due_provisional": False,
    "overdue_working_days": 1,
    "escalation_due": "2026-12-03",
    "issued_at": "2026-11-27T01:00:00Z",
    "open": True,
}


def _cases(filed: int, decided: int, on_time: int) -> dict[str, Any]:
    return {
        "filed": filed,
        "decided": decided,
        "decided_on_time": on_time,
        "decided_late": decided - on_time,
        "overdue": 0,
        "on_time_rate": None if decided == 0 else round(on_time / decided, 4),
    }


_FIGURES: dict[str, Any] = {
    "entries": {
        "initiated": 12,
        "by_colour": {"red": 0, "black": 12, "watch": 0},
        "by_list_type": {TAX_LIST: 12},
    },
    "orders": {
        "issued": 24,
        "received": 23,
        "fed_back": 18,
        "receipt_overdue": 1,
        "feedback_overdue": 0,
        "feedback_rate": 0.75,
    },
    "measures": {"applied": 30, "not_applicable": 5, "failed": 0},
    "objections": _cases(2, 2, 2),
    "complaints": _cases(0, 0, 0),
    "objection_appeals": _cases(0, 0, 0),
    "repairs": _cases(1, 1, 1),
    "reminders": {"reminders": 1, "escalations": 0},
}
REPORT: dict[str, Any] = {
    "period": {"start": "2026-11-01", "end": "2026-11-30", "month": "2026-11"},
    "as_of": "2026-11-30",
    "generated_at": "2026-12-01T01:00:42.068854Z",
    "scope": "tax",
    "departments": [
        {**_FIGURES, "department": "tax", "department_name": "国家税务总局福州市税务局"}
    ],
    "truncated": False,
    "total": _FIGURES,
    "report_status": [
        {
            "department": "tax",
            "department_name": "国家税务总局福州市税务局",
            "month": "2026-11",
            "due": "2026-12-20",
            "status": "pending",
            "submitted_on": None,
            "late": False,
            "trustworthiness": 0,
            "dishonesty": 1,
        }
    ],
    "typical_cases": [TYPICAL_CASE],
}
"""November 2026 for tax, read by tax (`GET /v1/reports/monthly/2026-11`)."""

# --- exchange -----------------------------------------------------------------------------------

EXCHANGE_RECORD_ID = "c6202090-d4f5-46be-b0aa-e430efd54853"
EXCHANGE_RECORD: dict[str, Any] = {
    "record_id": EXCHANGE_RECORD_ID,
    "entry_id": ENTRY_ID,
    "entry_version": 1,
    "operation": "entry",
    "state": "acknowledged",
    "occurred_at": POSTED_AT,
    "push_due": "2026-11-26",
    "push_due_provisional": False,
    "attempts": 1,
    "last_pushed_at": "2026-11-23T01:30:12.951412Z",
    "acknowledged_at": "2026-11-23T01:31:02.394246Z",
    "acknowledged_by": "fj-platform",
    "accepted": True,
    "error_code": None,
    "error_message": None,
    "record": {
        "record_id": EXCHANGE_RECORD_ID,
        "attempt": 1,
        "operation": "entry",
        "entry_id": ENTRY_ID,
        "entry_version": 1,
        "subject_name": ENTERPRISE_NAME,
        "subject_code": ENTERPRISE,
        "subject_type": "legal_person",
        "list_type": TAX_LIST,
        "list_type_name": "重大税收违法失信主体",
        "reward_punishment_type": "black",
        "domain": "tax",
        "behaviour": _TAX_CONTENT["grounds"],
        "legal_basis": _TAX_CONTENT["legal_basis"],
        "decision_document": _TAX_CONTENT["decision_document"],
        "deciding_department": "tax",
        "deciding_department_name": "国家税务总局福州市税务局",
        "district": "350100",
        "period": _TAX_CONTENT["period"],
        "measures": [
            {
                "code": "finance.no-government-procurement",
                "content": "依法限制参加政府采购活动：参加政府采购活动前三年内在经营活动中有重大"
                "违法记录的不得作为供应商；列入政府采购严重违法失信行为记录名单的，在处罚决定确定的"
                "一至三年内禁止参加政府采购活动",
                "kind": "punishment",
            },
            {
                "code": "trading.restrict-public-resource-trading",
                "content": "在公共资源交易平台对其作出失信标注，依法限制参与工程建设招标投标、"
                "产权和土地矿产交易等公共资源交易活动，限制参与基础设施和公用事业特许经营",
                "kind": "punishment",
            },
        ],
        "status": "in_force",
        "effect": "listed (black): the list's measures apply from 2026-11-20 to 2029-11-19",
        "disclosure_class": "public",
        "occurred_at": POSTED_AT,
        "push_due": "2026-11-26",
        "pushed_at": "2026-11-23T01:30:12.951412Z",
        "origin": None,
    },
}
EXCHANGE_ACKNOWLEDGEMENTS: dict[str, dict[str, Any]] = {
    "accepted": {
        "summary": "the upper-level platform took the record",
        "value": {
            "record_id": EXCHANGE_RECORD_ID,
            "entry_id": ENTRY_ID,
            "platform": "fj-platform",
            "accepted": True,
        },
    },
    "refused": {
        "summary": "it refused the record, saying why",
        "value": {
            "record_id": EXCHANGE_RECORD_ID,
            "entry_id": ENTRY_ID,
            "platform": "fj-platform",
            "accepted": False,
            "error_code": "district_required",
            "error_message": "district 为必填项",
        },
    },
}
EXCHANGE_ACKNOWLEDGED: dict[str, Any] = {"changed": True, "record": EXCHANGE_RECORD}
