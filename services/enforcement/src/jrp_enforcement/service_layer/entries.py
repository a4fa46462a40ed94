"""Use cases driven by list entries and time: issue, re-issue, suspend and lift orders
(DOMAIN.md §5 steps 3-4, §7 suspension and revocation, §8 expiry and repair), and recompute
provisional deadlines (§10).

The entry handlers and the calendar hook never commit: their consumer commits a whole poll
together with its inbox rows. The expiry sweep commits its own units of work, one per batch.
Each announces the entries it touched to `EntryChanges` (the must-check index reloads them
after commit).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from jrp_enforcement.adapters.repositories import HistoryRow
from jrp_enforcement.domain import entries as entry_rules
from jrp_enforcement.domain import orders as order_rules
from jrp_enforcement.domain import planning
from jrp_enforcement.domain.eligibility import PastEntry
from jrp_enforcement.domain.orders import Change, EntryFacts, SanctionOrder
from jrp_enforcement.service_layer.context import SERVICE, OrdersContext
from jrp_enforcement.service_layer.messages import (
    issued_message,
    lifted_message,
    suspended_message,
)
from jrp_shared.clock import china_date
from jrp_shared.db import JsonText
from jrp_shared.events.payloads import (
    ListEntryInForce,
    ListEntryRepaired,
    ListEntryRevoked,
    ListEntrySuspended,
    ListTypePublished,
    MeasurePublished,
)
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.transient import NotYetReceived
from jrp_shared.vocabulary import LiftReason, ListColour, ListEntryStatus, OrderState

log = get_logger(__name__)


class CatalogNotReady(NotYetReceived):
    """The entry names a list type this service's catalog copy has not received yet. Trigger
    accepted it under that list type, which reaches this service on `catalog.v1`, a topic not
    ordered with `list-entries.v1`: the consumer waits for it (never dead-letters the entry)."""


async def _list_type_of(
    uow: UnitOfWork, ctx: OrdersContext, entry: ListEntryInForce
) -> ListTypePublished | None:
    """The list type version the entry was recognised under (the same one for issuing and
    for recomputing), else the version in force on the entry's recording date."""
    catalog = ctx.cached_catalog
    exact = await catalog.list_type_version(uow, entry.list_type, entry.list_type_version)
    if exact is not None:
        return exact
    return await catalog.list_type_in_force(uow, entry.list_type, china_date(entry.recorded_at))


def _deadlines(
    ctx: OrdersContext, list_type: ListTypePublished, issued_on: date
) -> order_rules.Deadlines:
    return order_rules.deadlines_after(
        ctx.calendar,
        issued_on,
        list_type.receipt_deadline_working_days,
        list_type.feedback_deadline_working_days,
    )


async def _apply(uow: UnitOfWork, change: Change, by: str, ctx: OrdersContext) -> None:
    """Store a change of an existing order, record it and tell trigger (order-status.v1)."""
    repo = ctx.repositories(uow)[1]
    await repo.save(change.order)
    await repo.record(change.order.order_id, ctx.now(), change.kind, by, change.detail)
    ctx.statuses.changed(uow, [change.order])


async def _lift_all(
    uow: UnitOfWork,
    ctx: OrdersContext,
    orders: Iterable[SanctionOrder],
    reason: LiftReason,
    cause: dict[str, Any],
) -> None:
    now = ctx.now()
    lifted = [o for o in (order_rules.lift(order, reason, now) for order in orders) if o]
    if not lifted:
        return
    repo = ctx.repositories(uow)[1]
    await repo.save_all(lifted)
    await repo.record_all(
        [
            HistoryRow(o.order_id, now, "lifted", SERVICE, {"reason": reason.value, **cause})
            for o in lifted
        ]
    )
    ctx.statuses.changed(uow, lifted)
    for order in lifted:
        uow.emit(lifted_message(order))


async def take_entry_in_force(uow: UnitOfWork, ctx: OrdersContext, entry: ListEntryInForce) -> None:
    """An entry entered force or was corrected: store it and its targets, issue the orders it
    calls for, re-issue (revision + 1) those it still calls for, lift those it no longer does.
    A newer version of a suspended entry resumes it the same way (DOMAIN.md §7: the period
    resumes counting, its end moved later): every order, suspended ones too, is re-issued
    with fresh deadlines and the suspension is cleared."""
    entries, orders = ctx.repositories(uow)
    now, today = ctx.now(), ctx.today()
    stored = await entries.get(entry.entry_id, lock=True)
    outcome = entry_rules.on_in_force(stored, entry.version, entry.period.end, today)
    if outcome is entry_rules.Outcome.IGNORE:
        log.info(
            "list entry version not newer; ignored",
            entry_id=entry.entry_id,
            version=entry.version,
            stored_version=stored.version if stored else None,
        )
        return
    list_type = await _list_type_of(uow, ctx, entry)
    if list_type is None:
        raise CatalogNotReady(
            f"list type {entry.list_type} (version {entry.list_type_version}) of entry "
            f"{entry.entry_id} is not in enforcement's catalog copy"
        )
    expired = outcome is entry_rules.Outcome.EXPIRED
    known = stored is not None  # a new entry has no targets nor orders yet
    await entries.put(
        entry,
        ListEntryStatus.EXPIRED if expired else ListEntryStatus.IN_FORCE,
        now,
        exists=known,
        end_reason="expired" if expired else None,
    )
    await entries.replace_targets(
        entry.entry_id,
        planning.targets_of(entry, list_type),
        existing=known,
        version=entry.version,
    )
    existing = (
        {o.order_id: o for o in await orders.for_entry(entry.entry_id, lock=True)} if known else {}
    )
    cause = {"entry_version": entry.version}
    ctx.changes.announce(uow, [entry.entry_id])
    if expired:
        await _lift_all(uow, ctx, existing.values(), LiftReason.EXPIRED, cause)
        # An entry that ended within the years a condition looks back still counts.
        await _replan_record_of(
            uow, ctx, entry.subject.code, entry.entry_id, entry.colour, entry.list_type
        )
        return
    measures = await ctx.cached_catalog.measures_in_force(uow, today)
    records = await _records_for(uow, ctx, entry, list_type, measures)
    plans = planning.plan_orders(entry, list_type, measures, on=today, records=records)
    await _put_orders(uow, ctx, entry, list_type, plans, existing, reissue_all=True)
    await _lift_all(uow, ctx, existing.values(), LiftReason.CORRECTED, cause)
    await _replan_record_of(
        uow, ctx, entry.subject.code, entry.entry_id, entry.colour, entry.list_type
    )


async def _records_for(
    uow: UnitOfWork,
    ctx: OrdersContext,
    entry: ListEntryInForce,
    list_type: ListTypePublished,
    measures: Sequence[MeasurePublished],
) -> dict[str, list[PastEntry]] | None:
    """The records of the entry's targets, read only when a measure with conditions applies
    to its list type (DOMAIN.md §6): most entries cost no read for it."""
    if not any(m.conditions and entry.list_type in m.list_types for m in measures):
        return None
    codes = [t.code for t in planning.targets_of(entry, list_type)]
    return await ctx.repositories(uow)[0].records(codes)


def _same_measures(order: SanctionOrder, plan: planning.PlannedOrder) -> bool:
    return [(m.code, m.version) for m in order.measures] == [
        (m.code, m.version) for m in plan.measures
    ]


async def _put_orders(
    uow: UnitOfWork,
    ctx: OrdersContext,
    entry: ListEntryInForce,
    list_type: ListTypePublished,
    plans: Sequence[planning.PlannedOrder],
    existing: dict[str, SanctionOrder],
    *,
    reissue_all: bool,
) -> None:
    """Issue the planned orders that are new, re-issue (revision + 1) the others — all of
    them for a new version of the entry, only those whose measures changed for a re-plan —
    and take them out of `existing` (what is left there the plan no longer calls for)."""
    orders = ctx.repositories(uow)[1]
    now, today = ctx.now(), ctx.today()
    deadlines = _deadlines(ctx, list_type, today)
    facts = EntryFacts(
        entry.entry_id, entry.version, entry.subject.code, entry.list_type, entry.colour
    )
    issued: list[SanctionOrder] = []
    reissued: list[SanctionOrder] = []
    history: list[HistoryRow] = []
    working_days = (
        f'"receipt_working_days":{list_type.receipt_deadline_working_days},'
        f'"feedback_working_days":{list_type.feedback_deadline_working_days}'
    )
    for plan in plans:
        current = existing.pop(plan.order_id, None)
        if current is None:
            order, kind = order_rules.issue(plan, facts, deadlines, now), "issued"
            issued.append(order)
        elif (
            not reissue_all
            and current.state is not OrderState.LIFTED
            and _same_measures(current, plan)
        ):
            continue
        else:
            order, kind = order_rules.reissue(current, plan, facts, deadlines, now), "reissued"
            reissued.append(order)
        sent = uow.emit(issued_message(order, entry, plan.target, list_type.name))
        # {"message": <the message as sent>, ...}: its bytes encoded once, for both rows.
        withheld = (
            f',"withheld":{json.dumps(plan.withheld_json(), ensure_ascii=False)}'
            if plan.withheld
            else ""
        )
        detail = JsonText(f'{{"message":{sent.body().decode()},{working_days}{withheld}}}')
        history.append(HistoryRow(order.order_id, now, kind, SERVICE, detail))
    ctx.statuses.changed(uow, [*issued, *reissued])
    await orders.add_all(issued)
    await orders.save_all(reissued)
    await orders.record_all(history)


async def _replan_record_of(
    uow: UnitOfWork,
    ctx: OrdersContext,
    subject_code: str,
    changed_entry_id: str,
    colour: ListColour,
    changed_list_type: str,
) -> None:
    """A change of the subject's record (a black-list entry arrives or is revoked, a red
    entry a condition counts arrives) re-plans its other entries in force whose measures
    have conditions (DOMAIN.md §6): a reward whose conditions no longer hold leaves their
    orders (re-issued without it, or lifted), one that now holds joins them. Costs a read
    only when the catalog has conditional measures and the change can matter to them."""
    measures = await ctx.cached_catalog.measures_in_force(uow, ctx.today())
    conditional = [m for m in measures if m.conditions]
    if not conditional:
        return
    counted = {c.list_type for m in conditional for c in m.conditions if c.list_type}
    if colour is not ListColour.BLACK and changed_list_type not in counted:
        return
    affected = sorted({code for m in conditional for code in m.list_types})
    entries = ctx.repositories(uow)[0]
    siblings = await entries.ongoing_of_subject(subject_code, affected, excluding=changed_entry_id)
    for sibling in siblings:
        await _replan(uow, ctx, sibling, measures, {"record_changed_by": changed_entry_id})


async def _replan(
    uow: UnitOfWork,
    ctx: OrdersContext,
    entry: ListEntryInForce,
    measures: Sequence[MeasurePublished],
    why: dict[str, Any],
) -> None:
    entries, orders = ctx.repositories(uow)
    stored = await entries.get(entry.entry_id, lock=True)  # entry first, then its orders
    if stored is None or stored.status is not ListEntryStatus.IN_FORCE:
        return
    list_type = await _list_type_of(uow, ctx, entry)
    if list_type is None:
        return
    records = await _records_for(uow, ctx, entry, list_type, measures)
    plans = planning.plan_orders(entry, list_type, measures, on=ctx.today(), records=records)
    existing = {o.order_id: o for o in await orders.for_entry(entry.entry_id, lock=True)}
    await _put_orders(uow, ctx, entry, list_type, plans, existing, reissue_all=False)
    cause = {"entry_version": entry.version, **why}
    await _lift_all(uow, ctx, existing.values(), LiftReason.CORRECTED, cause)
    ctx.changes.announce(uow, [entry.entry_id])


async def review_eligibility(
    new_uow: Callable[[], UnitOfWork], ctx: OrdersContext, *, batch: int = 100
) -> int:
    """Eligibility also changes with time alone: a black-list entry passes N years since it
    ended, a new year completes (or breaks) a run (DOMAIN.md §6). Once a day, every entry in
    force of a list type with conditional measures is re-planned; only orders whose measures
    change are re-issued or lifted. Commits per batch; returns how many entries it looked at."""
    looked_at, after = 0, ""
    while True:
        async with new_uow() as uow:
            measures = await ctx.cached_catalog.measures_in_force(uow, ctx.today())
            affected = sorted({code for m in measures if m.conditions for code in m.list_types})
            if not affected:
                return looked_at
            page = await ctx.repositories(uow)[0].in_force_of_list_types(affected, after, batch)
            for entry in page:
                await _replan(
                    uow, ctx, entry, measures, {"eligibility_reviewed_on": str(ctx.today())}
                )
            await uow.commit()
        looked_at += len(page)
        if len(page) < batch:
            return looked_at
        after = page[-1].entry_id


async def take_entry_revoked(
    uow: UnitOfWork, ctx: OrdersContext, revoked: ListEntryRevoked
) -> None:
    """The initiating department withdrew the entry: every order of it is lifted."""
    entries = ctx.repositories(uow)[0]
    stored = await entries.get(revoked.entry_id, lock=True)
    if stored is None:
        log.warning(
            "revocation of an entry never received; nothing to lift", entry_id=revoked.entry_id
        )
        return
    if stored.status is ListEntryStatus.REVOKED:
        return
    await entries.end(
        revoked.entry_id,
        ListEntryStatus.REVOKED,
        revoked.revoked_at,
        "revoked",
        received_at=ctx.now(),
    )
    orders = await ctx.repositories(uow)[1].for_entry(revoked.entry_id, lock=True)
    cause = {"revoked_version": revoked.version, "revoked_by": revoked.revoked_by}
    await _lift_all(uow, ctx, orders, LiftReason.REVOKED, cause)
    ctx.changes.announce(uow, [revoked.entry_id])
    # A revoked entry was wrong and leaves the subject's record (domain/eligibility.py).
    identity = await entries.identity_of(revoked.entry_id)
    if identity is not None:
        code, colour, list_type = identity
        await _replan_record_of(uow, ctx, code, revoked.entry_id, colour, list_type)


async def take_entry_suspended(
    uow: UnitOfWork, ctx: OrdersContext, suspended: ListEntrySuspended
) -> None:
    """An objection or complaint against the entry is being verified and its list type
    suspends measures meanwhile (暂不执行, 000 (二十四), DOMAIN.md §7): every order not lifted
    is suspended, and each department is told on its own topic."""
    entries = ctx.repositories(uow)[0]
    stored = await entries.get(suspended.entry_id, lock=True)
    if not entry_rules.may_suspend(stored, suspended.version):
        log.info(
            "suspension of an entry not in force at that version; ignored",
            entry_id=suspended.entry_id,
            version=suspended.version,
            stored_version=stored.version if stored else None,
            stored_status=stored.status.value if stored else None,
        )
        return
    now, since = ctx.now(), suspended.suspended_at
    kind, case_id = suspended.case_kind, suspended.case_id
    await entries.suspend(suspended.entry_id, kind, case_id, since, now)
    repo = ctx.repositories(uow)[1]
    orders = await repo.for_entry(suspended.entry_id, lock=True)
    changed = [
        o for o in (order_rules.suspend(order, kind, case_id, since) for order in orders) if o
    ]
    await repo.save_all(changed)
    detail = {"case_kind": kind.value, "case_id": case_id, "entry_version": suspended.version}
    await repo.record_all(
        [HistoryRow(o.order_id, now, "suspended", SERVICE, detail) for o in changed]
    )
    ctx.statuses.changed(uow, changed)
    for order in changed:
        uow.emit(suspended_message(order))
    ctx.changes.announce(uow, [suspended.entry_id])


async def take_entry_repaired(
    uow: UnitOfWork, ctx: OrdersContext, repaired: ListEntryRepaired
) -> None:
    """Credit repair granted: the entry ends early and no measure may be applied any more
    (000 (二十三), DOMAIN.md §8); every order is lifted, the lift being the exit notice."""
    entries = ctx.repositories(uow)[0]
    stored = await entries.get(repaired.entry_id, lock=True)
    if not entry_rules.may_repair(stored):
        log.info(
            "repair of an entry not on the list; ignored",
            entry_id=repaired.entry_id,
            stored_status=stored.status.value if stored else None,
        )
        return
    await entries.end(
        repaired.entry_id,
        ListEntryStatus.REPAIRED,
        repaired.repaired_at,
        "repaired",
        received_at=ctx.now(),
    )
    orders = await ctx.repositories(uow)[1].for_entry(repaired.entry_id, lock=True)
    cause = {
        "repaired_version": repaired.version,
        "repair_id": repaired.repair_id,
        "repaired_by": repaired.repaired_by,
    }
    await _lift_all(uow, ctx, orders, LiftReason.REPAIRED, cause)
    ctx.changes.announce(uow, [repaired.entry_id])
    # A repaired entry's use stops, for rewards' conditions too (domain/eligibility.py).
    identity = await entries.identity_of(repaired.entry_id)
    if identity is not None:
        code, colour, list_type = identity
        await _replan_record_of(uow, ctx, code, repaired.entry_id, colour, list_type)


async def expire_entries(
    new_uow: Callable[[], UnitOfWork], ctx: OrdersContext, *, batch: int = 100
) -> list[str]:
    """Entries whose period ended before today (China) leave the system by themselves
    (002 二(三)1): status expired, every order lifted. Commits per batch; returns the ids."""
    expired: list[str] = []
    while True:
        async with new_uow() as uow:
            entries = ctx.repositories(uow)[0]
            ids = await entries.due_for_expiry(ctx.today(), batch)
            await entries.end_all(ids, ListEntryStatus.EXPIRED, ctx.now(), "expired")
            orders = await ctx.repositories(uow)[1].for_entries(ids, lock=True)
            await _lift_all(uow, ctx, orders, LiftReason.EXPIRED, {"period_ended": True})
            ctx.changes.announce(uow, ids)
            await uow.commit()
        expired.extend(ids)
        if len(ids) < batch:
            if expired:
                log.info("list entries expired", count=len(expired))
            return expired


async def recompute_provisional_deadlines(uow: UnitOfWork, ctx: OrdersContext) -> int:
    """Runs in the transaction that stores a newly loaded official schedule: open orders
    whose deadlines were provisional get them recomputed from their issue date, and trigger
    hears of every order whose deadlines changed (DOMAIN.md §10). Returns how many changed."""
    orders = await ctx.repositories(uow)[1].open_with_provisional_deadlines()
    if not orders:
        return 0
    entries = await ctx.repositories(uow)[0].payloads(sorted({o.entry_id for o in orders}))
    list_types: dict[str, ListTypePublished | None] = {}
    touched: set[str] = set()
    changed = 0
    for order in orders:
        entry = entries.get(order.entry_id)
        if entry is None:
            continue
        if entry.entry_id not in list_types:
            list_types[entry.entry_id] = await _list_type_of(uow, ctx, entry)
        list_type = list_types[entry.entry_id]
        if list_type is None:  # never for an issued order; a schedule must not fail on it
            log.warning("no list type to recompute deadlines", order_id=order.order_id)
            continue
        change = order_rules.recompute_deadlines(
            order, _deadlines(ctx, list_type, china_date(order.issued_at))
        )
        if change is not None:
            await _apply(uow, change, SERVICE, ctx)
            touched.add(order.entry_id)
            changed += 1
    ctx.changes.announce(uow, touched)
    return changed
