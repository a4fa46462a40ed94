"""The vendored API documentation assets (`jrp_shared/static/docs`, issue 16 item 6): what is
checked in is what VERSIONS.md records, and the shared app builder serves the pages from them
(fast layer: SQLite and the embedded bus; the same on a real service and PostgreSQL is in
services/registry/tests/test_api_docs_offline.py)."""

import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import AsyncClient
from sqlalchemy import MetaData

from jrp_shared.api_docs import ASSETS, ASSETS_DIR, asset_url
from jrp_shared.bus.embedded import EmbeddedBus
from jrp_shared.messaging.tables import messaging_tables
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.settings import ServiceSettings
from jrp_shared.testing import Keys, serving
from jrp_shared.web import create_service_app

_RECORDED = re.compile(r"^([0-9a-f]{64})  (\S+)$", re.MULTILINE)


def test_the_checked_in_assets_are_the_ones_versions_md_records() -> None:
    versions = (ASSETS_DIR / "VERSIONS.md").read_text(encoding="utf-8")
    recorded = {name: digest for digest, name in _RECORDED.findall(versions)}
    assert set(recorded) == set(ASSETS)
    for name in ASSETS:
        actual = hashlib.sha256((ASSETS_DIR / name).read_bytes()).hexdigest()
        assert actual == recorded[name], f"{name} differs from VERSIONS.md: re-run the script"
    assert re.search(r"\| swagger-ui-dist \| 5\.\d+\.\d+ \| Apache-2\.0", versions)
    assert re.search(r"\| redoc \| 2\.\d+\.\d+ \| MIT", versions)
    for licence in ("LICENSE.swagger-ui", "NOTICE.swagger-ui", "LICENSE.redoc"):
        assert (ASSETS_DIR / licence).stat().st_size > 0


def test_redoc_loads_no_logo_from_its_cdn() -> None:
    """The one address outside the service a browser fetched from the pages (network log,
    docs/operations.md): the vendoring script replaces it."""
    bundle = (ASSETS_DIR / "redoc.standalone.js").read_text(encoding="utf-8")
    assert "cdn.redoc.ly" not in bundle
    assert 'alt:"redocly logo"' in bundle  # the logo stays, as an inline image


def test_asset_urls_are_relative_and_carry_the_contents_digest() -> None:
    for name in ASSETS:
        digest = hashlib.sha256((ASSETS_DIR / name).read_bytes()).hexdigest()
        assert asset_url(name) == f"/static/docs/{name}?v={digest[:12]}"


@pytest.fixture
async def client(tmp_path: Path, keys: Keys) -> AsyncIterator[AsyncClient]:
    settings = ServiceSettings(
        service_name="svc",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}",
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        broker_probe_seconds=3600,
    )
    metadata = MetaData()
    runtime = ServiceRuntime(
        settings,
        messaging_tables(metadata),
        bus=EmbeddedBus(settings.topic_namespace, tmp_path / "bus.sqlite3"),
    )
    async with runtime.db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    app = create_service_app(runtime, title="Svc", description="t", routers=[])
    async with serving(app, "svc") as http:
        yield http


async def test_every_app_built_by_the_shared_builder_serves_the_pages_locally(
    client: AsyncClient,
) -> None:
    for path in ("/docs", "/redoc"):
        page = await client.get(path)
        assert page.status_code == 200
        assert "/static/docs/" in page.text
        assert "cdn.jsdelivr.net" not in page.text
        assert "fonts.googleapis.com" not in page.text
    redirect = await client.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200
    assert "oauth2" in redirect.text
    # The pages are not operations of the API.
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert not {"/docs", "/redoc", "/docs/oauth2-redirect"} & set(paths)


async def test_the_asset_mount_counts_under_its_path_and_refuses_unknown_files_in_json(
    client: AsyncClient,
) -> None:
    missing = await client.get("/static/docs/nothing.js")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert (await client.get("/static/docs/swagger-ui.css")).status_code == 200
    metrics = (await client.get("/metrics")).text
    assert 'jrp_http_requests_total{method="GET",route="/static/docs",status="200"} 1.0' in metrics
