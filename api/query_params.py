"""Unknown query parameters are refused, on every route, with a "did you mean".

A misspelt filter (``/evidence?outcom=Inclusion``) must not silently become no filter. One
app-wide dependency compares the request's parameter names with those the route declares: its
own and its dependencies' query parameters (query-parameter models field by field), plus any
it documents in ``openapi_extra`` (the SPARQL protocol's ``query``, ``default-graph-uri``...,
read by the route itself). A route that must take any parameters says so with
``openapi_extra=ANY_QUERY``: the explorer (its query string is the page's state) and the SPARQL
endpoint (clients add their own parameters; the protocol's are checked by the route).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel

ANY_QUERY: dict[str, object] = {"x-any-query-parameters": True}
"""A route's ``openapi_extra`` for a page that takes any query parameters."""
_MOST = 10
_LONGEST = 64


def declared(route: APIRoute) -> frozenset[str]:
    """The query parameter names `route` accepts."""
    names = set(_dependant_names(route.dependant))
    extra = (route.openapi_extra or {}).get("parameters", [])
    names.update(p["name"] for p in extra if p.get("in") == "query")
    return frozenset(names)


def _dependant_names(dependant: Dependant) -> Iterator[str]:
    for field in dependant.query_params:
        model = field.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            for name, info in model.model_fields.items():
                yield info.alias or name
        else:
            yield field.alias
    for sub in dependant.dependencies:
        yield from _dependant_names(sub)


def suggestion(name: str, known: frozenset[str]) -> str:
    """What to say about the unknown parameter `name`: a close known name, or the list."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    if close:
        return f"Unknown query parameter '{name}'; did you mean '{close[0]}'?"
    if known:
        listed = ", ".join(f"'{k}'" for k in sorted(known))
        return f"Unknown query parameter '{name}'; this path takes {listed}."
    return f"Unknown query parameter '{name}'; this path takes none."


def takes_any(route: APIRoute) -> bool:
    """Whether `route` opted out with `ANY_QUERY`."""
    return bool((route.openapi_extra or {}).get("x-any-query-parameters"))


async def refuse_unknown_query_parameters(request: Request) -> None:
    """422 naming each query parameter the route does not declare (app-wide dependency)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or takes_any(route):
        return
    # Routes are fixed once the app serves: their names are worked out once, not per request
    # (keyed by identity, since a route compares by value and cannot be hashed).
    names: dict[int, frozenset[str]] = request.app.state.query_names
    known = names.get(id(route))
    if known is None:
        known = names[id(route)] = declared(route)
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        # A client's names are echoed back, so only so many, and only so long.
        shown = [name[:_LONGEST] for name in unknown[:_MOST]]
        raise RequestValidationError(
            [
                {
                    "type": "unknown_parameter",
                    "loc": ("query", name),
                    "msg": suggestion(name, known),
                }
                for name in shown
            ]
        )
