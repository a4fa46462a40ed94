"""A list entry through its life: recorded, recognised, corrected, revoked, expired
(DOMAIN.md §5 steps 1-2, §7, §8). What objections, complaints and repair do to it is in
`due_process`.

The stored status is one of awaiting_recognition, rejected, in_force, suspended, revoked,
repaired; `expired` is never stored: an entry in force whose period has ended has left force by
itself (002 二(三)1), so it is computed against today whenever the entry is read. A suspended
entry never expires: its period is not running while the case is verified (§7).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from jrp_shared.errors import Conflict, FieldProblem, Forbidden, InvalidInput
from jrp_shared.events.payloads import EntryOrigin
from jrp_shared.vocabulary import CaseKind, ListColour, ListEntryStatus, RecognitionVote
from jrp_trigger.domain.content import EntryContent
from jrp_trigger.domain.rules import Admission
from jrp_trigger.domain.sync import DeletionGround

Status = ListEntryStatus


def status_on(stored: Status, period_end: date, today: date) -> Status:
    """What a reader sees: in force past the period's last day is expired. Only `in_force`
    turns expired: a suspended entry's period stands still (DOMAIN.md §7)."""
    if stored is Status.IN_FORCE and today > period_end:
        return Status.EXPIRED
    return stored


@dataclass(frozen=True)
class EntryVersion:
    version: int
    list_type_version: int
    content: EntryContent
    reason: str | None
    recorded_at: datetime
    recorded_by: str
    recorded_by_officer: str | None = None
    """The officer of `recorded_by` who posted or corrected it, if it signed in as one."""


@dataclass(frozen=True)
class Vote:
    entry_version: int
    department: str
    vote: RecognitionVote
    comment: str | None
    voted_at: datetime
    voted_by_officer: str | None = None
    """The officer of `department` who cast the vote, if it signed in as one (docs/security.md,
    "Officers")."""


@dataclass(frozen=True)
class ExpertDraw:
    """One draw of experts for a recognition meeting, with everything needed to redo it:
    `draw_experts(pool minus excluded, count, seed)` (002 二(二)2). Draws made before the
    platform kept the pools (the caller's pool and seed) have no `pool_group`."""

    seed: int | str
    pool: tuple[str, ...]
    """the ids of the pool version's members (before exclusions)"""
    count: int
    experts: tuple[str, ...]
    drawn_by: str
    drawn_at: datetime
    pool_group: str | None = None
    pool_version: int | None = None
    excluded: tuple[str, ...] = ()
    """members of the initiating department, left out for conflict of interest"""
    reason: str | None = None
    """why the office drew again; none for a meeting's first draw"""

    @property
    def candidates(self) -> tuple[str, ...]:
        """Whom the draw chose from: the pool without the excluded experts."""
        left_out = set(self.excluded)
        return tuple(sorted({e for e in self.pool if e not in left_out}))


@dataclass(frozen=True)
class ExpertVote:
    """A drawn expert's vote, recorded by the office from the meeting's signed minutes (the
    experts hold no platform credentials)."""

    entry_version: int
    expert_id: str
    vote: RecognitionVote
    comment: str | None
    recorded_by: str
    voted_at: datetime
    recorded_by_officer: str | None = None
    """The office's officer who recorded it from the minutes, if it signed in as one."""


@dataclass(frozen=True)
class Escalation:
    """A case spanning several special groups, sent to the joint conference office (002
    二(二)2): the convened departments that are not members of the list type's group."""

    group: str
    outside_departments: tuple[str, ...]
    escalated_at: datetime
    decision: RecognitionVote | None = None
    reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decided_by_officer: str | None = None
    """The office's officer who decided, if it signed in as one."""


@dataclass(frozen=True)
class Revocation:
    reason: str
    revoked_by: str
    revoked_at: datetime
    revoked_by_officer: str | None = None
    """The officer of `revoked_by` who revoked, if it signed in as one."""


@dataclass(frozen=True)
class Suspension:
    """The case whose verification suspends the entry's measures (DOMAIN.md §7, 000 (二十四))."""

    case_kind: CaseKind
    case_id: str
    since: datetime


@dataclass(frozen=True)
class Repair:
    """Credit repair granted by the deciding department (DOMAIN.md §8, 000 (二十三))."""

    repair_id: str
    repaired_by: str
    repaired_at: datetime


@dataclass
class ListEntry:
    entry_id: str
    department: str
    record_id: str
    status: Status
    colour: ListColour
    recognition_departments: tuple[str, ...]
    warnings: tuple[str, ...]
    original_hash: str
    created_at: datetime
    updated_at: datetime
    versions: list[EntryVersion]
    in_force_since: datetime | None = None
    revocation: Revocation | None = None
    votes: list[Vote] = field(default_factory=list)
    draws: list[ExpertDraw] = field(default_factory=list)
    expert_votes: list[ExpertVote] = field(default_factory=list)
    escalation: Escalation | None = None
    suspension: Suspension | None = None
    repair: Repair | None = None
    deletion: DeletionGround | None = None
    """why and by when the entry must be deleted (法释〔2017〕7号 第十条), once recorded"""
    origin: EntryOrigin | None = None
    """another region's entry, received through an exchange partner (DOMAIN.md §11): it is
    not pushed back to the platforms as an exchange record"""

    @property
    def current(self) -> EntryVersion:
        return self.versions[-1]

    @property
    def version(self) -> int:
        return self.current.version

    @property
    def content(self) -> EntryContent:
        return self.current.content

    def status_on(self, today: date) -> Status:
        return status_on(self.status, self.content.period.end, today)

    def is_sent(self) -> bool:
        """Enforcement has heard of it (it entered force at least once)."""
        return self.in_force_since is not None

    def should_send(self, today: date) -> bool:
        """Whether its current version goes to enforcement now: it is in force (never when
        awaiting recognition or rejected), or enforcement already acts on an earlier version.
        An entry recorded after its period ended has never been in force and is not sent."""
        return self.is_sent() or self.status_on(today) is Status.IN_FORCE

    def require_initiator(self, department: str, action: str) -> None:
        if department != self.department:
            raise Forbidden(
                f"only the initiating department ({self.department}) may {action} this entry"
            )


def open_entry(
    *,
    entry_id: str,
    department: str,
    record_id: str,
    admission: Admission,
    now: datetime,
    origin: EntryOrigin | None = None,
    officer: str | None = None,
) -> ListEntry:
    """A newly recorded entry. A list type that needs a recognition meeting (002 二(二)2)
    holds it until the meeting decides; the departments that vote are the list type's
    initiating departments: the departments of that domain whom the special group convenes.
    `officer`: the one of the department's officers who posted it (its first version's
    `recorded_by_officer`, the entry's `initiated_by_officer`)."""
    list_type = admission.list_type
    meeting = list_type.recognition_meeting_required
    return ListEntry(
        entry_id=entry_id,
        department=department,
        record_id=record_id,
        status=Status.AWAITING_RECOGNITION if meeting else Status.IN_FORCE,
        colour=list_type.colour,
        recognition_departments=tuple(list_type.initiating_departments) if meeting else (),
        warnings=admission.warnings,
        original_hash=admission.content.fingerprint(),
        created_at=now,
        updated_at=now,
        versions=[
            EntryVersion(1, list_type.version, admission.content, None, now, department, officer)
        ],
        origin=origin,
    )


_FIXED: tuple[tuple[str, Callable[[EntryContent], object]], ...] = (
    ("body.subject.code", lambda c: c.subject.code.strip().upper()),
    ("body.subject.subject_type", lambda c: c.subject.subject_type),
    ("body.list_type", lambda c: c.list_type),
)


def require_correctable(entry: ListEntry, content: EntryContent, *, by: str, today: date) -> None:
    """Only the initiating department corrects, only while the entry awaits recognition or is
    in force, and never who or which list it is about: an entry about the wrong subject or list
    is revoked and posted anew, so every measure already applied is lifted under its name.
    A suspended entry is corrected only through the decision of the case suspending it (§7)."""
    entry.require_initiator(by, "correct")
    status = entry.status_on(today)
    if entry.suspension is not None and status is Status.SUSPENDED:
        s = entry.suspension
        raise Conflict(
            f"the entry is suspended pending {s.case_kind.value} {s.case_id}: it is corrected "
            f"through that case's decision (POST /v1/{s.case_kind.value}s/{s.case_id}/decision "
            "on appeals)"
        )
    if status not in (Status.AWAITING_RECOGNITION, Status.IN_FORCE):
        raise Conflict(
            f"the entry is {status.value}: only an entry awaiting recognition or in force "
            "can be corrected"
        )
    require_same_listing(entry, content)


def require_same_listing(entry: ListEntry, content: EntryContent) -> None:
    """Who and which list an entry is about never change by correction."""
    problems = [
        FieldProblem(name, "not_correctable", "cannot be corrected; revoke and post a new entry")
        for name, value in _FIXED
        if value(content) != value(entry.content)
    ]
    if problems:
        raise InvalidInput("the correction changes what cannot be corrected", problems=problems)


def correct(
    entry: ListEntry,
    admission: Admission,
    *,
    reason: str,
    by: str,
    now: datetime,
    today: date,
    officer: str | None = None,
) -> EntryVersion | None:
    """A new version with the corrected content (the earlier ones stay), or None when nothing
    changed, so a repeated correction is harmless."""
    require_correctable(entry, admission.content, by=by, today=today)
    if (
        admission.content.fingerprint() == entry.content.fingerprint()
        and admission.list_type.version == entry.current.list_type_version
    ):
        return None
    return add_version(entry, admission, reason=reason, by=by, now=now, officer=officer)


def add_version(
    entry: ListEntry,
    admission: Admission,
    *,
    reason: str,
    by: str,
    now: datetime,
    officer: str | None = None,
) -> EntryVersion:
    """Append the admitted content as the next version (callers check it may be)."""
    version = EntryVersion(
        entry.version + 1, admission.list_type.version, admission.content, reason, now, by, officer
    )
    entry.versions.append(version)
    entry.warnings = admission.warnings
    entry.updated_at = now
    return version


def revoke(
    entry: ListEntry, *, reason: str, by: str, now: datetime, officer: str | None = None
) -> Revocation:
    """The initiating department withdraws the entry, suspended or not (`officer`: the one of
    its officers who did, recorded for audit)."""
    entry.require_initiator(by, "revoke")
    if entry.revocation is not None:
        raise Conflict(
            f"the entry was already revoked on {entry.revocation.revoked_at.isoformat()}"
        )
    if entry.status is Status.REJECTED:
        raise Conflict("the entry was rejected at recognition and never entered force")
    return withdraw(entry, reason=reason, by=by, now=now, officer=officer)


def withdraw(
    entry: ListEntry, *, reason: str, by: str, now: datetime, officer: str | None = None
) -> Revocation:
    """Mark the entry revoked (callers check who may); it ends any suspension."""
    entry.status = Status.REVOKED
    entry.suspension = None
    entry.revocation = Revocation(reason, by, now, officer)
    entry.updated_at = now
    return entry.revocation
