"""The events an order's changes make: to its department's own topic, and to trigger."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from jrp_enforcement.domain.orders import SanctionOrder
from jrp_enforcement.domain.planning import Target
from jrp_shared.events.payloads import (
    ListEntryInForce,
    MeasureStatus,
    OrderStatuses,
    SanctionOrderIssued,
    SanctionOrderLifted,
    SanctionOrderStatus,
    SanctionOrderSuspended,
)
from jrp_shared.messaging.uow import UnitOfWork


def issued_message(
    order: SanctionOrder, entry: ListEntryInForce, target: Target, list_type_name: str
) -> SanctionOrderIssued:
    """The order as its department receives it (information push, DOMAIN.md §5 step 3)."""
    return SanctionOrderIssued(
        order_id=order.order_id,
        revision=order.revision,
        department=order.department,
        entry_id=entry.entry_id,
        entry_version=entry.version,
        initiating_department=entry.initiating_department,
        listed_subject=entry.subject,
        target=target.as_order_target(),
        list_type=entry.list_type,
        list_type_name=list_type_name,
        colour=entry.colour,
        measures=list(order.measures),
        grounds=entry.grounds,
        legal_basis=entry.legal_basis,
        decision_document=entry.decision_document,
        period=entry.period,
        disclosure_class=entry.disclosure_class,
        receipt_due=order.receipt_due,
        feedback_due=order.feedback_due,
        deadlines_provisional=order.deadlines_provisional,
        issued_at=order.issued_at,
    )


def lifted_message(order: SanctionOrder) -> SanctionOrderLifted:
    """The exit notice, on the channel the order went out on (DOMAIN.md §11)."""
    assert order.lift_reason is not None and order.lifted_at is not None
    return SanctionOrderLifted(
        order_id=order.order_id,
        revision=order.revision,
        department=order.department,
        entry_id=order.entry_id,
        listed_subject_code=order.listed_subject_code,
        target_role=order.target_role,
        reason=order.lift_reason,
        lifted_at=order.lifted_at,
    )


def suspended_message(order: SanctionOrder) -> SanctionOrderSuspended:
    """Stop applying the order's measures until re-issued or lifted (DOMAIN.md §7), on the
    channel the order went out on."""
    assert order.suspension is not None
    return SanctionOrderSuspended(
        order_id=order.order_id,
        revision=order.revision,
        department=order.department,
        entry_id=order.entry_id,
        listed_subject_code=order.listed_subject_code,
        target_role=order.target_role,
        case_kind=order.suspension.case_kind,
        case_id=order.suspension.case_id,
        suspended_at=order.suspension.since,
    )


def status_message(order: SanctionOrder) -> SanctionOrderStatus:
    """The order's whole state after a change, for the initiating side (trigger)."""
    measures = []
    for measure in order.measures:
        report = order.feedback.get(measure.code)
        measures.append(
            MeasureStatus(
                code=measure.code,
                mandatory=measure.mandatory,
                outcome=report.outcome if report else None,
                reason=report.reason if report else None,
                business_reference=report.business_reference if report else None,
                executed_at=report.executed_at if report else None,
            )
        )
    return SanctionOrderStatus(
        order_id=order.order_id,
        sequence=order.sequence,
        revision=order.revision,
        entry_id=order.entry_id,
        entry_version=order.entry_version,
        department=order.department,
        listed_subject_code=order.listed_subject_code,
        target_role=order.target_role,
        state=order.state,
        issued_at=order.issued_at,
        receipt_due=order.receipt_due,
        feedback_due=order.feedback_due,
        received_at=order.received_at,
        received_by_officer=order.received_by_officer,
        fed_back_by_officer=order.fed_back_by_officer,
        measures=measures,
        lifted_at=order.lifted_at,
        lift_reason=order.lift_reason,
    )


_MAX_STATUSES = 1_000


class StatusReports:
    """What trigger hears of order changes: the orders a unit of work changed, one
    `OrderStatuses` event per entry written when the work commits (the latest state of each
    order), instead of one event per order change."""

    def changed(self, uow: UnitOfWork, orders: Iterable[SanctionOrder]) -> None:
        kept = uow.local(self, lambda: self._start(uow))
        for order in orders:
            kept[order.order_id] = order

    @staticmethod
    def _start(uow: UnitOfWork) -> dict[str, SanctionOrder]:
        """The orders one unit of work changed (the latest of each), told when it commits."""
        kept: dict[str, SanctionOrder] = {}

        def emit() -> None:
            ordered = sorted(kept.values(), key=lambda o: (o.entry_id, o.order_id))
            for _entry, of_entry in groupby(ordered, key=lambda o: o.entry_id):
                statuses = [status_message(order) for order in of_entry]
                for i in range(0, len(statuses), _MAX_STATUSES):
                    part = statuses[i : i + _MAX_STATUSES]
                    uow.emit(
                        OrderStatuses(
                            entry_id=part[0].entry_id,
                            listed_subject_code=part[0].listed_subject_code,
                            statuses=part,
                        )
                    )

        uow.before_commit(emit)
        return kept
