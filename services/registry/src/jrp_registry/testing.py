"""The registry as a test harness: service tests and cross-service tests both use it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI
from httpx import AsyncClient

from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.app import create_app, registry_of
from jrp_registry.config import DEFAULT_CATALOG_DIR, RegistrySettings
from jrp_registry.service_layer import handlers
from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_IMPLEMENTER, ROLE_INITIATOR
from jrp_shared.testing import Keys, serving


@dataclass
class RegistryUnderTest:
    app: FastAPI
    client: AsyncClient
    keys: Keys

    def as_department(self, code: str = "tax") -> dict[str, str]:
        return self.keys.headers(code, ROLE_INITIATOR, ROLE_IMPLEMENTER)

    def as_office(self) -> dict[str, str]:
        return self.keys.headers("credit-office", ROLE_IMPLEMENTER, ROLE_ADMINISTRATOR)

    async def seed_catalog(self) -> handlers.LoadReport:
        async with registry_of(self.app).runtime.uow() as uow:
            return await handlers.load_catalog(
                uow, read_catalog(DEFAULT_CATALOG_DIR), "credit-office"
            )


@asynccontextmanager
async def running_registry(
    settings: RegistrySettings, keys: Keys
) -> AsyncIterator[RegistryUnderTest]:
    app = create_app(settings)
    async with serving(app, "registry") as client:
        yield RegistryUnderTest(app, client, keys)
