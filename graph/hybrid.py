"""Search by words, by meaning, or both fused: what `GET /search` answers.

Hybrid (the default) asks the full-text index (graph.repository.search: every word must match)
and the vector index (graph.semantic.nearest: the nodes nearest the text's sentence embedding)
at once, and fuses the two rankings by reciprocal rank fusion (Cormack, Clarke and Buettcher,
2009): a node's score is the sum over the rankings it is in of 1 / (60 + rank). Ranks fuse where
scores cannot: BM25 and cosine are on unrelated scales. Each hit says which ranking found it.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum

import anyio

from graph.db import Db
from graph.embedder import Embedder, default_embedder
from graph.model import Kind
from graph.repository import SearchHit, SearchTooBroad, search
from graph.semantic import SimilarHit, nearest

RRF_K = 60
"""The constant of reciprocal rank fusion; 60 as its authors found best, not tuned here."""
POOL = 50
"""Hits each ranking brings to the fusion (more when more are asked for)."""
HYBRID_KEYWORD_SECONDS = 2.0
"""How long hybrid search waits for the full-text ranking. Words so common that ranking their
hits takes longer (seconds at 100,000 case studies) add little to a ranking by meaning: the
answer is then the semantic ranking alone, and every hit says it matched by meaning only."""


class SearchMode(StrEnum):
    """How `GET /search` matches: by words, by meaning, or both fused (the default)."""

    HYBRID = "hybrid"
    KEYWORD = "keyword"
    SEMANTIC = "semantic"


async def find(
    db: Db,
    text: str,
    *,
    mode: SearchMode,
    limit: int,
    kinds: frozenset[Kind] = frozenset(),
    embedder: Embedder | None = None,
) -> list[SearchHit]:
    """The nodes that match `text` in `mode`, best first, at most `limit`.

    `embedder` defaults to the process's one (graph.embedder.default_embedder), made on first
    use; keyword mode never needs it.

    Raises:
        SearchTooBroad: keyword mode only, the words are too common to rank in time.
        ModelUnavailable: hybrid or semantic mode, and the model is missing or not as pinned.
    """
    if mode is SearchMode.KEYWORD:
        return await search(db, text, limit=limit, kinds=kinds)
    if embedder is None:
        # Loading the model and checking its file take a second, once: not on the event loop.
        embedder = await anyio.to_thread.run_sync(default_embedder)
    if mode is SearchMode.SEMANTIC:
        return [_semantic(hit) for hit in await _by_meaning(db, embedder, text, limit, kinds)]
    pool = max(POOL, limit)
    words, meaning = await asyncio.gather(
        _by_words(db, text, pool, kinds), _by_meaning(db, embedder, text, pool, kinds)
    )
    return fuse(words, [_semantic(hit) for hit in meaning], limit=limit)


def fuse(words: list[SearchHit], meaning: list[SearchHit], *, limit: int) -> list[SearchHit]:
    """Two rankings as one, by reciprocal rank fusion; ties by name, then id."""
    fused: dict[str, SearchHit] = {}
    for ranking in (words, meaning):
        for rank, hit in enumerate(ranking, start=1):
            share = 1 / (RRF_K + rank)
            seen = fused.get(hit.node.id)
            if seen is None:
                fused[hit.node.id] = hit.model_copy(update={"score": share})
                continue
            seen.score += share
            seen.matched = [*seen.matched, *hit.matched]
            seen.similarity = seen.similarity if hit.similarity is None else hit.similarity
    ranked = sorted(fused.values(), key=lambda h: (-h.score, h.node.name, h.node.id))
    for hit in ranked:
        hit.score = round(hit.score, 6)
    return ranked[:limit]


async def _by_words(db: Db, text: str, limit: int, kinds: frozenset[Kind]) -> list[SearchHit]:
    try:
        return await search(db, text, limit=limit, kinds=kinds, seconds=HYBRID_KEYWORD_SECONDS)
    except SearchTooBroad:
        return []


async def _by_meaning(
    db: Db, embedder: Embedder, text: str, limit: int, kinds: frozenset[Kind]
) -> list[SimilarHit]:
    [vector] = await anyio.to_thread.run_sync(embedder.embed, [text])
    return await nearest(db, vector, limit=limit, kinds=kinds)


def _semantic(hit: SimilarHit) -> SearchHit:
    return SearchHit(
        node=hit.node, score=hit.similarity, matched=["semantic"], similarity=hit.similarity
    )
