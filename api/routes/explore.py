"""The web explorer: static pages that call only the public API, served at /explore."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.pages import TEMPLATES, explorer_page
from api.query_params import ANY_QUERY

EXPLORER = Path(__file__).resolve().parent.parent / "explorer"
PAGE = TEMPLATES / "explore.html"
ASSETS = EXPLORER / "static"
ASSETS_PATH = "/explore/assets"
# Stricter than the API's default policy: the explorer runs only its own scripts, never inline
# ones. Inline styles stay allowed because Cytoscape.js positions its canvas layers with them.
EXPLORER_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'"
)

router = APIRouter(include_in_schema=False)


@router.get("/explore", response_class=HTMLResponse, openapi_extra=ANY_QUERY)
async def explorer(request: Request) -> HTMLResponse:
    """One page for every view; the view and its filters live in the query string."""
    # Behind a gateway that mounts the API under a prefix, the page must call that prefix.
    root = request.scope.get("root_path", "").rstrip("/")
    return HTMLResponse(
        explorer_page(root),
        headers={"cache-control": "no-cache", "content-security-policy": EXPLORER_CSP},
    )


@router.get("/")
async def front_door(request: Request) -> Response:
    """People (browsers) go to the explorer; programs get a map of where things are."""
    root = request.scope.get("root_path", "").rstrip("/")
    if "text/html" in request.headers.get("accept", ""):
        return RedirectResponse(f"{root}/explore", status_code=303)
    return JSONResponse(
        {
            "explorer": f"{root}/explore",
            "docs": f"{root}/docs",
            "openapi": f"{root}/openapi.json",
            "void": f"{root}/.well-known/void",
        }
    )


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    # Browsers ask for /favicon.ico whatever the page links to.
    return FileResponse(ASSETS / "icon.svg", media_type="image/svg+xml")


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS), name="explorer-assets")
