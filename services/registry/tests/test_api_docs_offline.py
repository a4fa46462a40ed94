"""`/docs` (Swagger UI) and `/redoc` (ReDoc) work offline (issue 16 item 6): the pages refer
only to the service itself, every asset they name is served by it, and no token is needed to
read them. On the registry with a real PostgreSQL database; every service gets the same pages
from `jrp_shared.web.create_service_app` (`jrp_shared.api_docs`)."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from jrp_registry.testing import RegistryUnderTest

pytestmark = pytest.mark.integration

_CONTENT_TYPES = {
    ".js": ("text/javascript", "application/javascript"),
    ".css": ("text/css",),
    ".png": ("image/png",),
}
_SMALLEST = {".js": 100_000, ".css": 10_000, ".png": 100}
"""Well below each real asset's size (the bundles are over a megabyte): an empty or truncated
file fails."""


class _References(HTMLParser):
    """Every `src` and `href` attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, _tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(value for name, value in attrs if name in ("src", "href") and value)


def _references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.urls


@pytest.mark.parametrize(
    ("page", "expected_assets"),
    [
        ("/docs", {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"}),
        ("/redoc", {"redoc.standalone.js", "favicon-32x32.png"}),
    ],
)
async def test_the_page_refers_only_to_the_service_and_every_asset_is_served(
    registry: RegistryUnderTest, page: str, expected_assets: set[str]
) -> None:
    answer = await registry.client.get(page)  # no token: the docs are public
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert "http://" not in answer.text and "https://" not in answer.text
    urls = _references(answer.text)
    served = set()
    for url in urls:
        parts = urlsplit(url)
        # Relative to the service: no scheme, no host, no protocol-relative `//host/...`.
        assert not parts.scheme and not parts.netloc, url
        assert url.startswith("/static/docs/"), url
        asset = await registry.client.get(url)
        assert asset.status_code == 200, url
        suffix = "." + parts.path.rsplit(".", 1)[-1]
        media = asset.headers["content-type"].split(";")[0]
        assert media in _CONTENT_TYPES[suffix], (url, media)
        assert len(asset.content) >= _SMALLEST[suffix], url
        assert "max-age=31536000" in asset.headers["cache-control"]
        served.add(parts.path.rsplit("/", 1)[-1])
    assert served == expected_assets


async def test_swagger_ui_sends_the_document_to_no_online_validator(
    registry: RegistryUnderTest,
) -> None:
    page = (await registry.client.get("/docs")).text
    assert '"validatorUrl": null' in page
    assert "url: '/openapi.json'" in page
    assert "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect'" in page
    redirect = await registry.client.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200
    assert "http://" not in redirect.text and "https://" not in redirect.text


async def test_the_openapi_document_is_still_served_with_the_operations(
    registry: RegistryUnderTest,
) -> None:
    answer = await registry.client.get("/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["info"]["title"] == "Registry"
    assert "/v1/oauth/token" in document["paths"]
    assert not any(path in document["paths"] for path in ("/docs", "/redoc"))
    assert not any(path.startswith("/static/") for path in document["paths"])
