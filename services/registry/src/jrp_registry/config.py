"""Registry settings: environment variables prefixed JRP_REGISTRY_."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from limits import parse
from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from jrp_shared.settings import ServiceSettings

DEFAULT_CATALOG_DIR = Path(__file__).resolve().parents[2] / "data" / "catalog"


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="JRP_REGISTRY_", extra="ignore", frozen=True)

    service_name: str = "registry"
    port: int = 8001
    database_url: str = "sqlite+aiosqlite:///var/registry.db"

    signing_key_file: Path | None = Field(
        default=None, description="PEM private key that signs access tokens (registry only)"
    )
    published_key_files: list[Path] = Field(
        default_factory=list,
        description="PEM public keys published in the key set besides the signing key's: the "
        "next key before it signs, the retired one until its tokens expired (JSON list; "
        "docs/security.md, key rotation)",
    )
    token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    token_requests_per_client: str = Field(
        default="10/minute",
        description="token requests one client id may make (a `limits` rate, e.g. 10/minute); "
        "more get 429 with Retry-After",
    )
    token_failures_per_address: str = Field(
        default="30/minute",
        description="refused token requests one caller address may make before it gets 429",
    )
    token_rate_limit_storage: str = Field(
        default="async+memory://",
        description="`limits` storage URI of the token rate limits; per process by default, a "
        "shared one (async+redis://…) holds them across replicas",
    )
    token_hash_threads: int = Field(
        default=4,
        ge=1,
        le=64,
        description="secret hashes (scrypt, ~50 ms and 16 MiB each) computed at once, off the "
        "event loop",
    )
    officer_failures_per_username: str = Field(
        default="5 per 15 minutes",
        description="failed officer sign-ins one username may have before it is locked out "
        '(429 with Retry-After) for the rest of the window (docs/security.md, "Officers")',
    )
    officer_token_ttl_seconds: int = Field(
        default=900,
        ge=60,
        le=28_800,
        description="lifetime of an officer's token (short: an officer signs in again)",
    )
    oidc_issuer: str | None = Field(
        default=None,
        max_length=500,
        description="an external OpenID Connect provider's issuer (`iss`): officers may sign in "
        "with its ID tokens (`POST /v1/oauth/officer-token/oidc`); none: password only",
    )
    oidc_audience: str | None = Field(
        default=None, max_length=500, description="the `aud` its ID tokens name for the mesh"
    )
    oidc_jwks_url: str | None = Field(
        default=None, max_length=2000, description="the provider's key set (its `jwks_uri`)"
    )
    oidc_username_claim: str = Field(
        default="preferred_username",
        min_length=1,
        max_length=100,
        description="the ID token claim holding the officer's username in the registry",
    )
    oidc_algorithms: list[str] = Field(
        default=["RS256", "ES256", "EdDSA"],
        min_length=1,
        description="signature algorithms accepted from the provider (never `none`)",
    )
    administrator_departments: frozenset[str] = Field(
        default=frozenset({"credit-office"}),
        description="departments that maintain departments, catalog and calendar (JSON list)",
    )
    portal_departments: frozenset[str] = Field(
        default=frozenset({"credit-office"}),
        description="departments that run the credit portal and may obtain subject tokens "
        "(JSON list; docs/due-process.md)",
    )
    organisation_code_policy: Literal["warn", "reject"] = Field(
        default="warn",
        description="a USCC whose organisation-code check fails: stored with a warning, or refused "
        "(DOMAIN.md §2: not confirmed that every real code passes it)",
    )
    registration_authorities: dict[str, str] = Field(
        default={"9": "market", "5": "civil-affairs"},
        description="USCC position 1 (registration authority, DOMAIN.md §2) → the department "
        "that keeps that register and so may change such subjects besides the department that "
        "registered them and the office (JSON object; docs/security.md)",
    )
    catalog_dir: Path = DEFAULT_CATALOG_DIR
    public_rate_limit: str = Field(
        default="120/minute",
        description="requests one caller address may make to the public routes (a `limits` "
        "rate); more get 429 with Retry-After (docs/public-lookup.md)",
    )
    public_rate_limit_storage: str = Field(
        default="async+memory://",
        description="`limits` storage URI of the public rate limit; per process by default, a "
        "shared one (async+redis://…) holds it across replicas",
    )

    @field_validator(
        "token_requests_per_client",
        "token_failures_per_address",
        "public_rate_limit",
        "officer_failures_per_username",
    )
    @classmethod
    def _a_rate(cls, value: str) -> str:
        parse(value)  # raises ValueError naming what is wrong
        return value

    @model_validator(mode="after")
    def _oidc_complete(self) -> RegistrySettings:
        given = [self.oidc_issuer, self.oidc_audience, self.oidc_jwks_url]
        if any(given) and not all(given):
            raise ValueError(
                "oidc_issuer, oidc_audience and oidc_jwks_url are set together, or none of them"
            )
        if any(a.lower() == "none" or a.startswith("HS") for a in self.oidc_algorithms):
            raise ValueError("oidc_algorithms: only public-key algorithms (RS*, ES*, PS*, EdDSA)")
        return self

    def private_key_pem(self) -> str:
        if self.signing_key_file is None:
            raise ValueError("registry: signing_key_file is not set; it cannot issue tokens")
        return self.signing_key_file.read_text(encoding="utf-8")
