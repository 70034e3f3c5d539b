"""The `/schema` documentation page, served entirely by pengkom: no CDN, no web fonts, no outside host.

An agency intranet often has no route to the internet, so the page must not load anything from one.
Swagger UI's static files (JavaScript, CSS, favicon) come from the pinned PyPI package
``swagger-ui-bundle-v2`` (Apache-2.0, Swagger UI 5.x, which reads OpenAPI 3.1) and are served under
``/schema/assets/``; the page embeds the OpenAPI document itself. Swagger UI's online validator badge
is switched off (``validatorUrl: null``) so the page makes no request to validator.swagger.io.
``tests/api/test_docs_offline.py`` parses the page, checks that it names no outside host and that
every asset it references is served 200 by the app.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

log = logging.getLogger("pengkom.api")
#: Where the assets are served (under /schema, so public like the page: see api/app.py PUBLIC).
ASSETS = "/schema/assets"


def assets_dir() -> Path | None:
    """Swagger UI's files, or None in an environment installed before the dependency was added."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        log.warning("swagger-ui-bundle-v2 is not installed (run `make install`): the /schema page has no scripts or styles")
        return None
    return Path(str(swagger_ui_path))


class OfflineSwagger(SwaggerRenderPlugin):
    """Swagger UI from pengkom's own assets, without the online validator."""

    def __init__(self) -> None:
        super().__init__(
            js_url=f"{ASSETS}/swagger-ui-bundle.js",
            css_url=f"{ASSETS}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS}/swagger-ui-standalone-preset.js",
            path=["/", "/swagger"],
            favicon=f"<link rel='icon' type='image/png' href='{ASSETS}/favicon-32x32.png'>",
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        page = super().render(request, openapi_schema)
        # No badge asking validator.swagger.io about the document; no CDN `crossorigin` hints needed.
        return page.replace(b"deepLinking: true,", b"deepLinking: true,\n                  validatorUrl: null,", 1) \
                   .replace(b" crossorigin></script>", b"></script>")


def assets_routes() -> list[Router]:
    """The static files of the page (cached for a day: they change only with the pinned package)."""
    directory = assets_dir()
    if directory is None:
        return []
    return [create_static_files_router(path=ASSETS, directories=[directory], include_in_schema=False,
                                       cache_control=CacheControlHeader(max_age=86400), name="docs-assets")]
