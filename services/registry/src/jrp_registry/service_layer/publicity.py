"""Following publicity.v1 into the registry's copy of the double-publicity decisions, and the
public query over it (DOMAIN.md §9, §12). The consumer runs the `take_*` handlers in its unit
of work with the inbox row (no commit here), so a redelivered event changes nothing."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from jrp_registry.adapters.publicity import PublicityRepository
from jrp_registry.domain import publicity
from jrp_registry.domain.publicity import PublicDecision
from jrp_shared.events.payloads import PublicityDecisionPublished, PublicityDecisionWithdrawn
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import PublicityKind


async def take_published(uow: UnitOfWork, event: PublicityDecisionPublished, now: datetime) -> bool:
    """Upsert by decision id when the version is newer than the stored one."""
    repo = PublicityRepository(uow.session)
    stored = await repo.version_of(event.decision_id)
    if not publicity.takes(stored, event.version):
        return False
    await repo.put(event, now, exists_already=stored is not None)
    return True


async def take_withdrawn(uow: UnitOfWork, event: PublicityDecisionWithdrawn) -> bool:
    """Repaired or revoked: no version of the decision is shown any more (DOMAIN.md §8, §12).
    Kept even when the decision itself has not arrived, so it never shows if it does."""
    return await PublicityRepository(uow.session).withdraw(event)


async def public_decisions(
    session: AsyncSession,
    q: str | None,
    kind: PublicityKind | None,
    today: date,
    *,
    limit: int,
    offset: int,
) -> list[PublicDecision]:
    """What `GET /v1/public/decisions` answers. A text with a run of 4+ digits is refused
    (`identifier_fragment`) unless it is exactly the number of a decision shown today."""
    query = publicity.read_query(q)
    repo = PublicityRepository(session)
    if (
        query.text is not None
        and publicity.is_fragment(query.text)
        and not await repo.names_a_shown_decision(query.text, today)
    ):
        raise publicity.fragment_refused()
    return await repo.search(
        today, uscc=query.uscc, text=query.text, kind=kind, limit=limit, offset=offset
    )
