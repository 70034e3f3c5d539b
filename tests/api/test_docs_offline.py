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


def _chromium() -> str | None:
    import shutil

    return next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)


def _render(browser: str, url: str, tmp_path) -> str:
    """The page's DOM after a headless Chromium ran its scripts, with every host but 127.0.0.1 unresolvable and
    no proxy to go through: anything the page would fetch from outside fails."""
    import subprocess

    out = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--user-data-dir={tmp_path}",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--proxy-server=http://127.0.0.1:9",
         "--proxy-bypass-list=127.0.0.1", "--virtual-time-budget=15000", "--dump-dom", url],
        capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.mark.skipif(_chromium() is None, reason="no Chromium on this machine (apt-get install chromium); the browser-free "
                                                "checks above still run")
def test_docs_page_renders_in_a_browser_with_every_outside_host_blocked(tmp_path):
    import socket
    import threading
    import time

    import uvicorn

    from api.app import create_app
    from api.bootstrap import build
    from tests.conftest import new_settings

    browser = _chromium()
    assert browser is not None
    # The control: under these flags a page that needs a CDN stays empty.
    control = _render(browser, "data:text/html,<script src='https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js'>"
                               "</script><script>document.write(typeof SwaggerUIBundle)</script>", tmp_path / "control")
    assert "undefined" in control and "function" not in control
    services = build(new_settings("sqlite", tmp_path))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = uvicorn.Server(uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        dom = _render(browser, f"http://127.0.0.1:{port}/schema", tmp_path / "profile")
    finally:
        server.should_exit = True
        thread.join(15)
        services.close()
    rendered = len(re.findall(r'class="opblock ', dom))
    assert rendered > 100, f"Swagger UI rendered {rendered} operations offline"
    assert "Register an officer" in dom and "swagger-ui" in dom
