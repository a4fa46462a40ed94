"""Who may see and do what in a case (DOMAIN.md §7, docs/due-process.md "Who may act").

A subject (through the portal) reaches only the entries that concern it: it is the listed
subject or a linked person. A department sees the cases it is party to: as the information
provider (the entry's initiating department) or as the implementing department that filed.
The joint conference office (administrator) sees every case. Whatever a party may not see
answers 404, so nobody learns of another subject's entries; a party that may see a case but
not act on it gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from jrp_appeals.domain.entries import EntryCopy
from jrp_shared.errors import Forbidden, NotFound
from jrp_shared.vocabulary import PartyKind


@dataclass(frozen=True)
class Viewer:
    """Who calls: a subject (`subject_code`, through the portal `agent`) or a department."""

    department: str
    subject_code: str | None = None
    agent: str | None = None
    administrator: bool = False
    implementer: bool = False
    portal: bool = False
    """Runs the credit portal: receives repair applications and forwards them (DOMAIN.md §11)."""
    officer: str | None = None
    """The officer of `department` who calls, when it signed in as one (docs/security.md,
    "Officers"): recorded on the decisions it makes."""

    @property
    def is_subject(self) -> bool:
        return self.subject_code is not None

    @property
    def name(self) -> str:
        return f"subject:{self.subject_code}" if self.subject_code else self.department


@dataclass(frozen=True)
class Parties:
    """Who a case or repair is between: the entry it is about and who filed it."""

    entry: EntryCopy
    filed_by_kind: PartyKind
    filed_by_code: str

    @property
    def provider(self) -> str:
        return self.entry.initiating_department


def may_see_entry(viewer: Viewer, entry: EntryCopy) -> bool:
    if viewer.subject_code is not None:
        return entry.concerns(viewer.subject_code)
    return (
        viewer.administrator
        or viewer.implementer
        or viewer.department == (entry.initiating_department)
    )


def require_entry(viewer: Viewer, entry: EntryCopy | None, entry_id: str) -> EntryCopy:
    """The entry, or 404 alike for an unknown one and another subject's."""
    if entry is None or not may_see_entry(viewer, entry):
        raise NotFound(f"no list entry {entry_id}")
    return entry


def may_see(viewer: Viewer, parties: Parties) -> bool:
    if viewer.subject_code is not None:
        return parties.entry.concerns(viewer.subject_code)
    if viewer.administrator or viewer.department == parties.provider:
        return True
    return parties.filed_by_kind is PartyKind.DEPARTMENT and parties.filed_by_code == (
        viewer.department
    )


def require_visible(viewer: Viewer, parties: Parties, what: str) -> None:
    if not may_see(viewer, parties):
        raise NotFound(f"no {what}")


def require_provider(viewer: Viewer, parties: Parties, what: str) -> None:
    """The information provider decides objections and repairs (000 (二十四), 000 (二十三))."""
    require_visible(viewer, parties, what)
    if viewer.is_subject or viewer.department != parties.provider:
        raise Forbidden(f"only the information provider {parties.provider!r} decides the {what}")


def require_office(viewer: Viewer, parties: Parties, what: str) -> None:
    """The joint conference office handles complaints (002 二(三)2)."""
    require_visible(viewer, parties, what)
    if viewer.is_subject or not viewer.administrator:
        raise Forbidden(f"only the joint conference office (administrator) acts on the {what}")


def require_may_object(viewer: Viewer, entry: EntryCopy, *, holds_order: bool) -> None:
    """Who may object (DOMAIN.md §7, 000 (二十四)): the subject, listed or linked, through the
    portal (`require_entry` has made sure the entry concerns it); or an implementing
    department that holds an order from the entry, which may find an error while applying
    it. Any other department: 403, since an objection suspends the measures for everyone."""
    if viewer.is_subject:
        return
    if viewer.implementer and holds_order:
        return
    raise Forbidden(
        f"{viewer.name} holds no order from entry {entry.entry_id}: only the subject, its "
        "linked persons or a department applying the entry's measures may object"
    )


def require_subject_of(viewer: Viewer, entry: EntryCopy, what: str) -> str:
    """The subject itself (listed or linked), acting through the portal; its code."""
    if viewer.subject_code is None:
        raise Forbidden(f"only the subject, through the credit portal, files a {what}")
    if not entry.concerns(viewer.subject_code):
        raise NotFound(f"no list entry {entry.entry_id}")
    return viewer.subject_code
