"""Examples of the appeals API's bodies and answers, for its OpenAPI document (issue 17).

Taken from what the service answers, its clock set to Monday 2026-11-23 10:00 in Beijing, for
the entries of its test harness (`jrp_appeals.testing`): 福州示例科技有限公司 on the tax black
list from 2026-11-20 (its legal representative linked), which objects, has the objection
dismissed and complains to the joint conference office; a natural person on the court's list of
dishonest judgment debtors (with the court's own review, 法释〔2017〕7号 第十二条) who appeals
to the higher court; 北京示例贸易有限公司, listed in 2025, whose credit repair goes through its
three stages; a whistle-blower report about the first. Resident IDs are the tests' synthetic
ones. tests/test_openapi_examples.py validates every example against its schema.
"""

from __future__ import annotations

from typing import Any


def answer(example: dict[str, Any], status: int = 200) -> dict[int | str, dict[str, Any]]:
    """A route's `responses`: the example of its answer, where its model is shared with other
    routes (the model's own example shows another state)."""
    return {status: {"content": {"application/json": {"example": example}}}}


ENTERPRISE = "91350100M000100Y43"
OTHER_ENTERPRISE = "91110000802100433B"
LEGAL_REPRESENTATIVE = "11010519491231002X"
PERSON = "350102198001010011"
"""The court list's debtor (`jrp_appeals.testing.PERSON`): synthetic."""
PERSON_MASKED = "350102********0011"
"""As anyone but the court that listed it and the person itself reads it (DOMAIN.md §2)."""

OBJECTION_ID = "7ded146b-bd4d-4dc5-a863-14d449de8077"
COMPLAINT_ID = "8698ff51-6d96-49a0-9f32-c5bad1150460"
COURT_OBJECTION_ID = "21711491-9c14-404f-978d-5b962a282901"
APPEAL_ID = "28cd5e53-63f8-43b8-b6b6-d0f20dce742a"
REPAIR_ID = "9fad56b2-6702-4714-b5eb-1078946802c4"
REPORT_NUMBER = "JB-2026-000001"

_TAX_LIST = "black.tax.major-violation"
_COURT_LIST = "black.judicial.dishonest-judgment-debtor"
_BY_SUBJECT = {"kind": "subject", "code": ENTERPRISE, "agent": "credit-office"}

# --- entries ------------------------------------------------------------------------------------

ENTRY: dict[str, Any] = {
    "entry_id": "entry-1",
    "version": 1,
    "subject": {
        "code": ENTERPRISE,
        "subject_type": "legal_person",
        "name": "福州示例科技有限公司",
    },
    "linked_person_codes": ["110105********002X"],
    "list_type": _TAX_LIST,
    "list_type_version": 1,
    "colour": "black",
    "initiating_department": "tax",
    "period": {"start": "2026-11-20", "end": "2029-11-19"},
    "status": "in_force",
    "updated_at": "2026-11-23T02:00:00Z",
    "repair_guidance": {
        "tier": "serious",
        "repair_from": "2027-11-20",
        "published_until": "2029-11-19",
        "conditions": ["失信行为已纠正", "已履行法定义务（行政处罚决定等）", "已作出公开信用承诺"],
        "evidence_required": ["补缴税款、滞纳金和罚款的完税凭证", "信用承诺书"],
        "apply_to": "信用中国网站（信用修复申请，POST /v1/repairs）",
        "decided_by": "tax",
        "portal_forward_working_days": 10,
        "authority_decision_working_days": 3,
        "result_push_working_days": 3,
    },
}
"""The enterprise reads its entry: its legal representative's resident ID is masked (the tax
department, which recorded it, reads it in clear)."""

# --- objections and complaints: requests --------------------------------------------------------

OBJECTION_REQUEST: dict[str, Any] = {
    "entry_id": "entry-1",
    "grounds": "所列欠税已于稽查立案前全部缴清，不应认定为重大税收违法失信主体",
    "evidence_references": ["完税证明-2026-0031"],
}

DECISION_RIGHT: dict[str, Any] = {
    "outcome": "information_right",
    "reasons": "经核查，欠税于稽查立案后方才缴清，列入名单无误",
}
DECISION_REVOKE: dict[str, Any] = {
    "outcome": "information_wrong",
    "remedy": "revoke",
    "reasons": "经专家评审，欠税已于立案前缴清，不符合列入条件，应予撤销",
}
DECISION_CORRECT: dict[str, Any] = {
    "outcome": "information_wrong",
    "remedy": "correct",
    "reasons": "失信行为认定有误，应更正为逃避追缴欠税",
    "correction": {
        "subject": {
            "code": ENTERPRISE,
            "subject_type": "legal_person",
            "name": "福州示例科技有限公司",
        },
        "list_type": _TAX_LIST,
        "grounds": "逃避追缴欠税",
        "legal_basis": "《中华人民共和国税收征收管理法》第六十五条",
        "decision_document": {"number": "闽税稽罚〔2026〕12号", "date": "2026-11-20"},
        "period": {"start": "2026-11-20", "end": "2029-11-19"},
        "disclosure_class": "public",
        "linked_persons": [],
        "evidence_references": [],
    },
}

COMPLAINT_REQUEST: dict[str, Any] = {
    "grounds": "异议答复未说明认定欠税缴清时间的依据",
    "evidence_references": ["申辩书-2026-002"],
}

EXPERT_DRAW_REQUEST: dict[str, Any] = {
    "pool": [f"expert-{i:02d}" for i in range(1, 9)],
    "count": 3,
    "seed": "2026-11-27",
}

APPEAL_REQUEST: dict[str, Any] = {
    "grounds": "不服驳回决定：还款凭证载明系偿还本案借款",
    "evidence_references": ["还款凭证-2026-1110", "银行流水-2026-11"],
}

APPEAL_UPHELD: dict[str, Any] = {
    "outcome": "upheld",
    "remedy": "revoke",
    "reasons": "银行流水证明本案借款本金已全部偿还，应撤销失信信息",
}
APPEAL_DISMISSED: dict[str, Any] = {
    "outcome": "dismissed",
    "reasons": "所附银行流水与本案执行依据无关，驳回申请",
}

# --- objections and complaints: answers ---------------------------------------------------------

_FILED = {
    "at": "2026-11-23T02:00:00Z",
    "actor": f"subject:{ENTERPRISE}",
    "action": "filed",
    "detail": {"suspends": True, "decision_due": "2026-12-21"},
}
_OBJECTION_SUMMARY: dict[str, Any] = {
    "entry_id": "entry-1",
    "subject_code": ENTERPRISE,
    "list_type": _TAX_LIST,
    "provider": "tax",
    "filed_by": _BY_SUBJECT,
    "state": "open",
    "filed_at": "2026-11-23T02:00:00Z",
    "decision_due": "2026-12-21",
    "due_provisional": False,
    "overdue": False,
    "suspends": True,
    "outcome": None,
}

OBJECTION_SUMMARY: dict[str, Any] = {
    **_OBJECTION_SUMMARY,
    "objection_id": OBJECTION_ID,
    "review": None,
}
"""The tax department's inbox: an open objection, due in 20 working days, measures
suspended meanwhile (the tax list's rule, DOMAIN.md §7)."""

OBJECTION_FILED: dict[str, Any] = {
    **OBJECTION_SUMMARY,
    "entry_version": 1,
    "grounds": OBJECTION_REQUEST["grounds"],
    "evidence_references": OBJECTION_REQUEST["evidence_references"],
    "decision": None,
    "restoration_duty": None,
    "history": [_FILED],
    "complaint_id": None,
}
"""The answer to `OBJECTION_REQUEST`, filed by the enterprise through the credit portal."""

_DECIDED_RIGHT = {
    "outcome": "information_right",
    "remedy": None,
    "reasons": DECISION_RIGHT["reasons"],
    "decided_by": "tax",
    "decided_by_officer": "officer-t0a1b2c3d4e5",
    "decided_at": "2026-11-26T02:00:00Z",
    "correction": None,
}

OBJECTION_DECIDED: dict[str, Any] = {
    **OBJECTION_FILED,
    "state": "decided",
    "outcome": "information_right",
    "decision": _DECIDED_RIGHT,
    "history": [
        _FILED,
        {
            "at": "2026-11-26T02:00:00Z",
            "actor": "tax",
            "action": "decided",
            "detail": {
                "outcome": "information_right",
                "remedy": None,
                "officer": "officer-t0a1b2c3d4e5",
            },
        },
    ],
}
"""The tax department's answer (`DECISION_RIGHT`), given by one of its officers."""

_COMPLAINT_FILED_LINE = {
    "at": "2026-11-27T02:00:00Z",
    "actor": f"subject:{ENTERPRISE}",
    "action": "filed",
    "detail": {"suspends": True, "decision_due": "2026-12-25"},
}
_COMPLAINT_SUMMARY: dict[str, Any] = {
    **_OBJECTION_SUMMARY,
    "filed_at": "2026-11-27T02:00:00Z",
    "decision_due": "2026-12-25",
    "complaint_id": COMPLAINT_ID,
    "objection_id": OBJECTION_ID,
}

COMPLAINT_SUMMARY: dict[str, Any] = _COMPLAINT_SUMMARY

COMPLAINT_FILED: dict[str, Any] = {
    **_COMPLAINT_SUMMARY,
    "entry_version": 1,
    "grounds": COMPLAINT_REQUEST["grounds"],
    "evidence_references": COMPLAINT_REQUEST["evidence_references"],
    "decision": None,
    "restoration_duty": None,
    "history": [_COMPLAINT_FILED_LINE],
    "expert_draws": [],
}
"""The enterprise complains to the joint conference office about the dismissal."""

EXPERT_DRAW: dict[str, Any] = {
    "experts": ["expert-03", "expert-01", "expert-07"],
    "seed": "2026-11-27",
    "pool": EXPERT_DRAW_REQUEST["pool"],
    "count": 3,
    "drawn_by": "credit-office",
    "drawn_at": "2026-11-27T02:00:00Z",
}
"""`random.Random("2026-11-27").sample(pool, 3)`: anyone can redo the draw."""

COMPLAINT_DECIDED: dict[str, Any] = {
    **COMPLAINT_FILED,
    "state": "decided",
    "outcome": "information_wrong",
    "decision": {
        "outcome": "information_wrong",
        "remedy": "revoke",
        "reasons": DECISION_REVOKE["reasons"],
        "decided_by": "credit-office",
        "decided_by_officer": None,
        "decided_at": "2026-11-29T02:00:00Z",
        "correction": None,
    },
    "restoration_duty": {"department": "tax", "recorded_at": "2026-11-29T02:00:00Z"},
    "history": [
        _COMPLAINT_FILED_LINE,
        {
            "at": "2026-11-27T02:00:00Z",
            "actor": "credit-office",
            "action": "experts_drawn",
            "detail": {"seed": "2026-11-27", "count": 3, "experts": EXPERT_DRAW["experts"]},
        },
        {
            "at": "2026-11-29T02:00:00Z",
            "actor": "credit-office",
            "action": "decided",
            "detail": {"outcome": "information_wrong", "remedy": "revoke"},
        },
    ],
    "expert_draws": [EXPERT_DRAW],
}
"""The office revokes the entry (`DECISION_REVOKE`): the tax department owes the enterprise
the restoration of its reputation."""

# --- the court list's own review and the appeal -------------------------------------------------

_REVIEW_RULES = {
    "review_days": 15,
    "correction_working_days": 3,
    "appeal_window_days": 10,
    "appeal_decision_days": 15,
    "appeal_department": "high-court",
}


def _court_objection(code: str, *, decided: bool) -> dict[str, Any]:
    """The debtor's objection, appealed, read by someone who sees its resident ID as `code`."""
    history: list[dict[str, Any]] = [
        {
            "at": "2026-11-23T02:00:00Z",
            "actor": f"subject:{code}",
            "action": "filed",
            "detail": {"suspends": False, "decision_due": "2026-12-08"},
        },
        {
            "at": "2026-11-28T02:00:00Z",
            "actor": "court",
            "action": "decided",
            "detail": {"outcome": "information_right", "remedy": None},
        },
        {
            "at": "2026-11-28T02:00:00Z",
            "actor": "court",
            "action": "appeal_window_open",
            "detail": {"until": "2026-12-08"},
        },
        {
            "at": "2026-11-30T02:00:00Z",
            "actor": f"subject:{code}",
            "action": "appeal_filed",
            "detail": {
                "appeal_id": APPEAL_ID,
                "department": "high-court",
                "decision_due": "2026-12-15",
            },
        },
    ]
    appeal: dict[str, Any] = {
        "appeal_id": APPEAL_ID,
        "department": "high-court",
        "filed_by": {"kind": "subject", "code": code, "agent": "credit-office"},
        "grounds": APPEAL_REQUEST["grounds"],
        "evidence_references": APPEAL_REQUEST["evidence_references"],
        "state": "open",
        "filed_at": "2026-11-30T02:00:00Z",
        "decision_due": {
            "due": "2026-12-15",
            "provisional": False,
            "done_at": None,
            "met": False,
            "overdue": False,
        },
        "decision": None,
    }
    correction_due = None
    if decided:
        history += [
            {
                "at": "2026-12-05T02:00:00Z",
                "actor": "high-court",
                "action": "appeal_decided",
                "detail": {
                    "appeal_id": APPEAL_ID,
                    "outcome": "upheld",
                    "remedy": "revoke",
                    "officer": "officer-h19c0c000001",
                },
            },
            {
                "at": "2026-12-05T02:00:00Z",
                "actor": "high-court",
                "action": "correction_due",
                "detail": {"due": "2026-12-09", "provisional": False},
            },
        ]
        appeal["state"] = "decided"
        appeal["decision_due"] = {
            **appeal["decision_due"],
            "done_at": "2026-12-05T02:00:00Z",
            "met": True,
        }
        appeal["decision"] = {
            "outcome": "upheld",
            "remedy": "revoke",
            "correction": None,
            "reasons": APPEAL_UPHELD["reasons"],
            "decided_by": "high-court",
            "decided_by_officer": "officer-h19c0c000001",
            "decided_at": "2026-12-05T02:00:00Z",
        }
        correction_due = {
            "due": "2026-12-09",
            "provisional": False,
            "done_at": None,
            "met": False,
            "overdue": False,
        }
    return {
        "entry_id": "court-1",
        "subject_code": code,
        "list_type": _COURT_LIST,
        "provider": "court",
        "filed_by": {"kind": "subject", "code": code, "agent": "credit-office"},
        "state": "decided",
        "filed_at": "2026-11-23T02:00:00Z",
        "decision_due": "2026-12-08",
        "due_provisional": False,
        "overdue": False,
        "suspends": False,
        "outcome": "information_right",
        "entry_version": 1,
        "grounds": "判决确定的借款本金已于2026年11月10日全部偿还",
        "evidence_references": ["还款凭证-2026-1110"],
        "decision": {
            "outcome": "information_right",
            "remedy": None,
            "reasons": "还款凭证所载款项系另案借款，本案义务尚未履行",
            "decided_by": "court",
            "decided_by_officer": None,
            "decided_at": "2026-11-28T02:00:00Z",
            "correction": None,
        },
        "restoration_duty": None,
        "history": history,
        "objection_id": COURT_OBJECTION_ID,
        "complaint_id": None,
        "review": {
            "rules": _REVIEW_RULES,
            "review_due": {
                "due": "2026-12-08",
                "provisional": False,
                "done_at": "2026-11-28T02:00:00Z",
                "met": True,
                "overdue": False,
            },
            "correction_due": correction_due,
            "appeal_window": {
                "ends_on": "2026-12-08",
                "closed": False,
                "appealed_at": "2026-11-30T02:00:00Z",
            },
            "appeal": appeal,
        },
    }


COURT_APPEALED = _court_objection(PERSON, decided=False)
"""The debtor appeals the court's dismissal to the higher court (`APPEAL_REQUEST`), within the
10 days; the listing stays in force (`suspends` false)."""

COURT_APPEAL_DECIDED = _court_objection(PERSON_MASKED, decided=True)
"""The higher court upholds the appeal (`APPEAL_UPHELD`): the court owes the correction within
3 working days. The higher court reads the debtor's resident ID masked."""

NOTIFICATION: dict[str, Any] = {
    "notification_id": "cf89cc32-a619-4ed9-88a1-c9abf459c4e9",
    "subject_code": ENTERPRISE,
    "about": "objection",
    "case_id": OBJECTION_ID,
    "entry_id": "entry-1",
    "title": "您的异议已处理",
    "body": "经核查信息无误，名单继续有效，惩戒期限自决定之日起恢复计算。理由："
    + DECISION_RIGHT["reasons"],
    "created_at": "2026-11-26T02:00:00Z",
}

# --- credit repair ------------------------------------------------------------------------------

REPAIR_REQUEST: dict[str, Any] = {
    "entry_id": "entry-2",
    "route": "correction",
    "evidence": [
        {"kind": "补缴税款、滞纳金和罚款的完税凭证", "reference": "完税证明-2026-0877"},
        {"kind": "信用承诺书", "reference": "承诺书-2026-0877"},
    ],
    "credit_commitment": {
        "text": "本企业承诺依法诚信纳税，按期申报缴纳税款",
        "signed_on": "2026-11-22",
    },
}
"""北京示例贸易有限公司 asks to repair its tax listing of 2025-10-10 (a year on), with the
evidence the tax list requires."""

REPAIR_APPROVED: dict[str, Any] = {
    "approved": True,
    "reasons": "已补缴税款、滞纳金和罚款，并作出信用承诺，准予信用修复",
}
REPAIR_REFUSED: dict[str, Any] = {
    "approved": False,
    "reasons": "滞纳金尚未缴清，不符合信用修复条件",
}

_APPLIED_LINE = {
    "at": "2026-11-23T02:00:00Z",
    "actor": f"subject:{OTHER_ENTERPRISE}",
    "action": "applied",
    "detail": {"route": "correction"},
}
_FORWARDED_LINE = {
    "at": "2026-11-24T02:00:00Z",
    "actor": "credit-office",
    "action": "forwarded",
    "detail": {"decision_due": "2026-11-27", "late": False},
}

REPAIR_APPLIED: dict[str, Any] = {
    "repair_id": REPAIR_ID,
    "entry_id": "entry-2",
    "subject_code": OTHER_ENTERPRISE,
    "applicant": OTHER_ENTERPRISE,
    "department": "tax",
    "route": "correction",
    "state": "pending",
    "tier": "serious",
    "stage": "forward",
    "applied_at": "2026-11-23T02:00:00Z",
    "forward_due": "2026-12-07",
    "forward_due_provisional": False,
    "forwarded_at": None,
    "decision_due": "2026-12-10",
    "due_provisional": False,
    "push_due": None,
    "pushed_at": None,
    "overdue": False,
    "overdue_stage": None,
    "agent": "credit-office",
    "evidence": REPAIR_REQUEST["evidence"],
    "credit_commitment": REPAIR_REQUEST["credit_commitment"],
    "decision": None,
    "history": [_APPLIED_LINE],
}
"""The answer to `REPAIR_REQUEST`: the credit portal has 10 working days to forward it."""

REPAIR_FORWARDED: dict[str, Any] = {
    **REPAIR_APPLIED,
    "stage": "decision",
    "forwarded_at": "2026-11-24T02:00:00Z",
    "decision_due": "2026-11-27",
    "history": [_APPLIED_LINE, _FORWARDED_LINE],
}
"""Stage 1 done: the tax department has 3 working days to decide."""

REPAIR_DECIDED: dict[str, Any] = {
    **REPAIR_FORWARDED,
    "state": "approved",
    "stage": "done",
    "push_due": "2026-11-30",
    "pushed_at": "2026-11-25T02:00:00Z",
    "decision": {
        **REPAIR_APPROVED,
        "decided_by": "tax",
        "decided_by_officer": None,
        "decided_at": "2026-11-25T02:00:00Z",
    },
    "history": [
        _APPLIED_LINE,
        _FORWARDED_LINE,
        {
            "at": "2026-11-25T02:00:00Z",
            "actor": "tax",
            "action": "decided",
            "detail": {"approved": True},
        },
        {
            "at": "2026-11-25T02:00:00Z",
            "actor": "appeals",
            "action": "pushed",
            "detail": {"via": "outbox"},
        },
    ],
}
"""Granted (`REPAIR_APPROVED`): the entry ends early, the result is pushed in the same commit."""

REPAIR_SUMMARY: dict[str, Any] = {
    k: v
    for k, v in REPAIR_DECIDED.items()
    if k not in ("agent", "evidence", "credit_commitment", "decision", "history")
}

REPAIR_OVERDUE: dict[str, Any] = {
    "stage": "forward",
    "department": "tax",
    "count": 1,
    "oldest_due": "2026-12-09",
    "repair_ids": ["705447c0-346b-4585-ab1d-2b0442c4cdb0"],
}
"""An application the credit portal has not forwarded in its 10 working days."""

# --- whistle-blower reports ---------------------------------------------------------------------

REPORT_REQUEST: dict[str, Any] = {
    "subject": {"code": ENTERPRISE, "name": "福州示例科技有限公司"},
    "domain": "tax",
    "facts": "该公司长期通过虚开增值税专用发票抵扣税款，财务人员曾多次提及。",
    "occurred_on": "2026-10-15",
    "place": "福州市鼓楼区",
    "attachments": [
        {
            "filename": "发票照片.png",
            "content_type": "image/png",
            "content_base64": "iVBORw0KGgo=",
        }
    ],
    "reporter": {
        "name": "赵举报",
        "phone": "13912345678",
        "id_number": PERSON,
        "email": "whistle@example.cn",
    },
}
"""A named report with one attached photo (its identity is sealed; no department sees it)."""

ANONYMOUS_REPORT_REQUEST: dict[str, Any] = {
    "subject": {"name": "福州某食品店"},
    "domain": "tax",
    "facts": "该店销售过期食品，已多次被顾客投诉。",
    "place": "福州市台江区",
}

REPORT_SUBMITTED: dict[str, Any] = {
    "number": REPORT_NUMBER,
    "query_code": "UUQN-3QPT-Z8FL-QGQK",
    "status": "received",
    "routed_to": [{"code": "tax", "name": "国家税务总局福州市税务局"}],
    "due": "2026-12-21",
    "due_provisional": False,
}

_REWARD = {"amount": "2000.00", "description": "举报奖励金"}

REPORT_RECEIVED_FOLLOWED: dict[str, Any] = {
    "number": REPORT_NUMBER,
    "status": "received",
    "submitted_at": "2026-11-23T02:00:00Z",
    "routed_to": REPORT_SUBMITTED["routed_to"],
    "due": "2026-12-21",
    "outcome": None,
    "decided_at": None,
    "reward": None,
}
REPORT_DECIDED_FOLLOWED: dict[str, Any] = {
    **REPORT_RECEIVED_FOLLOWED,
    "status": "decided",
    "outcome": "substantiated",
    "decided_at": "2026-12-13T02:00:00Z",
    "reward": _REWARD,
}

REPORT_SUMMARY: dict[str, Any] = {
    "number": REPORT_NUMBER,
    "status": "received",
    "subject": REPORT_REQUEST["subject"],
    "domain": "tax",
    "submitted_at": "2026-11-23T02:00:00Z",
    "due": "2026-12-21",
    "due_provisional": False,
    "overdue": False,
    "routed_to": REPORT_SUBMITTED["routed_to"],
    "accepted_by": None,
    "accepted_by_officer": None,
    "decision": None,
}

_SUBMITTED_LINE = {
    "at": "2026-11-23T02:00:00Z",
    "actor": "reporter",
    "action": "submitted",
    "detail": {"routed_to": ["tax"], "attachments": 1},
}
_ACCEPTED_LINE = {"at": "2026-11-24T02:00:00Z", "actor": "tax", "action": "accepted", "detail": {}}

REPORT_HANDLING: dict[str, Any] = {
    **REPORT_SUMMARY,
    "facts": REPORT_REQUEST["facts"],
    "occurred_on": "2026-10-15",
    "place": "福州市鼓楼区",
    "accepted_at": None,
    "attachments": [
        {
            "position": 0,
            "filename": "发票照片.png",
            "content_type": "image/png",
            "size": 8,
            "sha256": "4c4b6a3be1314ab86138bef4314dde022e600960d8689a2c8f8631802d20dab6",
        }
    ],
    "history": [_SUBMITTED_LINE],
    "anonymous": None,
    "disclosures": None,
}
"""`REPORT_REQUEST` as the tax department reads it: never the reporter's identity."""

REPORT_ACCEPTED: dict[str, Any] = {
    **REPORT_HANDLING,
    "status": "accepted",
    "accepted_by": "tax",
    "accepted_at": "2026-11-24T02:00:00Z",
    "history": [_SUBMITTED_LINE, _ACCEPTED_LINE],
}

REPORT_DECISION_REQUEST: dict[str, Any] = {
    "outcome": "substantiated",
    "reasons": "经稽查查实虚开增值税专用发票",
    "entry_id": "entry-1",
    "reward": _REWARD,
}

REPORT_UNSUBSTANTIATED_REQUEST: dict[str, Any] = {
    "outcome": "unsubstantiated",
    "reasons": "经核查，该公司发票开具与实际经营相符，举报事项不属实",
}

REPORT_DECIDED: dict[str, Any] = {
    **REPORT_ACCEPTED,
    "status": "decided",
    "decision": {
        **REPORT_DECISION_REQUEST,
        "decided_by": "tax",
        "decided_by_officer": None,
        "decided_at": "2026-12-13T02:00:00Z",
    },
    "history": [
        _SUBMITTED_LINE,
        _ACCEPTED_LINE,
        {
            "at": "2026-12-13T02:00:00Z",
            "actor": "tax",
            "action": "decided",
            "detail": REPORT_DECISION_REQUEST,
        },
    ],
}

TRANSFER_REQUEST: dict[str, Any] = {
    "departments": ["market"],
    "reason": "所涉为食品安全，属市场监管部门职责",
}

REPORT_TRANSFERRED: dict[str, Any] = {
    "number": "JB-2026-000002",
    "status": "received",
    "subject": {"code": None, "name": "福州某食品店"},
    "domain": "tax",
    "submitted_at": "2026-11-23T02:00:00Z",
    "due": "2026-12-21",
    "due_provisional": False,
    "overdue": False,
    "routed_to": [{"code": "market", "name": "福州市市场监督管理局"}],
    "accepted_by": None,
    "accepted_by_officer": None,
    "decision": None,
    "facts": ANONYMOUS_REPORT_REQUEST["facts"],
    "occurred_on": None,
    "place": "福州市台江区",
    "accepted_at": None,
    "attachments": [],
    "history": [
        {
            "at": "2026-11-23T02:00:00Z",
            "actor": "reporter",
            "action": "submitted",
            "detail": {"routed_to": ["tax"], "attachments": 0},
        },
        {
            "at": "2026-11-23T05:00:00Z",
            "actor": "credit-office",
            "action": "transferred",
            "detail": {"from": ["tax"], "to": ["market"], "reason": TRANSFER_REQUEST["reason"]},
        },
    ],
    "anonymous": True,
    "disclosures": [],
}
"""An anonymous report sent to the tax department, which the office transfers to the market
department (`TRANSFER_REQUEST`); the office also sees whether it is anonymous."""

DISCLOSURE_REQUEST: dict[str, Any] = {"reason": "移送公安机关立案侦查，需联系举报人核实线索"}

DISCLOSURE: dict[str, Any] = {
    "number": REPORT_NUMBER,
    "identity": REPORT_REQUEST["reporter"],
    "disclosed_by": "credit-office",
    "disclosed_by_officer": "officer-c0ffee000001",
    "disclosed_at": "2026-12-13T02:00:00Z",
    **DISCLOSURE_REQUEST,
}
"""The office lifts the reporter's identity, recorded with who, when and why."""
