"""The HTML pages: Jinja2 templates in api/templates/, autoescaped, and their one stylesheet.

The resource pages (/doc/...) and the SPARQL form share api/static/pages.css; the explorer's
shell links its own assets. No page has inline scripts or styles, so each works under the
Content-Security-Policy it is sent with.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from graph.curation import PublicDecision
from graph.history import History, Point
from graph.repository import NodeDetail
from graph.semantic import SimilarHit
from ontology.formats import FORMATS

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_PATH = "/assets"
STYLESHEET = f"{STATIC_PATH}/pages.css"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render(template: str, page_path: str, **context: Any) -> str:
    """`template` rendered with `context`, every value escaped unless marked safe.

    Args:
        template: a file in api/templates/.
        page_path: where the page is served; its stylesheet link is relative to it, so a page
            served under a gateway's prefix still finds the stylesheet.
        **context: the template's variables.
    """
    stylesheet = posixpath.relpath(STYLESHEET, posixpath.dirname(page_path))
    return _env.get_template(template).render(stylesheet=stylesheet, **context)


def node_page(
    detail: NodeDetail,
    doc_path: str,
    id_path: str,
    *,
    versions: History | None = None,
    as_of: Point | None = None,
    decisions: Sequence[PublicDecision] = (),
    similar: Sequence[SimilarHit] = (),
) -> str:
    """The HTML page for a node: its properties, its links, the case studies most like it,
    the curators' decisions and corrections that wrote it, the same data in RDF, and its
    history (what each load that changed it changed, when, and on whose word)."""
    props = detail.properties
    facts = [
        (key.replace("_", " "), [str(v) for v in (value if isinstance(value, list) else [value])])
        for key, value in sorted(props.items())
        if key not in ("name", "description")
    ]
    return render(
        "node.html",
        doc_path,
        name=str(props.get("name", detail.id)),
        description=str(props.get("description", "")),
        detail=detail,
        facts=facts,
        doc_path=doc_path,
        id_path=id_path,
        formats=FORMATS,
        versions=versions,
        as_of=as_of,
        decisions=decisions,
        similar=similar,
    )


def explorer_page(root: str) -> str:
    """The explorer's one page; `root` is the prefix a gateway mounts the API under."""
    return render("explore.html", "/explore", root=root)


def install(app: FastAPI) -> None:
    """Serve the pages' stylesheet (and anything else in api/static/) at /assets."""
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC), name="pages-assets")
