"""The `/schema` documentation page works on an intranet with no internet (issue 12 item 4).

Browser-free: the page's HTML is parsed, every script/stylesheet/icon/image it references must be a
path on pengkom itself and be served 200 by the app with the right content type; the whole page (the
embedded OpenAPI document included) and the stylesheet it loads must name no outside host at all
(no CDN, no web fonts, no validator badge). A real browser is not available on the build machines
without network, so rendering is not exercised here; what a browser would fetch is exactly what this
test checks.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from api.docs_page import ASSETS

PAGES = ["/schema", "/schema/swagger"]
#: Any absolute URL (http, https or protocol-relative) naming a host.
OUTSIDE = re.compile(rb"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}""")


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for attr in ("src", "href"):
            if tag in ("script", "link", "img", "iframe", "source", "embed", "object") and a.get(attr):
                self.refs.append((tag, a[attr] or ""))


def _references(html: str) -> list[tuple[str, str]]:
    parser = _Refs()
    parser.feed(html)
    return parser.refs


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from litestar.testing import TestClient

    from api.app import create_app
    from api.bootstrap import build
    from tests.conftest import new_settings

    services = build(new_settings("sqlite", tmp_path_factory.mktemp("docs")))
    with TestClient(create_app(services)) as c:
        yield c
    services.close()


@pytest.mark.parametrize("page", PAGES)
def test_docs_page_loads_every_asset_from_pengkom_itself(client, page):
    r = client.get(page)  # anonymous: the page is public
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    refs = _references(r.text)
    kinds = {tag for tag, _ in refs}
    assert {"script", "link"} <= kinds, f"the page references no script or stylesheet: {refs}"
    for tag, url in refs:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"<{tag}> loads {url} from outside pengkom"
        path = urljoin(page + "/", url)
        assert path.startswith(ASSETS + "/"), f"<{tag}> {url}: assets are served from {ASSETS}/"
        asset = client.get(path)
        assert asset.status_code == 200, f"<{tag}> {url} answers {asset.status_code}"
        expected = {"script": "javascript", "link": ("css", "image/png")}[tag] if tag in ("script", "link") else "image"
        assert any(e in asset.headers["content-type"] for e in ((expected,) if isinstance(expected, str) else expected)), \
            f"{url} served as {asset.headers['content-type']}"
        assert len(asset.content) > 0


@pytest.mark.parametrize("page", PAGES)
def test_docs_page_names_no_outside_host(client, page):
    """No URL to any other host anywhere in the page — also not in the embedded document."""
    body = client.get(page).content
    assert not OUTSIDE.findall(body), f"the page names outside hosts: {sorted(set(OUTSIDE.findall(body)))[:10]}"
    assert b"validatorUrl: null" in body, "Swagger UI's validator badge would ask validator.swagger.io about the document"


def test_stylesheet_loads_no_fonts_or_images_from_outside(client):
    css = client.get(f"{ASSETS}/swagger-ui.css").content
    imports = re.findall(rb"@import[^;]*", css)
    urls = [u for u in re.findall(rb"url\(([^)]*)\)", css) if not u.strip(b"'\"").startswith(b"data:")]
    assert not imports and not urls, f"the stylesheet loads {imports + urls}"


def test_the_assets_are_public_and_unknown_ones_are_404(client):
    assert client.get(f"{ASSETS}/swagger-ui-bundle.js").status_code == 200
    missing = client.get(f"{ASSETS}/no-such-file.js")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
