"""Validation of the two subject identifiers (DOMAIN.md §2).

* USCC (统一社会信用代码, GB 32100-2015) for legal persons and organisations.
* Resident ID (公民身份号码, GB 11643-1999) for natural persons.

Errors are :class:`IdentifierError` with a machine ``reason``, the 1-based ``position`` at fault
and a human message; the pydantic types :data:`Uscc` and :data:`ResidentId` turn them into
``PydanticCustomError`` of type ``"{kind}_{reason}"`` so API clients get the same detail.

A resident ID is personal information (DOMAIN.md §2): error messages here never echo it, and
:func:`mask_resident_id` is the form for logs and public output. Models that accept a
:data:`ResidentId` should set ``hide_input_in_errors=True`` so pydantic does not echo it either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

__all__ = [
    "USCC_ALPHABET",
    "IdentifierError",
    "IdentifierKind",
    "OrganisationCodePolicy",
    "ResidentId",
    "Uscc",
    "UsccCheck",
    "birth_date_of",
    "mask_resident_id",
    "organisation_code_check_character",
    "resident_id_check_character",
    "shown_subject_code",
    "uscc_check_character",
    "validate_resident_id",
    "validate_uscc",
]

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 USCC symbols: digits and capitals without I, O, S, V, Z (DOMAIN.md §2)."""

IdentifierKind = Literal["uscc", "resident_id"]
OrganisationCodePolicy = Literal["warn", "reject"]

_LENGTH = 18
# GB 32100-2015: weight of position i is 3^(i-1) mod 31.
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# GB 11714 organisation code (USCC positions 9-17): weights of its first 8 characters.
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# ISO 7064 MOD 11-2 as used by GB 11643-1999.
_RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_ID_CHECK = "10X98765432"
_EARLIEST_BIRTH_YEAR = 1900


class IdentifierError(ValueError):
    """An identifier failed validation.

    ``reason`` is a short machine code (``length``, ``character``, ``check_character``,
    ``organisation_code_check``, ``birth_date``); ``position`` is 1-based or ``None`` when the
    fault is not at one position (wrong length).
    """

    def __init__(
        self, kind: IdentifierKind, reason: str, message: str, position: int | None = None
    ) -> None:
        super().__init__(message)
        self.kind: IdentifierKind = kind
        self.reason = reason
        self.position = position
        self.message = message

    @property
    def error_type(self) -> str:
        """The pydantic error type, e.g. ``uscc_check_character``."""
        return f"{self.kind}_{self.reason}"


@dataclass(frozen=True)
class UsccCheck:
    """Outcome of :func:`validate_uscc`.

    ``organisation_code_valid`` is kept visible because it is not confirmed that every code in
    real registers passes the GB 11714 check (DOMAIN.md §2); store ``warnings`` on the record.
    """

    code: str
    organisation_code_valid: bool
    warnings: tuple[str, ...] = ()


# --- USCC -----------------------------------------------------------------------------------


def uscc_check_character(first17: str) -> str:
    """The GB 32100-2015 check character (position 18) for the first 17 USCC characters."""
    code = first17.strip().upper()
    _check_length(code, 17, "uscc", "USCC body")
    _check_uscc_alphabet(code)
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def organisation_code_check_character(first8: str) -> str:
    """The GB 11714 check character of an organisation code from its first 8 characters."""
    if len(first8) != 8 or not all(c.isdigit() or "A" <= c <= "Z" for c in first8):
        raise ValueError("an organisation code body is 8 characters from 0-9 and A-Z")
    # int(c, 36) maps digits to 0-9 and A-Z to 10-35, as GB 11714 does.
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_uscc(
    value: str, *, organisation_code_policy: OrganisationCodePolicy = "warn"
) -> UsccCheck:
    """Validate and normalise a USCC (DOMAIN.md §2).

    The final check character (position 18) is decisive. The organisation-code check over
    positions 9-17 only warns by default; with ``organisation_code_policy="reject"`` a failure
    raises :class:`IdentifierError` (reason ``organisation_code_check``, position 17).
    """
    code = value.strip().upper()
    _check_length(code, _LENGTH, "uscc", "USCC")
    _check_uscc_alphabet(code)
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise IdentifierError(
            "uscc",
            "check_character",
            f"USCC check character (position 18) is '{code[17]}' but should be '{expected}'",
            18,
        )
    return _organisation_code_outcome(code, organisation_code_policy)


def _organisation_code_outcome(code: str, policy: OrganisationCodePolicy) -> UsccCheck:
    org_code = code[8:17]
    expected = organisation_code_check_character(org_code[:8])
    if org_code[8] == expected:
        return UsccCheck(code=code, organisation_code_valid=True)
    message = (
        f"USCC organisation code (positions 9-17) check character (position 17) is "
        f"'{org_code[8]}' but GB 11714 gives '{expected}'"
    )
    if policy == "reject":
        raise IdentifierError("uscc", "organisation_code_check", message, 17)
    return UsccCheck(code=code, organisation_code_valid=False, warnings=(message,))


def _check_uscc_alphabet(code: str) -> None:
    for position, char in enumerate(code, start=1):
        if char not in USCC_ALPHABET:
            raise IdentifierError(
                "uscc",
                "character",
                f"USCC position {position} {char!r} is not in the USCC alphabet (no I, O, S, V, Z)",
                position,
            )


# --- Resident ID ----------------------------------------------------------------------------


def resident_id_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character (position 18) for the first 17 digits."""
    body = first17.strip()
    _check_length(body, 17, "resident_id", "resident ID body")
    _check_resident_id_digits(body)
    total = sum(int(c) * w for c, w in zip(body, _RESIDENT_ID_WEIGHTS, strict=True))
    return _RESIDENT_ID_CHECK[total % 11]


def validate_resident_id(value: str, *, today: date | None = None) -> str:
    """Validate a resident ID and return it normalised (upper-case ``X``), DOMAIN.md §2.

    Positions 7-14 must be a real date, not before 1900 and not after ``today`` (default: the
    current date). Messages never echo the ID or the birth date: they are personal information.
    """
    code = value.strip().upper()
    _check_length(code, _LENGTH, "resident_id", "resident ID")
    _check_resident_id_digits(code[:17])
    if not (code[17].isdigit() or code[17] == "X"):
        raise IdentifierError(
            "resident_id",
            "character",
            "resident ID position 18 must be a digit or 'X'",
            18,
        )
    _parse_birth_date(code, today or date.today())
    expected = resident_id_check_character(code[:17])
    if code[17] != expected:
        raise IdentifierError(
            "resident_id",
            "check_character",
            f"resident ID check character (position 18) is '{code[17]}' but should be '{expected}'",
            18,
        )
    return code


def birth_date_of(resident_id: str) -> date:
    """The birth date encoded in positions 7-14 of a (validated) resident ID."""
    code = validate_resident_id(resident_id)
    return date(int(code[6:10]), int(code[10:12]), int(code[12:14]))


def mask_resident_id(value: str) -> str:
    """Mask a resident ID for logs and public output: first 6, 8 stars, last 4 (DOMAIN.md §2).

    Does not validate, so it is safe on bad input; anything not 18 characters long is masked
    entirely rather than risk showing part of a malformed ID.
    """
    code = value.strip()
    if len(code) != _LENGTH:
        return "*" * len(code)
    return f"{code[:6]}{'*' * 8}{code[14:]}"


def shown_subject_code(value: str) -> str:
    """A subject code as it may be shown where its subject type is not at hand: an
    organisation's USCC whole, anything that could be a resident ID masked (DOMAIN.md §2). A code
    is shown only when it is a valid USCC and not also a valid resident ID; in doubt, masked."""
    try:
        validate_uscc(value)
    except IdentifierError:
        return mask_resident_id(value)
    try:
        validate_resident_id(value)
    except IdentifierError:
        return value.strip().upper()
    return mask_resident_id(value)


def _check_resident_id_digits(body: str) -> None:
    for position, char in enumerate(body, start=1):
        if not char.isascii() or not char.isdigit():
            raise IdentifierError(
                "resident_id",
                "character",
                f"resident ID position {position} must be a digit",
                position,
            )


def _parse_birth_date(code: str, today: date) -> date:
    def fail(why: str) -> IdentifierError:
        return IdentifierError(
            "resident_id", "birth_date", f"resident ID birth date (positions 7-14) {why}", 7
        )

    try:
        born = date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        raise fail("is not a real calendar date") from None
    if born.year < _EARLIEST_BIRTH_YEAR:
        raise fail(f"is before {_EARLIEST_BIRTH_YEAR}")
    if born > today:
        raise fail("is in the future")
    return born


# --- Shared helpers and pydantic types ------------------------------------------------------


def _check_length(code: str, expected: int, kind: IdentifierKind, label: str) -> None:
    if len(code) != expected:
        raise IdentifierError(
            kind, "length", f"{label} must be {expected} characters, got {len(code)}"
        )


def _as_pydantic_error(error: IdentifierError) -> PydanticCustomError:
    # The message is passed through ctx rather than used as the template so that characters
    # from the input (e.g. '{') are never interpreted as template placeholders.
    return PydanticCustomError(
        error.error_type,
        "{message}",
        {"message": error.message, "position": error.position, "reason": error.reason},
    )


def _pydantic_uscc(value: str) -> str:
    try:
        return validate_uscc(value).code
    except IdentifierError as error:
        raise _as_pydantic_error(error) from None


def _pydantic_resident_id(value: str) -> str:
    try:
        return validate_resident_id(value)
    except IdentifierError as error:
        raise _as_pydantic_error(error) from None


Uscc = Annotated[str, AfterValidator(_pydantic_uscc)]
"""A USCC, normalised; organisation-code failures are accepted (policy "warn")."""

ResidentId = Annotated[str, AfterValidator(_pydantic_resident_id)]
"""A resident ID, normalised to upper-case ``X``."""
