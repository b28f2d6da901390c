"""The namespace dereferences: /def is the ontology, /shapes the SHACL shapes, each negotiated
or picked by suffix, with strong validators (api/validators.py)."""

from __future__ import annotations

import functools
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import Response

from api.pages import render
from api.validators import fixed
from ontology.formats import FORMATS, NotAcceptable, best_media_type
from ontology.vocabulary import Vocabulary, ontology, serialized

router = APIRouter(tags=["linked data"])

HTML = "text/html"
RDF_OFFERED = [f.media_type for f in FORMATS]
DEF_OFFERED = [*RDF_OFFERED, HTML]
"""Turtle first: a client that takes anything (``*/*``) is a machine; browsers ask for HTML."""
_SUFFIXES = {f.suffix: f.media_type for f in FORMATS} | {"html": HTML}

Suffix = Annotated[str, Path(description="ttl, nt, jsonld, rdf (or html for /def)")]


def _responses(offered: list[str]) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"content": {t: {"schema": {"type": "string"}} for t in offered}},
        406: {"description": "No acceptable format."},
    }


@router.get("/def", response_class=Response, responses=_responses(DEF_OFFERED))
async def ontology_document(
    request: Request, accept: Annotated[str | None, Header()] = None
) -> Response:
    """The ontology (the namespace https://w3id.org/connects-graph/def), negotiated."""
    return _answer(request, Vocabulary.ONTOLOGY, _negotiate(accept, DEF_OFFERED), vary="Accept")


@router.get("/def.{suffix}", response_class=Response, responses=_responses(DEF_OFFERED))
async def ontology_file(request: Request, suffix: Suffix) -> Response:
    """The ontology in the format its suffix names: /def.ttl, .nt, .jsonld, .rdf, .html."""
    return _answer(request, Vocabulary.ONTOLOGY, _by_suffix(suffix, DEF_OFFERED), vary=None)


@router.get("/shapes", response_class=Response, responses=_responses(RDF_OFFERED))
async def shapes_document(
    request: Request, accept: Annotated[str | None, Header()] = None
) -> Response:
    """The SHACL shapes the published data conforms to, negotiated."""
    return _answer(request, Vocabulary.SHAPES, _negotiate(accept, RDF_OFFERED), vary="Accept")


@router.get("/shapes.{suffix}", response_class=Response, responses=_responses(RDF_OFFERED))
async def shapes_file(request: Request, suffix: Suffix) -> Response:
    """The SHACL shapes in the format its suffix names: /shapes.ttl, .nt, .jsonld, .rdf."""
    return _answer(request, Vocabulary.SHAPES, _by_suffix(suffix, RDF_OFFERED), vary=None)


def _negotiate(accept: str | None, offered: list[str]) -> str:
    media_type = best_media_type(accept, offered)
    if media_type is None:
        raise NotAcceptable(offered)
    return media_type


def _by_suffix(suffix: str, offered: list[str]) -> str:
    media_type = _SUFFIXES.get(suffix)
    if media_type is None or media_type not in offered:
        raise NotAcceptable([f".{s}" for s, t in _SUFFIXES.items() if t in offered])
    return media_type


def _answer(
    request: Request, vocabulary: Vocabulary, media_type: str, vary: str | None
) -> Response:
    if media_type == HTML:
        return fixed(request, _page(), "text/html; charset=utf-8", vary=vary)
    rdf_format = next(f for f in FORMATS if f.media_type == media_type)
    return fixed(request, serialized(vocabulary, rdf_format), media_type, vary=vary)


@functools.cache
def _page() -> bytes:
    formats = [(f.suffix, f.media_type) for f in FORMATS]
    return render("def.html", "/def", ontology=ontology(), formats=formats).encode()
