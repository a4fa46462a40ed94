"""What the subject is told when its case or repair is decided (DOMAIN.md §7: "the result is
told to the subject"; §8: the result of repair), when one of its entries ends (the exit
notice, §11), and when a penalty decision is published (两书同达, §11). A notice is a record
the subject reads (`GET /v1/notifications`) and an event the portal delivers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from jrp_appeals.domain.cases import Case, Decision
from jrp_appeals.domain.entries import EntryCopy
from jrp_appeals.domain.repairs import Repair, RepairDecision, RepairGuidance
from jrp_appeals.domain.review import Appeal, AppealDecision
from jrp_shared.vocabulary import (
    AppealOutcome,
    CaseKind,
    DishonestySeverity,
    ListColour,
    ListEntryStatus,
    ObjectionOutcome,
    Remedy,
)


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


def _case_result(decision: Decision, case: Case | None = None) -> str:
    if decision.outcome is ObjectionOutcome.INFORMATION_RIGHT:
        if case is not None and case.review is not None and case.appeal_window_ends:
            # The court's list: nothing was suspended; the way up is the higher court
            # (法释〔2017〕7号 第十二条).
            court = case.review.appeal_department or "上一级部门"
            return (
                f"经审查信息无误，名单继续有效。如不服，可于{case.appeal_window_ends.isoformat()}"
                f"前（含当日）向{court}申请复议。"
            )
        return "经核查信息无误，名单继续有效，惩戒期限自决定之日起恢复计算。"
    remedy = "撤销" if decision.remedy is Remedy.REVOKE else "更正"
    return f"经核查信息有误，名单予以{remedy}，信息提供单位负责恢复您的信誉。"


def recipients(listed: str, acting_subject: str | None) -> tuple[str, ...]:
    """Who is told: the listed subject always, and a linked person who filed or applied on
    their own account too (DOMAIN.md §7: "the result is told to the subject")."""
    if acting_subject is None or acting_subject == listed:
        return (listed,)
    return (listed, acting_subject)


def of_case(case: Case, decision: Decision, notification_id: str, *, to: str) -> Notification:
    kind = _KIND[case.kind]
    return Notification(
        notification_id=notification_id,
        subject_code=to,
        about=str(case.kind),
        case_id=case.case_id,
        entry_id=case.entry_id,
        title=f"您的{kind}已处理",
        body=f"{_case_result(decision, case)}理由：{decision.reasons}",
        created_at=decision.decided_at,
    )


def of_appeal(
    case: Case, appeal: Appeal, decision: AppealDecision, notification_id: str, *, to: str
) -> Notification:
    """The higher court's answer to an appeal (法释〔2017〕7号 第十二条)."""
    if decision.outcome is AppealOutcome.UPHELD:
        remedy = "撤销" if decision.remedy is Remedy.REVOKE else "更正"
        result = f"复议成立，名单将由原决定部门予以{remedy}。"
        if case.correction_duty is not None:
            result += f"期限：{case.correction_duty.due.isoformat()}前。"
    else:
        result = "复议驳回，名单继续有效。"
    return Notification(
        notification_id=notification_id,
        subject_code=to,
        about="appeal",
        case_id=appeal.appeal_id,
        entry_id=case.entry_id,
        title="您的复议申请已处理",
        body=f"{result}理由：{decision.reasons}",
        created_at=decision.decided_at,
    )


def of_repair(
    repair: Repair, decision: RepairDecision, notification_id: str, *, to: str
) -> Notification:
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


def of_recomputed_due(
    *,
    about: str,
    case_id: str,
    entry_id: str,
    year: int,
    before: date,
    after: date,
    at: datetime,
    notification_id: str,
    to: str,
) -> Notification:
    """A due date computed provisionally is final now that the year's official schedule is
    out; the people concerned are told (DOMAIN.md §10)."""
    what = {
        "objection": "异议",
        "complaint": "投诉",
        "repair": "信用修复申请",
        "correction": "异议成立后的更正",
    }.get(about, about)
    return Notification(
        notification_id=notification_id,
        subject_code=to,
        about=about,
        case_id=case_id,
        entry_id=entry_id,
        title="处理期限已按正式放假安排确定",
        body=f"{year}年放假安排已公布，您的{what}处理期限由{before.isoformat()}（暂定）"
        f"确定为{after.isoformat()}。",
        created_at=at,
    )


# --- exit notices (发改财金规〔2017〕1798号; DOMAIN.md §8, §11 "list lifecycle") ---------------

EXIT = "exit"
"""`about` of an exit notice; one per entry and recipient, ever."""

_EXIT_CAUSE = {
    ListEntryStatus.REVOKED: "已由认定部门撤销",
    ListEntryStatus.REPAIRED: "经信用修复提前移出",
    ListEntryStatus.EXPIRED: "有效期已届满，自动移出",
}


def exit_recipients(entry: EntryCopy) -> tuple[str, ...]:
    """Who is told the entry ended: the listed subject, and every linked person the listing
    reached (DOMAIN.md §3: the measures applied to them too, 000 (十八), 001 (九)), so each
    of them learns that the measures stop."""
    return (entry.subject_code, *(c for c in entry.linked_person_codes if c != entry.subject_code))


_LIST_ZH = {ListColour.RED: "红名单", ListColour.BLACK: "黑名单", ListColour.WATCH: "重点关注名单"}
_MEASURES_ZH = {
    ListColour.RED: "联合激励措施",
    ListColour.BLACK: "联合惩戒措施",
    # A watch list's measures are supervisory (重点监管; DOMAIN.md §11, 发改财金规〔2017〕1798号).
    ListColour.WATCH: "重点监管措施",
}


def of_exit(
    entry: EntryCopy,
    cause: ListEntryStatus,
    notification_id: str,
    *,
    to: str,
    at: datetime,
    list_type_name: str | None = None,
    detail: str | None = None,
) -> Notification:
    """On exit an exit notice goes out through the channel the listing used; joint measures
    stop and the record stays in the back end, no longer applied (发改财金规〔2017〕1798号,
    DOMAIN.md §11; §8: "when the period ends the entry leaves the joint punishment system
    automatically", 002 二(三)1)."""
    listed = _LIST_ZH[entry.colour]
    name = list_type_name or entry.list_type
    why = _EXIT_CAUSE[cause]
    if cause is ListEntryStatus.EXPIRED:
        why += f"（有效期至{entry.period_end.isoformat()}）"
    if detail:
        why += f"，理由：{detail}"
    measures = _MEASURES_ZH[entry.colour]
    return Notification(
        notification_id=notification_id,
        subject_code=to,
        about=EXIT,
        case_id=entry.entry_id,
        entry_id=entry.entry_id,
        title=f"{listed}移出通知",
        body=f"您在“{name}”（{listed}）中的名单记录{why}。自即日起各部门不再据此实施"
        f"{measures}。该记录依法在后台留存，不再公开、不再应用。",
        created_at=at,
    )


# --- 两书同达: the penalty decision with the repair guidance (DOMAIN.md §11, 国办发〔2025〕22号) --

PENALTY_DECISION = "penalty_decision"


def of_penalty_decision(
    *,
    decision_id: str,
    decision_number: str,
    department: str,
    repair_guidance: str,
    notification_id: str,
    to: str,
    at: datetime,
) -> Notification:
    """The penalty decision is delivered together with the credit repair guidance (两书同达,
    DOMAIN.md §11). There is no list entry: `case_id` is the decision; `entry_id` is empty."""
    return Notification(
        notification_id=notification_id,
        subject_code=to,
        about=PENALTY_DECISION,
        case_id=decision_id,
        entry_id="",
        title="行政处罚决定书及信用修复告知书",
        body=f"{department}已作出行政处罚决定（{decision_number}），并在信用网站公示。"
        f"信用修复告知：{repair_guidance}",
        created_at=at,
    )


# --- the repair guidance with a new entry (两书同达, DOMAIN.md §11) ---------------------------

REPAIR_GUIDANCE = "repair_guidance"
"""`about` of the repair guidance sent with a new entry; one per entry and recipient, ever."""

_TIER = {
    DishonestySeverity.MINOR: "轻微失信",
    DishonestySeverity.GENERAL: "一般失信",
    DishonestySeverity.SERIOUS: "严重失信",
}


def of_repair_guidance(
    entry: EntryCopy,
    guidance: RepairGuidance,
    notification_id: str,
    *,
    to: str,
    at: datetime,
    list_type_name: str | None = None,
) -> Notification:
    """The credit repair guidance (信用修复告知书) delivered to the subject when the entry is made
    (两书同达, 国办发〔2025〕22号, DOMAIN.md §11): the tier, when repair may first be asked, when
    publication ends at the latest, the conditions, where to apply and the deadlines."""
    tier = _TIER[guidance.tier] if guidance.tier else "失信"
    evidence = "、".join(guidance.evidence_required) or "无"
    return Notification(
        notification_id=notification_id,
        subject_code=to,
        about=REPAIR_GUIDANCE,
        case_id=entry.entry_id,
        entry_id=entry.entry_id,
        title="信用修复告知书",
        body=f"您已被列入“{list_type_name or entry.list_type}”（{tier}），"
        f"公示期自{entry.period_start.isoformat()}起，最迟至{guidance.published_until.isoformat()}"
        f"届满后自动停止公示。自{guidance.repair_from.isoformat()}起，在"
        f"{'；'.join(guidance.conditions)}后，可通过{guidance.apply_to}申请信用修复，"
        f"需提交：{evidence}。信用中国网站于{guidance.portal_forward_working_days}个工作日内"
        f"转交{guidance.decided_by}，{guidance.decided_by}于"
        f"{guidance.authority_decision_working_days}个工作日内作出决定，结果于"
        f"{guidance.result_push_working_days}个工作日内推送至相关平台。",
        created_at=at,
    )
