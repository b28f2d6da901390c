"""The interactive API docs (Swagger UI), served from files shipped with the API.

FastAPI's own /docs loads Swagger UI from a CDN, so offline (or behind a strict proxy) it is a
blank page, and the service would fetch code at run time. Swagger UI is vendored instead
(`make docs-assets`, from the npm build locked in tools/docs-assets) into api/static/docs,
which `api.pages` already serves. ReDoc is not offered: one docs page, one vendored library.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from api.pages import STATIC, STATIC_PATH

DOCS_PATH = "/docs"
DOCS_ASSETS = STATIC / "docs"
"""Swagger UI as npm ships it: swagger-ui-bundle.js and swagger-ui.css, with its licence."""
SWAGGER_JS = f"{STATIC_PATH}/docs/swagger-ui-bundle.js"
SWAGGER_CSS = f"{STATIC_PATH}/docs/swagger-ui.css"
FAVICON = "/favicon.ico"

# Swagger UI would otherwise ask validator.swagger.io to check the spec, a call out.
_PARAMETERS = {"validatorUrl": None}


def install(app: FastAPI) -> None:
    """Serve /docs from the vendored Swagger UI. The app must be built with ``docs_url=None``
    and ``redoc_url=None`` so FastAPI's CDN-backed pages are not registered too."""
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS_PATH, include_in_schema=False, response_class=HTMLResponse)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - API docs",
            swagger_js_url=SWAGGER_JS,
            swagger_css_url=SWAGGER_CSS,
            swagger_favicon_url=FAVICON,
            oauth2_redirect_url=None,
            swagger_ui_parameters=_PARAMETERS,
        )
