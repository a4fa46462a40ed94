"""Use cases of whistle-blower reports (DOMAIN.md §9; docs/whistleblowers.md). Each loads
through the unit of work, calls the domain, records the action in the report's history and
commits once. The reporter's identity is sealed before it is stored and opened only for the
joint conference office, with its reason recorded; it is never logged."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from jrp_appeals.adapters.identity_vault import IdentityUnreadable, IdentityVault
from jrp_appeals.adapters.whistleblower_repository import (
    ReportRepository,
    department_copy,
)
from jrp_appeals.domain import whistleblowers as rules
from jrp_appeals.domain.deadlines import due_after
from jrp_appeals.domain.whistleblowers import (
    Action,
    Attachment,
    AttachmentInfo,
    AttachmentLimits,
    Decision,
    Disclosure,
    Handler,
    Report,
    ReportedSubject,
    ReporterIdentity,
    ReportState,
)
from jrp_appeals.service_layer.context import AppealsContext
from jrp_shared.errors import Conflict, InvalidInput, NotFound
from jrp_shared.messaging.uow import UnitOfWork

_REPORTER = "reporter"


@dataclass(frozen=True)
class Submission:
    subject: ReportedSubject
    domain: str
    facts: str
    occurred_on: date | None
    place: str | None
    attachments: tuple[Attachment, ...]
    reporter: ReporterIdentity


@dataclass(frozen=True)
class Submitted:
    report: Report
    query_code: str
    """Shown once, in the answer to the submission; only its hash is kept."""


@dataclass(frozen=True)
class ReportView:
    """What a department or the office reads: never the reporter's identity."""

    report: Report
    department_names: dict[str, str]
    history: list[Action]
    attachments: list[AttachmentInfo]
    disclosures: list[Disclosure] | None
    """The office only; None for a department."""


def attachment_limits(ctx: AppealsContext) -> AttachmentLimits:
    s = ctx.settings
    return AttachmentLimits(
        max_count=s.whistleblower_attachment_max_count,
        max_file_bytes=s.whistleblower_attachment_max_bytes,
        max_total_bytes=s.whistleblower_attachments_max_total_bytes,
        content_types=s.whistleblower_attachment_types,
    )


async def known_domains(session: AsyncSession, ctx: AppealsContext) -> set[str]:
    """The catalog's domains as this service knows them: those of the list types in force and
    of the departments (both come from the registry, which checks them against its domains)."""
    found = {t.domain for t in await ctx.catalog.list_types_in_force(session, ctx.today())}
    for d in await department_copy.all(session):
        found.update(d.domains)
    return found


async def department_names(session: AsyncSession) -> dict[str, str]:
    return {d.code: d.name for d in await department_copy.all(session)}


async def submit(
    uow: UnitOfWork, ctx: AppealsContext, vault: IdentityVault, submission: Submission
) -> Submitted:
    """Anyone, without a token (the route is rate-limited per address)."""
    subject = rules.check_subject(submission.subject)
    reporter = rules.check_identity(submission.reporter)
    rules.check_attachments(submission.attachments, attachment_limits(ctx))
    session = uow.session
    rules.check_domain(submission.domain, await known_domains(session, ctx))
    office = ctx.settings.office_department
    candidates = await department_copy.by_domain(session, submission.domain)
    routed = rules.route(submission.domain, candidates, office)
    code = rules.new_query_code()
    code_hash = await asyncio.to_thread(rules.hash_query_code, code)
    now, today = ctx.now(), ctx.today()
    repo = ReportRepository(session)
    number = rules.report_number(today.year, await repo.next_sequence(today.year))
    key_id, sealed = (None, None)
    if not reporter.anonymous:
        key_id, sealed = vault.seal(reporter.as_dict(), bound_to=number)
    days = ctx.settings.whistleblower_decision_working_days
    due = due_after(ctx.calendar, today, days)
    report = Report(
        report_id=str(uuid.uuid4()),
        number=number,
        query_code_hash=code_hash,
        subject=subject,
        domain=submission.domain,
        facts=submission.facts,
        occurred_on=submission.occurred_on,
        place=submission.place,
        anonymous=reporter.anonymous,
        identity_key_id=key_id,
        identity_sealed=sealed,
        submitted_at=now,
        due=due.due,
        due_provisional=due.provisional,
        working_days=days,
        state=ReportState.RECEIVED,
        routed_to=routed,
    )
    await repo.add(
        report,
        submission.attachments,
        Action(
            now,
            _REPORTER,
            "submitted",
            {
                "routed_to": list(routed),
                "attachments": len(submission.attachments),
            },
        ),
    )
    await uow.commit()
    return Submitted(report, code)


async def follow(session: AsyncSession, number: str, query_code: str) -> Report | None:
    """The report if the code is its own; None for an unknown number or a wrong code alike
    (the same 404, and the same time: the hash runs either way)."""
    report = await ReportRepository(session).get(number) if rules.is_report_number(number) else None
    matches = await asyncio.to_thread(
        rules.query_code_matches, query_code, report.query_code_hash if report else None
    )
    return report if matches else None


async def _visible(repo: ReportRepository, handler: Handler, number: str, *, lock: bool) -> Report:
    """A report the caller may see; another department's answers 404 like an unknown one."""
    report = await repo.get(number, for_update=lock) if rules.is_report_number(number) else None
    if report is None or not rules.may_see(handler, report.routed_to):
        raise NotFound(f"no whistle-blower report {number} routed to you")
    return report


async def read(session: AsyncSession, handler: Handler, number: str) -> ReportView:
    repo = ReportRepository(session)
    report = await _visible(repo, handler, number, lock=False)
    return ReportView(
        report=report,
        department_names=await department_names(session),
        history=await repo.history(report.report_id),
        attachments=await repo.attachments(report.report_id),
        disclosures=await repo.disclosures(report.report_id) if handler.office else None,
    )


async def list_reports(
    session: AsyncSession,
    ctx: AppealsContext,
    handler: Handler,
    *,
    state: ReportState | None,
    overdue: bool,
    limit: int,
    offset: int,
) -> list[Report]:
    """A department's inbox (the reports routed to it); the office: all."""
    return await ReportRepository(session).listing(
        department=None if handler.office else handler.department,
        state=state,
        overdue_on=ctx.today() if overdue else None,
        limit=limit,
        offset=offset,
    )


async def attachment(
    session: AsyncSession, handler: Handler, number: str, position: int
) -> tuple[str, str, bytes]:
    repo = ReportRepository(session)
    report = await _visible(repo, handler, number, lock=False)
    found = await repo.attachment(report.report_id, position)
    if found is None:
        raise NotFound(f"report {number} has no attachment {position}")
    return found


async def accept(uow: UnitOfWork, ctx: AppealsContext, handler: Handler, number: str) -> None:
    """A department it is routed to (or the office) takes it up."""
    repo = ReportRepository(uow.session)
    report = await _visible(repo, handler, number, lock=True)
    rules.require_may_handle(handler, report.routed_to)
    rules.check_accept(report.state)
    now = ctx.now()
    await repo.accept(report.report_id, handler.department, now, handler.officer)
    await repo.record(
        report.report_id, Action(now, handler.department, "accepted", handler.detail())
    )
    await uow.commit()


async def transfer(
    uow: UnitOfWork,
    ctx: AppealsContext,
    handler: Handler,
    number: str,
    departments: Sequence[str],
    reason: str,
) -> None:
    """The office moves the report to other departments; it starts again as received there
    (the due date stays: the reporter waits no longer for it)."""
    repo = ReportRepository(uow.session)
    report = await _visible(repo, handler, number, lock=True)
    to = tuple(sorted(set(departments)))
    rules.check_transfer(handler, report.state, to)
    office = ctx.settings.office_department
    active = {d.code for d in await department_copy.active(uow.session)}
    unknown = [d for d in to if d not in active and d != office]
    if unknown:
        raise InvalidInput.for_field(
            "departments",
            "unknown_department",
            f"no active department {', '.join(unknown)}; name departments of the registry",
            unknown=unknown,
        )
    now = ctx.now()
    await repo.reroute(report.report_id, to)
    await repo.back_to_received(report.report_id)
    await repo.record(
        report.report_id,
        Action(
            now,
            handler.department,
            "transferred",
            handler.detail(**{"from": list(report.routed_to), "to": list(to), "reason": reason}),
        ),
    )
    await uow.commit()


async def decide(
    uow: UnitOfWork, ctx: AppealsContext, handler: Handler, number: str, decision: Decision
) -> None:
    """The outcome with reasons; substantiated: perhaps the entry it led to, and a reward for
    the reporter (000 (十七))."""
    repo = ReportRepository(uow.session)
    report = await _visible(repo, handler, number, lock=True)
    rules.require_may_handle(handler, report.routed_to)
    rules.check_decision(report.state, decision)
    now = ctx.now()
    await repo.decide(report.report_id, decision, handler.department, now, handler.officer)
    reward = decision.reward
    await repo.record(
        report.report_id,
        Action(
            now,
            handler.department,
            "decided",
            handler.detail(
                outcome=decision.outcome.value,
                reasons=decision.reasons,
                entry_id=decision.entry_id,
                reward=None
                if reward is None
                else {"amount": str(reward.amount), "description": reward.description},
            ),
        ),
    )
    await uow.commit()


async def disclose(
    uow: UnitOfWork,
    ctx: AppealsContext,
    vault: IdentityVault,
    handler: Handler,
    number: str,
    reason: str,
) -> tuple[dict[str, str | None], Disclosure]:
    """Only the joint conference office lifts the identity; who, when and why are recorded in
    the same transaction as the answer is made (DOMAIN.md §9: kept strictly confidential)."""
    repo = ReportRepository(uow.session)
    report = await _visible(repo, handler, number, lock=True)
    rules.require_office_for_identity(handler)
    if report.anonymous or report.identity_sealed is None or report.identity_key_id is None:
        raise Conflict("the report is anonymous: there is no identity to disclose")
    try:
        identity = vault.open(report.identity_key_id, report.identity_sealed, bound_to=number)
    except IdentityUnreadable as exc:
        raise Conflict(
            f"the identity cannot be opened ({exc}); list the key it was sealed with "
            f"({report.identity_key_id}) in the identity key files"
        ) from None
    disclosure = Disclosure(handler.department, ctx.now(), reason, handler.officer)
    await repo.add_disclosure(report.report_id, disclosure)
    await uow.commit()
    return identity, disclosure
