"""What works as researchers ask it: approaches rated by their case studies, and the rule."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from api.as_of import AsOfParam, graph_at
from api.deps import DbDep, EvidenceStoreDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from graph import approaches
from graph.approaches import InterventionDetail, InterventionPage, RatingRule, WhatWorks
from graph.filters import RawFilter, resolve

router = APIRouter(tags=["what works"], responses={422: PROBLEM_RESPONSES[422]})

RULE_DOC = """
How a card is rated: each case study that applied the approach counts once, by its best claim
in scope; the rating is the first of these whose conditions all hold (a direction not stated
counts for nothing), and the card's `rule` names the clause that gave it, with its numbers.
The rule as data: `GET /ratings`.

1. **Mixed or negative** (`mixed`, rank 0): at least 1/3 of the studies that state a direction
   found it negative, no effect or mixed, counting all studies or only those at or above any one
   strength.
2. **Established** (`established`, rank 4): at least 3 studies at strength 4 (independently
   evaluated) or above found it worked; no study at strength 4 (independently evaluated) or above
   found it negative, no effect or mixed; at least 3/4 of the studies that state a direction
   found it worked.
3. **Promising** (`promising`, rank 3): at least 2 studies found it worked; at least 1 study at
   strength 3 (externally examined) or above found it worked; at least 2/3 of the studies that
   state a direction found it worked.
4. **Emerging** (`emerging`, rank 2): at least 1 study found it worked.
5. **Insufficient** (`insufficient`, rank 1): none of the above.
"""
"""The rule in words, as `data/evidence/ratings.yaml` states it (a test keeps them equal)."""


class ApproachesQuery(RawFilter, AsOfParam):
    """The evidence filters, and which page of the ranking."""

    limit: int = Field(default=20, ge=1)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class InterventionsQuery(RawFilter, AsOfParam):
    """The evidence filters, the order, and which page."""

    sort: Literal["family", "rating"] = Field(
        default="family", description="family: by family then name; rating: strongest first."
    )
    limit: int = Field(default=100, ge=1)
    offset: int = Field(default=0, ge=0, le=1_000_000)


@router.get("/what-works", description=RULE_DOC)
async def what_works(
    request: Request,
    response: Response,
    db: DbDep,
    settings: SettingsDep,
    store: EvidenceStoreDep,
    query: Annotated[ApproachesQuery, Query()],
) -> WhatWorks:
    """Approaches ranked by their evidence for the outcomes: rating, best strength, studies.
    With `as_of`, as the graph stood then; the Link header is this answer's permalink."""
    db, store = await graph_at(request, response.headers, db, store, query.as_of)
    return await approaches.what_works(
        db,
        await resolve(db, query, store),
        limit=min(query.limit, settings.max_page_size),
        offset=query.offset,
        store=store,
    )


@router.get("/interventions", description=RULE_DOC)
async def interventions(
    request: Request,
    response: Response,
    db: DbDep,
    settings: SettingsDep,
    store: EvidenceStoreDep,
    query: Annotated[InterventionsQuery, Query()],
) -> InterventionPage:
    """Every approach with its family, its number of case studies and its evidence card."""
    db, store = await graph_at(request, response.headers, db, store, query.as_of)
    return await approaches.interventions(
        db,
        await resolve(db, query, store),
        sort=query.sort,
        limit=min(query.limit, settings.max_page_size),
        offset=query.offset,
        store=store,
    )


@router.get(
    "/interventions/{intervention_id}",
    description=RULE_DOC,
    responses={404: PROBLEM_RESPONSES[404]},
)
async def intervention(
    db: DbDep,
    store: EvidenceStoreDep,
    intervention_id: str,
    query: Annotated[RawFilter, Query()],
) -> InterventionDetail:
    """One approach: its card, its case studies, and a card for each outcome."""
    return await approaches.intervention(
        db, intervention_id, await resolve(db, query, store), store
    )


@router.get("/ratings")
async def ratings(db: DbDep) -> RatingRule:
    """The rating rule as data: each rating, in the order checked, with its clauses in words."""
    return await approaches.rule_as_data(db)
