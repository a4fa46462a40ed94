"""What the subject is told when its case or repair is decided (DOMAIN.md §7: "the result is
told to the subject"; §8: the result of repair). A notice is a record the subject reads
(`GET /v1/notifications`) and an event the portal delivers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jrp_appeals.domain.cases import Case, Decision
from jrp_appeals.domain.repairs import Repair, RepairDecision
from jrp_shared.vocabulary import CaseKind, ObjectionOutcome, Remedy


@dataclass(frozen=True)
class Notification:
    notification_id: str
    subject_code: str
    about: str
    case_id: str
    entry_id: str
    title: str
    body: str
    created_at: datetime


_KIND = {CaseKind.OBJECTION: "异议", CaseKind.COMPLAINT: "投诉"}


def _case_result(decision: Decision) -> str:
    if decision.outcome is ObjectionOutcome.INFORMATION_RIGHT:
        return "经核查信息无误，名单继续有效，惩戒期限自决定之日起恢复计算。"
    remedy = "撤销" if decision.remedy is Remedy.REVOKE else "更正"
    return f"经核查信息有误，名单予以{remedy}，信息提供单位负责恢复您的信誉。"


def of_case(case: Case, decision: Decision, notification_id: str) -> Notification:
    kind = _KIND[case.kind]
    return Notification(
        notification_id=notification_id,
        subject_code=case.subject_code,
        about=str(case.kind),
        case_id=case.case_id,
        entry_id=case.entry_id,
        title=f"您的{kind}已处理",
        body=f"{_case_result(decision)}理由：{decision.reasons}",
        created_at=decision.decided_at,
    )


def of_repair(repair: Repair, decision: RepairDecision, notification_id: str) -> Notification:
    if decision.approved:
        title, result = "信用修复申请已通过", "名单提前移出，各部门不再实施联合惩戒措施。"
    else:
        title, result = "信用修复申请未通过", f"理由：{decision.reasons}"
    return Notification(
        notification_id=notification_id,
        subject_code=repair.subject_code,
        about="repair",
        case_id=repair.repair_id,
        entry_id=repair.entry_id,
        title=title,
        body=result,
        created_at=decision.decided_at,
    )
