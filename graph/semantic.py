"""Sentence embeddings on the graph's nodes: computing those due, and reading by similarity.

Case studies, interventions, outcomes and resources are embedded from their name and
description (graph/embedder.py). A load marks what it changed as due (graph/queries/semantic.py
says how); `embed_pending` is the load's last stage, and `connects embed` runs it alone, to fill
a graph loaded before embeddings existed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import anyio
from pydantic import BaseModel, Field

from graph.db import Db
from graph.embedder import Embedder, Vector, text_sha256
from graph.errors import NotFound
from graph.model import Kind
from graph.queries import semantic as q
from graph.repository import NodeSummary, node_summary

EMBED_BATCH = 256
"""Nodes read, embedded and written at a time (a write of about 400 kB)."""
MIN_SCORE = 0.625
"""The least index score ((1 + cos) / 2) a hit needs: cosine 0.25. Below it texts share little
meaning (made-up words come within 0.22 of some case study), and a list of them would claim a
likeness that is not there."""
MAX_K = 1000
"""The most nodes one vector query asks the index for."""

Progress = Callable[[str, int, int], None]


@dataclass
class EmbedCounts:
    """What one embedding stage did."""

    due: int = 0
    written: int = 0
    computed: int = 0
    """Texts run through the model; the rest came from the cache of texts seen before."""


def node_text(name: str | None, description: str | None) -> str:
    """The text a node is embedded from: its name, then its description."""
    return ". ".join(part.strip() for part in (name, description) if part and part.strip())


async def embed_pending(
    db: Db, embedder: Embedder, progress: Progress | None = None
) -> EmbedCounts:
    """Embed every node whose embedding is due, a batch at a time; idempotent.

    A node a load changes meanwhile is left due (its checksum no longer matches).
    """
    ids = [row["id"] for row in await db.read(q.PENDING)]
    counts = EmbedCounts(due=len(ids))
    before = embedder.computed
    for start in range(0, len(ids), EMBED_BATCH):
        rows = await db.read(q.TEXTS, ids=ids[start : start + EMBED_BATCH])
        texts = [node_text(r["name"], r["description"]) for r in rows]
        # The model is CPU-bound: in a thread, so the event loop keeps serving requests.
        vectors = await anyio.to_thread.run_sync(embedder.embed, texts)
        batch = [
            {"id": r["id"], "checksum": r["checksum"], "embedding": v, "sha256": text_sha256(t)}
            for r, t, v in zip(rows, texts, vectors, strict=True)
        ]
        [written] = await db.write(q.SET_EMBEDDINGS, rows=batch)
        counts.written += int(written["written"])
        if progress is not None:
            progress("embed", min(start + EMBED_BATCH, len(ids)), len(ids))
    counts.computed = embedder.computed - before
    return counts


class SimilarHit(BaseModel):
    """A node found by meaning, with how alike it is."""

    node: NodeSummary
    similarity: float = Field(
        description="Cosine similarity of the two texts' sentence embeddings, -1 to 1 (1: the "
        "same meaning). A measure of wording and topic, not of evidence or outcome."
    )


def similarity_of(score: float) -> float:
    """Cosine similarity from a vector index score, which both engines give as (1 + cos) / 2."""
    return round(2 * score - 1, 4)


async def nearest(
    db: Db, vector: Vector, *, limit: int, kinds: frozenset[Kind] = frozenset()
) -> list[SimilarHit]:
    """The embedded nodes nearest in meaning to `vector`, most alike first."""
    if kinds:
        # The index ranks every kind before the filter: ask it for more than will be kept.
        k = min(limit * 10, MAX_K)
        rows = await db.read(
            q.NEAREST_KINDS,
            index=db.dialect.vector_index,
            k=k,
            vector=vector,
            min_score=MIN_SCORE,
            kinds=sorted(kind.value for kind in kinds),
            limit=limit,
        )
    else:
        rows = await db.read(
            q.NEAREST,
            index=db.dialect.vector_index,
            k=min(limit, MAX_K),
            vector=vector,
            min_score=MIN_SCORE,
            limit=limit,
        )
    return [_hit(r) for r in rows]


async def similar_case_studies(db: Db, node_id: str, *, limit: int) -> list[SimilarHit]:
    """The case studies nearest in meaning to node `node_id` (never itself), most alike first.

    Empty for a node that has no embedding (a kind not embedded, or one not embedded yet).

    Raises:
        NotFound: no node has the id.
    """
    rows = await db.read(q.EMBEDDING_OF, id=node_id)
    if not rows:
        raise NotFound(node_id)
    vector = rows[0]["embedding"]
    if not vector:
        return []
    found = await db.read(
        q.NEAREST_OTHERS,
        index=db.dialect.vector_index,
        k=min((limit + 1) * 10, MAX_K),
        vector=list(vector),
        id=node_id,
        min_score=MIN_SCORE,
        kinds=[Kind.CASE_STUDY.value],
        limit=limit,
    )
    return [_hit(r) for r in found]


def _hit(row: dict[str, object]) -> SimilarHit:
    score = row["score"]
    assert isinstance(score, float)  # noqa: S101 - the index's score is a float
    return SimilarHit(
        node=node_summary(row["node"], row["labels"]),  # type: ignore[arg-type]
        similarity=similarity_of(score),
    )
