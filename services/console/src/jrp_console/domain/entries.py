"""List entries as the console's forms see them: a posted form made into trigger's
`ListEntrySubmission` (DOMAIN.md §5 step 1, §11: decision document, period, prior notice), a
correction made from the entry as it stands (who and which list cannot change, DOMAIN.md §7),
trigger's field-level refusals put beside the form's fields, and a bulk import's answer lines
made into per-line results numbered as in the officer's file."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

LINKED_PERSON_ROWS = 2
"""Linked persons the new-entry form offers (legal representative and another)."""

FIELDS = (
    "record_id",
    "list_type",
    "subject_code",
    "subject_type",
    "subject_name",
    "grounds",
    "legal_basis",
    "decision_number",
    "decision_date",
    "period_start",
    "period_end",
    "disclosure_class",
    "evidence_references",
    "notice_notified_on",
    "notice_channel",
    "notice_document_number",
    "notice_response_received",
    "reason",
    *(
        f"lp_{part}_{n}"
        for n in range(1, LINKED_PERSON_ROWS + 1)
        for part in ("role", "name", "id")
    ),
)
"""Every field of the entry and correction forms (their HTML names)."""

_FIELD_OF_PATH: dict[str, str] = {
    "record_id": "record_id",
    "list_type": "list_type",
    "subject": "subject_code",
    "subject.code": "subject_code",
    "subject.subject_type": "subject_type",
    "subject.name": "subject_name",
    "grounds": "grounds",
    "legal_basis": "legal_basis",
    "decision_document": "decision_date",
    "decision_document.number": "decision_number",
    "decision_document.date": "decision_date",
    "period": "period_end",
    "period.start": "period_start",
    "period.end": "period_end",
    "disclosure_class": "disclosure_class",
    "evidence_references": "evidence_references",
    "prior_notice": "notice_notified_on",
    "prior_notice.notified_on": "notice_notified_on",
    "prior_notice.channel": "notice_channel",
    "prior_notice.document_number": "notice_document_number",
    "prior_notice.response_received": "notice_response_received",
    "linked_persons": "lp_name_1",
    "reason": "reason",
    "deletion_ground": "deletion_ground",
    "ground_arose_on": "ground_arose_on",
}
_LINKED = re.compile(r"^linked_persons\.(\d+)(?:\.(role|name|resident_id))?")


def form_field_of(path: str) -> str | None:
    """The form field a service's problem names (`body.period.end` → `period_end`), or None
    when the form has no field for it (shown above the form)."""
    path = path.removeprefix("body.").removeprefix("body")
    linked = _LINKED.match(path)
    if linked:
        row = int(linked.group(1)) + 1
        part = {"resident_id": "id", None: "name"}.get(linked.group(2), linked.group(2))
        return f"lp_{part}_{row}" if row <= LINKED_PERSON_ROWS else "lp_name_1"
    while path:
        if path in _FIELD_OF_PATH:
            return _FIELD_OF_PATH[path]
        if "." not in path:
            break
        path = path.rsplit(".", 1)[0]
    return None


@dataclass
class Problems:
    """A refusal's problems: per form field, and those no field of the form carries."""

    by_field: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)


def problems_of(found: list[dict[str, Any]], fallback: str = "") -> Problems:
    """Trigger's `detail: [{field, reason, message}]`, placed beside the form's fields."""
    placed = Problems()
    for problem in found:
        text = str(problem.get("message") or problem.get("reason") or problem)
        reason = problem.get("reason")
        if isinstance(reason, str) and reason not in text:
            text = f"{text} ({reason})"
        name = form_field_of(str(problem.get("field", "")))
        if name is None:
            placed.general.append(text)
        else:
            placed.by_field.setdefault(name, []).append(text)
    if not found and fallback:
        placed.general.append(fallback)
    return placed


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _content(form: Mapping[str, Any]) -> dict[str, Any]:
    """What a submission and a correction share, as the officer typed it (the service judges
    it: an empty date is its 422 beside the field, not the console's guess)."""
    return {
        "grounds": _text(form, "grounds"),
        "legal_basis": _text(form, "legal_basis"),
        "decision_document": {
            "number": _text(form, "decision_number"),
            "date": _text(form, "decision_date"),
        },
        "period": {"start": _text(form, "period_start"), "end": _text(form, "period_end")},
        "disclosure_class": _text(form, "disclosure_class"),
        "evidence_references": _lines(_text(form, "evidence_references")),
    }


def _prior_notice(form: Mapping[str, Any]) -> dict[str, Any] | None:
    """The prior notice (国办发〔2020〕49号), or None when its fields are all left empty."""
    notified_on = _text(form, "notice_notified_on")
    number = _text(form, "notice_document_number")
    if not notified_on and not number:
        return None
    return {
        "notified_on": notified_on,
        "channel": _text(form, "notice_channel") or "in_person",
        "document_number": number,
        "response_received": _text(form, "notice_response_received") in {"on", "true", "1"},
    }


def submission_of(form: Mapping[str, Any]) -> dict[str, Any]:
    """The new-entry form as trigger's `ListEntrySubmission`."""
    body: dict[str, Any] = {
        "record_id": _text(form, "record_id"),
        "subject": {
            "code": _text(form, "subject_code").upper(),
            "subject_type": _text(form, "subject_type"),
            "name": _text(form, "subject_name"),
        },
        "list_type": _text(form, "list_type"),
        **_content(form),
        "linked_persons": [
            {
                "role": _text(form, f"lp_role_{n}"),
                "name": _text(form, f"lp_name_{n}"),
                "resident_id": _text(form, f"lp_id_{n}").upper(),
            }
            for n in range(1, LINKED_PERSON_ROWS + 1)
            if _text(form, f"lp_name_{n}") or _text(form, f"lp_id_{n}")
        ],
    }
    notice = _prior_notice(form)
    if notice is not None:
        body["prior_notice"] = notice
    return body


def correction_of(entry: Mapping[str, Any], form: Mapping[str, Any]) -> dict[str, Any]:
    """A correction (`EntryCorrection`): the edited content over the entry as it stands. The
    subject, list type, linked persons and court case are the entry's own (a correction may
    not change who or which list, DOMAIN.md §7: revoke and post anew); the prior notice is
    left out, so the entry keeps its notice."""
    return {
        "subject": entry["subject"],
        "list_type": entry["list_type"],
        **_content(form),
        "linked_persons": [
            {"role": p["role"], "name": p["name"], "resident_id": p["resident_id"]}
            for p in entry.get("linked_persons") or []
        ],
        "court_case": entry.get("court_case"),
        "reason": _text(form, "reason"),
    }


def correction_form(entry: Mapping[str, Any]) -> dict[str, str]:
    """The correction form's fields filled with the entry as it stands."""
    document = entry.get("decision_document") or {}
    period = entry.get("period") or {}
    return {
        "grounds": str(entry.get("grounds", "")),
        "legal_basis": str(entry.get("legal_basis", "")),
        "decision_number": str(document.get("number", "")),
        "decision_date": str(document.get("date", "")),
        "period_start": str(period.get("start", "")),
        "period_end": str(period.get("end", "")),
        "disclosure_class": str(entry.get("disclosure_class", "")),
        "evidence_references": "\n".join(entry.get("evidence_references") or []),
        "reason": "",
    }


def revocation_of(form: Mapping[str, Any]) -> dict[str, Any]:
    """`{reason, deletion_ground?, ground_arose_on?}` (the two together or neither; trigger
    says which is missing)."""
    body: dict[str, Any] = {"reason": _text(form, "reason")}
    for name in ("deletion_ground", "ground_arose_on"):
        if _text(form, name):
            body[name] = _text(form, name)
    return body


# --- bulk import -----------------------------------------------------------------------------

BulkFormat = Literal["ndjson", "csv"]
ACCEPTED = frozenset({"created", "existing"})


def bulk_format(filename: str | None, content_type: str | None) -> BulkFormat:
    """CSV by its name or type; NDJSON otherwise (trigger's two bulk formats)."""
    if (filename or "").lower().endswith(".csv") or (content_type or "").startswith("text/csv"):
        return "csv"
    return "ndjson"


@dataclass(frozen=True)
class BulkRow:
    """One line of the officer's file as trigger answered it."""

    line: int
    record_id: str | None
    accepted: bool
    status: str
    entry_id: str | None
    reasons: tuple[str, ...]


@dataclass
class BulkAnswer:
    rows: list[BulkRow] = field(default_factory=list)
    summary: dict[str, Any] | None = None
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "results": [
                {
                    "line": r.line,
                    "record_id": r.record_id,
                    "accepted": r.accepted,
                    "status": r.status,
                    "entry_id": r.entry_id,
                    "reasons": list(r.reasons),
                }
                for r in self.rows
            ],
            "summary": self.summary,
            "error": self.error,
        }


def line_offset(fmt: BulkFormat, first_line: int) -> int:
    """What to add to trigger's line number to get the file's: a chunk's NDJSON lines are
    numbered from 1; a CSV chunk is sent as the header then its records, the header being
    trigger's line 1 and the chunk's first record (the file's `first_line`) its line 2."""
    return first_line - (2 if fmt == "csv" else 1)


def bulk_answer(text: str, offset: int = 0) -> BulkAnswer:
    """Trigger's NDJSON answer: `{line, record_id, status, entry_id, problems}` per line, then
    `{"summary"}`, or a last `{"error", "message"}` (services/trigger/README.md "Bulk import")."""
    answer = BulkAnswer()
    for raw in text.splitlines():
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(item, dict):
            continue
        if "summary" in item and "line" not in item:
            if isinstance(item.get("error"), str):
                answer.error = str(item.get("message") or item["error"])
            answer.summary = item["summary"] if isinstance(item["summary"], dict) else None
            continue
        if isinstance(item.get("error"), str):
            answer.error = str(item.get("message") or item["error"])
            continue
        problems = item.get("problems") or []
        answer.rows.append(
            BulkRow(
                line=int(item.get("line", 0)) + offset,
                record_id=item.get("record_id"),
                accepted=item.get("status") in ACCEPTED,
                status=str(item.get("status", "")),
                entry_id=item.get("entry_id"),
                reasons=tuple(
                    f"{p.get('field', '')}: {p.get('message') or p.get('reason')}"
                    if isinstance(p, dict)
                    else str(p)
                    for p in problems
                ),
            )
        )
    return answer


# --- an entry's history ----------------------------------------------------------------------


@dataclass(frozen=True)
class Happening:
    """One thing that happened to an entry, for its history (oldest first)."""

    at: str
    kind: Literal["recorded", "corrected", "in_force", "suspended", "revoked", "repaired"]
    by: str
    detail: str


def history_of(entry: Mapping[str, Any]) -> list[Happening]:
    """What trigger's entry shows of its life (DOMAIN.md §5, §7, §8): each version recorded
    (the first, then each correction with its reason), when it went into force, the suspension
    while an objection or complaint is verified, its revocation or repair."""
    found: list[Happening] = []
    for version in entry.get("versions") or []:
        by = str(version.get("recorded_by", ""))
        if version.get("recorded_by_officer"):
            by = f"{by} · {version['recorded_by_officer']}"
        first = version.get("version") == 1
        found.append(
            Happening(
                at=str(version.get("recorded_at", "")),
                kind="recorded" if first else "corrected",
                by=by,
                detail=f"v{version.get('version')}"
                + ("" if first else f": {version.get('reason') or ''}"),
            )
        )
    if entry.get("in_force_since"):
        found.append(Happening(str(entry["in_force_since"]), "in_force", "", ""))
    suspension = entry.get("suspension")
    if suspension:
        found.append(
            Happening(
                str(suspension.get("since", "")),
                "suspended",
                "",
                f"{suspension.get('case_kind')} {suspension.get('case_id')}",
            )
        )
    revocation = entry.get("revocation")
    if revocation:
        by = str(revocation.get("revoked_by", ""))
        if revocation.get("revoked_by_officer"):
            by = f"{by} · {revocation['revoked_by_officer']}"
        found.append(
            Happening(str(revocation.get("revoked_at", "")), "revoked", by, revocation["reason"])
        )
    repair = entry.get("repair")
    if repair:
        found.append(
            Happening(
                str(repair.get("repaired_at", "")),
                "repaired",
                str(repair.get("repaired_by", "")),
                str(repair.get("repair_id", "")),
            )
        )
    return sorted(found, key=lambda h: h.at)


OPEN_STATES = frozenset({"awaiting_recognition", "in_force", "suspended"})
"""An entry still open: its initiating department may revoke it (and correct it, unless it
is suspended: then through the suspending case's decision, DOMAIN.md §7)."""


def may_correct(entry: Mapping[str, Any], department: str) -> bool:
    return entry.get("initiating_department") == department and entry.get(
        "status"
    ) in OPEN_STATES - {"suspended"}


def may_revoke(entry: Mapping[str, Any], department: str) -> bool:
    return entry.get("initiating_department") == department and entry.get("status") in OPEN_STATES
