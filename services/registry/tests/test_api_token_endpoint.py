"""Issue 11 finding 8: the token endpoint hashes off the event loop, answers unknown client
ids in the same time, and is rate limited with Retry-After."""

import http.server
import json
import statistics
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from jrp_registry.app import registry_of
from jrp_registry.cli import MIGRATIONS
from jrp_registry.config import RegistrySettings
from jrp_registry.domain import departments
from jrp_registry.service_layer import handlers
from jrp_registry.testing import RegistryUnderTest, registry_settings, running_registry
from jrp_shared.auth import TokenIssuer, TokenVerifier, generate_keypair, load_public_keys
from jrp_shared.testing import Keys, PostgresDatabases, eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def limited(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path
) -> AsyncIterator[RegistryUnderTest]:
    settings = await registry_settings(
        postgres,
        keys,
        tmp_path,
        token_requests_per_client="4/minute",
        token_failures_per_address="6/minute",
    )
    async with running_registry(settings, keys) as registry:
        await registry.seed_catalog()
        async with registry_of(registry.app).runtime.uow() as uow:
            await handlers.set_client_secret(uow, "tax", "the-secret", "test")
        yield registry


async def _ask(registry: RegistryUnderTest, client_id: str, secret: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = await registry.client.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    return response.status_code, time.perf_counter() - started


async def _token(registry: RegistryUnderTest, client_id: str, secret: str) -> str:
    response = await registry.client.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def test_secrets_are_hashed_off_the_event_loop_for_known_and_unknown_ids(
    limited: RegistryUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop_thread = threading.get_ident()
    calls: list[tuple[int, str | None]] = []
    real = departments.secret_matches

    def recording(secret: str, stored: str | None) -> bool:
        calls.append((threading.get_ident(), stored))
        return real(secret, stored)

    monkeypatch.setattr(departments, "secret_matches", recording)
    assert (await _ask(limited, "tax", "the-secret"))[0] == 200
    assert (await _ask(limited, "no-such-dept", "guess"))[0] == 401
    assert len(calls) == 2
    assert all(thread != loop_thread for thread, _ in calls)
    assert calls[1][1] is None  # the unknown id is hashed too (against a dummy)


async def test_an_unknown_client_id_answers_as_slowly_as_a_wrong_secret(
    limited: RegistryUnderTest,
) -> None:
    known = [(await _ask(limited, "tax", f"wrong-{i}"))[1] for i in range(3)]
    unknown = [(await _ask(limited, f"ghost-{i}", "wrong"))[1] for i in range(3)]
    # Before: 5 ms for an unknown id, 59 ms for a known one. Now both pay for the hash.
    assert statistics.median(unknown) > 0.5 * statistics.median(known), (known, unknown)


async def test_token_requests_are_rate_limited_per_client_with_retry_after(
    limited: RegistryUnderTest,
) -> None:
    statuses = [(await _ask(limited, "tax", "the-secret"))[0] for _ in range(4)]
    assert statuses == [200] * 4
    response = await limited.client.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "tax", "client_secret": "x"},
    )
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_requests"
    assert "4 per 1 minute" in response.json()["detail"]
    assert 1 <= int(response.headers["retry-after"]) <= 60


async def test_refused_requests_are_rate_limited_per_address(
    limited: RegistryUnderTest,
) -> None:
    """Spraying guesses over many client ids from one address is throttled too."""
    statuses = [(await _ask(limited, f"ghost-{i}", "guess"))[0] for i in range(6)]
    assert statuses == [401] * 6
    status, _ = await _ask(limited, "ghost-7", "guess")
    assert status == 429
    # The limit on the address holds for every client id asked from it.
    assert (await _ask(limited, "tax", "the-secret"))[0] == 429


async def test_a_rotated_secret_revokes_the_tokens_issued_before_it(
    limited: RegistryUnderTest,
) -> None:
    """The finding: a department stripped of its roles and with a rotated secret kept acting
    with its old token. Rotation (or a change of roles) grows the credential version; every
    service learns it from departments.v1 and refuses the older tokens."""
    response = await _token(limited, "tax", "the-secret")
    old = {"Authorization": f"Bearer {response}"}
    assert (await limited.client.get("/v1/departments/tax", headers=old)).status_code == 200
    rotated = await limited.client.post(
        "/v1/departments/tax/credentials", headers=limited.as_office()
    )
    assert rotated.status_code == 201, rotated.text

    async def refused() -> int | None:
        status = (await limited.client.get("/v1/departments/tax", headers=old)).status_code
        return status if status == 401 else None

    await eventually(refused, within=10)
    answer = await limited.client.get("/v1/departments/tax", headers=old)
    assert "revoked" in answer.json()["detail"]
    fresh = await _token(limited, "tax", rotated.json()["client_secret"])
    new = {"Authorization": f"Bearer {fresh}"}
    assert (await limited.client.get("/v1/departments/tax", headers=new)).status_code == 200


async def test_changed_roles_revoke_the_tokens_issued_before(limited: RegistryUnderTest) -> None:
    response = await _token(limited, "tax", "the-secret")
    old = {"Authorization": f"Bearer {response}"}
    definition = (await limited.client.get("/v1/departments/tax", headers=old)).json()
    stripped = {
        k: v
        for k, v in definition.items()
        if k in ("code", "name", "name_en", "level", "region", "domains")
    } | {"initiates": False, "implements": False}
    put = await limited.client.put(
        "/v1/departments/tax", json=stripped, headers=limited.as_office()
    )
    assert put.status_code == 200, put.text

    async def refused() -> bool:
        return (await limited.client.get("/v1/departments/tax", headers=old)).status_code == 401

    await eventually(refused, within=10)


async def test_the_registry_publishes_its_key_set(limited: RegistryUnderTest, keys: Keys) -> None:
    response = await limited.client.get("/.well-known/jwks.json")  # public: no token
    assert response.status_code == 200
    [jwk] = response.json()["keys"]
    assert jwk["kid"] == keys.issuer.key_id
    assert jwk["kty"] == "OKP" and jwk["alg"] == "EdDSA"
    # A service that kept only this document verifies the registry's tokens.
    token = await _token(limited, "tax", "the-secret")
    verifier = TokenVerifier(response.text, issuer="jrp-registry", audience="jrp")
    assert verifier.verify(token).department_code == "tax"


async def test_a_next_key_is_published_before_it_signs(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path
) -> None:
    _, next_public = generate_keypair()
    (tmp_path / "next.pem").write_text(next_public)
    settings = RegistrySettings(
        database_url=await postgres.fresh("registry", MIGRATIONS),
        bus="embedded",
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        signing_key_file=keys.private_key_file,
        published_key_files=[tmp_path / "next.pem"],
        log_json=False,
    )
    async with running_registry(settings, keys) as registry:
        published = (await registry.client.get("/.well-known/jwks.json")).json()["keys"]
    assert [k["kid"] for k in published] == [
        keys.issuer.key_id,
        *load_public_keys(next_public).keys(),
    ]


@pytest.fixture
def key_set_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static HTTP server for a JWKS document (what the registry's key set URL serves)."""
    document = tmp_path / "jwks.json"

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = document.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json", document
    finally:
        server.shutdown()
        server.server_close()


async def test_a_service_following_the_key_set_url_accepts_a_new_key_without_a_restart(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path, key_set_server: tuple[str, Path]
) -> None:
    url, document = key_set_server
    document.write_text(json.dumps({"keys": [keys.issuer.public_jwk()]}))
    next_private, _ = generate_keypair()
    next_issuer = TokenIssuer(next_private, issuer="jrp-registry", audience="jrp")
    settings = RegistrySettings(
        database_url=await postgres.fresh("registry", MIGRATIONS),
        bus="embedded",
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_jwks_url=url,  # no key file: the key set is fetched at start, then refreshed
        auth_jwks_refresh_seconds=0.2,
        signing_key_file=keys.private_key_file,
        log_json=False,
    )
    current = keys.headers("tax", "initiator")
    next_token, _ = next_issuer.issue("tax", frozenset({"initiator"}))
    upcoming = {"Authorization": f"Bearer {next_token}"}
    async with running_registry(settings, keys) as registry:
        assert (await registry.client.get("/v1/departments", headers=current)).status_code == 200
        refused = await registry.client.get("/v1/departments", headers=upcoming)
        assert refused.status_code == 401
        assert "unknown signing key" in refused.json()["detail"]
        # The next key is announced in the key set: accepted within the refresh interval.
        document.write_text(
            json.dumps({"keys": [keys.issuer.public_jwk(), next_issuer.public_jwk()]})
        )

        async def accepted() -> bool:
            response = await registry.client.get("/v1/departments", headers=upcoming)
            return response.status_code == 200

        await eventually(accepted, within=10)
        # The old key retires: its tokens are refused from the next refresh on.
        document.write_text(json.dumps({"keys": [next_issuer.public_jwk()]}))

        async def retired() -> bool:
            response = await registry.client.get("/v1/departments", headers=current)
            return response.status_code == 401

        await eventually(retired, within=10)
