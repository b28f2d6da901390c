"""The interactive API docs (Swagger UI), served from files shipped with the API.

FastAPI's own /docs loads Swagger UI from a CDN, so offline (or behind a strict proxy) it is a
blank page, and the service would fetch code at run time. Swagger UI is vendored instead
(`make docs-assets`, from the npm build locked in tools/docs-assets) into api/static/docs,
which `api.pages` already serves, and started by api/static/swagger-init.js rather than an
inline script, so the page needs no CDN and no inline code in its Content-Security-Policy.
ReDoc is not offered: one docs page, one vendored library.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from api.pages import STATIC, render
from ontology.dataset import schema_org_dataset

DOCS_PATH = "/docs"
DOCS_ASSETS = STATIC / "docs"
"""Swagger UI as npm ships it: swagger-ui-bundle.js and swagger-ui.css, with its licence."""
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'"
)
"""Swagger UI styles elements inline and shows its icons as data: URIs; nothing else."""


def install(app: FastAPI) -> None:
    """Serve /docs from the vendored Swagger UI. The app must be built with ``docs_url=None``
    and ``redoc_url=None`` so FastAPI's CDN-backed pages are not registered too."""
    openapi_url = app.openapi_url or "/openapi.json"
    title = f"{app.title} - API docs"

    @app.get(DOCS_PATH, include_in_schema=False, response_class=HTMLResponse)
    async def docs(request: Request) -> HTMLResponse:
        # Behind a gateway that mounts the API under a prefix, the page must load from there.
        root = request.scope.get("root_path", "").rstrip("/")
        base = request.app.state.settings.public_base_uri.rstrip("/")
        page = render(
            "docs.html",
            DOCS_PATH,
            root=root,
            openapi_url=openapi_url,
            title=title,
            # The dataset's landing page (its dcat:landingPage): where search engines look.
            dataset_json_ld=schema_org_dataset(base),
        )
        return HTMLResponse(page, headers={"content-security-policy": DOCS_CSP})
