"""Registry settings: environment variables prefixed JRP_REGISTRY_."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from limits import parse
from pydantic import Field, field_validator
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

    def private_key_pem(self) -> str:
        if self.signing_key_file is None:
            raise ValueError("registry: signing_key_file is not set; it cannot issue tokens")
        return self.signing_key_file.read_text(encoding="utf-8")
