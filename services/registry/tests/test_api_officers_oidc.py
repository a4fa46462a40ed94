"""Officers signing in through an external OpenID Connect provider (docs/security.md,
"Officers"): the provider's ID token, verified against its key set, names the username."""

import http.server
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jrp_registry.config import RegistrySettings
from jrp_registry.testing import RegistryUnderTest, registry_settings, running_registry
from jrp_shared.auth import public_jwk
from jrp_shared.testing import Keys, PostgresDatabases

pytestmark = pytest.mark.integration

PROVIDER = "https://sso.example.gov.cn/realms/credit"
AUDIENCE = "jrp-console"
PROVIDER_KEY = Ed25519PrivateKey.generate()
KID = public_jwk(PROVIDER_KEY.public_key())["kid"]


@pytest.fixture
def provider_keys() -> Iterator[str]:
    """The provider's key set, served over HTTP as its `jwks_uri` would be."""
    body = json.dumps({"keys": [public_jwk(PROVIDER_KEY.public_key())]}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/certs"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
async def registry(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path, provider_keys: str
) -> AsyncIterator[RegistryUnderTest]:
    settings = await registry_settings(
        postgres,
        keys,
        tmp_path,
        oidc_issuer=PROVIDER,
        oidc_audience=AUDIENCE,
        oidc_jwks_url=provider_keys,
    )
    async with running_registry(settings, keys) as registry:
        await registry.seed_catalog()
        yield registry


def _id_token(key: Ed25519PrivateKey = PROVIDER_KEY, **changes: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": PROVIDER,
        "aud": AUDIENCE,
        "sub": "a1b2c3",
        "preferred_username": "zhang.wei",
        "iat": now,
        "exp": now + 300,
        **changes,
    }
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": KID})


async def _officer(registry: RegistryUnderTest) -> str:
    response = await registry.client.post(
        "/v1/officers",
        json={
            "username": "zhang.wei",
            "display_name": "张伟",
            "department": "tax",
            "roles": ["reviewer"],
        },
        headers=registry.as_office(),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _sign_in(registry: RegistryUnderTest, id_token: str) -> Any:
    return await registry.client.post("/v1/oauth/officer-token/oidc", data={"id_token": id_token})


async def test_a_providers_id_token_signs_the_officer_in(registry: RegistryUnderTest) -> None:
    officer_id = await _officer(registry)
    response = await _sign_in(registry, _id_token())
    assert response.status_code == 200, response.text
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "tax" and claims["officer"] == officer_id
    assert claims["roles"] == ["reviewer"]


async def test_forged_foreign_or_expired_id_tokens_are_refused(
    registry: RegistryUnderTest,
) -> None:
    await _officer(registry)
    forged = _id_token(Ed25519PrivateKey.generate())
    assert (await _sign_in(registry, forged)).status_code == 401
    other_audience = _id_token(aud="another-app")
    assert (await _sign_in(registry, other_audience)).status_code == 401
    other_issuer = _id_token(iss="https://evil.example.com")
    assert (await _sign_in(registry, other_issuer)).status_code == 401
    expired = _id_token(iat=int(time.time()) - 900, exp=int(time.time()) - 600)
    assert (await _sign_in(registry, expired)).status_code == 401
    unknown = _id_token(preferred_username="nobody.here")
    assert (await _sign_in(registry, unknown)).status_code == 401
    no_claim = _id_token(preferred_username=None)
    assert (await _sign_in(registry, no_claim)).status_code == 401


async def test_without_a_provider_the_route_answers_404(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path
) -> None:
    settings = await registry_settings(
        postgres,
        keys,
        tmp_path,
    )
    async with running_registry(settings, keys) as registry:
        assert (await _sign_in(registry, _id_token())).status_code == 404


def test_the_provider_settings_go_together() -> None:
    with pytest.raises(ValueError, match="together"):
        RegistrySettings(oidc_issuer=PROVIDER)
    with pytest.raises(ValueError, match="public-key"):
        RegistrySettings(oidc_algorithms=["HS256"])
