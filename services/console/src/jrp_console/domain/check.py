"""The must-check answer as an officer needs it (应查必查, DOMAIN.md §6; docs/must-check.md):
what was typed (a code, or a name to search the registry by), and enforcement's answer made
into one row per measure due with the entry that calls for it (its list type, decision and
legal basis)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from jrp_shared.identifiers import shown_subject_code

_CODE = re.compile(r"^[0-9A-Z]{18}$")


def as_code(text: str) -> str | None:
    """The 18-character code typed (a USCC or a resident ID, DOMAIN.md §2), upper-cased; None
    when the text is a name to search by. Enforcement judges the code itself (its 422)."""
    cleaned = text.strip().upper()
    return cleaned if _CODE.match(cleaned) else None


def shown_code(code: str) -> str:
    """The code as the page may show it: a resident ID masked (DOMAIN.md §2)."""
    return shown_subject_code(code)


def is_masked(code: str) -> bool:
    """A registry search result whose code is masked (a natural person found by name): it
    cannot be checked from the list; the officer types the whole resident ID."""
    return "*" in code


Kind = Literal["mandatory", "recommended", "reward"]


@dataclass(frozen=True)
class MeasureDue:
    """A measure the asking department is to apply (or grant), with the entry behind it."""

    kind: Kind
    code: str
    content: str
    content_en: str
    measure_kind: str
    legal_basis: str
    entry_id: str
    list_type: str
    list_type_name: str
    colour: str
    decision_number: str
    entry_legal_basis: str


def measures_due(answer: Mapping[str, Any]) -> list[MeasureDue]:
    """Every measure of the answer, once per entry calling for it: mandatory first, then
    recommended, then rewards (the order enforcement gives within each)."""
    entries = {e["entry_id"]: e for e in answer.get("entries") or []}
    rows: list[MeasureDue] = []
    groups: tuple[tuple[Kind, str], ...] = (
        ("mandatory", "mandatory_measures"),
        ("recommended", "recommended_measures"),
        ("reward", "rewards"),
    )
    for kind, key in groups:
        for measure in answer.get(key) or []:
            for entry_id in measure.get("entry_ids") or [""]:
                entry = entries.get(entry_id, {})
                rows.append(
                    MeasureDue(
                        kind=kind,
                        code=str(measure.get("code", "")),
                        content=str(measure.get("content", "")),
                        content_en=str(measure.get("content_en", "")),
                        measure_kind=str(measure.get("kind", "")),
                        legal_basis=str(measure.get("legal_basis", "")),
                        entry_id=entry_id,
                        list_type=str(entry.get("list_type", "")),
                        list_type_name=str(entry.get("list_type_name", "")),
                        colour=str(entry.get("colour", "")),
                        decision_number=str(
                            (entry.get("decision_document") or {}).get("number", "")
                        ),
                        entry_legal_basis=str(entry.get("legal_basis", "")),
                    )
                )
    return rows


def suspended_entry_ids(answer: Mapping[str, Any]) -> list[str]:
    """The entries suspended pending an objection or complaint (DOMAIN.md §7): shown, but
    calling for no measure meanwhile."""
    return [e["entry_id"] for e in answer.get("entries") or [] if e.get("status") == "suspended"]
