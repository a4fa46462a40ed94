"""Authentication: OAuth2 client credentials issuing short-lived signed JWTs.

The registry holds the private key and issues tokens (`POST /v1/oauth/token`); every service
verifies them with the public key, so every call is attributed to a department or refused
(401 without a valid token, 403 without the needed role).

Subjects are not departments (DOMAIN.md §7, §8): a subject acts through a portal client, a
department with the `portal` role that has verified the person or organisation itself (real-
name check, out of scope here). The portal exchanges its own token for a short-lived *subject
token* (`POST /v1/oauth/subject-token`) naming one subject code and the portal as the acting
party (the `act` claim of RFC 8693). A subject token only ever reaches that subject's own
entries and cases, and is refused wherever a department is required.

Signing keys carry a key id (`kid`, the RFC 7638 thumbprint of the public key). The registry
publishes every key a token may be signed with (`GET /.well-known/jwks.json`) and a verifier
accepts any key of its set, so a new key is introduced before it signs and an old one stays
until its last token has expired (docs/security.md, "Tokens": the rotation procedure).

Revocation: a department's tokens carry its credential version (`cver`), which grows when its
secret is set or its roles change; every service follows the registry's `departments.v1` and
refuses a token older than the department's current version, or of an inactive department
(`CredentialStates`). A subject token carries its portal's version.

Officers (docs/security.md, "Officers"): a person of a department signs in at the registry
(`POST /v1/oauth/officer-token`) and gets a token naming the department (`sub`, so every route's
authority check works unchanged), the officer (`officer` claim, its id) and the officer's roles
(never more than the department's). It carries the department's `cver` and the officer's own
credential version (`over`), which grows when the officer is deactivated or its roles or
password change; `departments.v1` carries `OfficerPublished` so every service refuses an older
one. `Principal.decided_by` names `department/officer` for audit.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from jrp_shared.errors import Forbidden, Unauthenticated

ALGORITHM: Final = "EdDSA"
_LEEWAY_SECONDS: Final = 30
_CACHE_SIZE: Final = 10_000

ROLE_INITIATOR: Final = "initiator"
"""May post list entries for the list types the catalog lets it initiate."""
ROLE_IMPLEMENTER: Final = "implementer"
"""Receives sanction orders and reports feedback."""
ROLE_ADMINISTRATOR: Final = "administrator"
"""The joint conference office: maintains departments, the catalog and the calendar."""
ROLE_PORTAL: Final = "portal"
"""Runs the credit portal: may obtain subject tokens for subjects it has identified."""
ROLE_EXCHANGE: Final = "exchange"
"""Another credit platform (another region's, or the upper level): may submit entries carrying
their `origin` (DOMAIN.md §11) and acknowledges exchange records."""
ROLE_REVIEWER: Final = "reviewer"
"""An officer who decides objections, complaints and repairs (held by officer tokens only,
when the department's powers allow it: docs/security.md, "Officers")."""
ROLE_SUBJECT: Final = "subject"
"""Held only by subject tokens: a subject acting on its own entries through a portal."""

_SUBJECT_PREFIX: Final = "subject:"
OFFICER_ID_MAX_LENGTH: Final = 40
"""An officer id's bound (the registry's are `officer-` and 12 hex digits); columns that
record the officer who decided are this wide."""


@dataclass(frozen=True)
class Principal:
    """Who calls: a department (`department_code`), or a subject (`subject_code`, acting
    through the portal department `agent`; `department_code` is then empty)."""

    department_code: str
    roles: frozenset[str]
    subject_code: str | None = None
    agent: str | None = None
    credential_version: int | None = None
    """The `cver` the token carries (of the department, or of a subject token's portal)."""
    officer: str | None = None
    """The officer (a person of `department_code`) the token was issued to, or None for a
    department system's own token (docs/security.md, "Officers")."""
    officer_version: int | None = None
    """The officer's credential version (`over`) the token carries."""

    @property
    def is_subject(self) -> bool:
        return self.subject_code is not None

    @property
    def name(self) -> str:
        """For messages and audit rows: `subject:<code>` or the department code."""
        if self.subject_code is not None:
            return f"{_SUBJECT_PREFIX}{self.subject_code}"
        return self.department_code

    @property
    def decided_by(self) -> str:
        """Who decided, for audit: `department/officer` for an officer, else `name`."""
        if self.officer is not None:
            return f"{self.department_code}/{self.officer}"
        return self.name

    def require(self, role: str) -> None:
        if role not in self.roles:
            raise Forbidden(f"{self.name} lacks the {role!r} role")

    def require_department(self) -> None:
        if self.is_subject:
            raise Forbidden("a subject token cannot act for a department")


def generate_keypair() -> tuple[str, str]:
    """A new Ed25519 key pair as (private PEM, public PEM)."""
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    """The public key as a JWK (RFC 8037), `kid` its RFC 7638 thumbprint: the same key always
    has the same id, on every service, without configuring one."""
    required = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(_raw(public_key))}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True).encode()
    kid = _b64url(hashlib.sha256(canonical).digest())
    return {**required, "kid": kid, "alg": ALGORITHM, "use": "sig"}


def load_public_keys(text: str) -> dict[str, Ed25519PublicKey]:
    """A key set by key id, from one or more PEM public keys (one after the other) or a JWKS
    document (`{"keys": [...]}`, as the registry publishes it)."""
    keys: list[Any] = []
    stripped = text.strip()
    if stripped.startswith("{"):
        for jwk in json.loads(stripped).get("keys", []):
            keys.append(jwt.PyJWK(jwk, algorithm=ALGORITHM).key)
    else:
        marker = "-----END PUBLIC KEY-----"
        for block in stripped.split(marker):
            if block.strip():
                keys.append(serialization.load_pem_public_key((block + marker).encode()))
    found: dict[str, Ed25519PublicKey] = {}
    for key in keys:
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(f"not an Ed25519 public key: {type(key).__name__}")
        found[public_jwk(key)["kid"]] = key
    if not found:
        raise ValueError("no public key found (PEM blocks or a JWKS document expected)")
    return found


class TokenIssuer:
    def __init__(
        self, private_key_pem: str, *, issuer: str, audience: str, ttl_seconds: int = 900
    ) -> None:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the signing key must be an Ed25519 private key")
        self._key = key
        self.key_id = public_jwk(key.public_key())["kid"]
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds

    def public_jwk(self) -> dict[str, str]:
        return public_jwk(self._key.public_key())

    def issue(
        self,
        department_code: str,
        roles: frozenset[str],
        *,
        ttl_seconds: int | None = None,
        credential_version: int | None = None,
        officer: str | None = None,
        officer_version: int | None = None,
    ) -> tuple[str, int]:
        """A department's token; with `officer`, one of its officers' (its `officer` claim,
        and `over` its credential version)."""
        extra: dict[str, Any] = {} if credential_version is None else {"cver": credential_version}
        if officer is not None:
            extra["officer"] = officer
            if officer_version is not None:
                extra["over"] = officer_version
        return self._sign(department_code, sorted(roles), ttl_seconds, **extra)

    def issue_for_subject(
        self,
        subject_code: str,
        *,
        agent: str,
        ttl_seconds: int | None = None,
        agent_credential_version: int | None = None,
    ) -> tuple[str, int]:
        """A subject token: `subject_code` acting through the portal department `agent`."""
        extra: dict[str, Any] = {"act": {"sub": agent}}
        if agent_credential_version is not None:
            extra["cver"] = agent_credential_version
        return self._sign(f"{_SUBJECT_PREFIX}{subject_code}", [ROLE_SUBJECT], ttl_seconds, **extra)

    def _sign(
        self, sub: str, roles: list[str], ttl_seconds: int | None, **extra: Any
    ) -> tuple[str, int]:
        ttl = ttl_seconds or self.ttl_seconds
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": sub,
            "roles": roles,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            **extra,
        }
        token = jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self.key_id})
        return token, ttl


class CredentialStates:
    """Each department's current credential version and active flag, as the registry
    publishes them (`departments.v1`). A department not heard of yet is not refused here: its
    token is judged by its signature and expiry alone (docs/security.md, "Tokens")."""

    def __init__(self) -> None:
        self._states: dict[str, tuple[int, bool]] = {}
        self._officers: dict[str, tuple[int, bool]] = {}

    def learn_officer(self, officer_id: str, credential_version: int, active: bool) -> None:
        """An officer's state (`OfficerPublished`); the newest is kept, as for departments."""
        known = self._officers.get(officer_id)
        if known is None or credential_version >= known[0]:
            self._officers[officer_id] = (credential_version, active)

    def learn(self, department_code: str, credential_version: int, active: bool) -> None:
        """Keep the newest state (events may repeat; a version never goes back)."""
        known = self._states.get(department_code)
        if known is None or credential_version >= known[0]:
            self._states[department_code] = (credential_version, active)

    def refusal(self, principal: Principal) -> str | None:
        """Why the principal's token is revoked, or None."""
        department = principal.agent if principal.is_subject else principal.department_code
        state = self._states.get(department or "")
        if state is None:
            return self._officer_refusal(principal)
        version, active = state
        if not active:
            return f"access token revoked: department {department} is not active"
        # A token without `cver` predates versions; only the active flag judges it.
        if principal.credential_version is not None and principal.credential_version < version:
            return (
                f"access token revoked: department {department}'s credentials changed after "
                "it was issued; request a new one"
            )
        return self._officer_refusal(principal)

    def _officer_refusal(self, principal: Principal) -> str | None:
        if principal.officer is None:
            return None
        state = self._officers.get(principal.officer)
        if state is None:  # not heard of yet: judged by signature and expiry, like a department
            return None
        version, active = state
        if not active:
            return "access token revoked: the officer account is deactivated"
        if principal.officer_version is None or principal.officer_version < version:
            return (
                "access token revoked: the officer's password or roles changed after it was "
                "issued; sign in again"
            )
        return None


class TokenVerifier:
    def __init__(
        self,
        public_keys: str,
        *,
        issuer: str,
        audience: str,
        credentials: CredentialStates | None = None,
    ) -> None:
        """`public_keys`: one or more PEM public keys, or a JWKS document."""
        self._keys = load_public_keys(public_keys)
        self._issuer = issuer
        self._audience = audience
        self.credentials = credentials or CredentialStates()
        # A department's systems reuse one token for many calls; checking its signature once
        # (not on every must-check) keeps the hot path cheap. Expiry is still judged each time.
        self._verified: dict[str, tuple[Principal, int]] = {}

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(self._keys)

    def replace_keys(self, public_keys: str) -> None:
        """A new key set (e.g. the registry's, fetched again): tokens signed with a key that
        left the set are refused from now on."""
        keys = load_public_keys(public_keys)
        if keys.keys() != self._keys.keys():
            self._keys = keys
            self._verified.clear()

    def verify(self, token: str, *, at: datetime | None = None) -> Principal:
        principal = self._principal(token, at)
        refusal = self.credentials.refusal(principal)
        if refusal is not None:
            raise Unauthenticated(refusal)
        return principal

    def _principal(self, token: str, at: datetime | None) -> Principal:
        if at is None:
            hit = self._verified.get(token)
            if hit is not None and time.time() <= hit[1] + _LEEWAY_SECONDS:
                return hit[0]
        principal, expires = self._verify(token, at)
        if at is None:
            if len(self._verified) >= _CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = (principal, expires)
        return principal

    def _keys_for(self, token: str) -> list[Ed25519PublicKey]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(f"invalid access token: {exc}") from exc
        if kid is None:  # signed before keys had ids: any key of the set may have signed it
            return list(self._keys.values())
        key = self._keys.get(str(kid))
        if key is None:
            raise Unauthenticated(f"invalid access token: unknown signing key {str(kid)[:64]!r}")
        return [key]

    def _verify(self, token: str, at: datetime | None) -> tuple[Principal, int]:
        """The token's department and roles. `at`: judge expiry at that moment instead of now
        (a message's production time; the signature is checked all the same)."""
        keys = self._keys_for(token)
        try:
            claims = self._decode(token, keys, at)
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("access token expired; request a new one") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(f"invalid access token: {exc}") from exc
        if at is not None:
            moment = at.timestamp()
            if not claims["iat"] - _LEEWAY_SECONDS <= moment <= claims["exp"] + _LEEWAY_SECONDS:
                raise Unauthenticated("the access token was not valid when the message was sent")
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise Unauthenticated("invalid access token: roles claim malformed")
        cver = claims.get("cver")
        if cver is not None and (not isinstance(cver, int) or isinstance(cver, bool)):
            raise Unauthenticated("invalid access token: cver claim malformed")
        principal = _principal(str(claims["sub"]), frozenset(roles), claims.get("act"))
        officer, over = claims.get("officer"), claims.get("over")
        if officer is not None and (
            not isinstance(officer, str)
            or not 0 < len(officer) <= OFFICER_ID_MAX_LENGTH
            or principal.is_subject
        ):
            raise Unauthenticated("invalid access token: officer claim malformed")
        if over is not None and (not isinstance(over, int) or isinstance(over, bool)):
            raise Unauthenticated("invalid access token: over claim malformed")
        principal = replace(
            principal, credential_version=cver, officer=officer, officer_version=over
        )
        return principal, int(claims["exp"])

    def _decode(
        self, token: str, keys: list[Ed25519PublicKey], at: datetime | None
    ) -> dict[str, Any]:
        for key in keys[:-1]:
            try:
                return self._decode_with(token, key, at)
            except jwt.InvalidSignatureError:
                continue
        return self._decode_with(token, keys[-1], at)

    def _decode_with(
        self, token: str, key: Ed25519PublicKey, at: datetime | None
    ) -> dict[str, Any]:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=self._issuer,
            audience=self._audience,
            options={
                "require": ["exp", "iat", "sub", "iss", "aud"],
                "verify_exp": at is None,
                "verify_nbf": at is None,
            },
            leeway=_LEEWAY_SECONDS,
        )
        return claims


def _principal(sub: str, roles: frozenset[str], act: Any) -> Principal:
    if not sub.startswith(_SUBJECT_PREFIX):
        if ROLE_SUBJECT in roles:
            raise Unauthenticated("invalid access token: a department cannot hold the subject role")
        return Principal(department_code=sub, roles=roles)
    agent = act.get("sub") if isinstance(act, dict) else None
    if roles != {ROLE_SUBJECT} or not isinstance(agent, str) or not agent:
        raise Unauthenticated("invalid access token: malformed subject token")
    return Principal(
        department_code="", roles=roles, subject_code=sub.removeprefix(_SUBJECT_PREFIX), agent=agent
    )
