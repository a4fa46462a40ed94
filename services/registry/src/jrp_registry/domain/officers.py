"""Officers: the people of a department who sign in (docs/security.md, "Officers").

An officer belongs to one department and holds roles among initiator, implementer, reviewer
and administrator, never more than its department's powers allow: a token names the
department (谁主管、谁负责, DOMAIN.md §5, 002 二(一)1), so an officer acts within its
department's authority and no further. Passwords are hashed with Argon2id (`argon2-cffi`, the
maintained binding of the reference implementation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from jrp_shared.auth import (
    ROLE_ADMINISTRATOR,
    ROLE_IMPLEMENTER,
    ROLE_INITIATOR,
    ROLE_REVIEWER,
    Principal,
)
from jrp_shared.errors import Forbidden

PASSWORD_MIN_LENGTH: Final = 12
PASSWORD_MAX_LENGTH: Final = 128
"""Bounded so that hashing a submitted password costs a known amount (no hashing DoS)."""
USERNAME_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")

OFFICER_ROLES: Final = frozenset(
    {ROLE_INITIATOR, ROLE_IMPLEMENTER, ROLE_REVIEWER, ROLE_ADMINISTRATOR}
)
"""Roles an officer may be given. `reviewer` decides objections, complaints and repairs; every
department that initiates or implements may have reviewers (it decides its own cases)."""

_HASHER: Final = PasswordHasher()
_DUMMY_HASH: Final = _HASHER.hash("not a password of anyone - dummy")
"""Verified against when the username is unknown or inactive: the answer takes as long as
for a known officer, so its timing does not tell which usernames exist."""


@dataclass(frozen=True)
class PasswordProblem:
    reason: str
    message: str


def password_problem(password: str, *, username: str | None = None) -> PasswordProblem | None:
    """Why `password` may not be set, or None. Length 12 to 128 characters, not the username."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return PasswordProblem(
            "too_short", f"a password has at least {PASSWORD_MIN_LENGTH} characters"
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        return PasswordProblem(
            "too_long", f"a password has at most {PASSWORD_MAX_LENGTH} characters"
        )
    if username is not None and username.lower() in password.lower():
        return PasswordProblem("contains_username", "a password may not contain the username")
    if len(set(password)) < 4:
        return PasswordProblem("too_simple", "use a password with more different characters")
    return None


def hash_password(password: str) -> str:
    """Argon2id, with the library's current parameters. CPU-bound: call it off the event loop."""
    return _HASHER.hash(password)


def password_matches(password: str, stored: str | None) -> bool:
    """Whether `password` verifies against `stored`. Always runs one verification (against a
    dummy hash without a usable stored one), so every answer costs the same; a damaged stored
    hash refuses, it never raises."""
    usable = stored is not None and stored.startswith("$argon2")
    try:
        return _HASHER.verify(stored if usable and stored else _DUMMY_HASH, password) and usable
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def allowed_roles(requested: frozenset[str], department_roles: frozenset[str]) -> frozenset[str]:
    """The roles an officer may hold in a department with `department_roles`: initiator,
    implementer and administrator only when the department holds them; reviewer when the
    department initiates or implements (it decides objections to its own entries and
    orders)."""
    grantable = set(department_roles & OFFICER_ROLES)
    if department_roles & {ROLE_INITIATOR, ROLE_IMPLEMENTER, ROLE_ADMINISTRATOR}:
        grantable.add(ROLE_REVIEWER)
    return frozenset(requested & grantable)


def unknown_roles(requested: frozenset[str]) -> list[str]:
    return sorted(requested - OFFICER_ROLES)


def token_roles(officer_roles: frozenset[str], department_roles: frozenset[str]) -> frozenset[str]:
    """The roles an officer's token carries: its own, intersected with what its department
    holds now (a department that lost a power takes it from its officers at once)."""
    return allowed_roles(officer_roles, department_roles)


@dataclass(frozen=True)
class Manager:
    """Who manages officer accounts, and whose: the office (`department` None: every
    department's), or one department its own (谁主管、谁负责, DOMAIN.md §5, 002 二(一)1)."""

    by: str
    """Who, for the accounts' audit columns (`Principal.decided_by`)."""
    department: str | None
    powers: frozenset[str] | None
    """The roles the caller holds, which a department never exceeds in its officers' (None for
    the office: the officer's department's powers alone bound them)."""

    def require_department(self, department_code: str) -> None:
        """Refuse to act on another department's officers."""
        if self.department is not None and department_code != self.department:
            raise Forbidden(
                f"department {self.department} manages its own officers only, not those of "
                f"{department_code}"
            )

    def require_within_powers(self, roles: frozenset[str]) -> None:
        """Refuse roles beyond the managing department's own powers."""
        if self.powers is None:
            return
        excess = sorted(roles - allowed_roles(roles, self.powers))
        if excess:
            raise Forbidden(
                f"department {self.department} may not give roles beyond its own powers: {excess}"
            )


def manager_of(principal: Principal) -> Manager:
    """The office's administrators (its system token, or one of its officers holding the
    administrator role) manage every department's officers; a department's own system
    credential (a department token naming no officer) manages its own; an officer's token
    otherwise manages none (an officer acts on the department's business, not its accounts)."""
    principal.require_department()
    if ROLE_ADMINISTRATOR in principal.roles:
        return Manager(principal.decided_by, None, None)
    if principal.officer is not None:
        raise Forbidden(
            "an officer's token may not manage officers; the department's own system "
            "credential or the office does"
        )
    return Manager(principal.decided_by, principal.department_code, principal.roles)
