"""Framework nodes for front ends: kinds, lists, details and search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import DbDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from graph import history, hybrid, repository, semantic
from graph.hybrid import SearchMode
from graph.model import Kind
from graph.repository import KindCount, NodeDetail, Page, SearchHit
from graph.semantic import SimilarHit

router = APIRouter(tags=["nodes"], responses={422: PROBLEM_RESPONSES[422]})

MAX_SIMILAR = 50

NodeId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        description="A node's id (a slug).",
        openapi_examples={"outcome": {"value": "inclusion"}, "institute": {"value": "igpp"}},
    ),
]


@router.get("/kinds")
async def kinds(db: DbDep) -> list[KindCount]:
    """Every kind of node, with how many the graph holds."""
    return await repository.kind_counts(db)


@router.get("/nodes")
async def list_nodes(
    db: DbDep,
    settings: SettingsDep,
    kind: Annotated[Kind, Query(description="Which kind to list.", examples=["Outcome"])],
    q: Annotated[
        str | None, Query(max_length=200, description="Only names containing this text.")
    ] = None,
    limit: Annotated[int, Query(ge=1, description="Page size (capped by the server).")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page:
    """One page of nodes of a kind, ordered by name."""
    return await repository.list_nodes(
        db,
        kind=kind,
        text=q,
        limit=min(limit, settings.max_page_size),
        offset=offset,
    )


AsOf = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=100,
        description="Answer as the graph stood then: a load id or an ISO 8601 date-time.",
        examples=["2026-12-01T09:00:00Z"],
    ),
]


@router.get("/nodes/{node_id}", responses={404: PROBLEM_RESPONSES[404]})
async def node_detail(db: DbDep, node_id: NodeId, as_of: AsOf = None) -> NodeDetail:
    """A node's properties and its links, with the names and kinds of what it links to; with
    `as_of`, as it stood then (its outgoing links only)."""
    if as_of is not None:
        point = await history.resolve(db, as_of, "query.as_of")
        return await history.node_at(db, node_id, point)
    return await repository.node_detail(db, node_id)


@router.get("/nodes/{node_id}/similar", responses={404: PROBLEM_RESPONSES[404]})
async def similar(
    db: DbDep,
    node_id: NodeId,
    limit: Annotated[int, Query(ge=1, le=MAX_SIMILAR, description="How many.")] = 5,
) -> list[SimilarHit]:
    """The case studies nearest in meaning to this node (never the node itself), most alike
    first, by the sentence embeddings of their names and descriptions; empty for a node that
    has none. Likeness of wording and topic, not of evidence or outcome."""
    return await semantic.similar_case_studies(db, node_id, limit=limit)


@router.get("/search", responses={503: PROBLEM_RESPONSES[503]})
async def search(
    db: DbDep,
    settings: SettingsDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            pattern=r"\S",
            description="Free text: words to find, or a question in your own words.",
            examples=["cyber security", "helping older people get online"],
        ),
    ],
    limit: Annotated[int, Query(ge=1)] = 20,
    kind: Annotated[
        list[Kind] | None,
        Query(description="Only nodes of this kind (repeat for several).", examples=["Outcome"]),
    ] = None,
    mode: Annotated[
        SearchMode,
        Query(
            description="keyword: nodes whose name or description has every word; semantic: "
            "case studies, interventions, outcomes and resources nearest the text in meaning; "
            "hybrid (default): both rankings fused."
        ),
    ] = SearchMode.HYBRID,
) -> list[SearchHit]:
    """Nodes that match the text, best first; each hit says why it matched.

    Keyword words so common that ranking their hits takes over 10 s are refused (422,
    too-broad); in hybrid mode, past 2 s, the answer is the ranking by meaning alone."""
    return await hybrid.find(
        db, q, mode=mode, limit=min(limit, settings.max_page_size), kinds=frozenset(kind or ())
    )
