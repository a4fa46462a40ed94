"""Officer accounts: create, change, deactivate, sign in (docs/security.md, "Officers").

Every change that matters to a token (roles, password, deactivation) grows the officer's
credential version and publishes `OfficerPublished` in the same transaction, so every service
refuses the officer's older tokens (as `cver` does for departments).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import anyio.to_thread
from anyio import CapacityLimiter

from jrp_registry.adapters.officers import OfficerRepository, OfficerRow
from jrp_registry.adapters.repositories import DepartmentRepository
from jrp_registry.domain import officers as rules
from jrp_registry.domain.officers import Manager
from jrp_registry.service_layer.handlers import department_roles
from jrp_shared.auth import TokenIssuer
from jrp_shared.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from jrp_shared.events.payloads import OfficerPublished
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork

log = get_logger(__name__)

SIGN_IN_REFUSED = "invalid username or password"
"""The one answer for an unknown username, a wrong password, an inactive officer or an
inactive department: it does not tell which usernames exist."""


@dataclass(frozen=True)
class Authorities:
    """The settings that give departments their roles (`RegistrySettings`)."""

    administrators: frozenset[str]
    portals: frozenset[str]


def normalised_username(username: str) -> str:
    name = username.strip().lower()
    if not rules.USERNAME_PATTERN.fullmatch(name):
        raise InvalidInput.for_field(
            "username",
            "username_format",
            "a username has 2 to 40 characters: lower-case letters, digits, '.', '_', '-', "
            "starting with a letter or digit",
        )
    return name


def new_password() -> str:
    """An initial password, shown once to the administrator who created or reset the account."""
    return secrets.token_urlsafe(18)


def _publish(uow: UnitOfWork, officer: OfficerRow) -> None:
    uow.emit(
        OfficerPublished(
            officer_id=officer.id,
            department_code=officer.department_code,
            active=officer.active,
            credential_version=officer.credential_version,
        )
    )


async def _checked_roles(
    uow: UnitOfWork, department_code: str, roles: frozenset[str], authorities: Authorities
) -> frozenset[str]:
    unknown = rules.unknown_roles(roles)
    if unknown:
        raise InvalidInput.for_field(
            "roles",
            "unknown_role",
            f"unknown officer roles {unknown}; use initiator, implementer, reviewer or "
            "administrator",
        )
    try:
        held = await department_roles(
            uow, department_code, authorities.administrators, authorities.portals
        )
    except NotFound as exc:
        raise InvalidInput.for_field(
            "department", "unknown_department", f"no active department {department_code}"
        ) from exc
    excess = sorted(roles - rules.allowed_roles(roles, held))
    if excess:
        raise InvalidInput.for_field(
            "roles",
            "role_not_held",
            f"department {department_code} does not hold the powers for {excess}; an officer "
            "never holds more than its department",
        )
    return roles


async def _found(repo: OfficerRepository, officer_id: str) -> OfficerRow:
    found = await repo.get(officer_id)
    if found is None:
        raise NotFound(f"no officer {officer_id}")
    return found


async def managed(repo: OfficerRepository, officer_id: str, manager: Manager) -> OfficerRow:
    """The officer, when `manager` may manage it (its own department's, or the office)."""
    found = await _found(repo, officer_id)
    manager.require_department(found.department_code)
    return found


async def create_officer(
    uow: UnitOfWork,
    *,
    username: str,
    display_name: str,
    department_code: str,
    roles: frozenset[str],
    authorities: Authorities,
    by: str,
    hashing: CapacityLimiter,
    password: str | None = None,
    manager: Manager | None = None,
) -> tuple[OfficerRow, str]:
    """A new active officer and its initial password (returned once): `password` when given
    (an operator's bootstrap from a secret; it must meet the policy), else a generated one.
    `manager` (None: the operator's command line) may create it only in its own department
    and with roles within its own powers (`rules.manager_of`)."""
    if manager is not None:
        manager.require_department(department_code)
        manager.require_within_powers(roles)
    name = normalised_username(username)
    await _checked_roles(uow, department_code, roles, authorities)
    repo = OfficerRepository(uow.session)
    if await repo.by_username(name) is not None:
        raise Conflict(f"username {name} is taken; choose another")
    if password is None:
        password = new_password()
    else:
        problem = rules.password_problem(password, username=name)
        if problem is not None:
            raise InvalidInput.for_field("password", problem.reason, problem.message)
    password_hash = await anyio.to_thread.run_sync(rules.hash_password, password, limiter=hashing)
    officer_id = f"officer-{secrets.token_hex(6)}"
    await repo.add(
        officer_id=officer_id,
        username=name,
        display_name=display_name,
        department_code=department_code,
        roles=roles,
        password_hash=password_hash,
        by=by,
    )
    officer = await _found(repo, officer_id)
    _publish(uow, officer)
    await uow.commit()
    log.info("officer created", officer=officer_id, department=department_code, by=by)
    return officer, password


async def set_roles(
    uow: UnitOfWork,
    officer_id: str,
    roles: frozenset[str],
    *,
    authorities: Authorities,
    by: str,
    manager: Manager | None = None,
) -> OfficerRow:
    """New roles; the officer's tokens issued before are revoked. `manager`: as for
    `create_officer`."""
    repo = OfficerRepository(uow.session)
    officer = await _found(repo, officer_id)
    if manager is not None:
        manager.require_department(officer.department_code)
        manager.require_within_powers(roles)
    await _checked_roles(uow, officer.department_code, roles, authorities)
    await repo.change(officer_id, by, roles=roles)
    changed = await _found(repo, officer_id)
    _publish(uow, changed)
    await uow.commit()
    return changed


async def deactivate(
    uow: UnitOfWork, officer_id: str, *, by: str, manager: Manager | None = None
) -> OfficerRow:
    """The officer may no longer sign in; every token it holds is revoked."""
    repo = OfficerRepository(uow.session)
    officer = await _found(repo, officer_id)
    if manager is not None:
        manager.require_department(officer.department_code)
    if not officer.active:
        return officer
    await repo.change(officer_id, by, active=False)
    changed = await _found(repo, officer_id)
    _publish(uow, changed)
    await uow.commit()
    log.info("officer deactivated", officer=officer_id, by=by)
    return changed


async def reset_password(
    uow: UnitOfWork,
    officer_id: str,
    *,
    by: str,
    hashing: CapacityLimiter,
    manager: Manager | None = None,
) -> tuple[OfficerRow, str]:
    """A new initial password (returned once); the officer's tokens are revoked."""
    repo = OfficerRepository(uow.session)
    officer = await _found(repo, officer_id)
    if manager is not None:
        manager.require_department(officer.department_code)
    password = new_password()
    password_hash = await anyio.to_thread.run_sync(rules.hash_password, password, limiter=hashing)
    await repo.change(officer_id, by, password_hash=password_hash)
    changed = await _found(repo, officer_id)
    _publish(uow, changed)
    await uow.commit()
    return changed, password


async def change_own_password(
    uow: UnitOfWork,
    officer_id: str,
    *,
    current_password: str,
    new_password: str,
    hashing: CapacityLimiter,
) -> OfficerRow:
    """The officer changes its own password, proving the current one; its tokens are revoked
    (it signs in again)."""
    repo = OfficerRepository(uow.session)
    officer = await repo.get(officer_id)
    stored = officer.password_hash if officer is not None and officer.active else None
    matches = await anyio.to_thread.run_sync(
        rules.password_matches, current_password, stored, limiter=hashing
    )
    if officer is None or not matches:
        raise Unauthenticated("the current password is wrong")
    problem = rules.password_problem(new_password, username=officer.username)
    if problem is not None:
        raise InvalidInput.for_field("new_password", problem.reason, problem.message)
    password_hash = await anyio.to_thread.run_sync(
        rules.hash_password, new_password, limiter=hashing
    )
    await repo.change(officer_id, officer_id, password_hash=password_hash)
    changed = await _found(repo, officer_id)
    _publish(uow, changed)
    await uow.commit()
    return changed


async def sign_in(
    uow: UnitOfWork,
    issuer: TokenIssuer,
    *,
    username: str,
    password: str,
    authorities: Authorities,
    hashing: CapacityLimiter,
    ttl_seconds: int,
) -> tuple[str, int]:
    """A short-lived token for an officer with the right password: `sub` its department (so
    every route's authority check holds), `officer` its id, `over` its credential version,
    roles its own intersected with its department's now. One verification runs for every
    answer (a dummy one for an unknown username), so timing does not tell who exists."""
    officer = await _usable(uow, username)
    stored = officer.password_hash if officer is not None else None
    matches = await anyio.to_thread.run_sync(
        rules.password_matches, password, stored, limiter=hashing
    )
    if not matches or officer is None:
        raise Unauthenticated(SIGN_IN_REFUSED)
    return await _issue(uow, issuer, officer, authorities, ttl_seconds, how="password")


async def sign_in_federated(
    uow: UnitOfWork,
    issuer: TokenIssuer,
    *,
    username: str,
    authorities: Authorities,
    ttl_seconds: int,
) -> tuple[str, int]:
    """The same token for an officer an external OpenID Connect provider has authenticated
    (its ID token verified by the caller): no password is looked at."""
    officer = await _usable(uow, username)
    if officer is None:
        raise Unauthenticated("the provider's user is no active officer of the registry")
    return await _issue(uow, issuer, officer, authorities, ttl_seconds, how="oidc")


async def _usable(uow: UnitOfWork, username: str) -> OfficerRow | None:
    """The active officer of an active department with that username, or None."""
    officer = await OfficerRepository(uow.session).by_username(username.strip().lower())
    if officer is None or not officer.active:
        return None
    department = await DepartmentRepository(uow.session).get(officer.department_code)
    return officer if department is not None and department[1] else None


async def _issue(
    uow: UnitOfWork,
    issuer: TokenIssuer,
    officer: OfficerRow,
    authorities: Authorities,
    ttl_seconds: int,
    *,
    how: str,
) -> tuple[str, int]:
    repo = OfficerRepository(uow.session)
    held = await department_roles(
        uow, officer.department_code, authorities.administrators, authorities.portals
    )
    version = await DepartmentRepository(uow.session).credential_version(officer.department_code)
    await repo.signed_in(officer.id)
    await uow.commit()
    log.info("officer signed in", officer=officer.id, department=officer.department_code, how=how)
    return issuer.issue(
        officer.department_code,
        rules.token_roles(officer.roles, held),
        ttl_seconds=ttl_seconds,
        credential_version=version,
        officer=officer.id,
        officer_version=officer.credential_version,
    )
