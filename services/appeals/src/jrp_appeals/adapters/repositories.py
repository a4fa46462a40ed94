"""Repositories: load and store the appeals records through the unit of work's session.
Never commit. A case's or repair's history is append-only: saving inserts the actions not
stored yet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Row,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_appeals.adapters import orm
from jrp_appeals.domain.cases import Action, Case, Decision, Restoration
from jrp_appeals.domain.entries import EntryCopy
from jrp_appeals.domain.hearings import ExpertDraw
from jrp_appeals.domain.notifications import Notification
from jrp_appeals.domain.repairs import (
    CreditCommitment,
    Evidence,
    OverdueGroup,
    Repair,
    RepairDecision,
    RepairStage,
)
from jrp_appeals.domain.review import Appeal, AppealDecision, CorrectionDuty
from jrp_appeals.domain.visibility import Viewer
from jrp_shared.events.payloads import CaseParty, CorrectedEntry, ObjectionReview
from jrp_shared.vocabulary import (
    AppealOutcome,
    CaseKind,
    CaseState,
    DishonestySeverity,
    ListColour,
    ListEntryStatus,
    ObjectionOutcome,
    PartyKind,
    Remedy,
    RepairRoute,
    RepairState,
    SubjectType,
)


class EntryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get(self, entry_id: str, *, for_update: bool = False) -> EntryCopy | None:
        """`for_update` locks the row (PostgreSQL): filings on one entry take turns, so the
        one-open-case rule is judged on what the others committed."""
        t = orm.entries
        query = select(t).where(t.c.entry_id == entry_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._s.execute(query)).first()
        if row is None:
            return None
        p = orm.entry_linked_persons
        persons = await self._s.scalars(
            select(p.c.resident_id).where(p.c.entry_id == entry_id).order_by(p.c.resident_id)
        )
        return EntryCopy(
            entry_id=row.entry_id,
            version=row.version,
            subject_code=row.subject_code,
            subject_type=SubjectType(row.subject_type),
            subject_name=row.subject_name,
            linked_person_codes=tuple(persons),
            list_type=row.list_type,
            list_type_version=row.list_type_version,
            colour=ListColour(row.colour),
            initiating_department=row.initiating_department,
            period_start=row.period_start,
            period_end=row.period_end,
            status=ListEntryStatus(row.status),
            updated_at=row.updated_at,
        )

    async def concerning(self, code: str, *, limit: int, offset: int) -> list[EntryCopy]:
        """The entries `code` is listed on or linked to, newest first."""
        t, p = orm.entries, orm.entry_linked_persons
        ids = await self._s.scalars(
            select(t.c.entry_id)
            .where(
                or_(
                    t.c.subject_code == code,
                    t.c.entry_id.in_(select(p.c.entry_id).where(p.c.resident_id == code)),
                )
            )
            .order_by(t.c.updated_at.desc(), t.c.entry_id)
            .limit(limit)
            .offset(offset)
        )
        found = [await self.get(entry_id) for entry_id in ids]
        return [e for e in found if e is not None]

    async def claim_exit_notice(self, entry_id: str, at: datetime) -> bool:
        """Claim the entry's one exit notice: true for the first caller only (a conditional
        UPDATE, so a redelivered event or a second replica's sweep finds it taken)."""
        t = orm.entries
        result = cast(
            CursorResult[Any],
            await self._s.execute(
                update(t)
                .where(t.c.entry_id == entry_id, t.c.exit_notified_at.is_(None))
                .values(exit_notified_at=at)
            ),
        )
        return int(result.rowcount or 0) == 1

    async def awaiting_exit_notice(self, today: date, limit: int) -> list[str]:
        """Entries in force whose period ended before `today` and whose subject has not been
        told, locked; another replica's sweep skips them rather than waiting. Never a
        suspended entry: its period is not running (DOMAIN.md §7)."""
        t = orm.entries
        rows = await self._s.scalars(
            select(t.c.entry_id)
            .where(
                t.c.status == ListEntryStatus.IN_FORCE.value,
                t.c.exit_notified_at.is_(None),
                t.c.period_end < today,
            )
            .order_by(t.c.period_end, t.c.entry_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(rows)

    async def save(self, entry: EntryCopy, *, exists: bool) -> None:
        values = {
            "version": entry.version,
            "subject_code": entry.subject_code,
            "subject_type": str(entry.subject_type),
            "subject_name": entry.subject_name,
            "list_type": entry.list_type,
            "list_type_version": entry.list_type_version,
            "colour": str(entry.colour),
            "initiating_department": entry.initiating_department,
            "period_start": entry.period_start,
            "period_end": entry.period_end,
            "status": str(entry.status),
            "updated_at": entry.updated_at,
        }
        t, p = orm.entries, orm.entry_linked_persons
        if exists:
            await self._s.execute(update(t).where(t.c.entry_id == entry.entry_id).values(values))
            await self._s.execute(delete(p).where(p.c.entry_id == entry.entry_id))
        else:
            await self._s.execute(insert(t).values(entry_id=entry.entry_id, **values))
        codes = sorted(set(entry.linked_person_codes))
        if codes:
            await self._s.execute(
                insert(p), [{"entry_id": entry.entry_id, "resident_id": c} for c in codes]
            )


def _visible(viewer: Viewer, entry_id: Any, department_rule: ColumnElement[bool]) -> list[Any]:
    """The SQL form of `visibility.may_see` for listings."""
    if viewer.subject_code is not None:
        e, p = orm.entries, orm.entry_linked_persons
        return [
            or_(
                entry_id.in_(select(e.c.entry_id).where(e.c.subject_code == viewer.subject_code)),
                entry_id.in_(select(p.c.entry_id).where(p.c.resident_id == viewer.subject_code)),
            )
        ]
    if viewer.administrator:
        return []
    return [department_rule]


class _Histories:
    """Appends the actions of cases and repairs not stored yet."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session
        self._stored: dict[str, int] = {}

    async def load(self, case_id: str) -> list[Action]:
        a = orm.case_actions
        rows = await self._s.execute(select(a).where(a.c.case_id == case_id).order_by(a.c.id))
        actions = [Action(r.at, r.actor, r.action, dict(r.detail)) for r in rows]
        self._stored[case_id] = len(actions)
        return actions

    async def append(self, case_id: str, history: Sequence[Action]) -> None:
        new = history[self._stored.get(case_id, 0) :]
        if new:
            await self._s.execute(
                insert(orm.case_actions),
                [
                    {
                        "case_id": case_id,
                        "at": a.at,
                        "actor": a.actor,
                        "action": a.action,
                        "detail": a.detail,
                    }
                    for a in new
                ],
            )
        self._stored[case_id] = len(history)


def _case_values(case: Case) -> dict[str, Any]:
    d, r = case.decision, case.restoration
    return {
        "state": str(case.state),
        "decision_due": case.decision_due,
        "due_provisional": case.due_provisional,
        "outcome": str(d.outcome) if d else None,
        "remedy": str(d.remedy) if d and d.remedy else None,
        "correction": d.correction.model_dump(mode="json") if d and d.correction else None,
        "reasons": d.reasons if d else None,
        "decided_by": d.decided_by if d else None,
        "decided_by_officer": d.decided_by_officer if d else None,
        "decided_at": d.decided_at if d else None,
        "restoration_department": r.department if r else None,
        "restoration_recorded_at": r.recorded_at if r else None,
        **_review_values(case),
    }


def _review_values(case: Case) -> dict[str, Any]:
    duty = case.correction_duty
    return {
        "review": case.review.model_dump(mode="json") if case.review else None,
        "correction_due": duty.due if duty else None,
        "correction_due_provisional": duty.provisional if duty else None,
        "correction_entry_version": duty.entry_version if duty else None,
        "correction_met_at": duty.met_at if duty else None,
        "appeal_window_ends": case.appeal_window_ends,
    }


def _correction_duty(row: Row[Any]) -> CorrectionDuty | None:
    if row.correction_due is None:
        return None
    return CorrectionDuty(
        due=row.correction_due,
        provisional=bool(row.correction_due_provisional),
        entry_version=row.correction_entry_version,
        met_at=row.correction_met_at,
    )


def _case(row: Row[Any], history: list[Action]) -> Case:
    decision = None
    if row.outcome is not None:
        decision = Decision(
            outcome=ObjectionOutcome(row.outcome),
            remedy=Remedy(row.remedy) if row.remedy else None,
            correction=CorrectedEntry.model_validate(row.correction) if row.correction else None,
            reasons=row.reasons,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            decided_by_officer=row.decided_by_officer,
        )
    restoration = None
    if row.restoration_department is not None:
        restoration = Restoration(row.restoration_department, row.restoration_recorded_at)
    return Case(
        case_id=row.case_id,
        kind=CaseKind(row.kind),
        entry_id=row.entry_id,
        entry_version=row.entry_version,
        subject_code=row.subject_code,
        list_type=row.list_type,
        provider=row.provider,
        filed_by=CaseParty(
            kind=PartyKind(row.filed_by_kind), code=row.filed_by_code, agent=row.filed_by_agent
        ),
        grounds=row.grounds,
        evidence_references=tuple(row.evidence_references),
        suspends=row.suspends,
        filed_at=row.filed_at,
        decision_due=row.decision_due,
        due_provisional=row.due_provisional,
        working_days=row.working_days,
        state=CaseState(row.state),
        objection_id=row.objection_id,
        decision=decision,
        restoration=restoration,
        history=history,
        review=ObjectionReview.model_validate(row.review) if row.review else None,
        correction_duty=_correction_duty(row),
        appeal_window_ends=row.appeal_window_ends,
    )


def _appeal(row: Row[Any]) -> Appeal:
    decision = None
    if row.outcome is not None:
        decision = AppealDecision(
            outcome=AppealOutcome(row.outcome),
            remedy=Remedy(row.remedy) if row.remedy else None,
            correction=CorrectedEntry.model_validate(row.correction) if row.correction else None,
            reasons=row.reasons,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            decided_by_officer=row.decided_by_officer,
        )
    return Appeal(
        appeal_id=row.appeal_id,
        objection_id=row.objection_id,
        department=row.department,
        filed_by=CaseParty(
            kind=PartyKind(row.filed_by_kind), code=row.filed_by_code, agent=row.filed_by_agent
        ),
        grounds=row.grounds,
        evidence_references=tuple(row.evidence_references),
        filed_at=row.filed_at,
        decision_due=row.decision_due,
        state=CaseState(row.state),
        decision=decision,
    )


def _appeal_values(appeal: Appeal) -> dict[str, Any]:
    d = appeal.decision
    return {
        "state": str(appeal.state),
        "outcome": str(d.outcome) if d else None,
        "remedy": str(d.remedy) if d and d.remedy else None,
        "correction": d.correction.model_dump(mode="json") if d and d.correction else None,
        "reasons": d.reasons if d else None,
        "decided_by": d.decided_by if d else None,
        "decided_at": d.decided_at if d else None,
        "decided_by_officer": d.decided_by_officer if d else None,
    }


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session
        self._histories = _Histories(session)

    async def add(self, case: Case) -> None:
        await self._s.execute(
            insert(orm.cases).values(
                case_id=case.case_id,
                kind=str(case.kind),
                entry_id=case.entry_id,
                entry_version=case.entry_version,
                subject_code=case.subject_code,
                list_type=case.list_type,
                provider=case.provider,
                filed_by_kind=str(case.filed_by.kind),
                filed_by_code=case.filed_by.code,
                filed_by_agent=case.filed_by.agent,
                grounds=case.grounds,
                evidence_references=list(case.evidence_references),
                suspends=case.suspends,
                filed_at=case.filed_at,
                working_days=case.working_days,
                objection_id=case.objection_id,
                **_case_values(case),
            )
        )
        await self._histories.append(case.case_id, case.history)

    async def save(self, case: Case) -> None:
        t = orm.cases
        await self._s.execute(
            update(t).where(t.c.case_id == case.case_id).values(_case_values(case))
        )
        await self._save_appeal(case.appeal)
        await self._histories.append(case.case_id, case.history)

    async def _save_appeal(self, appeal: Appeal | None) -> None:
        if appeal is None:
            return
        a = orm.objection_appeals
        stored = await self._s.scalar(
            select(a.c.appeal_id).where(a.c.appeal_id == appeal.appeal_id)
        )
        if stored is not None:
            await self._s.execute(
                update(a).where(a.c.appeal_id == appeal.appeal_id).values(_appeal_values(appeal))
            )
            return
        await self._s.execute(
            insert(a).values(
                appeal_id=appeal.appeal_id,
                objection_id=appeal.objection_id,
                department=appeal.department,
                filed_by_kind=str(appeal.filed_by.kind),
                filed_by_code=appeal.filed_by.code,
                filed_by_agent=appeal.filed_by.agent,
                grounds=appeal.grounds,
                evidence_references=list(appeal.evidence_references),
                filed_at=appeal.filed_at,
                decision_due=appeal.decision_due,
                **_appeal_values(appeal),
            )
        )

    async def _appeals_of(self, case_ids: Sequence[str]) -> dict[str, Appeal]:
        if not case_ids:
            return {}
        a = orm.objection_appeals
        rows = await self._s.execute(select(a).where(a.c.objection_id.in_(case_ids)))
        return {r.objection_id: _appeal(r) for r in rows}

    async def awaiting_correction(self, entry_id: str) -> list[str]:
        """Cases on the entry whose correction is due and not met yet."""
        t = orm.cases
        found = await self._s.scalars(
            select(t.c.case_id).where(
                t.c.entry_id == entry_id,
                t.c.correction_due.is_not(None),
                t.c.correction_met_at.is_(None),
            )
        )
        return list(found)

    async def get(
        self, case_id: str, kind: CaseKind | None = None, *, for_update: bool = False
    ) -> Case | None:
        t = orm.cases
        query = select(t).where(t.c.case_id == case_id)
        if kind is not None:
            query = query.where(t.c.kind == str(kind))
        if for_update:
            query = query.with_for_update()
        row = (await self._s.execute(query)).first()
        if row is None:
            return None
        case = _case(row, await self._histories.load(case_id))
        case.appeal = (await self._appeals_of([case_id])).get(case_id)
        return case

    async def open_case_of(self, entry_id: str) -> tuple[CaseKind, str] | None:
        t = orm.cases
        row = (
            await self._s.execute(
                select(t.c.kind, t.c.case_id).where(
                    t.c.entry_id == entry_id, t.c.state == str(CaseState.OPEN)
                )
            )
        ).first()
        return (CaseKind(row.kind), row.case_id) if row else None

    async def complaint_of(self, objection_id: str) -> str | None:
        t = orm.cases
        found: str | None = await self._s.scalar(
            select(t.c.case_id).where(t.c.objection_id == objection_id)
        )
        return found

    async def search(
        self,
        viewer: Viewer,
        *,
        kind: CaseKind,
        state: CaseState | None,
        overdue_on: date | None,
        entry_id: str | None,
        limit: int,
        offset: int,
    ) -> list[Case]:
        """The cases `viewer` may see, newest first (without their history)."""
        t = orm.cases
        where: list[Any] = [t.c.kind == str(kind)]
        where += _visible(
            viewer,
            t.c.entry_id,
            or_(
                t.c.provider == viewer.department,
                and_(
                    t.c.filed_by_kind == str(PartyKind.DEPARTMENT),
                    t.c.filed_by_code == viewer.department,
                ),
                # The higher court, for the objections appealed to it.
                t.c.case_id.in_(
                    select(orm.objection_appeals.c.objection_id).where(
                        orm.objection_appeals.c.department == viewer.department
                    )
                ),
            ),
        )
        if state is not None:
            where.append(t.c.state == str(state))
        if overdue_on is not None:
            where.append(_case_overdue_at(overdue_on))
        if entry_id:
            where.append(t.c.entry_id == entry_id)
        rows = list(
            await self._s.execute(
                select(t)
                .where(*where)
                .order_by(t.c.filed_at.desc(), t.c.case_id)
                .limit(limit)
                .offset(offset)
            )
        )
        found = [_case(r, []) for r in rows]
        appeals = await self._appeals_of([c.case_id for c in found])
        for case in found:
            case.appeal = appeals.get(case.case_id)
        return found

    async def provisional_open(self) -> list[str]:
        """Open cases whose due date was computed without an official schedule."""
        t = orm.cases
        found = await self._s.scalars(
            select(t.c.case_id).where(
                t.c.state == str(CaseState.OPEN), t.c.due_provisional.is_(True)
            )
        )
        return list(found)

    async def provisional_corrections(self) -> list[str]:
        """Cases owing a correction whose due date was computed without an official schedule."""
        t = orm.cases
        found = await self._s.scalars(
            select(t.c.case_id).where(
                t.c.correction_due_provisional.is_(True), t.c.correction_met_at.is_(None)
            )
        )
        return list(found)

    async def add_draw(self, draw: ExpertDraw) -> None:
        await self._s.execute(
            insert(orm.expert_draws).values(
                case_id=draw.case_id,
                seed=draw.seed,
                pool=list(draw.pool),
                expert_count=draw.count,
                experts=list(draw.experts),
                drawn_by=draw.drawn_by,
                drawn_at=draw.drawn_at,
            )
        )

    async def draws(self, case_id: str) -> list[ExpertDraw]:
        d = orm.expert_draws
        rows = await self._s.execute(select(d).where(d.c.case_id == case_id).order_by(d.c.id))
        return [
            ExpertDraw(
                case_id,
                r.seed,
                tuple(r.pool),
                r.expert_count,
                tuple(r.experts),
                r.drawn_by,
                r.drawn_at,
            )
            for r in rows
        ]


def _repair(row: Row[Any], history: list[Action]) -> Repair:
    decision = None
    if row.decided_at is not None:
        decision = RepairDecision(
            row.approved, row.reasons or "", row.decided_by, row.decided_at, row.decided_by_officer
        )
    return Repair(
        repair_id=row.repair_id,
        entry_id=row.entry_id,
        subject_code=row.subject_code,
        applicant=row.applicant,
        agent=row.agent,
        department=row.department,
        route=RepairRoute(row.route),
        evidence=tuple(Evidence(e["kind"], e["reference"]) for e in row.evidence),
        commitment=CreditCommitment(row.commitment_text, row.commitment_signed_on),
        applied_at=row.applied_at,
        tier=DishonestySeverity(row.tier) if row.tier else None,
        forward_due=row.forward_due,
        forward_due_provisional=row.forward_due_provisional,
        forward_working_days=row.forward_working_days,
        decision_due=row.decision_due,
        due_provisional=row.due_provisional,
        working_days=row.working_days,
        push_working_days=row.push_working_days,
        forwarded_at=row.forwarded_at,
        forwarded_by=row.forwarded_by,
        push_due=row.push_due,
        push_due_provisional=row.push_due_provisional,
        pushed_at=row.pushed_at,
        state=RepairState(row.state),
        decision=decision,
        history=history,
    )


def _repair_values(repair: Repair) -> dict[str, Any]:
    d = repair.decision
    return {
        "state": str(repair.state),
        "forward_due": repair.forward_due,
        "forward_due_provisional": repair.forward_due_provisional,
        "forwarded_at": repair.forwarded_at,
        "forwarded_by": repair.forwarded_by,
        "decision_due": repair.decision_due,
        "due_provisional": repair.due_provisional,
        "push_due": repair.push_due,
        "push_due_provisional": repair.push_due_provisional,
        "pushed_at": repair.pushed_at,
        "approved": d.approved if d else None,
        "reasons": d.reasons if d else None,
        "decided_by": d.decided_by if d else None,
        "decided_by_officer": d.decided_by_officer if d else None,
        "decided_at": d.decided_at if d else None,
    }


def _case_overdue_at(today: date) -> Any:
    """Late with the decision, the correction after an upheld request or appeal, or the
    appeal's decision (the same rule as Case.overdue; DOMAIN.md §7)."""
    t, a = orm.cases, orm.objection_appeals
    return or_(
        and_(t.c.state == str(CaseState.OPEN), t.c.decision_due < today),
        and_(t.c.correction_met_at.is_(None), t.c.correction_due < today),
        t.c.case_id.in_(
            select(a.c.objection_id).where(
                a.c.state == str(CaseState.OPEN), a.c.decision_due < today
            )
        ),
    )


async def cases_overdue_counts(session: AsyncSession, today: date) -> dict[tuple[str, ...], int]:
    """Objections and complaints late (as `?overdue=true` lists them), by kind and providing
    department: the gauge `jrp_cases_overdue{kind, department}`."""
    t = orm.cases
    rows = await session.execute(
        select(t.c.kind, t.c.provider, func.count())
        .where(_case_overdue_at(today))
        .group_by(t.c.kind, t.c.provider)
    )
    return {(str(kind), str(provider)): int(count) for kind, provider, count in rows}


def _overdue_at(today: date) -> dict[RepairStage, Any]:
    """Each stage's "late today" as SQL, as `Repair.overdue_stage` judges it (DOMAIN.md §11)."""
    t = orm.repairs
    pending = t.c.state == str(RepairState.PENDING)
    return {
        RepairStage.FORWARD: and_(pending, t.c.forwarded_at.is_(None), t.c.forward_due < today),
        RepairStage.DECISION: and_(
            pending, t.c.forwarded_at.is_not(None), t.c.decision_due < today
        ),
        RepairStage.PUSH: and_(
            ~pending, t.c.pushed_at.is_(None), t.c.push_due.is_not(None), t.c.push_due < today
        ),
    }


class RepairRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session
        self._histories = _Histories(session)

    async def add(self, repair: Repair) -> None:
        await self._s.execute(
            insert(orm.repairs).values(
                repair_id=repair.repair_id,
                entry_id=repair.entry_id,
                subject_code=repair.subject_code,
                applicant=repair.applicant,
                agent=repair.agent,
                department=repair.department,
                route=str(repair.route),
                evidence=[{"kind": e.kind, "reference": e.reference} for e in repair.evidence],
                commitment_text=repair.commitment.text,
                commitment_signed_on=repair.commitment.signed_on,
                applied_at=repair.applied_at,
                tier=str(repair.tier) if repair.tier else None,
                forward_working_days=repair.forward_working_days,
                working_days=repair.working_days,
                push_working_days=repair.push_working_days,
                **_repair_values(repair),
            )
        )
        await self._histories.append(repair.repair_id, repair.history)

    async def save(self, repair: Repair) -> None:
        t = orm.repairs
        await self._s.execute(
            update(t).where(t.c.repair_id == repair.repair_id).values(_repair_values(repair))
        )
        await self._histories.append(repair.repair_id, repair.history)

    async def get(self, repair_id: str, *, for_update: bool = False) -> Repair | None:
        t = orm.repairs
        query = select(t).where(t.c.repair_id == repair_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._s.execute(query)).first()
        if row is None:
            return None
        return _repair(row, await self._histories.load(repair_id))

    async def pending_of(self, entry_id: str) -> str | None:
        t = orm.repairs
        found: str | None = await self._s.scalar(
            select(t.c.repair_id).where(
                t.c.entry_id == entry_id, t.c.state == str(RepairState.PENDING)
            )
        )
        return found

    async def search(
        self,
        viewer: Viewer,
        *,
        state: RepairState | None,
        overdue_on: date | None,
        entry_id: str | None,
        limit: int,
        offset: int,
    ) -> list[Repair]:
        t = orm.repairs
        where: list[Any] = _visible(viewer, t.c.entry_id, t.c.department == viewer.department)
        if state is not None:
            where.append(t.c.state == str(state))
        if overdue_on is not None:
            where.append(or_(*_overdue_at(overdue_on).values()))
        if entry_id:
            where.append(t.c.entry_id == entry_id)
        rows = await self._s.execute(
            select(t)
            .where(*where)
            .order_by(t.c.applied_at.desc(), t.c.repair_id)
            .limit(limit)
            .offset(offset)
        )
        return [_repair(r, []) for r in rows]

    async def provisional_pending(self) -> list[str]:
        t = orm.repairs
        found = await self._s.scalars(
            select(t.c.repair_id).where(
                t.c.state == str(RepairState.PENDING),
                or_(t.c.due_provisional.is_(True), t.c.forward_due_provisional.is_(True)),
            )
        )
        return list(found)

    async def overdue(
        self, viewer: Viewer, today: date, *, ids_per_group: int = 20
    ) -> list[OverdueGroup]:
        """Late repairs by stage and deciding department, as `viewer` may see them (the office:
        all; a department: those it decides)."""
        t = orm.repairs
        seen: list[Any] = _visible(viewer, t.c.entry_id, t.c.department == viewer.department)
        groups: list[OverdueGroup] = []
        for stage, late in _overdue_at(today).items():
            due = {
                RepairStage.FORWARD: t.c.forward_due,
                RepairStage.DECISION: t.c.decision_due,
                RepairStage.PUSH: t.c.push_due,
            }[stage]
            rows = await self._s.execute(
                select(t.c.department, t.c.repair_id, due.label("due"))
                .where(late, *seen)
                .order_by(t.c.department, due, t.c.repair_id)
            )
            by_department: dict[str, list[tuple[str, date]]] = {}
            for row in rows:
                by_department.setdefault(row.department, []).append((row.repair_id, row.due))
            for department, found in by_department.items():
                groups.append(
                    OverdueGroup(
                        stage=stage,
                        department=department,
                        count=len(found),
                        oldest_due=found[0][1],
                        repair_ids=tuple(i for i, _ in found[:ids_per_group]),
                    )
                )
        return groups

    async def overdue_counts(self, today: date) -> dict[tuple[RepairStage, str], int]:
        """How many repairs are late, by stage and deciding department (the gauge)."""
        t = orm.repairs
        counts: dict[tuple[RepairStage, str], int] = {}
        for stage, late in _overdue_at(today).items():
            rows = await self._s.execute(
                select(t.c.department, func.count()).where(late).group_by(t.c.department)
            )
            for department, count in rows:
                counts[(stage, department)] = count
        return counts


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, n: Notification) -> None:
        await self._s.execute(
            insert(orm.notifications).values(
                notification_id=n.notification_id,
                subject_code=n.subject_code,
                about=n.about,
                case_id=n.case_id,
                entry_id=n.entry_id,
                title=n.title,
                body=n.body,
                created_at=n.created_at,
            )
        )

    async def sent(self, about: str, case_id: str) -> bool:
        """Whether a notice `about` this case (or decision) went out already."""
        t = orm.notifications
        found = await self._s.scalar(
            select(t.c.notification_id).where(t.c.about == about, t.c.case_id == case_id).limit(1)
        )
        return found is not None

    async def search(
        self, subject_code: str | None, *, limit: int, offset: int
    ) -> list[Notification]:
        t = orm.notifications
        query = select(t)
        if subject_code is not None:
            query = query.where(t.c.subject_code == subject_code)
        rows = await self._s.execute(
            query.order_by(t.c.created_at.desc(), t.c.notification_id).limit(limit).offset(offset)
        )
        return [
            Notification(
                r.notification_id,
                r.subject_code,
                r.about,
                r.case_id,
                r.entry_id,
                r.title,
                r.body,
                r.created_at,
            )
            for r in rows
        ]


class OrderHolderRepository:
    """Which departments hold an order from which entry (enforcement's order-status.v1)."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def holds(self, entry_id: str, department: str) -> bool:
        t = orm.order_holders
        found = await self._s.scalar(
            select(t.c.department).where(t.c.entry_id == entry_id, t.c.department == department)
        )
        return found is not None

    async def add(self, entry_id: str, departments: set[str], now: datetime) -> None:
        """Idempotent: a department already known for the entry is not added again."""
        t = orm.order_holders
        known = set(
            await self._s.scalars(
                select(t.c.department).where(
                    t.c.entry_id == entry_id, t.c.department.in_(departments)
                )
            )
        )
        new = sorted(departments - known)
        if new:
            await self._s.execute(
                insert(t),
                [{"entry_id": entry_id, "department": d, "first_seen_at": now} for d in new],
            )
