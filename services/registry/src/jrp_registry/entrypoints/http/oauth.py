"""OAuth2 client credentials (RFC 6749 §4.4): departments exchange their secret for a token;
the credit portal exchanges its token for a subject token (docs/due-process.md)."""

from __future__ import annotations

from typing import Annotated, Literal

import anyio.to_thread
from fastapi import APIRouter, Form, Request
from pydantic import BaseModel, ConfigDict, Field

from jrp_registry.domain.officers import PASSWORD_MAX_LENGTH
from jrp_registry.entrypoints.http import examples
from jrp_registry.entrypoints.http.deps import Portal, RegistryDep
from jrp_registry.service_layer import handlers, officers
from jrp_shared.errors import NotFound, Unauthenticated
from jrp_shared.openapi import responses_for

router = APIRouter(
    prefix="/v1/oauth", tags=["authentication"], responses=responses_for(401, 403, 429)
)
well_known = APIRouter(tags=["authentication"])


class KeySet(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.KEY_SET))

    keys: list[dict[str, str]] = Field(description="public JWKs (RFC 7517, OKP Ed25519)")


@well_known.get("/.well-known/jwks.json", response_model=KeySet)
async def key_set(registry: RegistryDep) -> KeySet:
    """Every public key a valid token may be signed with: the signing key's, a next key
    announced before it signs, a retired one until its last token expired. Public, no token
    needed; verifiers accept any key in it (docs/security.md, "Tokens")."""
    return KeySet(keys=registry.published_keys)


class TokenResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.TOKEN))

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


@router.post("/token", response_model=TokenResponse)
async def token(
    request: Request,
    registry: RegistryDep,
    grant_type: Annotated[Literal["client_credentials"], Form()],
    client_id: Annotated[str, Form(max_length=32)],
    client_secret: Annotated[str, Form(max_length=200)],
) -> TokenResponse:
    """Rate limited per client id and, for refused requests, per caller address: 429 with
    `Retry-After` past the limits (docs/security.md, "Tokens")."""
    address = request.client.host if request.client else "unknown"
    await registry.token_throttle.admit(address, client_id)
    try:
        async with registry.runtime.uow() as uow:
            access_token, ttl = await handlers.issue_token(
                uow,
                registry.issuer,
                client_id=client_id,
                client_secret=client_secret,
                administrators=registry.settings.administrator_departments,
                portals=registry.settings.portal_departments,
                hashing=registry.hashing,
            )
    except Unauthenticated:
        await registry.token_throttle.refused(address)
        raise
    return TokenResponse(access_token=access_token, expires_in=ttl)


@router.post("/officer-token", response_model=TokenResponse)
async def officer_token(
    request: Request,
    registry: RegistryDep,
    username: Annotated[str, Form(min_length=1, max_length=40)],
    password: Annotated[str, Form(min_length=1, max_length=PASSWORD_MAX_LENGTH)],
) -> TokenResponse:
    """An officer signs in with its username and password (docs/security.md, "Officers"): a
    short-lived token naming its department (`sub`), the officer (`officer`) and its roles
    within the department's. One answer (401) for every refusal; past
    `officer_failures_per_username` failed sign-ins a username is locked out (429 with
    `Retry-After`) until the window passes, and refused sign-ins count against the caller's
    address like the department token route's."""
    address = request.client.host if request.client else "unknown"
    key = username.strip().lower()
    await registry.token_throttle.admit(address, f"officer:{key}")
    await registry.officer_lockout.refuse_when_spent(key)
    try:
        async with registry.runtime.uow() as uow:
            access_token, ttl = await officers.sign_in(
                uow,
                registry.issuer,
                username=username,
                password=password,
                authorities=officers.Authorities(
                    administrators=registry.settings.administrator_departments,
                    portals=registry.settings.portal_departments,
                ),
                hashing=registry.hashing,
                ttl_seconds=registry.settings.officer_token_ttl_seconds,
            )
    except Unauthenticated:
        await registry.officer_lockout.count(key)
        await registry.token_throttle.refused(address)
        raise
    return TokenResponse(access_token=access_token, expires_in=ttl)


@router.post("/officer-token/oidc", response_model=TokenResponse)
async def officer_token_oidc(
    request: Request,
    registry: RegistryDep,
    id_token: Annotated[str, Form(min_length=1, max_length=8000)],
) -> TokenResponse:
    """An officer signs in through the external OpenID Connect provider configured
    (`JRP_REGISTRY_OIDC_*`): its ID token (signature by the provider's key set, issuer,
    audience, expiry) names the officer's username in `oidc_username_claim`; the answer is the
    same token as a password sign-in's. 404 when no provider is configured; refused tokens
    count against the caller's address (docs/security.md, "Officers")."""
    if registry.oidc is None:
        raise NotFound("no OpenID Connect provider is configured; sign in with a password")
    verifier = registry.oidc
    address = request.client.host if request.client else "unknown"
    await registry.token_throttle.admit_address(address)
    try:
        username = await anyio.to_thread.run_sync(verifier.username, id_token)
        async with registry.runtime.uow() as uow:
            access_token, ttl = await officers.sign_in_federated(
                uow,
                registry.issuer,
                username=username,
                authorities=officers.Authorities(
                    administrators=registry.settings.administrator_departments,
                    portals=registry.settings.portal_departments,
                ),
                ttl_seconds=registry.settings.officer_token_ttl_seconds,
            )
    except Unauthenticated:
        await registry.token_throttle.refused(address)
        raise
    return TokenResponse(access_token=access_token, expires_in=ttl)


class SubjectTokenResponse(TokenResponse):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.SUBJECT_TOKEN))

    subject_code: str = Field(description="the code the token names, normalised")


@router.post("/subject-token", response_model=SubjectTokenResponse)
async def subject_token(
    registry: RegistryDep,
    portal: Portal,
    subject_code: Annotated[str, Form(min_length=1, max_length=40)],
) -> SubjectTokenResponse:
    """The portal, having identified a subject itself, gets a short-lived token for it
    (`sub = subject:<code>`, `act = {"sub": <portal>}`, RFC 8693)."""
    code, access_token, ttl = handlers.issue_subject_token(
        registry.issuer,
        subject_code=subject_code,
        portal=portal.department_code,
        portal_credential_version=portal.credential_version,
        ttl_seconds=registry.settings.token_ttl_seconds,
        organisation_code_policy=registry.settings.organisation_code_policy,
    )
    return SubjectTokenResponse(access_token=access_token, expires_in=ttl, subject_code=code)
