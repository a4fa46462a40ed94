"""The double-publicity decisions (publicity.v1) and their withdrawals: store, and read what
the public lookup shows (DOMAIN.md §12). Never commits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_registry.adapters import orm
from jrp_registry.domain import names
from jrp_registry.domain.publicity import PublicDecision
from jrp_shared.clock import china_date
from jrp_shared.events.payloads import PublicityDecisionPublished, PublicityDecisionWithdrawn
from jrp_shared.vocabulary import PublicityKind

_T = orm.publicity_decisions
_W = orm.publicity_withdrawals


def _matching(q: str) -> ColumnElement[bool]:
    """The counterpart names that `q` finds: its characters folded as the subject search folds
    them (traditional to simplified, half-width, lower case; `jrp_registry.domain.names`), in
    order but not necessarily together (`福州科技` finds `福州市闽江科技有限公司`). Pinyin
    is searched for subjects (`GET /v1/public/subjects?q=`), not here."""
    folded = names.fold(q)
    if not folded:
        return _T.c.counterpart_name.contains(q, autoescape=True)
    return _T.c.counterpart_name.like(names.like_pattern(folded))


def _shown(today: date) -> list[ColumnElement[bool]]:
    """The SQL form of `domain.publicity.shown_on`."""
    return [
        _T.c.published_on <= today,
        _T.c.publication_ends >= today,
        ~exists().where(_W.c.decision_id == _T.c.decision_id),
    ]


class PublicityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def version_of(self, decision_id: str) -> int | None:
        """The stored version, the row locked (PostgreSQL) so two versions take turns."""
        found = await self._s.scalar(
            select(_T.c.version).where(_T.c.decision_id == decision_id).with_for_update()
        )
        return int(found) if found is not None else None

    async def put(
        self, event: PublicityDecisionPublished, now: datetime, *, exists_already: bool
    ) -> None:
        values = {
            "version": event.version,
            "kind": event.kind.value,
            "counterpart_code": event.counterpart.code,
            # Folded (simplified, lower case, characters only) for the search; the name as
            # published is the payload's.
            "counterpart_name": names.fold(event.counterpart.name) or event.counterpart.name,
            "decision_number": event.decision_number,
            "decision_date": event.decision_date,
            "published_on": china_date(event.published_at),
            "publication_ends": event.publication_ends,
            "payload": event.model_dump(mode="json"),
            "updated_at": now,
        }
        if exists_already:
            await self._s.execute(
                update(_T).where(_T.c.decision_id == event.decision_id).values(values)
            )
        else:
            await self._s.execute(insert(_T).values(decision_id=event.decision_id, **values))

    async def withdraw(self, event: PublicityDecisionWithdrawn) -> bool:
        """Record the withdrawal once (the first one stands); true when recorded now."""
        known = await self._s.scalar(
            select(_W.c.decision_id).where(_W.c.decision_id == event.decision_id)
        )
        if known is not None:
            return False
        await self._s.execute(
            insert(_W).values(
                decision_id=event.decision_id,
                version=event.version,
                reason=event.reason.value,
                withdrawn_by=event.withdrawn_by,
                withdrawn_at=event.withdrawn_at,
            )
        )
        return True

    async def published_for(self, code: str, today: date) -> list[PublicDecision]:
        """The decisions about the counterpart `code` (a whole USCC or resident ID) that the
        public lookup shows on `today` (China), newest decision first; a person's ID masked."""
        rows = await self._s.scalars(
            select(_T.c.payload)
            .where(_T.c.counterpart_code == code.strip().upper(), *_shown(today))
            .order_by(_T.c.decision_date.desc(), _T.c.decision_id)
        )
        return [PublicDecision.of(PublicityDecisionPublished.model_validate(p)) for p in rows]

    async def names_a_shown_decision(self, decision_number: str, today: date) -> bool:
        """Whether `decision_number` is exactly the number of a decision shown on `today`."""
        found = await self._s.scalar(
            select(_T.c.decision_id)
            .where(_T.c.decision_number == decision_number, *_shown(today))
            .limit(1)
        )
        return found is not None

    async def search(
        self,
        today: date,
        *,
        uscc: str | None,
        text: str | None,
        kind: PublicityKind | None,
        limit: int,
        offset: int,
    ) -> list[PublicDecision]:
        """Shown decisions, by whole USCC, or by text in the counterpart's name or the decision
        number; never by a part of a code (a resident ID is never matched at all)."""
        query = select(_T.c.payload).where(*_shown(today))
        if uscc is not None:
            query = query.where(_T.c.counterpart_code == uscc)
        if text is not None:
            query = query.where(
                or_(_matching(text), _T.c.decision_number.contains(text, autoescape=True))
            )
        if kind is not None:
            query = query.where(_T.c.kind == kind.value)
        rows = await self._s.scalars(
            query.order_by(_T.c.decision_date.desc(), _T.c.decision_id).limit(limit).offset(offset)
        )
        return [PublicDecision.of(PublicityDecisionPublished.model_validate(p)) for p in rows]
