"""What a batch must-check must say and what it may not be (DOMAIN.md §6, §2). No I/O here.

A check is made for a decision: a licence, an approval, a subsidy, a tender… So a batch names
its purpose and the department's business reference (its own case or item id), which the
audit keeps with the batch. A batch is not a way to find people: many resident IDs that share
one masked pattern (`350102********1236`: the same first six and last four characters) are an
enumeration of the hidden digits (issue 11: 2,293 such codes found one listed person), and are
refused; a batch with many natural persons is answered but flagged for the joint conference
office to review (docs/security.md, "Who may do what").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from jrp_shared.errors import InvalidInput
from jrp_shared.identifiers import mask_resident_id
from jrp_shared.vocabulary import CheckPurpose

__all__ = ["BatchPolicy", "BatchReview", "CheckPurpose", "review_batch"]


@dataclass(frozen=True)
class BatchPolicy:
    max_codes_per_mask: int = 50
    """Resident IDs of one batch that may share a masked pattern; more are refused."""
    flag_persons_over: int = 1_000
    """A batch with more natural-person codes than this is flagged to the office."""


@dataclass(frozen=True)
class BatchReview:
    persons: int
    """Codes shaped like a resident ID."""
    largest_mask_group: int
    flags: tuple[str, ...]
    """Why the office should look at the batch (empty: nothing to look at)."""


_MONTHS = frozenset(f"{m:02d}" for m in range(1, 13))
_DAYS = frozenset(f"{d:02d}" for d in range(1, 32))


def _person_shaped(code: str) -> bool:
    """A resident ID's shape: 17 digits with a birth date (18xx-20xx) at positions 7-14 (§2).
    Many USCCs are all digits too; their positions 7-8 (the division's last digits) and 11-14
    rarely pass for a date. Cheap string tests: a batch carries up to 100,000 codes."""
    return (
        len(code) == 18
        and code[6:8] in ("18", "19", "20")
        and code[10:12] in _MONTHS
        and code[12:14] in _DAYS
        and code[:17].isdigit()
    )


def review_batch(codes: Sequence[str], policy: BatchPolicy) -> BatchReview:
    """The batch's review before anything is answered: InvalidInput (422, naming the limit)
    when it enumerates a masked resident ID; flags when the office should look at it."""
    masks: Counter[str] = Counter()
    for raw in codes:
        code = raw if len(raw) == 18 else raw.strip()
        if _person_shaped(code):
            masks[code[:6] + code[14:].upper()] += 1
    persons = sum(masks.values())
    largest = 0
    if masks:
        mask, largest = masks.most_common(1)[0]
        if largest > policy.max_codes_per_mask:
            shown = mask_resident_id(mask[:6] + "0" * 8 + mask[6:])
            raise InvalidInput.for_field(
                "body.codes",
                "enumerating_batch",
                f"{largest} resident IDs share the masked pattern {shown}; a batch may carry at "
                f"most {policy.max_codes_per_mask} (a person is checked by the whole ID, not "
                "found by trying the hidden digits)",
                limit=policy.max_codes_per_mask,
            )
    flags = []
    if persons > policy.flag_persons_over:
        flags.append(f"{persons} natural persons (more than {policy.flag_persons_over})")
    return BatchReview(persons=persons, largest_mask_group=largest, flags=tuple(flags))
