"""Recognition meetings (DOMAIN.md §5 step 2, 002 二(二)2): the expert pools the office keeps,
the draw whose seed the platform makes, the votes of departments and drawn experts, and the
joint conference office's decision on cases spanning several groups. The rules are
`domain.recognition`; each handler loads, calls one rule, stores and commits."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from jrp_shared.clock import Clock
from jrp_shared.errors import NotFound
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import ListEntryStatus, RecognitionVote
from jrp_trigger.adapters import orm
from jrp_trigger.adapters.catalog_versions import ListTypeVersions
from jrp_trigger.adapters.repositories import EntryRepository, ExpertPoolRepository
from jrp_trigger.domain import recognition
from jrp_trigger.domain.entries import ExpertDraw, ListEntry
from jrp_trigger.domain.recognition import Expert, ExpertPool
from jrp_trigger.service_layer.exchange import ExchangeRecorder
from jrp_trigger.service_layer.handlers import send_if_due

SEED_BYTES = 16
"""The platform's seed: 128 random bits from `secrets`, as hex (never chosen by a caller)."""


async def _locked(uow: UnitOfWork, entry_id: str) -> tuple[EntryRepository, ListEntry]:
    repo = EntryRepository(uow.session)
    entry = await repo.get(entry_id, for_update=True)
    if entry is None:
        raise NotFound(f"no list entry {entry_id}")
    return repo, entry


async def group_of(uow: UnitOfWork, entry: ListEntry) -> str:
    """The special group of the entry's meeting: the domain of the list type version that
    judged it."""
    versions = ListTypeVersions(orm.catalog_copy.list_types)
    code = entry.content.list_type
    await versions.load(uow.session, [code])
    for v in versions.of(code):
        if v.version == entry.current.list_type_version:
            return v.domain
    raise NotFound(f"list type {code!r} version {entry.current.list_type_version} is not known")


async def put_pool(
    uow: UnitOfWork,
    group: str,
    *,
    experts: Sequence[Expert],
    departments: Sequence[str],
    by: str,
    clock: Clock,
) -> ExpertPool:
    """A new version of the group's pool when anything changed; the earlier ones stay."""
    pools = ExpertPoolRepository(uow.session)
    current = await pools.current(group, for_update=True)
    changed = recognition.pool_version(
        current, group=group, experts=experts, departments=departments, by=by, now=clock()
    )
    if changed is None:
        assert current is not None
        return current
    await pools.add(changed)
    await uow.commit()
    return changed


async def vote(
    uow: UnitOfWork,
    entry_id: str,
    *,
    department: str,
    choice: RecognitionVote,
    comment: str | None,
    clock: Clock,
    expert_share: float,
    exchange: ExchangeRecorder | None,
    officer: str | None = None,
) -> ListEntry:
    """One convened department's vote (`officer`: the one of its officers who cast it); the
    meeting's outcome rule decides when it is complete and an entry entering force is sent."""
    repo, entry = await _locked(uow, entry_id)
    now = clock()
    cast = recognition.cast_vote(
        entry,
        department=department,
        vote=choice,
        comment=comment,
        now=now,
        expert_share=expert_share,
        officer=officer,
    )
    await repo.add_vote(entry, cast)
    await _settle(uow, repo, entry, exchange)
    return entry


async def expert_vote(
    uow: UnitOfWork,
    entry_id: str,
    *,
    expert_id: str,
    choice: RecognitionVote,
    comment: str | None,
    by: str,
    clock: Clock,
    expert_share: float,
    exchange: ExchangeRecorder | None,
    officer: str | None = None,
) -> ListEntry:
    """A drawn expert's vote, recorded by the office (`officer`: its officer) from the
    meeting's minutes."""
    repo, entry = await _locked(uow, entry_id)
    cast = recognition.cast_expert_vote(
        entry,
        expert_id=expert_id,
        vote=choice,
        comment=comment,
        by=by,
        now=clock(),
        expert_share=expert_share,
        officer=officer,
    )
    await repo.add_expert_vote(entry, cast)
    await _settle(uow, repo, entry, exchange)
    return entry


async def decide_escalated(
    uow: UnitOfWork,
    entry_id: str,
    *,
    decision: RecognitionVote,
    reason: str,
    by: str,
    clock: Clock,
    exchange: ExchangeRecorder | None,
    officer: str | None = None,
) -> ListEntry:
    """The joint conference office decides a case spanning several groups (`officer`: its
    officer who did)."""
    repo, entry = await _locked(uow, entry_id)
    recognition.decide_escalated(
        entry, decision=decision, reason=reason, by=by, now=clock(), officer=officer
    )
    await _settle(uow, repo, entry, exchange)
    return entry


async def _settle(
    uow: UnitOfWork, repo: EntryRepository, entry: ListEntry, exchange: ExchangeRecorder | None
) -> None:
    if entry.status is ListEntryStatus.IN_FORCE:
        send_if_due(uow, entry, entry.updated_at, exchange)
    await repo.update(entry)
    await uow.commit()


async def draw_experts(
    uow: UnitOfWork,
    entry_id: str,
    *,
    department: str,
    administrator: bool,
    count: int,
    reason: str | None,
    clock: Clock,
) -> ExpertDraw:
    """Draw the meeting's experts from its group's current pool with a seed the platform
    makes, recorded so anyone can redo the draw."""
    repo, entry = await _locked(uow, entry_id)
    recognition.may_draw(entry, department, administrator=administrator)
    group = await group_of(uow, entry)
    pool = await ExpertPoolRepository(uow.session).current(group)
    draw = recognition.record_draw(
        entry,
        pool=pool,
        group=group,
        count=count,
        seed=secrets.token_hex(SEED_BYTES),
        by=department,
        administrator=administrator,
        reason=reason,
        now=clock(),
    )
    await repo.add_draw(entry, draw)
    await repo.update(entry)
    await uow.commit()
    return draw
