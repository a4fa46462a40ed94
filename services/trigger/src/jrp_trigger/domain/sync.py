"""Keeping the platform in step with a department's own source list (issue 12; the court's
list is synchronised from the courts, 003 三(三)4(3)), and the deletion deadline of a listing
(法释〔2017〕7号 第十条; DOMAIN.md §11 "Court list").

A feed is a snapshot (the whole list: what it does not name is revoked at completion) or a
delta (today's changes). Each line is compared with what the department already has under its
record id (`decide`): unknown → initiate (the rules of a post), known with another content →
correct (the rules of a correction), the same content → unchanged, a deletion → revoke. No I/O
here: the service layer reads the known records of a chunk in one query and applies the
decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.errors import Conflict, FieldProblem, InvalidInput
from jrp_shared.events.payloads import DeletionRules
from jrp_shared.vocabulary import ListEntryStatus

Status = ListEntryStatus


class FeedMode(StrEnum):
    SNAPSHOT = "snapshot"
    DELTA = "delta"


class FeedStatus(StrEnum):
    OPEN = "open"
    COMPLETING = "completing"
    COMPLETED = "completed"


class LineOp(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


class LineStatus(StrEnum):
    """What a feed line did; also the keys of a feed's counts."""

    CREATED = "created"
    CORRECTED = "corrected"
    UNCHANGED = "unchanged"
    REVOKED = "revoked"
    REJECTED = "rejected"
    SKIPPED = "skipped"


class Action(StrEnum):
    """What `decide` asks the service layer to do with a line."""

    INITIATE = "initiate"
    CORRECT = "correct"
    UNCHANGED = "unchanged"
    REVOKE = "revoke"
    REJECT = "reject"


@dataclass(frozen=True)
class Known:
    """What the department has under a record id, read for a whole chunk at once."""

    entry_id: str
    status: Status
    """as a reader sees it today (expired computed)"""
    list_type: str
    fingerprint: str
    suspension_note: str | None = None
    """the conflict message of `entries.require_correctable` for a suspended entry"""


@dataclass(frozen=True)
class Decision:
    action: Action
    problem: FieldProblem | None = None


_DELETABLE = (Status.IN_FORCE, Status.AWAITING_RECOGNITION, Status.SUSPENDED)
_CLOSED = (Status.REVOKED, Status.REJECTED, Status.EXPIRED, Status.REPAIRED)


def _reject(field: str, reason: str, message: str, **context: object) -> Decision:
    return Decision(Action.REJECT, FieldProblem(field, reason, message, dict(context)))


def decide(
    op: LineOp,
    known: Known | None,
    *,
    feed_list_type: str,
    line_list_type: str | None,
    fingerprint: str | None,
) -> Decision:
    """The difference one line makes against what the department has under its record id.

    `line_list_type` and `fingerprint` are the entry line's (None for a deletion line)."""
    if line_list_type is not None and line_list_type != feed_list_type:
        return _reject(
            "body.list_type",
            "feed_list_type_mismatch",
            f"this feed carries {feed_list_type!r}; post {line_list_type!r} entries in a feed "
            "of their own",
        )
    if known is not None and known.list_type != feed_list_type:
        return _reject(
            "body.record_id",
            "feed_list_type_mismatch",
            f"record id names entry {known.entry_id} of list type {known.list_type!r}, not "
            f"{feed_list_type!r}",
            entry_id=known.entry_id,
        )
    if op is LineOp.DELETE:
        return _decide_delete(known)
    if known is None:
        return Decision(Action.INITIATE)
    if known.fingerprint == fingerprint:
        # Nothing asked of it, whatever its status: the same snapshot sent again is taken
        # line for line as it was (idempotent), expired and revoked entries included.
        return Decision(Action.UNCHANGED)
    if known.status is Status.SUSPENDED:
        return _reject(
            "body.record_id",
            "entry_suspended",
            known.suspension_note
            or "the entry is suspended: it is corrected through the "
            "decision of the case suspending it",
            entry_id=known.entry_id,
        )
    if known.status in _CLOSED:
        return _reject(
            "body.record_id",
            "record_closed",
            f"record id names entry {known.entry_id}, which is {known.status.value}; a new "
            "listing needs a new record id",
            entry_id=known.entry_id,
        )
    return Decision(Action.CORRECT)


def _decide_delete(known: Known | None) -> Decision:
    if known is None:
        return _reject(
            "body.record_id",
            "unknown_record",
            "no entry of this department has this record id: nothing to delete",
        )
    if known.status is Status.REVOKED:
        return Decision(Action.UNCHANGED)
    if known.status in _DELETABLE:
        return Decision(Action.REVOKE)
    return _reject(
        "body.record_id",
        "record_closed",
        f"record id names entry {known.entry_id}, which is {known.status.value}: there is "
        "nothing to delete",
        entry_id=known.entry_id,
    )


def absent_revocable(status: Status) -> bool:
    """Completion of a snapshot revokes what it never named among these (issue 12 part 2)."""
    return status in _DELETABLE


def require_open(status: FeedStatus) -> None:
    if status is not FeedStatus.OPEN:
        raise Conflict(
            f"the feed is {status.value}: it takes no more lines; open a new feed",
            problems=[FieldProblem("feed_id", "feed_closed", "the feed is no longer open")],
        )


def first_line(requested: int | None, received: int) -> int:
    """The number of a body's first line: by default the line after those received. A body
    starting after a line not yet received would leave a gap (422)."""
    if requested is None:
        return received + 1
    if requested > received + 1:
        raise InvalidInput.for_field(
            "query.first_line",
            "line_gap",
            f"the feed has received {received} lines: send from line {received + 1} (or any "
            "earlier line; lines already received are skipped)",
            lines_received=received,
        )
    return requested


def seconds_left(*, expected_lines: int | None, received: int, rate: float | None) -> float | None:
    if expected_lines is None or not rate:
        return None
    return round(max(expected_lines - received, 0) / rate, 1)


# --- deletion deadlines (法释〔2017〕7号 第十条) ------------------------------------------------


class DeletionState(StrEnum):
    PENDING = "pending"
    OVERDUE = "overdue"
    ON_TIME = "on_time"
    LATE = "late"


@dataclass(frozen=True)
class DeletionGround:
    """Why an entry must be deleted, since when, and by when: `due` is the
    `deadline_working_days`-th working day after `arose_on` (法释〔2017〕7号 第十条: within
    three working days; DOMAIN.md §10, §11)."""

    ground: str
    arose_on: date
    due: date
    working_days: int
    provisional: bool = False
    """`due` was counted without the official schedule of a year it reaches (DOMAIN.md §10):
    computed again when that schedule arrives (`recomputed`)."""

    def recomputed(self, calendar: WorkingDayCalendar) -> DeletionGround:
        deadline = calendar.add_working_days(self.arose_on, self.working_days)
        return DeletionGround(
            self.ground, self.arose_on, deadline.due, self.working_days, deadline.provisional
        )


def deletion_ground(
    rules: DeletionRules | None,
    ground: str,
    arose_on: date,
    *,
    today: date,
    calendar: WorkingDayCalendar,
    fields: tuple[str, str] = ("body.ground", "body.arose_on"),
) -> DeletionGround:
    """Check the ground against the list type's codes and compute the deadline. `fields`
    name the ground and its date in the caller's input."""
    ground_field, arose_field = fields
    if rules is None:
        raise InvalidInput.for_field(
            ground_field,
            "no_deletion_rules",
            "this list type has no deletion rules: revoke the entry without a deletion ground",
        )
    problems = []
    if ground not in rules.grounds:
        problems.append(
            FieldProblem(
                ground_field,
                "unknown_deletion_ground",
                f"the list type's deletion grounds are {', '.join(rules.grounds)}",
                {"allowed": list(rules.grounds)},
            )
        )
    if arose_on > today:
        problems.append(
            FieldProblem(
                arose_field,
                "arose_on_in_future",
                f"the ground cannot arise after today ({today.isoformat()})",
            )
        )
    if problems:
        raise InvalidInput("deletion ground refused", problems=problems)
    deadline = calendar.add_working_days(arose_on, rules.deadline_working_days)
    return DeletionGround(
        ground, arose_on, deadline.due, rules.deadline_working_days, deadline.provisional
    )


def deletion_state(due: date, deleted_on: date | None, today: date) -> DeletionState:
    if deleted_on is None:
        return DeletionState.OVERDUE if today > due else DeletionState.PENDING
    return DeletionState.LATE if deleted_on > due else DeletionState.ON_TIME


def working_days_late(
    due: date, deleted_on: date | None, today: date, calendar: WorkingDayCalendar
) -> int:
    """How many working days after the deadline the deletion came (or, still pending, has
    been waited for so far); 0 when on time."""
    end = deleted_on or today
    return calendar.working_days_between(due, end).days if end > due else 0
