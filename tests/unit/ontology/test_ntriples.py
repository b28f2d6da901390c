"""The dump's N-Triples text is what pyoxigraph writes for the same triples, byte for byte,
and the N-Triples export makes no pyoxigraph triples for its batches."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import pyoxigraph as ox
import pytest

from graph import repository
from graph.model import CONCEPTS, Kind
from graph.repository import ExportLink, ExportNode
from ontology import export, ntriples
from ontology.formats import by_name
from tests.helpers import export_batch

BASE = "http://example.org/connects"


def test_lines_are_what_pyoxigraph_writes_for_the_mapping_triples() -> None:
    nodes, links = export_batch()
    assert {node.kind for node in nodes} == set(Kind)
    assert any(node.kind in CONCEPTS and node.properties["description"] for node in nodes)
    expected = ox.serialize(export.batch_triples(BASE, nodes, links), format=ox.RdfFormat.N_TRIPLES)
    assert ntriples.batch_lines(BASE, nodes, links) == expected


def test_a_bad_iri_in_the_data_fails_as_it_does_in_the_mapping() -> None:
    node = ExportNode(
        id="cs-1", kind=Kind.CASE_STUDY, properties={"id": "cs-1", "name": "x", "url": "not an iri"}
    )
    with pytest.raises(ValueError, match="IRI"):
        export.batch_triples(BASE, [node], [])
    with pytest.raises(ValueError, match="IRI"):
        ntriples.batch_lines(BASE, [node], [])


def test_the_ntriples_export_writes_text_not_pyoxigraph_triples(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nodes, links = export_batch()

    async def batches(db: Any) -> AsyncGenerator[tuple[list[ExportNode], list[ExportLink]], None]:
        yield nodes, links

    async def no_loads(db: Any, **_: Any) -> list[Any]:
        return []

    def refuse(*_: Any) -> list[ox.Triple]:
        raise AssertionError("N-Triples batches are written as text")

    monkeypatch.setattr(repository, "export_batches", batches)
    monkeypatch.setattr(repository, "loads", no_loads)
    monkeypatch.setattr(export, "batch_triples", refuse)
    chosen = by_name("ntriples")
    assert chosen is not None

    async def dump() -> bytes:
        return b"".join([c async for c in export.export_graph(None, chosen, base_uri=BASE)])  # type: ignore[arg-type]

    assert ntriples.batch_lines(BASE, nodes, links) in asyncio.run(dump())
