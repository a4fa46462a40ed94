"""Registry settings: environment variables prefixed JRP_REGISTRY_."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
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
    token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
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

    def private_key_pem(self) -> str:
        if self.signing_key_file is None:
            raise ValueError("registry: signing_key_file is not set; it cannot issue tokens")
        return self.signing_key_file.read_text(encoding="utf-8")
